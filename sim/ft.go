package sim

import (
	"math"

	"github.com/fschuetz04/simgo"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
)

// unacked is one log message the primary holds until the secondary
// acknowledges it (the Output Rule, docs/model.md section 3 §2.2).
type unacked struct {
	seq     int64
	created float64
	payload float64
	kind    uint8
	// Under a congestion window (tcp.go): copies, the copies on the wire
	// plus the first to arrive (which the secondary holds from then on:
	// counting it saves every delivery a look into the ring); lost (every
	// copy dropped, not yet resent); retx (resent: no RTT sample, Karn);
	// sent (first send time, -1 while it waits for the window).
	lost, retx bool
	copies     int32
	sent       float64
}

// vmState is one FT VM: its primary's log source and log buffer, its
// secondary's in-order replay, and its protection state.
type vmState struct {
	// The fields of the per-message path come first, in the order it
	// touches them, so producing a message and applying its ack read few
	// cache lines, and delivering it at the secondary a few more.

	// primary
	pri, sec  int // host indices; sec = -1 while there is no secondary
	idx       int
	sess      uint32
	genVer    uint32
	protected bool // a secondary is in sync and replaying
	stalled   bool
	slowed    bool
	resyncing bool
	msgBytes  float64
	logBuffer float64 // ft.log_buffer in bytes
	unacked   float64 // log bytes sent and not acknowledged
	offered   float64
	inflight  float64
	logged    float64
	nextSeq   int64
	mtuWire   float64 // wire bytes of one log message from the primary
	vnext     float64 // virtual time of the next message
	tnext     float64 // real time it is scheduled for
	speed     float64 // production speed: 1, or < 1 while slowed
	src       *source
	// tc is the connection's congestion window (tcp.go); nil with
	// congestion: none. ck is the epoch loop of an SMP-FT VM (ckpt.go);
	// nil for legacy FT. Every message reads both.
	tc       *tcpConn
	ck       *ckptState
	ring     []unacked
	ringHead int
	ringEnd  int64        // 1 + the sequence last pushed into the ring
	acks     []pendingAck // acks on their last hop, by arrival time, from ackHead
	ackHead  int
	odH      *hist

	// liveness: last time anything from the peer reached each side
	heardAtSec, heardAtPri float64

	// secondary
	expect    int64
	nheld     int // len(held), beside expect: the map is read only when it holds any
	held      map[int64]heldMsg
	heldBytes float64
	delivered float64 // payload replayed, re-sync included (balance, whole run)
	// delivWin is the log payload replayed in the measured window, re-sync
	// excluded: results.json's delivered_bytes (see logDelivered).
	delivWin float64
	lastLag  float64
	rxRate   float64 // log bytes delivered in the last whole second
	rxT      float64 // the second rxBytes counts
	rxBytes  float64
	lagSum   float64
	lagN     int64
	lagMax   float64
	lagH     *hist
	// secMax is the max lag in second secAt, whose slot in lagSec is stale
	// until flushed (lagSeconds).
	secAt   int
	secMax  float64
	lagSec  []float64 // max lag per second (whole run)
	ctlWire float64   // wire bytes of an ack or heartbeat from host ctlFrom
	ctlFrom int32
	// ft.lag_target and ft.ack_size, beside the other fields replay and
	// an ack read.
	lagTarget, ackSize float64

	vm       *model.FTVM
	fwd, rev model.Flow
	// upc and lagc keep the hashed policies' choices for the two flows
	// (uplinkOf, lagMemberOf).
	upc, lagc [2]choice
	ft        model.FTParams
	rto       float64
	syncLeft  float64 // resync bytes not yet sent
	syncUnack float64 // resync bytes sent and not acknowledged
	accT      float64 // throttle accounted up to here
	throttled float64
	timer     *simgo.Event

	// balance (whole run): offered, delivered, inflight and heldBytes above
	dropped, abandoned float64

	// figures (measured window): logged and the lag figures above
	unprotSince float64 // -1 while protected
	unprot      float64
	ftEvents    []results.Event
}

