package sim

import (
	"math"
	"sort"

	"github.com/ftsim/ftsim/results"
)

// lagQuantiles are the points of each VM's replay-lag distribution kept in
// results.json, enough to redraw the CDF.
var lagQuantiles = []float64{0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 1}

// result gathers the run's figures over the measured window.
func (e *engine) result(rs runSpec) results.RunResult {
	rr := results.RunResult{Policy: string(rs.policy), FailureCase: rs.failureCase.Name, Replication: rs.replication,
		Seed: rs.seed, Applicable: true, Events: e.evs}
	win := e.end - e.warm
	var rd histReader
	for i := range e.nw.links {
		lk := &e.nw.links[i]
		l := results.Link{Host: lk.host, Vmnic: lk.vmnic, Direction: lk.dir, SpeedBps: lk.speed,
			Bytes: lk.st.bytes, DroppedBytes: lk.st.dropped, RetransmittedBytes: lk.st.retx}
		busy, peak := 0.0, 0.0
		for s, b := range lk.st.busySeconds() {
			lo, hi := float64(s), float64(s+1)
			if ov := overlap(lo, hi, e.warm, e.end); ov > 0 {
				busy += b * ov / (hi - lo)
				if ov == 1 || hi > e.end {
					peak = math.Max(peak, b/math.Min(1, e.end-lo))
				}
			}
		}
		if win > 0 {
			l.UtilisationMean = busy / win
		}
		l.UtilisationPeak = math.Min(1, peak)
		if lk.st.qzero > 0 {
			lk.st.qhist.RecordValues(0, lk.st.qzero) //nolint:errcheck // 0 is in range
			lk.st.qzero = 0
		}
		if lk.st.qn > 0 {
			l.QueueDelayMean = lk.st.qsum / float64(lk.st.qn)
			l.QueueDelayP99 = rd.quantile(lk.st.qhist, 0.99)
		}
		rr.Links = append(rr.Links, l)
	}
	for _, v := range e.vms {
		vm := results.VM{VM: v.vm.Name, LoggedBytes: v.logged, DeliveredBytes: v.delivWin, ReplayLagMax: v.lagMax,
			ReplayLagP50: rd.quantile(v.lagH, 0.5), ReplayLagP99: rd.quantile(v.lagH, 0.99),
			OutputDelayP99: rd.quantile(v.odH, 0.99), UnprotectedS: v.unprot, FTEvents: v.ftEvents}
		if vm.FTEvents == nil {
			vm.FTEvents = []results.Event{}
		}
		if v.lagN > 0 {
			vm.ReplayLagMean = v.lagSum / float64(v.lagN)
		}
		if win > 0 {
			vm.ThrottledFraction = v.throttled / win
		}
		if v.lagH.TotalCount() > 0 {
			for _, q := range lagQuantiles {
				vm.LagQuantiles = append(vm.LagQuantiles, results.Quantile{Q: q, Value: rd.quantile(v.lagH, q)})
			}
		}
		if ck := v.ck; ck != nil {
			var iv, by, st, od float64
			if ck.epochs > 0 {
				iv, by = ck.sumT/float64(ck.epochs), ck.sumBytes/float64(ck.epochs)
			}
			if win > 0 {
				st = ck.stunTime / win
			}
			if ck.odW > 0 {
				od = ck.odSum / ck.odW
			}
			vm.CheckpointIntervalMean, vm.CheckpointBytesMean, vm.StunFraction, vm.OutputDelayMean = &iv, &by, &st, &od
		}
		rr.VMs = append(rr.VMs, vm)
		rr.Balance.Offered += v.offered
		rr.Balance.Delivered += v.delivered
		rr.Balance.Dropped += v.dropped
		rr.Balance.Abandoned += v.abandoned
		rr.Balance.InFlight += v.inflight + v.heldBytes
	}
	sort.SliceStable(rr.Events, func(i, j int) bool { return rr.Events[i].T < rr.Events[j].T })
	if rr.Events == nil {
		rr.Events = []results.Event{}
	}
	rr.Phases = e.phases(rr.Events)
	return rr
}

