package results

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ftsim/ftsim/model"
)

// PlanningAnswer is a batch's answer for one scenario and policy: per
// combination of the other swept parameters, the largest value of the
// first swept parameter that passes with every smaller value, or, for a
// parameter that adds capacity (a speed, a buffer, the MTU), the smallest
// that passes with every larger value. Every failure case counts: the
// baseline and each single failure of n_minus_1.
type PlanningAnswer struct {
	Scenario        string         `json:"scenario"`
	Policy          string         `json:"policy"`
	LargestPassing  []PassingValue `json:"largest_passing,omitempty"`
	SmallestPassing []PassingValue `json:"smallest_passing,omitempty"`
}

// PassingValue is one entry of a planning answer.
type PassingValue struct {
	Parameter string `json:"parameter"` // the swept parameter, by its last key
	// Value is the answer as the sweep wrote it; null when no value passes.
	Value *string `json:"value"`
	// Group is the other swept parameters' values ("speed=10Gbps"), "" with
	// one swept parameter.
	Group string `json:"group"`
	// Counting names the failure cases counted: "baseline" or
	// "baseline+n_minus_1".
	Counting string `json:"counting"`
	// Reason says why no value passes (Value null).
	Reason string `json:"reason,omitempty"`
	// LimitedBy names the first value beyond the answer and what failed
	// there; "" when every swept value passes.
	LimitedBy string `json:"limited_by,omitempty"`
}

// capacityParams are the swept parameters that add capacity: more is
// better, so the answer is the smallest passing value.
var capacityParams = []string{"speed", "port_buffer", "buffer", "mtu", "log_buffer"}

// IsCapacityParam reports whether a swept parameter (its last key) adds
// capacity, so its planning answer is smallest_passing.
func IsCapacityParam(param string) bool { return slices.Contains(capacityParams, param) }

// PlanningAnswers computes the planning answer of every scenario with a
// sweep and every policy in cases, from the summary verdicts (means over
// replications). Scenarios and policies come in natural order.
func PlanningAnswers(cases []CaseSummary) []PlanningAnswer {
	byScenario := map[string][]CaseSummary{}
	var scenarios []string
	for _, c := range cases {
		if len(c.Params) == 0 {
			continue
		}
		if _, ok := byScenario[c.Scenario]; !ok {
			scenarios = append(scenarios, c.Scenario)
		}
		byScenario[c.Scenario] = append(byScenario[c.Scenario], c)
	}
	sort.Slice(scenarios, func(i, j int) bool { return model.NaturalLess(scenarios[i], scenarios[j]) })
	var out []PlanningAnswer
	for _, s := range scenarios {
		out = append(out, scenarioAnswers(s, byScenario[s])...)
	}
	return out
}

func scenarioAnswers(scenario string, cases []CaseSummary) []PlanningAnswer {
	param := cases[0].Params[0].Param
	capacity := IsCapacityParam(param)
	var values, policies, groups []string
	for _, c := range cases {
		if !slices.Contains(values, c.Params[0].Value) {
			values = append(values, c.Params[0].Value)
		}
		if g := SweepGroup(c.Params); !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
		for _, o := range c.Outcomes {
			if !slices.Contains(policies, o.Policy) {
				policies = append(policies, o.Policy)
			}
		}
	}
	SortSweepValues(values)
	if capacity { // walk from the most capacity down
		slices.Reverse(values)
	}
	sort.Slice(groups, func(i, j int) bool { return model.NaturalLess(groups[i], groups[j]) })
	sort.Slice(policies, func(i, j int) bool { return model.NaturalLess(policies[i], policies[j]) })
	var out []PlanningAnswer
	for _, p := range policies {
		a := PlanningAnswer{Scenario: scenario, Policy: p}
		for _, g := range groups {
			pv := answer(cases, param, g, p, values)
			if capacity {
				a.SmallestPassing = append(a.SmallestPassing, pv)
			} else {
				a.LargestPassing = append(a.LargestPassing, pv)
			}
		}
		out = append(out, a)
	}
	return out
}

