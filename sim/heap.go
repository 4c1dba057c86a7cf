package sim

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

// evHeap is a 4-ary min-heap of items by time, typed and allocation-free in
// steady state: the data plane's own calendar, advanced lazily by the
// control events simgo owns (see doc.go). Ties break by the heap's own
// deterministic order, so a run is still a pure function of its inputs.
type evHeap struct {
	a []item
	// hole is true while the top item has been taken (see take) and not
	// yet removed: the next push fills the hole with one sift-down instead
	// of a pop and a push.
	hole bool
}

// take returns the earliest item and leaves its slot to be refilled by the
// next push; settle removes it if no push came.
func (h *evHeap) take() item {
	h.hole = true
	return h.a[0]
}

func (h *evHeap) settle() {
	if h.hole {
		h.hole = false
		h.pop()
	}
}

func (h *evHeap) push(t float64, kind uint8, ref int32, ver uint32) {
	x := item{t: t, ref: ref, kv: uint32(kind) | ver<<4}
	if h.hole {
		h.hole = false
		h.siftDown(x)
		return
	}
	a := append(h.a, x)
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
	h.a = a
}

func (h *evHeap) len() int { return len(h.a) }

func (h *evHeap) top() float64 { return h.a[0].t }

func (h *evHeap) pop() item {
	top := h.a[0]
	n := len(h.a) - 1
	x := h.a[n]
	h.a = h.a[:n]
	if n > 0 {
		h.siftDown(x)
	}
	return top
}

// siftDown places x at the root and restores the heap order.
func (h *evHeap) siftDown(x item) {
	a := h.a
	n := len(a)
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		mt := a[c].t
		e := min(c+4, n)
		for k := c + 1; k < e; k++ {
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
