package model

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

type failMeta struct {
	pos    Pos
	at     opt[Duration]
	target Pos
}

var failureKeys = []string{"at", "vmnic", "switch", "isl", "host", "kind", "down_for", "loss"}

func (l *loader) failures(root *mapping) {
	n := root.get("failures")
	if n == nil {
		return
	}
	items, _ := l.sequence(n, "failures")
	for _, it := range items {
		m := l.mapping(it, "a failure", failureKeys)
		if m == nil {
			continue
		}
		l.failure(m)
	}
}

func (l *loader) failure(m *mapping) {
	meta := failMeta{pos: posOf(m.node)}
	f := Failure{}
	if !m.present("at") {
		l.errorf(meta.pos, "a failure needs at: when it happens, such as at: 5m")
	}
	meta.at = m.duration("at", allowZero)
	f.At = meta.at.v
	f.Pos = meta.at.pos
	l.failAts = append(l.failAts, meta.at)
	f.DownFor = m.duration("down_for", positive).v
	var targets []string
	for _, k := range []string{"vmnic", "switch", "isl", "host"} {
		if m.vals[k] != nil {
			targets = append(targets, k)
		}
	}
	switch {
	case len(targets) == 0:
		l.errorf(meta.pos, "a failure needs what fails: vmnic: HOST/VMNIC, switch: NAME, isl: [A, B] or host: NAME")
		return
	case len(targets) > 1:
		l.errorf(m.keyPos(targets[1]), "a failure takes down one thing; this one names %s and %s", targets[0], targets[1])
		return
	}
	kind := m.enum("kind", "link_down", "upstream", "lossy")
	if kind.set && targets[0] != "vmnic" && !(kind.v == "lossy" && targets[0] == "isl") {
		what := map[string]string{"switch": "a switch", "isl": "an inter-switch link", "host": "a host"}[targets[0]]
		l.errorf(kind.pos, "kind applies only to vmnic failures (kind: lossy also to an inter-switch link), not to %s failure", what)
	}
	if kind.v == "lossy" {
		f.Loss = l.lossProb(m, meta.pos)
		if targets[0] == "isl" {
			f.Mode = "lossy"
		}
	} else if lp := m.get("loss"); lp != nil {
		l.errorf(posOf(lp), "loss applies only to kind: lossy (random frame loss on a vmnic or inter-switch link)")
	}
	ok := true
	switch targets[0] {
	case "vmnic":
		f.What = FailVmnic
		f.Mode = kind.or("link_down")
		o := m.str("vmnic")
		if !o.set {
			return
		}
		meta.target = o.pos
		host, vmnic, found := strings.Cut(o.v, "/")
		if !found || host == "" || vmnic == "" {
			l.errorf(o.pos, "vmnic %q must name HOST/VMNIC, such as esx01/vmnic1", o.v)
			return
		}
		f.Host, f.Vmnic = host, vmnic
		ok = l.checkHostVmnic(host, vmnic, o.pos)
	case "switch":
		f.What = FailSwitch
		o := m.str("switch")
		if !o.set {
			return
		}
		meta.target = o.pos
		f.Switch = o.v
		ok = l.checkSwitch(o.v, o.pos)
	case "isl":
		f.What = FailISL
		bt := m.names("isl")
		if !bt.set {
			return
		}
		meta.target = bt.at
		if len(bt.v) != 2 {
			l.errorf(bt.at, "isl must name the two switches of an inter-switch link, such as isl: [sw-a, sw-b]")
			return
		}
		f.ISL = [2]string{bt.v[0], bt.v[1]}
		if l.islBetween(bt.v[0], bt.v[1]) == nil {
			l.errorf(bt.at, "there is no inter-switch link between %q and %q", bt.v[0], bt.v[1])
			ok = false
		}
	case "host":
		f.What = FailHost
		o := m.str("host")
		if !o.set {
			return
		}
		meta.target = o.pos
		f.Host = o.v
		ok = l.checkHost(o.v, o.pos)
	}
	if ok {
		l.sc.Failures = append(l.sc.Failures, f)
		l.failMeta = append(l.failMeta, meta)
	}
}

// checkHost reports a host name that is not declared.
func (l *loader) checkHost(name string, p Pos) bool {
	if l.hostIndex == nil {
		l.hostIndex = map[string]int{}
		for i, h := range l.sc.Hosts {
			if _, dup := l.hostIndex[h.Name]; l.hostMeta[i].ok && !dup {
				l.hostIndex[h.Name] = i
			}
		}
	}
	if _, ok := l.hostIndex[name]; ok {
		return true
	}
	l.errorf(p, "host %q is not one of the hosts", name)
	return false
}

// checkHostVmnic reports a host that does not exist or lacks the vmnic.
func (l *loader) checkHostVmnic(host, vmnic string, p Pos) bool {
	if !l.checkHost(host, p) {
		return false
	}
	if l.sc.HostByName(host).Vmnic(vmnic) == nil {
		l.errorf(p, "vmnic %q is not an uplink of host %s", vmnic, host)
		return false
	}
	return true
}

