package sim

import (
	"github.com/ftsim/ftsim/results"

	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// shardScenario is an N-1 analysis of three hosts on a stack: 12 failure
// cases under every policy, shared simulations included (policies whose
// flows take the same paths in the baseline, which has no failures).
const shardScenario = `name: shard-test
duration: 4s
warmup: 1s
seed: 11
replications: 2
switches:
  - {name: sw-a, stack: core}
  - {name: sw-b, stack: core}
defaults:
  mtu: 9000
  vmnics:
    - {name: vmnic0, speed: 10Gbps, switch: sw-a}
    - {name: vmnic1, speed: 10Gbps, switch: sw-b}
  teaming: {load_balancing: port_id, active: [vmnic0, vmnic1]}
hosts:
  - {name: esx01, ft_ip: 192.168.50.11}
  - {name: esx02, ft_ip: 192.168.50.12}
  - {name: esx03, ft_ip: 192.168.50.13}
ft_vms:
  - {name: app, count: 3, placement: spread, vcpus: 1, memory: 8GiB, mode: legacy, logging: {rate: 1500Mbps, pattern: poisson}}
compare: {policies: all, n_minus_1: true}
sla: {replay_lag_p99: 50ms}
`

func loadShardScenario(t *testing.T, extra string) *model.Scenario {
	t.Helper()
	sc, err := model.Parse("shard.yaml", []byte(shardScenario+extra))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// shardOptions are the options of the tests' runs: under -short (the race
// detector's run) one replication of 2 simulated seconds under three
// policies, two of which share simulations.
func shardOptions() Options {
	if testing.Short() {
		return Options{Parallel: 2, Replications: 1, Duration: 2,
			Policies: []model.Policy{model.PortID, model.MACHash, model.ExplicitFailover}}
	}
	return Options{Parallel: 2}
}

// runShards runs every shard of n of sc.
func runShards(t *testing.T, sc *model.Scenario, n int) []results.Result {
	t.Helper()
	parts := make([]results.Result, n)
	for i := range parts {
		o := shardOptions()
		o.Shard = results.Shard{Index: i, Count: n}
		r, err := Run(context.Background(), sc, o)
		if err != nil {
			t.Fatal(err)
		}
		parts[i] = r
	}
	return parts
}

// TestMergeShardsEqualsUnsharded: for any N, the merged shards are the
// unsharded Result, results.json bytes, time series and shared groups
// alike, and each shard held exactly its failure cases.
func TestMergeShardsEqualsUnsharded(t *testing.T) {
	sc := loadShardScenario(t, "")
	whole, err := Run(context.Background(), sc, shardOptions())
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(whole)
	if len(whole.SamePaths) == 0 || len(whole.Worst) == 0 {
		t.Fatalf("the test scenario should share simulations and have worst cases: %d, %d", len(whole.SamePaths), len(whole.Worst))
	}
	total := len(sc.FailureCases())
	ns := []int{1, 2, 3, 5, total, total + 2} // the last gives empty shards
	if testing.Short() {
		ns = []int{5}
	}
	for _, n := range ns {
		parts := runShards(t, sc, n)
		for i, p := range parts {
			for _, s := range p.Summary {
				if pos := caseIndex(sc, s.FailureCase); pos%n != i {
					t.Errorf("N=%d: shard %d holds failure case %s at position %d", n, i, s.FailureCase, pos)
				}
			}
		}
		got, err := results.MergeShards(parts, true)
		if err != nil {
			t.Fatalf("N=%d: %v", n, err)
		}
		gotJSON, _ := json.Marshal(got)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("N=%d: merged results.json differs from the unsharded run", n)
		}
		if !reflect.DeepEqual(got.Series, whole.Series) {
			t.Errorf("N=%d: merged time series differ (%d series, want %d)", n, len(got.Series), len(whole.Series))
		}
		if !reflect.DeepEqual(got.SamePaths, whole.SamePaths) {
			t.Errorf("N=%d: shared groups %+v\nwant %+v", n, got.SamePaths, whole.SamePaths)
		}
	}
}

func caseIndex(sc *model.Scenario, name string) int {
	for i, fc := range sc.FailureCases() {
		if fc.Name == name {
			return i
		}
	}
	return -1
}

// TestMergeShardsRefuses: shards of other runs, in the wrong order or
// given twice are refused, never merged into a wrong Result.
func TestMergeShardsRefuses(t *testing.T) {
	sc := loadShardScenario(t, "")
	parts := runShards(t, sc, 3)
	o := shardOptions()
	o.Duration, o.Shard = 3, results.Shard{Index: 1, Count: 3}
	other, err := Run(context.Background(), sc, o)
	if err != nil {
		t.Fatal(err)
	}
	o = shardOptions()
	o.Seed, o.Shard = 99, results.Shard{Index: 2, Count: 3}
	reseeded, err := Run(context.Background(), sc, o)
	if err != nil {
		t.Fatal(err)
	}
	o = shardOptions()
	o.Shard = results.Shard{Index: 1, Count: 2}
	two, err := Run(context.Background(), sc, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		parts []results.Result
		want  string
	}{
		{"none", nil, "no shards"},
		{"other duration", []results.Result{parts[0], other, parts[2]}, "warm-up"},
		{"other seed", []results.Result{parts[0], parts[1], reseeded}, "seed"},
		{"given twice", []results.Result{parts[0], parts[1], parts[1]}, "in order"},
		{"other split", []results.Result{parts[0], two}, "not one of 2"},
		{"swapped", []results.Result{parts[1], parts[0], parts[2]}, "in order"},
		{"missing", []results.Result{parts[0], parts[1]}, "not one of 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := results.MergeShards(tc.parts, true)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming %q", err, tc.want)
			}
		})
	}
}

func TestShardRefusesAutoReplications(t *testing.T) {
	sc := loadShardScenario(t, "")
	sc.Replications = model.Replications{Auto: true, N: 2, Max: 4, CITarget: 0.1}
	_, err := Run(context.Background(), sc, Options{Shard: results.Shard{Index: 0, Count: 2}})
	if !errors.Is(err, ErrShardAuto) {
		t.Fatalf("err = %v, want ErrShardAuto", err)
	}
	// A fixed count given on the command line is no longer auto.
	if _, err := Run(context.Background(), sc, Options{Replications: 1, Duration: 2, Shard: results.Shard{Index: 1, Count: 12}}); err != nil {
		t.Fatal(err)
	}
}
