package model

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files and docs/ftsim.schema.json")

// expectation is one `# ERROR "text"` or `# WARNING "text"` marker.
type expectation struct {
	line    int
	warning bool
	text    string
}

var markerRE = regexp.MustCompile(`(ERROR|WARNING) ("(?:[^"\\]|\\.)*")`)

// markers returns the expected problems written as comments in data.
func markers(t *testing.T, data []byte) []expectation {
	t.Helper()
	var out []expectation
	for i, line := range strings.Split(string(data), "\n") {
		idx := strings.Index(line, "# ")
		if idx < 0 {
			continue
		}
		for _, m := range markerRE.FindAllStringSubmatch(line[idx:], -1) {
			text, err := strconv.Unquote(m[2])
			if err != nil {
				t.Fatalf("line %d: bad marker %s: %v", i+1, m[2], err)
			}
			out = append(out, expectation{line: i + 1, warning: m[1] == "WARNING", text: text})
		}
	}
	return out
}

// TestInvalid loads every file of testdata/invalid: each problem marked on
// a line must be reported at that line, and nothing else may be reported.
func TestInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil || len(files) < 30 {
		t.Fatalf("want at least 30 invalid scenarios, found %d (%v)", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want := markers(t, data)
			if len(want) == 0 {
				t.Fatal("no ERROR or WARNING marker")
			}
			got := problems(t, f)
			used := make([]bool, len(got))
			for _, w := range want {
				found := false
				for i, e := range got {
					if e.Line == w.line && e.Warning == w.warning && strings.Contains(e.Msg, w.text) && !used[i] {
						used[i], found = true, true
						break
					}
				}
				if !found {
					t.Errorf("line %d: missing %s containing %q", w.line, kindOf(w.warning), w.text)
				}
			}
			for i, e := range got {
				if !used[i] {
					t.Errorf("unexpected: %v", e)
				}
				if e.File != f || e.Col < 1 {
					t.Errorf("bad position: %v", e)
				}
			}
		})
	}
}

func kindOf(warning bool) string {
	if warning {
		return "warning"
	}
	return "error"
}

// problems loads file and returns every error and warning found.
func problems(t *testing.T, file string) ErrorList {
	t.Helper()
	sc, err := Load(file)
	if err == nil {
		return sc.Warnings
	}
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Load error %T %v, want an ErrorList", err, err)
	}
	for i := 1; i < len(list); i++ {
		a, b := list[i-1], list[i]
		if a.Line > b.Line || (a.Line == b.Line && a.Col > b.Col) {
			t.Errorf("problems not sorted: %v before %v", a, b)
		}
	}
	return list
}

// TestScenarios checks that every bundled scenario loads without errors,
// starts with the schema modeline and states its planning question.
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("../scenarios/*.yaml")
	if err != nil || len(files) < 8 {
		t.Fatalf("want at least 8 scenarios, found %d (%v)", len(files), err)
	}
	names := map[string]string{}
	for _, f := range files {
		sc, err := Load(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if err := CheckSweepValues(sc); err != nil {
			t.Errorf("%s: sweep values: %v", f, err)
		}
		for _, w := range sc.Warnings {
			t.Logf("%v", w)
		}
		if prev, dup := names[sc.Name]; dup {
			t.Errorf("%s: name %q is also the name of %s", f, sc.Name, prev)
		}
		names[sc.Name] = f
		data, _ := os.ReadFile(f)
		if !bytes.HasPrefix(data, []byte("# yaml-language-server: $schema=../docs/ftsim.schema.json\n")) {
			t.Errorf("%s: does not start with the yaml-language-server modeline", f)
		}
		if !bytes.Contains(data, []byte("# Planning question:")) {
			t.Errorf("%s: has no planning question comment", f)
		}
		if sc.Description == "" || strings.Contains(sc.Description, "\n") {
			t.Errorf("%s: description must be one line", f)
		}
		if sc.Duration > 600 {
			t.Errorf("%s: duration %s; keep bundled scenarios at 10m or less", f, sc.Duration)
		}
	}
}

