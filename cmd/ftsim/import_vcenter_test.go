package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmware/govmomi/simulator"

	"github.com/ftsim/ftsim/model"
)

const vcUser, vcPassword = "ftadmin@vsphere.local", "Pa55:w/rd@%lab"

// vcsimURL starts govmomi's vCenter simulator with a known login and
// returns its URL without userinfo.
func vcsimURL(t *testing.T) string {
	t.Helper()
	m := simulator.VPX()
	if err := m.Create(); err != nil {
		t.Fatal(err)
	}
	m.Service.Listen = &url.URL{User: url.UserPassword(vcUser, vcPassword)}
	m.Service.TLS = new(tls.Config)
	s := m.Service.NewServer()
	t.Cleanup(func() { s.Close(); m.Remove() })
	u := *s.URL
	u.User = nil
	return u.String()
}

// runVC runs ftsim with args and returns stdout, stderr (error text
// included, as main prints it) and the exit status.
func runVC(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, &errb
	err := execute(context.Background(), app, append([]string{"ftsim"}, args...))
	code := exitOK
	if err != nil {
		code = exitCode(err)
		errb.WriteString(errorText(err) + "\n")
	}
	return out.String(), errb.String(), code
}

// noPassword fails if the password, in any of the forms a URL or a log
// could give it, is in text.
func noPassword(t *testing.T, where, text string) {
	t.Helper()
	for _, p := range []string{vcPassword, url.QueryEscape(vcPassword), url.PathEscape(vcPassword)} {
		if strings.Contains(text, p) {
			t.Errorf("%s holds the password", where)
		}
	}
}

func TestImportVCenterCommand(t *testing.T) {
	u := vcsimURL(t)
	for _, k := range []string{"GOVC_URL", "GOVC_USERNAME", "GOVC_PASSWORD", "GOVC_INSECURE", "GOVC_DATACENTER", "GOVC_TLS_CA_CERTS"} {
		t.Setenv(k, "")
	}
	t.Setenv("GOVC_URL", u)
	t.Setenv("GOVC_USERNAME", vcUser)
	t.Setenv("GOVC_PASSWORD", vcPassword)
	t.Setenv("GOVC_INSECURE", "1")
	readPassword = func(io.Writer, string) (string, bool, error) { return "", false, nil }

	// The simulator's hosts have no FT vmknic: the management one stands in.
	out := filepath.Join(t.TempDir(), "lab")
	stdout, stderr, code := runVC(t, "import", "vcenter", "--out", out, "--cluster", "DC0_C0", "--protect", "DC0_C0_RP0_VM0", "--use-management-vmknic", "--dirty-memory", "100Mbps")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "wrote "+out+": 3 hosts, 1 FT VMs") || !strings.Contains(stderr, "stands in") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	noPassword(t, "stdout", stdout)
	noPassword(t, "stderr", stderr)
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			noPassword(t, p, string(b))
		}
		return nil
	})
	if _, err := model.Load(filepath.Join(out, "scenario.yaml")); err != nil {
		t.Fatalf("the written scenario does not validate: %v", err)
	}
	if _, _, code := runApp(t, "validate", filepath.Join(out, "scenario.yaml")); code != exitOK {
		t.Errorf("ftsim validate: exit %d", code)
	}
	// Importing again replaces the earlier import as a whole.
	if _, stderr, code := runVC(t, "import", "vcenter", "--out", out, "--cluster", "DC0_C0", "--protect", "DC0_C0_RP0_VM0", "--use-management-vmknic", "--stats", "day"); code != exitOK {
		t.Fatalf("second import: exit %d:\n%s", code, stderr)
	}

	bad := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"wrong password", map[string]string{"GOVC_PASSWORD": "nope"}, nil, "wrong user name or password"},
		{"untrusted", map[string]string{"GOVC_INSECURE": ""}, nil, "--thumbprint"},
		{"no password, no terminal", map[string]string{"GOVC_PASSWORD": ""}, nil, "set GOVC_PASSWORD"},
		{"password in --url", nil, []string{"--url", "https://" + url.UserPassword(vcUser, vcPassword).String() + "@vc.lab/sdk"}, "--url carries a password"},
		{"missing cluster", nil, []string{"--cluster", "Prod"}, `cluster "Prod" does not exist`},
		{"missing VM", nil, []string{"--protect", "web99"}, `VM "web99" does not exist`},
		{"no FT vmknic", nil, []string{"--protect", "DC0_C0_RP0_VM0", "--use-management-vmknic=false"}, "no host with an FT logging vmkernel adapter"},
		{"bad stats", nil, []string{"--stats", "week"}, "--stats"},
		{"bad mode", nil, []string{"--mode", "fast"}, "--mode"},
		{"unreachable", map[string]string{"GOVC_URL": "https://127.0.0.1:1/sdk"}, nil, "is unreachable"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			args := append([]string{"import", "vcenter", "--out", filepath.Join(t.TempDir(), "x"), "--cluster", "DC0_C0", "--protect", "DC0_C0_RP0_VM0", "--use-management-vmknic"}, c.args...)
			stdout, stderr, code := runVC(t, args...)
			if code != exitBadInput {
				t.Errorf("exit %d, want %d:\n%s", code, exitBadInput, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr %q, want %q", stderr, c.want)
			}
			if lines := strings.Count(strings.TrimSpace(stderr), "\n"); lines > 0 && !strings.Contains(stderr, "warning") {
				t.Errorf("the error is %d lines:\n%s", lines+1, stderr)
			}
			noPassword(t, "stdout", stdout)
			noPassword(t, "stderr", stderr)
		})
	}

	// A password typed at the prompt is used and never echoed.
	t.Setenv("GOVC_PASSWORD", "")
	var prompted string
	readPassword = func(_ io.Writer, prompt string) (string, bool, error) {
		prompted = prompt
		return vcPassword, true, nil
	}
	defer func() { readPassword = func(io.Writer, string) (string, bool, error) { return "", false, nil } }()
	stdout, stderr, code = runVC(t, "import", "vcenter", "--out", filepath.Join(t.TempDir(), "p"), "--cluster", "DC0_C0", "--protect", "DC0_C0_RP0_VM0", "--use-management-vmknic", "--stats", "none", "--mode", "smp")
	if !strings.HasPrefix(prompted, "Password for "+vcUser+" at ") {
		t.Errorf("prompt %q", prompted)
	}
	// --stats none gives a planned VM no rate: a clear error, no password.
	if code != exitBadInput || !strings.Contains(stderr, "no logging rate") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
	noPassword(t, "stdout", stdout)
	noPassword(t, "stderr", stderr)
}

func TestImportVCenterInterrupted(t *testing.T) {
	u := vcsimURL(t)
	t.Setenv("GOVC_PASSWORD", vcPassword)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(t.TempDir(), "x")
	f := vcenterFlags{out: out, url: u, user: vcUser, insecure: true, stats: "realtime", mgmt: true}
	err := importVCenter(ctx, io.Discard, io.Discard, f, true)
	if code := exitCode(err); code != exitInterrupted {
		t.Errorf("exit %d (%v), want %d", code, err, exitInterrupted)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("an interrupted import wrote its folder")
	}
}
