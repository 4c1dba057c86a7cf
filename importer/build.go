package importer

import (
	"fmt"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ftsim/ftsim/model"
)

// Logging formula constants.
const (
	// legacyHeadroom is the 1.2 of VMware's legacy FT sizing guideline:
	// (disk reads x 8 + network input) x 1.2 (docs/model.md 2.1).
	legacyHeadroom = 1.2
	ModeLegacy     = "legacy"
	ModeSMP        = "smp"
)

// Options say how captures become a scenario.
type Options struct {
	Mode        string     // ModeSMP (default) or ModeLegacy
	DirtyMemory float64    // bits per second added to every sample under ModeSMP
	Inventory   *Inventory // nil: every VM of the captures, placed as the package doc says
	Window      Window
	Name        string // scenario name; "" = "imported"
}

// Import is a built scenario: hosts, FT VMs with their traces, and the
// figures provenance.csv reports.
type Import struct {
	Name        string
	Description string
	Kind        string // "esxtop" | "getstat"
	Mode        string
	Start       float64 // t = 0 as Unix seconds
	Duration    float64 // seconds
	Hosts       []string
	VMs         []*VM  // sorted by name
	HostRows    []*Row // per host, the summed estimate of its primaries
	Vmks        []*Row // vmk transmit rates, by host then port
	Warnings    []*Error

	// names mapped to scenario names (modelName), by kind and name, and
	// the scenario names taken
	renamed map[string]string
	taken   map[string]bool
}

// VM is one imported FT VM.
type VM struct {
	Name, Primary, Secondary string
	TraceFile                string  // relative to the scenario, "traces/<name>.csv"
	Trace                    []Point // as written: rounded
	Row                      Row
}

// Point is one trace row: Rate (bits/s) holds from T (seconds) on.
type Point struct{ T, Rate float64 }

// Row is one line of provenance.csv.
type Row struct {
	Kind        string // "vm" | "vmk" | "host"
	Name        string
	Host        string
	Secondary   string
	Source      string
	Inputs      string
	Samples     int
	IntervalMin float64
	IntervalMax float64
	Factors     string
	Mean, P95   float64 // bits per second, time-weighted over the window
	Peak        float64
	PeakStamp   string  // the peak sample's timestamp as the capture writes it
	PeakT       float64 // the peak row's t_s in the trace
}