// TestDefaults checks the defaults of docs/model.md on a minimal scenario.
func TestDefaults(t *testing.T) {
	sc, err := Parse("dir/min.yaml", []byte(`duration: 2m
hosts:
  - name: esx01
    vmnics: [{name: vmnic0, speed: 10Gbps}, {name: vmnic1, speed: 10Gbps}]
  - name: esx02
    vmnics: [{name: vmnic0, speed: 10Gbps}, {name: vmnic1, speed: 10Gbps}]
ft_vms:
  - {name: vm, primary: esx01, secondary: esx02, logging: {preset: oracle_swingbench}}
  - {name: old, primary: esx02, secondary: esx01, logging: {from_stats: {disk_read: 20MB/s, network_rx: 50Mbps}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("name", sc.Name, "min")
	check("dir", sc.Dir, "dir")
	check("warmup", sc.Warmup, Duration(0))
	check("seed", sc.Seed, 1)
	check("replications", sc.Replications.N, 1)
	check("ft", sc.FT, DefaultFT())
	check("switches", sc.Switches, []Switch{{Name: "sw1", PortBuffer: 1 << 20, Latency: 2e-6, Portfast: true}})
	h := sc.Hosts[1]
	check("index", h.Index, 2)
	check("ft_ip", h.FTIP, "192.168.100.2")
	check("ft_mac", h.FTMAC, "00:50:56:6a:00:02")
	check("port id", h.PortID, 50331650)
	check("mtu", h.MTU, 1500)
	check("vmnic switch", h.Vmnics[1].Switch, "sw1")
	want := DefaultTeaming()
	want.Active = []string{"vmnic0", "vmnic1"}
	check("teaming", h.Teaming, want)
	vm := sc.VMs[0]
	check("mode", vm.Mode, ModeSMP)
	check("vcpus", vm.VCPUs, 2)
	check("memory", vm.Memory, Size(8<<30))
	check("preset rate", vm.Logging.Rate, BitRate(12e6))
	check("pattern", vm.Logging.Pattern, Poisson)
	old := sc.VMs[1]
	check("inferred mode", old.Mode, ModeLegacy)
	check("legacy vcpus", old.VCPUs, 1)
	check("from_stats rate", old.Logging.Rate, BitRate((20e6*8+50e6)*1.2))
	check("index", old.Index, 1)
}

// TestGroupsAndOverrides checks count, placement: spread, VM-level ft:,
// host overrides of defaults and replications: auto.
func TestGroupsAndOverrides(t *testing.T) {
	sc, err := Parse("g.yaml", []byte(`duration: 2m
replications: auto
ci_target: 2%
ft: {log_buffer: 32MiB}
defaults:
  mtu: 9000
  vmnics: [{name: vmnic0, speed: 10Gbps}, {name: vmnic1, speed: 10Gbps}]
  teaming: {load_balancing: explicit_failover, active: [vmnic0], standby: [vmnic1], lbt: {threshold: 80%}}
hosts:
  - {name: h1}
  - {name: h2, mtu: 1500, teaming: {active: [vmnic1], standby: [vmnic0], lbt: {interval: 10s}}}
  - {name: h3}
ft_vms:
  - {name: a, count: 2, placement: spread, logging: {rate: 1Gbps}, ft: {rto: 1s}}
  - {name: b, placement: spread, logging: {rate: 2Gbps, pattern: constant}}
  - {name: c, count: 2, primary: h3, secondary: h1, logging: {trace: testdata/traces/steps.csv}}
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, vm := range sc.VMs {
		got = append(got, fmt.Sprintf("%s:%s>%s", vm.Name, vm.Primary, vm.Secondary))
	}
	if s := strings.Join(got, " "); s != "a-1:h1>h2 a-2:h2>h3 b:h3>h1 c-1:h3>h1 c-2:h3>h1" {
		t.Errorf("VMs %s", s)
	}
	if sc.VMs[0].FT.RTO != 1 || sc.VMs[0].FT.LogBuffer != 32<<20 || sc.VMs[2].FT.RTO != 0.2 {
		t.Errorf("VM ft: %+v / %+v", sc.VMs[0].FT, sc.VMs[2].FT)
	}
	h2 := sc.Hosts[1]
	if h2.MTU != 1500 || sc.Hosts[0].MTU != 9000 || h2.Teaming.Active[0] != "vmnic1" ||
		h2.Teaming.LoadBalancing != ExplicitFailover || h2.Teaming.LBTThreshold != 0.8 || h2.Teaming.LBTInterval != 10 {
		t.Errorf("host override: %+v", h2)
	}
	// Trace: 100 Mbit/s for 60 s, 300 for 60 s, 200 to the end (120 s).
	if r := sc.VMs[3].Logging.Rate; r != 200e6 {
		t.Errorf("trace mean %v, want 200Mbps", r)
	}
	if r := sc.Replications; !r.Auto || r.CITarget != 0.02 || r.Max != 30 || r.N < 2 {
		t.Errorf("replications %+v", r)
	}
}

// TestHostile feeds input that must be refused quickly with one message
// inside the file.
func TestHostile(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for i := 0; i < 9; i++ {
		name := fmt.Sprintf("b%d", i)
		bomb += fmt.Sprintf("%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n", name, name, prev, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = name
	}
	cases := []struct {
		name, data, msg string
		line            int
	}{
		{"binary", "duration: 5m\n\x00\x01\x02\xff", "control character U+0000", 2},
		{"invalid utf-8", "duration: 5m\nname: \xff\xfe\n", "byte 0xff is not UTF-8", 2},
		{"empty", "", "the file is empty", 1},
		{"comment only", "# nothing\n", "the file is empty", 1},
		{"scalar", "hello\n", "must be a mapping", 1},
		{"list", "- a\n- b\n", "must be a mapping", 1},
		{"two documents", "duration: 5m\n---\nduration: 6m\n", "one YAML document", 2},
		{"deep flow", strings.Repeat("[", 5000) + strings.Repeat("]", 5000), "nested more than 100 levels", 1},
		{"many nodes", "a: [" + strings.Repeat("1,", 400000) + "1]\n", "too many YAML elements", 1},
		{"alias bomb", bomb + "hosts: *b8\n", "host must be a mapping", 0},
		{"alias bomb in merge", bomb + "ft: {<<: *b8}\n", "merge key", 0},
		{"self alias", "hosts: &h [*h]\n", "must be a mapping", 1},
		{"syntax", "duration: 5m\nhosts: [a, b\n", "YAML syntax", 0},
		{"deep flow on line 4", "a: 1\nb: 2\nc: 3\nd: " + strings.Repeat("[", 150) + strings.Repeat("]", 150), "nested more than 100 levels", 4},
		{"deep block", deepBlock(150), "nested more than 100 levels", 100},
		{"CR line ends", "duration: 5m\rwarmup: 1m\rhosts: x\r", "hosts must be a list", 3},
		{"CRLF line ends", "duration: 5m\r\nwarmup: 1m\r\nhosts: x\r\n", "hosts must be a list", 3},
		{"str tag on a mapping", "duration: 5m\nhosts: !!str {a: 1}\n", "YAML tag !!str on a mapping", 2},
		{"binary tag", "duration: 5m\nname: x\ndescription: !!binary aGVsbG8=\n", "YAML tag !!binary on a value", 3},
		{"custom tag", "duration: 5m\nft_vms: !vms []\n", "YAML tag !vms on a list", 2},
		{"set tag", "duration: 5m\nsla: !!set {a, b}\n", "YAML tag !!set on a mapping", 2},
		{"int tag on a duration", "name: x\nduration: !!int 10s\n", `YAML tag !!int on "10s": the value is not an int`, 2},
		{"float tag on a rate", "name: x\nduration: 5m\nft: {message_size: !!float 64KiB}\n", `YAML tag !!float on "64KiB": the value is not a float`, 3},
		{"bool tag on yes", "name: x\nduration: 5m\nft: {tcp: {congestion: !!bool yes}}\n", `YAML tag !!bool on "yes": the value is not a bool`, 3},
		{"null tag on a value", "name: x\nduration: 5m\nwarmup: !!null 1m\n", `YAML tag !!null on "1m": the value is not a null`, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			var err error
			go func() {
				defer close(done)
				_, err = Parse("hostile.yaml", []byte(tc.data))
			}()
			<-done
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %v, want an ErrorList", err)
			}
			lines := strings.ReplaceAll(strings.ReplaceAll(tc.data, "\r\n", "\n"), "\r", "\n") // CR ends a line too
			nlines := strings.Count(lines, "\n") + 1
			found := false
			for _, e := range list {
				if e.Line < 1 || e.Line > nlines || e.Col < 1 {
					t.Errorf("position outside the input: %v", e)
				}
				if strings.Contains(e.Msg, tc.msg) && (tc.line == 0 || e.Line == tc.line) {
					found = true
				}
			}
			if !found {
				t.Errorf("got %v, want a problem at line %d containing %q", list, tc.line, tc.msg)
			}
			if len(list) > maxErrors+1 {
				t.Errorf("%d problems, want at most %d", len(list), maxErrors+1)
			}
		})
	}
}

// deepBlock nests block mappings n levels deep, one level per line: the
// first node past the limit (101 levels below the document) is on line 100.
func deepBlock(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(strings.Repeat(" ", i) + "k:\n")
	}
	b.WriteString(strings.Repeat(" ", n) + "v: 1\n")
	return b.String()
}

