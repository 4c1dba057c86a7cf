package sim

import (
	"context"
	"errors"

	"github.com/ftsim/ftsim/model"
)

// Options tune a Run; zero fields take the scenario's values.
type Options struct {
	Seed         uint64         // root seed; 0 = the scenario's seed
	Duration     float64        // simulated seconds; 0 = the scenario's duration
	Replications int            // 0 = the scenario's replications
	Policies     []model.Policy // narrow the compared set (--policy)
	Parallel     int            // runs simulated at once; 0 = 1
	// Progress, when set, is called after each finished run with the
	// number of runs done and the total (the total may grow under
	// replications: auto). It is called from one goroutine at a time.
	Progress func(done, total int)
}

// DefaultOptions returns the options that take everything from the scenario.
func DefaultOptions() Options { return Options{Parallel: 1} }

// ErrConservation reports a run whose byte balance does not close: a bug in
// ftsim, never the user's input.
var ErrConservation = errors.New("sim: conservation of bytes violated")

// Run simulates sc under every policy and failure case it asks for, with
// no I/O and no wall clock. The same scenario, options and seed give the
// same Result, byte for byte, at any Parallel.
func Run(ctx context.Context, sc *model.Scenario, opts Options) (Result, error) {
	return Result{}, errors.New("sim: engine not built yet")
}
