package importer

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// VCDesign is what import vcenter read: plain data, names as vCenter
// writes them (unescaped), nothing sanitised yet.
type VCDesign struct {
	Server     string // vCenter host[:port]
	Datacenter string
	Cluster    string // "" = the whole datacenter
	Hosts      []*VCHost
	VMs        []*VCVM
	Stats      string
	Warnings   []*Error
}

// VCHost is one ESXi host and its FT network.
type VCHost struct {
	Name    string
	Nics    []VCNic // config.network.pnic, in vCenter's order
	FT      *VCVmk  // nil: no FT-logging vmknic (and no stand-in)
	Team    VCTeam
	Hints   map[string]string // vmnic -> switch named by CDP/LLDP
	HintErr string            // why there are no hints, "" when asked and answered
}

// VCNic is a physical NIC.
type VCNic struct {
	Device    string
	SpeedMb   int    // link speed, or the configured/fastest valid speed when down
	LinkUp    bool   // linkSpeed is set
	SpeedFrom string // the property the speed comes from
}

// VCVmk is the vmkernel adapter that carries FT logging.
type VCVmk struct {
	Device   string
	IP       string
	MAC      string
	MTU      int
	PortID   uint32 // 0 when unknown
	PortFrom string
	NicType  string // faultToleranceLogging, or management as a stand-in
}

// VCTeam is the teaming of the FT vmknic's port group on one host, with
// distributed uplink names already mapped to the host's vmnics.
type VCTeam struct {
	VSwitch   string // "standard" | "distributed"
	Switch    string // vSwitch or dvSwitch name
	Portgroup string
	Policy    string // API enum (loadbalance_ip, ...), "lacp" for a LAG
	Active    []string
	Standby   []string
	Unused    []string
	Beacon    bool
	Notify    bool
	Failback  bool
	LAG       *VCLag // the LAG the port group uses as its active uplink
	Source    string // where the policy was read
	Notes     []string
}

// VCLag is a distributed switch's LACP group as a host sees it.
type VCLag struct {
	Name    string
	Mode    string // active | passive
	Hash    string // API enum (srcDestIp, ...)
	Timeout string // slow | fast ("" before vSphere 7.0.2)
	Vmnics  []string
}

// VCVM is one FT pair, running or planned with --protect.
type VCVM struct {
	Name          string
	Primary       string // host names
	Secondary     string
	VCPUs         int
	MemoryMB      int64
	LegacyFT      bool   // vm.uselegacyft = true
	Planned       bool   // --protect: FT not on yet
	SecondaryFrom string // how the secondary host was found
	PowerState    string
	FTLogKBps     int32 // summary.quickStats.ftLogBandwidth, -1 when not FT
	ref           types.ManagedObjectReference

	// Performance history, bits per second per sample (nil: none).
	Times                      []Sample
	NetRx, DiskRead, DiskWrite []float64
	StatsInterval              int32
	StatsNote                  string
	Units                      map[string]string // counter -> unit key
}

// hostProps are the HostSystem properties read.
var hostProps = []string{"name", "runtime.connectionState", "config.network", "config.virtualNicManagerInfo", "configManager.networkSystem"}

