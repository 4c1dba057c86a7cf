package model

import (
	"net/netip"
	"strings"
	"testing"
)

// TestMarshalBuiltInCode writes a Scenario filled only where it means
// something, as an importer builds it, and checks that it loads with the
// defaults applied.
func TestMarshalBuiltInCode(t *testing.T) {
	team := DefaultTeaming()
	team.Active, team.Standby = []string{"vmnic0"}, []string{"vmnic1"}
	team.LoadBalancing = ExplicitFailover
	vmnics := []Vmnic{{Name: "vmnic0", Speed: 10e9}, {Name: "vmnic1", Speed: 10e9}}
	sc := &Scenario{
		Name:     "imported",
		Duration: 3600,
		Seed:     7,
		Hosts: []Host{
			{Name: "esx-a", FTIP: netip.MustParseAddr("192.168.100.1"), MTU: 9000, Vmnics: vmnics, Teaming: team},
			{Name: "esx-b", FTIP: netip.MustParseAddr("192.168.100.2"), MTU: 9000, Vmnics: vmnics, Teaming: Teaming{Active: []string{"vmnic1"}}},
		},
		VMs: []FTVM{{Name: "db 01", Primary: "esx-a", Secondary: "esx-b", Mode: ModeLegacy,
			Logging: Logging{Source: "trace", TraceFile: "traces/steps.csv", Pattern: Poisson}}},
	}
	out, err := Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("testdata/imported.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	vm := got.VMs[0]
	if vm.VCPUs != 1 || vm.Memory != 8<<30 || vm.FT != DefaultFT() || vm.Logging.Rate <= 0 || len(vm.Logging.Trace) != 3 {
		t.Errorf("VM defaults not applied: %+v", vm)
	}
	b := got.Hosts[1]
	if b.Teaming.LoadBalancing != PortID || b.Teaming.LinkDetect != 0.1 || b.FTMAC != macBase|2 || b.PortID != portIDBase+2 || b.Vmnics[0].Switch != "sw1" {
		t.Errorf("host defaults not applied: %+v", b)
	}
	if got.Seed != 7 || got.Replications.N != 1 || len(got.Switches) != 1 {
		t.Errorf("scenario defaults not applied: seed %d, %+v, %v", got.Seed, got.Replications, got.Switches)
	}
	if !strings.Contains(string(out), "name: db 01") {
		t.Errorf("output:\n%s", out)
	}
	if _, err := Marshal(nil); err == nil {
		t.Error("Marshal(nil) succeeded")
	}
}

// TestTCPAndLossyRoundTrip: ft.tcp and a lossy failure load as written,
// and Marshal writes them back so they load the same.
func TestTCPAndLossyRoundTrip(t *testing.T) {
	src := `name: rt
duration: 1m
ft: {tcp: {congestion: cubic, initial_window: 4, max_rto: 10s}}
switches: [{name: sw1}, {name: sw2}]
inter_switch_links: [{between: [sw1, sw2], speed: 10Gbps}]
defaults:
  vmnics: [{name: vmnic0, speed: 10Gbps, switch: sw1}]
hosts: [{name: esx01}, {name: esx02, vmnics: [{name: vmnic0, speed: 10Gbps, switch: sw2}]}]
ft_vms:
  - {name: vm1, primary: esx01, secondary: esx02, logging: {rate: 1Gbps}, ft: {tcp: {congestion: none}}}
failures:
  - {at: 10s, vmnic: esx01/vmnic0, kind: lossy, loss: 0.1%, down_for: 5s}
  - {at: 20s, isl: [sw1, sw2], kind: lossy, loss: 0.00002}
`
	sc, err := Parse("rt.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if tc := sc.FT.TCP; tc != (TCP{Congestion: CongestionCubic, InitialWindow: 4, MaxRTO: 10}) {
		t.Errorf("ft.tcp = %+v", tc)
	}
	if tc := sc.VMs[0].FT.TCP; tc.Congestion != CongestionNone || tc.InitialWindow != 4 {
		t.Errorf("vm1's tcp = %+v, want none over the scenario's window and timeout", tc)
	}
	f := sc.Failures
	if f[0].Mode != "lossy" || f[0].Loss != 0.001 || f[0].DownFor != 5 || f[1].Mode != "lossy" || f[1].Loss != 0.00002 {
		t.Errorf("failures = %+v", f)
	}
	out, err := Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse("rt2.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for i := range again.Failures { // where each was written differs; what it says must not
		again.Failures[i].Pos = f[i].Pos
	}
	if again.VMs[0].FT != sc.VMs[0].FT || again.Failures[0] != f[0] || again.Failures[1] != f[1] {
		t.Errorf("round trip changed:\n%s", out)
	}
	if d := DefaultFT().TCP; d != (TCP{Congestion: CongestionNewReno, InitialWindow: 10, MaxRTO: 60}) {
		t.Errorf("default tcp %+v", d)
	}
}
