package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
	"github.com/ftsim/ftsim/sim"
)

// Two scenario files: one with a 4 x 2 sweep, one without a sweep, and a
// third with a one-parameter sweep: 11 cases in all.
var batchScenarios = map[string]string{
	"a-sweep.yaml": `name: lab
duration: 60s
defaults:
  vmnics:
    - {name: vmnic1, speed: 10Gbps}
    - {name: vmnic2, speed: 10Gbps}
hosts:
  - {name: esx01, ft_ip: 192.168.50.11}
  - {name: esx02, ft_ip: 192.168.50.12}
ft_vms:
  - name: web
    count: 2
    placement: spread
    logging: {rate: 400Mbps}
sweep:
  "ft_vms[web].count": [1, 2, 3, 10]
  "defaults.vmnics[*].speed": [1Gbps, 10Gbps]
`,
	"b-plain.yaml": `name: plain
duration: 60s
defaults:
  vmnics:
    - {name: vmnic1, speed: 10Gbps}
hosts:
  - {name: esx01, ft_ip: 192.168.50.11}
  - {name: esx02, ft_ip: 192.168.50.12}
ft_vms:
  - {name: db, primary: esx01, secondary: esx02, logging: {rate: 1Gbps}}
`,
	"c-rate.yml": `name: rates
duration: 60s
defaults:
  vmnics:
    - {name: vmnic1, speed: 10Gbps}
hosts:
  - {name: esx01, ft_ip: 192.168.50.11}
  - {name: esx02, ft_ip: 192.168.50.12}
ft_vms:
  - {name: db, primary: esx01, secondary: esx02, logging: {rate: 1Gbps}}
sweep:
  ft_vms[db].logging.rate: [2Gbps, 500Mbps]
`,
}

const batchCaseCount = 11

func writeScenarios(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "scenarios")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range batchScenarios {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// fakeResult is a cheap stand-in for the engine: figures computed from the
// scenario alone (offered FT load over the slowest vmnic), so every swept
// parameter shows in the result.
func fakeResult(sc *model.Scenario) results.Result {
	var rate float64
	for _, vm := range sc.VMs {
		rate += float64(vm.Logging.Rate)
	}
	speed := math.Inf(1)
	for _, h := range sc.Hosts {
		for _, v := range h.Vmnics {
			speed = math.Min(speed, float64(v.Speed))
		}
	}
	r := results.Result{Scenario: sc.Name, Description: sc.Description, Seed: sc.Seed,
		Duration: sc.Duration.Seconds(), Warmup: sc.Warmup.Seconds()}
	for k, p := range []string{"port_id", "explicit_failover"} {
		util := rate / speed / float64(2-k) // port_id spreads over two uplinks
		lag := 1e-3 / (1 - math.Min(util, 0.99))
		s := results.Summary{Policy: p, FailureCase: "baseline", Applicable: true,
			Verdict: results.Verdict{Pass: lag < 5e-3, Violations: []results.Violation{}}}
		if !s.Verdict.Pass {
			s.Verdict.Violations = append(s.Verdict.Violations, results.Violation{Metric: "replay_lag_p99_s", Object: sc.VMs[0].Name, Value: lag, Limit: 5e-3})
		}
		s.Metrics = append(s.Metrics, results.Metric{Name: "replay_lag_p99_s", Mean: lag},
			results.Metric{Object: sc.Hosts[0].Name + "/vmnic1 tx", Name: "utilisation_peak", Mean: util})
		for _, vm := range sc.VMs {
			s.Metrics = append(s.Metrics, results.Metric{Object: vm.Name, Name: "replay_lag_p99_s", Mean: lag})
		}
		r.Summary = append(r.Summary, s)
		r.Runs = append(r.Runs, results.RunResult{Policy: p, FailureCase: "baseline", Seed: sc.Seed, Applicable: true,
			Links: []results.Link{}, VMs: []results.VM{}, Events: []results.Event{}, Verdict: s.Verdict})
	}
	return r
}

// fakeRun returns fakeResult after delay(sc), or stops at cancellation.
func fakeRun(delay func(sc *model.Scenario) time.Duration) sim.RunFunc {
	return func(ctx context.Context, sc *model.Scenario, opts sim.Options) (results.Result, error) {
		if d := delay(sc); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return results.Result{}, ctx.Err()
			}
		}
		return fakeResult(sc), nil
	}
}

