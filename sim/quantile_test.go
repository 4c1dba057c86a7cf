package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// TestBucketWidth: bucketWidth agrees with the library's own buckets (the
// lowest and highest values equivalent to v).
func TestBucketWidth(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		v := int64(math.Exp(rng.Float64() * math.Log(float64(histMax))))
		h := newHist()
		h.RecordValue(v)             //nolint:errcheck
		hi := h.ValueAtQuantile(100) // the bucket's highest equivalent value
		lo := hi - bucketWidth(v) + 1
		eq := h.hdr().ValuesAreEquivalent
		if lo > v || v > hi || !eq(lo, v) || (lo > 0 && eq(lo-1, v)) || eq(hi+1, v) {
			t.Fatalf("v=%d: width %d gives [%d, %d], not the library's bucket", v, bucketWidth(v), lo, hi)
		}
	}
}

// TestQuantileAccuracy: on samples from several distributions, every
// reported quantile is within 0.5 % of the exact order statistic (the
// same rank rule as HDR: the ceil(q*n)-th smallest), never above the
// maximum and never below the minimum.
func TestQuantileAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	draws := map[string]func() float64{
		"exponential 1ms": func() float64 { return rng.ExpFloat64() * 1e-3 },
		"uniform 7-9us":   func() float64 { return 7e-6 + 2e-6*rng.Float64() },
		"lognormal":       func() float64 { return math.Exp(rng.NormFloat64()*2 - 5) },
		"two points":      func() float64 { return []float64{0.2, 0.2016}[rng.IntN(2)] },
	}
	for name, draw := range draws {
		for _, n := range []int{1, 7, 100, 5000} {
			h, rd := newHist(), histReader{}
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = math.Round(draw()*1e9) / 1e9
				record(h, xs[i])
			}
			slices.Sort(xs)
			for _, q := range []float64{0.01, 0.5, 0.9, 0.99, 0.999, 1} {
				rank := max(1, int(math.Floor(q*float64(n)+0.5)))
				exact := xs[rank-1]
				got := rd.quantile(h, q)
				if math.Abs(got-exact) > 0.005*exact+1e-9 {
					t.Errorf("%s n=%d q=%g: %g, exact %g (%.3f%%)", name, n, q, got, exact, 100*(got-exact)/exact)
				}
				if got > xs[n-1]+1e-12 || got < xs[0]-1e-12 {
					t.Errorf("%s n=%d q=%g: %g outside [%g, %g]", name, n, q, got, xs[0], xs[n-1])
				}
			}
		}
	}
}

// TestHistogramMemory: the figures the README states, whatever the run:
// at most about 10 KiB, 256 bytes for each bucket recorded into.
func TestHistogramMemory(t *testing.T) {
	h := newHist()
	for i := 0; i < 100000; i++ {
		record(h, 20e-6+float64(i)*1e-9) // 20 to 120 us: buckets 7 to 9
	}
	if b := h.ByteSize(); b > 1<<10 {
		t.Errorf("a histogram of 20-120 us takes %d bytes, the README says 256 bytes a bucket", b)
	}
	for i := 0; i < 100000; i++ {
		record(h, float64(i)*1e-3)
	}
	record(h, 0)
	record(h, 1e9)
	if b := h.ByteSize(); b > 10<<10 {
		t.Errorf("a histogram grew to %d bytes, the README says at most about 10 KiB", b)
	}
}

