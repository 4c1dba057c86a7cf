package importer

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ftsim/ftsim/model"
)

// vcDefaultDuration is the run length when no history gives one.
const vcDefaultDuration = 600.0

// switchStack is the stack every assumed switch belongs to.
const switchStack = "vcenter"

// VCImport is a design read from vCenter turned into a scenario.
type VCImport struct {
	Name        string
	Description string
	Duration    float64
	Switches    []string
	Hosts       []*VCHostOut
	VMs         []*VCVMOut
	LAGs        []string // YAML flow mappings
	Failures    []string
	Prov        [][]string
	Warnings    []*Error
}

// VCHostOut is a host as the scenario writes it.
type VCHostOut struct {
	Name, IP, MAC string
	PortID        uint32
	MTU           int
	Vmnics        []string // YAML flow mappings
	Team          []string // YAML lines under teaming:
	Comment       string
}

// VCVMOut is an FT VM as the scenario writes it.
type VCVMOut struct {
	Name, Primary, Secondary, Mode string
	VCPUs                          int
	MemoryMB                       int64
	Logging                        string
	Comment                        string
	TraceFile                      string
	Trace                          []Point
}

// BuildVCenter turns a design into a scenario that validates and runs as
// written: names sanitised, teams made consistent with the model's rules
// (each change a warning), switches assumed (see the package doc).
func BuildVCenter(d *VCDesign, opts VCenterOptions) (*VCImport, error) {
	imp := &VCImport{Name: scenarioName(opts.Name), Warnings: append([]*Error(nil), d.Warnings...)}
	if opts.Name == "" {
		imp.Name = "vcenter"
	}
	switch opts.Mode {
	case "", ModeLegacy, ModeSMP:
	default:
		return nil, vcErrorf("--mode %q: want legacy or smp", opts.Mode)
	}
	warn := func(format string, args ...any) { imp.Warnings = append(imp.Warnings, warnf("", 0, format, args...)) }
	prov := func(object, field, value, source, note string) {
		imp.Prov = append(imp.Prov, []string{object, field, value, source, note})
	}
	where := "datacenter " + d.Datacenter
	if d.Cluster != "" {
		where += ", cluster " + d.Cluster
	}
	prov("vcenter", "server", d.Server, "--url / GOVC_URL", "")
	prov("vcenter", "scope", where, "--datacenter, --cluster", "")

	// Hosts, in name order (file order decides placement).
	hostNames := newNameSet()
	safeHost := map[string]string{}
	usedIP := map[netip.Addr]bool{}
	usedMAC := map[string]bool{}
	usedPort := map[uint32]bool{}
	for _, h := range d.Hosts {
		if h.FT == nil {
			continue
		}
		if ip, err := netip.ParseAddr(h.FT.IP); err == nil && ip.Is4() && !ip.IsUnspecified() {
			if usedIP[ip] {
				h.FT.IP = ""
			} else {
				usedIP[ip] = true
			}
		} else {
			h.FT.IP = ""
		}
		if h.FT.PortID != 0 {
			if usedPort[h.FT.PortID] {
				h.FT.PortID = 0
			} else {
				usedPort[h.FT.PortID] = true
			}
		}
	}
	switchOrder := []string{}
	switchSeen := map[string]bool{}
	addSwitch := func(n string) {
		if !switchSeen[n] {
			switchSeen[n] = true
			switchOrder = append(switchOrder, n)
		}
	}
	hintNames := newNameSet()
	for i := 1; i <= 64; i++ {
		hintNames.used[fmt.Sprintf("uplink-%d", i)] = true
	}
	hintSafe := map[string]string{}
	nextIP := 0
	for hi, h := range d.Hosts {
		if h.FT == nil {
			continue
		}
		name := hostNames.add(h.Name, fmt.Sprintf("host-%d", hi+1))
		safeHost[h.Name] = name
		if name != h.Name {
			warn("host %q is written %q (a scenario name may not hold / ~ , [ ] or control characters)", h.Name, name)
		}
		obj := "host " + name
		out := &VCHostOut{Name: name, MTU: h.FT.MTU}
		prov(obj, "ft_vmknic", h.FT.Device, "config.virtualNicManagerInfo.netConfig["+h.FT.NicType+"].selectedVnic", standInNote(h.FT))
		if h.FT.IP != "" {
			out.IP = h.FT.IP
			prov(obj, "ft_ip", out.IP, "config.network.vnic["+h.FT.Device+"].spec.ip.ipAddress", "")
		} else {
			for {
				nextIP++
				a, _ := netip.ParseAddr(ftIP(nextIP))
				if !usedIP[a] {
					usedIP[a] = true
					out.IP = a.String()
					break
				}
			}
			warn("host %s: %s has no IPv4 address of its own (DHCP, IPv6 or shared); ft_ip %s assumed", name, h.FT.Device, out.IP)
			prov(obj, "ft_ip", out.IP, "assumed", "the vmknic has no unique static IPv4 address")
		}
		if mac := strings.ToLower(h.FT.MAC); validMAC(mac) && !usedMAC[mac] {
			usedMAC[mac] = true
			out.MAC = mac
			prov(obj, "ft_mac", mac, "config.network.vnic["+h.FT.Device+"].spec.mac", "")
		} else {
			prov(obj, "ft_mac", "", "derived by the scenario format", "the vmknic's MAC is missing, invalid or shared")
		}
		if h.FT.PortID != 0 {
			out.PortID = h.FT.PortID
			prov(obj, "ft_port_id", strconv.FormatUint(uint64(out.PortID), 10), h.FT.PortFrom, "")
		} else {
			for id := uint32(50331648 + hi + 1); ; id++ {
				if !usedPort[id] {
					usedPort[id] = true
					out.PortID = id
					break
				}
			}
			prov(obj, "ft_port_id", strconv.FormatUint(uint64(out.PortID), 10), "assumed", "the port ID is unknown or shared with another host")
		}
		switch {
		case out.MTU <= 0:
			out.MTU = 1500
			prov(obj, "mtu", "1500", "assumed", "neither the vmknic nor its switch states an MTU")
		case out.MTU < 1280 || out.MTU > 9000:
			warn("host %s: %s has MTU %d, outside 1280..9000; 1500 assumed", name, h.FT.Device, out.MTU)
			prov(obj, "mtu", "1500", "assumed", fmt.Sprintf("the vmknic's MTU %d is outside 1280..9000", out.MTU))
			out.MTU = 1500
		default:
			prov(obj, "mtu", strconv.Itoa(out.MTU), "config.network.vnic["+h.FT.Device+"].spec.mtu", "")
		}

		// NICs in team order, then the rest.
		nics := map[string]VCNic{}
		for _, n := range h.Nics {
			nics[n.Device] = n
		}
		t := h.Team
		keep := func(list []string, what string) []string {
			var out []string
			for _, n := range list {
				if _, ok := nics[n]; ok && !contains(out, n) {
					out = append(out, n)
				} else if !ok {
					warn("host %s: %s uplink %s is not a NIC with a known speed; left out of the team", name, what, n)
				}
			}
			return out
		}
		active, standby, unused := keep(t.Active, "active"), keep(t.Standby, "standby"), keep(t.Unused, "unused")
		standby = minus(standby, active)
		unused = minus(minus(unused, active), standby)
		for _, n := range t.Notes {
			warn("host %s: %s", name, n)
		}
		policy, ok := model.ParsePolicy(t.Policy)
		if t.Policy == "lacp" {
			policy, ok = model.LACP, true
		}
		switch {
		case !ok:
			warn("host %s: teaming policy %q is not known; Route based on originating virtual port assumed", name, t.Policy)
			policy = model.PortID
		case policy == model.LACP && t.LAG == nil:
			warn("host %s: the team names no LAG this host has; Route based on originating virtual port assumed", name)
			policy = model.PortID
		case t.VSwitch != "distributed" && (policy == model.LACP || policy == model.NICLoad):
			warn("host %s: %s needs a distributed switch; Route based on originating virtual port assumed", name, policy.VSphereName())
			policy = model.PortID
		}
		if t.VSwitch != "distributed" {
			t.VSwitch = "standard"
		}
		if len(active) == 0 && len(standby) > 0 {
			warn("host %s: the FT port group has no active uplink; standby %s taken as active", name, standby[0])
			active, standby = standby[:1], standby[1:]
		}
		if len(active) == 0 {
			if len(h.Nics) == 0 {
				warn("host %s has no NIC with a known speed; left out with its FT VMs", name)
				delete(safeHost, h.Name)
				continue
			}
			warn("host %s: the FT port group has no usable uplink; %s assumed", name, h.Nics[0].Device)
			active = []string{h.Nics[0].Device}
			unused = without(unused, h.Nics[0].Device)
		}
		beacon := t.Beacon
		switch policy {
		case model.IPHash:
			if len(standby) > 0 || len(unused) > 0 {
				warn("host %s: Route based on IP hash uses all uplinks as active; standby/unused %s left out of the team", name, strings.Join(append(append([]string{}, standby...), unused...), ", "))
				standby, unused = nil, nil
			}
			if beacon {
				warn("host %s: Route based on IP hash supports link status only; beacon probing dropped", name)
				beacon = false
			}
		case model.LACP:
			if len(standby) > 0 {
				unused = append(unused, standby...)
				standby = nil
			}
		}
		order := append(append(append([]string{}, active...), standby...), unused...)
		for _, n := range h.Nics {
			if !contains(order, n.Device) {
				order = append(order, n.Device)
			}
		}
		for k, dev := range order {
			n := nics[dev]
			sw := fmt.Sprintf("uplink-%d", k+1)
			src := "assumed: uplink position " + strconv.Itoa(k+1)
			if hn, ok := h.Hints[dev]; ok {
				if hintSafe[hn] == "" {
					hintSafe[hn] = hintNames.add(hn, "switch")
				}
				sw, src = hintSafe[hn], "QueryNetworkHint (CDP/LLDP)"
			}
			addSwitch(sw)
			out.Vmnics = append(out.Vmnics, fmt.Sprintf("{name: %s, speed: %s, switch: %s}", yamlStr(dev), mbString(n.SpeedMb), yamlStr(sw)))
			prov(obj+" "+dev, "speed", mbString(n.SpeedMb), n.SpeedFrom, "")
			prov(obj+" "+dev, "switch", sw, src, h.HintErr)
			if !n.LinkUp {
				imp.Failures = append(imp.Failures, fmt.Sprintf("{at: 0s, vmnic: %s}", yamlStr(name+"/"+dev)))
				prov(obj+" "+dev, "failure", "link_down at 0s", "config.network.pnic["+dev+"].linkSpeed unset", "the NIC has no link")
			}
		}
		vsw := t.VSwitch
		team := []string{
			"load_balancing: " + string(policy),
			"vswitch: " + vsw,
			"active: " + flowList(active),
			"standby: " + flowList(standby),
			"unused: " + flowList(unused),
			"failback: " + strconv.FormatBool(t.Failback),
			"notify_switches: " + strconv.FormatBool(t.Notify),
		}
		det := "link_status"
		if beacon {
			det = "beacon_probing"
		}
		team = append(team, "failure_detection: "+det)
		src := t.Source
		prov(obj, "teaming.load_balancing", string(policy), src, "port group "+t.Portgroup+" on "+t.VSwitch+" switch "+t.Switch)
		prov(obj, "teaming.active", strings.Join(active, " "), src, "")
		prov(obj, "teaming.standby", strings.Join(standby, " "), src, "")
		prov(obj, "teaming.failback", strconv.FormatBool(t.Failback), src, "failback = not rollingOrder")
		prov(obj, "teaming.failure_detection", det, src, "failureCriteria.checkBeacon")
		switch policy {
		case model.LACP:
			hash, ok := model.ParseLACPHash(t.LAG.Hash)
			if !ok {
				if t.LAG.Hash != "" {
					warn("host %s: LAG %s hashes by %q, not a known algorithm; %s assumed", name, t.LAG.Name, t.LAG.Hash, model.DefaultLACPHash)
				}
				hash = model.DefaultLACPHash
			}
			timeout := "slow"
			if strings.EqualFold(t.LAG.Timeout, "fast") {
				timeout = "fast"
			}
			team = append(team, fmt.Sprintf("lacp: {hash: %s, timeout: %s}", hash, timeout))
			imp.LAGs = append(imp.LAGs, fmt.Sprintf("{host: %s, vmnics: %s, mode: lacp, hash: %s}", yamlStr(name), flowList(active), hash))
			prov(obj, "lag", t.LAG.Name+": "+strings.Join(active, " "), "dvs config.lacpGroupConfig["+t.LAG.Name+"] and the host's proxySwitch uplink ports", "mode "+t.LAG.Mode+", hash "+hash+", timeout "+timeout+"; the switch side is assumed to match")
		case model.IPHash:
			imp.LAGs = append(imp.LAGs, fmt.Sprintf("{host: %s, vmnics: %s, mode: static}", yamlStr(name), flowList(active)))
			prov(obj, "lag", "static: "+strings.Join(active, " "), "assumed", "Route based on IP hash needs a static EtherChannel on the switches")
		}
		out.Team = team
		out.Comment = fmt.Sprintf("%s %s on %s switch %s, port group %s", h.FT.Device, h.FT.NicType, vsw, t.Switch, t.Portgroup)
		imp.Hosts = append(imp.Hosts, out)
	}
	if len(imp.Hosts) == 0 {
		return nil, vcErrorf("no host with an FT logging vmkernel adapter and a usable NIC")
	}
	// uplink-1, uplink-2, ... first, then the switches CDP/LLDP named.
	sort.SliceStable(switchOrder, func(i, j int) bool {
		a, b := strings.HasPrefix(switchOrder[i], "uplink-"), strings.HasPrefix(switchOrder[j], "uplink-")
		if a != b {
			return a
		}
		return natLess(switchOrder[i], switchOrder[j])
	})
	imp.Switches = switchOrder

	// VMs.
	vmNames := newNameSet()
	traceNames := map[string]bool{}
	t0, t1 := math.Inf(1), math.Inf(-1)
	type rated struct {
		vm   *VCVM
		out  *VCVMOut
		rate []float64
	}
	var rs []rated
	smpWithoutDirty := false
	for i, v := range d.VMs {
		prim, ok1 := safeHost[v.Primary]
		sec, ok2 := safeHost[v.Secondary]
		if !ok1 || !ok2 || prim == sec {
			warn("VM %s: its primary or secondary host is left out; left out", v.Name)
			continue
		}
		if v.VCPUs > maxFTVCPUs {
			return nil, vcErrorf("VM %s has %d vCPUs: FT protects VMs of at most %d vCPUs", v.Name, v.VCPUs, maxFTVCPUs)
		}
		if v.VCPUs < 1 {
			v.VCPUs = 1
		}
		name := vmNames.add(v.Name, fmt.Sprintf("vm-%d", i+1))
		if name != v.Name {
			warn("VM %q is written %q", v.Name, name)
		}
		o := &VCVMOut{Name: name, Primary: prim, Secondary: sec, VCPUs: v.VCPUs, MemoryMB: v.MemoryMB}
		obj := "vm " + name
		o.Mode, ok1 = ModeSMP, true
		modeSrc := "default: smp (vm.uselegacyft not true)"
		switch {
		case opts.Mode != "":
			o.Mode, modeSrc = opts.Mode, "--mode"
			if (opts.Mode == ModeLegacy) != v.LegacyFT && !v.Planned {
				warn("VM %s: --mode %s differs from its vm.uselegacyft (%t)", name, opts.Mode, v.LegacyFT)
			}
		case v.LegacyFT:
			o.Mode, modeSrc = ModeLegacy, "config.extraConfig vm.uselegacyft = true"
		}
		if o.Mode == ModeLegacy && v.VCPUs > 1 {
			warn("VM %s has %d vCPUs: legacy FT protects 1 vCPU only; smp used", name, v.VCPUs)
			o.Mode, modeSrc = ModeSMP, "smp: legacy FT protects 1 vCPU only"
		}
		if o.Mode == ModeSMP && opts.Dirty == 0 {
			smpWithoutDirty = true
		}
		role := "running FT pair"
		if v.Planned {
			role = "planned (--protect): FT not turned on yet"
		}
		prov(obj, "primary", prim, "runtime.host", role)
		prov(obj, "secondary", sec, v.SecondaryFrom, "")
		prov(obj, "vcpus", strconv.Itoa(v.VCPUs), "config.hardware.numCPU", "")
		if v.MemoryMB > 0 {
			prov(obj, "memory", fmt.Sprintf("%dMiB", v.MemoryMB), "config.hardware.memoryMB", "")
		}
		prov(obj, "mode", o.Mode, modeSrc, "")

		if len(v.Times) > 0 {
			rate := make([]float64, len(v.Times))
			for k := range rate {
				at := func(s []float64) float64 {
					if s == nil {
						return 0
					}
					return s[k]
				}
				if o.Mode == ModeLegacy {
					rate[k] = (at(v.DiskRead) + at(v.NetRx)) * legacyHeadroom
				} else {
					rate[k] = at(v.DiskWrite) + at(v.NetRx) + opts.Dirty
				}
			}
			if seriesMean(v.Times, rate) > 0 {
				t0 = min(t0, v.Times[0].Start)
				t1 = max(t1, v.Times[len(v.Times)-1].End)
				rs = append(rs, rated{v, o, rate})
				imp.VMs = append(imp.VMs, o)
				continue
			}
			v.StatsNote = "all its counters are 0 in the interval"
		}
		switch {
		case !v.Planned && v.FTLogKBps > 0:
			r := kbpsToBits(v.FTLogKBps)
			o.Logging = fmt.Sprintf("{rate: %s, pattern: poisson}", bitRate(r))
			o.Comment = "logging from summary.quickStats.ftLogBandwidth (no history)"
			prov(obj, "logging.rate", bitRate(r), "summary.quickStats.ftLogBandwidth", fmt.Sprintf("%d KB/s x 8000; the FT log rate measured now, no history (%s)", v.FTLogKBps, noHistory(d, v)))
			imp.VMs = append(imp.VMs, o)
		case v.Planned:
			return nil, vcErrorf("--protect %s: no logging rate: %s; use --stats realtime or day on a powered-on VM", v.Name, noHistory(d, v))
		default:
			warn("VM %s: no logging rate (%s, FT log bandwidth not reported); left out", name, noHistory(d, v))
		}
	}
	if smpWithoutDirty {
		warn("SMP-FT VMs without --dirty-memory: vCenter has no dirty-page rate, so memory dirtying is counted as 0 and the estimate is a floor")
	}
	if len(imp.VMs) == 0 {
		return nil, vcErrorf("no FT VM has a logging rate: nothing to simulate")
	}
	imp.Duration = vcDefaultDuration
	if len(rs) > 0 {
		imp.Duration = roundTo(t1-t0, 1e3)
	}
	for _, r := range rs {
		o, v := r.out, r.vm
		var fill []string
		var row Row
		o.Trace, row, fill = cut(v.Times, r.rate, t0, t1, imp.Duration)
		for _, f := range fill {
			warn("VM %s: %s", o.Name, f)
		}
		o.TraceFile = traceFile(o.Name, traceNames)
		o.Logging = fmt.Sprintf("{trace: %s, pattern: poisson}", yamlStr(o.TraceFile))
		o.Comment = fmt.Sprintf("mean %s, p95 %s, peak %s at %s (t = %s)", mbps(row.Mean), mbps(row.P95), mbps(row.Peak), row.PeakStamp, fmtSeconds(row.PeakT))
		inputs := []string{"net.received.average"}
		formula := "legacy: (disk.read x 8 + net.received) x 1.2"
		if o.Mode == ModeSMP {
			inputs = append(inputs, "disk.write.average")
			formula = "smp: disk.write x 8 + net.received + dirty memory " + strconv.FormatFloat(opts.Dirty, 'f', -1, 64) + " bit/s"
		} else {
			inputs = append(inputs, "disk.read.average")
		}
		var units []string
		for _, in := range inputs {
			if u := v.Units[in]; u != "" {
				units = append(units, in+" "+u+" x"+strconv.FormatFloat(unitBits[u], 'f', -1, 64)+" bit/s")
			} else {
				units = append(units, in+" absent: 0")
			}
		}
		src := fmt.Sprintf("PerformanceManager.QueryPerf %s, interval %ds, %d samples, %s to %s", strings.Join(inputs, " + "), v.StatsInterval, row.Samples, v.Times[0].Stamp, v.Times[len(v.Times)-1].Stamp)
		note := strings.Join(units, "; ") + "; " + formula
		if v.StatsNote != "" {
			note += "; " + v.StatsNote
		}
		obj := "vm " + o.Name
		prov(obj, "logging.trace", o.TraceFile, src, note)
		prov(obj, "logging.mean_bps", num0(row.Mean), src, "time-weighted over the run")
		prov(obj, "logging.p95_bps", num0(row.P95), src, "")
		prov(obj, "logging.peak_bps", num0(row.Peak), src, "at "+row.PeakStamp)
		if v.FTLogKBps > 0 {
			prov(obj, "ft_log_bandwidth_bps", num0(kbpsToBits(v.FTLogKBps)), "summary.quickStats.ftLogBandwidth", "measured FT log rate now, to compare with the estimate")
		}
	}

	imp.Description = fmt.Sprintf("Imported from vCenter %s, %s: %d hosts, %d FT VMs", d.Server, where, len(imp.Hosts), len(imp.VMs))
	if len(rs) > 0 {
		imp.Description += fmt.Sprintf("; rates from %s statistics, %s to %s", d.Stats, stampUTC(t0), stampUTC(t1))
	}
	return imp, nil
}

