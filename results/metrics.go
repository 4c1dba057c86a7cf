package results

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Holder says what a figure belongs to: a VM or a link direction.
type Holder int

const (
	OfVM   Holder = iota // a figure of results.json's vms[]
	OfLink               // a figure of results.json's links[]
)

// MetricInfo is one figure of results.json and everything ftsim does with
// it: its name and unit, its words in the tables and charts, how it is read
// from a VM or a link, whether the summaries carry it, and how the SLA
// judges it. The registry (Metrics) is the one place a figure is defined:
// summaries, verdicts, index.csv, summary.json's key figures, the terminal
// table, the planning charts and the policy comparison all read it.
type MetricInfo struct {
	Name  string // as in results.json: "replay_lag_p99_s"
	Label string // in tables and verdicts: "p99 replay lag"
	Unit  string // "s", "fraction", "bytes", "bit/s" or "" (a count)
	// Chart is the figure's name on a chart axis ("" : no chart draws it);
	// Quantity what a fraction's percent axis measures ("utilisation" when
	// empty).
	Chart    string
	Quantity string
	Of       Holder
	// VM reads the figure from a VM (Of == OfVM); ok is false when the VM
	// does not carry it (checkpoint figures of a legacy FT VM). Link reads
	// it from a link (Of == OfLink).
	VM   func(VM) (v float64, ok bool)
	Link func(Link) float64
	// Summarised figures are in every summary, per VM or link, as the
	// mean over replications with its 95 % CI.
	Summarised bool
	// RunWide figures are also summarised for the run as a whole (object
	// ""): the worst over its VMs or links in each replication.
	RunWide bool
	// Key figures are reported per policy and failure case in a batch's
	// summary.json and in a column of the terminal table, headed Column.
	Key    bool
	Column string
	// Limit is the SLA limit that judges the figure of every VM or link
	// (nil, or returning nil: the SLA does not judge it); a figure above
	// its limit is a violation.
	Limit func(SLALimits) *float64
	// Compare, when set, is the title of the figure's panel in the policy
	// comparison chart (a run-wide figure).
	Compare string
}

func vmFig(f func(VM) float64) func(VM) (float64, bool) {
	return func(v VM) (float64, bool) { return f(v), true }
}

func smpFig(f func(VM) *float64) func(VM) (float64, bool) {
	return func(v VM) (float64, bool) {
		if p := f(v); p != nil {
			return *p, true
		}
		return 0, false
	}
}

