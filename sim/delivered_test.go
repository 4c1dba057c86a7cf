package sim

import (
	"github.com/ftsim/ftsim/results"

	"context"
	"math"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// loadYAML parses a scenario for a test.
func loadYAML(t *testing.T, src string) *model.Scenario {
	t.Helper()
	sc, err := model.Parse("delivered.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

const deliveredBase = `name: delivered
duration: 20s
warmup: 2s
defaults:
  vmnics: [{name: vmnic0, speed: 10Gbps}, {name: vmnic1, speed: 10Gbps}]
  teaming: {load_balancing: port_id, active: [vmnic0, vmnic1]}
hosts: [{name: esx01}, {name: esx02}, {name: esx03}]
ft_vms:
  - {name: vm1, primary: esx01, secondary: esx02, memory: 1GiB, logging: {rate: 1Gbps}}
  - {name: vm2, primary: esx02, secondary: esx03, memory: 1GiB, logging: {rate: 500Mbps}}
sla:
  replay_lag_p99: 1s
`

// TestDeliveredBytes: in a healthy run every VM delivers what it logged in
// the window, less at most what is in flight at its edges (a few
// messages); delivered_bytes never exceeds the bytes the run delivered in
// all (the conservation balance), and the verdict passes.
func TestDeliveredBytes(t *testing.T) {
	res, err := Run(context.Background(), loadYAML(t, deliveredBase), Options{Policies: []model.Policy{model.PortID}})
	if err != nil {
		t.Fatal(err)
	}
	for _, rr := range res.Runs {
		var sum float64
		for _, v := range rr.VMs {
			sum += v.DeliveredBytes
			// The window's two edges: messages logged before it and
			// delivered in it, and the reverse; each side a few messages.
			if slack := 16 * 65536.0; math.Abs(v.DeliveredBytes-v.LoggedBytes) > slack || results.NothingDelivered(v) {
				t.Errorf("%s: delivered %.0f B, logged %.0f B", v.VM, v.DeliveredBytes, v.LoggedBytes)
			}
		}
		if sum > rr.Balance.Delivered || !rr.Verdict.Pass {
			t.Errorf("delivered %.0f B of %.0f B in the balance; verdict %+v", sum, rr.Balance.Delivered, rr.Verdict)
		}
		b := rr.Balance
		if d := b.Offered - b.Delivered - b.Dropped - b.Abandoned - b.InFlight; math.Abs(d) > 1 {
			t.Errorf("balance off by %g B: %+v", d, b)
		}
	}
}

// TestNothingDeliveredFails: a run in which a VM's secondary receives
// nothing (every vmnic of its primary's host down from t = 0) fails
// "nothing delivered", whatever its lag figures (0 here, as no message
// arrived), in the run and in the summary; the rule holds for every VM of
// the run, and a failure case that delivered nothing ranks worst.
func TestNothingDeliveredFails(t *testing.T) {
	src := deliveredBase + `compare: {n_minus_1: true, policies: [port_id]}
failures:
  - {at: 0s, vmnic: esx02/vmnic0}
  - {at: 0s, vmnic: esx02/vmnic1}
`
	res, err := Run(context.Background(), loadYAML(t, src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var base *results.RunResult
	for i := range res.Runs {
		if res.Runs[i].FailureCase == "baseline" {
			base = &res.Runs[i]
		}
	}
	if base == nil {
		t.Fatal("no baseline run")
	}
	failed := map[string]bool{}
	for _, v := range base.Verdict.Violations {
		if v.Metric == results.MetricNothingDelivered {
			failed[v.Object] = true
		}
	}
	for _, v := range base.VMs {
		nothing := v.DeliveredBytes < results.DeliveredMin*v.LoggedBytes || v.DeliveredBytes == 0
		if nothing != failed[v.VM] {
			t.Errorf("%s: delivered %.0f of %.0f B logged, nothing-delivered violation %v", v.VM, v.DeliveredBytes, v.LoggedBytes, failed[v.VM])
		}
	}
	if !failed["vm2"] || base.Verdict.Pass {
		t.Fatalf("vm2's primary is cut off from t = 0: verdict %+v", base.Verdict)
	}
	for _, s := range res.Summary {
		if s.FailureCase == "baseline" && s.Verdict.Pass {
			t.Errorf("summary of %s passes: %+v", s.FailureCase, s.Verdict)
		}
	}
	nothing := func(s results.Summary) bool {
		for _, v := range s.Verdict.Violations {
			if v.Metric == results.MetricNothingDelivered {
				return true
			}
		}
		return false
	}
	for _, w := range res.Worst {
		any, worst := false, false
		for _, s := range res.Summary {
			if s.Policy == w.Policy && s.FailureCase != "baseline" {
				any = any || nothing(s)
				worst = worst || (s.FailureCase == w.FailureCase && nothing(s))
			}
		}
		if any && !worst {
			t.Errorf("worst case of %s is %s, not a case that delivered nothing", w.Policy, w.FailureCase)
		}
	}
}

// TestDeliveredBytesSMP: an SMP-FT VM's checkpoints are log payload too, so
// a healthy checkpointing VM delivers what it logged, less what its last
// checkpoints hold at the window's edges, and passes.
func TestDeliveredBytesSMP(t *testing.T) {
	src := strings.Replace(deliveredBase, "memory: 1GiB, logging: {rate: 1Gbps}", "memory: 1GiB, mode: smp, logging: {from_stats: {dirty_memory: 50MB/s, network_rx: 100Mbps}}", 1)
	if src == deliveredBase {
		t.Fatal("the SMP-FT VM was not substituted")
	}
	res, err := Run(context.Background(), loadYAML(t, src), Options{Policies: []model.Policy{model.PortID}})
	if err != nil {
		t.Fatal(err)
	}
	v := res.Runs[0].VMs[0]
	if v.CheckpointBytesMean == nil {
		t.Fatalf("%s is not checkpointing", v.VM)
	}
	if slack := 4 * *v.CheckpointBytesMean; v.DeliveredBytes <= 0 || math.Abs(v.DeliveredBytes-v.LoggedBytes) > slack || results.NothingDelivered(v) {
		t.Errorf("%s: delivered %.0f B, logged %.0f B (checkpoints of %.0f B)", v.VM, v.DeliveredBytes, v.LoggedBytes, *v.CheckpointBytesMean)
	}
	if !res.Runs[0].Verdict.Pass {
		t.Errorf("verdict %+v", res.Runs[0].Verdict)
	}
}
