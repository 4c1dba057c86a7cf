package importer

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/sim"
)

var update = flag.Bool("update", false, "rewrite goldens")

// readCaptures reads testdata files of one kind.
func readCaptures(t testing.TB, kind string, files ...string) []*Capture {
	t.Helper()
	var caps []*Capture
	g := NewGetStat()
	for _, f := range files {
		path := filepath.Join("testdata", f)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		switch kind {
		case "esxtop":
			c, err := ReadEsxtop(path, bytes.NewReader(data))
			if err != nil {
				t.Fatalf("ReadEsxtop(%s): %v", f, err)
			}
			caps = append(caps, c)
		case "getstat":
			if err := g.Add(path, bytes.NewReader(data)); err != nil {
				t.Fatalf("GetStat.Add(%s): %v", f, err)
			}
		}
	}
	if kind == "getstat" {
		c, err := g.Capture()
		if err != nil {
			t.Fatalf("GetStat.Capture: %v", err)
		}
		caps = append(caps, c)
	}
	return caps
}

func readInventory(t testing.TB, f string) *Inventory {
	t.Helper()
	path := filepath.Join("testdata", f)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	inv, _, err := ReadInventory(path, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("ReadInventory: %v", err)
	}
	return inv
}

// goldenCase is one import of the testdata fixtures.
type goldenCase struct {
	name      string
	kind      string
	files     []string
	inventory string
	mode      string
	dirty     string
	window    string
}

var goldenCases = []goldenCase{
	{name: "esxtop_legacy", kind: "esxtop", mode: "legacy", files: []string{"esx01.csv", "esx02.csv"}},
	{name: "esxtop_inventory", kind: "esxtop", mode: "legacy", files: []string{"esx01.csv", "esx02.csv"}, inventory: "rvtools_vinfo.csv"},
	{name: "esxtop_smp_window", kind: "esxtop", files: []string{"esx01.csv", "esx02.csv"}, mode: "smp", dirty: "25MB/s", window: "5s..15s"},
	{name: "esxtop_one_host", kind: "esxtop", mode: "legacy", files: []string{"esx02.csv"}},
	{name: "getstat", kind: "getstat", mode: "legacy", files: []string{"getstat.csv"}},
	{name: "getstat_busiest", kind: "getstat", mode: "legacy", files: []string{"getstat.csv"}, window: "busiest:40s"},
}

func (c goldenCase) build(t testing.TB) *Import {
	t.Helper()
	opts := Options{Mode: c.mode, Name: c.name}
	if c.dirty != "" {
		v, err := ParseRate(c.dirty)
		if err != nil {
			t.Fatal(err)
		}
		opts.DirtyMemory = v
	}
	if c.window != "" {
		w, err := ParseWindow(c.window)
		if err != nil {
			t.Fatal(err)
		}
		opts.Window = w
	}
	if c.inventory != "" {
		opts.Inventory = readInventory(t, c.inventory)
	}
	imp, err := Build(readCaptures(t, c.kind, c.files...), opts)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return imp
}

// render joins the warnings and every output file into one text.
func render(imp *Import) string {
	var b strings.Builder
	b.WriteString("== warnings ==\n")
	for _, w := range imp.Warnings {
		b.WriteString(filepath.ToSlash(w.Error()) + "\n")
	}
	for _, f := range Files(imp) {
		fmt.Fprintf(&b, "== %s ==\n%s", f.Path, f.Data)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			checkGolden(t, filepath.Join("testdata", c.name+".golden"), render(c.build(t)))
		})
	}
}

// checkGolden compares got with the golden file at path, or rewrites the
// file with -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, diff(string(want), got))
	}
}

// diff shows the first lines that differ.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\nwant %q\ngot  %q", i+1, a, b)
		}
	}
	return "(same lines)"
}

// vmByName finds an imported VM.
func vmByName(t *testing.T, imp *Import, name string) *VM {
	t.Helper()
	for _, vm := range imp.VMs {
		if vm.Name == name {
			return vm
		}
	}
	t.Fatalf("no VM %q imported", name)
	return nil
}

