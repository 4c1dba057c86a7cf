package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// TestLaneInvisible checks that the calendar's lane (evHeap.pushLane,
// engine.laneOn) never changes a result. Scenarios of one legacy FT VM are
// drawn at random (fixed seed) from the fabrics and teaming of
// TestSharingInvisibleRandom: with or without a window, small port buffers,
// failure-free, as the lane requires. Each is run with the lane on and
// off, and results.json must be the same bytes. Every link gets a distinct
// latency and the source is random (tieJitter), so no two events fall on
// the very same instant, whose order the heaps' shape sets and the lane
// changes. The lane must take a fifth of the events over the draws, so the
// test cannot pass by never taking it. A single VM's arrivals come in
// order, so these runs never take the lane's fall-back to the heaps;
// TestLaneOrder covers it.
func TestLaneInvisible(t *testing.T) {
	n := 12
	if testing.Short() {
		n = 4
	}
	rng := rand.New(rand.NewPCG(27, 72))
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	tieJitter = true
	defer func() { tieJitter = false }()
	var laned, events int64
	for i := 0; i < n; i++ {
		src := laneScenario(rng, pick)
		sc, err := model.Parse(fmt.Sprintf("lane-%d.yaml", i), []byte(src))
		if err != nil {
			t.Fatalf("scenario %d: %v\n%s", i, err, src)
		}
		dataEvents.Store(0)
		lanedEvents.Store(0)
		_, on := runWith(t, sc, &noLane, false)
		laned += lanedEvents.Swap(0)
		events += dataEvents.Swap(0)
		_, off := runWith(t, sc, &noLane, true)
		if l := lanedEvents.Swap(0); l != 0 {
			t.Errorf("scenario %d: %d events in the lane with the lane off", i, l)
		}
		if d := sameFigures(t, on, off, 0); d != "" {
			t.Errorf("scenario %d: results differ with the lane on and off: %s\n%s", i, d, src)
		}
	}
	if laned*5 < events {
		t.Errorf("%d of %d data events in the lane: the draws hardly take it", laned, events)
	}
	t.Logf("%d of %d data events in the lane", laned, events)
}

// laneScenario draws one scenario for TestLaneInvisible: that of
// randomShareScenario with its first FT VM only, legacy FT with a random
// source.
func laneScenario(rng *rand.Rand, pick func(...string) string) string {
	src := randomShareScenario(rng, pick)
	vms := strings.Index(src, "ft_vms:\n") + len("ft_vms:\n")
	first := vms + strings.Index(src[vms:], "\n") + 1
	src = src[:first] + src[strings.Index(src, "compare:"):]
	src = strings.ReplaceAll(src, "pattern: constant", "pattern: poisson")
	return strings.ReplaceAll(src, "mode: smp", "mode: legacy")
}
