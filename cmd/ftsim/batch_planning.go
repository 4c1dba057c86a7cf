package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/plots"
	"github.com/ftsim/ftsim/sim"
)

// The planning charts of a batch: for every scenario with a sweep, p99
// replay lag (the run-wide figure of the worst failure case: the baseline
// or any single failure of n_minus_1) against the first swept parameter,
// one line per policy, the SLA drawn and each policy's planning answer
// (summary.json) marked; one chart per combination of the other swept
// parameters' values. Files: planning-<scenario>[-<other params>].png in
// the batch folder.
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
	lag      []policyValue // applicable policies, worst failure case
}

type policyValue struct {
	policy string
	value  float64
}

func planningData(r sim.Result) planCase {
	pc := planCase{scenario: r.Scenario, sweep: r.Sweep, sla: r.SLA.ReplayLagP99}
	worst := map[string]int{} // policy -> index in pc.lag
	for _, s := range r.Summary {
		if !s.Applicable {
			continue
		}
		for _, m := range s.Metrics {
			if m.Object != "" || m.Name != planningMetric {
				continue
			}
			if i, ok := worst[s.Policy]; !ok {
				worst[s.Policy] = len(pc.lag)
				pc.lag = append(pc.lag, policyValue{s.Policy, m.Mean})
			} else if m.Mean > pc.lag[i].value {
				pc.lag[i].value = m.Mean
			}
		}
	}
	return pc
}

// writePlanningCharts replaces the planning charts in out with those of
// cases, drawn on up to workers goroutines.
func writePlanningCharts(out string, cases []planCase, answers []sim.PlanningAnswer, workers int) error {
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
	points                  []plots.PlanPoint
	sla                     *float64
	marks                   []plots.PlanMark
}

func scenarioPlanning(scenario string, cases []planCase, answers []sim.PlanningAnswer) []planningChart {
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
		k := sim.SweepGroup(c.sweep)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], c)
	}
	sort.Slice(keys, func(i, j int) bool { return model.NaturalLess(keys[i], keys[j]) })
	xs := sim.SweepAxis(values)
	var out []planningChart
	for _, k := range keys {
		ch := planningChart{scenario: scenario, param: param, others: k, marks: planMarks(answers, scenario, k)}
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

// planMarks are the planning answers of scenario for the group of other
// swept values.
func planMarks(answers []sim.PlanningAnswer, scenario, group string) []plots.PlanMark {
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
func answerKind(a sim.PlanningAnswer) (string, []sim.PassingValue) {
	if len(a.SmallestPassing) > 0 {
		return "smallest passing", a.SmallestPassing
	}
	return "largest passing", a.LargestPassing
}

// write draws the chart and writes it as planning-<scenario>[-<others>].png.
func (ch planningChart) write(out string) error {
	title := ch.scenario + ": p99 replay lag (worst failure case) against " + ch.param
	name := planningPrefix + model.CaseDir(ch.scenario, nil)
	if ch.others != "" {
		title += " (" + ch.others + ")"
		name += "-" + model.CaseDir(ch.others, nil)
	}
	chart, err := plots.Planning(name, title, ch.param, ch.points, planningMetric, ch.sla, ch.marks)
	if err != nil {
		return fmt.Errorf("planning chart of %s: %w", ch.scenario, err)
	}
	return writeAtomic(filepath.Join(out, name+".png"), func(w io.Writer) error {
		return plots.Render(w, chart, "png")
	})
}

// printPlanning prints each scenario's planning answer per policy: the
// value, or why none passes, and what failed beyond it.
func printPlanning(w io.Writer, answers []sim.PlanningAnswer) {
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
