package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"github.com/ftsim/ftsim/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// PlanPoint is one point of a planning chart: a policy's figure at one
// value of the swept parameter.
type PlanPoint struct {
	Policy string  // snake_case policy name
	X      float64 // the swept value as a number (a count, bits per second, seconds)
	XLabel string  // the swept value as the sweep wrote it ("8", "10Gbps"); "" writes X
	Value  float64 // the figure, in results.json units (seconds, fractions 0..1)
}

// MetricLabel is how a chart names metric: the registry's chart label
// ("p99 replay lag" for replay_lag_p99_s); a metric no chart draws is
// named as it is.
func MetricLabel(metric string) string {
	if m := results.MetricOf(metric); m.Chart != "" {
		return m.Chart
	}
	return metric
}

// PlanMark is a policy's planning answer, as the batch summary gives it:
// the swept value marked on its line and named in the legend.
type PlanMark struct {
	Policy string
	Value  string // as the sweep wrote it; "" when no value passes
	Kind   string // "largest passing" or "smallest passing"
	Group  string // the other swept parameters' values, "" with one
}

// Planning charts a figure against a swept parameter: a line per policy
// through its points in X order, the SLA limit (nil: none) drawn, and each
// policy's planning answer (marks: every failure case counted, as the
// batch summary gives it) ringed on its line and named in the legend,
// which stands beside the data. Lower values are better for every figure
// ftsim reports. A time axis is logarithmic (delays span decades, and a
// linear axis flattens the small ones at 0); the x axis is logarithmic
// when every X is positive and they span a factor of 20 or more. xlabel
// names the swept parameter.
func Planning(name, title, xlabel string, points []PlanPoint, metric string, sla *float64, marks []PlanMark) (Chart, error) {
	byPolicy := map[string][]PlanPoint{}
	var policies []string
	labels := map[float64]string{}
	xlo, xhi, top, low := math.Inf(1), math.Inf(-1), 0.0, math.Inf(1)
	for _, pt := range points {
		if math.IsNaN(pt.X) || math.IsInf(pt.X, 0) || math.IsNaN(pt.Value) || math.IsInf(pt.Value, 0) {
			continue
		}
		if _, ok := byPolicy[pt.Policy]; !ok {
			policies = append(policies, pt.Policy)
		}
		byPolicy[pt.Policy] = append(byPolicy[pt.Policy], pt)
		if _, ok := labels[pt.X]; !ok || labels[pt.X] == "" {
			labels[pt.X] = pt.XLabel
		}
		xlo, xhi, top = math.Min(xlo, pt.X), math.Max(xhi, pt.X), math.Max(top, pt.Value)
		if pt.Value > 0 {
			low = math.Min(low, pt.Value)
		}
	}
	if len(policies) == 0 {
		return Chart{}, errors.New("plots: planning chart: no finite points")
	}
	sortPolicies(policies)
	if sla != nil {
		top = math.Max(top, *sla)
		if *sla > 0 {
			low = math.Min(low, *sla)
		}
	}
	info := results.MetricOf(metric)
	unitOf := chartUnit(info)
	if info.Chart == "" {
		unitOf = func(float64) (float64, string) { return 1, "value" }
	}
	logY := strings.HasSuffix(metric, "_s")
	scale, unit := unitOf(top)
	ylabel := MetricLabel(metric) + " (" + unitSuffix(unit) + ")"
	ty := func(v float64) float64 { return v * scale }
	var floor float64
	if logY {
		if math.IsInf(low, 1) {
			low = 1e-3
		}
		floor = math.Min(low, top) / 2
		ty = func(v float64) float64 { return lg(v, floor) }
		ylabel = MetricLabel(metric) + " (log scale)"
	}
	p := newPlot(title, xlabel, ylabel)
	logX := xlo > 0 && xhi/xlo >= 20
	tx := func(x float64) float64 { return x }
	if logX { // a log10 axis, as in style.go
		tx = math.Log10
	}
	p.X.Tick.Marker = sweepTicks(labels, tx)
	legend := newLegend()
	for _, policy := range policies {
		pts := byPolicy[policy]
		sort.SliceStable(pts, func(a, b int) bool { return pts[a].X < pts[b].X })
		xys := make(plotter.XYs, len(pts))
		for k, pt := range pts {
			xys[k] = plotter.XY{X: tx(pt.X), Y: ty(pt.Value)}
		}
		l, s, err := plotter.NewLinePoints(xys)
		if err != nil {
			return Chart{}, fmt.Errorf("plots: planning line of %s: %w", policy, err)
		}
		col := PolicyColor(policy)
		l.LineStyle = lineStyle(col, 2.5, policyDashes(policy)...)
		s.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3.5), Shape: glyphShape(policyIndex(policy))}
		p.Add(l, s)
		entry := policy
		for _, m := range marks {
			if m.Policy != policy {
				continue
			}
			if m.Value == "" {
				entry += ": none passes"
				break
			}
			entry += ": " + m.Kind + " " + m.Value
			for _, pt := range pts {
				if pt.XLabel != m.Value {
					continue
				}
				ring, err := plotter.NewScatter(plotter.XYs{{X: tx(pt.X), Y: ty(pt.Value)}})
				if err != nil {
					return Chart{}, err
				}
				halo := color.NRGBA{}
				r, g, b, _ := col.RGBA()
				halo.R, halo.G, halo.B, halo.A = uint8(r>>8), uint8(g>>8), uint8(b>>8), 80
				ring.GlyphStyle = draw.GlyphStyle{Color: halo, Radius: vg.Points(11), Shape: draw.CircleGlyph{}}
				p.Add(ring)
			}
			break
		}
		legend.Add(entry, l, s)
	}
	if sla != nil {
		lbl := "SLA " + trimFloat(*sla*scale) + " " + unitSuffix(unit)
		if logY {
			lbl = "SLA " + durationLabel(*sla)
		}
		h := hline{Y: ty(*sla), Label: lbl, Style: lineStyle(colSLA, 1.5), Left: true}
		p.Add(h)
		legend.Add("SLA limit", h)
	}
	if logY {
		lo, hi := decadeBounds(floor, top*1.5)
		p.Y.Min, p.Y.Max = lo, hi
		p.Y.Tick.Marker = durationTicks
	} else {
		p.Y.Min = 0
		p.Y.Max = math.Max(top*scale*1.15, 1e-9)
		p.Y.Tick.Marker = roundTicks{N: 8}
	}
	if pad := (tx(xhi) - tx(xlo)) * 0.04; pad > 0 {
		p.X.Min, p.X.Max = tx(xlo)-pad, tx(xhi)+pad
	}
	p.Title.Text = ""
	c := Chart{Name: name, Title: title, Panels: [][]*plot.Plot{{p}}, Legend: &legend, Width: Width, Height: Height,
		Caption: MetricLabel(metric) + " against " + xlabel + ", a line per policy; each policy's planning answer (every failure case counted) ringed and named in the legend"}
	return c, nil
}

func xLabel(pt PlanPoint) string {
	if pt.XLabel != "" {
		return pt.XLabel
	}
	return trimFloat(pt.X)
}

// sweepTicks marks the swept values, labelled as the sweep wrote them.
func sweepTicks(labels map[float64]string, tx func(float64) float64) plot.ConstantTicks {
	xs := make([]float64, 0, len(labels))
	for x := range labels {
		xs = append(xs, x)
	}
	sort.Float64s(xs)
	every := (len(xs) + 11) / 12 // at most 12 labels
	ticks := make(plot.ConstantTicks, len(xs))
	for i, x := range xs {
		ticks[i] = plot.Tick{Value: tx(x)}
		if i%every == 0 {
			ticks[i].Label = xLabel(PlanPoint{X: x, XLabel: labels[x]})
		}
	}
	return ticks
}

// glyphShape gives each policy's points their own shape.
func glyphShape(i int) draw.GlyphDrawer {
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{},
		draw.PyramidGlyph{}, draw.BoxGlyph{}, draw.CrossGlyph{}}
	return shapes[i%len(shapes)]
}
