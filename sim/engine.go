package sim

import (
	"math"

	"github.com/fschuetz04/simgo"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
)

// Message kinds.
const (
	kLog    uint8 = iota // FT log data, primary to secondary
	kResync              // memory copy to a new secondary
	kAck                 // cumulative acknowledgement, secondary to primary
	kHB                  // heartbeat, either way
	kBG                  // background traffic
)

// Data-plane event kinds.
const (
	evHop       uint8 = iota // a message reaches the end of its current hop
	evGen                    // an FT VM's next log message is due
	evBG                     // a background source's next message is due
	evHB                     // a heartbeat is due (ref = vm*2 + side)
	evRetx                   // a dropped message is retransmitted
	evResync                 // a resync sender may send more
	evAckWake                // a stalled primary's pending ack arrives
	evCkptReady              // an SMP-FT VM's stun has copied its checkpoint
	evCkptMore               // an SMP-FT VM hands the next chunk of its checkpoints to the uplink
	evRTO                    // a connection's retransmission timer (tcp.go)
)

// msg is one message in flight. Messages live in a slab and are reused.
type msg struct {
	kind    uint8
	vm      int32 // -1 for background
	from    int32 // sending host
	to      int32 // destination host, -1 for background absorbed by the switch
	sess    uint32
	seq     int64 // log/resync sequence; for an ack, the highest in-order seq
	payload float64
	wire    float64
	created float64
	link    int32
	epoch   uint32
	start   float64
	end     float64
	next    int32 // free list
	// twin is 1 + the slab index of the other copy of a log or resync
	// message a host in shotgun mode sent on both uplinks (0: none); a
	// ghost is a copy whose twin already settled the message's fate.
	twin  int32
	ghost bool
	retx  bool // a retransmission (links count its bytes as retransmitted)
	lost  bool // a lossy link will drop it at the end of its hop
}

// engine is one run: one policy, one failure case, one replication.
type engine struct {
	sc *model.Scenario
	k  *simgo.Simulation
	nw *network
	// links is nw.links, which never grows once built: one indirection
	// fewer on every frame.
	links []link
	h     evHeap
	now   float64 // data-plane clock
	end   float64
	warm  float64
	nsec  int
	msgs  []msg
	free  int32
	vms   []*vmState
	bgs   []*bgSource
	evs   []results.Event
	seed  uint64
	// pending holds every control event not yet fired: simgo aborts an
	// unreferenced pending event from a finalizer, so we keep them reachable.
	pending map[*simgo.Event]ctl
	ctl     ctlState // control events' order and the run they serve (prefix.go)
	err     error
	// fused: some queues are entered ahead of time (fusion.go), so a
	// change of path must stop the run (unfuse).
	fused bool
	// windowed: some FT connection has a congestion window; lazyAcks: and
	// its acks may wait in the pending list (ackWatch), in runs without
	// failures (fuse).
	windowed, lazyAcks bool
	// laneOn: log messages' arrivals at the secondary wait in the
	// calendar's lane (evHeap.pushLane), in runs without failures of a
	// single legacy FT VM (fuse).
	laneOn bool
	// moved: a path or an FT pair changed; lbtMoved: a watched LBT check
	// would have moved a port (share.go).
	moved, lbtMoved bool
}

func (e *engine) alloc() int32 {
	if e.free >= 0 {
		i := e.free
		e.free = e.msgs[i].next
		return i
	}
	e.msgs = append(e.msgs, msg{})
	return int32(len(e.msgs) - 1)
}

// newMsg makes slab entry m a new message of VM v created now. It sets
// every field a message's life reads before its first queue sets the rest
// (link, epoch, start, end), field by field: cheaper than a composite
// literal, which zeroes and copies the whole entry.
func (e *engine) newMsg(m int32, kind uint8, v *vmState, from, to int32, seq int64, payload, wire float64) {
	ms := &e.msgs[m]
	ms.kind, ms.vm, ms.from, ms.to, ms.sess = kind, int32(v.idx), from, to, v.sess
	ms.seq, ms.payload, ms.wire, ms.created = seq, payload, wire, e.now
	ms.next, ms.twin, ms.ghost, ms.retx, ms.lost = -1, 0, false, false, false
}