// Read reads the design from vCenter (read-only: property retrieval,
// container views, the performance manager and QueryNetworkHint).
func (s *VCenterSession) Read(ctx context.Context) (*VCDesign, error) {
	c := s.Client
	opts := s.opts
	d := &VCDesign{Server: s.URL.Host, Stats: opts.Stats}
	if d.Stats == "" {
		d.Stats = StatsRealtime
	}
	wrap := func(what string, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if isNoPermission(err) {
			return vcErrorf("vCenter %s: %s: permission denied: the user needs the Read-only role on the datacenter, propagated (System.View, System.Read)", d.Server, what)
		}
		return vcErrorf("vCenter %s: %s: %s", d.Server, what, redactErr(faultText(err), opts.Password, opts.URL))
	}
	vm := view.NewManager(c)
	pc := property.DefaultCollector(c)
	list := func(root types.ManagedObjectReference, kind string, props []string, dst any) error {
		v, err := vm.CreateContainerView(ctx, root, []string{kind}, true)
		if err != nil {
			return err
		}
		defer v.Destroy(context.WithoutCancel(ctx))
		return v.Retrieve(ctx, []string{kind}, props, dst)
	}

	// Datacenter.
	var dcs []mo.Datacenter
	if err := list(c.ServiceContent.RootFolder, "Datacenter", []string{"name"}, &dcs); err != nil {
		return nil, wrap("listing datacenters", err)
	}
	sort.Slice(dcs, func(i, j int) bool { return dcs[i].Name < dcs[j].Name })
	var dc *mo.Datacenter
	var names []string
	for i := range dcs {
		names = append(names, strconv.Quote(unescapeVCenter(dcs[i].Name)))
		if opts.Datacenter != "" && sameName(dcs[i].Name, opts.Datacenter) {
			dc = &dcs[i]
		}
	}
	switch {
	case len(dcs) == 0:
		return nil, vcErrorf("vCenter %s has no datacenter the user can see (the Read-only role must be granted on it)", d.Server)
	case opts.Datacenter != "" && dc == nil:
		return nil, vcErrorf("datacenter %q does not exist in vCenter %s: it has %s", opts.Datacenter, d.Server, strings.Join(names, ", "))
	case dc == nil && len(dcs) > 1:
		return nil, vcErrorf("vCenter %s has %d datacenters (%s): choose one with --datacenter or GOVC_DATACENTER", d.Server, len(dcs), strings.Join(names, ", "))
	case dc == nil:
		dc = &dcs[0]
	}
	d.Datacenter = unescapeVCenter(dc.Name)

	// Hosts: the cluster's, or the datacenter's.
	var hostRefs []types.ManagedObjectReference
	if opts.Cluster != "" {
		var cls []mo.ClusterComputeResource
		if err := list(dc.Self, "ClusterComputeResource", []string{"name", "host"}, &cls); err != nil {
			return nil, wrap("listing clusters", err)
		}
		sort.Slice(cls, func(i, j int) bool { return cls[i].Name < cls[j].Name })
		var found *mo.ClusterComputeResource
		var cn []string
		for i := range cls {
			cn = append(cn, strconv.Quote(unescapeVCenter(cls[i].Name)))
			if sameName(cls[i].Name, opts.Cluster) {
				found = &cls[i]
			}
		}
		if found == nil {
			has := "no cluster"
			if len(cn) > 0 {
				has = strings.Join(cn, ", ")
			}
			return nil, vcErrorf("cluster %q does not exist in datacenter %q: it has %s", opts.Cluster, d.Datacenter, has)
		}
		d.Cluster = unescapeVCenter(found.Name)
		hostRefs = found.Host
	} else {
		var hs []mo.HostSystem
		if err := list(dc.Self, "HostSystem", []string{"name"}, &hs); err != nil {
			return nil, wrap("listing hosts", err)
		}
		for _, h := range hs {
			hostRefs = append(hostRefs, h.Self)
		}
	}
	where := "datacenter " + strconv.Quote(d.Datacenter)
	if d.Cluster != "" {
		where = "cluster " + strconv.Quote(d.Cluster)
	}
	if len(hostRefs) == 0 {
		return nil, vcErrorf("%s has no host", where)
	}
	var hosts []mo.HostSystem
	if err := pc.Retrieve(ctx, hostRefs, hostProps, &hosts); err != nil {
		return nil, wrap("reading hosts", err)
	}
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].Name < hosts[j].Name })

	// Distributed switches and port groups, when a host has one.
	var dvss []mo.DistributedVirtualSwitch
	var dvpgs []mo.DistributedVirtualPortgroup
	for _, h := range hosts {
		if h.Config != nil && h.Config.Network != nil && len(h.Config.Network.ProxySwitch) > 0 {
			if err := list(dc.Self, "DistributedVirtualSwitch", []string{"name", "uuid", "config"}, &dvss); err != nil {
				return nil, wrap("reading distributed switches", err)
			}
			if err := list(dc.Self, "DistributedVirtualPortgroup", []string{"name", "key", "config"}, &dvpgs); err != nil {
				return nil, wrap("reading distributed port groups", err)
			}
			break
		}
	}
	r := &vcReader{ctx: ctx, c: s, d: d, dvss: dvss, dvpgs: dvpgs, opts: opts, leftOut: map[types.ManagedObjectReference]string{}}

	hostName := map[types.ManagedObjectReference]string{}
	for i := range hosts {
		h := &hosts[i]
		name := unescapeVCenter(h.Name)
		if h.Config == nil || h.Config.Network == nil || h.Runtime.ConnectionState != types.HostSystemConnectionStateConnected {
			state := string(h.Runtime.ConnectionState)
			if state == "" {
				state = "without a readable configuration"
			}
			d.Warnings = append(d.Warnings, warnf("", 0, "host %s is %s; left out with its FT VMs", name, state))
			r.leftOut[h.Self] = name
			continue
		}
		vh, err := r.host(h, name)
		if err != nil {
			return nil, err
		}
		if vh == nil {
			r.leftOut[h.Self] = name
			continue
		}
		hostName[h.Self] = vh.Name
		d.Hosts = append(d.Hosts, vh)
	}
	if len(d.Hosts) == 0 {
		return nil, vcErrorf("%s has no host with an FT logging vmkernel adapter; to plan FT anyway on the management network, add --use-management-vmknic", where)
	}
	if err := r.vms(dc.Self, hostName, list); err != nil {
		return nil, err
	}
	if err := r.stats(); err != nil {
		return nil, err
	}
	return d, nil
}

