package plots

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ftsim/ftsim/results"
)

// LBT's defaults (docs/model.md 1.5): every 30 s, 75 % busy.
const (
	lbtThreshold = 0.75
	lbtInterval  = 30.0
)

// lagThrottle is the FT paper's lag at which the primary is slowed
// (docs/model.md 3, §3.2: "say, more than 1 second").
const lagThrottle = 1.0

// lagFloor is the smallest replay lag drawn on a log axis; smaller
// positive values are drawn there.
const lagFloor = 1e-6

// panelPick chooses, per policy, the failure case a time chart shows.
type panelPick func(policy string) string

// Utilisation charts the utilisation of every link over time for the
// baseline: one panel per policy, failures and failovers marked, the LBT
// threshold drawn.
func Utilisation(r results.Result, series []results.Series) (Chart, error) {
	return utilisationChart(r, series, func(string) string { return mainCase(r) },
		"utilisation", "Link utilisation over time")
}

// UtilisationWorst is Utilisation for each policy's worst single failure.
func UtilisationWorst(r results.Result, series []results.Series) (Chart, error) {
	return utilisationChart(r, series, func(p string) string { return r.WorstCase(p) },
		"utilisation-worst", "Link utilisation over time, worst single failure (N-1)")
}

// ReplayLag charts the replay lag of every FT VM over time for the
// baseline, on a log scale: one panel per policy, the SLA and the 1 s
// throttle line drawn.
func ReplayLag(r results.Result, series []results.Series) (Chart, error) {
	return replayLagChart(r, series, func(string) string { return mainCase(r) },
		"replay-lag", "Replay lag over time")
}

// ReplayLagWorst is ReplayLag for each policy's worst single failure.
func ReplayLagWorst(r results.Result, series []results.Series) (Chart, error) {
	return replayLagChart(r, series, func(p string) string { return r.WorstCase(p) },
		"replay-lag-worst", "Replay lag over time, worst single failure (N-1)")
}

// errNoSeries is returned when a time chart has nothing to draw.
type errNoSeries struct{ metric string }

func (e errNoSeries) Error() string { return "plots: " + e.reason() }

func (e errNoSeries) reason() string {
	return fmt.Sprintf("no %s time series (timeseries.csv missing or empty)", e.metric)
}

// panelSet is what the time charts share: the policies drawn, the case and
// series of each, the objects in order and the notes.
type panelSet struct {
	policies []string
	cases    []string
	series   [][]results.Series
	objects  []string // object keys in first-seen order
	notes    []string
}

// collect gathers the series of metric for each applicable policy; key maps
// a series' object to the key that gets a colour.
func collect(r results.Result, all []results.Series, pick panelPick, metric string, key func(string) string) (panelSet, error) {
	if len(all) == 0 {
		all = r.Series
	}
	var ps panelSet
	policies, notes := applicablePolicies(r)
	ps.notes = notes
	seen := map[string]bool{}
	for _, p := range policies {
		fc := pick(p)
		if fc == "" {
			continue
		}
		ss := seriesFor(all, p, fc, lowestReplication(all, p, fc), metric)
		if len(ss) == 0 {
			ps.notes = append(ps.notes, fmt.Sprintf("%s, %s: no %s time series", p, fc, metric))
			continue
		}
		for _, s := range ss {
			if k := key(s.Object); !seen[k] {
				seen[k] = true
				ps.objects = append(ps.objects, k)
			}
		}
		ps.policies = append(ps.policies, p)
		ps.cases = append(ps.cases, fc)
		ps.series = append(ps.series, ss)
	}
	if len(ps.policies) == 0 {
		return ps, errNoSeries{metric}
	}
	return ps, nil
}

// linkKey strips the direction from "HOST/VMNIC tx".
func linkKey(object string) string {
	if k, dir, ok := strings.Cut(object, " "); ok && (dir == "tx" || dir == "rx") {
		return k
	}
	return object
}

func isRx(object string) bool { return strings.HasSuffix(object, " rx") }

func identity(s string) string { return s }