func (e *engine) release(i int32) {
	e.msgs[i].next = e.free
	e.free = i
}

func (e *engine) inWindow(t float64) bool { return t >= e.warm && t < e.end }

// sync advances the data plane to t: every data event before t is
// processed. Control handlers call it first, so the data plane is always
// caught up when the network's state changes.
func (e *engine) sync(t float64) {
	e.advance(t)
	// A control event at t sees every ack that reached its primary before
	// t (pending acks under a window, tcp.go).
	if e.lazyAcks {
		for _, v := range e.vms {
			if v.tc != nil && v.ackHead < len(v.acks) && v.acks[v.ackHead].t < t {
				e.applyAcks(v, math.Nextafter(t, math.Inf(-1)))
			}
		}
	}
}

// advance processes every data event before t, and no pending ack.
func (e *engine) advance(t float64) {
	for {
		it, ok := e.h.next(t)
		if !ok {
			break
		}
		e.now = it.t
		e.dispatch(it)
		e.h.settle()
	}
	if t > e.now {
		e.now = t
	}
}

func (e *engine) dispatch(it item) {
	switch it.kind() {
	case evHop:
		e.hopDone(it.ref)
	case evGen:
		v := e.vms[it.ref]
		if it.ver() == v.genVer&0xfffffff {
			e.produce(v)
		}
	case evBG:
		e.bgNext(e.bgs[it.ref])
	case evHB:
		e.heartbeat(int(it.ref), it.ver())
	case evRetx:
		e.retransmit(it.ref)
	case evResync:
		v := e.vms[it.ref]
		if it.ver() == v.sess&0xfffffff {
			e.resyncPump(v)
		}
	case evAckWake:
		v := e.vms[it.ref]
		if it.ver() == v.sess&0xfffffff {
			e.ackWake(v)
		}
	case evCkptReady:
		v := e.vms[it.ref]
		if it.ver() == v.genVer&0xfffffff {
			e.ckptReady(v)
		}
	case evRTO:
		e.rtoFired(e.vms[it.ref], it.ver())

	case evCkptMore:
		v := e.vms[it.ref]
		if it.ver() == v.genVer&0xfffffff && v.protected && !e.nw.hosts[v.pri].down {
			e.pump(v)
		}
	}
}

// enqueue puts message m on link l at the current time: it starts when the
// wire is free and the next hop sees it after its wire time plus the
// latency beyond the link.
func (e *engine) enqueue(m int32, l int) { e.enqueueAt(m, l, e.now) }

