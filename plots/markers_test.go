package plots

import (
	"slices"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/ftsim/ftsim/sim"
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
	ser := func(obj string, v ...float64) sim.Series {
		return sim.Series{Object: obj, Metric: SeriesUtilisation, T: []float64{0, 1, 2}, V: v}
	}
	ps := panelSet{policies: []string{"port_id"}, cases: []string{"baseline"},
		objects: []string{"esx01/vmnic0", "esx01/vmnic1", "isl:a~b"},
		series: [][]sim.Series{{
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
