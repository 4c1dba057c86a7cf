package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/sim"
)

// printTables prints, per policy, one row per failure case with the
// run-wide figures and the verdict, then a policies x failure cases
// verdict matrix when there is more than one of either. Lines fit in 100
// columns.
func printTables(w io.Writer, r sim.Result, colour bool) {
	fmt.Fprintf(w, "%s", r.Scenario)
	if r.Description != "" {
		fmt.Fprintf(w, ": %s", r.Description)
	}
	fmt.Fprintf(w, "\n%g s simulated (warm-up %g s), seed %d, %d replication(s)\n", r.Duration, r.Warmup, r.Seed, replications(r))
	for _, p := range policiesOf(r) {
		fmt.Fprintf(w, "\n%s (%s)\n", model.Policy(p).VSphereName(), p)
		if reason, na := notApplicable(r, p); na {
			fmt.Fprintf(w, "  %s: %s\n", paint("not applicable", "33", colour), reason)
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "failure case\tp99 lag\tp99 output\tpeak util\tthrottled\tunprotected\tverdict\t")
		for _, s := range r.Summary {
			if s.Policy != p {
				continue
			}
			if !s.Applicable {
				fmt.Fprintf(tw, "%s\t\t\t\t\t\t%s\t\n", clip(s.FailureCase, 26), paint("n/a", "33", colour))
				continue
			}
			od := worstObj(s, "output_delay_p99_s")
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", clip(s.FailureCase, 26),
				secs(metric(s, sim.MetricLagP99)), secs(od),
				pct(metric(s, sim.MetricUtilPeak)), pct(metric(s, sim.MetricThrottled)),
				secs(metric(s, sim.MetricUnprotected)), verdictText(s.Verdict, colour))
		}
		tw.Flush()
		for _, s := range r.Summary {
			if s.Policy == p && !s.Applicable {
				fmt.Fprintf(w, "  not applicable: %s\n", s.Reason)
				break
			}
		}
		for _, s := range r.Summary {
			if s.Policy == p && s.Applicable && len(s.Verdict.Violations) > 0 && s.FailureCase == "baseline" {
				printViolations(w, s)
			}
		}
	}
	printCheckpoints(w, r)
	for _, wc := range r.Worst {
		fmt.Fprintf(w, "\nworst single failure for %s: %s", wc.Policy, wc.FailureCase)
	}
	if len(r.Worst) > 0 {
		fmt.Fprintln(w)
	}
	printMatrix(w, r, colour)
	printSamePaths(w, r)
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

func printViolations(w io.Writer, s sim.Summary) {
	const show = 3
	for i, v := range s.Verdict.Violations {
		if i == show {
			fmt.Fprintf(w, "  ... and %d more violations in %s\n", len(s.Verdict.Violations)-show, s.FailureCase)
			break
		}
		if v.Metric == sim.MetricNothingDelivered {
			fmt.Fprintf(w, "  %s: %s nothing delivered: %.4g B reached the secondary, under 1%% of the %.4g B logged\n",
				s.FailureCase, v.Object, v.Value, v.Limit/sim.DeliveredMin)
			continue
		}
		fmt.Fprintf(w, "  %s: %s %s = %s > %s\n", s.FailureCase, v.Object, v.Metric, figure(v.Metric, v.Value), figure(v.Metric, v.Limit))
	}
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
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	shown := cases
	if len(shown) > 6 {
		shown = shown[:1]
	}
	hdr := []string{"policy"}
	for _, c := range shown {
		hdr = append(hdr, clip(c, 16))
	}
	if len(shown) < len(cases) {
		hdr = append(hdr, fmt.Sprintf("%d single failures", len(cases)-1))
	}
	fmt.Fprintln(tw, strings.Join(hdr, "\t")+"\t")
	for _, p := range pols {
		row := []string{p}
		for _, c := range shown {
			row = append(row, cell(r, p, c, colour))
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
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
}

func cell(r sim.Result, p, c string, colour bool) string {
	for _, s := range r.Summary {
		if s.Policy == p && s.FailureCase == c {
			if !s.Applicable {
				return paint("n/a", "33", colour)
			}
			return verdictText(s.Verdict, colour)
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

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "~"
}

// secs formats seconds with a unit that keeps three significant digits.
func secs(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v < 1e-3:
		return fmt.Sprintf("%.3gus", v*1e6)
	case v < 1:
		return fmt.Sprintf("%.3gms", v*1e3)
	}
	return fmt.Sprintf("%.3gs", v)
}

func pct(v float64) string { return fmt.Sprintf("%.1f%%", v*100) }

func figure(metric string, v float64) string {
	if strings.HasSuffix(metric, "_s") {
		return secs(v)
	}
	if strings.Contains(metric, "utilisation") || strings.Contains(metric, "fraction") {
		return pct(v)
	}
	return fmt.Sprintf("%.4g", v)
}
