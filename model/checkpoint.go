package model

import (
	"math"

	"go.yaml.in/yaml/v3"
)

// Checkpoint holds the parameters of SMP-FT fast checkpointing (mode:
// smp), from `ft.checkpoint`, a VM's own `ft.checkpoint` or its
// `checkpoint:` (docs/model.md, "SMP-FT fast checkpointing").
type Checkpoint struct {
	// Interval is the fixed running time of an epoch (ftcpt.cptIntervalUS);
	// 0 when Dynamic.
	Interval Duration
	Dynamic  bool
	// MinInterval and MaxInterval bound a dynamic interval.
	MinInterval, MaxInterval Duration
	// StunBudget is the share of time a VM may spend stunned (dynamic).
	StunBudget float64
	// StunBase is the fixed part of every stun; CopyRate the dirty memory
	// copied per second of stun.
	StunBase Duration
	CopyRate ByteRate
	// Overhead is the device state sent with every checkpoint.
	Overhead Size
	// MaxOutstanding is the number of unacknowledged checkpoints before
	// the primary waits, stunned (flow control, KB 432433).
	MaxOutstanding int
}

// Bounds of a checkpoint interval (fixed, min_interval, max_interval).
const (
	MinCheckpointInterval = 100e-6
	MaxCheckpointInterval = 10.0
	maxOutstandingLimit   = 64
)

// DefaultCheckpoint returns the checkpoint parameters used when nothing
// is written: a dynamic interval in [2ms, 100ms] within a 10% stun budget.
func DefaultCheckpoint() Checkpoint {
	return Checkpoint{
		Dynamic:        true,
		MinInterval:    2e-3,
		MaxInterval:    0.1,
		StunBudget:     0.1,
		StunBase:       200e-6,
		CopyRate:       8e9,
		Overhead:       4 << 10,
		MaxOutstanding: 1,
	}
}

// WithDefaults returns the defaults for a zero Checkpoint (a Scenario
// built in code rather than loaded may leave it so), and otherwise c with
// each field the model cannot run without at its default: a dynamic
// interval when none is fixed, the bounds, budget, copy rate and slots.
// A zero stun_base or overhead is a valid setting and stays.
func (c Checkpoint) WithDefaults() Checkpoint {
	d := DefaultCheckpoint()
	if c == (Checkpoint{}) {
		return d
	}
	if c.Interval <= 0 && !c.Dynamic {
		c.Dynamic = true
	}
	if c.MinInterval <= 0 {
		c.MinInterval = d.MinInterval
	}
	if c.MaxInterval <= 0 {
		c.MaxInterval = d.MaxInterval
	}
	if c.StunBudget <= 0 || c.StunBudget >= 1 {
		c.StunBudget = d.StunBudget
	}
	if c.CopyRate <= 0 {
		c.CopyRate = d.CopyRate
	}
	if c.MaxOutstanding <= 0 {
		c.MaxOutstanding = d.MaxOutstanding
	}
	return c
}

// FirstInterval is the running time of a VM's first epoch: the fixed
// interval, or clamp(stun_base / stun_budget, min_interval, max_interval).
func (c Checkpoint) FirstInterval() float64 {
	if !c.Dynamic {
		return float64(c.Interval)
	}
	return c.Clamp(float64(c.StunBase) / c.StunBudget)
}

// Clamp bounds a dynamic interval to [MinInterval, MaxInterval].
func (c Checkpoint) Clamp(t float64) float64 {
	return math.Min(float64(c.MaxInterval), math.Max(float64(c.MinInterval), t))
}

// NextInterval is the running time of the epoch after one whose stun (the
// copy) took stun, when the most recently acknowledged checkpoint took
// transfer from send start to ack (0 before any): the fixed interval, or
// clamp(max(stun / stun_budget, transfer), min_interval, max_interval).
func (c Checkpoint) NextInterval(stun, transfer float64) float64 {
	if !c.Dynamic {
		return float64(c.Interval)
	}
	return c.Clamp(math.Max(stun/c.StunBudget, transfer))
}

// Stun is the stun of an epoch that dirtied dirty unique bytes.
func (c Checkpoint) Stun(dirty float64) float64 {
	return float64(c.StunBase) + dirty/float64(c.CopyRate)
}

// UniqueDirty is the memory an epoch dirties at least once when d bytes
// are written at random over a working set of w bytes:
// w * (1 - exp(-d / w)); d itself when w is 0 (no saturation).
func UniqueDirty(d, w float64) float64 {
	if w <= 0 {
		return d
	}
	return -w * math.Expm1(-d/w)
}

