package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/results"
)

const runYAML = `name: cli-run
duration: 4s
seed: 3
defaults:
  mtu: 9000
  vmnics: [{name: vmnic0, speed: 10Gbps}]
hosts:
  - {name: esx01, ft_ip: 10.0.0.11}
  - {name: esx02, ft_ip: 10.0.0.12}
ft_vms:
  - {name: vm1, primary: esx01, secondary: esx02, logging: {rate: 3Gbps}}
sla:
  replay_lag_p99: %LAG%
`

// runCLI runs ftsim with args and returns the exit status and outputs.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	app := newApp()
	var out, errw bytes.Buffer
	app.Writer, app.ErrWriter = &out, &errw
	err := execute(context.Background(), app, append([]string{"ftsim"}, args...))
	code := exitOK
	if err != nil {
		code = exitCode(err)
		errw.WriteString(errorText(err))
	}
	return code, out.String(), errw.String()
}

func writeScenario(t *testing.T, lag string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(p, []byte(strings.ReplaceAll(runYAML, "%LAG%", lag)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRunWritesOutputs: run prints the table and writes results.json,
// timeseries.csv, runs.csv, the charts and report.html; results.json
// parses back into a Result.
func TestRunWritesOutputs(t *testing.T) {
	sc := writeScenario(t, "100ms")
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI(t, "run", sc, "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "Route based on originating virtual port") || !strings.Contains(stdout, "PASS") {
		t.Errorf("table missing:\n%s", stdout)
	}
	for _, f := range []string{"results.json", "timeseries.csv", "runs.csv", "report.html", "utilisation.png", "replay-lag.png", "lag-cdf.png", "policy-comparison.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r results.Result
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Runs) != 1 || r.Runs[0].VMs[0].LoggedBytes == 0 {
		t.Errorf("results.json: %d runs", len(r.Runs))
	}
	leftovers, _ := filepath.Glob(filepath.Join(out, ".*tmp*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// TestRunExitStatus: 1 for a failed SLA with --fail-on-sla (0 without),
// 2 for bad input, JSON on stdout with --format json.
func TestRunExitStatus(t *testing.T) {
	out := t.TempDir()
	failing := writeScenario(t, "1us")
	if code, _, stderr := runCLI(t, "run", failing, "--out", out, "--no-plots"); code != exitOK {
		t.Errorf("failed SLA without --fail-on-sla: exit %d (%s)", code, stderr)
	}
	if code, _, _ := runCLI(t, "run", failing, "--out", out, "--no-plots", "--fail-on-sla"); code != exitSLA {
		t.Errorf("failed SLA with --fail-on-sla: exit %d, want %d", code, exitSLA)
	}
	code, stdout, _ := runCLI(t, "run", writeScenario(t, "100ms"), "--out", out, "--no-plots", "--format", "json")
	var r results.Result
	if code != exitOK || json.Unmarshal([]byte(stdout), &r) != nil {
		t.Errorf("--format json: exit %d, stdout not a Result", code)
	}
	for _, args := range [][]string{
		{"run", failing, "--format", "xml"},
		{"run", failing, "--policy", "round_robin"},
		{"run", failing, "--duration", "10"},
		{"run", filepath.Join(out, "missing.yaml")},
		{"run"},
	} {
		if code, _, stderr := runCLI(t, args...); code != exitBadInput || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want exit %d with a message", args, code, stderr, exitBadInput)
		}
	}
}

// TestOutputFits100Columns: the run tables and the policy listing fit a
// 100-column terminal.
func TestOutputFits100Columns(t *testing.T) {
	sc := writeScenario(t, "100ms")
	_, table, _ := runCLI(t, "run", sc, "--out", t.TempDir(), "--no-plots", "--policy", "port_id", "--policy", "ip_hash")
	_, pol, _ := runCLI(t, "policies")
	for name, out := range map[string]string{"run": table, "policies": pol} {
		for _, l := range strings.Split(out, "\n") {
			if len([]rune(l)) > 100 && !strings.HasPrefix(l, "wrote ") {
				t.Errorf("%s: line of %d columns: %q", name, len([]rune(l)), l)
			}
		}
	}
}

// TestRunNamesPoliciesOnTheSamePaths: with one vmnic per host every policy
// sends every FT flow the same way, so run says which policies were one
// simulation, and their rows are the same.
func TestRunNamesPoliciesOnTheSamePaths(t *testing.T) {
	sc := writeScenario(t, "100ms")
	code, out, errs := runCLI(t, "run", sc, "--out", t.TempDir(), "--no-plots",
		"--policy", "port_id", "--policy", "mac_hash", "--policy", "explicit_failover")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := "same paths for every FT flow, one simulation, the same figures:\n  baseline: port_id = mac_hash = explicit_failover\n"
	if !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "baseline ") {
			rows = append(rows, l)
		}
	}
	if len(rows) != 3 || rows[0] != rows[1] || rows[1] != rows[2] {
		t.Errorf("baseline rows of the three policies differ: %q", rows)
	}
}

// TestRunDurationBeforeFailure: a --duration that ends before a scripted
// failure is refused (exit 2) at the failure's line, naming it; one that
// reaches every failure runs.
func TestRunDurationBeforeFailure(t *testing.T) {
	src := strings.ReplaceAll(runYAML, "%LAG%", "1s") + `failures:
  - {at: 3s, vmnic: esx01/vmnic0, down_for: 500ms}
  - {at: 2s, host: esx02}
`
	p := filepath.Join(t.TempDir(), "f.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dur   string
		code  int
		names []string
	}{
		{"2500ms", exitBadInput, []string{p + ":15:10:", "vmnic esx01/vmnic0 at 3s", "--duration 2500ms"}},
		{"1s", exitBadInput, []string{p + ":15:10:", p + ":16:10:", "host esx02 at 2s"}},
		{"3500ms", exitOK, nil},
	} {
		code, _, stderr := runCLI(t, "run", p, "--duration", tc.dur, "--no-plots", "--out", t.TempDir())
		if code != tc.code {
			t.Errorf("--duration %s: exit %d, want %d: %s", tc.dur, code, tc.code, stderr)
		}
		for _, n := range tc.names {
			if !strings.Contains(stderr, n) {
				t.Errorf("--duration %s: stderr does not name %q:\n%s", tc.dur, n, stderr)
			}
		}
	}
}
