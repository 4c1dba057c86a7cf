package sim

import (
	"math"
	"math/rand/v2"

	"github.com/ftsim/ftsim/model"
)

// link is one FIFO queue with a line rate: a vmnic's TX queue (host to
// switch), a switch egress port toward a vmnic (switch to host) or one
// direction of an inter-switch link. Because a FIFO at line rate is fully
// described by the time its wire is next free, departures follow from
// arrivals (Lindley) and cost no event of their own.
type link struct {
	// The fields a frame's passage reads and writes come first: they fill
	// the first cache line and the statistics the next, because a run
	// touches hundreds of links in turn (see TestLinkLayout).
	free   float64 // time the wire is next free
	inv    float64 // seconds per byte
	bps    float64 // bytes/s
	buffer float64 // wire bytes; +Inf: never drops
	lat    float64 // from the end of transmission to the next queue (switch latency; for an ISL its own latency plus the far switch's; 0 into a host)
	epoch  uint32  // bumped each time the link dies: frames queued then are lost
	// fused is the next queue when it has this link as its only feeder
	// (-1 otherwise). A queue entered ahead of time (ahead) samples its own
	// backlog at each whole second as arrivals pass it (sampleAhead).
	fused int32
	nic   int32 // index into vmnics for host links, -1 for ISLs
	sw    int32 // switch at the far end (tx, ISL) or the near end (rx)
	dead  bool  // nothing gets through (link down, upstream dead, switch or host down)
	// toHost is true for a switch port toward a host vmnic (dir rx).
	toHost bool
	// lossy: a lossy failure drops frames here (loss > 0), tested on the
	// hot line so that a frame on a clean link never reads the cold ones.
	lossy bool
	// islOnly: this port's only feeder is an ISL (fused == fuseISL there).
	islOnly bool
	// loc is where a frame leaving this vmnic TX queue teaches the switch
	// its sender's MAC: the vmnic, or -2-lag for a LAG member (learned).
	loc int32
	st  linkStats

	ahead            bool
	host, vmnic, dir string
	speed            float64 // bits/s
	diedAt           float64
	// loss is a lossy failure's frame-loss probability (0: none), drawn
	// from lossRng, a stream of its own per link.
	loss    float64
	lossRng *rand.Rand
	_       [1]uint64 // to a whole number of cache lines
}

// sampleAhead records the backlog at every whole second before an
// arrival at time a, on a queue entered ahead of time: between two
// arrivals the queue only drains, so the state after the previous arrival
// gives the backlog exactly.
func (lk *link) sampleAhead(a float64) {
	if a > float64(lk.st.sampled+1) {
		lk.sampleSeconds(a)
	}
}

func (lk *link) sampleSeconds(a float64) {
	for k := lk.st.sampled + 1; k < len(lk.st.qlen) && float64(k) < a; k++ {
		lk.st.qlen[k] = max(0, lk.free-float64(k)) * lk.bps
		lk.st.sampled = k
	}
}

// Indices into the network's slices, typed so that a host, a vmnic, a
// link (queue), a switch and a LAG cannot be passed for one another
// across the files of the engine.
type (
	hostID   int // into network.hosts
	nicID    int // into network.nics
	linkID   int // into network.links
	switchID int // into network.sws
	lagID    int // into network.lags
)

// vmnic is one host uplink with its two queues.
type vmnic struct {
	host     hostID
	name     string
	sw       switchID
	tx, rx   linkID // link indices
	linkUp   bool   // physical link state (what link-status detection sees)
	pathOK   bool   // false after an upstream failure
	swDown   bool
	hostDown bool
	// usable is the host's view: false from detection of a failure until
	// failback_delay after recovery.
	usable bool
	// lagDead: an LACP member the switch found dead by LACPDU loss.
	lagDead bool
	lag     lagID // index into lags, -1 if none
	// shotgun: an ambiguous beacon failure of this vmnic put its host in
	// shotgun mode (sending on every uplink).
	shotgun bool
}

func (n *vmnic) alive() bool { return n.linkUp && n.pathOK && !n.swDown && !n.hostDown }

type swState struct {
	name    string
	stack   string
	latency float64
	down    bool
}

type islState struct {
	a, b   switchID
	ab, ba linkID
	lat    float64
	down   bool
}

type lagState struct {
	host    hostID
	members []nicID // in LAG order
	lacp    bool
	hash    model.LAGHash
}