// TestReferenceCases checks the legacy formula against the reference's
// sizing examples: case 1, disk reads 40 MB/s + network input 100 Mb/s ->
// 504 Mb/s; case 6, 20 MB/s + 50 Mb/s -> 252 Mb/s. The fixtures' first
// samples carry exactly those inputs (web01 over two ports, db01 over two
// disks; sql01 and web02 in KBps).
func TestReferenceCases(t *testing.T) {
	cases := []struct {
		golden string
		vm     string
		want   float64
	}{
		{"esxtop_legacy", "web01", 504e6},
		{"esxtop_legacy", "db01", 252e6},
		{"getstat", "sql01", 504e6},
		{"getstat", "web02", 252e6},
	}
	imps := map[string]*Import{}
	for _, c := range goldenCases {
		imps[c.name] = c.build(t)
	}
	for _, c := range cases {
		vm := vmByName(t, imps[c.golden], c.vm)
		if got := vm.Trace[0].Rate; got != c.want {
			t.Errorf("%s %s: first sample logs %.0f bit/s, want %.0f", c.golden, c.vm, got, c.want)
		}
	}
}

func TestLoggingRate(t *testing.T) {
	ts := []Sample{{Start: 0, End: 5}}
	cases := []struct {
		name             string
		net, read, write []float64
		mode             string
		dirty            float64
		want             float64
	}{
		{"case 1 legacy", []float64{100e6}, []float64{40 * 8e6}, nil, ModeLegacy, 0, 504e6},
		{"case 6 legacy", []float64{50e6}, []float64{20 * 8e6}, nil, ModeLegacy, 0, 252e6},
		{"legacy ignores writes", []float64{50e6}, []float64{20 * 8e6}, []float64{99e6}, ModeLegacy, 0, 252e6},
		{"legacy without network", nil, []float64{10 * 8e6}, nil, ModeLegacy, 0, 96e6},
		{"smp", []float64{100e6}, []float64{40 * 8e6}, []float64{10 * 8e6}, ModeSMP, 200e6, 380e6},
		{"smp without disk", []float64{100e6}, nil, nil, ModeSMP, 0, 100e6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &Series{Kind: "esxtop", VM: "vm1", File: "f.csv", Line: 1, Times: ts, NetRx: c.net, DiskRead: c.read, DiskWrite: c.write}
			got, err := loggingRate(s, Options{Mode: c.mode, DirtyMemory: c.dirty}, &Import{})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got[0]-c.want) > 1e-3 {
				t.Errorf("rate = %.3f bit/s, want %.3f", got[0], c.want)
			}
		})
	}
}

func TestParseRate(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		err  bool
	}{
		{"200Mbps", 200e6, false},
		{"1.5 Gbit/s", 1.5e9, false},
		{"25MB/s", 200e6, false},
		{"1MiB/s", 8 * 1048576, false},
		{"200", 0, true},
		{"0Mbps", 0, true},
		{"fast", 0, true},
		{"20 parsecs/s", 0, true},
	}
	for _, c := range cases {
		got, err := ParseRate(c.in)
		if (err != nil) != c.err || (err == nil && math.Abs(got-c.want) > 1e-6) {
			t.Errorf("ParseRate(%q) = %v, %v; want %v (error %v)", c.in, got, err, c.want, c.err)
		}
	}
}

