package sim

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/ftsim/ftsim/model"
)

func slaLimits(s model.SLA) SLALimits {
	var l SLALimits
	f := func(ok bool, v float64) *float64 {
		if !ok {
			return nil
		}
		return &v
	}
	l.ReplayLagP99 = f(s.HasReplayLagP99, float64(s.ReplayLagP99))
	l.OutputDelayP99 = f(s.HasOutputDelayP99, float64(s.OutputDelayP99))
	l.UtilisationMax = f(s.HasUtilisationMax, s.UtilisationMax)
	l.UnprotectedMax = f(s.HasUnprotectedMax, float64(s.UnprotectedMax))
	return l
}

// modelNotes lists the model's assumptions a reader of the results needs.
func modelNotes(sc *model.Scenario) []string {
	n := []string{
		"framing: frames of MTU-52 B payload, +90 B each on the wire; acks and heartbeats one 84 B frame (docs/model.md 4)",
		"each hop stores and forwards a whole message; queue delay excludes transmission",
		"switch ports drop beyond port_buffer; vmnic TX queues never drop; dropped data is retransmitted after ft.rto",
		"log buffer full: the primary stalls; replay lag above ft.lag_target: the primary is slowed to what the secondary consumes (docs/model.md 3 §3.2)",
		"peer lost after ft.timeout without log, ack or heartbeat; re-protection copies the VM's memory over the FT network",
		"port ID: port ID mod team size; MAC hash: MAC mod team size; IP hash: last-octet XOR mod team size (docs/model.md 1.2-1.4)",
		"link-status detection after teaming.link_detect; beacon probing at the misses-th probe (needs 3+ uplinks); LACP after 3 x 1 s or 3 x 30 s",
		"replay_lag_s time series: the highest lag delivered in each second; queue_length: backlog in bytes at each whole second",
	}
	if sc.Warmup > 0 {
		n = append(n, fmt.Sprintf("figures cover [%gs, %gs]; the warm-up is excluded", float64(sc.Warmup), float64(sc.Duration)))
	}
	return n
}

// verdictOf checks one run against the SLA.
func verdictOf(s model.SLA, rr RunResult) Verdict {
	v := Verdict{Pass: true, Violations: []Violation{}}
	add := func(metric, obj string, val, lim float64) {
		v.Pass = false
		v.Violations = append(v.Violations, Violation{Metric: metric, Object: obj, Value: val, Limit: lim})
	}
	for _, vm := range rr.VMs {
		if s.HasReplayLagP99 && vm.ReplayLagP99 > float64(s.ReplayLagP99) {
			add("replay_lag_p99_s", vm.VM, vm.ReplayLagP99, float64(s.ReplayLagP99))
		}
		if s.HasOutputDelayP99 && vm.OutputDelayP99 > float64(s.OutputDelayP99) {
			add("output_delay_p99_s", vm.VM, vm.OutputDelayP99, float64(s.OutputDelayP99))
		}
		if s.HasUnprotectedMax && vm.UnprotectedS > float64(s.UnprotectedMax) {
			add("unprotected_s", vm.VM, vm.UnprotectedS, float64(s.UnprotectedMax))
		}
	}
	if s.HasUtilisationMax {
		for _, l := range rr.Links {
			if l.UtilisationPeak > s.UtilisationMax {
				add("utilisation_peak", linkObject(l), l.UtilisationPeak, s.UtilisationMax)
			}
		}
	}
	return v
}

func linkObject(l Link) string {
	if l.Host == "" {
		return l.Vmnic + " " + l.Direction
	}
	return l.Host + "/" + l.Vmnic + " " + l.Direction
}

// Run-wide figures in the summary (object ""): the worst over VMs and links.
const (
	MetricLagP99      = "replay_lag_p99_s"
	MetricUtilPeak    = "utilisation_peak"
	MetricThrottled   = "throttled_fraction"
	MetricUnprotected = "unprotected_s"
)

// runFigures returns the figures of one run, run-wide first, in a fixed order.
func runFigures(rr RunResult) []Metric {
	var worstLag, worstThr, worstUnp, peak float64
	for _, v := range rr.VMs {
		worstLag = math.Max(worstLag, v.ReplayLagP99)
		worstThr = math.Max(worstThr, v.ThrottledFraction)
		worstUnp = math.Max(worstUnp, v.UnprotectedS)
	}
	for _, l := range rr.Links {
		peak = math.Max(peak, l.UtilisationPeak)
	}
	m := []Metric{
		{Name: MetricLagP99, Mean: worstLag}, {Name: MetricUtilPeak, Mean: peak},
		{Name: MetricThrottled, Mean: worstThr}, {Name: MetricUnprotected, Mean: worstUnp},
	}
	for _, v := range rr.VMs {
		for _, x := range []struct {
			n string
			v float64
		}{{"logged_bytes", v.LoggedBytes}, {"replay_lag_mean_s", v.ReplayLagMean}, {"replay_lag_p99_s", v.ReplayLagP99},
			{"replay_lag_max_s", v.ReplayLagMax}, {"output_delay_p99_s", v.OutputDelayP99},
			{"throttled_fraction", v.ThrottledFraction}, {"unprotected_s", v.UnprotectedS}} {
			m = append(m, Metric{Object: v.VM, Name: x.n, Mean: x.v})
		}
	}
	for _, l := range rr.Links {
		o := linkObject(l)
		for _, x := range []struct {
			n string
			v float64
		}{{"bytes", l.Bytes}, {"utilisation_mean", l.UtilisationMean}, {"utilisation_peak", l.UtilisationPeak},
			{"queue_delay_mean_s", l.QueueDelayMean}, {"queue_delay_p99_s", l.QueueDelayP99}, {"dropped_bytes", l.DroppedBytes}} {
			m = append(m, Metric{Object: o, Name: x.n, Mean: x.v})
		}
	}
	return m
}

