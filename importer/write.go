package importer

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
)

// File is one output file: a path relative to the output folder and its
// contents.
type File struct {
	Path string
	Data []byte
}

// Files renders an Import: scenario.yaml, provenance.csv, then one trace
// per VM, in that order. The same Import always gives the same bytes.
func Files(imp *Import) []File {
	out := []File{
		{"scenario.yaml", Scenario(imp)},
		{"provenance.csv", Provenance(imp)},
	}
	for _, vm := range imp.VMs {
		out = append(out, File{vm.TraceFile, TraceCSV(vm.Trace)})
	}
	return out
}

// TraceCSV writes a trace in the format the scenario's `trace` source reads:
// header t_s,rate_bps, each rate holding until the next row.
func TraceCSV(pts []Point) []byte {
	var b bytes.Buffer
	b.WriteString("t_s,rate_bps\n")
	for _, p := range pts {
		b.WriteString(strconv.FormatFloat(p.T, 'f', -1, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(p.Rate, 'f', 0, 64))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Scenario writes the scenario: two 10 GbE vmnics per host, MTU 9000,
// port_id teaming, warm-up 0, the window's span as duration (README "Importing measured load"), and one FT VM per imported VM with its trace.
func Scenario(imp *Import) []byte {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Written by ftsim import %s. provenance.csv says where each rate comes from.\n", imp.Kind)
	p("name: %s\n", yamlStr(imp.Name))
	p("description: %s\n", strconv.Quote(imp.Description))
	p("duration: %s\n", fmtSeconds(imp.Duration))
	p("warmup: 0s\n")
	p("seed: 1\n\n")
	p("defaults:\n")
	p("  mtu: 9000\n")
	p("  vmnics:\n")
	p("    - {name: vmnic0, speed: 10Gbps}\n")
	p("    - {name: vmnic1, speed: 10Gbps}\n")
	p("  teaming:\n")
	p("    load_balancing: port_id\n")
	p("    active: [vmnic0, vmnic1]\n\n")
	p("hosts:\n")
	for i, h := range imp.Hosts {
		p("  - {name: %s, ft_ip: %s}\n", yamlStr(h), ftIP(i+1))
	}
	p("\nft_vms:\n")
	vcpus := 1
	if imp.Mode == ModeSMP {
		vcpus = 2
	}
	for _, vm := range imp.VMs {
		r := vm.Row
		p("  # mean %s, p95 %s, peak %s", mbps(r.Mean), mbps(r.P95), mbps(r.Peak))
		if r.PeakStamp != "" {
			p(" at %s", r.PeakStamp)
		}
		p(" (t = %s)\n", fmtSeconds(r.PeakT))
		p("  - name: %s\n", yamlStr(vm.Name))
		p("    primary: %s\n", yamlStr(vm.Primary))
		p("    secondary: %s\n", yamlStr(vm.Secondary))
		p("    mode: %s\n", imp.Mode)
		p("    vcpus: %d\n", vcpus)
		p("    logging: {trace: %s, pattern: poisson}\n", yamlStr(vm.TraceFile))
	}
	return b.Bytes()
}

// ftIP is host N's FT vmkernel address: 192.168.100.N (then .101.x past 254).
func ftIP(n int) string {
	return fmt.Sprintf("192.168.%d.%d", 100+(n-1)/254, 1+(n-1)%254)
}

func mbps(bps float64) string {
	return strconv.FormatFloat(bps/1e6, 'f', 1, 64) + " Mbps"
}

// ProvenanceHeader is the first row of provenance.csv.
var ProvenanceHeader = []string{"kind", "name", "host", "secondary", "source", "inputs", "samples",
	"interval_s", "unit_factors", "mean_bps", "p95_bps", "peak_bps", "peak_time", "peak_t_s"}

// Provenance writes provenance.csv: one row per VM (kind vm), per host the
// summed estimate of its primaries (kind host) and per vmk port its
// measured transmit rate (kind vmk), to compare where FT already runs.
func Provenance(imp *Import) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(ProvenanceHeader)
	rows := make([]*Row, 0, len(imp.VMs)+len(imp.HostRows)+len(imp.Vmks))
	for _, vm := range imp.VMs {
		rows = append(rows, &vm.Row)
	}
	rows = append(rows, imp.HostRows...)
	rows = append(rows, imp.Vmks...)
	num := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	for _, r := range rows {
		interval, samples := "", ""
		if r.Samples > 0 {
			samples = strconv.Itoa(r.Samples)
			interval = num(roundTo(r.IntervalMin, 1e3))
			if r.IntervalMax != r.IntervalMin {
				interval += ".." + num(roundTo(r.IntervalMax, 1e3))
			}
		}
		w.Write([]string{r.Kind, r.Name, r.Host, r.Secondary, r.Source, r.Inputs, samples, interval,
			r.Factors, num(roundTo(r.Mean, 1)), num(roundTo(r.P95, 1)), num(roundTo(r.Peak, 1)),
			r.PeakStamp, num(r.PeakT)})
	}
	w.Flush()
	return b.Bytes()
}

// yamlStr writes s as a YAML scalar: plain when that reads back as the
// same string, double-quoted otherwise.
func yamlStr(s string) string {
	if plainYAML(s) {
		return s
	}
	return strconv.Quote(s)
}

func plainYAML(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == '/') {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", "inf", "nan":
		return false
	}
	return true
}
