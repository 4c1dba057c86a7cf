package main

import (
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

// progress is a bar on a terminal for work that takes more than a second;
// elsewhere it stays silent.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	desc  string
	start time.Time
	bar   *progressbar.ProgressBar
	on    bool
}

func newProgress(w io.Writer, desc string) *progress {
	return &progress{w: w, desc: desc, start: time.Now(), on: isTerminal(w)}
}

// update reports done of total units (simulated seconds, cases, ...).
func (p *progress) update(done, total float64) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil {
		if time.Since(p.start) < time.Second {
			return
		}
		p.bar = progressbar.NewOptions64(int64(total), progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(p.desc), progressbar.OptionShowElapsedTimeOnFinish(),
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
