package sim

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/fschuetz04/simgo"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
)

// runSpec is one run: a scenario variant (policy applied), a failure case
// and a replication seed.
type runSpec struct {
	sc          *model.Scenario
	policy      model.Policy
	failureCase model.FailureCase
	replication int
	seed        uint64
	duration    float64
	series      bool
	tick        func(simSeconds float64) // progress, may be nil
	yield       func()                   // called each simulated second, may be nil
	// lbtShadow, when set, is NIC load's variant of this run, whose LBT
	// checks the run makes alongside without moving anything (share.go).
	lbtShadow *model.Scenario
}

// runOut is one run's result, its time series, and what it saw that the
// runs it stands for (share.go) would not have shared.
type runOut struct {
	rr  results.RunResult
	ser []results.Series
	// moved: a path changed (an FT peer lost, a MAC that moved).
	// lbtMoved: one of lbtShadow's LBT checks would have moved a port.
	moved, lbtMoved bool
}

// runOne simulates one run. It is a pure function of its spec. A fused
// run whose paths change is run again without fusion (see fuse); the
// simulated seconds it reported are not reported twice.
func runOne(ctx context.Context, rs runSpec) (runOut, error) {
	tick, n := rs.tick, 0
	if tick != nil {
		rs.tick = func(s float64) { n++; tick(s) }
	}
	out, err := simulate(ctx, rs, true)
	if !errors.Is(err, errUnfuse) {
		return out, err
	}
	refused.Add(1)
	if tick != nil {
		rs.tick = func(s float64) {
			if n > 0 {
				n--
				return
			}
			tick(s)
		}
	}
	return simulate(ctx, rs, false)
}

// simulate is one attempt at a run, with fusion if fuse is true.
func simulate(ctx context.Context, rs runSpec, fuse bool) (runOut, error) {
	e := newEngine(ctx, rs, fuse, rs.failureCase.Failures)
	defer e.k.Shutdown()
	return e.finish(rs)
}

// newEngine builds run rs's engine at t = 0 with its control events
// scheduled: failures are those of the run's failure case (none for the
// prefix that failure cases share, prefix.go).
func newEngine(ctx context.Context, rs runSpec, fuse bool, failures []model.Failure) *engine {
	sc := rs.sc
	nsec := int(math.Ceil(rs.duration)) + 1
	e := &engine{sc: sc, k: simgo.NewSimulation(), end: rs.duration, warm: float64(sc.Warmup),
		nsec: nsec, free: -1, seed: rs.seed, pending: map[*simgo.Event]ctl{}}
	e.ctl.ctx, e.ctl.tick, e.ctl.yield = ctx, rs.tick, rs.yield
	if e.warm >= e.end {
		e.warm = 0
	}
	e.nw = buildNetwork(sc, nsec)
	e.links = e.nw.links
	e.h.horizon = heapHorizon(sc, e.nw)
	e.placePorts()
	for i := range sc.VMs {
		e.vms = append(e.vms, e.newVM(i, &sc.VMs[i]))
	}
	for i, b := range sc.Background {
		e.bgs = append(e.bgs, e.newBackground(i, b, float64(sc.FT.MessageSize)))
	}
	for _, v := range e.vms {
		e.startVM(v)
	}
	if fuse && len(failures) == 0 {
		e.fuse()
	}
	// The failures' control events come next in the order of equal times,
	// whether they are scheduled now or when a prefix is continued.
	e.ctl.failSeq = e.ctl.seq
	for _, f := range failures {
		e.scheduleFailure(f)
	}
	e.ctl.seq = e.ctl.failSeq + failSeqGap
	lbtOf := sc // whose hosts run LBT: this run's, or those it watches
	if rs.lbtShadow != nil {
		lbtOf = rs.lbtShadow
	}
	for hi := range e.nw.hosts {
		if t := &lbtOf.Hosts[hi].Teaming; t.LoadBalancing == model.NICLoad {
			e.atCtl(float64(t.LBTInterval), ctl{kind: ctlLBT, i: int32(hi), t: t})
		}
	}
	e.atCtl(1, ctl{kind: ctlSample})
	return e
}

// sample takes the queue backlog each whole second and refreshes the
// slowed primaries' allowed speed.
func (e *engine) sample() {
	k := int(e.now + 0.5)
	for i := range e.nw.links {
		lk := &e.nw.links[i]
		if k < len(lk.st.qlen) && !lk.ahead && !lk.dead {
			lk.st.qlen[k] = max(0, lk.free-e.now) * lk.bps
		}
	}
	for _, v := range e.vms {
		if v.slowed && !v.stalled {
			v.account(e, e.now)
			e.setSpeed(v, v.allowed())
		}
	}
	if e.ctl.tick != nil {
		e.ctl.tick(1)
	}
	if e.ctl.yield != nil {
		e.ctl.yield()
	}
	if err := e.ctl.ctx.Err(); err != nil {
		e.err = err
		e.h.clear() // nothing more to simulate
		return
	}
	if e.now+1 < e.end {
		e.atCtl(e.now+1, ctl{kind: ctlSample})
	}
}

// finish runs the engine to the end of run rs and collects its result.
func (e *engine) finish(rs runSpec) (runOut, error) {
	defer e.letGo()
	e.k.RunUntil(e.end)
	e.sync(e.end)
	if e.err != nil {
		return runOut{}, e.err
	}
	for i := range e.nw.links {
		if lk := &e.nw.links[i]; lk.ahead {
			lk.sampleAhead(math.Inf(1))
		}
	}
	for _, v := range e.vms {
		e.applyAcks(v, e.end)
		v.account(e, e.end)
		e.finishCkpt(v)
		if v.unprotSince >= 0 {
			v.unprot += overlap(v.unprotSince, e.end, e.warm, e.end)
		}
	}
	dataEvents.Add(e.h.pushed - e.ctl.pushedBefore)
	lanedEvents.Add(e.h.laned)
	out := runOut{rr: e.result(rs), moved: e.moved, lbtMoved: e.lbtMoved}
	if err := e.checkBalance(); err != nil {
		return out, err
	}
	if rs.series {
		out.ser = e.series(rs)
	}
	return out, nil
}

// heapHorizon splits near from far events (see evHeap): twice the longest
// wire time of one message on the slowest link, within [10 us, 10 ms].
func heapHorizon(sc *model.Scenario, nw *network) float64 {
	slowest := math.Inf(1)
	for _, l := range nw.links {
		slowest = math.Min(slowest, l.speed)
	}
	size := float64(sc.FT.MessageSize)
	for _, v := range sc.VMs {
		size = math.Max(size, float64(v.FT.MessageSize))
	}
	h := 2 * size * 8 / slowest
	return math.Min(10e-3, math.Max(10e-6, h))
}

// checkBalance verifies, per VM, bytes offered = delivered + dropped and
// not yet retransmitted + abandoned + in flight (held out of order counts
// as in flight) (docs/model.md "Conservation").
func (e *engine) checkBalance() error {
	for _, v := range e.vms {
		rhs := v.delivered + v.dropped + v.abandoned + v.inflight + v.heldBytes
		if math.Abs(v.offered-rhs) > 1e-6*math.Max(1, v.offered) {
			return fmt.Errorf("%w: VM %q offered %.0f B, delivered %.0f + dropped %.0f + abandoned %.0f + in flight %.0f",
				ErrConservation, v.vm.Name, v.offered, v.delivered, v.dropped, v.abandoned, v.inflight+v.heldBytes)
		}
	}
	return nil
}
