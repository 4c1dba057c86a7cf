package model

import (
	"fmt"
	"math"
	"strings"
)

// FT limits per host (docs/model.md 2.3): das.maxftvmsperhost and
// das.maxftvcpusperhost, primaries and secondaries counted.
const (
	MaxFTVMsPerHost   = 4
	MaxFTVCPUsPerHost = 8
)

// validate runs the checks that need the whole scenario: names, duplicates,
// teaming rules, paths, the FT limits and the run's timeline.
func (l *loader) validate() {
	if l.root == nil {
		return
	}
	l.resolveLAGs()
	l.checkHostIdentity()
	for i := range l.sc.Hosts {
		if l.hostMeta[i].name.set {
			l.checkTeam(i)
		}
	}
	l.checkMissingLAGs()
	l.checkPaths()
	l.checkVMs()
	l.checkBackground()
	l.checkTimeline()
	l.checkBuffers()
	l.checkMemory()
}

// resolveLAGs checks each `lags:` entry against its host and fills
// Scenario.LAGs.
func (l *loader) resolveLAGs() {
	byHost := map[string]Pos{}
	for i := range l.lagMeta {
		lm := &l.lagMeta[i]
		if !lm.ok || !l.checkHost(lm.host.v, lm.host.pos) {
			continue
		}
		h := l.sc.HostByName(lm.host.v)
		if p, dup := byHost[h.Name]; dup {
			l.errorf(lm.host.pos, "host %s already has a LAG (line %d): a team has one EtherChannel or LAG", h.Name, p.Line)
			continue
		}
		byHost[h.Name] = lm.host.pos
		good := true
		seen := map[string]bool{}
		for j, v := range lm.vmnics.v {
			switch {
			case h.Vmnic(v) == nil:
				l.errorf(lm.vmnics.pos[j], "vmnic %q is not an uplink of host %s", v, h.Name)
				good = false
			case seen[v]:
				l.errorf(lm.vmnics.pos[j], "vmnic %q is listed twice in the LAG", v)
				good = false
			}
			seen[v] = true
		}
		if !good {
			continue
		}
		if a, b, ok := l.oneSwitch(h, lm.vmnics.v); !ok {
			l.errorf(lm.vmnics.at, "the ports of a LAG must be on one switch or one stack: vmnic %q is on %q, vmnic %q on %q", b.Name, b.Switch, a.Name, a.Switch)
			continue
		}
		lag := LAG{Host: h.Name, Vmnics: append([]string{}, lm.vmnics.v...), Mode: lm.mode.v, Hash: DefaultLACPHash}
		if lm.mode.v == "lacp" {
			lag.Hash = h.Teaming.LACPHash
			if lm.hash.set && lm.hash.v != h.Teaming.LACPHash {
				l.warnf(lm.hash.pos, "the LACP port channel hashes by %s but the vDS LAG of host %s by %s: VMware requires the same hash algorithm on both sides", lm.hash.v, h.Name, h.Teaming.LACPHash)
			}
		}
		if lm.hash.set {
			lag.Hash = lm.hash.v
		}
		lm.lagIdx = len(l.sc.LAGs)
		for k, hh := range l.sc.Hosts {
			if hh.Name == h.Name {
				lm.hostIdx = k
			}
		}
		l.sc.LAGs = append(l.sc.LAGs, lag)
	}
}

// unit is the forwarding unit of a switch: its stack, or itself.
func (l *loader) unitOf(sw string) string {
	if s := l.sc.SwitchByName(sw); s != nil && s.Stack != "" {
		return "stack:" + s.Stack
	}
	return "switch:" + sw
}

// oneSwitch reports whether the named vmnics of h sit on one switch or
// one stack; if not, it returns the first vmnic and one that differs.
func (l *loader) oneSwitch(h *Host, names []string) (first, other Vmnic, ok bool) {
	var u string
	for i, n := range names {
		v := h.Vmnic(n)
		if v == nil || v.Switch == "" {
			continue
		}
		if i == 0 || u == "" {
			first, u = *v, l.unitOf(v.Switch)
			continue
		}
		if l.unitOf(v.Switch) != u {
			return first, *v, false
		}
	}
	return first, other, true
}

