package sim

import (
	"math"
	"slices"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
)

// atControl schedules fn as a simgo event at time t; the data plane is
// caught up to t before fn runs.
func (e *engine) atControl(t float64, fn func()) { e.atCtl(t, ctl{kind: ctlFn, fn: fn}) }

// uplink returns the vmnic the host's FT port sends a flow on now, or -1.
func (e *engine) uplink(hi int, f *model.Flow) nicID {
	hs := &e.nw.hosts[hi]
	if !hs.hashed {
		return hs.port
	}
	if len(hs.team) == 0 {
		return -1
	}
	t := &hs.h.Teaming
	switch t.LoadBalancing {
	case model.MACHash:
		return hs.team[model.MACIndex(f.SrcMAC, t.MACHash, len(hs.team))]
	case model.IPHash:
		return hs.team[model.IPHashIndex(f.SrcIP, f.DstIP, t.IPHash, len(hs.team))]
	default: // model.LACP
		return hs.team[hs.lacp.Index(f, len(hs.team))]
	}
}

// usable is the host's view of its vmnic.
func (e *engine) usableFn(hi hostID) func(string) bool {
	hs := &e.nw.hosts[hi]
	return func(name string) bool {
		ni, ok := hs.byName[name]
		return ok && e.nw.nics[ni].usable
	}
}

// retarget recomputes the host's team and its FT port's uplink after a
// change of what the host sees (detection, recovery, LBT). initial is true
// at t = 0. It returns the old and new uplink of the port.
func (e *engine) retarget(hi hostID, recovered bool) (nicID, nicID) {
	hs := &e.nw.hosts[hi]
	t := &hs.h.Teaming
	usable := e.usableFn(hi)
	hs.team = hs.team[:0]
	for _, n := range model.Team(t, usable) {
		hs.team = append(hs.team, hs.byName[n])
	}
	old := hs.port
	switch t.LoadBalancing {
	case model.ExplicitFailover:
		cur := old >= 0 && e.nw.nics[old].usable
		if !cur || (recovered && t.Failback) || old < 0 {
			hs.port = -1
			if n, ok := model.ExplicitOrder(t, usable); ok {
				hs.port = hs.byName[n]
			}
		}
	case model.PortID, model.NICLoad:
		cur := old >= 0 && e.nw.nics[old].usable
		if !cur || (recovered && t.Failback) || old < 0 {
			hs.port = e.portChoice(hs)
		}
	case model.MACHash:
		// One MAC, one uplink (docs/model.md 1.3).
		hs.port = -1
		if len(hs.team) > 0 {
			hs.port = hs.team[model.MACIndex(hs.h.FTMAC, t.MACHash, len(hs.team))]
		}
	default:
		// IP hash and LACP pick per flow over the team (uplink()).
		hs.port = -1
	}
	return old, hs.port
}

// placePorts places every host's FT port at t = 0 and tells the switches
// where its MAC is.
func (e *engine) placePorts() {
	for i := range e.nw.hosts {
		hi := hostID(i)
		e.retarget(hi, false)
		e.nw.learned[hi] = e.portLocation(hi)
	}
}

// portChoice is originating port ID's choice: the pinned vmnic if usable,
// else port ID mod team size (docs/model.md 1.2).
func (e *engine) portChoice(hs *hostState) nicID {
	if hs.h.Pin != "" {
		if ni, ok := hs.byName[hs.h.Pin]; ok && e.nw.nics[ni].usable && slices.Contains(hs.team, ni) {
			return ni
		}
	}
	if len(hs.team) == 0 {
		return -1
	}
	return hs.team[model.PortIDIndex(hs.h.PortID, len(hs.team))]
}

// portLocation is where the switches learn the host's MAC: its LAG, or the
// vmnic its FT port sends on.
func (e *engine) portLocation(hi hostID) int {
	hs := &e.nw.hosts[hi]
	p := hs.port // port-based policies and MAC hash: the uplink retarget chose
	if lb := hs.h.Teaming.LoadBalancing; lb == model.IPHash || lb == model.LACP {
		if len(hs.team) == 0 {
			return -1
		}
		p = hs.team[0] // any member: the switch learns the MAC on the LAG
	}
	if p >= 0 && e.nw.nics[p].lag >= 0 {
		return int(-2 - e.nw.nics[p].lag)
	}
	return int(p)
}

