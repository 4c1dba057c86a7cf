package model

import "fmt"

type switchMeta struct {
	name   opt[string]
	stack  opt[string]
	pos    Pos
	buffer Pos // port_buffer, where written
}

type islMeta struct {
	a, b    opt[string]
	between Pos
	buffer  Pos // buffer, where written
	ok      bool
}

type lagMeta struct {
	host    opt[string]
	vmnics  nameList
	mode    opt[string]
	hash    opt[string]
	pos     Pos
	ok      bool
	lagIdx  int // index into Scenario.LAGs when ok
	hostIdx int // index into Scenario.Hosts, -1 when unknown
}

// Default switch and link parameters (docs/model.md "Defaults and exact definitions").
const (
	defaultPortBuffer Size     = 1 << 20
	defaultLatency    Duration = 2e-6
	defaultISLLatency Duration = 1e-6
	defaultISLBuffer  Size     = 4 << 20
)

func defaultSwitch(name string) Switch {
	return Switch{Name: name, PortBuffer: defaultPortBuffer, Latency: defaultLatency, Portfast: true}
}

var switchKeys = []string{"name", "stack", "port_buffer", "latency", "portfast"}

func (l *loader) switches(root *mapping) {
	sc := l.sc
	n := root.get("switches")
	if n == nil {
		sc.Switches = []Switch{defaultSwitch(defaultSwitchName)}
		return
	}
	l.switchesWritten = true
	items, _ := l.sequence(n, "switches")
	seen := map[string]Pos{}
	for _, it := range items {
		m := l.mapping(it, "a switch", switchKeys)
		if m == nil {
			continue
		}
		name := m.name("name", "switch")
		if !m.present("name") {
			l.errorf(posOf(m.node), "a switch needs a name")
		}
		sw := defaultSwitch(name.v)
		stack := m.name("stack", "stack")
		sw.Stack = stack.v
		pb := m.size("port_buffer")
		sw.PortBuffer = pb.or(sw.PortBuffer)
		sw.Latency = m.duration("latency", positive).or(sw.Latency)
		sw.Portfast = m.boolean("portfast").or(true)
		if !name.set {
			continue
		}
		if p, dup := seen[name.v]; dup {
			l.errorf(name.pos, "switch %q is declared twice (first at line %d)", name.v, p.Line)
			continue
		}
		seen[name.v] = name.pos
		sc.Switches = append(sc.Switches, sw)
		l.switchMeta = append(l.switchMeta, switchMeta{name: name, stack: stack, pos: posOf(m.node), buffer: pb.pos})
	}
	if len(items) == 0 && len(sc.Switches) == 0 {
		l.errorf(posOf(n), "switches must list at least one switch (or leave switches out for the default switch %q)", defaultSwitchName)
	}
}

// switchNames lists the declared switch names, quoted, for messages.
func (l *loader) switchNames() string {
	var names []string
	for _, s := range l.sc.Switches {
		names = append(names, fmt.Sprintf("%q", s.Name))
	}
	if len(names) == 0 {
		return "none"
	}
	return orList(names)
}

// checkSwitch reports a switch name that is not declared.
func (l *loader) checkSwitch(name string, p Pos) bool {
	if l.sc.SwitchByName(name) != nil {
		return true
	}
	if !l.switchesWritten {
		l.errorf(p, "switch %q does not exist: declare it under switches (without switches:, the only switch is %q)", name, defaultSwitchName)
	} else {
		l.errorf(p, "switch %q does not exist: switches declares %s", name, l.switchNames())
	}
	return false
}

var islKeys = []string{"between", "speed", "latency", "buffer"}

