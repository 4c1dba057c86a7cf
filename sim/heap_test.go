package sim

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// textbook is the plain 4-ary heap quad must equal item for item: a
// scan for the smallest child (ties to the lower index), and a walk down
// that stops at the first level whose smallest child is not below x.
type textbook struct{ a []item }

func (q *textbook) push(x item) {
	q.a = append(q.a, x)
	i := len(q.a) - 1
	for i > 0 {
		p := (i - 1) / 4
		if q.a[p].t <= x.t {
			break
		}
		q.a[i] = q.a[p]
		i = p
	}
	q.a[i] = x
}

func (q *textbook) siftDown(x item) {
	n, i := len(q.a), 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for k := c + 1; k < c+4 && k < n; k++ {
			if q.a[k].t < q.a[m].t {
				m = k
			}
		}
		if x.t <= q.a[m].t {
			break
		}
		q.a[i] = q.a[m]
		i = m
	}
	q.a[i] = x
}

// pop moves the last item to the root and sifts it down.
func (q *textbook) pop() item {
	top, last := q.a[0], len(q.a)-1
	q.a[0], q.a = q.a[last], q.a[:last]
	if last > 0 {
		q.siftDown(q.a[0])
	}
	return top
}

// TestQuadMatchesTextbook drives quad and the textbook heap with the same
// pushes, pops and hole fills (evHeap's pop-then-push as one sift), times
// drawn from few values so that ties abound, and requires the same items
// in the same slots after every step: the order of equal times, which the
// heap's shape decides, is part of a run's result.
func TestQuadMatchesTextbook(t *testing.T) {
	for seed := uint64(0); seed < 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 1))
		var q quad
		var ref textbook
		distinct := 1 + r.IntN(40) // few distinct times: many ties
		next := int32(0)
		draw := func() item {
			next++
			return item{t: float64(r.IntN(distinct)), ref: next}
		}
		for step := 0; step < 3000; step++ {
			switch op := r.IntN(10); {
			case op < 4 || len(ref.a) == 0:
				x := draw()
				q.push(x)
				ref.push(x)
			case op < 7:
				if a, b := q.pop(), ref.pop(); a != b {
					t.Fatalf("seed %d step %d: pop %v, textbook %v", seed, step, a, b)
				}
			default: // the top taken and its slot refilled by one sift
				x := draw()
				q.siftDown(x)
				ref.siftDown(x)
			}
			if len(q.a) != len(ref.a) {
				t.Fatalf("seed %d step %d: %d items, textbook %d", seed, step, len(q.a), len(ref.a))
			}
			for i := range q.a {
				if q.a[i] != ref.a[i] {
					t.Fatalf("seed %d step %d: slot %d holds %v, textbook %v", seed, step, i, q.a[i], ref.a[i])
				}
			}
		}
	}
}

// TestQuadLayout: at every size a heap grows to, item 1 starts a cache
// line, so the four children of each item share one line (quad.grow).
func TestQuadLayout(t *testing.T) {
	var q quad
	for i := 0; i < 5000; i++ {
		q.push(item{t: float64(i % 7)})
		if len(q.a) > 1 {
			if addr := uintptr(unsafe.Pointer(&q.a[1])); addr%64 != 0 {
				t.Fatalf("%d items: item 1 at offset %d in its line", len(q.a), addr%64)
			}
		}
	}
}

// TestLaneOrder: with items pushed into the heaps and the lane at random
// (the lane's in and out of time order, which it sends to the heaps), the
// calendar gives back every item, earliest first, a heap item before a
// lane item of the same time, and a push leaves the lane about twice its
// backlog.
func TestLaneOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 80))
	for round := 0; round < 50; round++ {
		var h evHeap
		h.horizon = 1
		pending := map[int32]float64{}
		laned := map[int32]bool{}
		ref := int32(0)
		last := -1.0
		for step := 0; step < 3000; step++ {
			for k := rng.IntN(3); k > 0; k-- {
				at := h.now + float64(rng.IntN(8))/4 // many equal times
				if rng.IntN(2) == 0 {
					laned[ref] = h.laneHead == len(h.lane) || h.lane[len(h.lane)-1].t <= at
					h.pushLane(at, ref)
					if backlog := len(h.lane) - h.laneHead; len(h.lane) > 2*backlog+65 {
						t.Fatalf("round %d: a lane of %d items holds %d", round, len(h.lane), backlog)
					}
				} else {
					h.push(at, evHop, ref, 0)
				}
				pending[ref] = at
				ref++
			}
			it, ok := h.next(1e18)
			if !ok {
				continue
			}
			want, in := pending[it.ref]
			switch {
			case !in || want != it.t:
				t.Fatalf("round %d: item %d at %g, pushed at %g (pending %v)", round, it.ref, it.t, want, in)
			case it.t < last:
				t.Fatalf("round %d: item at %g after one at %g", round, it.t, last)
			case h.fromLane != laned[it.ref]:
				t.Fatalf("round %d: item %d taken from the lane %v, pushed into it %v", round, it.ref, h.fromLane, laned[it.ref])
			}
			if h.fromLane {
				for r, at := range pending {
					if !laned[r] && at <= it.t {
						t.Fatalf("round %d: a lane item at %g before a heap item at %g", round, it.t, at)
					}
				}
			}
			last = it.t
			delete(pending, it.ref)
			h.settle()
		}
		for len(pending) > 0 {
			it, ok := h.next(1e18)
			if !ok {
				t.Fatalf("round %d: %d items never came back", round, len(pending))
			}
			delete(pending, it.ref)
			h.settle()
		}
	}
}
