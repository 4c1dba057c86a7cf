package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRunNothingDeliveredFails: a run whose every vmnic fails at t = 0
// delivers nothing: its verdict is FAIL ("nothing delivered") even with no
// SLA written, and --fail-on-sla exits 1.
func TestRunNothingDeliveredFails(t *testing.T) {
	sc := writeFile(t, "dead.yaml", `duration: 5s
defaults:
  vmnics: [{name: vmnic0, speed: 10Gbps}]
hosts: [{name: esx01}, {name: esx02}]
ft_vms: [{name: vm1, primary: esx01, secondary: esx02, logging: {rate: 1Gbps}}]
failures:
  - {at: 0s, vmnic: esx01/vmnic0}
  - {at: 0s, vmnic: esx02/vmnic0}
`)
	code, stdout, stderr := runCLI(t, "run", sc, "--out", filepath.Join(t.TempDir(), "out"), "--no-plots", "--fail-on-sla")
	if code != exitSLA || !strings.Contains(stdout, "FAIL") || !strings.Contains(stdout, "nothing delivered") {
		t.Errorf("exit %d, want %d with FAIL and \"nothing delivered\":\n%s\n%s", code, exitSLA, stdout, stderr)
	}
}

// TestValidateRefusesUnworkableDesigns: the crashing and lying
// inputs are bad input at validation, each with its line.
func TestValidateRefusesUnworkableDesigns(t *testing.T) {
	head := "duration: 10s\ndefaults:\n  vmnics: [{name: vmnic0, speed: 10Gbps}]\nhosts: [{name: esx01}, {name: esx02}]\n"
	vm := "ft_vms: [{name: vm1, primary: esx01, secondary: esx02, logging: {rate: 1Gbps}}]\n"
	for _, c := range []struct{ name, body, want string }{
		{"buffer below a message", head + "switches: [{name: sw1, port_buffer: 1KiB}]\n" + vm,
			":5:37: port_buffer 1KiB of switch \"sw1\" cannot hold one FT log message of VM \"vm1\" (message_size 64KiB"},
		{"1-byte messages", head + "ft: {message_size: 1B}\n" + vm, ":5:20: log_buffer 64MiB holds 67108864 messages of message_size 1B"},
		{"1e23 bit/s", strings.Replace(head, "10Gbps", "100000000000Tbps", 1) + vm, ":3:34: speed 100000000000Tbps is faster than any Ethernet link"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "validate", writeFile(t, "s.yaml", c.body))
			if code != exitBadInput || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, want %d with %q:\n%s", code, exitBadInput, c.want, stderr)
			}
		})
	}
}

// TestRunOverridesBounded: --duration and --replications cannot take a
// run past the bounds validation holds a scenario to.
func TestRunOverridesBounded(t *testing.T) {
	sc := writeScenario(t, "100ms")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--duration", "1000h"}, "at most 168h"},
		{[]string{"--replications", "20000"}, "at most 10000 replications"},
	} {
		code, _, stderr := runCLI(t, append([]string{"run", sc, "--out", filepath.Join(t.TempDir(), "o"), "--no-plots"}, c.args...)...)
		if code != exitBadInput || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args, code, exitBadInput, c.want, stderr)
		}
	}
}
