package sim

import (
	"cmp"
	"context"
	"math"
	"net/netip"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/fschuetz04/simgo"
	"github.com/huandu/go-clone"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
)

// Failure cases that share a prefix.
//
// Every single-failure case of n_minus_1 starts from the design without its
// failures: timeline, so up to its failure instant T it is the run without
// failures of the same policy and replication. Run simulates that prefix
// once, takes a copy of the engine at T (every control event before T done,
// none at T or later), and continues each failure case from its own copy
// with the failure scheduled as a plain run would have scheduled it.
//
// The copy is complete by construction: the engine and everything it
// reaches are copied by reflection (go-clone), the scenario's read-only
// values shared. Only simgo's queue is not copied: a control event is data
// (ctl), not a closure, so the pending ones are scheduled again on a new
// simgo clock at their exact times (a fresh clock stands at 0, so a delay
// of t puts the event at t, as the plain run's now+delay did) and in their
// order among equal times: the plain run schedules its failures right
// after the VMs start, so their events come after the VMs' first liveness
// checks and before everything else, which is where failSeq puts them. A
// prefix that holds a control event that cannot be scheduled again (a
// closure, ctlFn, only ever made after a failure) is not continued: its
// cases are simulated on their own. TestPrefixInvisible runs drawn
// scenarios with prefix sharing on and off and compares the bytes.

// noPrefix turns prefix sharing off, so tests can check that it never
// changes a result; forkedRuns counts the runs continued from a prefix.
var (
	noPrefix   bool
	forkedRuns atomic.Int64
)

// Control event kinds.
const (
	ctlFn        uint8 = iota // a closure (failures and what follows them)
	ctlSample                 // the 1 s sampling
	ctlLBT                    // LBT's check of host i under teaming t
	ctlLiveness               // VM i's liveness check of session sess
	ctlPromoted               // VM i's secondary took over
	ctlReprotect              // VM i gets a new secondary (j: the old one)
)

// failSeqGap is the room left in the order of control events for the
// failures of a run's failure case.
const failSeqGap = 1 << 32

// ctl is one control event: what it does, and when and in which order it
// fires (at is simgo's own time for it, seq its place among equal times).
type ctl struct {
	at   float64
	seq  int64
	kind uint8
	i, j int32
	sess uint32
	t    *model.Teaming
	fn   func()
}

// ctlState is the control events' bookkeeping and the run they report to.
type ctlState struct {
	seq, failSeq int64
	ctx          context.Context
	tick         func(simSeconds float64)
	yield        func()
	pushedBefore int64 // data events the prefix pushed (counted once)
}

// atCtl schedules control event c at time t (now if t is past) and
// returns its simgo event.
func (e *engine) atCtl(t float64, c ctl) *simgo.Event {
	now := e.k.Now()
	if t < now {
		t = now
	}
	delay := t - now
	c.at, c.seq = now+delay, e.ctl.seq // simgo's time for it, exactly
	e.ctl.seq++
	return e.place(c, delay)
}

// place hands c to simgo with the given delay and keeps it pending.
func (e *engine) place(c ctl, delay float64) *simgo.Event {
	ev := e.k.Timeout(delay)
	e.pending[ev] = c
	ev.AddHandler(func(ev *simgo.Event) {
		delete(e.pending, ev)
		e.fire(c)
	})
	return ev
}

// fire runs control event c: the data plane is caught up first, and the
// network's cached choices are renewed around it.
func (e *engine) fire(c ctl) {
	if c.kind == ctlLiveness {
		e.liveness(e.vms[c.i], c.sess)
		return
	}
	if e.err != nil {
		return // stopped: nothing more to simulate
	}
	e.sync(e.k.Now())
	e.nw.changed()
	switch c.kind {
	case ctlFn:
		c.fn()
	case ctlSample:
		e.sample()
	case ctlLBT:
		e.lbt(int(c.i), c.t)
	case ctlPromoted:
		v := e.vms[c.i]
		e.ftEvent(v, results.EventPromoted, v.vm.Name, e.nw.hosts[v.pri].h.Name)
	case ctlReprotect:
		e.reprotect(e.vms[c.i], int(c.j))
	}
	e.nw.changed()
}