// hostState is a host and the state of its FT vmkernel port's teaming.
type hostState struct {
	// send reads the first four fields for every frame.
	port    nicID // current uplink of the FT port (port_id, nic_load, explicit): -1 none
	shotgun int   // ambiguous beacon failures in force: send on every uplink
	down    bool
	// hashed: the policy picks an uplink per frame by a hash (MAC hash, IP
	// hash, LACP); the others use the port's one uplink (port).
	hashed   bool
	lbtMoved bool
	teamVer  uint32
	h        *model.Host
	nics     []nicID // in host order
	byName   map[string]nicID
	team     []nicID       // the team now (see model.Team)
	lacp     model.LAGHash // the LACP policy's hash (teaming.lacp.hash)
}

// network is the topology of one run.
type network struct {
	links  []link
	nics   []vmnic
	txOf   []int32 // each vmnic's TX link: a dense copy of nics[i].tx for send
	hostOf []int32 // each vmnic's host, a dense copy for enqueueAt
	sws    []swState
	isls   []islState
	lags   []lagState
	hosts  []hostState
	swIdx  map[string]switchID
	hostIx map[string]hostID
	// Lookup tables (index): the ISL link from switch a to b at
	// islTo[a*len(sws)+b] (-1: none), each link's ISL (-1: not an ISL),
	// each switch's stack (-1: none).
	islTo   []int32
	islOf   []int32
	stackOf []int
	// learned is each host MAC's location in the switches' tables: a vmnic
	// index, or -2-lag for a LAG.
	learned []int
	// fib caches forward's choice of next queue for a frame in switch sw
	// toward host h at fib[sw*len(hosts)+h], valid while its ver is the
	// network's: ver changes whenever what forward reads may have changed
	// (every control event, a MAC moving to another port).
	fib []fibEntry
	ver uint32
	// deaths counts the links that died in the run: while none has, no
	// frame or pending ack can have been lost with its link.
	deaths int
}

// noFIB turns forward's cache off (no entry is ever filled), so tests can
// check that it never changes a result.
var noFIB bool

type fibEntry struct {
	ver  uint32
	link int32
}

// changed invalidates forward's cache.
func (nw *network) changed() { nw.ver++ }

func buildNetwork(sc *model.Scenario, nsec int) *network {
	nw := &network{swIdx: map[string]switchID{}, hostIx: map[string]hostID{}}
	for i, s := range sc.Switches {
		nw.swIdx[s.Name] = switchID(i)
		nw.sws = append(nw.sws, swState{name: s.Name, stack: s.Stack, latency: float64(s.Latency)})
	}
	addLink := func(l link) linkID {
		l.st = newLinkStats(nsec)
		l.fused = -1
		nw.links = append(nw.links, l)
		return linkID(len(nw.links) - 1)
	}
	for hi := range sc.Hosts {
		h := &sc.Hosts[hi]
		nw.hostIx[h.Name] = hostID(hi)
		lb := h.Teaming.LoadBalancing
		hs := hostState{h: h, byName: map[string]nicID{}, port: -1,
			hashed: lb == model.MACHash || lb == model.IPHash || lb == model.LACP}
		if lb == model.LACP {
			hs.lacp = model.CompileLAGHash(h.Teaming.LACPHash)
		}
		for _, v := range h.Vmnics {
			sw := nw.swIdx[v.Switch]
			buf := float64(sc.SwitchByName(v.Switch).PortBuffer)
			ni := nicID(len(nw.nics))
			tx := addLink(link{host: h.Name, vmnic: v.Name, dir: "tx", speed: float64(v.Speed), buffer: math.Inf(1), sw: int32(sw), nic: int32(ni)})
			rx := addLink(link{host: h.Name, vmnic: v.Name, dir: "rx", speed: float64(v.Speed), buffer: buf, sw: int32(sw), nic: int32(ni)})
			nw.nics = append(nw.nics, vmnic{host: hostID(hi), name: v.Name, sw: sw, tx: tx, rx: rx,
				linkUp: true, pathOK: true, usable: true, lag: -1})
			hs.nics = append(hs.nics, ni)
			hs.byName[v.Name] = ni
		}
		nw.hosts = append(nw.hosts, hs)
	}
	for _, l := range sc.ISLs {
		a, b := nw.swIdx[l.A], nw.swIdx[l.B]
		is := islState{a: a, b: b, lat: float64(l.Latency)}
		is.ab = addLink(link{vmnic: "isl:" + l.A + "~" + l.B, dir: "tx", speed: float64(l.Speed), buffer: float64(l.Buffer), sw: int32(b), nic: -1})
		is.ba = addLink(link{vmnic: "isl:" + l.A + "~" + l.B, dir: "rx", speed: float64(l.Speed), buffer: float64(l.Buffer), sw: int32(a), nic: -1})
		nw.isls = append(nw.isls, is)
	}
	for _, g := range sc.LAGs {
		hi := nw.hostIx[g.Host]
		hash := g.Hash
		if hash == "" {
			hash = model.DefaultLACPHash
		}
		ls := lagState{host: hi, lacp: g.Mode == "lacp", hash: model.CompileLAGHash(hash)}
		for _, m := range g.Vmnics {
			ni := nw.hosts[hi].byName[m]
			ls.members = append(ls.members, ni)
			nw.nics[ni].lag = lagID(len(nw.lags))
		}
		nw.lags = append(nw.lags, ls)
	}
	for i := range nw.links {
		l := &nw.links[i]
		l.toHost = l.nic >= 0 && l.dir == "rx"
		l.bps = l.speed / 8
		l.inv = 1 / l.bps
		switch {
		case l.nic < 0: // ISL: its own latency, then the far switch's
			for _, is := range nw.isls {
				if is.ab == linkID(i) || is.ba == linkID(i) {
					l.lat = is.lat + nw.sws[l.sw].latency
				}
			}
		case l.dir == "tx":
			l.lat = nw.sws[l.sw].latency
			l.loc = l.nic
			if n := &nw.nics[l.nic]; n.lag >= 0 {
				l.loc = int32(-2 - n.lag)
			}
		}
	}
	for _, n := range nw.nics {
		nw.txOf = append(nw.txOf, int32(n.tx))
		nw.hostOf = append(nw.hostOf, int32(n.host))
	}
	nw.learned = make([]int, len(nw.hosts))
	nw.fib = make([]fibEntry, len(nw.sws)*len(nw.hosts))
	nw.ver = 1
	nw.index()
	return nw
}