// TestPlainTagsAccepted: tags that say what a node already is load.
func TestPlainTagsAccepted(t *testing.T) {
	src := "name: !!str tagged\nduration: 5m\nseed: !!int 7\ndefaults: !!map\n  vmnics: !!seq [{name: vmnic0, speed: 10Gbps}]\n" +
		"hosts: [{name: esx01}, {name: esx02}]\nft_vms: [{name: vm1, primary: esx01, secondary: esx02, logging: {rate: 1Gbps}}]\n"
	sc, err := Parse("tags.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "tagged" || sc.Seed != 7 {
		t.Errorf("name %q seed %d", sc.Name, sc.Seed)
	}
}

func TestLoadRefusesBigFiles(t *testing.T) {
	f := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(f, bytes.Repeat([]byte("# padding\n"), MaxScenarioBytes/10+1), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(f)
	if err == nil || !strings.Contains(err.Error(), "at most 10 MiB") {
		t.Errorf("Load of an 11 MiB file: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "nosuch.yaml")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}

// TestMarshalGolden writes the expanded form of a scenario and compares it
// with testdata/expanded.golden (rewrite with -update).
func TestMarshalGolden(t *testing.T) {
	sc, err := Load("testdata/design.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/expanded.golden", out)
	again, err := Parse("testdata/expanded.yaml", out)
	if err != nil {
		t.Fatalf("reloading the expanded form: %v", err)
	}
	assertSameScenario(t, sc, again)
}

// TestValidateGolden checks the full message list of one broken scenario
// against testdata/broken.golden (rewrite with -update).
func TestValidateGolden(t *testing.T) {
	_, err := Load("testdata/broken.yaml")
	if err == nil {
		t.Fatal("testdata/broken.yaml loaded without errors")
	}
	golden(t, "testdata/broken.golden", []byte(err.Error()+"\n"))
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update and review the diff):\n%s", path, got)
	}
}

// assertSameScenario compares two scenarios, ignoring where they came from.
func assertSameScenario(t *testing.T, a, b *Scenario) {
	t.Helper()
	na, nb := normalised(a), normalised(b)
	if !reflect.DeepEqual(na, nb) {
		t.Errorf("scenarios differ:\n%+v\n---\n%+v", na, nb)
	}
}

// normalised is a copy of sc without what depends on where it was read
// from: file, positions, source, warnings and sweep.
func normalised(sc *Scenario) Scenario {
	c := *sc
	c.File, c.Dir, c.Source, c.Warnings, c.Sweep = "", "", nil, nil, nil
	c.Hosts = append([]Host{}, sc.Hosts...)
	for i := range c.Hosts {
		c.Hosts[i].Position = Pos{}
	}
	c.VMs = append([]FTVM{}, sc.VMs...)
	for i := range c.VMs {
		c.VMs[i].Position = Pos{}
	}
	c.Failures = append([]Failure{}, sc.Failures...)
	for i := range c.Failures {
		c.Failures[i].Pos = Pos{}
	}
	return c
}

func ExampleParse() {
	sc, err := Parse("example.yaml", []byte(`
duration: 10m
defaults:
  vmnics:
    - {name: vmnic0, speed: 10Gbps}
    - {name: vmnic1, speed: 10Gbps}
  teaming: {load_balancing: Use explicit failover order, active: [vmnic0], standby: [vmnic1]}
hosts:
  - {name: esx01, ft_ip: 10.0.0.11}
  - {name: esx02, ft_ip: 10.0.0.12}
ft_vms:
  - {name: web, count: 2, placement: spread, mode: legacy,
     logging: {from_stats: {disk_read: 20MB/s, network_rx: 50Mbps}}}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, vm := range sc.VMs {
		fmt.Printf("%s: %s -> %s, %s\n", vm.Name, vm.Primary, vm.Secondary, vm.Logging.Rate)
	}
	h := sc.Hosts[0]
	fmt.Println(h.Name, h.FTMAC, h.PortID, h.Teaming.LoadBalancing, h.Teaming.Active, h.Teaming.Standby)

	_, err = Parse("broken.yaml", []byte(`
duration: 10m
hosts:
  - {name: esx01, vmnics: [{name: vmnic0, speed: 10}]}
  - {name: esx02, vmnics: [{name: vmnic0, speed: 10Gbps}]}
ft_vms:
  - {name: db, primary: esx01, secondary: esx01, logging: {rate: 1Gbps}}
`))
	fmt.Println(err)
	// Output:
	// web-1: esx01 -> esx02, 252Mbps
	// web-2: esx02 -> esx01, 252Mbps
	// esx01 00:50:56:6a:00:01 50331649 explicit_failover [vmnic0] [vmnic1]
	// broken.yaml:4:50: speed: "10" needs a unit: a bit rate such as 10Gbps
	// broken.yaml:7:43: secondary "esx01" is the primary's host: FT needs the secondary on another host
}

func ExampleLoad() {
	sc, err := Load("../scenarios/legacy-1g-sizing.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sc.Name, len(sc.Hosts), "hosts,", len(sc.VMs), "FT VMs of", sc.VMs[0].Logging.Rate, "each")
	// Output:
	// legacy-1g-sizing 2 hosts, 4 FT VMs of 252Mbps each
}
