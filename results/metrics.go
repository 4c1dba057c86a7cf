package results

import (
	"fmt"
	"math"
	"strings"
)

// MetricInfo says how a figure of results.json is shown to people: its
// label in the words of the tables and charts, and its unit.
type MetricInfo struct {
	Name  string // as in results.json: "replay_lag_p99_s"
	Label string // "p99 replay lag"
	Unit  string // "s", "fraction", "bytes", "bit/s" or "" (a count)
}

// metricRegistry is every figure a summary, a verdict or a table names.
var metricRegistry = []MetricInfo{
	{"replay_lag_p99_s", "p99 replay lag", "s"},
	{"replay_lag_mean_s", "mean replay lag", "s"},
	{"replay_lag_p50_s", "median replay lag", "s"},
	{"replay_lag_max_s", "maximum replay lag", "s"},
	{"output_delay_p99_s", "p99 output delay", "s"},
	{"output_delay_mean_s", "mean output delay", "s"},
	{"throttled_fraction", "time throttled", "fraction"},
	{"unprotected_s", "time unprotected", "s"},
	{"utilisation_peak", "peak utilisation", "fraction"},
	{"utilisation_mean", "mean utilisation", "fraction"},
	{"queue_delay_mean_s", "mean queue delay", "s"},
	{"queue_delay_p99_s", "p99 queue delay", "s"},
	{"logged_bytes", "log data produced", "bytes"},
	{"delivered_bytes", "log data delivered", "bytes"},
	{"bytes", "payload carried", "bytes"},
	{"dropped_bytes", "data dropped", "bytes"},
	{"retransmitted_bytes", "data retransmitted", "bytes"},
	{"stun_fraction", "time stunned", "fraction"},
	{"checkpoint_interval_mean_s", "mean checkpoint interval", "s"},
	{"checkpoint_bytes_mean", "mean checkpoint size", "bytes"},
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
