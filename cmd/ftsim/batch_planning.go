package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/plots"
	"github.com/ftsim/ftsim/results"
)

// The planning charts of a batch: for every scenario with a sweep, the SLA
// metric that stops the answer (the one furthest beyond its limit in the
// first failing case; p99 replay lag when nothing fails), as the figure of
// the worst failure case (the baseline or any single failure of
// n_minus_1), against the first swept parameter,
// one line per policy, the SLA drawn and each policy's planning answer
// (summary.json) marked; one chart per combination of the other swept
// parameters' values. Files: planning-<scenario>[-<other params>].png in
// the batch folder.
const (
	planningPrefix = "planning-"
	planningMetric = results.MetricLagP99
)

// drawPlanning turns the planning charts on; tests that look at other
// files turn them off, as drawing is most of their time.
var drawPlanning = true

// planCase is what a planning chart needs of one case's result.
type planCase struct {
	scenario string
	sweep    []results.SweepValue
	sla      *float64
	lag      []policyValue // applicable policies, worst failure case
	// figures holds, per SLA metric, each applicable policy's worst figure
	// over failure cases and objects; limits the SLA's limit of each.
	figures map[string][]policyValue
	limits  map[string]float64
	// broke is the SLA metric furthest beyond its limit in this case ("":
	// every verdict passes).
	broke string
}

type policyValue struct {
	policy string
	value  float64
}

// slaMetrics are the SLA's metrics a planning chart can draw (the
// registry's judged figures), in the order ties are broken.
func slaMetrics() []string {
	var out []string
	for _, m := range results.Judged() {
		out = append(out, m.Name)
	}
	return out
}

func planningData(r results.Result) planCase {
	pc := planCase{scenario: r.Scenario, sweep: r.Sweep, sla: r.SLA.ReplayLagP99,
		figures: map[string][]policyValue{}, limits: map[string]float64{}}
	judged := slaMetrics()
	for _, m := range results.Judged() {
		if lim := m.Limit(r.SLA); lim != nil {
			pc.limits[m.Name] = *lim
		}
	}
	worst := map[string]map[string]int{} // metric -> policy -> index in pc.figures[metric]
	over := 0.0
	for _, s := range r.Summary {
		if !s.Applicable {
			continue
		}
		for _, m := range s.Metrics {
			if !slices.Contains(judged, m.Name) {
				continue
			}
			if m.Object != "" && results.MetricOf(m.Name).RunWide {
				continue // the run-wide figure is the worst over VMs or links
			}
			if worst[m.Name] == nil {
				worst[m.Name] = map[string]int{}
			}
			if i, ok := worst[m.Name][s.Policy]; !ok {
				worst[m.Name][s.Policy] = len(pc.figures[m.Name])
				pc.figures[m.Name] = append(pc.figures[m.Name], policyValue{s.Policy, m.Mean})
			} else if m.Mean > pc.figures[m.Name][i].value {
				pc.figures[m.Name][i].value = m.Mean
			}
		}
		for _, v := range s.Verdict.Violations {
			if !slices.Contains(judged, v.Metric) || v.Limit <= 0 {
				continue
			}
			if x := v.Value / v.Limit; x > over || x == over && slices.Index(judged, v.Metric) < slices.Index(judged, pc.broke) {
				over, pc.broke = x, v.Metric
			}
		}
	}
	pc.lag = pc.figures[planningMetric]
	return pc
}

// chartMetric is the SLA metric a scenario's planning chart draws: the one
// that broke furthest beyond its limit in the first failing case along
// the sweep, so the chart shows why the answer stops where it does; p99
// replay lag when nothing fails or the metric has no figures.
func chartMetric(cases []planCase, xs map[string]float64) string {
	sorted := slices.Clone(cases)
	sort.SliceStable(sorted, func(i, j int) bool { return xs[sorted[i].sweep[0].Value] < xs[sorted[j].sweep[0].Value] })
	for _, c := range sorted {
		if c.broke == "" {
			continue
		}
		if _, ok := c.limits[c.broke]; ok && len(c.figures[c.broke]) > 0 {
			return c.broke
		}
		break
	}
	return planningMetric
}

