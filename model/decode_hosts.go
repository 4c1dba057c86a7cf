package model

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// vmnicSpec is one `vmnics:` item as written.
type vmnicSpec struct {
	name  opt[string]
	speed opt[BitRate]
	sw    opt[string]
	pos   Pos
	// swWritten is true when switch: was written, even if wrong.
	swWritten bool
}

// teamSpec is a `teaming:` block as written; a host's block is merged
// over `defaults:` key by key.
type teamSpec struct {
	lb                      opt[Policy]
	active, standby, unused nameList
	failback, notify        opt[bool]
	detection               opt[Detection]
	vswitch                 opt[string]
	ipHash, macHash         opt[string]
	linkDetect              opt[Duration]
	beaconInterval          opt[Duration]
	beaconMisses            opt[int64]
	failbackDelay           opt[Duration]
	lbtInterval             opt[Duration]
	lbtThreshold            opt[float64]
	lacpHash, lacpTimeout   opt[string]
	pos                     Pos
}

// hostSpec is `defaults:` or the overridable part of a host as written.
type hostSpec struct {
	mtu    opt[int64]
	vmnics opt[[]vmnicSpec]
	team   teamSpec
	pin    opt[string]
}

// hostMeta keeps the positions behind a Host.
type hostMeta struct {
	pos        Pos
	name       opt[string]
	ip         opt[string] // unset when derived
	mac        opt[string]
	portID     opt[int64]
	spec       hostSpec // merged: host over defaults
	ok         bool     // name valid and unique
	vmnicsFrom Pos      // where the vmnics list was written
}

// Defaults for hosts and teaming (docs/model.md "Defaults and exact definitions").
const (
	defaultMTU           = 1500
	defaultLinkDetect    = 0.1
	defaultBeaconEvery   = 1
	defaultBeaconMisses  = 3
	defaultFailbackDelay = 0.1
	defaultLBTInterval   = 30
	defaultLBTThreshold  = 0.75
	// portIDBase is the first derived FT port ID; host N gets base + N.
	portIDBase = 50331648
	// macBase is the derived FT MAC prefix 00:50:56:6a; host N gets
	// 00:50:56:6a:HH:LL with HH:LL the 16 bits of N.
	macBase MAC = 0x0050566a0000
)

var teamKeys = []string{
	"load_balancing", "active", "standby", "unused", "failback", "failure_detection", "notify_switches",
	"vswitch", "ip_hash", "mac_hash", "link_detect", "beacon", "failback_delay", "lbt", "lacp",
}

func (l *loader) teamSpec(n *yaml.Node, what string) teamSpec {
	t := teamSpec{}
	if n == nil {
		return t
	}
	m := l.mapping(n, what, teamKeys)
	if m == nil {
		return t
	}
	t.pos = posOf(m.node)
	if o := m.str("load_balancing"); o.set {
		if p, ok := ParsePolicy(o.v); ok {
			t.lb = optOf(p, o.pos)
		} else {
			l.errorf(o.pos, "load_balancing %q is not a teaming policy: use %s, or the vSphere name such as \"Route based on IP hash\"", o.v, orList(policyNames()))
		}
	}
	t.active, t.standby, t.unused = m.names("active"), m.names("standby"), m.names("unused")
	t.failback = m.boolean("failback")
	t.notify = m.boolean("notify_switches")
	if o := m.str("failure_detection"); o.set {
		switch strings.ToLower(o.v) {
		case "link_status", "link status only", "link status":
			t.detection = optOf(LinkStatus, o.pos)
		case "beacon_probing", "beacon probing":
			t.detection = optOf(BeaconProbing, o.pos)
		default:
			l.errorf(o.pos, "failure_detection %q is not link_status (\"Link status only\") or beacon_probing (\"Beacon probing\")", o.v)
		}
	}
	t.vswitch = m.enum("vswitch", "distributed", "standard")
	t.ipHash = m.enum("ip_hash", "last_octet", "full_address")
	t.macHash = m.enum("mac_hash", "whole_mac", "last_byte")
	t.linkDetect = m.duration("link_detect", positive)
	t.failbackDelay = m.duration("failback_delay", positive)
	if bn := m.get("beacon"); bn != nil {
		if b := l.mapping(bn, "beacon", []string{"interval", "misses"}); b != nil {
			t.beaconInterval = b.duration("interval", positive)
			t.beaconMisses = b.integer("misses", 1, 100)
		}
	}
	if ln := m.get("lbt"); ln != nil {
		if b := l.mapping(ln, "lbt", []string{"interval", "threshold"}); b != nil {
			t.lbtInterval = b.duration("interval", positive)
			t.lbtThreshold = b.percent("threshold", false)
		}
	}
	if ln := m.get("lacp"); ln != nil {
		if b := l.mapping(ln, "lacp", []string{"hash", "timeout"}); b != nil {
			if o := b.str("hash"); o.set {
				if h, ok := ParseLACPHash(o.v); ok {
					t.lacpHash = optOf(h, o.pos)
				} else {
					l.errorf(o.pos, "hash %q is not a LAG hash algorithm: use one of %s", o.v, orList(LACPHashes))
				}
			}
			t.lacpTimeout = b.enum("timeout", "slow", "fast")
		}
	}
	return t
}

