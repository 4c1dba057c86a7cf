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

// smpScenario is one FT pair per entry of vms, each on its own two hosts
// (esx(2i+1) to esx(2i+2)), every host with one vmnic of speed at MTU 9000
// on one switch.
func smpScenario(t *testing.T, dur string, speed string, vms ...string) *model.Scenario {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "name: smp\nduration: %s\nwarmup: 1s\ndefaults:\n  mtu: 9000\n  vmnics: [{name: vmnic0, speed: %s}]\nhosts:\n", dur, speed)
	for h := 1; h <= 2*len(vms); h++ {
		fmt.Fprintf(&b, "  - {name: esx%02d}\n", h)
	}
	b.WriteString("ft_vms:\n")
	for i, vm := range vms {
		fmt.Fprintf(&b, "  - {name: vm%d, primary: esx%02d, secondary: esx%02d, mode: smp, vcpus: 4, memory: 16GiB, %s}\n", i+1, 2*i+1, 2*i+2, vm)
	}
	sc, err := model.Parse("smp.yaml", []byte(b.String()))
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	return sc
}

func runSMP(t *testing.T, sc *model.Scenario) results.RunResult {
	t.Helper()
	r, err := Run(context.Background(), sc, Options{Parallel: 1})
	if err != nil {
		t.Fatal(err)
	}
	return r.Runs[0]
}

// ckptTerms computes, from the scenario alone, an epoch's checkpoint
// bytes, stun, transfer (its first byte sent to its last byte at the
// secondary: the first message through the vmnic, then every message
// through the switch port, which stays busy from then on, and the switch
// latency once) and ack time, for a VM alone on its link at light load.
func ckptTerms(sc *model.Scenario, vm *model.FTVM, T float64) (bytes, stun, transfer, ack float64) {
	c := vm.FT.Checkpoint
	in := vm.Epoch()
	dirty := in.Dirty * T
	if in.Saturate {
		dirty = model.UniqueDirty(dirty, in.WorkingSet)
	}
	bytes = dirty + in.Along*T + float64(c.Overhead)
	stun = c.Stun(dirty)
	rate := float64(sc.Hosts[0].Vmnics[0].Speed) / 8
	mtu := sc.Hosts[0].MTU
	msg := float64(vm.FT.MessageSize)
	full := math.Floor(bytes / msg)
	last := bytes - full*msg
	wire := full * wireBytes(msg, mtu)
	firstWire := wireBytes(msg, mtu)
	if last > 0 {
		wire += wireBytes(last, mtu)
	}
	if full == 0 {
		firstWire = wireBytes(last, mtu)
	}
	lat := float64(sc.Switches[0].Latency)
	transfer = firstWire/rate + wire/rate + lat
	ack = 2*minFrameWire/rate + lat
	return bytes, stun, transfer, ack
}

func within(t *testing.T, what string, got, want, rel float64) {
	t.Helper()
	if math.Abs(got-want) > rel*math.Abs(want) {
		t.Errorf("%s = %.6g, want %.6g (within %.1f%%)", what, got, want, rel*100)
	}
}

