package sim

import (
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/ftsim/ftsim/model"
)

// source draws the production times of one stream of messages (an FT VM's
// log or a background stream) in the stream's own virtual time, so a
// stalled or slowed primary pauses or stretches its clock without building
// a backlog (docs/model.md "Stall and slowdown").
//
// A message's draw reads the fields up to the generator, and the generator
// and its state live in the source itself: one allocation, few cache lines.
type source struct {
	// What next reads for every message fills the first cache line, but
	// for gap.
	bits float64 // bits per message
	// peak is the rate while producing: the mean rate, or for on/off the
	// rate during on periods (rate x (on+off)/on).
	peak     float64
	phaseEnd float64 // virtual time the current on/off period ends
	kind     uint8   // srcNone, srcPoisson, ...: the pattern, decided once
	on       bool
	rng      rand.Rand // draws from pcg
	pcg      rand.PCG

	// gap is the next draw, made one message ahead so that its division
	// is done while nothing waits for it: Poisson's next gap, on/off's
	// next gap in an on period (valid while on), constant's bits/peak.
	gap           float64
	rate          float64 // mean bits/s
	meanOn, meanF float64 // mean on period, mean off period
	pattern       model.Pattern
	// trace
	trace []model.TracePoint
	row   int
	// To 192 bytes, a size class that starts every source on a cache line.
	_ [6]uint64
}

// Source kinds (source.kind).
const (
	srcNone     uint8 = iota // produces nothing
	srcPoisson               // Poisson at rate
	srcConstant              // evenly spaced at rate
	srcOnOff                 // Poisson at peak in exponential on periods
	srcTrace                 // the piecewise-constant rate of a trace
)

// newSource makes the source of a stream whose random draws are the
// stream called name under seed: one named stream per source, so adding a
// source never moves another's draws.
func newSource(l model.Logging, msgBytes float64, seed uint64, name string) *source {
	s := &source{pattern: l.Pattern, rate: float64(l.Rate), bits: msgBytes * 8,
		meanOn: float64(l.On), meanF: float64(l.Off), trace: l.Trace}
	h := fnv.New64a()
	h.Write([]byte(name))
	s.pcg.Seed(seed, h.Sum64())
	s.rng = *rand.New(&s.pcg)
	if s.pattern == "" {
		s.pattern = model.Poisson
	}
	if len(s.trace) > 0 {
		s.pattern = model.Trace
		if l.Pattern == model.Constant {
			s.pattern = model.Constant // constant within each trace row
		}
	}
	s.peak = s.rate
	switch {
	case s.rate <= 0 && len(s.trace) == 0:
		s.kind = srcNone
	case len(s.trace) > 0:
		s.kind = srcTrace
	case s.pattern == model.Constant:
		s.kind = srcConstant
		s.gap = s.bits / s.peak
	case s.pattern == model.OnOff:
		s.kind = srcOnOff
		s.peak = s.rate * (s.meanOn + s.meanF) / s.meanOn
	default:
		s.kind = srcPoisson
		s.gap = s.drawGap()
	}
	if s.pattern == model.OnOff {
		s.on = s.rng.Float64() < s.meanOn/(s.meanOn+s.meanF)
		if s.on {
			s.phaseEnd = s.rng.ExpFloat64() * s.meanOn
			s.gap = s.drawGap()
		} else {
			s.phaseEnd = s.rng.ExpFloat64() * s.meanF
		}
	}
	return s
}

// next returns the virtual time of the message after one produced at
// virtual time v, or +Inf when the stream produces nothing more.
func (s *source) next(v float64) float64 {
	switch s.kind {
	case srcPoisson:
		d := s.gap
		s.gap = s.drawGap()
		return v + d
	case srcOnOff:
		return s.nextOnOff(v)
	case srcConstant:
		return v + s.gap
	case srcTrace:
		return s.nextTrace(v)
	}
	return math.Inf(1)
}

// drawGap draws the gap before the next message while producing.
func (s *source) drawGap() float64 { return s.rng.ExpFloat64() * s.bits / s.peak }

// nextOnOff: Poisson at rate x (on+off)/on during exponential on periods,
// silence during exponential off periods (docs/model.md "Patterns").
func (s *source) nextOnOff(v float64) float64 {
	d := s.gap // the on period's next draw, when on (see gap)
	for {
		if s.on {
			if t := v + d; t <= s.phaseEnd {
				s.gap = s.drawGap()
				return t
			}
			v = s.phaseEnd // memoryless: restart the draw after the gap
			s.on = false
			s.phaseEnd = v + s.rng.ExpFloat64()*s.meanF
			continue
		}
		v = s.phaseEnd
		s.on = true
		s.phaseEnd = v + s.rng.ExpFloat64()*s.meanOn
		d = s.drawGap()
	}
}

// nextTrace walks the piecewise-constant rate of a trace: Poisson (or
// evenly spaced, for constant) within each row, the last row to the end.
func (s *source) nextTrace(v float64) float64 {
	work := s.bits // bits to produce before the next message
	if s.pattern != model.Constant {
		work = s.rng.ExpFloat64() * s.bits
	}
	for {
		for s.row+1 < len(s.trace) && s.trace[s.row+1].T <= v {
			s.row++
		}
		if v < s.trace[0].T {
			v = s.trace[0].T
			continue
		}
		r := float64(s.trace[s.row].Rate)
		end := math.Inf(1)
		if s.row+1 < len(s.trace) {
			end = s.trace[s.row+1].T
		}
		if r > 0 && v+work/r <= end {
			return v + work/r
		}
		if math.IsInf(end, 1) {
			return math.Inf(1)
		}
		if r > 0 {
			work -= (end - v) * r
		}
		v = end
	}
}

// wireBytes returns the bytes a message of payload bytes occupies on the
// wire at the given MTU: frames of MTU-52 bytes of payload, each adding 90
// bytes (52 TCP/IPv4 header with timestamps + 38 Ethernet preamble, header,
// FCS and inter-frame gap; docs/model.md section 4).
func wireBytes(payload float64, mtu int) float64 {
	mss := float64(mtu - 52)
	frames := math.Ceil(payload / mss)
	if frames < 1 {
		frames = 1
	}
	return payload + frames*frameOverhead
}

// minFrameWire is one minimum-size Ethernet frame on the wire: 64 bytes plus
// 8 preamble/SFD and 12 inter-frame gap (docs/model.md section 4), the size of
// an ack or a heartbeat (docs/model.md "Framing").
const minFrameWire = 84

// frameOverhead is the wire bytes each frame adds to its payload: 52 of
// TCP/IPv4 headers with timestamps and 38 of Ethernet (docs/model.md 4).
const frameOverhead = 90
