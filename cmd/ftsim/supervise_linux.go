package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
)

// forwardGrace is how long the parent waits for the child to stop on a
// signal it should have heard itself before passing the signal on.
const forwardGrace = 2 * time.Second

// superviseEnv marks the process that does the work; its value is the
// file descriptor of the crash pipe.
const superviseEnv = "FTSIM_SUPERVISED_CRASH_FD"

// supervise runs ftsim again as a child process and returns its exit
// status, so that a crash of the Go runtime itself (out of memory, a
// panic on another goroutine), which exits 2 like bad input, exits with
// the internal-error status 3. The child writes its crash report to a pipe
// as well as to stderr (runtime/debug.SetCrashOutput): anything on the
// pipe means a crash. ok is false in the child, and when no child could be
// started: the caller then does the work itself.
//
// Signals: a terminal's Ctrl-C, Slurm and systemd signal every process of
// the job, so the child hears them itself, and a second copy from the
// parent would read as a second Ctrl-C (batch: stop at once). The parent
// passes a first signal on only if the child is still running after
// forwardGrace (it was sent to the parent alone, as kill PID does), at once
// as PID 1 of a container (the only process Kubernetes signals), and any
// further signal at once. If the parent is killed, the kernel kills the
// child (Pdeathsig).
func supervise() (code int, ok bool) {
	if fd := os.Getenv(superviseEnv); fd != "" {
		os.Unsetenv(superviseEnv)
		if f := os.NewFile(3, "crash-output"); f != nil && fd == "3" {
			if err := debug.SetCrashOutput(f, debug.CrashOptions{}); err == nil {
				f.Close() // SetCrashOutput keeps its own descriptor
			}
		}
		return 0, false
	}
	exe, err := os.Executable()
	if err != nil {
		return 0, false
	}
	r, w, err := os.Pipe()
	if err != nil {
		return 0, false
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Args[0] = os.Args[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{w} // fd 3 in the child
	cmd.Env = append(os.Environ(), superviseEnv+"=3")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	// Ctrl-\ makes the child dump its goroutines and stop (a crash, 3);
	// the parent stays to report it.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGQUIT)
	if err := cmd.Start(); err != nil {
		signal.Stop(sigs)
		r.Close()
		w.Close()
		return 0, false
	}
	w.Close()
	crashed := make(chan bool, 1)
	go func() {
		n, _ := io.Copy(io.Discard, r)
		crashed <- n > 0
	}()
	exited := make(chan struct{})
	go func() {
		heard := 0
		for s := range sigs {
			heard++
			if os.Getpid() == 1 || heard > 1 {
				cmd.Process.Signal(s)
				continue
			}
			go func(s os.Signal) {
				select {
				case <-exited: // the child heard it too and stopped
				case <-time.After(forwardGrace):
					cmd.Process.Signal(s) // sent to this process alone
				}
			}(s)
		}
	}()
	err = cmd.Wait()
	close(exited)
	crash := <-crashed
	return childStatus(err, crash), true
}

// childStatus maps how the child ended to ftsim's exit status.
func childStatus(err error, crashed bool) int {
	if crashed {
		fmt.Fprintln(os.Stderr, "ftsim: internal error: the Go runtime stopped ftsim (report above); this is a bug in ftsim, not in the input")
		return exitInternal
	}
	if err == nil {
		return exitOK
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		fmt.Fprintf(os.Stderr, "ftsim: internal error: %v\n", err)
		return exitInternal
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		if ws.Signal() == syscall.SIGINT {
			return exitInterrupted
		}
		return 128 + int(ws.Signal())
	}
	return ee.ExitCode()
}
