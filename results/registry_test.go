package results

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// testFigure is a figure no part of ftsim knows: twice the maximum replay
// lag, judged against the p99 lag limit, a key figure with a table column
// and a comparison panel.
var testFigure = MetricInfo{
	Name: "test_twice_max_lag_s", Label: "twice the maximum lag", Unit: "s", Chart: "twice the maximum lag",
	Of: OfVM, Summarised: true, RunWide: true, Key: true, Column: "2x max lag", Compare: "twice the maximum lag (worst VM)",
	VM:    func(v VM) (float64, bool) { return 2 * v.ReplayLagMax, true },
	Limit: func(l SLALimits) *float64 { return l.ReplayLagP99 },
}

// TestRegistryEntryIsEnough: one registry entry makes a figure appear in
// the summaries (per VM and run-wide), the verdicts of a run and of the
// means, index.csv, the key figures of summary.json, the table columns,
// the comparison panels and the SLA figures of the planning chart.
func TestRegistryEntryIsEnough(t *testing.T) {
	undo := Register(testFigure)
	defer undo()
	sla := model.SLA{HasReplayLagP99: true, ReplayLagP99: model.Duration(0.5)}
	runs := []RunResult{
		{Policy: "port_id", FailureCase: Baseline, Applicable: true, VMs: []VM{{VM: "vm1", LoggedBytes: 1e9, DeliveredBytes: 1e9, ReplayLagP99: 0.1, ReplayLagMax: 0.3}}},
		{Policy: "port_id", FailureCase: Baseline, Applicable: true, Replication: 1, VMs: []VM{{VM: "vm1", LoggedBytes: 1e9, DeliveredBytes: 1e9, ReplayLagP99: 0.1, ReplayLagMax: 0.2}}},
	}
	for i := range runs {
		runs[i].Verdict = VerdictOf(sla, runs[i])
	}
	// 2 x 0.3 > 0.5 fails the first run; 2 x 0.2 passes the second.
	if v := runs[0].Verdict; v.Pass || len(v.Violations) != 1 || v.Violations[0].Metric != testFigure.Name || v.Violations[0].Value != 0.6 {
		t.Errorf("run 0 verdict %+v, want one violation of %s = 0.6", v, testFigure.Name)
	}
	if !runs[1].Verdict.Pass {
		t.Errorf("run 1 verdict %+v, want pass", runs[1].Verdict)
	}
	if d := runs[0].Verdict.Violations[0].Describe(); d != "twice the maximum lag of vm1 600 ms > 500 ms" {
		t.Errorf("Describe = %q", d)
	}
	v := model.Variant{Policy: model.PortID, Applicable: true}
	s := Summarise(sla, v, Baseline, runs)
	var wide, obj bool
	for _, m := range s.Metrics {
		if m.Name == testFigure.Name {
			wide = wide || m.Object == "" && m.Mean == 0.5
			obj = obj || m.Object == "vm1" && m.Mean == 0.5
		}
	}
	if !wide || !obj {
		t.Errorf("summary metrics lack %s (run-wide %v, vm1 %v): %+v", testFigure.Name, wide, obj, s.Metrics)
	}
	// The mean, 0.5, is not above the limit.
	if !s.Verdict.Pass {
		t.Errorf("verdict of the means %+v, want pass", s.Verdict)
	}
	r := Result{Scenario: "s", SLA: LimitsOf(sla), Runs: runs, Summary: []Summary{s}}
	var buf bytes.Buffer
	if err := WriteIndexCSV(&buf, IndexRows("s", r)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "s,port_id,baseline,,test_twice_max_lag_s,0.5\n") {
		t.Errorf("index.csv lacks the run-wide figure:\n%s", buf.String())
	}
	cs := SummariseCase(r)
	if !slices.ContainsFunc(cs.Outcomes[0].Figures, func(k KeyFigure) bool { return k.Metric == testFigure.Name && k.Object == "vm1" }) {
		t.Errorf("key figures lack %s: %+v", testFigure.Name, cs.Outcomes[0].Figures)
	}
	has := func(ms []MetricInfo) bool {
		return slices.ContainsFunc(ms, func(m MetricInfo) bool { return m.Name == testFigure.Name })
	}
	if !has(TableColumns()) || !has(Compared()) || !has(Judged()) || !slices.Contains(KeyMetrics(), testFigure.Name) {
		t.Error("the table columns, comparison panels, judged figures or key metrics lack the new figure")
	}
	if got, ok := r.Figure("port_id", Baseline, testFigure.Name); !ok || got != 0.5 {
		t.Errorf("Figure = %g, %v; want 0.5", got, ok)
	}
	undo()
	if MetricOf(testFigure.Name).VM != nil || has(TableColumns()) {
		t.Error("undo left the figure in the registry")
	}
}

