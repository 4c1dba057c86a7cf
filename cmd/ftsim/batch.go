package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
	"github.com/ftsim/ftsim/sim"
)

// exitInterrupted is the status of a batch stopped by Ctrl-C or SIGTERM
// (128 + SIGINT, as shells report it); its finished cases are kept.
const exitInterrupted = 130

// Files a batch writes into its output folder, besides one folder per case.
const (
	resultsFile = "results.json"
	indexFile   = "index.csv"
	summaryFile = "summary.json"
	shardFile   = "shard.json" // only with --shard; merge reads it
)

// batchRun simulates one case. Tests replace it with a cheap deterministic
// stand-in; the command always uses the engine.
var batchRun sim.RunFunc = sim.Run

type batchFlags struct {
	out      string
	parallel int
	shard    string
	resume   bool
}

func batchCommand() *cli.Command {
	var f batchFlags
	return &cli.Command{
		Name:      "batch",
		Usage:     "run every sweep case of scenario files or folders",
		ArgsUsage: "PATH...",
		Description: "Expands each scenario's sweep: into cases named <scenario>/<param>=<value>,..., runs\n" +
			"them on --parallel workers and writes one folder per case (results.json), index.csv\n" +
			"and summary.json. A folder PATH means every *.yaml (and *.yml) file in it.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Value: filepath.Join("ftsim-out", "batch"), Usage: "output `DIR`", Destination: &f.out},
			&cli.IntFlag{Name: "parallel", Value: runtime.NumCPU(), Usage: "simulate `N` cases at once", Destination: &f.parallel},
			&cli.StringFlag{Name: "shard", Usage: "run only shard `I/N` of the cases (auto/N: I from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID)", Destination: &f.shard},
			&cli.BoolFlag{Name: "resume", Usage: "skip cases whose results.json is already written", Destination: &f.resume},
		},
		Action: func(c *cli.Context) error {
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
			defer stop()
			go func() {
				// After the first signal, a second one kills at once.
				<-ctx.Done()
				stop()
			}()
			return batch(ctx, c.App.Writer, errWriter(c), c.Args().Slice(), f)
		},
	}
}

func errWriter(c *cli.Context) io.Writer {
	if c.App.ErrWriter != nil {
		return c.App.ErrWriter
	}
	return os.Stderr
}

// batch is the body of `ftsim batch`.
func batch(ctx context.Context, stdout, stderr io.Writer, paths []string, f batchFlags) error {
	if len(paths) == 0 {
		return badInput(errors.New("ftsim batch: give one or more scenario files or folders"))
	}
	if f.parallel < 1 {
		return badInput(fmt.Errorf("--parallel %d: give 1 or more workers", f.parallel))
	}
	var shard results.Shard
	if f.shard != "" {
		s, err := results.ParseShard(f.shard, os.Getenv)
		if err != nil {
			return badInput(fmt.Errorf("--shard: %w", err))
		}
		shard = s
	}
	all, warnings, err := loadCases(paths)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintln(stderr, w)
	}
	var owned []model.Case
	for p, c := range all {
		if shard.Owns(p) {
			owned = append(owned, c)
		}
	}
	if err := prepareOut(f.out, owned, shard, len(all)); err != nil {
		return internal(err)
	}
	todo := owned
	if f.resume {
		todo = todo[:0:0]
		for _, c := range owned {
			if !finished(f.out, c) {
				todo = append(todo, c)
			}
		}
	}

	bar := newBar(stderr, len(todo))
	var lines *progress // progress lines where there is no bar (CI logs, Slurm outputs)
	if bar == nil {
		lines = newProgress(stderr, "batch", "cases")
	}
	var done atomic.Int64 // Done runs on the workers
	inner := 1
	if len(todo) > 0 && f.parallel > len(todo) {
		inner = f.parallel / len(todo) // few cases: let each use the spare cores
	}
	b := sim.Batch{
		Parallel: f.parallel,
		Run:      batchRun,
		Options:  sim.Options{Parallel: inner, NoSeries: true}, // a batch keeps no time series
		Done: func(_ int, c model.Case, r results.Result) error {
			if err := writeResult(f.out, c.Dir, r); err != nil {
				return err
			}
			if bar != nil {
				bar.Add(1)
			}
			if lines != nil {
				lines.update(float64(done.Add(1)), float64(len(todo)))
			}
			return nil
		},
	}
	start := time.Now()
	err = b.RunCases(ctx, todo)
	if bar != nil {
		if err == nil {
			bar.Finish()
		} else {
			bar.Exit()
			fmt.Fprintln(stderr)
		}
	}
	if err != nil {
		return batchError(err, f.out, owned)
	}
	// A shard holds every N-th case: its planning charts would mislead, so
	// they are left to merge.
	sum, err := writeIndex(f.out, caseDirs(owned), f.parallel, shard.Count == 0)
	if err != nil {
		return batchError(err, f.out, owned)
	}
	if shard.Count == 0 {
		printPlanning(stdout, sum.Planning)
	}
	fmt.Fprintf(stdout, "%d cases (%d run, %d already done) in %s; index: %s\n",
		len(owned), len(todo), len(owned)-len(todo), time.Since(start).Round(time.Millisecond),
		filepath.Join(f.out, indexFile))
	return nil
}