func policyNames() []string {
	var s []string
	for _, p := range AllPolicies {
		s = append(s, string(p))
	}
	return s
}

// over merges t (a host's teaming) over def (`defaults:`), key by key.
func (t teamSpec) over(def teamSpec) teamSpec {
	r := teamSpec{
		lb:             t.lb.over(def.lb),
		failback:       t.failback.over(def.failback),
		notify:         t.notify.over(def.notify),
		detection:      t.detection.over(def.detection),
		vswitch:        t.vswitch.over(def.vswitch),
		ipHash:         t.ipHash.over(def.ipHash),
		macHash:        t.macHash.over(def.macHash),
		linkDetect:     t.linkDetect.over(def.linkDetect),
		beaconInterval: t.beaconInterval.over(def.beaconInterval),
		beaconMisses:   t.beaconMisses.over(def.beaconMisses),
		failbackDelay:  t.failbackDelay.over(def.failbackDelay),
		lbtInterval:    t.lbtInterval.over(def.lbtInterval),
		lbtThreshold:   t.lbtThreshold.over(def.lbtThreshold),
		lacpHash:       t.lacpHash.over(def.lacpHash),
		lacpTimeout:    t.lacpTimeout.over(def.lacpTimeout),
		pos:            firstPos(t.pos, def.pos),
	}
	r.active, r.standby, r.unused = def.active, def.standby, def.unused
	if t.active.set {
		r.active = t.active
	}
	if t.standby.set {
		r.standby = t.standby
	}
	if t.unused.set {
		r.unused = t.unused
	}
	return r
}

var vmnicKeys = []string{"name", "speed", "switch"}

func (l *loader) vmnicSpecs(n *yaml.Node) opt[[]vmnicSpec] {
	if n == nil {
		return opt[[]vmnicSpec]{}
	}
	items, ok := l.sequence(n, "vmnics")
	if !ok {
		return opt[[]vmnicSpec]{}
	}
	specs := []vmnicSpec{}
	seen := map[string]Pos{}
	for _, it := range items {
		m := l.mapping(it, "a vmnic", vmnicKeys)
		if m == nil {
			continue
		}
		v := vmnicSpec{pos: posOf(m.node)}
		v.name = m.name("name", "vmnic")
		if !m.present("name") {
			l.errorf(v.pos, "a vmnic needs a name, such as name: vmnic0")
		}
		if !m.present("speed") {
			l.errorf(v.pos, "a vmnic needs a speed, such as speed: 10Gbps")
		}
		v.speed = m.bitRate("speed", positive)
		v.sw = m.str("switch")
		v.swWritten = m.vals["switch"] != nil
		if v.sw.set && !l.checkSwitch(v.sw.v, v.sw.pos) {
			v.sw = opt[string]{}
		}
		if !v.name.set {
			continue
		}
		if p, dup := seen[v.name.v]; dup {
			l.errorf(v.name.pos, "vmnic %q is listed twice (first at line %d)", v.name.v, p.Line)
			continue
		}
		seen[v.name.v] = v.name.pos
		specs = append(specs, v)
	}
	return optOf(specs, posOf(n))
}

var defaultsKeys = []string{"mtu", "vmnics", "teaming", "pin"}

var hostKeys = []string{"name", "ft_ip", "ft_mac", "ft_port_id", "mtu", "vmnics", "teaming", "pin"}

func (l *loader) hostSpec(m *mapping, what string) hostSpec {
	return hostSpec{
		mtu:    m.integer("mtu", 1280, 9000),
		vmnics: l.vmnicSpecs(m.get("vmnics")),
		team:   l.teamSpec(m.get("teaming"), what),
		pin:    m.str("pin"),
	}
}

