package sim

import (
	"fmt"
	"math"

	"github.com/ftsim/ftsim/model"
)

// SMP-FT fast checkpointing (docs/model.md, "SMP-FT fast checkpointing").
//
// An SMP-FT VM's primary runs in epochs: it runs for the interval T, is
// stunned for stun_base + unique dirty bytes / copy_rate while the epoch's
// dirty memory is copied, and then sends the checkpoint (the unique dirty
// memory, the epoch's disk writes and network input, and the device state
// overhead) to the secondary as log messages of ft.message_size and
// resumes. When max_outstanding checkpoints are still unacknowledged once
// the copy is done, the VM stays stunned until an ack frees a slot (flow
// control): that wait is its throttled time. The secondary acknowledges a
// checkpoint once all of it has arrived in order, with one ack. Guest
// output of an epoch is held until its checkpoint's ack reaches the
// primary.
//
// An epoch's content depends only on its span, so it is computed when the
// epoch starts, and the loop costs one calendar event per epoch (the end
// of its copy) besides the checkpoint's messages, which travel as log
// messages do.

// Phases of an epoch.
const (
	phRun  uint8 = iota // the VM runs, then its copy (until ckptReady)
	phWait              // stunned: copied, waiting for a free checkpoint slot
)

// ckpt is one checkpoint, from its epoch's end until its ack.
type ckpt struct {
	start, end float64 // the epoch's running span (real time)
	bytes      float64
	lastSeq    int64   // sequence number of its last message
	sentAt     float64 // when its first message was sent
	measured   bool    // its epoch ended in the measured window
}

// ckptState is an SMP-FT VM's epoch loop and its figures.
type ckptState struct {
	c   model.Checkpoint
	in  model.EpochInputs
	src *source // modulates the inputs over each epoch (onoff, trace)

	phase     uint8
	T         float64 // running time of the current epoch
	runStart  float64 // when the current epoch started running
	copyStart float64
	ready     ckpt    // the copied checkpoint, while phase is phCopy or phWait
	stun      float64 // the last stun's copy time
	transfer  float64 // the last acknowledged checkpoint's send-to-ack time

	// out holds the checkpoints sent and not yet acknowledged, oldest
	// first, from head; atSec of them (from head) are complete at the
	// secondary.
	out   []ckpt
	head  int
	atSec int
	// jobs are the checkpoints being handed to the uplink (pump).
	jobs    []sendJob
	pumping bool

	// figures over the measured window
	epochs     int64
	sumT       float64
	sumBytes   float64
	stunTime   float64
	odSum, odW float64 // time-weighted output delay: sum of delay x weight
	odPhase    float64 // recordUniform's offset for the next checkpoint
	// per second (whole run): mean interval of the epochs ending in it,
	// time-weighted output delay of the checkpoints acknowledged in it
	secT, secTN   []float64
	secOD, secODW []float64
}

// outputSlices is the number of points by which an epoch's output delay,
// uniform over its running span, enters the histogram (weights in
// nanoseconds of running time): one in each slice of the span, at an
// offset within the slice that moves on by the golden ratio from one
// checkpoint to the next, so over many checkpoints the points cover each
// slice evenly and the quantiles converge on those of the exact
// distribution (within the histogram's 1%), at eight records a checkpoint.
const outputSlices = 8

func (e *engine) newCkpt(v *vmState) {
	vm := v.vm
	ck := &ckptState{c: vm.FT.Checkpoint.WithDefaults(), in: vm.Epoch(),
		secT: make([]float64, e.nsec), secTN: make([]float64, e.nsec),
		secOD: make([]float64, e.nsec), secODW: make([]float64, e.nsec)}
	if vm.Logging.Pattern == model.OnOff || len(vm.Logging.Trace) > 0 {
		ck.src = v.src
	}
	v.ck = ck
}

// startEpochs begins a protected SMP-FT VM's first epoch now.
func (e *engine) startEpochs(v *vmState) {
	ck := v.ck
	ck.out, ck.head, ck.atSec = ck.out[:0], 0, 0
	ck.jobs, ck.pumping = ck.jobs[:0], false
	ck.transfer = 0
	e.runEpoch(v, ck.c.FirstInterval())
}

