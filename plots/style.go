package plots

import (
	"image/color"
	"math"
	"strconv"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ftsim/ftsim/model"
)

// Font sizes, in points, chosen to stay readable at 1200 x 800 pixels.
const (
	titleSize  = 15
	panelSize  = 13
	labelSize  = 12
	tickSize   = 11
	legendSize = 11
	noteSize   = 10
	legendPad  = 3 // between legend entries
)

// sansFont is Liberation Sans (bundled with gonum) at size points.
func sansFont(size float64) font.Font {
	f := plot.DefaultFont
	f.Variant = "Sans"
	f.Size = vg.Points(size)
	return f
}

// objectPalette holds the colours given to links and VMs, in the order they
// are first listed in a chart: the Tableau 10 palette without its red, which
// SLA lines and failure markers use.
var objectPalette = []color.Color{
	color.RGBA{31, 119, 180, 255},
	color.RGBA{255, 127, 14, 255},
	color.RGBA{44, 160, 44, 255},
	color.RGBA{148, 103, 189, 255},
	color.RGBA{140, 86, 75, 255},
	color.RGBA{227, 119, 194, 255},
	color.RGBA{127, 127, 127, 255},
	color.RGBA{188, 189, 34, 255},
	color.RGBA{23, 190, 207, 255},
}

// objectColor returns the colour of the i-th object of a chart.
func objectColor(i int) color.Color { return objectPalette[i%len(objectPalette)] }

// objectDashes returns the dash pattern of the i-th object: solid for the
// first round of colours, then dotted patterns so colours that repeat still
// tell objects apart.
func objectDashes(i int) []vg.Length {
	switch (i / len(objectPalette)) % 3 {
	case 1:
		return []vg.Length{vg.Points(1), vg.Points(2)}
	case 2:
		return []vg.Length{vg.Points(6), vg.Points(2), vg.Points(1), vg.Points(2)}
	}
	return nil
}

// policyIndex is a policy's position in model.AllPolicies, or past the end
// for a name ftsim does not know.
func policyIndex(p string) int {
	for i, q := range model.AllPolicies {
		if string(q) == p {
			return i
		}
	}
	return len(model.AllPolicies)
}

// policyPalette is the colour of each policy of model.AllPolicies, in its
// order; none is the red of SLA lines and failure markers.
var policyPalette = []color.Color{
	color.RGBA{24, 90, 169, 255},  // port_id: blue
	color.RGBA{0, 140, 72, 255},   // mac_hash: green
	color.RGBA{240, 120, 20, 255}, // ip_hash: orange
	color.RGBA{102, 44, 145, 255}, // nic_load: purple
	color.RGBA{200, 60, 160, 255}, // explicit_failover: magenta
	color.RGBA{0, 150, 160, 255},  // lacp: teal
}

// PolicyColor is the colour a policy has in every chart.
func PolicyColor(p string) color.Color {
	if i := policyIndex(p); i < len(policyPalette) {
		return policyPalette[i]
	}
	return color.Gray{Y: 64}
}

// policyDashes is the dash pattern of a policy's lines, so that policies
// whose lines coincide stay visible.
func policyDashes(p string) []vg.Length {
	pts := func(v ...float64) []vg.Length {
		out := make([]vg.Length, len(v))
		for i, x := range v {
			out[i] = vg.Points(x)
		}
		return out
	}
	switch policyIndex(p) {
	case 0:
		return nil
	case 1:
		return pts(10, 4)
	case 2:
		return pts(4, 3)
	case 3:
		return pts(10, 3, 2, 3)
	case 4:
		return pts(6, 5)
	case 5:
		return pts(2, 3)
	}
	return pts(1, 2)
}

// vsphereNames are the policies as the vSphere UI writes them (docs/model.md
// section 1).
var vsphereNames = map[string]string{
	string(model.PortID):           "Route based on originating virtual port",
	string(model.MACHash):          "Route based on source MAC hash",
	string(model.IPHash):           "Route based on IP hash",
	string(model.NICLoad):          "Route based on physical NIC load",
	string(model.ExplicitFailover): "Use explicit failover order",
	string(model.LACP):             "LACP LAG",
}

// Colours of the event markers and reference lines.
var (
	colFailure     = color.RGBA{200, 30, 30, 255}
	colRecovery    = color.RGBA{30, 140, 60, 255}
	colFailover    = color.RGBA{230, 120, 0, 255}
	colDetected    = color.RGBA{110, 110, 110, 255}
	colFT          = color.RGBA{120, 50, 160, 255}
	colSLA         = color.RGBA{200, 30, 30, 255}
	colLimit       = color.RGBA{60, 60, 60, 255}
	colBaseline    = color.RGBA{90, 140, 200, 255}
	colWorst       = color.RGBA{215, 80, 70, 255}
	colGrid        = color.Gray{Y: 225}
	colUnprotected = color.RGBA{235, 222, 245, 255}
)