func (l *loader) hosts(root *mapping) {
	if dn := root.get("defaults"); dn != nil {
		l.decoder.defaults = [2]int{root.keyPos("defaults").Line, lastLine(dn, 0)}
		if m := l.mapping(dn, "defaults", defaultsKeys); m != nil {
			l.defaults = l.hostSpec(m, "defaults.teaming")
		}
	}
	n := root.get("hosts")
	if n == nil {
		l.errorf(posOf(root.node), "the scenario needs hosts: the ESXi hosts with their FT vmkernel ports")
		return
	}
	items, ok := l.sequence(n, "hosts")
	if !ok {
		return
	}
	if len(items) < 2 {
		l.errorf(root.keyPos("hosts"), "hosts must list at least two hosts: FT needs a primary and a secondary host")
	}
	if len(items) > maxHosts {
		l.errorf(root.keyPos("hosts"), "hosts lists %d hosts; ftsim simulates at most %d", len(items), maxHosts)
		return
	}
	names := map[string]Pos{}
	for i, it := range items {
		m := l.mapping(it, "a host", hostKeys)
		if m == nil {
			l.sc.Hosts = append(l.sc.Hosts, Host{Index: i + 1, Position: posOf(it)})
			l.hostMeta = append(l.hostMeta, hostMeta{pos: posOf(it)})
			continue
		}
		l.host(m, i+1, names)
	}
}

// host builds host number idx (1-based) from m merged over `defaults:`.
func (l *loader) host(m *mapping, idx int, names map[string]Pos) {
	meta := hostMeta{pos: posOf(m.node)}
	h := Host{Index: idx, Position: meta.pos}
	meta.name = m.name("name", "host")
	if !m.present("name") {
		l.errorf(meta.pos, "a host needs a name, such as name: esx01")
	}
	if meta.name.set {
		if p, dup := names[meta.name.v]; dup {
			l.errorf(meta.name.pos, "host %q is declared twice (first at line %d)", meta.name.v, p.Line)
		} else {
			names[meta.name.v] = meta.name.pos
			meta.ok = true
		}
		h.Name = meta.name.v
	}
	// FT vmkernel port identity, derived when absent.
	meta.ip = m.str("ft_ip")
	if meta.ip.set {
		a, err := netip.ParseAddr(meta.ip.v)
		switch {
		case err != nil:
			l.errorf(meta.ip.pos, "ft_ip %q is not an IPv4 address", meta.ip.v)
			meta.ip = opt[string]{}
		case !a.Is4():
			l.errorf(meta.ip.pos, "ft_ip %q must be an IPv4 address: the IP hash model works on IPv4", meta.ip.v)
			meta.ip = opt[string]{}
		default:
			h.FTIP = a
		}
	} else if idx <= 254 {
		h.FTIP = netip.AddrFrom4([4]byte{192, 168, 100, byte(idx)})
	} else {
		l.errorf(firstPos(meta.name.pos, meta.pos), "host %d needs ft_ip: ftsim derives 192.168.100.1 to .254 for the first 254 hosts only", idx)
	}
	meta.mac = m.str("ft_mac")
	h.FTMAC = macBase | MAC(idx&0xffff)
	if meta.mac.set {
		mac, err := ParseMAC(meta.mac.v)
		if err != nil {
			l.errorf(meta.mac.pos, "ft_mac %q %v", meta.mac.v, err)
			meta.mac = opt[string]{}
		} else {
			h.FTMAC = mac
		}
	}
	meta.portID = m.integer("ft_port_id", 1, 1<<32-1)
	h.PortID = uint32(portIDBase + idx)
	if meta.portID.set {
		h.PortID = uint32(meta.portID.v)
	}

	own := l.hostSpec(m, "teaming")
	spec := hostSpec{
		mtu:    own.mtu.over(l.defaults.mtu),
		vmnics: own.vmnics.over(l.defaults.vmnics),
		team:   own.team.over(l.defaults.team),
		pin:    own.pin.over(l.defaults.pin),
	}
	meta.spec = spec
	meta.vmnicsFrom = spec.vmnics.pos
	h.MTU = int(spec.mtu.or(defaultMTU))
	h.Pin = spec.pin.v
	if !spec.vmnics.set || len(spec.vmnics.v) == 0 {
		l.errorf(firstPos(spec.vmnics.pos, meta.name.pos, meta.pos), "host %s has no vmnics: give it vmnics: or write defaults.vmnics", hostLabel(h.Name, idx))
	}
	for _, v := range spec.vmnics.v {
		sw := v.sw.v
		if !v.sw.set && !v.swWritten {
			sw = l.implicitSwitch(v)
		}
		h.Vmnics = append(h.Vmnics, Vmnic{Name: v.name.v, Speed: v.speed.v, Switch: sw})
	}
	h.Teaming = l.teaming(&h, spec.team)
	l.sc.Hosts = append(l.sc.Hosts, h)
	l.hostMeta = append(l.hostMeta, meta)
}

func hostLabel(name string, idx int) string {
	if name == "" {
		return "number " + strconv.Itoa(idx)
	}
	return name
}

// implicitSwitch is the switch of a vmnic that names none: the default
// switch, or the only declared one.
func (l *loader) implicitSwitch(v vmnicSpec) string {
	if !l.switchesWritten {
		return defaultSwitchName
	}
	if len(l.sc.Switches) == 1 {
		return l.sc.Switches[0].Name
	}
	if len(l.sc.Switches) > 1 && v.name.set {
		l.errorf(v.pos, "vmnic %q needs switch: one of %s", v.name.v, l.switchNames())
	}
	return ""
}