// checkHostIdentity reports FT IPs, MACs and port IDs used twice.
func (l *loader) checkHostIdentity() {
	ips := map[string]string{}
	macs := map[MAC]string{}
	ports := map[uint32]string{}
	for i, h := range l.sc.Hosts {
		m := l.hostMeta[i]
		if !m.ok {
			continue
		}
		at := firstPos(m.name.pos, m.pos)
		if h.FTIP.IsValid() {
			ip := h.FTIP.String()
			if prev, dup := ips[ip]; dup {
				l.errorf(firstPos(m.ip.pos, at), "ft_ip %s of host %s is already the FT IP of host %s", ip, h.Name, prev)
			} else {
				ips[ip] = h.Name
			}
		}
		if prev, dup := macs[h.FTMAC]; dup {
			l.errorf(firstPos(m.mac.pos, at), "ft_mac %s of host %s is already the FT MAC of host %s", h.FTMAC, h.Name, prev)
		} else {
			macs[h.FTMAC] = h.Name
		}
		if prev, dup := ports[h.PortID]; dup {
			l.errorf(firstPos(m.portID.pos, at), "ft_port_id %d of host %s is already the FT port ID of host %s", h.PortID, h.Name, prev)
		} else {
			ports[h.PortID] = h.Name
		}
	}
}

// checkTeam checks host i's teaming and failover policy.
func (l *loader) checkTeam(i int) {
	h := &l.sc.Hosts[i]
	m := l.hostMeta[i]
	t := m.spec.team
	tm := h.Teaming
	teamAt := firstPos(t.pos, m.name.pos, m.pos)

	// Every listed uplink is a vmnic of the host, in one list, once.
	listed := map[string]string{}
	for _, lst := range []struct {
		name string
		l    nameList
	}{{"Active uplinks", t.active}, {"Standby uplinks", t.standby}, {"Unused uplinks", t.unused}} {
		for j, v := range lst.l.v {
			p := lst.l.pos[j]
			if h.Vmnic(v) == nil {
				l.errorf(p, "vmnic %q is not an uplink of host %s", v, h.Name)
				continue
			}
			if prev, dup := listed[v]; dup {
				if prev == lst.name {
					l.errorf(p, "vmnic %q is listed twice in %s", v, lst.name)
				} else {
					l.errorf(p, "vmnic %q is in %s and in %s: an uplink is in one list only", v, prev, lst.name)
				}
				continue
			}
			listed[v] = lst.name
		}
	}
	if len(tm.Active) == 0 && len(h.Vmnics) > 0 {
		l.errorf(firstPos(t.active.at, teamAt), "host %s has no Active uplinks: the FT vmkernel port needs at least one", h.Name)
	}
	lbAt := firstPos(t.lb.pos, teamAt)
	team := len(tm.Active) + len(tm.Standby)

	if h.Pin != "" {
		pinAt := firstPos(m.spec.pin.pos, teamAt)
		switch {
		case h.Vmnic(h.Pin) == nil:
			l.errorf(pinAt, "pin %q is not an uplink of host %s", h.Pin, h.Name)
		case !inList(tm.Active, h.Pin):
			l.errorf(pinAt, "pin %q is not one of the Active uplinks of host %s", h.Pin, h.Name)
		case l.sc.Compare == nil && tm.LoadBalancing != PortID && tm.LoadBalancing != NICLoad:
			l.warnf(pinAt, "pin has no effect with %q: it pins the FT port under Route based on originating virtual port or physical NIC load", tm.LoadBalancing.VSphereName())
		}
	}

	switch tm.LoadBalancing {
	case IPHash:
		for j, v := range t.standby.v {
			l.errorf(t.standby.pos[j], "Route based on IP hash requires all uplinks to be Active: move %q out of Standby uplinks", v)
		}
		for j, v := range t.unused.v {
			l.errorf(t.unused.pos[j], "Route based on IP hash requires all uplinks to be Active: move %q out of Unused uplinks", v)
		}
		if tm.FailureDetection == BeaconProbing {
			l.errorf(firstPos(t.detection.pos, teamAt), "Route based on IP hash supports \"Link status only\" failure detection, not \"Beacon probing\"")
		}
		l.checkTeamOneSwitch(i, "Route based on IP hash needs all uplinks on one switch or one stack (a static EtherChannel cannot span two switches)")
	case LACP:
		if tm.VSwitch == "standard" {
			l.errorf(lbAt, "LACP needs a distributed switch; host %s's team is on a standard vSwitch (vswitch: standard)", h.Name)
		}
		for j, v := range t.standby.v {
			l.errorf(t.standby.pos[j], "LACP uses the LAG as its Active uplink: move %q out of Standby uplinks", v)
		}
		l.checkTeamOneSwitch(i, "an LACP LAG needs all its uplinks on one switch or one stack")
	case NICLoad:
		if tm.VSwitch == "standard" {
			l.errorf(lbAt, "Route based on physical NIC load needs a distributed switch; host %s's team is on a standard vSwitch (vswitch: standard)", h.Name)
		}
	}
	if tm.FailureDetection == BeaconProbing && tm.LoadBalancing != IPHash && team < 3 {
		l.warnf(firstPos(t.detection.pos, teamAt), "Beacon probing needs at least three uplinks to tell which one failed; host %s's team has %d", h.Name, team)
	}
	l.checkLAGUse(i)
	l.checkSpeeds(i)
}

