package plots

import (
	"sort"

	"github.com/ftsim/ftsim/results"
)

// policiesOf lists the policies of r in the order of model.AllPolicies,
// unknown names after them in alphabetical order.
func policiesOf(r results.Result) []string {
	ps := r.Policies()
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

// mainCase is the failure case the time charts show: the baseline, or the
// first case when the runs have no baseline.
func mainCase(r results.Result) string {
	fcs := r.FailureCases()
	if len(fcs) == 0 || fcs[0] == results.Baseline {
		return results.Baseline
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