func (l *loader) isls(root *mapping) {
	n := root.get("inter_switch_links")
	if n == nil {
		return
	}
	items, _ := l.sequence(n, "inter_switch_links")
	seen := map[[2]string]Pos{}
	for _, it := range items {
		m := l.mapping(it, "an inter-switch link", islKeys)
		if m == nil {
			continue
		}
		meta := islMeta{}
		isl := ISL{Latency: defaultISLLatency, Buffer: defaultISLBuffer}
		if !m.present("between") {
			l.errorf(posOf(m.node), "an inter-switch link needs between: [SWITCH, SWITCH]")
		}
		bt := m.names("between")
		meta.between = bt.at
		ok := bt.set && len(bt.v) == 2
		if bt.set && len(bt.v) != 2 {
			l.errorf(bt.at, "between must name exactly two switches, not %d", len(bt.v))
		}
		if ok {
			meta.a, meta.b = optOf(bt.v[0], bt.pos[0]), optOf(bt.v[1], bt.pos[1])
			ok = l.checkSwitch(bt.v[0], bt.pos[0]) && l.checkSwitch(bt.v[1], bt.pos[1])
			if ok && bt.v[0] == bt.v[1] {
				l.errorf(bt.pos[1], "an inter-switch link joins two different switches, not %q to itself", bt.v[1])
				ok = false
			}
		}
		if !m.present("speed") {
			l.errorf(posOf(m.node), "an inter-switch link needs a speed, such as speed: 40Gbps")
		}
		sp := m.bitRate("speed", positive)
		isl.Speed = sp.v
		isl.Latency = m.duration("latency", positive).or(isl.Latency)
		buf := m.size("buffer")
		isl.Buffer = buf.or(isl.Buffer)
		meta.buffer = buf.pos
		if !ok {
			continue
		}
		isl.A, isl.B = bt.v[0], bt.v[1]
		key := [2]string{min(isl.A, isl.B), max(isl.A, isl.B)}
		if p, dup := seen[key]; dup {
			l.errorf(bt.at, "switches %q and %q already have an inter-switch link (line %d)", isl.A, isl.B, p.Line)
			continue
		}
		seen[key] = bt.at
		meta.ok = true
		l.sc.ISLs = append(l.sc.ISLs, isl)
		l.islMeta = append(l.islMeta, meta)
	}
}

// islBetween returns the ISL joining switches a and b, or nil.
func (l *loader) islBetween(a, b string) *ISL {
	for i, s := range l.sc.ISLs {
		if (s.A == a && s.B == b) || (s.A == b && s.B == a) {
			return &l.sc.ISLs[i]
		}
	}
	return nil
}

var lagKeys = []string{"host", "vmnics", "mode", "hash"}

// lags reads `lags:`; names are checked once the hosts are known.
func (l *loader) lags(root *mapping) {
	n := root.get("lags")
	if n == nil {
		return
	}
	items, _ := l.sequence(n, "lags")
	for _, it := range items {
		m := l.mapping(it, "a LAG", lagKeys)
		if m == nil {
			continue
		}
		meta := lagMeta{pos: posOf(m.node), hostIdx: -1}
		meta.host = m.str("host")
		if !m.present("host") {
			l.errorf(meta.pos, "a LAG needs host: the host whose vmnics it bundles")
		}
		meta.vmnics = m.names("vmnics")
		if !m.present("vmnics") {
			l.errorf(meta.pos, "a LAG needs vmnics: the host's vmnics in the port channel")
		} else if meta.vmnics.set && len(meta.vmnics.v) == 0 {
			l.errorf(meta.vmnics.at, "a LAG needs at least one vmnic")
		}
		meta.mode = m.enum("mode", "static", "lacp")
		if !m.present("mode") {
			l.errorf(meta.pos, "a LAG needs mode: static (EtherChannel, for Route based on IP hash) or lacp")
		}
		if o := m.str("hash"); o.set {
			if h, ok := ParseLACPHash(o.v); ok {
				meta.hash = optOf(h, o.pos)
			} else {
				l.errorf(o.pos, "hash %q is not a LAG hash algorithm: use one of %s", o.v, orList(LACPHashes))
			}
		}
		meta.ok = meta.host.set && meta.vmnics.set && len(meta.vmnics.v) > 0 && meta.mode.set
		l.lagMeta = append(l.lagMeta, meta)
	}
}
