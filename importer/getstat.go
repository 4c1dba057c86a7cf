package importer

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// gsFamilies are the vCenter metrics read per VM, in order of preference
// (reference vsphere-data-sources.md, sections 2 and 3).
var gsFamilies = [3][]string{
	{"net.received.average", "net.bytesRx.average"},
	{"disk.read.average", "virtualDisk.read.average"},
	{"disk.write.average", "virtualDisk.write.average"},
}

// gsMetric maps a lower-case MetricId to its canonical spelling.
var gsMetric = func() map[string]string {
	m := map[string]string{}
	for _, names := range gsFamilies {
		for _, n := range names {
			m[strings.ToLower(n)] = n
		}
	}
	return m
}()

// unitFactor converts a Get-Stat Unit to bits per second. Short forms are
// case sensitive (KBps is kilobytes, Kbps kilobits); K and M are decimal.
func unitFactor(unit string) (float64, string, bool) {
	u := strings.TrimSpace(unit)
	short := map[string]float64{
		"bps": 1, "Bps": 8, "B/s": 8,
		"Kbps": 1e3, "kbps": 1e3, "Kb/s": 1e3, "KBps": 8e3, "KB/s": 8e3, "kBps": 8e3, "kB/s": 8e3,
		"Mbps": 1e6, "Mb/s": 1e6, "MBps": 8e6, "MB/s": 8e6,
		"Gbps": 1e9, "Gb/s": 1e9, "GBps": 8e9, "GB/s": 8e9,
	}
	if f, ok := short[u]; ok {
		return f, u, true
	}
	long := map[string]float64{
		"bitspersecond": 1, "bytespersecond": 8,
		"kilobitspersecond": 1e3, "kilobytespersecond": 8e3,
		"megabitspersecond": 1e6, "megabytespersecond": 8e6,
		"gigabitspersecond": 1e9, "gigabytespersecond": 8e9,
	}
	if f, ok := long[strings.ToLower(u)]; ok {
		return f, u, true
	}
	return 0, u, false
}

// factorText states a conversion for provenance.
func factorText(metric, unit string, f float64) string {
	s := fmt.Sprintf("%s %s x%g bit/s", metric, unit, f)
	switch f {
	case 8e3:
		s += " (1 KB = 10^3 bytes)"
	case 8e6:
		s += " (1 MB = 10^6 bytes)"
	}
	return s
}

type gsCell struct {
	agg      float64
	hasAgg   bool
	dev      float64
	devs     []string
	interval float64 // 0 = not given
	line     int
	file     string
	stamp    string
	end      float64
	unit     string
	factor   float64
	aggAt    string            // file:line of the aggregate row
	devAt    map[string]string // instance -> file:line of its row
}

type gsEntity struct {
	name    string
	host    string
	file    string
	line    int
	metrics map[string]map[int64]*gsCell // canonical metric -> ms -> cell
}

// GetStat gathers PowerCLI `Get-Stat | Export-Csv` exports. Several files
// may split one export (per VM, per metric); Add each, then call Capture.
type GetStat struct {
	files    []string
	ents     []*gsEntity
	entIdx   map[string]*gsEntity
	warnings []*Error
	// hlines is the header line of each file, rows the data rows read
	// in all files.
	hlines []int
	rows   int
}

// NewGetStat returns an empty Get-Stat reader.
func NewGetStat() *GetStat { return &GetStat{entIdx: map[string]*gsEntity{}} }

