package plots

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ftsim/ftsim/results"
)

// hline is a horizontal reference line across the data area (a threshold,
// an SLA limit) with its label written above its right end. It implements
// plot.Plotter, plot.DataRanger and plot.Thumbnailer.
type hline struct {
	Y     float64
	Label string
	Style draw.LineStyle
	Left  bool // label at the left end
	// Avoid, when set, holds the panel's event markers: the label moves
	// along its line, away from its end, clear of their labels.
	Avoid *eventMarkers
}

// Plot implements plot.Plotter.
func (h hline) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := trY(h.Y)
	if !c.ContainsY(y) {
		return
	}
	c.StrokeLine2(h.Style, c.Min.X, y, c.Max.X, y)
	if h.Label == "" {
		return
	}
	sty := noteStyle(h.Style.Color)
	sty.XAlign, sty.YAlign = draw.XRight, draw.YBottom
	at := vg.Point{X: c.Max.X - vg.Points(4), Y: y + vg.Points(2)}
	if h.Left {
		sty.XAlign = draw.XLeft
		at.X = c.Min.X + vg.Points(4)
	}
	if h.Avoid != nil {
		at.X = clearOf(sty, at, h.Label, h.Avoid.labelBoxes(c, p), c.Min.X, c.Max.X, h.Left)
	}
	c.FillText(sty, at, h.Label)
}

// clearOf is the x at which a label written with sty at at stays clear of
// boxes: at.X itself, or moved along the line (rightwards for a label
// aligned left, leftwards otherwise) past each box it would overprint. When
// no place within min..max is clear, at.X is kept.
func clearOf(sty text.Style, at vg.Point, label string, boxes []vg.Rectangle, min, max vg.Length, left bool) vg.Length {
	r := sty.Rectangle(label)
	x := at.X
	for moved := true; moved; {
		moved = false
		lr := vg.Rectangle{Min: vg.Point{X: x + r.Min.X, Y: at.Y + r.Min.Y}, Max: vg.Point{X: x + r.Max.X, Y: at.Y + r.Max.Y}}
		for _, b := range boxes {
			if !overlaps(lr, b) {
				continue
			}
			if left {
				x = b.Max.X + vg.Points(2) - r.Min.X
			} else {
				x = b.Min.X - vg.Points(2) - r.Max.X
			}
			moved = true
			break
		}
		if x+r.Min.X < min || x+r.Max.X > max {
			return at.X
		}
	}
	return x
}

// overlaps reports whether two rectangles share more than an edge.
func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

// DataRange implements plot.DataRanger: only the Y value counts.
func (h hline) DataRange() (xmin, xmax, ymin, ymax float64) {
	return math.Inf(1), math.Inf(-1), h.Y, h.Y
}

// Thumbnail implements plot.Thumbnailer.
func (h hline) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(h.Style, c.Min.X, y, c.Max.X, y)
}

// vline is a vertical reference line (an SLA on a lag axis), labelled at
// its top. It implements plot.Plotter, plot.DataRanger and
// plot.Thumbnailer.
type vline struct {
	X     float64
	Label string
	Style draw.LineStyle
}

// Plot implements plot.Plotter.
func (v vline) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(v.X)
	if !c.ContainsX(x) {
		return
	}
	c.StrokeLine2(v.Style, x, c.Min.Y, x, c.Max.Y)
	if v.Label != "" {
		drawRotated(c, x, v.Label, v.Style.Color)
	}
}

// DataRange implements plot.DataRanger: only the X value counts.
func (v vline) DataRange() (xmin, xmax, ymin, ymax float64) {
	return v.X, v.X, math.Inf(1), math.Inf(-1)
}

// Thumbnail implements plot.Thumbnailer.
func (v vline) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(v.Style, c.Min.X, y, c.Max.X, y)
}

// noteStyle is the small text style of labels inside a panel.
func noteStyle(c color.Color) text.Style {
	sty := plot.New().Legend.TextStyle
	sty.Font = sansFont(noteSize)
	sty.Color = c
	return sty
}

