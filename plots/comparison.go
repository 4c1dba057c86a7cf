package plots

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ftsim/ftsim/results"
)

// comparisonMetric is one panel of the policy comparison.
type comparisonMetric struct {
	name   string // summary metric
	title  string
	unit   func(max float64) (scale float64, unit string)
	format func(v float64) string // a bar's label
	sla    *float64
	fixed  float64 // the axis' upper end when set (percentages)
}

// PolicyComparison charts, per policy, the p99 replay lag of the worst VM,
// the peak utilisation of the busiest link and the longest unprotected time
// of any VM, for the baseline and beside it each policy's worst single
// failure (N-1) when the run compared them.
func PolicyComparison(r results.Result) (Chart, error) {
	policies, notes := applicablePolicies(r)
	if len(policies) == 0 {
		return Chart{}, errNoData{"applicable policy"}
	}
	base := mainCase(r)
	withWorst := r.HasWorst()
	var metrics []comparisonMetric
	for _, m := range results.Compared() {
		cm := comparisonMetric{name: m.Name, title: m.Compare, unit: chartUnit(m), format: durationLabel}
		if m.Limit != nil {
			cm.sla = m.Limit(r.SLA)
		}
		if m.Unit == "fraction" {
			cm.format, cm.fixed = percent, 100
		}
		metrics = append(metrics, cm)
	}
	// Policies top to bottom in model order: NominalY puts index 0 at the bottom.
	rev := make([]string, len(policies))
	for i, p := range policies {
		rev[len(policies)-1-i] = p
	}
	legend := newLegend()
	baseLabel := "baseline"
	if base != results.Baseline {
		baseLabel = base
	}
	legend.Add(baseLabel, swatch{colBaseline})
	if withWorst {
		legend.Add("worst single failure (N-1)", swatch{colWorst})
	}
	slaDrawn := false
	var panels []*plot.Plot
	for i, m := range metrics {
		p, hasSLA, err := comparisonPanel(r, rev, base, withWorst, m, i == 0)
		if err != nil {
			return Chart{}, err
		}
		slaDrawn = slaDrawn || hasSLA
		panels = append(panels, p)
	}
	if slaDrawn {
		legend.Add("SLA limit", thumb(lineStyle(colSLA, 1.5)))
	}
	if withWorst {
		var ws []string
		for _, p := range policies {
			if w := r.WorstCase(p); w != "" {
				ws = append(ws, p+": "+w)
			}
		}
		notes = append([]string{"worst single failure: " + strings.Join(ws, "; ")}, notes...)
	}
	if n := r.Replications(); n > 1 {
		notes = append(notes, fmt.Sprintf("bars are means over %d replications", n))
	}
	return Chart{
		Name:  "policy-comparison",
		Title: "Teaming policies compared",
		Caption: "For each teaming policy: the p99 replay lag of the worst FT VM, the peak " +
			"utilisation (busiest 1 s) of the busiest link and the longest time any FT VM ran " +
			"unprotected, for the scenario as written and for the policy's worst single failure.",
		Notes:  notes,
		Panels: [][]*plot.Plot{panels},
		Legend: &legend,
		Width:  Width,
		Height: Height,
	}, nil
}

// comparisonPanel draws one metric's horizontal grouped bars; names puts
// the policy names on the axis (the leftmost panel only).
func comparisonPanel(r results.Result, policies []string, base string, withWorst bool, m comparisonMetric, names bool) (*plot.Plot, bool, error) {
	n := len(policies)
	baseVals := make(plotter.Values, n)
	worstVals := make(plotter.Values, n)
	baseHas := make([]bool, n)
	worstHas := make([]bool, n)
	top := 0.0
	for i, p := range policies {
		if v, ok := r.Figure(p, base, m.name); ok {
			baseVals[i], baseHas[i] = v, true
			top = math.Max(top, v)
		}
		if w := r.WorstCase(p); withWorst && w != "" {
			if v, ok := r.Figure(p, w, m.name); ok {
				worstVals[i], worstHas[i] = v, true
				top = math.Max(top, v)
			}
		}
	}
	// An SLA far beyond every bar would squash them: it is written in the
	// corner instead of drawn.
	slaOnScale := m.sla != nil && *m.sla > 0 && (*m.sla <= 3*top || m.fixed > 0)
	if slaOnScale {
		top = math.Max(top, *m.sla)
	}
	scale, unit := m.unit(top)
	p := newPlot(m.title, unit, "")
	bw := barWidth(n, withWorst)
	groups := []struct {
		vals plotter.Values
		has  []bool
		col  color.Color
		off  vg.Length
	}{{baseVals, baseHas, colBaseline, 0}}
	if withWorst {
		groups[0].off = bw / 2
		groups = append(groups, struct {
			vals plotter.Values
			has  []bool
			col  color.Color
			off  vg.Length
		}{worstVals, worstHas, colWorst, -bw / 2})
	}
	for _, g := range groups {
		vals := make(plotter.Values, n)
		for i := range vals {
			vals[i] = g.vals[i] * scale
		}
		b, err := plotter.NewBarChart(vals, bw)
		if err != nil {
			return nil, false, fmt.Errorf("plots: comparison of %s: %w", m.name, err)
		}
		b.Horizontal = true
		b.Color = g.col
		b.LineStyle = lineStyle(color.White, 0.5)
		b.Offset = g.off
		p.Add(b)
		lbl, err := valueLabels(vals, g.vals, g.has, g.off, m.format)
		if err != nil {
			return nil, false, err
		}
		p.Add(lbl)
	}
	hasSLA := false
	switch {
	case slaOnScale:
		p.Add(vline{X: *m.sla * scale, Label: "SLA", Style: lineStyle(colSLA, 1.5)})
		hasSLA = true
	case m.sla != nil:
		s := trimFloat(*m.sla*scale) + " " + unitSuffix(unit)
		if m.fixed == 0 {
			s = durationLabel(*m.sla)
		}
		if *m.sla > 0 {
			s += ", beyond the axis"
		}
		p.Add(cornerNote{Text: "SLA " + s, Color: colSLA})
	}
	if names {
		p.NominalY(policies...)
	} else {
		p.NominalY(make([]string, n)...)
	}
	p.Y.Padding = 0
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	p.X.Min = 0
	switch {
	case m.fixed > 0:
		p.X.Max = m.fixed * 1.25
		p.X.Tick.Marker = percentTicks{}
	case top > 0:
		p.X.Max = top * scale * 1.35
		p.X.Tick.Marker = roundTicks{N: 6}
	default:
		p.X.Max = 1
	}
	return p, hasSLA, nil
}