// EpochInputs are what an SMP-FT VM's epochs carry, in bytes per second
// of running time at the mean rate: Dirty (memory written, saturating
// over WorkingSet when Saturate), Along (disk writes and network input,
// sent as they are).
type EpochInputs struct {
	Dirty, Along float64
	WorkingSet   float64
	Saturate     bool
}

// Epoch returns the inputs of an SMP-FT VM's checkpoints (docs/model.md):
// from_stats reads dirty_memory (saturating over the working set),
// disk_write and network_rx; any other source counts its whole rate as
// dirty memory without saturation.
func (vm *FTVM) Epoch() EpochInputs {
	lg := &vm.Logging
	ws := float64(lg.WorkingSet)
	if ws <= 0 {
		ws = float64(vm.Memory)
	}
	if lg.Source == "from_stats" && lg.FromStats != nil {
		s := lg.FromStats
		return EpochInputs{Dirty: s["dirty_memory"], Along: s["disk_write"] + s["network_rx"]/8, WorkingSet: ws, Saturate: true}
	}
	return EpochInputs{Dirty: float64(lg.Rate) / 8, WorkingSet: ws}
}

// HeldMessages bounds the log messages an SMP-FT VM's checkpoints keep
// in the engine's memory at once: max_outstanding checkpoints of the
// largest size its settings allow (the longest epoch, at the peak of an
// onoff or trace pattern, the dirty part saturating over the working set
// for from_stats), each cut into messages of message_size. The engine
// holds every sent message until its checkpoint's ack.
func (vm *FTVM) HeldMessages() float64 {
	c := vm.FT.Checkpoint
	if vm.Mode != ModeSMP || vm.FT.MessageSize <= 0 {
		return 0
	}
	t := float64(c.Interval)
	if c.Dynamic {
		t = float64(c.MaxInterval)
	}
	lg := &vm.Logging
	peak := 1.0
	switch {
	case lg.Pattern == OnOff && lg.On > 0:
		peak = float64(lg.On+lg.Off) / float64(lg.On)
	case len(lg.Trace) > 0 && lg.Rate > 0:
		for _, p := range lg.Trace {
			peak = math.Max(peak, float64(p.Rate)/float64(lg.Rate))
		}
	}
	in := vm.Epoch()
	dirty := in.Dirty * peak * t
	if in.Saturate {
		dirty = UniqueDirty(dirty, in.WorkingSet)
	}
	bytes := dirty + in.Along*peak*t + float64(c.Overhead)
	return float64(max(c.MaxOutstanding, 1)) * math.Ceil(bytes/float64(vm.FT.MessageSize))
}

// ckptSpec is a `checkpoint:` block as written.
type ckptSpec struct {
	interval                 opt[Duration]
	dynamic                  opt[bool] // interval: dynamic
	minInterval, maxInterval opt[Duration]
	stunBudget               opt[float64]
	stunBase                 opt[Duration]
	copyRate                 opt[ByteRate]
	overhead                 opt[Size]
	maxOutstanding           opt[int64]
	pos                      Pos
	written                  bool
}

var ckptKeys = []string{"interval", "min_interval", "max_interval", "stun_budget", "stun_base", "copy_rate", "overhead", "max_outstanding"}

func (l *loader) ckptSpec(n *yaml.Node) ckptSpec {
	if n == nil {
		return ckptSpec{}
	}
	m := l.mapping(n, "checkpoint", ckptKeys)
	if m == nil {
		return ckptSpec{}
	}
	s := ckptSpec{pos: posOf(m.node), written: true}
	if v := m.get("interval"); v != nil {
		if str, ok := l.scalar(v, "interval"); ok && str == "dynamic" {
			s.dynamic = optOf(true, posOf(v))
		} else if ok {
			s.interval = l.ckptInterval(m, "interval")
			if s.interval.set {
				s.dynamic = optOf(false, s.interval.pos)
			}
		}
	}
	s.minInterval = l.ckptInterval(m, "min_interval")
	s.maxInterval = l.ckptInterval(m, "max_interval")
	if v := m.get("stun_budget"); v != nil {
		if str, ok := l.scalar(v, "stun_budget"); ok {
			f, err := ParsePercent(str)
			switch {
			case err != nil:
				l.errorf(posOf(v), "stun_budget: %v", err)
			case f <= 0 || f >= 1:
				l.errorf(posOf(v), "stun_budget %s must be more than 0%% and less than 100%%: the share of time a VM may spend stunned", str)
			default:
				s.stunBudget = optOf(f, posOf(v))
			}
		}
	}
	s.stunBase = m.duration("stun_base", allowZero)
	s.copyRate = m.byteRate("copy_rate")
	if s.copyRate.set && s.copyRate.v <= 0 {
		l.errorf(s.copyRate.pos, "copy_rate must be more than 0")
		s.copyRate = opt[ByteRate]{}
	}
	s.overhead = m.size("overhead")
	s.maxOutstanding = m.integer("max_outstanding", 1, maxOutstandingLimit)
	return s
}

