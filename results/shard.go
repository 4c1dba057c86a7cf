package results

import (
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/ftsim/ftsim/model"
)

// One scenario's runs spread over machines: sim.Options.Shard I/N
// simulates the failure cases at positions p (in the order of
// model.Scenario.FailureCases) with p mod N = I, each with every policy and
// replication, so the runs a shard holds keep the order of the unsharded
// Result. MergeShards joins the N partial Results into the Result the
// unsharded sim.Run returns.

// ShardPart is what a shard's Result holds of the whole run.
type ShardPart struct {
	Index             int      `json:"index"`
	Count             int      `json:"count"`
	FailureCases      []string `json:"failure_cases"` // the shard's, in the run's order
	FailureCasesTotal int      `json:"failure_cases_total"`
}

// ShardCases returns the failure cases of sc that shard s simulates.
func ShardCases(sc *model.Scenario, s Shard) []model.FailureCase {
	var out []model.FailureCase
	for p, fc := range sc.FailureCases() {
		if s.Owns(p) {
			out = append(out, fc)
		}
	}
	return out
}

// MergeShards joins parts, the Results of shards 0..N-1 of one run (part i
// run with sim.Options.Shard i/N) in that order, into the Result the unsharded
// run returns: runs, summaries, time series and the groups of shared
// simulations in the unsharded order, and the worst cases (nMinus1: the
// scenario compares single failures) over every failure case. It refuses
// parts whose scenario, seed, duration, SLA, policies or notes differ.
func MergeShards(parts []Result, nMinus1 bool) (Result, error) {
	if len(parts) == 0 {
		return Result{}, errors.New("no shards to merge")
	}
	n := len(parts)
	first := parts[0]
	for i, p := range parts[1:] {
		if err := sameRun(first, p); err != nil {
			return Result{}, fmt.Errorf("shard %d/%d is not a shard of the run of shard 0/%d: %w", i+1, n, n, err)
		}
	}
	// Case k of shard i is at position k*N+i of the unsharded list.
	var total int
	for i, p := range parts {
		switch {
		case p.Shard == nil:
			return Result{}, fmt.Errorf("part %d is the result of a whole run, not of a shard", i)
		case p.Shard.Count != n:
			return Result{}, fmt.Errorf("part %d is shard %d/%d, not one of %d shards", i, p.Shard.Index, p.Shard.Count, n)
		case p.Shard.Index != i:
			return Result{}, fmt.Errorf("part %d is shard %d/%d; give shards 0 to %d in order", i, p.Shard.Index, n, n-1)
		case i > 0 && p.Shard.FailureCasesTotal != parts[0].Shard.FailureCasesTotal:
			return Result{}, fmt.Errorf("shard %d/%d is of a run of %d failure cases, shard 0/%d of %d",
				i, n, p.Shard.FailureCasesTotal, n, parts[0].Shard.FailureCasesTotal)
		}
		if got := failureCaseOrder(p); len(got) > 0 && !slices.Equal(got, p.Shard.FailureCases) {
			return Result{}, fmt.Errorf("shard %d/%d holds failure cases %v but says it holds %v", i, n, got, p.Shard.FailureCases)
		}
		total += len(p.Shard.FailureCases)
	}
	if want := parts[0].Shard.FailureCasesTotal; total != want {
		return Result{}, fmt.Errorf("the %d shards hold %d failure cases, not the run's %d", n, total, want)
	}
	fcs := make([]string, total)
	for i, p := range parts {
		for k, fc := range p.Shard.FailureCases {
			pos := k*n + i
			if pos >= total || fcs[pos] != "" {
				return Result{}, fmt.Errorf("shard %d/%d holds %d failure cases: not one split of one run", i, n, len(p.Shard.FailureCases))
			}
			fcs[pos] = fc
		}
	}
	fcIndex := map[string]int{}
	for p, fc := range fcs {
		if _, dup := fcIndex[fc]; dup {
			return Result{}, fmt.Errorf("failure case %s is in two shards", fc)
		}
		fcIndex[fc] = p
	}
	policies := policyOrder(parts)
	polIndex := map[string]int{}
	for i, p := range policies {
		polIndex[p] = i
	}
	type key struct{ policy, fc string }
	runs := map[key][]RunResult{}
	sums := map[key]Summary{}
	series := map[key][]Series{}
	var same []SamePaths
	for _, p := range parts {
		for _, r := range p.Runs {
			k := key{r.Policy, r.FailureCase}
			runs[k] = append(runs[k], r)
		}
		for _, s := range p.Summary {
			k := key{s.Policy, s.FailureCase}
			if _, dup := sums[k]; dup {
				return Result{}, fmt.Errorf("policy %s, failure case %s is in two shards", s.Policy, s.FailureCase)
			}
			sums[k] = s
		}
		for _, s := range p.Series {
			k := key{s.Policy, s.FailureCase}
			series[k] = append(series[k], s)
		}
		same = append(same, p.SamePaths...)
	}
	out := first
	out.Runs, out.Summary, out.Series, out.Worst, out.SamePaths, out.Shard = nil, nil, nil, nil, nil, nil
	for _, pol := range policies {
		for _, fc := range fcs {
			k := key{pol, fc}
			s, ok := sums[k]
			if !ok {
				return Result{}, fmt.Errorf("no shard holds policy %s under failure case %s", pol, fc)
			}
			out.Runs = append(out.Runs, runs[k]...)
			out.Summary = append(out.Summary, s)
			out.Series = append(out.Series, series[k]...)
		}
	}
	if len(out.Runs) != countRuns(parts) || len(out.Series) != countSeries(parts) {
		return Result{}, errors.New("a shard holds runs or time series of no summarised policy and failure case")
	}
	out.Worst = WorstCases(out.Summary, nMinus1)
	// runShared lists a group at its first member simulated with another's
	// paths: order by that member's place among the runs.
	sort.SliceStable(same, func(i, j int) bool {
		a, b := same[i], same[j]
		if x, y := polIndex[a.Policies[1]], polIndex[b.Policies[1]]; x != y {
			return x < y
		}
		if x, y := fcIndex[a.FailureCase], fcIndex[b.FailureCase]; x != y {
			return x < y
		}
		return a.Replication < b.Replication
	})
	out.SamePaths = same
	return out, nil
}

