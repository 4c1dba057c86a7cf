package sim

import (
	"math"

	"github.com/ftsim/ftsim/results"
)

// Heartbeats: each side of an FT VM sends one every ft.heartbeat, so an
// idle stream is never mistaken for a failure (docs/model.md 3 §2.3). The first
// beats are spread over the interval by the VM's index.
func (e *engine) startHeartbeats(v *vmState) {
	hb := float64(v.ft.Heartbeat)
	off := hb * math.Mod(float64(v.idx)*0.6180339887498949, 1)
	for side := 0; side < 2; side++ {
		e.h.push(e.now+off+float64(side)*hb/2, evHB, int32(v.idx*2+side), v.sess)
	}
}

func (e *engine) heartbeat(ref int, sess uint32) {
	v := e.vms[ref/2]
	if sess != v.sess&0xfffffff || v.sec < 0 {
		return
	}
	from, to := v.pri, v.sec
	if ref%2 == 1 {
		from, to = v.sec, v.pri
	}
	if !e.nw.hosts[from].down {
		e.sendCtl(e.alloc(), v, kHB, int32(from), int32(to), 0)
	}
	e.h.push(e.now+float64(v.ft.Heartbeat), evHB, int32(ref), sess)
}

// lostAt is when FT declares the peer lost, as the survivor sees it: each
// side declares ft.timeout after the last log data, ack or heartbeat it
// received, a dead host declares nothing, and FT acts on the first
// declaration of a live side (docs/model.md "Peer lost").
func (e *engine) lostAt(v *vmState) float64 {
	t := float64(v.ft.Timeout)
	priDown := e.nw.hosts[v.pri].down
	secDown := v.sec >= 0 && e.nw.hosts[v.sec].down
	switch {
	case priDown && !secDown:
		return v.heardAtSec + t
	case secDown && !priDown:
		return v.heardAtPri + t
	}
	return math.Min(v.heardAtSec, v.heardAtPri) + t
}

// armTimeout schedules the lazy liveness check (lostAt). The check is a
// simgo event; when it fires it catches the data plane up and either
// re-arms or acts.
func (e *engine) armTimeout(v *vmState) {
	deadline := e.lostAt(v)
	if deadline >= e.end {
		deadline = e.end // checked once more at the end of the run
	}
	// The timer's delay is max(0, deadline-now).
	v.timer = e.atCtl(max(deadline, e.k.Now()), ctl{kind: ctlLiveness, i: int32(v.idx), sess: v.sess})
}

// liveness is the check armTimeout scheduled for session sess of v.
func (e *engine) liveness(v *vmState, sess uint32) {
	if e.err != nil {
		return // stopped: nothing more to simulate
	}
	// A liveness check reads its own VM's state only: its pending acks
	// are applied here, and the other VMs' wait for their own decision
	// points, as any pending ack may (tcp.go). One check per VM every few
	// heartbeats would otherwise look at every VM of a large run.
	e.advance(e.k.Now())
	if v.sess != sess || v.sec < 0 {
		return
	}
	e.applyAcks(v, e.now)
	if e.now >= e.lostAt(v) {
		// Losing the peer changes the pair and its paths (changePath).
		// A live peer changes nothing.
		e.changePath(func() { e.peerLost(v) })
		return
	}
	if e.now < e.end {
		e.armTimeout(v)
	}
}

// peerLost: FT gives up on this primary-secondary pair. Unacknowledged log
// data is abandoned; if the primary's host is down the secondary is promoted
// after the current lag (docs/model.md 3 §2.3, case 9); a new secondary is
// started after ft.restart_delay (docs/model.md "Peer lost", "Placement").
// It changes paths, so it runs inside changePath.
func (e *engine) peerLost(v *vmState) {
	name := v.vm.Name
	e.ftEvent(v, results.EventFTLost, name, "")
	e.endSession(v)
	priDown := e.nw.hosts[v.pri].down
	oldSec := v.sec
	if priDown {
		if oldSec < 0 || e.nw.hosts[oldSec].down {
			v.sec = -1
			return // both gone: the VM is lost
		}
		lag := v.lastLag
		v.pri, v.sec = oldSec, -1
		at := e.now + lag
		e.atCtl(at, ctl{kind: ctlPromoted, i: int32(v.idx)})
	} else {
		v.sec = -1
	}
	e.atCtl(e.now+float64(v.ft.RestartDelay), ctl{kind: ctlReprotect, i: int32(v.idx), j: int32(oldSec)})
}

