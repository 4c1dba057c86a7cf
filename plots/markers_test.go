package plots

import (
	"image/color"
	"slices"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/ftsim/ftsim/results"
)

// TestLabelPositions: labels of markers closer than a label's height
// never overlap, each as near its marker as the others allow, and those
// with no room are left out.
func TestLabelPositions(t *testing.T) {
	for _, tc := range []struct {
		xs, want []vg.Length
	}{
		{[]vg.Length{10, 50, 90}, []vg.Length{10, 50, 90}},
		{[]vg.Length{10, 12, 13, 60}, []vg.Length{10, 22, 34, 60}},
		{[]vg.Length{80, 85, 88, 89}, []vg.Length{80, 92, -1, -1}},
	} {
		got := labelPositions(tc.xs, 12, 0, 105)
		if !slices.Equal(got, tc.want) {
			t.Errorf("labels of %v at %v, want %v", tc.xs, got, tc.want)
		}
		prev := vg.Length(-100)
		for i, x := range got {
			if x < 0 {
				continue
			}
			if x < tc.xs[i] || x-prev < 12 {
				t.Errorf("label %d at %v: before its marker %v or within 12 of the previous", i, x, tc.xs[i])
			}
			prev = x
		}
	}
}

// TestSummariseLinks: with too many links for one panel, each link is one
// series (the busier direction each second), and links idle all run are
// named in a note, not drawn.
func TestSummariseLinks(t *testing.T) {
	ser := func(obj string, v ...float64) results.Series {
		return results.Series{Object: obj, Metric: results.SeriesUtilisation, T: []float64{0, 1, 2}, V: v}
	}
	ps := panelSet{policies: []string{"port_id"}, cases: []string{"baseline"},
		objects: []string{"esx01/vmnic0", "esx01/vmnic1", "isl:a~b"},
		series: [][]results.Series{{
			ser("esx01/vmnic0 tx", 0.5, 0.1, 0.2), ser("esx01/vmnic0 rx", 0.1, 0.6, 0.2),
			ser("esx01/vmnic1 tx", 0, 0.001, 0), ser("esx01/vmnic1 rx", 0, 0, 0.009),
			ser("isl:a~b tx", 0, 0.3, 0), ser("isl:a~b rx", 0, 0, 0),
		}}}
	out := summariseLinks(ps)
	if !slices.Equal(out.objects, []string{"esx01/vmnic0", "isl:a~b"}) {
		t.Errorf("objects %v, want the two links that carried traffic", out.objects)
	}
	if len(out.series[0]) != 2 || !slices.Equal(out.series[0][0].V, []float64{0.5, 0.6, 0.2}) || out.series[0][0].Object != "esx01/vmnic0" {
		t.Errorf("series %+v, want esx01/vmnic0 at the busier direction 0.5, 0.6, 0.2", out.series[0])
	}
	if len(out.notes) != 1 || out.notes[0] != "below 1 % the whole run, not drawn: esx01/vmnic1" {
		t.Errorf("notes %q", out.notes)
	}
	if !slices.Equal(ps.series[0][0].V, []float64{0.5, 0.1, 0.2}) {
		t.Error("summariseLinks changed its input")
	}
}

// TestClearOf: a reference line's label moves along its line past every
// event label it would overprint, and stays at its end when nothing is in
// the way or no place is clear.
func TestClearOf(t *testing.T) {
	sty := noteStyle(color.Black)
	sty.XAlign, sty.YAlign = draw.XRight, draw.YBottom
	label := "1 s: FT slows the primary"
	at := vg.Point{X: 400, Y: 100}
	box := func(x0, x1 vg.Length) vg.Rectangle {
		return vg.Rectangle{Min: vg.Point{X: x0, Y: 0}, Max: vg.Point{X: x1, Y: 200}}
	}
	for _, tc := range []struct {
		name  string
		boxes []vg.Rectangle
		left  bool
		want  func(x vg.Length) bool
	}{
		{"nothing in the way", nil, false, func(x vg.Length) bool { return x == 400 }},
		{"below the label", []vg.Rectangle{{Min: vg.Point{X: 380, Y: 0}, Max: vg.Point{X: 390, Y: 90}}}, false,
			func(x vg.Length) bool { return x == 400 }},
		{"one event label", []vg.Rectangle{box(380, 392)}, false, func(x vg.Length) bool { return x <= 378 }},
		{"two in a row", []vg.Rectangle{box(380, 392), box(370, 382)}, false, func(x vg.Length) bool { return x <= 368 }},
		{"left aligned", []vg.Rectangle{box(0, 20)}, true, func(x vg.Length) bool { return x >= 22 }},
		{"no room", []vg.Rectangle{box(0, 400)}, false, func(x vg.Length) bool { return x == 400 }},
	} {
		s := sty
		a := at
		if tc.left {
			s.XAlign = draw.XLeft
			a.X = 4
		}
		x := clearOf(s, a, label, tc.boxes, 0, 404, tc.left)
		if !tc.want(x) {
			t.Errorf("%s: label at %v", tc.name, x)
		}
		if x == a.X && tc.name != "nothing in the way" && tc.name != "below the label" && tc.name != "no room" {
			t.Errorf("%s: label not moved", tc.name)
		}
		r := s.Rectangle(label)
		lr := vg.Rectangle{Min: vg.Point{X: x + r.Min.X, Y: a.Y + r.Min.Y}, Max: vg.Point{X: x + r.Max.X, Y: a.Y + r.Max.Y}}
		if tc.name != "no room" {
			for _, b := range tc.boxes {
				if overlaps(lr, b) {
					t.Errorf("%s: label %v overprints %v", tc.name, lr, b)
				}
			}
		}
	}
}