// sameName compares a vCenter inventory name with a user's: exactly, or
// with vCenter's escapes decoded.
func sameName(inv, want string) bool {
	return inv == want || unescapeVCenter(inv) == want
}

type vcReader struct {
	ctx   context.Context
	c     *VCenterSession
	d     *VCDesign
	opts  VCenterOptions
	dvss  []mo.DistributedVirtualSwitch
	dvpgs []mo.DistributedVirtualPortgroup
	// leftOut names the hosts of the scope that are not in the design.
	leftOut map[types.ManagedObjectReference]string
}

func (r *vcReader) warn(format string, args ...any) {
	r.d.Warnings = append(r.d.Warnings, warnf("", 0, format, args...))
}

// host reads one connected host: NICs, the FT vmknic and its team. nil
// means left out (no FT vmknic and no stand-in asked).
func (r *vcReader) host(h *mo.HostSystem, name string) (*VCHost, error) {
	net := h.Config.Network
	vh := &VCHost{Name: name}
	for _, p := range net.Pnic {
		n := VCNic{Device: p.Device}
		switch {
		case p.LinkSpeed != nil && p.LinkSpeed.SpeedMb > 0:
			n.SpeedMb, n.LinkUp, n.SpeedFrom = int(p.LinkSpeed.SpeedMb), true, "config.network.pnic.linkSpeed"
		case p.Spec.LinkSpeed != nil && p.Spec.LinkSpeed.SpeedMb > 0:
			n.SpeedMb, n.SpeedFrom = int(p.Spec.LinkSpeed.SpeedMb), "config.network.pnic.spec.linkSpeed (link down: the configured speed)"
		default:
			for _, v := range p.ValidLinkSpecification {
				n.SpeedMb = max(n.SpeedMb, int(v.SpeedMb))
			}
			n.SpeedFrom = "config.network.pnic.validLinkSpecification (link down, auto-negotiation: the fastest valid speed)"
		}
		if n.SpeedMb <= 0 {
			r.warn("host %s: %s has no link and no known speed; left out", name, p.Device)
			continue
		}
		if !n.LinkUp {
			r.warn("host %s: %s is down (no link); it keeps %d Mb/s and fails at t = 0 in the scenario", name, p.Device, n.SpeedMb)
		}
		vh.Nics = append(vh.Nics, n)
	}
	sort.SliceStable(vh.Nics, func(i, j int) bool { return natLess(vh.Nics[i].Device, vh.Nics[j].Device) })

	vnic := selectedVnic(h, "faultToleranceLogging")
	nicType := "faultToleranceLogging"
	if vnic == nil {
		if !r.opts.MgmtStandIn {
			r.warn("host %s has no vmkernel adapter enabled for Fault Tolerance logging; left out with its FT VMs (--use-management-vmknic stands its management vmknic in)", name)
			return nil, nil
		}
		vnic, nicType = selectedVnic(h, "management"), "management"
		if vnic == nil {
			r.warn("host %s has neither an FT logging nor a management vmkernel adapter; left out with its FT VMs", name)
			return nil, nil
		}
		r.warn("host %s has no vmkernel adapter enabled for Fault Tolerance logging; its management vmknic %s stands in (--use-management-vmknic)", name, vnic.Device)
	}
	vmk := &VCVmk{Device: vnic.Device, MAC: strings.ToLower(vnic.Spec.Mac), MTU: int(vnic.Spec.Mtu), NicType: nicType}
	if ip := vnic.Spec.Ip; ip != nil {
		vmk.IP = ip.IpAddress
	}
	if err := r.team(h, vh, vnic, vmk); err != nil {
		return nil, err
	}
	vh.FT = vmk
	r.hints(h, vh)
	return vh, nil
}

