package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/plots"
	"github.com/ftsim/ftsim/sim"
)

// The planning charts of a batch: for every scenario with a sweep, p99
// replay lag (the run-wide figure of the baseline failure case) against
// the first swept parameter, one line per policy, the SLA drawn; one chart
// per combination of the other swept parameters' values. Files:
// planning-<scenario>[-<other params>].png in the batch folder.
const (
	planningPrefix = "planning-"
	planningMetric = "replay_lag_p99_s"
)

// drawPlanning turns the planning charts on; tests that look at other
// files turn them off, as drawing is most of their time.
var drawPlanning = true

// planCase is what a planning chart needs of one case's result.
type planCase struct {
	scenario string
	sweep    []sim.SweepValue
	sla      *float64
	lag      []policyValue // applicable policies, baseline failure case
}

type policyValue struct {
	policy string
	value  float64
}

func planningData(r sim.Result) planCase {
	pc := planCase{scenario: r.Scenario, sweep: r.Sweep, sla: r.SLA.ReplayLagP99}
	for _, s := range r.Summary {
		if s.FailureCase != "baseline" || !s.Applicable {
			continue
		}
		for _, m := range s.Metrics {
			if m.Object == "" && m.Name == planningMetric {
				pc.lag = append(pc.lag, policyValue{s.Policy, m.Mean})
			}
		}
	}
	return pc
}

// writePlanningCharts replaces the planning charts in out with those of
// cases, drawn on up to workers goroutines.
func writePlanningCharts(out string, cases []planCase, workers int) error {
	if !drawPlanning {
		return nil
	}
	if err := removePlanningCharts(out); err != nil {
		return err
	}
	byScenario := map[string][]planCase{}
	var scenarios []string
	for _, c := range cases {
		if len(c.sweep) == 0 || len(c.lag) == 0 {
			continue
		}
		if _, ok := byScenario[c.scenario]; !ok {
			scenarios = append(scenarios, c.scenario)
		}
		byScenario[c.scenario] = append(byScenario[c.scenario], c)
	}
	sort.Strings(scenarios)
	var charts []planningChart
	for _, s := range scenarios {
		charts = append(charts, scenarioPlanning(s, byScenario[s])...)
	}
	return forEach(len(charts), workers, func(i int) error { return charts[i].write(out) })
}

// planningChart is one planning chart to draw: a scenario's points for one
// combination of the swept parameters other than the first.
type planningChart struct {
	scenario, param, others string
	points                  []plots.PlanPoint
	sla                     *float64
}

func scenarioPlanning(scenario string, cases []planCase) []planningChart {
	param := cases[0].sweep[0].Param
	var values []string
	seen := map[string]bool{}
	groups := map[string][]planCase{}
	var keys []string
	for _, c := range cases {
		if v := c.sweep[0].Value; !seen[v] {
			seen[v] = true
			values = append(values, v)
		}
		k := otherParams(c.sweep)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], c)
	}
	sort.Slice(keys, func(i, j int) bool { return model.NaturalLess(keys[i], keys[j]) })
	xs := sweepAxis(values)
	var out []planningChart
	for _, k := range keys {
		ch := planningChart{scenario: scenario, param: param, others: k}
		for _, c := range groups[k] {
			ch.sla = c.sla
			for _, pv := range c.lag {
				v := c.sweep[0].Value
				ch.points = append(ch.points, plots.PlanPoint{Policy: pv.policy, X: xs[v], XLabel: v, Value: pv.value})
			}
		}
		out = append(out, ch)
	}
	return out
}

// write draws the chart and writes it as planning-<scenario>[-<others>].png.
func (ch planningChart) write(out string) error {
	p, err := plots.Planning(ch.points, planningMetric, ch.sla)
	if err != nil {
		return fmt.Errorf("planning chart of %s: %w", ch.scenario, err)
	}
	p.X.Label.Text = ch.param
	title := ch.scenario + ": p99 replay lag against " + ch.param
	name := planningPrefix + model.CaseDir(ch.scenario, nil)
	if ch.others != "" {
		title += " (" + ch.others + ")"
		name += "-" + model.CaseDir(ch.others, nil)
	}
	p.Title.Text = title
	chart := plots.PlotChart(name, p)
	return writeAtomic(filepath.Join(out, name+".png"), func(w io.Writer) error {
		return plots.Render(w, chart, "png")
	})
}

// otherParams writes every swept parameter but the first: "speed=10Gbps".
func otherParams(sweep []sim.SweepValue) string {
	var b strings.Builder
	for i, v := range sweep[1:] {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(v.Param + "=" + v.Value)
	}
	return b.String()
}

// sweepAxis places swept values on the x axis: as numbers when every value
// reads as one kind of quantity (a count, a bit rate, a size, a duration,
// a percentage), else at their rank in natural order.
func sweepAxis(values []string) map[string]float64 {
	parsers := []func(string) (float64, error){
		func(s string) (float64, error) { return strconv.ParseFloat(s, 64) },
		func(s string) (float64, error) { v, err := model.ParseBitRate(s); return float64(v), err },
		func(s string) (float64, error) { v, err := model.ParseByteRate(s); return float64(v), err },
		func(s string) (float64, error) { v, err := model.ParseSize(s); return float64(v), err },
		func(s string) (float64, error) { v, err := model.ParseDuration(s); return float64(v), err },
		model.ParsePercent,
	}
	for _, parse := range parsers {
		xs := make(map[string]float64, len(values))
		ok := true
		for _, v := range values {
			x, err := parse(v)
			if err != nil {
				ok = false
				break
			}
			xs[v] = x
		}
		if ok {
			return xs
		}
	}
	sorted := append([]string(nil), values...)
	sort.Slice(sorted, func(i, j int) bool { return model.NaturalLess(sorted[i], sorted[j]) })
	xs := make(map[string]float64, len(values))
	for i, v := range sorted {
		xs[v] = float64(i + 1)
	}
	return xs
}

// removePlanningCharts deletes the planning charts of an earlier run; the
// batch draws them again at its end.
func removePlanningCharts(out string) error {
	entries, err := os.ReadDir(out)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && strings.HasPrefix(n, planningPrefix) && strings.HasSuffix(n, ".png") {
			if err := os.Remove(filepath.Join(out, n)); err != nil {
				return err
			}
		}
	}
	return nil
}
