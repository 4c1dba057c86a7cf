package sim

import (
	"github.com/ftsim/ftsim/results"

	"context"
	"errors"
	"sync"

	"github.com/ftsim/ftsim/model"
)

// Options tune a Run; zero fields take the scenario's values.
type Options struct {
	Seed         uint64         // root seed; 0 = the scenario's seed
	Duration     float64        // simulated seconds; 0 = the scenario's duration
	Replications int            // 0 = the scenario's replications
	Policies     []model.Policy // narrow the compared set (--policy)
	Parallel     int            // runs simulated at once; 0 = 1
	NoSeries     bool           // skip the per-second time series
	// Shard, when its Count is 1 or more, narrows the run to the failure
	// cases the shard owns, each with every policy and replication (see
	// MergeShards).
	Shard results.Shard
	// Progress, when set, is called as the runs advance with the simulated
	// seconds done and planned, summed over all runs (the plan may grow
	// under replications: auto). It is called from one goroutine at a time.
	Progress func(done, total float64)
	// Runs, when set, is called as simulations start and finish with how
	// many are done and planned (shared runs and continued prefixes count
	// as one each). It is called from one goroutine at a time.
	Runs func(done, total int)
	// SeriesWorst keeps the time series of the baseline and of each
	// policy's worst single failure only, deciding as runs finish (keep.go),
	// so memory does not grow with the failure cases. It has no effect
	// under replications: auto or a shard, which keep every series.
	SeriesWorst bool
}

// DefaultOptions returns the options that take everything from the scenario.
func DefaultOptions() Options { return Options{Parallel: 1} }

// ErrConservation reports a run whose byte balance does not close: a bug in
// ftsim, never the user's input.
var ErrConservation = errors.New("sim: conservation of bytes violated")

// Run simulates sc under every policy and failure case it asks for, with
// no I/O and no wall clock. The same scenario, options and seed give the
// same Result, byte for byte, at any Parallel.
func Run(ctx context.Context, sc *model.Scenario, opts Options) (results.Result, error) {
	seed := opts.Seed
	if seed == 0 {
		seed = sc.Seed
	}
	dur := opts.Duration
	if dur <= 0 {
		dur = float64(sc.Duration)
	}
	reps := opts.Replications
	if reps <= 0 {
		reps = max(1, sc.Replications.N)
	}
	if dur != float64(sc.Duration) {
		c := *sc
		c.Duration = model.Duration(dur)
		sc = &c // n_minus_1 failures fall in the middle of the window actually run
	}
	auto := sc.Replications.Auto && opts.Replications <= 0
	if auto && reps < 2 {
		reps = 2
	}
	res := results.Result{Scenario: sc.Name, Description: sc.Description, Seed: seed, Duration: dur,
		Warmup: float64(sc.Warmup), SLA: results.LimitsOf(sc.SLA), Notes: modelNotes(sc)}
	cases := sc.FailureCases()
	if opts.Shard.Count > 0 {
		if auto {
			return results.Result{}, ErrShardAuto
		}
		part := &results.ShardPart{Index: opts.Shard.Index, Count: opts.Shard.Count, FailureCases: []string{},
			FailureCasesTotal: len(cases)}
		cases = results.ShardCases(sc, opts.Shard)
		for _, fc := range cases {
			part.FailureCases = append(part.FailureCases, fc.Name)
		}
		res.Shard = part
	}
	type group struct {
		v    model.Variant
		fc   model.FailureCase
		runs []results.RunResult
	}
	var groups []*group
	for _, p := range sc.Policies(opts.Policies) {
		v := model.WithPolicy(sc, p)
		for _, n := range v.Notes {
			res.Notes = append(res.Notes, string(p)+": "+n)
		}
		for _, fc := range cases {
			groups = append(groups, &group{v: v, fc: fc})
		}
	}
	r := &runner{ctx: ctx, parallel: max(1, opts.Parallel), progress: opts.Progress, runs: opts.Runs}
	for {
		var specs []runSpec
		var owners []*group
		for _, g := range groups {
			if !g.v.Applicable {
				if len(g.runs) == 0 {
					g.runs = append(g.runs, results.RunResult{Policy: string(g.v.Policy), FailureCase: g.fc.Name,
						Applicable: false, Reason: g.v.Reason, Links: []results.Link{}, VMs: []results.VM{}, Events: []results.Event{},
						Verdict: results.Verdict{Pass: false, Violations: []results.Violation{}}})
				}
				continue
			}
			for rep := len(g.runs); rep < reps; rep++ {
				specs = append(specs, runSpec{sc: g.v.Scenario, policy: g.v.Policy, failureCase: g.fc,
					replication: rep, seed: repSeed(seed, rep), duration: dur, series: rep == 0 && !opts.NoSeries})
				owners = append(owners, g)
			}
		}
		r.keeper = nil
		if opts.SeriesWorst && !auto && opts.Shard.Count == 0 {
			r.keeper = keeperOf(sc.SLA, groups, specs, owners, func(g *group) (model.Variant, model.FailureCase) { return g.v, g.fc })
		}
		out, same, err := r.runShared(specs)
		if err != nil {
			return results.Result{}, err
		}
		res.SamePaths = append(res.SamePaths, same...)
		for i, o := range out {
			g := owners[i]
			rr := o.rr
			rr.Notes = g.v.Notes
			rr.Verdict = results.VerdictOf(sc.SLA, rr)
			g.runs = append(g.runs, rr)
			res.Series = append(res.Series, o.ser...)
		}
		if !auto || reps >= sc.Replications.Max {
			break
		}
		converged := true
		for _, g := range groups {
			if g.v.Applicable && !results.CIConverged(g.runs, sc.Replications.CITarget) {
				converged = false
			}
		}
		if converged {
			break
		}
		reps++
	}
	for _, g := range groups {
		res.Runs = append(res.Runs, g.runs...)
		res.Summary = append(res.Summary, results.Summarise(sc.SLA, g.v, g.fc.Name, g.runs))
	}
	res.Worst = results.WorstCases(res.Summary, sc.Compare != nil && sc.Compare.NMinus1)
	return res, nil
}

