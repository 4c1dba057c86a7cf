package sim

import (
	"sync"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
)

// Time series that do not grow with the number of failure cases.
//
// A run's time series (every link and VM, a point a second) are most of
// its memory: a cluster's N-1 analysis holds hundreds of runs. With
// Options.SeriesWorst, Run keeps the series of the baseline and of each
// policy's worst single failure only, and decides as the runs finish: a
// failure case's series are kept while it is its policy's worst so far
// (results.WorstCases decides, on the summaries, as it does at the end) and
// dropped when a worse one finishes. The series kept are those that
// filtering every series at the end would keep (TestSeriesWorstKeeps).

// seriesKeeper is one round of runs' bookkeeping: spec i belongs to group
// grp[i] (a policy and failure case), whose specs are members[grp[i]].
type seriesKeeper struct {
	mu      sync.Mutex
	sla     model.SLA
	grp     []int
	groups  []keptGroup
	best    map[model.Policy]int // group whose series are kept
	members map[int][]int
}

// keptGroup is a group's variant and failure case, its place in the
// results' order, and how many of its runs finished.
type keptGroup struct {
	v        model.Variant
	fc       model.FailureCase
	pos      int
	finished int
}

// newSeriesKeeper returns the keeper of one round of specs; group i of
// groups is at position pos[i] in the results' order.
func newSeriesKeeper(sla model.SLA, grp []int, groups []keptGroup) *seriesKeeper {
	k := &seriesKeeper{sla: sla, grp: grp, groups: groups, best: map[model.Policy]int{},
		members: map[int][]int{}}
	for i, g := range grp {
		k.members[g] = append(k.members[g], i)
	}
	return k
}

// finished is told that out[i] is final: once every run of its group is,
// the group's series are kept if it is its policy's worst single failure
// so far, and the series of the one it displaces are dropped.
func (k *seriesKeeper) finished(i int, out []runOut) {
	k.mu.Lock()
	defer k.mu.Unlock()
	gi := k.grp[i]
	g := &k.groups[gi]
	if g.fc.Name == results.Baseline {
		return
	}
	g.finished++
	if g.finished < len(k.members[gi]) {
		return
	}
	p := g.v.Policy
	cur, ok := k.best[p]
	if !ok {
		k.best[p] = gi
		return
	}
	a, b := gi, cur // in the results' order: worstCases keeps the first of equals
	if k.groups[b].pos < k.groups[a].pos {
		a, b = b, a
	}
	w := results.WorstCases([]results.Summary{k.summary(a, out), k.summary(b, out)}, true)
	win := a
	if len(w) == 1 && w[0].FailureCase == k.groups[b].fc.Name {
		win = b
	}
	lose := gi
	if win == gi {
		lose = cur
	}
	k.best[p] = win
	for _, j := range k.members[lose] {
		out[j].ser = nil
	}
}

// summary is group gi's summary, as Run makes it.
func (k *seriesKeeper) summary(gi int, out []runOut) results.Summary {
	g := k.groups[gi]
	var runs []results.RunResult
	for _, j := range k.members[gi] {
		rr := out[j].rr
		rr.Notes = g.v.Notes
		rr.Verdict = results.VerdictOf(k.sla, rr)
		runs = append(runs, rr)
	}
	return results.Summarise(k.sla, g.v, g.fc.Name, runs)
}

// keeperOf makes the keeper of a round: specs[i] is a run of owners[i],
// one of groups (in the results' order).
func keeperOf[G comparable](sla model.SLA, groups []G, specs []runSpec, owners []G, of func(G) (model.Variant, model.FailureCase)) *seriesKeeper {
	pos := map[G]int{}
	for i, g := range groups {
		pos[g] = i
	}
	idx := map[G]int{}
	var kg []keptGroup
	grp := make([]int, len(specs))
	for i, g := range owners {
		j, ok := idx[g]
		if !ok {
			j = len(kg)
			idx[g] = j
			v, fc := of(g)
			kg = append(kg, keptGroup{v: v, fc: fc, pos: pos[g]})
		}
		grp[i] = j
	}
	return newSeriesKeeper(sla, grp, kg)
}

// finished reports that out[i] is final: the runs done, and the keeper.
func (r *runner) finished(i int, out []runOut) {
	if r.keeper != nil {
		r.keeper.finished(i, out)
	}
	r.ranOne()
}
