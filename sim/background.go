package sim

import (
	"github.com/ftsim/ftsim/model"
)

// bgSource is background traffic on one uplink: it loads the vmnic's TX
// queue (or, with direction rx, the switch port toward it), is absorbed by
// the switch and does not fail over (docs/model.md "Patterns").
type bgSource struct {
	idx     int
	src     *source
	link    int
	host    int
	payload float64
	wire    float64
	vnext   float64
}

func (e *engine) newBackground(i int, b model.Background, msgBytes float64) *bgSource {
	hi := e.nw.hostIx[b.Host]
	ni := e.nw.hosts[hi].byName[b.Vmnic]
	l := e.nw.nics[ni].tx
	if b.Direction == "rx" {
		l = e.nw.nics[ni].rx
	}
	bs := &bgSource{idx: i, link: int(l), host: int(hi), payload: msgBytes,
		wire: wireBytes(msgBytes, e.nw.hosts[hi].h.MTU),
		src:  newSource(b.Logging, msgBytes, e.seed, "bg/"+b.Host+"/"+b.Vmnic+"/"+string(rune('0'+i)))}
	bs.vnext = bs.src.next(0)
	if bs.vnext < e.end {
		e.h.push(bs.vnext, evBG, int32(i), 0)
	}
	return bs
}

func (e *engine) bgNext(b *bgSource) {
	m := e.alloc()
	to := int32(-1)
	if e.nw.links[b.link].dir == "rx" {
		to = int32(b.host)
	}
	e.msgs[m] = msg{kind: kBG, vm: -1, from: int32(b.host), to: to, payload: b.payload, wire: b.wire, created: e.now, next: -1}
	lk := &e.nw.links[b.link]
	if lk.dead {
		e.release(m)
	} else {
		e.enqueue(m, b.link)
	}
	b.vnext = b.src.next(b.vnext)
	if b.vnext < e.end {
		e.h.push(b.vnext, evBG, int32(b.idx), 0)
	}
}
