package main

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/sim"
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
func printLargeNMinus1(w io.Writer, r sim.Result, colour bool) bool {
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
		r.Duration, r.Warmup, r.Seed, replications(r), len(cases))
	printMatrix(w, r, colour)
	for _, wc := range r.Worst {
		fmt.Fprintf(w, "\nworst single failure for %s: %s", wc.Policy, wc.FailureCase)
	}
	if len(r.Worst) > 0 {
		fmt.Fprintln(w)
	}
	cutOff := false
	for _, p := range policiesOf(r) {
		fmt.Fprintf(w, "\n%s (%s)\n", model.Policy(p).VSphereName(), p)
		if reason, na := notApplicable(r, p); na {
			fmt.Fprintf(w, "  %s: %s\n", paint("not applicable", "33", colour), reason)
			continue
		}
		var rows, singles []sim.Summary
		fails := 0
		for _, s := range r.Summary {
			switch {
			case s.Policy != p:
			case s.FailureCase == "baseline":
				rows = append(rows, s)
			case s.Applicable:
				singles = append(singles, s)
				if !s.Verdict.Pass {
					fails++
				}
			}
		}
		slices.SortStableFunc(singles, func(a, b sim.Summary) int { return severity(b, a) })
		shown := singles[:min(worstShown, len(singles))]
		rows = append(rows, shown...)
		var tb bytes.Buffer
		tw := tabwriter.NewWriter(&tb, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  failure case\tp99 lag\tp99 output\tpeak util, link\tthrottled\tunprotected\tverdict")
		var failing []sim.Summary
		for _, s := range rows {
			if !s.Applicable {
				fmt.Fprintf(tw, "  %s\t\t\t\t\t\tn/a\n", s.FailureCase)
				continue
			}
			unp := secs(metric(s, sim.MetricUnprotected))
			if stillUnprotected(r, s.Policy, s.FailureCase) {
				unp += "*"
				cutOff = true
			}
			util, link := peakLink(s)
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.FailureCase,
				secs(metric(s, sim.MetricLagP99)), secs(worstObj(s, "output_delay_p99_s")),
				strings.TrimSpace(pct(util)+" "+link), pct(metric(s, sim.MetricThrottled)), unp, verdictWord(s.Verdict))
			if !s.Verdict.Pass {
				failing = append(failing, s)
			}
		}
		tw.Flush()
		w.Write(colourVerdicts(tb.Bytes(), colour))
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
// verdict, then a VM that delivered nothing, the p99 lag, throttling and
// unprotected time (the order of "worst single failure"), then the name
// (the natural order's first is the worse of equals).
func severity(a, b sim.Summary) int {
	key := func(s sim.Summary) [5]float64 {
		var k [5]float64
		if !s.Verdict.Pass {
			k[0] = 1
		}
		for _, v := range s.Verdict.Violations {
			if v.Metric == sim.MetricNothingDelivered {
				k[1] = 1
			}
		}
		k[2], k[3], k[4] = metric(s, sim.MetricLagP99), metric(s, sim.MetricThrottled), metric(s, sim.MetricUnprotected)
		return k
	}
	ka, kb := key(a), key(b)
	if c := slices.Compare(ka[:], kb[:]); c != 0 {
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
