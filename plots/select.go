package plots

import (
	"math"
	"sort"

	"github.com/ftsim/ftsim/results"
)

// Baseline is the failure case of the scenario as written.
const Baseline = "baseline"

// Metric names looked up in Result.Summary: the field names of results.json.
const (
	MetricLagP99      = "replay_lag_p99_s"
	MetricUtilPeak    = "utilisation_peak"
	MetricUnprotected = "unprotected_s"
)

// Time series metric names (timeseries.csv).
const (
	SeriesUtilisation = "utilisation"
	SeriesQueueLength = "queue_length"
	SeriesReplayLag   = "replay_lag_s"
)

// policiesOf lists the policies of r in the order of model.AllPolicies,
// unknown names after them in alphabetical order.
func policiesOf(r results.Result) []string {
	seen := map[string]bool{}
	var ps []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			ps = append(ps, p)
		}
	}
	for _, run := range r.Runs {
		add(run.Policy)
	}
	for _, s := range r.Summary {
		add(s.Policy)
	}
	sortPolicies(ps)
	return ps
}

func sortPolicies(ps []string) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := policyIndex(ps[i]), policyIndex(ps[j])
		if a != b {
			return a < b
		}
		return ps[i] < ps[j]
	})
}

// failureCasesOf lists the failure cases of r, baseline first, the others
// in the order the runs list them.
func failureCasesOf(r results.Result) []string {
	seen := map[string]bool{}
	var fcs []string
	add := func(fc string) {
		if !seen[fc] {
			seen[fc] = true
			fcs = append(fcs, fc)
		}
	}
	for _, run := range r.Runs {
		add(run.FailureCase)
	}
	for _, s := range r.Summary {
		add(s.FailureCase)
	}
	sort.SliceStable(fcs, func(i, j int) bool { return fcs[i] == Baseline && fcs[j] != Baseline })
	return fcs
}

// mainCase is the failure case the time charts show: the baseline, or the
// first case when the runs have no baseline.
func mainCase(r results.Result) string {
	fcs := failureCasesOf(r)
	if len(fcs) == 0 || fcs[0] == Baseline {
		return Baseline
	}
	return fcs[0]
}

// applicability says whether policy could run on the topology and, if
// not, why. A policy is applicable when any of its runs or summaries is.
func applicability(r results.Result, policy string) (ok bool, reason string) {
	for _, s := range r.Summary {
		if s.Policy == policy {
			if s.Applicable {
				return true, ""
			}
			reason = s.Reason
		}
	}
	for _, run := range r.Runs {
		if run.Policy == policy {
			if run.Applicable {
				return true, ""
			}
			if reason == "" {
				reason = run.Reason
			}
		}
	}
	return false, reason
}

// applicablePolicies splits the policies of r into those that ran and notes
// naming those that could not, with the reason.
func applicablePolicies(r results.Result) (ps []string, notes []string) {
	for _, p := range policiesOf(r) {
		ok, reason := applicability(r, p)
		if ok {
			ps = append(ps, p)
			continue
		}
		n := p + " not applicable"
		if reason != "" {
			n += ": " + reason
		}
		notes = append(notes, n)
	}
	return ps, notes
}

// firstRun returns the run of policy and failure case with the lowest
// replication, or nil.
func firstRun(r results.Result, policy, fc string) *results.RunResult {
	var best *results.RunResult
	for i := range r.Runs {
		run := &r.Runs[i]
		if run.Policy == policy && run.FailureCase == fc && (best == nil || run.Replication < best.Replication) {
			best = run
		}
	}
	return best
}

// worstCase returns policy's worst single failure case, or "".
func worstCase(r results.Result, policy string) string {
	for _, w := range r.Worst {
		if w.Policy == policy {
			return w.FailureCase
		}
	}
	return ""
}

// hasWorst says whether any policy names a worst case other than the
// baseline.
func hasWorst(r results.Result) bool {
	for _, w := range r.Worst {
		if w.FailureCase != "" && w.FailureCase != Baseline {
			return true
		}
	}
	return false
}

// seriesFor returns the series of one metric of policy, failure case fc
// and replication rep, in their order.
func seriesFor(series []results.Series, policy, fc string, rep int, metric string) []results.Series {
	var out []results.Series
	for _, s := range series {
		if s.Policy == policy && s.FailureCase == fc && s.Replication == rep && s.Metric == metric {
			out = append(out, s)
		}
	}
	return out
}

// lowestReplication is the lowest replication number any series of policy
// and fc has, or 0.
func lowestReplication(series []results.Series, policy, fc string) int {
	rep := -1
	for _, s := range series {
		if s.Policy == policy && s.FailureCase == fc && (rep < 0 || s.Replication < rep) {
			rep = s.Replication
		}
	}
	if rep < 0 {
		return 0
	}
	return rep
}

// figure is one key figure of a policy and failure case: the largest over
// objects of the summary's means, or, when the summary lacks the metric,
// the mean over replications of each run's largest value.
func figure(r results.Result, policy, fc, metric string) (v float64, ok bool) {
	v = math.Inf(-1)
	for _, s := range r.Summary {
		if s.Policy != policy || s.FailureCase != fc || !s.Applicable {
			continue
		}
		for _, m := range s.Metrics {
			if m.Name == metric && !math.IsNaN(m.Mean) && !math.IsInf(m.Mean, 0) {
				v, ok = math.Max(v, m.Mean), true
			}
		}
	}
	if ok {
		return v, true
	}
	sum, n := 0.0, 0
	for _, run := range r.Runs {
		if run.Policy != policy || run.FailureCase != fc || !run.Applicable {
			continue
		}
		if x, has := runFigure(run, metric); has {
			sum += x
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// runFigure is the largest value of metric over a run's VMs or links.
func runFigure(run results.RunResult, metric string) (float64, bool) {
	v, ok := math.Inf(-1), false
	switch metric {
	case MetricLagP99:
		for _, vm := range run.VMs {
			v, ok = math.Max(v, vm.ReplayLagP99), true
		}
	case MetricUnprotected:
		for _, vm := range run.VMs {
			v, ok = math.Max(v, vm.UnprotectedS), true
		}
	case MetricUtilPeak:
		for _, l := range run.Links {
			v, ok = math.Max(v, l.UtilisationPeak), true
		}
	}
	return v, ok
}

// replications is the number of replications of r (the largest replication
// number plus one).
func replications(r results.Result) int {
	n := 0
	for _, run := range r.Runs {
		if run.Replication+1 > n {
			n = run.Replication + 1
		}
	}
	return n
}