func (l *loader) compare(root *mapping) {
	n := root.get("compare")
	if n == nil {
		return
	}
	m := l.mapping(n, "compare", []string{"policies", "n_minus_1"})
	if m == nil {
		return
	}
	l.comparePos = posOf(m.node)
	c := &Compare{Policies: append([]Policy{}, AllPolicies...)}
	c.NMinus1 = m.boolean("n_minus_1").v
	if pn := m.get("policies"); pn != nil {
		if pn.Kind == yaml.ScalarNode && pn.Value == "all" {
			// every policy
		} else if pn.Kind == yaml.ScalarNode && !isNull(pn) {
			if p, ok := ParsePolicy(pn.Value); ok {
				c.Policies = []Policy{p}
			} else {
				l.errorf(posOf(pn), "policies %q is not all, a teaming policy or a list of them: use %s", pn.Value, orList(policyNames()))
			}
		} else if items, ok := l.sequence(pn, "policies (all, or a list)"); ok {
			c.Policies = []Policy{}
			seen := map[Policy]bool{}
			for _, it := range items {
				s, ok := l.scalar(it, "a policy")
				if !ok {
					continue
				}
				p, ok := ParsePolicy(s)
				if !ok {
					l.errorf(posOf(it), "%q is not a teaming policy: use %s, or the vSphere name such as \"Route based on IP hash\"", s, orList(policyNames()))
					continue
				}
				if seen[p] {
					l.errorf(posOf(it), "policy %s is listed twice", p)
					continue
				}
				seen[p] = true
				c.Policies = append(c.Policies, p)
			}
			if len(items) == 0 {
				l.errorf(posOf(pn), "policies must list at least one policy, or say all")
			}
		}
	}
	l.sc.Compare = c
}

func (l *loader) sla(root *mapping) {
	n := root.get("sla")
	if n == nil {
		return
	}
	m := l.mapping(n, "sla", []string{"replay_lag_p99", "output_delay_p99", "utilisation_max", "unprotected_max"})
	if m == nil {
		return
	}
	s := &l.sc.SLA
	if o := m.duration("replay_lag_p99", positive); o.set {
		s.ReplayLagP99, s.HasReplayLagP99 = o.v, true
	}
	if o := m.duration("output_delay_p99", positive); o.set {
		s.OutputDelayP99, s.HasOutputDelayP99 = o.v, true
	}
	if o := m.percent("utilisation_max", false); o.set {
		s.UtilisationMax, s.HasUtilisationMax = o.v, true
	}
	if o := m.duration("unprotected_max", allowZero); o.set {
		s.UnprotectedMax, s.HasUnprotectedMax = o.v, true
	}
}

// sweep reads `sweep:`; its paths are checked against the document by
// checkSweeps.
func (l *loader) sweep(root *mapping) {
	n := root.get("sweep")
	if n == nil {
		return
	}
	n = l.resolve(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		l.errorf(posOf(n), "sweep must map paths to lists of values, such as \"ft_vms[web].count\": [2, 4, 8]")
		return
	}
	seen := map[string]Pos{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := l.resolve(n.Content[i]), l.resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			l.errorf(posOf(k), "a sweep path must be a single value, such as \"ft_vms[web].count\"")
			continue
		}
		if p, dup := seen[k.Value]; dup {
			l.errorf(posOf(k), "sweep path %q appears twice (first at line %d)", k.Value, p.Line)
			continue
		}
		seen[k.Value] = posOf(k)
		sp := SweepParam{Path: k.Value, Pos: posOf(k), Values: []string{}}
		items, ok := l.sequence(v, "the values of sweep path "+k.Value)
		if !ok {
			continue
		}
		if len(items) == 0 {
			l.errorf(posOf(v), "sweep path %q needs at least one value", k.Value)
		}
		vals := map[string]bool{}
		for _, it := range items {
			s, ok := l.scalar(it, "a sweep value")
			if !ok {
				continue
			}
			if vals[s] {
				l.errorf(posOf(it), "sweep value %q is listed twice", s)
				continue
			}
			vals[s] = true
			sp.Values = append(sp.Values, s)
		}
		l.sc.Sweep = append(l.sc.Sweep, sp)
	}
	// The same bound as ExpandSweep's, so validate, run and batch agree.
	total := 1
	for _, sp := range l.sc.Sweep {
		total *= max(1, len(sp.Values))
		if total > MaxSweepCases {
			l.errorf(root.keyPos("sweep"), "the sweep expands to more than %d cases; split it over several scenario files", MaxSweepCases)
			break
		}
	}
}

// lossProb reads `loss:` of a lossy failure: the probability that each
// frame is lost, a percentage or a fraction, more than 0 and below 1.
func (l *loader) lossProb(m *mapping, at Pos) float64 {
	n := m.get("loss")
	if n == nil {
		l.errorf(at, "a lossy failure needs loss: the chance each frame is lost, such as loss: 0.1%%")
		return 0
	}
	str, ok := l.scalar(n, "loss")
	if !ok {
		return 0
	}
	f, err := ParsePercent(str)
	if err != nil {
		f, err = strconv.ParseFloat(str, 64)
	}
	if err != nil || !(f > 0 && f < 1) {
		l.errorf(posOf(n), "loss %s must be a frame-loss probability above 0 and below 1, such as 0.1%% or 0.001", str)
		return 0
	}
	return f
}