// runEpoch lets the VM run for t from now, then stuns it to copy the
// epoch's dirty memory: the checkpoint is ready at now + t + stun.
func (e *engine) runEpoch(v *vmState, t float64) {
	ck := v.ck
	end := e.now + t
	ck.phase, ck.T, ck.runStart, ck.copyStart = phRun, t, e.now, end
	if end >= e.end {
		return
	}
	eff := t // running seconds at the mean rate
	if ck.src != nil {
		eff = 0
		if ck.src.rate > 0 {
			eff = ck.src.work(e.now, end) / ck.src.rate
		}
	}
	dirty := ck.in.Dirty * eff
	if ck.in.Saturate {
		dirty = model.UniqueDirty(dirty, ck.in.WorkingSet)
	}
	bytes := math.Round(dirty + ck.in.Along*eff + float64(ck.c.Overhead)) // whole bytes
	ck.stun = ck.c.Stun(dirty)
	ck.ready = ckpt{start: e.now, end: end, bytes: bytes, measured: e.inWindow(end)}
	e.h.push(end+ck.stun, evCkptReady, int32(v.idx), v.genVer)
}

// ckptReady: the stun's copy is done. The checkpoint goes now if a slot is
// free; otherwise the VM stays stunned until an ack frees one.
func (e *engine) ckptReady(v *vmState) {
	if !v.protected || e.nw.hosts[v.pri].down {
		return
	}
	ck := v.ck
	ck.stunTime += overlap(ck.copyStart, e.now, e.warm, e.end)
	if ck.ready.measured {
		ck.epochs++
		ck.sumT += ck.T
		ck.sumBytes += ck.ready.bytes
	}
	if s := int(ck.ready.end); s < len(ck.secT) {
		ck.secT[s] += ck.T
		ck.secTN[s]++
	}
	if v.ackHead < len(v.acks) {
		e.applyAcks(v, e.now)
	}
	if len(ck.out)-ck.head >= ck.c.MaxOutstanding {
		v.account(e, e.now)
		ck.phase = phWait
		v.stalled = true // throttled: flow control (KB 432433)
		if v.ackHead < len(v.acks) {
			e.h.push(v.acks[v.ackHead].t, evAckWake, int32(v.idx), v.sess)
		}
		return
	}
	e.sendCkpt(v)
}

// sendCkpt sends the copied checkpoint as log messages and starts the
// next epoch.
func (e *engine) sendCkpt(v *vmState) {
	ck := v.ck
	c := ck.ready
	c.sentAt = e.now
	n := int64(math.Ceil(c.bytes / v.msgBytes))
	c.lastSeq = v.nextSeq + n - 1
	ck.jobs = append(ck.jobs, sendJob{left: c.bytes, seq: v.nextSeq, measured: c.measured})
	v.nextSeq += n
	if !ck.pumping {
		e.pump(v)
	}
	if ck.head > 64 && ck.head*2 > len(ck.out) {
		n := copy(ck.out, ck.out[ck.head:])
		ck.out = ck.out[:n]
		ck.atSec -= ck.head
		ck.head = 0
	}
	ck.out = append(ck.out, c)
	e.runEpoch(v, ck.c.NextInterval(ck.stun, ck.transfer))
}

// sendJob is the part of a checkpoint not yet handed to the uplink.
type sendJob struct {
	left     float64 // bytes
	seq      int64   // sequence number of its next message
	measured bool
}

// pumpChunk is how much checkpoint data pump hands to the uplink at once:
// a checkpoint of gigabytes is not a million messages in memory.
const pumpChunk = 16 << 20

// pump hands up to pumpChunk of the queued checkpoints to the uplink, in
// order, and comes back (evCkptMore) when the chunk's last message can
// start on the fastest uplink at the earliest, so the uplink never idles
// between chunks.
func (e *engine) pump(v *vmState) {
	ck := v.ck
	h := e.nw.hosts[v.pri].h
	budget, wire, last := float64(pumpChunk), 0.0, 0.0
	for len(ck.jobs) > 0 && budget > 0 {
		j := &ck.jobs[0]
		p := math.Min(v.msgBytes, j.left)
		j.left -= p
		budget -= p
		w := v.mtuWire
		if p != v.msgBytes {
			w = wireBytes(p, h.MTU)
		}
		wire, last = wire+w, w
		m := int32(-1)
		if v.tc != nil {
			v.pushRing(j.seq, e.now, p, kLog, -1)
		} else {
			m = e.alloc()
			e.newMsg(m, kLog, v, int32(v.pri), int32(v.sec), j.seq, p, w)
			v.pushRing(j.seq, e.now, p, kLog, 0)
		}
		j.seq++
		v.unacked += p
		v.offered += p
		v.inflight += p
		if j.measured {
			v.logged += p
		}
		if j.left <= 0 {
			ck.jobs = ck.jobs[1:]
		}
		if m >= 0 {
			e.send(m)
		}
	}
	if v.tc != nil {
		e.tcpPush(v)
	}
	ck.pumping = len(ck.jobs) > 0
	if !ck.pumping {
		ck.jobs = ck.jobs[:0]
		return
	}
	fastest := 0.0
	for _, n := range h.Vmnics {
		fastest = math.Max(fastest, float64(n.Speed)/8)
	}
	e.h.push(e.now+(wire-last)/fastest, evCkptMore, int32(v.idx), v.genVer)
}

