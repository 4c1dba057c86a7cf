package model

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// sweepBase is a small valid scenario; each test appends its own sweep.
const sweepBase = `name: sweep-test
duration: 60s
defaults:
  mtu: 1500
  vmnics:
    - {name: vmnic1, speed: 10Gbps}
    - {name: vmnic2, speed: 10Gbps}
  teaming:
    load_balancing: port_id
    active: [vmnic1, vmnic2]
hosts:
  - {name: esx01, ft_ip: 192.168.50.11}
  - {name: esx02, ft_ip: 192.168.50.12}
ft_vms:
  - name: db
    primary: esx01
    secondary: esx02
    logging: {rate: 200Mbps}
  - name: web
    count: 2
    placement: spread
    logging:
      rate: 500Mbps
`

func parseSweep(t *testing.T, sweep string) *Scenario {
	t.Helper()
	sc, err := Parse("sweep.yaml", []byte(sweepBase+sweep))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return sc
}

func caseNames(cases []Case) []string {
	var out []string
	for _, c := range cases {
		out = append(out, c.Name)
	}
	return out
}

func TestExpandSweepNoSweep(t *testing.T) {
	sc := parseSweep(t, "")
	cases, err := ExpandSweep(sc)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 1 || cases[0].Name != "sweep-test" || cases[0].Dir != "sweep-test" ||
		cases[0].Scenario != sc || len(cases[0].Params) != 0 {
		t.Fatalf("cases = %+v, want the scenario itself as case sweep-test", cases)
	}
}

