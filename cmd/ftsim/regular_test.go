package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// configMapFolder lays out the scenarios of scenarios as a Kubernetes
// ConfigMap volume does: the files in a hidden timestamped folder,
// ..data linking to it, and each NAME linking to ..data/NAME.
func configMapFolder(t *testing.T, scenarios string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "configmap")
	stamp := filepath.Join(dir, "..2026_12_03_07_00_00.123456789")
	if err := os.MkdirAll(stamp, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(scenarios)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(scenarios, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(stamp, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join("..data", e.Name()), filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Base(stamp), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBatchReadsConfigMapFolder: a folder of symbolic links (a ConfigMap
// mount) is read like a folder of the files themselves.
func TestBatchReadsConfigMapFolder(t *testing.T) {
	useRun(t, fakeRun(noDelay))
	noCharts(t)
	plain := writeScenarios(t)
	cm := configMapFolder(t, plain)
	tmp := t.TempDir()
	mustFtsim(t, "batch", plain, "--out", filepath.Join(tmp, "plain"), "--parallel", "2")
	out := mustFtsim(t, "batch", cm, "--out", filepath.Join(tmp, "cm"), "--parallel", "2")
	if !strings.Contains(out, "cases") {
		t.Errorf("batch printed %q", out)
	}
	a, b := tree(t, filepath.Join(tmp, "plain")), tree(t, filepath.Join(tmp, "cm"))
	if a[indexFile] == "" || a[indexFile] != b[indexFile] || a[summaryFile] != b[summaryFile] {
		t.Errorf("the ConfigMap folder gave another index:\n%s\nwant\n%s", b[indexFile], a[indexFile])
	}
}

// TestScenarioFolderRefusesNonFiles: in a scenario folder, a *.yaml that
// is a folder, a FIFO or a dangling link is refused (exit 2) before
// anything opens it; hidden entries are skipped.
func TestScenarioFolderRefusesNonFiles(t *testing.T) {
	good := `name: one
duration: 4s
defaults: {vmnics: [{name: vmnic0, speed: 10Gbps}]}
hosts: [{name: esx01, ft_ip: 10.0.0.11}, {name: esx02, ft_ip: 10.0.0.12}]
ft_vms: [{name: vm1, primary: esx01, secondary: esx02, logging: {rate: 1Gbps}}]
`
	for _, tc := range []struct {
		name string
		make func(dir string) error
		want string
	}{
		{"folder", func(d string) error { return os.Mkdir(filepath.Join(d, "x.yaml"), 0o755) }, "a folder, not a scenario file"},
		{"fifo", func(d string) error { return syscall.Mkfifo(filepath.Join(d, "x.yaml"), 0o644) }, "named pipe"},
		{"dangling", func(d string) error { return os.Symlink("..data/gone.yaml", filepath.Join(d, "x.yaml")) }, "symbolic link to a file that does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(good), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(dir, "..data"), 0o755); err != nil { // hidden: skipped
				t.Fatal(err)
			}
			if err := tc.make(dir); err != nil {
				t.Fatal(err)
			}
			_, stderr, code := ftsim(t, t.Context(), "batch", dir, "--out", filepath.Join(t.TempDir(), "o"))
			if code != exitBadInput || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "x.yaml") {
				t.Fatalf("exit %d, %q; want 2 naming x.yaml and %q", code, stderr, tc.want)
			}
		})
	}
}