// pendingAck is an ack on its last hop, whose arrival time at the primary
// is already fixed by its FIFO queue (see pendAck).
type pendingAck struct {
	t     float64
	seq   int64
	link  int32
	epoch uint32
}

// pendAck takes an ack entering its last queue (the switch port toward the
// primary) off the event calendar: a FIFO fixes its arrival time, and the
// primary needs it only when it next produces, when it is stalled, or when
// FT checks liveness. applyAcks applies it then, at its own time, unless
// the port died first. Outside a stall this saves one event per message.
//
// Under a window (tcp.go, ackWatch) the ack goes to the calendar as a hop
// event instead, and pendAck reports false, with the pending list off
// (engine.lazyAcks: runs with failures, noLazyAck) and for SMP-FT, whose
// acks end stuns.
func (e *engine) pendAck(v *vmState, m int32, arrive float64) bool {
	ms := &e.msgs[m]
	a := pendingAck{t: arrive, seq: ms.seq, link: ms.link, epoch: ms.epoch}
	if tc := v.tc; tc != nil {
		if !e.lazyAcks || v.ck != nil {
			return false
		}
		if a.seq <= tc.ackTail || a.t < tc.ackTailT {
			e.pendStrict(v, a)
		} else {
			tc.ackTail, tc.ackTailT = a.seq, a.t // in order: both are the new highest
		}
	}
	i := len(v.acks)
	v.acks = append(v.acks, a)
	for ; i > v.ackHead && v.acks[i-1].t > a.t; i-- { // a path change can reorder
		v.acks[i], v.acks[i-1] = v.acks[i-1], a
	}
	if tc := v.tc; tc != nil {
		switch {
		case i == v.ackHead: // a new earliest ack
			// ackWatch's usual answer, written out: while the
			// connection is quiet, a wake within the minimum RTO after
			// this ack covers it.
			if !(tc.wakeAt >= e.now && tc.wakeAt <= a.t+tc.minRTO && v.quiet()) {
				e.ackWatch(v)
			}
		case a.t <= tc.strictUntil: // an ack that must go at its time
			e.ackWatch(v)
		}
	} else if v.stalled && i == v.ackHead {
		e.h.push(a.t, evAckWake, int32(v.idx), v.sess)
	}
	e.release(m)
	return true
}

// applyAcks applies the pending acks that reached the primary by time t.
func (e *engine) applyAcks(v *vmState, t float64) {
	down := e.nw.hosts[v.pri].down // no ack changes it
	for v.ackHead < len(v.acks) && v.acks[v.ackHead].t <= t {
		a := v.acks[v.ackHead]
		v.ackHead++ // first: applying may produce, which applies again
		if v.ackHead == len(v.acks) {
			v.acks, v.ackHead = v.acks[:0], 0
		}
		if e.nw.deaths > 0 {
			if lk := &e.nw.links[a.link]; lk.epoch != a.epoch && lk.diedAt < a.t {
				continue // lost with its port
			}
		}
		if down {
			continue
		}
		if a.t > v.heardAtPri { // a heartbeat may have come later
			v.heardAtPri = a.t
		}
		e.ackedAt(v, a.seq, a.t)
	}
}

// ackWake: a stalled primary's earliest pending ack arrives now.
func (e *engine) ackWake(v *vmState) {
	if tc := v.tc; tc != nil {
		if e.now >= tc.wakeAt {
			tc.wakeAt = -1
		}
		e.applyAcks(v, e.now)
		e.ackWatch(v)
		return
	}
	e.applyAcks(v, e.now)
	if v.stalled && v.ackHead < len(v.acks) {
		e.h.push(v.acks[v.ackHead].t, evAckWake, int32(v.idx), v.sess)
	}
}