// newPlot returns a plot with ftsim's fonts, a white background and a
// light grid.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = color.White
	p.Title.Text = title
	p.Title.TextStyle.Font = sansFont(panelSize)
	p.Title.TextStyle.Font.Weight = xfont.WeightBold
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sansFont(labelSize)
		a.Tick.Label.Font = sansFont(tickSize)
		a.Padding = vg.Points(2)
	}
	p.X.Label.Text, p.Y.Label.Text = xlabel, ylabel
	p.Legend.TextStyle.Font = sansFont(legendSize)
	p.Legend.Padding = vg.Points(legendPad)
	p.Add(grid())
	return p
}

// grid returns light grid lines behind the data.
func grid() plot.Plotter {
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = colGrid, colGrid
	g.Vertical.Width, g.Horizontal.Width = vg.Points(0.5), vg.Points(0.5)
	return g
}

// durationLabel writes a time in seconds as a person reads it: "250 µs",
// "1.5 ms", "2 s".
func durationLabel(s float64) string {
	a := math.Abs(s)
	switch {
	case a == 0:
		return "0 s"
	case a < 1e-3:
		return trimFloat(s*1e6) + " µs"
	case a < 1:
		return trimFloat(s*1e3) + " ms"
	case a < 120:
		return trimFloat(s) + " s"
	case a < 7200:
		return trimFloat(s/60) + " min"
	}
	return trimFloat(s/3600) + " h"
}

// trimFloat writes v with at most three significant digits.
func trimFloat(v float64) string {
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// Log axes. gonum's plot.LogScale places an axis label's glyph box at the
// arithmetic middle of the range, which on a log axis is near its top, and
// the panel then loses a band of space above the data. So ftsim draws log
// axes as linear axes over log10 of the values: data, reference lines and
// limits go through lg, and log10Ticks labels the decades.

// lg is log10 of v, floored at floor.
func lg(v, floor float64) float64 { return math.Log10(math.Max(v, floor)) }

// log10Ticks marks an axis whose values are log10 of the data: a labelled
// tick each decade, unlabelled ticks at 2..9 times it.
type log10Ticks struct {
	label func(v float64) string // writes a data value (10^tick)
}

// Ticks implements plot.Ticker.
func (t log10Ticks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(min, 0) || math.IsInf(max, 0) {
		return nil
	}
	var ticks []plot.Tick
	for e := math.Floor(min); e <= math.Ceil(max); e++ {
		for i := 1; i < 10; i++ {
			v := e + math.Log10(float64(i))
			if v < min-1e-9 || v > max+1e-9 {
				continue
			}
			tk := plot.Tick{Value: v}
			if i == 1 {
				tk.Label = t.label(math.Pow(10, e))
			}
			ticks = append(ticks, tk)
		}
	}
	return ticks
}

// durationTicks labels a log10 time axis: "10 µs", "1 ms", "1 s".
var durationTicks = log10Ticks{label: durationLabel}

// shareTicks labels a log10 axis of shares 0..1 as percentages.
var shareTicks = log10Ticks{label: func(v float64) string {
	return strconv.FormatFloat(v*100, 'g', 3, 64) + " %"
}}

// percentTicks marks a 0..100 % axis every 10 %, labelled every 20 %.
type percentTicks struct{}

// Ticks implements plot.Ticker.
func (percentTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for v := 0.0; v <= 100; v += 10 {
		if v < min-1e-9 || v > max+1e-9 {
			continue
		}
		t := plot.Tick{Value: v}
		if int(v)%20 == 0 {
			t.Label = strconv.Itoa(int(v))
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// roundTicks marks a linear axis with at most N (default 12) labelled round
// steps (1, 2 or 5 times a power of ten) and an unlabelled tick half way
// between.
type roundTicks struct{ N int }

// Ticks implements plot.Ticker.
func (t roundTicks) Ticks(min, max float64) []plot.Tick {
	span := max - min
	if !(span > 0) || math.IsInf(span, 0) {
		return nil
	}
	n := t.N
	if n <= 0 {
		n = 12
	}
	step := roundStep(span / float64(n))
	var ticks []plot.Tick
	for i := math.Ceil(min/step*2 - 1e-9); i/2*step <= max+1e-9*span; i++ {
		v := i/2*step + 0 // + 0 turns -0 into 0
		tk := plot.Tick{Value: v}
		if math.Mod(i, 2) == 0 {
			tk.Label = strconv.FormatFloat(v, 'g', 10, 64)
		}
		ticks = append(ticks, tk)
	}
	return ticks
}

// roundStep is the smallest of 1, 2 or 5 times a power of ten that is at
// least x.
func roundStep(x float64) float64 {
	d := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*d >= x*(1-1e-9) {
			return m * d
		}
	}
	return 10 * d
}

// decadeBounds widens [lo, hi] to whole decades and returns them as
// log10, for a log10 axis.
func decadeBounds(lo, hi float64) (float64, float64) {
	return math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
}

// lineStyle is a solid line of width w points.
func lineStyle(c color.Color, w float64, dashes ...vg.Length) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: vg.Points(w), Dashes: dashes}
}