// batchError turns a batch failure into the message and status the user
// sees.
func batchError(err error, out string, owned []model.Case) error {
	done := 0
	for _, c := range owned {
		if finished(out, c) {
			done++
		}
	}
	var ce sim.CaseErrors
	switch {
	case errors.Is(err, context.Canceled):
		return &exitError{exitInterrupted, fmt.Errorf(
			"ftsim batch: interrupted; %d of %d cases are finished and kept in %s; run the same command with --resume to finish",
			done, len(owned), out)}
	case errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT):
		return internal(fmt.Errorf("ftsim batch: %w\nthe disk is full: %d of %d cases are finished and kept whole in %s; free some space and run the same command with --resume to continue",
			err, done, len(owned), out))
	case errors.As(err, &ce):
		return internal(fmt.Errorf("ftsim batch: %d of %d cases failed (%d finished and kept; --resume runs the rest):\n%w",
			len(ce), len(owned), done, err))
	}
	return internal(fmt.Errorf("ftsim batch: %w (%d of %d cases finished and kept in %s; --resume runs the rest)", err, done, len(owned), out))
}

// loadCases reads every scenario under paths, expands each sweep and
// returns all cases in natural order, and the scenarios' warnings. Every
// problem of every file is reported at once.
func loadCases(paths []string) ([]model.Case, []string, error) {
	files, err := scenarioFiles(paths)
	if err != nil {
		return nil, nil, badInput(err)
	}
	var (
		all      []model.Case
		problems []error
		warnings []string
		seenWarn = map[string]bool{}
		owner    = map[string]string{} // case name -> file
	)
	warn := func(ws []*model.Error) {
		for _, w := range ws {
			if s := w.Error(); !seenWarn[s] {
				seenWarn[s] = true
				warnings = append(warnings, s)
			}
		}
	}
	for _, file := range files {
		sc, err := model.Load(file)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		warn(sc.Warnings)
		cases, err := model.ExpandSweep(sc)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		own := map[string]bool{}
		for _, w := range sc.Warnings {
			own[w.Error()] = true
		}
		for _, c := range cases {
			// A case's own warnings name the case; those the scenario
			// already gave are not repeated for every case.
			for _, w := range c.Scenario.Warnings {
				if own[w.Error()] {
					continue
				}
				named := *w
				named.Msg = "in case " + c.Name + ": " + w.Msg
				warn([]*model.Error{&named})
			}
			if prev, dup := owner[c.Name]; dup {
				problems = append(problems, fmt.Errorf(
					"%s: case %q is also a case of %s; give the scenarios different names", file, c.Name, prev))
				break
			}
			owner[c.Name] = file
			all = append(all, c)
		}
	}
	if len(problems) > 0 {
		return nil, nil, badInput(errors.Join(problems...))
	}
	model.SortCases(all)
	if err := checkDirs(all); err != nil {
		return nil, nil, badInput(err)
	}
	return all, warnings, nil
}

// checkDirs refuses two cases whose folders would be the same or one
// inside the other (a scenario without a sweep named like the sweep folder
// of another).
func checkDirs(cases []model.Case) error {
	dirs := map[string]string{}
	for _, c := range cases {
		dirs[c.Dir] = c.Name
	}
	for _, c := range cases {
		for d := path.Dir(c.Dir); d != "." && d != "/"; d = path.Dir(d) {
			if other, ok := dirs[d]; ok {
				return fmt.Errorf("cases %q and %q would share the folder %s; give the scenarios different names", other, c.Name, d)
			}
		}
	}
	if len(dirs) != len(cases) {
		return errors.New("two cases map to the same folder; give the scenarios different names")
	}
	return nil
}

// scenarioFiles lists the scenario files of paths: files as given, folders
// as the *.yaml and *.yml files directly in them, sorted by name.
func scenarioFiles(paths []string) ([]string, error) {
	var files []string
	seen := map[string]bool{}
	add := func(f string) {
		if k := filepath.Clean(f); !seen[k] {
			seen[k] = true
			files = append(files, f)
		}
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: no such scenario file or folder", p)
		}
		if !st.IsDir() {
			add(p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		n := 0
		for _, e := range entries { // ReadDir sorts by name
			name := e.Name()
			if strings.HasPrefix(name, ".") || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
				continue
			}
			// Stat follows symbolic links: a Kubernetes ConfigMap volume
			// holds NAME -> ..data/NAME, each a link to a regular file.
			f := filepath.Join(p, name)
			if err := regularFile(f); err != nil {
				return nil, err
			}
			add(f)
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("%s: no scenario files (*.yaml) in this folder", p)
		}
	}
	return files, nil
}