// Build turns captures into an Import: it picks the FT VMs, places them,
// computes each sample's logging rate, cuts the window and the traces.
func Build(caps []*Capture, opts Options) (*Import, error) {
	if opts.Mode == "" {
		opts.Mode = ModeSMP // legacy FT left vSphere in 6.5
	}
	imp := &Import{Name: scenarioName(opts.Name), Mode: opts.Mode}
	switch opts.Mode {
	case ModeLegacy:
		if opts.DirtyMemory > 0 {
			return nil, fmt.Errorf("--dirty-memory applies to --mode smp only: legacy FT does not copy memory")
		}
	case ModeSMP:
		if opts.DirtyMemory == 0 {
			imp.Warnings = append(imp.Warnings, warnf("", 0, "--mode smp without --dirty-memory: memory dirtying counted as 0, so the estimate is a floor"))
		}
	default:
		return nil, fmt.Errorf("--mode %q: want legacy or smp", opts.Mode)
	}
	if len(caps) == 0 {
		return nil, fmt.Errorf("no capture to import")
	}
	imp.Kind = caps[0].Kind
	if err := checkHosts(caps); err != nil {
		return nil, err
	}
	for _, c := range caps {
		imp.Warnings = append(imp.Warnings, c.Warnings...)
	}

	picked, err := pickVMs(caps, opts, imp)
	if err != nil {
		return nil, err
	}
	place(caps, picked, opts, imp)
	for i, h := range imp.Hosts {
		imp.Hosts[i] = imp.modelName(h, "host", "", 0)
	}

	// Time: t = 0 at the earliest sample start of the VMs written.
	t0, t1 := math.Inf(1), math.Inf(-1)
	for _, p := range picked {
		t0 = min(t0, p.s.Times[0].Start)
		t1 = max(t1, p.s.Times[len(p.s.Times)-1].End)
	}
	from, to, wwarns, err := opts.Window.resolve(t0, t1, totalSteps(picked, t0))
	if err != nil {
		return nil, err
	}
	for _, w := range wwarns {
		imp.Warnings = append(imp.Warnings, warnf("", 0, "%s", w))
	}
	if to-from > maxSpan {
		// A scenario covers at most a week: keep the first one.
		imp.Warnings = append(imp.Warnings, warnf("", 0, "the captures span %s, more than a scenario's 168h: the first 168h are written (choose another week with --window)", fmtSeconds(to-from)))
		to = from + maxSpan
	}
	imp.Start, imp.Duration = from, roundTo(to-from, 1e3)

	names := map[string]bool{}
	for _, p := range picked {
		vm := &VM{Name: p.s.VM, Primary: p.primary, Secondary: p.secondary}
		vm.Name = imp.modelName(vm.Name, "VM", p.s.File, p.s.Line)
		vm.Primary = imp.modelName(vm.Primary, "host", p.s.File, p.s.Line)
		vm.Secondary = imp.modelName(vm.Secondary, "host", p.s.File, p.s.Line)
		var fill []string
		vm.Trace, vm.Row, fill = cut(p.s.Times, p.rate, from, to, imp.Duration)
		if vm.Row.Mean == 0 {
			// A trace must carry some load to be a logging source.
			imp.Warnings = append(imp.Warnings, warnf(p.s.File, 0, "VM %q logs nothing in the window (all its inputs are 0); left out", vm.Name))
			continue
		}
		for _, f := range fill {
			imp.Warnings = append(imp.Warnings, warnf(p.s.File, 0, "VM %q: %s", vm.Name, f))
		}
		vm.TraceFile = traceFile(vm.Name, names)
		vm.Row.Kind, vm.Row.Name, vm.Row.Host, vm.Row.Secondary = "vm", vm.Name, vm.Primary, vm.Secondary
		vm.Row.Source = strings.Join(p.s.Sources, ";")
		var inputs, factors []string
		for _, c := range usedCounters(p.s, opts.Mode) {
			inputs = append(inputs, c.Inputs...)
			if c.Factor != "" {
				factors = append(factors, c.Factor)
			}
		}
		vm.Row.Inputs = strings.Join(inputs, ";")
		vm.Row.Factors = strings.Join(append(factors, formulaText(opts)), "; ")
		imp.VMs = append(imp.VMs, vm)
	}
	if len(imp.VMs) == 0 {
		return nil, fmt.Errorf("nothing to import: no VM logs anything in the window (all inputs are 0)")
	}
	imp.HostRows = hostRows(imp)
	imp.Vmks = vmkRows(caps, from, to)
	imp.Description = describe(caps, opts, from, to)
	return imp, nil
}

// picked is a VM chosen for import with the series its rates come from.
type picked struct {
	s         *Series
	rate      []float64 // logging rate per sample, bits per second
	mean      float64   // time-weighted mean of rate over the series
	others    []string  // other hosts whose captures hold the VM
	inv       *InvVM
	primary   string
	secondary string
}

// checkHosts refuses a host captured in two esxtop files.
func checkHosts(caps []*Capture) error {
	seen := map[string]string{}
	for _, c := range caps {
		if c.Kind != "esxtop" {
			continue
		}
		for _, h := range c.Hosts {
			if f, ok := seen[strings.ToLower(h)]; ok {
				return errorf(c.Files[0], 1, "host %q is also captured in %s: import one capture per host", h, f)
			}
			seen[strings.ToLower(h)] = c.Files[0]
		}
	}
	return nil
}

