package plots

import (
	"bytes"
	"flag"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/results"
)

var outDir = flag.String("out", "", "also write the golden charts as PNG into this folder, to look at them")

func TestChartsFromGolden(t *testing.T) {
	r, series := loadGolden(t)
	cs, err := Charts(r, series)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"utilisation", "replay-lag", "lag-cdf", "policy-comparison", "utilisation-worst", "replay-lag-worst"}
	if len(cs) != len(want) {
		t.Fatalf("got %d charts, want %v", len(cs), want)
	}
	for i, c := range cs {
		if c.Name != want[i] {
			t.Errorf("chart %d is %q, want %q", i, c.Name, want[i])
		}
		if c.Title == "" || c.Caption == "" {
			t.Errorf("%s: title or caption missing", c.Name)
		}
		if len(c.Plots()) == 0 {
			t.Errorf("%s: no panels", c.Name)
		}
		if !strings.Contains(strings.Join(c.Notes, "\n"), "lacp not applicable: LACP needs") {
			t.Errorf("%s: notes %q do not say why lacp was skipped", c.Name, c.Notes)
		}
	}
	if *outDir != "" {
		for _, c := range cs {
			var buf bytes.Buffer
			if err := Render(&buf, c, "png"); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(*outDir, c.Name+".png"), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestChartsPNGSize(t *testing.T) {
	r, series := loadGolden(t)
	cs, err := Charts(r, series)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		var buf bytes.Buffer
		if err := Render(&buf, c, "png"); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 800 {
			t.Errorf("%s: %dx%d pixels, want 1200x800", c.Name, b.Dx(), b.Dy())
		}
	}
}

func TestChartsWithoutSeriesOrN1(t *testing.T) {
	r, _ := loadGolden(t)
	r.Worst = nil
	cs, skipped, err := charts(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "lag-cdf,policy-comparison" {
		t.Errorf("charts without time series: %s", got)
	}
	if len(skipped) != 2 || !strings.HasPrefix(skipped[0], "utilisation: ") {
		t.Errorf("skipped %q, want utilisation and replay-lag", skipped)
	}
	// Without N-1 cases the comparison has only baseline bars.
	for _, c := range cs {
		if c.Name == "policy-comparison" && strings.Contains(strings.Join(c.Notes, " "), "worst single failure") {
			t.Errorf("comparison notes %q mention worst cases that were not run", c.Notes)
		}
	}
}

func TestChartsOfEmptyResult(t *testing.T) {
	cs, err := Charts(results.Result{}, nil)
	if err != nil || len(cs) != 0 {
		t.Errorf("got %d charts, %v; want none and no error", len(cs), err)
	}
}

func TestRenderFormats(t *testing.T) {
	r, _ := loadGolden(t)
	c, err := LagCDF(r)
	if err != nil {
		t.Fatal(err)
	}
	prefixes := map[string]string{"svg": "<?xml", "pdf": "%PDF-", "png": "\x89PNG"}
	for _, f := range Formats {
		var buf bytes.Buffer
		if err := Render(&buf, c, f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !strings.HasPrefix(buf.String(), prefixes[f]) {
			t.Errorf("%s output starts %q", f, buf.String()[:8])
		}
	}
	if err := Render(new(bytes.Buffer), c, "gif"); err == nil || !strings.Contains(err.Error(), `"gif"`) {
		t.Errorf("unknown format: got %v", err)
	}
}

func TestPlanning(t *testing.T) {
	sla := 0.1
	var pts []PlanPoint
	for _, n := range []float64{2, 4, 6, 8, 10} {
		pts = append(pts,
			PlanPoint{Policy: "explicit_failover", X: n, XLabel: strconv.Itoa(int(n)), Value: 0.0002 * n * n * n},
			PlanPoint{Policy: "ip_hash", X: n, XLabel: strconv.Itoa(int(n)), Value: 0.0001 * n * n * n})
	}
	marks := []PlanMark{{Policy: "explicit_failover", Value: "6", Kind: "largest passing"}, {Policy: "ip_hash", Kind: "largest passing"}}
	c, err := Planning("planning", "web: p99 replay lag against count", "FT VMs (ft_vms[web].count)", pts, "replay_lag_p99_s", &sla, marks)
	if err != nil {
		t.Fatal(err)
	}
	// The legend stands beside the data and names each answer; the time
	// axis is logarithmic, so the smallest lag (1.6 ms) sits above the
	// bottom of the axis, not flat at 0.
	if c.Legend == nil {
		t.Fatal("no legend beside the data")
	}
	var svg bytes.Buffer
	if err := Render(&svg, c, "svg"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"explicit_failover: largest passing 6", "ip_hash: none passes", "SLA limit"} {
		if !strings.Contains(svg.String(), want) {
			t.Errorf("the chart does not read %q", want)
		}
	}
	p := c.Panels[0][0]
	if lo := math.Log10(0.0001 * 8); !(p.Y.Min < lo && p.Y.Max >= math.Log10(0.2)) {
		t.Errorf("y axis [%g, %g] (log10) does not hold %g..0.2 s above its floor", p.Y.Min, p.Y.Max, 0.0001*8)
	}
	var buf bytes.Buffer
	if err := Render(&buf, c, "png"); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 800 {
		t.Errorf("planning chart is %dx%d", b.Dx(), b.Dy())
	}
	if *outDir != "" {
		if err := os.WriteFile(filepath.Join(*outDir, "planning.png"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Planning("p", "", "", nil, "replay_lag_p99_s", nil, nil); err == nil {
		t.Error("no points: want an error")
	}
	if _, err := Planning("p", "", "", []PlanPoint{{Policy: "ip_hash", X: 1, Value: math.NaN()}}, "x", nil, nil); err == nil {
		t.Error("only NaN points: want an error")
	}
	// A wide sweep gets a log axis and still draws; a share stays linear.
	wide := []PlanPoint{{Policy: "ip_hash", X: 1e9, XLabel: "1Gbps", Value: 0.5},
		{Policy: "ip_hash", X: 1e10, XLabel: "10Gbps", Value: 0.05}, {Policy: "ip_hash", X: 2.5e10, XLabel: "25Gbps", Value: 0.01}}
	c, err = Planning("p", "t", "speed", wide, "utilisation_peak", nil, []PlanMark{{Policy: "ip_hash", Value: "10Gbps", Kind: "smallest passing"}})
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Panels[0][0]; p.Y.Min != 0 {
		t.Errorf("utilisation axis starts at %g, want 0 (linear)", p.Y.Min)
	}
	if err := Render(new(bytes.Buffer), c, "svg"); err != nil {
		t.Fatal(err)
	}
}

func TestQuantileCDF(t *testing.T) {
	qs := []results.Quantile{{Q: 0, Value: 1e-4}, {Q: 0.5, Value: 1e-3}, {Q: 1, Value: 1e-2}}
	tests := []struct{ x, want float64 }{
		{5e-5, 0},
		{1e-4, 0},
		{math.Sqrt(1e-4 * 1e-3), 0.25}, // half way in log x
		{1e-3, 0.5},
		{1e-2, 1},
		{1, 1},
	}
	for _, tt := range tests {
		if got := quantileCDF(qs, tt.x); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("F(%g) = %g, want %g", tt.x, got, tt.want)
		}
	}
	mix := []weighted{{qs, 0.75}, {[]results.Quantile{{Q: 0, Value: 1}, {Q: 1, Value: 2}}, 0.25}}
	if got := mixtureCDF(mix, 0.5); math.Abs(got-0.75) > 1e-9 {
		t.Errorf("mixture at 0.5 s = %g, want 0.75", got)
	}
}

func TestGroupEvents(t *testing.T) {
	ev := []results.Event{
		{T: 60.1, Kind: "failover", Target: "esx01/vmnic2", From: "esx01/vmnic1"},
		{T: 60, Kind: "failure", Target: "esx01/vmnic1"},
		{T: 60.1, Kind: "detected", Target: "esx01/vmnic1"},
		{T: 90, Kind: "recovery", Target: "esx01/vmnic1"},
		{T: 95, Kind: "ft_lost", Target: "web-1"},
		{T: 95, Kind: "ft_lost", Target: "web-2"},
	}
	groups, classes := groupEvents(ev, 1)
	want := []string{
		"60 s: failure esx01/vmnic1; failover to esx01/vmnic2; detected",
		"90 s: recovery esx01/vmnic1",
		"95 s: FT lost web-1, web-2",
	}
	if len(groups) != len(want) {
		t.Fatalf("got %d groups %+v, want %d", len(groups), groups, len(want))
	}
	for i, g := range groups {
		if g.Label != want[i] {
			t.Errorf("group %d: %q, want %q", i, g.Label, want[i])
		}
	}
	if groups[0].Color != colFailure || groups[2].Color != colFT {
		t.Error("a group takes the colour of its most important event")
	}
	if classes[0].name != "failure" || len(classes) != 5 {
		t.Errorf("classes %+v", classes)
	}
}

func TestTicks(t *testing.T) {
	var labels []string
	for _, tk := range durationTicks.Ticks(-6, 0.4) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, ","); got != "1 µs,10 µs,100 µs,1 ms,10 ms,100 ms,1 s" {
		t.Errorf("duration ticks %s", got)
	}
	labels = labels[:0]
	for _, tk := range (roundTicks{}).Ticks(0, 120) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, ","); got != "0,10,20,30,40,50,60,70,80,90,100,110,120" {
		t.Errorf("time ticks %s", got)
	}
	tests := map[float64]string{0: "0 s", 250e-6: "250 µs", 0.0015: "1.5 ms", 2: "2 s", 600: "10 min", 7200: "2 h"}
	for v, want := range tests {
		if got := durationLabel(v); got != want {
			t.Errorf("durationLabel(%g) = %q, want %q", v, got, want)
		}
	}
}