type heldMsg struct {
	payload, created float64
	kind             uint8
}

func (e *engine) newVM(i int, vm *model.FTVM) *vmState {
	v := &vmState{vm: vm, idx: i, ft: vm.FT, rto: float64(vm.FT.RTO), msgBytes: float64(vm.FT.MessageSize),
		logBuffer: float64(vm.FT.LogBuffer), lagTarget: float64(vm.FT.LagTarget), ackSize: float64(vm.FT.AckSize),
		speed: 1, lagH: newHist(), odH: newHist(), lagSec: make([]float64, e.nsec), unprotSince: -1,
		held: map[int64]heldMsg{}}
	if tieJitter && i == 0 {
		for l := range e.links {
			e.links[l].lat += float64(l+1) * 1.234567e-9
		}
	}
	v.pri = int(e.nw.hostIx[vm.Primary])
	v.sec = int(e.nw.hostIx[vm.Secondary])
	v.src = newSource(vm.Logging, v.msgBytes, e.seed, "vm/"+vm.Name)
	e.setFlows(v)
	v.tc = newTCP(v, e.nw.hosts[v.pri].h.MTU)
	e.windowed = e.windowed || v.tc != nil
	if vm.Mode == model.ModeSMP {
		e.newCkpt(v)
	}
	return v
}

// setFlows derives the VM's flows from its current hosts (docs/model.md
// "Switches": destination port 8100, source 49152 + the VM's index).
func (e *engine) setFlows(v *vmState) {
	p := e.nw.hosts[v.pri].h
	v.fwd = model.Flow{SrcIP: p.FTIP, SrcMAC: p.FTMAC, PortID: p.PortID,
		SrcPort: uint16(model.FTSrcPortBase + v.idx), DstPort: model.FTDstPort}
	if v.sec >= 0 {
		s := e.nw.hosts[v.sec].h
		v.fwd.DstIP, v.fwd.DstMAC = s.FTIP, s.FTMAC
		v.rev = v.fwd.Reverse(s.PortID)
	}
	v.mtuWire = wireBytes(v.msgBytes, p.MTU)
	v.ctlFrom = -1
	if v.sec >= 0 { // acks come from the secondary
		v.ctlFrom = int32(v.sec)
		v.ctlWire = ctlWire(v.ackSize, e.nw.hosts[v.sec].h.MTU)
	}
}

// start begins the VM's first session at t = 0: protected from the start.
func (e *engine) startVM(v *vmState) {
	v.protected = true
	v.heardAtSec, v.heardAtPri = 0, 0
	if v.ck != nil {
		e.startEpochs(v)
	} else {
		v.vnext = v.src.next(0)
		e.schedGen(v, v.vnext)
	}
	e.startHeartbeats(v)
	e.armTimeout(v)
}

// schedGen schedules the next production at real time t.
func (e *engine) schedGen(v *vmState, t float64) {
	v.genVer++
	v.tnext = t
	if math.IsInf(t, 1) || t >= e.end {
		return
	}
	e.h.push(t, evGen, int32(v.idx), v.genVer)
}

// account adds the throttled time since the last change of state
// (docs/model.md "throttled_fraction": stalled time plus slowed time x
// (1 - allowed/offered rate), over the window).
func (v *vmState) account(e *engine, t float64) {
	w := 0.0
	switch {
	case !v.protected:
	case v.stalled:
		w = 1
	case v.slowed:
		w = 1 - v.speed
	}
	if w > 0 {
		v.throttled += w * overlap(v.accT, t, e.warm, e.end)
	}
	v.accT = t
}

