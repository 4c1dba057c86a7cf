package k8s

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeKubectl is a kubectl that logs its arguments and answers
// `get job NAME -o jsonpath=...` with the conditions in $FAKE_<NAME>
// (NAME upper-cased, - as _): what submit.sh reads of a Job.
const fakeKubectl = `#!/usr/bin/env bash
echo "$*" >>"$FAKE_LOG"
[[ " $* " == *" -f - "* ]] && cat >/dev/null
if [[ $1 == get && $2 == job ]]; then
	var=FAKE_$(tr 'a-z-' 'A-Z_' <<<"$3")
	printf '%s' "${!var:-}"
fi
exit 0
`

// TestSubmitWaitsForSuccessOrFailure: submit.sh applies the merge only
// after the Indexed Job succeeded, stops at once when it failed (never
// waiting out its timeout), and gives up after FTSIM_TIMEOUT.
func TestSubmitWaitsForSuccessOrFailure(t *testing.T) {
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "kubectl"), []byte(fakeKubectl), 0o755); err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join("..", "slurm", "testdata", "ci-n-1.yaml")
	for _, tc := range []struct {
		name       string
		mode       string
		shards     string // conditions of the shard Job
		merge      string
		timeout    string
		wantCode   int
		wantMerged bool
		wantOut    string
	}{
		{"run succeeds", "run", "SuccessCriteriaMet Complete ", "Complete ", "86400", 0, true, "merged into /results/run/merged"},
		{"batch succeeds", "batch", "Complete ", "Complete ", "86400", 0, true, "merged into /results/batch/merged"},
		{"shards fail", "run", "FailureTarget Failed ", "", "86400", 1, false, "not merging"},
		{"merge fails", "batch", "Complete ", "Failed ", "86400", 1, true, "job/ftsim-batch-merge failed"},
		{"never done", "run", "", "", "0", 1, false, "neither succeeded nor failed within 0 s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "kubectl.log")
			job := "ftsim-" + tc.mode
			arg := scenario
			if tc.mode == "batch" {
				arg = filepath.Dir(scenario)
			}
			cmd := exec.Command("bash", "submit.sh", tc.mode, arg)
			upper := strings.ToUpper(strings.ReplaceAll(job, "-", "_"))
			cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "FAKE_LOG="+log,
				"FTSIM_POLL=0", "FTSIM_TIMEOUT="+tc.timeout,
				"FAKE_"+upper+"="+tc.shards, "FAKE_"+upper+"_MERGE="+tc.merge)
			start := time.Now()
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if time.Since(start) > 20*time.Second {
				t.Errorf("submit.sh took %s: it must not wait once the Job has ended", time.Since(start))
			}
			calls, _ := os.ReadFile(log)
			if code != tc.wantCode || !strings.Contains(string(out), tc.wantOut) {
				t.Fatalf("exit %d, output:\n%s\nwant exit %d and %q\nkubectl calls:\n%s", code, out, tc.wantCode, tc.wantOut, calls)
			}
			applied := strings.Contains(string(calls), "apply -f "+mustAbs(t, tc.mode+"-merge-job.yaml"))
			if applied != tc.wantMerged {
				t.Errorf("merge applied: %t, want %t; kubectl calls:\n%s", applied, tc.wantMerged, calls)
			}
			if !strings.Contains(string(calls), "apply -f "+mustAbs(t, tc.mode+"-job.yaml")) ||
				!strings.Contains(string(calls), "create configmap") {
				t.Errorf("the Indexed Job and its ConfigMap were not applied:\n%s", calls)
			}
		})
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
