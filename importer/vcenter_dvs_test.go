package importer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/ftsim/ftsim/model"
)

func (v *vcsim) dvs(t *testing.T) (*simulator.DistributedVirtualSwitch, *simulator.DistributedVirtualPortgroup) {
	t.Helper()
	var dvs *simulator.DistributedVirtualSwitch
	var pg *simulator.DistributedVirtualPortgroup
	for _, e := range v.reg.All("") {
		switch o := e.(type) {
		case *simulator.DistributedVirtualSwitch:
			dvs = o
		case *simulator.DistributedVirtualPortgroup:
			if o.Name == "DC0_DVPG0" {
				pg = o
			}
		}
	}
	if dvs == nil || pg == nil {
		t.Fatal("the simulator has no distributed switch DVS0 with port group DC0_DVPG0")
	}
	return dvs, pg
}

// dvsDesign puts every cluster host on DVS0 with vmnic2..5 as uplinks
// dvUplink1, dvUplink2 (swapped on H1) and lag1-0, lag1-1, vmk1 on
// DC0_DVPG0 port 10+i, and two FT pairs.
func dvsDesign(t *testing.T, v *vcsim, teaming *types.VmwareUplinkPortTeamingPolicy) (*simulator.DistributedVirtualSwitch, *simulator.DistributedVirtualPortgroup) {
	dvs, pg := v.dvs(t)
	dvs.Config = &types.VMwareDVSConfigInfo{
		DVSConfigInfo: types.DVSConfigInfo{Name: dvs.Name, Uuid: dvs.Uuid, UplinkPortPolicy: &types.DVSNameArrayUplinkPortPolicy{UplinkPortName: []string{"dvUplink1", "dvUplink2"}}},
		LacpGroupConfig: []types.VMwareDvsLacpGroupConfig{{Key: "lag-1", Name: "lag1", Mode: "active", UplinkNum: 2,
			LoadbalanceAlgorithm: "srcDestIpTcpUdpPort", UplinkName: []string{"lag1-0", "lag1-1"}, UplinkPortKey: []string{"200", "201"}, TimeoutMode: "fast"}},
	}
	pg.Config.DefaultPortConfig = &types.VMwareDVSPortSetting{UplinkTeamingPolicy: teaming}
	for i, h := range v.hosts() {
		setPnics(h, []pnic{{"vmnic0", 1000, true, false}, {"vmnic2", 25000, true, false}, {"vmnic3", 25000, true, false}, {"vmnic4", 10000, true, false}, {"vmnic5", 10000, true, false}})
		up1, up2 := "vmnic2", "vmnic3"
		if i == 1 {
			up1, up2 = up2, up1
		}
		h.Config.Network.ProxySwitch = []types.HostProxySwitch{{
			DvsUuid: dvs.Uuid, DvsName: dvs.Name, Key: "proxy-" + dvs.Uuid, Mtu: 9000,
			UplinkPort: []types.KeyValue{{Key: "100", Value: "dvUplink1"}, {Key: "101", Value: "dvUplink2"}, {Key: "200", Value: "lag1-0"}, {Key: "201", Value: "lag1-1"}},
			Spec: types.HostProxySwitchSpec{Backing: &types.DistributedVirtualSwitchHostMemberPnicBacking{PnicSpec: []types.DistributedVirtualSwitchHostMemberPnicSpec{
				{PnicDevice: up1, UplinkPortKey: "100"}, {PnicDevice: up2, UplinkPortKey: "101"}, {PnicDevice: "vmnic4", UplinkPortKey: "200"}, {PnicDevice: "vmnic5", UplinkPortKey: "201"},
			}}},
		}}
		ftVmk(h, fmt.Sprintf("172.16.0.%d", 21+i), fmt.Sprintf("00:50:56:6c:00:%02x", i+1), 0, "", &types.DistributedVirtualSwitchPortConnection{SwitchUuid: dvs.Uuid, PortgroupKey: pg.Key, PortKey: fmt.Sprint(10 + i)})
	}
	hs, vms := v.hosts(), v.vms()
	ftPair(vms[0], vms[1], hs[0], hs[1], 2, false, 0)
	ftPair(vms[2], vms[3], hs[2], hs[0], 8, false, 0)
	return dvs, pg
}

func order(active, standby []string) *types.VMwareUplinkPortOrderPolicy {
	return &types.VMwareUplinkPortOrderPolicy{ActiveUplinkPort: active, StandbyUplinkPort: standby}
}