func TestParseWindow(t *testing.T) {
	abs := func(s string) float64 { v, _ := parseStamp(s); return v }
	cases := []struct {
		in       string
		from, to bound
		busiest  float64
		err      string
	}{
		{in: "600..4200", from: bound{true, false, 600}, to: bound{true, false, 4200}},
		{in: "10m..70m", from: bound{true, false, 600}, to: bound{true, false, 4200}},
		{in: "1h30m..", from: bound{true, false, 5400}},
		{in: "..90s", to: bound{true, false, 90}},
		{in: "12/11/2012 19:00:00..12/11/2012 20:00:00",
			from: bound{true, true, abs("12/11/2012 19:00:00")}, to: bound{true, true, abs("12/11/2012 20:00:00")}},
		{in: "2012-12-11T19:00:00Z..2012-12-11 20:00:00",
			from: bound{true, true, abs("12/11/2012 19:00:00")}, to: bound{true, true, abs("12/11/2012 20:00:00")}},
		{in: "busiest:1h", busiest: 3600},
		{in: "busiest:", err: `--window "busiest:": busiest: takes a positive duration, like busiest:1h or busiest:30m`},
		{in: "600", err: `--window "600": want FROM..TO (seconds, durations like 10m..70m, or timestamps), or busiest:DURATION`},
		{in: "70m..10m", err: `--window "70m..10m": the end is not after the start`},
		{in: "..", err: `--window "..": give at least one end`},
		{in: "soon..later", err: `--window "soon..later": "soon" is neither seconds from the start, a duration (10m, 1h30m) nor a timestamp`},
	}
	for _, c := range cases {
		w, err := ParseWindow(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("ParseWindow(%q) error = %v, want %s", c.in, err, c.err)
			}
			continue
		}
		if err != nil || w.From != c.from || w.To != c.to || w.Busiest != c.busiest {
			t.Errorf("ParseWindow(%q) = %+v, %v; want from %+v to %+v busiest %v", c.in, w, err, c.from, c.to, c.busiest)
		}
	}
}

func TestBusiest(t *testing.T) {
	// 0-10 s at 1, 10-20 s at 5, 20-30 s at 2, 30-60 s at 4 (to t1 = 60).
	steps := []step{{0, 1}, {10, 5}, {20, 2}, {30, 4}}
	cases := []struct {
		l, want float64
	}{
		{10, 10}, // [10,20] holds 50, any 10 s in 30-60 holds 40
		{20, 30}, // [30,50] 80 = [40,60] 80 > [10,30] 70: the earliest of the best
		{5, 10},  // inside the 5 s step
		{40, 10}, // [10,50] 50+20+80 = 150 vs [20,60] 20+120 = 140
		{60, 0},  // everything
	}
	for _, c := range cases {
		if got := busiest(steps, 0, 60, c.l); got != c.want {
			t.Errorf("busiest window of %gs starts at %g, want %g", c.l, got, c.want)
		}
	}
}

// loadImport writes an import to a folder and loads its scenario.
func loadImport(t *testing.T, imp *Import) *model.Scenario {
	t.Helper()
	dir := t.TempDir()
	for _, f := range Files(imp) {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sc, err := model.Load(filepath.Join(dir, "scenario.yaml"))
	if err != nil {
		t.Fatalf("the imported scenario does not load:\n%v", err)
	}
	return sc
}

// TestScenarioLoads writes every golden case to a folder and loads the
// scenario with the model's loader, traces included: it must validate as
// written, and each VM's mean rate as the loader resolves it must be the
// mean provenance.csv reports (so a run logs what the capture implies).
func TestScenarioLoads(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			imp := c.build(t)
			sc := loadImport(t, imp)
			for _, w := range sc.Warnings {
				t.Logf("loader warning: %v", w)
			}
			if got, want := sc.Duration.Seconds(), imp.Duration; got != want {
				t.Errorf("duration %gs, want %gs", got, want)
			}
			if len(sc.VMs) != len(imp.VMs) {
				t.Fatalf("%d VMs loaded, want %d", len(sc.VMs), len(imp.VMs))
			}
			for i, vm := range sc.VMs {
				want := imp.VMs[i]
				if vm.Name != want.Name || vm.Primary != want.Primary || vm.Secondary != want.Secondary || vm.Mode != imp.Mode {
					t.Errorf("VM %d = %s on %s/%s (%s), want %s on %s/%s (%s)", i, vm.Name, vm.Primary, vm.Secondary, vm.Mode,
						want.Name, want.Primary, want.Secondary, imp.Mode)
				}
				if got := float64(model.TraceMean(vm.Logging.Trace, sc.Duration)); math.Abs(got-want.Row.Mean) > 1e-6*want.Row.Mean+1e-9 {
					t.Errorf("VM %s: the loaded trace means %.1f bit/s, provenance says %.1f", vm.Name, got, want.Row.Mean)
				}
			}
		})
	}
}

