package model

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Marshal writes sc as scenario YAML that Parse reads back to an equal
// Scenario, in the fully expanded form: every host with its vmnics and
// teaming, every VM on its own with its hosts, every value explicit. Zero
// values that have a default (a Teaming with no LinkDetect, a VM with no
// Memory, a host with no FTMAC) are left out, so the default applies: a
// Scenario built in code need only fill what it means.
//
// `sweep:` is not written: its paths address the original document
// (Scenario.Source), not the expanded form. Derived LAGs are not written.
func Marshal(sc *Scenario) ([]byte, error) {
	if sc == nil {
		return nil, errors.New("model: Marshal of a nil scenario")
	}
	root := newMap()
	if sc.Name != "" {
		put(root, "name", str(sc.Name))
	}
	if sc.Description != "" {
		put(root, "description", str(sc.Description))
	}
	if sc.Duration > 0 {
		put(root, "duration", str(sc.Duration.String()))
	}
	if sc.Warmup > 0 {
		put(root, "warmup", str(sc.Warmup.String()))
	}
	put(root, "seed", num(strconv.FormatUint(sc.Seed, 10)))
	marshalReplications(root, sc.Replications)
	if ft := marshalFT(sc.FT, DefaultFT(), false); len(ft.Content) > 0 {
		put(root, "ft", ft)
	}
	if len(sc.Switches) > 0 {
		put(root, "switches", marshalSwitches(sc.Switches))
	}
	if len(sc.ISLs) > 0 {
		put(root, "inter_switch_links", marshalISLs(sc.ISLs))
	}
	if lags := marshalLAGs(sc.LAGs); len(lags.Content) > 0 {
		put(root, "lags", lags)
	}
	hosts := newSeq(false)
	for _, h := range sc.Hosts {
		hosts.Content = append(hosts.Content, marshalHost(h))
	}
	put(root, "hosts", hosts)
	vms := newSeq(false)
	for _, vm := range sc.VMs {
		vms.Content = append(vms.Content, marshalVM(vm, sc.FT))
	}
	put(root, "ft_vms", vms)
	if len(sc.Background) > 0 {
		bg := newSeq(false)
		for _, b := range sc.Background {
			m := newFlowMap()
			put(m, "host", str(b.Host))
			put(m, "vmnic", str(b.Vmnic))
			if b.Direction != "" {
				put(m, "direction", str(b.Direction))
			}
			marshalLogging(m, b.Logging)
			bg.Content = append(bg.Content, m)
		}
		put(root, "background", bg)
	}
	if len(sc.Failures) > 0 {
		fs := newSeq(false)
		for _, f := range sc.Failures {
			m, err := marshalFailure(f)
			if err != nil {
				return nil, err
			}
			fs.Content = append(fs.Content, m)
		}
		put(root, "failures", fs)
	}
	if c := sc.Compare; c != nil {
		m := newMap()
		ps := newSeq(true)
		for _, p := range c.Policies {
			ps.Content = append(ps.Content, str(string(p)))
		}
		put(m, "policies", ps)
		put(m, "n_minus_1", boolean(c.NMinus1))
		put(root, "compare", m)
	}
	if sla := marshalSLA(sc.SLA); len(sla.Content) > 0 {
		put(root, "sla", sla)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("model: marshal scenario: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("model: marshal scenario: %w", err)
	}
	return buf.Bytes(), nil
}

func newMap() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }
func newFlowMap() *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
}

