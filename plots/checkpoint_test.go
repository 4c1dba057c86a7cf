package plots

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
	"github.com/ftsim/ftsim/sim"
)

// smpResult runs n SMP-FT VMs and one legacy VM on two hosts and returns
// the result with its series read back from timeseries.csv, as `ftsim
// plot` reads them.
func smpResult(t *testing.T, n int) (results.Result, []results.Series) {
	t.Helper()
	var b strings.Builder
	b.WriteString("name: ck\nduration: 6s\nwarmup: 1s\ndefaults:\n  mtu: 9000\n  vmnics: [{name: vmnic0, speed: 25Gbps}]\nhosts: [{name: esx01}, {name: esx02}]\nft_vms:\n")
	b.WriteString("  - {name: old, primary: esx02, secondary: esx01, mode: legacy, logging: {rate: 100Mbps}}\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - {name: db%d, primary: esx01, secondary: esx02, mode: smp, checkpoint: {interval: %dms}, logging: {from_stats: {dirty_memory: 50MB/s}}}\n", i+1, 5*(i+1))
	}
	sc, err := model.Parse("ck.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	r, err := sim.Run(context.Background(), sc, sim.Options{Parallel: 1})
	if err != nil {
		t.Fatal(err)
	}
	var csv bytes.Buffer
	if err := results.WriteSeriesCSV(&csv, r.Series); err != nil {
		t.Fatal(err)
	}
	series, err := results.ReadSeriesCSV(&csv)
	if err != nil {
		t.Fatal(err)
	}
	return r, series
}

func TestCheckpointChart(t *testing.T) {
	for _, n := range []int{1, 3, maxCheckpointPanels + 2} {
		r, series := smpResult(t, n)
		cs, err := Charts(r, series)
		if err != nil {
			t.Fatal(err)
		}
		var c *Chart
		for i := range cs {
			if cs[i].Name == "checkpoints" {
				c = &cs[i]
			}
		}
		if c == nil {
			t.Fatalf("%d SMP-FT VMs: no checkpoints chart", n)
		}
		if got, want := len(c.Plots()), min(n, maxCheckpointPanels); got != want {
			t.Errorf("%d SMP-FT VMs: %d panels, want %d (the legacy VM has none)", n, got, want)
		}
		if n > maxCheckpointPanels && !strings.Contains(strings.Join(c.Notes, " "), "2 more SMP-FT VMs") {
			t.Errorf("notes %q do not name the VMs left out", c.Notes)
		}
		// Each panel's interval line sits at the VM's fixed interval.
		p := c.Plots()[0]
		if p.Y.Max < 5 || p.Y.Max > 100 {
			t.Errorf("first panel's y range up to %g ms for a 5 ms interval", p.Y.Max)
		}
		var png bytes.Buffer
		if err := Render(&png, *c, "png"); err != nil || png.Len() == 0 {
			t.Errorf("render: %v", err)
		}
	}
}

func TestNoCheckpointChartForLegacy(t *testing.T) {
	r, series := loadGolden(t)
	if _, err := Checkpoints(r, series); err == nil {
		t.Error("a checkpoints chart for results without SMP-FT VMs")
	}
}

// TestReportExplainsModes: a report with SMP-FT VMs explains both modes
// and names each mode's VMs; one without says nothing new.
func TestReportExplainsModes(t *testing.T) {
	r, _ := smpResult(t, 2)
	words := strings.Join(scenarioWords(r), " ")
	for _, want := range []string{"SMP-FT (fast checkpointing, vSphere 6.0 and later: db1, db2)", "Legacy FT (record/replay, 1 vCPU: old)"} {
		if !strings.Contains(words, want) {
			t.Errorf("report words lack %q:\n%s", want, words)
		}
	}
	g, _ := loadGolden(t)
	if w := strings.Join(scenarioWords(g), " "); strings.Contains(w, "SMP-FT") {
		t.Errorf("legacy-only results explain SMP-FT: %s", w)
	}
}
