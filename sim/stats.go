package sim

import (
	"math"
	"math/bits"
	"unsafe"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histograms hold times in nanoseconds from 1 ns to 2 hours with two
// significant digits: HDR buckets 1/128 of their value wide at most, so
// memory is fixed whatever the run length (about 38 KiB per histogram: see
// TestHistogramMemory). A quantile is reported at its bucket's midpoint and
// clamped to the exact minimum and maximum recorded, so it is within 0.4 %
// of the exact order statistic and never above the maximum (a bucket's top
// biased p50/p99 upward by up to 0.8 % and could put p99 above max).
const (
	histMax    = int64(2 * 3600 * 1e9)
	histDigits = 2
)

// hist is an HDR histogram that also keeps the exact extremes. It records
// into its own counts, laid out exactly as the library's (lowest value 1,
// histDigits digits: a unit magnitude of 0 and sub-buckets of 2^8), with
// the bucket index computed from constants: a message records two or three
// values, and the library's RecordValues, which reads its layout from the
// histogram and checks the range on each call, cost about a tenth of the
// FT pair's instructions. Reading goes through the library (hdr).
type hist struct {
	counts []int64
	total  int64
	lo, hi int64
	// lib is the library's histogram over counts, made at the first read
	// and again when values were recorded since (libN is total then).
	lib  *hdr.Histogram
	libN int64
}

// histLen is the number of counts of the library's histogram of this range.
var histLen = len(hdr.New(1, histMax, histDigits).Export().Counts)

func newHist() *hist {
	return &hist{counts: make([]int64, histLen), lo: math.MaxInt64, hi: -1}
}

// histIndex is the library's counts index of v in [0, histMax]
// (countsIndexFor with unitMagnitude 0, subBucketHalfCountMagnitude 7).
func histIndex(v int64) int {
	const subBits = 8                                   // log2 of the sub-bucket count
	b := bits.Len64(uint64(v)|(1<<subBits-1)) - subBits // bucket index
	return (b+1)<<(subBits-1) + int(v>>uint(b)) - 1<<(subBits-1)
}

// RecordValues records n values v (clamped into range by the callers).
func (h *hist) RecordValues(v, n int64) error {
	if n <= 0 {
		return nil
	}
	h.lo, h.hi = min(h.lo, v), max(h.hi, v)
	h.counts[histIndex(v)] += n
	h.total += n
	return nil
}

// RecordValue records v.
func (h *hist) RecordValue(v int64) error { return h.RecordValues(v, 1) }

// TotalCount is the number of values recorded.
func (h *hist) TotalCount() int64 { return h.total }

// hdr is the library's histogram over the same counts, for reading only:
// it shares them, and is remade when values were recorded since.
func (h *hist) hdr() *hdr.Histogram {
	if h.lib == nil || h.libN != h.total {
		h.lib = hdr.Import(&hdr.Snapshot{LowestTrackableValue: 1, HighestTrackableValue: histMax,
			SignificantFigures: histDigits, Counts: h.counts})
		h.libN = h.total
	}
	return h.lib
}

// ValueAtQuantile is the library's value at percentile q.
func (h *hist) ValueAtQuantile(q float64) int64 { return h.hdr().ValueAtQuantile(q) }

// ByteSize is the memory the histogram holds.
func (h *hist) ByteSize() int { return int(unsafe.Sizeof(*h)) + 8*cap(h.counts) }

func record(h *hist, seconds float64) {
	v := int64(seconds*1e9 + 0.5)
	if v < 0 {
		v = 0
	}
	if v > histMax {
		v = histMax
	}
	h.lo, h.hi = min(h.lo, v), max(h.hi, v)
	h.counts[histIndex(v)]++
	h.total++
}

// quantile is the q-quantile in seconds: the midpoint of its bucket,
// clamped to the exact extremes.
func quantile(h *hist, q float64) float64 {
	if h.TotalCount() == 0 {
		return 0
	}
	top := h.ValueAtQuantile(q * 100) // the bucket's highest equivalent value
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
