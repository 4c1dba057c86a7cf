package sim

import (
	"math"
	"unsafe"
)

// item is one pending data-plane event: a message reaching the end of a
// hop, a source producing its next message, a heartbeat or a
// retransmission. 16 bytes: the time, a reference and the kind packed with
// a version (for kinds that can be rescheduled: stale entries are skipped).
type item struct {
	t   float64
	ref int32
	kv  uint32 // kind in the low 4 bits, version above
}

func (it item) kind() uint8 { return uint8(it.kv & 15) }
func (it item) ver() uint32 { return it.kv >> 4 }

// evHeap is the data plane's own calendar, advanced lazily by the control
// events simgo owns (see doc.go): two typed 4-ary min-heaps by time,
// allocation-free in steady state. Events due within the horizon of the
// current time (a message's next hop) go to the small near heap; those
// further out (the next production of a VM, heartbeats, retransmissions)
// to the far heap, so the frequent pushes and pops sift through few levels.
// Ties break by the heaps' own deterministic order, so a run is still a
// pure function of its inputs. Arrivals known to come in time order may
// wait in a FIFO lane beside the heaps instead (pushLane).
type evHeap struct {
	near, far quad
	now       float64 // the time of the event being processed
	horizon   float64
	// holeNear / holeFar: the top item of that heap has been taken (see
	// next) and not yet removed: a push into the same heap fills the hole
	// with one sift-down instead of a pop and a push.
	holeNear, holeFar bool
	pushed            int64 // events pushed in the run (dataEvents)
	// lane holds, from laneHead on, arrivals in time order that wait
	// beside the heaps instead of in them (pushLane); fromLane: the item
	// next took is lane[laneHead].
	lane     []item
	laneHead int
	fromLane bool
	laned    int64 // items pushed into the lane in the run (lanedEvents)
}

// pushLane pushes message m's arrival at the end of its hop at t: into the
// lane when it is not earlier than the lane's last item, so the lane stays
// in time order, else into the heaps. A single FT VM's log messages follow
// one path in order, so their arrivals at the secondary come in time
// order: each is then appended and taken from the lane's head, without a
// sift through a heap (engine.laneOn).
func (h *evHeap) pushLane(t float64, m int32) {
	n := len(h.lane)
	if h.laneHead < n && h.lane[n-1].t > t {
		h.push(t, evHop, m, 0)
		return
	}
	if h.laneHead == n {
		h.lane, h.laneHead = h.lane[:0], 0
	} else if h.laneHead >= 64 && h.laneHead*2 > n {
		// Taken items are dropped by moving the rest to the front, so
		// the lane stays about twice its backlog whatever the run length.
		h.lane = h.lane[:copy(h.lane, h.lane[h.laneHead:])]
		h.laneHead = 0
	}
	h.pushed++
	h.laned++
	h.lane = append(h.lane, item{t: t, ref: m, kv: uint32(evHop)})
}

func (h *evHeap) push(t float64, kind uint8, ref int32, ver uint32) {
	x := item{t: t, ref: ref, kv: uint32(kind) | ver<<4}
	h.pushed++
	if t < h.now+h.horizon {
		if h.holeNear {
			h.holeNear = false
			h.near.siftDown(x)
			return
		}
		h.near.push(x)
		return
	}
	if h.holeFar {
		h.holeFar = false
		h.far.siftDown(x)
		return
	}
	h.far.push(x)
}

