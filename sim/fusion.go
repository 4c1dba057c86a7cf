package sim

import (
	"errors"
	"sync/atomic"

	"github.com/ftsim/ftsim/model"
)

// fuseISL in link.fused marks an ISL that is the only feeder of some of
// the far switch's ports: which one a frame enters depends on where it
// goes, so enqueueAt asks nextHop and enters the port if it is islOnly.
const fuseISL = -2

// errUnfuse stops a fused run whose paths changed (see fuse); runOne then
// runs it again without fusion.
var errUnfuse = errors.New("sim: paths changed in a fused run")

// noFuse turns fusion off, so tests can check that it never changes a
// result; fusedRuns counts the runs fuse fused, refused those of them
// that had to be run again.
var (
	noFuse    bool
	fusedRuns atomic.Int64
	// dataEvents counts the data-plane events of every run (tests read it),
	// lanedEvents those of them that waited in the calendar's lane.
	dataEvents  atomic.Int64
	lanedEvents atomic.Int64
	// noLane turns the calendar's lane off (engine.laneOn), so tests can
	// check that it never changes a result.
	noLane  bool
	refused atomic.Int64
)

// fuse joins tandem queues. A queue whose only feeder is one other queue
// forms a tandem with it: its arrivals are the feeder's departures plus a
// fixed latency, in the same order, so its Lindley recursion can be
// applied when the frame enters the feeder instead of at an event of its
// own. That saves one event per message per fused hop. The results are
// the same, except where two messages reach one queue at the very same
// instant: the model leaves their order open, the calendar's order of
// equal times decides it, and with fewer events in the calendar that
// order may be the other one (TestFusionInvisible).
//
// Two kinds of feeder qualify: a vmnic TX queue whose every frame goes to
// one queue (a switch port, or an ISL) that nothing else feeds, and an ISL
// toward a switch port that takes frames from nothing else (with
// port-based teaming over two switches, every FT pair may cross).
//
// Feeders are counted for the paths of the run's FT pairs as they are at
// the start, so fusion holds only while those paths and pairs stay put.
// It is used only in runs without failures, and anything that would
// change a path in such a run (an FT peer lost, an LBT move, a MAC that
// moves) calls unfuse instead, which stops the run; runOne then runs it
// again from the start without fusion. Those are rare in runs without
// failures, and the result is the same either way.
//
// Under a congestion window a drop must reach the sender at its own time
// (tcpLost), and a fused queue decides it ahead of time: a windowed run in
// which a fused queue drops stops there and is run again unfused
// (dropAhead), so a fused windowed run has no drop in a fused queue
// (TestLazyAcksInvisible). Runs with an SMP-FT VM under a window are not
// fused: their checkpoint bursts start at the same instants, and fewer
// events in the calendar serve such simultaneous events in another order,
// which moves their results. A fused queue is never entered for an
// arrival at or after the end of the run: the unfused run takes no hop
// there, and the queue's busy time in the last second would differ.
//
// fuse also turns the pending acks of windowed connections on
// (engine.lazyAcks, ackWatch) and, with a single legacy FT VM, the
// calendar's lane (engine.laneOn): it runs only for runs without failures.
// Both change how many events the heaps hold, and so the order in which
// they serve events of the very same instant (see evHeap), which the model
// leaves open (TestLazyAcksInvisible, TestLaneInvisible).
func (e *engine) fuse() {
	e.lazyAcks = e.windowed && !noLazyAck // a run without failures (ackWatch)
	e.laneOn = !noLane && len(e.vms) == 1 && e.vms[0].ck == nil
	if noFuse {
		return
	}
	for _, v := range e.vms {
		if v.tc != nil && v.ck != nil {
			return // SMP-FT under a window: see above
		}
	}
	nw := e.nw
	const none, many = -1, -3
	dest := make([]int, len(nw.links))    // tx link -> the one queue it feeds
	feeders := make([]int, len(nw.links)) // queue -> the one queue feeding it
	for i := range dest {
		dest[i], feeders[i] = none, none
	}
	join := func(a []int, i, v int) {
		if a[i] == none {
			a[i] = v
		} else if a[i] != v {
			a[i] = many
		}
	}
	hop := func(from, to int) {
		join(feeders, to, from)
		if nw.links[from].nic >= 0 {
			join(dest, from, to)
		}
	}
	mark := func(from, to int, f *model.Flow) {
		u := e.uplink(from, f)
		if u < 0 {
			return
		}
		tx := nw.nics[u].tx
		nic := e.farVmnic(to, f)
		if nic < 0 {
			dest[tx] = many
			return
		}
		next := nw.toward(nw.nics[u].sw, nicID(nic))
		if next < 0 {
			dest[tx] = many
			return
		}
		hop(int(tx), int(next))
		if next != nw.nics[nic].rx { // crossed an ISL: its far end is the port
			hop(int(next), int(nw.nics[nic].rx))
		}
	}
	for _, v := range e.vms {
		if v.sec < 0 {
			continue
		}
		mark(v.pri, v.sec, &v.fwd)
		mark(v.sec, v.pri, &v.rev)
	}
	for _, b := range e.bgs {
		if nw.links[b.link].dir == "rx" {
			feeders[b.link] = many
		}
	}
	for tx, next := range dest {
		if next >= 0 && feeders[next] == tx {
			nw.links[tx].fused = int32(next)
			nw.links[next].ahead = true
			e.fused = true
		}
	}
	for port, f := range feeders {
		if f >= 0 && nw.links[f].nic < 0 && nw.links[port].toHost {
			nw.links[f].fused = fuseISL
			nw.links[port].islOnly = true
			nw.links[port].ahead = true
			e.fused = true
		}
	}
	if e.fused {
		fusedRuns.Add(1)
	}
}

// unfuse is called where a path or an FT pair is about to change, which it
// notes (engine.moved, see share.go). In a fused run it stops the run
// (errUnfuse) and reports true: the caller changes nothing. Elsewhere it
// reports false.
func (e *engine) unfuse() bool {
	e.moved = true
	if !e.fused {
		return false
	}
	if e.err == nil {
		e.err = errUnfuse
	}
	e.h.clear()
	return true
}