// produce: the primary's next log message is due.
func (e *engine) produce(v *vmState) {
	if !v.protected || e.nw.hosts[v.pri].down {
		return
	}
	if v.ackHead < len(v.acks) {
		e.applyAcks(v, e.now)
	}
	if v.unacked+v.msgBytes > v.logBuffer {
		v.account(e, e.now)
		v.stalled = true // the log buffer is full: the primary stops (docs/model.md 3 §3.2)
		if v.tc != nil {
			e.ackWatch(v)
		} else if v.ackHead < len(v.acks) {
			e.h.push(v.acks[v.ackHead].t, evAckWake, int32(v.idx), v.sess)
		}
		return
	}
	m := int32(-1)
	if v.tc != nil {
		v.pushRing(v.nextSeq, e.now, v.msgBytes, kLog, -1)
	} else {
		m = e.alloc()
		e.newMsg(m, kLog, v, int32(v.pri), int32(v.sec), v.nextSeq, v.msgBytes, v.mtuWire)
		v.pushRing(v.nextSeq, e.now, v.msgBytes, kLog, 0)
	}
	v.nextSeq++
	v.unacked += v.msgBytes
	v.offered += v.msgBytes
	v.inflight += v.msgBytes
	if e.inWindow(e.now) {
		v.logged += v.msgBytes
	}
	if m >= 0 {
		e.send(m)
	} else {
		if v.tc.sendSeq == v.ringEnd-1 {
			e.tcpPushFrom(v, &v.ring[len(v.ring)-1]) // nothing else waits for the window
		} else {
			e.tcpPush(v)
		}
		if v.tc.sendSeq < v.nextSeq {
			e.ackWatch(v) // a message waits for the window: not quiet
		}
	}
	cur := v.vnext
	v.vnext = v.src.next(cur)
	d := v.vnext - cur
	if v.speed != 1 {
		d /= v.speed
	}
	e.schedGen(v, e.now+d)
}

// pushRing appends the entry of message seq to the ring of
// unacknowledged messages. The acknowledged head is dropped by moving the
// rest to the front once it is 64 entries long and over half the ring, so
// a ring stays about twice its backlog: the primaries of a large run then
// cycle through a few KiB of ring each, not tens (a threshold of 1,024
// made the 128-host run's rings 10 MiB, and its minute 7 % slower).
//
// The entry is written field by field in its slot: an entry built
// elsewhere and copied in is read back in 16-byte pieces that straddle the
// 8-byte stores that built it, which the processor cannot forward from its
// store buffer (about 2 % of the FT pair's time).
func (v *vmState) pushRing(seq int64, created, payload float64, kind uint8, sent float64) {
	if v.ringHead >= 64 && v.ringHead*2 > len(v.ring) {
		n := copy(v.ring, v.ring[v.ringHead:])
		v.ring = v.ring[:n]
		v.ringHead = 0
	}
	n := len(v.ring)
	if n < cap(v.ring) {
		v.ring = v.ring[:n+1]
	} else {
		v.ring = append(v.ring, unacked{})
	}
	u := &v.ring[n]
	u.seq, u.created, u.payload, u.kind, u.sent = seq, created, payload, kind, sent
	u.lost, u.retx, u.copies = false, false, 0
	v.ringEnd = seq + 1
}

