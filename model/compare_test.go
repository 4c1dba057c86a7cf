package model

import (
	"slices"
	"strings"
	"testing"
)

// compareYAML is two hosts with three uplinks each; the switch section and
// the teaming are filled in per test.
const compareYAML = `name: cmp
duration: 110s
warmup: 10s
%SWITCHES%
defaults:
  vmnics:
    - {name: vmnic0, speed: 10Gbps, switch: sw-a}
    - {name: vmnic1, speed: 10Gbps, switch: sw-b}
    - {name: vmnic2, speed: 10Gbps, switch: sw-b}
  teaming:
%TEAMING%
hosts:
  - {name: esx01, ft_ip: 10.0.0.11}
  - {name: esx02, ft_ip: 10.0.0.12}
ft_vms:
  - {name: vm1, primary: esx01, secondary: esx02, logging: {rate: 1Gbps}}
%TAIL%
`

const (
	unstacked = `switches:
  - {name: sw-a}
  - {name: sw-b}
inter_switch_links:
  - {between: [sw-a, sw-b], speed: 40Gbps}`
	stacked = `switches:
  - {name: sw-a, stack: core}
  - {name: sw-b, stack: core}`
	activeStandby = `    load_balancing: explicit_failover
    active: [vmnic0]
    standby: [vmnic1]
    unused: [vmnic2]
    failure_detection: beacon_probing`
)

func parseCompare(t *testing.T, switches, teaming, tail string) *Scenario {
	t.Helper()
	src := strings.NewReplacer("%SWITCHES%", switches, "%TEAMING%", teaming, "%TAIL%", tail).Replace(compareYAML)
	sc, err := Parse("cmp.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, src)
	}
	return sc
}

func TestWithPolicyIPHashUnstacked(t *testing.T) {
	sc := parseCompare(t, unstacked, activeStandby, "compare: {policies: all}")
	for _, p := range []Policy{IPHash, LACP} {
		v := WithPolicy(sc, p)
		if v.Applicable || v.Scenario != nil {
			t.Errorf("%s over two unstacked switches: applicable = %v, scenario = %v; want not applicable", p, v.Applicable, v.Scenario != nil)
		}
		for _, want := range []string{`"esx01"`, "sw-a", "sw-b", p.VSphereName()} {
			if !strings.Contains(v.Reason, want) {
				t.Errorf("%s: reason %q does not name %s", p, v.Reason, want)
			}
		}
	}
	// The policies that need nothing on the physical switch still run.
	for _, p := range []Policy{PortID, MACHash, NICLoad, ExplicitFailover} {
		v := WithPolicy(sc, p)
		if !v.Applicable || v.Scenario == nil || v.Reason != "" {
			t.Errorf("%s over two unstacked switches: applicable = %v, reason %q; want applicable", p, v.Applicable, v.Reason)
			continue
		}
		if len(v.Scenario.LAGs) != 0 {
			t.Errorf("%s: derived LAGs %v, want none", p, v.Scenario.LAGs)
		}
		for _, h := range v.Scenario.Hosts {
			if h.Teaming.LoadBalancing != p {
				t.Errorf("%s: host %s runs %s", p, h.Name, h.Teaming.LoadBalancing)
			}
		}
	}
}

func TestWithPolicyIPHashStacked(t *testing.T) {
	sc := parseCompare(t, stacked, activeStandby, "compare: {policies: all}")
	v := WithPolicy(sc, IPHash)
	if !v.Applicable || v.Scenario == nil {
		t.Fatalf("ip_hash over a stack: not applicable: %s", v.Reason)
	}
	c := v.Scenario
	all := []string{"vmnic0", "vmnic1", "vmnic2"}
	for _, h := range c.Hosts {
		tm := h.Teaming
		if tm.LoadBalancing != IPHash {
			t.Errorf("%s: policy %s", h.Name, tm.LoadBalancing)
		}
		if !slices.Equal(tm.Active, all) || len(tm.Standby) != 0 || len(tm.Unused) != 0 {
			t.Errorf("%s: active %v standby %v unused %v; want every uplink Active", h.Name, tm.Active, tm.Standby, tm.Unused)
		}
		if tm.FailureDetection != LinkStatus {
			t.Errorf("%s: failure detection %s, want link_status", h.Name, tm.FailureDetection)
		}
	}
	if len(c.LAGs) != len(c.Hosts) {
		t.Fatalf("derived LAGs %+v, want one per host", c.LAGs)
	}
	for i, g := range c.LAGs {
		if g.Host != c.Hosts[i].Name || g.Mode != "static" || g.Hash != "src_dst_ip" || !g.Derived || !slices.Equal(g.Vmnics, all) {
			t.Errorf("LAG %d = %+v, want a derived static src_dst_ip EtherChannel of %s over %v", i, g, c.Hosts[i].Name, all)
		}
	}
	notes := strings.Join(v.Notes, "\n")
	for _, want := range []string{"Beacon probing", "Link status", "Standby"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q do not mention %q", v.Notes, want)
		}
	}
	// The scenario itself is untouched.
	for _, h := range sc.Hosts {
		if h.Teaming.LoadBalancing != ExplicitFailover || !slices.Equal(h.Teaming.Active, []string{"vmnic0"}) ||
			!slices.Equal(h.Teaming.Standby, []string{"vmnic1"}) || !slices.Equal(h.Teaming.Unused, []string{"vmnic2"}) ||
			h.Teaming.FailureDetection != BeaconProbing {
			t.Errorf("WithPolicy changed the scenario's own host %s: %+v", h.Name, h.Teaming)
		}
	}
	if len(sc.LAGs) != 0 {
		t.Errorf("WithPolicy added LAGs to the scenario itself: %+v", sc.LAGs)
	}

	// LACP over the same stack: an LACP LAG with the team's LACP hash.
	v = WithPolicy(sc, LACP)
	if !v.Applicable {
		t.Fatalf("lacp over a stack on a vDS: not applicable: %s", v.Reason)
	}
	for i, g := range v.Scenario.LAGs {
		if g.Mode != "lacp" || g.Hash != DefaultLACPHash || !g.Derived || !slices.Equal(g.Vmnics, all) {
			t.Errorf("LACP LAG %d = %+v", i, g)
		}
	}
}

