package sim

import (
	"errors"
	"math"

	"github.com/ftsim/ftsim/model"
)

// tcpConn is the congestion state of one FT logging connection (an FT
// session, or the re-protection copy that starts a new one): the sender's
// window over the VM's ring of unacknowledged messages (docs/model.md
// "Transport"). Windows are in bytes with MSS = MTU - 52; messages stay
// the unit every queue holds.
type tcpConn struct {
	// The fields a message's send and its ack read and write fill the
	// first two cache lines; what only a window that limits the sender, a
	// backoff, a timer or recovery reads is beyond (in a run of hundreds of
	// VMs each line read per message is a miss: a third line cost about
	// 1.6 % of the 128-host minute).
	cwnd     float64
	flight   float64 // bytes sent for the first time and not yet acknowledged
	sendSeq  int64   // next sequence number to send for the first time
	lastAck  int64   // highest cumulative ack (-1: none)
	lastSend float64 // for the idle restart (RFC 5681 §4.1)
	rto      float64 // current timeout, backoff included
	timerAt  float64 // deadline of the retransmission timer; +Inf when off
	// timerPendingAt is the time of the evRTO in the calendar, if any.
	timerPendingAt float64

	// RFC 6298: minRTO is ft.rto, the first timeout too (maxRTO below).
	srtt, rttvar, minRTO float64

	// Pending acks (ackWatch): ackTail and ackTailT are the highest
	// sequence and the latest arrival time of the acks that entered their
	// last hop; the pending acks up to strictUntil go at their own time
	// (a duplicate, or one overtaken on another path);
	// wakeAt is the earliest evAckWake in the calendar (-1: none).
	ackTail                       int64
	ackTailT, wakeAt, strictUntil float64

	dupacks      int32
	timerPending bool // an evRTO sits in the calendar
	inRecovery   bool

	maxRTO   float64
	ssthresh float64
	maxWnd   float64 // ft.log_buffer: the window never exceeds it
	timerVer uint32
	cubic    bool
	mss      float64
	iw       float64 // initial (and restart) window, bytes
	recover  int64   // NewReno: highest sequence sent when recovery began
	holeSeq  int64   // recovery: next sequence to look at for a hole

	wmax, k, epochAt float64
	west             float64 // CUBIC's Reno-friendly estimate (bytes)
	// To 256 bytes: the allocator's size class of 256 starts every
	// connection on a cache line (one of 224 would start every other one
	// mid-line).
	_ [4]uint64
}

// noLazyAck turns the pending list off for connections with a window, so
// tests can check that it never changes a result (ackWatch).
var noLazyAck bool

// errLateAck stops a run in which a pending ack would be applied after
// its time (an internal error).
var errLateAck = errors.New("sim: internal error: a pending ack fell behind the clock")

// tieJitter adds a different nanosecond-scale latency to every link, so
// tests can compare runs in which no two events fall on the very same
// instant: the order of simultaneous events is left open by the model and
// set by the calendar's shape, which every fast path changes.
var tieJitter bool

// CUBIC constants (RFC 9438 §4.1): C in segments per second cubed.
const (
	cubicC    = 0.4
	cubicBeta = 0.7
)

func newTCP(v *vmState, mtu int) *tcpConn {
	t := v.ft.TCP
	if t.Congestion == model.CongestionNone {
		return nil
	}
	mss := float64(mtu - 52)
	c := &tcpConn{cubic: t.Congestion == model.CongestionCubic, mss: mss,
		iw: float64(t.InitialWindow) * mss, maxWnd: v.logBuffer,
		minRTO: float64(v.ft.RTO), maxRTO: max(float64(v.ft.RTO), float64(t.MaxRTO)),
		lastAck: -1, timerAt: math.Inf(1), ssthresh: math.Inf(1), recover: -1,
		ackTail: -1, wakeAt: -1, strictUntil: -1}
	c.cwnd = min(c.iw, c.maxWnd)
	c.rto = c.minRTO
	return c
}

// entry returns the ring entry of sequence seq, nil when it is already
// acknowledged or not yet produced.
func (v *vmState) entry(seq int64) *unacked {
	if v.ringHead >= len(v.ring) {
		return nil
	}
	i := v.ringHead + int(seq-v.ring[v.ringHead].seq)
	if i < v.ringHead || i >= len(v.ring) {
		return nil
	}
	return &v.ring[i]
}

