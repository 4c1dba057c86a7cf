package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
)

// testFT is the FT defaults of docs/model.md.
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
			Mode: model.ModeLegacy, FT: testFT(), Logging: model.Logging{Source: "rate", Rate: r, Pattern: model.Poisson}})
	}
	return sc
}

func durationOf(s float64) model.Duration { return model.Duration(s) }

// runWith runs sc at Parallel 2 with the test switch *flag (noFuse,
// noShare) set to on, and returns the result and results.json's bytes.
func runWith(t *testing.T, sc *model.Scenario, flag *bool, on bool) (results.Result, []byte) {
	t.Helper()
	*flag = on
	defer func() { *flag = false }()
	r, err := Run(context.Background(), sc, Options{Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return r, b
}

// runCounting is runWith returning results.json's bytes, the time series
// and how much counter grew during the run (how often a fast path the
// flag turns off was taken).
func runCounting(t *testing.T, sc *model.Scenario, flag *bool, on bool, counter *atomic.Int64) ([]byte, []results.Series, int64) {
	t.Helper()
	before := counter.Load()
	r, b := runWith(t, sc, flag, on)
	return b, r.Series, counter.Load() - before
}

// eventsByPolicy runs sc and counts the events of the given kind per
// policy.
func eventsByPolicy(t *testing.T, sc *model.Scenario, kind string) map[string]int {
	t.Helper()
	r, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, rr := range r.Runs {
		for _, ev := range rr.Events {
			if string(ev.Kind) == kind {
				n[rr.Policy]++
			}
		}
	}
	return n
}
