package importer

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/sim"
)

// The simulator's login: a password with characters URLs escape.
const simUser, simPassword = "ftadmin@vsphere.local", "S3cr3t-Pa55:w@rd/%x"

// vcsim is an in-process vCenter simulator (govmomi's) with a known login.
type vcsim struct {
	m   *simulator.Model
	s   *simulator.Server
	reg *simulator.Registry
}

func newVCSim(t *testing.T) *vcsim {
	t.Helper()
	m := simulator.VPX()
	m.Machine = 6
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	m.Service.Listen = &url.URL{User: url.UserPassword(simUser, simPassword)}
	m.Service.TLS = new(tls.Config)
	s := m.Service.NewServer()
	t.Cleanup(func() { s.Close(); m.Remove() })
	return &vcsim{m: m, s: s, reg: m.Map()}
}

// opts reach the simulator's cluster DC0_C0, trusting it insecurely.
func (v *vcsim) opts() VCenterOptions {
	u := *v.s.URL
	u.User = nil
	return VCenterOptions{URL: u.String(), User: simUser, Password: simPassword, Insecure: true, Cluster: "DC0_C0", Dirty: 200e6}
}

// hosts are the cluster's three hosts, by name.
func (v *vcsim) hosts() []*simulator.HostSystem {
	var out []*simulator.HostSystem
	for _, e := range v.reg.All("HostSystem") {
		if h := e.(*simulator.HostSystem); strings.HasPrefix(h.Name, "DC0_C0_") {
			out = append(out, h)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// vms are the cluster's VMs, by name.
func (v *vcsim) vms() []*simulator.VirtualMachine {
	var out []*simulator.VirtualMachine
	for _, e := range v.reg.All("VirtualMachine") {
		if vm := e.(*simulator.VirtualMachine); strings.HasPrefix(vm.Name, "DC0_C0_") {
			out = append(out, vm)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// pnic is a physical NIC to put on a host; up false leaves it without link.
type pnic struct {
	dev  string
	mb   int32
	up   bool
	auto bool // down and auto-negotiated: no configured speed
}

func setPnics(h *simulator.HostSystem, nics []pnic) {
	h.Config.Network.Pnic = nil
	for _, n := range nics {
		p := types.PhysicalNic{Key: "key-vim.host.PhysicalNic-" + n.dev, Device: n.dev,
			ValidLinkSpecification: []types.PhysicalNicLinkInfo{{SpeedMb: 1000, Duplex: true}, {SpeedMb: n.mb, Duplex: true}}}
		if n.up {
			p.LinkSpeed = &types.PhysicalNicLinkInfo{SpeedMb: n.mb, Duplex: true}
		}
		if !n.auto {
			p.Spec.LinkSpeed = &types.PhysicalNicLinkInfo{SpeedMb: n.mb, Duplex: true}
		}
		h.Config.Network.Pnic = append(h.Config.Network.Pnic, p)
	}
}

// ftVmk adds vmk1 for FT logging on a port group and selects it.
func ftVmk(h *simulator.HostSystem, ip, mac string, mtu int32, pg string, dvp *types.DistributedVirtualSwitchPortConnection) {
	spec := types.HostVirtualNicSpec{Ip: &types.HostIpConfig{IpAddress: ip, SubnetMask: "255.255.255.0"}, Mac: mac, Mtu: mtu, Portgroup: pg, DistributedVirtualPort: dvp}
	vnic := types.HostVirtualNic{Device: "vmk1", Key: "key-vim.host.VirtualNic-vmk1", Portgroup: pg, Spec: spec}
	h.Config.Network.Vnic = append(h.Config.Network.Vnic, vnic)
	cand := vnic
	cand.Key = "faultToleranceLogging.key-vim.host.VirtualNic-vmk1"
	h.Config.VirtualNicManagerInfo = &types.HostVirtualNicManagerInfo{NetConfig: []types.VirtualNicManagerNetConfig{
		{NicType: "faultToleranceLogging", CandidateVnic: []types.HostVirtualNic{cand}, SelectedVnic: []string{cand.Key}},
	}}
}

// stdTeam puts an FT port group with this teaming on standard vSwitch1
// over nics.
func stdTeam(h *simulator.HostSystem, nics []string, policy string, active, standby []string, beacon, failback bool, portKey, mac string) {
	net := h.Config.Network
	net.Vswitch = append(net.Vswitch, types.HostVirtualSwitch{Name: "vSwitch1", Key: "key-vim.host.VirtualSwitch-vSwitch1", Mtu: 9000,
		Spec: types.HostVirtualSwitchSpec{Bridge: &types.HostVirtualSwitchBondBridge{NicDevice: nics}}})
	net.Portgroup = append(net.Portgroup, types.HostPortGroup{
		Key:     "key-vim.host.PortGroup-FT Logging",
		Vswitch: "key-vim.host.VirtualSwitch-vSwitch1",
		Port:    []types.HostPortGroupPort{{Key: "key-vim.host.PortGroup.Port-" + portKey, Mac: []string{mac}, Type: "host"}},
		Spec:    types.HostPortGroupSpec{Name: "FT Logging", VswitchName: "vSwitch1"},
		ComputedPolicy: types.HostNetworkPolicy{NicTeaming: &types.HostNicTeamingPolicy{
			Policy: policy, NotifySwitches: types.NewBool(true), RollingOrder: types.NewBool(!failback),
			FailureCriteria: &types.HostNicFailureCriteria{CheckBeacon: types.NewBool(beacon)},
			NicOrder:        &types.HostNicOrderPolicy{ActiveNic: active, StandbyNic: standby},
		}},
	})
}

// ftPair makes prim an FT primary on host ph with its secondary sec on sh.
func ftPair(prim, sec *simulator.VirtualMachine, ph, sh *simulator.HostSystem, vcpus int32, legacy bool, bw int32) {
	uuids := []string{prim.Config.InstanceUuid, sec.Config.InstanceUuid}
	prim.Config.FtInfo = &types.FaultTolerancePrimaryConfigInfo{FaultToleranceConfigInfo: types.FaultToleranceConfigInfo{Role: 1, InstanceUuids: uuids}, Secondaries: []types.ManagedObjectReference{sec.Self}}
	sec.Config.FtInfo = &types.FaultToleranceSecondaryConfigInfo{FaultToleranceConfigInfo: types.FaultToleranceConfigInfo{Role: 2, InstanceUuids: uuids}, PrimaryVM: prim.Self}
	ref, sref := ph.Self, sh.Self
	prim.Runtime.Host, sec.Runtime.Host = &ref, &sref
	prim.Summary.Runtime.Host, sec.Summary.Runtime.Host = &ref, &sref
	prim.Config.Hardware.NumCPU = vcpus
	prim.Config.Hardware.MemoryMB = 16384
	prim.Summary.QuickStats.FtLogBandwidth = bw
	if legacy {
		prim.Config.ExtraConfig = append(prim.Config.ExtraConfig, &types.OptionValue{Key: "vm.uselegacyft", Value: "TRUE"})
	}
}

// standardDesign: three hosts on standard vSwitch1 with explicit failover
// (vmnic2 active, vmnic3 standby), MTU 9000; H1's vmnic3 has no link; two
// FT pairs, one legacy; one VM name with an escaped slash.
func standardDesign(t *testing.T, v *vcsim) {
	for i, h := range v.hosts() {
		nics := []pnic{{"vmnic0", 1000, true, false}, {"vmnic1", 1000, true, false}, {"vmnic2", 10000, true, false}, {"vmnic3", 10000, i != 1, false}}
		setPnics(h, nics)
		mac := fmt.Sprintf("00:50:56:6b:00:%02x", i+1)
		stdTeam(h, []string{"vmnic2", "vmnic3"}, "failover_explicit", []string{"vmnic2"}, []string{"vmnic3"}, false, true, fmt.Sprint(33554440+i), mac)
		ftVmk(h, fmt.Sprintf("10.10.50.%d", 11+i), mac, 9000, "FT Logging", nil)
	}
	hs, vms := v.hosts(), v.vms()
	vms[0].Name = "sql%2f01"
	ftPair(vms[0], vms[1], hs[0], hs[1], 4, false, 51200)
	ftPair(vms[2], vms[3], hs[1], hs[2], 1, true, 0)
}

func readSim(t *testing.T, o VCenterOptions) (*VCDesign, *VCImport) {
	t.Helper()
	ctx := context.Background()
	s, err := Connect(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	d, err := s.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := BuildVCenter(d, o)
	if err != nil {
		t.Fatal(err)
	}
	return d, imp
}

// loadAndRun writes the import, loads the scenario with the model and runs
// it for a short while: it must validate and run as written.
func loadAndRun(t *testing.T, imp *VCImport) *model.Scenario {
	t.Helper()
	dir := t.TempDir()
	for _, f := range imp.Files() {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(f.Data), simPassword) || strings.Contains(string(f.Data), url.QueryEscape(simPassword)) {
			t.Errorf("%s holds the password", f.Path)
		}
	}
	sc, err := model.Load(filepath.Join(dir, "scenario.yaml"))
	if err != nil {
		t.Fatalf("the imported scenario does not validate: %v\n%s", err, imp.Scenario())
	}
	res, err := sim.Run(context.Background(), sc, sim.Options{Duration: 20, NoSeries: true})
	if err != nil {
		t.Fatalf("the imported scenario does not run: %v", err)
	}
	if len(res.Runs) == 0 {
		t.Fatal("no run")
	}
	return sc
}

func TestVCenterStandardExplicitFailover(t *testing.T) {
	v := newVCSim(t)
	standardDesign(t, v)
	for _, stats := range []string{StatsRealtime, StatsDay, StatsNone} {
		t.Run(stats, func(t *testing.T) {
			o := v.opts()
			o.Stats = stats
			d, imp := readSim(t, o)
			if len(d.Hosts) != 3 {
				t.Fatalf("hosts: %d", len(d.Hosts))
			}
			sc := loadAndRun(t, imp)
			for i, h := range sc.Hosts {
				if want := fmt.Sprintf("DC0_C0_H%d", i); h.Name != want {
					t.Errorf("host %d: %s, want %s", i, h.Name, want)
				}
				if got, want := h.FTIP.String(), fmt.Sprintf("10.10.50.%d", 11+i); got != want {
					t.Errorf("%s ft_ip %s, want %s", h.Name, got, want)
				}
				if got, want := h.FTMAC.String(), fmt.Sprintf("00:50:56:6b:00:%02x", i+1); got != want {
					t.Errorf("%s ft_mac %s, want %s", h.Name, got, want)
				}
				if h.PortID != uint32(33554440+i) || h.MTU != 9000 {
					t.Errorf("%s port %d mtu %d", h.Name, h.PortID, h.MTU)
				}
				tm := h.Teaming
				if tm.LoadBalancing != model.ExplicitFailover || strings.Join(tm.Active, ",") != "vmnic2" || strings.Join(tm.Standby, ",") != "vmnic3" || tm.VSwitch != "standard" || !tm.Failback || tm.FailureDetection != model.LinkStatus {
					t.Errorf("%s teaming %+v", h.Name, tm)
				}
				var nics []string
				for _, n := range h.Vmnics {
					nics = append(nics, fmt.Sprintf("%s:%g:%s", n.Name, float64(n.Speed)/1e9, n.Switch))
				}
				if got, want := strings.Join(nics, " "), "vmnic2:10:uplink-1 vmnic3:10:uplink-2 vmnic0:1:uplink-3 vmnic1:1:uplink-4"; got != want {
					t.Errorf("%s vmnics %s, want %s", h.Name, got, want)
				}
			}
			if len(sc.Failures) != 1 || sc.Failures[0].Target() != "DC0_C0_H1/vmnic3" || sc.Failures[0].At != 0 {
				t.Errorf("failures %+v, want vmnic3 of H1 down at 0", sc.Failures)
			}
			byName := map[string]model.FTVM{}
			for _, vm := range sc.VMs {
				byName[vm.Name] = vm
			}
			sql, ok := byName["sql_01"]
			if !ok || sql.Primary != "DC0_C0_H0" || sql.Secondary != "DC0_C0_H1" || sql.VCPUs != 4 || sql.Mode != "smp" || sql.Memory != 16<<30 {
				t.Errorf("sql_01: %+v", sql)
			}
			leg, ok := byName["DC0_C0_RP0_VM2"]
			switch {
			case stats == StatsNone:
				// No history, no FT bandwidth: left out with a warning.
				if ok || !hasWarning(imp, "DC0_C0_RP0_VM2") {
					t.Errorf("--stats none: VM2 without a rate should be left out with a warning")
				}
				if sql.Logging.Source != "rate" || float64(sql.Logging.Rate) != 51200*8e3 {
					t.Errorf("sql_01 from ftLogBandwidth: %+v", sql.Logging)
				}
			default:
				if !ok || leg.Mode != "legacy" || leg.VCPUs != 1 || leg.Primary != "DC0_C0_H1" || leg.Secondary != "DC0_C0_H2" {
					t.Errorf("legacy VM: %+v", leg)
				}
				// Simulated counters are noisy: ranges. smp adds the 200 Mbit/s of --dirty-memory.
				if r := float64(sql.Logging.Rate); r < 200e6 || r > 200e6+2e9 {
					t.Errorf("sql_01 mean rate %g bit/s out of range", r)
				}
				if r := float64(leg.Logging.Rate); r <= 0 || r > 2e9 {
					t.Errorf("legacy mean rate %g bit/s out of range", r)
				}
				want, interval := 3600.0, "interval 20s"
				if stats == StatsDay {
					want, interval = 86400, "interval 300s"
				}
				prov := string(imp.Provenance())
				for _, row := range []string{
					"vm DC0_C0_RP0_VM2,logging.trace,traces/DC0_C0_RP0_VM2.csv,\"PerformanceManager.QueryPerf net.received.average + disk.read.average, " + interval,
					"vm sql_01,logging.trace,traces/sql_01.csv,\"PerformanceManager.QueryPerf net.received.average + disk.write.average, " + interval,
					"net.received.average kiloBytesPerSecond x8000 bit/s",
					"vm DC0_C0_RP0_VM2,mode,legacy,config.extraConfig vm.uselegacyft = true",
					"host DC0_C0_H1 vmnic3,failure,link_down at 0s",
					"vm sql_01,ft_log_bandwidth_bps,409600000,summary.quickStats.ftLogBandwidth",
				} {
					if !strings.Contains(prov, row) {
						t.Errorf("provenance.csv lacks %q:\n%s", row, prov)
					}
				}
				if d := float64(sc.Duration); d < want || d > want+600 {
					t.Errorf("duration %g, want about %g", d, want)
				}
			}
		})
	}
}

func hasWarning(imp *VCImport, sub string) bool {
	for _, w := range imp.Warnings {
		if strings.Contains(w.Error(), sub) {
			return true
		}
	}
	return false
}