// unsent returns the ring entry of the next message to send for the first
// time, nil when every message in the ring has gone. ringEnd answers the
// usual case, everything sent, without reading the ring.
func (v *vmState) unsent() *unacked {
	if v.tc.sendSeq >= v.ringEnd {
		return nil
	}
	return v.entry(v.tc.sendSeq)
}

// tcpPush sends queued messages for the first time while the window
// allows: one message may always be in flight, whatever the window.
func (e *engine) tcpPush(v *vmState) {
	if u := v.unsent(); u != nil && !e.nw.hosts[v.pri].down {
		e.tcpPushFrom(v, u)
	}
}

// tcpPushFrom is tcpPush on a live primary, with u the ring entry of the
// next message to send for the first time (not nil).
func (e *engine) tcpPushFrom(v *vmState, u *unacked) {
	tc := v.tc
	if v.sec < 0 {
		return
	}
	// Idle restart, judged when there is something to send: an ack that
	// empties the flight restarts nothing by itself.
	if tc.flight == 0 && e.now-tc.lastSend > tc.rto && tc.lastSend > 0 {
		tc.cwnd = min(tc.cwnd, tc.iw) // idle restart (RFC 5681 §4.1)
	}
	for u != nil {
		if tc.flight > 0 && tc.flight+u.payload > tc.cwnd {
			return // blocked by the window until an ack
		}
		u.sent = e.now
		tc.flight += u.payload
		tc.sendSeq++
		e.tcpSend(v, u, false)
		if u == &v.ring[len(v.ring)-1] {
			return // the last one produced (the ring holds consecutive sequences)
		}
		u = v.entry(tc.sendSeq)
	}
}

// tcpSend puts one copy of ring entry u on the wire.
func (e *engine) tcpSend(v *vmState, u *unacked, retx bool) {
	tc := v.tc
	m := e.alloc()
	w := v.mtuWire
	if u.payload != v.msgBytes {
		w = wireBytes(u.payload, e.nw.hosts[v.pri].h.MTU)
	}
	e.newMsg(m, u.kind, v, int32(v.pri), int32(v.sec), u.seq, u.payload, w)
	ms := &e.msgs[m]
	ms.created, ms.retx = u.created, retx
	if retx {
		u.retx = true
		if u.lost {
			u.lost = false
			v.dropped -= u.payload
			v.inflight += u.payload
		}
	}
	u.copies++
	tc.lastSend = e.now
	if tc.timerAt == math.Inf(1) {
		e.armRTO(v)
	}
	e.send(m)
}

// armRTO (re)starts the retransmission timer at now + rto. The calendar
// holds at most one evRTO per connection: a later deadline is picked up
// when the pending one fires.
func (e *engine) armRTO(v *vmState) { e.armRTOAt(v, e.now) }

// armRTOAt starts the timer as of time t <= now (an ack applied late).
func (e *engine) armRTOAt(v *vmState, t float64) {
	tc := v.tc
	if tc.timerAt = t + tc.rto; !tc.timerPending || tc.timerPendingAt > tc.timerAt {
		e.pushRTO(v)
	}
}

// pushRTO puts the retransmission timer's event in the calendar at its
// deadline.
func (e *engine) pushRTO(v *vmState) {
	tc := v.tc
	tc.timerVer++
	tc.timerPending, tc.timerPendingAt = true, tc.timerAt
	e.h.push(tc.timerAt, evRTO, int32(v.idx), tc.timerVer)
}

