package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const longYAML = `duration: 2h
defaults:
  vmnics: [{name: vmnic0, speed: 10Gbps}]
hosts: [{name: esx01}, {name: esx02}]
ft_vms: [{name: vm1, primary: esx01, secondary: esx02, logging: {rate: 5Gbps}}]
`

// buildFtsim builds the command into a temporary folder.
func buildFtsim(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the ftsim binary")
	}
	bin := filepath.Join(t.TempDir(), "ftsim")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startLong starts `ftsim run` of a two-hour scenario in its own process
// group and waits until the worker process exists.
func startLong(t *testing.T, bin string) (*exec.Cmd, *bytes.Buffer, int) {
	t.Helper()
	dir := t.TempDir()
	sc := filepath.Join(dir, "long.yaml")
	if err := os.WriteFile(sc, []byte(longYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "run", sc, "--out", filepath.Join(dir, "out"), "--no-plots")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		// The thread that started the worker is its parent: read them all.
		var b []byte
		tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/task/*/children")
		for _, task := range tasks {
			c, _ := os.ReadFile(task)
			b = append(b, c...)
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			child, _ := strconv.Atoi(f[0])
			if err := waitCrashOutput(cmd.Process.Pid, child); err != nil {
				t.Fatalf("%v\nstderr:\n%s", err, stderr.String())
			}
			time.Sleep(300 * time.Millisecond) // let it reach the simulation
			return cmd, &stderr, child
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no worker process")
	return nil, nil, 0
}

// waitCrashOutput waits until the worker has taken its crash pipe (fd 3
// at its start) with debug.SetCrashOutput, which keeps a descriptor of its
// own and closes fd 3: until then a runtime crash would not be reported on
// the pipe, and a loaded machine can take longer than any fixed sleep to
// get there. The worker is the process whose environment names the pipe
// (before its exec the child is a copy of the parent); its fd 3 is then
// no longer a pipe the parent holds.
func waitCrashOutput(parent, child int) error {
	proc := func(pid int, rest string) string { return "/proc/" + strconv.Itoa(pid) + "/" + rest }
	parentPipes := func() map[string]bool {
		m := map[string]bool{}
		ents, _ := os.ReadDir(proc(parent, "fd"))
		for _, e := range ents {
			if l, err := os.Readlink(proc(parent, "fd/"+e.Name())); err == nil && strings.HasPrefix(l, "pipe:") {
				m[l] = true
			}
		}
		return m
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		env, _ := os.ReadFile(proc(child, "environ"))
		if bytes.Contains(env, []byte(superviseEnv+"=3")) {
			l, err := os.Readlink(proc(child, "fd/3"))
			if err != nil || !parentPipes()[l] {
				return nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	dump := func(pid int) string {
		var b strings.Builder
		ents, _ := os.ReadDir(proc(pid, "fd"))
		for _, e := range ents {
			l, _ := os.Readlink(proc(pid, "fd/"+e.Name()))
			b.WriteString(e.Name() + "=" + l + " ")
		}
		return b.String()
	}
	return fmt.Errorf("the worker never took its crash pipe: parent %s; worker %s", dump(parent), dump(child))
}

func exitOf(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("ftsim did not stop")
	}
	return cmd.ProcessState.ExitCode()
}

// TestCrashExits3: a crash of the Go runtime in the worker (here SIGQUIT,
// which dumps the goroutines and exits 2 as any runtime crash does) makes
// ftsim exit 3, the internal-error status, never 2 (bad input).
func TestCrashExits3(t *testing.T) {
	bin := buildFtsim(t)
	cmd, stderr, child := startLong(t, bin)
	syscall.Kill(child, syscall.SIGQUIT)
	if code := exitOf(t, cmd); code != exitInternal || !strings.Contains(stderr.String(), "internal error") {
		t.Errorf("exit %d, want %d:\n%.2000s", code, exitInternal, stderr.String())
	}
}

// TestCtrlCExits130: Ctrl-C (SIGINT to the process group) stops a run with
// status 130; so does a SIGTERM sent to the parent alone.
func TestCtrlCExits130(t *testing.T) {
	bin := buildFtsim(t)
	cmd, stderr, _ := startLong(t, bin)
	syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	if code := exitOf(t, cmd); code != exitInterrupted {
		t.Errorf("Ctrl-C: exit %d, want %d:\n%s", code, exitInterrupted, stderr)
	}
	// kill PID: the parent alone hears it and passes it on.
	cmd, stderr, _ = startLong(t, bin)
	cmd.Process.Signal(syscall.SIGTERM)
	if code := exitOf(t, cmd); code != exitInterrupted {
		t.Errorf("SIGTERM to the parent: exit %d, want %d:\n%s", code, exitInterrupted, stderr)
	}
}
