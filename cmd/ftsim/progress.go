package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/ftsim/ftsim/plots"
)

// isTerminal reports whether w is a terminal (colour and progress bars
// only then).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func defaultParallel() int { return runtime.NumCPU() }

// progress is a bar on a terminal for work that takes more than a second.
// Elsewhere (a CI log, a Slurm output file) it writes a plain line every
// lineEvery once the work has run that long, so long runs show progress.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	desc  string
	unit  string // what done and total count: "simulated seconds", "cases"
	start time.Time
	bar   *progressbar.ProgressBar
	term  bool
	now   func() time.Time
	next  time.Time // when the next plain line is due
	// runsDone of runsPlanned simulations, shown when runsPlanned > 0.
	runsDone, runsPlanned int
}

// runs reports done of total simulations (sim.Options.Runs).
func (p *progress) runs(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.runsDone, p.runsPlanned = done, total
	if p.bar != nil {
		p.bar.Describe(p.description())
	}
}

// description is desc with the runs done, when they are counted.
func (p *progress) description() string {
	if p.runsPlanned == 0 {
		return p.desc
	}
	return fmt.Sprintf("%s, %d of %d runs", p.desc, p.runsDone, p.runsPlanned)
}

// lineEvery is how long a run goes before its first progress line on a
// non-terminal, and the time between lines.
const lineEvery = 10 * time.Second

func newProgress(w io.Writer, desc, unit string) *progress {
	p := &progress{w: w, desc: desc, unit: unit, now: time.Now, term: isTerminal(w)}
	p.start = p.now()
	p.next = p.start.Add(lineEvery)
	return p
}

// update reports done of total units (simulated seconds, cases, ...).
func (p *progress) update(done, total float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.term {
		if now := p.now(); !now.Before(p.next) && total > 0 {
			fmt.Fprintf(p.w, "%s: %.0f %% (%.0f of %.0f %s), %s elapsed\n",
				p.description(), 100*done/total, done, total, p.unit, now.Sub(p.start).Round(time.Second))
			p.next = now.Add(lineEvery)
		}
		return
	}
	if p.bar == nil {
		if p.now().Sub(p.start) < time.Second {
			return
		}
		p.bar = progressbar.NewOptions64(int64(total), progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(p.description()), progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond))
	}
	if int64(total) != p.bar.GetMax64() {
		p.bar.ChangeMax64(int64(total))
	}
	p.bar.Set64(int64(done)) //nolint:errcheck // a terminal write
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Finish() //nolint:errcheck // a terminal write
		p.bar = nil
	}
}

// reportInput says how to reproduce a run in the report: its command
// line without --out, --parallel and --shard (see reproduceArgs), so a
// run written anywhere, and the merge of its shards, name the same command.
func reportInput(scenario string, argv []string) plots.ReportInput {
	cmd := ""
	if len(argv) > 1 {
		cmd = "ftsim " + strings.Join(reproduceArgs(argv[1:]), " ")
	}
	return plots.ReportInput{ScenarioFile: scenario, Command: cmd, Version: version}
}
