package results

import (
	"math"
	"slices"
	"sort"

	"github.com/ftsim/ftsim/model"
)

// Baseline is the failure case of the scenario as written, its failures:
// timeline included.
const Baseline = model.BaselineCase

// Prefixes of the single-failure cases of n_minus_1: "vmnic:HOST/VMNIC",
// "switch:NAME", "isl:A~B", "host:NAME".
const (
	CaseVmnic  = model.VmnicCase
	CaseSwitch = model.SwitchCase
	CaseISL    = model.ISLCase
	CaseHost   = model.HostCase
)

// EventKind is the kind of an entry of a run's timeline (events[] and a
// VM's ft_events[] in results.json).
type EventKind string

// The kinds of events a run records.
const (
	EventFailure     EventKind = "failure"      // a failure is injected
	EventRecovery    EventKind = "recovery"     // a failed part comes back
	EventDetected    EventKind = "detected"     // a host's teaming sees a failure
	EventFailover    EventKind = "failover"     // traffic moves to another uplink
	EventFailback    EventKind = "failback"     // traffic returns to the uplink it left
	EventLBTMove     EventKind = "lbt_move"     // load-based teaming moves a port
	EventFTLost      EventKind = "ft_lost"      // a VM's FT peer is declared lost
	EventPromoted    EventKind = "promoted"     // the secondary takes over as primary
	EventResyncStart EventKind = "resync_start" // re-protection starts copying the VM
	EventProtected   EventKind = "protected"    // the VM is protected again
)

// Time series metric names (timeseries.csv).
const (
	SeriesUtilisation = "utilisation"
	SeriesQueueLength = "queue_length"
	SeriesReplayLag   = "replay_lag_s"
)

// Policies lists the policies of r in the order its runs, then its
// summaries, first name them.
func (r Result) Policies() []string {
	var ps []string
	for _, run := range r.Runs {
		if !slices.Contains(ps, run.Policy) {
			ps = append(ps, run.Policy)
		}
	}
	for _, s := range r.Summary {
		if !slices.Contains(ps, s.Policy) {
			ps = append(ps, s.Policy)
		}
	}
	return ps
}

// FailureCases lists the failure cases of r, the baseline first, the
// others in the order the runs, then the summaries, first name them.
func (r Result) FailureCases() []string {
	var fcs []string
	add := func(fc string) {
		if !slices.Contains(fcs, fc) {
			fcs = append(fcs, fc)
		}
	}
	for _, run := range r.Runs {
		add(run.FailureCase)
	}
	for _, s := range r.Summary {
		add(s.FailureCase)
	}
	sort.SliceStable(fcs, func(i, j int) bool { return fcs[i] == Baseline && fcs[j] != Baseline })
	return fcs
}

// Replications is the number of replications of r: the largest
// replication number of its runs plus one.
func (r Result) Replications() int {
	n := 0
	for _, run := range r.Runs {
		n = max(n, run.Replication+1)
	}
	return n
}

// WorstCase returns policy's worst single failure (see WorstCases), or ""
// when the run did not compare single failures.
func (r Result) WorstCase(policy string) string {
	for _, w := range r.Worst {
		if w.Policy == policy {
			return w.FailureCase
		}
	}
	return ""
}

// HasWorst reports whether any policy names a worst case other than the
// baseline.
func (r Result) HasWorst() bool {
	for _, w := range r.Worst {
		if w.FailureCase != "" && w.FailureCase != Baseline {
			return true
		}
	}
	return false
}

// Figure is a figure of a policy and failure case, for the worst VM or
// link: the largest of the summary's means of metric (run-wide or any
// object), or, when no summary has it, the mean over replications of each
// run's largest value.
func (r Result) Figure(policy, fc, metric string) (v float64, ok bool) {
	v = math.Inf(-1)
	for _, s := range r.Summary {
		if s.Policy != policy || s.FailureCase != fc || !s.Applicable {
			continue
		}
		for _, m := range s.Metrics {
			if m.Name == metric && !math.IsNaN(m.Mean) && !math.IsInf(m.Mean, 0) {
				v, ok = math.Max(v, m.Mean), true
			}
		}
	}
	if ok {
		return v, true
	}
	info := MetricOf(metric)
	sum, n := 0.0, 0
	for _, run := range r.Runs {
		if run.Policy != policy || run.FailureCase != fc || !run.Applicable {
			continue
		}
		if x, has := info.Largest(run); has {
			sum += x
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// Largest is the largest value of the figure over a run's VMs or links,
// false when none carries it.
func (m MetricInfo) Largest(rr RunResult) (float64, bool) {
	v, ok := math.Inf(-1), false
	if m.Of == OfVM {
		for i := range rr.VMs {
			if x, has := m.Read(&rr.VMs[i], nil); has {
				v, ok = math.Max(v, x), true
			}
		}
		return v, ok
	}
	for i := range rr.Links {
		if x, has := m.Read(nil, &rr.Links[i]); has {
			v, ok = math.Max(v, x), true
		}
	}
	return v, ok
}

// RunWide is the summary's run-wide figure of metric (object ""), 0 when
// it has none.
func (s Summary) RunWide(metric string) float64 {
	for _, m := range s.Metrics {
		if m.Object == "" && m.Name == metric {
			return m.Mean
		}
	}
	return 0
}

// WorstObject is the largest mean of metric over the summary's VMs or
// links (0 when none has it, never below 0) and the object that holds the
// strictly largest (the first in natural order of equals; "" when none).
func (s Summary) WorstObject(metric string) (float64, string) {
	v, obj, top := 0.0, "", -1.0
	for _, m := range s.Metrics {
		if m.Object == "" || m.Name != metric {
			continue
		}
		v = max(v, m.Mean)
		if m.Mean > top || m.Mean == top && model.NaturalLess(m.Object, obj) {
			top, obj = m.Mean, m.Object
		}
	}
	return v, obj
}