func TestWithPolicyStandardVSwitch(t *testing.T) {
	team := `    load_balancing: port_id
    active: [vmnic0, vmnic1, vmnic2]
    vswitch: standard`
	sc := parseCompare(t, stacked, team, "compare: {policies: all}")
	for _, p := range []Policy{LACP, NICLoad} {
		v := WithPolicy(sc, p)
		if v.Applicable || v.Scenario != nil {
			t.Errorf("%s on a standard vSwitch: applicable", p)
		}
		for _, want := range []string{"Distributed", `"esx01"`, "standard"} {
			if !strings.Contains(v.Reason, want) {
				t.Errorf("%s: reason %q does not mention %s", p, v.Reason, want)
			}
		}
	}
	// IP hash runs on a standard vSwitch (with a static EtherChannel).
	if v := WithPolicy(sc, IPHash); !v.Applicable {
		t.Errorf("ip_hash on a standard vSwitch over a stack: not applicable: %s", v.Reason)
	}
}

// TestWithPolicyOwnLAGs: the scenario's own policy runs against its own
// `lags:`; every other policy gets the derived switch side.
func TestWithPolicyOwnLAGs(t *testing.T) {
	team := `    load_balancing: ip_hash
    active: [vmnic0, vmnic1, vmnic2]`
	tail := `lags:
  - {host: esx01, vmnics: [vmnic2, vmnic1, vmnic0], mode: static, hash: src_ip}
  - {host: esx02, vmnics: [vmnic0, vmnic1, vmnic2], mode: static}
compare: {policies: [ip_hash, port_id, lacp]}`
	sc := parseCompare(t, stacked, team, tail)
	v := WithPolicy(sc, IPHash)
	if !v.Applicable || v.Scenario != sc {
		t.Fatalf("own policy: applicable %v, same scenario %v", v.Applicable, v.Scenario == sc)
	}
	if len(v.Notes) != 0 {
		t.Errorf("own policy: notes %v, want none", v.Notes)
	}
	g := v.Scenario.LAGs
	if len(g) != 2 || g[0].Derived || g[0].Hash != "src_ip" || !slices.Equal(g[0].Vmnics, []string{"vmnic2", "vmnic1", "vmnic0"}) ||
		g[1].Hash != "src_dst_ip" {
		t.Errorf("own LAGs = %+v, want the scenario's lags as written", g)
	}
	if v := WithPolicy(sc, PortID); !v.Applicable || len(v.Scenario.LAGs) != 0 {
		t.Errorf("port_id: applicable %v, LAGs %+v; want applicable without a LAG", v.Applicable, v.Scenario.LAGs)
	}
	v = WithPolicy(sc, LACP)
	if !v.Applicable || len(v.Scenario.LAGs) != 2 {
		t.Fatalf("lacp: applicable %v (%s), LAGs %+v", v.Applicable, v.Reason, v.Scenario)
	}
	for _, l := range v.Scenario.LAGs {
		if l.Mode != "lacp" || !l.Derived || !slices.Equal(l.Vmnics, []string{"vmnic0", "vmnic1", "vmnic2"}) {
			t.Errorf("lacp: LAG %+v, want a derived LACP LAG over the team's Active order", l)
		}
	}
	if got := sc.Policies(nil); !slices.Equal(got, []Policy{IPHash, PortID, LACP}) {
		t.Errorf("Policies = %v", got)
	}
	if got := sc.Policies([]Policy{LACP}); !slices.Equal(got, []Policy{LACP}) {
		t.Errorf("Policies(lacp) = %v", got)
	}
}