// barWidth fits the bars of n policies into a panel about 480 points high.
func barWidth(n int, pair bool) vg.Length {
	per := 480.0 / float64(n) * 0.7
	if pair {
		per /= 2
	}
	return vg.Points(math.Min(per, 40))
}

// valueLabels writes each bar's figure (raw, in results.json units) just
// past its end (at, in axis units); bars without a figure read "n/a".
func valueLabels(at, raw plotter.Values, has []bool, off vg.Length, format func(float64) string) (*plotter.Labels, error) {
	xyl := plotter.XYLabels{XYs: make(plotter.XYs, len(at)), Labels: make([]string, len(at))}
	for i, v := range at {
		xyl.XYs[i] = plotter.XY{X: v, Y: float64(i)}
		if has[i] {
			xyl.Labels[i] = format(raw[i])
		} else {
			xyl.Labels[i] = "n/a"
		}
	}
	l, err := plotter.NewLabels(xyl)
	if err != nil {
		return nil, fmt.Errorf("plots: bar labels: %w", err)
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font = sansFont(noteSize)
		l.TextStyle[i].YAlign = draw.YCenter
	}
	l.Offset = vg.Point{X: vg.Points(3), Y: off}
	return l, nil
}

// unitSuffix is the unit inside an axis label's parentheses.
func unitSuffix(label string) string {
	if i := strings.LastIndex(label, "("); i >= 0 && strings.HasSuffix(label, ")") {
		return label[i+1 : len(label)-1]
	}
	return ""
}

// durationUnit picks µs, ms or s for values up to max seconds.
func durationUnit(max float64) (float64, string) {
	switch {
	case max > 0 && max < 1e-3:
		return 1e6, "time (µs)"
	case max > 0 && max < 1:
		return 1e3, "time (ms)"
	}
	return 1, "time (s)"
}

// percentUnit shows fractions as percentages.
func percentUnit(float64) (float64, string) { return 100, "utilisation (%)" }

// chartUnit is the axis scale and unit of a figure of the registry:
// seconds in µs, ms or s, fractions in percent of what they measure,
// anything else as it is.
func chartUnit(m results.MetricInfo) func(max float64) (float64, string) {
	switch m.Unit {
	case "s":
		return durationUnit
	case "fraction":
		if m.Quantity == "" {
			return percentUnit
		}
		q := m.Quantity + " (%)"
		return func(float64) (float64, string) { return 100, q }
	}
	return func(float64) (float64, string) { return 1, "value" }
}

// cornerNote writes a short text in the top right corner of the data area.
// It implements plot.Plotter.
type cornerNote struct {
	Text  string
	Color color.Color
}

// Plot implements plot.Plotter.
func (n cornerNote) Plot(c draw.Canvas, _ *plot.Plot) {
	sty := noteStyle(n.Color)
	sty.Font = sansFont(tickSize)
	sty.XAlign, sty.YAlign = draw.XRight, draw.YTop
	c.FillText(sty, vg.Point{X: c.Max.X - vg.Points(4), Y: c.Max.Y - vg.Points(4)}, n.Text)
}

// swatch is a filled legend square.
type swatch struct{ c color.Color }

// Thumbnail implements plot.Thumbnailer.
func (s swatch) Thumbnail(c *draw.Canvas) {
	c.SetColor(s.c)
	c.Fill(c.Rectangle.Path())
}
