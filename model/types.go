package model

import (
	"fmt"
	"net/netip"
)

// Scenario is a loaded, defaulted and validated scenario: every default of
// docs/model.md applied, `defaults:` merged into each host, VM groups expanded
// and every logging source resolved to a mean rate.
type Scenario struct {
	File        string // path as given, used in messages
	Dir         string // folder of File; trace paths are relative to it
	Name        string
	Description string

	Duration     Duration // simulated time
	Warmup       Duration // excluded from statistics
	Seed         uint64
	Replications Replications

	FT         FTParams // scenario-wide FT defaults (each VM carries its own copy)
	Switches   []Switch // never empty: default is one non-blocking "sw1"
	ISLs       []ISL
	LAGs       []LAG
	Hosts      []Host // file order; Host.Index is the 1-based position
	VMs        []FTVM // groups expanded, file order
	Background []Background
	Failures   []Failure
	Compare    *Compare // nil when the scenario has no `compare:`
	Sweep      []SweepParam
	SLA        SLA

	Warnings []*Error // non-fatal findings (FT limits, beacon probing with 2 uplinks)

	// Source is the scenario's original YAML bytes, kept so sweeps can be
	// applied on the document and the scenario reloaded.
	Source []byte
}

// Replications says how many independent runs to make.
type Replications struct {
	N    int  // fixed count (>= 1); the starting count when Auto
	Auto bool // `replications: auto`
	// CITarget is the relative 95% CI half-width of the worst p99 lag
	// that stops an auto run (0.05 = 5%).
	CITarget float64
	Max      int // cap on auto replications (default 30)
}

// FTParams are the FT session parameters (docs/model.md "Defaults and exact definitions").
type FTParams struct {
	MessageSize  Size     // log payload per message (64KiB)
	AckSize      Size     // 64B
	LogBuffer    Size     // unacknowledged log data before the primary stalls (64MiB)
	Heartbeat    Duration // 1s
	Timeout      Duration // 5s
	RTO          Duration // 200ms
	LagTarget    Duration // 1s: primary slowed while replay lag exceeds it
	RestartDelay Duration // 10s: peer lost -> start of the new secondary's memory copy
	// Checkpoint is SMP-FT fast checkpointing (mode: smp only).
	Checkpoint Checkpoint
	// TCP is the logging connection's transport (`ft.tcp`).
	TCP TCP
}

// Switch is a physical switch. Switches of one Stack act as one for LAGs.
type Switch struct {
	Name       string
	Stack      string // "" = not stacked
	PortBuffer Size   // egress buffer per port (1MiB)
	Latency    Duration
	Portfast   bool // false: a recovered link is held 30 s by STP
}

// ISL is an inter-switch link; each direction is its own queue.
type ISL struct {
	A, B    string
	Speed   BitRate
	Latency Duration // 1us
	Buffer  Size     // 4MiB per direction
}

// LAG is a switch-side EtherChannel (mode static) or LACP group (mode lacp).
type LAG struct {
	Host    string
	Vmnics  []string // member order, used by the inbound hash
	Mode    string   // "static" | "lacp"
	Hash    string   // LACP hash name in snake_case (default src_dst_ip)
	Derived bool     // built by compare, not written in the file
}

// Vmnic is one physical uplink of a host.
type Vmnic struct {
	Name   string
	Speed  BitRate
	Switch string
}

// Teaming is the teaming and failover policy of a host's FT vmkernel port.
type Teaming struct {
	LoadBalancing    Policy
	Active           []string
	Standby          []string
	Unused           []string
	Failback         bool
	FailureDetection Detection
	NotifySwitches   bool
	VSwitch          string // "distributed" | "standard"
	IPHash           string // "last_octet" | "full_address"
	MACHash          string // "whole_mac" | "last_byte"
	LinkDetect       Duration
	BeaconInterval   Duration
	BeaconMisses     int
	FailbackDelay    Duration // Net.TeamPolicyUpDelay
	LBTInterval      Duration
	LBTThreshold     float64 // fraction 0..1
	LACPHash         string  // snake_case API enum name, default src_dst_ip
	LACPTimeout      string  // "slow" | "fast"
}

// Detection is a teaming failure-detection mode.
type Detection string

const (
	LinkStatus    Detection = "link_status"
	BeaconProbing Detection = "beacon_probing"
)

// Host is an ESXi host with `defaults:` merged in.
type Host struct {
	Name     string
	Index    int // 1-based position in the file
	FTIP     netip.Addr
	FTMAC    MAC
	PortID   uint32
	MTU      int
	Vmnics   []Vmnic
	Teaming  Teaming
	Pin      string // vmnic that pins the FT port under port_id / nic_load
	Position Pos    // where the host is declared
}

// MAC is a 48-bit Ethernet address in the low bits.
type MAC uint64

// Logging describes an FT VM's log traffic (or a background stream).
type Logging struct {
	Source  string  // "rate" | "from_stats" | "preset" | "trace"
	Rate    BitRate // mean rate (resolved for every source)
	Pattern Pattern
	On, Off Duration     // onoff means
	Trace   []TracePoint // for source trace (or pattern trace)
	// TraceFile is the path as written in the scenario (relative to Dir).
	TraceFile string
	Preset    string
	FromStats map[string]float64 // as written, in base units (bytes/s or bit/s)
	// WorkingSet is the memory an SMP-FT VM's writes land in (0: its
	// memory); `logging.working_set`.
	WorkingSet Size
}