// drawRotated writes label upwards along a vertical line at x, just right
// of it, ending near the top of the data area, on a white box so data lines
// behind it do not hide it. Too long labels are cut to the panel's height.
func drawRotated(c draw.Canvas, x vg.Length, label string, col color.Color) {
	sty, label, at, box := rotatedLabel(c, x, label, col)
	if label == "" {
		return
	}
	c.SetColor(color.NRGBA{255, 255, 255, 215})
	c.Fill(box.Path())
	c.FillText(sty, at, label)
}

// rotatedLabel is how drawRotated writes label at x: its style, the label
// cut to fit ("" when nothing fits), where it is anchored and its box.
func rotatedLabel(c draw.Canvas, x vg.Length, label string, col color.Color) (text.Style, string, vg.Point, vg.Rectangle) {
	sty := noteStyle(col)
	sty.Rotation = math.Pi / 2
	sty.XAlign, sty.YAlign = draw.XRight, draw.YTop
	room := c.Max.Y - c.Min.Y - vg.Points(8)
	label = fitText(sty, label, room)
	top := c.Max.Y - vg.Points(3)
	at := vg.Point{X: x + vg.Points(2), Y: top}
	r := sty.Rectangle(label)
	return sty, label, at, vg.Rectangle{Min: at.Add(r.Min), Max: at.Add(r.Max)}
}

// fitText shortens s with an ellipsis until it is at most room wide.
func fitText(sty text.Style, s string, room vg.Length) string {
	if sty.Width(s) <= room {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		t := strings.TrimRight(string(r), " ;,") + "…"
		if sty.Width(t) <= room {
			return t
		}
	}
	return ""
}

// markerGroup is one marked instant: events close enough in time to share a
// line.
type markerGroup struct {
	T     float64
	Color color.Color
	Label string
}

// eventMarkers draws a run's events as vertical dashed lines with labels.
// It implements plot.Plotter.
type eventMarkers struct {
	Groups []markerGroup
}

// Plot implements plot.Plotter. Labels of markers closer than a label's
// height are staggered to the right, each joined to its line by a short
// leader at the top, so labels of events seconds apart never overprint;
// a label with no room left is not drawn (the legend and the report's
// event table still list the event).
func (m *eventMarkers) Plot(c draw.Canvas, p *plot.Plot) {
	xs, gs, lxs := m.place(c, p)
	for i, x := range xs {
		c.StrokeLine2(markerStyle(gs[i].Color), x, c.Min.Y, x, c.Max.Y)
	}
	for i, lx := range lxs {
		x, g := xs[i], gs[i]
		if lx < 0 {
			continue
		}
		if lx != x {
			top := c.Max.Y - vg.Points(1)
			c.StrokeLine2(lineStyle(g.Color, 0.8), x, top, lx, top)
			c.StrokeLine2(lineStyle(g.Color, 0.8), lx, top, lx, top-vg.Points(4))
		}
		drawRotated(c, lx, g.Label, g.Color)
	}
}

// place is where Plot draws the markers on c: the x of each marker in the
// panel, its group and the x of its label (-1: not drawn).
func (m *eventMarkers) place(c draw.Canvas, p *plot.Plot) (xs []vg.Length, gs []markerGroup, lxs []vg.Length) {
	trX, _ := p.Transforms(&c)
	step := noteStyle(color.Black).Height("0") + vg.Points(3)
	for _, g := range m.Groups {
		if x := trX(g.T); c.ContainsX(x) {
			xs, gs = append(xs, x), append(gs, g)
		}
	}
	return xs, gs, labelPositions(xs, step, c.Min.X, c.Max.X)
}

// labelBoxes are the boxes of the labels Plot writes on c, for the labels
// of lines and bands to stay clear of.
func (m *eventMarkers) labelBoxes(c draw.Canvas, p *plot.Plot) []vg.Rectangle {
	var boxes []vg.Rectangle
	_, gs, lxs := m.place(c, p)
	for i, lx := range lxs {
		if lx < 0 {
			continue
		}
		if _, label, _, box := rotatedLabel(c, lx, gs[i].Label, gs[i].Color); label != "" {
			boxes = append(boxes, box)
		}
	}
	return boxes
}