// TestWidestGap: a band's label goes in the widest stretch of the band
// that no event label covers at the label's height.
func TestWidestGap(t *testing.T) {
	b := func(x0, x1, y0, y1 vg.Length) vg.Rectangle {
		return vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: y1}}
	}
	for _, tc := range []struct {
		boxes  []vg.Rectangle
		lo, hi vg.Length
	}{
		{nil, 100, 300},
		{[]vg.Rectangle{b(110, 120, 0, 50)}, 120, 300},
		{[]vg.Rectangle{b(250, 260, 0, 50), b(110, 120, 0, 50)}, 120, 250},
		{[]vg.Rectangle{b(150, 160, 40, 50)}, 100, 300}, // above the label
		{[]vg.Rectangle{b(50, 350, 0, 50)}, 0, 0},
	} {
		lo, hi := widestGap(100, 300, 5, 15, tc.boxes)
		if lo != tc.lo || hi != tc.hi {
			t.Errorf("gap among %v: %v..%v, want %v..%v", tc.boxes, lo, hi, tc.lo, tc.hi)
		}
	}
}

// TestMergeBands: the unprotected bands of VMs lost together (within the
// tolerance) become one band labelled with their number, so their labels
// do not overprint; a VM lost at another time keeps its own band.
func TestMergeBands(t *testing.T) {
	in := []band{
		{X0: 69.9995, X1: 120, Label: "app-4 unprotected"},
		{X0: 69.9996, X1: 120, Label: "app-1 unprotected"},
		{X0: 70.0001, X1: 119.9, Label: "app-2 unprotected"},
		{X0: 90, X1: 120, Label: "app-7 unprotected"},
	}
	got := mergeBands(in, 1)
	if len(got) != 2 {
		t.Fatalf("%d bands, want 2: %+v", len(got), got)
	}
	if got[0].Label != "3 VMs unprotected" || got[0].X0 != 69.9995 || got[0].X1 != 120 {
		t.Errorf("merged band %+v", got[0])
	}
	if got[1].Label != "app-7 unprotected" || got[1].X0 != 90 {
		t.Errorf("separate band %+v", got[1])
	}
}

// TestLineLabelClearOfEvents draws a lag panel whose throttle line's label
// would sit under an event label at its right end, and checks that the
// label drawn is clear of every event label.
func TestLineLabelClearOfEvents(t *testing.T) {
	p := plot.New()
	p.X.Min, p.X.Max = 0, 120
	p.Y.Min, p.Y.Max = 0, 10
	m := &eventMarkers{Groups: []markerGroup{
		{T: 105, Color: colFailure, Label: "105 s: failure esx02"},
		{T: 110, Color: colFT, Label: "110 s: FT lost app-1"},
	}}
	img := vgimg.New(4*vg.Inch, 3*vg.Inch)
	c := draw.New(img)
	da := p.DataCanvas(c)
	boxes := m.labelBoxes(da, p)
	if len(boxes) != 2 {
		t.Fatalf("%d event label boxes, want 2", len(boxes))
	}
	h := hline{Y: 9.5, Label: "1 s: FT slows the primary", Style: lineStyle(colLimit, 1), Avoid: m}
	sty := noteStyle(colLimit)
	sty.XAlign, sty.YAlign = draw.XRight, draw.YBottom
	_, trY := p.Transforms(&da)
	at := vg.Point{X: da.Max.X - vg.Points(4), Y: trY(h.Y) + vg.Points(2)}
	x := clearOf(sty, at, h.Label, boxes, da.Min.X, da.Max.X, false)
	r := sty.Rectangle(h.Label)
	lr := vg.Rectangle{Min: vg.Point{X: x + r.Min.X, Y: at.Y + r.Min.Y}, Max: vg.Point{X: x + r.Max.X, Y: at.Y + r.Max.Y}}
	if x == at.X {
		t.Fatalf("label left at the line's end, under the event labels")
	}
	for _, b := range boxes {
		if overlaps(lr, b) {
			t.Errorf("throttle label %v overprints event label %v", lr, b)
		}
	}
	h.Plot(da, p) // draws without panicking
}

// TestBandLabel: a band's label is cut to its room, and left out when the
// cut would leave a stub such as "w…".
func TestBandLabel(t *testing.T) {
	sty := noteStyle(color.Black)
	full := sty.Width("warm-up")
	for _, tc := range []struct {
		room vg.Length
		want func(string) bool
	}{
		{full + 1, func(s string) bool { return s == "warm-up" }},
		{sty.Width("w…") + 1, func(s string) bool { return s == "" }},
		{0, func(s string) bool { return s == "" }},
	} {
		if got := bandLabel(sty, "warm-up", tc.room); !tc.want(got) {
			t.Errorf("room %v: %q", tc.room, got)
		}
	}
	long := "app-1, app-2 unprotected"
	if got := bandLabel(sty, long, sty.Width("app-1, app-2…")+1); got == "" || got == long {
		t.Errorf("a long label with room for most of it: %q", got)
	}
}
