package sim

import (
	"github.com/ftsim/ftsim/results"

	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// runYAML runs a scenario written in the test under one policy.
func runYAML(t *testing.T, src string) results.RunResult {
	t.Helper()
	res, err := Run(context.Background(), loadYAML(t, src), Options{Policies: []model.Policy{model.PortID}, NoSeries: true})
	if err != nil {
		t.Fatal(err)
	}
	return res.Runs[0]
}

func findLink(t *testing.T, rr results.RunResult, host, vmnic, dir string) results.Link {
	t.Helper()
	for _, l := range rr.Links {
		if l.Host == host && l.Vmnic == vmnic && l.Direction == dir {
			return l
		}
	}
	t.Fatalf("no link %s/%s %s", host, vmnic, dir)
	return results.Link{}
}

// jain is Jain's fairness index of xs: 1 when all are equal, 1/n when one
// takes everything.
func jain(xs []float64) float64 {
	var s, s2 float64
	for _, x := range xs {
		s += x
		s2 += x * x
	}
	return s * s / (float64(len(xs)) * s2)
}

// TestFairShares: four primaries at 3 Gbit/s each send to secondaries on
// one host behind one 10 GbE port with a 1 MiB buffer. With a window per
// connection the port stays busy (>= 90 %) and the four get fair shares
// of it (Jain's index of delivered bytes >= 0.95), each throttled about
// 1 - 9.9/12; without (congestion: none) the port is far from full.
func TestFairShares(t *testing.T) {
	dur := "30s"
	if testing.Short() {
		dur = "12s"
	}
	src := func(cc string) string {
		return `name: fair
duration: ` + dur + `
warmup: 4s
seed: 3
ft: {tcp: {congestion: ` + cc + `}}
switches: [{name: sw1, port_buffer: 1MiB}]
defaults:
  mtu: 9000
  vmnics: [{name: vmnic0, speed: 10Gbps}]
  teaming: {load_balancing: port_id, active: [vmnic0]}
hosts: [{name: esx01}, {name: esx02}, {name: esx03}, {name: esx04}, {name: esx05}]
ft_vms:
  - {name: vm1, primary: esx01, secondary: esx05, mode: legacy, vcpus: 1, memory: 1GiB, logging: {rate: 3Gbps}}
  - {name: vm2, primary: esx02, secondary: esx05, mode: legacy, vcpus: 1, memory: 1GiB, logging: {rate: 3Gbps}}
  - {name: vm3, primary: esx03, secondary: esx05, mode: legacy, vcpus: 1, memory: 1GiB, logging: {rate: 3Gbps}}
  - {name: vm4, primary: esx04, secondary: esx05, mode: legacy, vcpus: 1, memory: 1GiB, logging: {rate: 3Gbps}}
`
	}
	for _, cc := range []string{model.CongestionNewReno, model.CongestionCubic} {
		rr := runYAML(t, src(cc))
		port := findLink(t, rr, "esx05", "vmnic0", "rx")
		var goodput []float64
		for _, v := range rr.VMs {
			goodput = append(goodput, v.DeliveredBytes)
			if v.ThrottledFraction < 0.05 || v.ThrottledFraction > 0.4 {
				t.Errorf("%s: %s throttled %.2f, want about 1 - 9.9/12 = 0.18", cc, v.VM, v.ThrottledFraction)
			}
		}
		if j := jain(goodput); j < 0.95 {
			t.Errorf("%s: Jain's index %.3f of goodputs %v, want >= 0.95", cc, j, goodput)
		}
		if port.UtilisationMean < 0.90 {
			t.Errorf("%s: the shared port is %.1f%% busy, want >= 90%%", cc, 100*port.UtilisationMean)
		}
		t.Logf("%s: port busy %.1f%%, Jain %.3f, dropped %.0f B, retransmitted %.0f B", cc, 100*port.UtilisationMean, jain(goodput), port.DroppedBytes, port.RetransmittedBytes)
	}
}

// TestMathis: one flow across an inter-switch link that drops each frame
// with probability p gets MSS/RTT x 1.22/sqrt(p) (Mathis et al. 1997)
// within 25 %, over a range of p and RTT where the window holds at least
// four messages (docs/model.md "Transport"). The source offers more than
// that, so the window is what limits it.
func TestMathis(t *testing.T) {
	dur := 240.0
	if testing.Short() {
		dur = 80
	}
	const mss = 1448.0
	for _, c := range []struct{ p, oneWay float64 }{
		{1e-5, 0.5e-3}, {1e-5, 2e-3}, {2e-5, 1e-3}, {4e-6, 3e-3}, {2e-6, 4e-3},
	} {
		// Base round trip: the ISL's latency each way plus the store and
		// forward of a 64 KiB message (46 frames) over three 10 GbE hops
		// and an ack's, plus the switches' 2 us each way.
		wire := 65536.0 + 46*90
		rtt := 2*c.oneWay + 3*wire*8/10e9 + 3*84*8/10e9 + 4*2e-6 + 2*2e-6
		want := mss / rtt * 1.22 / math.Sqrt(c.p)
		if w := want * rtt; w < 4*65536 {
			t.Fatalf("p=%g rtt=%g: window %.0f B holds fewer than four messages", c.p, rtt, w)
		}
		src := fmt.Sprintf(`name: mathis
duration: %gs
warmup: 20s
seed: 5
ft: {log_buffer: 256MiB, lag_target: 1h, tcp: {congestion: newreno}}
switches: [{name: sw-a}, {name: sw-b}]
inter_switch_links: [{between: [sw-a, sw-b], speed: 10Gbps, latency: %gs}]
defaults:
  vmnics: [{name: vmnic0, speed: 10Gbps, switch: sw-a}]
  teaming: {load_balancing: port_id, active: [vmnic0]}
hosts:
  - {name: esx01}
  - {name: esx02, vmnics: [{name: vmnic0, speed: 10Gbps, switch: sw-b}]}
ft_vms:
  - {name: vm1, primary: esx01, secondary: esx02, mode: legacy, vcpus: 1, memory: 1GiB, logging: {rate: 9Gbps, pattern: constant}}
failures:
  - {at: 0s, isl: [sw-a, sw-b], kind: lossy, loss: %g}
`, dur, c.oneWay, c.p)
		rr := runYAML(t, src)
		got := rr.VMs[0].DeliveredBytes / (dur - 20)
		if r := got / want; r < 0.75 || r > 1.25 {
			t.Errorf("p=%g rtt=%.2fms: %.0f Mbit/s, Mathis %.0f Mbit/s (ratio %.2f)", c.p, rtt*1e3, got*8/1e6, want*8/1e6, r)
		} else {
			t.Logf("p=%g rtt=%.2fms: %.0f Mbit/s, Mathis %.0f Mbit/s (ratio %.2f)", c.p, rtt*1e3, got*8/1e6, want*8/1e6, r)
		}
	}
}

// TestDeadPeerCostsAWindow: when the secondary's host dies, the primary
// loses about one window of data into the dead port, then one message
// per timeout with the timeout doubling, until FT declares the peer lost;
// the windowless model (congestion: none) resends its whole log buffer
// every rto instead.
func TestDeadPeerCostsAWindow(t *testing.T) {
	src := func(cc string) string {
		return `name: dead
duration: 30s
seed: 9
ft: {tcp: {congestion: ` + cc + `}}
defaults:
  mtu: 9000
  vmnics: [{name: vmnic0, speed: 10Gbps}]
  teaming: {load_balancing: port_id, active: [vmnic0]}
hosts: [{name: esx01}, {name: esx02}, {name: esx03}]
ft_vms:
  - {name: vm1, primary: esx01, secondary: esx02, mode: legacy, vcpus: 1, memory: 64GiB, logging: {rate: 1Gbps}}
failures:
  - {at: 10s, host: esx02}
`
	}
	sent := map[string]float64{}
	for _, cc := range []string{model.CongestionNewReno, model.CongestionCubic, model.CongestionNone} {
		rr := runYAML(t, src(cc))
		l := findLink(t, rr, "esx01", "vmnic0", "tx")
		sent[cc] = l.RetransmittedBytes
		var dropped float64
		for _, l := range rr.Links {
			dropped += l.DroppedBytes
		}
		if cc == model.CongestionNone {
			continue
		}
		// A window at 2 Gbit/s over a ~0.2 ms round trip is well under a
		// MiB; the 5 s before FT gives up hold timeouts at 0.2, 0.6, 1.4,
		// 3.0 s and so on: a handful of messages.
		if dropped > 4<<20 {
			t.Errorf("%s: %.1f MiB dropped into the dead host, want about one window", cc, dropped/(1<<20))
		}
		if n := l.RetransmittedBytes / 65536; n > 8 {
			t.Errorf("%s: %.0f messages resent before the peer was declared lost, want one per timeout", cc, n)
		}
		lost := false
		for _, ev := range rr.VMs[0].FTEvents {
			if ev.Kind == "ft_lost" {
				lost = true
				if math.Abs(ev.T-15) > 0.01 {
					t.Errorf("%s: peer lost at %.3f s, want 5 s after the last ack (about 15 s)", cc, ev.T)
				}
			}
		}
		if !lost {
			t.Errorf("%s: the peer was never declared lost", cc)
		}
	}
	if sent[model.CongestionNone] < 20*sent[model.CongestionNewReno] {
		t.Errorf("resent into the dead host: none %.0f B, newreno %.0f B; the windowless model should throw far more", sent[model.CongestionNone], sent[model.CongestionNewReno])
	}
}

// TestReprotectionSharesPort: a host failure sends three re-protection
// copies into one host, whose port also carries two log streams. The
// copies and the streams share the port: the streams keep flowing
// (throttled little, replay lag well under a second) and the copies finish
// at about the same time.
func TestReprotectionSharesPort(t *testing.T) {
	rr := runYAML(t, reprotectYAML)
	var done []float64
	for _, v := range rr.VMs {
		switch {
		case strings.HasPrefix(v.VM, "s"):
			if v.ThrottledFraction > 0.1 || v.ReplayLagP99 > 2 {
				t.Errorf("%s: throttled %.2f, p99 lag %.3f s while copies share its port", v.VM, v.ThrottledFraction, v.ReplayLagP99)
			}
		default:
			for _, ev := range v.FTEvents {
				if ev.Kind == "resync_start" && ev.Detail != "esx03" {
					t.Errorf("%s: re-protected on %s, want esx03", v.VM, ev.Detail)
				}
				if ev.Kind == "protected" {
					done = append(done, ev.T)
				}
			}
		}
	}
	if len(done) != 3 {
		t.Fatalf("%d of 3 copies finished: %v", len(done), done)
	}
	lo, hi := math.Min(done[0], math.Min(done[1], done[2])), math.Max(done[0], math.Max(done[1], done[2]))
	// Each copy starts 10 s after loss (15 s); three copies of 8 GiB plus
	// 4 Gbit/s of log into 10 GbE take about 3 x 8 x 8.6 / 6 = 34 s.
	if hi-lo > 0.35*(hi-20) {
		t.Errorf("copies finished at %v: not sharing the port", done)
	}
	port := findLink(t, rr, "esx03", "vmnic0", "rx")
	t.Logf("copies done at %v; esx03 port busy %.1f%%", done, 100*port.UtilisationMean)
	// Without a window every drop waits 200 ms while the port idles: the
	// copies take far longer, if they finish at all.
	none := runYAML(t, strings.Replace(reprotectYAML, "seed: 4\n", "seed: 4\nft: {tcp: {congestion: none}}\n", 1))
	finished := 0
	for _, v := range none.VMs {
		for _, ev := range v.FTEvents {
			if ev.Kind == "protected" && ev.T < hi {
				finished++
			}
		}
	}
	if finished == 3 {
		t.Errorf("congestion: none finished all three copies by %.1f s too; the window should matter here", hi)
	}
}

const reprotectYAML = `name: reprotect
duration: 60s
warmup: 0s
seed: 4
defaults:
  mtu: 9000
  vmnics: [{name: vmnic0, speed: 10Gbps}]
  teaming: {load_balancing: port_id, active: [vmnic0]}
hosts: [{name: esx01}, {name: esx02}, {name: esx03}, {name: esx04}, {name: esx05}]
ft_vms:
  - {name: a1, primary: esx01, secondary: esx02, mode: legacy, vcpus: 1, memory: 8GiB, logging: {rate: 1Gbps}}
  - {name: a2, primary: esx04, secondary: esx02, mode: legacy, vcpus: 1, memory: 8GiB, logging: {rate: 1Gbps}}
  - {name: a3, primary: esx05, secondary: esx02, mode: legacy, vcpus: 1, memory: 8GiB, logging: {rate: 1Gbps}}
  - {name: s1, primary: esx01, secondary: esx03, mode: legacy, vcpus: 1, memory: 8GiB, logging: {rate: 1Gbps}}
  - {name: s2, primary: esx04, secondary: esx03, mode: legacy, vcpus: 1, memory: 8GiB, logging: {rate: 1Gbps}}
failures:
  - {at: 5s, host: esx02}
`

// TestLossyWithoutWindow: without a window (congestion: none) a message
// a lossy link corrupted is resent after ft.rto like any dropped one, and
// the resent copy gets through: a lossy vmnic for five seconds costs
// lag for a while, not the session.
func TestLossyWithoutWindow(t *testing.T) {
	src := `name: lossy-none
duration: 20s
warmup: 2s
seed: 3
ft: {tcp: {congestion: none}}
defaults:
  vmnics: [{name: vmnic0, speed: 10Gbps}]
  teaming: {load_balancing: port_id, active: [vmnic0]}
hosts: [{name: esx01}, {name: esx02}]
ft_vms:
  - {name: vm1, primary: esx01, secondary: esx02, mode: legacy, vcpus: 1, memory: 1GiB, logging: {rate: 200Mbps}}
failures:
  - {at: 5s, vmnic: esx01/vmnic0, kind: lossy, loss: 1%, down_for: 5s}
`
	rr := runYAML(t, src)
	vm := rr.VMs[0]
	if vm.ThrottledFraction > 0.05 {
		t.Errorf("throttled %.2f of the run: lost messages were never delivered", vm.ThrottledFraction)
	}
	if got, want := vm.DeliveredBytes, 0.95*vm.LoggedBytes; got < want {
		t.Errorf("delivered %.0f B of %.0f B logged: lost messages were never delivered", got, vm.LoggedBytes)
	}
	if l := findLink(t, rr, "esx01", "vmnic0", "tx"); l.RetransmittedBytes == 0 {
		t.Error("nothing retransmitted: the lossy vmnic lost nothing")
	}
}