// TestImportedScenarioRuns runs imported scenarios and checks that each VM
// logs what its capture implies: mean rate x duration, within the Poisson
// noise of a short run.
func TestImportedScenarioRuns(t *testing.T) {
	for _, name := range []string{"esxtop_legacy", "getstat"} {
		t.Run(name, func(t *testing.T) {
			var c goldenCase
			for _, g := range goldenCases {
				if g.name == name {
					c = g
				}
			}
			imp := c.build(t)
			sc := loadImport(t, imp)
			res, err := sim.Run(context.Background(), sc, sim.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Runs) == 0 {
				t.Fatal("no runs")
			}
			for i, vm := range res.Runs[0].VMs {
				want := imp.VMs[i].Row.Mean * imp.Duration / 8
				if vm.VM != imp.VMs[i].Name || math.Abs(vm.LoggedBytes-want) > 0.03*want {
					t.Errorf("VM %s logged %.0f bytes, the capture implies %.0f (VM %s, +-3%%)", vm.VM, vm.LoggedBytes, want, imp.VMs[i].Name)
				}
			}
		})
	}
}

// TestImportedSMPScenarioRuns: an import with --mode smp runs through the
// SMP-FT epoch model: every VM checkpoints, and what it sends is its
// trace's rate over the time it ran (not stunned nor waiting) plus each
// checkpoint's overhead.
func TestImportedSMPScenarioRuns(t *testing.T) {
	var c goldenCase
	for _, g := range goldenCases {
		if g.name == "esxtop_smp_window" {
			c = g
		}
	}
	imp := c.build(t)
	sc := loadImport(t, imp)
	res, err := sim.Run(context.Background(), sc, sim.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i, vm := range res.Runs[0].VMs {
		if !vm.SMP() {
			t.Fatalf("VM %s has no checkpoint figures", vm.VM)
		}
		ran := 1 - *vm.StunFraction - vm.ThrottledFraction
		epochs := imp.Duration * ran / *vm.CheckpointIntervalMean
		over := float64(sc.VMs[i].FT.Checkpoint.Overhead)
		want := imp.VMs[i].Row.Mean*imp.Duration/8*ran + over*epochs
		if math.Abs(vm.LoggedBytes-want) > 0.05*want {
			t.Errorf("VM %s sent %.0f bytes in checkpoints, its trace implies %.0f (+-5%%)", vm.VM, vm.LoggedBytes, want)
		}
	}
}

// TestDefaultModeSMP: without a mode the import estimates SMP-FT (legacy
// FT left vSphere in 6.5), and both scenario.yaml and provenance.csv say
// which formula gave the rates.
func TestDefaultModeSMP(t *testing.T) {
	for _, tc := range []struct {
		mode, yamlMode, formula string
	}{
		{"", "mode: smp", "smp: disk writes + network input + dirty memory"},
		{ModeSMP, "mode: smp", "smp: disk writes + network input + dirty memory"},
		{ModeLegacy, "mode: legacy", "legacy: (disk reads + network input) x1.2"},
	} {
		imp, err := Build(readCaptures(t, "esxtop", "esx01.csv", "esx02.csv"), Options{Mode: tc.mode, Name: "d"})
		if err != nil {
			t.Fatalf("mode %q: %v", tc.mode, err)
		}
		want := tc.mode
		if want == "" {
			want = ModeSMP
		}
		if imp.Mode != want {
			t.Errorf("mode %q: imported as %s, want %s", tc.mode, imp.Mode, want)
		}
		if y := string(Scenario(imp)); !strings.Contains(y, tc.yamlMode) {
			t.Errorf("mode %q: scenario.yaml lacks %q", tc.mode, tc.yamlMode)
		}
		prov := string(Provenance(imp))
		for _, vm := range imp.VMs {
			if !strings.Contains(vm.Row.Factors, tc.formula) {
				t.Errorf("mode %q: %s's provenance factors %q do not name the formula %q", tc.mode, vm.Name, vm.Row.Factors, tc.formula)
			}
		}
		if !strings.Contains(prov, tc.formula) {
			t.Errorf("mode %q: provenance.csv does not name the formula %q", tc.mode, tc.formula)
		}
	}
}