func standInNote(v *VCVmk) string {
	if v.NicType == "management" {
		return "stand-in: the host has no FT logging vmknic (--use-management-vmknic)"
	}
	return ""
}

func noHistory(d *VCDesign, v *VCVM) string {
	switch {
	case d.Stats == StatsNone:
		return "--stats none"
	case v.StatsNote != "":
		return v.StatsNote
	}
	return "no performance history"
}

func validMAC(s string) bool {
	if len(s) != 17 || s == "00:00:00:00:00:00" {
		return false
	}
	for i := 0; i < 17; i++ {
		c := s[i]
		if i%3 == 2 {
			if c != ':' {
				return false
			}
		} else if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// minus is list without the items of drop, in order.
func minus(list, drop []string) []string {
	var out []string
	for _, x := range list {
		if !contains(drop, x) {
			out = append(out, x)
		}
	}
	return out
}

func without(list []string, s string) []string {
	var out []string
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func flowList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = yamlStr(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// mbString writes a link speed in Mb/s as the scenario writes rates.
func mbString(mb int) string {
	if mb%1000 == 0 {
		return strconv.Itoa(mb/1000) + "Gbps"
	}
	return strconv.Itoa(mb) + "Mbps"
}

// bitRate writes bits per second as a scenario bit rate, rounded to the bit.
func bitRate(bps float64) string {
	return strconv.FormatFloat(math.Round(bps), 'f', 0, 64) + "bps"
}

func num0(x float64) string { return strconv.FormatFloat(math.Round(x), 'f', 0, 64) }

func stampUTC(t float64) string {
	sec := math.Floor(t)
	return time.Unix(int64(sec), int64((t-sec)*1e9)).UTC().Format("2006-01-02 15:04:05 UTC")
}

// VCenterProvenanceHeader is the first row of provenance.csv from vCenter:
// one row per figure of the scenario.
var VCenterProvenanceHeader = []string{"object", "field", "value", "source", "note"}

// Files renders the import: scenario.yaml, provenance.csv, then one
// trace per VM with history. The same import gives the same bytes.
func (imp *VCImport) Files() []File {
	out := []File{{"scenario.yaml", imp.Scenario()}, {"provenance.csv", imp.Provenance()}}
	for _, vm := range imp.VMs {
		if vm.TraceFile != "" {
			out = append(out, File{vm.TraceFile, TraceCSV(vm.Trace)})
		}
	}
	return out
}

// Provenance writes provenance.csv.
func (imp *VCImport) Provenance() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(VCenterProvenanceHeader)
	w.WriteAll(imp.Prov)
	w.Flush()
	return b.Bytes()
}

// Scenario writes scenario.yaml.
func (imp *VCImport) Scenario() []byte {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Written by ftsim import vcenter. provenance.csv says where each figure comes from.\n")
	p("# Switches are not in vCenter: each host's uplink position k (the FT port group's\n")
	p("# active, standby and unused uplinks, then its other NICs) is on switch uplink-k\n")
	p("# unless CDP/LLDP named the switch, and all switches are one stack (%s), so IP hash\n", switchStack)
	p("# and LACP teams validate. Route based on IP hash assumes a static EtherChannel on\n")
	p("# the switches. Edit switches:, inter_switch_links: and lags: to match the fabric.\n")
	p("name: %s\n", yamlStr(imp.Name))
	p("description: %s\n", strconv.Quote(imp.Description))
	p("duration: %s\n", fmtSeconds(imp.Duration))
	p("warmup: 0s\n")
	p("seed: 1\n\n")
	p("switches:\n")
	for _, s := range imp.Switches {
		p("  - {name: %s, stack: %s}\n", yamlStr(s), switchStack)
	}
	if len(imp.LAGs) > 0 {
		p("\nlags:\n")
		for _, l := range imp.LAGs {
			p("  - %s\n", l)
		}
	}
	p("\nhosts:\n")
	for _, h := range imp.Hosts {
		p("  # %s\n", h.Comment)
		p("  - name: %s\n", yamlStr(h.Name))
		p("    ft_ip: %s\n", h.IP)
		if h.MAC != "" {
			p("    ft_mac: %q\n", h.MAC)
		}
		p("    ft_port_id: %d\n", h.PortID)
		p("    mtu: %d\n", h.MTU)
		p("    vmnics:\n")
		for _, v := range h.Vmnics {
			p("      - %s\n", v)
		}
		p("    teaming:\n")
		for _, t := range h.Team {
			p("      %s\n", t)
		}
	}
	p("\nft_vms:\n")
	for _, vm := range imp.VMs {
		if vm.Comment != "" {
			p("  # %s\n", vm.Comment)
		}
		p("  - name: %s\n", yamlStr(vm.Name))
		p("    primary: %s\n", yamlStr(vm.Primary))
		p("    secondary: %s\n", yamlStr(vm.Secondary))
		p("    mode: %s\n", vm.Mode)
		p("    vcpus: %d\n", vm.VCPUs)
		if vm.MemoryMB > 0 {
			p("    memory: %dMiB\n", vm.MemoryMB)
		}
		p("    logging: %s\n", vm.Logging)
	}
	if len(imp.Failures) > 0 {
		p("\n# NICs without link in vCenter fail at the start.\nfailures:\n")
		for _, f := range imp.Failures {
			p("  - %s\n", f)
		}
	}
	return b.Bytes()
}

// DurationText is the run length as the scenario writes it.
func (imp *VCImport) DurationText() string { return fmtSeconds(imp.Duration) }

// Summary says where a VM's logging rate comes from, for the terminal.
func (vm *VCVMOut) Summary() string {
	if vm.TraceFile != "" {
		return vm.TraceFile + " (" + vm.Comment + ")"
	}
	return strings.TrimPrefix(strings.TrimSuffix(vm.Logging, ", pattern: poisson}"), "{") + " (" + vm.Comment + ")"
}