// teamChanged records failover / failback and notifies the switches.
// Port-based policies move the FT port as a whole; hash policies move
// flows, so each move of a flow from one uplink to another is an event.
func (e *engine) teamChanged(hi hostID, recovered bool) {
	hs := &e.nw.hosts[hi]
	kind := results.EventFailover
	if recovered {
		kind = results.EventFailback
	}
	name := func(ni nicID) string { return hs.h.Name + "/" + e.nw.nics[ni].name }
	if isHashPolicy(hs.h.Teaming.LoadBalancing) {
		before := e.flowUplinks(hi)
		e.retarget(hi, recovered)
		after := e.flowUplinks(hi)
		type move struct{ from, to int }
		var seen []move
		for i := range before {
			mv := move{before[i], after[i]}
			if mv.from == mv.to || mv.to < 0 || slices.Contains(seen, mv) {
				continue
			}
			seen = append(seen, mv)
			from := ""
			if mv.from >= 0 {
				from = name(nicID(mv.from))
			}
			e.event(kind, name(nicID(mv.to)), from, "")
		}
	} else {
		old, cur := e.retarget(hi, recovered)
		if old != cur && cur >= 0 {
			from := ""
			if old >= 0 {
				from = name(old)
			}
			e.event(kind, name(cur), from, "")
		}
	}
	if hs.h.Teaming.NotifySwitches {
		// RARP on failover: the switches relearn the MAC at once
		// (docs/model.md 1.8, Notify switches).
		if loc := e.portLocation(hi); loc != -1 {
			e.nw.learned[hi] = loc
		}
	}
}

func isHashPolicy(p model.Policy) bool {
	return p == model.MACHash || p == model.IPHash || p == model.LACP
}

// flowUplinks returns the uplink of every FT flow the host sends, in VM
// order (the primary's log flow, the secondary's ack flow).
func (e *engine) flowUplinks(hi hostID) []int {
	var out []int
	for _, v := range e.vms {
		if hostID(v.pri) == hi && v.sec >= 0 {
			out = append(out, int(e.uplink(int(hi), &v.fwd)))
		}
		if hostID(v.sec) == hi {
			out = append(out, int(e.uplink(int(hi), &v.rev)))
		}
	}
	return out
}

// killLink marks a link dead: frames queued on it are lost.
func (e *engine) setDead(l linkID, dead bool) {
	lk := &e.nw.links[l]
	if dead && !lk.dead {
		lk.epoch++
		lk.diedAt = e.now
		e.nw.deaths++
		if lk.free > e.now {
			lk.free = e.now
		}
	}
	lk.dead = dead
}

// refreshNic recomputes the liveness of a vmnic's two queues.
func (e *engine) refreshNic(ni nicID) {
	n := &e.nw.nics[ni]
	dead := !n.alive()
	e.setDead(n.tx, dead)
	e.setDead(n.rx, dead)
}

// detectDelay is when the host notices a failure of one of its uplinks
// (docs/model.md "Detection timing"): link status sees link-down after
// link_detect; beacon probing sees upstream failures at the misses-th probe
// after it; LACP's LACPDU loss after 3 x 1 s (fast) or 3 x 30 s (slow).
// ok is false when the failure is never detected.
func (e *engine) detectAt(hi hostID, t float64, linkDown bool) (float64, bool) {
	tm := &e.nw.hosts[hi].h.Teaming
	if linkDown {
		return t + float64(tm.LinkDetect), true
	}
	if tm.LoadBalancing == model.LACP {
		if tm.LACPTimeout == "fast" {
			return t + 3, true
		}
		return t + 90, true
	}
	if tm.FailureDetection == model.BeaconProbing {
		// docs/model.md "Detection timing" for any team size; with two uplinks
		// the outcome is shotgun mode, not a failover (see ambiguous).
		iv := float64(tm.BeaconInterval)
		k := math.Floor(t/iv) + float64(tm.BeaconMisses)
		return k * iv, true
	}
	return 0, false
}

// ambiguous reports whether beacon probing on this host cannot tell which
// uplink failed (fewer than three uplinks: docs/model.md 1.8).
func (e *engine) ambiguous(hi hostID, linkDown bool) bool {
	tm := &e.nw.hosts[hi].h.Teaming
	return !linkDown && tm.LoadBalancing != model.LACP && tm.FailureDetection == model.BeaconProbing &&
		len(tm.Active)+len(tm.Standby) < 3
}
