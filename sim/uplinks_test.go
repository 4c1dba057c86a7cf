package sim

import (
	"github.com/ftsim/ftsim/results"

	"math"
	"testing"
)

// TestUplinkTablesBeforeAfterFailure: under explicit failover, esx01's
// FT stream leaves on vmnic0, moves to the Standby vmnic1 when vmnic0
// fails and comes back after it recovers (failback). The table splits the
// window at the failure and the recovery and shows each move; shares of a
// host's FT bytes sum to 1 in every phase; without failures one phase.
func TestUplinkTablesBeforeAfterFailure(t *testing.T) {
	sc := tmParse(t, tmFailYAML, "%TEAM%", tmTeamAS,
		"%FAIL%", "  - {at: 4s, vmnic: esx01/vmnic0, down_for: 3s}", "%DUR%", "10s")
	rr := tmRun(t, sc)
	r := results.Result{Runs: []results.RunResult{rr}}
	tab, ok := results.UplinkTables(r, rr.Policy, rr.FailureCase)
	if !ok {
		t.Fatal("no uplink table")
	}
	if len(tab.Phases) != 3 || tab.Phases[1].From != 4 || tab.Phases[2].From != 7 || tab.Phases[2].To != 10 ||
		tab.Phases[1].After != "failure esx01/vmnic0" || tab.Phases[2].After != "recovery esx01/vmnic0" {
		t.Fatalf("phases %+v, want [0,4) [4,7) after the failure, [7,10) after the recovery", tab.Phases)
	}
	cell := func(host, vmnic string, k int) results.UplinkCell {
		for _, h := range tab.Hosts {
			for _, v := range h.Vmnics {
				if h.Host == host && v.Vmnic == vmnic {
					return v.Cells[k]
				}
			}
		}
		t.Fatalf("no row %s/%s", host, vmnic)
		return results.UplinkCell{}
	}
	// The sender's log: vmnic0, then vmnic1 (all but detection's 100 ms),
	// then vmnic0 again (failback 100 ms after the recovery).
	for _, c := range []struct {
		vmnic    string
		phase    int
		min, max float64
	}{{"vmnic0", 0, 0.999, 1}, {"vmnic1", 0, 0, 0.001}, {"vmnic1", 1, 0.9, 1}, {"vmnic0", 1, 0, 0.1}, {"vmnic0", 2, 0.9, 1}, {"vmnic2", 1, 0, 0}} {
		if got := cell("esx01", c.vmnic, c.phase).SentShare; got < c.min || got > c.max {
			t.Errorf("esx01/%s phase %d: sent share %.3f, want %.3f..%.3f", c.vmnic, c.phase, got, c.min, c.max)
		}
	}
	if p := cell("esx01", "vmnic1", 1).Peak; p < 0.05 {
		t.Errorf("esx01/vmnic1 carried 1 Gbit/s after the failure but peaks at %.3f", p)
	}
	for _, h := range tab.Hosts {
		for k := range tab.Phases {
			var sent, recv float64
			for _, v := range h.Vmnics {
				sent += v.Cells[k].SentShare
				recv += v.Cells[k].ReceivedShare
			}
			for _, s := range []float64{sent, recv} {
				if !math.IsNaN(s) && math.Abs(s-1) > 1e-9 {
					t.Errorf("%s phase %d: shares sum to %g, want 1", h.Host, k, s)
				}
			}
		}
	}
	// esx03 holds no FT VM: no FT bytes, shares unknown, not 0.
	if c := cell("esx03", "vmnic0", 0); !math.IsNaN(c.SentShare) {
		t.Errorf("esx03 sent no FT bytes, share %g, want NaN", c.SentShare)
	}

	// A host that is down moves no FT bytes: no share, not 100 % of nothing.
	hs := tmParse(t, tmFailYAML, "%TEAM%", tmTeamAS, "%FAIL%", "  - {at: 4s, host: esx01}", "%DUR%", "8s")
	hr := tmRun(t, hs)
	ht, _ := results.UplinkTables(results.Result{Runs: []results.RunResult{hr}}, hr.Policy, hr.FailureCase)
	for _, h := range ht.Hosts {
		for _, v := range h.Vmnics {
			if c := v.Cells[len(v.Cells)-1]; h.Host == "esx01" && (!math.IsNaN(c.SentShare) || !math.IsNaN(c.ReceivedShare)) {
				t.Errorf("esx01/%s after its host failed: shares %g / %g, want none", v.Vmnic, c.SentShare, c.ReceivedShare)
			}
		}
	}

	plain := tmParse(t, tmFailYAML, "%TEAM%", tmTeamAS, "%FAIL%", "  []", "%DUR%", "5s")
	plain.Failures = nil
	pr := tmRun(t, plain)
	tab, ok = results.UplinkTables(results.Result{Runs: []results.RunResult{pr}}, pr.Policy, pr.FailureCase)
	if !ok || len(tab.Phases) != 1 || tab.Phases[0].From != 0 || tab.Phases[0].To != 5 {
		t.Errorf("without failures: %v %+v, want one phase [0, 5)", ok, tab.Phases)
	}
	if _, ok := results.UplinkTables(r, "lacp", "baseline"); ok {
		t.Error("a table for a policy that did not run")
	}
}
