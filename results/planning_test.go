package results

import (
	"strings"
	"testing"
)

// planCase is one case of a synthetic batch: its swept values and, per
// policy, the failure cases that fail (with their violations).
func planCase(scenario string, params []SweepValue, outcomes ...CaseOutcome) CaseSummary {
	return CaseSummary{Case: scenario, Scenario: scenario, Params: params, Outcomes: outcomes}
}

func pass(policy, fc string) CaseOutcome {
	return CaseOutcome{Policy: policy, FailureCase: fc, Applicable: true, Pass: true}
}

func fail(policy, fc string, v ...Violation) CaseOutcome {
	return CaseOutcome{Policy: policy, FailureCase: fc, Applicable: true, Violations: v}
}

func lagOver(obj string, v float64) Violation {
	return Violation{Metric: "replay_lag_p99_s", Object: obj, Value: v, Limit: 0.1}
}

func TestPlanningAnswers(t *testing.T) {
	count := func(n string) []SweepValue { return []SweepValue{{"count", n}} }
	tests := []struct {
		name  string
		cases []CaseSummary
		// per policy: the answer value ("" = null), counting, and words the
		// reason or limited_by must hold
		want map[string][3]string
	}{{
		name: "N-1 fails before the baseline",
		cases: []CaseSummary{
			planCase("s", count("4"), pass("port_id", "baseline"), pass("port_id", "vmnic:a/vmnic0")),
			planCase("s", count("16"), pass("port_id", "baseline"), fail("port_id", "host:a", lagOver("vm-1", 0.3))),
			planCase("s", count("6"), pass("port_id", "baseline"), fail("port_id", "vmnic:a/vmnic0", lagOver("vm-2", 0.2))),
			planCase("s", count("8"), pass("port_id", "baseline"), pass("port_id", "vmnic:a/vmnic0")),
		},
		// 8 passes, but 6 does not: the answer is 4, the largest with every
		// smaller value passing (natural order: 4 < 6 < 8 < 16)
		want: map[string][3]string{"port_id": {"4", "baseline+n_minus_1", "count=6 fails: vmnic:a/vmnic0: p99 replay lag of vm-2 200 ms > 100 ms"}},
	}, {
		name: "nothing passes: unprotected time through a host failure",
		cases: []CaseSummary{
			planCase("s", count("2"), pass("ip_hash", "baseline"),
				fail("ip_hash", "host:esx01", Violation{Metric: "unprotected_s", Object: "vm-1", Value: 45, Limit: 0})),
			planCase("s", count("4"), pass("ip_hash", "baseline"), pass("ip_hash", "host:esx01")),
		},
		want: map[string][3]string{"ip_hash": {"", "baseline+n_minus_1", "unprotected_max 0 s cannot hold through a host failure"}},
	}, {
		name: "baseline only, every value passes; a policy not applicable",
		cases: []CaseSummary{
			planCase("s", count("2"), pass("port_id", "baseline"), CaseOutcome{Policy: "lacp", FailureCase: "baseline", Reason: "needs a stack"}),
			planCase("s", count("10"), pass("port_id", "baseline"), CaseOutcome{Policy: "lacp", FailureCase: "baseline", Reason: "needs a stack"}),
		},
		want: map[string][3]string{"port_id": {"10", "baseline", ""}, "lacp": {"", "baseline", "not applicable: needs a stack"}},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := PlanningAnswers(tc.cases)
			if len(got) != len(tc.want) {
				t.Fatalf("%d answers, want %d: %+v", len(got), len(tc.want), got)
			}
			for _, a := range got {
				w, ok := tc.want[a.Policy]
				if !ok || len(a.LargestPassing) != 1 || len(a.SmallestPassing) != 0 {
					t.Errorf("unexpected answer %+v", a)
					continue
				}
				pv := a.LargestPassing[0]
				val := ""
				if pv.Value != nil {
					val = *pv.Value
				}
				if val != w[0] || pv.Counting != w[1] || pv.Parameter != "count" || pv.Group != "" {
					t.Errorf("%s: value %q counting %q parameter %q, want %q %q count", a.Policy, val, pv.Counting, pv.Parameter, w[0], w[1])
				}
				why := pv.Reason + pv.LimitedBy
				if w[2] == "" && why != "" || !strings.Contains(why, w[2]) {
					t.Errorf("%s: reason %q limited_by %q, want %q", a.Policy, pv.Reason, pv.LimitedBy, w[2])
				}
				if (pv.Value == nil) != (pv.Reason != "") {
					t.Errorf("%s: a null value needs a reason and only it: %+v", a.Policy, pv)
				}
			}
		})
	}
}

// TestPlanningAnswersCapacity: a swept speed is answered with the
// smallest passing value, per group of the other swept values, with bit
// rates ordered by value, not by text.
func TestPlanningAnswersCapacity(t *testing.T) {
	c := func(speed, count string, ok bool) CaseSummary {
		o := pass("port_id", "baseline")
		if !ok {
			o = fail("port_id", "baseline", lagOver("vm-1", 1))
		}
		return planCase("s", []SweepValue{{"speed", speed}, {"count", count}}, o)
	}
	cases := []CaseSummary{
		c("1Gbps", "2", true), c("10Gbps", "2", true), c("500Mbps", "2", false), c("25Gbps", "2", true),
		c("1Gbps", "8", false), c("10Gbps", "8", true), c("500Mbps", "8", true), c("25Gbps", "8", true),
		c("1Gbps", "16", false), c("10Gbps", "16", false), c("500Mbps", "16", false), c("25Gbps", "16", false),
	}
	got := PlanningAnswers(cases)
	if len(got) != 1 || len(got[0].SmallestPassing) != 3 || len(got[0].LargestPassing) != 0 {
		t.Fatalf("answers %+v, want one smallest_passing list of 3 groups", got)
	}
	want := map[string]string{"count=2": "1Gbps", "count=8": "10Gbps", "count=16": ""}
	for _, pv := range got[0].SmallestPassing {
		val := ""
		if pv.Value != nil {
			val = *pv.Value
		}
		if w, ok := want[pv.Group]; !ok || val != w {
			t.Errorf("group %q: %q, want %q", pv.Group, val, w)
		}
		if pv.Value == nil && !strings.Contains(pv.Reason, "even speed=25Gbps fails") {
			t.Errorf("group %q: reason %q", pv.Group, pv.Reason)
		}
	}
	if got[0].SmallestPassing[0].Group != "count=2" || got[0].SmallestPassing[2].Group != "count=16" {
		t.Errorf("groups out of natural order: %+v", got[0].SmallestPassing)
	}
}