// rtoFired: the retransmission timer's event.
func (e *engine) rtoFired(v *vmState, ver uint32) {
	tc := v.tc
	if tc == nil {
		return
	}
	if v.ackHead < len(v.acks) {
		e.applyAcks(v, e.now) // the acks that came before the timer, first
	}
	if ver != tc.timerVer&0xfffffff {
		return
	}
	tc.timerPending = false
	if tc.timerAt == math.Inf(1) {
		return
	}
	if e.now < tc.timerAt {
		tc.timerVer++
		tc.timerPending, tc.timerPendingAt = true, tc.timerAt
		e.h.push(tc.timerAt, evRTO, int32(v.idx), tc.timerVer)
		return
	}
	if tc.flight <= 0 || e.nw.hosts[v.pri].down || !(v.protected || v.resyncing) {
		tc.timerAt = math.Inf(1)
		return
	}
	// Timeout (RFC 6298 §5.4-5.7, RFC 5681 §3.1): resend the oldest
	// unacknowledged message, one segment of window, the timeout doubled.
	tc.congestion(e.now, true)
	tc.cwnd = tc.mss
	tc.inRecovery = true
	tc.recover = tc.sendSeq - 1
	tc.dupacks = 0
	tc.rto = min(tc.rto*2, tc.maxRTO)
	tc.timerAt = math.Inf(1)
	tc.holeSeq = tc.lastAck + 2
	if u := v.entry(tc.lastAck + 1); u != nil {
		e.tcpSend(v, u, true)
	}
	if tc.timerAt == math.Inf(1) {
		e.armRTO(v)
	}
	e.ackWatch(v)
}

// congestion cuts the window on a loss: NewReno halves the flight size
// (RFC 5681 §3.1), CUBIC multiplies the window by beta and remembers W_max
// (RFC 9438 §4.6-4.7).
func (tc *tcpConn) congestion(now float64, timeout bool) {
	if tc.cubic {
		w := tc.cwnd
		if w < tc.wmax { // fast convergence (RFC 9438 §4.7)
			tc.wmax = w * (1 + cubicBeta) / 2
		} else {
			tc.wmax = w
		}
		tc.ssthresh = max(w*cubicBeta, 2*tc.mss)
		tc.k = math.Cbrt(tc.wmax / tc.mss * (1 - cubicBeta) / cubicC)
		tc.epochAt = -1
		tc.west = tc.ssthresh
	} else {
		tc.ssthresh = max(tc.flight/2, 2*tc.mss)
	}
	if !timeout {
		tc.cwnd = tc.ssthresh
	}
}

// grow opens the window for acked new bytes outside recovery: slow start
// below ssthresh (byte counting), then congestion avoidance.
func (tc *tcpConn) grow(acked, now float64) {
	if tc.cwnd < tc.ssthresh {
		tc.cwnd += acked
	} else if tc.cubic {
		if tc.epochAt < 0 {
			tc.epochAt = now
			if tc.wmax < tc.cwnd {
				tc.wmax, tc.k = tc.cwnd, 0
			} else {
				tc.k = math.Cbrt((tc.wmax - tc.cwnd) / tc.mss / cubicC)
			}
			tc.west = tc.cwnd
		}
		t := now - tc.epochAt + tc.srtt
		target := (cubicC*math.Pow(t-tc.k, 3))*tc.mss + tc.wmax
		target = max(tc.cwnd, min(target, 1.5*tc.cwnd))
		alpha := 3 * (1 - cubicBeta) / (1 + cubicBeta)
		tc.west += alpha * tc.mss * acked / tc.cwnd
		if tc.west > target {
			target = tc.west
		}
		tc.cwnd += (target - tc.cwnd) * acked / tc.cwnd
	} else {
		tc.cwnd += tc.mss * acked / tc.cwnd
	}
	tc.cwnd = min(tc.cwnd, tc.maxWnd)
}