// TestCheckpointFixedInterval checks the fixed-interval model at light
// load against its terms computed from the scenario: mean output delay
// T/2 + stun + transfer + ack, p99 about T + the same, replay lag stun +
// transfer, checkpoint bytes per epoch and per second (the dirty, write
// and input rates, saturating over the working set), stun fraction
// stun / (T + stun), nothing throttled.
func TestCheckpointFixedInterval(t *testing.T) {
	for _, c := range []struct {
		name, speed, vm string
	}{
		{"10 ms, from_stats", "10Gbps", "checkpoint: {interval: 10ms}, logging: {from_stats: {dirty_memory: 100MB/s, disk_write: 20MB/s, network_rx: 200Mbps}}"},
		{"50 ms, 25 GbE, working set", "25Gbps", "checkpoint: {interval: 50ms}, logging: {from_stats: {dirty_memory: 300MB/s, network_rx: 1Gbps}, working_set: 2GiB}"},
		{"200 ms, saturated", "25Gbps", "checkpoint: {interval: 200ms, copy_rate: 16GB/s}, logging: {from_stats: {dirty_memory: 1GB/s, disk_write: 5MB/s}, working_set: 256MiB}"},
		{"1 ms, rate", "10Gbps", "checkpoint: {interval: 1ms, stun_base: 50us, overhead: 2KiB}, logging: {rate: 500Mbps, pattern: constant}"},
		{"20 ms, poisson rate, 2 in flight", "10Gbps", "checkpoint: {interval: 20ms, max_outstanding: 2}, logging: {rate: 2Gbps}"},
		{"5 ms, idle: the overhead alone", "10Gbps", "checkpoint: {interval: 5ms}, logging: {from_stats: {dirty_memory: 0MB/s, network_rx: 0Mbps}}"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := smpScenario(t, "21s", c.speed, c.vm)
			vm := &sc.VMs[0]
			T := float64(vm.FT.Checkpoint.Interval)
			bytes, stun, transfer, ack := ckptTerms(sc, vm, T)
			if transfer+ack > T {
				t.Fatalf("not light load: transfer %g + ack %g > T %g", transfer, ack, T)
			}
			got := runSMP(t, sc).VMs[0]
			if !got.SMP() {
				t.Fatal("no checkpoint figures")
			}
			within(t, "checkpoint_interval_mean_s", *got.CheckpointIntervalMean, T, 1e-9)
			within(t, "checkpoint_bytes_mean", *got.CheckpointBytesMean, bytes, 1e-6)
			within(t, "output_delay_mean_s", *got.OutputDelayMean, T/2+stun+transfer+ack, 0.02)
			within(t, "output_delay_p99_s", got.OutputDelayP99, T+stun+transfer+ack, 0.03)
			// the exact 99th percentile of the time-weighted delay
			within(t, "output_delay_p99_s (exact)", got.OutputDelayP99, 0.99*T+stun+transfer+ack, 0.015)
			within(t, "replay_lag_mean_s", got.ReplayLagMean, stun+transfer, 0.02)
			within(t, "stun_fraction", *got.StunFraction, stun/(T+stun), 0.02)
			within(t, "logged bytes per second", got.LoggedBytes/20, bytes/(T+stun), 0.02)
			if got.ThrottledFraction != 0 {
				t.Errorf("throttled_fraction %g at light load, want 0", got.ThrottledFraction)
			}
			if got.OutputDelayP99 > *got.CheckpointIntervalMean+stun+transfer+ack+1e-4 || got.OutputDelayP99 < T {
				t.Errorf("p99 output delay %g not in [T, T + stun + transfer + ack]", got.OutputDelayP99)
			}
		})
	}
}

// TestCheckpointThrottlesToLink: a dirty rate above what the link carries
// keeps the VM stunned while its checkpoint waits for the previous ack, so
// it produces only what the link carries.
func TestCheckpointThrottlesToLink(t *testing.T) {
	for _, c := range []struct{ speed, vm string }{
		{"10Gbps", "checkpoint: {interval: 10ms}, logging: {from_stats: {dirty_memory: 2GB/s}, working_set: 16GiB}"},
		{"10Gbps", "checkpoint: {interval: 5ms, max_outstanding: 3}, logging: {rate: 20Gbps}"},
		{"25Gbps", "checkpoint: {interval: 10ms, copy_rate: 32GB/s}, logging: {from_stats: {dirty_memory: 4GB/s, disk_write: 200MB/s}}"},
	} {
		sc := smpScenario(t, "11s", c.speed, c.vm)
		got := runSMP(t, sc).VMs[0]
		mtu := sc.Hosts[0].MTU
		msg := float64(sc.VMs[0].FT.MessageSize)
		capacity := float64(sc.Hosts[0].Vmnics[0].Speed) / 8 * msg / wireBytes(msg, mtu)
		rate := got.LoggedBytes / 10
		if rate > capacity*1.001 || rate < capacity*0.95 {
			t.Errorf("%s: %.4g B/s produced, want what the link carries, %.4g B/s", c.vm, rate, capacity)
		}
		// Each cycle is T running, the copy, then the wait: the wait's share
		// is what running and stunned leave of it.
		running := *got.CheckpointIntervalMean * rate / *got.CheckpointBytesMean
		if want := 1 - running - *got.StunFraction; want < 0.05 {
			t.Errorf("%s: not link-bound (wait share %g)", c.vm, want)
		} else {
			within(t, c.vm+" throttled_fraction", got.ThrottledFraction, want, 0.05)
		}
	}
}