// selectedVnic is the host's vmknic selected for nicType, completed from
// config.network.vnic.
func selectedVnic(h *mo.HostSystem, nicType string) *types.HostVirtualNic {
	info := h.Config.VirtualNicManagerInfo
	if info == nil {
		return nil
	}
	for _, nc := range info.NetConfig {
		if nc.NicType != nicType {
			continue
		}
		var picked []*types.HostVirtualNic
		for i := range nc.CandidateVnic {
			cand := &nc.CandidateVnic[i]
			for _, sel := range nc.SelectedVnic {
				if sel == cand.Key || strings.HasSuffix(sel, "."+cand.Key) || strings.TrimPrefix(sel, nicType+".") == strings.TrimPrefix(cand.Key, nicType+".") {
					picked = append(picked, cand)
					break
				}
			}
		}
		if len(picked) == 0 {
			return nil
		}
		sort.Slice(picked, func(i, j int) bool { return natLess(picked[i].Device, picked[j].Device) })
		v := picked[0]
		for i := range h.Config.Network.Vnic {
			if h.Config.Network.Vnic[i].Device == v.Device {
				return &h.Config.Network.Vnic[i]
			}
		}
		return v
	}
	return nil
}

// team reads the teaming of the vmknic's port group.
func (r *vcReader) team(h *mo.HostSystem, vh *VCHost, vnic *types.HostVirtualNic, vmk *VCVmk) error {
	net := h.Config.Network
	t := &vh.Team
	if dvp := vnic.Spec.DistributedVirtualPort; dvp != nil {
		return r.dvsTeam(h, vh, vnic, dvp, vmk)
	}
	t.VSwitch = "standard"
	pgName := vnic.Portgroup
	if pgName == "" {
		pgName = vnic.Spec.Portgroup
	}
	t.Portgroup = pgName
	var pg *types.HostPortGroup
	for i := range net.Portgroup {
		if net.Portgroup[i].Spec.Name == pgName {
			pg = &net.Portgroup[i]
		}
	}
	if pg == nil {
		return vcErrorf("host %s: the port group %q of %s is not in its network configuration", vh.Name, pgName, vnic.Device)
	}
	t.Switch = pg.Spec.VswitchName
	var vs *types.HostVirtualSwitch
	for i := range net.Vswitch {
		if net.Vswitch[i].Name == t.Switch || net.Vswitch[i].Key == pg.Vswitch {
			vs = &net.Vswitch[i]
		}
	}
	// The port's ID: the port group's port holding the vmknic's MAC.
	for _, p := range pg.Port {
		for _, m := range p.Mac {
			if strings.EqualFold(m, vmk.MAC) {
				if id, ok := portIDOf(p.Key); ok {
					vmk.PortID, vmk.PortFrom = id, "config.network.portgroup["+pgName+"].port.key"
				}
			}
		}
	}
	if vmk.MTU == 0 && vs != nil {
		vmk.MTU = int(vs.Mtu)
	}
	pol := pg.ComputedPolicy.NicTeaming
	t.Source = "config.network.portgroup[" + pgName + "].computedPolicy.nicTeaming"
	if pol == nil && vs != nil && vs.Spec.Policy != nil {
		pol = vs.Spec.Policy.NicTeaming
		t.Source = "config.network.vswitch[" + t.Switch + "].spec.policy.nicTeaming"
	}
	if pol == nil {
		return vcErrorf("host %s: port group %q has no teaming policy", vh.Name, pgName)
	}
	t.Policy = pol.Policy
	t.Notify = pol.NotifySwitches == nil || *pol.NotifySwitches
	t.Failback = pol.RollingOrder == nil || !*pol.RollingOrder
	t.Beacon = pol.FailureCriteria != nil && pol.FailureCriteria.CheckBeacon != nil && *pol.FailureCriteria.CheckBeacon
	if pol.NicOrder != nil {
		t.Active = append([]string(nil), pol.NicOrder.ActiveNic...)
		t.Standby = append([]string(nil), pol.NicOrder.StandbyNic...)
	}
	if vs != nil {
		bridge := []string{}
		if b, ok := vs.Spec.Bridge.(*types.HostVirtualSwitchBondBridge); ok {
			bridge = b.NicDevice
		}
		for _, n := range bridge {
			if !contains(t.Active, n) && !contains(t.Standby, n) {
				t.Unused = append(t.Unused, n)
			}
		}
	}
	return nil
}

