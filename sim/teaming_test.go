package sim

import (
	"github.com/ftsim/ftsim/results"

	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// Helpers shared by teaming_test.go, failover_test.go and ftpaper_test.go.

// tmParse loads a scenario from YAML text, with placeholders %KEY%
// replaced by the pairs in kv.
func tmParse(t *testing.T, src string, kv ...string) *model.Scenario {
	t.Helper()
	src = strings.NewReplacer(kv...).Replace(src)
	sc, err := model.Parse("scenario.yaml", []byte(src))
	if err != nil {
		t.Fatalf("model.Parse: %v\n%s", err, src)
	}
	return sc
}

// tmRun runs sc and returns its only run.
func tmRun(t *testing.T, sc *model.Scenario) results.RunResult {
	t.Helper()
	r, err := Run(context.Background(), sc, Options{NoSeries: true})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(r.Runs) != 1 {
		t.Fatalf("Run gave %d runs, want 1", len(r.Runs))
	}
	return r.Runs[0]
}

func tmLink(t *testing.T, rr results.RunResult, host, vmnic, dir string) results.Link {
	t.Helper()
	for _, l := range rr.Links {
		if l.Host == host && l.Vmnic == vmnic && l.Direction == dir {
			return l
		}
	}
	t.Fatalf("no link %s/%s %s", host, vmnic, dir)
	return results.Link{}
}

func tmVM(t *testing.T, rr results.RunResult, name string) results.VM {
	t.Helper()
	for _, v := range rr.VMs {
		if v.VM == name {
			return v
		}
	}
	t.Fatalf("no VM %s", name)
	return results.VM{}
}

// tmEvents returns the run's events of the given kinds (all with none).
func tmEvents(rr results.RunResult, kinds ...string) []results.Event {
	var out []results.Event
	for _, e := range rr.Events {
		if len(kinds) == 0 || slices.Contains(kinds, string(e.Kind)) {
			out = append(out, e)
		}
	}
	return out
}

// tmWantEvents compares a timeline with the expected one, times to 1 us.
func tmWantEvents(t *testing.T, name string, got, want []results.Event) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		g, w := got[i], want[i]
		ok = math.Abs(g.T-w.T) < 1e-6 && g.Kind == w.Kind && g.Target == w.Target && g.From == w.From
	}
	if !ok {
		t.Errorf("%s: events\n%s\nwant\n%s", name, tmFmt(got), tmFmt(want))
	}
}

