//go:build unix

package model

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadTraceRefusesNonRegular: folders, devices and FIFOs are refused
// before they are opened (opening a FIFO would block).
func TestReadTraceRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	paths := []string{dir, os.DevNull}
	if err := syscall.Mkfifo(fifo, 0o600); err == nil {
		paths = append(paths, fifo)
	}
	for _, p := range paths {
		done := make(chan error, 1)
		go func() { _, err := ReadTrace(p); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("ReadTrace(%s): %v", p, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("ReadTrace(%s) blocked", p)
		}
		done2 := make(chan error, 1)
		go func() { _, err := Load(p); done2 <- err }()
		select {
		case err := <-done2:
			if err == nil || !strings.Contains(err.Error(), "not a") {
				t.Errorf("Load(%s): %v", p, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Load(%s) blocked", p)
		}
	}
}