// repSeed derives replication r's seed from the root seed (splitmix64), so
// replications are independent and every policy sees the same draws.
func repSeed(root uint64, r int) uint64 {
	z := root + uint64(r+1)*0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// runner runs specs on a pool of workers; results land by index, so the
// outcome does not depend on the pool's size.
type runner struct {
	ctx         context.Context
	parallel    int
	progress    func(done, total float64)
	runs        func(done, total int)
	keeper      *seriesKeeper // may drop series as runs finish
	mu          sync.Mutex
	done, total float64 // simulated run-seconds
	nran, nplan int     // simulations
}

// plan adds n simulations to the plan; ranOne counts one done.
func (r *runner) plan(n int) {
	r.mu.Lock()
	r.nplan += n
	if r.runs != nil {
		r.runs(r.nran, r.nplan)
	}
	r.mu.Unlock()
}

func (r *runner) ranOne() {
	r.mu.Lock()
	r.nran++
	if r.runs != nil {
		r.runs(r.nran, r.nplan)
	}
	r.mu.Unlock()
}

// tick reports simulated seconds done by one run.
func (r *runner) tick(s float64) {
	if r.progress == nil {
		return
	}
	r.mu.Lock()
	r.done += s
	r.progress(r.done, r.total)
	r.mu.Unlock()
}

// runShared runs specs, simulating once each group of runs that one
// simulation stands for (share.go). A run whose representative saw what
// would have made it differ is then simulated on its own. It returns the
// groups that were shared.
func (r *runner) runShared(specs []runSpec) ([]runOut, []results.SamePaths, error) {
	rep, lbt := sharePlan(specs)
	var reps []int
	for i := range specs {
		if rep[i] == i {
			reps = append(reps, i)
		}
	}
	out := make([]runOut, len(specs))
	if err := r.runPrefixed(specs, reps, out); err != nil {
		return nil, nil, err
	}
	var again []int
	groups := map[int]int{} // representative -> index in same
	var same []results.SamePaths
	for i := range specs {
		j := rep[i]
		if j == i {
			continue
		}
		if out[j].moved || lbt[i] && out[j].lbtMoved {
			again = append(again, i)
			continue
		}
		out[i].rr, out[i].ser = shared(out[j].rr, out[j].ser, specs[i])
		g, ok := groups[j]
		if !ok {
			g = len(same)
			groups[j] = g
			same = append(same, results.SamePaths{FailureCase: specs[j].failureCase.Name, Replication: specs[j].replication,
				Policies: []string{string(specs[j].policy)}})
		}
		same[g].Policies = append(same[g].Policies, string(specs[i].policy))
	}
	if err := r.runAll(specs, again, out); err != nil {
		return nil, nil, err
	}
	return out, same, nil
}

// runAll simulates specs[i] for each i of which into out[i], r.parallel
// at a time. A batch of no more than twice that many runs is started at
// once and the runs take turns on the r.parallel cores, a simulated second
// at a time, so that the cores share its last runs rather than one core
// finishing them alone: three runs on two cores take one and a half runs'
// time, not two. The turns, handed out in order, keep r.parallel runs
// simulating at any moment, whatever the number of cores the Go runtime
// has: --parallel 2 on a larger machine still simulates two runs at once.
func (r *runner) runAll(specs []runSpec, which []int, out []runOut) error {
	r.mu.Lock()
	for _, i := range which {
		r.total += specs[i].duration
	}
	r.mu.Unlock()
	r.plan(len(which))
	errs := make([]error, len(which))
	workers := r.parallel
	var cores chan struct{} // a run simulates while it holds one
	if workers > 1 && len(which) > workers && len(which) <= 2*workers {
		cores = make(chan struct{}, workers)
		workers = len(which)
	}
	next := 0
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				r.mu.Lock()
				k := next
				next++
				r.mu.Unlock()
				if k >= len(which) || r.ctx.Err() != nil {
					return
				}
				i := which[k]
				specs[i].tick = r.tick
				if cores != nil {
					cores <- struct{}{}
					specs[i].yield = func() { <-cores; cores <- struct{}{} }
				}
				out[i], errs[k] = runOne(r.ctx, specs[i])
				r.finished(i, out)
				if cores != nil {
					<-cores
				}
			}
		}()
	}
	wg.Wait()
	if err := r.ctx.Err(); err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