// deliver: message m reached its destination host.
func (e *engine) deliver(m int32) {
	ms := &e.msgs[m]
	if ms.kind == kBG {
		e.release(m)
		return
	}
	v := e.vms[ms.vm]
	if (ms.ghost || ms.twin != 0) && (ms.kind == kLog || ms.kind == kResync) && !e.settleTwin(m, true) {
		e.release(m) // the other copy got there first
		return
	}
	if ms.sess != v.sess || e.nw.hosts[ms.to].down {
		if v.tc != nil && (ms.kind == kLog || ms.kind == kResync) && ms.sess == v.sess {
			e.tcpLost(v, m) // a dead host acknowledges nothing: the sender times out
			return
		}
		if (ms.kind == kLog || ms.kind == kResync) && ms.sess == v.sess {
			v.inflight -= ms.payload
			v.abandoned += ms.payload
		}
		e.release(m)
		return
	}
	switch ms.kind {
	case kLog, kResync:
		v.heardAtSec = e.now
		if v.tc != nil && e.receivedSeq(v, ms.seq) {
			// A copy of what the secondary has: acknowledged again. The
			// first copy to arrive keeps its count (unacked.copies).
			if u := v.entry(ms.seq); u != nil {
				u.copies--
			}
			e.sendCtl(m, v, kAck, int32(v.sec), int32(v.pri), v.expect-1)
			return
		}
		v.inflight -= ms.payload
		if ms.seq != v.expect {
			v.held[ms.seq] = heldMsg{ms.payload, ms.created, ms.kind}
			v.nheld = len(v.held)
			v.heldBytes += ms.payload
			if v.tc != nil {
				// A later arrival: the ack repeats the last in-order
				// sequence (a duplicate ack at message granularity).
				e.sendCtl(m, v, kAck, int32(v.sec), int32(v.pri), v.expect-1)
				return
			}
			e.release(m)
			return
		}
		e.replay(v, ms.payload, ms.created, ms.kind)
		v.expect++
		for v.nheld > 0 {
			h, ok := v.held[v.expect]
			if !ok {
				break
			}
			delete(v.held, v.expect)
			v.nheld = len(v.held)
			v.heldBytes -= h.payload
			e.replay(v, h.payload, h.created, h.kind)
			v.expect++
		}
		if v.ck != nil && !v.resyncing {
			// SMP-FT: one ack per complete checkpoint; under a window,
			// the transport acknowledges every arrival and a checkpoint
			// is acknowledged by the ack that covers its last message.
			if !e.ckptArrived(v, m, v.tc == nil) {
				if v.tc != nil {
					e.sendCtl(m, v, kAck, int32(v.sec), int32(v.pri), v.expect-1)
					return
				}
				e.release(m)
			}
			return
		}
		// Acknowledge everything read, in one ack (docs/model.md 3 §3.2).
		e.sendCtl(m, v, kAck, int32(v.sec), int32(v.pri), v.expect-1)
	case kAck:
		if v.ackHead < len(v.acks) && v.tc != nil {
			e.applyAcks(v, e.now) // pending acks that arrived before it
		}
		v.heardAtPri = e.now
		e.acked(v, ms.seq)
		if v.tc != nil {
			e.ackWatch(v)
		}
		e.release(m)
	case kHB:
		if int(ms.to) == v.sec {
			v.heardAtSec = e.now
		} else {
			v.heardAtPri = e.now
		}
		e.release(m)
	}
}

// sendCtl reuses slab entry m for a one-frame control message.
func (e *engine) sendCtl(m int32, v *vmState, kind uint8, from, to int32, seq int64) {
	wire := v.ctlWire
	if from != v.ctlFrom {
		wire = ctlWire(v.ackSize, e.nw.hosts[from].h.MTU)
	}
	e.newMsg(m, kind, v, from, to, seq, v.ackSize, wire)
	e.send(m)
}

// ctlWire: an ack or heartbeat is one minimum frame unless it is larger.
func ctlWire(payload float64, mtu int) float64 {
	if payload <= 64 {
		return minFrameWire
	}
	return wireBytes(payload, mtu)
}

