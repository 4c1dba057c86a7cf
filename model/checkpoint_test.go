package model

import (
	"math"
	"strings"
	"testing"
)

func TestUniqueDirty(t *testing.T) {
	for _, c := range []struct {
		d, w, want float64
	}{
		{0, 1e9, 0},
		{1e6, 0, 1e6},    // no working set: no saturation
		{1e3, 1e12, 1e3}, // far below the working set: d itself
		{1e9, 1e9, 1e9 * (1 - math.Exp(-1))},
		{1e12, 1e9, 1e9}, // every page of the working set dirtied
		{5e8, 2e9, 2e9 * (1 - math.Exp(-0.25))},
	} {
		if got := UniqueDirty(c.d, c.w); math.Abs(got-c.want) > 1e-9*math.Max(1, c.want) {
			t.Errorf("UniqueDirty(%g, %g) = %g, want %g", c.d, c.w, got, c.want)
		}
		if got := UniqueDirty(c.d, c.w); got > c.d+1e-9 || (c.w > 0 && got > c.w) {
			t.Errorf("UniqueDirty(%g, %g) = %g exceeds d or w", c.d, c.w, got)
		}
	}
}

func TestCheckpointIntervals(t *testing.T) {
	d := DefaultCheckpoint()
	fixed := d
	fixed.Dynamic, fixed.Interval = false, 0.05
	for _, c := range []struct {
		name           string
		c              Checkpoint
		stun, transfer float64
		first, next    float64
	}{
		{"fixed", fixed, 0.01, 0.2, 0.05, 0.05},
		{"dynamic: stun over budget", d, 0.001, 0, 0.002, 0.01},
		{"dynamic: transfer binds", d, 0.001, 0.03, 0.002, 0.03},
		{"dynamic: at min", d, 0.0001, 0.0005, 0.002, 0.002},
		{"dynamic: at max", d, 0.05, 0.01, 0.002, 0.1},
	} {
		if got := c.c.FirstInterval(); math.Abs(got-c.first) > 1e-12 {
			t.Errorf("%s: first %g, want %g", c.name, got, c.first)
		}
		if got := c.c.NextInterval(c.stun, c.transfer); math.Abs(got-c.next) > 1e-12 {
			t.Errorf("%s: next %g, want %g", c.name, got, c.next)
		}
	}
	if s := d.Stun(8e6); math.Abs(s-(200e-6+1e-3)) > 1e-12 {
		t.Errorf("stun of 8 MB at 8 GB/s: %g, want 1.2 ms", s)
	}
	if (Checkpoint{}).WithDefaults() != d {
		t.Errorf("a zero Checkpoint does not take the defaults: %+v", (Checkpoint{}).WithDefaults())
	}
	part := Checkpoint{Interval: 0.05}.WithDefaults()
	want := d
	want.Dynamic, want.Interval, want.StunBase, want.Overhead = false, 0.05, 0, 0
	if part != want {
		t.Errorf("a fixed 50 ms interval alone: %+v, want %+v", part, want)
	}
}