// pickVMs selects the VMs to import, checks their counters and computes
// their logging rates. The result is sorted by VM name.
func pickVMs(caps []*Capture, opts Options, imp *Import) ([]*picked, error) {
	byName := map[string][]*Series{}
	var order []string
	for _, c := range caps {
		for _, s := range c.Series {
			if _, ok := byName[s.VM]; !ok {
				order = append(order, s.VM)
			}
			byName[s.VM] = append(byName[s.VM], s)
		}
	}
	var want []string
	invOf := map[string]*InvVM{}
	if inv := opts.Inventory; inv != nil {
		fold := map[string]string{}
		for _, n := range order {
			if _, ok := fold[strings.ToLower(n)]; !ok {
				fold[strings.ToLower(n)] = n
			}
		}
		taken := map[string]bool{}
		for i := range inv.VMs {
			v := &inv.VMs[i]
			n := v.Name
			if _, ok := byName[n]; !ok {
				n = fold[strings.ToLower(n)]
			}
			if n == "" || taken[n] {
				what := ""
				if v.PowerState != "" {
					what = " (" + v.PowerState + ")"
				}
				imp.Warnings = append(imp.Warnings, warnf(inv.File, v.Line, "FT VM %q%s is in no capture; left out", v.Name, what))
				continue
			}
			taken[n] = true
			want = append(want, n)
			invOf[n] = v
		}
		var left []string
		for _, n := range order {
			if !taken[n] {
				left = append(left, n)
			}
		}
		if len(left) > 0 {
			sort.Strings(left)
			imp.Warnings = append(imp.Warnings, warnf(inv.File, 0, "%d VMs of the captures are not FT VMs here and are left out: %s", len(left), clip(strings.Join(left, ", "), 200)))
		}
		if len(want) == 0 {
			return nil, errorf(inv.File, 0, "nothing to import: none of the %d VMs in the captures is an FT VM here (FT State other than notConfigured)", len(order))
		}
	} else {
		want = order
	}
	sort.Strings(want)

	var out []*picked
	for _, n := range want {
		var cands []*picked
		for _, s := range byName[n] {
			rate, err := loggingRate(s, opts, imp)
			if err != nil {
				return nil, err
			}
			cands = append(cands, &picked{s: s, rate: rate, mean: seriesMean(s.Times, rate), inv: invOf[n]})
		}
		// The primary's capture: the inventory's primary host, else the
		// busiest capture of the VM (a secondary replays, it logs nothing).
		best := 0
		for i, c := range cands {
			if inv := invOf[n]; inv != nil && inv.Primary != "" && sameHost(c.s.Host, inv.Primary) {
				best = i
				break
			}
			if c.mean > cands[best].mean {
				best = i
			}
		}
		p := cands[best]
		for i, c := range cands {
			if i != best && c.s.Host != "" {
				p.others = append(p.others, c.s.Host)
			}
		}
		if inv := invOf[n]; inv != nil && inv.Primary != "" && p.s.Host != "" && !sameHost(p.s.Host, inv.Primary) {
			imp.Warnings = append(imp.Warnings, warnf(p.s.File, 0, "VM %q: the inventory puts its primary on %q, which has no capture of it; rates from host %q", n, inv.Primary, p.s.Host))
		}
		out = append(out, p)
	}
	return out, nil
}

// loggingRate checks a VM's counters for the mode and returns its logging
// rate per sample: legacy (read x 8 + rx) x 1.2, smp write x 8 + rx + dirty.
func loggingRate(s *Series, opts Options, imp *Import) ([]float64, error) {
	disk := s.DiskRead
	netWhat, diskWhat := "network input (Network Port "+cntNetRx+")", "disk reads (Virtual Disk "+cntDiskRd+")"
	if s.Kind == "getstat" {
		netWhat, diskWhat = "network input (net.received.average)", "disk reads (disk.read.average)"
	}
	if opts.Mode == ModeSMP {
		disk, diskWhat = s.DiskWrite, "disk writes (Virtual Disk "+cntDiskWr+")"
		if s.Kind == "getstat" {
			diskWhat = "disk writes (disk.write.average)"
		}
	}
	if s.NetRx == nil && disk == nil {
		return nil, errorf(s.File, s.Line, "VM %q has no usable counter: neither %s nor %s", s.VM, netWhat, diskWhat)
	}
	if s.NetRx == nil {
		imp.Warnings = append(imp.Warnings, warnf(s.File, s.Line, "VM %q has no %s; taken as 0", s.VM, netWhat))
	}
	if disk == nil {
		imp.Warnings = append(imp.Warnings, warnf(s.File, s.Line, "VM %q has no %s; taken as 0", s.VM, diskWhat))
	}
	for _, c := range usedCounters(s, opts.Mode) {
		if c.Note != "" {
			imp.Warnings = append(imp.Warnings, warnf(s.File, s.Line, "VM %q: %s", s.VM, c.Note))
		}
	}
	rate := make([]float64, len(s.Times))
	for i := range rate {
		var r float64
		if s.NetRx != nil {
			r += s.NetRx[i]
		}
		if disk != nil {
			r += disk[i] // already bits per second: MB/s x 8
		}
		if opts.Mode == ModeLegacy {
			r *= legacyHeadroom
		} else {
			r += opts.DirtyMemory
		}
		if math.IsNaN(r) || r > model.MaxBitRate {
			// An absurd cell (1e305 Mbit/s) would write +Inf into a trace
			// the scenario cannot read.
			return nil, errorf(s.File, s.Times[i].Line, "VM %q logs %s here, faster than any Ethernet link (at most %s): a damaged or mis-scaled cell",
				s.VM, rateText(r), model.BitRate(model.MaxBitRate))
		}
		rate[i] = r
	}
	return rate, nil
}