// TestHistMatchesLibrary: the counts recorded with the computed bucket
// index are the library's, value for value, at every bucket edge (powers
// of two and their neighbours), at the ends of the range and at random.
func TestHistMatchesLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	vs := []int64{0, 1, 2, 127, 128, 255, 256, 257, 511, 512, 513, histMax - 1, histMax}
	for b := 0; b < 63; b++ {
		for _, d := range []int64{-1, 0, 1} {
			if v := int64(1)<<b + d; v >= 0 && v <= histMax {
				vs = append(vs, v)
			}
		}
	}
	for i := 0; i < 20000; i++ {
		vs = append(vs, int64(math.Exp(rng.Float64()*math.Log(float64(histMax)))))
	}
	lib := hdr.New(1, histMax, histDigits)
	h := newHist()
	for i, v := range vs {
		n := int64(1 + i%3)
		if err := lib.RecordValues(v, n); err != nil {
			t.Fatal(err)
		}
		h.RecordValues(v, n) //nolint:errcheck
		one, libOne := newHist(), hdr.New(1, histMax, histDigits)
		record(one, float64(v)/1e9)
		libOne.RecordValue(v) //nolint:errcheck
		if !slices.Equal(one.flat(), libOne.Export().Counts) {
			t.Fatalf("v=%d: index %d is not the library's", v, histIndex(v))
		}
	}
	// Counts past 2^16, by one value at a time and by many at once.
	for i := 0; i < 3<<16+5; i++ {
		record(h, 12.345e-6)
		lib.RecordValue(12345) //nolint:errcheck
	}
	h.RecordValues(777, 5<<16+3)   //nolint:errcheck
	lib.RecordValues(777, 5<<16+3) //nolint:errcheck
	if len(h.wraps) == 0 {
		t.Fatal("no count wrapped: the test does not reach the wraps")
	}
	if !slices.Equal(h.flat(), lib.Export().Counts) || h.TotalCount() != lib.TotalCount() {
		t.Fatal("counts differ from the library's")
	}
	for _, q := range []float64{0, 1, 50, 99, 99.9, 100} {
		if got, want := h.ValueAtQuantile(q), lib.ValueAtQuantile(q); got != want {
			t.Errorf("q=%g: %d, library %d", q, got, want)
		}
	}
	// A reader reused across histograms, and after more values are
	// recorded, reads what a fresh library histogram of the counts does.
	var rd histReader
	other := newHist()
	record(other, 1e-3)
	for i := 0; i < 3; i++ {
		lib.RecordValues(histMax, 1e6) //nolint:errcheck
		h.RecordValues(histMax, 1e6)   //nolint:errcheck
		for _, x := range []*hist{h, other, h} {
			want := newReadOnce(x, 0.5)
			if got := rd.quantile(x, 0.5); got != want {
				t.Errorf("after recording more: reused reader p50 %g, fresh %g", got, want)
			}
		}
		if got, want := h.ValueAtQuantile(50), lib.ValueAtQuantile(50); got != want || h.hdr().TotalCount() != lib.TotalCount() {
			t.Errorf("after recording more: p50 %d, library %d", got, want)
		}
	}
}

// newReadOnce is quantile q of h read by a fresh reader.
func newReadOnce(h *hist, q float64) float64 {
	var rd histReader
	return rd.quantile(h, q)
}

// TestHistLayout: the counts grow by chunks of whole HDR half-buckets that
// tile the library's array, and histValue inverts histIndex.
func TestHistLayout(t *testing.T) {
	if histLen%histChunk != 0 {
		t.Fatalf("the library's %d counts are not whole chunks of %d", histLen, histChunk)
	}
	for i := 0; i < histLen; i++ {
		v := histValue(i)
		if histIndex(v) != i || (v > 0 && histIndex(v-1) != i-1) {
			t.Fatalf("index %d: lowest value %d is not the bucket's lowest", i, v)
		}
	}
	h := newHist()
	for _, v := range []int64{5000, 300, histMax, 0, 1 << 20} {
		h.RecordValues(v, 1) //nolint:errcheck
		if h.base%histChunk != 0 || len(h.counts)%histChunk != 0 || h.base+len(h.counts) > histLen {
			t.Fatalf("after %d: counts [%d, %d) are not whole chunks of the library's", v, h.base, h.base+len(h.counts))
		}
	}
}

// flat is the histogram's counts laid out as the library's.
func (h *hist) flat() []int64 {
	out := make([]int64, histLen)
	for j := range h.counts {
		out[h.base+j] = h.count(j)
	}
	return out
}

// hdr is a library histogram of the same counts.
func (h *hist) hdr() *hdr.Histogram {
	lib := hdr.New(1, histMax, histDigits)
	h.into(lib)
	return lib
}

// ValueAtQuantile is the library's value at percentile q.
func (h *hist) ValueAtQuantile(q float64) int64 { return h.hdr().ValueAtQuantile(q) }