// labelPositions places the labels of markers at xs (in increasing order)
// at least step apart, each at its marker or as little right of it as
// that allows; -1 for a label with no room before max.
func labelPositions(xs []vg.Length, step, min, max vg.Length) []vg.Length {
	out := make([]vg.Length, len(xs))
	next := min
	for i, x := range xs {
		lx := x
		if lx < next {
			lx = next
		}
		if lx+step > max {
			out[i] = -1
			continue
		}
		out[i] = lx
		next = lx + step
	}
	return out
}

func markerStyle(c color.Color) draw.LineStyle {
	return lineStyle(c, 1.5, vg.Points(5), vg.Points(3))
}

// eventClass is how a kind of event is drawn and named in legends.
type eventClass struct {
	rank  int // the highest-ranked class present colours a group
	color color.Color
	name  string
}

var (
	classFailure  = eventClass{5, colFailure, "failure"}
	classRecovery = eventClass{4, colRecovery, "recovery"}
	classFailover = eventClass{3, colFailover, "failover / failback / LBT move"}
	classFT       = eventClass{2, colFT, "FT state change"}
	classDetected = eventClass{1, colDetected, "failure detected"}
	eventClasses  = []eventClass{classFailure, classRecovery, classDetected, classFailover, classFT}
)

func classOf(kind results.EventKind) eventClass {
	switch kind {
	case results.EventFailure:
		return classFailure
	case results.EventRecovery:
		return classRecovery
	case results.EventFailover, results.EventFailback, results.EventLBTMove:
		return classFailover
	case results.EventDetected:
		return classDetected
	}
	return classFT
}

// eventVerb is the words a label uses for a kind of event.
func eventVerb(kind results.EventKind) string {
	switch kind {
	case results.EventFailover:
		return "failover to"
	case results.EventFailback:
		return "failback to"
	case results.EventLBTMove:
		return "LBT move to"
	case results.EventFTLost:
		return "FT lost"
	case results.EventResyncStart:
		return "re-sync"
	}
	return string(kind)
}

// groupEvents gathers events closer than tol seconds to the first of their
// group into one marker; the label lists each kind once with its targets.
func groupEvents(events []results.Event, tol float64) (groups []markerGroup, classes []eventClass) {
	ev := append([]results.Event(nil), events...)
	sort.SliceStable(ev, func(i, j int) bool { return ev[i].T < ev[j].T })
	seen := map[string]bool{}
	for i := 0; i < len(ev); {
		j := i
		for j < len(ev) && ev[j].T-ev[i].T <= tol {
			j++
		}
		g := markerGroup{T: ev[i].T}
		best := eventClass{rank: -1}
		var parts []string
		var kinds []results.EventKind
		targets := map[results.EventKind][]string{}
		for _, e := range ev[i:j] {
			cl := classOf(e.Kind)
			if cl.rank > best.rank {
				best = cl
			}
			if !seen[cl.name] {
				seen[cl.name] = true
				classes = append(classes, cl)
			}
			if _, ok := targets[e.Kind]; !ok {
				kinds = append(kinds, e.Kind)
			}
			if !contains(targets[e.Kind], e.Target) {
				targets[e.Kind] = append(targets[e.Kind], e.Target)
			}
		}
		named := map[string]bool{} // targets already written in this label
		for _, k := range kinds {
			var list []string
			for _, t := range targets[k] {
				// "failure X; detected" reads better than naming X twice.
				if k != results.EventDetected || !named[t] {
					list = append(list, t)
				}
				named[t] = true
			}
			parts = append(parts, strings.TrimSpace(eventVerb(k)+" "+strings.Join(list, ", ")))
		}
		g.Color = best.color
		g.Label = fmt.Sprintf("%s s: %s", strconv.FormatFloat(math.Round(g.T*1000)/1000, 'f', -1, 64), strings.Join(parts, "; "))
		groups = append(groups, g)
		i = j
	}
	sort.SliceStable(classes, func(i, j int) bool { return classes[i].rank > classes[j].rank })
	return groups, classes
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// markerThumb is a legend thumbnail for an event class.
type markerThumb struct{ c color.Color }

// Thumbnail implements plot.Thumbnailer.
func (m markerThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(markerStyle(m.c), c.Min.X, y, c.Max.X, y)
}