// summarise aggregates the replications of one policy x failure case: each
// figure's mean with its Student-t 95% half-width (nil with one run), and
// the verdict of the means against the SLA.
func summarise(s model.SLA, v model.Variant, fc string, runs []RunResult) Summary {
	sm := Summary{Policy: string(v.Policy), FailureCase: fc, Applicable: v.Applicable, Reason: v.Reason,
		Metrics: []Metric{}, Verdict: Verdict{Violations: []Violation{}}}
	if !v.Applicable || len(runs) == 0 {
		return sm
	}
	per := make([][]Metric, len(runs))
	for i, rr := range runs {
		per[i] = runFigures(rr)
	}
	xs := make([]float64, len(runs))
	for j, m := range per[0] {
		for i := range runs {
			xs[i] = per[i][j].Mean
		}
		mean, hw := meanCI(xs)
		m.Mean = mean
		m.CI95 = hw
		sm.Metrics = append(sm.Metrics, m)
	}
	// The verdict of the means: rebuild a run of mean figures.
	mr := meanRun(runs)
	sm.Verdict = verdictOf(s, mr)
	return sm
}

// meanRun averages the VM and link figures the SLA looks at.
func meanRun(runs []RunResult) RunResult {
	mr := RunResult{VMs: append([]VM(nil), runs[0].VMs...), Links: append([]Link(nil), runs[0].Links...)}
	n := float64(len(runs))
	for i := range mr.VMs {
		var lag, od, unp float64
		for _, r := range runs {
			lag += r.VMs[i].ReplayLagP99
			od += r.VMs[i].OutputDelayP99
			unp += r.VMs[i].UnprotectedS
		}
		mr.VMs[i].ReplayLagP99, mr.VMs[i].OutputDelayP99, mr.VMs[i].UnprotectedS = lag/n, od/n, unp/n
	}
	for i := range mr.Links {
		var pk float64
		for _, r := range runs {
			pk += r.Links[i].UtilisationPeak
		}
		mr.Links[i].UtilisationPeak = pk / n
	}
	return mr
}

// meanCI returns the mean and the Student-t 95% CI half-width (nil for n < 2).
func meanCI(xs []float64) (float64, *float64) {
	if len(xs) < 2 {
		return xs[0], nil
	}
	mean, sd := stat.MeanStdDev(xs, nil)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(xs) - 1)}.Quantile(0.975)
	hw := t * sd / math.Sqrt(float64(len(xs)))
	return mean, &hw
}

// ciConverged: the 95% CI half-width of the worst p99 lag is within target
// (relative to its mean) — the stopping rule of `replications: auto`.
func ciConverged(runs []RunResult, target float64) bool {
	if len(runs) < 2 {
		return false
	}
	xs := make([]float64, len(runs))
	for i, r := range runs {
		xs[i] = runFigures(r)[0].Mean
	}
	mean, hw := meanCI(xs)
	if mean == 0 {
		return *hw == 0
	}
	return *hw <= target*math.Abs(mean)
}

// worstCases names each policy's worst failure case: the highest p99 lag,
// then throttling, then unprotected time (docs/model.md "compare").
func worstCases(sum []Summary, nMinus1 bool) []WorstCase {
	if !nMinus1 {
		return nil
	}
	var out []WorstCase
	best := map[string]int{}
	var order []string
	key := func(s Summary) [3]float64 {
		var k [3]float64
		for _, m := range s.Metrics {
			if m.Object != "" {
				continue
			}
			switch m.Name {
			case MetricLagP99:
				k[0] = m.Mean
			case MetricThrottled:
				k[1] = m.Mean
			case MetricUnprotected:
				k[2] = m.Mean
			}
		}
		return k
	}
	for i, s := range sum {
		if !s.Applicable || s.FailureCase == "baseline" {
			continue
		}
		j, ok := best[s.Policy]
		if !ok {
			best[s.Policy] = i
			order = append(order, s.Policy)
			continue
		}
		a, b := key(s), key(sum[j])
		if a[0] > b[0] || (a[0] == b[0] && (a[1] > b[1] || (a[1] == b[1] && a[2] > b[2]))) {
			best[s.Policy] = i
		}
	}
	for _, p := range order {
		out = append(out, WorstCase{Policy: p, FailureCase: sum[best[p]].FailureCase})
	}
	return out
}
