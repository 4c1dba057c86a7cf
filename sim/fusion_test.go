package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// fuseYAML is the scale benchmark's fabric in small: two switches of one
// stack joined by an ISL, every host on both, the FT pairs spread, SMP-FT
// (checkpoint bursts) and legacy FT (a stream) side by side.
const fuseYAML = `name: fusion
duration: 20s
warmup: 2s
seed: 11
switches:
  - {name: tor-a, stack: pod1, port_buffer: 256KiB}
  - {name: tor-b, stack: pod1, port_buffer: 256KiB}
inter_switch_links:
  - {between: [tor-a, tor-b], speed: 25Gbps}
defaults:
  mtu: 9000
  vmnics:
    - {name: vmnic0, speed: 10Gbps, switch: tor-a}
    - {name: vmnic1, speed: 10Gbps, switch: tor-b}
  teaming:
    load_balancing: port_id
    active: [vmnic0, vmnic1]
hosts:
  - {name: esx01, ft_ip: 10.1.0.11}
  - {name: esx02, ft_ip: 10.1.0.12}
  - {name: esx03, ft_ip: 10.1.0.13}
  - {name: esx04, ft_ip: 10.1.0.14}
  - {name: esx05, ft_ip: 10.1.0.15}
  - {name: esx06, ft_ip: 10.1.0.16}
ft_vms:
  - {name: app, count: 6, placement: spread, mode: smp, memory: 1GiB, logging: {rate: %RATE%, pattern: onoff, on: 200ms, off: 800ms}}
  - {name: db, count: 2, placement: spread, mode: legacy, memory: 1GiB, logging: {rate: 1Gbps, pattern: poisson}}
background:
%BG%
`

// fuseRun runs sc with fusion on and off and reports where the results
// differ (see sameFigures), how many runs were fused and how many of those
// had to be run again.
func fuseRun(t *testing.T, sc *model.Scenario, tol float64) (diff string, fused, again int64) {
	t.Helper()
	run := func(off bool) []byte {
		_, b := runWith(t, sc, &noFuse, off)
		return b
	}
	fusedRuns.Store(0)
	refused.Store(0)
	with := run(false)
	fused, again = fusedRuns.Load(), refused.Load()
	return sameFigures(t, with, run(true), tol), fused, again
}

// sameFigures compares two results.json documents: every figure must agree
// to the relative tolerance tol (0: the same bytes), everything else
// exactly. It returns the path of the first difference, or "".
func sameFigures(t *testing.T, a, b []byte, tol float64) string {
	t.Helper()
	if bytes.Equal(a, b) {
		return ""
	}
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	if tol == 0 {
		return "the bytes differ: " + firstDiff("", x, y, 0)
	}
	return firstDiff("", x, y, tol)
}

func firstDiff(path string, x, y any, tol float64) string {
	switch xv := x.(type) {
	case map[string]any:
		yv, ok := y.(map[string]any)
		if !ok || len(xv) != len(yv) {
			return path
		}
		for k := range xv {
			if d := firstDiff(path+"."+k, xv[k], yv[k], tol); d != "" {
				return d
			}
		}
	case []any:
		yv, ok := y.([]any)
		if !ok || len(xv) != len(yv) {
			return path
		}
		for i := range xv {
			if d := firstDiff(fmt.Sprintf("%s[%d]", path, i), xv[i], yv[i], tol); d != "" {
				return d
			}
		}
	case float64:
		yv, ok := y.(float64)
		if !ok || math.Abs(xv-yv) > tol*math.Max(math.Abs(xv), math.Abs(yv)) {
			return fmt.Sprintf("%s: %v and %v", path, x, y)
		}
	default:
		if x != y {
			return fmt.Sprintf("%s: %v and %v", path, x, y)
		}
	}
	return ""
}

