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

// printTables prints, per policy, one row per failure case with the
// run-wide figures (each with its unit, the link that holds the peak) and
// the verdict, the reasons of every failing row under the table, then the
// FT uplink tables and a policies x failure cases verdict matrix when
// there is more than one of either. Colour is added after the columns are
// laid out, so it never shifts them.
func printTables(w io.Writer, r sim.Result, colour bool) {
	if printLargeNMinus1(w, r, colour) {
		return
	}
	fmt.Fprintf(w, "%s", r.Scenario)
	if r.Description != "" {
		fmt.Fprintf(w, ": %s", r.Description)
	}
	fmt.Fprintf(w, "\n%g s simulated (warm-up %g s), seed %d, %d replication(s)\n", r.Duration, r.Warmup, r.Seed, replications(r))
	cutOff := false
	for _, p := range policiesOf(r) {
		fmt.Fprintf(w, "\n%s (%s)\n", model.Policy(p).VSphereName(), p)
		if reason, na := notApplicable(r, p); na {
			fmt.Fprintf(w, "  %s: %s\n", paint("not applicable", "33", colour), reason)
			continue
		}
		var tb bytes.Buffer
		tw := tabwriter.NewWriter(&tb, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  failure case\tp99 lag\tp99 output\tpeak util, link\tthrottled\tunprotected\tverdict")
		var failing []sim.Summary
		for _, s := range r.Summary {
			if s.Policy != p {
				continue
			}
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

// stillUnprotected reports whether a VM of a run of policy p and failure
// case fc was still without a secondary when the run ended, in any
// replication.
func stillUnprotected(r sim.Result, p, fc string) bool {
	for _, rr := range r.Runs {
		if rr.Policy != p || rr.FailureCase != fc {
			continue
		}
		for _, vm := range rr.VMs {
			last := ""
			for _, ev := range vm.FTEvents {
				switch ev.Kind {
				case "ft_lost", "protected", "resync_start", "promoted":
					last = ev.Kind
				}
			}
			if vm.UnprotectedS > 0 && last != "" && last != "protected" {
				return true
			}
		}
	}
	return false
}

// peakLink is the highest peak utilisation of a summary and the link that
// holds it (the first in natural order of equals).
func peakLink(s sim.Summary) (float64, string) {
	best, link := metric(s, sim.MetricUtilPeak), ""
	top := -1.0
	for _, m := range s.Metrics {
		if m.Object != "" && m.Name == sim.MetricUtilPeak && (m.Mean > top || m.Mean == top && model.NaturalLess(m.Object, link)) {
			top, link = m.Mean, m.Object
		}
	}
	return best, link
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

func verdictWord(v sim.Verdict) string {
	if v.Pass {
		return "PASS"
	}
	return "FAIL"
}

// printSamePaths names the policies that sent every FT flow the same way
// in a failure case, in every replication: one simulation gave their
// figures, so for this design the choice between them makes no difference.
func printSamePaths(w io.Writer, r sim.Result) {
	reps := replications(r)
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

// replications is the number of replications the runs of r make.
func replications(r sim.Result) int {
	n := 0
	for _, rr := range r.Runs {
		n = max(n, rr.Replication+1)
	}
	return n
}

// notApplicable reports whether the topology cannot carry policy p, and why.
func notApplicable(r sim.Result, p string) (string, bool) {
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
func printViolations(w io.Writer, s sim.Summary) {
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
func printMatrix(w io.Writer, r sim.Result, colour bool) {
	pols := policiesOf(r)
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
				if s.Policy == p && s.FailureCase != "baseline" && s.Applicable {
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

func cell(r sim.Result, p, c string) string {
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

func policiesOf(r sim.Result) []string {
	var ps []string
	for _, s := range r.Summary {
		if !slices.Contains(ps, s.Policy) {
			ps = append(ps, s.Policy)
		}
	}
	return ps
}

func metric(s sim.Summary, name string) float64 {
	for _, m := range s.Metrics {
		if m.Object == "" && m.Name == name {
			return m.Mean
		}
	}
	return 0
}

func worstObj(s sim.Summary, name string) float64 {
	v := 0.0
	for _, m := range s.Metrics {
		if m.Object != "" && m.Name == name {
			v = max(v, m.Mean)
		}
	}
	return v
}

func verdictText(v sim.Verdict, colour bool) string {
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
func secs(v float64) string { return sim.FormatSeconds(v) }

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
