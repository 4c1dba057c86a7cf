package sim

import "github.com/ftsim/ftsim/model"

// fuse joins tandem queues. A host's vmnic TX queue whose every frame goes
// to one switch port, when that port has no other feeder, forms a tandem
// with it: the port's arrivals are the TX queue's departures plus a fixed
// latency, in the same order, so the port's Lindley recursion can be
// applied when the frame enters the TX queue instead of at its own event.
// That saves one event per message per fused hop and changes no result.
//
// It holds only while the network's paths cannot change, so fuse is
// called only for runs without failures, without LBT, and it counts every
// pair a re-protection could create (any host as a new secondary).
func (e *engine) fuse() {
	nw := e.nw
	for _, hs := range nw.hosts {
		if hs.h.Teaming.LoadBalancing == model.NICLoad {
			return
		}
	}
	const none, many = -1, -2
	dest := make([]int, len(nw.links))    // tx link -> the one port it feeds
	feeders := make([]int, len(nw.links)) // port -> the one tx link feeding it
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
	mark := func(from, to int, f *model.Flow) {
		u := e.uplink(from, f)
		if u < 0 {
			return
		}
		tx := nw.nics[u].tx
		loc := nw.learned[to]
		nic := loc
		if loc <= -2 {
			nic = e.lagMember(&nw.lags[-2-loc], f)
		}
		if nic < 0 || nw.nics[nic].sw != nw.nics[u].sw {
			dest[tx] = many
			if nic >= 0 {
				feeders[nw.nics[nic].rx] = many
			}
			return
		}
		rx := nw.nics[nic].rx
		join(dest, tx, rx)
		join(feeders, rx, tx)
	}
	for _, v := range e.vms {
		for c := range nw.hosts {
			if c == v.pri {
				continue
			}
			fwd, rev := e.pairFlows(v, v.pri, c)
			mark(v.pri, c, &fwd)
			mark(c, v.pri, &rev)
		}
	}
	for _, b := range e.bgs {
		if nw.links[b.link].dir == "rx" {
			feeders[b.link] = many
		}
	}
	for tx, rx := range dest {
		if rx >= 0 && feeders[rx] == tx {
			nw.links[tx].fused = int32(rx)
			nw.links[rx].ahead = true
		}
	}
}

// pairFlows returns the flows a VM would have between hosts pri and sec.
func (e *engine) pairFlows(v *vmState, pri, sec int) (model.Flow, model.Flow) {
	p, s := e.nw.hosts[pri].h, e.nw.hosts[sec].h
	fwd := model.Flow{SrcIP: p.FTIP, DstIP: s.FTIP, SrcMAC: p.FTMAC, DstMAC: s.FTMAC, PortID: p.PortID,
		SrcPort: uint16(model.FTSrcPortBase + v.idx), DstPort: model.FTDstPort}
	return fwd, fwd.Reverse(s.PortID)
}