// TestCheckpointKeys: every key is read, a VM's checkpoint: overrides its
// ft: and the scenario's ft.checkpoint key by key, and Marshal writes
// them back.
func TestCheckpointKeys(t *testing.T) {
	src := `name: ck
duration: 1m
ft:
  checkpoint: {interval: dynamic, min_interval: 1ms, max_interval: 50ms, stun_budget: 5%, stun_base: 300us, copy_rate: 4GB/s, overhead: 8KiB, max_outstanding: 2}
defaults:
  vmnics: [{name: vmnic0, speed: 25Gbps}]
hosts: [{name: esx01}, {name: esx02}]
ft_vms:
  - name: a
    primary: esx01
    secondary: esx02
    memory: 32GiB
    ft: {checkpoint: {interval: 20ms, overhead: 16KiB}}
    checkpoint: {interval: 30ms}
    logging: {from_stats: {dirty_memory: 100MB/s, disk_write: 10MB/s, network_rx: 80Mbps}, working_set: 4GiB}
  - {name: b, primary: esx02, secondary: esx01, logging: {rate: 1Gbps}}
`
	sc, err := Parse("ck.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a, b := sc.VMs[0].FT.Checkpoint, sc.VMs[1].FT.Checkpoint
	wantB := Checkpoint{Dynamic: true, MinInterval: 1e-3, MaxInterval: 0.05, StunBudget: 0.05, StunBase: 300e-6, CopyRate: 4e9, Overhead: 8 << 10, MaxOutstanding: 2}
	if b != wantB {
		t.Errorf("scenario checkpoint %+v, want %+v", b, wantB)
	}
	wantA := wantB
	wantA.Dynamic, wantA.Interval, wantA.Overhead = false, 0.03, 16<<10
	if a != wantA {
		t.Errorf("VM checkpoint %+v, want %+v", a, wantA)
	}
	in := sc.VMs[0].Epoch()
	if in != (EpochInputs{Dirty: 100e6, Along: 10e6 + 10e6, WorkingSet: 4 << 30, Saturate: true}) {
		t.Errorf("epoch inputs %+v", in)
	}
	if in := sc.VMs[1].Epoch(); in != (EpochInputs{Dirty: 125e6, WorkingSet: 8 << 30}) {
		t.Errorf("rate: epoch inputs %+v, want the rate as dirty memory without saturation", in)
	}
	out, err := Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse("ck.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for i := range sc.VMs {
		if again.VMs[i].FT.Checkpoint != sc.VMs[i].FT.Checkpoint || again.VMs[i].Logging.WorkingSet != sc.VMs[i].Logging.WorkingSet {
			t.Errorf("VM %d after Marshal: %+v, want %+v\n%s", i, again.VMs[i].FT.Checkpoint, sc.VMs[i].FT.Checkpoint, out)
		}
	}
	if !strings.Contains(string(out), "working_set: 4GiB") {
		t.Errorf("working_set not written:\n%s", out)
	}
}

// TestHeldMessages: an SMP-FT VM holds max_outstanding checkpoints of the
// longest epoch at the peak rate, in messages of message_size; a legacy VM
// holds none by this count (its log buffer bounds it).
func TestHeldMessages(t *testing.T) {
	ck := Checkpoint{Interval: 1, MaxInterval: 0.1, Overhead: 1024, MaxOutstanding: 2}
	dyn := ck
	dyn.Dynamic = true
	ft := func(c Checkpoint) FTParams { return FTParams{MessageSize: 1 << 20, Checkpoint: c} }
	for _, tc := range []struct {
		name string
		vm   FTVM
		want float64
	}{
		{"fixed 1 s at 8 Gbit/s", FTVM{Mode: ModeSMP, FT: ft(ck), Logging: Logging{Source: "rate", Rate: 8e9, Pattern: Poisson}}, 2 * math.Ceil((1e9+1024)/(1<<20))},
		{"dynamic: max_interval", FTVM{Mode: ModeSMP, FT: ft(dyn), Logging: Logging{Source: "rate", Rate: 8e9, Pattern: Poisson}}, 2 * math.Ceil((1e8+1024)/(1<<20))},
		{"onoff: the on rate", FTVM{Mode: ModeSMP, FT: ft(ck), Logging: Logging{Source: "rate", Rate: 8e9, Pattern: OnOff, On: 1, Off: 3}}, 2 * math.Ceil((4e9+1024)/(1<<20))},
		{"trace: the highest row", FTVM{Mode: ModeSMP, FT: ft(ck), Logging: Logging{Source: "trace", Rate: 8e9, Pattern: Trace, Trace: []TracePoint{{0, 4e9}, {10, 24e9}}}}, 2 * math.Ceil((3e9+1024)/(1<<20))},
		{"from_stats saturates", FTVM{Mode: ModeSMP, Memory: 1 << 30, FT: ft(ck), Logging: Logging{Source: "from_stats", FromStats: map[string]float64{"dirty_memory": 1e12}}}, 2 * math.Ceil(float64(1<<30+1024)/(1<<20))},
		{"legacy", FTVM{Mode: ModeLegacy, FT: ft(ck), Logging: Logging{Source: "rate", Rate: 8e9}}, 0},
	} {
		if got := tc.vm.HeldMessages(); got != tc.want {
			t.Errorf("%s: %v messages, want %v", tc.name, got, tc.want)
		}
	}
}