func noDelay(*model.Scenario) time.Duration { return 0 }

// jitter makes cases finish out of order: the delay depends on the case.
func jitter(sc *model.Scenario) time.Duration {
	n := len(sc.VMs)*7 + int(sc.Hosts[0].Vmnics[0].Speed/1e9)
	return time.Duration(n%5) * time.Millisecond
}

// useRun makes the batch command use run for the rest of the test.
func useRun(t *testing.T, run sim.RunFunc) {
	old := batchRun
	batchRun = run
	t.Cleanup(func() { batchRun = old })
}

// noCharts leaves the planning charts out for the rest of the test (the
// tests that compare whole batch folders keep them).
func noCharts(t *testing.T) {
	drawPlanning = false
	t.Cleanup(func() { drawPlanning = true })
}

// ftsim runs the command line in this process and returns its output and
// exit status.
func ftsim(t *testing.T, ctx context.Context, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	app := newApp()
	var out, errw bytes.Buffer
	app.Writer, app.ErrWriter = &out, &errw
	err := execute(ctx, app, append([]string{"ftsim"}, args...))
	if err != nil {
		code = exitCode(err)
		errw.WriteString(errorText(err) + "\n")
	}
	return out.String(), errw.String(), code
}

func mustFtsim(t *testing.T, args ...string) string {
	t.Helper()
	out, errs, code := ftsim(t, context.Background(), args...)
	if code != 0 {
		t.Fatalf("ftsim %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	return out
}

// tree returns every file under root by its slash path relative to root.
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameTree fails the test where the two trees differ.
func sameTree(t *testing.T, gotRoot, wantRoot string) {
	t.Helper()
	got, want := tree(t, gotRoot), tree(t, wantRoot)
	var names []string
	for n := range want {
		names = append(names, n)
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		g, gok := got[n]
		w, wok := want[n]
		switch {
		case !gok:
			t.Errorf("%s: missing (present in %s)", n, wantRoot)
		case !wok:
			t.Errorf("%s: extra file", n)
		case g != w:
			t.Errorf("%s: content differs:\n%s\nwant:\n%s", n, g, w)
		}
	}
}

func TestBatchWritesCasesIndexSummary(t *testing.T) {
	useRun(t, fakeRun(noDelay))
	scen := writeScenarios(t)
	out := filepath.Join(t.TempDir(), "out")
	stdout := mustFtsim(t, "batch", scen, "--out", out, "--parallel", "2")
	if !strings.Contains(stdout, fmt.Sprintf("%d cases (%d run, 0 already done)", batchCaseCount, batchCaseCount)) {
		t.Errorf("stdout: %q", stdout)
	}
	files := tree(t, out)
	charts := []string{"planning-lab-speed=1Gbps.png", "planning-lab-speed=10Gbps.png", "planning-rates.png"}
	for _, want := range append([]string{
		"index.csv", "summary.json", "plain/results.json", "rates/rate=500Mbps/results.json",
		"lab/count=1,speed=1Gbps/results.json", "lab/count=10,speed=10Gbps/results.json",
	}, charts...) {
		if _, ok := files[want]; !ok {
			t.Errorf("no %s in the batch folder", want)
		}
	}
	for _, c := range charts {
		if !strings.HasPrefix(files[c], "\x89PNG") {
			t.Errorf("%s is not a PNG", c)
		}
	}
	if n, want := len(files), batchCaseCount+2+len(charts); n != want {
		t.Errorf("%d files, want %d: %v", n, want, sortedNames(files))
	}
	res := files["lab/count=10,speed=1Gbps/results.json"]
	if !strings.HasSuffix(res, "}\n") || !strings.Contains(res, "\n  \"scenario\": \"lab\",") ||
		!strings.Contains(res, `"param": "count"`) || !strings.Contains(res, `"value": "10"`) {
		t.Errorf("results.json is not the indented result with its sweep:\n%.400s", res)
	}
	// index.csv: the header, then cases in natural order.
	lines := strings.Split(strings.TrimSuffix(files["index.csv"], "\n"), "\n")
	if lines[0] != "case,policy,failure_case,object,metric,value" {
		t.Fatalf("index header %q", lines[0])
	}
	var order []string
	for _, l := range lines[1:] {
		c := l
		if strings.HasPrefix(l, `"`) {
			c = l[1 : strings.Index(l[1:], `"`)+1]
		} else {
			c = l[:strings.IndexByte(l, ',')]
		}
		if len(order) == 0 || order[len(order)-1] != c {
			order = append(order, c)
		}
	}
	wantOrder := []string{
		"lab/count=1,speed=1Gbps", "lab/count=1,speed=10Gbps", "lab/count=2,speed=1Gbps", "lab/count=2,speed=10Gbps",
		"lab/count=3,speed=1Gbps", "lab/count=3,speed=10Gbps", "lab/count=10,speed=1Gbps", "lab/count=10,speed=10Gbps",
		"plain", "rates/rate=2Gbps", "rates/rate=500Mbps",
	}
	if strings.Join(order, " ") != strings.Join(wantOrder, " ") {
		t.Errorf("index case order\n%s\nwant\n%s", strings.Join(order, " "), strings.Join(wantOrder, " "))
	}
	// A figure that depends on both parameters: 10 VMs x 400 Mbit/s on 1 Gbit/s.
	if !strings.Contains(files["index.csv"], `"lab/count=10,speed=1Gbps",explicit_failover,baseline,esx01/vmnic1 tx,utilisation_peak,4`+"\n") {
		t.Error("index.csv lacks the utilisation of lab/count=10,speed=1Gbps")
	}
	if !strings.Contains(files["summary.json"], `"case": "rates/rate=2Gbps"`) ||
		!strings.Contains(files["summary.json"], `"dir": "lab/count=3,speed=10Gbps"`) {
		t.Errorf("summary.json:\n%.600s", files["summary.json"])
	}
}

func TestBatchShardedThenMergedEqualsUnsharded(t *testing.T) {
	useRun(t, fakeRun(jitter))
	scen := writeScenarios(t)
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	mustFtsim(t, "batch", scen, "--out", whole, "--parallel", "3")

	shard := func(i int) string { return filepath.Join(tmp, fmt.Sprintf("shard-%d", i)) }
	mustFtsim(t, "batch", scen, "--out", shard(0), "--shard", "0/3", "--parallel", "1")
	t.Setenv("JOB_COMPLETION_INDEX", "1") // Kubernetes Indexed Job
	mustFtsim(t, "batch", scen, "--out", shard(1), "--shard", "auto/3", "--parallel", "2")
	t.Setenv("JOB_COMPLETION_INDEX", "")
	t.Setenv("SLURM_ARRAY_TASK_ID", "2") // Slurm array task 2, re-run alone with --array=2
	t.Setenv("SLURM_ARRAY_TASK_MIN", "2")
	mustFtsim(t, "batch", scen, "--out", shard(2), "--shard", "auto/3")

	// Shard I holds the cases at positions p with p mod 3 = I.
	for i, want := range []int{4, 4, 3} {
		if n := strings.Count(strings.Join(sortedNames(tree(t, shard(i))), " "), "results.json"); n != want {
			t.Errorf("shard %d ran %d cases, want %d", i, n, want)
		}
	}
	merged := filepath.Join(tmp, "merged")
	out := mustFtsim(t, "merge", shard(2), shard(0), shard(1), "--out", merged)
	if !strings.Contains(out, fmt.Sprintf("%d cases from 3 folders", batchCaseCount)) {
		t.Errorf("merge said %q", out)
	}
	sameTree(t, merged, whole)

	// Merging again into the same folder changes nothing (the charts of
	// the first merge stay).
	noCharts(t)
	mustFtsim(t, "merge", shard(0), shard(1), shard(2), "--out", merged)
	sameTree(t, merged, whole)
}

func sortedNames(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestBatchSameAtAnyParallel(t *testing.T) {
	noCharts(t)
	useRun(t, fakeRun(jitter))
	scen := writeScenarios(t)
	tmp := t.TempDir()
	mustFtsim(t, "batch", scen, "--out", filepath.Join(tmp, "p1"), "--parallel", "1")
	mustFtsim(t, "batch", scen, "--out", filepath.Join(tmp, "p2"), "--parallel", "2")
	mustFtsim(t, "batch", scen, "--out", filepath.Join(tmp, "p5"), "--parallel", "5")
	sameTree(t, filepath.Join(tmp, "p2"), filepath.Join(tmp, "p1"))
	sameTree(t, filepath.Join(tmp, "p5"), filepath.Join(tmp, "p1"))
}

func TestBatchInterruptThenResume(t *testing.T) {
	noCharts(t)
	scen := writeScenarios(t)
	tmp := t.TempDir()
	ref := filepath.Join(tmp, "ref")
	useRun(t, fakeRun(noDelay))
	mustFtsim(t, "batch", scen, "--out", ref)

	// Ctrl-C after four cases: the context is cancelled as the signal
	// handler would.
	out := filepath.Join(tmp, "out")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int32
	useRun(t, func(ctx context.Context, sc *model.Scenario, opts sim.Options) (results.Result, error) {
		if calls.Add(1) > 4 {
			cancel()
			<-ctx.Done()
			return results.Result{}, ctx.Err()
		}
		return fakeResult(sc), nil
	})
	_, stderr, code := ftsim(t, ctx, "batch", scen, "--out", out, "--parallel", "1")
	if code != exitInterrupted || !strings.Contains(stderr, "interrupted; 4 of 11 cases are finished") ||
		!strings.Contains(stderr, "--resume") {
		t.Fatalf("exit %d, stderr %q; want %d and a hint to --resume", code, stderr, exitInterrupted)
	}
	files := tree(t, out)
	if _, ok := files["index.csv"]; ok {
		t.Error("an interrupted batch wrote index.csv")
	}
	if n := len(files); n != 4 {
		t.Errorf("%d files after the interruption, want the 4 finished results: %v", n, sortedNames(files))
	}

	useRun(t, fakeRun(noDelay))
	stdout := mustFtsim(t, "batch", scen, "--out", out, "--resume")
	if !strings.Contains(stdout, "11 cases (7 run, 4 already done)") {
		t.Errorf("resume said %q", stdout)
	}
	sameTree(t, out, ref)
}

func TestBatchResumeRerunsDamagedCases(t *testing.T) {
	noCharts(t)
	useRun(t, fakeRun(noDelay))
	scen := writeScenarios(t)
	tmp := t.TempDir()
	ref, out := filepath.Join(tmp, "ref"), filepath.Join(tmp, "out")
	mustFtsim(t, "batch", scen, "--out", ref)
	mustFtsim(t, "batch", scen, "--out", out)
	// A truncated result, a missing one, one of another case, and a
	// temporary file a kill left behind.
	damaged := filepath.Join(out, "lab", "count=2,speed=1Gbps", "results.json")
	data, _ := os.ReadFile(damaged)
	must(t, os.WriteFile(damaged, data[:len(data)/2], 0o644))
	must(t, os.Remove(filepath.Join(out, "plain", "results.json")))
	other, _ := os.ReadFile(filepath.Join(out, "rates", "rate=2Gbps", "results.json"))
	must(t, os.WriteFile(filepath.Join(out, "rates", "rate=500Mbps", "results.json"), other, 0o644))
	must(t, os.WriteFile(filepath.Join(out, "lab", "count=3,speed=1Gbps", ".results.json.tmp123"), []byte("{"), 0o644))
	stdout := mustFtsim(t, "batch", scen, "--out", out, "--resume")
	if !strings.Contains(stdout, "11 cases (3 run, 8 already done)") {
		t.Errorf("resume said %q", stdout)
	}
	sameTree(t, out, ref)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestBatchKilledThenResumed kills a batch (SIGKILL, no chance to clean
// up) while it runs, resumes it, and compares with an uninterrupted run.
func TestBatchKilledThenResumed(t *testing.T) {
	noCharts(t)
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	scen := writeScenarios(t)
	tmp := t.TempDir()
	ref, out := filepath.Join(tmp, "ref"), filepath.Join(tmp, "out")
	useRun(t, fakeRun(noDelay))
	mustFtsim(t, "batch", scen, "--out", ref)

	cmd := exec.Command(os.Args[0], "-test.run=^TestBatchHelperProcess$", "--",
		"batch", scen, "--out", out, "--parallel", "2")
	cmd.Env = append(os.Environ(), "FTSIM_BATCH_HELPER=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	must(t, cmd.Start())
	deadline := time.Now().Add(30 * time.Second)
	for countResults(out) < 3 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the batch wrote no results in 30 s:\n%s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	must(t, cmd.Process.Kill())
	cmd.Wait()
	done := countResults(out)
	if done >= batchCaseCount {
		t.Fatalf("the batch finished (%d cases) before it was killed", done)
	}
	if _, err := os.Stat(filepath.Join(out, "index.csv")); err == nil {
		t.Fatal("a killed batch has an index.csv")
	}
	before := modTimes(t, out)

	stdout := mustFtsim(t, "batch", scen, "--out", out, "--resume", "--parallel", "2")
	if want := fmt.Sprintf("(%d run, %d already done)", batchCaseCount-done, done); !strings.Contains(stdout, want) {
		t.Errorf("resume said %q, want %q", stdout, want)
	}
	for p, mt := range before {
		if st, err := os.Stat(p); err != nil || !st.ModTime().Equal(mt) {
			t.Errorf("%s was written again on resume", p)
		}
	}
	sameTree(t, out, ref)
}

// TestBatchHelperProcess is the batch run TestBatchKilledThenResumed
// kills: the command line with a slow stand-in engine.
func TestBatchHelperProcess(t *testing.T) {
	if os.Getenv("FTSIM_BATCH_HELPER") != "1" {
		t.Skip("helper process for TestBatchKilledThenResumed")
	}
	batchRun = fakeRun(func(*model.Scenario) time.Duration { return 150 * time.Millisecond })
	drawPlanning = false
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Exit(report(os.Stderr, execute(context.Background(), newApp(), append([]string{"ftsim"}, args...))))
}

func countResults(root string) int {
	n := 0
	filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err == nil && e.Name() == "results.json" {
			n++
		}
		return nil
	})
	return n
}

func modTimes(t *testing.T, root string) map[string]time.Time {
	out := map[string]time.Time{}
	filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err == nil && e.Name() == "results.json" {
			if st, err := os.Stat(p); err == nil {
				out[p] = st.ModTime()
			}
		}
		return nil
	})
	return out
}

func TestMergeRefuses(t *testing.T) {
	noCharts(t)
	useRun(t, fakeRun(noDelay))
	scen := writeScenarios(t)
	tmp := t.TempDir()
	shard := func(i int) string { return filepath.Join(tmp, fmt.Sprintf("shard-%d", i)) }
	for i := 0; i < 3; i++ {
		mustFtsim(t, "batch", scen, "--out", shard(i), "--shard", fmt.Sprintf("%d/3", i))
	}
	whole := filepath.Join(tmp, "whole")
	mustFtsim(t, "batch", scen, "--out", whole)

	tests := []struct {
		name   string
		prep   func()
		args   []string
		errSub string
	}{
		{"missing shard", nil, []string{shard(0), shard(2)}, "shard 1/3 of a batch of 11 cases missing"},
		{"shard twice", nil, []string{shard(0), shard(1), shard(1), shard(2)}, "are both shard 1/3"},
		{"out is an input", nil, []string{shard(0), shard(1), shard(2), "--out", shard(1)}, "--out must be a folder other"},
		{"no folder", nil, []string{filepath.Join(tmp, "nope")}, "no such batch output folder"},
		{"conflict", func() {
			p := filepath.Join(shard(1), "lab", "count=1,speed=10Gbps", "results.json")
			data, _ := os.ReadFile(p)
			must(t, os.WriteFile(p, bytes.Replace(data, []byte(`"seed": 1`), []byte(`"seed": 2`), 1), 0o644))
		}, []string{shard(0), shard(1), shard(2), whole}, "differ: the same case ran twice"},
		{"unfinished shard", func() { must(t, os.Remove(filepath.Join(shard(2), "summary.json"))) },
			[]string{shard(0), shard(1), shard(2)}, "did not finish"},
	}
	for _, tt := range tests {
		if tt.prep != nil {
			tt.prep()
		}
		args := append([]string{"merge"}, tt.args...)
		if !strings.Contains(strings.Join(tt.args, " "), "--out") {
			args = append(args, "--out", filepath.Join(tmp, "merged-"+strings.ReplaceAll(tt.name, " ", "-")))
		}
		_, stderr, code := ftsim(t, context.Background(), args...)
		if code != exitBadInput || !strings.Contains(stderr, tt.errSub) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, code, stderr, exitBadInput, tt.errSub)
		}
	}
}

