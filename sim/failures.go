package sim

import (
	"github.com/ftsim/ftsim/results"

	"math"
	"math/rand/v2"
	"strconv"

	"github.com/ftsim/ftsim/model"
)

// stpHold is how long a switch port without PortFast blocks a recovered
// link (docs/model.md 1.8, Physical switch: ~30 s of STP initialisation).
const stpHold = 30.0

// scheduleFailure plans one failure and its recovery as control events.
func (e *engine) scheduleFailure(f model.Failure) {
	at := float64(f.At)
	e.atControl(at, func() { e.fail(f) })
	if f.DownFor > 0 {
		e.atControl(at+float64(f.DownFor), func() { e.recover(f) })
	}
}

func (e *engine) fail(f model.Failure) {
	nw := e.nw
	e.event(results.EventFailure, f.Target(), "", failDetail(f))
	switch f.What {
	case model.FailVmnic:
		hi := nw.hostIx[f.Host]
		ni := nw.hosts[hi].byName[f.Vmnic]
		n := &nw.nics[ni]
		if f.Mode == "lossy" {
			e.setLoss(n.tx, f.Loss)
			e.setLoss(n.rx, f.Loss)
			return
		}
		linkDown := f.Mode != "upstream"
		if linkDown {
			n.linkUp = false
		} else {
			n.pathOK = false
		}
		e.refreshNic(ni)
		e.planDetection(hi, ni, linkDown)
	case model.FailSwitch:
		si := nw.swIdx[f.Switch]
		nw.sws[si].down = true
		for i := range nw.nics {
			if ni := nicID(i); nw.nics[ni].sw == si {
				nw.nics[ni].swDown = true
				e.refreshNic(ni)
				e.planDetection(nw.nics[ni].host, ni, true)
			}
		}
		for i := range nw.isls {
			if is := &nw.isls[i]; is.a == si || is.b == si {
				e.setISLDead(is, true)
			}
		}
	case model.FailISL:
		for i := range nw.isls {
			is := &nw.isls[i]
			if e.islMatches(is, f.ISL) && f.Mode == "lossy" {
				e.setLoss(is.ab, f.Loss)
				e.setLoss(is.ba, f.Loss)
			} else if e.islMatches(is, f.ISL) {
				is.down = true
				e.setISLDead(is, true)
			}
		}
	case model.FailHost:
		hi := nw.hostIx[f.Host]
		nw.hosts[hi].down = true
		for _, ni := range nw.hosts[hi].nics {
			nw.nics[ni].hostDown = true
			e.refreshNic(ni)
		}
		for _, v := range e.vms {
			if hostID(v.pri) == hi || hostID(v.sec) == hi {
				v.account(e, e.now)
				if v.unprotSince < 0 && (v.protected || v.resyncing) {
					v.unprotSince = e.now // unprotected from the host failure on
				}
			}
		}
	}
}

func failDetail(f model.Failure) string {
	if f.Mode == "lossy" {
		return "lossy " + strconv.FormatFloat(f.Loss, 'g', -1, 64)
	}
	if f.What == model.FailVmnic {
		if f.Mode == "" {
			return "link_down"
		}
		return f.Mode
	}
	return ""
}

// setISLDead kills or revives both directions of an inter-switch link.
func (e *engine) setISLDead(is *islState, dead bool) {
	e.setDead(is.ab, dead)
	e.setDead(is.ba, dead)
}

func (e *engine) islMatches(is *islState, p [2]string) bool {
	a, b := e.nw.sws[is.a].name, e.nw.sws[is.b].name
	return (a == p[0] && b == p[1]) || (a == p[1] && b == p[0])
}

// planDetection schedules the host noticing a dead uplink, and the switch
// side dropping it from an LACP LAG.
func (e *engine) planDetection(hi hostID, ni nicID, linkDown bool) {
	td, ok := e.detectAt(hi, e.now, linkDown)
	n := &e.nw.nics[ni]
	if n.lag >= 0 && e.nw.lags[n.lag].lacp && !linkDown {
		tl := e.now + 90
		if e.nw.hosts[hi].h.Teaming.LACPTimeout == "fast" {
			tl = e.now + 3
		}
		e.atControl(tl, func() {
			if !n.alive() {
				n.lagDead = true
			}
		})
	}
	if !ok {
		return
	}
	e.atControl(td, func() {
		if n.alive() || !n.usable || n.shotgun {
			return
		}
		if e.ambiguous(hi, linkDown) {
			n.shotgun = true
			e.nw.hosts[hi].shotgun++
			e.event(results.EventDetected, e.nw.hosts[hi].h.Name+"/"+n.name, "", "beacon probing with 2 uplinks: sending on both")
			return
		}
		n.usable = false
		e.event(results.EventDetected, e.nw.hosts[hi].h.Name+"/"+n.name, "", detectHow(e.nw.hosts[hi].h, linkDown))
		e.teamChanged(hi, false)
	})
}

func detectHow(h *model.Host, linkDown bool) string {
	switch {
	case linkDown:
		return "link status"
	case h.Teaming.LoadBalancing == model.LACP:
		return "LACPDU timeout"
	}
	return "beacon probing"
}

