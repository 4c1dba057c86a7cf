package importer

import (
	"path/filepath"
	"strings"
	"testing"
)

// goldenDesign is a fixed design with one host of each kind of team: a
// distributed IP hash team, a distributed LACP team and a standard
// explicit-failover team with a NIC down; a VM with history, a running
// pair with only its FT log bandwidth, and a planned VM.
func goldenDesign() *VCDesign {
	nics := func(down string) []VCNic {
		var out []VCNic
		for _, d := range []string{"vmnic0", "vmnic1", "vmnic2", "vmnic3"} {
			mb := 25000
			if d == "vmnic0" {
				mb = 1000
			}
			out = append(out, VCNic{Device: d, SpeedMb: mb, LinkUp: d != down, SpeedFrom: "config.network.pnic.linkSpeed"})
		}
		return out
	}
	times := func() []Sample {
		var ts []Sample
		for k := 0; k < 4; k++ {
			end := 1.8e9 + float64(20*(k+1))
			ts = append(ts, Sample{Start: end - 20, End: end, Stamp: "2027-01-15T08:00:" + [...]string{"20", "40", "60", "80"}[k] + "Z"})
		}
		return ts
	}
	units := map[string]string{"net.received.average": "kiloBytesPerSecond", "disk.read.average": "kiloBytesPerSecond", "disk.write.average": "kiloBytesPerSecond"}
	return &VCDesign{Server: "vc01.lab:443", Datacenter: "Lab", Cluster: "FT", Stats: StatsRealtime,
		Warnings: []*Error{warnf("", 0, "host esx04.lab has no vmkernel adapter enabled for Fault Tolerance logging; left out with its FT VMs (--use-management-vmknic stands its management vmknic in)")},
		Hosts: []*VCHost{
			{Name: "esx01.lab", Nics: nics(""), FT: &VCVmk{Device: "vmk2", IP: "10.0.50.11", MAC: "00:50:56:6a:01:01", MTU: 9000, PortID: 17, PortFrom: "config.network.vnic[vmk2].spec.distributedVirtualPort.portKey", NicType: "faultToleranceLogging"},
				Team:  VCTeam{VSwitch: "distributed", Switch: "dvs-ft", Portgroup: "ft-log", Policy: "loadbalance_ip", Active: []string{"vmnic2", "vmnic3"}, Notify: true, Failback: true, Source: "portgroup[ft-log].config.defaultPortConfig.uplinkTeamingPolicy"},
				Hints: map[string]string{"vmnic2": "tor-a.lab"}},
			{Name: "esx02.lab", Nics: nics(""), FT: &VCVmk{Device: "vmk2", IP: "10.0.50.12", MAC: "00:50:56:6a:01:02", MTU: 9000, PortID: 18, PortFrom: "config.network.vnic[vmk2].spec.distributedVirtualPort.portKey", NicType: "faultToleranceLogging"},
				Team: VCTeam{VSwitch: "distributed", Switch: "dvs-ft", Portgroup: "ft-lag", Policy: "lacp", Active: []string{"vmnic3", "vmnic2"}, Unused: []string{"vmnic1"}, Notify: true, Failback: true,
					LAG: &VCLag{Name: "lag1", Mode: "active", Hash: "srcDestIpTcpUdpPort", Timeout: "fast", Vmnics: []string{"vmnic3", "vmnic2"}}, Source: "portgroup[ft-lag].config.defaultPortConfig.uplinkTeamingPolicy"},
				HintErr: "NoPermission"},
			{Name: "esx%2f03", Nics: nics("vmnic3"), FT: &VCVmk{Device: "vmk1", IP: "10.0.50.11", MAC: "00:50:56:6a:01:03", MTU: 1500, PortID: 33554436, PortFrom: "config.network.portgroup[FT].port.key", NicType: "faultToleranceLogging"},
				Team: VCTeam{VSwitch: "standard", Switch: "vSwitch1", Portgroup: "FT", Policy: "failover_explicit", Active: []string{"vmnic2"}, Standby: []string{"vmnic3"}, Beacon: false, Notify: true, Failback: false, Source: "config.network.portgroup[FT].computedPolicy.nicTeaming"}},
		},
		VMs: []*VCVM{
			{Name: "sql,01", Primary: "esx01.lab", Secondary: "esx02.lab", VCPUs: 4, MemoryMB: 32768, FTLogKBps: 70000, SecondaryFrom: "runtime.host of the secondary VM",
				Times: times(), NetRx: []float64{1e8, 2e8, 0, 1e8}, DiskRead: []float64{4e8, 0, 0, 0}, DiskWrite: []float64{8e8, 4e8, 0, 8e8}, StatsInterval: 20, Units: units},
			{Name: "app01", Primary: "esx02.lab", Secondary: "esx%2f03", VCPUs: 1, MemoryMB: 8192, LegacyFT: true, FTLogKBps: 12500, SecondaryFrom: "runtime.host of the secondary VM", StatsNote: "no history in the interval"},
			{Name: "web01", Primary: "esx%2f03", Secondary: "esx01.lab", VCPUs: 2, MemoryMB: 16384, Planned: true, FTLogKBps: -1, SecondaryFrom: "planned: the next host after the primary, as placement: spread does",
				Times: times(), NetRx: []float64{5e7, 5e7, 5e7, 5e7}, DiskRead: []float64{0, 0, 0, 0}, DiskWrite: []float64{1.6e8, 0, 0, 0}, StatsInterval: 20, Units: units},
		},
	}
}

func TestVCenterGolden(t *testing.T) {
	imp, err := BuildVCenter(goldenDesign(), VCenterOptions{Name: "lab-ft"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, w := range imp.Warnings {
		b.WriteString(w.Error() + "\n")
	}
	for _, f := range imp.Files() {
		b.WriteString("== " + f.Path + " ==\n" + string(f.Data))
	}
	path := filepath.Join("testdata", "vcenter.golden")
	checkGolden(t, path, b.String())
	if *update {
		return
	}
	checkBuild(t, goldenDesign(), VCenterOptions{Name: "lab-ft"})
}
