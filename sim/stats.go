package sim

import (
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histograms hold times in nanoseconds from 1 ns to 2 hours with two
// significant digits (1% resolution): memory is fixed, whatever the run
// length.
const (
	histMax    = int64(2 * 3600 * 1e9)
	histDigits = 2
)

func newHist() *hdr.Histogram { return hdr.New(1, histMax, histDigits) }

func record(h *hdr.Histogram, seconds float64) {
	v := int64(seconds*1e9 + 0.5)
	if v < 0 {
		v = 0
	}
	if v > histMax {
		v = histMax
	}
	h.RecordValue(v) //nolint:errcheck // clamped into range above
}

func quantile(h *hdr.Histogram, q float64) float64 {
	if h.TotalCount() == 0 {
		return 0
	}
	return float64(h.ValueAtQuantile(q*100)) / 1e9
}

// linkStats are the figures of one queue over the measured window.
type linkStats struct {
	bytes float64 // payload carried
	qsum  float64
	qn    int64
	qzero int64 // queue delays of exactly zero, not yet in qhist
	// acc is the wire-busy time of window cur, whose slot in busy is stale
	// until flushed (busySeconds): a frame within the current second adds
	// to a field beside the others instead of to one more cache line.
	acc     float64
	cur     int
	qhist   *hdr.Histogram
	busy    []float64 // wire-busy seconds per 1 s window aligned to t = 0 (whole run); see acc
	dropped float64   // payload dropped at this queue
	qlen    []float64 // backlog in bytes sampled at each whole second
	retx    float64   // payload of retransmissions carried (in bytes too)
}

func newLinkStats(nsec int) linkStats {
	return linkStats{qhist: newHist(), busy: make([]float64, nsec), qlen: make([]float64, nsec)}
}

// addBusy adds the wire-busy interval [a, b) to the per-second windows;
// weight -1 takes it back (a frame lost mid-queue on a dying link).
func (s *linkStats) addBusy(a, b, weight float64) {
	if int(a) == s.cur && b <= float64(s.cur+1) {
		s.acc += (b - a) * weight // within the current window: the common case
		return
	}
	s.addBusySpan(a, b, weight)
}

// addBusySpan is addBusy across windows or in another window than the
// current one, which becomes the last window it touches. Each window
// receives the same additions in the same order as without acc.
func (s *linkStats) addBusySpan(a, b, weight float64) {
	s.flush()
	n := len(s.busy)
	for a < b {
		i := int(a)
		if i >= n {
			break
		}
		e := math.Min(b, float64(i+1))
		s.busy[i] += (e - a) * weight
		s.cur, s.acc = i, s.busy[i]
		a = e
	}
}

func (s *linkStats) flush() {
	if s.cur < len(s.busy) {
		s.busy[s.cur] = s.acc
	}
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