// TestFusionInvisible: entering queues ahead of time (fusion.go) does not
// change a result, under every policy, with drops at the switch ports
// (heavy on/off bursts into small buffers) and with background traffic.
// Port-based, MAC-hash and NIC-load teaming put consecutive hosts on
// different switches, so every pair crosses the ISL and its far ports are
// fused.
//
// Without background the results are the same bytes. Background on a
// vmnic makes its messages queue back to back, and two such chains can
// deliver at the very same instant; the model leaves the order of
// simultaneous arrivals at a queue open, and fusion may take the other
// one, so with background the figures must agree to 1e-4.
func TestFusionInvisible(t *testing.T) {
	bgs := []struct {
		name, yaml string
		tol        float64
	}{
		{"no background", "  []", 0},
		{"background", "  - {host: esx02, vmnic: vmnic0, rate: 4Gbps, pattern: poisson}\n  - {host: esx05, vmnic: vmnic1, direction: rx, rate: 2Gbps}", 1e-4},
	}
	for i, p := range model.AllPolicies {
		for _, b := range bgs {
			// The congestion window (newreno, the default) and, in turn
			// over the policies, CUBIC and the windowless model.
			cc := []string{model.CongestionNewReno, model.CongestionCubic, model.CongestionNone}[i%3]
			bn, bg := b.name+", "+cc, b.yaml
			v := model.WithPolicy(tmParse(t, fuseYAML, "%RATE%", "3Gbps", "%BG%", bg), p)
			if !v.Applicable {
				t.Fatalf("%s: not applicable: %s", p, v.Reason)
			}
			for k := range v.Scenario.VMs {
				v.Scenario.VMs[k].FT.TCP.Congestion = cc
			}
			if testing.Short() { // -race: the same checks over fewer bursts
				v.Scenario.Duration = model.Duration(3)
			}
			d, fused, again := fuseRun(t, v.Scenario, b.tol)
			if d != "" {
				t.Errorf("%s, %s: results differ with fusion on and off at %s", p, bn, d)
			}
			if cc != model.CongestionNone && fused != 0 {
				t.Errorf("%s, %s: %d runs fused; SMP-FT VMs under a window turn fusion off", p, bn, fused)
			}
			if again != 0 {
				t.Errorf("%s, %s: %d runs had to be run again without fusion; want none (no path changes)", p, bn, again)
			}
			if crosses := p == model.PortID || p == model.MACHash || p == model.NICLoad; crosses && fused == 0 && cc == model.CongestionNone {
				t.Errorf("%s, %s: no run was fused; every pair crosses the ISL, so the far ports should be", p, bn)
			}
		}
	}
}

// TestFusionRunAgain: a fused run in which a path changes (an LBT move, an
// FT peer lost and re-protected on another host) is run again without
// fusion, and its result is the unfused run's.
func TestFusionRunAgain(t *testing.T) {
	cases := []struct {
		name   string
		policy model.Policy
		dur    float64
		bg     string
	}{
		// esx01's FT uplink (port ID 50331649: vmnic1) loaded past 75%:
		// Route based on physical NIC load moves the port at its first
		// evaluation (every 5 s here).
		{"LBT move", model.NICLoad, 8, "  - {host: esx01, vmnic: vmnic1, rate: 9Gbps, pattern: constant}"},
		// Four times line rate into esx01's FT uplink: its TX queue, which
		// never drops, stretches everything esx01 sends fourfold, so with
		// heartbeats every 10 ms and ft.timeout 25 ms, a pair in its off
		// period falls silent for longer and FT declares the peer lost.
		{"peer lost", model.PortID, 4, "  - {host: esx01, vmnic: vmnic1, rate: 40Gbps, pattern: constant}"},
	}
	for _, c := range cases {
		v := model.WithPolicy(tmParse(t, fuseYAML, "%RATE%", "200Mbps", "%BG%", c.bg), c.policy)
		sc := v.Scenario
		sc.Duration = model.Duration(c.dur)
		for i := range sc.Hosts {
			sc.Hosts[i].Teaming.LBTInterval = 5
		}
		for i := range sc.VMs { // fusion is for runs without a window
			sc.VMs[i].FT.TCP.Congestion = model.CongestionNone
		}
		if c.name == "peer lost" {
			for i := range sc.VMs {
				sc.VMs[i].FT.Heartbeat, sc.VMs[i].FT.Timeout = 0.01, 0.025
			}
		}
		d, fused, again := fuseRun(t, sc, 0)
		if d != "" {
			t.Errorf("%s: results differ with fusion on and off at %s", c.name, d)
		}
		if fused == 0 || again == 0 {
			t.Errorf("%s: %d fused runs, %d run again; want the fused run stopped and run again", c.name, fused, again)
		}
		// The progress of a run that is run again counts each simulated
		// second once, as the unfused run's does.
		progress := func(off bool) (last, most float64) {
			noFuse = off
			defer func() { noFuse = false }()
			opts := Options{Progress: func(done, _ float64) { last, most = done, max(most, done) }}
			if _, err := Run(context.Background(), sc, opts); err != nil {
				t.Fatal(err)
			}
			return last, most
		}
		last, most := progress(false)
		if want, _ := progress(true); last != want || most != want {
			t.Errorf("%s: progress ended at %g (at most %g), want %g as without fusion", c.name, last, most, want)
		}
	}
}
