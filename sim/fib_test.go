package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// TestForwardCacheInvisible: forward's cache of next queues (network.fib)
// never changes a result. Vmnic, upstream and switch failures with their
// recoveries, on either host, under port-based, MAC-hash and IP-hash
// teaming and in shotgun mode, move MACs and paths; each run is repeated
// without the cache and must give the same bytes.
func TestForwardCacheInvisible(t *testing.T) {
	same := func(t *testing.T, name string, sc *model.Scenario) {
		t.Helper()
		run := func(off bool) []byte {
			noFIB = off
			defer func() { noFIB = false }()
			r, err := Run(context.Background(), sc, Options{})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		if with, without := run(false), run(true); !bytes.Equal(with, without) {
			t.Errorf("%s: results differ with forward's cache on and off", name)
		}
	}
	teams := map[string]string{
		"active/standby":        tmTeamAS,
		"beacon, three uplinks": tmTeamAS3 + "\n    failure_detection: beacon_probing",
		// Two uplinks: beacon probing cannot tell which failed and sends on
		// both (shotgun), so the switches relearn the MAC frame by frame.
		"beacon, two uplinks": tmTeamAS + "\n    failure_detection: beacon_probing",
		"port ID":             tmTeamPID,
		"MAC hash":            "    load_balancing: mac_hash\n    active: [vmnic0, vmnic1]\n    unused: [vmnic2]",
	}
	fails := []string{
		"  - {at: 2s, vmnic: esx01/vmnic0, down_for: 3s}",
		"  - {at: 2s, vmnic: esx02/vmnic0, down_for: 2s}",
		"  - {at: 2.5s, vmnic: esx01/vmnic0, kind: upstream, down_for: 4s}",
		"  - {at: 2s, switch: sw-a, down_for: 3s}",
		// Random frame loss: fast retransmit and timeouts under the window.
		"  - {at: 1s, vmnic: esx01/vmnic0, kind: lossy, loss: 0.05%, down_for: 5s}",
	}
	for tn, team := range teams {
		for _, f := range fails {
			same(t, tn+": "+f, tmParse(t, tmFailYAML, "%TEAM%", team, "%FAIL%", f, "%DUR%", "10s"))
		}
	}
	// IP hash over EtherChannels and LACP: the switch side hashes too.
	sc, err := model.Load("../scenarios/active-active-ip-hash.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc.Duration = model.Duration(40)
	same(t, "active-active-ip-hash", sc)
}
