package results

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/ftsim/ftsim/model"
)

// DeliveredMin is the share of its logged bytes a VM must deliver to its
// secondary in the measured window: below it (or with nothing delivered at
// all) the verdict is FAIL, "nothing delivered", whatever the lag figures
// say, since a stream that carries nothing has no lag to measure.
const DeliveredMin = 0.01

// MetricNothingDelivered names the violation of a VM whose secondary
// received nothing, or under DeliveredMin of what the VM logged.
const MetricNothingDelivered = "nothing_delivered"

// NothingDelivered reports whether vm delivered nothing, or under
// DeliveredMin of what it logged, in the measured window. A VM that logged
// nothing (stalled or unprotected throughout) delivered nothing too.
func NothingDelivered(vm VM) bool {
	return vm.DeliveredBytes <= 0 || vm.DeliveredBytes < DeliveredMin*vm.LoggedBytes
}

// VerdictOf checks one run against the SLA, and fails it for a VM that
// delivered nothing (NothingDelivered) whatever the SLA.
func VerdictOf(s model.SLA, rr RunResult) Verdict {
	v := Verdict{Pass: true, Violations: []Violation{}}
	add := func(metric, obj string, val, lim float64) {
		v.Pass = false
		v.Violations = append(v.Violations, Violation{Metric: metric, Object: obj, Value: val, Limit: lim})
	}
	for _, vm := range rr.VMs {
		if NothingDelivered(vm) {
			add(MetricNothingDelivered, vm.VM, vm.DeliveredBytes, DeliveredMin*vm.LoggedBytes)
		}
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
				add("utilisation_peak", LinkObject(l), l.UtilisationPeak, s.UtilisationMax)
			}
		}
	}
	return v
}

func LinkObject(l Link) string {
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

// Per-second series of SMP-FT VMs (timeseries.csv): the mean interval of
// the epochs that ended in each second and the time-weighted output delay
// of the checkpoints acknowledged in it (the last value carried over a
// second without one).
const (
	MetricCheckpointInterval = "checkpoint_interval_s"
	MetricOutputDelay        = "output_delay_s"
)

// RunFigures returns the figures of one run, run-wide first, in a fixed order.
func RunFigures(rr RunResult) []Metric {
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
		if v.SMP() {
			for _, x := range []struct {
				n string
				v *float64
			}{{"checkpoint_interval_mean_s", v.CheckpointIntervalMean}, {"checkpoint_bytes_mean", v.CheckpointBytesMean},
				{"stun_fraction", v.StunFraction}, {"output_delay_mean_s", v.OutputDelayMean}} {
				m = append(m, Metric{Object: v.VM, Name: x.n, Mean: *x.v})
			}
		}
	}
	for _, l := range rr.Links {
		o := LinkObject(l)
		for _, x := range []struct {
			n string
			v float64
		}{{"bytes", l.Bytes}, {"utilisation_mean", l.UtilisationMean}, {"utilisation_peak", l.UtilisationPeak},
			{"queue_delay_mean_s", l.QueueDelayMean}, {"queue_delay_p99_s", l.QueueDelayP99}, {"dropped_bytes", l.DroppedBytes}, {"retransmitted_bytes", l.RetransmittedBytes}} {
			m = append(m, Metric{Object: o, Name: x.n, Mean: x.v})
		}
	}
	return m
}

// Summarise aggregates the replications of one policy x failure case: each
// figure's mean with its Student-t 95% half-width (nil with one run), and
// the verdict of the means against the SLA.
func Summarise(s model.SLA, v model.Variant, fc string, runs []RunResult) Summary {
	sm := Summary{Policy: string(v.Policy), FailureCase: fc, Applicable: v.Applicable, Reason: v.Reason,
		Metrics: []Metric{}, Verdict: Verdict{Violations: []Violation{}}}
	if !v.Applicable || len(runs) == 0 {
		return sm
	}
	per := make([][]Metric, len(runs))
	for i, rr := range runs {
		per[i] = RunFigures(rr)
	}
	xs := make([]float64, len(runs))
	for j, m := range per[0] {
		for i := range runs {
			xs[i] = per[i][j].Mean
		}
		mean, hw := MeanCI(xs)
		m.Mean = mean
		m.CI95 = hw
		sm.Metrics = append(sm.Metrics, m)
	}
	// The verdict of the means: rebuild a run of mean figures.
	mr := meanRun(runs)
	sm.Verdict = VerdictOf(s, mr)
	return sm
}

// meanRun averages the VM and link figures the SLA looks at.
func meanRun(runs []RunResult) RunResult {
	mr := RunResult{VMs: append([]VM(nil), runs[0].VMs...), Links: append([]Link(nil), runs[0].Links...)}
	n := float64(len(runs))
	for i := range mr.VMs {
		var lag, od, unp, logged, deliv float64
		for _, r := range runs {
			lag += r.VMs[i].ReplayLagP99
			od += r.VMs[i].OutputDelayP99
			unp += r.VMs[i].UnprotectedS
			logged += r.VMs[i].LoggedBytes
			deliv += r.VMs[i].DeliveredBytes
		}
		mr.VMs[i].ReplayLagP99, mr.VMs[i].OutputDelayP99, mr.VMs[i].UnprotectedS = lag/n, od/n, unp/n
		mr.VMs[i].LoggedBytes, mr.VMs[i].DeliveredBytes = logged/n, deliv/n
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

// MeanCI returns the mean and the Student-t 95% CI half-width (nil for n < 2).
func MeanCI(xs []float64) (float64, *float64) {
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
func CIConverged(runs []RunResult, target float64) bool {
	if len(runs) < 2 {
		return false
	}
	xs := make([]float64, len(runs))
	for i, r := range runs {
		xs[i] = RunFigures(r)[0].Mean
	}
	mean, hw := MeanCI(xs)
	if mean == 0 {
		return *hw == 0
	}
	return *hw <= target*math.Abs(mean)
}

// WorstCases names each policy's worst failure case: one where a VM
// delivered nothing comes first, whatever its lag figures; then the
// highest p99 lag, then throttling, then unprotected time (docs/model.md
// "compare").
func WorstCases(sum []Summary, nMinus1 bool) []WorstCase {
	if !nMinus1 {
		return nil
	}
	var out []WorstCase
	best := map[string]int{}
	var order []string
	key := func(s Summary) [4]float64 {
		var k [4]float64
		for _, v := range s.Verdict.Violations {
			if v.Metric == MetricNothingDelivered {
				k[0] = 1
			}
		}
		for _, m := range s.Metrics {
			if m.Object != "" {
				continue
			}
			switch m.Name {
			case MetricLagP99:
				k[1] = m.Mean
			case MetricThrottled:
				k[2] = m.Mean
			case MetricUnprotected:
				k[3] = m.Mean
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
		if a, b := key(s), key(sum[j]); slices.Compare(a[:], b[:]) > 0 {
			best[s.Policy] = i
		}
	}
	for _, p := range order {
		out = append(out, WorstCase{Policy: p, FailureCase: sum[best[p]].FailureCase})
	}
	return out
}
