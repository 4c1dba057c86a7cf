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
	bytes   float64 // payload carried
	qsum    float64
	qn      int64
	qzero   int64 // queue delays of exactly zero, not yet in qhist
	qhist   *hdr.Histogram
	busy    []float64 // wire-busy seconds per 1 s window aligned to t = 0 (whole run)
	dropped float64   // payload dropped at this queue
	qlen    []float64 // backlog in bytes sampled at each whole second
}

func newLinkStats(nsec int) linkStats {
	return linkStats{qhist: newHist(), busy: make([]float64, nsec), qlen: make([]float64, nsec)}
}

// addBusy adds the wire-busy interval [a, b) to the per-second windows;
// weight -1 takes it back (a frame lost mid-queue on a dying link).
func (s *linkStats) addBusy(a, b, weight float64) {
	if i := int(a); uint(i) < uint(len(s.busy)) && b <= float64(i+1) {
		s.busy[i] += (b - a) * weight // within one window: the common case
		return
	}
	s.addBusySpan(a, b, weight)
}

func (s *linkStats) addBusySpan(a, b, weight float64) {
	n := len(s.busy)
	for a < b {
		i := int(a)
		if i >= n {
			return
		}
		e := math.Min(b, float64(i+1))
		s.busy[i] += (e - a) * weight
		a = e
	}
}

// overlap returns the length of [a, b) inside [lo, hi).
func overlap(a, b, lo, hi float64) float64 {
	a, b = math.Max(a, lo), math.Min(b, hi)
	if b < a {
		return 0
	}
	return b - a
}
