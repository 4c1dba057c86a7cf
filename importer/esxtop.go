package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// esxtop counter names used (reference vsphere-data-sources.md, section 1),
// compared without regard to case.
const (
	cntNetRx   = "MBits Received/sec"
	cntNetTx   = "MBits Transmitted/sec"
	cntDiskRd  = "MBytes Read/sec"
	cntDiskWr  = "MBytes Written/sec"
	objNetPort = "Network Port"
	objVDisk   = "Virtual Disk"
	objGrpCPU  = "Group Cpu"
)

// Unit factors to bits per second: esxtop's MBits and MBytes read as
// decimal mega, as the FT sizing formula does (docs/model.md 2.1).
const (
	mbitFactor  = 1e6
	mbyteFactor = 8e6
)

var (
	// A VM's port client is "<world id>:<VM name>".
	reWorldClient = regexp.MustCompile(`^[0-9]+:(.+)$`)
	reVmk         = regexp.MustCompile(`^vmk[0-9]+$`)
	// A per-disk Virtual Disk instance: "<VM>:scsi0:1".
	rePerDisk = regexp.MustCompile(`^(.+):(?:scsi|sata|ide|nvme|pvscsi)[0-9]+:[0-9]+$`)
	// A user world's Group Cpu entry: "hostd.2099139".
	reUserWorld = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[0-9]+$`)
	// A trailing " (<uuid>)" after a VM name in a Virtual Disk instance.
	reUUIDSuffix = regexp.MustCompile(`^(.+) \([0-9A-Fa-f -]{8,}\)$`)
)

// systemGroups are Group Cpu entries that are not VMs.
var systemGroups = map[string]bool{
	"system": true, "helper": true, "drivers": true, "ft": true, "vmotion": true,
	"idle": true, "host": true, "vim": true, "user": true, "iofilters": true,
}

// counterPath is a parsed `\\host\Object(instance)\Counter` header.
type counterPath struct {
	host, object, instance, counter string
}

func parseCounterPath(s string) (counterPath, bool) {
	if !strings.HasPrefix(s, `\\`) {
		return counterPath{}, false
	}
	s = s[2:]
	i := strings.IndexByte(s, '\\')
	if i <= 0 {
		return counterPath{}, false
	}
	host, rest := s[:i], s[i+1:]
	j := strings.LastIndexByte(rest, '\\')
	if j < 0 {
		return counterPath{}, false
	}
	obj, counter := rest[:j], rest[j+1:]
	inst := ""
	if strings.HasSuffix(obj, ")") {
		if k := strings.IndexByte(obj, '('); k >= 0 {
			inst, obj = obj[k+1:len(obj)-1], obj[:k]
		}
	}
	return counterPath{host, strings.TrimSpace(obj), inst, strings.TrimSpace(counter)}, true
}

// vdiskVM returns the VM a Virtual Disk instance belongs to and whether
// the instance is one disk (":scsi0:1") rather than the VM as a whole.
func vdiskVM(inst string) (vm string, perDisk bool) {
	if m := rePerDisk.FindStringSubmatch(inst); m != nil {
		inst, perDisk = m[1], true
	}
	if m := reUUIDSuffix.FindStringSubmatch(inst); m != nil {
		inst = m[1]
	}
	return inst, perDisk
}

// isVMGroup says whether a Group Cpu entry ("<id>:<name>") looks like a VM:
// not a system group, not a user world ("hostd.2099139"), not a pool path.
func isVMGroup(name string) bool {
	return name != "" && !systemGroups[strings.ToLower(name)] &&
		!reUserWorld.MatchString(name) && !strings.Contains(name, "/")
}

// esxVM gathers the columns of one VM while the header is read.
type esxVM struct {
	host, name string
	cpuCol     string // a Group Cpu header naming the VM, for messages
	net        []int
	readAgg    []int
	readDisk   []int
	writeAgg   []int
	writeDisk  []int
}

type esxVmk struct {
	host, name string
	col        int
}

// esxSel is one selected column: its value, times factor, adds to slot.
type esxSel struct {
	col    int
	slot   int
	factor float64
}

type esxHeader struct {
	header []string
	vms    []*esxVM
	vmIdx  map[string]int
	vmks   []esxVmk
	hosts  []string
}

func (h *esxHeader) vm(host, name string) *esxVM {
	k := host + "\x00" + name
	if i, ok := h.vmIdx[k]; ok {
		return h.vms[i]
	}
	v := &esxVM{host: strings.Clone(host), name: strings.Clone(name)}
	h.vmIdx[k] = len(h.vms)
	h.vms = append(h.vms, v)
	return v
}

func (h *esxHeader) addHost(host string) {
	for _, x := range h.hosts {
		if x == host {
			return
		}
	}
	h.hosts = append(h.hosts, strings.Clone(host))
}

// classify picks the columns of interest out of the header.
func (h *esxHeader) classify() {
	type pending struct {
		host, client string
		col          int
	}
	var unresolved []pending
	for c := 1; c < len(h.header); c++ {
		cp, ok := parseCounterPath(h.header[c])
		if !ok {
			continue
		}
		switch {
		case strings.EqualFold(cp.object, objNetPort):
			parts := strings.SplitN(cp.instance, ":", 3)
			if len(parts) < 3 {
				continue
			}
			client := parts[2]
			rx := strings.EqualFold(cp.counter, cntNetRx)
			tx := strings.EqualFold(cp.counter, cntNetTx)
			switch m := reWorldClient.FindStringSubmatch(client); {
			case m != nil && rx:
				h.addHost(cp.host)
				h.vm(cp.host, m[1]).net = append(h.vm(cp.host, m[1]).net, c)
			case m != nil:
			case reVmk.MatchString(client) && tx:
				h.addHost(cp.host)
				h.vmks = append(h.vmks, esxVmk{cp.host, client, c})
			case rx && !reVmk.MatchString(client) && !strings.HasPrefix(client, "vmnic") &&
				!strings.HasPrefix(client, "Shadow of "):
				unresolved = append(unresolved, pending{cp.host, client, c})
			}
		case strings.EqualFold(cp.object, objVDisk):
			vmName, perDisk := vdiskVM(cp.instance)
			rd := strings.EqualFold(cp.counter, cntDiskRd)
			wr := strings.EqualFold(cp.counter, cntDiskWr)
			if vmName == "" || !(rd || wr) {
				continue
			}
			h.addHost(cp.host)
			v := h.vm(cp.host, vmName)
			switch {
			case rd && perDisk:
				v.readDisk = append(v.readDisk, c)
			case rd:
				v.readAgg = append(v.readAgg, c)
			case perDisk:
				v.writeDisk = append(v.writeDisk, c)
			default:
				v.writeAgg = append(v.writeAgg, c)
			}
		case strings.EqualFold(cp.object, objGrpCPU):
			_, name, ok := strings.Cut(cp.instance, ":")
			if !ok || !isVMGroup(name) {
				continue
			}
			h.addHost(cp.host)
			if v := h.vm(cp.host, name); v.cpuCol == "" {
				v.cpuCol = strings.Clone(h.header[c])
			}
		}
	}
	// A port client without a world ID counts only when it names a VM that
	// the capture shows otherwise (older builds, edited captures).
	for _, p := range unresolved {
		if i, ok := h.vmIdx[p.host+"\x00"+p.client]; ok {
			h.vms[i].net = append(h.vms[i].net, p.col)
		}
	}
}

// ReadEsxtop reads one esxtop/resxtop batch capture (perfmon PDH-CSV) as a
// stream: only the columns it needs are parsed and kept.
func ReadEsxtop(name string, r io.Reader) (*Capture, error) {
	cr := csv.NewReader(newBufReader(r))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errorf(name, 1, "empty file: not an esxtop batch capture")
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	if !strings.HasPrefix(strings.TrimSpace(header[0]), "(PDH-CSV") {
		return nil, errorf(name, 1, "not an esxtop batch capture: the first header cell is %q, want one like \"(PDH-CSV 4.0) (UTC)(0)\" (esxtop -b output)", clip(header[0], 60))
	}
	h := &esxHeader{header: header, vmIdx: map[string]int{}}
	h.classify()
	if len(h.vms) == 0 {
		return nil, errorf(name, 1, "no VM in the capture: no Network Port, Virtual Disk or Group Cpu column names a VM (capture with esxtop -b -a)")
	}

	capt := &Capture{Kind: "esxtop", Files: []string{name}, Hosts: h.hosts}
	var sels []esxSel
	var times []Sample
	// A slot is one summed rate: a VM's counter or a vmk port.
	type slot struct {
		vals    *[]float64
		counter *Counter // nil for vmk ports
		owner   string
	}
	var slots []slot
	addSlot := func(cols []int, factor float64, sl slot) bool {
		if len(cols) == 0 {
			return false
		}
		for _, c := range cols {
			sels = append(sels, esxSel{col: c, slot: len(slots), factor: factor})
			if sl.counter != nil {
				sl.counter.Inputs = append(sl.counter.Inputs, strings.Clone(header[c]))
			}
		}
		slots = append(slots, sl)
		return true
	}
	for _, v := range h.vms {
		s := &Series{Kind: "esxtop", VM: v.name, Host: v.host, File: name, Line: 1, Sources: []string{name}}
		read, write := v.readAgg, v.writeAgg
		if len(read) == 0 {
			read = v.readDisk
		}
		if len(write) == 0 {
			write = v.writeDisk
		}
		owner := "VM " + quote(v.name)
		if addSlot(v.net, mbitFactor, slot{&s.NetRx, &s.Net, owner}) {
			s.Net.Factor = cntNetRx + " x1e6 bit/s"
		}
		if addSlot(read, mbyteFactor, slot{&s.DiskRead, &s.Read, owner}) {
			s.Read.Factor = cntDiskRd + " x8e6 bit/s (1 MB = 10^6 bytes)"
		}
		if addSlot(write, mbyteFactor, slot{&s.DiskWrite, &s.Write, owner}) {
			s.Write.Factor = cntDiskWr + " x8e6 bit/s (1 MB = 10^6 bytes)"
		}
		if v.cpuCol != "" && len(v.net)+len(read)+len(write) == 0 {
			s.Net.Inputs = []string{v.cpuCol}
		}
		capt.Series = append(capt.Series, s)
	}
	for _, k := range h.vmks {
		vs := &VmkSeries{Host: strings.Clone(k.host), Vmk: strings.Clone(k.name), File: name,
			Input: strings.Clone(header[k.col]), Factor: cntNetTx + " x1e6 bit/s"}
		addSlot([]int{k.col}, mbitFactor, slot{vals: &vs.TX, owner: "vmk port " + quote(k.host+"/"+k.name)})
		capt.Vmks = append(capt.Vmks, vs)
	}
	// Column order lets each row be read front to back.
	sort.SliceStable(sels, func(i, j int) bool { return sels[i].col < sels[j].col })
	// Keep the header cells that messages need, let the rest go.
	cells := make(map[int]string, len(sels))
	for _, s := range sels {
		cells[s.col] = strings.Clone(header[s.col])
	}
	header, h.header = nil, nil

	acc := make([]float64, len(slots))
	empty := make([]int, len(slots))
	prevStamp := ""
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			// A capture stopped mid-write ends in a partial row: drop it.
			if _, err2 := cr.Read(); err2 == io.EOF && line > 0 {
				capt.Warnings = append(capt.Warnings, warnf(name, line, "the last row is incomplete (capture cut off?); ignored"))
				break
			}
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		t, ok := parseStamp(rec[0])
		if !ok {
			return nil, errorf(name, line, "timestamp %q is not MM/DD/YYYY HH:MM:SS", clip(rec[0], 40))
		}
		if n := len(times); n > 0 && t <= times[n-1].End {
			return nil, errorf(name, line, "timestamp %q is not after the previous row's %q", rec[0], prevStamp)
		}
		for i := range acc {
			acc[i] = 0
		}
		for _, s := range sels {
			cell := rec[s.col]
			if strings.TrimSpace(cell) == "" {
				empty[s.slot]++
				continue
			}
			v, ok := parseNumber(cell)
			if !ok {
				return nil, errorf(name, line, "column %d (%s): %q is not a rate (a number >= 0)", s.col+1, cells[s.col], clip(cell, 40))
			}
			acc[s.slot] += v * s.factor
		}
		for i, sl := range slots {
			*sl.vals = append(*sl.vals, acc[i])
		}
		prevStamp = strings.Clone(rec[0])
		times = append(times, Sample{End: t, Stamp: prevStamp, Line: line})
	}
	switch len(times) {
	case 0:
		return nil, errorf(name, 2, "no samples: the capture has a header but no rows")
	case 1:
		return nil, errorf(name, times[0].Line, "only one sample: the sample interval is unknown (capture at least 2 iterations, esxtop -b -n 2 or more)")
	}
	setStarts(times)
	for _, s := range capt.Series {
		s.Times = times
	}
	for _, v := range capt.Vmks {
		v.Times = times
	}
	for i, n := range empty {
		switch {
		case n == 0:
		case slots[i].counter != nil:
			slots[i].counter.Note = fmt.Sprintf("%d empty cells read as 0 (it started or stopped during the capture?)", n)
		default:
			capt.Warnings = append(capt.Warnings, warnf(name, 0, "%s: %d empty cells read as 0", slots[i].owner, n))
		}
	}
	return capt, nil
}

// quote is %q for names in messages.
func quote(s string) string { return strconv.Quote(s) }

// clip shortens s for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
