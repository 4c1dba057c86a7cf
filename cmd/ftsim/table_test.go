package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ftsim/ftsim/results"
)

// tableResult is a result with a passing baseline, two failing single
// failures (one still unprotected at the end of the run) and a policy
// that is not applicable.
func tableResult() results.Result {
	sum := func(fc string, lag, util, unp float64, link string, v ...results.Violation) results.Summary {
		return results.Summary{Policy: "port_id", FailureCase: fc, Applicable: true,
			Metrics: []results.Metric{{Name: results.MetricLagP99, Mean: lag}, {Name: results.MetricUtilPeak, Mean: util},
				{Name: results.MetricUnprotected, Mean: unp}, {Object: link, Name: results.MetricUtilPeak, Mean: util},
				{Object: "esx09/vmnic9 rx", Name: results.MetricUtilPeak, Mean: util / 2}},
			Verdict: results.Verdict{Pass: len(v) == 0, Violations: v}}
	}
	run := func(fc string, evs ...string) results.RunResult {
		var fe []results.Event
		for _, k := range evs {
			fe = append(fe, results.Event{Kind: results.EventKind(k), Target: "vm1"})
		}
		unp := 0.0
		if len(evs) > 0 {
			unp = 20
		}
		return results.RunResult{Policy: "port_id", FailureCase: fc, Applicable: true,
			VMs: []results.VM{{VM: "vm1", UnprotectedS: unp, FTEvents: fe}}}
	}
	return results.Result{Scenario: "t", Duration: 60, Warmup: 10,
		Summary: []results.Summary{
			sum("baseline", 0.0003, 0.5, 0, "esx01/vmnic0 tx"),
			sum("host:esx01", 0.2, 1, 20, "esx02/vmnic1 rx",
				results.Violation{Metric: "unprotected_s", Object: "vm1", Value: 20, Limit: 0}),
			sum("vmnic:esx02/vmnic0", 0.2, 0.9, 20, "esx02/vmnic1 tx",
				results.Violation{Metric: "replay_lag_p99_s", Object: "vm1", Value: 0.2, Limit: 0.1},
				results.Violation{Metric: "utilisation_peak", Object: "esx02/vmnic1 tx", Value: 0.9, Limit: 0.8},
				results.Violation{Metric: "unprotected_s", Object: "vm1", Value: 20, Limit: 0}),
			{Policy: "lacp", FailureCase: "baseline", Reason: "needs an LACP LAG"},
		},
		Runs: []results.RunResult{run("baseline"), run("host:esx01", "ft_lost", "promoted", "resync_start"),
			run("vmnic:esx02/vmnic0", "ft_lost", "resync_start", "protected")},
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestTableRows: every failing row says why (in words, with units), the
// peak names its link, every figure has a unit, unprotected time cut off
// by the end of the run is marked, and colour leaves every column where
// it was.
func TestTableRows(t *testing.T) {
	r := tableResult()
	var plain, col bytes.Buffer
	printTables(&plain, r, false)
	printTables(&col, r, true)
	out := plain.String()
	if !strings.Contains(col.String(), "\x1b[31mFAIL\x1b[0m") {
		t.Errorf("no colour in the coloured table:\n%s", col.String())
	}
	if got := ansi.ReplaceAllString(col.String(), ""); got != out {
		t.Errorf("colour moves the columns:\n%s\nwant\n%s", got, out)
	}
	for _, want := range []string{
		"FAIL host:esx01: time unprotected of vm1 20 s > 0 s",
		"FAIL vmnic:esx02/vmnic0: p99 replay lag of vm1 200 ms > 100 ms; and 2 more", // two would pass 100 columns
		"esx02/vmnic1 rx", // the link with the peak, not the other one
		"300 us", "0 s ",
		"20 s*", "* still unprotected when the run ended",
		"not applicable: needs an LACP LAG",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// Re-protected at 20 s: not marked as cut off.
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "vmnic:esx02/vmnic0 ") && strings.Contains(l, "*") {
			t.Errorf("a re-protected VM is marked cut off: %q", l)
		}
	}
	// No bare number: every figure of a row carries its unit.
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || !(strings.HasPrefix(f[0], "baseline") || strings.Contains(f[0], ":")) || f[0] == "FAIL" {
			continue
		}
		for i, x := range f[1:] {
			if regexp.MustCompile(`^[0-9.]+$`).MatchString(x) && (i+2 >= len(f) || !regexp.MustCompile(`^(s|ms|us|%)\*?$`).MatchString(f[i+2])) {
				t.Errorf("bare figure %q in %q", x, l)
			}
		}
	}
}

