package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// TestLazyAcksInvisible: under a congestion window, acks that wait in the
// pending list and are applied at the sender's next decision point
// (ackWatch), and queues entered ahead of time (fusion.go), change no
// result. Scenarios are drawn at random (fixed seed) as for
// TestSharingInvisibleRandom, with NewReno or CUBIC, small port buffers
// that drop, and in most draws a failure: random
// frame loss on a vmnic or an ISL, a vmnic or a switch that goes down and
// comes back, a host that dies (runs with failures take neither path, and
// must stay so). Each is run with both on, with the pending list off and
// with fusion off: the three results.json must be the same bytes. Every
// link gets a distinct latency (tieJitter), so no two events fall on the
// very same instant, whose order the calendar's shape sets and every fast
// path changes. The pending list must save calendar events over the
// draws, and fusion must take part, so the test cannot pass by never
// taking either path.
func TestLazyAcksInvisible(t *testing.T) {
	n := 16
	if testing.Short() {
		n = 5
	}
	rng := rand.New(rand.NewPCG(16, 61))
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	tieJitter = true
	defer func() { tieJitter = false }()
	var eventsOn, eventsOff, fused int64
	for i := 0; i < n; i++ {
		src := lazyAckScenario(rng, pick)
		sc, err := model.Parse(fmt.Sprintf("lazy-%d.yaml", i), []byte(src))
		if err != nil {
			t.Fatalf("scenario %d: %v\n%s", i, err, src)
		}
		dataEvents.Store(0)
		fusedRuns.Store(0)
		_, on := runWith(t, sc, &noLazyAck, false)
		eventsOn += dataEvents.Swap(0)
		fused += fusedRuns.Load()
		_, off := runWith(t, sc, &noLazyAck, true)
		eventsOff += dataEvents.Swap(0)
		if d := sameFigures(t, on, off, 0); d != "" {
			t.Errorf("scenario %d: results differ with the pending list on and off: %s\n%s", i, d, src)
		}
		_, unfused := runWith(t, sc, &noFuse, true)
		if d := sameFigures(t, on, unfused, 0); d != "" {
			t.Errorf("scenario %d: results differ with fusion on and off: %s\n%s", i, d, src)
		}
	}
	if eventsOn >= eventsOff {
		t.Errorf("%d data events with the pending list, %d without: the draws do not take it", eventsOn, eventsOff)
	}
	if fused == 0 {
		t.Errorf("no run was fused: the draws do not test fusion under a window")
	}
	t.Logf("%d data events with the pending list, %d without; %d fused runs", eventsOn, eventsOff, fused)
}

// lazyAckScenario draws one scenario for TestLazyAcksInvisible: the
// fabric, teaming and VMs of randomShareScenario, always under a window,
// and a failure in three draws of four.
func lazyAckScenario(rng *rand.Rand, pick func(...string) string) string {
	src := randomShareScenario(rng, pick)
	// A constant source and SMP-FT epochs make events of different VMs
	// fall on the very same instant, whose order the model leaves open
	// (see fuse); so do paths of equal latency, which tieJitter makes
	// unequal. The comparison is byte for byte, so the VMs here are
	// legacy FT with random sources (TestFusionInvisible runs SMP-FT
	// under a window).
	src = strings.ReplaceAll(src, "pattern: constant", "pattern: poisson")
	src = strings.ReplaceAll(src, "mode: smp", "mode: legacy")
	cc := pick(model.CongestionNewReno, model.CongestionCubic)
	for _, old := range []string{model.CongestionNewReno, model.CongestionCubic, model.CongestionNone} {
		src = strings.Replace(src, "congestion: "+old+"}", "congestion: "+cc+", max_rto: 2s}", 1)
	}
	// Short liveness and RTO floors make timeouts, backoff and peer lost
	// happen within the run.
	src = strings.Replace(src, "ft:\n", "ft:\n  rto: "+pick("20ms", "200ms")+"\n", 1)
	var f string
	switch rng.IntN(8) {
	case 0, 1:
		f = fmt.Sprintf("  - {at: 1s, vmnic: esx01/vmnic0, kind: lossy, loss: %s, down_for: 2s}\n", pick("0.01%", "0.5%", "3%"))
	case 2:
		if strings.Contains(src, "inter_switch_links") {
			f = "  - {at: 0.5s, isl: [sw-a, sw-b], kind: lossy, loss: 1%}\n"
		} else {
			f = "  - {at: 1s, vmnic: esx02/vmnic1, kind: lossy, loss: 1%}\n"
		}
	case 3:
		f = "  - {at: 1.5s, vmnic: esx01/vmnic0, down_for: 1s}\n"
	case 4:
		f = "  - {at: 1.5s, switch: sw-a, down_for: 1s}\n"
	case 5:
		f = "  - {at: 2s, host: esx02}\n"
	}
	if f != "" {
		src = strings.Replace(src, "compare:", "failures:\n"+f+"compare:", 1)
	}
	return src
}