func newSeq(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
func num(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: s} }
func boolean(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

func put(m *yaml.Node, k string, v *yaml.Node) { m.Content = append(m.Content, str(k), v) }

func strList(list []string) *yaml.Node {
	s := newSeq(true)
	for _, v := range list {
		s.Content = append(s.Content, str(v))
	}
	return s
}

func marshalReplications(root *yaml.Node, r Replications) {
	if r.Auto {
		put(root, "replications", str("auto"))
		if r.CITarget > 0 {
			put(root, "ci_target", str(FormatPercent(r.CITarget)))
		}
		if r.Max > 0 {
			put(root, "max_replications", num(strconv.Itoa(r.Max)))
		}
		return
	}
	if r.N > 0 {
		put(root, "replications", num(strconv.Itoa(r.N)))
	}
}

// marshalFT writes the fields of p that differ from base (all non-zero
// fields when all is true).
func marshalFT(p, base FTParams, all bool) *yaml.Node {
	m := newMap()
	size := func(k string, v, b Size) {
		if v > 0 && (all || v != b) {
			put(m, k, str(v.String()))
		}
	}
	dur := func(k string, v, b Duration, zeroOK bool) {
		if (v > 0 || (zeroOK && v == 0)) && (all || v != b) {
			put(m, k, str(v.String()))
		}
	}
	size("message_size", p.MessageSize, base.MessageSize)
	size("ack_size", p.AckSize, base.AckSize)
	size("log_buffer", p.LogBuffer, base.LogBuffer)
	dur("heartbeat", p.Heartbeat, base.Heartbeat, false)
	dur("timeout", p.Timeout, base.Timeout, false)
	dur("rto", p.RTO, base.RTO, false)
	dur("lag_target", p.LagTarget, base.LagTarget, false)
	dur("restart_delay", p.RestartDelay, base.RestartDelay, true)
	return m
}

func marshalSwitches(sws []Switch) *yaml.Node {
	s := newSeq(false)
	for _, sw := range sws {
		m := newFlowMap()
		put(m, "name", str(sw.Name))
		if sw.Stack != "" {
			put(m, "stack", str(sw.Stack))
		}
		if sw.PortBuffer > 0 {
			put(m, "port_buffer", str(sw.PortBuffer.String()))
		}
		put(m, "latency", str(sw.Latency.String()))
		put(m, "portfast", boolean(sw.Portfast))
		s.Content = append(s.Content, m)
	}
	return s
}

func marshalISLs(isls []ISL) *yaml.Node {
	s := newSeq(false)
	for _, isl := range isls {
		m := newFlowMap()
		put(m, "between", strList([]string{isl.A, isl.B}))
		if isl.Speed > 0 {
			put(m, "speed", str(isl.Speed.String()))
		}
		put(m, "latency", str(isl.Latency.String()))
		if isl.Buffer > 0 {
			put(m, "buffer", str(isl.Buffer.String()))
		}
		s.Content = append(s.Content, m)
	}
	return s
}

func marshalLAGs(lags []LAG) *yaml.Node {
	s := newSeq(false)
	for _, lag := range lags {
		if lag.Derived {
			continue
		}
		m := newFlowMap()
		put(m, "host", str(lag.Host))
		put(m, "vmnics", strList(lag.Vmnics))
		put(m, "mode", str(lag.Mode))
		if lag.Hash != "" {
			put(m, "hash", str(lag.Hash))
		}
		s.Content = append(s.Content, m)
	}
	return s
}

func marshalHost(h Host) *yaml.Node {
	m := newMap()
	put(m, "name", str(h.Name))
	if h.FTIP.IsValid() {
		put(m, "ft_ip", str(h.FTIP.String()))
	}
	if h.FTMAC != 0 {
		put(m, "ft_mac", str(h.FTMAC.String()))
	}
	if h.PortID != 0 {
		put(m, "ft_port_id", num(strconv.FormatUint(uint64(h.PortID), 10)))
	}
	if h.MTU != 0 {
		put(m, "mtu", num(strconv.Itoa(h.MTU)))
	}
	vs := newSeq(false)
	for _, v := range h.Vmnics {
		vm := newFlowMap()
		put(vm, "name", str(v.Name))
		if v.Speed > 0 {
			put(vm, "speed", str(v.Speed.String()))
		}
		if v.Switch != "" {
			put(vm, "switch", str(v.Switch))
		}
		vs.Content = append(vs.Content, vm)
	}
	put(m, "vmnics", vs)
	put(m, "teaming", marshalTeaming(h.Teaming))
	if h.Pin != "" {
		put(m, "pin", str(h.Pin))
	}
	return m
}

func marshalTeaming(t Teaming) *yaml.Node {
	m := newMap()
	opt := func(k, v string) {
		if v != "" {
			put(m, k, str(v))
		}
	}
	opt("load_balancing", string(t.LoadBalancing))
	for _, l := range []struct {
		k string
		v []string
	}{{"active", t.Active}, {"standby", t.Standby}, {"unused", t.Unused}} {
		if len(l.v) > 0 {
			put(m, l.k, strList(l.v))
		}
	}
	put(m, "failback", boolean(t.Failback))
	opt("failure_detection", string(t.FailureDetection))
	put(m, "notify_switches", boolean(t.NotifySwitches))
	opt("vswitch", t.VSwitch)
	opt("ip_hash", t.IPHash)
	opt("mac_hash", t.MACHash)
	put(m, "link_detect", str(t.LinkDetect.String()))
	beacon := newFlowMap()
	if t.BeaconInterval > 0 {
		put(beacon, "interval", str(t.BeaconInterval.String()))
	}
	if t.BeaconMisses > 0 {
		put(beacon, "misses", num(strconv.Itoa(t.BeaconMisses)))
	}
	if len(beacon.Content) > 0 {
		put(m, "beacon", beacon)
	}
	put(m, "failback_delay", str(t.FailbackDelay.String()))
	lbt := newFlowMap()
	if t.LBTInterval > 0 {
		put(lbt, "interval", str(t.LBTInterval.String()))
	}
	if t.LBTThreshold > 0 {
		put(lbt, "threshold", str(FormatPercent(t.LBTThreshold)))
	}
	if len(lbt.Content) > 0 {
		put(m, "lbt", lbt)
	}
	lacp := newFlowMap()
	if t.LACPHash != "" {
		put(lacp, "hash", str(t.LACPHash))
	}
	if t.LACPTimeout != "" {
		put(lacp, "timeout", str(t.LACPTimeout))
	}
	if len(lacp.Content) > 0 {
		put(m, "lacp", lacp)
	}
	return m
}

func marshalVM(vm FTVM, ft FTParams) *yaml.Node {
	m := newMap()
	put(m, "name", str(vm.Name))
	put(m, "primary", str(vm.Primary))
	put(m, "secondary", str(vm.Secondary))
	if vm.VCPUs > 0 {
		put(m, "vcpus", num(strconv.Itoa(vm.VCPUs)))
	}
	if vm.Memory > 0 {
		put(m, "memory", str(vm.Memory.String()))
	}
	if vm.Mode != "" {
		put(m, "mode", str(vm.Mode))
	}
	lg := newFlowMap()
	marshalLogging(lg, vm.Logging)
	put(m, "logging", lg)
	if own := marshalFT(vm.FT, ft, false); len(own.Content) > 0 {
		own.Style = yaml.FlowStyle
		put(m, "ft", own)
	}
	return m
}

// fromStatsOrder is the order from_stats inputs are written in.
var fromStatsOrder = []string{"disk_read", "disk_write", "network_rx", "dirty_memory"}

// marshalLogging writes the keys of a logging block into m.
func marshalLogging(m *yaml.Node, lg Logging) {
	switch {
	case lg.Source == "preset" || (lg.Source == "" && lg.Preset != ""):
		put(m, "preset", str(lg.Preset))
	case lg.Source == "from_stats":
		fs := newFlowMap()
		for _, k := range fromStatsOrder {
			v, ok := lg.FromStats[k]
			if !ok {
				continue
			}
			if k == "network_rx" {
				put(fs, k, str(BitRate(v).String()))
			} else {
				put(fs, k, str(ByteRate(v).String()))
			}
		}
		put(m, "from_stats", fs)
	case lg.Source == "trace" || (lg.Source == "" && lg.TraceFile != ""):
		put(m, "trace", str(lg.TraceFile))
	default:
		put(m, "rate", str(lg.Rate.String()))
	}
	if lg.Pattern != "" {
		put(m, "pattern", str(string(lg.Pattern)))
	}
	if lg.Pattern == OnOff {
		put(m, "on", str(lg.On.String()))
		put(m, "off", str(lg.Off.String()))
	}
}

func marshalFailure(f Failure) (*yaml.Node, error) {
	m := newFlowMap()
	put(m, "at", str(f.At.String()))
	switch f.What {
	case FailVmnic:
		put(m, "vmnic", str(f.Host+"/"+f.Vmnic))
		if f.Mode != "" && f.Mode != "link_down" {
			put(m, "kind", str(f.Mode))
		}
	case FailSwitch:
		put(m, "switch", str(f.Switch))
	case FailISL:
		put(m, "isl", strList(f.ISL[:]))
	case FailHost:
		put(m, "host", str(f.Host))
	default:
		return nil, fmt.Errorf("model: marshal failure: unknown kind %q", f.What)
	}
	if f.DownFor > 0 {
		put(m, "down_for", str(f.DownFor.String()))
	}
	return m, nil
}

func marshalSLA(s SLA) *yaml.Node {
	m := newMap()
	if s.HasReplayLagP99 {
		put(m, "replay_lag_p99", str(s.ReplayLagP99.String()))
	}
	if s.HasOutputDelayP99 {
		put(m, "output_delay_p99", str(s.OutputDelayP99.String()))
	}
	if s.HasUtilisationMax {
		put(m, "utilisation_max", str(FormatPercent(s.UtilisationMax)))
	}
	if s.HasUnprotectedMax {
		put(m, "unprotected_max", str(s.UnprotectedMax.String()))
	}
	return m
}
