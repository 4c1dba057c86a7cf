package model

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const pathDoc = `
duration: 5m
defaults:
  vmnics:
    - {name: vmnic0, speed: 10Gbps}
    - {name: vmnic1, speed: 25Gbps}
hosts:
  - {name: esx01, mtu: 9000}
  - {name: esx02}
ft_vms:
  - {name: web, count: 4, logging: {rate: 1Gbps}}
  - {name: db, logging: {rate: 2Gbps}}
  - {name: db.prod, logging: {rate: 3Gbps}}
`

func TestResolvePath(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(pathDoc), &doc); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want string // values joined by space, or "error: text"
	}{
		{"duration", "5m"},
		{"ft_vms[web].count", "4"},
		{"ft_vms[db].logging.rate", "2Gbps"},
		{"ft_vms[db.prod].logging.rate", "3Gbps"},
		{"ft_vms[*].logging.rate", "1Gbps 2Gbps 3Gbps"},
		{"defaults.vmnics[*].speed", "10Gbps 25Gbps"},
		{"defaults.vmnics[1].name", "vmnic1"},
		{"hosts[0].mtu", "9000"},
		{"hosts[1].mtu", "error: hosts[1] has no key \"mtu\""},
		{"hosts[2].mtu", "error: hosts has 2 items, so [2] is past its end"},
		{"ft_vms[webx].count", "error: ft_vms has no item with name \"webx\""},
		{"ft_vms[*].count", "error: ft_vms[*] has no key \"count\""},
		{"nosuch", "error: the scenario has no key \"nosuch\""},
		{"defaults.vmnics", "error: defaults.vmnics is a list, not a single value"},
		{"duration[0]", "error: duration is not a list"},
		{"duration.x", "error: duration is not a mapping"},
		{"", "error: the path is empty"},
		{"a..b", "error: a key is missing"},
		{"ft_vms[web", "error: has no ]"},
		{"ft_vms[]", "error: is empty"},
		{"ft_vms[web]x", "error: unexpected"},
	} {
		nodes, err := ResolvePath(&doc, tc.path)
		var got string
		if err != nil {
			got = "error: " + err.Error()
			if !strings.HasPrefix(tc.want, "error: ") || !strings.Contains(got, strings.TrimPrefix(tc.want, "error: ")) {
				t.Errorf("ResolvePath(%q) = %s, want %s", tc.path, got, tc.want)
			}
			continue
		}
		var vals []string
		for _, n := range nodes {
			vals = append(vals, n.Value)
		}
		got = strings.Join(vals, " ")
		if got != tc.want {
			t.Errorf("ResolvePath(%q) = %q, want %q", tc.path, got, tc.want)
		}
		if !SweepPathMatches(&doc, tc.path) {
			t.Errorf("SweepPathMatches(%q) = false", tc.path)
		}
	}
}

func TestCheckSweepValues(t *testing.T) {
	src := `duration: 5m
defaults:
  vmnics: [{name: vmnic0, speed: 10Gbps}, {name: vmnic1, speed: 10Gbps}]
hosts: [{name: esx01}, {name: esx02}]
ft_vms:
  - {name: web, count: 2, placement: spread, logging: {rate: 1Gbps}}
failures:
  - {at: 4m, vmnic: esx01/vmnic0}
sweep:
  "ft_vms[web].count": [2, 0, 4]
  "defaults.vmnics[*].speed": [1Gbps, 10Gbpx]
  duration: [5m, 3m]
`
	sc, err := Parse("sweep.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	err = CheckSweepValues(sc)
	want := []string{
		`sweep.yaml:10:28: count 0 must be a whole number from 1 to 10000`,
		`sweep.yaml:11:39: speed: unknown bit rate unit "Gbpx" in "10Gbpx"`,
		`sweep.yaml:12:18: with duration = 3m: failure at 4m is after the end of the run (duration 3m) (line 8)`,
	}
	if err == nil {
		t.Fatal("CheckSweepValues found nothing")
	}
	got := strings.Split(err.Error(), "\n")
	if len(got) != len(want) {
		t.Fatalf("got %d problems:\n%v\nwant %d", len(got), err, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d: %s\nwant %s", i, got[i], want[i])
		}
	}
	// The document is left as it was.
	again, err := Parse("sweep.yaml", sc.Source)
	if err != nil || again.VMs[0].Name != "web-1" || len(again.VMs) != 2 {
		t.Errorf("reload after CheckSweepValues: %v", err)
	}
}