func TestVCenterDistributedIPHashOverrideAndHints(t *testing.T) {
	v := newVCSim(t)
	dvs, _ := dvsDesign(t, v, &types.VmwareUplinkPortTeamingPolicy{
		Policy:          &types.StringPolicy{Value: "loadbalance_ip"},
		NotifySwitches:  &types.BoolPolicy{Value: types.NewBool(false)},
		RollingOrder:    &types.BoolPolicy{Value: types.NewBool(true)},
		UplinkPortOrder: order([]string{"dvUplink1", "dvUplink2"}, nil),
	})
	// H2's port overrides the port group: explicit failover, dvUplink2 first.
	dvs.FetchDVPortsResponse.Returnval = []types.DistributedVirtualPort{{Key: "12", DvsUuid: dvs.Uuid, Config: types.DVPortConfigInfo{Setting: &types.VMwareDVSPortSetting{
		UplinkTeamingPolicy: &types.VmwareUplinkPortTeamingPolicy{
			InheritablePolicy: types.InheritablePolicy{Inherited: false},
			Policy:            &types.StringPolicy{Value: "failover_explicit"},
			FailureCriteria:   &types.DVSFailureCriteria{CheckBeacon: &types.BoolPolicy{Value: types.NewBool(true)}},
			UplinkPortOrder:   order([]string{"dvUplink2"}, []string{"dvUplink1"}),
		}}}}}
	// CDP names the switch behind H0's vmnic2.
	h0 := v.hosts()[0]
	ns := v.reg.Get(*h0.ConfigManager.NetworkSystem).(*simulator.HostNetworkSystem)
	ns.QueryNetworkHintResponse.Returnval = []types.PhysicalNicHintInfo{{Device: "vmnic2", ConnectedSwitchPort: &types.PhysicalNicCdpInfo{DevId: "tor-a,rack[1]", PortId: "Eth1/1"}}}

	_, imp := readSim(t, v.opts())
	sc := loadAndRun(t, imp)
	want := []struct {
		policy          model.Policy
		active, standby string
		detection       model.Detection
	}{
		{model.IPHash, "vmnic2,vmnic3", "", model.LinkStatus},
		{model.IPHash, "vmnic3,vmnic2", "", model.LinkStatus},
		{model.ExplicitFailover, "vmnic3", "vmnic2", model.BeaconProbing},
	}
	for i, h := range sc.Hosts {
		tm, w := h.Teaming, want[i]
		if tm.LoadBalancing != w.policy || strings.Join(tm.Active, ",") != w.active || strings.Join(tm.Standby, ",") != w.standby || tm.FailureDetection != w.detection || tm.VSwitch != "distributed" {
			t.Errorf("%s teaming %s active %v standby %v %s %s, want %+v", h.Name, tm.LoadBalancing, tm.Active, tm.Standby, tm.FailureDetection, tm.VSwitch, w)
		}
		if tm.Failback || tm.NotifySwitches {
			t.Errorf("%s: failback %t notify %t, want false false (rollingOrder true, notifySwitches false)", h.Name, tm.Failback, tm.NotifySwitches)
		}
		if h.PortID != uint32(10+i) || h.MTU != 9000 {
			t.Errorf("%s: port %d (want %d), MTU %d (want the proxy switch's 9000)", h.Name, h.PortID, 10+i, h.MTU)
		}
	}
	if len(sc.LAGs) != 2 || sc.LAGs[0].Mode != "static" || sc.LAGs[0].Host != "DC0_C0_H0" || sc.LAGs[1].Host != "DC0_C0_H1" || strings.Join(sc.LAGs[1].Vmnics, ",") != "vmnic3,vmnic2" {
		t.Errorf("LAGs %+v, want static EtherChannels on H0 and H1", sc.LAGs)
	}
	if sw := sc.Hosts[0].Vmnic("vmnic2").Switch; sw != "tor-a_rack_1_" {
		t.Errorf("H0 vmnic2 on %q, want the CDP name sanitised", sw)
	}
	if sw := sc.Hosts[1].Vmnic("vmnic3").Switch; sw != "uplink-1" {
		t.Errorf("H1 vmnic3 on %q, want uplink-1", sw)
	}
	for _, sw := range sc.Switches {
		if sw.Stack != switchStack {
			t.Errorf("switch %s not in the stack", sw.Name)
		}
	}
	if len(sc.VMs) != 2 || sc.VMs[1].VCPUs != 8 || sc.VMs[1].Primary != "DC0_C0_H2" || sc.VMs[1].Secondary != "DC0_C0_H0" {
		t.Errorf("VMs %+v", sc.VMs)
	}
	if !strings.Contains(string(imp.Provenance()), "port override") {
		t.Error("provenance does not say H2's teaming is a port override")
	}
}

func TestVCenterLACP(t *testing.T) {
	v := newVCSim(t)
	dvsDesign(t, v, &types.VmwareUplinkPortTeamingPolicy{
		Policy:          &types.StringPolicy{Value: "loadbalance_srcid"},
		UplinkPortOrder: order([]string{"lag1"}, nil),
	})
	_, imp := readSim(t, v.opts())
	sc := loadAndRun(t, imp)
	for _, h := range sc.Hosts {
		tm := h.Teaming
		if tm.LoadBalancing != model.LACP || strings.Join(tm.Active, ",") != "vmnic4,vmnic5" || len(tm.Standby) != 0 || strings.Join(tm.Unused, ",") != "vmnic2,vmnic3" && strings.Join(tm.Unused, ",") != "vmnic3,vmnic2" {
			t.Errorf("%s teaming %s active %v standby %v unused %v", h.Name, tm.LoadBalancing, tm.Active, tm.Standby, tm.Unused)
		}
		if tm.LACPHash != "src_dst_ip_tcp_udp_port" || tm.LACPTimeout != "fast" {
			t.Errorf("%s LACP hash %s timeout %s", h.Name, tm.LACPHash, tm.LACPTimeout)
		}
	}
	if len(sc.LAGs) != 3 {
		t.Fatalf("LAGs %+v, want one LACP group per host", sc.LAGs)
	}
	for _, l := range sc.LAGs {
		if l.Mode != "lacp" || l.Hash != "src_dst_ip_tcp_udp_port" || strings.Join(l.Vmnics, ",") != "vmnic4,vmnic5" {
			t.Errorf("LAG %+v", l)
		}
	}
}