// ckptArrived is called at the secondary after in-order replay: every
// checkpoint whose last message is now replayed is complete. Its replay
// lag is the time its last byte arrived minus its epoch's end, and one
// ack goes back for it.
func (e *engine) ckptArrived(v *vmState, m int32, ack bool) bool {
	ck := v.ck
	sent := false
	for ck.atSec < len(ck.out) && ck.out[ck.atSec].lastSeq < v.expect {
		c := &ck.out[ck.atSec]
		ck.atSec++
		e.noteLag(v, e.now-c.end, c.measured && e.now < e.end)
		if ack && (ck.atSec == len(ck.out) || ck.out[ck.atSec].lastSeq >= v.expect) {
			e.sendCtl(m, v, kAck, int32(v.sec), int32(v.pri), c.lastSeq)
			sent = true
		}
	}
	return sent
}

// ckptAcked applies an ack for everything up to seq that reached the
// primary at t: each checkpoint it covers releases its epoch's output.
func (e *engine) ckptAcked(v *vmState, seq int64, t float64) {
	ck := v.ck
	for ck.head < len(ck.out) && ck.out[ck.head].lastSeq <= seq {
		c := ck.out[ck.head]
		ck.head++
		if ck.atSec < ck.head {
			ck.atSec = ck.head
		}
		ck.transfer = t - c.sentAt
		w := c.end - c.start
		if c.measured {
			mean := t - (c.start+c.end)/2
			ck.odSum += mean * w
			ck.odW += w
			ck.odPhase = math.Mod(ck.odPhase+0.6180339887498949, 1)
			recordUniform(v.odH, t-c.end, w, ck.odPhase)
		}
		if s := int(t); s < len(ck.secOD) {
			ck.secOD[s] += (t - (c.start+c.end)/2) * w
			ck.secODW[s] += w
		}
	}
	if ck.phase == phWait && len(ck.out)-ck.head < ck.c.MaxOutstanding {
		v.account(e, e.now)
		v.stalled = false
		e.sendCkpt(v)
	}
}

// recordUniform adds a delay spread evenly over [lo, lo+w] with weight w
// (seconds of running time) to h, in outputSlices points at offset off
// (0..1) within their slices.
func recordUniform(h *hist, lo, w, off float64) {
	total := int64(w*1e9 + 0.5)
	var done int64
	for j := 0; j < outputSlices; j++ {
		next := total * int64(j+1) / outputSlices
		if n := next - done; n > 0 {
			v := int64((lo+w*(float64(j)+off)/outputSlices)*1e9 + 0.5)
			v = min(max(v, 0), histMax)
			h.RecordValues(v, n) //nolint:errcheck // clamped into range
		}
		done = next
	}
}

// noteLag records one replay lag sample at the secondary now.
func (e *engine) noteLag(v *vmState, lag float64, measured bool) {
	v.lastLag = lag
	if int(e.now) == v.secAt {
		if lag > v.secMax {
			v.secMax = lag
		}
	} else {
		v.lagSecond(int(e.now), lag)
	}
	if measured {
		v.lagSum += lag
		v.lagN++
		record(v.lagH, lag)
		if lag > v.lagMax {
			v.lagMax = lag
		}
	}
}

// finishCkpt closes the figures at the end of the run: a stun still
// copying counts up to the end (copyStart is after the end while the last
// epoch still runs).
func (e *engine) finishCkpt(v *vmState) {
	if ck := v.ck; ck != nil && v.protected && ck.phase == phRun {
		ck.stunTime += overlap(ck.copyStart, e.end, e.warm, e.end)
	}
}