// metricRegistry is every figure a summary, a verdict, a table or a chart
// names. Its order is the order of the figures in summaries (per VM, then
// per link), of the run-wide figures, of the columns of the terminal
// table, of the SLA's figures on the planning chart and of the panels of
// the policy comparison.
var metricRegistry = []MetricInfo{
	{Name: "logged_bytes", Label: "log data produced", Unit: "bytes", Of: OfVM, Summarised: true,
		VM: vmFig(func(v VM) float64 { return v.LoggedBytes })},
	{Name: "replay_lag_mean_s", Label: "mean replay lag", Unit: "s", Chart: "mean replay lag", Of: OfVM, Summarised: true,
		VM: vmFig(func(v VM) float64 { return v.ReplayLagMean })},
	{Name: MetricLagP99, Label: "p99 replay lag", Unit: "s", Chart: "p99 replay lag", Of: OfVM, Summarised: true,
		RunWide: true, Key: true, Column: "p99 lag", Compare: "p99 replay lag (worst VM)",
		VM:    vmFig(func(v VM) float64 { return v.ReplayLagP99 }),
		Limit: func(l SLALimits) *float64 { return l.ReplayLagP99 }},
	{Name: "replay_lag_max_s", Label: "maximum replay lag", Unit: "s", Chart: "maximum replay lag", Of: OfVM, Summarised: true,
		VM: vmFig(func(v VM) float64 { return v.ReplayLagMax })},
	{Name: "output_delay_p99_s", Label: "p99 output delay", Unit: "s", Chart: "p99 output delay", Of: OfVM, Summarised: true,
		Key: true, Column: "p99 output",
		VM:    vmFig(func(v VM) float64 { return v.OutputDelayP99 }),
		Limit: func(l SLALimits) *float64 { return l.OutputDelayP99 }},
	{Name: "bytes", Label: "payload carried", Unit: "bytes", Of: OfLink, Summarised: true,
		Link: func(l Link) float64 { return l.Bytes }},
	{Name: "utilisation_mean", Label: "mean utilisation", Unit: "fraction", Chart: "mean utilisation", Of: OfLink, Summarised: true,
		Link: func(l Link) float64 { return l.UtilisationMean }},
	{Name: MetricUtilPeak, Label: "peak utilisation", Unit: "fraction", Chart: "peak utilisation", Of: OfLink, Summarised: true,
		RunWide: true, Key: true, Column: "peak util, link", Compare: "peak utilisation (busiest link)",
		Link:  func(l Link) float64 { return l.UtilisationPeak },
		Limit: func(l SLALimits) *float64 { return l.UtilisationMax }},
	{Name: MetricThrottled, Label: "time throttled", Unit: "fraction", Chart: "time the primary was throttled", Quantity: "share of time",
		Of: OfVM, Summarised: true, RunWide: true, Key: true, Column: "throttled",
		VM: vmFig(func(v VM) float64 { return v.ThrottledFraction })},
	{Name: MetricUnprotected, Label: "time unprotected", Unit: "s", Chart: "unprotected time", Of: OfVM, Summarised: true,
		RunWide: true, Key: true, Column: "unprotected", Compare: "unprotected time (longest VM)",
		VM:    vmFig(func(v VM) float64 { return v.UnprotectedS }),
		Limit: func(l SLALimits) *float64 { return l.UnprotectedMax }},
	{Name: "checkpoint_interval_mean_s", Label: "mean checkpoint interval", Unit: "s", Of: OfVM, Summarised: true,
		VM: smpFig(func(v VM) *float64 { return v.CheckpointIntervalMean })},
	{Name: "checkpoint_bytes_mean", Label: "mean checkpoint size", Unit: "bytes", Of: OfVM, Summarised: true,
		VM: smpFig(func(v VM) *float64 { return v.CheckpointBytesMean })},
	{Name: "stun_fraction", Label: "time stunned", Unit: "fraction", Of: OfVM, Summarised: true,
		VM: smpFig(func(v VM) *float64 { return v.StunFraction })},
	{Name: "output_delay_mean_s", Label: "mean output delay", Unit: "s", Of: OfVM, Summarised: true,
		VM: smpFig(func(v VM) *float64 { return v.OutputDelayMean })},
	{Name: "queue_delay_mean_s", Label: "mean queue delay", Unit: "s", Of: OfLink, Summarised: true,
		Link: func(l Link) float64 { return l.QueueDelayMean }},
	{Name: "queue_delay_p99_s", Label: "p99 queue delay", Unit: "s", Chart: "p99 queue delay", Of: OfLink, Summarised: true,
		Link: func(l Link) float64 { return l.QueueDelayP99 }},
	{Name: "dropped_bytes", Label: "data dropped", Unit: "bytes", Of: OfLink, Summarised: true,
		Link: func(l Link) float64 { return l.DroppedBytes }},
	{Name: "retransmitted_bytes", Label: "data retransmitted", Unit: "bytes", Of: OfLink, Summarised: true,
		Link: func(l Link) float64 { return l.RetransmittedBytes }},
	{Name: "replay_lag_p50_s", Label: "median replay lag", Unit: "s", Of: OfVM,
		VM: vmFig(func(v VM) float64 { return v.ReplayLagP50 })},
	{Name: "delivered_bytes", Label: "log data delivered", Unit: "bytes", Of: OfVM,
		VM: vmFig(func(v VM) float64 { return v.DeliveredBytes })},
}

// Metrics returns the registry: every figure ftsim defines, in its order.
func Metrics() []MetricInfo { return append([]MetricInfo(nil), metricRegistry...) }

// Register adds a figure to the end of the registry, or replaces the entry
// of the same name, and returns a function that undoes it. It is for
// extensions and tests, and must not run while results are being read.
func Register(m MetricInfo) (undo func()) {
	old := metricRegistry
	next := append([]MetricInfo(nil), old...)
	if i := slices.IndexFunc(next, func(x MetricInfo) bool { return x.Name == m.Name }); i >= 0 {
		next[i] = m
	} else {
		next = append(next, m)
	}
	metricRegistry = next
	return func() { metricRegistry = old }
}