// portIDOf reads a port ID from "key-vim.host.PortGroup.Port-33554436" or "17".
func portIDOf(key string) (uint32, bool) {
	if i := strings.LastIndexByte(key, '-'); i >= 0 {
		key = key[i+1:]
	}
	v, err := strconv.ParseUint(key, 10, 32)
	return uint32(v), err == nil
}

// dvsTeam reads a distributed port group's teaming (the vmknic's port
// override winning) and maps uplink names to the host's vmnics.
func (r *vcReader) dvsTeam(h *mo.HostSystem, vh *VCHost, vnic *types.HostVirtualNic, conn *types.DistributedVirtualSwitchPortConnection, vmk *VCVmk) error {
	t := &vh.Team
	t.VSwitch = "distributed"
	var dvs *mo.DistributedVirtualSwitch
	for i := range r.dvss {
		if r.dvss[i].Uuid == conn.SwitchUuid {
			dvs = &r.dvss[i]
		}
	}
	var ps *types.HostProxySwitch
	for i := range h.Config.Network.ProxySwitch {
		if h.Config.Network.ProxySwitch[i].DvsUuid == conn.SwitchUuid {
			ps = &h.Config.Network.ProxySwitch[i]
		}
	}
	if dvs == nil || ps == nil {
		return vcErrorf("host %s: %s is on distributed switch %s, which the user cannot read or the host is not a member of", vh.Name, vnic.Device, conn.SwitchUuid)
	}
	t.Switch = unescapeVCenter(dvs.Name)
	var pg *mo.DistributedVirtualPortgroup
	for i := range r.dvpgs {
		if r.dvpgs[i].Key == conn.PortgroupKey {
			pg = &r.dvpgs[i]
		}
	}
	if pg == nil {
		return vcErrorf("host %s: the distributed port group %s of %s cannot be read", vh.Name, conn.PortgroupKey, vnic.Device)
	}
	t.Portgroup = unescapeVCenter(pg.Name)
	if id, ok := portIDOf(conn.PortKey); ok && conn.PortKey != "" {
		vmk.PortID, vmk.PortFrom = id, "config.network.vnic["+vnic.Device+"].spec.distributedVirtualPort.portKey"
	}
	if vmk.MTU == 0 {
		vmk.MTU = int(ps.Mtu)
	}

	// The port group's default port setting, then the port's own.
	var pol *types.VmwareUplinkPortTeamingPolicy
	if s, ok := pg.Config.DefaultPortConfig.(*types.VMwareDVSPortSetting); ok && s.UplinkTeamingPolicy != nil {
		pol = s.UplinkTeamingPolicy
		t.Source = "portgroup[" + t.Portgroup + "].config.defaultPortConfig.uplinkTeamingPolicy"
	}
	if conn.PortKey != "" {
		ports, err := object.NewDistributedVirtualSwitch(r.c.Client, dvs.Self).FetchDVPorts(r.ctx, &types.DistributedVirtualSwitchPortCriteria{PortKey: []string{conn.PortKey}})
		if err != nil && !isNoPermission(err) {
			return vcErrorf("vCenter %s: reading port %s of %s: %s", r.d.Server, conn.PortKey, t.Switch, redactErr(faultText(err), r.opts.Password))
		}
		for _, p := range ports {
			if p.Key != conn.PortKey {
				continue
			}
			if s, ok := p.Config.Setting.(*types.VMwareDVSPortSetting); ok && s.UplinkTeamingPolicy != nil {
				merged := mergeTeaming(pol, s.UplinkTeamingPolicy)
				if !reflect.DeepEqual(merged, pol) {
					t.Source = "dvs[" + t.Switch + "].port[" + conn.PortKey + "].config.setting.uplinkTeamingPolicy (port override)"
				}
				pol = merged
			}
		}
	}
	if pol == nil {
		return vcErrorf("host %s: distributed port group %q has no uplink teaming policy", vh.Name, t.Portgroup)
	}
	if pol.Policy != nil {
		t.Policy = pol.Policy.Value
	}
	t.Notify = pol.NotifySwitches == nil || pol.NotifySwitches.Value == nil || *pol.NotifySwitches.Value
	t.Failback = pol.RollingOrder == nil || pol.RollingOrder.Value == nil || !*pol.RollingOrder.Value
	t.Beacon = pol.FailureCriteria != nil && pol.FailureCriteria.CheckBeacon != nil && pol.FailureCriteria.CheckBeacon.Value != nil && *pol.FailureCriteria.CheckBeacon.Value
	var active, standby []string
	if pol.UplinkPortOrder != nil {
		active, standby = pol.UplinkPortOrder.ActiveUplinkPort, pol.UplinkPortOrder.StandbyUplinkPort
	}

	// Uplink names -> port keys -> vmnics on this host.
	nameToKey := map[string]string{}
	for _, kv := range ps.UplinkPort {
		nameToKey[kv.Value] = kv.Key
	}
	keyToNic := map[string]string{}
	if b, ok := ps.Spec.Backing.(*types.DistributedVirtualSwitchHostMemberPnicBacking); ok {
		for _, p := range b.PnicSpec {
			keyToNic[p.UplinkPortKey] = p.PnicDevice
		}
	}
	var lags []types.VMwareDvsLacpGroupConfig
	var uplinkNames []string
	if cfg, ok := dvs.Config.(*types.VMwareDVSConfigInfo); ok {
		lags = cfg.LacpGroupConfig
		if up, ok := cfg.UplinkPortPolicy.(*types.DVSNameArrayUplinkPortPolicy); ok {
			uplinkNames = up.UplinkPortName
		}
	}
	lagOf := func(name string) *types.VMwareDvsLacpGroupConfig {
		for i := range lags {
			if lags[i].Name == name {
				return &lags[i]
			}
		}
		return nil
	}
	mapList := func(names []string, what string) []string {
		var out []string
		for _, n := range names {
			if lagOf(n) != nil {
				continue
			}
			nic, ok := keyToNic[nameToKey[n]]
			if !ok {
				t.Notes = append(t.Notes, fmt.Sprintf("%s uplink %q has no vmnic on this host", what, n))
				continue
			}
			out = append(out, nic)
		}
		return out
	}
	for _, n := range active {
		if lg := lagOf(n); lg != nil && t.LAG == nil {
			t.LAG = r.lag(ps, lg, keyToNic)
			t.Policy = "lacp"
		}
	}
	for _, n := range standby {
		if lg := lagOf(n); lg != nil && t.LAG == nil {
			t.Notes = append(t.Notes, fmt.Sprintf("LAG %s is a standby uplink; a LAG is modelled as the active uplink", n))
			t.LAG = r.lag(ps, lg, keyToNic)
			t.Policy = "lacp"
		}
	}
	if t.LAG != nil {
		t.Active = append([]string(nil), t.LAG.Vmnics...)
		if beside := append(mapList(active, "active"), mapList(standby, "standby")...); len(beside) > 0 {
			t.Unused = append(t.Unused, beside...)
			t.Notes = append(t.Notes, "uplinks beside the LAG are listed as unused: LACP uses the LAG alone")
		}
	} else {
		t.Active, t.Standby = mapList(active, "active"), mapList(standby, "standby")
	}
	for _, n := range uplinkNames {
		nic, ok := keyToNic[nameToKey[n]]
		if ok && !contains(t.Active, nic) && !contains(t.Standby, nic) && !contains(t.Unused, nic) {
			t.Unused = append(t.Unused, nic)
		}
	}
	return nil
}