func tmFmt(evs []results.Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "  %gs %s %s", e.T, e.Kind, e.Target)
		if e.From != "" {
			fmt.Fprintf(&b, " from %s", e.From)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// tmPairYAML: esx01 sends the FT logs of four VMs to esx02 over 2 x 10 GbE
// on one switch; %LB% is the policy, %TEAM% the rest of the teaming and
// %HOST1% extra keys of esx01.
const tmPairYAML = `name: pair
duration: 4s
seed: 11
defaults:
  vmnics:
    - {name: vmnic0, speed: 10Gbps}
    - {name: vmnic1, speed: 10Gbps}
  teaming:
    load_balancing: %LB%
    %TEAM%
hosts:
  - {name: esx01, ft_ip: 10.0.0.11 %HOST1%}
  - {name: esx02, ft_ip: 10.0.0.12}
ft_vms:
  - {name: vm, count: 4, primary: esx01, secondary: esx02, logging: {rate: 500Mbps}}
`

// TestOneVmkOneVmnic checks the seed's first claim (reference section 5,
// case 5): one FT vmkernel port has one port ID and one MAC, so under port
// ID and MAC hash every FT byte of a host leaves on one vmnic, whichever
// peers its VMs talk to; which one depends on the port ID or the MAC, not
// on the Active order. The secondary receives on the vmnic the switch
// learned its MAC behind: the one its own FT port sends on.
func TestOneVmkOneVmnic(t *testing.T) {
	tests := []struct {
		name, lb, host1 string
		used            string // esx01's tx vmnic
		rx              string // esx02's rx vmnic
	}{
		// Default port IDs 50331648 + N: esx01 50331649 (odd), esx02 50331650 (even).
		{"port_id default", "port_id", "", "vmnic1", "vmnic0"},
		{"port_id case 5 even", "port_id", ", ft_port_id: 33554436", "vmnic0", "vmnic0"},
		{"port_id case 5 odd", "port_id", ", ft_port_id: 33554437", "vmnic1", "vmnic0"},
		// Default MACs 00:50:56:6a:00:01 and :02.
		{"mac_hash default", "mac_hash", "", "vmnic1", "vmnic0"},
		{"mac_hash de", "mac_hash", `, ft_mac: "00:50:56:6a:bc:de"`, "vmnic0", "vmnic0"},
		{"mac_hash df", "mac_hash", `, ft_mac: "00:50:56:6a:bc:df"`, "vmnic1", "vmnic0"},
		// LBT starts as port ID (nothing here is above 75%).
		{"nic_load", "nic_load", "", "vmnic1", "vmnic0"},
	}
	for _, tt := range tests {
		sc := tmParse(t, tmPairYAML, "%LB%", tt.lb, "%TEAM%", "active: [vmnic0, vmnic1]", "%HOST1%", tt.host1)
		rr := tmRun(t, sc)
		var logged float64
		for _, v := range rr.VMs {
			logged += v.LoggedBytes
		}
		if logged < 0.9*4*500e6/8*4 {
			t.Fatalf("%s: logged %.0f B, want about %.0f", tt.name, logged, 4*500e6/8*4)
		}
		other := map[string]string{"vmnic0": "vmnic1", "vmnic1": "vmnic0"}
		used := tmLink(t, rr, "esx01", tt.used, "tx")
		idle := tmLink(t, rr, "esx01", other[tt.used], "tx")
		if idle.Bytes != 0 || used.Bytes < 0.99*logged {
			t.Errorf("%s: esx01 %s tx %.0f B, %s tx %.0f B; want all %.0f logged bytes on %s and none on the other",
				tt.name, tt.used, used.Bytes, other[tt.used], idle.Bytes, logged, tt.used)
		}
		in := tmLink(t, rr, "esx02", tt.rx, "rx")
		notIn := tmLink(t, rr, "esx02", other[tt.rx], "rx")
		if notIn.Bytes != 0 || in.Bytes < 0.99*logged {
			t.Errorf("%s: esx02 %s rx %.0f B, %s rx %.0f B; want everything on %s", tt.name, tt.rx, in.Bytes, other[tt.rx], notIn.Bytes, tt.rx)
		}
	}
}

// TestExplicitFailoverFirstActive: explicit failover order uses the first
// Active uplink, whatever the port ID (reference 1.6): under port ID the
// same host would use the other one.
func TestExplicitFailoverFirstActive(t *testing.T) {
	for _, tt := range []struct{ lb, team, want string }{
		{"explicit_failover", "active: [vmnic1, vmnic0]", "vmnic1"},
		{"explicit_failover", "active: [vmnic0, vmnic1]", "vmnic0"},
		{"explicit_failover", "{active: [vmnic0], standby: [vmnic1]}", "vmnic0"},
		{"port_id", "active: [vmnic1, vmnic0]", "vmnic0"}, // 50331649 mod 2 = 1: the second Active
	} {
		team := tt.team
		if strings.HasPrefix(team, "{") {
			team = "active: [vmnic0]\n    standby: [vmnic1]"
		}
		rr := tmRun(t, tmParse(t, tmPairYAML, "%LB%", tt.lb, "%TEAM%", team, "%HOST1%", ""))
		for _, n := range []string{"vmnic0", "vmnic1"} {
			l := tmLink(t, rr, "esx01", n, "tx")
			if (n == tt.want) != (l.Bytes > 0) {
				t.Errorf("%s %s: esx01 %s tx carried %.0f B; want only %s used", tt.lb, tt.team, n, l.Bytes, tt.want)
			}
		}
	}
}

// tmCase2YAML is reference case 2: four hosts with FT IPs 10.0.0.11-14, six
// FT VMs a..f between them, IP hash over %N% uplinks with a static
// EtherChannel per host. Each VM has its own rate so the bytes on a link
// tell which VMs it carries.
const tmCase2YAML = `name: case2
duration: 3s
seed: 5
defaults:
  vmnics: [%NICS%]
  teaming:
    load_balancing: ip_hash
    active: [%NAMES%]
hosts:
  - {name: esx01, ft_ip: 10.0.0.11}
  - {name: esx02, ft_ip: 10.0.0.12}
  - {name: esx03, ft_ip: 10.0.0.13}
  - {name: esx04, ft_ip: 10.0.0.14}
lags:
  - {host: esx01, vmnics: [%NAMES%], mode: static}
  - {host: esx02, vmnics: [%NAMES%], mode: static}
  - {host: esx03, vmnics: [%NAMES%], mode: static}
  - {host: esx04, vmnics: [%NAMES%], mode: static}
ft_vms:
  - {name: a, primary: esx01, secondary: esx02, logging: {rate: 100Mbps}}
  - {name: b, primary: esx01, secondary: esx03, logging: {rate: 200Mbps}}
  - {name: c, primary: esx02, secondary: esx04, logging: {rate: 300Mbps}}
  - {name: d, primary: esx03, secondary: esx04, logging: {rate: 400Mbps}}
  - {name: e, primary: esx01, secondary: esx04, logging: {rate: 500Mbps}}
  - {name: f, primary: esx02, secondary: esx03, logging: {rate: 600Mbps}}
`

func tmCase2(t *testing.T, n int) *model.Scenario {
	var nics, names []string
	for i := 0; i < n; i++ {
		name := "vmnic" + string(rune('0'+i))
		names = append(names, name)
		nics = append(nics, "{name: "+name+", speed: 10Gbps}")
	}
	return tmParse(t, tmCase2YAML, "%NICS%", strings.Join(nics, ", "), "%NAMES%", strings.Join(names, ", "))
}

// TestIPHashSpreadsOnlyAcrossHostPairs is reference case 2 run through the
// engine: each host's uplink for a VM is (last octets XOR) mod N of its
// host pair, both ways; the switch picks the same member inbound (static
// EtherChannel, src_dst_ip). So esx01's three VMs spread over its uplinks
// only because they go to three different hosts.
func TestIPHashSpreadsOnlyAcrossHostPairs(t *testing.T) {
	tests := []struct {
		n int
		// VMs each link carries (log data); acks and heartbeats aside.
		tx, rx map[string]string // "host/vmnic" -> VMs
	}{
		{2, map[string]string{
			"esx01/vmnic0": "b", "esx01/vmnic1": "ae",
			"esx02/vmnic0": "c", "esx02/vmnic1": "f",
			"esx03/vmnic0": "", "esx03/vmnic1": "d",
			"esx04/vmnic0": "", "esx04/vmnic1": "",
		}, map[string]string{
			"esx01/vmnic0": "", "esx01/vmnic1": "",
			"esx02/vmnic0": "", "esx02/vmnic1": "a",
			"esx03/vmnic0": "b", "esx03/vmnic1": "f",
			"esx04/vmnic0": "c", "esx04/vmnic1": "de",
		}},
		{4, map[string]string{
			"esx01/vmnic0": "", "esx01/vmnic1": "e", "esx01/vmnic2": "b", "esx01/vmnic3": "a",
			"esx02/vmnic0": "", "esx02/vmnic1": "f", "esx02/vmnic2": "c", "esx02/vmnic3": "",
			"esx03/vmnic0": "", "esx03/vmnic1": "", "esx03/vmnic2": "", "esx03/vmnic3": "d",
		}, map[string]string{
			"esx02/vmnic3": "a", "esx02/vmnic0": "", "esx02/vmnic1": "", "esx02/vmnic2": "",
			"esx03/vmnic2": "b", "esx03/vmnic1": "f", "esx03/vmnic0": "", "esx03/vmnic3": "",
			"esx04/vmnic2": "c", "esx04/vmnic3": "d", "esx04/vmnic1": "e", "esx04/vmnic0": "",
		}},
	}
	for _, tt := range tests {
		rr := tmRun(t, tmCase2(t, tt.n))
		logged := map[string]float64{}
		least := math.Inf(1)
		for _, v := range rr.VMs {
			logged[v.VM] = v.LoggedBytes
			least = math.Min(least, v.LoggedBytes)
		}
		if least < 0.9*100e6/8*3 {
			t.Fatalf("N=%d: the smallest VM logged %.0f B, want about %.0f", tt.n, least, 100e6/8*3)
		}
		// Acks (64 B per 64 KiB message) and heartbeats share the links:
		// far less than 2% of the smallest VM's log data, so a VM on the
		// wrong uplink always shows.
		slack := 0.02 * least
		check := func(dir string, want map[string]string) {
			for hv, vms := range want {
				host, nic, _ := strings.Cut(hv, "/")
				var exp float64
				for _, c := range vms {
					exp += logged[string(c)]
				}
				got := tmLink(t, rr, host, nic, dir).Bytes
				if got < 0.99*exp || got > exp+slack {
					t.Errorf("N=%d: %s %s carried %.0f B, want the log data of %q = %.0f B", tt.n, hv, dir, got, vms, exp)
				}
			}
		}
		check("tx", tt.tx)
		check("rx", tt.rx)
	}
}

// TestIPHashCase1 is reference case 1: two hosts, one legacy FT VM with
// disk reads 40 MB/s and network input 100 Mb/s logs (320 + 100) x 1.2 =
// 504 Mb/s, all on uplink 1 of 2 (0x0B XOR 0x0C = 7, odd) both ways; the
// wire carries it with the framing overhead of docs/model.md.
func TestIPHashCase1(t *testing.T) {
	src := `name: case1
duration: 20s
seed: 2
defaults:
  vmnics:
    - {name: vmnic0, speed: 1Gbps}
    - {name: vmnic1, speed: 1Gbps}
  teaming: {load_balancing: ip_hash, active: [vmnic0, vmnic1]}
hosts:
  - {name: esx01, ft_ip: 10.0.0.11}
  - {name: esx02, ft_ip: 10.0.0.12}
lags:
  - {host: esx01, vmnics: [vmnic0, vmnic1], mode: static}
  - {host: esx02, vmnics: [vmnic0, vmnic1], mode: static}
ft_vms:
  - name: vm1
    primary: esx01
    secondary: esx02
    mode: legacy
    vcpus: 1
    logging: {from_stats: {disk_read: 40MB/s, network_rx: 100Mbps}, pattern: constant}
`
	sc := tmParse(t, src)
	if got := float64(sc.VMs[0].Logging.Rate); math.Abs(got-504e6) > 1 {
		t.Fatalf("from_stats rate %.0f b/s, want 504 Mb/s", got)
	}
	rr := tmRun(t, sc)
	// 64 KiB at MTU 1500: 46 frames of 1448 B payload, 90 B overhead each.
	want := 504e6 * (65536 + 46*90) / 65536 / 1e9
	for _, side := range []struct{ host, dir string }{{"esx01", "tx"}, {"esx02", "rx"}} {
		u1 := tmLink(t, rr, side.host, "vmnic1", side.dir).UtilisationMean
		u0 := tmLink(t, rr, side.host, "vmnic0", side.dir).UtilisationMean
		if math.Abs(u1-want) > 0.005*want || u0 != 0 {
			t.Errorf("%s %s: uplink 1 utilisation %.4f (want %.4f), uplink 0 %.4f (want 0)", side.host, side.dir, u1, want, u0)
		}
	}
	// Reference: rho = 504 / 941.48 goodput = 0.535.
	if u := tmLink(t, rr, "esx01", "vmnic1", "tx").UtilisationMean; math.Abs(u-0.535) > 0.01 {
		t.Errorf("uplink 1 utilisation %.4f, reference case 1 gives 0.535", u)
	}
}

// TestLACPHashPerFlow: an LACP LAG hashing by IP and TCP port spreads the
// VMs between one host pair over the members, unlike IP hash; the switch
// uses the same hash inbound (reference 1.7, docs/model.md "Switches": source
// port 49152 + the VM's index, destination 8100).
func TestLACPHashPerFlow(t *testing.T) {
	src := `name: lacp
duration: 3s
seed: 4
defaults:
  vmnics:
    - {name: vmnic0, speed: 10Gbps}
    - {name: vmnic1, speed: 10Gbps}
  teaming:
    load_balancing: lacp
    active: [vmnic0, vmnic1]
    lacp: {hash: %HASH%}
hosts:
  - {name: esx01, ft_ip: 10.0.0.11}
  - {name: esx02, ft_ip: 10.0.0.12}
lags:
  - {host: esx01, vmnics: [vmnic0, vmnic1], mode: lacp}
  - {host: esx02, vmnics: [vmnic0, vmnic1], mode: lacp}
ft_vms:
  - {name: p, primary: esx01, secondary: esx02, logging: {rate: 100Mbps}}
  - {name: q, primary: esx01, secondary: esx02, logging: {rate: 300Mbps}}
`
	// Index 0 and 1: ports 49152 ^ 8100 and 49153 ^ 8100, IPs 11 ^ 12 = 7.
	for _, tt := range []struct {
		hash  string
		p, q  int // member of p and q
		flows bool
	}{
		{"src_dst_ip", 1, 1, false},
		{"src_dst_ip_tcp_udp_port", (7 ^ 49152 ^ 8100) % 2, (7 ^ 49153 ^ 8100) % 2, true},
	} {
		rr := tmRun(t, tmParse(t, src, "%HASH%", tt.hash))
		p, q := tmVM(t, rr, "p").LoggedBytes, tmVM(t, rr, "q").LoggedBytes
		want := [2]float64{}
		want[tt.p] += p
		want[tt.q] += q
		for i, n := range []string{"vmnic0", "vmnic1"} {
			for _, side := range []struct{ host, dir string }{{"esx01", "tx"}, {"esx02", "rx"}} {
				got := tmLink(t, rr, side.host, n, side.dir).Bytes
				if got < 0.99*want[i] || got > want[i]*1.002+20e3 {
					t.Errorf("%s: %s %s %s carried %.0f B, want %.0f B", tt.hash, side.host, n, side.dir, got, want[i])
				}
			}
		}
		if tt.flows && tt.p == tt.q {
			t.Fatalf("%s: test flows should land on different members", tt.hash)
		}
	}
}

// TestLBTMovesBusyPort: Route based on physical NIC load starts as port
// ID and, at the first evaluation, moves the FT port off an uplink whose
// mean load exceeded the threshold to the less loaded one (reference 1.5).
func TestLBTMovesBusyPort(t *testing.T) {
	src := `name: lbt
duration: 8s
seed: 9
defaults:
  vmnics:
    - {name: vmnic0, speed: 1Gbps}
    - {name: vmnic1, speed: 1Gbps}
  teaming:
    load_balancing: nic_load
    active: [vmnic0, vmnic1]
    lbt: {interval: 3s, threshold: %THR%}
hosts:
  - {name: esx01, ft_ip: 10.0.0.11}
  - {name: esx02, ft_ip: 10.0.0.12}
ft_vms:
  - {name: vm1, primary: esx01, secondary: esx02, logging: {rate: 300Mbps}}
background:
  - {host: esx01, vmnic: vmnic1, rate: 550Mbps, pattern: constant}
`
	// esx01's port 50331649 starts on vmnic1 (odd), which the background
	// loads to about 0.85 with the FT stream.
	rr := tmRun(t, tmParse(t, src, "%THR%", "75%"))
	tmWantEvents(t, "LBT above threshold", tmEvents(rr, "lbt_move"),
		[]results.Event{{T: 3, Kind: "lbt_move", Target: "esx01/vmnic0", From: "esx01/vmnic1"}})
	vm := tmVM(t, rr, "vm1").LoggedBytes
	if got := tmLink(t, rr, "esx01", "vmnic0", "tx").Bytes; got < 0.55*vm || got > 0.75*vm {
		t.Errorf("after the move at 3 s of 8 s vmnic0 carried %.0f of %.0f logged bytes, want about 5/8", got, vm)
	}
	// Below the threshold nothing moves.
	rr = tmRun(t, tmParse(t, src, "%THR%", "95%"))
	if evs := tmEvents(rr, "lbt_move"); len(evs) != 0 {
		t.Errorf("LBT below threshold moved the port: %s", tmFmt(evs))
	}
	if got := tmLink(t, rr, "esx01", "vmnic0", "tx").Bytes; got != 0 {
		t.Errorf("LBT below threshold: vmnic0 carried %.0f B", got)
	}
}