// rateText writes a rate in bits per second for a message, +Inf included.
func rateText(r float64) string {
	if math.IsInf(r, 0) || r > 1e18 {
		return "more than 1e18 bit/s"
	}
	return model.BitRate(r).String()
}

// usedCounters are the counters the mode's formula reads.
func usedCounters(s *Series, mode string) []*Counter {
	if mode == ModeSMP {
		return []*Counter{&s.Net, &s.Write}
	}
	return []*Counter{&s.Net, &s.Read}
}

func formulaText(opts Options) string {
	if opts.Mode == ModeSMP {
		return "smp: disk writes + network input + dirty memory " + strconv.FormatFloat(opts.DirtyMemory, 'f', -1, 64) + " bit/s"
	}
	return "legacy: (disk reads + network input) x1.2"
}

// seriesMean is the time-weighted mean of rate over the samples.
func seriesMean(ts []Sample, rate []float64) float64 {
	var sum, span float64
	for i, t := range ts {
		sum += rate[i] * (t.End - t.Start)
		span += t.End - t.Start
	}
	if span == 0 {
		return 0
	}
	return sum / span
}

// sameHost compares host names as vCenter and ESXi write them: without
// case, and a short name matches its FQDN ("esx01" = "esx01.lab.local").
func sameHost(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	if a == b {
		return true
	}
	sa, _, _ := strings.Cut(a, ".")
	sb, _, _ := strings.Cut(b, ".")
	return sa == sb && (sa == a || sb == b)
}

// place decides hosts and every VM's primary and secondary.
func place(caps []*Capture, ps []*picked, opts Options, imp *Import) {
	add := func(h string) string {
		for _, x := range imp.Hosts {
			if sameHost(x, h) {
				return x
			}
		}
		imp.Hosts = append(imp.Hosts, h)
		return h
	}
	for _, c := range caps {
		for _, h := range c.Hosts {
			add(h)
		}
	}
	for _, p := range ps {
		switch {
		case p.inv != nil && p.inv.Primary != "":
			p.primary = add(p.inv.Primary)
		case p.s.Host != "":
			p.primary = add(p.s.Host)
		default:
			p.primary = add("esx01")
		}
		switch {
		case p.inv != nil && p.inv.Secondary != "" && !sameHost(p.inv.Secondary, p.primary):
			p.secondary = add(p.inv.Secondary)
		case len(p.others) > 0:
			p.secondary = add(p.others[0])
		case p.s.Host == "" && (p.inv == nil || p.inv.Primary == ""):
			p.secondary = add("esx02")
		}
	}
	// The rest: the next host after the primary, wrapping.
	if len(imp.Hosts) == 1 {
		add(imp.Hosts[0] + "-ft")
	}
	for _, p := range ps {
		if p.secondary != "" {
			continue
		}
		for i, h := range imp.Hosts {
			if h == p.primary {
				p.secondary = imp.Hosts[(i+1)%len(imp.Hosts)]
				break
			}
		}
	}
}

// totalSteps is the summed logging rate of all VMs as written (each VM's
// rate held across gaps, zero outside its capture), from t0 on.
func totalSteps(ps []*picked, t0 float64) []step {
	type delta struct{ t, d float64 }
	var ds []delta
	for _, p := range ps {
		prev := 0.0
		for i, t := range p.s.Times {
			ds = append(ds, delta{t.Start, p.rate[i] - prev})
			prev = p.rate[i]
		}
		ds = append(ds, delta{p.s.Times[len(p.s.Times)-1].End, -prev})
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].t < ds[j].t })
	steps := []step{{t0, 0}}
	cur := 0.0
	for _, d := range ds {
		cur += d.d
		if d.t <= steps[len(steps)-1].T {
			steps[len(steps)-1].Rate = cur
			continue
		}
		steps = append(steps, step{d.t, cur})
	}
	return steps
}