// panelTitle names a panel by its policy, with its vSphere name when the
// panel is wide, and the failure case on a second line when it is not the
// baseline.
func panelTitle(policy, fc string, wide bool) string {
	t := policy
	if n, ok := vsphereNames[policy]; ok && wide {
		t += " (" + n + ")"
	}
	if fc != results.Baseline {
		t += "\nfailure case " + fc
	}
	return t
}

// layout returns the grid for n panels: one column up to two panels, then
// two columns; the figure grows 300 points per row beyond two rows.
func layout(n int) (rows, cols int, h vg.Length) {
	cols = 1
	if n > 2 {
		cols = 2
	}
	rows = (n + cols - 1) / cols
	h = Height
	if rows > 2 {
		h = vg.Length(rows) * vg.Points(300)
	}
	return rows, cols, h
}

// timeTickCount is how many labelled ticks a time axis gets when n panels
// share the figure: fewer when they stand two abreast.
func timeTickCount(n int) int {
	if _, cols, _ := layout(n); cols > 1 {
		return 6
	}
	return 12
}

// grid places panels row by row in rows x cols cells.
func gridOf(panels []*plot.Plot, rows, cols int) [][]*plot.Plot {
	g := make([][]*plot.Plot, rows)
	for j := range g {
		g[j] = make([]*plot.Plot, cols)
	}
	for i, p := range panels {
		g[i/cols][i%cols] = p
	}
	return g
}

// lagRuns splits a replay lag series into the stretches of seconds that
// delivered something, as log10 of the lag: a second with a lag of zero (or
// no finite value) delivered nothing and is left blank. Stretches of one
// second come back as dots.
func lagRuns(s results.Series) (runs []plotter.XYs, dots plotter.XYs) {
	var cur plotter.XYs
	flush := func() {
		switch len(cur) {
		case 0:
		case 1:
			dots = append(dots, cur[0])
		default:
			runs = append(runs, cur)
		}
		cur = nil
	}
	for i := range s.T {
		x, v := s.T[i], s.V[i]
		if !(v > 0) || math.IsInf(v, 0) || math.IsNaN(x) || math.IsInf(x, 0) {
			flush()
			continue
		}
		cur = append(cur, plotter.XY{X: x, Y: lg(v, lagFloor)})
	}
	flush()
	return runs, dots
}

// finiteXYs copies a series' points, dropping non-finite ones and mapping
// each value with f.
func finiteXYs(s results.Series, f func(float64) float64) plotter.XYs {
	xys := make(plotter.XYs, 0, s.Len())
	for i := range s.T {
		x, y := s.T[i], f(s.V[i])
		if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
			continue
		}
		xys = append(xys, plotter.XY{X: x, Y: y})
	}
	return xys
}

// colWarmup shades the warm-up, which no statistic counts.
var colWarmup = color.Gray{Y: 240}

// addWarmup names the warm-up's shade in legend when the run has one: in
// a narrow panel the band is too narrow for its own label.
func addWarmup(legend *plot.Legend, r results.Result) {
	if r.Warmup > 0 {
		legend.Add("warm-up (not measured)", swatch{colWarmup})
	}
}

// runMarkers are the event markers of a run and the event classes they
// draw (nil when the run has no events). Reference lines and bands are
// given them to keep their labels clear of the markers'.
func runMarkers(r results.Result, policy, fc string, span float64) (*eventMarkers, []eventClass) {
	run := firstRun(r, policy, fc)
	if run == nil || len(run.Events) == 0 {
		return nil, nil
	}
	groups, classes := groupEvents(run.Events, 0.015*span)
	return &eventMarkers{Groups: groups}, classes
}

// markEvents adds the warm-up band and the markers m (if any) to p.
func markEvents(p *plot.Plot, r results.Result, m *eventMarkers) {
	if r.Warmup > 0 {
		p.Add(band{X0: 0, X1: r.Warmup, Color: colWarmup, Label: "warm-up", Top: true, Whole: true})
	}
	if m != nil {
		p.Add(m)
	}
}

// bandLabel is label cut to room, or "" when the cut would leave fewer
// than four letters ("w…" says nothing; the legend names the shade).
func bandLabel(sty text.Style, label string, room vg.Length) string {
	t := fitText(sty, label, room)
	if t != label && len([]rune(t)) < 5 {
		return ""
	}
	return t
}

