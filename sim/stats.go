package sim

import (
	"math"
	"math/bits"
	"unsafe"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histograms hold times in nanoseconds from 1 ns to 2 hours with two
// significant digits: HDR buckets 1/128 of their value wide at most, so
// memory is bounded whatever the run length (at most about 10 KiB per
// histogram, about a KiB in practice: see TestHistogramMemory). A quantile is
// reported at its bucket's midpoint and clamped to the exact minimum and
// maximum recorded, so it is within 0.4 % of the exact order statistic and
// never above the maximum (a bucket's top biased p50/p99 upward by up to
// 0.8 % and could put p99 above max).
const (
	histMax    = int64(2 * 3600 * 1e9)
	histDigits = 2
)

// The counts are kept from the lowest to the highest chunk of histChunk
// values recorded into, each the upper half of one HDR bucket (bucket 0
// fills the first two).
const (
	histChunkBits = 7
	histChunk     = 1 << histChunkBits
)

// hist is an HDR histogram that also keeps the exact extremes. It records
// into its own counts, laid out exactly as the library's (lowest value 1,
// histDigits digits: a unit magnitude of 0 and sub-buckets of 2^8), with
// the bucket index computed from constants: a message records two or three
// values, and the library's RecordValues, which reads its layout from the
// histogram and checks the range on each call, cost about a tenth of the
// FT pair's instructions. Reading goes through the library (histReader).
//
// Only the counts from the lowest to the highest chunk recorded into are
// allocated, not the library's whole array of 37 KiB: the values of a
// queue's delay or a VM's lag fall in a few buckets, so a 128-host run
// neither clears nor walks the rest (BenchmarkScale128). And a count is
// kept in 16 bits, the times it wrapped past 2^16 aside (wraps, touched
// once in 65,536 values of one bucket): each value a message records
// lands at a random place in its histogram, and in a run of hundreds of
// queues and VMs the lines it lands on are out of the processor's caches,
// so the 128-host run's histograms hold their counts in a quarter of the
// lines (3 % of its time in steady state).
type hist struct {
	counts []uint16      // the counts from index base on, modulo 2^16
	wraps  map[int]int64 // counts index -> times its count wrapped
	base   int           // a multiple of histChunk
	total  int64
	lo, hi int64
}

// histLen is the number of counts of the library's histogram of this range.
var histLen = len(hdr.New(1, histMax, histDigits).Export().Counts)

func newHist() *hist {
	return &hist{lo: math.MaxInt64, hi: -1}
}

// histIndex is the library's counts index of v in [0, histMax]
// (countsIndexFor with unitMagnitude 0, subBucketHalfCountMagnitude 7).
func histIndex(v int64) int {
	const subBits = 8                                   // log2 of the sub-bucket count
	b := bits.Len64(uint64(v)|(1<<subBits-1)) - subBits // bucket index
	return (b+1)<<(subBits-1) + int(v>>uint(b)) - 1<<(subBits-1)
}

// histValue is the lowest value at counts index i (the inverse of
// histIndex).
func histValue(i int) int64 {
	if i < 2*histChunk {
		return int64(i)
	}
	b := i>>histChunkBits - 1 // bucket index
	return int64(i&(histChunk-1)+histChunk) << uint(b)
}

// add adds n to the count at index i.
func (h *hist) add(i int, n int64) {
	j := i - h.base
	if uint(j) >= uint(len(h.counts)) {
		j = h.widen(i)
	}
	t := int64(h.counts[j]) + n
	h.counts[j] = uint16(t)
	if t>>16 != 0 {
		h.wrap(i, t>>16)
	}
}

// wrap notes that the count at index i wrapped past 2^16 n times. It is
// kept out of line so that add and record inline.
//
//go:noinline
func (h *hist) wrap(i int, n int64) {
	if h.wraps == nil {
		h.wraps = map[int]int64{}
	}
	h.wraps[i] += n
}

// count is the whole count at index base+j.
func (h *hist) count(j int) int64 {
	n := int64(h.counts[j])
	if h.wraps != nil {
		n += h.wraps[h.base+j] << 16
	}
	return n
}

// widen extends the counts to the chunk of index i and returns i's place
// in them. It is kept out of line so that add and record inline.
//
//go:noinline
func (h *hist) widen(i int) int {
	lo, hi := i&^(histChunk-1), i|(histChunk-1)+1
	if len(h.counts) > 0 {
		lo, hi = min(lo, h.base), max(hi, h.base+len(h.counts))
	}
	c := make([]uint16, hi-lo)
	if len(h.counts) > 0 {
		copy(c[h.base-lo:], h.counts)
	}
	h.counts, h.base = c, lo
	return i - lo
}

// RecordValues records n values v (clamped into range by the callers).
func (h *hist) RecordValues(v, n int64) error {
	if n <= 0 {
		return nil
	}
	h.lo, h.hi = min(h.lo, v), max(h.hi, v)
	h.add(histIndex(v), n)
	h.total += n
	return nil
}

// RecordValue records v.
func (h *hist) RecordValue(v int64) error { return h.RecordValues(v, 1) }

// TotalCount is the number of values recorded.
func (h *hist) TotalCount() int64 { return h.total }

// into records the counts into the library's histogram lib: each count
// at the lowest value of its bucket.
func (h *hist) into(lib *hdr.Histogram) {
	for j := range h.counts {
		if n := h.count(j); n > 0 {
			lib.RecordValues(histValue(h.base+j), n) //nolint:errcheck // in range by construction
		}
	}
}

// ByteSize is the memory the histogram holds.
func (h *hist) ByteSize() int { return int(unsafe.Sizeof(*h)) + 2*cap(h.counts) + 16*len(h.wraps) }

// record records a time in seconds. It is RecordValues for one value
// written out (the index, widen, the count and its wrap), so that it
// inlines at the calls every message makes.
func record(h *hist, seconds float64) {
	v := int64(seconds*1e9 + 0.5)
	if v < 0 {
		v = 0
	}
	if v > histMax {
		v = histMax
	}
	if v < h.lo { // rarely taken once a few values are in: no stores
		h.lo = v
	}
	if v > h.hi {
		h.hi = v
	}
	i := histIndex(v)
	j := i - h.base
	if uint(j) >= uint(len(h.counts)) {
		j = h.widen(i)
	}
	c := h.counts[j] + 1
	h.counts[j] = c
	if c == 0 {
		h.wrap(i, 1)
	}
	h.total++
}

// histReader reads histograms through one library histogram, cleared and
// refilled for each histogram it reads: a library histogram is 37 KiB to
// allocate and clear, and a run reads one or more quantiles of each of its
// queues and VMs.
type histReader struct {
	lib *hdr.Histogram
	of  *hist // the histogram lib holds, with n values
	n   int64
}

// quantile is the q-quantile of h in seconds: the midpoint of its bucket,
// clamped to the exact extremes.
func (r *histReader) quantile(h *hist, q float64) float64 {
	if h.total == 0 {
		return 0
	}
	if r.of != h || r.n != h.total {
		if r.lib == nil {
			r.lib = hdr.New(1, histMax, histDigits)
		} else {
			r.lib.Reset()
		}
		h.into(r.lib)
		r.of, r.n = h, h.total
	}
	top := r.lib.ValueAtQuantile(q * 100) // the bucket's highest equivalent value
	w := bucketWidth(top)
	mid := top - w + 1 + w/2
	return float64(min(max(mid, h.lo), h.hi)) / 1e9
}

// bucketWidth is the width of the HDR bucket holding v, for a histogram
// with lowest value 1 and histDigits digits (sub-buckets of 2^8 = 256).
func bucketWidth(v int64) int64 {
	const subBits = 8 // log2 of the sub-bucket count for two digits
	if n := bits.Len64(uint64(v)); n > subBits {
		return 1 << (n - subBits)
	}
	return 1
}

// linkStats are the figures of one queue over the measured window.
type linkStats struct {
	// Every frame updates the fields up to qsum (the link's second cache
	// line); a frame that waits also qsum and qhist.
	bytes float64 // payload carried
	qn    int64
	qzero int64 // queue delays of exactly zero, not yet in qhist
	// acc is the wire-busy time of window cur, whose slot in busy is stale
	// until flushed (busySeconds): a frame within the current second adds
	// to a field beside the others instead of to one more cache line.
	acc float64
	// ftAcc is the FT payload of window cur (see ft), stale in ft like acc.
	ftAcc float64
	// curEnd is the end of window cur (cur + 1, as a time: a frame is in
	// the window when it starts at curEnd-1 or later and ends by curEnd).
	curEnd float64
	// sampled is the whole seconds of qlen filled so far, read by every
	// arrival at a queue entered ahead of time (sampleAhead).
	sampled int
	qsum    float64
	qhist   *hist
	busy    []float64 // wire-busy seconds per 1 s window aligned to t = 0 (whole run); see acc
	// ft is the FT payload (log, acks, heartbeats, re-sync) the link
	// carried in each window of the measured part of the run, by
	// transmission start; see ftAcc.
	ft      []float64
	dropped float64   // payload dropped at this queue
	qlen    []float64 // backlog in bytes sampled at each whole second
	retx    float64   // payload of retransmissions carried (in bytes too)
}

func newLinkStats(nsec int) linkStats {
	return linkStats{curEnd: 1, qhist: newHist(), busy: make([]float64, nsec), ft: make([]float64, nsec), qlen: make([]float64, nsec)}
}

// addBusy adds the wire-busy interval [a, b) to the per-second windows
// and ft bytes of FT payload to a's window (0 for background traffic and
// outside the measured window); weight -1 takes an interval back (a frame
// lost mid-queue on a dying link).
func (s *linkStats) addBusy(a, b, weight, ft float64) {
	if a >= s.curEnd-1 && b <= s.curEnd {
		s.acc += (b - a) * weight // within the current window: the common case
		s.ftAcc += ft
		return
	}
	s.addBusySpan(a, b, weight, ft)
}

// addBusySpan is addBusy across windows or in another window than the
// current one, which becomes the last window it touches. Each window
// receives the same additions in the same order as without acc and ftAcc.
func (s *linkStats) addBusySpan(a, b, weight, ft float64) {
	s.flush()
	n := len(s.busy)
	for first := true; a < b; first = false {
		i := int(a)
		if i >= n {
			break
		}
		e := math.Min(b, float64(i+1))
		s.busy[i] += (e - a) * weight
		if first {
			s.ft[i] += ft
		}
		s.curEnd, s.acc, s.ftAcc = float64(i+1), s.busy[i], s.ft[i]
		a = e
	}
}

func (s *linkStats) flush() {
	if cur := int(s.curEnd) - 1; cur < len(s.busy) {
		s.busy[cur] = s.acc
		s.ft[cur] = s.ftAcc
	}
}

// ftSeconds returns the FT payload of every window, up to date.
func (s *linkStats) ftSeconds() []float64 {
	s.flush()
	return s.ft
}

// busySeconds returns the wire-busy seconds of every window, up to date.
func (s *linkStats) busySeconds() []float64 {
	s.flush()
	return s.busy
}

// overlap returns the length of [a, b) inside [lo, hi).
func overlap(a, b, lo, hi float64) float64 {
	a, b = math.Max(a, lo), math.Min(b, hi)
	if b < a {
		return 0
	}
	return b - a
}