// toward is the queue a frame in switch sw takes toward vmnic nic: the
// vmnic's port, or the ISL toward the vmnic's switch; -1 without a path
// (unstacked switches without a live ISL).
func (nw *network) toward(sw switchID, nic nicID) linkID {
	n := &nw.nics[nic]
	if n.sw == sw {
		return n.rx
	}
	if l := nw.isl(sw, n.sw); l >= 0 && !(nw.sameStack(sw, n.sw) && nw.islDown(l)) {
		return l
	}
	if nw.sameStack(sw, n.sw) {
		return n.rx
	}
	return -1
}

// isl returns the link from switch a to switch b, or -1.
func (nw *network) isl(a, b switchID) linkID {
	return linkID(nw.islTo[int(a)*len(nw.sws)+int(b)])
}

// islDown reports whether ISL link l's inter-switch link is down.
func (nw *network) islDown(l linkID) bool {
	i := nw.islOf[l]
	return i >= 0 && nw.isls[i].down
}

// sameStack reports whether two switches act as one (same switch or stack).
func (nw *network) sameStack(a, b switchID) bool {
	return a == b || (nw.stackOf[a] >= 0 && nw.stackOf[a] == nw.stackOf[b])
}

// index fills the lookup tables forward uses on every frame: the ISL
// between each pair of switches, each link's ISL and each switch's stack.
func (nw *network) index() {
	n := switchID(len(nw.sws))
	nw.islTo = make([]int32, n*n)
	for i := range nw.islTo {
		nw.islTo[i] = -1
	}
	nw.islOf = make([]int32, len(nw.links))
	for i := range nw.islOf {
		nw.islOf[i] = -1
	}
	for i, is := range nw.isls {
		if nw.islTo[is.a*n+is.b] < 0 { // the first ISL listed between a pair carries the traffic
			nw.islTo[is.a*n+is.b] = int32(is.ab)
		}
		if nw.islTo[is.b*n+is.a] < 0 {
			nw.islTo[is.b*n+is.a] = int32(is.ba)
		}
		nw.islOf[is.ab], nw.islOf[is.ba] = int32(i), int32(i)
	}
	stacks := map[string]int{}
	nw.stackOf = make([]int, n)
	for i, sw := range nw.sws {
		nw.stackOf[i] = -1
		if sw.stack != "" {
			if _, ok := stacks[sw.stack]; !ok {
				stacks[sw.stack] = len(stacks)
			}
			nw.stackOf[i] = stacks[sw.stack]
		}
	}
}