// prepareOut creates the output folder, removes what an earlier run of
// this batch left that must not outlive this one (the index and summary,
// which are rewritten at the end, and temporary files of writes cut short
// by a kill), and records the shard for merge.
func prepareOut(out string, owned []model.Case, shard results.Shard, total int) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, name := range []string{indexFile, summaryFile, shardFile} {
		if err := os.Remove(filepath.Join(out, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := removePlanningCharts(out); err != nil {
		return err
	}
	if err := removeTemps(out); err != nil {
		return err
	}
	for _, c := range owned {
		if err := removeTemps(filepath.Join(out, filepath.FromSlash(c.Dir))); err != nil {
			return err
		}
	}
	if shard.Count == 0 {
		return nil
	}
	m := shardManifest{Shard: shard.Index, Shards: shard.Count, CasesTotal: total, Cases: caseDirs(owned)}
	return writeJSON(filepath.Join(out, shardFile), m)
}

// shardManifest is shard.json: which cases a shard owns, so merge can tell
// a missing or unfinished shard from a finished one.
type shardManifest struct {
	Shard      int      `json:"shard"`
	Shards     int      `json:"shards"`
	CasesTotal int      `json:"cases_total"`
	Cases      []string `json:"cases"` // folders, relative to the shard's folder
}

// removeTemps deletes the temporary files writeAtomic leaves behind when
// the process is killed mid-write (".NAME.tmpNNN").
func removeTemps(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if isTemp(e.Name()) && e.Type().IsRegular() {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

func isTemp(name string) bool { return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp") }

// finished reports whether c's results.json exists and holds c's result.
func finished(out string, c model.Case) bool {
	r, err := readResult(filepath.Join(out, filepath.FromSlash(c.Dir), resultsFile))
	return err == nil && results.CaseName(r) == c.Name
}

func readResult(path string) (results.Result, error) {
	var r results.Result
	data, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// writeResult writes a case's results.json atomically.
func writeResult(out, dir string, r results.Result) error {
	return writeJSON(filepath.Join(out, filepath.FromSlash(dir), resultsFile), r)
}

// writeJSON writes v indented by two spaces with a final newline,
// atomically.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return writeFileAtomic(path, append(data, '\n'))
}

func caseDirs(cases []model.Case) []string {
	out := make([]string, len(cases))
	for i, c := range cases {
		out[i] = c.Dir
	}
	return out
}

// writeIndex builds index.csv and summary.json (and the planning charts)
// from the results.json files of the case folders dirs in out, so a
// resumed, a merged and an uninterrupted batch write the same bytes. It
// reads and draws on up to workers goroutines; charts false leaves the
// planning charts out.
func writeIndex(out string, dirs []string, workers int, charts bool) (results.BatchSummary, error) {
	type caseIndex struct {
		name string
		rows []results.IndexRow
		sum  results.CaseSummary
		plan planCase
	}
	all := make([]caseIndex, len(dirs))
	var sum results.BatchSummary
	err := forEach(len(dirs), workers, func(i int) error {
		path := filepath.Join(out, filepath.FromSlash(dirs[i]), resultsFile)
		r, err := readResult(path)
		if err != nil {
			return fmt.Errorf("reading a finished case: %w", err)
		}
		if got := results.CaseDir(r); got != dirs[i] {
			return fmt.Errorf("%s holds the result of case %q, whose folder is %s", path, results.CaseName(r), got)
		}
		name := results.CaseName(r)
		all[i] = caseIndex{name, results.IndexRows(name, r), results.SummariseCase(r), planningData(r)}
		return nil
	})
	if err != nil {
		return sum, err
	}
	// Each case's rows come sorted; cases in natural order of names then
	// give the index in the order results.SortIndexRows defines.
	sort.SliceStable(all, func(i, j int) bool { return model.NaturalLess(all[i].name, all[j].name) })
	var (
		rows  []results.IndexRow
		cases = make([]results.CaseSummary, len(all))
		plan  = make([]planCase, len(all))
	)
	for i, c := range all {
		rows = append(rows, c.rows...)
		cases[i], plan[i] = c.sum, c.plan
	}
	if err := writeAtomic(filepath.Join(out, indexFile), func(w io.Writer) error {
		return results.WriteIndexCSV(w, rows)
	}); err != nil {
		return sum, err
	}
	sum = results.NewBatchSummary(cases)
	if err := writeJSON(filepath.Join(out, summaryFile), sum); err != nil {
		return sum, err
	}
	if !charts {
		return sum, nil
	}
	return sum, writePlanningCharts(out, plan, sum.Planning, workers)
}

// forEach calls fn(0), ..., fn(n-1) on up to workers goroutines and
// returns the error of the lowest i that failed.
func forEach(n, workers int, fn func(i int) error) error {
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < max(1, min(workers, n)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// newBar returns a progress bar on stderr when it is a terminal, else nil.
func newBar(stderr io.Writer, total int) *progressbar.ProgressBar {
	f, ok := stderr.(*os.File)
	if !ok || total == 0 || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("cases"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
}