// next takes the earliest item if it is due before t: its slot is left to
// be refilled by the next push, and settle removes it if no push came. The
// lane's head goes first only when it is strictly the earliest, so an item
// of the heaps goes before a lane item of the same time.
func (h *evHeap) next(t float64) (item, bool) {
	if h.laneHead < len(h.lane) {
		x := h.lane[h.laneHead]
		near, far := h.near.a, h.far.a
		if (len(near) == 0 || x.t < near[0].t) && (len(far) == 0 || x.t < far[0].t) {
			if x.t >= t {
				return item{}, false
			}
			h.fromLane = true
			h.now = x.t
			return x, true
		}
	}
	near, far := h.near.a, h.far.a
	if len(near) > 0 && (len(far) == 0 || near[0].t <= far[0].t) {
		if near[0].t >= t {
			return item{}, false
		}
		h.holeNear = true
		h.now = near[0].t
		return near[0], true
	}
	if len(far) == 0 || far[0].t >= t {
		return item{}, false
	}
	h.holeFar = true
	h.now = far[0].t
	return far[0], true
}

func (h *evHeap) settle() {
	if h.fromLane {
		h.fromLane = false
		h.laneHead++
	}
	if h.holeNear {
		h.holeNear = false
		h.near.pop()
	}
	if h.holeFar {
		h.holeFar = false
		h.far.pop()
	}
}

// clear drops every pending event.
func (h *evHeap) clear() {
	h.near.a, h.far.a = h.near.a[:0], h.far.a[:0]
	h.holeNear, h.holeFar = false, false
	h.lane, h.laneHead, h.fromLane = h.lane[:0], 0, false
}

// quad is a 4-ary min-heap of items by time.
type quad struct{ a []item }

func (q *quad) push(x item) {
	if len(q.a) == cap(q.a) {
		q.grow()
	}
	a := append(q.a, x)
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) >> 2
		if a[p].t <= x.t {
			break
		}
		a[i] = a[p]
		i = p
	}
	a[i] = x
	q.a = a
}

// grow moves the heap to an array twice as large in which item 1 starts
// a cache line: the four children of item i (4i+1 to 4i+4, 16 bytes each)
// then fill one line, and a walk down reads one line a level instead of
// two. The items keep their places, so the order is the same
// (TestQuadLayout, TestQuadMatchesTextbook).
func (q *quad) grow() {
	n := len(q.a)
	buf := make([]item, 2*n+16+3)
	r := int(uintptr(unsafe.Pointer(&buf[0])) % 64 / 16) // buf's offset in its line, in items
	off := (3 - r) & 3                                   // so that item 1 starts a line
	a := buf[off : off+n]
	copy(a, q.a)
	q.a = a
}

func (q *quad) pop() item {
	top := q.a[0]
	n := len(q.a) - 1
	x := q.a[n]
	q.a = q.a[:n]
	if n > 0 {
		q.siftDown(x)
	}
	return top
}

// siftDown places x at the root and restores the heap order.
//
// Times are never negative, so their IEEE bit patterns order like the
// times themselves: comparing them as integers lets the compiler choose
// the smallest of four children with conditional moves instead of
// branches, which the processor cannot predict for random times.
func (q *quad) siftDown(x item) {
	a := q.a
	n := len(a)
	i := 0
	xk := math.Float64bits(x.t)
	for {
		c := 4*i + 1
		if c+4 <= n { // all four children: one bounds check, no loop
			ch := a[c : c+4 : c+4]
			k0, k1 := math.Float64bits(ch[0].t), math.Float64bits(ch[1].t)
			k2, k3 := math.Float64bits(ch[2].t), math.Float64bits(ch[3].t)
			// A tournament without branches; ties go to the lower index,
			// as in a scan.
			m01, m23 := b2i(k1 < k0), 2+b2i(k3 < k2)
			k01, k23 := min(k0, k1), min(k2, k3)
			m := m01 ^ (m01^m23)&-b2i(k23 < k01)
			mk := min(k01, k23)
			if xk <= mk {
				break
			}
			a[i] = ch[m]
			i = c + m
			continue
		}
		if c >= n {
			break
		}
		m, mt := c, a[c].t
		for k := c + 1; k < n; k++ {
			if a[k].t < mt {
				m, mt = k, a[k].t
			}
		}
		if x.t <= mt {
			break
		}
		a[i] = a[m]
		i = m
	}
	a[i] = x
}

// b2i is 1 for true and 0 for false, without a branch.
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}
