package sim

// item is one pending data-plane event: a message reaching its next hop,
// a source producing its next message, a heartbeat or a retransmission.
type item struct {
	t    float64
	seq  uint64 // insertion order: ties break first-scheduled first
	kind uint8
	ver  uint32 // for kinds that can be rescheduled: stale entries are skipped
	ref  int32
}

// evHeap is a 4-ary min-heap of items by (t, seq), typed and allocation-free
// in steady state: the data plane's own calendar, advanced lazily by the
// control events simgo owns (see doc.go).
type evHeap struct {
	a   []item
	seq uint64
}

func (h *evHeap) less(i, j int) bool {
	a, b := &h.a[i], &h.a[j]
	return a.t < b.t || (a.t == b.t && a.seq < b.seq)
}

func (h *evHeap) push(t float64, kind uint8, ref int32, ver uint32) {
	h.seq++
	h.a = append(h.a, item{t: t, seq: h.seq, kind: kind, ver: ver, ref: ref})
	i := len(h.a) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !h.less(i, p) {
			break
		}
		h.a[i], h.a[p] = h.a[p], h.a[i]
		i = p
	}
}

func (h *evHeap) len() int { return len(h.a) }

func (h *evHeap) top() float64 { return h.a[0].t }

func (h *evHeap) pop() item {
	top := h.a[0]
	n := len(h.a) - 1
	h.a[0] = h.a[n]
	h.a = h.a[:n]
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for k := c + 1; k < c+4 && k < n; k++ {
			if h.less(k, m) {
				m = k
			}
		}
		if !h.less(m, i) {
			break
		}
		h.a[i], h.a[m] = h.a[m], h.a[i]
		i = m
	}
	return top
}