// Add reads one export. Columns are found by name, without regard to case:
// MetricId, Timestamp, Value, Unit and Entity are required; Instance,
// IntervalSecs, EntityId and VMHost are used when present.
func (g *GetStat) Add(name string, r io.Reader) error {
	br := newBufReader(r)
	cr := csv.NewReader(br)
	cr.Comma = sniffComma(br)
	cr.Comment = '#' // PowerShell 5's "#TYPE ..." line
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return errorf(name, 1, "empty file: not a Get-Stat export")
	}
	if err != nil {
		return csvError(name, err)
	}
	hline, _ := cr.FieldPos(0)
	col := map[string]int{}
	for _, c := range []struct{ key, alias string }{
		{"metric", "MetricId"}, {"time", "Timestamp"}, {"value", "Value"}, {"unit", "Unit"},
		{"entity", "Entity"}, {"instance", "Instance"}, {"interval", "IntervalSecs"},
		{"entityid", "EntityId"}, {"host", "VMHost"},
	} {
		col[c.key] = findColumn(header, c.alias)
	}
	for _, req := range []struct{ key, name string }{
		{"metric", "MetricId"}, {"time", "Timestamp"}, {"value", "Value"}, {"unit", "Unit"}, {"entity", "Entity"},
	} {
		if col[req.key] < 0 {
			return errorf(name, hline, "not a Get-Stat export: no %s column (want MetricId, Timestamp, Value, Unit, Entity; from Get-Stat | Export-Csv)", req.name)
		}
	}
	g.files = append(g.files, name)
	g.hlines = append(g.hlines, hline)
	cell := func(rec []string, key string) string {
		if i := col[key]; i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	hostRows := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		g.rows++
		metric, ok := gsMetric[strings.ToLower(cell(rec, "metric"))]
		if !ok {
			continue
		}
		if strings.HasPrefix(cell(rec, "entityid"), "HostSystem-") {
			hostRows++
			continue
		}
		entity := cell(rec, "entity")
		if entity == "" {
			return errorf(name, line, "empty Entity: the row does not name its VM")
		}
		stamp := cell(rec, "time")
		t, ok := parseStamp(stamp)
		if !ok {
			return errorf(name, line, "timestamp %q is not a date and time (want MM/DD/YYYY HH:MM:SS, M/D/YYYY h:mm:ss AM, YYYY-MM-DD HH:MM:SS or ISO 8601)", clip(stamp, 40))
		}
		v, ok := parseNumber(cell(rec, "value"))
		if !ok {
			return errorf(name, line, "%s value %q is not a rate (a number >= 0)", metric, clip(cell(rec, "value"), 40))
		}
		f, unit, ok := unitFactor(cell(rec, "unit"))
		if !ok {
			return errorf(name, line, "%s unit %q is not a rate ftsim knows (KBps, kiloBytesPerSecond, Mbps, MBps, ...)", metric, clip(unit, 40))
		}
		interval := 0.0
		if s := cell(rec, "interval"); s != "" {
			if interval, ok = parseNumber(s); !ok || interval == 0 {
				return errorf(name, line, "IntervalSecs %q is not a positive number of seconds", clip(s, 40))
			}
		}
		e := g.entIdx[entity]
		if e == nil {
			e = &gsEntity{name: strings.Clone(entity), file: name, line: line, metrics: map[string]map[int64]*gsCell{}}
			g.entIdx[e.name] = e
			g.ents = append(g.ents, e)
		}
		if h := cell(rec, "host"); h != "" {
			switch {
			case e.host == "":
				e.host = strings.Clone(h)
			case e.host != h:
				g.warnings = append(g.warnings, warnf(name, line, "VM %q is on host %q here but on %q earlier (vMotion during the capture?); %q is its primary", entity, h, e.host, e.host))
			}
		}
		byT := e.metrics[metric]
		if byT == nil {
			byT = map[int64]*gsCell{}
			e.metrics[metric] = byT
		}
		key := int64(math.Round(t * 1000))
		c := byT[key]
		if c == nil {
			c = &gsCell{line: line, file: name, stamp: strings.Clone(stamp), end: t, unit: unit, factor: f, interval: interval, devAt: map[string]string{}}
			byT[key] = c
		}
		if c.unit != unit {
			return errorf(name, line, "%s of VM %q is in %s here but in %s at %s:%d", metric, entity, unit, c.unit, c.file, c.line)
		}
		if c.interval != interval {
			return errorf(name, line, "%s of VM %q at %s has IntervalSecs %g here but %g at %s:%d (mixed intervals: export one interval)", metric, entity, stamp, interval, c.interval, c.file, c.line)
		}
		inst := cell(rec, "instance")
		if inst == "" {
			if c.hasAgg {
				return errorf(name, line, "duplicate row: %s of VM %q at %s is also at %s", metric, entity, stamp, c.aggAt)
			}
			c.agg, c.hasAgg, c.aggAt = v*f, true, fmt.Sprintf("%s:%d", name, line)
			continue
		}
		if at, dup := c.devAt[inst]; dup {
			return errorf(name, line, "duplicate row: %s of VM %q instance %q at %s is also at %s", metric, entity, inst, stamp, at)
		}
		c.devAt[strings.Clone(inst)] = fmt.Sprintf("%s:%d", name, line)
		c.devs = append(c.devs, strings.Clone(inst))
		c.dev += v * f
	}
	if hostRows > 0 {
		g.warnings = append(g.warnings, warnf(name, 0, "%d rows of host entities (EntityId HostSystem-...) skipped: ftsim imports per-VM rates", hostRows))
	}
	return nil
}

// Capture returns the per-VM series of every file added, in the order the
// VMs first appear.
func (g *GetStat) Capture() (*Capture, error) {
	capt := &Capture{Kind: "getstat", Files: g.files, Warnings: g.warnings}
	if len(g.ents) == 0 {
		file, line := "", 0
		if len(g.files) > 0 {
			file, line = g.files[0], g.hlines[0]
		}
		if g.rows == 0 {
			return nil, errorf(file, line+1, "no VM rates: the export has a header and no rows")
		}
		return nil, errorf(file, line, "no VM rates: no row has MetricId net.received.average, disk.read.average or disk.write.average")
	}
	for _, e := range g.ents {
		s, err := g.series(e, capt)
		if err != nil {
			return nil, err
		}
		if e.host != "" {
			addUnique(&capt.Hosts, e.host)
		}
		capt.Series = append(capt.Series, s)
	}
	return capt, nil
}