// checkTeamOneSwitch reports a team uplink on another switch (or stack)
// than the first Active uplink.
func (l *loader) checkTeamOneSwitch(i int, why string) {
	h := &l.sc.Hosts[i]
	names := append(append([]string{}, h.Teaming.Active...), h.Teaming.Standby...)
	if a, b, ok := l.oneSwitch(h, names); !ok {
		l.errorf(l.vmnicSwitchPos(i, b.Name), "%s: vmnic %q is on %q, vmnic %q on %q", why, b.Name, b.Switch, a.Name, a.Switch)
	}
}

// vmnicSwitchPos is where host i's vmnic gets its switch: the switch
// value, or the vmnic item.
func (l *loader) vmnicSwitchPos(i int, vmnic string) Pos {
	m := l.hostMeta[i]
	for _, v := range m.spec.vmnics.v {
		if v.name.v == vmnic {
			return firstPos(v.sw.pos, v.pos)
		}
	}
	return firstPos(m.name.pos, m.pos)
}

// checkLAGUse checks host i's LAG against its teaming policy.
func (l *loader) checkLAGUse(i int) {
	h := &l.sc.Hosts[i]
	tm := h.Teaming
	for _, lm := range l.lagMeta {
		if lm.hostIdx != i {
			continue
		}
		lag := l.sc.LAGs[lm.lagIdx]
		switch {
		case tm.LoadBalancing == IPHash && lag.Mode != "static":
			l.errorf(lm.mode.pos, "Route based on IP hash needs a static EtherChannel (mode: static), not LACP")
		case tm.LoadBalancing == LACP && lag.Mode != "lacp":
			l.errorf(lm.mode.pos, "the LACP policy needs an LACP port channel (mode: lacp), not a static EtherChannel")
		case tm.LoadBalancing == IPHash || tm.LoadBalancing == LACP:
			if !sameSet(lag.Vmnics, tm.Active) {
				l.errorf(lm.vmnics.at, "the LAG of host %s must bundle exactly its Active uplinks (%s)", h.Name, strings.Join(tm.Active, ", "))
			}
		case l.sc.Compare == nil:
			kind := "a static EtherChannel"
			if lag.Mode == "lacp" {
				kind = "an LACP port channel"
			}
			l.warnf(lm.host.pos, "host %s has %s but its team uses %q: VMware pairs a static EtherChannel with Route based on IP hash and an LACP port channel with a LAG", h.Name, kind, tm.LoadBalancing.VSphereName())
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !inList(b, x) {
			return false
		}
	}
	return true
}

// checkMissingLAGs reports hosts whose own policy needs a switch-side LAG
// that `lags:` lacks (unless compare derives it). A policy written once in
// defaults gets one message listing the hosts.
func (l *loader) checkMissingLAGs() {
	if l.sc.Compare != nil {
		return
	}
	type miss struct {
		policy Policy
		hosts  []string
		active []string
	}
	var order []Pos
	missing := map[Pos]*miss{}
	for i, h := range l.sc.Hosts {
		m := l.hostMeta[i]
		p := h.Teaming.LoadBalancing
		if !m.ok || (p != IPHash && p != LACP) || len(h.Teaming.Active) == 0 {
			continue
		}
		has := false
		for _, lm := range l.lagMeta {
			has = has || lm.hostIdx == i
		}
		if has {
			continue
		}
		at := firstPos(m.spec.team.lb.pos, m.spec.team.pos, m.name.pos)
		if missing[at] == nil {
			missing[at] = &miss{policy: p, active: h.Teaming.Active}
			order = append(order, at)
		}
		missing[at].hosts = append(missing[at].hosts, h.Name)
	}
	for _, at := range order {
		ms := missing[at]
		mode, what := "static", "Route based on IP hash needs a static EtherChannel on the physical switch"
		if ms.policy == LACP {
			mode, what = "lacp", "LACP needs an LACP port channel on the physical switch"
		}
		example := fmt.Sprintf("{host: %s, vmnics: [%s], mode: %s}", ms.hosts[0], strings.Join(ms.active, ", "), mode)
		if len(ms.hosts) == 1 {
			l.errorf(at, "%s: add to lags: %s (or add compare: to derive it)", what, example)
		} else {
			l.errorf(at, "%s for each of %s: add lags: entries such as %s (or add compare: to derive them)", what, strings.Join(ms.hosts, ", "), example)
		}
	}
}

// checkSpeeds warns about FT logging uplinks slower than VMware requires.
func (l *loader) checkSpeeds(i int) {
	h := &l.sc.Hosts[i]
	smp, legacy := false, false
	for _, vm := range l.sc.VMs {
		if vm.Primary == h.Name || vm.Secondary == h.Name {
			smp = smp || vm.Mode == ModeSMP
			legacy = legacy || vm.Mode == ModeLegacy
		}
	}
	m := l.hostMeta[i]
	for _, v := range m.spec.vmnics.v {
		if !v.speed.set || !inList(append(append([]string{}, h.Teaming.Active...), h.Teaming.Standby...), v.name.v) {
			continue
		}
		switch {
		case smp && v.speed.v < 10e9:
			l.warnf(v.speed.pos, "SMP-FT needs a 10 Gbit/s FT logging network; vmnic %q of host %s runs at %s", v.name.v, h.Name, v.speed.v)
		case legacy && v.speed.v < 1e9:
			l.warnf(v.speed.pos, "FT needs at least a 1 Gbit/s logging network; vmnic %q of host %s runs at %s", v.name.v, h.Name, v.speed.v)
		}
	}
}

// checkPaths reports switches that FT traffic must cross between without
// an inter-switch link or a shared stack.
func (l *loader) checkPaths() {
	type use struct {
		unit, sw string
		pos      Pos
	}
	var units []use
	seen := map[string]bool{}
	for i, h := range l.sc.Hosts {
		if !l.hostMeta[i].ok {
			continue
		}
		for _, name := range append(append([]string{}, h.Teaming.Active...), h.Teaming.Standby...) {
			v := h.Vmnic(name)
			if v == nil || v.Switch == "" {
				continue
			}
			u := l.unitOf(v.Switch)
			if !seen[u] {
				seen[u] = true
				units = append(units, use{u, v.Switch, l.vmnicSwitchPos(i, name)})
			}
		}
	}
	linked := map[[2]string]bool{}
	for _, isl := range l.sc.ISLs {
		a, b := l.unitOf(isl.A), l.unitOf(isl.B)
		linked[[2]string{a, b}], linked[[2]string{b, a}] = true, true
	}
	for j := 1; j < len(units); j++ {
		for i := 0; i < j; i++ {
			if !linked[[2]string{units[i].unit, units[j].unit}] {
				l.errorf(units[j].pos, "switch %q has no inter-switch link to switch %q and is not in its stack: FT traffic between hosts on them has no path (add inter_switch_links: or a common stack)", units[j].sw, units[i].sw)
				break
			}
		}
	}
}

// checkVMs checks each FT VM's hosts, names and the FT limits per host.
func (l *loader) checkVMs() {
	names := map[string]Pos{}
	vmsOn := map[string]int{}
	cpusOn := map[string]int{}
	firstOver := map[string]Pos{}
	firstOverCPU := map[string]Pos{}
	for i, vm := range l.sc.VMs {
		m := l.vmMeta[i]
		if vm.Name != "" {
			if p, dup := names[vm.Name]; dup {
				l.errorf(m.name, "VM name %q is used twice (first at line %d)", vm.Name, p.Line)
			} else {
				names[vm.Name] = m.name
			}
		}
		if !m.ok {
			continue
		}
		pOK := m.spread || l.checkHost(vm.Primary, m.primary)
		sOK := m.spread || l.checkHost(vm.Secondary, m.secondary)
		if pOK && sOK && vm.Primary == vm.Secondary {
			l.errorf(m.secondary, "secondary %q is the primary's host: FT needs the secondary on another host", vm.Secondary)
			continue
		}
		if pOK && (i == 0 || m.group == "" || m.group != l.vmMeta[i-1].group) {
			l.checkEpochLoad(&l.sc.VMs[i], m.load) // once per group: its VMs are alike
		}
		for _, r := range []struct {
			host string
			at   Pos
		}{{vm.Primary, m.primary}, {vm.Secondary, m.secondary}} {
			vmsOn[r.host]++
			if !m.vcpusBad {
				cpusOn[r.host] += vm.VCPUs
			}
			if _, done := firstOver[r.host]; !done && vmsOn[r.host] > MaxFTVMsPerHost {
				firstOver[r.host] = r.at
			}
			if _, done := firstOverCPU[r.host]; !done && cpusOn[r.host] > MaxFTVCPUsPerHost {
				firstOverCPU[r.host] = r.at
			}
		}
	}
	for _, h := range l.sc.Hosts {
		if at, ok := firstOver[h.Name]; ok {
			l.warnf(at, "host %s runs %d FT VMs, primaries and secondaries counted: more than das.maxftvmsperhost (%d)", h.Name, vmsOn[h.Name], MaxFTVMsPerHost)
		}
		if at, ok := firstOverCPU[h.Name]; ok {
			l.warnf(at, "host %s runs %d FT vCPUs, primaries and secondaries counted: more than das.maxftvcpusperhost (%d)", h.Name, cpusOn[h.Name], MaxFTVCPUsPerHost)
		}
	}
}

func (l *loader) checkBackground() {
	for i, bg := range l.sc.Background {
		m := l.bgMeta[i]
		if m.host.set && m.vmnic.set && l.checkHost(bg.Host, m.host.pos) && l.sc.HostByName(bg.Host).Vmnic(bg.Vmnic) == nil {
			l.errorf(m.vmnic.pos, "vmnic %q is not an uplink of host %s", bg.Vmnic, bg.Host)
		}
	}
}

// checkTimeline checks warmup and failure times against the run.
func (l *loader) checkTimeline() {
	if !l.durationSet {
		return
	}
	d := l.sc.Duration
	if l.warmup.set && l.warmup.v >= d {
		l.errorf(l.warmup.pos, "warmup %s must be shorter than duration %s: nothing would be measured", l.warmup.v, d)
	}
	for _, at := range l.failAts {
		if at.set && at.v >= d {
			l.errorf(at.pos, "failure at %s is after the end of the run (duration %s)", at.v, d)
		}
	}
	for i, f := range l.sc.Failures {
		l.checkUpstreamSeen(f, l.failMeta[i])
	}
}

// checkUpstreamSeen warns about an upstream failure that the host's
// failure detection cannot see ("Link status only" without LACP).
func (l *loader) checkUpstreamSeen(f Failure, m failMeta) {
	if f.What != FailVmnic || f.Mode != "upstream" {
		return
	}
	h := l.sc.HostByName(f.Host)
	if h == nil {
		return
	}
	t := h.Teaming
	inTeam := inList(t.Active, f.Vmnic) || inList(t.Standby, f.Vmnic)
	if !inTeam || t.FailureDetection != LinkStatus || t.LoadBalancing == LACP || l.sc.Compare != nil {
		return
	}
	until := "for the rest of the run"
	if f.DownFor > 0 {
		until = "until the path recovers"
	}
	l.warnf(m.target, "\"Link status only\" does not see an upstream failure: FT traffic host %s sends on %s is lost %s (Beacon probing would detect it)", f.Host, f.Vmnic, until)
}

// WireBytes is the bytes one message of payload bytes takes on the wire
// from a host with the given MTU: frames of MTU-52 B payload, each with
// 90 B of headers, preamble and gap (docs/model.md "Framing"). Switches
// store and forward whole messages, so a port must buffer this much.
func WireBytes(payload int64, mtu int) int64 {
	mss := int64(mtu - 52)
	frames := max(1, (payload+mss-1)/mss)
	return payload + frames*90
}

// checkBuffers refuses a switch port or an inter-switch link whose buffer
// cannot hold one FT log message: every message would be dropped and the
// secondary would receive nothing.
func (l *loader) checkBuffers() {
	if len(l.sc.Hosts) == 0 || len(l.sc.VMs) == 0 {
		return
	}
	mtu := 0
	for _, h := range l.sc.Hosts {
		if h.MTU > 52 && (mtu == 0 || h.MTU < mtu) {
			mtu = h.MTU
		}
	}
	if mtu == 0 {
		return
	}
	var vm *FTVM
	vmAt := Pos{1, 1}
	for i := range l.sc.VMs {
		v := &l.sc.VMs[i]
		if v.FT.MessageSize > v.FT.LogBuffer { // reported already
			continue
		}
		if vm == nil || v.FT.MessageSize > vm.FT.MessageSize {
			vm = v
			if i < len(l.vmMeta) {
				vmAt = firstPos(l.vmMeta[i].name, l.vmMeta[i].pos)
			}
		}
	}
	if vm == nil {
		return
	}
	wire := WireBytes(int64(vm.FT.MessageSize), mtu)
	what := fmt.Sprintf("one FT log message of VM %q (message_size %s, %d B on the wire at MTU %d)", vm.Name, vm.FT.MessageSize, wire, mtu)
	for i, sw := range l.sc.Switches {
		if int64(sw.PortBuffer) >= wire {
			continue
		}
		at := vmAt // the default switch: at the VM whose message it cannot hold
		if i < len(l.switchMeta) {
			at = firstPos(l.switchMeta[i].buffer, l.switchMeta[i].pos)
		}
		l.errorf(at, "port_buffer %s of switch %q cannot hold %s: the switch would drop every message", sw.PortBuffer, sw.Name, what)
	}
	for i, isl := range l.sc.ISLs {
		if int64(isl.Buffer) >= wire {
			continue
		}
		at := Pos{1, 1}
		if i < len(l.islMeta) {
			at = firstPos(l.islMeta[i].buffer, l.islMeta[i].between)
		}
		l.errorf(at, "buffer %s of the inter-switch link %s~%s cannot hold %s: the link would drop every message", isl.Buffer, isl.A, isl.B, what)
	}
}

// Memory bounds of one run, checked at validation so that no valid
// scenario can exhaust memory: the log messages all VMs may hold
// unacknowledged, and the per-second figures kept for every queue and VM.
const (
	MaxScenarioMessages = 1 << 24
	MaxSecondCells      = 1 << 27
	// MaxResultRecords bounds the figures a whole run keeps: one per
	// queue and VM of every policy, failure case and replication.
	MaxResultRecords = 1 << 25
)

// checkMemory refuses a scenario whose run could hold more messages or
// per-second figures than the bounds above: log buffers, and background
// traffic that offers a vmnic more than it can send (its TX queue never
// drops, so the excess waits in memory).
func (l *loader) checkMemory() {
	var msgs int64
	for i, vm := range l.sc.VMs {
		if vm.Mode == ModeSMP {
			// Checkpoints, not the log buffer, bound what an SMP-FT VM holds.
			held := vm.HeldMessages()
			if held > MaxScenarioMessages {
				if i == 0 || i >= len(l.vmMeta) || l.vmMeta[i].group == "" || l.vmMeta[i].group != l.vmMeta[i-1].group {
					at := Pos{1, 1}
					if i < len(l.vmMeta) {
						at = l.vmMeta[i].load
					}
					l.errorf(at, "VM %s's checkpoints would be cut into up to %.0f messages of message_size %s held until their acks (max_outstanding %d, the longest epoch at the peak rate): at most %d keep the simulation's memory bounded; use a larger message_size, a shorter interval or a lower rate",
						vm.Name, held, vm.FT.MessageSize, vm.FT.Checkpoint.MaxOutstanding, MaxScenarioMessages)
				}
				continue
			}
			msgs += int64(held)
			continue
		}
		if vm.FT.MessageSize > 0 && int64(vm.FT.LogBuffer/vm.FT.MessageSize) <= MaxBufferedMessages {
			msgs += int64(vm.FT.LogBuffer / vm.FT.MessageSize) // the VMs above it are reported already
		}
	}
	if msgs > MaxScenarioMessages {
		l.errorf(l.root.keyPos("ft_vms"), "the FT VMs' log buffers and checkpoints hold %d messages together (log_buffer / message_size for legacy FT, checkpoints for SMP-FT, summed): at most %d keep the simulation's memory bounded; use a larger message_size, a smaller log_buffer or shorter checkpoint intervals", msgs, MaxScenarioMessages)
	}
	links := 0
	for _, h := range l.sc.Hosts {
		links += 2 * len(h.Vmnics)
	}
	links += 2 * len(l.sc.ISLs)
	secs := int64(math.Ceil(float64(l.sc.Duration)))
	if cells := (4*int64(links) + 2*int64(len(l.sc.VMs))) * secs; secs > 0 && cells > MaxSecondCells {
		l.errorf(firstPos(l.duration.pos, l.root.keyPos("duration")), "duration %s with %d queues and %d FT VMs needs %d per-second figures per run: at most %d keep the simulation's memory bounded; shorten the run or split the design",
			l.sc.Duration, links, len(l.sc.VMs), cells, MaxSecondCells)
	}
	// The whole result: every run's figures, one per queue and VM.
	if l.errorCount() == 0 {
		runs := int64(len(l.sc.Policies(nil))) * int64(len(l.sc.FailureCases()))
		reps := int64(max(l.sc.Replications.N, 1))
		if l.sc.Replications.Auto {
			reps = int64(max(l.sc.Replications.Max, 1))
		}
		if records := runs * reps * int64(links+len(l.sc.VMs)); records > MaxResultRecords {
			l.errorf(l.root.keyPos("compare"), "the results would hold %d runs (%d policies x %d failure cases x %d replications) of %d queues and %d FT VMs: %d figures, more than the %d ftsim keeps in memory; compare fewer policies or cases, or split the design",
				runs*reps, len(l.sc.Policies(nil)), len(l.sc.FailureCases()), reps, links, len(l.sc.VMs), records, MaxResultRecords)
		}
	}
	for i, bg := range l.sc.Background {
		h := l.sc.HostByName(bg.Host)
		if h == nil || bg.Direction != "tx" || l.sc.FT.MessageSize <= 0 {
			continue
		}
		v := h.Vmnic(bg.Vmnic)
		if v == nil || v.Speed <= 0 || bg.Logging.Rate <= v.Speed {
			continue
		}
		// A vmnic's TX queue never drops: the excess waits in it.
		backlog := float64(bg.Logging.Rate-v.Speed) / 8 * float64(l.sc.Duration) / float64(l.sc.FT.MessageSize)
		if backlog > MaxScenarioMessages {
			l.errorf(l.bgMeta[i].pos, "background traffic of %s on vmnic %q of host %s is faster than the vmnic (%s): its TX queue would hold %.0f messages by the end of the run, at most %d keep the simulation's memory bounded; lower the rate or shorten the run",
				bg.Logging.Rate, bg.Vmnic, bg.Host, v.Speed, backlog, MaxScenarioMessages)
		}
	}
}

// CheckRunSize checks the memory bounds of a run of sc with the command
// line's overrides: duration in seconds (0: the scenario's), replications
// (0: the scenario's) and the number of policies (0: the scenario's). It
// returns what is over a bound, in words, or nil; Load has checked the
// scenario as written.
func CheckRunSize(sc *Scenario, duration float64, replications, policies int) error {
	if duration <= 0 {
		duration = float64(sc.Duration)
	}
	if duration > maxDuration {
		return fmt.Errorf("a run may last at most 168h, not %s", Duration(duration))
	}
	reps := max(sc.Replications.N, 1)
	if sc.Replications.Auto {
		reps = max(sc.Replications.Max, 1)
	}
	if replications > 0 {
		reps = replications
	}
	if reps > maxReplications {
		return fmt.Errorf("at most %d replications, not %d", maxReplications, reps)
	}
	if policies <= 0 {
		policies = len(sc.Policies(nil))
	}
	links := 2 * len(sc.ISLs)
	for _, h := range sc.Hosts {
		links += 2 * len(h.Vmnics)
	}
	if cells := (4*int64(links) + 2*int64(len(sc.VMs))) * int64(math.Ceil(duration)); cells > MaxSecondCells {
		return fmt.Errorf("%s with %d queues and %d FT VMs needs %d per-second figures per run: at most %d keep the simulation's memory bounded; shorten the run",
			Duration(duration), links, len(sc.VMs), cells, MaxSecondCells)
	}
	runs := int64(policies) * int64(len(sc.FailureCases())) * int64(reps)
	if records := runs * int64(links+len(sc.VMs)); records > MaxResultRecords {
		return fmt.Errorf("%d runs of %d queues and %d FT VMs: %d figures, more than the %d ftsim keeps in memory; run fewer replications or policies",
			runs, links, len(sc.VMs), records, MaxResultRecords)
	}
	return nil
}