// cloner copies engines; the scenario is read-only and shared.
var cloner = func() *clone.Allocator {
	a := clone.NewAllocator(nil, nil)
	// The scenario's values are read-only and shared (the engine holds
	// model pointers into its scenario only).
	for _, t := range []any{(*model.Scenario)(nil), (*model.FTVM)(nil), (*model.Host)(nil),
		(*model.Flow)(nil), (*model.Teaming)(nil)} {
		a.MarkAsOpaquePointer(reflect.TypeOf(t))
	}
	// An address's family is a pointer to an interned handle, compared by
	// identity: a deep copy would make an IPv4 address no longer Is4 (IP
	// hash then hashed otherwise). The pointer is copied as it is; marking
	// the whole address as a scalar made go-clone copy pointers without
	// the collector knowing, and continued runs crashed.
	z, _ := reflect.TypeOf(netip.Addr{}).FieldByName("z")
	a.MarkAsOpaquePointer(z.Type.Field(0).Type)
	return a
}()

// prefix is the state of a run without failures at the instant its
// failure cases' failures start.
type prefix struct {
	snap    *engine
	pending []ctl // sorted by (at, seq)
	at      float64
	left    atomic.Int32 // copies still to make
}

// runPrefix simulates rs without failures up to t and keeps a copy. ok is
// false when the prefix cannot be continued (see ctlFn).
func runPrefix(ctx context.Context, rs runSpec, t float64, cases int) (p *prefix, ok bool, err error) {
	e := newEngine(ctx, rs, false, nil)
	defer e.k.Shutdown()
	e.k.RunUntil(t)
	if e.err != nil {
		return nil, false, e.err
	}
	p = &prefix{at: t}
	for _, c := range e.pending {
		if c.kind == ctlFn {
			return nil, false, nil
		}
		p.pending = append(p.pending, c)
	}
	slices.SortFunc(p.pending, func(a, b ctl) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.seq, b.seq)) })
	dataEvents.Add(e.h.pushed)
	e.ctl.pushedBefore = e.h.pushed
	p.snap = e.copy()
	e.letGo()
	p.left.Store(int32(cases))
	return p, true, nil
}

// copy is a deep copy of e without its simgo clock, its pending events and
// the run it reports to.
func (e *engine) copy() *engine {
	k, pending, cs := e.k, e.pending, e.ctl
	timers := make([]*simgo.Event, len(e.vms))
	for i, v := range e.vms {
		timers[i], v.timer = v.timer, nil
	}
	e.k, e.pending, e.ctl.ctx, e.ctl.tick, e.ctl.yield = nil, nil, nil, nil, nil
	c := e.clone()
	e.k, e.pending, e.ctl = k, pending, cs
	for i, v := range e.vms {
		v.timer = timers[i]
	}
	return c
}

// letGo lets a finished engine be freed. simgo's pending events hold
// their handlers, which hold the engine, and an event with a finalizer in
// a cycle (the engine holds its events, the events' simulation holds them
// again) is never collected: every run kept its engine until the process
// ended. Aborting the pending events drops their handlers, and the engine
// lets go of its events and its clock.
func (e *engine) letGo() {
	for ev := range e.pending {
		ev.Abort()
	}
	for _, v := range e.vms {
		if v.timer != nil {
			v.timer.Abort()
			v.timer = nil
		}
	}
	e.pending, e.k = nil, nil
}

// clone is a deep copy of e as it is. Copies of a prefix's copy are made
// this way, by any number of goroutines at once: it only reads e.
func (e *engine) clone() *engine {
	return cloner.CloneSlowly(reflect.ValueOf(e)).Interface().(*engine)
}

// continueRun runs failure case rs from the prefix: a copy of its engine
// with the case's failures scheduled where a plain run schedules them.
func (p *prefix) continueRun(ctx context.Context, rs runSpec) (runOut, error) {
	forkedRuns.Add(1)
	e := p.snap.clone()
	if p.left.Add(-1) == 0 {
		p.snap = nil // every copy is made: free the prefix before the run ends
	}
	e.k = simgo.NewSimulation()
	defer e.k.Shutdown()
	e.pending = make(map[*simgo.Event]ctl, len(p.pending)+2)
	e.ctl.ctx, e.ctl.tick, e.ctl.yield = ctx, rs.tick, rs.yield
	evs := slices.Clone(p.pending)
	// The failures, numbered from failSeq as newEngine numbers them; the
	// clock stands at 0, so their times are a plain run's.
	next := e.ctl.seq
	e.ctl.seq = e.ctl.failSeq
	stash := e.pending
	e.pending = map[*simgo.Event]ctl{}
	k := e.k
	e.k = simgo.NewSimulation()
	for _, f := range rs.failureCase.Failures {
		e.scheduleFailure(f)
	}
	for ev, c := range e.pending {
		evs = append(evs, c)
		ev.Abort() // see letGo
	}
	e.k.Shutdown()
	e.k, e.pending, e.ctl.seq = k, stash, next
	slices.SortFunc(evs, func(a, b ctl) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.seq, b.seq)) })
	timerSeq := make([]int64, len(e.vms))
	for _, c := range evs {
		ev := e.place(c, c.at)
		if c.kind == ctlLiveness && c.seq >= timerSeq[c.i] {
			e.vms[c.i].timer, timerSeq[c.i] = ev, c.seq
		}
	}
	return e.finish(rs)
}