// enqueueAt is enqueue for an arrival at time t >= now: only a fused
// downstream queue (see fusion.go) is entered ahead of its arrival time.
func (e *engine) enqueueAt(m int32, l int, t float64) {
	ms := &e.msgs[m]
	ahead := false // entering a fused queue ahead of time
	for {
		lk := &e.links[l]
		if lk.dead {
			e.dropAt(m, lk, t)
			return
		}
		start := lk.free
		if start > t {
			if (start-t)*lk.bps+ms.wire > lk.buffer { // the backlog fills the buffer
				e.dropAhead(m, lk, t, ahead)
				return
			}
		} else {
			if ms.wire > lk.buffer {
				e.dropAhead(m, lk, t, ahead)
				return
			}
			start = t
		}
		end := start + ms.wire*lk.inv
		lk.free = end
		if t >= e.warm && t < e.end {
			lk.st.qn++
			if start > t {
				lk.st.qsum += start - t
				record(lk.st.qhist, start-t)
			} else {
				lk.st.qzero++ // added to the histogram at the end
			}
		}
		ft := 0.0 // FT payload, counted in the second the transmission starts
		if start >= e.warm && start < e.end {
			lk.st.bytes += ms.payload
			if ms.kind != kBG {
				ft = ms.payload
			}
			if ms.retx {
				lk.st.retx += ms.payload
			}
		}
		if lk.lossy && !ms.lost && lk.drawLoss(ms) {
			ms.lost = true // crosses the wire, arrives corrupt: dropped at the end of the hop
		}
		lk.st.addBusy(start, end, 1, ft)
		if lk.fused != -1 && ms.kind != kBG && !ms.lost {
			// The next queue has this link as its only feeder: enter it
			// now, at the arrival time this departure gives (fusion.go).
			next := int(lk.fused)
			if next == fuseISL { // the port the far switch picks, if the ISL feeds it alone
				if next = e.nextHop(m, int(lk.sw)); next >= 0 && !e.links[next].islOnly {
					next = -1
				}
			}
			if next >= 0 && end+lk.lat < e.end { // after the end no hop is taken
				l, t, ahead = next, end+lk.lat, true
				e.links[l].sampleAhead(t)
				continue
			}
		}
		ms.link, ms.epoch, ms.start, ms.end = int32(l), lk.epoch, start, end
		if ms.kind == kAck && lk.toHost && !ms.lost {
			if v := e.vms[ms.vm]; !v.resyncing && ms.sess == v.sess && e.nw.hostOf[lk.nic] == ms.to && e.pendAck(v, m, end+lk.lat) {
				return
			}
		}
		if e.laneOn && ms.kind == kLog && lk.toHost {
			e.h.pushLane(end+lk.lat, m)
			return
		}
		e.h.push(end+lk.lat, evHop, m, 0)
		return
	}
}

// dropAhead drops message m at a full queue. A drop in a fused queue is
// decided ahead of its time; a congestion window would learn of it too
// early (tcpLost), so a fused run with a window stops there and is run
// again without fusion (unfuse).
func (e *engine) dropAhead(m int32, lk *link, t float64, ahead bool) {
	if ahead && e.windowed {
		e.unfuse()
		e.release(m)
		return
	}
	e.dropAt(m, lk, t)
}

func (e *engine) dropAt(m int32, lk *link, t float64) {
	ms := &e.msgs[m]
	if e.inWindow(t) {
		lk.st.dropped += ms.payload
	}
	e.loseAt(m, t)
}

// hopDone: message m has crossed its link.
func (e *engine) hopDone(m int32) {
	ms := &e.msgs[m]
	lk := &e.nw.links[ms.link]
	if lk.epoch != ms.epoch || lk.dead || ms.lost {
		// The link died while the message was queued or on the wire.
		if lk.epoch != ms.epoch {
			lk.st.addBusy(math.Max(ms.start, lk.diedAt), ms.end, -1, 0)
		}
		e.dropAt(m, lk, e.now)
		return
	}
	switch {
	case lk.nic < 0: // crossed an ISL
		e.forward(m, int(lk.sw))
	case !lk.toHost:
		if ms.to < 0 { // background: absorbed by the switch
			e.release(m)
			return
		}
		if loc := int(lk.loc); e.nw.learned[ms.from] != loc {
			if !e.changePath(func() { e.nw.learned[ms.from] = loc }) {
				return
			}
		}
		e.forward(m, int(lk.sw))
	default:
		e.deliver(m)
	}
}

// forward: message m is in switch sw; send it toward its destination's
// port as the switch's MAC table (or LAG hash) says.
func (e *engine) forward(m int32, sw int) {
	if next := e.nextHop(m, sw); next >= 0 {
		e.enqueue(m, next)
		return
	}
	e.lose(m)
}