// tcpAck: a cumulative ack for everything up to seq reached the primary at
// t; acked is the bytes it newly acknowledges, rtt a measurement or -1.
func (e *engine) tcpAck(v *vmState, seq int64, acked, rtt, t float64) {
	tc := v.tc
	if seq > tc.lastAck {
		before := tc.flight
		tc.lastAck = seq
		if tc.flight -= acked; tc.flight < 0 {
			tc.flight = 0
		}
		tc.dupacks = 0
		if rtt >= 0 {
			// A fresh estimate, which ends the backoff: SRTT, RTTVAR and
			// the timeout from one measurement (RFC 6298 §2), with ft.rto
			// as the minimum and max_rto as the maximum. Plain comparisons
			// rather than min and max, whose rules for NaN and signed
			// zeros cost instructions on every ack: the times are finite
			// and positive, and minRTO <= maxRTO.
			if tc.srtt == 0 {
				tc.srtt, tc.rttvar = rtt, rtt/2
			} else {
				tc.rttvar = 0.75*tc.rttvar + 0.25*math.Abs(tc.srtt-rtt)
				tc.srtt = 0.875*tc.srtt + 0.125*rtt
			}
			rto := tc.srtt + 4*tc.rttvar
			if rto < tc.minRTO {
				rto = tc.minRTO
			} else if rto > tc.maxRTO {
				rto = tc.maxRTO
			}
			tc.rto = rto
		}
		if tc.inRecovery {
			if seq >= tc.recover {
				tc.inRecovery = false
				tc.cwnd = min(max(tc.ssthresh, tc.mss), tc.maxWnd) // full ack: deflate (RFC 6582 §3.2)
			} else {
				// Partial ack: the next hole goes now (RFC 6582 §3.2 step 5).
				tc.cwnd = max(tc.cwnd-acked+tc.mss, tc.mss)
				// The hole goes unless a copy of it is on the wire (its
				// count, less the copy that arrived if one did).
				if u := v.entry(seq + 1); u != nil && (u.lost || u.copies == int32(b2i(e.receivedSeq(v, seq+1)))) {
					e.tcpSend(v, u, true)
				}
				e.fillHoles(v, 2)
			}
		} else if 2*before >= tc.cwnd {
			// The window grows only while it limits the sender (RFC 7661;
			// Linux's tcp_is_cwnd_limited): an application-limited
			// stream does not build a window it never used.
			tc.grow(acked, t)
		}
		if tc.flight > 0 {
			// armRTOAt(v, t), written out: the timer's event is pushed
			// only when no earlier one is pending.
			if tc.timerAt = t + tc.rto; !tc.timerPending || tc.timerPendingAt > tc.timerAt {
				e.pushRTO(v)
			}
		} else {
			tc.timerAt = math.Inf(1)
		}
	} else if seq == tc.lastAck && tc.flight > 0 {
		tc.dupacks++
		// Three later arrivals, or fewer when fewer messages are out
		// (early retransmit, RFC 5827).
		thresh := int32(3)
		if out := tc.sendSeq - tc.lastAck - 1; out < 4 {
			thresh = int32(max(1, out-1))
		}
		switch {
		case tc.dupacks < thresh && !tc.inRecovery:
			// Limited transmit (RFC 3042): a later arrival lets one new
			// message go, so a small window still yields three arrivals.
			if u := v.entry(tc.sendSeq); u != nil && !e.nw.hosts[v.pri].down {
				u.sent = e.now
				tc.flight += u.payload
				tc.sendSeq++
				e.tcpSend(v, u, false)
			}
		case tc.dupacks == thresh && !tc.inRecovery:
			// Fast retransmit: three later arrivals (RFC 5681 §3.2).
			tc.congestion(t, false)
			tc.inRecovery = true
			tc.recover = tc.sendSeq - 1
			tc.holeSeq = seq + 2
			if u := v.entry(seq + 1); u != nil {
				e.tcpSend(v, u, true)
			}
		case tc.dupacks > thresh && tc.inRecovery:
			tc.cwnd = min(tc.cwnd+v.msgBytes, tc.maxWnd) // one message left the network
			e.fillHoles(v, 1)
		}
	}
	if u := v.unsent(); u != nil && !e.nw.hosts[v.pri].down {
		e.tcpPushFrom(v, u) // (tcpPush, written out: nothing waits after most acks)
	}
}

// tcpLost: a copy of message m will never arrive. The message counts as
// dropped (and waits for the sender to notice) unless the secondary holds
// it already or another copy is still on its way (either keeps
// unacked.copies above zero).
func (e *engine) tcpLost(v *vmState, m int32) {
	ms := &e.msgs[m]
	u := v.entry(ms.seq)
	if u != nil {
		u.copies--
	}
	if u == nil || u.copies > 0 || e.receivedSeq(v, ms.seq) {
		e.release(m)
		return
	}
	u.lost = true
	v.inflight -= ms.payload
	v.dropped += ms.payload
	e.release(m)
}

// receivedSeq: the secondary has replayed or holds sequence seq.
func (e *engine) receivedSeq(v *vmState, seq int64) bool {
	if seq < v.expect {
		return true
	}
	if v.nheld == 0 {
		return false
	}
	_, ok := v.held[seq]
	return ok
}

