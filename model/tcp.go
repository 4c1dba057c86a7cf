package model

import (
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Congestion control of the FT logging connection (docs/model.md
// "Transport").
const (
	CongestionNewReno = "newreno" // RFC 6582
	CongestionCubic   = "cubic"   // RFC 9438
	CongestionNone    = "none"    // window = log buffer, drops resent after rto
)

// TCP is the transport of the FT logging connection (`ft.tcp`).
type TCP struct {
	Congestion    string   // newreno (default), cubic or none
	InitialWindow int      // segments (10, RFC 6928)
	MaxRTO        Duration // upper bound of the backed-off timeout (60s, RFC 6298)
}

// DefaultTCP is `ft.tcp` when the scenario is silent.
func DefaultTCP() TCP {
	return TCP{Congestion: CongestionNewReno, InitialWindow: 10, MaxRTO: 60}
}

// tcpSpec is a `tcp:` block as written.
type tcpSpec struct {
	congestion opt[string]
	initWindow opt[int64]
	maxRTO     opt[Duration]
}

var tcpKeys = []string{"congestion", "initial_window", "max_rto"}

func (l *loader) tcpSpec(n *yaml.Node) tcpSpec {
	if n == nil {
		return tcpSpec{}
	}
	m := l.mapping(n, "tcp", tcpKeys)
	if m == nil {
		return tcpSpec{}
	}
	return tcpSpec{
		congestion: m.enum("congestion", CongestionNewReno, CongestionCubic, CongestionNone),
		initWindow: m.integer("initial_window", 1, 1000),
		maxRTO:     m.duration("max_rto", positive),
	}
}

func (s tcpSpec) apply(base TCP) TCP {
	base.Congestion = s.congestion.or(base.Congestion)
	base.InitialWindow = int(s.initWindow.or(int64(base.InitialWindow)))
	base.MaxRTO = s.maxRTO.or(base.MaxRTO)
	return base
}

// marshalTCP writes the fields of t that differ from base.
func marshalTCP(t, base TCP) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	if t.Congestion != "" && t.Congestion != base.Congestion {
		yPut(m, "congestion", yStr(t.Congestion))
	}
	if t.InitialWindow > 0 && t.InitialWindow != base.InitialWindow {
		yPut(m, "initial_window", yNum(strconv.Itoa(t.InitialWindow)))
	}
	if t.MaxRTO > 0 && t.MaxRTO != base.MaxRTO {
		yPut(m, "max_rto", yStr(t.MaxRTO.String()))
	}
	return m
}