// ckptInterval reads a checkpoint interval in [100us, 10s].
func (l *loader) ckptInterval(m *mapping, key string) opt[Duration] {
	o := m.duration(key, positive)
	if o.set && (o.v < MinCheckpointInterval-1e-12 || o.v > MaxCheckpointInterval) {
		l.errorf(o.pos, "%s %s must be from 100us to 10s (ftcpt.cptIntervalUS)", key, o.v)
		return opt[Duration]{}
	}
	return o
}

// apply returns base with the values of s written over it.
func (s ckptSpec) apply(base Checkpoint) Checkpoint {
	if s.dynamic.set {
		base.Dynamic = s.dynamic.v
		if s.dynamic.v {
			base.Interval = 0
		} else {
			base.Interval = s.interval.v
		}
	}
	base.MinInterval = s.minInterval.or(base.MinInterval)
	base.MaxInterval = s.maxInterval.or(base.MaxInterval)
	base.StunBudget = s.stunBudget.or(base.StunBudget)
	base.StunBase = s.stunBase.or(base.StunBase)
	base.CopyRate = s.copyRate.or(base.CopyRate)
	base.Overhead = s.overhead.or(base.Overhead)
	base.MaxOutstanding = int(s.maxOutstanding.or(int64(base.MaxOutstanding)))
	return base
}

// warnFixedIgnores warns at each dynamic-only key of block c (min_interval,
// max_interval, stun_budget) when the interval it applies to is fixed:
// such a key changes nothing, and a silent no-op misleads.
func (l *loader) warnFixedIgnores(c ckptSpec, eff Checkpoint) {
	if !c.written || eff.Dynamic {
		return
	}
	for _, k := range []struct {
		key string
		at  Pos
		set bool
	}{{"min_interval", c.minInterval.pos, c.minInterval.set}, {"max_interval", c.maxInterval.pos, c.maxInterval.set}, {"stun_budget", c.stunBudget.pos, c.stunBudget.set}} {
		if k.set {
			l.warnf(k.at, "%s applies to interval: dynamic only; with the fixed interval %s it changes nothing", k.key, Duration(eff.Interval))
		}
	}
}

// checkCkpt reports a min_interval above max_interval at the value written
// in over (or top when over says neither).
func (l *loader) checkCkpt(top, over ckptSpec, c Checkpoint) {
	if c.MinInterval <= c.MaxInterval {
		return
	}
	mn, mx := over.minInterval.over(top.minInterval), over.maxInterval.over(top.maxInterval)
	if over.written && !over.minInterval.set && !over.maxInterval.set {
		return // reported where top wrote them
	}
	at := mx.pos
	if !mx.set || (mn.set && mn.pos.Line > mx.pos.Line) {
		at = mn.pos
	}
	l.errorf(firstPos(at, over.pos, top.pos), "min_interval %s is longer than max_interval %s", c.MinInterval, c.MaxInterval)
}

// checkEpochLoad warns when an SMP-FT VM's checkpoints need more than the
// fastest uplink of its primary's team carries, even at the longest
// interval its settings allow (where saturation helps most).
func (l *loader) checkEpochLoad(vm *FTVM, at Pos) {
	h := l.sc.HostByName(vm.Primary)
	if h == nil || vm.Mode != ModeSMP {
		return
	}
	fastest := 0.0
	for _, n := range append(append([]string{}, h.Teaming.Active...), h.Teaming.Standby...) {
		if v := h.Vmnic(n); v != nil {
			fastest = math.Max(fastest, float64(v.Speed))
		}
	}
	if fastest <= 0 {
		return
	}
	c := vm.FT.Checkpoint
	t := float64(c.Interval)
	if c.Dynamic {
		t = float64(c.MaxInterval)
	}
	in := vm.Epoch()
	dirty := in.Dirty * t
	if in.Saturate {
		dirty = UniqueDirty(dirty, in.WorkingSet)
	}
	need := (dirty + in.Along*t + float64(c.Overhead)) * 8 / t
	if need > fastest {
		l.warnf(at, "VM %s's checkpoints need %s, more than its primary's fastest FT uplink carries (%s): flow control will throttle it (KB 432433)",
			vm.Name, BitRate(threeFigures(need)), BitRate(fastest))
	}
}

// threeFigures rounds v to three significant figures, so a computed rate
// reads as 40Gbps in a message rather than as every digit of the float.
func threeFigures(v float64) float64 {
	if v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	p := math.Pow(10, math.Floor(math.Log10(v))-2)
	return math.Round(v/p) * p
}