// fillHoles resends up to n more messages of the current recovery that
// later arrivals show missing (the scoreboard of RFC 6675 at message
// granularity: a message is missing when every copy of it was lost), so a
// burst of losses is repaired in a few round trips, not one per round trip.
func (e *engine) fillHoles(v *vmState, n int) {
	tc := v.tc
	if tc.holeSeq <= tc.lastAck {
		tc.holeSeq = tc.lastAck + 1
	}
	for ; n > 0 && tc.holeSeq <= tc.recover; tc.holeSeq++ {
		u := v.entry(tc.holeSeq)
		if u == nil {
			return
		}
		if u.lost && u.copies == 0 {
			e.tcpSend(v, u, true)
			n--
		}
	}
}

// Pending acks under a window, in runs without failures (engine.lazyAcks,
// set by fuse). An ack on its last hop has a fixed arrival time (its
// queue is a FIFO), so it waits in the VM's pending list (pendAck) and is
// applied at the sender's next decision point: a production (produce),
// the retransmission timer (rtoFired), another ack, a control event
// (engine.sync; a liveness check applies its own VM's only) or the end of
// the run. That is exact while applying it
// late changes nothing but the sender's own state, which it computes from
// the ack's own time (the RTT sample, the window's growth, the timer's
// deadline, the output delay): a plain ack, one that acknowledges new
// data, applied while the connection is quiet.
//
// Quiet is: not in recovery, not stalled, every produced message sent
// (none waits for the window), no re-sync, and no pending ack that may
// not be plain. A plain ack applied then sends nothing and keeps the
// connection quiet. Anything else that happens at an ack's time (a send
// that the ack lets go, a fast retransmit, the stalled primary resuming)
// must happen at that time, so whenever the connection is not quiet the
// earliest pending ack has an evAckWake at its own time, and an ack
// applied at its wake is applied exactly when its hop event would have
// been. ackWatch keeps that true where it can change: a new earliest
// pending ack, a connection that stops being quiet (a message left
// waiting for the window or a stall in produce, a timeout, an ack applied
// at its wake or through the calendar, a duplicate), and a wake that
// fired. A plain ack applied late leaves a wake for a later ack valid: it
// fires early and looks again.
//
// A late ack may also move the retransmission timer to its time plus the
// RTO, which must not be in the past: ackWatch keeps a wake at the
// earliest pending ack's time plus the minimum RTO, so no ack is applied
// later than that. The differential test TestLazyAcksInvisible runs drawn
// topologies with the pending list on and off under NewReno and CUBIC,
// small buffers, lossy links and failures, and compares results byte for
// byte (see the package documentation for the order of simultaneous
// events).

// quiet reports whether v's connection may apply its earliest pending ack
// (there is one) late.
func (v *vmState) quiet() bool {
	tc := v.tc
	return !tc.inRecovery && !v.stalled && !v.resyncing && v.acks[v.ackHead].t > tc.strictUntil && v.unsent() == nil
}

// ackWatch keeps an evAckWake in the calendar for v's earliest pending
// ack: at its own time when the connection is not quiet, else at most
// the minimum RTO after it.
func (e *engine) ackWatch(v *vmState) {
	if v.ackHead >= len(v.acks) {
		return
	}
	tc := v.tc
	at := v.acks[v.ackHead].t
	if tc.wakeAt >= e.now && tc.wakeAt <= at {
		return // a wake at or before the ack's time is on its way
	}
	if v.quiet() {
		at += tc.minRTO
		if tc.wakeAt >= e.now && tc.wakeAt <= at {
			return
		}
	}
	if at < e.now && e.err == nil {
		e.err = errLateAck // cannot happen: every path above applies due acks first
		e.h.clear()
		return
	}
	tc.wakeAt = at
	e.h.push(at, evAckWake, int32(v.idx), v.sess)
}

// pendStrict is pendAck for an ack of a windowed connection that is a
// duplicate, or overtakes an earlier ack on another path: it and every
// ack pending before it go at their own time. Those already due are
// plain acks of a quiet connection (else a wake would have applied them):
// applied now, before the connection stops being quiet.
func (e *engine) pendStrict(v *vmState, a pendingAck) {
	tc := v.tc
	if v.ackHead < len(v.acks) && v.acks[v.ackHead].t <= e.now {
		e.applyAcks(v, e.now)
	}
	tc.strictUntil = max(tc.strictUntil, tc.ackTailT, a.t)
	tc.ackTail = max(tc.ackTail, a.seq)
	tc.ackTailT = max(tc.ackTailT, a.t)
}