// mergeTeaming lays a port's teaming over its port group's, field by
// field where the port's field is not inherited.
func mergeTeaming(base, port *types.VmwareUplinkPortTeamingPolicy) *types.VmwareUplinkPortTeamingPolicy {
	if base == nil {
		return port
	}
	out := *base
	if port.Policy != nil && !port.Policy.Inherited {
		out.Policy = port.Policy
	}
	if port.NotifySwitches != nil && !port.NotifySwitches.Inherited {
		out.NotifySwitches = port.NotifySwitches
	}
	if port.RollingOrder != nil && !port.RollingOrder.Inherited {
		out.RollingOrder = port.RollingOrder
	}
	if port.FailureCriteria != nil && !port.FailureCriteria.Inherited {
		out.FailureCriteria = port.FailureCriteria
	}
	if port.UplinkPortOrder != nil && !port.UplinkPortOrder.Inherited {
		out.UplinkPortOrder = port.UplinkPortOrder
	}
	return &out
}

// lag is an LACP group's members on one host: the host's LAG ports
// (hostLag) or the group's uplink port keys, mapped to vmnics.
func (r *vcReader) lag(ps *types.HostProxySwitch, lg *types.VMwareDvsLacpGroupConfig, keyToNic map[string]string) *VCLag {
	l := &VCLag{Name: unescapeVCenter(lg.Name), Mode: lg.Mode, Hash: lg.LoadbalanceAlgorithm, Timeout: lg.TimeoutMode}
	keys := lg.UplinkPortKey
	for _, hl := range ps.HostLag {
		if hl.LagKey == lg.Key {
			keys = nil
			for _, kv := range hl.UplinkPort {
				keys = append(keys, kv.Key)
			}
		}
	}
	for _, k := range keys {
		if nic, ok := keyToNic[k]; ok {
			l.Vmnics = append(l.Vmnics, nic)
		}
	}
	return l
}

