package sim

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
)

// RunFunc simulates one scenario; Run is the one ftsim uses. Tests of the
// batch machinery pass a cheap deterministic stand-in.
type RunFunc func(ctx context.Context, sc *model.Scenario, opts Options) (results.Result, error)

// Batch runs sweep cases on several workers. Each case is one Run of its
// own scenario; a case's Result does not depend on which worker ran it or
// when, so a batch gives the same results at any Parallel.
type Batch struct {
	// Parallel is the number of cases simulated at once; 0 means 1.
	Parallel int
	// Run simulates one case; nil means Run.
	Run RunFunc
	// Options are passed to every case's Run.
	Options Options
	// Done receives each finished case (its position in the slice given to
	// RunCases, the case, and its Result with Sweep filled in). It is
	// called from the worker that ran the case, so calls for different
	// cases may overlap (writing each case's file does not hold up the
	// others). An error from Done stops the batch: no new case starts,
	// Done is not called again, and RunCases returns the first error.
	Done func(i int, c model.Case, r results.Result) error
}

// CaseError is a case whose Run failed.
type CaseError struct {
	Case string
	Err  error
}

func (e CaseError) Error() string { return fmt.Sprintf("case %s: %v", e.Case, e.Err) }
func (e CaseError) Unwrap() error { return e.Err }

// CaseErrors lists the failed cases of a batch in case order.
type CaseErrors []CaseError

func (l CaseErrors) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap lets errors.Is and errors.As look into every case's error.
func (l CaseErrors) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// RunCases runs every case and hands each finished one to Done. A case
// whose Run fails does not stop the others; the failures come back as
// CaseErrors once every case has been tried. When ctx is cancelled no new
// case starts, the cases in progress are abandoned (their Run returns
// early), every case that finished has been handed to Done, and RunCases
// returns ctx's error.
func (b Batch) RunCases(ctx context.Context, cases []model.Case) error {
	run := b.Run
	if run == nil {
		run = Run
	}
	workers := b.Parallel
	if workers < 1 {
		workers = 1
	}
	if workers > len(cases) {
		workers = len(cases)
	}
	inner, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu      sync.Mutex
		doneErr error
		failed  []int
		errs    = make(map[int]error)
		wg      sync.WaitGroup
		jobs    = make(chan int)
	)
	worker := func() {
		defer wg.Done()
		for i := range jobs {
			if inner.Err() != nil {
				continue // handed over as the batch stopped: never started
			}
			c := cases[i]
			r, err := run(inner, c.Scenario, b.Options)
			switch {
			case err != nil && inner.Err() != nil:
				// Abandoned by cancellation: neither a result nor a failure.
			case err != nil:
				mu.Lock()
				failed = append(failed, i)
				errs[i] = err
				mu.Unlock()
			case b.Done != nil:
				mu.Lock()
				stopped := doneErr != nil
				mu.Unlock()
				if stopped {
					continue
				}
				r.Sweep = results.SweepValues(c.Params)
				if derr := b.Done(i, c, r); derr != nil {
					mu.Lock()
					if doneErr == nil {
						doneErr = derr
					}
					mu.Unlock()
					cancel()
				}
			}
		}
	}
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go worker()
	}
feed:
	for i := range cases {
		select {
		case jobs <- i:
		case <-inner.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()

	if doneErr != nil {
		return doneErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(failed) == 0 {
		return nil
	}
	sort.Ints(failed)
	out := make(CaseErrors, len(failed))
	for k, i := range failed {
		out[k] = CaseError{Case: cases[i].Name, Err: errs[i]}
	}
	return out
}
