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
	root := yMap()
	if sc.Name != "" {
		yPut(root, "name", yStr(sc.Name))
	}
	if sc.Description != "" {
		yPut(root, "description", yStr(sc.Description))
	}
	if sc.Duration > 0 {
		yPut(root, "duration", yStr(sc.Duration.String()))
	}
	if sc.Warmup > 0 {
		yPut(root, "warmup", yStr(sc.Warmup.String()))
	}
	yPut(root, "seed", yNum(strconv.FormatUint(sc.Seed, 10)))
	marshalReplications(root, sc.Replications)
	if ft := marshalFT(sc.FT, DefaultFT()); len(ft.Content) > 0 {
		yPut(root, "ft", ft)
	}
	if len(sc.Switches) > 0 {
		yPut(root, "switches", marshalSwitches(sc.Switches))
	}
	if len(sc.ISLs) > 0 {
		yPut(root, "inter_switch_links", marshalISLs(sc.ISLs))
	}
	if lags := marshalLAGs(sc.LAGs); len(lags.Content) > 0 {
		yPut(root, "lags", lags)
	}
	hosts := ySeq(false)
	for _, h := range sc.Hosts {
		hosts.Content = append(hosts.Content, marshalHost(h))
	}
	yPut(root, "hosts", hosts)
	vms := ySeq(false)
	for _, vm := range sc.VMs {
		vms.Content = append(vms.Content, marshalVM(vm, sc.FT))
	}
	yPut(root, "ft_vms", vms)
	if len(sc.Background) > 0 {
		bg := ySeq(false)
		for _, b := range sc.Background {
			m := yFlowMap()
			yPut(m, "host", yStr(b.Host))
			yPut(m, "vmnic", yStr(b.Vmnic))
			if b.Direction != "" {
				yPut(m, "direction", yStr(b.Direction))
			}
			marshalLogging(m, b.Logging)
			bg.Content = append(bg.Content, m)
		}
		yPut(root, "background", bg)
	}
	if len(sc.Failures) > 0 {
		fs := ySeq(false)
		for _, f := range sc.Failures {
			m, err := marshalFailure(f)
			if err != nil {
				return nil, err
			}
			fs.Content = append(fs.Content, m)
		}
		yPut(root, "failures", fs)
	}
	if c := sc.Compare; c != nil {
		m := yMap()
		ps := ySeq(true)
		for _, p := range c.Policies {
			ps.Content = append(ps.Content, yStr(string(p)))
		}
		yPut(m, "policies", ps)
		yPut(m, "n_minus_1", yBool(c.NMinus1))
		yPut(root, "compare", m)
	}
	if sla := marshalSLA(sc.SLA); len(sla.Content) > 0 {
		yPut(root, "sla", sla)
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

func yMap() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }
func yFlowMap() *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
}