// replay: the secondary reads one message in order.
func (e *engine) replay(v *vmState, payload, created float64, kind uint8) {
	v.delivered += payload
	if kind != kLog {
		return
	}
	e.logDelivered(v, payload)
	if v.ck != nil {
		return // SMP-FT: lag per checkpoint (ckptArrived)
	}
	lag := e.now - created
	v.lastLag = lag
	if e.now < v.rxT || e.now >= v.rxT+1 { // floor(now) != rxT, without the call
		// A new second: the last one's bytes become the rate estimate.
		sec := math.Floor(e.now)
		if sec == v.rxT+1 {
			v.rxRate = v.rxBytes
		} else {
			v.rxRate = 0
		}
		v.rxT, v.rxBytes = sec, 0
	}
	v.rxBytes += payload
	if int(e.now) == v.secAt {
		if lag > v.secMax {
			v.secMax = lag
		}
	} else {
		v.lagSecond(int(e.now), lag)
	}
	if created >= e.warm && e.now < e.end {
		v.lagSum += lag
		v.lagN++
		record(v.lagH, lag)
		if lag > v.lagMax {
			v.lagMax = lag
		}
	}
	// The paper's feedback loop: slow the primary while lag > target.
	target := v.lagTarget
	if lag > target && !v.slowed {
		v.account(e, e.now)
		v.slowed = true
		e.setSpeed(v, v.allowed())
	} else if lag <= target && v.slowed {
		v.account(e, e.now)
		v.slowed = false
		e.setSpeed(v, 1)
	}
}

// logDelivered counts log payload that reached v's secondary now: the one
// place delivered_bytes is counted (in the measured window; re-sync and
// other copies are not log payload), for every mode's delivery path.
func (e *engine) logDelivered(v *vmState, payload float64) {
	if e.inWindow(e.now) {
		v.delivWin += payload
	}
}

// lagSecond makes second i the current one of the per-second max lag.
func (v *vmState) lagSecond(i int, lag float64) {
	v.lagSeconds()
	v.secAt, v.secMax = i, 0
	if i < len(v.lagSec) {
		v.secMax = v.lagSec[i]
	}
	if lag > v.secMax {
		v.secMax = lag
	}
}

// lagSeconds returns the max lag of every second, up to date.
func (v *vmState) lagSeconds() []float64 {
	if v.secAt < len(v.lagSec) {
		v.lagSec[v.secAt] = v.secMax
	}
	return v.lagSec
}

// allowed is the production speed that matches what the secondary
// consumes: its delivered rate over the offered mean rate.
func (v *vmState) allowed() float64 {
	offered := v.src.rate / 8
	if offered <= 0 {
		return 1
	}
	return math.Max(0.01, math.Min(1, v.rxRate/offered))
}

// setSpeed changes the production speed, moving the pending production.
func (e *engine) setSpeed(v *vmState, s float64) {
	if s == v.speed {
		return
	}
	if !v.stalled && v.protected && v.tnext > e.now && !math.IsInf(v.tnext, 1) {
		left := (v.tnext - e.now) * v.speed
		v.speed = s
		e.schedGen(v, e.now+left/s)
		return
	}
	v.speed = s
}

// acked: a cumulative ack for everything up to seq reached the primary.
func (e *engine) acked(v *vmState, seq int64) { e.ackedAt(v, seq, e.now) }

// ackedAt applies an ack that reached the primary at time t <= now.
func (e *engine) ackedAt(v *vmState, seq int64, t float64) {
	acked, rtt := 0.0, -1.0
	for v.ringHead < len(v.ring) && v.ring[v.ringHead].seq <= seq {
		u := &v.ring[v.ringHead]
		v.ringHead++
		if v.tc != nil {
			acked += u.payload
			if u.seq == seq && !u.retx && u.sent >= 0 {
				rtt = t - u.sent
			}
		}
		if u.kind == kLog {
			v.unacked -= u.payload
			if v.ck == nil && u.created >= e.warm && u.created < e.end {
				record(v.odH, t-u.created)
			}
		} else {
			v.syncUnack -= u.payload
		}
	}
	if v.tc != nil {
		e.tcpAck(v, seq, acked, rtt, t)
	}
	if v.resyncing {
		e.resyncPump(v)
		return
	}
	if v.ck != nil {
		e.ckptAcked(v, seq, t)
		return
	}
	if v.stalled && v.unacked+v.msgBytes <= v.logBuffer {
		v.account(e, e.now)
		v.stalled = false
		e.produce(v) // the pending message goes now; the VM's clock resumes
	}
}