// hints asks the host which switch each team vmnic is cabled to (CDP or
// LLDP). Best effort: a refusal leaves the switches to be assumed.
func (r *vcReader) hints(h *mo.HostSystem, vh *VCHost) {
	if h.ConfigManager.NetworkSystem == nil {
		vh.HintErr = "no network system"
		return
	}
	var devs []string
	for _, n := range vh.Nics {
		devs = append(devs, n.Device)
	}
	ns := object.NewHostNetworkSystem(r.c.Client, *h.ConfigManager.NetworkSystem)
	infos, err := ns.QueryNetworkHint(r.ctx, devs)
	if err != nil {
		vh.HintErr = faultText(err)
		return
	}
	vh.Hints = map[string]string{}
	for _, in := range infos {
		name := ""
		if cdp := in.ConnectedSwitchPort; cdp != nil {
			name = cdp.DevId
			if name == "" {
				name = cdp.SystemName
			}
		}
		if l := in.LldpInfo; name == "" && l != nil {
			for _, p := range l.Parameter {
				if strings.EqualFold(p.Key, "System Name") {
					if s, ok := p.Value.(string); ok {
						name = s
					}
				}
			}
			if name == "" {
				name = l.ChassisId
			}
		}
		if name = strings.TrimSpace(name); name != "" {
			vh.Hints[in.Device] = name
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// natLess orders vmnic2 before vmnic10.
func natLess(a, b string) bool {
	ta, na := splitNum(a)
	tb, nb := splitNum(b)
	if ta != tb {
		return ta < tb
	}
	if na != nb {
		return na < nb
	}
	return a < b
}

func splitNum(s string) (string, int) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	n, err := strconv.Atoi(s[i:])
	if err != nil {
		return s, -1
	}
	return s[:i], n
}