// Pattern is a traffic arrival pattern.
type Pattern string

const (
	Constant Pattern = "constant"
	Poisson  Pattern = "poisson"
	OnOff    Pattern = "onoff"
	Trace    Pattern = "trace"
)

// TracePoint is one row of a trace: Rate holds from T until the next row.
type TracePoint struct {
	T    float64 // seconds
	Rate BitRate
}

// FTVM is one FT-protected VM (groups are expanded into one FTVM each).
type FTVM struct {
	Name      string
	Index     int // 0-based position among all expanded VMs
	Primary   string
	Secondary string
	VCPUs     int
	Memory    Size
	Mode      string // "smp" | "legacy"
	Logging   Logging
	FT        FTParams // effective parameters (scenario ft: merged with the VM's ft:)
	Position  Pos
}

// Background is other traffic on one uplink (vMotion, VM networks).
type Background struct {
	Host      string
	Vmnic     string
	Direction string // "tx" (default) | "rx"
	Logging   Logging
}

// FailureKind says what a failure takes down.
type FailureKind string

const (
	FailVmnic  FailureKind = "vmnic"
	FailSwitch FailureKind = "switch"
	FailISL    FailureKind = "isl"
	FailHost   FailureKind = "host"
)

// Failure is one injected failure.
type Failure struct {
	At      Duration
	What    FailureKind
	Host    string // vmnic and host failures
	Vmnic   string // vmnic failures
	Switch  string // switch failures
	ISL     [2]string
	Mode    string   // vmnic failures: "link_down" (default) | "upstream" | "lossy"; ISL: "" | "lossy"
	DownFor Duration // 0 = permanent
	Loss    float64  // lossy: probability that each frame is lost
	Pos     Pos      // where its at: is written (zero for n_minus_1 cases)
}

// Describe names the failure as an architect would read it: "vmnic
// esx01/vmnic1 at 4m".
func (f Failure) Describe() string {
	kind := map[FailureKind]string{FailVmnic: "vmnic", FailSwitch: "switch", FailISL: "inter-switch link", FailHost: "host"}[f.What]
	t := f.Target()
	if f.What == FailISL {
		t = f.ISL[0] + "~" + f.ISL[1]
	}
	return fmt.Sprintf("%s %s at %s", kind, t, f.At)
}

// FailuresAfter returns an error naming every scripted failure that a run
// of d simulated seconds would never reach, at its place in the file; nil
// when every failure falls inside the run.
func (s *Scenario) FailuresAfter(d Duration, flag string) error {
	var l ErrorList
	for _, f := range s.Failures {
		if f.At >= d {
			l = append(l, &Error{File: s.File, Line: f.Pos.Line, Col: f.Pos.Col,
				Msg: fmt.Sprintf("the failure of %s would not happen under %s (the run ends first): give a duration longer than %s", f.Describe(), flag, f.At)})
		}
	}
	l.Sort()
	return l.Err()
}

// Target names the failed object as events do: HOST/VMNIC, SWITCH, isl:A~B, HOST.
func (f Failure) Target() string {
	switch f.What {
	case FailVmnic:
		return f.Host + "/" + f.Vmnic
	case FailSwitch:
		return f.Switch
	case FailISL:
		return "isl:" + f.ISL[0] + "~" + f.ISL[1]
	default:
		return f.Host
	}
}

// Compare asks for every run to be repeated under several policies and,
// with NMinus1, under every single failure.
type Compare struct {
	Policies []Policy
	NMinus1  bool
}

// SweepParam is one `sweep:` entry: a path and the values to try, as written.
type SweepParam struct {
	Path   string
	Values []string
	Pos    Pos
}

// SLA holds the service-level limits; a zero field with Has* false is unset.
type SLA struct {
	ReplayLagP99      Duration
	HasReplayLagP99   bool
	OutputDelayP99    Duration
	HasOutputDelayP99 bool
	UtilisationMax    float64
	HasUtilisationMax bool
	UnprotectedMax    Duration
	HasUnprotectedMax bool
}

// Pos is a position in the scenario file (1-based).
type Pos struct{ Line, Col int }

// HostByName returns the host called name, or nil.
func (s *Scenario) HostByName(name string) *Host {
	for i := range s.Hosts {
		if s.Hosts[i].Name == name {
			return &s.Hosts[i]
		}
	}
	return nil
}

// SwitchByName returns the switch called name, or nil.
func (s *Scenario) SwitchByName(name string) *Switch {
	for i := range s.Switches {
		if s.Switches[i].Name == name {
			return &s.Switches[i]
		}
	}
	return nil
}

// Vmnic returns the host's vmnic called name, or nil.
func (h *Host) Vmnic(name string) *Vmnic {
	for i := range h.Vmnics {
		if h.Vmnics[i].Name == name {
			return &h.Vmnics[i]
		}
	}
	return nil
}
