package sim

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// sharingRun runs sc with sharing on or off and returns results.json's
// bytes, the time series and how many results were reported from another
// policy's run.
func sharingRun(t *testing.T, sc *model.Scenario, off bool) ([]byte, []Series, int64) {
	t.Helper()
	before := sharedRuns.Load()
	r, b := runWith(t, sc, &noShare, off)
	return b, r.Series, sharedRuns.Load() - before
}

// sameShared checks that sharing changes nothing, and that it reported
// wantShared results from another policy's run.
func sameShared(t *testing.T, sc *model.Scenario, wantShared int64) {
	t.Helper()
	with, wser, n := sharingRun(t, sc, false)
	without, woser, n0 := sharingRun(t, sc, true)
	if n0 != 0 {
		t.Fatalf("%d results shared with sharing off", n0)
	}
	if !bytes.Equal(with, without) {
		t.Errorf("results.json differs with sharing on and off")
	}
	if !reflect.DeepEqual(wser, woser) {
		t.Errorf("time series differ with sharing on and off")
	}
	if wantShared >= 0 && n != wantShared {
		t.Errorf("%d results shared, want %d", n, wantShared)
	}
}

// TestSharingInvisible: a run that stands for other policies' runs
// (share.go) gives each of them the bytes its own run would have.
func TestSharingInvisible(t *testing.T) {
	t.Run("bench-128-hosts", func(t *testing.T) {
		// Port ID, MAC hash and NIC load put every host's FT port on the
		// same uplink (derived MACs and port IDs count from the host's
		// position, and no uplink is loaded enough for LBT); IP hash and
		// LACP hash the same IPs. Six policies, three simulations.
		sc, err := model.Load("../scenarios/bench/bench-128-hosts.yaml")
		if err != nil {
			t.Fatal(err)
		}
		sc.Duration, sc.Warmup = model.Duration(4), model.Duration(1)
		sameShared(t, sc, 3)
	})

	t.Run("LBT moves", func(t *testing.T) {
		// 1.2 Gbit/s from esx01 on 2 x 1 GbE: port ID's uplink is over
		// LBT's 75%, so NIC load moves the port at its first check and
		// must be simulated on its own; MAC hash is port ID's run.
		sc := testScenario(2, []model.BitRate{1e9, 1e9}, 9000, model.PortID, []model.BitRate{400e6, 400e6, 400e6}, 12)
		for i := range sc.VMs {
			sc.VMs[i].Primary, sc.VMs[i].Secondary = "esx01", "esx02"
		}
		for i := range sc.Hosts {
			sc.Hosts[i].Teaming.LBTInterval = 5
		}
		sc.Compare = &model.Compare{Policies: []model.Policy{model.PortID, model.MACHash, model.NICLoad}}
		sameShared(t, sc, 1)
		moves := eventsByPolicy(t, sc, "lbt_move")
		if moves[string(model.NICLoad)] == 0 || len(moves) != 1 {
			t.Errorf("lbt_move events by policy: %v, want NIC load's only: the test does not test the watch", moves)
		}
	})

	t.Run("different paths", func(t *testing.T) {
		// MACs one past the port IDs: MAC hash puts every host's FT port
		// on the other uplink than port ID does. Nothing is shared, and
		// the two policies' figures differ.
		sc := testScenario(4, []model.BitRate{10e9, 10e9}, 9000, model.PortID, []model.BitRate{3e9, 3e9, 3e9, 3e9}, 6)
		for i := range sc.Hosts {
			sc.Hosts[i].FTMAC++
		}
		sc.Compare = &model.Compare{Policies: []model.Policy{model.PortID, model.MACHash}}
		sameShared(t, sc, 0)
		r, err := Run(context.Background(), sc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(r.Runs[0].Links, r.Runs[1].Links) {
			t.Errorf("port ID and MAC hash load the same links: the test does not test different paths")
		}
	})

	t.Run("peer lost", func(t *testing.T) {
		// A timeout shorter than the gaps between messages and heartbeats:
		// FT loses the peer and places a new secondary, whose flows the
		// policies may route apart, so nothing is shared.
		sc := testScenario(4, []model.BitRate{10e9, 10e9}, 9000, model.PortID, []model.BitRate{1e6}, 30)
		sc.FT.Timeout = 0.05
		for i := range sc.VMs {
			sc.VMs[i].FT.Timeout = 0.05
		}
		sc.Compare = &model.Compare{Policies: []model.Policy{model.PortID, model.MACHash, model.NICLoad}}
		sameShared(t, sc, 0)
		if lost := eventsByPolicy(t, sc, "ft_lost"); lost[string(model.PortID)] == 0 {
			t.Errorf("no ft_lost event under port ID: the test does not test a changed path")
		}
	})

	files, err := filepath.Glob("../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatal("no bundled scenarios", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if testing.Short() && filepath.Base(f) != "active-active-port-id.yaml" {
				t.Skip("long: every bundled scenario")
			}
			sc, err := model.Load(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(sc.Sweep) > 0 {
				t.Skip("a sweep is a batch of scenarios")
			}
			sc.Duration, sc.Warmup = model.Duration(8), model.Duration(1)
			sameShared(t, sc, -1)
		})
	}
}
