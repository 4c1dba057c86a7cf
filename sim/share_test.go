package sim

import (
	"github.com/ftsim/ftsim/results"

	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// sharingRun runs sc with sharing on or off and returns results.json's
// bytes, the time series and how many results were reported from another
// policy's run.
func sharingRun(t *testing.T, sc *model.Scenario, off bool) ([]byte, []results.Series, int64) {
	t.Helper()
	return runCounting(t, sc, &noShare, off, &sharedRuns)
}

// sameShared checks that sharing changes nothing, and that it reported
// wantShared results from another policy's run.
func sameShared(t *testing.T, sc *model.Scenario, wantShared int64) {
	t.Helper()
	with, wser, n := sharingRun(t, sc, false)
	without, woser, n0 := sharingRun(t, sc, true)
	if n0 != 0 {
		t.Fatalf("%d results shared with sharing off", n0)
	}
	if !bytes.Equal(with, without) {
		t.Errorf("results.json differs with sharing on and off")
	}
	if !reflect.DeepEqual(wser, woser) {
		t.Errorf("time series differ with sharing on and off")
	}
	if wantShared >= 0 && n != wantShared {
		t.Errorf("%d results shared, want %d", n, wantShared)
	}
}

// TestSharingInvisible: a run that stands for other policies' runs
// (share.go) gives each of them the bytes its own run would have.
func TestSharingInvisible(t *testing.T) {
	t.Run("bench-128-hosts", func(t *testing.T) {
		// Port ID, MAC hash and NIC load put every host's FT port on the
		// same uplink (derived MACs and port IDs count from the host's
		// position, and no uplink is loaded enough for LBT); IP hash and
		// LACP hash the same IPs. Six policies, three simulations.
		sc, err := model.Load("../scenarios/bench/bench-128-hosts.yaml")
		if err != nil {
			t.Fatal(err)
		}
		sc.Duration, sc.Warmup = model.Duration(4), model.Duration(1)
		sameShared(t, sc, 3)
	})

	t.Run("LBT moves", func(t *testing.T) {
		// 1.2 Gbit/s from esx01 on 2 x 1 GbE: port ID's uplink is over
		// LBT's 75%, so NIC load moves the port at its first check and
		// must be simulated on its own; MAC hash is port ID's run.
		sc := testScenario(2, []model.BitRate{1e9, 1e9}, 9000, model.PortID, []model.BitRate{400e6, 400e6, 400e6}, 12)
		for i := range sc.VMs {
			sc.VMs[i].Primary, sc.VMs[i].Secondary = "esx01", "esx02"
		}
		for i := range sc.Hosts {
			sc.Hosts[i].Teaming.LBTInterval = 5
		}
		sc.Compare = &model.Compare{Policies: []model.Policy{model.PortID, model.MACHash, model.NICLoad}}
		sameShared(t, sc, 1)
		moves := eventsByPolicy(t, sc, "lbt_move")
		if moves[string(model.NICLoad)] == 0 || len(moves) != 1 {
			t.Errorf("lbt_move events by policy: %v, want NIC load's only: the test does not test the watch", moves)
		}
	})

	t.Run("different paths", func(t *testing.T) {
		// MACs one past the port IDs: MAC hash puts every host's FT port
		// on the other uplink than port ID does. Nothing is shared, and
		// the two policies' figures differ.
		sc := testScenario(4, []model.BitRate{10e9, 10e9}, 9000, model.PortID, []model.BitRate{3e9, 3e9, 3e9, 3e9}, 6)
		for i := range sc.Hosts {
			sc.Hosts[i].FTMAC++
		}
		sc.Compare = &model.Compare{Policies: []model.Policy{model.PortID, model.MACHash}}
		sameShared(t, sc, 0)
		r, err := Run(context.Background(), sc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(r.Runs[0].Links, r.Runs[1].Links) {
			t.Errorf("port ID and MAC hash load the same links: the test does not test different paths")
		}
	})

	t.Run("peer lost", func(t *testing.T) {
		// A timeout shorter than the gaps between messages and heartbeats:
		// FT loses the peer and places a new secondary, whose flows the
		// policies may route apart, so nothing is shared.
		sc := testScenario(4, []model.BitRate{10e9, 10e9}, 9000, model.PortID, []model.BitRate{1e6}, 30)
		sc.FT.Timeout = 0.05
		for i := range sc.VMs {
			sc.VMs[i].FT.Timeout = 0.05
		}
		sc.Compare = &model.Compare{Policies: []model.Policy{model.PortID, model.MACHash, model.NICLoad}}
		sameShared(t, sc, 0)
		if lost := eventsByPolicy(t, sc, "ft_lost"); lost[string(model.PortID)] == 0 {
			t.Errorf("no ft_lost event under port ID: the test does not test a changed path")
		}
	})

	files, err := filepath.Glob("../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatal("no bundled scenarios", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if testing.Short() && filepath.Base(f) != "active-active-port-id.yaml" {
				t.Skip("long: every bundled scenario")
			}
			sc, err := model.Load(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(sc.Sweep) > 0 {
				t.Skip("a sweep is a batch of scenarios")
			}
			sc.Duration, sc.Warmup = model.Duration(8), model.Duration(1)
			sameShared(t, sc, -1)
		})
	}
}

