package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
)

// The terminal table of a large N-1 analysis (a cluster's every vmnic,
// switch, inter-switch link and host under every policy: hundreds of rows)
// starts with the verdict matrix and each policy's worst single failures;
// every row is in runs.csv and results.json.

// tableCases is the most failure cases a policy's table lists in full;
// worstShown is how many single failures a longer one shows.
const (
	tableCases = 12
	worstShown = 5
)

// printLargeNMinus1 prints the short form of the tables when a policy has
// more than tableCases failure cases, and reports whether it did.
func printLargeNMinus1(w io.Writer, r results.Result, colour bool) bool {
	cases := map[string]bool{}
	for _, s := range r.Summary {
		cases[s.FailureCase] = true
	}
	if len(cases) <= tableCases {
		return false
	}
	fmt.Fprintf(w, "%s", r.Scenario)
	if r.Description != "" {
		fmt.Fprintf(w, ": %s", r.Description)
	}
	fmt.Fprintf(w, "\n%g s simulated (warm-up %g s), seed %d, %d replication(s), %d failure cases per policy\n",
		r.Duration, r.Warmup, r.Seed, r.Replications(), len(cases))
	printMatrix(w, r, colour)
	for _, wc := range r.Worst {
		fmt.Fprintf(w, "\nworst single failure for %s: %s", wc.Policy, wc.FailureCase)
	}
	if len(r.Worst) > 0 {
		fmt.Fprintln(w)
	}
	cutOff := false
	for _, p := range r.Policies() {
		if !printPolicyHead(w, r, p, colour) {
			continue
		}
		var rows, singles []results.Summary
		fails := 0
		for _, s := range r.Summary {
			switch {
			case s.Policy != p:
			case s.FailureCase == results.Baseline:
				rows = append(rows, s)
			case s.Applicable:
				singles = append(singles, s)
				if !s.Verdict.Pass {
					fails++
				}
			}
		}
		slices.SortStableFunc(singles, func(a, b results.Summary) int { return severity(b, a) })
		shown := singles[:min(worstShown, len(singles))]
		rows = append(rows, shown...)
		failing, cut := printCaseRows(w, r, rows, colour)
		cutOff = cutOff || cut
		if more := len(singles) - len(shown); more > 0 {
			fmt.Fprintf(w, "  %d more single failures (%d of all %d fail): every row is in runs.csv and results.json\n",
				more, fails, len(singles))
		}
		for _, s := range failing {
			printViolations(w, s)
		}
	}
	if cutOff {
		fmt.Fprintln(w, "\n* still unprotected when the run ended: cut off by the end of the run, not ended by re-protection")
	}
	printCheckpoints(w, r)
	printUplinks(w, r)
	printSamePaths(w, r)
	return true
}

// severity orders failure cases from the mildest to the worst: a failing
// verdict, then the rule of "worst single failure" (results.CompareSeverity),
// then the name (the natural order's first is the worse of equals).
func severity(a, b results.Summary) int {
	if a.Verdict.Pass != b.Verdict.Pass {
		if a.Verdict.Pass {
			return -1
		}
		return 1
	}
	if c := results.CompareSeverity(a, b); c != 0 {
		return c
	}
	switch {
	case a.FailureCase == b.FailureCase:
		return 0
	case model.NaturalLess(a.FailureCase, b.FailureCase):
		return 1
	}
	return -1
}
