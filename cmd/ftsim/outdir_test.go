package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// runCLICtx is runCLI with a context (cancelled: as after Ctrl-C).
func runCLICtx(t *testing.T, ctx context.Context, args ...string) (int, string) {
	t.Helper()
	app := newApp()
	var out, errw bytes.Buffer
	app.Writer, app.ErrWriter = &out, &errw
	err := execute(ctx, app, append([]string{"ftsim"}, args...))
	if err == nil {
		return exitOK, errw.String()
	}
	return exitCode(err), errw.String() + errorText(err)
}

// TestRunOutCheckedBeforeSimulating: a --out that cannot receive the
// results is bad input (exit 2), found before anything is simulated: with
// a context already cancelled, a run that reached the simulation would
// exit 130 instead.
func TestRunOutCheckedBeforeSimulating(t *testing.T) {
	sc := writeScenario(t, "100ms")
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	foreign := filepath.Join(dir, "home")
	readonly := filepath.Join(dir, "ro", "out")
	for _, p := range []string{file, filepath.Join(foreign, "notes.txt")} {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Dir(readonly), 0o555)
	os.Chmod(filepath.Dir(readonly), 0o555)
	t.Cleanup(func() { os.Chmod(filepath.Dir(readonly), 0o755) })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		name, out, want string
		root            bool // still refused when run as root
	}{
		{"onto a file", file, "is a file, not a folder", true},
		{"under a file", filepath.Join(file, "out"), "not a directory", true},
		{"a folder of other files", foreign, "holds files and no results.json", true},
		{"in a read-only folder", readonly, "permission denied", false},
		{"in a folder no one may write (/proc)", "/proc/self/ftsim-out", "cannot write into /proc/self", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !c.root && os.Geteuid() == 0 {
				t.Skip("root writes into read-only folders")
			}
			code, stderr := runCLICtx(t, ctx, "run", sc, "--out", c.out, "--no-plots")
			if code != exitBadInput || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, want %d with %q:\n%s", code, exitBadInput, c.want, stderr)
			}
		})
	}
	if b, _ := os.ReadFile(filepath.Join(foreign, "notes.txt")); string(b) != "x" {
		t.Errorf("the refused folder's file changed: %q", b)
	}
}

// TestRunInterruptedExits130: Ctrl-C during a run exits 130, as batch
// does, and leaves an earlier run's folder as it was.
func TestRunInterruptedExits130(t *testing.T) {
	sc := writeScenario(t, "100ms")
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := runCLI(t, "run", sc, "--out", out, "--no-plots"); code != exitOK {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	before := readDir(t, out)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, stderr := runCLICtx(t, ctx, "run", sc, "--out", out)
	if code != exitInterrupted || !strings.Contains(stderr, "interrupted") {
		t.Errorf("exit %d, want %d:\n%s", code, exitInterrupted, stderr)
	}
	if after := readDir(t, out); !sameFiles(before, after) {
		t.Errorf("the earlier run's folder changed: %v -> %v", keys(before), keys(after))
	}
	assertNoStaging(t, filepath.Dir(out))
}

// TestOutDirWholeOrNothing: a run that fails while writing (a full disk)
// leaves the earlier run's files as they were; one that succeeds replaces
// them all, so no file of the earlier run stays beside the new ones.
func TestOutDirWholeOrNothing(t *testing.T) {
	final := filepath.Join(t.TempDir(), "out")
	old := map[string]string{"results.json": "old", "timeseries.csv": "old series", "report.html": "old report"}
	writeFiles(t, final, old)

	od, err := prepareOutDir(final)
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, od.stage, map[string]string{"results.json": "new"})
	od.abort() // the disk filled up before timeseries.csv
	if got := readDir(t, final); !sameFiles(got, old) {
		t.Errorf("after a failed write: %v, want the earlier run's files", got)
	}
	assertNoStaging(t, filepath.Dir(final))

	od, err = prepareOutDir(final)
	if err != nil {
		t.Fatal(err)
	}
	fresh := map[string]string{"results.json": "new", "runs.csv": "new runs"}
	writeFiles(t, od.stage, fresh)
	if err := od.commit(); err != nil {
		t.Fatal(err)
	}
	if got := readDir(t, final); !sameFiles(got, fresh) {
		t.Errorf("after a commit: %v, want exactly the new files", got)
	}
	assertNoStaging(t, filepath.Dir(final))
}

// TestOutDirConcurrentRuns: runs committing into one folder at once leave
// the files of one of them, never a mix, and no staging folder behind.
func TestOutDirConcurrentRuns(t *testing.T) {
	final := filepath.Join(t.TempDir(), "out")
	const n = 8
	for round := 0; round < 5; round++ {
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				od, err := prepareOutDir(final)
				if err != nil {
					errs[i] = err
					return
				}
				tag := fmt.Sprint(i)
				for _, name := range []string{"results.json", "report.html", "timeseries.csv"} {
					if err := os.WriteFile(filepath.Join(od.stage, name), []byte(tag), 0o644); err != nil {
						errs[i] = err
						return
					}
				}
				errs[i] = od.commit()
			}(i)
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, run %d: %v", round, i, err)
			}
		}
		got := readDir(t, final)
		if len(got) != 3 || got["results.json"] != got["report.html"] || got["results.json"] != got["timeseries.csv"] {
			t.Fatalf("round %d: a mix of runs: %v", round, got)
		}
		assertNoStaging(t, filepath.Dir(final))
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func sameFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func assertNoStaging(t *testing.T, parent string) {
	t.Helper()
	ents, _ := os.ReadDir(parent)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// TestBatchFullDiskSaysResume: a batch stopped by a full disk exits 3 and
// says that --resume continues it.
func TestBatchFullDiskSaysResume(t *testing.T) {
	err := batchError(&os.PathError{Op: "write", Path: "out/a/results.json", Err: syscall.ENOSPC}, "out", nil)
	if exitCode(err) != exitInternal || !strings.Contains(err.Error(), "the disk is full") || !strings.Contains(err.Error(), "--resume") {
		t.Errorf("exit %d: %v", exitCode(err), err)
	}
	err = batchError(errors.New("writing index.csv: input/output error"), "out", nil)
	if !strings.Contains(err.Error(), "--resume") {
		t.Errorf("%v", err)
	}
}
