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
// delivered nothing (NothingDelivered) whatever the SLA. Every figure the
// registry gives a Limit is judged, for every VM or link that carries it.
func VerdictOf(s model.SLA, rr RunResult) Verdict {
	return judge(LimitsOf(s), rr.VMs, rr.Links,
		func(i int) (float64, float64) { return rr.VMs[i].LoggedBytes, rr.VMs[i].DeliveredBytes },
		func(i int, m MetricInfo) (float64, bool) { return m.Read(&rr.VMs[i], nil) },
		func(j int, m MetricInfo) (float64, bool) { return m.Read(nil, &rr.Links[j]) })
}

// judge is a verdict on figures read through vm and link (the VM's or
// link's index, the registry's entry), with logged giving each VM's logged
// and delivered bytes: per VM, nothing delivered first, then the judged
// figures in registry order; then per link.
func judge(lim SLALimits, vms []VM, links []Link, logged func(i int) (logged, delivered float64),
	vm, link func(int, MetricInfo) (float64, bool)) Verdict {
	v := Verdict{Pass: true, Violations: []Violation{}}
	add := func(metric, obj string, val, lim float64) {
		v.Pass = false
		v.Violations = append(v.Violations, Violation{Metric: metric, Object: obj, Value: val, Limit: lim})
	}
	judged := Judged()
	for i := range vms {
		lg, dl := logged(i)
		if NothingDelivered(VM{LoggedBytes: lg, DeliveredBytes: dl}) {
			add(MetricNothingDelivered, vms[i].VM, dl, DeliveredMin*lg)
		}
		for _, m := range judged {
			l := m.Limit(lim)
			if m.Of != OfVM || l == nil {
				continue
			}
			if x, ok := vm(i, m); ok && x > *l {
				add(m.Name, vms[i].VM, x, *l)
			}
		}
	}
	for j := range links {
		for _, m := range judged {
			l := m.Limit(lim)
			if m.Of != OfLink || l == nil {
				continue
			}
			if x, ok := link(j, m); ok && x > *l {
				add(m.Name, LinkObject(links[j]), x, *l)
			}
		}
	}
	return v
}

// LimitsOf is the scenario's SLA as results carry it.
func LimitsOf(s model.SLA) SLALimits {
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

// LinkObject names a link as summaries and verdicts do: "HOST/VMNIC tx",
// or "isl:A~B tx" for an inter-switch link.
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

// RunFigures returns the figures of one run in a fixed order: the
// registry's run-wide figures (object ""), then each VM's summarised
// figures, then each link's.
func RunFigures(rr RunResult) []Metric {
	var m []Metric
	for _, x := range metricRegistry {
		if x.RunWide {
			m = append(m, Metric{Name: x.Name, Mean: x.Worst(rr)})
		}
	}
	for i := range rr.VMs {
		for _, x := range metricRegistry {
			if x.Summarised && x.Of == OfVM {
				if v, ok := x.Read(&rr.VMs[i], nil); ok {
					m = append(m, Metric{Object: rr.VMs[i].VM, Name: x.Name, Mean: v})
				}
			}
		}
	}
	for i := range rr.Links {
		o := LinkObject(rr.Links[i])
		for _, x := range metricRegistry {
			if x.Summarised && x.Of == OfLink {
				v, _ := x.Read(nil, &rr.Links[i])
				m = append(m, Metric{Object: o, Name: x.Name, Mean: v})
			}
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
	// The verdict of the means: each judged figure's mean over the runs.
	n := float64(len(runs))
	sm.Verdict = judge(LimitsOf(s), runs[0].VMs, runs[0].Links,
		func(i int) (float64, float64) {
			var logged, deliv float64
			for _, r := range runs {
				logged += r.VMs[i].LoggedBytes
				deliv += r.VMs[i].DeliveredBytes
			}
			return logged / n, deliv / n
		},
		func(i int, m MetricInfo) (float64, bool) {
			var sum float64
			for _, r := range runs {
				x, ok := m.Read(&r.VMs[i], nil)
				if !ok {
					return 0, false
				}
				sum += x
			}
			return sum / n, true
		},
		func(j int, m MetricInfo) (float64, bool) {
			var sum float64
			for _, r := range runs {
				x, _ := m.Read(nil, &r.Links[j])
				sum += x
			}
			return sum / n, true
		})
	return sm
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
		xs[i] = MetricOf(MetricLagP99).Worst(r)
	}
	mean, hw := MeanCI(xs)
	if mean == 0 {
		return *hw == 0
	}
	return *hw <= target*math.Abs(mean)
}

// CompareSeverity orders two failure cases' summaries by how bad they are,
// the rule of "worst single failure": a case where a VM delivered nothing
// is worse than any other, then the higher p99 lag, then more throttling,
// then more unprotected time. It returns +1 when a is worse, -1 when b is,
// 0 when they tie on all four.
func CompareSeverity(a, b Summary) int {
	ka, kb := severityKey(a), severityKey(b)
	return slices.Compare(ka[:], kb[:])
}

func severityKey(s Summary) [4]float64 {
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

// WorstCases names each policy's worst failure case (CompareSeverity): one where a VM
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
	for i, s := range sum {
		if !s.Applicable || s.FailureCase == Baseline {
			continue
		}
		j, ok := best[s.Policy]
		if !ok {
			best[s.Policy] = i
			order = append(order, s.Policy)
			continue
		}
		if CompareSeverity(s, sum[j]) > 0 {
			best[s.Policy] = i
		}
	}
	for _, p := range order {
		out = append(out, WorstCase{Policy: p, FailureCase: sum[best[p]].FailureCase})
	}
	return out
}