func TestBatchBadInput(t *testing.T) {
	noCharts(t)
	useRun(t, fakeRun(noDelay))
	tmp := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(tmp, name)
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	good := batchScenarios["b-plain.yaml"]
	badPath := write("bad/bad-path.yaml", good+"sweep:\n  \"ft_vms[nosuch].count\": [1, 2]\n")
	dup1 := write("dup/one.yaml", good)
	write("dup/two.yaml", good)
	empty := filepath.Join(tmp, "empty")
	must(t, os.MkdirAll(empty, 0o755))
	tests := []struct {
		args   []string
		errSub string
	}{
		{[]string{"batch", badPath}, badPath + ":12:3: sweep path \"ft_vms[nosuch].count\""},
		{[]string{"batch", filepath.Dir(dup1)}, `case "plain" is also a case of`},
		{[]string{"batch", empty}, "no scenario files (*.yaml) in this folder"},
		{[]string{"batch", filepath.Join(tmp, "missing.yaml")}, "no such scenario file or folder"},
		{[]string{"batch"}, "give one or more scenario files or folders"},
		{[]string{"batch", dup1, "--parallel", "0"}, "--parallel 0"},
		{[]string{"batch", dup1, "--shard", "3/3"}, "outside 0..2"},
		{[]string{"batch", dup1, "--shard", "auto/3"}, "neither is set"},
	}
	t.Setenv("JOB_COMPLETION_INDEX", "")
	t.Setenv("SLURM_ARRAY_TASK_ID", "")
	for _, tt := range tests {
		_, stderr, code := ftsim(t, context.Background(), append(tt.args, "--out", filepath.Join(tmp, "out"))...)
		if code != exitBadInput || !strings.Contains(stderr, tt.errSub) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, exitBadInput, tt.errSub)
		}
	}
}