// nextHop is the queue switch sw puts message m in next, or -1 when the
// switch drops it (down, no live port or LAG member, no path).
func (e *engine) nextHop(m int32, sw int) int {
	ms := &e.msgs[m]
	nw := e.nw
	fi := sw*len(nw.hosts) + int(ms.to) // valid when ms.to >= 0
	if ms.to >= 0 && nw.fib[fi].ver == nw.ver {
		return int(nw.fib[fi].link)
	}
	if nw.sws[sw].down {
		return -1
	}
	loc := nw.learned[ms.to]
	nic := loc
	if loc <= -2 {
		nic = e.lagMemberOf(ms, loc)
	}
	if nic < 0 {
		return -1
	}
	next := nw.toward(switchID(sw), nicID(nic))
	if loc >= 0 && ms.to >= 0 && !noFIB { // a LAG's member depends on the flow: not cached
		nw.fib[fi] = fibEntry{nw.ver, int32(next)}
	}
	return int(next)
}

// farVmnic is the vmnic through which the switches deliver flow f to host
// hi: where they learned its MAC, or the member their LAG hash picks.
func (e *engine) farVmnic(hi int, f *model.Flow) int {
	loc := e.nw.learned[hi]
	if loc <= -2 {
		return e.lagMember(&e.nw.lags[-2-loc], f)
	}
	return loc
}

// lagMember is the switch side's choice of LAG member for inbound traffic:
// the LAG's hash over the members the switch sees up (docs/model.md 1.4, 1.7).
func (e *engine) lagMember(g *lagState, f *model.Flow) int {
	var up [8]nicID
	live := up[:0]
	for _, ni := range g.members {
		n := &e.nw.nics[ni]
		if n.linkUp && !n.swDown && !n.hostDown && !n.lagDead {
			live = append(live, ni)
		}
	}
	if len(live) == 0 {
		return -1
	}
	return int(live[g.hash.Index(f, len(live))])
}

// send puts a new (or retransmitted) message on the sending host's uplink.
func (e *engine) send(m int32) {
	ms := &e.msgs[m]
	hs := &e.nw.hosts[ms.from]
	if hs.down {
		e.lose(m)
		return
	}
	u := hs.port // port-based policies: the port's one uplink
	if hs.hashed {
		u = nicID(e.uplinkOf(ms))
	}
	if u < 0 {
		e.lose(m)
		return
	}
	if hs.shotgun > 0 {
		e.shotgun(m, hs, u)
		return
	}
	e.enqueue(m, int(e.nw.txOf[u]))
}

// shotgun sends m on its uplink and a copy on every other uplink of the
// team: beacon probing with two uplinks cannot tell which one failed, so
// ESXi sends on both (docs/model.md 1.8). The receiver keeps the first copy.
func (e *engine) shotgun(m int32, hs *hostState, u nicID) {
	var others []nicID
	t := &hs.h.Teaming
	for _, l := range [][]string{t.Active, t.Standby} {
		for _, name := range l {
			if ni := hs.byName[name]; ni != u && e.nw.nics[ni].linkUp {
				others = append(others, ni)
			}
		}
	}
	for _, ni := range others {
		c := e.alloc()
		e.msgs[c] = e.msgs[m]
		e.msgs[c].twin, e.msgs[c].ghost = 0, true
		if k := e.msgs[m].kind; (k == kLog || k == kResync) && e.msgs[m].twin == 0 {
			// The first copy is the message's twin; further copies are ghosts.
			e.msgs[c].ghost = false
			e.msgs[c].twin = m + 1
			e.msgs[m].twin = c + 1
		}
		e.enqueue(c, int(e.nw.nics[ni].tx))
	}
	e.enqueue(m, int(e.nw.nics[u].tx))
}

// settleTwin is called when copy m of a shotgun pair reaches its fate:
// delivered (the twin becomes a ghost) or lost (the twin carries on). It
// reports whether m itself still counts.
func (e *engine) settleTwin(m int32, delivered bool) bool {
	ms := &e.msgs[m]
	if ms.ghost {
		return false
	}
	if ms.twin != 0 {
		t := ms.twin - 1
		e.msgs[t].twin = 0
		ms.twin = 0
		if delivered {
			e.msgs[t].ghost = true
		} else {
			return false // the other copy may still arrive
		}
	}
	return true
}

