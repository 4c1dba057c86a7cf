package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ftsim/ftsim/results"
)

// largeResult is an N-1 result of two policies over a baseline and n
// single failures: vmnic:esxK/vmnic0 has p99 lag K ms, those with K > 16
// fail, and under mac_hash vmnic:esx03/vmnic0 delivered nothing.
func largeResult(n int) results.Result {
	r := results.Result{Scenario: "big", Duration: 300, Warmup: 30, Seed: 7}
	for _, p := range []string{"port_id", "mac_hash"} {
		cases := []string{"baseline"}
		for k := 1; k <= n; k++ {
			cases = append(cases, fmt.Sprintf("vmnic:esx%02d/vmnic0", k))
		}
		for k, c := range cases {
			s := results.Summary{Policy: p, FailureCase: c, Applicable: true, Verdict: results.Verdict{Pass: true, Violations: []results.Violation{}},
				Metrics: []results.Metric{{Name: results.MetricLagP99, Mean: float64(k) / 1000}}}
			if k > 16 {
				s.Verdict = results.Verdict{Pass: false, Violations: []results.Violation{{Metric: results.MetricLagP99}}}
			}
			if p == "mac_hash" && k == 3 {
				s.Verdict = results.Verdict{Pass: false, Violations: []results.Violation{{Metric: results.MetricNothingDelivered}}}
			}
			r.Summary = append(r.Summary, s)
			r.Runs = append(r.Runs, results.RunResult{Policy: p, FailureCase: c, Applicable: true})
		}
	}
	return r
}

// TestLargeNMinus1Table: past tableCases failure cases the table starts
// with the verdict matrix, then lists per policy the baseline and its worst
// single failures, worst first (nothing delivered before any lag), and
// says how many more there are and where they are; up to tableCases every
// row is printed.
func TestLargeNMinus1Table(t *testing.T) {
	var b bytes.Buffer
	printTables(&b, largeResult(20), false)
	out := b.String()
	matrix := strings.Index(out, "verdicts (policy x failure case)")
	first := strings.Index(out, "failure case  ")
	if matrix < 0 || first < 0 || matrix > first {
		t.Fatalf("the verdict matrix does not come first:\n%s", out)
	}
	for _, want := range []string{
		"port_id   PASS      16 pass, 4 fail",
		"15 more single failures (4 of all 20 fail): every row is in runs.csv and results.json",
		"15 more single failures (5 of all 20 fail)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q:\n%s", want, out)
		}
	}
	port := out[strings.Index(out, "(port_id)"):strings.Index(out, "(mac_hash)")]
	var rows []string
	for _, l := range strings.Split(port, "\n") {
		if f := strings.Fields(l); len(f) > 0 && (f[0] == "baseline" || strings.HasPrefix(f[0], "vmnic:")) {
			rows = append(rows, f[0])
		}
	}
	want := []string{"baseline", "vmnic:esx20/vmnic0", "vmnic:esx19/vmnic0", "vmnic:esx18/vmnic0", "vmnic:esx17/vmnic0", "vmnic:esx16/vmnic0"}
	if strings.Join(rows, " ") != strings.Join(want, " ") {
		t.Errorf("port_id rows %v, want %v", rows, want)
	}
	mac := out[strings.Index(out, "(mac_hash)"):]
	if i, j := strings.Index(mac, "vmnic:esx03/vmnic0"), strings.Index(mac, "vmnic:esx20/vmnic0"); i < 0 || j < 0 || i > j {
		t.Errorf("mac_hash: the case that delivered nothing is not first:\n%s", mac)
	}

	b.Reset()
	printTables(&b, largeResult(tableCases-1), false)
	if out := b.String(); strings.Contains(out, "more single failures") || !strings.Contains(out, "vmnic:esx01/vmnic0") {
		t.Errorf("%d failure cases: want every row:\n%s", tableCases, out)
	}
}

// TestProgressRuns: the progress line counts the runs done.
func TestProgressRuns(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, "simulating", "simulated seconds")
	clock := p.start
	p.now = func() time.Time { return clock }
	p.runs(3, 597)
	clock = p.start.Add(10 * time.Second)
	p.update(50, 100)
	if want := "simulating, 3 of 597 runs: 50 % (50 of 100 simulated seconds), 10s elapsed\n"; buf.String() != want {
		t.Errorf("%q, want %q", buf.String(), want)
	}
}