// cut writes the trace of one series within [from, to] (absolute), with t
// from 0, and the provenance figures of what it wrote. fill reports the
// zero rows added where the capture does not cover the window.
func cut(ts []Sample, rate []float64, from, to, dur float64) (pts []Point, row Row, fill []string) {
	var stamps []string
	if roundTo(ts[0].Start-from, 1e3) > 0 {
		pts = append(pts, Point{0, 0})
		stamps = append(stamps, "")
		fill = append(fill, fmt.Sprintf("its capture starts %s after t = 0; the trace is 0 before", fmtSeconds(ts[0].Start-from)))
	}
	first := true
	for i, t := range ts {
		if t.End <= from+1e-9 || t.Start >= to-1e-9 {
			continue
		}
		d := t.End - t.Start
		if first || d < row.IntervalMin {
			row.IntervalMin = d
		}
		if first || d > row.IntervalMax {
			row.IntervalMax = d
		}
		first = false
		row.Samples++
		pt := Point{roundTo(max(t.Start, from)-from, 1e3), math.Round(rate[i])}
		if n := len(pts); n > 0 && pt.T <= pts[n-1].T {
			// Samples closer than the trace's millisecond: the later wins.
			pts[n-1], stamps[n-1] = pt, t.Stamp
			continue
		}
		pts = append(pts, pt)
		stamps = append(stamps, t.Stamp)
	}
	if last := roundTo(ts[len(ts)-1].End-from, 1e3); last < dur && len(pts) > 0 && last > pts[len(pts)-1].T {
		pts = append(pts, Point{last, 0})
		stamps = append(stamps, "")
		fill = append(fill, fmt.Sprintf("its capture ends %s before the end; the trace is 0 after", fmtSeconds(dur-last)))
	}
	statsOf(&row, pts, stamps, dur)
	return pts, row, fill
}

// statsOf fills in the mean, p95 and peak of a trace over [0, dur],
// time-weighted: row i holds until row i+1, the last until dur. stamps
// (nil or one per point) name each row's sample for the peak.
func statsOf(row *Row, pts []Point, stamps []string, dur float64) {
	type seg struct{ rate, len float64 }
	segs := make([]seg, len(pts))
	var sum float64
	for i, p := range pts {
		end := dur
		if i+1 < len(pts) {
			end = pts[i+1].T
		}
		segs[i] = seg{p.Rate, end - p.T}
		sum += p.Rate * (end - p.T)
		if i == 0 || p.Rate > row.Peak {
			row.Peak, row.PeakT = p.Rate, p.T
			row.PeakStamp = ""
			if stamps != nil {
				row.PeakStamp = stamps[i]
			}
		}
	}
	if dur > 0 {
		row.Mean = sum / dur
	}
	sort.SliceStable(segs, func(i, j int) bool { return segs[i].rate < segs[j].rate })
	acc := 0.0
	for _, s := range segs {
		acc += s.len
		row.P95 = s.rate
		if acc >= 0.95*dur-1e-9 {
			break
		}
	}
}

// sumTraces adds traces point by point into one step function.
func sumTraces(traces [][]Point) []Point {
	type delta struct{ t, d float64 }
	var ds []delta
	for _, tr := range traces {
		prev := 0.0
		for _, p := range tr {
			ds = append(ds, delta{p.T, p.Rate - prev})
			prev = p.Rate
		}
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].t < ds[j].t })
	var out []Point
	cur := 0.0
	for _, d := range ds {
		cur += d.d
		if n := len(out); n > 0 && out[n-1].T == d.t {
			out[n-1].Rate = math.Round(cur)
			continue
		}
		out = append(out, Point{d.t, math.Round(cur)})
	}
	return out
}

// hostRows sum the estimates of the VMs whose primary is on each host, to
// hold beside that host's vmk transmit rates.
func hostRows(imp *Import) []*Row {
	var rows []*Row
	for _, h := range imp.Hosts {
		var traces [][]Point
		var names []string
		for _, vm := range imp.VMs {
			if vm.Primary == h {
				traces = append(traces, vm.Trace)
				names = append(names, vm.Name)
			}
		}
		if len(traces) == 0 {
			continue
		}
		row := &Row{Kind: "host", Name: h, Host: h, Inputs: "sum of " + strings.Join(names, " + ")}
		statsOf(row, sumTraces(traces), nil, imp.Duration)
		rows = append(rows, row)
	}
	return rows
}