// writePlanningCharts replaces the planning charts in out with those of
// cases, drawn on up to workers goroutines.
func writePlanningCharts(out string, cases []planCase, answers []results.PlanningAnswer, workers int) error {
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
		charts = append(charts, scenarioPlanning(s, byScenario[s], answers)...)
	}
	return forEach(len(charts), workers, func(i int) error { return charts[i].write(out) })
}

// planningChart is one planning chart to draw: a scenario's points for one
// combination of the swept parameters other than the first.
type planningChart struct {
	scenario, param, others string
	metric                  string // the SLA metric drawn
	points                  []plots.PlanPoint
	sla                     *float64
	marks                   []plots.PlanMark
}

func scenarioPlanning(scenario string, cases []planCase, answers []results.PlanningAnswer) []planningChart {
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
		k := results.SweepGroup(c.sweep)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], c)
	}
	sort.Slice(keys, func(i, j int) bool { return model.NaturalLess(keys[i], keys[j]) })
	xs := results.SweepAxis(values)
	metric := chartMetric(cases, xs)
	var out []planningChart
	for _, k := range keys {
		ch := planningChart{scenario: scenario, param: param, others: k, metric: metric, marks: planMarks(answers, scenario, k)}
		for _, c := range groups[k] {
			ch.sla = nil
			if lim, ok := c.limits[metric]; ok {
				ch.sla = &lim
			}
			for _, pv := range c.figures[metric] {
				v := c.sweep[0].Value
				ch.points = append(ch.points, plots.PlanPoint{Policy: pv.policy, X: xs[v], XLabel: v, Value: pv.value})
			}
		}
		out = append(out, ch)
	}
	return out
}

// planMarks are the planning answers of scenario for the group of other
// swept values.
func planMarks(answers []results.PlanningAnswer, scenario, group string) []plots.PlanMark {
	var out []plots.PlanMark
	for _, a := range answers {
		if a.Scenario != scenario {
			continue
		}
		kind, list := answerKind(a)
		for _, pv := range list {
			if pv.Group == group {
				m := plots.PlanMark{Policy: a.Policy, Kind: kind, Group: group}
				if pv.Value != nil {
					m.Value = *pv.Value
				}
				out = append(out, m)
			}
		}
	}
	return out
}

// answerKind is the kind of a planning answer and its entries.
func answerKind(a results.PlanningAnswer) (string, []results.PassingValue) {
	if len(a.SmallestPassing) > 0 {
		return "smallest passing", a.SmallestPassing
	}
	return "largest passing", a.LargestPassing
}

// write draws the chart and writes it as planning-<scenario>[-<others>].png.
func (ch planningChart) write(out string) error {
	title := ch.scenario + ": " + plots.MetricLabel(ch.metric) + " (worst failure case) against " + ch.param
	name := planningPrefix + model.CaseDir(ch.scenario, nil)
	if ch.others != "" {
		title += " (" + ch.others + ")"
		name += "-" + model.CaseDir(ch.others, nil)
	}
	chart, err := plots.Planning(name, title, ch.param, ch.points, ch.metric, ch.sla, ch.marks)
	if err != nil {
		return fmt.Errorf("planning chart of %s: %w", ch.scenario, err)
	}
	return writeAtomic(filepath.Join(out, name+".png"), func(w io.Writer) error {
		return plots.Render(w, chart, "png")
	})
}

// printPlanning prints each scenario's planning answer per policy: the
// value, or why none passes, and what failed beyond it.
func printPlanning(w io.Writer, answers []results.PlanningAnswer) {
	scenario := ""
	for _, a := range answers {
		if a.Scenario != scenario {
			scenario = a.Scenario
			fmt.Fprintf(w, "\nplanning answer for %s\n", scenario)
		}
		kind, list := answerKind(a)
		for _, pv := range list {
			head := "  " + a.Policy
			if pv.Group != "" {
				head += " (" + pv.Group + ")"
			}
			if pv.Value == nil {
				fmt.Fprintf(w, "%s: no %s passes (counting %s): %s\n", head, pv.Parameter, pv.Counting, pv.Reason)
				continue
			}
			fmt.Fprintf(w, "%s: %s %s=%s (counting %s)\n", head, kind, pv.Parameter, *pv.Value, pv.Counting)
			if pv.LimitedBy != "" {
				fmt.Fprintf(w, "      then %s\n", pv.LimitedBy)
			}
		}
	}
	if len(answers) > 0 {
		fmt.Fprintln(w)
	}
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
