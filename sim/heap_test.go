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