// TestProgressLines: on a non-terminal, progress stays silent for the
// first 10 s, then writes a line every 10 s with the share done.
func TestProgressLines(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, "simulating", "simulated seconds")
	clock := p.start
	p.now = func() time.Time { return clock }
	for _, step := range []struct {
		after      time.Duration
		done       float64
		wantLines  int
		wantSuffix string
	}{
		{2 * time.Second, 10, 0, ""},
		{9 * time.Second, 40, 0, ""},
		{10 * time.Second, 50, 1, "simulating: 42 % (50 of 120 simulated seconds), 10s elapsed\n"},
		{15 * time.Second, 60, 1, ""},
		{21 * time.Second, 90, 2, "simulating: 75 % (90 of 120 simulated seconds), 21s elapsed\n"},
	} {
		clock = p.start.Add(step.after)
		p.update(step.done, 120)
		if n := strings.Count(buf.String(), "\n"); n != step.wantLines {
			t.Fatalf("after %s: %d lines, want %d:\n%s", step.after, n, step.wantLines, buf.String())
		}
		if step.wantSuffix != "" && !strings.HasSuffix(buf.String(), step.wantSuffix) {
			t.Errorf("after %s: %q, want a line %q", step.after, buf.String(), step.wantSuffix)
		}
	}
}

// TestTableLongNames: names read from vCenter are long; the table shows
// every failure case and the link holding the peak in full (a clipped
// "esx-prod-01/vmnic~" cannot tell vmnic0 from vmnic1), and the columns
// still line up.
func TestTableLongNames(t *testing.T) {
	const host = "esx-prod-cluster-a-01"
	fc := "vmnic:" + host + "/vmnic0"
	link := host + "/vmnic1 rx"
	r := results.Result{Scenario: "t", Duration: 60, Warmup: 10,
		Summary: []results.Summary{
			{Policy: "port_id", FailureCase: "baseline", Applicable: true, Verdict: results.Verdict{Pass: true},
				Metrics: []results.Metric{{Name: results.MetricUtilPeak, Mean: 0.5}, {Object: host + "/vmnic0 tx", Name: results.MetricUtilPeak, Mean: 0.5}}},
			{Policy: "port_id", FailureCase: fc, Applicable: true, Verdict: results.Verdict{Pass: true},
				Metrics: []results.Metric{{Name: results.MetricUtilPeak, Mean: 0.6}, {Object: link, Name: results.MetricUtilPeak, Mean: 0.6}}},
		},
		Runs: []results.RunResult{{Policy: "port_id", FailureCase: "baseline", Applicable: true},
			{Policy: "port_id", FailureCase: fc, Applicable: true}},
	}
	var b bytes.Buffer
	printTables(&b, r, false)
	out := b.String()
	for _, want := range []string{fc + " ", "60.0 % " + link, "~"} {
		has := strings.Contains(out, want)
		if want == "~" {
			if has {
				t.Errorf("a name is clipped:\n%s", out)
			}
			continue
		}
		if !has {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	var cols []int
	for _, l := range strings.Split(out, "\n") {
		if i := strings.Index(l, "PASS"); i >= 0 && !strings.HasPrefix(strings.TrimSpace(l), "policy") && strings.Contains(l, " % ") {
			cols = append(cols, i)
		}
	}
	if len(cols) != 2 || cols[0] != cols[1] {
		t.Errorf("verdict columns at %v, want two at one column:\n%s", cols, out)
	}
}
