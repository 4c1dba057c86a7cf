package main

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/results"
)

// shardYAML is an N-1 analysis: 12 failure cases, two policies, two
// replications.
const shardYAML = `name: n1-shards
duration: 4s
warmup: 1s
seed: 5
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
  - {name: app, count: 3, placement: spread, vcpus: 1, memory: 8GiB, mode: legacy, logging: {rate: 4Gbps, pattern: poisson}}
compare: {policies: [port_id, explicit_failover], n_minus_1: true}
sla: {replay_lag_p99: %LAG%}
`

// quick is the flags that shorten a test's runs under -short (the race
// detector's run): one replication of 2 simulated seconds under one
// policy, SVG charts.
func quick() []string {
	if testing.Short() {
		return []string{"--replications", "1", "--duration", "2s", "--plot-format", "svg", "--policy", "port_id"}
	}
	return nil
}

func writeShardScenario(t *testing.T, lag string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "n1.yaml")
	if err := os.WriteFile(p, []byte(strings.ReplaceAll(shardYAML, "%LAG%", lag)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runShards runs shards 0..n-1 of sc into tmp/shard-I with the extra
// arguments, shard 1 through JOB_COMPLETION_INDEX and shard 2 through
// SLURM_ARRAY_TASK_ID, and returns the folders.
func runShardDirs(t *testing.T, tmp, sc string, n int, extra ...string) []string {
	t.Helper()
	var dirs []string
	for i := 0; i < n; i++ {
		dir := filepath.Join(tmp, "shard-"+string(rune('0'+i)))
		spec := string(rune('0'+i)) + "/" + string(rune('0'+n))
		switch i {
		case 1:
			t.Setenv("JOB_COMPLETION_INDEX", "1")
			spec = "auto/" + string(rune('0'+n))
		case 2:
			t.Setenv("JOB_COMPLETION_INDEX", "")
			t.Setenv("SLURM_ARRAY_TASK_ID", "2")
			t.Setenv("SLURM_ARRAY_TASK_MIN", "2") // re-run alone: sbatch --array=2
			spec = "auto/" + string(rune('0'+n))
		}
		args := append([]string{"run", sc, "--shard", spec, "--out", dir, "--parallel", "2"}, extra...)
		out := mustFtsim(t, args...)
		if !strings.Contains(out, "shard "+string(rune('0'+i))+"/") {
			t.Errorf("shard %d printed %q", i, out)
		}
		dirs = append(dirs, dir)
	}
	t.Setenv("SLURM_ARRAY_TASK_ID", "")
	t.Setenv("SLURM_ARRAY_TASK_MIN", "")
	return dirs
}

// TestRunShardsMergeEqualsUnsharded: the merged folder holds what the
// unsharded run writes, byte for byte: results.json, runs.csv,
// timeseries.csv, every chart and report.html; and the default --series
// of an N-1 run keeps the baseline and each policy's worst case.
func TestRunShardsMergeEqualsUnsharded(t *testing.T) {
	sc := writeShardScenario(t, "50ms")
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	mustFtsim(t, append([]string{"run", sc, "--out", whole, "--parallel", "1"}, quick()...)...)
	dirs := runShardDirs(t, tmp, sc, 3, quick()...)
	merged := filepath.Join(tmp, "merged")
	out := mustFtsim(t, append(append([]string{"merge"}, dirs[2], dirs[0], dirs[1]), "--out", merged)...)
	if !strings.Contains(out, "merged 3 shards") || !strings.Contains(out, "Route based on originating virtual port") {
		t.Errorf("merge printed:\n%s", out)
	}
	want, got := tree(t, whole), tree(t, merged)
	if len(want) < 6 {
		t.Fatalf("the unsharded run wrote only %v", sortedNames(want))
	}
	if !slices.Equal(sortedNames(got), sortedNames(want)) {
		t.Fatalf("merged files %v\nwant %v", sortedNames(got), sortedNames(want))
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s differs from the unsharded run's", name)
		}
	}
	r, err := readResult(filepath.Join(merged, resultsFile))
	if err != nil {
		t.Fatal(err)
	}
	policies, reps := 2, 2
	if testing.Short() {
		policies, reps = 1, 1
	}
	if r.Shard != nil || len(r.Runs) != policies*12*reps || len(r.Worst) != policies {
		t.Errorf("merged result: shard %v, %d runs, %d worst cases", r.Shard, len(r.Runs), len(r.Worst))
	}
	series := readSeries(t, filepath.Join(merged, seriesFile))
	for _, s := range series {
		if s.FailureCase != "baseline" && !slices.Contains(r.Worst, results.WorstCase{Policy: s.Policy, FailureCase: s.FailureCase}) {
			t.Errorf("--series worst kept %s %s", s.Policy, s.FailureCase)
		}
	}
	if testing.Short() {
		return
	}
	// Every shard holds its own cases' series; the merge with --series all
	// keeps them all, as a run with --series all does.
	allWhole, allMerged := filepath.Join(tmp, "all-whole"), filepath.Join(tmp, "all-merged")
	mustFtsim(t, "run", sc, "--out", allWhole, "--no-plots", "--series", "all")
	dirs = runShardDirs(t, filepath.Join(tmp, "nop"), sc, 2, "--no-plots")
	mustFtsim(t, "merge", dirs[0], dirs[1], "--out", allMerged, "--series", "all")
	if w, g := tree(t, allWhole), tree(t, allMerged); !reflect.DeepEqual(w, g) {
		t.Errorf("--series all: merged files %v differ from %v", sortedNames(g), sortedNames(w))
	}
	if n := len(readSeries(t, filepath.Join(allMerged, seriesFile))); n <= len(series) {
		t.Errorf("--series all kept %d series, worst %d", n, len(series))
	}
}

func readSeries(t *testing.T, path string) []results.Series {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	s, err := results.ReadSeriesCSV(fh)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMergeRunShardsRefuses: a missing, duplicated, unfinished, altered or
// foreign shard is bad input with a message naming it, and nothing is
// merged.
func TestMergeRunShardsRefuses(t *testing.T) {
	sc := writeShardScenario(t, "50ms")
	tmp := t.TempDir()
	fast := []string{"--no-plots", "--duration", "2s", "--replications", "1", "--policy", "port_id"}
	dirs := runShardDirs(t, tmp, sc, 3, fast...)
	foreign := filepath.Join(tmp, "foreign")
	mustFtsim(t, append([]string{"run", sc, "--shard", "2/3", "--out", foreign, "--seed", "9"}, fast...)...)
	other := filepath.Join(tmp, "other-split")
	mustFtsim(t, append([]string{"run", sc, "--shard", "1/2", "--out", other}, fast...)...)
	whole := filepath.Join(tmp, "whole")
	mustFtsim(t, append([]string{"run", sc, "--out", whole}, fast...)...)
	cut := filepath.Join(tmp, "cut")
	copyTree(t, dirs[2], cut)
	os.Remove(filepath.Join(cut, shardFile))
	altered := filepath.Join(tmp, "altered")
	copyTree(t, dirs[2], altered)
	if err := os.WriteFile(filepath.Join(altered, seriesFile), []byte("t_s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(tmp, "huge")
	copyTree(t, dirs[0], huge)
	m, err := os.ReadFile(filepath.Join(huge, shardFile))
	if err != nil || !strings.Contains(string(m), `"shards": 3,`) {
		t.Fatalf("shard.json: %v\n%s", err, m)
	}
	if err := os.WriteFile(filepath.Join(huge, shardFile), []byte(strings.Replace(string(m), `"shards": 3,`, `"shards": 2000000000,`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	batchShard := filepath.Join(tmp, "batch-shard")
	useRun(t, fakeRun(noDelay))
	mustFtsim(t, "batch", writeScenarios(t), "--shard", "0/3", "--out", batchShard, "--parallel", "1")

	for _, tc := range []struct {
		name string
		dirs []string
		want string
	}{
		{"missing", []string{dirs[0], dirs[2]}, "shard 1/3 of the run of"},
		{"twice", []string{dirs[0], dirs[1], dirs[1], dirs[2]}, "are both shard 1/3"},
		{"unfinished", []string{dirs[0], dirs[1], cut}, "did not finish"},
		{"altered", []string{dirs[0], dirs[1], altered}, "changed after shard 2/3 finished"},
		{"other seed", []string{dirs[0], dirs[1], foreign}, "seed 9, not 5"},
		{"other split", []string{dirs[0], dirs[1], dirs[2], other}, "2 shards, not 3"},
		{"whole run", []string{dirs[0], dirs[1], dirs[2], whole}, "a whole run, not of a shard"},
		{"batch shard", []string{dirs[0], dirs[1], dirs[2], batchShard}, "a shard of a batch"},
		{"no such folder", []string{dirs[0], filepath.Join(tmp, "nope")}, "no such shard folder"},
		{"N from an edited file", []string{huge}, "10/2000000000, and 1999999989 more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(tmp, "merged-"+strings.ReplaceAll(tc.name, " ", "-"))
			_, stderr, code := ftsim(t, t.Context(), append(append([]string{"merge"}, tc.dirs...), "--out", out)...)
			if code != exitBadInput || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was written", out)
			}
		})
	}
}

// TestRunShardRefusesWholeRunFlags: what judges or prints the whole run,
// and replications: auto, are refused on a shard.
func TestRunShardRefusesWholeRunFlags(t *testing.T) {
	sc := writeShardScenario(t, "50ms")
	auto := filepath.Join(t.TempDir(), "auto.yaml")
	text := strings.Replace(strings.ReplaceAll(shardYAML, "%LAG%", "50ms"), "replications: 2", "replications: auto", 1)
	if err := os.WriteFile(auto, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "s")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", sc, "--shard", "0/2", "--series", "all"}, "give it to ftsim merge"},
		{[]string{"run", sc, "--shard", "0/2", "--fail-on-sla"}, "give it to ftsim merge"},
		{[]string{"run", sc, "--shard", "0/2", "--format", "json"}, "a shard prints one line"},
		{[]string{"run", auto, "--shard", "0/2"}, "replications: auto cannot be split"},
		{[]string{"run", sc, "--shard", "2/2"}, "outside 0..1"},
		{[]string{"run", sc, "--shard", "auto/2"}, "neither is set"},
		{[]string{"run", sc, "--series", "some"}, "want all, worst or none"},
		{[]string{"merge", out, "--out", out + "-m", "--series", "all"}, "not of a batch"},
	} {
		args := append(tc.args, "--out", out)
		if tc.args[0] == "merge" {
			args = tc.args
		}
		_, stderr, code := ftsim(t, t.Context(), args...)
		if code != exitBadInput || !strings.Contains(stderr, tc.want) {
			t.Errorf("ftsim %s: exit %d, %q; want 2 and %q", strings.Join(tc.args, " "), code, stderr, tc.want)
		}
	}
	// With a fixed count on the command line, auto is no longer asked for.
	mustFtsim(t, "run", auto, "--shard", "1/2", "--replications", "1", "--duration", "2s", "--out", out)
}

// TestMergeRunFailOnSLA: merge --fail-on-sla exits 1 when a verdict of the
// whole run fails, after writing the outputs.
func TestMergeRunFailOnSLA(t *testing.T) {
	sc := writeShardScenario(t, "1us")
	tmp := t.TempDir()
	dirs := runShardDirs(t, tmp, sc, 2, "--no-plots", "--duration", "2s", "--replications", "1")
	merged := filepath.Join(tmp, "merged")
	_, stderr, code := ftsim(t, t.Context(), "merge", dirs[0], dirs[1], "--out", merged, "--fail-on-sla")
	if code != exitSLA {
		t.Fatalf("exit %d (%s), want 1", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(merged, resultsFile)); err != nil {
		t.Error(err)
	}
	mustFtsim(t, "merge", dirs[0], dirs[1], "--out", merged)
}

func TestReproduceArgs(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"run a.yaml --out x --parallel 3", "run a.yaml"},
		{"run a.yaml --shard auto/4 --out=x --seed 3", "run a.yaml --seed 3"},
		{"run --out x a.yaml -parallel=2 --no-plots", "run a.yaml --no-plots"},
		{"run a.yaml --series worst", "run a.yaml --series worst"},
		{"run -- --out", "run -- --out"},
	} {
		if got := strings.Join(reproduceArgs(strings.Fields(tc.in)), " "); got != tc.want {
			t.Errorf("reproduceArgs(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestKeepSeries(t *testing.T) {
	r := results.Result{Worst: []results.WorstCase{{Policy: "a", FailureCase: "host:x"}, {Policy: "b", FailureCase: "vmnic:x/0"}}}
	for _, p := range []string{"a", "b"} {
		for _, fc := range []string{"baseline", "host:x", "vmnic:x/0", "switch:s"} {
			r.Series = append(r.Series, results.Series{Policy: p, FailureCase: fc})
		}
	}
	names := func(ss []results.Series) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Policy+" "+s.FailureCase)
		}
		return out
	}
	if got := names(keepSeries(r, seriesWorst)); !slices.Equal(got, []string{"a baseline", "a host:x", "b baseline", "b vmnic:x/0"}) {
		t.Errorf("worst kept %v", got)
	}
	if got := keepSeries(r, seriesAll); len(got) != 8 {
		t.Errorf("all kept %d", len(got))
	}
	if got := keepSeries(r, seriesNone); len(got) != 0 {
		t.Errorf("none kept %d", len(got))
	}
	for _, tc := range []struct {
		v       string
		nMinus1 bool
		want    string
	}{{"", true, seriesWorst}, {"", false, seriesAll}, {"none", true, seriesNone}, {"all", true, seriesAll}} {
		if got, err := seriesMode(tc.v, tc.nMinus1); err != nil || got != tc.want {
			t.Errorf("seriesMode(%q, %t) = %q, %v; want %q", tc.v, tc.nMinus1, got, err, tc.want)
		}
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	for rel, data := range tree(t, from) {
		p := filepath.Join(to, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
