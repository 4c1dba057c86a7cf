package main

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
)

// printTables prints, per policy, one row per failure case with the
// run-wide figures (each with its unit, the link that holds the peak) and
// the verdict, the reasons of every failing row under the table, then the
// FT uplink tables and a policies x failure cases verdict matrix when
// there is more than one of either. Colour is added after the columns are
// laid out, so it never shifts them.
func printTables(w io.Writer, r results.Result, colour bool) {
	if printLargeNMinus1(w, r, colour) {
		return
	}
	fmt.Fprintf(w, "%s", r.Scenario)
	if r.Description != "" {
		fmt.Fprintf(w, ": %s", r.Description)
	}
	fmt.Fprintf(w, "\n%g s simulated (warm-up %g s), seed %d, %d replication(s)\n", r.Duration, r.Warmup, r.Seed, r.Replications())
	cutOff := false
	for _, p := range r.Policies() {
		if !printPolicyHead(w, r, p, colour) {
			continue
		}
		var rows []results.Summary
		for _, s := range r.Summary {
			if s.Policy == p {
				rows = append(rows, s)
			}
		}
		failing, cut := printCaseRows(w, r, rows, colour)
		cutOff = cutOff || cut
		for _, s := range r.Summary {
			if s.Policy == p && !s.Applicable {
				fmt.Fprintf(w, "  not applicable: %s\n", s.Reason)
				break
			}
		}
		for _, s := range failing {
			printViolations(w, s)
		}
	}
	if cutOff {
		fmt.Fprintln(w, "\n* still unprotected when the run ended: cut off by the end of the run, not ended by re-protection")
	}
	printCheckpoints(w, r)
	for _, wc := range r.Worst {
		fmt.Fprintf(w, "\nworst single failure for %s: %s", wc.Policy, wc.FailureCase)
	}
	if len(r.Worst) > 0 {
		fmt.Fprintln(w)
	}
	printUplinks(w, r)
	printMatrix(w, r, colour)
	printSamePaths(w, r)
}

// printPolicyHead prints a policy's heading, with the reason when the
// topology cannot carry it; it reports whether the policy has a table.
func printPolicyHead(w io.Writer, r results.Result, p string, colour bool) bool {
	fmt.Fprintf(w, "\n%s (%s)\n", model.Policy(p).VSphereName(), p)
	if reason, na := notApplicable(r, p); na {
		fmt.Fprintf(w, "  %s: %s\n", paint("not applicable", "33", colour), reason)
		return false
	}
	return true
}

// printCaseRows prints one policy's table: a row per failure case of rows,
// its columns from the metric registry. It returns the failing cases, and
// whether a VM was still unprotected when a run ended (marked *).
func printCaseRows(w io.Writer, r results.Result, rows []results.Summary, colour bool) (failing []results.Summary, cutOff bool) {
	var tb bytes.Buffer
	tw := tabwriter.NewWriter(&tb, 0, 0, 2, ' ', 0)
	cols := results.TableColumns()
	head := []string{"  failure case"}
	for _, m := range cols {
		head = append(head, m.Column)
	}
	fmt.Fprintln(tw, strings.Join(append(head, "verdict"), "\t"))
	for _, s := range rows {
		if !s.Applicable {
			fmt.Fprintf(tw, "  %s\t\t\t\t\t\tn/a\n", s.FailureCase)
			continue
		}
		row := []string{"  " + s.FailureCase}
		for _, m := range cols {
			cellText := column(s, m)
			if m.Name == results.MetricUnprotected && stillUnprotected(r, s.Policy, s.FailureCase) {
				cellText += "*"
				cutOff = true
			}
			row = append(row, cellText)
		}
		fmt.Fprintln(tw, strings.Join(append(row, verdictWord(s.Verdict)), "\t"))
		if !s.Verdict.Pass {
			failing = append(failing, s)
		}
	}
	tw.Flush()
	w.Write(colourVerdicts(tb.Bytes(), colour))
	return failing, cutOff
}

// stillUnprotected reports whether a VM of a run of policy p and failure
// case fc was still without a secondary when the run ended, in any
// replication.
func stillUnprotected(r results.Result, p, fc string) bool {
	for _, rr := range r.Runs {
		if rr.Policy != p || rr.FailureCase != fc {
			continue
		}
		for _, vm := range rr.VMs {
			var last results.EventKind
			for _, ev := range vm.FTEvents {
				switch ev.Kind {
				case results.EventFTLost, results.EventProtected, results.EventResyncStart, results.EventPromoted:
					last = ev.Kind
				}
			}
			if vm.UnprotectedS > 0 && last != "" && last != results.EventProtected {
				return true
			}
		}
	}
	return false
}

// column is a summary's figure in a table column: the run-wide figure
// (the worst VM or link of each replication, averaged) or else the worst
// object's mean, in its unit; a link figure names the link that holds the
// highest mean (the first in natural order of equals).
func column(s results.Summary, m results.MetricInfo) string {
	v, obj := s.WorstObject(m.Name)
	if m.RunWide {
		v = s.RunWide(m.Name)
	}
	var text string
	switch m.Unit {
	case "s":
		text = secs(v)
	case "fraction":
		text = pct(v)
	default:
		text = m.Format(v)
	}
	if m.Of == results.OfLink {
		text = strings.TrimSpace(text + " " + obj)
	}
	return text
}