func TestBatchCaseFailure(t *testing.T) {
	noCharts(t)
	scen := writeScenarios(t)
	out := filepath.Join(t.TempDir(), "out")
	useRun(t, func(ctx context.Context, sc *model.Scenario, opts sim.Options) (results.Result, error) {
		if sc.Name == "plain" {
			return results.Result{}, fmt.Errorf("%w: 10 bytes unaccounted", sim.ErrConservation)
		}
		return fakeResult(sc), nil
	})
	_, stderr, code := ftsim(t, context.Background(), "batch", scen, "--out", out)
	if code != exitInternal || !strings.Contains(stderr, "1 of 11 cases failed") || !strings.Contains(stderr, "case plain: sim: conservation") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if n := countResults(out); n != 10 {
		t.Errorf("%d results kept, want 10", n)
	}
}

// TestBatchEngine runs a small sweep on the real engine at two
// parallelisms.
func TestBatchEngine(t *testing.T) {
	scen := filepath.Join(t.TempDir(), "engine.yaml")
	must(t, os.WriteFile(scen, []byte(`name: engine
duration: 20s
warmup: 2s
defaults:
  vmnics:
    - {name: vmnic1, speed: 1Gbps}
    - {name: vmnic2, speed: 1Gbps}
hosts:
  - {name: esx01, ft_ip: 192.168.50.11}
  - {name: esx02, ft_ip: 192.168.50.12}
ft_vms:
  - name: web
    count: 1
    placement: spread
    logging: {rate: 100Mbps}
compare:
  policies: [port_id, explicit_failover]
sweep:
  "ft_vms[web].count": [1, 3]
sla:
  replay_lag_p99: 100ms
`), 0o644))
	if _, err := sim.Run(context.Background(), mustLoad(t, scen), sim.Options{Duration: 1}); err != nil &&
		strings.Contains(err.Error(), "engine not built yet") {
		t.Skip("the engine is not built yet")
	}
	tmp := t.TempDir()
	mustFtsim(t, "batch", scen, "--out", filepath.Join(tmp, "p1"), "--parallel", "1")
	mustFtsim(t, "batch", scen, "--out", filepath.Join(tmp, "p2"), "--parallel", "2")
	sameTree(t, filepath.Join(tmp, "p2"), filepath.Join(tmp, "p1"))
	files := tree(t, filepath.Join(tmp, "p1"))
	for _, c := range []string{"engine/count=1", "engine/count=3"} {
		r, err := readResult(filepath.Join(tmp, "p1", c, "results.json"))
		if err != nil {
			t.Fatal(err)
		}
		if results.CaseName(r) != c || len(r.Runs) == 0 || len(r.Summary) != 2 {
			t.Errorf("%s: case %q, %d runs, %d summaries", c, results.CaseName(r), len(r.Runs), len(r.Summary))
		}
		if !strings.Contains(files["index.csv"], c+",port_id,baseline,,sla_pass,") {
			t.Errorf("index.csv has no verdict row for %s", c)
		}
	}
}

