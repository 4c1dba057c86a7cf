package model

import (
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Presets are the logging rates of the FT paper's Table 1 (docs/model.md 3).
var Presets = map[string]BitRate{
	"specjbb2005":       1.5e6,
	"kernel_compile":    3.0e6,
	"oracle_swingbench": 12e6,
	"mssql_dvdstore":    18e6,
}

// PresetNames lists the presets in Table 1 order.
var PresetNames = []string{"specjbb2005", "kernel_compile", "oracle_swingbench", "mssql_dvdstore"}

// LegacyHeadroom is the factor of VMware's legacy FT sizing rule:
// logging = (disk reads x 8 + network input) x 1.2 (docs/model.md 2.1).
const LegacyHeadroom = 1.2

// Modes of FT.
const (
	ModeSMP    = "smp"
	ModeLegacy = "legacy"
)

// vmMeta keeps the positions behind one expanded FTVM.
type vmMeta struct {
	pos                Pos
	name               Pos
	group              string // the group's name when count: is written
	primary, secondary Pos    // where the host was named (the placement when spread)
	spread             bool
	vcpus, mode        Pos
	vcpusBad           bool // vcpus was wrong: left out of the FT limits
	ok                 bool // primary and secondary named and parsed
	load               Pos  // the logging source, where a checkpoint load warning goes
}

var vmKeys = []string{"name", "count", "placement", "primary", "secondary", "vcpus", "memory", "mode", "logging", "ft", "checkpoint"}

// from_stats inputs by FT mode.
var (
	legacyInputs = []string{"disk_read", "network_rx"}
	smpInputs    = []string{"disk_write", "network_rx", "dirty_memory"}
)

func (l *loader) vms(root *mapping) {
	n := root.get("ft_vms")
	if n == nil {
		l.errorf(posOf(root.node), "the scenario needs ft_vms: the FT-protected VMs")
		return
	}
	items, ok := l.sequence(n, "ft_vms")
	if !ok {
		return
	}
	if len(items) == 0 {
		l.errorf(root.keyPos("ft_vms"), "ft_vms must list at least one FT VM")
	}
	spreadK := 0
	for _, it := range items {
		m := l.mapping(it, "an FT VM", vmKeys)
		if m == nil {
			continue
		}
		l.vm(m, &spreadK)
		if len(l.sc.VMs) > maxVMs {
			l.errorf(posOf(m.node), "ft_vms expands to more than %d VMs; ftsim simulates at most %d", maxVMs, maxVMs)
			panic(refused{})
		}
	}
}

// vm reads one `ft_vms:` item and appends the VMs it expands to.
func (l *loader) vm(m *mapping, spreadK *int) {
	pos := posOf(m.node)
	name := m.name("name", "VM")
	if !m.present("name") {
		l.errorf(pos, "an FT VM needs a name")
	}
	count := m.integer("count", 1, maxVMs)
	placement := m.enum("placement", "spread")
	primary, secondary := m.str("primary"), m.str("secondary")
	spread := placement.set
	if spread {
		for _, o := range []opt[string]{primary, secondary} {
			if o.set {
				l.errorf(o.pos, "placement: spread chooses primary and secondary hosts: remove this line or the placement")
			}
		}
		if len(l.sc.Hosts) < 2 {
			l.errorf(placement.pos, "placement: spread needs at least two hosts")
		}
	} else if !placement.set && m.vals["placement"] == nil {
		if !m.present("primary") {
			l.errorf(pos, "an FT VM needs primary: the host of the primary VM (or placement: spread)")
		}
		if !m.present("secondary") {
			l.errorf(pos, "an FT VM needs secondary: the host of the secondary VM (or placement: spread)")
		}
	}
	mode := m.enum("mode", ModeSMP, ModeLegacy)
	lg, lm := l.logging(m.get("logging"), "logging", false)
	if !m.present("logging") && m.get("logging") == nil {
		l.errorf(pos, "an FT VM needs logging: one of rate, from_stats, preset or trace")
	}
	// The mode follows the logging inputs when it is not written: a
	// from_stats with disk_read is the legacy FT sizing rule.
	modeV := mode.or(ModeSMP)
	if !mode.set && lm.legacyKeys && !lm.smpKeys {
		modeV = ModeLegacy
	}
	l.resolveFromStats(&lg, lm, modeV, mode)
	vcpusMax := int64(8)
	vcpus := m.integer("vcpus", 1, 128)
	vcpusV := int(vcpus.or(2))
	if modeV == ModeLegacy {
		vcpusV = int(vcpus.or(1))
	}
	vcpusBad := m.vals["vcpus"] != nil && !vcpus.set
	if vcpus.set {
		if modeV == ModeLegacy && vcpus.v != 1 {
			l.errorf(vcpus.pos, "legacy FT protects VMs with 1 vCPU, not %d: use mode: smp for more", vcpus.v)
			vcpusBad = true
		} else if vcpus.v > vcpusMax {
			l.errorf(vcpus.pos, "SMP-FT protects VMs with up to %d vCPUs, not %d", vcpusMax, vcpus.v)
			vcpusBad = true
		}
	}
	memory := m.size("memory")
	ftOwn := l.ftSpec(m.get("ft"), "ft")
	ft := ftOwn.apply(l.sc.FT)
	if ftOwn.pos.Line > 0 {
		l.checkFT(l.ftTop, ftOwn, ft)
	}
	ckOwn := l.ckptSpec(m.get("checkpoint"))
	ft.Checkpoint = ckOwn.apply(ft.Checkpoint)
	for _, c := range []ckptSpec{ftOwn.ckpt, ckOwn} {
		if c.written && modeV == ModeLegacy {
			l.errorf(c.pos, "checkpoint applies to SMP-FT VMs (mode: smp): legacy FT streams a record/replay log and takes no checkpoints")
		} else if c.written {
			l.warnFixedIgnores(c, ft.Checkpoint)
		}
	}
	if over := ckOwn; over.written || ftOwn.ckpt.written {
		if !over.written {
			over = ftOwn.ckpt
		} else if ftOwn.ckpt.written {
			over.minInterval = over.minInterval.over(ftOwn.ckpt.minInterval)
			over.maxInterval = over.maxInterval.over(ftOwn.ckpt.maxInterval)
		}
		l.checkCkpt(l.ftTop.ckpt, over, ft.Checkpoint)
	}
	memV := memory.or(8 << 30)
	if lm.workingSet.set {
		switch {
		case modeV == ModeLegacy:
			l.errorf(lm.workingSet.pos, "working_set applies to SMP-FT VMs (mode: smp): legacy FT copies no memory per epoch")
		case lm.workingSet.v > memV:
			l.errorf(lm.workingSet.pos, "working_set %s is larger than the VM's memory %s: the VM's writes land in its memory", lm.workingSet.v, memV)
		}
	}

	n := 1
	if count.set {
		n = int(count.v)
	}
	if len(l.sc.VMs)+n > maxVMs {
		l.errorf(count.pos, "ft_vms expands to more than %d VMs; ftsim simulates at most %d", maxVMs, maxVMs)
		panic(refused{})
	}
	for i := 1; i <= n; i++ {
		vm := FTVM{
			Name:     name.v,
			Index:    len(l.sc.VMs),
			Primary:  primary.v,
			VCPUs:    vcpusV,
			Memory:   memV,
			Mode:     modeV,
			Logging:  lg,
			FT:       ft,
			Position: pos,
		}
		vm.Secondary = secondary.v
		meta := vmMeta{pos: pos, name: firstPos(name.pos, pos), primary: primary.pos, secondary: secondary.pos,
			spread: spread, vcpus: firstPos(vcpus.pos, pos), mode: firstPos(mode.pos, pos), ok: primary.set && secondary.set,
			vcpusBad: vcpusBad, load: firstPos(lm.sourcePos, lm.pos, pos)}
		if count.set {
			vm.Name = name.v + "-" + strconv.Itoa(i)
			meta.group = name.v
		}
		if spread && len(l.sc.Hosts) >= 2 {
			hs := l.sc.Hosts
			vm.Primary = hs[*spreadK%len(hs)].Name
			vm.Secondary = hs[(*spreadK+1)%len(hs)].Name
			meta.primary, meta.secondary, meta.ok = placement.pos, placement.pos, true
			*spreadK++
		}
		l.sc.VMs = append(l.sc.VMs, vm)
		l.vmMeta = append(l.vmMeta, meta)
	}
}

// loggingMeta keeps what the logging block said, for checks that need the
// VM's mode.
type loggingMeta struct {
	pos        Pos
	statsPos   map[string]Pos
	legacyKeys bool // from_stats used disk_read
	smpKeys    bool // from_stats used disk_write or dirty_memory
	patternPos Pos
	sourcePos  Pos
	workingSet opt[Size]
}

var loggingKeys = []string{"rate", "from_stats", "preset", "trace", "pattern", "on", "off", "working_set"}

var backgroundLoggingKeys = []string{"host", "vmnic", "direction", "rate", "trace", "pattern", "on", "off"}

// logging reads a logging block (an FT VM's `logging:` or a background
// item, whose keys sit beside host and vmnic). Rates from from_stats are
// resolved later by resolveFromStats, once the VM's mode is known.
func (l *loader) logging(n *yaml.Node, what string, background bool) (Logging, loggingMeta) {
	lg := Logging{Pattern: Poisson}
	lm := loggingMeta{statsPos: map[string]Pos{}}
	if n == nil {
		return lg, lm
	}
	keys := loggingKeys
	if background {
		keys = backgroundLoggingKeys
	}
	m := l.mapping(n, what, keys)
	if m == nil {
		return lg, lm
	}
	lm.pos = posOf(m.node)
	var sources []string
	for _, k := range []string{"rate", "from_stats", "preset", "trace"} {
		if m.vals[k] != nil {
			sources = append(sources, k)
		}
	}
	switch {
	case len(sources) == 0:
		if background {
			l.errorf(lm.pos, "background traffic needs rate: (or trace:)")
		} else {
			l.errorf(lm.pos, "%s needs one of rate, from_stats, preset or trace", what)
		}
	case len(sources) > 1:
		l.errorf(m.keyPos(sources[1]), "%s takes exactly one of rate, from_stats, preset or trace; it has %s and %s", what, sources[0], sources[1])
	}
	if len(sources) > 0 {
		lg.Source = sources[0]
		lm.sourcePos = posOf(m.vals[sources[0]])
	}
	switch lg.Source {
	case "rate":
		lg.Rate = m.bitRate("rate", positive).v
	case "preset":
		if o := m.str("preset"); o.set {
			if r, ok := Presets[o.v]; ok {
				lg.Preset, lg.Rate = o.v, r
			} else {
				l.errorf(o.pos, "preset %q is not a workload of the FT paper's Table 1: use %s", o.v, orList(PresetNames))
			}
		}
	case "from_stats":
		l.fromStats(m.get("from_stats"), &lg, &lm)
	case "trace":
		if o := m.str("trace"); o.set {
			lg.TraceFile = o.v
			if tr := l.readTrace(o.v, o.pos); tr.ok {
				lg.Trace = tr.points
				if l.durationSet {
					lg.Rate = TraceMean(tr.points, l.sc.Duration)
					if lg.Rate <= 0 {
						l.errorf(o.pos, "trace %q has a mean rate of 0 over the run (duration %s)", o.v, l.sc.Duration)
					}
				}
			}
		}
	}
	if o := m.str("pattern"); o.set {
		lm.patternPos = o.pos
		switch p := Pattern(o.v); p {
		case Constant, Poisson, OnOff, Trace:
			lg.Pattern = p
		default:
			l.errorf(o.pos, "pattern %q is not constant, poisson, onoff or trace", o.v)
		}
	}
	if lg.Pattern == Trace && lg.Source != "trace" && lg.Source != "" {
		l.errorf(lm.patternPos, "pattern: trace needs trace: FILE.csv instead of %s", lg.Source)
	}
	if !background {
		lm.workingSet = m.size("working_set")
		lg.WorkingSet = lm.workingSet.v
	}
	on, off := m.duration("on", positive), m.duration("off", positive)
	if lg.Pattern == OnOff {
		switch {
		case !m.present("on") && !m.present("off"):
			l.errorf(lm.patternPos, "pattern: onoff needs on: and off:, the mean on and off periods, such as on: 200ms and off: 800ms")
		case !m.present("on"):
			l.errorf(lm.patternPos, "pattern: onoff needs on: the mean on period, such as on: 200ms")
		case !m.present("off"):
			l.errorf(lm.patternPos, "pattern: onoff needs off: the mean off period, such as off: 800ms")
		}
		lg.On, lg.Off = on.v, off.v
	} else {
		for _, o := range []opt[Duration]{on, off} {
			if o.set {
				l.errorf(o.pos, "on and off apply only to pattern: onoff")
			}
		}
	}
	return lg, lm
}

func (l *loader) fromStats(n *yaml.Node, lg *Logging, lm *loggingMeta) {
	all := append(append([]string{}, legacyInputs...), "disk_write", "dirty_memory")
	m := l.mapping(n, "from_stats", all)
	if m == nil {
		return
	}
	lg.FromStats = map[string]float64{}
	for _, k := range all {
		if m.vals[k] == nil {
			continue
		}
		var v float64
		var p Pos
		if k == "network_rx" {
			o := m.bitRate(k, allowZero)
			v, p = float64(o.v), o.pos
			if !o.set {
				continue
			}
		} else {
			o := m.byteRate(k)
			v, p = float64(o.v), o.pos
			if !o.set {
				continue
			}
		}
		lg.FromStats[k] = v
		lm.statsPos[k] = firstPos(p, m.keyPos(k))
		switch k {
		case "disk_read":
			lm.legacyKeys = true
		case "disk_write", "dirty_memory":
			lm.smpKeys = true
		}
	}
	if len(m.vals) == 0 {
		l.errorf(posOf(n), "from_stats needs the VM's statistics: disk_read and network_rx (legacy FT) or disk_write, network_rx and dirty_memory (smp)")
	}
}

// resolveFromStats computes the logging rate of a from_stats source for
// the VM's mode (docs/model.md "Defaults and exact definitions").
func (l *loader) resolveFromStats(lg *Logging, lm loggingMeta, mode string, written opt[string]) {
	if lg.Source != "from_stats" || lg.FromStats == nil {
		return
	}
	allowed := smpInputs
	if mode == ModeLegacy {
		allowed = legacyInputs
	}
	bad := false
	for _, k := range sortedKeys(lg.FromStats) {
		if !inList(allowed, k) {
			bad = true
			why := "is an input of legacy FT sizing; smp (fast checkpointing) uses disk_write, network_rx and dirty_memory"
			if mode == ModeLegacy {
				why = "is an input of SMP-FT sizing; legacy FT uses disk_read and network_rx"
			}
			if !written.set {
				why += " (or write mode:)"
			}
			l.errorf(lm.statsPos[k], "%s %s", k, why)
		}
	}
	if bad {
		return
	}
	s := lg.FromStats
	var r float64
	if mode == ModeLegacy {
		r = (s["disk_read"]*8 + s["network_rx"]) * LegacyHeadroom
	} else {
		r = s["disk_write"]*8 + s["network_rx"] + s["dirty_memory"]*8
	}
	if r <= 0 && mode == ModeLegacy {
		l.errorf(lm.sourcePos, "from_stats gives a logging rate of 0: FT always logs something")
		return
	}
	// SMP-FT: zeros are valid; every checkpoint still carries its overhead.
	lg.Rate = BitRate(r)
}

func (l *loader) backgrounds(root *mapping) {
	n := root.get("background")
	if n == nil {
		return
	}
	items, _ := l.sequence(n, "background")
	for _, it := range items {
		lg, lm := l.logging(it, "background traffic", true)
		m := l.mapping(it, "background traffic", backgroundLoggingKeys)
		if m == nil {
			continue
		}
		bg := Background{Direction: "tx", Logging: lg}
		meta := bgMeta{pos: lm.pos}
		meta.host, meta.vmnic = m.str("host"), m.str("vmnic")
		if !m.present("host") {
			l.errorf(meta.pos, "background traffic needs host: and vmnic:")
		} else if !m.present("vmnic") {
			l.errorf(meta.pos, "background traffic needs vmnic: the uplink it loads")
		}
		bg.Host, bg.Vmnic = meta.host.v, meta.vmnic.v
		bg.Direction = m.enum("direction", "tx", "rx").or("tx")
		l.sc.Background = append(l.sc.Background, bg)
		l.bgMeta = append(l.bgMeta, meta)
	}
}

type bgMeta struct {
	pos         Pos
	host, vmnic opt[string]
}