// prefixTime is when the failures of rs start, if rs can continue a prefix
// without failures: a case with failures, all after t = 0 and before the
// end.
func prefixTime(rs runSpec) (float64, bool) {
	fs := rs.failureCase.Failures
	if noPrefix || len(fs) == 0 || rs.lbtShadow != nil {
		return 0, false
	}
	t := math.Inf(1)
	for _, f := range fs {
		t = math.Min(t, float64(f.At))
	}
	return t, t > 0 && t < rs.duration
}

// runPrefixed simulates specs[i] for each i of which into out[i], as
// runAll does, with the failure cases of one policy, replication and
// failure instant continued from one prefix. Prefixes run first and their
// cases go to the front of the queue, so few copies are alive at once.
func (r *runner) runPrefixed(specs []runSpec, which []int, out []runOut) error {
	type key struct {
		sc          *model.Scenario
		policy      model.Policy
		replication int
		seed        uint64
		duration, t float64
	}
	groups := map[key][]int{}
	var order []key
	var single []int
	for _, i := range which {
		t, ok := prefixTime(specs[i])
		if !ok {
			single = append(single, i)
			continue
		}
		rs := specs[i]
		k := key{rs.sc, rs.policy, rs.replication, rs.seed, rs.duration, t}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	var tasks []func() error
	plain := func(i int) func() error {
		return func() error {
			o, err := runOne(r.ctx, specs[i])
			out[i] = o
			r.finished(i, out)
			return err
		}
	}
	r.mu.Lock()
	for _, k := range order {
		g := groups[k]
		if len(g) < 2 {
			single = append(single, g...)
			continue
		}
		r.total += k.t + float64(len(g))*(k.duration-k.t)
	}
	for _, i := range single {
		r.total += specs[i].duration
	}
	r.mu.Unlock()
	if len(single) == len(which) {
		r.mu.Lock()
		for _, i := range single {
			r.total -= specs[i].duration // runAll plans them
		}
		r.mu.Unlock()
		return r.runAll(specs, which, out)
	}
	r.plan(len(which))
	var (
		mu      sync.Mutex
		cond    = sync.NewCond(&mu)
		running int
		first   error
	)
	push := func(front bool, ts ...func() error) {
		mu.Lock()
		if front {
			tasks = append(slices.Clone(ts), tasks...)
		} else {
			tasks = append(tasks, ts...)
		}
		mu.Unlock()
		cond.Broadcast()
	}
	for _, k := range order {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		base := specs[g[0]]
		base.failureCase = model.FailureCase{}
		base.series, base.tick = false, r.tick
		push(false, func() error {
			p, ok, err := runPrefix(r.ctx, base, k.t, len(g))
			if err != nil {
				return err
			}
			var ts []func() error
			for _, i := range g {
				specs[i].tick = r.tick
				if !ok {
					ts = append(ts, plain(i))
					continue
				}
				ts = append(ts, func() error {
					o, err := p.continueRun(r.ctx, specs[i])
					out[i] = o
					r.finished(i, out)
					return err
				})
			}
			if !ok {
				r.mu.Lock()
				r.total += float64(len(g)) * k.t // now simulated whole
				r.mu.Unlock()
			}
			push(true, ts...)
			return nil
		})
	}
	for _, i := range single {
		specs[i].tick = r.tick
		push(false, plain(i))
	}
	var wg sync.WaitGroup
	for w := 0; w < r.parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			defer mu.Unlock()
			for {
				for len(tasks) == 0 && running > 0 {
					cond.Wait()
				}
				if len(tasks) == 0 || first != nil || r.ctx.Err() != nil {
					cond.Broadcast()
					return
				}
				t := tasks[0]
				tasks = tasks[1:]
				running++
				mu.Unlock()
				err := t()
				mu.Lock()
				running--
				if err != nil && first == nil {
					first = err
				}
				cond.Broadcast()
			}
		}()
	}
	wg.Wait()
	if err := r.ctx.Err(); err != nil {
		return err
	}
	return first
}