// endSession abandons everything in flight and stops the primary logging.
func (e *engine) endSession(v *vmState) {
	v.account(e, e.now)
	if v.protected || v.resyncing {
		if v.unprotSince < 0 {
			v.unprotSince = e.now
		}
	}
	v.protected, v.resyncing, v.stalled, v.slowed = false, false, false, false
	v.speed = 1
	v.abandoned += v.inflight + v.dropped + v.heldBytes
	v.inflight, v.dropped, v.heldBytes = 0, 0, 0
	clear(v.held)
	v.nheld = 0
	v.ring, v.ringHead, v.unacked, v.syncUnack, v.syncLeft = v.ring[:0], 0, 0, 0, 0
	v.acks, v.ackHead = v.acks[:0], 0
	v.sess++
	v.genVer++
	if v.tc != nil {
		ver := v.tc.timerVer + 1 // a pending timer of the old connection is stale
		v.tc = newTCP(v, e.nw.hosts[v.pri].h.MTU)
		v.tc.timerVer = ver
	}
}

// reprotect starts a new secondary on the first host after the old one
// (file order, wrapping) that is up and is not the primary, and copies the
// VM's memory to it over the FT network.
func (e *engine) reprotect(v *vmState, oldSec int) {
	if e.nw.hosts[v.pri].down || v.sec >= 0 {
		return
	}
	n := len(e.nw.hosts)
	start := oldSec
	if start < 0 {
		start = v.pri
	}
	for i := 1; i <= n; i++ {
		c := (start + i) % n
		if c != v.pri && !e.nw.hosts[c].down {
			v.sec = c
			break
		}
	}
	if v.sec < 0 {
		return // nowhere to go: the VM stays unprotected
	}
	e.setFlows(v)
	if v.tc != nil {
		ver := v.tc.timerVer + 1
		v.tc = newTCP(v, e.nw.hosts[v.pri].h.MTU) // a new connection to the new secondary
		v.tc.timerVer = ver
	}
	v.resyncing = true
	v.syncLeft = float64(v.vm.Memory)
	v.expect, v.nextSeq = 0, 0
	v.heardAtSec, v.heardAtPri = e.now, e.now
	e.ftEvent(v, results.EventResyncStart, v.vm.Name, e.nw.hosts[v.sec].h.Name)
	e.startHeartbeats(v)
	e.armTimeout(v)
	e.resyncPump(v)
}

// resyncPump keeps up to ft.log_buffer of memory copy in flight, so the
// copy goes at the rate the network gives it.
func (e *engine) resyncPump(v *vmState) {
	if !v.resyncing {
		return
	}
	for v.syncLeft > 0 && v.syncUnack+v.msgBytes <= v.logBuffer {
		p := math.Min(v.msgBytes, v.syncLeft)
		m := int32(-1)
		if v.tc != nil {
			v.pushRing(v.nextSeq, e.now, p, kResync, -1)
		} else {
			m = e.alloc()
			e.newMsg(m, kResync, v, int32(v.pri), int32(v.sec), v.nextSeq, p, wireBytes(p, e.nw.hosts[v.pri].h.MTU))
			v.pushRing(v.nextSeq, e.now, p, kResync, 0)
		}
		v.nextSeq++
		v.syncLeft -= p
		v.syncUnack += p
		v.offered += p
		v.inflight += p
		if m >= 0 {
			e.send(m)
		}
	}
	if v.tc != nil && v.resyncing {
		e.tcpPush(v)
	}
	if v.syncLeft <= 0 && v.syncUnack <= 0 {
		// In sync: logging starts on the new pair.
		v.resyncing = false
		v.protected = true
		v.accT = e.now
		if v.unprotSince >= 0 {
			v.unprot += overlap(v.unprotSince, e.now, e.warm, e.end)
			v.unprotSince = -1
		}
		e.ftEvent(v, results.EventProtected, v.vm.Name, e.nw.hosts[v.sec].h.Name)
		if v.ck != nil {
			e.startEpochs(v)
			return
		}
		v.vnext = v.src.next(e.now)
		e.schedGen(v, v.vnext)
	}
}

func (e *engine) ftEvent(v *vmState, kind results.EventKind, target, detail string) {
	ev := results.Event{T: e.now, Kind: kind, Target: target, Detail: detail}
	e.evs = append(e.evs, ev)
	v.ftEvents = append(v.ftEvents, ev)
}