// widestGap is the widest stretch of x0..x1 that no box covers between
// heights y0 and y1 (an empty stretch when boxes cover it all).
func widestGap(x0, x1, y0, y1 vg.Length, boxes []vg.Rectangle) (lo, hi vg.Length) {
	var cover []vg.Rectangle
	for _, b := range boxes {
		if b.Min.Y < y1 && y0 < b.Max.Y && b.Max.X > x0 && b.Min.X < x1 {
			cover = append(cover, b)
		}
	}
	sort.Slice(cover, func(i, j int) bool { return cover[i].Min.X < cover[j].Min.X })
	from := x0
	for _, b := range cover {
		if b.Min.X-from > hi-lo {
			lo, hi = from, b.Min.X
		}
		from = max(from, b.Max.X)
	}
	if x1-from > hi-lo {
		lo, hi = from, x1
	}
	return lo, hi
}

// timeSpan is the time axis range of the chart: the run's duration, or the
// last sample.
func timeSpan(r results.Result, ps panelSet) float64 {
	span := r.Duration
	for _, ss := range ps.series {
		for _, s := range ss {
			if n := len(s.T); n > 0 && s.T[n-1] > span {
				span = s.T[n-1]
			}
		}
	}
	if span <= 0 {
		span = 1
	}
	return span
}

func utilisationChart(r results.Result, all []results.Series, pick panelPick, name, title string) (Chart, error) {
	ps, err := collect(r, all, pick, results.SeriesUtilisation, linkKey)
	if err != nil {
		return Chart{}, err
	}
	summary := 2*len(ps.objects) > maxUtilSeries
	if summary {
		ps = summariseLinks(ps)
	}
	span := timeSpan(r, ps)
	colour, legend := objectLegend(ps)
	if summary {
		legend.Add("the busier direction of each link", thumb(lineStyle(color.Black, 1.5)))
	} else {
		legend.Add("tx: host to switch", thumb(lineStyle(color.Black, 1.5)))
		legend.Add("rx: switch to host", thumb(lineStyle(color.Black, 1.5, vg.Points(4), vg.Points(2))))
	}
	// LBT's label at the left end, the SLA's at the right: 75 % and 80 %
	// lines sit too close for two labels at one end.
	lbt := hline{Y: lbtThreshold * 100, Label: fmt.Sprintf("LBT %g %%", lbtThreshold*100),
		Style: lineStyle(colLimit, 1, vg.Points(2), vg.Points(2)), Left: true}
	legend.Add(fmt.Sprintf("LBT threshold (%g %% over %g s)", lbtThreshold*100, lbtInterval), lbt)
	var sla *hline
	if m := r.SLA.UtilisationMax; m != nil {
		sla = &hline{Y: *m * 100, Label: fmt.Sprintf("SLA %g %%", *m*100), Style: lineStyle(colSLA, 1.5)}
		legend.Add("SLA utilisation_max", sla)
	}
	var panels []*plot.Plot
	classes := map[string]eventClass{}
	for i, policy := range ps.policies {
		p := newPlot(panelTitle(policy, ps.cases[i], timeTickCount(len(ps.policies)) > 6), "time (s)", "utilisation (%)")
		p.X.Tick.Marker = roundTicks{N: timeTickCount(len(ps.policies))}
		p.Y.Tick.Marker = percentTicks{}
		markers, cls := runMarkers(r, policy, ps.cases[i], span)
		markEvents(p, r, markers)
		for _, cl := range cls {
			classes[cl.name] = cl
		}
		top := 100.0
		for _, s := range ps.series[i] {
			xys := finiteXYs(s, func(v float64) float64 { return v * 100 })
			l, err := plotter.NewLine(xys)
			if err != nil {
				return Chart{}, fmt.Errorf("plots: %s %s: %w", policy, s.Object, err)
			}
			ci := colour[linkKey(s.Object)]
			l.LineStyle = lineStyle(objectColor(ci), 1.5, objectDashes(ci)...)
			if isRx(s.Object) {
				l.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			}
			p.Add(l)
			for _, xy := range xys {
				top = math.Max(top, xy.Y)
			}
		}
		lbtP := lbt
		lbtP.Avoid = markers
		p.Add(lbtP)
		if sla != nil {
			slaP := *sla
			slaP.Avoid = markers
			p.Add(slaP)
		}
		p.X.Min, p.X.Max = 0, span
		p.Y.Min, p.Y.Max = 0, top
		panels = append(panels, p)
	}
	addClasses(&legend, classes)
	addWarmup(&legend, r)
	rows, cols, h := layout(len(panels))
	caption := "Share of each second the wire was busy (framing included) on every vmnic, " +
		"both directions, and on every inter-switch link, one panel per teaming policy. " +
		"Dashed vertical lines mark failures, detections, failovers and FT state changes."
	if summary {
		caption = "Share of each second the wire was busy (framing included), the busier direction of each vmnic " +
			"and inter-switch link that carried traffic, one panel per teaming policy (too many links to draw " +
			"each direction apart; results.json and timeseries.csv hold them all). " +
			"Dashed vertical lines mark failures, detections, failovers and FT state changes."
	}
	return Chart{
		Name:    name,
		Title:   title,
		Caption: caption,
		Notes:   ps.notes,
		Panels:  gridOf(panels, rows, cols),
		Legend:  &legend,
		Width:   Width,
		Height:  h,
	}, nil
}

