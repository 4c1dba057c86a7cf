package sim

import (
	"context"
	"math"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// mdScenario is one FT pair on one 1 GbE uplink with one-frame messages
// (1448 B at MTU 1500), Poisson at utilisation rho of the wire: an M/D/1
// queue at the primary's vmnic TX.
func mdScenario(rho float64, dur model.Duration) *model.Scenario {
	const payload, wire = 1448.0, 1448.0 + 90
	rate := rho * 1e9 * payload / wire
	sc := testScenario(2, []model.BitRate{1e9}, 1500, model.PortID, []model.BitRate{model.BitRate(rate)}, dur)
	sc.VMs[0].FT.MessageSize = payload
	sc.FT.MessageSize = payload
	return sc
}

func primaryTX(t *testing.T, r Result) Link {
	t.Helper()
	for _, l := range r.Runs[0].Links {
		if l.Host == "esx01" && l.Direction == "tx" {
			return l
		}
	}
	t.Fatal("no esx01 tx link")
	return Link{}
}

// TestMD1 checks the vmnic queue against Pollaczek-Khinchine:
// Wq = rho S / (2 (1 - rho)) for deterministic service S.
func TestMD1(t *testing.T) {
	for _, rho := range []float64{0.5, 0.7, 0.9} {
		dur := model.Duration(200)
		if testing.Short() {
			dur = 40
		}
		r, err := Run(context.Background(), mdScenario(rho, dur), Options{NoSeries: true})
		if err != nil {
			t.Fatal(err)
		}
		l := primaryTX(t, r)
		s := (1448.0 + 90) * 8 / 1e9
		want := rho * s / (2 * (1 - rho))
		tol := 0.03
		if testing.Short() {
			tol = 0.08
		}
		if math.Abs(l.QueueDelayMean-want) > tol*want {
			t.Errorf("rho %.1f: Wq = %.3f us, want %.3f us ±%.0f%%", rho, l.QueueDelayMean*1e6, want*1e6, tol*100)
		}
		if math.Abs(l.UtilisationMean-rho) > 0.01 {
			t.Errorf("rho %.1f: utilisation %.4f", rho, l.UtilisationMean)
		}
	}
}
