package main

import (
	"bytes"
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
			waitCrashOutput(t, cmd.Process.Pid, child, deadline)
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
// get there. The pipe is the one the parent reads, so the parent holds a
// descriptor of it beyond its standard three.
func waitCrashOutput(t *testing.T, parent, child int, deadline time.Time) {
	t.Helper()
	pipes := func(pid int, from int) map[string]int {
		m := map[string]int{}
		ents, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
		for _, e := range ents {
			fd, err := strconv.Atoi(e.Name())
			if err != nil || fd < from {
				continue
			}
			l, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/fd/" + e.Name())
			if err == nil && strings.HasPrefix(l, "pipe:") {
				m[l] = fd
			}
		}
		return m
	}
	for time.Now().Before(deadline) {
		parentPipes := pipes(parent, 3)
		for l, fd := range pipes(child, 3) {
			if _, ok := parentPipes[l]; ok && fd != 3 {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the worker never took its crash pipe")
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
