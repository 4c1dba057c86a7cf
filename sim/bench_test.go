package sim

import (
	"context"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// BenchmarkFTPair is the engine's speed target: one FT pair on one 1 GbE
// uplink, one-frame (1448 B) messages, Poisson at 80% load, 2 M log
// messages (30.8 simulated seconds). Compare msgs/s with the typed-heap
// baseline's packets/s measured in the same run (README, "Performance").
//
// BenchmarkFTPair/none is the same pair without a congestion window (the
// earlier model): the difference is the window's bookkeeping per message.
func BenchmarkFTPair(b *testing.B) {
	ftPair(b, "")
}

func BenchmarkFTPairNoWindow(b *testing.B) {
	ftPair(b, model.CongestionNone)
}

func ftPair(b *testing.B, cc string) {
	const rho, msgs = 0.8, 2_000_000
	dur := msgs * (1448.0 + 90) * 8 / 1e9 / rho
	var logged float64
	for i := 0; i < b.N; i++ {
		sc := mdScenario(rho, durationOf(dur))
		if cc != "" {
			sc.VMs[0].FT.TCP.Congestion = cc
		}
		r, err := Run(context.Background(), sc, Options{NoSeries: true})
		if err != nil {
			b.Fatal(err)
		}
		logged += r.Runs[0].VMs[0].LoggedBytes
	}
	b.ReportMetric(logged/1448/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkScale128 is each policy of the scale target's scenario,
// scenarios/bench/bench-128-hosts.yaml, for 60 simulated seconds: the
// per-run cost behind the full ten-minute, every-policy run.
func BenchmarkScale128(b *testing.B) {
	sc, err := model.Load("../scenarios/bench/bench-128-hosts.yaml")
	if err != nil {
		b.Fatal(err)
	}
	sc.Duration = model.Duration(60)
	for _, p := range model.AllPolicies {
		b.Run(string(p), func(b *testing.B) {
			sc.Compare.Policies = []model.Policy{p}
			var logged float64
			for i := 0; i < b.N; i++ {
				r, err := Run(context.Background(), sc, Options{NoSeries: true})
				if err != nil {
					b.Fatal(err)
				}
				for _, v := range r.Runs[0].VMs {
					logged += v.LoggedBytes
				}
			}
			b.ReportMetric(logged/65536/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// benchSMPSeconds is BenchmarkScale128SMP's simulated time.
const benchSMPSeconds = 40

// BenchmarkScale128SMP is BenchmarkScale128's port ID run with every VM
// SMP-FT (scenarios/bench/bench-128-hosts-smp.yaml), 40 simulated seconds (10 after the 30 s warm-up are measured):
// what the epoch loop costs at scale.
func BenchmarkScale128SMP(b *testing.B) {
	sc, err := model.Load("../scenarios/bench/bench-128-hosts-smp.yaml")
	if err != nil {
		b.Fatal(err)
	}
	sc.Duration = model.Duration(benchSMPSeconds)
	sc.Compare.Policies = []model.Policy{model.PortID}
	var epochs float64
	for i := 0; i < b.N; i++ {
		r, err := Run(context.Background(), sc, Options{NoSeries: true})
		if err != nil {
			b.Fatal(err)
		}
		for _, v := range r.Runs[0].VMs {
			epochs += (benchSMPSeconds - float64(sc.Warmup)) * (1 - *v.StunFraction - v.ThrottledFraction) / *v.CheckpointIntervalMean
		}
	}
	b.ReportMetric(epochs/b.Elapsed().Seconds(), "checkpoints/s")
}