// TestCheckpointDynamic: the dynamic rule keeps the stun within its budget,
// gives a light VM shorter epochs than a heavy one (each at the rule's
// fixed point), and at max_interval lets the budget be exceeded.
func TestCheckpointDynamic(t *testing.T) {
	sc := smpScenario(t, "11s", "25Gbps",
		"logging: {from_stats: {dirty_memory: 50MB/s, network_rx: 100Mbps}}",
		"logging: {from_stats: {dirty_memory: 400MB/s, disk_write: 50MB/s}}",
		"checkpoint: {stun_budget: 5%, max_interval: 40ms}, logging: {from_stats: {dirty_memory: 800MB/s}}")
	res := runSMP(t, sc)
	var iv []float64
	for i := range sc.VMs {
		vm := &sc.VMs[i]
		c := vm.FT.Checkpoint
		// the rule's fixed point, iterated from the first interval
		T := c.FirstInterval()
		for k := 0; k < 500; k++ {
			_, stun, transfer, ack := ckptTerms(sc, vm, T)
			T = c.NextInterval(stun, transfer+ack)
		}
		_, stun, _, _ := ckptTerms(sc, vm, T)
		got := res.VMs[i]
		within(t, vm.Name+" checkpoint_interval_mean_s", *got.CheckpointIntervalMean, T, 0.02)
		within(t, vm.Name+" stun_fraction", *got.StunFraction, stun/(T+stun), 0.02)
		atMax := T >= float64(c.MaxInterval)
		if !atMax && *got.StunFraction > c.StunBudget {
			t.Errorf("%s: stun_fraction %g above the budget %g", vm.Name, *got.StunFraction, c.StunBudget)
		}
		if atMax != (i == 2) {
			t.Errorf("%s: at max_interval %v", vm.Name, atMax)
		}
		iv = append(iv, *got.CheckpointIntervalMean)
	}
	if !(iv[0] < iv[1]) {
		t.Errorf("light VM's epochs %g s, heavy VM's %g s: want the light one shorter", iv[0], iv[1])
	}
	if f := *res.VMs[2].StunFraction; f <= 0.05 {
		t.Errorf("at max_interval the 5%% budget is exceeded by this load; stun_fraction %g", f)
	}
}

// TestCheckpointOnOffModulates: onoff modulates the rate per epoch and
// keeps the mean: bytes per second over a long run match the mean rate.
func TestCheckpointOnOffModulates(t *testing.T) {
	sc := smpScenario(t, "61s", "10Gbps",
		"checkpoint: {interval: 20ms}, logging: {rate: 1Gbps, pattern: onoff, on: 300ms, off: 700ms}",
		"checkpoint: {interval: 20ms}, logging: {rate: 1Gbps, pattern: constant}")
	res := runSMP(t, sc)
	on, flat := res.VMs[0], res.VMs[1]
	_, stun0, _, _ := ckptTerms(sc, &sc.VMs[1], 0.02)
	within(t, "constant bytes per second", flat.LoggedBytes/60, 1e9/8*0.02/(0.02+stun0), 0.01)
	within(t, "onoff bytes per second", on.LoggedBytes/60, flat.LoggedBytes/60, 0.15)
	if on.ReplayLagMax <= flat.ReplayLagMax*1.5 {
		t.Errorf("onoff: largest checkpoint's lag %g, constant %g: want the on periods' bursts larger", on.ReplayLagMax, flat.ReplayLagMax)
	}
}