func (g *GetStat) series(e *gsEntity, capt *Capture) (*Series, error) {
	s := &Series{Kind: "getstat", VM: e.name, Host: e.host, File: e.file, Line: e.line}
	var chosen [3]string
	keys := map[int64]bool{}
	for f, names := range gsFamilies {
		for _, n := range names {
			if byT := e.metrics[n]; byT != nil {
				chosen[f] = n
				for k := range byT {
					keys[k] = true
				}
				break
			}
		}
	}
	ts := make([]int64, 0, len(keys))
	for k := range keys {
		ts = append(ts, k)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	// The sample interval: IntervalSecs, else the smallest step between stamps.
	step := 0.0
	for i := 1; i < len(ts); i++ {
		if d := float64(ts[i]-ts[i-1]) / 1000; step == 0 || d < step {
			step = d
		}
	}
	vals := [3]*[]float64{&s.NetRx, &s.DiskRead, &s.DiskWrite}
	missing := [3]int{}
	gaps := 0
	usedFiles := map[string]bool{}
	for i, k := range ts {
		var first *gsCell
		interval := 0.0
		for f := range chosen {
			if chosen[f] == "" {
				continue
			}
			c := e.metrics[chosen[f]][k]
			if c == nil {
				missing[f]++
				*vals[f] = append(*vals[f], 0)
				continue
			}
			usedFiles[c.file] = true
			if first == nil || c.file < first.file || (c.file == first.file && c.line < first.line) {
				first = c
			}
			if c.interval > 0 {
				if interval > 0 && interval != c.interval {
					return nil, errorf(c.file, c.line, "%s of VM %q at %s has IntervalSecs %g, other metrics %g (mixed intervals: export one interval)", chosen[f], e.name, c.stamp, c.interval, interval)
				}
				interval = c.interval
			}
			v := c.dev
			if c.hasAgg {
				v = c.agg
			}
			*vals[f] = append(*vals[f], v)
		}
		if interval == 0 {
			interval = step
		}
		if interval == 0 {
			return nil, errorf(first.file, first.line, "VM %q has one sample and no IntervalSecs: the sample interval is unknown", e.name)
		}
		smp := Sample{Start: first.end - interval, End: first.end, Stamp: first.stamp, Line: first.line}
		if i > 0 {
			prev := s.Times[i-1]
			switch {
			case smp.Start < prev.End-1e-6:
				return nil, errorf(first.file, first.line, "VM %q: the sample at %s covers %gs, back past the previous sample at %s (mixed intervals: export one interval)", e.name, first.stamp, interval, prev.Stamp)
			case smp.Start > prev.End+1e-6:
				gaps++
			}
		}
		s.Times = append(s.Times, smp)
	}
	counters := [3]*Counter{&s.Net, &s.Read, &s.Write}
	for f, n := range chosen {
		if n == "" {
			continue
		}
		var unit string
		var factor float64
		anyAgg, devs := false, map[string]bool{}
		for _, k := range ts {
			if c := e.metrics[n][k]; c != nil {
				unit, factor = c.unit, c.factor
				anyAgg = anyAgg || c.hasAgg
				if !c.hasAgg {
					for _, d := range c.devs {
						devs[d] = true
					}
				}
			}
		}
		names := make([]string, 0, len(devs))
		for d := range devs {
			names = append(names, d)
		}
		sort.Strings(names)
		in := n + " (aggregate)"
		switch {
		case len(names) > 0 && anyAgg:
			in = n + " (aggregate; instances " + strings.Join(names, " + ") + " summed where no aggregate row)"
		case len(names) > 0:
			in = n + " (instances " + strings.Join(names, " + ") + " summed)"
		}
		ctr := counters[f]
		ctr.Inputs = []string{in}
		ctr.Factor = factorText(n, unit, factor)
		if missing[f] > 0 {
			ctr.Note = fmt.Sprintf("%s missing at %d of %d timestamps, read as 0", n, missing[f], len(ts))
		}
	}
	if gaps > 0 {
		capt.Warnings = append(capt.Warnings, warnf(e.file, e.line, "VM %q: %d gaps between samples; the rate before each gap holds across it", e.name, gaps))
	}
	files := make([]string, 0, len(usedFiles))
	for f := range usedFiles {
		files = append(files, f)
	}
	sort.Strings(files)
	s.Sources = files
	return s, nil
}

func addUnique(list *[]string, s string) {
	for _, x := range *list {
		if x == s {
			return
		}
	}
	*list = append(*list, s)
}
