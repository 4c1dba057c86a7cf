package importer

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Window picks the time range to write (--window). The zero Window is the
// whole capture.
//
// Forms: "FROM..TO", where each end is seconds from the capture start
// ("600..4200"), a duration from the start ("10m..70m", "1h30m..2h"), or a
// timestamp as the capture writes it ("12/11/2012 19:00:00..12/11/2012
// 20:00:00", ISO 8601 too); either end may be left out ("30m.." or
// "..1h"). "busiest:DURATION" ("busiest:1h") picks the window of that
// length with the most logging over all VMs, the earliest of equals.
type Window struct {
	Spec     string // as given, for messages
	From, To bound
	Busiest  float64 // > 0: the busiest window of this many seconds
}

// bound is one end of a window: seconds from the capture start, or an
// absolute time (Unix seconds) when Abs.
type bound struct {
	Set, Abs bool
	V        float64
}

// ParseWindow reads a --window value.
func ParseWindow(s string) (Window, error) {
	w := Window{Spec: s}
	t := strings.TrimSpace(s)
	if t == "" {
		return w, nil
	}
	if rest, ok := strings.CutPrefix(t, "busiest:"); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil || d <= 0 {
			return w, fmt.Errorf("--window %q: busiest: takes a positive duration, like busiest:1h or busiest:30m", s)
		}
		w.Busiest = d.Seconds()
		return w, nil
	}
	from, to, ok := strings.Cut(t, "..")
	if !ok {
		return w, fmt.Errorf("--window %q: want FROM..TO (seconds, durations like 10m..70m, or timestamps), or busiest:DURATION", s)
	}
	var err error
	if w.From, err = parseBound(from); err != nil {
		return w, fmt.Errorf("--window %q: %v", s, err)
	}
	if w.To, err = parseBound(to); err != nil {
		return w, fmt.Errorf("--window %q: %v", s, err)
	}
	if !w.From.Set && !w.To.Set {
		return w, fmt.Errorf("--window %q: give at least one end", s)
	}
	if w.From.Set && w.To.Set && w.From.Abs == w.To.Abs && w.To.V <= w.From.V {
		return w, fmt.Errorf("--window %q: the end is not after the start", s)
	}
	return w, nil
}

func parseBound(s string) (bound, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return bound{}, nil
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil && v >= 0 {
		return bound{Set: true, V: v}, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return bound{Set: true, V: d.Seconds()}, nil
	}
	if t, ok := parseStamp(s); ok {
		return bound{Set: true, Abs: true, V: t}, nil
	}
	return bound{}, fmt.Errorf("%q is neither seconds from the start, a duration (10m, 1h30m) nor a timestamp", s)
}

// resolve turns the window into absolute times within [t0, t1]. total is
// the summed logging rate over all VMs as (start, rate) steps, for busiest.
func (w Window) resolve(t0, t1 float64, total []step) (from, to float64, warns []string, err error) {
	if w.Busiest > 0 {
		if w.Busiest >= t1-t0 {
			return t0, t1, []string{fmt.Sprintf("--window %s: the captures span only %s; the whole span is written", w.Spec, fmtSeconds(t1-t0))}, nil
		}
		s := busiest(total, t0, t1, w.Busiest)
		return s, s + w.Busiest, nil, nil
	}
	at := func(b bound, def float64) float64 {
		switch {
		case !b.Set:
			return def
		case b.Abs:
			return b.V
		}
		return t0 + b.V
	}
	from, to = at(w.From, t0), at(w.To, t1)
	if to <= from {
		return 0, 0, nil, fmt.Errorf("--window %s: the end is not after the start", w.Spec)
	}
	if to <= t0 || from >= t1 {
		return 0, 0, nil, fmt.Errorf("--window %s lies outside the captures (they span %s)", w.Spec, fmtSeconds(t1-t0))
	}
	if from < t0 || to > t1 {
		warns = append(warns, fmt.Sprintf("--window %s reaches past the captures (they span %s); cut to them", w.Spec, fmtSeconds(t1-t0)))
		from, to = max(from, t0), min(to, t1)
	}
	return from, to, warns, nil
}

// step is a piecewise-constant rate: Rate holds from T until the next step.
type step struct{ T, Rate float64 }

// busiest returns the start of the window of length l within [t0, t1]
// whose integral of the step function is largest (earliest of equals).
// An optimal window starts or ends at a step, so only those are tried.
func busiest(steps []step, t0, t1, l float64) float64 {
	// Cumulative integral at each step.
	cum := make([]float64, len(steps))
	for i := 1; i < len(steps); i++ {
		cum[i] = cum[i-1] + steps[i-1].Rate*(steps[i].T-steps[i-1].T)
	}
	integ := func(t float64) float64 { // integral from steps[0].T to t
		i := sort.Search(len(steps), func(i int) bool { return steps[i].T > t }) - 1
		if i < 0 {
			return 0
		}
		return cum[i] + steps[i].Rate*(t-steps[i].T)
	}
	cands := []float64{t0, t1 - l}
	for _, s := range steps {
		cands = append(cands, s.T, s.T-l)
	}
	sort.Float64s(cands)
	best, bestV := t0, -1.0
	for _, c := range cands {
		if c < t0 || c+l > t1 {
			continue
		}
		if v := integ(c+l) - integ(c); v > bestV*(1+1e-12) {
			best, bestV = c, v
		}
	}
	return best
}

// fmtSeconds writes seconds as a scenario duration: "3600s", "2.5s".
func fmtSeconds(s float64) string {
	return strconv.FormatFloat(roundTo(s, 1e3), 'f', -1, 64) + "s"
}