// ckptSeries returns the per-second mean checkpoint interval and output
// delay, each second without a new value carrying the last one.
func (ck *ckptState) series(n int) (iv, od []float64) {
	iv, od = make([]float64, n), make([]float64, n)
	li, lo := 0.0, 0.0
	for s := 0; s < n; s++ {
		if s < len(ck.secTN) && ck.secTN[s] > 0 {
			li = ck.secT[s] / ck.secTN[s]
		}
		if s < len(ck.secODW) && ck.secODW[s] > 0 {
			lo = ck.secOD[s] / ck.secODW[s]
		}
		iv[s], od[s] = li, lo
	}
	return iv, od
}

// work returns the bits the stream produces in real time [a, b] at its
// modulated rate: the on periods' peak rate (onoff) or the trace's rows.
// Calls must come in increasing time.
func (s *source) work(a, b float64) float64 {
	switch s.kind {
	case srcTrace:
		return s.traceWork(a, b)
	case srcOnOff:
		bits := 0.0
		for a < b {
			for s.phaseEnd <= a { // periods that ended before a
				s.flip()
			}
			end := math.Min(b, s.phaseEnd)
			if s.on {
				bits += s.peak * (end - a)
			}
			a = end
		}
		return bits
	default:
		return s.rate * (b - a)
	}
}

// flip starts the next on or off period.
func (s *source) flip() {
	s.on = !s.on
	mean := s.meanF
	if s.on {
		mean = s.meanOn
	}
	s.phaseEnd += s.rng.ExpFloat64() * mean
}

// traceWork integrates the trace's piecewise-constant rate over [a, b].
func (s *source) traceWork(a, b float64) float64 {
	bits := 0.0
	for s.row+1 < len(s.trace) && s.trace[s.row+1].T <= a {
		s.row++
	}
	for i := s.row; i < len(s.trace) && a < b; i++ {
		lo := math.Max(a, s.trace[i].T)
		hi := b
		if i+1 < len(s.trace) {
			hi = math.Min(b, s.trace[i+1].T)
		}
		if hi > lo {
			bits += float64(s.trace[i].Rate) * (hi - lo)
		}
	}
	return bits
}

// checkpointNotes lists the SMP-FT model's assumptions for the results'
// notes, with each checkpoint setting the scenario's SMP-FT VMs use; none
// without SMP-FT VMs.
func checkpointNotes(sc *model.Scenario) []string {
	var settings []string
	seen := map[string]bool{}
	for i := range sc.VMs {
		vm := &sc.VMs[i]
		if vm.Mode != model.ModeSMP {
			continue
		}
		c := vm.FT.Checkpoint.WithDefaults()
		iv := "interval " + model.Duration(c.Interval).String()
		if c.Dynamic {
			iv = fmt.Sprintf("dynamic interval in [%s, %s] within a %s stun budget", c.MinInterval, c.MaxInterval, model.FormatPercent(c.StunBudget))
		}
		s := fmt.Sprintf("%s, stun %s + dirty / %s, overhead %s, max_outstanding %d", iv, c.StunBase, c.CopyRate, c.Overhead, c.MaxOutstanding)
		if !seen[s] {
			seen[s] = true
			settings = append(settings, s)
		}
	}
	if len(settings) == 0 {
		return nil
	}
	n := []string{
		"SMP-FT: epochs of running time T, then a stun of stun_base + unique dirty bytes / copy_rate; unique dirty bytes W x (1 - exp(-d x T / W)) over the working set W (from_stats dirty_memory; rate, preset and trace count as dirty memory without saturation); disk writes, network input and overhead ride along (docs/model.md)",
		"SMP-FT: a checkpoint is sent as log messages; with max_outstanding unacknowledged the VM stays stunned until an ack (flow control, KB 432433): throttled_fraction; stun_fraction is the copy alone",
		"SMP-FT: output is held until its epoch's checkpoint is acknowledged; output delay is time-weighted over the epoch, so its largest value is at least T (KB 406486); replay lag is the time a checkpoint's last byte reaches the secondary minus its epoch's end",
		"SMP-FT dynamic interval (a model assumption; VMware documents a dynamic interval, not its rule): clamp(max(last stun / stun_budget, last acknowledged checkpoint's send-to-ack time), min_interval, max_interval); the first clamp(stun_base / stun_budget); at max_interval the budget may be exceeded",
	}
	for _, s := range settings {
		n = append(n, "SMP-FT checkpoint settings: "+s)
	}
	return n
}
