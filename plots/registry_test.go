package plots

import (
	"testing"

	"github.com/ftsim/ftsim/results"
)

// TestComparisonReadsTheRegistry: a run-wide figure the registry gives a
// comparison title is one more panel of the policy comparison, and its
// chart label names it on a planning chart.
func TestComparisonReadsTheRegistry(t *testing.T) {
	r, _ := goldenResult()
	before, err := PolicyComparison(r)
	if err != nil {
		t.Fatal(err)
	}
	undo := results.Register(results.MetricInfo{Name: "test_lag_max_s", Label: "max lag", Unit: "s", Chart: "the longest lag",
		Of: results.OfVM, Summarised: true, RunWide: true, Compare: "longest lag (worst VM)",
		VM: func(v results.VM) (float64, bool) { return v.ReplayLagMax, true }})
	defer undo()
	after, err := PolicyComparison(r)
	if err != nil {
		t.Fatal(err)
	}
	if n, m := len(before.Panels[0]), len(after.Panels[0]); m != n+1 {
		t.Fatalf("%d panels before the entry, %d after; want one more", n, m)
	}
	if got := after.Panels[0][panelCount(before)].Title.Text; got != "longest lag (worst VM)" {
		t.Errorf("new panel titled %q", got)
	}
	if got := MetricLabel("test_lag_max_s"); got != "the longest lag" {
		t.Errorf("MetricLabel = %q", got)
	}
}

func panelCount(c Chart) int { return len(c.Panels[0]) }