func mustLoad(t *testing.T, path string) *model.Scenario {
	t.Helper()
	sc, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

var _ = errors.New

// BenchmarkBatchSweep100 runs the 120 cases of scenarios/bench/sweep100.yaml
// on the engine at --parallel 1 and 2; compare the two ns/op for the
// speed-up (README, "Benchmarks"). Run it alone:
//
//	go test ./cmd/ftsim/ -run '^$' -bench BatchSweep100 -benchtime 3x
func BenchmarkBatchSweep100(b *testing.B) {
	scen := filepath.Join("..", "..", "scenarios", "bench", "sweep100.yaml")
	for _, par := range []int{1, 2} {
		b.Run(fmt.Sprintf("parallel=%d", par), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				out := filepath.Join(b.TempDir(), "out")
				app := newApp()
				var stdout, stderr bytes.Buffer
				app.Writer, app.ErrWriter = &stdout, &stderr
				if err := execute(context.Background(), app, []string{"ftsim", "batch", scen, "--out", out, "--parallel", fmt.Sprint(par)}); err != nil {
					b.Fatalf("%v\n%s", err, stderr.String())
				}
			}
		})
	}
}

// planningYAML is a sweep whose single failures fail before its baseline:
// the standby uplink of esx01 carries 450 Mbit/s of other traffic, so the
// FT load fits the active uplink up to count=8 but the standby only to 4.
const planningYAML = `name: nm1
duration: 20s
warmup: 2s
defaults:
  vmnics:
    - {name: vmnic0, speed: 1Gbps}
    - {name: vmnic1, speed: 1Gbps}
  teaming:
    load_balancing: explicit_failover
    active: [vmnic0]
    standby: [vmnic1]
hosts:
  - {name: esx01, ft_ip: 192.168.50.11}
  - {name: esx02, ft_ip: 192.168.50.12}
ft_vms:
  - {name: app, count: 1, primary: esx01, secondary: esx02, memory: 1GiB, mode: legacy, logging: {rate: 100Mbps}}
background:
  - {host: esx01, vmnic: vmnic1, rate: 450Mbps}
compare:
  policies: [explicit_failover]
  n_minus_1: %N1%
sweep:
  "ft_vms[app].count": [2, 4, 6, 8]
sla:
  replay_lag_p99: 500ms
%SLA%`