// colourVerdicts paints the verdict words of a laid-out table: it only
// wraps them in colour codes, so the columns stay where tabwriter put
// them.
func colourVerdicts(b []byte, colour bool) []byte {
	if !colour {
		return b
	}
	lines := strings.SplitAfter(string(b), "\n")
	for i, l := range lines {
		for _, v := range []struct{ word, code string }{{"PASS", "32"}, {"FAIL", "31"}, {"n/a", "33"}} {
			body := strings.TrimRight(l, "\n")
			if strings.HasSuffix(body, " "+v.word) || strings.Contains(body, " "+v.word+" ") {
				lines[i] = strings.ReplaceAll(l, " "+v.word, " "+paint(v.word, v.code, true))
			}
		}
	}
	return []byte(strings.Join(lines, ""))
}

func verdictWord(v results.Verdict) string {
	if v.Pass {
		return "PASS"
	}
	return "FAIL"
}

// printSamePaths names the policies that sent every FT flow the same way
// in a failure case, in every replication: one simulation gave their
// figures, so for this design the choice between them makes no difference.
func printSamePaths(w io.Writer, r results.Result) {
	reps := r.Replications()
	var lines []string
	for _, g := range r.SamePaths {
		if g.Replication != 0 {
			continue
		}
		n := 0 // replications with this very group
		for _, h := range r.SamePaths {
			if h.FailureCase == g.FailureCase && slices.Equal(h.Policies, g.Policies) {
				n++
			}
		}
		if n == reps {
			lines = append(lines, fmt.Sprintf("  %s: %s", g.FailureCase, strings.Join(g.Policies, " = ")))
		}
	}
	if len(lines) > 0 {
		fmt.Fprintf(w, "\nsame paths for every FT flow, one simulation, the same figures:\n%s\n", strings.Join(lines, "\n"))
	}
}

// notApplicable reports whether the topology cannot carry policy p, and why.
func notApplicable(r results.Result, p string) (string, bool) {
	reason, any := "", false
	for _, s := range r.Summary {
		if s.Policy != p {
			continue
		}
		if s.Applicable {
			return "", false
		}
		reason, any = s.Reason, true
	}
	return reason, any
}

// printViolations says why a row fails: its first violations in words,
// with units.
func printViolations(w io.Writer, s results.Summary) {
	line := func(show int) string {
		var parts []string
		for i, v := range s.Verdict.Violations {
			if i == show {
				parts = append(parts, fmt.Sprintf("and %d more", len(s.Verdict.Violations)-show))
				break
			}
			parts = append(parts, v.Describe())
		}
		if len(parts) == 0 {
			parts = append(parts, "the verdict failed")
		}
		return fmt.Sprintf("  FAIL %s: %s", s.FailureCase, strings.Join(parts, "; "))
	}
	l := line(2)
	if len([]rune(l)) > 100 {
		l = line(1)
	}
	fmt.Fprintln(w, l)
}

// printMatrix is the one-screen answer: policies down, failure cases
// across (at most 6 columns; more cases are summarised as worst).
func printMatrix(w io.Writer, r results.Result, colour bool) {
	pols := r.Policies()
	var cases []string
	for _, s := range r.Summary {
		if !slices.Contains(cases, s.FailureCase) {
			cases = append(cases, s.FailureCase)
		}
	}
	if len(pols) < 2 && len(cases) < 2 {
		return
	}
	fmt.Fprintln(w, "\nverdicts (policy x failure case)")
	var tb bytes.Buffer
	tw := tabwriter.NewWriter(&tb, 0, 0, 2, ' ', 0)
	shown := cases
	if len(shown) > 6 {
		shown = shown[:1]
	}
	hdr := []string{"policy"}
	for _, c := range shown {
		hdr = append(hdr, c)
	}
	if len(shown) < len(cases) {
		hdr = append(hdr, fmt.Sprintf("%d single failures", len(cases)-1))
	}
	fmt.Fprintln(tw, strings.Join(hdr, "\t"))
	for _, p := range pols {
		row := []string{p}
		for _, c := range shown {
			row = append(row, cell(r, p, c))
		}
		if _, na := notApplicable(r, p); na && len(shown) < len(cases) {
			row = append(row, "n/a")
		} else if len(shown) < len(cases) {
			pass, fail := 0, 0
			for _, s := range r.Summary {
				if s.Policy == p && s.FailureCase != results.Baseline && s.Applicable {
					if s.Verdict.Pass {
						pass++
					} else {
						fail++
					}
				}
			}
			row = append(row, fmt.Sprintf("%d pass, %d fail", pass, fail))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	w.Write(colourVerdicts(tb.Bytes(), colour))
}

func cell(r results.Result, p, c string) string {
	for _, s := range r.Summary {
		if s.Policy == p && s.FailureCase == c {
			if !s.Applicable {
				return "n/a"
			}
			return verdictWord(s.Verdict)
		}
	}
	return "-"
}

func verdictText(v results.Verdict, colour bool) string {
	if v.Pass {
		return paint("PASS", "32", colour)
	}
	return paint("FAIL", "31", colour)
}

func paint(s, code string, colour bool) string {
	if !colour {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// secs formats seconds with a unit that keeps three significant digits.
func secs(v float64) string { return results.FormatSeconds(v) }

func pct(v float64) string { return fmt.Sprintf("%.1f %%", v*100) }

func figure(metric string, v float64) string {
	if strings.HasSuffix(metric, "_s") {
		return secs(v)
	}
	if strings.Contains(metric, "utilisation") || strings.Contains(metric, "fraction") {
		return pct(v)
	}
	return fmt.Sprintf("%.4g", v)
}
