package results

import (
	"testing"

	"github.com/ftsim/ftsim/model"
)

// TestVerdictNothingDelivered checks the rule on figures: zero, under 1%
// and at 1% of what was logged, and a VM that logged nothing.
func TestVerdictNothingDelivered(t *testing.T) {
	for _, c := range []struct {
		logged, delivered float64
		fail              bool
	}{
		{1e9, 0, true}, {1e9, 9.9e6, true}, {1e9, 1e7, false}, {1e9, 1e9, false}, {0, 0, true}, {0, 1, false},
	} {
		rr := RunResult{VMs: []VM{{VM: "vm1", LoggedBytes: c.logged, DeliveredBytes: c.delivered}}}
		v := VerdictOf(model.SLA{}, rr)
		if v.Pass == c.fail || (c.fail && (len(v.Violations) != 1 || v.Violations[0].Metric != MetricNothingDelivered)) {
			t.Errorf("logged %g delivered %g: %+v", c.logged, c.delivered, v)
		}
	}
	for _, c := range []struct {
		logged float64
		want   string
	}{
		{1e9, "nothing delivered by vm1: 0 B of the 1 GB it logged reached the secondary (under 1 %)"},
		{0, "nothing delivered by vm1: it logged nothing in the measured window (stalled, or stunned for a checkpoint, throughout)"},
	} {
		v := VerdictOf(model.SLA{}, RunResult{VMs: []VM{{VM: "vm1", LoggedBytes: c.logged}}})
		if len(v.Violations) != 1 || v.Violations[0].Describe() != c.want {
			t.Errorf("logged %g: %+v, want %q", c.logged, v.Violations, c.want)
		}
	}
	// Ranking: a case that delivered nothing is worse than any lag.
	sum := []Summary{
		{Policy: "p", FailureCase: "vmnic:a", Applicable: true, Metrics: []Metric{{Name: MetricLagP99, Mean: 100}}},
		{Policy: "p", FailureCase: "vmnic:b", Applicable: true, Metrics: []Metric{{Name: MetricLagP99, Mean: 0}},
			Verdict: Verdict{Violations: []Violation{{Metric: MetricNothingDelivered, Object: "vm1"}}}},
		{Policy: "p", FailureCase: "vmnic:c", Applicable: true, Metrics: []Metric{{Name: MetricLagP99, Mean: 50}}},
	}
	if w := WorstCases(sum, true); len(w) != 1 || w[0].FailureCase != "vmnic:b" {
		t.Errorf("worst = %v, want vmnic:b", w)
	}
}