// teaming resolves a merged teaming spec for host h.
func (l *loader) teaming(h *Host, t teamSpec) Teaming {
	d := DefaultTeaming()
	tm := Teaming{
		LoadBalancing:    t.lb.or(d.LoadBalancing),
		Standby:          nonNil(t.standby.v),
		Unused:           nonNil(t.unused.v),
		Failback:         t.failback.or(d.Failback),
		FailureDetection: t.detection.or(d.FailureDetection),
		NotifySwitches:   t.notify.or(d.NotifySwitches),
		VSwitch:          t.vswitch.or(d.VSwitch),
		IPHash:           t.ipHash.or(d.IPHash),
		MACHash:          t.macHash.or(d.MACHash),
		LinkDetect:       t.linkDetect.or(d.LinkDetect),
		BeaconInterval:   t.beaconInterval.or(d.BeaconInterval),
		BeaconMisses:     int(t.beaconMisses.or(int64(d.BeaconMisses))),
		FailbackDelay:    t.failbackDelay.or(d.FailbackDelay),
		LBTInterval:      t.lbtInterval.or(d.LBTInterval),
		LBTThreshold:     t.lbtThreshold.or(d.LBTThreshold),
		LACPHash:         t.lacpHash.or(d.LACPHash),
		LACPTimeout:      t.lacpTimeout.or(d.LACPTimeout),
	}
	if t.active.set {
		tm.Active = nonNil(t.active.v)
	} else {
		// vSphere puts every uplink that is not Standby or Unused in Active.
		tm.Active = []string{}
		for _, v := range h.Vmnics {
			if !inList(t.standby.v, v.Name) && !inList(t.unused.v, v.Name) {
				tm.Active = append(tm.Active, v.Name)
			}
		}
	}
	return tm
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string{}, s...)
}

// ParseMAC reads a MAC address written as six hex bytes separated by ":"
// or "-" (00:50:56:6a:00:12).
func ParseMAC(s string) (MAC, error) {
	sep := ":"
	if strings.Contains(s, "-") {
		sep = "-"
	}
	parts := strings.Split(s, sep)
	if len(parts) != 6 {
		return 0, fmt.Errorf("is not a MAC address: write six hex bytes such as 00:50:56:6a:00:12")
	}
	var m MAC
	for _, p := range parts {
		if len(p) != 2 {
			return 0, fmt.Errorf("is not a MAC address: write six hex bytes such as 00:50:56:6a:00:12")
		}
		b, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return 0, fmt.Errorf("is not a MAC address: write six hex bytes such as 00:50:56:6a:00:12")
		}
		m = m<<8 | MAC(b)
	}
	if (m>>40)&1 == 1 {
		return 0, fmt.Errorf("is a multicast address: a vmkernel port has a unicast MAC")
	}
	return m, nil
}

// String writes m as six lower-case hex bytes separated by colons.
func (m MAC) String() string {
	b := make([]string, 6)
	for i := range 6 {
		b[i] = fmt.Sprintf("%02x", byte(m>>(8*(5-i))))
	}
	return strings.Join(b, ":")
}

// lastLine returns the last line a node's subtree reaches (aliases not
// followed).
func lastLine(n *yaml.Node, depth int) int {
	last := n.Line
	if depth > maxDepth {
		return last
	}
	for _, c := range n.Content {
		last = max(last, lastLine(c, depth+1))
	}
	return last
}

// DefaultTeaming returns the teaming and failover policy a host gets when
// its `teaming:` is silent, with no uplinks listed (docs/model.md "Defaults and exact definitions").
func DefaultTeaming() Teaming {
	return Teaming{
		LoadBalancing:    PortID,
		Active:           []string{},
		Standby:          []string{},
		Unused:           []string{},
		Failback:         true,
		FailureDetection: LinkStatus,
		NotifySwitches:   true,
		VSwitch:          "distributed",
		IPHash:           "last_octet",
		MACHash:          "whole_mac",
		LinkDetect:       defaultLinkDetect,
		BeaconInterval:   defaultBeaconEvery,
		BeaconMisses:     defaultBeaconMisses,
		FailbackDelay:    defaultFailbackDelay,
		LBTInterval:      defaultLBTInterval,
		LBTThreshold:     defaultLBTThreshold,
		LACPHash:         DefaultLACPHash,
		LACPTimeout:      "slow",
	}
}

// DefaultSwitch returns a switch called name with the default port buffer,
// latency and PortFast.
func DefaultSwitch(name string) Switch { return defaultSwitch(name) }