// answer walks values in order (fewest demands first) and stops at the
// first value whose case fails under policy p in any failure case.
func answer(cases []CaseSummary, param, group, p string, values []string) PassingValue {
	pv := PassingValue{Parameter: param, Group: group, Counting: Baseline}
	byValue := map[string]*CaseSummary{}
	for i := range cases {
		if SweepGroup(cases[i].Params) == group {
			byValue[cases[i].Params[0].Value] = &cases[i]
		}
	}
	for _, c := range byValue {
		for _, o := range c.Outcomes {
			if o.FailureCase != Baseline {
				pv.Counting = "baseline+n_minus_1"
			}
		}
	}
	for _, v := range values {
		c, ok := byValue[v]
		if !ok {
			continue // this group has no case at v
		}
		why := failing(c, p)
		if why == "" {
			pv.Value = &v
			continue
		}
		if pv.Value == nil {
			pv.Reason = fmt.Sprintf("%s=%s fails: %s", param, v, why)
			if IsCapacityParam(param) {
				pv.Reason = fmt.Sprintf("even %s=%s fails: %s", param, v, why)
			}
		} else {
			pv.LimitedBy = fmt.Sprintf("%s=%s fails: %s", param, v, why)
		}
		break
	}
	return pv
}

// failing says why policy p fails in case c ("" when every failure case
// of p passes): the first failing failure case (baseline first) and its
// first violation, with the reason the SLA cannot hold where it is one FT
// itself rules out.
func failing(c *CaseSummary, p string) string {
	var outs []CaseOutcome
	for _, o := range c.Outcomes {
		if o.Policy == p {
			outs = append(outs, o)
		}
	}
	sort.SliceStable(outs, func(i, j int) bool {
		a, b := outs[i].FailureCase == Baseline, outs[j].FailureCase == Baseline
		if a != b {
			return a
		}
		return model.NaturalLess(outs[i].FailureCase, outs[j].FailureCase)
	})
	if len(outs) == 0 {
		return "the policy did not run in this case"
	}
	for _, o := range outs {
		switch {
		case !o.Applicable:
			return "not applicable: " + o.Reason
		case o.Pass:
			continue
		case len(o.Violations) == 0:
			return o.FailureCase + " fails"
		}
		v := o.Violations[0]
		if v.Metric == MetricUnprotected && v.Limit == 0 && o.FailureCase != Baseline {
			kind, _, _ := strings.Cut(o.FailureCase, ":")
			return fmt.Sprintf("%s: unprotected_max 0 s cannot hold through a %s failure (%s unprotected for %s): FT needs ft.restart_delay plus a copy of the VM's memory to re-protect it",
				o.FailureCase, failureWords(kind), v.Object, FormatSeconds(v.Value))
		}
		more := ""
		if n := len(o.Violations) - 1; n > 0 {
			more = fmt.Sprintf(" (and %d more)", n)
		}
		return fmt.Sprintf("%s: %s%s", o.FailureCase, v.Describe(), more)
	}
	return ""
}

func failureWords(kind string) string {
	switch kind {
	case "isl":
		return "inter-switch link"
	case "vmnic", "switch", "host":
		return kind
	}
	return "single"
}

// SweepGroup writes every swept parameter but the first: "speed=10Gbps".
func SweepGroup(sweep []SweepValue) string {
	var b strings.Builder
	for i, v := range sweep[1:] {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(v.Param + "=" + v.Value)
	}
	return b.String()
}

// SweepAxis places swept values on a number line: as numbers when every
// value reads as one kind of quantity (a count, a bit rate, a byte rate, a
// size, a duration, a percentage), else at their rank in natural order.
func SweepAxis(values []string) map[string]float64 {
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
			if err != nil || math.IsNaN(x) {
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

// SortSweepValues orders swept values as SweepAxis places them (ties in
// natural order).
func SortSweepValues(values []string) {
	xs := SweepAxis(values)
	sort.SliceStable(values, func(i, j int) bool {
		if xs[values[i]] != xs[values[j]] {
			return xs[values[i]] < xs[values[j]]
		}
		return model.NaturalLess(values[i], values[j])
	})
}
