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