// TestRegistryOrders pins the orders the outputs are written in: the
// run-wide figures, the key figures of summary.json, the table columns,
// the SLA's figures and the comparison panels.
func TestRegistryOrders(t *testing.T) {
	names := func(ms []MetricInfo) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Name)
		}
		return out
	}
	wide := names(metricsWhere(func(m MetricInfo) bool { return m.RunWide }))
	for _, c := range []struct {
		what      string
		got, want []string
	}{
		{"run-wide", wide, []string{"replay_lag_p99_s", "utilisation_peak", "throttled_fraction", "unprotected_s"}},
		{"key", KeyMetrics(), []string{"replay_lag_p99_s", "output_delay_p99_s", "throttled_fraction", "unprotected_s", "utilisation_peak"}},
		{"columns", names(TableColumns()), []string{"replay_lag_p99_s", "output_delay_p99_s", "utilisation_peak", "throttled_fraction", "unprotected_s"}},
		{"judged", names(Judged()), []string{"replay_lag_p99_s", "output_delay_p99_s", "utilisation_peak", "unprotected_s"}},
		{"compared", names(Compared()), []string{"replay_lag_p99_s", "utilisation_peak", "unprotected_s"}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s figures %v, want %v", c.what, c.got, c.want)
		}
	}
	for _, m := range metricRegistry {
		if (m.Of == OfVM) != (m.VM != nil) || (m.Of == OfLink) != (m.Link != nil) {
			t.Errorf("%s: its reader does not match what it belongs to", m.Name)
		}
		if m.Key && m.Column == "" || m.Compare != "" && !m.RunWide {
			t.Errorf("%s: a key figure needs a column, a compared figure must be run-wide", m.Name)
		}
	}
}

// TestRunFiguresFromRegistry checks the figures of a run against the
// fields they come from: the run-wide figure is the worst object, legacy
// VMs lack the checkpoint figures, SMP-FT VMs carry them.
func TestRunFiguresFromRegistry(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	rr := RunResult{
		VMs: []VM{{VM: "a", ReplayLagP99: 0.2, UnprotectedS: 3}, {VM: "b", ReplayLagP99: 0.4, ThrottledFraction: 0.1,
			CheckpointIntervalMean: f(0.05), CheckpointBytesMean: f(1e6), StunFraction: f(0.01), OutputDelayMean: f(0.02)}},
		Links: []Link{{Host: "h", Vmnic: "n", Direction: "tx", UtilisationPeak: 0.7}, {Vmnic: "isl:x~y", Direction: "rx", UtilisationPeak: 0.9}},
	}
	got := map[string]float64{}
	count := map[string]int{}
	for _, m := range RunFigures(rr) {
		got[m.Object+"|"+m.Name] = m.Mean
		count[m.Object]++
	}
	for k, want := range map[string]float64{
		"|replay_lag_p99_s": 0.4, "|utilisation_peak": 0.9, "|throttled_fraction": 0.1, "|unprotected_s": 3,
		"b|checkpoint_interval_mean_s": 0.05, "isl:x~y rx|utilisation_peak": 0.9, "h/n tx|utilisation_peak": 0.7,
	} {
		if got[k] != want {
			t.Errorf("%s = %g, want %g", k, got[k], want)
		}
	}
	if _, ok := got["a|checkpoint_interval_mean_s"]; ok {
		t.Error("a legacy FT VM carries a checkpoint figure")
	}
	if count["a"] != 7 || count["b"] != 11 || count["h/n tx"] != 7 {
		t.Errorf("figures per object %v, want 7 per legacy VM, 11 per SMP-FT VM, 7 per link", count)
	}
}
