package sim

import (
	"github.com/ftsim/ftsim/results"

	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// mdScenario is one FT pair on one 1 GbE uplink with one-frame messages
// (1448 B at MTU 1500), Poisson at utilisation rho of the wire: an M/D/1
// queue at the primary's vmnic TX.
func mdScenario(rho float64, dur model.Duration) *model.Scenario {
	const payload, wire = 1448.0, 1448.0 + 90
	rate := rho * 1e9 * payload / wire
	sc := testScenario(2, []model.BitRate{1e9}, 1500, model.PortID, []model.BitRate{model.BitRate(rate)}, dur)
	sc.VMs[0].FT.MessageSize = payload
	sc.FT.MessageSize = payload
	return sc
}

func primaryTX(t *testing.T, r results.Result) results.Link {
	t.Helper()
	for _, l := range r.Runs[0].Links {
		if l.Host == "esx01" && l.Direction == "tx" {
			return l
		}
	}
	t.Fatal("no esx01 tx link")
	return results.Link{}
}

// TestMD1 checks the vmnic queue against Pollaczek-Khinchine:
// Wq = rho S / (2 (1 - rho)) for deterministic service S.
func TestMD1(t *testing.T) {
	for _, rho := range []float64{0.5, 0.7, 0.9} {
		dur := model.Duration(200)
		if testing.Short() {
			dur = 40
		}
		r, err := Run(context.Background(), mdScenario(rho, dur), Options{NoSeries: true})
		if err != nil {
			t.Fatal(err)
		}
		l := primaryTX(t, r)
		s := (1448.0 + 90) * 8 / 1e9
		want := rho * s / (2 * (1 - rho))
		tol := 0.03
		if testing.Short() {
			tol = 0.08
		}
		if math.Abs(l.QueueDelayMean-want) > tol*want {
			t.Errorf("rho %.1f: Wq = %.3f us, want %.3f us ±%.0f%%", rho, l.QueueDelayMean*1e6, want*1e6, tol*100)
		}
		if math.Abs(l.UtilisationMean-rho) > 0.01 {
			t.Errorf("rho %.1f: utilisation %.4f", rho, l.UtilisationMean)
		}
	}
}

// TestConstantNeverQueues: constant traffic below line rate finds the wire
// free every time (heartbeats are moved out of the way).
// Under a congestion window the start-up (slow start from 10 segments)
// sends a few bursts that queue; after it the wire is free every time.
func TestConstantNeverQueues(t *testing.T) {
	for _, cc := range []string{model.CongestionNone, model.CongestionNewReno} {
		sc := testScenario(2, []model.BitRate{10e9}, 9000, model.PortID, []model.BitRate{9e9}, 20)
		sc.VMs[0].Logging.Pattern = model.Constant
		sc.VMs[0].FT.Heartbeat = 3600
		sc.VMs[0].FT.TCP.Congestion = cc
		r, err := Run(context.Background(), sc, Options{NoSeries: true})
		if err != nil {
			t.Fatal(err)
		}
		l := primaryTX(t, r)
		if limit := map[string]float64{model.CongestionNone: 0, model.CongestionNewReno: 1e-7}[cc]; l.QueueDelayMean > limit || l.QueueDelayP99 != 0 {
			t.Errorf("%s: constant 9 Gb/s on 10 GbE queued: mean %g s, p99 %g s", cc, l.QueueDelayMean, l.QueueDelayP99)
		}
		if l.UtilisationMean < 0.89 {
			t.Errorf("utilisation %.3f, want about 0.91", l.UtilisationMean)
		}
	}
}

// TestFramingUtilisation: utilisation = offered payload x framing / line
// rate (reference section 4 and case 8: 700 Mb/s of 64 KiB messages on
// 1 GbE).
func TestFramingUtilisation(t *testing.T) {
	for _, tc := range []struct {
		mtu  int
		want float64 // wire/payload for a 64 KiB message: frames of MTU-52, +90 B each
	}{
		{1500, (65536 + 46*90) / 65536.0}, // 46 frames of 1448 B
		{9000, (65536 + 8*90) / 65536.0},  // 8 frames of 8948 B
	} {
		sc := testScenario(2, []model.BitRate{1e9}, tc.mtu, model.PortID, []model.BitRate{700e6}, 60)
		sc.VMs[0].Logging.Pattern = model.Constant
		r, err := Run(context.Background(), sc, Options{NoSeries: true})
		if err != nil {
			t.Fatal(err)
		}
		l := primaryTX(t, r)
		want := 0.7 * tc.want
		if math.Abs(l.UtilisationMean-want) > 0.005*want {
			t.Errorf("MTU %d: utilisation %.4f, want %.4f ±0.5%%", tc.mtu, l.UtilisationMean, want)
		}
	}
	// Case 8's figures are per-frame efficiencies: 94.148% at 1500, 99.004% at 9000.
	if got := 1448 / wireBytes(1448, 1500); math.Abs(got-0.94148) > 1e-4 {
		t.Errorf("1500 MTU efficiency %.5f, want 0.94148", got)
	}
	if got := 8948 / wireBytes(8948, 9000); math.Abs(got-0.99004) > 1e-4 {
		t.Errorf("9000 MTU efficiency %.5f, want 0.99004", got)
	}
}

// overloadScenario offers 1.6 x the payload capacity of one 10 GbE link
// from two primaries on one host (reference case 3).
func overloadScenario(dur model.Duration) *model.Scenario {
	capacity := 10e9 * 8948 / (8948 + 90) // payload rate of one-frame messages at MTU 9000
	rate := model.BitRate(0.8 * capacity)
	sc := testScenario(2, []model.BitRate{10e9}, 9000, model.PortID, []model.BitRate{rate, rate}, dur)
	for i := range sc.VMs {
		sc.VMs[i].Primary, sc.VMs[i].Secondary = "esx01", "esx02"
		sc.VMs[i].FT.MessageSize = 8948
	}
	return sc
}

// TestOverloadLagGrowth: with a log buffer too large to fill, lag grows at
// 1 - 1/1.6 = 0.375 s per s (reference case 3).
func TestOverloadLagGrowth(t *testing.T) {
	sc := overloadScenario(4)
	for i := range sc.VMs {
		sc.VMs[i].FT.LogBuffer = 1 << 40
		sc.VMs[i].FT.LagTarget = 3600
		sc.VMs[i].FT.Timeout = 3600
	}
	r, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range r.Series {
		if s.Metric != "replay_lag_s" {
			continue
		}
		// The highest lag delivered in second [3, 4) is that of a message
		// delivered just before 4 s: 0.375 x 4 = 1.5 s.
		got, want := s.V[3], 0.375*4
		if math.Abs(got-want) > 0.03*want {
			t.Errorf("%s: lag at 4 s = %.3f s, want %.3f s ±3%%", s.Object, got, want)
		}
		if s.V[3] <= s.V[2] || s.V[2] <= s.V[1] {
			t.Errorf("%s: lag not growing: %v", s.Object, s.V[:4])
		}
	}
}

// TestOverloadThrottles: with the default 64 MiB log buffer the primaries
// stall until they run at the link's share: throttled 1 - 1/1.6 = 37.5%.
func TestOverloadThrottles(t *testing.T) {
	r, err := Run(context.Background(), overloadScenario(20), Options{NoSeries: true})
	if err != nil {
		t.Fatal(err)
	}
	var logged float64
	for _, v := range r.Runs[0].VMs {
		if math.Abs(v.ThrottledFraction-0.375) > 0.02 {
			t.Errorf("%s: throttled %.3f, want 0.375 ±0.02", v.VM, v.ThrottledFraction)
		}
		if v.ReplayLagMax > 1 {
			t.Errorf("%s: lag %.3f s: the 64 MiB buffer should bound it well below 1 s", v.VM, v.ReplayLagMax)
		}
		logged += v.LoggedBytes
	}
	if u := primaryTX(t, r).UtilisationMean; u < 0.98 {
		t.Errorf("bottleneck utilisation %.3f, want ~1", u)
	}
	capacity := 10e9 * 8948 / (8948 + 90) / 8
	if got := logged / 20; math.Abs(got-capacity) > 0.02*capacity {
		t.Errorf("logged %.4g B/s, want the link's payload capacity %.4g B/s", got, capacity)
	}
}

// TestDeterminism: the same inputs give byte-identical results at any
// parallelism.
func TestDeterminism(t *testing.T) {
	sc := testScenario(3, []model.BitRate{10e9, 10e9}, 9000, model.IPHash, []model.BitRate{3e9, 2e9, 4e9}, 5)
	sc.Replications.N = 3
	var out [][]byte
	for _, par := range []int{1, 2, 1} {
		r, err := Run(context.Background(), sc, Options{Parallel: par})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := json.Marshal(r.Series)
		out = append(out, append(b, s...))
	}
	for i := 1; i < len(out); i++ {
		if !bytes.Equal(out[0], out[i]) {
			t.Fatalf("run %d differs from run 0", i)
		}
	}
}

// TestBalanceCheck: a run whose bytes do not add up is reported.
func TestBalanceCheck(t *testing.T) {
	e := &engine{vms: []*vmState{{vm: &model.FTVM{Name: "vm1"}, offered: 1000, delivered: 900, inflight: 50}}}
	if err := e.checkBalance(); !errors.Is(err, ErrConservation) {
		t.Fatalf("50 bytes missing: got %v, want ErrConservation", err)
	}
	e.vms[0].dropped = 50
	if err := e.checkBalance(); err != nil {
		t.Fatalf("balanced: %v", err)
	}
}

// TestIdleStreamStaysProtected: heartbeats keep an idle FT pair alive
// through off periods far longer than ft.timeout, whatever order acks and
// heartbeats are applied in (no failure, so no ft_lost).
func TestIdleStreamStaysProtected(t *testing.T) {
	rates := make([]model.BitRate, 32)
	for i := range rates {
		rates[i] = 200e6
	}
	sc := testScenario(8, []model.BitRate{10e9, 10e9}, 9000, model.PortID, rates, 120)
	for i := range sc.VMs {
		sc.VMs[i].Logging.Pattern = model.OnOff
		sc.VMs[i].Logging.On, sc.VMs[i].Logging.Off = 0.2, 20
	}
	r, err := Run(context.Background(), sc, Options{NoSeries: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range r.Runs[0].Events {
		t.Errorf("unexpected event without failures: %+v", ev)
	}
	for _, v := range r.Runs[0].VMs {
		if v.UnprotectedS != 0 || v.LoggedBytes == 0 {
			t.Errorf("%s: unprotected %.1f s, logged %.0f B", v.VM, v.UnprotectedS, v.LoggedBytes)
		}
	}
}