// lose handles a message that will never arrive: log and resync data are
// retransmitted after ft.rto; acks, heartbeats and background are gone.
func (e *engine) lose(m int32) { e.loseAt(m, e.now) }

func (e *engine) loseAt(m int32, t float64) {
	ms := &e.msgs[m]
	if (ms.ghost || ms.twin != 0) && (ms.kind == kLog || ms.kind == kResync) && !e.settleTwin(m, false) {
		e.release(m)
		return
	}
	if ms.kind == kLog || ms.kind == kResync {
		v := e.vms[ms.vm]
		if ms.sess == v.sess {
			if v.tc != nil {
				// The sender learns of it from the acks or its timer.
				// (Never ahead of time: runs with a window are not fused.)
				e.tcpLost(v, m)
				return
			}
			v.inflight -= ms.payload
			v.dropped += ms.payload
			e.h.push(t+v.rto, evRetx, m, 0)
			return
		}
	}
	e.release(m)
}

func (e *engine) retransmit(m int32) {
	ms := &e.msgs[m]
	v := e.vms[ms.vm]
	if ms.sess != v.sess { // abandoned with its session
		e.release(m)
		return
	}
	v.dropped -= ms.payload
	v.inflight += ms.payload
	ms.from, ms.to = int32(v.pri), int32(v.sec)
	ms.retx = true
	ms.lost = false // the copy a lossy link corrupted is gone; this one is new
	e.send(m)
}

// choice is a hashed policy's pick for one direction of a VM's flow: an
// uplink (host side) or a LAG member (switch side), valid while the
// network's ver is ver (see network.fib).
type choice struct {
	ver uint32
	val int32
}

// dirOf is 0 for a message of its VM's primary-to-secondary flow, 1 for
// the reverse flow.
func dirOf(v *vmState, ms *msg) int {
	if int(ms.from) == v.pri {
		return 0
	}
	return 1
}

// uplinkOf is uplink for a message's flow: a VM's flow hashes to the same
// uplink until the network changes, so the choice is kept per direction.
func (e *engine) uplinkOf(ms *msg) int {
	if ms.vm < 0 || noFIB {
		return int(e.uplink(int(ms.from), e.flowOf(ms)))
	}
	v := e.vms[ms.vm]
	c := &v.upc[dirOf(v, ms)]
	if c.ver != e.nw.ver {
		*c = choice{e.nw.ver, int32(e.uplink(int(ms.from), e.flowOf(ms)))}
	}
	return int(c.val)
}

// lagMemberOf is lagMember for a message toward the LAG at location loc,
// kept per direction of its VM's flow like uplinkOf: the member depends
// only on the flow and on which members are up.
func (e *engine) lagMemberOf(ms *msg, loc int) int {
	g := &e.nw.lags[-2-loc]
	if ms.vm < 0 || noFIB {
		return e.lagMember(g, e.flowOf(ms))
	}
	v := e.vms[ms.vm]
	c := &v.lagc[dirOf(v, ms)]
	if c.ver != e.nw.ver {
		*c = choice{e.nw.ver, int32(e.lagMember(g, e.flowOf(ms)))}
	}
	return int(c.val)
}

// flowOf returns the flow a message belongs to (for hashing).
func (e *engine) flowOf(ms *msg) *model.Flow {
	if ms.vm < 0 {
		return &model.Flow{}
	}
	v := e.vms[ms.vm]
	if int(ms.from) == v.pri {
		return &v.fwd
	}
	return &v.rev
}

// event appends an entry to the run's timeline.
func (e *engine) event(kind results.EventKind, target, from, detail string) {
	e.evs = append(e.evs, results.Event{T: e.now, Kind: kind, Target: target, From: from, Detail: detail})
}
