package sim

import (
	"github.com/ftsim/ftsim/results"

	"bytes"
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// tmFailYAML: esx01 runs the primary of vm1 (1 Gb/s of FT logging), esx02
// its secondary; each host has three 10 GbE uplinks, vmnic0 on sw-a and
// vmnic1, vmnic2 on sw-b, the two switches one stack. %TEAM% is the
// teaming, %FAIL% the failures, %DUR% the duration.
const tmFailYAML = `name: failover
duration: %DUR%
seed: 13
switches:
  - {name: sw-a, stack: core}
  - {name: sw-b, stack: core}
defaults:
  vmnics:
    - {name: vmnic0, speed: 10Gbps, switch: sw-a}
    - {name: vmnic1, speed: 10Gbps, switch: sw-b}
    - {name: vmnic2, speed: 10Gbps, switch: sw-b}
  teaming:
%TEAM%
hosts:
  - {name: esx01, ft_ip: 10.0.0.11}
  - {name: esx02, ft_ip: 10.0.0.12}
  - {name: esx03, ft_ip: 10.0.0.13}
ft_vms:
  - {name: vm1, mode: legacy, primary: esx01, secondary: esx02, memory: 1GiB, logging: {rate: 1Gbps}}
failures:
%FAIL%
`

const (
	tmTeamAS = `    load_balancing: explicit_failover
    active: [vmnic0]
    standby: [vmnic1]
    unused: [vmnic2]`
	tmTeamAS3 = `    load_balancing: explicit_failover
    active: [vmnic0]
    standby: [vmnic1, vmnic2]`
	tmTeamPID = `    load_balancing: port_id
    active: [vmnic0, vmnic1]
    unused: [vmnic2]`
)

func tmEv(t float64, kind, target, from string) results.Event {
	return results.Event{T: t, Kind: results.EventKind(kind), Target: target, From: from}
}

// TestFailoverTimelines asserts each run's timeline event by event, with
// exact times: link-status detection after link_detect (100 ms), failover
// to the Standby (or the other Active) uplink, failback
// Net.TeamPolicyUpDelay (100 ms) after recovery (reference 1.8, docs/model.md
// "Detection timing").
func TestFailoverTimelines(t *testing.T) {
	const a0, a1, a2, b0, b1 = "esx01/vmnic0", "esx01/vmnic1", "esx01/vmnic2", "esx02/vmnic0", "esx02/vmnic1"
	standard := []results.Event{
		tmEv(5, "failure", a0, ""), tmEv(5.1, "detected", a0, ""), tmEv(5.1, "failover", a1, a0),
		tmEv(8, "recovery", a0, ""), tmEv(8.1, "failback", a0, a1),
	}
	tests := []struct {
		name, team, fail string
		dur              string
		want             []results.Event
	}{
		{"active/standby, link down for 3 s", tmTeamAS, "  - {at: 5s, vmnic: esx01/vmnic0, down_for: 3s}", "10s", standard},
		{"failback off", tmTeamAS + "\n    failback: false", "  - {at: 5s, vmnic: esx01/vmnic0, down_for: 3s}", "10s",
			standard[:4]},
		{"notify switches off: the outbound failover still happens", tmTeamAS + "\n    notify_switches: false",
			"  - {at: 5s, vmnic: esx01/vmnic0, down_for: 3s}", "10s", standard},
		{"link_detect 500ms, failback_delay 1s", tmTeamAS + "\n    link_detect: 500ms\n    failback_delay: 1s",
			"  - {at: 5s, vmnic: esx01/vmnic0, down_for: 3s}", "10s", []results.Event{
				tmEv(5, "failure", a0, ""), tmEv(5.5, "detected", a0, ""), tmEv(5.5, "failover", a1, a0),
				tmEv(8, "recovery", a0, ""), tmEv(9, "failback", a0, a1)}},
		{"permanent failure", tmTeamAS, "  - {at: 5s, vmnic: esx01/vmnic0}", "10s", standard[:3]},
		{"secondary's uplink", tmTeamAS, "  - {at: 5s, vmnic: esx02/vmnic0, down_for: 3s}", "10s", []results.Event{
			tmEv(5, "failure", b0, ""), tmEv(5.1, "detected", b0, ""), tmEv(5.1, "failover", b1, b0),
			tmEv(8, "recovery", b0, ""), tmEv(8.1, "failback", b0, b1)}},
		{"Standby uplink fails: no failover", tmTeamAS, "  - {at: 5s, vmnic: esx01/vmnic1, down_for: 3s}", "10s", []results.Event{
			tmEv(5, "failure", a1, ""), tmEv(5.1, "detected", a1, ""), tmEv(8, "recovery", a1, "")}},
		// Port ID: esx01's port 50331649 is odd, so it uses the second Active uplink.
		{"port ID, the used uplink fails", tmTeamPID, "  - {at: 5s, vmnic: esx01/vmnic1, down_for: 3s}", "10s", []results.Event{
			tmEv(5, "failure", a1, ""), tmEv(5.1, "detected", a1, ""), tmEv(5.1, "failover", a0, a1),
			tmEv(8, "recovery", a1, ""), tmEv(8.1, "failback", a1, a0)}},
		{"port ID, the other uplink fails: the port stays", tmTeamPID, "  - {at: 5s, vmnic: esx01/vmnic0, down_for: 3s}", "10s", []results.Event{
			tmEv(5, "failure", a0, ""), tmEv(5.1, "detected", a0, ""), tmEv(8, "recovery", a0, "")}},
		{"two failures: Standby order", tmTeamAS3, "  - {at: 2s, vmnic: esx01/vmnic0}\n  - {at: 4s, vmnic: esx01/vmnic1, down_for: 2s}", "8s", []results.Event{
			tmEv(2, "failure", a0, ""), tmEv(2.1, "detected", a0, ""), tmEv(2.1, "failover", a1, a0),
			tmEv(4, "failure", a1, ""), tmEv(4.1, "detected", a1, ""), tmEv(4.1, "failover", a2, a1),
			tmEv(6, "recovery", a1, ""), tmEv(6.1, "failback", a1, a2)}},
		// Link-status detection never sees an upstream failure: the path is
		// dead for 3 s (less than ft.timeout) and nothing fails over.
		{"upstream, link status", tmTeamAS, "  - {at: 5s, vmnic: esx01/vmnic0, kind: upstream, down_for: 3s}", "10s", []results.Event{
			tmEv(5, "failure", a0, ""), tmEv(8, "recovery", a0, "")}},
		// Beacon probes at 0, 1 s, 2 s, ...: a failure at 10.5 s misses the
		// probes of 11, 12 and 13 s and is detected at 13 s.
		{"upstream, beacon probing, 3 uplinks", tmTeamAS3 + "\n    failure_detection: beacon_probing",
			"  - {at: 10.5s, vmnic: esx01/vmnic0, kind: upstream, down_for: 5s}", "18s", []results.Event{
				tmEv(10.5, "failure", a0, ""), tmEv(13, "detected", a0, ""), tmEv(13, "failover", a1, a0),
				tmEv(15.5, "recovery", a0, ""), tmEv(15.6, "failback", a0, a1)}},
		{"upstream, beacon probing, interval 2s misses 2", tmTeamAS3 + "\n    failure_detection: beacon_probing\n    beacon: {interval: 2s, misses: 2}",
			"  - {at: 3s, vmnic: esx01/vmnic0, kind: upstream}", "10s", []results.Event{
				tmEv(3, "failure", a0, ""), tmEv(6, "detected", a0, ""), tmEv(6, "failover", a1, a0)}},
		// Beacon probing does not delay link-down detection.
		{"link down, beacon probing", tmTeamAS3 + "\n    failure_detection: beacon_probing",
			"  - {at: 10.5s, vmnic: esx01/vmnic0}", "12s", []results.Event{
				tmEv(10.5, "failure", a0, ""), tmEv(10.6, "detected", a0, ""), tmEv(10.6, "failover", a1, a0)}},
		// A switch failure is a link-down on every port of the switch.
		{"switch down", tmTeamAS, "  - {at: 5s, switch: sw-a, down_for: 3s}", "10s", []results.Event{
			tmEv(5, "failure", "sw-a", ""),
			tmEv(5.1, "detected", a0, ""), tmEv(5.1, "failover", a1, a0),
			tmEv(5.1, "detected", b0, ""), tmEv(5.1, "failover", b1, b0),
			tmEv(5.1, "detected", "esx03/vmnic0", ""), tmEv(5.1, "failover", "esx03/vmnic1", "esx03/vmnic0"),
			tmEv(8, "recovery", "sw-a", ""),
			tmEv(8.1, "failback", a0, a1), tmEv(8.1, "failback", b0, b1), tmEv(8.1, "failback", "esx03/vmnic0", "esx03/vmnic1")}},
	}
	for _, tt := range tests {
		sc := tmParse(t, tmFailYAML, "%TEAM%", tt.team, "%FAIL%", tt.fail, "%DUR%", tt.dur)
		rr := tmRun(t, sc)
		tmWantEvents(t, tt.name, rr.Events, tt.want)
		if v := tmVM(t, rr, "vm1"); v.UnprotectedS != 0 {
			t.Errorf("%s: vm1 unprotected for %.3f s", tt.name, v.UnprotectedS)
		}
		if d := rr.Events; len(d) > 0 && d[0].Kind == "failure" && strings.HasPrefix(d[0].Target, "esx") {
			want := "link_down"
			if strings.Contains(tt.fail, "upstream") {
				want = "upstream"
			}
			if d[0].Detail != want {
				t.Errorf("%s: failure detail %q, want %q", tt.name, d[0].Detail, want)
			}
		}
	}
}

// TestHashPolicyFailoverEvents: under MAC hash the FT port (one MAC) sits
// on one uplink, Active[MAC mod N]: esx01's 00:50:56:6a:00:01 on vmnic1.
// Like port ID, losing that uplink is a failover from it and its return a
// failback to it; losing the other uplink moves nothing. Under IP hash
// over three uplinks the only flow (0x0B ^ 0x0C = 7, 7 mod 3 = 1) is on
// vmnic1, and losing vmnic1 moves it to vmnic2 (7 mod 2 = 1) (reference
// 1.3, 1.4; docs/model.md "Events": failover names the uplink that takes over
// and the one left).
func TestHashPolicyFailoverEvents(t *testing.T) {
	const a0, a1 = "esx01/vmnic0", "esx01/vmnic1"
	lags := "lags:\n"
	for _, h := range []string{"esx01", "esx02", "esx03"} {
		lags += "  - {host: " + h + ", vmnics: [vmnic0, vmnic1, vmnic2], mode: static}\n"
	}
	for _, tt := range []struct {
		name, team, fail string
		want             []results.Event
	}{
		{"mac_hash, the used uplink", "    load_balancing: mac_hash\n    active: [vmnic0, vmnic1]\n    unused: [vmnic2]",
			"  - {at: 5s, vmnic: esx01/vmnic1, down_for: 3s}", []results.Event{
				tmEv(5, "failure", a1, ""), tmEv(5.1, "detected", a1, ""), tmEv(5.1, "failover", a0, a1),
				tmEv(8, "recovery", a1, ""), tmEv(8.1, "failback", a1, a0)}},
		{"mac_hash, the other uplink", "    load_balancing: mac_hash\n    active: [vmnic0, vmnic1]\n    unused: [vmnic2]",
			"  - {at: 5s, vmnic: esx01/vmnic0, down_for: 3s}", []results.Event{
				tmEv(5, "failure", a0, ""), tmEv(5.1, "detected", a0, ""), tmEv(8, "recovery", a0, "")}},
		// Three uplinks: 7 mod 3 = 1 (vmnic1); without it 7 mod 2 = 1 (vmnic2).
		{"ip_hash, the used uplink", "    load_balancing: ip_hash\n    active: [vmnic0, vmnic1, vmnic2]",
			"  - {at: 5s, vmnic: esx01/vmnic1, down_for: 3s}\n" + lags, []results.Event{
				tmEv(5, "failure", a1, ""), tmEv(5.1, "detected", a1, ""), tmEv(5.1, "failover", "esx01/vmnic2", a1),
				tmEv(8, "recovery", a1, ""), tmEv(8.1, "failback", a1, "esx01/vmnic2")}},
	} {
		rr := tmRun(t, tmParse(t, tmFailYAML, "%TEAM%", tt.team, "%FAIL%", tt.fail, "%DUR%", "10s"))
		tmWantEvents(t, tt.name, rr.Events, tt.want)
	}
}

// TestLACPUpstreamDetection: an LACP LAG notices a dead member by LACPDU
// loss, upstream failures included: 3 s in fast mode, 90 s in slow mode
// (docs/model.md "Detection timing").
func TestLACPUpstreamDetection(t *testing.T) {
	team := `    load_balancing: lacp
    active: [vmnic1, vmnic2]
    unused: [vmnic0]
    lacp: {hash: src_dst_ip, timeout: %TO%}`
	tail := "  - {at: 2s, vmnic: esx01/vmnic1, kind: upstream}\nlags:\n" +
		"  - {host: esx01, vmnics: [vmnic1, vmnic2], mode: lacp}\n" +
		"  - {host: esx02, vmnics: [vmnic1, vmnic2], mode: lacp}\n" +
		"  - {host: esx03, vmnics: [vmnic1, vmnic2], mode: lacp}"
	for _, tt := range []struct {
		timeout string
		dur     string
		at      float64
	}{{"fast", "8s", 5}, {"slow", "100s", 92}} {
		if tt.timeout == "slow" && testing.Short() {
			continue
		}
		sc := tmParse(t, tmFailYAML, "%TEAM%", strings.Replace(team, "%TO%", tt.timeout, 1), "%FAIL%", tail, "%DUR%", tt.dur)
		rr := tmRun(t, sc)
		got := tmEvents(rr, "failure", "detected")
		tmWantEvents(t, "lacp "+tt.timeout, got, []results.Event{
			tmEv(2, "failure", "esx01/vmnic1", ""), tmEv(tt.at, "detected", "esx01/vmnic1", "")})
	}
}

// TestFailbackOffKeepsStandby: without failback the FT port stays on the
// Standby uplink after the Active one recovers; with it, it returns.
func TestFailbackOffKeepsStandby(t *testing.T) {
	for _, tt := range []struct {
		failback    string
		vmnic1Share [2]float64 // share of esx01's log bytes on vmnic1
	}{{"true", [2]float64{0.05, 0.15}}, {"false", [2]float64{0.85, 0.95}}} {
		sc := tmParse(t, tmFailYAML, "%TEAM%", tmTeamAS+"\n    failback: "+tt.failback,
			"%FAIL%", "  - {at: 1s, vmnic: esx01/vmnic0, down_for: 1s}", "%DUR%", "10s")
		rr := tmRun(t, sc)
		logged := tmVM(t, rr, "vm1").LoggedBytes
		share := tmLink(t, rr, "esx01", "vmnic1", "tx").Bytes / logged
		if share < tt.vmnic1Share[0] || share > tt.vmnic1Share[1] {
			t.Errorf("failback %s: vmnic1 carried %.2f of the log, want %.2f..%.2f", tt.failback, share, tt.vmnic1Share[0], tt.vmnic1Share[1])
		}
	}
}

// TestNotifySwitchesOff: when the secondary's uplink fails over without
// notifying the switches, the switch keeps sending the log to the dead
// port until the secondary next transmits from its new uplink (its next
// heartbeat, since nothing arrives to acknowledge), so the stream is cut
// for far longer than the 100 ms of detection alone (reference 1.8).
// Without a window (congestion: none) the primary keeps sending into the
// dead port all that time; with one it loses about a window and then
// waits on its timer, so the cost shows as replay lag, not bytes.
func TestNotifySwitchesOff(t *testing.T) {
	for _, cc := range []string{model.CongestionNone, model.CongestionNewReno} {
		dropped, lagMax := map[string]float64{}, map[string]float64{}
		for _, notify := range []string{"true", "false"} {
			sc := tmParse(t, tmFailYAML, "%TEAM%", tmTeamAS+"\n    notify_switches: "+notify,
				"%FAIL%", "  - {at: 3s, vmnic: esx02/vmnic0}", "%DUR%", "8s")
			for i := range sc.VMs {
				sc.VMs[i].FT.TCP.Congestion = cc
			}
			rr := tmRun(t, sc)
			dropped[notify] = tmLink(t, rr, "esx02", "vmnic0", "rx").DroppedBytes
			lagMax[notify] = tmVM(t, rr, "vm1").ReplayLagMax
			if n := len(tmEvents(rr, "failover")); n != 1 {
				t.Errorf("%s, notify %s: %d failover events, want 1", cc, notify, n)
			}
			if len(tmEvents(rr, "ft_lost")) != 0 {
				t.Errorf("%s, notify %s: FT lost: %s", cc, notify, tmFmt(rr.Events))
			}
			// With notify on, 100 ms of log data (12.5 MB) at most waits
			// for its retransmission, far below the 64 MiB log buffer.
			if v := tmVM(t, rr, "vm1"); notify == "true" && v.ThrottledFraction != 0 {
				t.Errorf("%s, notify on: throttled %.3f", cc, v.ThrottledFraction)
			}
		}
		t.Logf("%s: dropped at the dead port: notify on %.0f B, off %.0f B; max lag on %.3f s, off %.3f s",
			cc, dropped["true"], dropped["false"], lagMax["true"], lagMax["false"])
		if cc == model.CongestionNone {
			// 1 Gb/s for 100 ms of detection is 12.5 MB: with notify on
			// about that is lost, with notify off up to a heartbeat more.
			if on := dropped["true"]; on < 5e6 || on > 40e6 {
				t.Errorf("none, notify on: %.0f B dropped at the dead port, want about 12.5 MB", on)
			}
			if dropped["false"] < 2*dropped["true"] {
				t.Errorf("none: notify off dropped %.0f B, notify on %.0f B: want notify off to lose far more", dropped["false"], dropped["true"])
			}
			continue
		}
		// A window at 1 Gb/s is well under a few MiB.
		if on, off := dropped["true"], dropped["false"]; on > 4<<20 || off > 4<<20 {
			t.Errorf("%s: dropped %.0f B (notify on), %.0f B (off): want about a window", cc, on, off)
		}
		if lagMax["false"] < lagMax["true"]+0.1 {
			t.Errorf("%s: max lag %.3f s with notify off, %.3f s on: want the stream cut far longer", cc, lagMax["false"], lagMax["true"])
		}
	}
}

// TestUpstreamFailureProtection: an upstream failure of the primary's
// uplink leaves the VM unprotected under link-status detection (nothing
// fails over, FT declares the peer lost after ft.timeout), but not under
// beacon probing with three uplinks, which fails over at the third missed
// probe, well within ft.timeout (reference 1.8, seed claim of issue 4).
func TestUpstreamFailureProtection(t *testing.T) {
	const fail = "  - {at: 2.5s, vmnic: esx01/vmnic0, kind: upstream}"
	for _, tt := range []struct {
		name, team string
		lost       bool
	}{
		{"link status", tmTeamAS3, true},
		{"beacon probing", tmTeamAS3 + "\n    failure_detection: beacon_probing", false},
		{"port ID, link status", "    load_balancing: port_id\n    active: [vmnic1, vmnic0, vmnic2]", true},
		{"port ID, beacon probing", "    load_balancing: port_id\n    active: [vmnic1, vmnic0, vmnic2]\n    failure_detection: beacon_probing", false},
	} {
		// Port ID 50331649 mod 3 = 1: the second Active uplink, vmnic0.
		sc := tmParse(t, tmFailYAML, "%TEAM%", tt.team, "%FAIL%", fail, "%DUR%", "12s")
		rr := tmRun(t, sc)
		v := tmVM(t, rr, "vm1")
		lost := tmEvents(rr, "ft_lost")
		det := tmEvents(rr, "detected", "failover")
		if tt.lost {
			if len(det) != 0 {
				t.Errorf("%s: link status detected an upstream failure: %s", tt.name, tmFmt(det))
			}
			// Nothing gets through from 2.5 s on: the peer is lost 5 s later.
			if len(lost) != 1 || math.Abs(lost[0].T-7.5) > 0.05 || lost[0].Target != "vm1" {
				t.Errorf("%s: ft_lost events %s, want one at about 7.5 s", tt.name, tmFmt(lost))
			}
			if v.UnprotectedS < 4 {
				t.Errorf("%s: unprotected %.2f s, want from 7.5 s to the end (the path stays dead)", tt.name, v.UnprotectedS)
			}
			continue
		}
		if len(det) != 2 || det[0].T != 5 || det[1].Kind != "failover" || det[1].From != "esx01/vmnic0" {
			t.Errorf("%s: detection %s, want detected and failover at 5 s", tt.name, tmFmt(det))
		}
		if len(lost) != 0 || v.UnprotectedS != 0 {
			t.Errorf("%s: ft_lost %s, unprotected %.2f s; want the VM protected throughout", tt.name, tmFmt(lost), v.UnprotectedS)
		}
		// The log data sent into the dead path for 2.5 s is retransmitted:
		// lag peaks near 2.5 s plus the retransmission timeout, not beyond.
		if v.ReplayLagMax < 2.4 || v.ReplayLagMax > 3.5 {
			t.Errorf("%s: max replay lag %.2f s, want about 2.5-3 s", tt.name, v.ReplayLagMax)
		}
		if rr.Balance.Abandoned != 0 {
			t.Errorf("%s: %.0f B abandoned, want none", tt.name, rr.Balance.Abandoned)
		}
	}
}

// TestBeaconTwoUplinksShotgun: with beacon probing on two uplinks ESXi
// cannot tell which uplink failed and sends on both ("shotgun", reference
// 1.8; issue 4), so an upstream failure of one of them does not cut the FT
// path.
func TestBeaconTwoUplinksShotgun(t *testing.T) {
	team := "    load_balancing: explicit_failover\n    active: [vmnic0]\n    standby: [vmnic1]\n    unused: [vmnic2]\n    failure_detection: beacon_probing"
	sc := tmParse(t, tmFailYAML, "%TEAM%", team, "%FAIL%", "  - {at: 2s, vmnic: esx01/vmnic0, kind: upstream}", "%DUR%", "10s")
	rr := tmRun(t, sc)
	if lost := tmEvents(rr, "ft_lost"); len(lost) != 0 {
		t.Errorf("FT lost: %s", tmFmt(lost))
	}
	if v := tmVM(t, rr, "vm1"); v.UnprotectedS != 0 {
		t.Errorf("unprotected %.2f s, want 0", v.UnprotectedS)
	}
}

// tmHostYAML: three hosts on 10 GbE, vm1 (1 GiB of memory) primary on esx01,
// secondary on esx02; %FAIL% names the host that fails at 5 s. ft.timeout
// is 3 s as in reference case 9.
const tmHostYAML = `name: hostdown
duration: 25s
seed: 17
ft: {timeout: 3s, restart_delay: 10s}
defaults:
  vmnics:
    - {name: vmnic0, speed: 10Gbps}
  teaming: {load_balancing: port_id, active: [vmnic0]}
hosts:
  - {name: esx01, ft_ip: 10.0.0.11}
  - {name: esx02, ft_ip: 10.0.0.12}
  - {name: esx03, ft_ip: 10.0.0.13}
ft_vms:
  - {name: vm1, mode: legacy, primary: esx01, secondary: esx02, memory: 1GiB, logging: {rate: 1Gbps}}
failures:
  - {at: 5s, host: %HOST%}
`

// TestHostFailure: the primary's host fails, FT declares the peer lost
// after ft.timeout, promotes the secondary after the replay lag (reference
// case 9: go-live about timeout + lag), and after ft.restart_delay starts a
// new secondary on the next host, which is protected once the VM's memory
// crossed the FT network. A secondary's host failure is the same without
// the promotion. The VM is unprotected from the host failure to the end of
// the copy.
func TestHostFailure(t *testing.T) {
	// 1 GiB in 64 KiB messages of 46 frames at MTU 1500 over 10 GbE.
	copyS := float64(1<<30) * (65536 + 46*90) / 65536 * 8 / 10e9
	for _, tt := range []struct {
		host     string
		promoted string
		newSec   string
	}{{"esx01", "esx02", "esx03"}, {"esx02", "", "esx03"}} {
		rr := tmRun(t, tmParse(t, tmHostYAML, "%HOST%", tt.host))
		got := tmEvents(rr)
		var kinds []string
		for _, e := range got {
			kinds = append(kinds, string(e.Kind))
		}
		want := []string{"failure", "ft_lost", "promoted", "resync_start", "protected"}
		if tt.promoted == "" {
			want = slices.Delete(want, 2, 3)
		}
		if !slices.Equal(kinds, want) {
			t.Fatalf("host %s: events\n%swant kinds %v", tt.host, tmFmt(got), want)
		}
		find := func(kind string) results.Event {
			for _, e := range got {
				if string(e.Kind) == kind {
					return e
				}
			}
			return results.Event{}
		}
		if f := find("failure"); f.T != 5 || f.Target != tt.host {
			t.Errorf("host %s: failure %+v", tt.host, f)
		}
		// Exactly ft.timeout after the last message before 5 s arrived.
		lost := find("ft_lost")
		if lost.T < 7.99 || lost.T > 8+1e-9 || lost.Target != "vm1" {
			t.Errorf("host %s: ft_lost %+v, want vm1 at 5 s + 3 s timeout", tt.host, lost)
		}
		if tt.promoted != "" {
			p := find("promoted")
			if p.T < lost.T || p.T > lost.T+0.1 || p.Detail != tt.promoted || p.Target != "vm1" {
				t.Errorf("host %s: promoted %+v, want %s within the lag after %.3f s", tt.host, p, tt.promoted, lost.T)
			}
		}
		rs := find("resync_start")
		if math.Abs(rs.T-(lost.T+10)) > 1e-6 || rs.Detail != tt.newSec {
			t.Errorf("host %s: resync_start %+v, want on %s at %.3f s", tt.host, rs, tt.newSec, lost.T+10)
		}
		pr := find("protected")
		if d := pr.T - rs.T; d < copyS || d > copyS+0.05 || pr.Detail != tt.newSec {
			t.Errorf("host %s: protected %+v after a %.3f s copy, want %s after about %.3f s", tt.host, pr, d, tt.newSec, copyS)
		}
		v := tmVM(t, rr, "vm1")
		if want := pr.T - 5; math.Abs(v.UnprotectedS-want) > 1e-6 {
			t.Errorf("host %s: unprotected %.3f s, want %.3f s (host failure to protected)", tt.host, v.UnprotectedS, want)
		}
		if want := 3 + 10 + copyS; math.Abs(v.UnprotectedS-want) > 0.1 {
			t.Errorf("host %s: unprotected %.3f s, want about timeout + restart delay + copy = %.3f s", tt.host, v.UnprotectedS, want)
		}
		if len(v.FTEvents) != len(want)-1 {
			t.Errorf("host %s: VM ft_events %s", tt.host, tmFmt(v.FTEvents))
		}
	}
}

// tmThrottleYAML: esx01 holds the primaries of four VMs whose secondaries
// sit on three other hosts; every host has 2 x 10 GbE on a stack of two
// switches. %TEAM% is the teaming, %RATE% each VM's rate, %LAGS% the
// switch side.
const tmThrottleYAML = `name: nminus1
duration: %DUR%
warmup: 2s
seed: 21
switches:
  - {name: sw-a, stack: core}
  - {name: sw-b, stack: core}
defaults:
  vmnics:
    - {name: vmnic0, speed: 10Gbps, switch: sw-a}
    - {name: vmnic1, speed: 10Gbps, switch: sw-b}
  teaming:
%TEAM%
hosts:
  - {name: esx01, ft_ip: 10.0.0.11}
  - {name: esx02, ft_ip: 10.0.0.12}
  - {name: esx03, ft_ip: 10.0.0.13}
  - {name: esx04, ft_ip: 10.0.0.14}
%LAGS%
ft_vms:
  - {name: to2, mode: legacy, primary: esx01, secondary: esx02, logging: {rate: %RATE%}}
  - {name: to3a, mode: legacy, primary: esx01, secondary: esx03, logging: {rate: %RATE%}}
  - {name: to3b, mode: legacy, primary: esx01, secondary: esx03, logging: {rate: %RATE%}}
  - {name: to4, mode: legacy, primary: esx01, secondary: esx04, logging: {rate: %RATE%}}
failures:
  - {at: %AT%, vmnic: esx01/%NIC%}
`

// TestNMinus1IPHashThrottlesActiveStandbyRidesThrough is the seed's
// warning (reference section 5, cases 3 and 4): under IP hash esx01's four
// VMs spread over both uplinks (to esx02 and esx04 on uplink 1, to esx03
// on uplink 0: 7 Gb/s each, 14 Gb/s in all); when one uplink fails every
// pair hashes to the survivor, which cannot carry 14 Gb/s, and the
// primaries are throttled. Active/standby with 7 Gb/s in all never relied
// on more than one uplink and rides through the same loss.
func TestNMinus1IPHashThrottlesActiveStandbyRidesThrough(t *testing.T) {
	dur, at := "12s", "6s"
	if testing.Short() {
		dur, at = "8s", "4s"
	}
	lags := "lags:\n"
	for _, h := range []string{"esx01", "esx02", "esx03", "esx04"} {
		lags += "  - {host: " + h + ", vmnics: [vmnic0, vmnic1], mode: static}\n"
	}
	ipHash := tmParse(t, tmThrottleYAML, "%TEAM%", "    load_balancing: ip_hash\n    active: [vmnic0, vmnic1]",
		"%LAGS%", lags, "%RATE%", "3.5Gbps", "%NIC%", "vmnic0", "%DUR%", dur, "%AT%", at)
	rr := tmRun(t, ipHash)
	u0 := tmLink(t, rr, "esx01", "vmnic0", "tx").UtilisationPeak
	u1 := tmLink(t, rr, "esx01", "vmnic1", "tx").UtilisationPeak
	if u0 < 0.6 || u1 < 0.6 {
		t.Errorf("ip_hash: esx01 uplink peaks %.2f and %.2f, want both carrying about 7 Gb/s before the loss", u0, u1)
	}
	worst := 0.0
	for _, v := range rr.VMs {
		worst = math.Max(worst, v.ThrottledFraction)
	}
	t.Logf("ip_hash: uplink peaks before %.2f/%.2f, worst throttled_fraction %.3f", u0, u1, worst)
	if worst < 0.05 {
		t.Errorf("ip_hash after losing an uplink: worst throttled_fraction %.3f, want > 0.05 (14 Gb/s on one 10 GbE uplink)", worst)
	}
	if peak := tmLink(t, rr, "esx01", "vmnic1", "tx").UtilisationPeak; peak < 0.99 {
		t.Errorf("ip_hash: the surviving uplink peaks at %.2f, want saturated", peak)
	}

	as := tmParse(t, tmThrottleYAML, "%TEAM%", "    load_balancing: explicit_failover\n    active: [vmnic0]\n    standby: [vmnic1]",
		"%LAGS%", "", "%RATE%", "1.75Gbps", "%NIC%", "vmnic0", "%DUR%", dur, "%AT%", at)
	rr = tmRun(t, as)
	if f := tmEvents(rr, "failover"); len(f) != 1 || f[0].Target != "esx01/vmnic1" {
		t.Errorf("active/standby: failover events %s", tmFmt(f))
	}
	for _, v := range rr.VMs {
		t.Logf("active/standby: %s throttled %.4f lag p50 %.4f p99 %.4f max %.4f", v.VM, v.ThrottledFraction, v.ReplayLagP50, v.ReplayLagP99, v.ReplayLagMax)
		if v.ThrottledFraction > 0.001 {
			t.Errorf("active/standby: %s throttled_fraction %.4f, want ~0", v.VM, v.ThrottledFraction)
		}
		// Only the messages caught by the 100 ms detection wait for a
		// retransmission (ft.rto 200 ms), and the ones behind them for
		// their turn: the lag stays within detection + rto, far below the
		// 1 s lag target.
		if v.ReplayLagMax > 0.4 || v.ReplayLagP99 > 0.35 {
			t.Errorf("active/standby: %s replay lag p99 %.3f s, max %.3f s; want within detection + rto", v.VM, v.ReplayLagP99, v.ReplayLagMax)
		}
		if v.ReplayLagP50 > 0.01 {
			t.Errorf("active/standby: %s median replay lag %.3f s", v.VM, v.ReplayLagP50)
		}
	}
}

// tmCompareYAML: two hosts whose uplinks go to two switches that are not a
// stack, joined by an ISL; every policy and every single failure. FT gives
// up after 2 s of silence, so a path that stays dead from 3 s shows.
const tmCompareYAML = `name: compare
duration: 6s
seed: 23
replications: %REPS%
ft: {timeout: 2s}
switches:
  - {name: sw-a}
  - {name: sw-b}
inter_switch_links:
  - {between: [sw-a, sw-b], speed: 20Gbps}
defaults:
  vmnics:
    - {name: vmnic0, speed: 10Gbps, switch: sw-a}
    - {name: vmnic1, speed: 10Gbps, switch: sw-b}
  teaming: {load_balancing: port_id, active: [vmnic0, vmnic1]}
hosts:
  - {name: esx01, ft_ip: 10.0.0.11}
  - {name: esx02, ft_ip: 10.0.0.12}
ft_vms:
  - {name: vm1, mode: legacy, primary: esx01, secondary: esx02, memory: 256MiB, logging: {rate: 400Mbps}}
compare: {policies: all, n_minus_1: true}
`

func TestCompareAllUnstacked(t *testing.T) {
	sc := tmParse(t, tmCompareYAML, "%REPS%", "1")
	r, err := Run(context.Background(), sc, Options{NoSeries: true})
	if err != nil {
		t.Fatal(err)
	}
	cases := []string{"baseline", "vmnic:esx01/vmnic0", "vmnic:esx01/vmnic1", "vmnic:esx02/vmnic0", "vmnic:esx02/vmnic1",
		"switch:sw-a", "switch:sw-b", "isl:sw-a~sw-b", "host:esx01", "host:esx02"}
	policies := []string{"port_id", "mac_hash", "ip_hash", "nic_load", "explicit_failover", "lacp"}
	if len(r.Summary) != len(cases)*len(policies) {
		t.Fatalf("%d summaries, want %d policies x %d cases", len(r.Summary), len(policies), len(cases))
	}
	for i, s := range r.Summary {
		p, c := policies[i/len(cases)], cases[i%len(cases)]
		if s.Policy != p || s.FailureCase != c {
			t.Errorf("summary %d is %s/%s, want %s/%s", i, s.Policy, s.FailureCase, p, c)
		}
		na := p == "ip_hash" || p == "lacp"
		if s.Applicable == na {
			t.Errorf("%s/%s: applicable = %v", p, c, s.Applicable)
		}
		if na && !(strings.Contains(s.Reason, `"esx01"`) && strings.Contains(s.Reason, "sw-a") && strings.Contains(s.Reason, "sw-b")) {
			t.Errorf("%s/%s: reason %q should name the host and both switches", p, c, s.Reason)
		}
		if !na && (s.Reason != "" || len(s.Metrics) == 0) {
			t.Errorf("%s/%s: reason %q, %d metrics", p, c, s.Reason, len(s.Metrics))
		}
	}
	for _, rr := range r.Runs {
		if na := rr.Policy == "ip_hash" || rr.Policy == "lacp"; na == rr.Applicable {
			t.Errorf("run %s/%s: applicable %v", rr.Policy, rr.FailureCase, rr.Applicable)
		}
		if !rr.Applicable {
			continue
		}
		// A host failure leaves vm1 unprotected. Losing the ISL cuts the
		// path where the two hosts' FT ports sit on different switches
		// (port ID and LBT: esx01's odd port on vmnic1, esx02's even one on
		// vmnic0; MAC hash: :01 and :02 likewise), and no teaming detects
		// it; explicit failover keeps both on vmnic0 (sw-a). A vmnic or
		// switch failure is a link down: both fail over, FT stays.
		v := tmVM(t, rr, "vm1")
		want := strings.HasPrefix(rr.FailureCase, "host:") ||
			(rr.FailureCase == "isl:sw-a~sw-b" && rr.Policy != "explicit_failover")
		if want != (v.UnprotectedS > 0) || want != (len(tmEvents(rr, "ft_lost")) > 0) {
			t.Errorf("%s/%s: unprotected %.2f s, events\n%s", rr.Policy, rr.FailureCase, v.UnprotectedS, tmFmt(rr.Events))
		}
	}
	var wp []string
	for _, w := range r.Worst {
		wp = append(wp, w.Policy)
		if !slices.Contains(cases, w.FailureCase) {
			t.Errorf("worst case of %s is %q", w.Policy, w.FailureCase)
		}
	}
	if want := []string{"port_id", "mac_hash", "nic_load", "explicit_failover"}; !slices.Equal(wp, want) {
		t.Errorf("worst cases for %v, want one per applicable policy %v", wp, want)
	}
}

// TestCompareDeterminism: a comparison with failures, host losses and
// re-protection gives the same bytes, run twice and at any parallelism.
func TestCompareDeterminism(t *testing.T) {
	sc := tmParse(t, tmCompareYAML, "%REPS%", "2")
	sc.Compare.Policies = sc.Compare.Policies[:2]
	var out [][]byte
	for _, par := range []int{1, 1, 2} {
		r, err := Run(context.Background(), sc, Options{Parallel: par})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		s, err := json.Marshal(r.Series)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, append(b, s...))
	}
	if !bytes.Equal(out[0], out[1]) {
		t.Error("two runs of the same scenario differ")
	}
	if !bytes.Equal(out[0], out[2]) {
		t.Error("Parallel 1 and Parallel 2 differ")
	}
	var r results.Result
	if err := json.NewDecoder(bytes.NewReader(out[0])).Decode(&r); err != nil || len(r.Runs) != 2*10*2 {
		t.Errorf("runs %d (%v), want 2 policies x 10 cases x 2 replications", len(r.Runs), err)
	}
}
