package model

import (
	"fmt"
	"slices"
)

// Variant is one policy's version of a scenario under `compare:`.
type Variant struct {
	Policy     Policy
	Scenario   *Scenario // nil when not applicable
	Applicable bool
	Reason     string   // why the topology cannot carry the policy
	Notes      []string // settings the comparison changed
}

// Policies returns the policies a run covers: the compared set (narrowed
// by only, if given) or the scenario's own policy.
func (s *Scenario) Policies(only []Policy) []Policy {
	var ps []Policy
	if s.Compare != nil && len(s.Compare.Policies) > 0 {
		ps = slices.Clone(s.Compare.Policies)
	} else if len(s.Hosts) > 0 {
		ps = []Policy{s.Hosts[0].Teaming.LoadBalancing}
	}
	if len(only) > 0 {
		var keep []Policy
		for _, p := range ps {
			if slices.Contains(only, p) {
				keep = append(keep, p)
			}
		}
		// --policy may also name a policy outside the compared set.
		for _, p := range only {
			if !slices.Contains(keep, p) {
				keep = append(keep, p)
			}
		}
		ps = keep
	}
	return ps
}

// OwnPolicy reports whether every host already uses p, so the scenario's
// own `lags:` apply unchanged.
func (s *Scenario) OwnPolicy(p Policy) bool {
	for _, h := range s.Hosts {
		if h.Teaming.LoadBalancing != p {
			return false
		}
	}
	return true
}

// WithPolicy returns the scenario as it runs under policy p (docs/model.md
// "compare"): p replaces load_balancing on every host; IP hash takes every
// Standby and Unused uplink into the Active list and link-status detection;
// the switch side is derived (a static EtherChannel for ip_hash, an LACP
// LAG for lacp, no LAG otherwise). A policy the topology cannot carry is
// returned not applicable, with the reason.
func WithPolicy(s *Scenario, p Policy) Variant {
	v := Variant{Policy: p}
	if s.OwnPolicy(p) {
		v.Scenario, v.Applicable = s, true
		return v
	}
	c := *s
	c.Hosts = make([]Host, len(s.Hosts))
	c.LAGs = nil
	for i, h := range s.Hosts {
		h.Teaming.Active = slices.Clone(h.Teaming.Active)
		h.Teaming.Standby = slices.Clone(h.Teaming.Standby)
		h.Teaming.LoadBalancing = p
		if reason := policyReason(s, &h, p); reason != "" {
			v.Reason = reason
			return v
		}
		if p == IPHash || p == LACP {
			if len(h.Teaming.Standby)+len(h.Teaming.Unused) > 0 {
				v.Notes = appendOnce(v.Notes, "ip_hash/lacp: Standby and Unused uplinks join the Active list")
			}
			h.Teaming.Active = append(h.Teaming.Active, h.Teaming.Standby...)
			h.Teaming.Active = append(h.Teaming.Active, h.Teaming.Unused...)
			h.Teaming.Standby, h.Teaming.Unused = nil, nil
			if h.Teaming.FailureDetection == BeaconProbing {
				v.Notes = appendOnce(v.Notes, "ip_hash/lacp: Beacon probing replaced by Link status only")
				h.Teaming.FailureDetection = LinkStatus
			}
			lag := LAG{Host: h.Name, Vmnics: slices.Clone(h.Teaming.Active), Mode: "static", Hash: "src_dst_ip", Derived: true}
			if p == LACP {
				lag.Mode, lag.Hash = "lacp", h.Teaming.LACPHash
			}
			c.LAGs = append(c.LAGs, lag)
		}
		c.Hosts[i] = h
	}
	v.Scenario, v.Applicable = &c, true
	return v
}

func policyReason(s *Scenario, h *Host, p Policy) string {
	if (p == NICLoad || p == LACP) && h.Teaming.VSwitch == "standard" {
		return fmt.Sprintf("%s needs a vSphere Distributed Switch; host %q uses a standard vSwitch", p.VSphereName(), h.Name)
	}
	if p != IPHash && p != LACP {
		return ""
	}
	uplinks := append(append(slices.Clone(h.Teaming.Active), h.Teaming.Standby...), h.Teaming.Unused...)
	group := ""
	for _, u := range uplinks {
		n := h.Vmnic(u)
		if n == nil {
			continue
		}
		g := n.Switch
		if sw := s.SwitchByName(n.Switch); sw != nil && sw.Stack != "" {
			g = "stack " + sw.Stack
		}
		if group == "" {
			group = g
		} else if g != group {
			return fmt.Sprintf("%s needs all uplinks of host %q on one physical switch or one stack (EtherChannel); they reach %s and %s",
				p.VSphereName(), h.Name, group, g)
		}
	}
	return ""
}

func appendOnce(l []string, s string) []string {
	if slices.Contains(l, s) {
		return l
	}
	return append(l, s)
}

// BaselineCase names the failure case of the scenario as written, its
// failures: timeline included.
const BaselineCase = "baseline"

// Prefixes of the single-failure cases of n_minus_1: "vmnic:HOST/VMNIC",
// "switch:NAME", "isl:A~B", "host:NAME".
const (
	VmnicCase  = "vmnic:"
	SwitchCase = "switch:"
	ISLCase    = "isl:"
	HostCase   = "host:"
)

// FailureCase is a named failure timeline: every failure its runs inject.
type FailureCase struct {
	Name     string // "baseline", "vmnic:HOST/VMNIC", "switch:NAME", "isl:A~B", "host:NAME"
	Failures []Failure
}

// FailureCases returns the baseline (the scenario as written, its own
// `failures:` timeline included) and, with compare.n_minus_1, one case per
// vmnic (link down), switch, inter-switch link and host, each permanent
// from the middle of the measured window. A single-failure case starts from
// the design without the scripted timeline, so it holds exactly one
// failure (docs/model.md, "Failure cases").
func (s *Scenario) FailureCases() []FailureCase {
	cases := []FailureCase{{Name: BaselineCase, Failures: slices.Clone(s.Failures)}}
	if s.Compare == nil || !s.Compare.NMinus1 {
		return cases
	}
	at := s.Warmup + (s.Duration-s.Warmup)/2
	for _, h := range s.Hosts {
		for _, n := range h.Vmnics {
			cases = append(cases, FailureCase{Name: VmnicCase + h.Name + "/" + n.Name,
				Failures: []Failure{{At: at, What: FailVmnic, Host: h.Name, Vmnic: n.Name, Mode: "link_down"}}})
		}
	}
	for _, sw := range s.Switches {
		cases = append(cases, FailureCase{Name: SwitchCase + sw.Name,
			Failures: []Failure{{At: at, What: FailSwitch, Switch: sw.Name}}})
	}
	for _, l := range s.ISLs {
		cases = append(cases, FailureCase{Name: ISLCase + l.A + "~" + l.B,
			Failures: []Failure{{At: at, What: FailISL, ISL: [2]string{l.A, l.B}}}})
	}
	for _, h := range s.Hosts {
		cases = append(cases, FailureCase{Name: HostCase + h.Name,
			Failures: []Failure{{At: at, What: FailHost, Host: h.Name}}})
	}
	return cases
}