// vmkRows are the vmk ports' transmit figures within the window.
func vmkRows(caps []*Capture, from, to float64) []*Row {
	var rows []*Row
	for _, c := range caps {
		for _, v := range c.Vmks {
			var ts []Sample
			var rate []float64
			for i, t := range v.Times {
				if t.End > from && t.Start < to {
					ts = append(ts, t)
					rate = append(rate, v.TX[i])
				}
			}
			if len(ts) == 0 {
				continue
			}
			lo, hi := max(from, ts[0].Start), min(to, ts[len(ts)-1].End)
			_, row, _ := cut(ts, rate, lo, hi, roundTo(hi-lo, 1e3))
			row.Kind, row.Name, row.Host, row.Source, row.Inputs, row.Factors = "vmk", v.Vmk, v.Host, v.File, v.Input, v.Factor
			row.PeakT = roundTo(row.PeakT+lo-from, 1e3)
			rows = append(rows, &row)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Host != rows[j].Host {
			return rows[i].Host < rows[j].Host
		}
		return rows[i].Name < rows[j].Name
	})
	return rows
}

// describe is the scenario's description.
func describe(caps []*Capture, opts Options, from, to float64) string {
	var files []string
	for _, c := range caps {
		for _, f := range c.Files {
			files = append(files, path.Base(strings.ReplaceAll(f, `\`, "/")))
		}
	}
	what := "esxtop captures"
	if caps[0].Kind == "getstat" {
		what = "Get-Stat exports"
	}
	formula := "legacy FT estimate (disk reads x 8 + network input) x 1.2"
	if opts.Mode == ModeSMP {
		formula = "SMP-FT estimate disk writes x 8 + network input + dirty memory"
	}
	stamp := func(t float64) string {
		sec := math.Floor(t)
		return time.Unix(int64(sec), int64((t-sec)*1e9)).UTC().Format("2006-01-02 15:04:05 UTC")
	}
	return fmt.Sprintf("Imported from %s %s: %s per sample, %s to %s", what, strings.Join(files, ", "), formula, stamp(from), stamp(to))
}

// maxSpan is the longest scenario: a week of simulated time.
const maxSpan = 7 * 24 * 3600

// scenarioName keeps a name to letters, digits, dot, dash and underscore,
// starting with a letter or digit (a scenario's name is a folder name), at
// most 80 characters.
func scenarioName(s string) string {
	n := strings.TrimLeft(sanitize(s), "._-")
	if len(n) > maxNameLen {
		n = n[:maxNameLen]
	}
	if n == "" {
		return "imported"
	}
	return n
}

// modelName returns name as the scenario can hold it: control characters
// and / ~ , [ ] become _, spaces at either end go, "*" (a sweep wildcard)
// becomes "_", and a name longer than 80 bytes is cut, keeping it unique
// among the names mapped so far. A name that changes gets a warning, once.
func (imp *Import) modelName(name, what, file string, line int) string {
	if imp.renamed == nil {
		imp.renamed = map[string]string{}
		imp.taken = map[string]bool{}
	}
	key := what + "\x00" + name
	if n, ok := imp.renamed[key]; ok {
		return n
	}
	n := cleanName(name)
	if n == "" || n == "*" {
		n = strings.ToLower(what)
	}
	base := n
	for i := 2; ; i++ {
		if len(n) > maxNameLen {
			n = strings.ToValidUTF8(n[:maxNameLen], "")
			n = strings.TrimSpace(n)
		}
		if !imp.taken[what+"\x00"+n] || n == name {
			break
		}
		suffix := fmt.Sprintf("-%d", i)
		n = base
		if len(n)+len(suffix) > maxNameLen {
			n = strings.TrimSpace(strings.ToValidUTF8(n[:maxNameLen-len(suffix)], ""))
		}
		n += suffix
	}
	imp.renamed[key] = n
	imp.taken[what+"\x00"+n] = true
	if n != name {
		imp.Warnings = append(imp.Warnings, warnf(file, line, "%s name %q cannot be a scenario name (at most 80 characters, none of / ~ , [ ] or control characters); written as %q", what, clipName(name), n))
	}
	return n
}

// clipName shortens a name for a message.
func clipName(s string) string {
	if len(s) > 100 {
		return strings.ToValidUTF8(s[:100], "") + "..."
	}
	return s
}

// traceFile is "traces/<name>.csv" with the name made safe for a file and
// unique among the VMs seen so far.
func traceFile(vm string, used map[string]bool) string {
	base := sanitize(vm)
	if base == "" || base == "." || base == ".." {
		base = "vm"
	}
	name := base
	for i := 2; used[strings.ToLower(name)]; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	used[strings.ToLower(name)] = true
	return "traces/" + name + ".csv"
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// roundTo rounds x to 1/per (per = 1e3: milliseconds).
func roundTo(x, per float64) float64 { return math.Round(x*per) / per }