// metricsWhere returns the registry's entries that keep, in order.
func metricsWhere(keep func(MetricInfo) bool) []MetricInfo {
	var out []MetricInfo
	for _, m := range metricRegistry {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// Judged returns the figures the SLA judges, in registry order.
func Judged() []MetricInfo {
	return metricsWhere(func(m MetricInfo) bool { return m.Limit != nil })
}

// Compared returns the run-wide figures of the policy comparison chart.
func Compared() []MetricInfo {
	return metricsWhere(func(m MetricInfo) bool { return m.RunWide && m.Compare != "" })
}

// TableColumns returns the key figures in the order of the terminal
// table's columns.
func TableColumns() []MetricInfo {
	return metricsWhere(func(m MetricInfo) bool { return m.Key })
}

// KeyMetrics returns the names of the figures a batch summary reports
// for each policy x failure case: the key figures of VMs, then of links
// (higher is worse for each).
func KeyMetrics() []string {
	var out []string
	for _, of := range []Holder{OfVM, OfLink} {
		for _, m := range metricRegistry {
			if m.Key && m.Of == of {
				out = append(out, m.Name)
			}
		}
	}
	return out
}

// Read returns the figure of a VM or a link (whichever it belongs to)
// and whether the object carries it.
func (m MetricInfo) Read(vm *VM, l *Link) (float64, bool) {
	switch {
	case m.Of == OfVM && vm != nil && m.VM != nil:
		return m.VM(*vm)
	case m.Of == OfLink && l != nil && m.Link != nil:
		return m.Link(*l), true
	}
	return 0, false
}

// Worst is the run-wide figure of a run: the largest over its VMs or
// links, 0 when it has none.
func (m MetricInfo) Worst(rr RunResult) float64 {
	var w float64
	if m.Of == OfVM {
		for i := range rr.VMs {
			if v, ok := m.Read(&rr.VMs[i], nil); ok {
				w = math.Max(w, v)
			}
		}
		return w
	}
	for i := range rr.Links {
		if v, ok := m.Read(nil, &rr.Links[i]); ok {
			w = math.Max(w, v)
		}
	}
	return w
}

// MetricOf returns what the registry knows of a figure; a name it does not
// hold is labelled with its own words and a unit read from its suffix.
func MetricOf(name string) MetricInfo {
	for _, m := range metricRegistry {
		if m.Name == name {
			return m
		}
	}
	m := MetricInfo{Name: name, Label: strings.ReplaceAll(strings.TrimSuffix(name, "_s"), "_", " ")}
	switch {
	case strings.HasSuffix(name, "_s"):
		m.Unit = "s"
	case strings.HasSuffix(name, "_bytes") || name == "bytes":
		m.Unit = "bytes"
	case strings.HasSuffix(name, "_fraction") || strings.HasPrefix(name, "utilisation"):
		m.Unit = "fraction"
	}
	return m
}

// Format writes v in the figure's unit as people read it, unit always
// written: "0 s", "12.4 ms", "71.5 %", "1.5 GB".
func (m MetricInfo) Format(v float64) string {
	switch m.Unit {
	case "s":
		return FormatSeconds(v)
	case "fraction":
		return fmt.Sprintf("%.1f %%", v*100)
	case "bytes":
		return formatBytes(v)
	case "bit/s":
		return fmt.Sprintf("%.3g Gbit/s", v/1e9)
	}
	return fmt.Sprintf("%.4g", v)
}

// FormatSeconds writes seconds with a unit that keeps three significant
// digits: "0 s", "250 us", "12.4 ms", "45 s".
func FormatSeconds(v float64) string {
	switch a := math.Abs(v); {
	case v == 0:
		return "0 s"
	case a < 1e-3:
		return fmt.Sprintf("%.3g us", v*1e6)
	case a < 1:
		return fmt.Sprintf("%.3g ms", v*1e3)
	}
	return fmt.Sprintf("%.3g s", v)
}

func formatBytes(v float64) string {
	for _, u := range []struct {
		f float64
		s string
	}{{1e12, "TB"}, {1e9, "GB"}, {1e6, "MB"}, {1e3, "kB"}} {
		if math.Abs(v) >= u.f {
			return fmt.Sprintf("%.3g %s", v/u.f, u.s)
		}
	}
	return fmt.Sprintf("%.0f B", v)
}

// Describe writes a violation as people read it: "p99 replay lag of
// app-1 230 ms > 100 ms".
func (v Violation) Describe() string {
	if v.Metric == MetricNothingDelivered && v.Limit <= 0 {
		return fmt.Sprintf("nothing delivered by %s: it logged nothing in the measured window (stalled, or stunned for a checkpoint, throughout)", v.Object)
	}
	if v.Metric == MetricNothingDelivered {
		return fmt.Sprintf("nothing delivered by %s: %s of the %s it logged reached the secondary (under 1 %%)",
			v.Object, formatBytes(v.Value), formatBytes(v.Limit/DeliveredMin))
	}
	m := MetricOf(v.Metric)
	return fmt.Sprintf("%s of %s %s > %s", m.Label, v.Object, m.Format(v.Value), m.Format(v.Limit))
}