// TestCheckpointLossAndFailover: an SMP-FT VM keeps its byte balance and
// re-protects through a vmnic failure and the loss of its secondary host.
func TestCheckpointLossAndFailover(t *testing.T) {
	src := `name: smp-fail
duration: 40s
defaults:
  mtu: 9000
  vmnics: [{name: vmnic0, speed: 10Gbps}, {name: vmnic1, speed: 10Gbps}]
  teaming: {load_balancing: explicit_failover, active: [vmnic0], standby: [vmnic1]}
hosts: [{name: esx01}, {name: esx02}, {name: esx03}]
ft_vms:
  - {name: db, primary: esx01, secondary: esx02, mode: smp, memory: 1GiB, checkpoint: {interval: 20ms}, logging: {from_stats: {dirty_memory: 200MB/s}}}
failures:
  - {at: 5s, vmnic: esx01/vmnic0, down_for: 5s}
  - {at: 15s, host: esx02}
`
	sc, err := model.Parse("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	rr := runSMP(t, sc)
	var kinds []string
	for _, e := range rr.VMs[0].FTEvents {
		kinds = append(kinds, string(e.Kind))
	}
	if strings.Join(kinds, " ") != "ft_lost resync_start protected" {
		t.Errorf("FT events %v, want ft_lost resync_start protected", kinds)
	}
	if rr.VMs[0].UnprotectedS <= 0 || math.Abs(*rr.VMs[0].CheckpointIntervalMean-0.02) > 1e-9 {
		t.Errorf("unprotected %g s, interval %g", rr.VMs[0].UnprotectedS, *rr.VMs[0].CheckpointIntervalMean)
	}
}

// TestCheckpointEvents: an SMP-FT VM costs about one calendar event per
// checkpoint message (its delivery; the copy's end once per checkpoint),
// not one per dirty page.
func TestCheckpointEvents(t *testing.T) {
	for _, vm := range []string{
		"checkpoint: {interval: 20ms}, logging: {from_stats: {dirty_memory: 200MB/s, disk_write: 20MB/s}}",
		"logging: {from_stats: {dirty_memory: 50MB/s}, pattern: onoff, on: 1s, off: 1s}",
	} {
		sc := smpScenario(t, "10s", "10Gbps", vm)
		sc.Warmup = 0
		dataEvents.Store(0)
		got := runSMP(t, sc).VMs[0]
		events := float64(dataEvents.Load())
		msgSize := float64(sc.VMs[0].FT.MessageSize)
		ckpts := got.LoggedBytes / *got.CheckpointBytesMean
		pages := *got.CheckpointBytesMean / 4096
		msgs := math.Floor(got.LoggedBytes/msgSize) + ckpts // at most one partial message each
		perCkpt := msgs / ckpts
		heartbeats := 2 * 10 / float64(sc.VMs[0].FT.Heartbeat)
		t.Logf("%s: %.0f events, %.0f checkpoints of %.0f messages (%.0f pages)", vm, events, ckpts, perCkpt, pages)
		// Under a window every message is acknowledged and no queue is
		// fused: an event per hop for the message (two hops here) and
		// for its ack (sim/doc.go, "The transport").
		perMsg := 1.2
		if sc.VMs[0].FT.TCP.Congestion != model.CongestionNone {
			perMsg = 4.2
		}
		if events > perMsg*(msgs+ckpts)+heartbeats+10 {
			t.Errorf("%.0f data-plane events for %.0f checkpoint messages in %.0f checkpoints", events, msgs, ckpts)
		}
	}
}