// phases splits the measured window at every failure and recovery, at
// whole seconds (the per-second windows the figures come from), and gives
// each host vmnic's FT payload and peak utilisation in each part.
func (e *engine) phases(evs []results.Event) []results.Phase {
	lo, hi := int(math.Ceil(e.warm)), int(math.Ceil(e.end))
	cuts := []results.Phase{{From: float64(lo)}}
	for _, ev := range evs {
		if ev.Kind != "failure" && ev.Kind != "recovery" {
			continue
		}
		s := int(math.Round(ev.T))
		if s <= lo || s >= hi {
			continue
		}
		last := &cuts[len(cuts)-1]
		if int(last.From) == s { // two at the same second: one phase after both
			last.After += ", " + string(ev.Kind) + " " + ev.Target
			continue
		}
		cuts = append(cuts, results.Phase{From: float64(s), After: string(ev.Kind) + " " + ev.Target})
	}
	for k := range cuts {
		ph := &cuts[k]
		ph.To = e.end
		if k+1 < len(cuts) {
			ph.To = cuts[k+1].From
		}
		a, b := int(ph.From), int(math.Ceil(ph.To))
		for i := range e.nw.links {
			lk := &e.nw.links[i]
			if lk.host == "" {
				continue
			}
			pl := results.PhaseLink{Host: lk.host, Vmnic: lk.vmnic, Direction: lk.dir}
			busy, ft := lk.st.busySeconds(), lk.st.ftSeconds()
			for s := a; s < b && s < e.nsec; s++ {
				pl.FTBytes += ft[s]
				span := math.Min(1, e.end-float64(s))
				if span > 0 {
					pl.UtilisationPeak = math.Max(pl.UtilisationPeak, math.Min(1, busy[s]/span))
				}
			}
			ph.Links = append(ph.Links, pl)
		}
	}
	return cuts
}

// series returns the run's per-second time series over the whole run:
// utilisation and queue backlog (bytes) per link, the highest replay lag
// delivered in each second per VM.
func (e *engine) series(rs runSpec) []results.Series {
	var out []results.Series
	n := int(math.Ceil(e.end))
	ts := make([]float64, n)
	for i := range ts {
		ts[i] = float64(i)
	}
	for i := range e.nw.links {
		lk := &e.nw.links[i]
		obj := lk.vmnic + " " + lk.dir
		if lk.host != "" {
			obj = lk.host + "/" + obj
		}
		u := make([]float64, n)
		q := make([]float64, n)
		busy := lk.st.busySeconds()
		for s := 0; s < n; s++ {
			u[s] = math.Min(1, busy[s]/math.Min(1, e.end-float64(s)))
			q[s] = lk.st.qlen[s]
		}
		out = append(out,
			results.Series{Policy: string(rs.policy), FailureCase: rs.failureCase.Name, Replication: rs.replication, Object: obj, Metric: "utilisation", T: ts, V: u},
			results.Series{Policy: string(rs.policy), FailureCase: rs.failureCase.Name, Replication: rs.replication, Object: obj, Metric: "queue_length", T: ts, V: q})
	}
	for _, v := range e.vms {
		out = append(out, results.Series{Policy: string(rs.policy), FailureCase: rs.failureCase.Name, Replication: rs.replication,
			Object: v.vm.Name, Metric: "replay_lag_s", T: ts, V: append([]float64(nil), v.lagSeconds()[:n]...)})
		if v.ck != nil {
			iv, od := v.ck.series(n)
			out = append(out,
				results.Series{Policy: string(rs.policy), FailureCase: rs.failureCase.Name, Replication: rs.replication, Object: v.vm.Name, Metric: results.MetricCheckpointInterval, T: ts, V: iv},
				results.Series{Policy: string(rs.policy), FailureCase: rs.failureCase.Name, Replication: rs.replication, Object: v.vm.Name, Metric: results.MetricOutputDelay, T: ts, V: od})
		}
	}
	return out
}