func TestFailureCasesNMinus1(t *testing.T) {
	sc := parseCompare(t, unstacked, activeStandby, "compare: {policies: all, n_minus_1: true}")
	cases := sc.FailureCases()
	var names []string
	for _, c := range cases {
		names = append(names, c.Name)
	}
	want := []string{"baseline",
		"vmnic:esx01/vmnic0", "vmnic:esx01/vmnic1", "vmnic:esx01/vmnic2",
		"vmnic:esx02/vmnic0", "vmnic:esx02/vmnic1", "vmnic:esx02/vmnic2",
		"switch:sw-a", "switch:sw-b", "isl:sw-a~sw-b", "host:esx01", "host:esx02"}
	if !slices.Equal(names, want) {
		t.Fatalf("cases = %v\nwant %v", names, want)
	}
	if len(cases[0].Failures) != 0 {
		t.Errorf("baseline has failures %+v", cases[0].Failures)
	}
	const mid = 60 // warmup 10s + (110s - 10s) / 2
	kinds := map[string]FailureKind{"vmnic": FailVmnic, "switch": FailSwitch, "isl": FailISL, "host": FailHost}
	for _, c := range cases[1:] {
		if len(c.Failures) != 1 {
			t.Errorf("%s: %d failures, want 1", c.Name, len(c.Failures))
			continue
		}
		f := c.Failures[0]
		if f.At != mid || f.DownFor != 0 {
			t.Errorf("%s: at %v for %v, want permanent from %ds", c.Name, f.At, f.DownFor, mid)
		}
		kind, target, _ := strings.Cut(c.Name, ":")
		if f.What != kinds[kind] {
			t.Errorf("%s: kind %s", c.Name, f.What)
		}
		if got := f.Target(); got != target && "isl:"+target != got {
			t.Errorf("%s: target %q", c.Name, got)
		}
		if f.What == FailVmnic && f.Mode != "link_down" {
			t.Errorf("%s: mode %q, want link_down", c.Name, f.Mode)
		}
	}

	// Without n_minus_1 (or without compare) only the baseline runs.
	for _, tail := range []string{"compare: {policies: all}", ""} {
		sc := parseCompare(t, unstacked, activeStandby, tail)
		if c := sc.FailureCases(); len(c) != 1 || c[0].Name != "baseline" {
			t.Errorf("tail %q: cases %+v, want the baseline only", tail, c)
		}
	}
}

// TestFailureCasesDefaultSwitch: a scenario without `switches:` has the
// one switch sw1, which is a case of its own.
func TestFailureCasesDefaultSwitch(t *testing.T) {
	src := `name: one
duration: 20s
defaults:
  vmnics:
    - {name: vmnic0, speed: 1Gbps}
hosts:
  - {name: a, ft_ip: 10.0.0.1}
  - {name: b, ft_ip: 10.0.0.2}
ft_vms:
  - {name: vm1, primary: a, secondary: b, logging: {rate: 100Mbps}}
compare: {policies: [port_id], n_minus_1: true}
`
	sc, err := Parse("one.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range sc.FailureCases() {
		names = append(names, c.Name)
		if len(c.Failures) == 1 && c.Failures[0].At != 10 {
			t.Errorf("%s at %v, want 10s (middle of [0s, 20s])", c.Name, c.Failures[0].At)
		}
	}
	if want := []string{"baseline", "vmnic:a/vmnic0", "vmnic:b/vmnic0", "switch:sw1", "host:a", "host:b"}; !slices.Equal(names, want) {
		t.Errorf("cases = %v, want %v", names, want)
	}
}

// TestFailureCasesScriptedTimeline: the baseline keeps the scenario's own
// failures; every single-failure case holds its one failure and none of
// the scripted ones, whatever the scripted timeline holds.
func TestFailureCasesScriptedTimeline(t *testing.T) {
	for _, failures := range []string{
		"failures:\n  - {at: 20s, vmnic: esx01/vmnic1}",
		"failures:\n  - {at: 20s, vmnic: esx01/vmnic0, down_for: 5s}\n  - {at: 30s, switch: sw-b}\n  - {at: 40s, host: esx02}",
	} {
		sc := parseCompare(t, unstacked, activeStandby, failures+"\ncompare: {policies: all, n_minus_1: true}")
		cases := sc.FailureCases()
		if cases[0].Name != "baseline" || !slices.EqualFunc(cases[0].Failures, sc.Failures, func(a, b Failure) bool { return a.Target() == b.Target() && a.At == b.At }) {
			t.Errorf("baseline = %+v, want the scenario's %d failures", cases[0], len(sc.Failures))
		}
		if len(cases) < 2 {
			t.Fatalf("no single-failure cases")
		}
		for _, c := range cases[1:] {
			if len(c.Failures) != 1 {
				t.Errorf("%s: %d failures %+v, want its own one only", c.Name, len(c.Failures), c.Failures)
				continue
			}
			if got := c.Failures[0].Target(); !strings.HasSuffix(c.Name, got) && c.Name != got {
				t.Errorf("%s holds a failure of %s", c.Name, got)
			}
		}
	}
}