// maxUtilSeries is the most lines a utilisation panel draws one per link
// direction; beyond it each link is drawn once, its busier direction, and
// links idle the whole run are named in a note instead.
const maxUtilSeries = 10

// summariseLinks turns each panel's tx and rx series of a link into one
// series of the busier direction each second, and drops links that never
// reach 1 % in any panel (named in a note).
func summariseLinks(ps panelSet) panelSet {
	out := ps
	out.series = make([][]results.Series, len(ps.series))
	busy := map[string]bool{}
	for i, ss := range ps.series {
		byLink := map[string]*results.Series{}
		var order []string
		for _, s := range ss {
			k := linkKey(s.Object)
			m, ok := byLink[k]
			if !ok {
				c := s
				c.Object = k
				c.V = append([]float64(nil), s.V...)
				byLink[k] = &c
				order = append(order, k)
				m = &c
			} else {
				for j := range m.V {
					if j < len(s.V) {
						m.V[j] = math.Max(m.V[j], s.V[j])
					}
				}
			}
			for _, v := range s.V {
				if v >= 0.01 {
					busy[k] = true
				}
			}
		}
		for _, k := range order {
			out.series[i] = append(out.series[i], *byLink[k])
		}
	}
	var idle []string
	out.objects = nil
	for _, k := range ps.objects {
		if busy[k] {
			out.objects = append(out.objects, k)
		} else {
			idle = append(idle, k)
		}
	}
	for i := range out.series {
		kept := out.series[i][:0:0]
		for _, s := range out.series[i] {
			if busy[s.Object] {
				kept = append(kept, s)
			}
		}
		out.series[i] = kept
	}
	if len(idle) > 0 {
		out.notes = append(append([]string{}, out.notes...), "below 1 % the whole run, not drawn: "+strings.Join(idle, ", "))
	}
	return out
}

