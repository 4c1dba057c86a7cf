package sim

import (
	"math"

	"github.com/fschuetz04/simgo"

	"github.com/ftsim/ftsim/model"
)

// atControl schedules fn as a simgo event at time t; the data plane is
// caught up to t before fn runs.
func (e *engine) atControl(t float64, fn func()) {
	if t < e.k.Now() {
		t = e.k.Now()
	}
	ev := e.k.Timeout(t - e.k.Now())
	e.pending[ev] = struct{}{}
	ev.AddHandler(func(ev *simgo.Event) {
		delete(e.pending, ev)
		e.sync(e.k.Now())
		fn()
	})
}

// uplink returns the vmnic the host's FT port sends a flow on now, or -1.
func (e *engine) uplink(hi int, f *model.Flow) int {
	hs := &e.nw.hosts[hi]
	t := &hs.h.Teaming
	switch t.LoadBalancing {
	case model.MACHash:
		if len(hs.team) == 0 {
			return -1
		}
		return hs.team[model.MACIndex(f.SrcMAC, t.MACHash, len(hs.team))]
	case model.IPHash:
		if len(hs.team) == 0 {
			return -1
		}
		return hs.team[model.IPHashIndex(f.SrcIP, f.DstIP, t.IPHash, len(hs.team))]
	case model.LACP:
		if len(hs.team) == 0 {
			return -1
		}
		return hs.team[model.LAGIndex(t.LACPHash, *f, len(hs.team))]
	}
	return hs.port
}

// usable is the host's view of its vmnic.
func (e *engine) usableFn(hi int) func(string) bool {
	hs := &e.nw.hosts[hi]
	return func(name string) bool {
		ni, ok := hs.byName[name]
		return ok && e.nw.nics[ni].usable
	}
}

// retarget recomputes the host's team and its FT port's uplink after a
// change of what the host sees (detection, recovery, LBT). initial is true
// at t = 0. It returns the old and new uplink of the port.
func (e *engine) retarget(hi int, recovered bool) (int, int) {
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
	default:
		// Hash policies pick per frame over the team; the host's port
		// location for MAC learning is its first choice.
		hs.port = -1
		if len(hs.team) > 0 {
			hs.port = hs.team[0]
		}
	}
	return old, hs.port
}

// portChoice is originating port ID's choice: the pinned vmnic if usable,
// else port ID mod team size (reference 1.2).
func (e *engine) portChoice(hs *hostState) int {
	if hs.h.Pin != "" {
		if ni, ok := hs.byName[hs.h.Pin]; ok && e.nw.nics[ni].usable && containsInt(hs.team, ni) {
			return ni
		}
	}
	if len(hs.team) == 0 {
		return -1
	}
	return hs.team[model.PortIDIndex(hs.h.PortID, len(hs.team))]
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// portLocation is where the switches learn the host's MAC: its LAG, or the
// vmnic its FT port sends on.
func (e *engine) portLocation(hi int) int {
	hs := &e.nw.hosts[hi]
	p := hs.port
	if hs.h.Teaming.LoadBalancing == model.IPHash || hs.h.Teaming.LoadBalancing == model.LACP ||
		hs.h.Teaming.LoadBalancing == model.MACHash {
		if len(hs.team) == 0 {
			return -1
		}
		p = hs.team[0]
		if hs.h.Teaming.LoadBalancing == model.MACHash {
			p = hs.team[model.MACIndex(hs.h.FTMAC, hs.h.Teaming.MACHash, len(hs.team))]
		}
	}
	if p >= 0 && e.nw.nics[p].lag >= 0 {
		return -2 - e.nw.nics[p].lag
	}
	return p
}

// teamChanged records failover / failback and notifies the switches.
func (e *engine) teamChanged(hi int, recovered bool) {
	old, cur := e.retarget(hi, recovered)
	hs := &e.nw.hosts[hi]
	if old != cur && cur >= 0 {
		kind := "failover"
		if recovered {
			kind = "failback"
		}
		from := ""
		if old >= 0 {
			from = hs.h.Name + "/" + e.nw.nics[old].name
		}
		e.event(kind, hs.h.Name+"/"+e.nw.nics[cur].name, from, "")
	}
	if hs.h.Teaming.NotifySwitches {
		// RARP on failover: the switches relearn the MAC at once
		// (reference 1.8, Notify switches).
		if loc := e.portLocation(hi); loc != -1 {
			e.nw.learned[hi] = loc
		}
	}
}

// killLink marks a link dead: frames queued on it are lost.
func (e *engine) setDead(l int, dead bool) {
	lk := &e.nw.links[l]
	if dead && !lk.dead {
		lk.epoch++
		lk.diedAt = e.now
		if lk.free > e.now {
			lk.free = e.now
		}
	}
	lk.dead = dead
}

// refreshNic recomputes the liveness of a vmnic's two queues.
func (e *engine) refreshNic(ni int) {
	n := &e.nw.nics[ni]
	dead := !n.alive()
	e.setDead(n.tx, dead)
	e.setDead(n.rx, dead)
}

// detectDelay is when the host notices a failure of one of its uplinks
// (DESIGN.md "Detection timing"): link status sees link-down after
// link_detect; beacon probing sees upstream failures at the misses-th probe
// after it; LACP's LACPDU loss after 3 x 1 s (fast) or 3 x 30 s (slow).
// ok is false when the failure is never detected.
func (e *engine) detectAt(hi int, t float64, linkDown bool) (float64, bool) {
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
	if tm.FailureDetection == model.BeaconProbing && len(tm.Active)+len(tm.Standby) >= 3 {
		iv := float64(tm.BeaconInterval)
		k := math.Floor(t/iv) + float64(tm.BeaconMisses)
		return k * iv, true
	}
	return 0, false
}