// TestBatchPlanningAnswerCountsNMinus1: the planning answer counts every
// failure case: summary.json, the terminal and the chart say 4 where the
// baseline alone passes up to 8, and say why when nothing passes.
func TestBatchPlanningAnswerCountsNMinus1(t *testing.T) {
	for _, tc := range []struct {
		name, n1, sla string
		value         string // "" = null
		counting      string
		printed       []string
	}{
		{"baseline only", "false", "", "8", "baseline", []string{"explicit_failover: largest passing count=8 (counting baseline)"}},
		{"with n_minus_1", "true", "", "4", "baseline+n_minus_1", []string{
			"explicit_failover: largest passing count=4 (counting baseline+n_minus_1)",
			"then count=6 fails: vmnic:esx01/vmnic0: p99 replay lag of app-"}},
		{"unprotected_max 0s", "true", "  unprotected_max: 0s\n", "", "baseline+n_minus_1", []string{
			"explicit_failover: no count passes (counting baseline+n_minus_1): count=2 fails: host:",
			"unprotected_max 0 s cannot hold through a host failure"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			scen := filepath.Join(dir, "nm1.yaml")
			must(t, os.WriteFile(scen, []byte(strings.NewReplacer("%N1%", tc.n1, "%SLA%", tc.sla).Replace(planningYAML)), 0o644))
			out := filepath.Join(dir, "out")
			stdout := mustFtsim(t, "batch", scen, "--out", out)
			for _, p := range tc.printed {
				if !strings.Contains(stdout, p) {
					t.Errorf("the terminal does not print %q:\n%s", p, stdout)
				}
			}
			b, err := os.ReadFile(filepath.Join(out, "summary.json"))
			must(t, err)
			var sum results.BatchSummary
			must(t, json.Unmarshal(b, &sum))
			if len(sum.Planning) != 1 || len(sum.Planning[0].LargestPassing) != 1 {
				t.Fatalf("planning = %+v, want one answer", sum.Planning)
			}
			pv := sum.Planning[0].LargestPassing[0]
			got := ""
			if pv.Value != nil {
				got = *pv.Value
			}
			if got != tc.value || pv.Counting != tc.counting || pv.Parameter != "count" {
				t.Errorf("largest_passing = %q counting %q (%+v), want %q counting %q", got, pv.Counting, pv, tc.value, tc.counting)
			}
			if _, err := os.Stat(filepath.Join(out, "planning-nm1.png")); err != nil {
				t.Errorf("no planning chart: %v", err)
			}
		})
	}
}

// TestBatchWarningsNameTheCase: a warning that only a sweep case raises
// names the case, and no warning line is printed twice.
func TestBatchWarningsNameTheCase(t *testing.T) {
	noCharts(t)
	dir := t.TempDir()
	scen := filepath.Join(dir, "nm1.yaml")
	must(t, os.WriteFile(scen, []byte(strings.NewReplacer("%N1%", "false", "%SLA%", "").Replace(planningYAML)), 0o644))
	_, stderr, code := ftsim(t, context.Background(), "batch", scen, "--out", filepath.Join(dir, "out"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	seen := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if seen[l] {
			t.Errorf("printed twice: %s", l)
		}
		seen[l] = true
		if strings.Contains(l, "das.maxftvmsperhost") && !strings.Contains(l, "in case nm1/count=") {
			t.Errorf("a case's warning does not name the case: %s", l)
		}
	}
	if !strings.Contains(stderr, "in case nm1/count=6: host esx01 runs 6 FT VMs") {
		t.Errorf("no warning for count=6:\n%s", stderr)
	}
}