func TestExpandSweep(t *testing.T) {
	type check func(t *testing.T, c Case)
	webCount := func(want map[string]int) check {
		return func(t *testing.T, c Case) {
			n := 0
			for _, vm := range c.Scenario.VMs {
				if strings.HasPrefix(vm.Name, "web") {
					n++
				}
			}
			if w, ok := want[c.Name]; ok && n != w {
				t.Errorf("%s: %d web VMs, want %d", c.Name, n, w)
			}
		}
	}
	speeds := func(c Case) []BitRate {
		var out []BitRate
		for _, h := range c.Scenario.Hosts {
			for _, v := range h.Vmnics {
				out = append(out, v.Speed)
			}
		}
		return out
	}
	tests := []struct {
		name  string
		sweep string
		want  []string
		check check
	}{
		{
			name:  "name selector, natural order",
			sweep: "sweep:\n  \"ft_vms[web].count\": [10, 2, 4]\n",
			want:  []string{"sweep-test/count=2", "sweep-test/count=4", "sweep-test/count=10"},
			check: webCount(map[string]int{"sweep-test/count=2": 2, "sweep-test/count=4": 4, "sweep-test/count=10": 10}),
		},
		{
			name:  "every item, values as written",
			sweep: "sweep:\n  defaults.vmnics[*].speed: [1Gbps, 25Gbit/s]\n",
			want:  []string{"sweep-test/speed=1Gbps", "sweep-test/speed=25Gbit/s"},
			check: func(t *testing.T, c Case) {
				want := BitRate(1e9)
				if strings.HasSuffix(c.Name, "25Gbit/s") {
					want = 25e9
				}
				for _, s := range speeds(c) {
					if s != want {
						t.Errorf("%s: vmnic speeds %v, want all %v", c.Name, speeds(c), want)
						break
					}
				}
				if c.Dir != strings.ReplaceAll(c.Name, "Gbit/s", "Gbit%2Fs") {
					t.Errorf("%s: dir %q", c.Name, c.Dir)
				}
			},
		},
		{
			name:  "index selector",
			sweep: "sweep:\n  \"hosts[0].ft_ip\": [192.168.50.21, \"192.168.50.31\"]\n",
			want:  []string{"sweep-test/ft_ip=192.168.50.21", "sweep-test/ft_ip=192.168.50.31"},
			check: func(t *testing.T, c Case) {
				ip := c.Scenario.Hosts[0].FTIP.String()
				if !strings.HasSuffix(c.Name, "="+ip) {
					t.Errorf("%s: esx01 ft_ip %s", c.Name, ip)
				}
				if got := c.Scenario.Hosts[1].FTIP.String(); got != "192.168.50.12" {
					t.Errorf("%s: esx02 ft_ip changed to %s", c.Name, got)
				}
			},
		},
		{
			name: "cartesian product, parameters in file order",
			sweep: "sweep:\n  defaults.vmnics[*].speed: [10Gbps, 1Gbps]\n" +
				"  \"ft_vms[web].count\": [8, 2]\n  defaults.mtu: [9000]\n",
			want: []string{
				"sweep-test/speed=1Gbps,count=2,mtu=9000", "sweep-test/speed=1Gbps,count=8,mtu=9000",
				"sweep-test/speed=10Gbps,count=2,mtu=9000", "sweep-test/speed=10Gbps,count=8,mtu=9000",
			},
			check: func(t *testing.T, c Case) {
				count := 2
				if strings.Contains(c.Name, "count=8") {
					count = 8
				}
				webCount(map[string]int{c.Name: count})(t, c)
				for _, h := range c.Scenario.Hosts {
					if h.MTU != 9000 {
						t.Errorf("%s: host %s MTU %d", c.Name, h.Name, h.MTU)
					}
				}
				if len(c.Params) != 3 || c.Params[0].Path != "defaults.vmnics[*].speed" || c.Params[1].Param != "count" {
					t.Errorf("%s: params %+v", c.Name, c.Params)
				}
			},
		},
		{
			name:  "block sequence of values, nested key",
			sweep: "sweep:\n  ft_vms[web].logging.rate:\n    - 100Mbps\n    - 1.5Gbps\n",
			want:  []string{"sweep-test/rate=1.5Gbps", "sweep-test/rate=100Mbps"},
			check: func(t *testing.T, c Case) {
				want := BitRate(100e6)
				if strings.HasSuffix(c.Name, "1.5Gbps") {
					want = 1.5e9
				}
				for _, vm := range c.Scenario.VMs {
					if strings.HasPrefix(vm.Name, "web") && vm.Logging.Rate != want {
						t.Errorf("%s: %s rate %v, want %v", c.Name, vm.Name, vm.Logging.Rate, want)
					}
					if vm.Name == "db" && vm.Logging.Rate != 200e6 {
						t.Errorf("%s: db rate changed to %v", c.Name, vm.Logging.Rate)
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := parseSweep(t, tt.sweep)
			cases, err := ExpandSweep(sc)
			if err != nil {
				t.Fatal(err)
			}
			if got := caseNames(cases); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("cases %q, want %q", got, tt.want)
			}
			for _, c := range cases {
				if len(c.Scenario.Sweep) != 0 {
					t.Errorf("%s: the case still has a sweep", c.Name)
				}
				if c.Scenario.Name != "sweep-test" || c.Scenario.File != "sweep.yaml" {
					t.Errorf("%s: name %q file %q", c.Name, c.Scenario.Name, c.Scenario.File)
				}
				// The edit keeps every line where it was.
				if got, want := bytes.Count(c.Scenario.Source, []byte("\n")), bytes.Count(sc.Source, []byte("\n")); got != want {
					t.Errorf("%s: %d lines, the file has %d", c.Name, got, want)
				}
				if bytes.Contains(c.Scenario.Source, []byte("sweep:")) {
					t.Errorf("%s: source still holds the sweep:\n%s", c.Name, c.Scenario.Source)
				}
				tt.check(t, c)
			}
		})
	}
}

// TestExpandSweepCaseErrorKeepsPosition: a value that breaks validation is
// reported at the line of the swept field in the user's file, naming the
// case.
func TestExpandSweepCaseErrorKeepsPosition(t *testing.T) {
	sc := parseSweep(t, "sweep:\n  \"ft_vms[web].logging.rate\": [500Mbps, 0Mbps]\n")
	_, err := ExpandSweep(sc)
	var l ErrorList
	if !errors.As(err, &l) || len(l) == 0 {
		t.Fatalf("error %v, want an ErrorList", err)
	}
	rateLine := 1 + strings.Count(sweepBase[:strings.Index(sweepBase, "rate: 500Mbps")], "\n")
	e := l[0]
	if e.File != "sweep.yaml" || e.Line != rateLine || !strings.Contains(e.Msg, `sweep case "sweep-test/rate=0Mbps"`) {
		t.Errorf("error %v, want sweep.yaml:%d naming case sweep-test/rate=0Mbps", e, rateLine)
	}
}

func TestExpandSweepBadPath(t *testing.T) {
	for _, path := range []string{"ft_vms[nosuch].count", "hosts[5].ft_ip", "defaults.nosuch"} {
		src := sweepBase + "sweep:\n  defaults.mtu: [9000]\n  \"" + path + "\": [1]\n"
		line := strings.Count(sweepBase, "\n") + 3
		sc, err := Parse("sweep.yaml", []byte(src))
		if err == nil {
			// Parse may leave sweep paths to ExpandSweep.
			_, err = ExpandSweep(sc)
		}
		var l ErrorList
		if !errors.As(err, &l) || len(l) == 0 {
			t.Errorf("%s: error %v, want an ErrorList", path, err)
			continue
		}
		if l[0].Line != line || l[0].Col < 3 || !strings.Contains(l[0].Error(), path) {
			t.Errorf("%s: error %v, want it at line %d naming the path", path, l[0], line)
		}
	}
}

func TestCaseDir(t *testing.T) {
	tests := []struct {
		scenario string
		params   []CaseParam
		want     string
	}{
		{"two-hosts", nil, "two-hosts"},
		{"two-hosts", []CaseParam{{Param: "count", Value: "8"}, {Param: "speed", Value: "10Gbps"}}, "two-hosts/count=8,speed=10Gbps"},
		{"a b", []CaseParam{{Param: "trace", Value: "traces/x.csv"}}, "a%20b/trace=traces%2Fx.csv"},
		{"..", []CaseParam{{Param: "u", Value: "75%"}}, "%2E./u=75%25"},
		{".hidden", nil, "%2Ehidden"},
	}
	for _, tt := range tests {
		if got := CaseDir(tt.scenario, tt.params); got != tt.want {
			t.Errorf("CaseDir(%q, %v) = %q, want %q", tt.scenario, tt.params, got, tt.want)
		}
	}
}

func TestSweepParamName(t *testing.T) {
	for path, want := range map[string]string{
		"ft_vms[web].count":          "count",
		"defaults.vmnics[*].speed":   "speed",
		"hosts[0].ft_ip":             "ft_ip",
		"hosts[esx01.lab].ft_ip":     "ft_ip",
		"ft_vms[a.b]":                "ft_vms",
		"duration":                   "duration",
		"defaults.teaming.active[1]": "active",
	} {
		if got := SweepParamName(path); got != want {
			t.Errorf("SweepParamName(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestNaturalLess(t *testing.T) {
	ordered := []string{
		"", "a", "a/count=1", "a/count=02", "a/count=2", "a/count=10", "a/count=10,speed=1Gbps",
		"a/count=10,speed=10Gbps", "a/count=100", "b", "web-2", "web-10",
	}
	for i := range ordered {
		for j := range ordered {
			if got, want := NaturalLess(ordered[i], ordered[j]), i < j; got != want {
				t.Errorf("NaturalLess(%q, %q) = %v, want %v", ordered[i], ordered[j], got, want)
			}
		}
	}
}

// TestExpandSweepReencodes: a document the text edit cannot handle (a
// flow-style root) is re-encoded instead, with the same cases.
func TestExpandSweepReencodes(t *testing.T) {
	src := `{name: flow, duration: 60s, defaults: {vmnics: [{name: vmnic1, speed: 10Gbps}]},
 hosts: [{name: esx01, ft_ip: 192.168.50.11}, {name: esx02, ft_ip: 192.168.50.12}],
 ft_vms: [{name: db, primary: esx01, secondary: esx02, logging: {rate: 1Gbps}}],
 sweep: {"defaults.vmnics[*].speed": [1Gbps, 25Gbps]}}
`
	sc, err := Parse("flow.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cases, err := ExpandSweep(sc)
	if err != nil {
		t.Fatal(err)
	}
	if got := caseNames(cases); !reflect.DeepEqual(got, []string{"flow/speed=1Gbps", "flow/speed=25Gbps"}) {
		t.Fatalf("cases %q", got)
	}
	for i, want := range []BitRate{1e9, 25e9} {
		c := cases[i]
		for _, h := range c.Scenario.Hosts {
			if h.Vmnics[0].Speed != want {
				t.Errorf("%s: %s vmnic1 at %v, want %v", c.Name, h.Name, h.Vmnics[0].Speed, want)
			}
		}
		if len(c.Scenario.Sweep) != 0 || bytes.Contains(c.Scenario.Source, []byte("sweep")) {
			t.Errorf("%s: the sweep is still there:\n%s", c.Name, c.Scenario.Source)
		}
	}
}
