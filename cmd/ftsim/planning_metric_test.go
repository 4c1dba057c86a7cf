package main

import (
	"testing"

	"github.com/ftsim/ftsim/results"
)

// TestChartMetric: a planning chart draws the SLA metric that stops the
// answer, the one furthest beyond its limit in the first failing case
// along the sweep, with that metric's SLA limit; p99 replay lag when
// nothing fails.
func TestChartMetric(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	result := func(count string, lag, util, delay float64, viol ...results.Violation) results.Result {
		return results.Result{Scenario: "s", Sweep: []results.SweepValue{{Param: "count", Value: count}},
			SLA: results.SLALimits{OutputDelayP99: f(0.02), UtilisationMax: f(0.7)},
			Summary: []results.Summary{{Policy: "port_id", FailureCase: "baseline", Applicable: true,
				Metrics: []results.Metric{{Name: results.MetricLagP99, Mean: lag}, {Name: results.MetricUtilPeak, Mean: util},
					{Object: "esx01/vmnic1 tx", Name: results.MetricUtilPeak, Mean: util},
					{Object: "db", Name: "output_delay_p99_s", Mean: delay}},
				Verdict: results.Verdict{Pass: len(viol) == 0, Violations: viol}},
				{Policy: "lacp", FailureCase: "baseline", Reason: "needs an LACP LAG"}},
		}
	}
	util := func(v float64) results.Violation {
		return results.Violation{Metric: results.MetricUtilPeak, Object: "esx01/vmnic1 tx", Value: v, Limit: 0.7}
	}
	delay := func(v float64) results.Violation {
		return results.Violation{Metric: "output_delay_p99_s", Object: "db", Value: v, Limit: 0.02}
	}
	xs := map[string]float64{"1": 1, "2": 2, "10": 10}
	for _, tc := range []struct {
		name    string
		results []results.Result
		metric  string
		limit   *float64
	}{
		{"nothing fails", []results.Result{result("1", 0.001, 0.2, 0.005), result("2", 0.002, 0.4, 0.006)}, "replay_lag_p99_s", nil},
		{"utilisation stops it", []results.Result{result("10", 0.01, 1, 0.05, delay(0.05), util(1)),
			result("1", 0.001, 0.5, 0.005), result("2", 0.002, 0.72, 0.0201, delay(0.0201), util(0.72))}, "utilisation_peak", f(0.7)},
		{"output delay stops it", []results.Result{result("1", 0.001, 0.5, 0.005), result("2", 0.002, 0.6, 0.03, delay(0.03)),
			result("10", 0.01, 1, 0.05, util(1))}, "output_delay_p99_s", f(0.02)},
	} {
		var cases []planCase
		for _, r := range tc.results {
			cases = append(cases, planningData(r))
		}
		if got := chartMetric(cases, xs); got != tc.metric {
			t.Errorf("%s: chart of %s, want %s", tc.name, got, tc.metric)
			continue
		}
		chs := scenarioPlanning("s", cases, nil)
		if len(chs) != 1 || chs[0].metric != tc.metric || len(chs[0].points) != len(tc.results) {
			t.Fatalf("%s: charts %+v", tc.name, chs)
		}
		if (chs[0].sla == nil) != (tc.limit == nil) || tc.limit != nil && *chs[0].sla != *tc.limit {
			t.Errorf("%s: SLA line %v, want %v", tc.name, chs[0].sla, tc.limit)
		}
		for _, pt := range chs[0].points {
			if pt.Policy != "port_id" {
				t.Errorf("%s: a point of %s, a policy that is not applicable", tc.name, pt.Policy)
			}
			if tc.metric == "utilisation_peak" && pt.XLabel == "2" && pt.Value != 0.72 {
				t.Errorf("%s: count=2 at %v, want the worst link's 0.72", tc.name, pt.Value)
			}
		}
	}
}
