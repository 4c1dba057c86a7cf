package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"sort"

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

// metricInfo is how a figure is shown on a planning chart.
type metricInfo struct {
	label string
	unit  func(max float64) (scale float64, unit string)
}

var planMetrics = map[string]metricInfo{
	"replay_lag_p99_s":   {"p99 replay lag", durationUnit},
	"replay_lag_mean_s":  {"mean replay lag", durationUnit},
	"replay_lag_max_s":   {"maximum replay lag", durationUnit},
	"output_delay_p99_s": {"p99 output delay", durationUnit},
	"queue_delay_p99_s":  {"p99 queue delay", durationUnit},
	"unprotected_s":      {"unprotected time", durationUnit},
	"utilisation_peak":   {"peak utilisation", percentUnit},
	"utilisation_mean":   {"mean utilisation", percentUnit},
	"throttled_fraction": {"time the primary was throttled", func(float64) (float64, string) { return 100, "share of time (%)" }},
}

// Planning charts a figure against a swept parameter: a line per policy
// through its points in X order, the SLA limit (nil: none) drawn, and each
// policy's largest X whose value is within the SLA ringed and named in the
// legend. Lower values are better for every figure ftsim reports. The
// x axis is logarithmic when every X is positive and they span a factor of
// 20 or more. The caller names the swept parameter by setting
// p.X.Label.Text (the default reads "swept parameter").
func Planning(points []PlanPoint, metric string, sla *float64) (*plot.Plot, error) {
	byPolicy := map[string][]PlanPoint{}
	var policies []string
	labels := map[float64]string{}
	xlo, xhi, top := math.Inf(1), math.Inf(-1), 0.0
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
	}
	if len(policies) == 0 {
		return nil, errors.New("plots: planning chart: no finite points")
	}
	sortPolicies(policies)
	if sla != nil {
		top = math.Max(top, *sla)
	}
	info, ok := planMetrics[metric]
	if !ok {
		info = metricInfo{metric, func(float64) (float64, string) { return 1, "value" }}
	}
	scale, unit := info.unit(top)
	p := newPlot(info.label+" against the swept parameter", "swept parameter",
		info.label+" ("+unitSuffix(unit)+")")
	logX := xlo > 0 && xhi/xlo >= 20
	tx := func(x float64) float64 { return x }
	if logX { // a log10 axis, as in style.go
		tx = math.Log10
	}
	p.X.Tick.Marker = sweepTicks(labels, tx)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), -vg.Points(8)
	for _, policy := range policies {
		pts := byPolicy[policy]
		sort.SliceStable(pts, func(a, b int) bool { return pts[a].X < pts[b].X })
		xys := make(plotter.XYs, len(pts))
		for k, pt := range pts {
			xys[k] = plotter.XY{X: tx(pt.X), Y: pt.Value * scale}
		}
		l, s, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("plots: planning line of %s: %w", policy, err)
		}
		col := PolicyColor(policy)
		l.LineStyle = lineStyle(col, 2.5, policyDashes(policy)...)
		s.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3.5), Shape: glyphShape(policyIndex(policy))}
		p.Add(l, s)
		name := policy
		if sla != nil {
			best, ok := largestPassing(pts, *sla)
			if ok {
				ring, err := plotter.NewScatter(plotter.XYs{{X: tx(best.X), Y: best.Value * scale}})
				if err != nil {
					return nil, err
				}
				halo := color.NRGBA{}
				r, g, b, _ := col.RGBA()
				halo.R, halo.G, halo.B, halo.A = uint8(r>>8), uint8(g>>8), uint8(b>>8), 80
				ring.GlyphStyle = draw.GlyphStyle{Color: halo, Radius: vg.Points(11), Shape: draw.CircleGlyph{}}
				p.Add(ring)
				name += " (largest passing: " + xLabel(best) + ")"
			} else {
				name += " (none passes)"
			}
		}
		p.Legend.Add(name, l, s)
	}
	if sla != nil {
		h := hline{Y: *sla * scale, Label: "SLA " + trimFloat(*sla*scale) + " " + unitSuffix(unit),
			Style: lineStyle(colSLA, 1.5), Left: true}
		p.Add(h)
		p.Legend.Add("SLA limit", h)
	}
	p.Y.Min = 0
	p.Y.Max = math.Max(top*scale*1.15, 1e-9)
	p.Y.Tick.Marker = roundTicks{N: 8}
	if pad := (tx(xhi) - tx(xlo)) * 0.04; pad > 0 {
		p.X.Min, p.X.Max = tx(xlo)-pad, tx(xhi)+pad
	}
	return p, nil
}

// largestPassing is the point of largest X whose value is within the SLA.
func largestPassing(pts []PlanPoint, sla float64) (PlanPoint, bool) {
	var best PlanPoint
	ok := false
	for _, pt := range pts {
		if pt.Value <= sla && (!ok || pt.X > best.X) {
			best, ok = pt, true
		}
	}
	return best, ok
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