func ySeq(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

func yStr(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
func yNum(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: s} }
func yBool(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

func yPut(m *yaml.Node, k string, v *yaml.Node) { m.Content = append(m.Content, yStr(k), v) }

func yStrList(list []string) *yaml.Node {
	s := ySeq(true)
	for _, v := range list {
		s.Content = append(s.Content, yStr(v))
	}
	return s
}

func marshalReplications(root *yaml.Node, r Replications) {
	if r.Auto {
		yPut(root, "replications", yStr("auto"))
		if r.CITarget > 0 {
			yPut(root, "ci_target", yStr(FormatPercent(r.CITarget)))
		}
		if r.Max > 0 {
			yPut(root, "max_replications", yNum(strconv.Itoa(r.Max)))
		}
		return
	}
	if r.N > 0 {
		yPut(root, "replications", yNum(strconv.Itoa(r.N)))
	}
}

// marshalFT writes the non-zero fields of p that differ from base.
func marshalFT(p, base FTParams) *yaml.Node {
	m := yMap()
	size := func(k string, v, b Size) {
		if v > 0 && v != b {
			yPut(m, k, yStr(v.String()))
		}
	}
	dur := func(k string, v, b Duration) {
		if v > 0 && v != b {
			yPut(m, k, yStr(v.String()))
		}
	}
	size("message_size", p.MessageSize, base.MessageSize)
	size("ack_size", p.AckSize, base.AckSize)
	size("log_buffer", p.LogBuffer, base.LogBuffer)
	dur("heartbeat", p.Heartbeat, base.Heartbeat)
	dur("timeout", p.Timeout, base.Timeout)
	dur("rto", p.RTO, base.RTO)
	dur("lag_target", p.LagTarget, base.LagTarget)
	dur("restart_delay", p.RestartDelay, base.RestartDelay)
	if c := marshalCheckpoint(p.Checkpoint, base.Checkpoint); len(c.Content) > 0 {
		yPut(m, "checkpoint", c)
	}
	if t := marshalTCP(p.TCP, base.TCP); len(t.Content) > 0 {
		yPut(m, "tcp", t)
	}
	return m
}

// marshalCheckpoint writes the set fields of c that differ from base.
func marshalCheckpoint(c, base Checkpoint) *yaml.Node {
	m := yFlowMap()
	dur := func(k string, v, b Duration) {
		if v > 0 && v != b {
			yPut(m, k, yStr(v.String()))
		}
	}
	if (c.Dynamic || c.Interval > 0) && (c.Dynamic != base.Dynamic || c.Interval != base.Interval) {
		if c.Dynamic {
			yPut(m, "interval", yStr("dynamic"))
		} else {
			yPut(m, "interval", yStr(c.Interval.String()))
		}
	}
	dur("min_interval", c.MinInterval, base.MinInterval)
	dur("max_interval", c.MaxInterval, base.MaxInterval)
	if c.StunBudget > 0 && c.StunBudget != base.StunBudget {
		yPut(m, "stun_budget", yStr(FormatPercent(c.StunBudget)))
	}
	dur("stun_base", c.StunBase, base.StunBase)
	if c.CopyRate > 0 && c.CopyRate != base.CopyRate {
		yPut(m, "copy_rate", yStr(c.CopyRate.String()))
	}
	if c.Overhead > 0 && c.Overhead != base.Overhead {
		yPut(m, "overhead", yStr(c.Overhead.String()))
	}
	if c.MaxOutstanding > 0 && c.MaxOutstanding != base.MaxOutstanding {
		yPut(m, "max_outstanding", yNum(strconv.Itoa(c.MaxOutstanding)))
	}
	return m
}

func marshalSwitches(sws []Switch) *yaml.Node {
	s := ySeq(false)
	for _, sw := range sws {
		m := yFlowMap()
		yPut(m, "name", yStr(sw.Name))
		if sw.Stack != "" {
			yPut(m, "stack", yStr(sw.Stack))
		}
		if sw.PortBuffer > 0 {
			yPut(m, "port_buffer", yStr(sw.PortBuffer.String()))
		}
		if sw.Latency > 0 {
			yPut(m, "latency", yStr(sw.Latency.String()))
		}
		yPut(m, "portfast", yBool(sw.Portfast))
		s.Content = append(s.Content, m)
	}
	return s
}

func marshalISLs(isls []ISL) *yaml.Node {
	s := ySeq(false)
	for _, isl := range isls {
		m := yFlowMap()
		yPut(m, "between", yStrList([]string{isl.A, isl.B}))
		if isl.Speed > 0 {
			yPut(m, "speed", yStr(isl.Speed.String()))
		}
		if isl.Latency > 0 {
			yPut(m, "latency", yStr(isl.Latency.String()))
		}
		if isl.Buffer > 0 {
			yPut(m, "buffer", yStr(isl.Buffer.String()))
		}
		s.Content = append(s.Content, m)
	}
	return s
}

func marshalLAGs(lags []LAG) *yaml.Node {
	s := ySeq(false)
	for _, lag := range lags {
		if lag.Derived {
			continue
		}
		m := yFlowMap()
		yPut(m, "host", yStr(lag.Host))
		yPut(m, "vmnics", yStrList(lag.Vmnics))
		yPut(m, "mode", yStr(lag.Mode))
		if lag.Hash != "" {
			yPut(m, "hash", yStr(lag.Hash))
		}
		s.Content = append(s.Content, m)
	}
	return s
}

func marshalHost(h Host) *yaml.Node {
	m := yMap()
	yPut(m, "name", yStr(h.Name))
	if h.FTIP.IsValid() {
		yPut(m, "ft_ip", yStr(h.FTIP.String()))
	}
	if h.FTMAC != 0 {
		yPut(m, "ft_mac", yStr(h.FTMAC.String()))
	}
	if h.PortID != 0 {
		yPut(m, "ft_port_id", yNum(strconv.FormatUint(uint64(h.PortID), 10)))
	}
	if h.MTU != 0 {
		yPut(m, "mtu", yNum(strconv.Itoa(h.MTU)))
	}
	vs := ySeq(false)
	for _, v := range h.Vmnics {
		vm := yFlowMap()
		yPut(vm, "name", yStr(v.Name))
		if v.Speed > 0 {
			yPut(vm, "speed", yStr(v.Speed.String()))
		}
		if v.Switch != "" {
			yPut(vm, "switch", yStr(v.Switch))
		}
		vs.Content = append(vs.Content, vm)
	}
	yPut(m, "vmnics", vs)
	yPut(m, "teaming", marshalTeaming(h.Teaming))
	if h.Pin != "" {
		yPut(m, "pin", yStr(h.Pin))
	}
	return m
}

func marshalTeaming(t Teaming) *yaml.Node {
	m := yMap()
	opt := func(k, v string) {
		if v != "" {
			yPut(m, k, yStr(v))
		}
	}
	opt("load_balancing", string(t.LoadBalancing))
	for _, l := range []struct {
		k string
		v []string
	}{{"active", t.Active}, {"standby", t.Standby}, {"unused", t.Unused}} {
		if len(l.v) > 0 {
			yPut(m, l.k, yStrList(l.v))
		}
	}
	yPut(m, "failback", yBool(t.Failback))
	opt("failure_detection", string(t.FailureDetection))
	yPut(m, "notify_switches", yBool(t.NotifySwitches))
	opt("vswitch", t.VSwitch)
	opt("ip_hash", t.IPHash)
	opt("mac_hash", t.MACHash)
	if t.LinkDetect > 0 {
		yPut(m, "link_detect", yStr(t.LinkDetect.String()))
	}
	beacon := yFlowMap()
	if t.BeaconInterval > 0 {
		yPut(beacon, "interval", yStr(t.BeaconInterval.String()))
	}
	if t.BeaconMisses > 0 {
		yPut(beacon, "misses", yNum(strconv.Itoa(t.BeaconMisses)))
	}
	if len(beacon.Content) > 0 {
		yPut(m, "beacon", beacon)
	}
	if t.FailbackDelay > 0 {
		yPut(m, "failback_delay", yStr(t.FailbackDelay.String()))
	}
	lbt := yFlowMap()
	if t.LBTInterval > 0 {
		yPut(lbt, "interval", yStr(t.LBTInterval.String()))
	}
	if t.LBTThreshold > 0 {
		yPut(lbt, "threshold", yStr(FormatPercent(t.LBTThreshold)))
	}
	if len(lbt.Content) > 0 {
		yPut(m, "lbt", lbt)
	}
	lacp := yFlowMap()
	if t.LACPHash != "" {
		yPut(lacp, "hash", yStr(t.LACPHash))
	}
	if t.LACPTimeout != "" {
		yPut(lacp, "timeout", yStr(t.LACPTimeout))
	}
	if len(lacp.Content) > 0 {
		yPut(m, "lacp", lacp)
	}
	return m
}

func marshalVM(vm FTVM, ft FTParams) *yaml.Node {
	m := yMap()
	yPut(m, "name", yStr(vm.Name))
	yPut(m, "primary", yStr(vm.Primary))
	yPut(m, "secondary", yStr(vm.Secondary))
	if vm.VCPUs > 0 {
		yPut(m, "vcpus", yNum(strconv.Itoa(vm.VCPUs)))
	}
	if vm.Memory > 0 {
		yPut(m, "memory", yStr(vm.Memory.String()))
	}
	if vm.Mode != "" {
		yPut(m, "mode", yStr(vm.Mode))
	}
	lg := yFlowMap()
	marshalLogging(lg, vm.Logging)
	yPut(m, "logging", lg)
	if own := marshalFT(vm.FT, ft); len(own.Content) > 0 {
		own.Style = yaml.FlowStyle
		yPut(m, "ft", own)
	}
	return m
}

// fromStatsOrder is the order from_stats inputs are written in.
var fromStatsOrder = []string{"disk_read", "disk_write", "network_rx", "dirty_memory"}

// marshalLogging writes the keys of a logging block into m.
func marshalLogging(m *yaml.Node, lg Logging) {
	switch {
	case lg.Source == "preset" || (lg.Source == "" && lg.Preset != ""):
		yPut(m, "preset", yStr(lg.Preset))
	case lg.Source == "from_stats":
		fs := yFlowMap()
		for _, k := range fromStatsOrder {
			v, ok := lg.FromStats[k]
			if !ok {
				continue
			}
			if k == "network_rx" {
				yPut(fs, k, yStr(BitRate(v).String()))
			} else {
				yPut(fs, k, yStr(ByteRate(v).String()))
			}
		}
		yPut(m, "from_stats", fs)
	case lg.Source == "trace" || (lg.Source == "" && lg.TraceFile != ""):
		yPut(m, "trace", yStr(lg.TraceFile))
	default:
		yPut(m, "rate", yStr(lg.Rate.String()))
	}
	if lg.Pattern != "" {
		yPut(m, "pattern", yStr(string(lg.Pattern)))
	}
	if lg.Pattern == OnOff {
		yPut(m, "on", yStr(lg.On.String()))
		yPut(m, "off", yStr(lg.Off.String()))
	}
	if lg.WorkingSet > 0 {
		yPut(m, "working_set", yStr(lg.WorkingSet.String()))
	}
}

func marshalFailure(f Failure) (*yaml.Node, error) {
	m := yFlowMap()
	yPut(m, "at", yStr(f.At.String()))
	switch f.What {
	case FailVmnic:
		yPut(m, "vmnic", yStr(f.Host+"/"+f.Vmnic))
		if f.Mode != "" && f.Mode != "link_down" {
			yPut(m, "kind", yStr(f.Mode))
		}
	case FailSwitch:
		yPut(m, "switch", yStr(f.Switch))
	case FailISL:
		yPut(m, "isl", yStrList(f.ISL[:]))
		if f.Mode == "lossy" {
			yPut(m, "kind", yStr(f.Mode))
		}
	case FailHost:
		yPut(m, "host", yStr(f.Host))
	default:
		return nil, fmt.Errorf("model: marshal failure: unknown kind %q", f.What)
	}
	if f.Mode == "lossy" {
		yPut(m, "loss", yStr(strconv.FormatFloat(f.Loss, 'g', -1, 64)))
	}
	if f.DownFor > 0 {
		yPut(m, "down_for", yStr(f.DownFor.String()))
	}
	return m, nil
}

func marshalSLA(s SLA) *yaml.Node {
	m := yMap()
	if s.HasReplayLagP99 {
		yPut(m, "replay_lag_p99", yStr(s.ReplayLagP99.String()))
	}
	if s.HasOutputDelayP99 {
		yPut(m, "output_delay_p99", yStr(s.OutputDelayP99.String()))
	}
	if s.HasUtilisationMax {
		yPut(m, "utilisation_max", yStr(FormatPercent(s.UtilisationMax)))
	}
	if s.HasUnprotectedMax {
		yPut(m, "unprotected_max", yStr(s.UnprotectedMax.String()))
	}
	return m
}