// sameRun reports how b's run settings differ from a's, if they do.
func sameRun(a, b Result) error {
	switch {
	case a.Scenario != b.Scenario:
		return fmt.Errorf("scenario %q, not %q", b.Scenario, a.Scenario)
	case a.Description != b.Description:
		return errors.New("another description: another version of the scenario")
	case a.Seed != b.Seed:
		return fmt.Errorf("seed %d, not %d", b.Seed, a.Seed)
	case a.Duration != b.Duration || a.Warmup != b.Warmup:
		return fmt.Errorf("%g s with %g s warm-up, not %g s with %g s", b.Duration, b.Warmup, a.Duration, a.Warmup)
	case fmt.Sprint(slaLimitsText(a.SLA)) != fmt.Sprint(slaLimitsText(b.SLA)):
		return errors.New("another SLA")
	case !slices.Equal(a.Notes, b.Notes):
		return errors.New("other model notes: another version of the scenario or of ftsim")
	case fmt.Sprint(a.Sweep) != fmt.Sprint(b.Sweep):
		return errors.New("another sweep case")
	}
	pa, pb := policyOrder([]Result{a}), policyOrder([]Result{b})
	if len(pa) > 0 && len(pb) > 0 && !slices.Equal(pa, pb) {
		return fmt.Errorf("policies %v, not %v", pb, pa)
	}
	return nil
}

func slaLimitsText(s SLALimits) []string {
	f := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	return []string{f(s.ReplayLagP99), f(s.OutputDelayP99), f(s.UtilisationMax), f(s.UnprotectedMax)}
}

// policyOrder lists the policies of the first part with summaries, in
// the order its summaries give them (every shard runs every policy).
func policyOrder(parts []Result) []string {
	for _, p := range parts {
		var out []string
		for _, s := range p.Summary {
			if !slices.Contains(out, s.Policy) {
				out = append(out, s.Policy)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// failureCaseOrder lists r's failure cases in the order of its summaries.
func failureCaseOrder(r Result) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range r.Summary {
		if !seen[s.FailureCase] {
			seen[s.FailureCase] = true
			out = append(out, s.FailureCase)
		}
	}
	return out
}

func countRuns(parts []Result) int {
	n := 0
	for _, p := range parts {
		n += len(p.Runs)
	}
	return n
}

func countSeries(parts []Result) int {
	n := 0
	for _, p := range parts {
		n += len(p.Series)
	}
	return n
}
