package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// runApp runs the ftsim app with args, returning stdout, stderr and the
// exit status main would use.
func runApp(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, &errb
	err := execute(context.Background(), app, append([]string{"ftsim"}, args...))
	if err != nil {
		code = exitCode(err)
	}
	return out.String(), errb.String(), code
}

func TestValidateCommand(t *testing.T) {
	good, _ := filepath.Glob("../../scenarios/*.yaml")
	if len(good) < 8 {
		t.Fatalf("found %d scenarios", len(good))
	}
	out, errs, code := runApp(t, append([]string{"validate"}, good...)...)
	if code != exitOK {
		t.Fatalf("exit %d for the bundled scenarios:\n%s", code, errs)
	}
	for _, f := range good {
		if !strings.Contains(out, f+": ok (") {
			t.Errorf("no ok line for %s in:\n%s", f, out)
		}
	}

	bad := "../../model/testdata/invalid/duplicate-ip.yaml"
	out, errs, code = runApp(t, "validate", good[0], bad)
	if code != exitBadInput {
		t.Errorf("exit %d, want %d", code, exitBadInput)
	}
	if !strings.Contains(out, good[0]+": ok (") {
		t.Errorf("the good file is not reported ok:\n%s", out)
	}
	want := bad + ":9:26: ft_ip 10.0.0.11 of host esx02 is already the FT IP of host esx01\n"
	if !strings.HasPrefix(errs, want) {
		t.Errorf("stderr:\n%s\nwant it to start with:\n%s", errs, want)
	}
	if strings.Contains(errs, "goroutine") || strings.Contains(errs, "panic") {
		t.Errorf("stack trace in output:\n%s", errs)
	}
}

func TestValidateBadSweepValueAndMissingFile(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "sweep.yaml")
	src := `duration: 5m
defaults:
  vmnics: [{name: vmnic0, speed: 10Gbps}]
hosts: [{name: esx01}, {name: esx02}]
ft_vms: [{name: web, count: 2, placement: spread, logging: {rate: 1Gbps}}]
sweep:
  "ft_vms[web].count": [2, 0]
`
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errs, code := runApp(t, "validate", f, filepath.Join(dir, "nosuch.yaml"))
	if code != exitBadInput {
		t.Errorf("exit %d, want %d", code, exitBadInput)
	}
	if !strings.Contains(errs, f+":7:28: count 0 must be a whole number") {
		t.Errorf("stderr:\n%s", errs)
	}
	if !strings.Contains(errs, filepath.Join(dir, "nosuch.yaml")+": cannot read the scenario: no such file or directory") {
		t.Errorf("missing file not reported:\n%s", errs)
	}
	if _, _, code := runApp(t, "validate"); code != exitBadInput {
		t.Errorf("validate without files: exit %d", code)
	}
}

func TestPoliciesCommand(t *testing.T) {
	out, _, code := runApp(t, "policies")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, p := range model.Policies {
		if !strings.Contains(out, p.VSphere) || !strings.Contains(out, string(p.Policy)) {
			t.Errorf("policy %s missing from:\n%s", p.Policy, out)
		}
	}
	for _, s := range []string{"Net.TeamPolicyUpDelay", "100ms", "52 + 38 bytes", "das.maxftvmsperhost", "src_dst_ip", "mssql_dvdstore 18Mbps"} {
		if !strings.Contains(out, s) {
			t.Errorf("%q missing from the policies output", s)
		}
	}
}

func TestSchemaCommand(t *testing.T) {
	out, _, code := runApp(t, "schema")
	if code != exitOK || !json.Valid([]byte(out)) || out != string(model.JSONSchema()) {
		t.Errorf("exit %d, output is not the schema:\n%.200s", code, out)
	}
}