func (e *engine) recover(f model.Failure) {
	nw := e.nw
	e.event(results.EventRecovery, f.Target(), "", failDetail(f))
	var nics []nicID
	switch f.What {
	case model.FailVmnic:
		hi := nw.hostIx[f.Host]
		ni := nw.hosts[hi].byName[f.Vmnic]
		if f.Mode == "lossy" {
			e.setLoss(nw.nics[ni].tx, 0)
			e.setLoss(nw.nics[ni].rx, 0)
			return
		}
		if f.Mode == "upstream" {
			nw.nics[ni].pathOK = true
		} else {
			nw.nics[ni].linkUp = true
		}
		nics = append(nics, ni)
	case model.FailSwitch:
		si := nw.swIdx[f.Switch]
		nw.sws[si].down = false
		for i := range nw.nics {
			if ni := nicID(i); nw.nics[ni].sw == si {
				nw.nics[ni].swDown = false
				nics = append(nics, ni)
			}
		}
		for i := range nw.isls {
			is := &nw.isls[i]
			if (is.a == si || is.b == si) && !is.down {
				e.setISLDead(is, false)
			}
		}
	case model.FailISL:
		for i := range nw.isls {
			is := &nw.isls[i]
			if e.islMatches(is, f.ISL) && f.Mode == "lossy" {
				e.setLoss(is.ab, 0)
				e.setLoss(is.ba, 0)
			} else if e.islMatches(is, f.ISL) {
				is.down = false
				if !nw.sws[is.a].down && !nw.sws[is.b].down {
					e.setISLDead(is, false)
				}
			}
		}
	case model.FailHost:
		hi := nw.hostIx[f.Host]
		nw.hosts[hi].down = false
		for _, ni := range nw.hosts[hi].nics {
			nw.nics[ni].hostDown = false
			nics = append(nics, ni)
		}
	}
	for _, ni := range nics {
		e.recoverNic(ni)
	}
}

// recoverNic brings a vmnic back: after STP's hold when the switch port has
// no PortFast, and into the team after Net.TeamPolicyUpDelay (docs/model.md 1.8).
func (e *engine) recoverNic(ni nicID) {
	n := &e.nw.nics[ni]
	sw := e.sc.SwitchByName(e.nw.sws[n.sw].name)
	hold := 0.0
	if sw != nil && !sw.Portfast && n.linkUp {
		hold = stpHold
		n.pathOK = false // link up, port still blocking
		e.atControl(e.now+hold, func() {
			n.pathOK = true
			e.refreshNic(ni)
		})
	}
	e.refreshNic(ni)
	n.lagDead = false
	hi := n.host
	if n.shotgun && n.alive() {
		n.shotgun = false
		e.nw.hosts[hi].shotgun--
	}
	e.atControl(e.now+float64(e.nw.hosts[hi].h.Teaming.FailbackDelay), func() {
		if n.usable || !n.linkUp || n.swDown || n.hostDown {
			return
		}
		n.usable = true
		e.teamChanged(hi, true)
	})
}

// lbt is "Route based on physical NIC load": every interval, a port whose
// uplink's mean send or receive utilisation exceeded the threshold moves to
// the least loaded other uplink; at most one move per interval (reference
// 1.5). t is the host's teaming under NIC load: the host's own, or, in a
// run that watches NIC load's checks for another (share.go), that run's,
// and then the check only notes a move and makes no more checks.
func (e *engine) lbt(hi int, t *model.Teaming) {
	hs := &e.nw.hosts[hi]
	watch := hs.h.Teaming.LoadBalancing != model.NICLoad
	iv := float64(t.LBTInterval)
	if hs.port >= 0 && !hs.down {
		load := func(ni nicID) float64 {
			n := &e.nw.nics[ni]
			return max(e.meanUtil(n.tx, e.now-iv, e.now), e.meanUtil(n.rx, e.now-iv, e.now))
		}
		if cur := load(hs.port); cur > t.LBTThreshold {
			best, bl := nicID(-1), cur
			for _, ni := range hs.team {
				if ni != hs.port {
					if l := load(ni); l < bl {
						best, bl = ni, l
					}
				}
			}
			if best >= 0 && watch {
				e.lbtMoved = true
				return
			}
			if best >= 0 {
				moved := e.changePath(func() {
					old := hs.port
					hs.port = best
					e.event(results.EventLBTMove, hs.h.Name+"/"+e.nw.nics[best].name, hs.h.Name+"/"+e.nw.nics[old].name, "")
					if t.NotifySwitches {
						e.nw.learned[hi] = e.portLocation(hostID(hi))
					}
				})
				if !moved {
					return
				}
			}
		}
	}
	if e.now+iv < e.end {
		e.atCtl(e.now+iv, ctl{kind: ctlLBT, i: int32(hi), t: t})
	}
}

// meanUtil is the link's wire-busy fraction over [a, b), whole seconds.
func (e *engine) meanUtil(l linkID, a, b float64) float64 {
	busy := e.nw.links[l].st.busySeconds()
	s := 0.0
	for i := max(0, int(a)); i < int(b) && i < len(busy); i++ {
		s += busy[i]
	}
	if b <= a {
		return 0
	}
	return s / (b - a)
}

// setLoss makes link l drop each frame with probability p (a lossy
// failure; 0 ends it). The draws come from a stream of the link's own,
// seeded from the run's seed and the link's index, so they do not depend
// on other traffic's draws.
func (e *engine) setLoss(l linkID, p float64) {
	lk := &e.nw.links[l]
	lk.loss, lk.lossy = p, p > 0
	if lk.lossRng == nil {
		lk.lossRng = rand.New(rand.NewPCG(e.seed^0x6c6f7373, uint64(l)+1))
	}
}

// drawLoss draws whether message ms is lost on this link: it is when any
// of its frames is (one frame per MSS of payload; acks and heartbeats are
// one).
func (lk *link) drawLoss(ms *msg) bool {
	frames := math.Max(1, math.Round((ms.wire-ms.payload)/frameOverhead))
	return lk.lossRng.Float64() < 1-math.Pow(1-lk.loss, frames)
}