func replayLagChart(r results.Result, all []results.Series, pick panelPick, name, title string) (Chart, error) {
	ps, err := collect(r, all, pick, results.SeriesReplayLag, identity)
	if err != nil {
		return Chart{}, err
	}
	span := timeSpan(r, ps)
	colour, legend := objectLegend(ps)
	throttle := hline{Y: lg(lagThrottle, lagFloor), Label: "1 s: FT slows the primary",
		Style: lineStyle(colLimit, 1, vg.Points(2), vg.Points(2))}
	legend.Add("FT throttle at 1 s lag (FT paper)", throttle)
	var sla *hline
	if m := r.SLA.ReplayLagP99; m != nil {
		// The SLA's label at the left end, the throttle's at the right: they
		// never overprint, even when the SLA is 1 s.
		sla = &hline{Y: lg(*m, lagFloor), Label: "SLA p99 " + durationLabel(*m), Style: lineStyle(colSLA, 1.5), Left: true}
		legend.Add("SLA replay_lag_p99", sla)
	}
	lo, hi := lagThrottle, lagThrottle
	if m := r.SLA.ReplayLagP99; m != nil {
		lo, hi = math.Min(lo, math.Max(*m, lagFloor)), math.Max(hi, *m)
	}
	var panels []*plot.Plot
	classes := map[string]eventClass{}
	shaded := false
	for i, policy := range ps.policies {
		p := newPlot(panelTitle(policy, ps.cases[i], timeTickCount(len(ps.policies)) > 6), "time (s)", "replay lag (log scale)")
		p.X.Tick.Marker = roundTicks{N: timeTickCount(len(ps.policies))}
		markers, cls := runMarkers(r, policy, ps.cases[i], span)
		unprotected := unprotectedBands(r, policy, ps.cases[i], span)
		for _, b := range unprotected {
			b.Avoid = markers
			p.Add(b)
		}
		if len(unprotected) > 0 {
			shaded = true
		}
		markEvents(p, r, markers)
		for _, cl := range cls {
			classes[cl.name] = cl
		}
		for _, s := range ps.series[i] {
			ci := colour[s.Object]
			sty := lineStyle(objectColor(ci), 1.5, objectDashes(ci)...)
			runs, dots := lagRuns(s)
			for _, xys := range runs {
				l, err := plotter.NewLine(xys)
				if err != nil {
					return Chart{}, fmt.Errorf("plots: %s %s: %w", policy, s.Object, err)
				}
				l.LineStyle = sty
				p.Add(l)
			}
			if len(dots) > 0 {
				sc, err := plotter.NewScatter(dots)
				if err != nil {
					return Chart{}, fmt.Errorf("plots: %s %s: %w", policy, s.Object, err)
				}
				sc.GlyphStyle = draw.GlyphStyle{Color: objectColor(ci), Radius: vg.Points(1.8), Shape: draw.CircleGlyph{}}
				p.Add(sc)
			}
			for _, v := range s.V {
				if v > 0 && !math.IsInf(v, 0) {
					lo, hi = math.Min(lo, math.Max(v, lagFloor)), math.Max(hi, v)
				}
			}
		}
		throttleP := throttle
		throttleP.Avoid = markers
		p.Add(throttleP)
		if sla != nil {
			slaP := *sla
			slaP.Avoid = markers
			p.Add(slaP)
		}
		p.X.Min, p.X.Max = 0, span
		panels = append(panels, p)
	}
	ymin, _ := decadeBounds(lo, hi)
	ymax := math.Log10(hi * 3)
	for _, p := range panels {
		p.Y.Tick.Marker = durationTicks
		p.Y.Min, p.Y.Max = ymin, ymax
	}
	addClasses(&legend, classes)
	addWarmup(&legend, r)
	if shaded {
		legend.Add("FT VM unprotected", swatch{colUnprotected})
	}
	rows, cols, h := layout(len(panels))
	return Chart{
		Name:  name,
		Title: title,
		Caption: "Highest replay lag of each FT VM in each second (delivery at the secondary minus " +
			"creation at the primary), on a log scale, one panel per teaming policy; seconds in " +
			"which a VM delivered no log data are left blank, and shading marks a VM without a " +
			"secondary.",
		Notes:  ps.notes,
		Panels: gridOf(panels, rows, cols),
		Legend: &legend,
		Width:  Width,
		Height: h,
	}, nil
}

// addClasses adds a legend entry for each event class drawn, in a fixed
// order.
func addClasses(l *plot.Legend, classes map[string]eventClass) {
	for _, cl := range eventClasses {
		if _, ok := classes[cl.name]; ok {
			l.Add(cl.name, markerThumb{cl.color})
		}
	}
}

// newLegend is an empty legend in ftsim's style.
// objectLegend gives each object of ps its colour index (its position) and
// a legend with one entry per object.
func objectLegend(ps panelSet) (map[string]int, plot.Legend) {
	colour := map[string]int{}
	legend := newLegend()
	for i, k := range ps.objects {
		colour[k] = i
		legend.Add(k, thumb(lineStyle(objectColor(i), 2.5, objectDashes(i)...)))
	}
	return colour, legend
}

func newLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font = sansFont(legendSize)
	l.Padding = vg.Points(legendPad)
	return l
}

// unprotectedBands shades, for each VM, the time from FT declaring its
// peer lost (or its host down) until it is protected again, per the run's
// events.
func unprotectedBands(r results.Result, policy, fc string, span float64) []band {
	run := firstRun(r, policy, fc)
	if run == nil {
		return nil
	}
	var bands []band
	start := map[string]float64{}
	var order []string
	for _, e := range run.Events {
		switch e.Kind {
		case results.EventFTLost:
			if _, open := start[e.Target]; !open {
				start[e.Target] = e.T
				order = append(order, e.Target)
			}
		case results.EventProtected:
			if t0, open := start[e.Target]; open {
				bands = append(bands, band{X0: t0, X1: e.T, Color: colUnprotected, Label: e.Target + " unprotected", Short: "unprotected", Raised: true})
				delete(start, e.Target)
			}
		}
	}
	for _, vm := range order {
		if t0, open := start[vm]; open {
			bands = append(bands, band{X0: t0, X1: span, Color: colUnprotected, Label: vm + " unprotected", Short: "unprotected", Raised: true})
		}
	}
	return mergeBands(bands, 0.015*span)
}

// mergeBands joins bands that start and end within tol seconds of each
// other into one over their union, labelled with how many VMs it stands
// for: labels of VMs lost together would overprint.
func mergeBands(bands []band, tol float64) []band {
	var out []band
	var count []int
	for _, b := range bands {
		joined := false
		for i := range out {
			if math.Abs(out[i].X0-b.X0) <= tol && math.Abs(out[i].X1-b.X1) <= tol {
				out[i].X0, out[i].X1 = math.Min(out[i].X0, b.X0), math.Max(out[i].X1, b.X1)
				count[i]++
				out[i].Label = fmt.Sprintf("%d VMs unprotected", count[i])
				joined = true
				break
			}
		}
		if !joined {
			out, count = append(out, b), append(count, 1)
		}
	}
	return out
}

// thumb is a legend thumbnail of a line style.
type thumb draw.LineStyle

// Thumbnail implements plot.Thumbnailer.
func (t thumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(draw.LineStyle(t), c.Min.X, y, c.Max.X, y)
}

// band shades a stretch of time (the warm-up). It implements plot.Plotter.
type band struct {
	X0, X1 float64
	Color  color.Color
	Label  string
	Raised bool   // label raised clear of the bottom edge
	Top    bool   // label at the top edge
	Short  string // the label written when Label does not fit
	Whole  bool   // the label whole or not at all
	// Avoid, when set, holds the panel's event markers: the label goes in
	// the widest stretch of the band clear of their labels.
	Avoid *eventMarkers
}

// Plot implements plot.Plotter.
func (b band) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x0, x1 := trX(b.X0), trX(b.X1)
	x0, x1 = max(x0, c.Min.X), min(x1, c.Max.X)
	if x1 <= x0 {
		return
	}
	rect := vg.Rectangle{Min: vg.Point{X: x0, Y: c.Min.Y}, Max: vg.Point{X: x1, Y: c.Max.Y}}
	c.SetColor(b.Color)
	c.Fill(rect.Path())
	if b.Label != "" {
		sty := noteStyle(color.Gray{Y: 100})
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
		at := vg.Point{X: (x0 + x1) / 2, Y: c.Min.Y + vg.Points(3)}
		switch {
		case b.Top:
			sty.YAlign = draw.YTop
			at.Y = c.Max.Y - vg.Points(3)
		case b.Raised: // above a line drawn at the floor
			at.Y += vg.Points(12)
		}
		lo, hi := x0, x1
		if b.Avoid != nil {
			h := sty.Height(b.Label)
			lo, hi = widestGap(x0, x1, at.Y, at.Y+h, b.Avoid.labelBoxes(c, p))
			at.X = (lo + hi) / 2
		}
		label := b.Label
		if b.Short != "" && sty.Width(label) > hi-lo {
			label = b.Short
		}
		if t := bandLabel(sty, label, hi-lo); t == label || !b.Whole {
			c.FillText(sty, at, t)
		}
	}
}