// TestSharingInvisibleRandom: sharing changes no byte of results.json or
// the series on scenarios drawn at random (fixed seed): one switch, a stack
// or two switches joined by an ISL; two or three vmnics; Active, Standby
// and Unused lists; derived or written MACs and port IDs; pins; both MAC
// hash and IP hash variants; any LACP hash; light or LBT-moving load;
// SMP-FT (checkpoints) and legacy FT (a stream) VMs. Every
// policy is compared, and the draws must include runs that were shared and
// NIC load runs that LBT made run on their own.
func TestSharingInvisibleRandom(t *testing.T) {
	n := 24
	if testing.Short() {
		n = 6
	}
	rng := rand.New(rand.NewPCG(11, 23))
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	var shared, lbtAlone int64
	for i := 0; i < n; i++ {
		src := randomShareScenario(rng, pick)
		sc, err := model.Parse(fmt.Sprintf("random-%d.yaml", i), []byte(src))
		if err != nil {
			t.Fatalf("scenario %d: %v\n%s", i, err, src)
		}
		with, wser, k := sharingRun(t, sc, false)
		without, woser, _ := sharingRun(t, sc, true)
		if !bytes.Equal(with, without) || !reflect.DeepEqual(wser, woser) {
			t.Errorf("scenario %d: results differ with sharing on and off\n%s", i, src)
		}
		shared += k
		if eventsByPolicy(t, sc, "lbt_move")[string(model.NICLoad)] > 0 {
			lbtAlone++
		}
	}
	if shared == 0 || (!testing.Short() && lbtAlone == 0) {
		t.Errorf("%d results shared, %d scenarios where LBT moved: the draws do not test sharing", shared, lbtAlone)
	}
}

// randomShareScenario draws one scenario for TestSharingInvisibleRandom.
func randomShareScenario(rng *rand.Rand, pick func(...string) string) string {
	var b strings.Builder
	b.WriteString("name: random\nduration: 4s\nwarmup: 1s\nseed: " + strconv.Itoa(rng.IntN(1000)) + "\n")
	// Any transport; small port buffers make the window meet drops.
	fmt.Fprintf(&b, "ft:\n  tcp: {congestion: %s}\n", pick(model.CongestionNewReno, model.CongestionCubic, model.CongestionNone))
	switches := []string{"sw-a"}
	switch rng.IntN(3) {
	case 0:
		b.WriteString("switches:\n  - {name: sw-a, port_buffer: " + pick("1MiB", "128KiB") + "}\n")
	case 1:
		switches = append(switches, "sw-b")
		b.WriteString("switches:\n  - {name: sw-a, stack: s}\n  - {name: sw-b, stack: s}\n")
	default:
		switches = append(switches, "sw-b")
		b.WriteString("switches:\n  - {name: sw-a}\n  - {name: sw-b}\ninter_switch_links:\n  - {between: [sw-a, sw-b], speed: 10Gbps}\n")
	}
	speed := pick("1Gbps", "10Gbps")
	nics := 2 + rng.IntN(2)
	b.WriteString("defaults:\n  mtu: " + pick("1500", "9000") + "\n  vmnics:\n")
	var names []string
	for k := 0; k < nics; k++ {
		names = append(names, fmt.Sprintf("vmnic%d", k))
		fmt.Fprintf(&b, "    - {name: vmnic%d, speed: %s, switch: %s}\n", k, speed, switches[rng.IntN(len(switches))])
	}
	rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	active := 1 + rng.IntN(nics)
	standby := rng.IntN(nics - active + 1)
	fmt.Fprintf(&b, "  teaming:\n    load_balancing: %s\n    active: [%s]\n", pick("port_id", "mac_hash", "explicit_failover"),
		strings.Join(names[:active], ", "))
	if standby > 0 {
		fmt.Fprintf(&b, "    standby: [%s]\n", strings.Join(names[active:active+standby], ", "))
	}
	if active+standby < nics {
		fmt.Fprintf(&b, "    unused: [%s]\n", strings.Join(names[active+standby:], ", "))
	}
	fmt.Fprintf(&b, "    mac_hash: %s\n    ip_hash: %s\n    lbt: {interval: 1s}\n    lacp: {hash: %s}\n",
		pick("whole_mac", "last_byte"), pick("last_octet", "full_address"), pick(model.LACPHashes...))
	hosts := 3 + rng.IntN(3)
	b.WriteString("hosts:\n")
	for h := 1; h <= hosts; h++ {
		// Written addresses never collide with another host's, written or
		// derived (00:50:56:6a:00:NN, 50331648 + N).
		fmt.Fprintf(&b, "  - {name: esx%02d, ft_ip: 10.0.%d.%d", h, rng.IntN(4), 10*h+rng.IntN(10))
		if rng.IntN(3) == 0 {
			fmt.Fprintf(&b, ", ft_mac: \"00:50:56:6a:%02x:%02x\", ft_port_id: %d",
				1+rng.IntN(255), h, 50332648+10*h+rng.IntN(10))
		}
		if rng.IntN(4) == 0 {
			fmt.Fprintf(&b, ", pin: %s", names[rng.IntN(active)])
		}
		b.WriteString("}\n")
	}
	b.WriteString("ft_vms:\n")
	for v := 1; v <= 2+rng.IntN(4); v++ {
		p := 1 + rng.IntN(hosts)
		s := 1 + (p+rng.IntN(hosts-1))%hosts
		rate := pick("100Mbps", "500Mbps", "2Gbps")
		if speed == "10Gbps" {
			rate = pick("1Gbps", "4Gbps", "9Gbps")
		}
		fmt.Fprintf(&b, "  - {name: vm%d, primary: esx%02d, secondary: esx%02d, memory: 1GiB, mode: %s, logging: {rate: %s, pattern: %s}}\n",
			v, p, s, pick(model.ModeSMP, model.ModeLegacy), rate, pick("poisson", "constant", "onoff, on: 300ms, off: 700ms"))
	}
	b.WriteString("compare:\n  policies: all\n")
	return b.String()
}
