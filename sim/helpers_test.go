package sim

import (
	"fmt"
	"net/netip"

	"github.com/ftsim/ftsim/model"
)

// testFT is the FT defaults of DESIGN.md.
func testFT() model.FTParams {
	return model.FTParams{MessageSize: 64 << 10, AckSize: 64, LogBuffer: 64 << 20, Heartbeat: 1, Timeout: 5,
		RTO: 0.2, LagTarget: 1, RestartDelay: 10}
}

func testTeaming(p model.Policy, active, standby []string) model.Teaming {
	return model.Teaming{LoadBalancing: p, Active: active, Standby: standby, Failback: true,
		FailureDetection: model.LinkStatus, NotifySwitches: true, VSwitch: "distributed", IPHash: "last_octet",
		MACHash: "whole_mac", LinkDetect: 0.1, BeaconInterval: 1, BeaconMisses: 3, FailbackDelay: 0.1,
		LBTInterval: 30, LBTThreshold: 0.75, LACPHash: "src_dst_ip", LACPTimeout: "slow"}
}

// testScenario builds nHosts hosts with the given vmnic speeds (all on
// switch sw1), one VM per entry of rates (primary host i mod n, secondary
// the next host), without the YAML loader.
func testScenario(nHosts int, speeds []model.BitRate, mtu int, p model.Policy, rates []model.BitRate, dur model.Duration) *model.Scenario {
	sc := &model.Scenario{Name: "test", Duration: dur, Seed: 1, Replications: model.Replications{N: 1}, FT: testFT(),
		Switches: []model.Switch{{Name: "sw1", PortBuffer: 1 << 20, Latency: 2e-6, Portfast: true}}}
	var names []string
	for i := range speeds {
		names = append(names, fmt.Sprintf("vmnic%d", i))
	}
	for h := 0; h < nHosts; h++ {
		host := model.Host{Name: fmt.Sprintf("esx%02d", h+1), Index: h + 1,
			FTIP:  netip.AddrFrom4([4]byte{10, 0, 0, byte(11 + h)}),
			FTMAC: model.MAC(0x0050566a0000 + uint64(h+1)), PortID: uint32(50331648 + h + 1), MTU: mtu,
			Teaming: testTeaming(p, names, nil)}
		for i, s := range speeds {
			host.Vmnics = append(host.Vmnics, model.Vmnic{Name: names[i], Speed: s, Switch: "sw1"})
		}
		sc.Hosts = append(sc.Hosts, host)
	}
	for i, r := range rates {
		sc.VMs = append(sc.VMs, model.FTVM{Name: fmt.Sprintf("vm%d", i+1), Index: i,
			Primary: sc.Hosts[i%nHosts].Name, Secondary: sc.Hosts[(i+1)%nHosts].Name, VCPUs: 2, Memory: 8 << 30,
			Mode: "smp", FT: testFT(), Logging: model.Logging{Source: "rate", Rate: r, Pattern: model.Poisson}})
	}
	return sc
}

func durationOf(s float64) model.Duration { return model.Duration(s) }
