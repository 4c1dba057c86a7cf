package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
	"github.com/ftsim/ftsim/sim"
)

// A sharded run: `ftsim run SCENARIO --shard I/N` simulates the failure
// cases at positions p with p mod N = I (each with every policy and
// replication) and writes a shard folder: the partial results.json, the
// time series of replication 0 of every run it holds, and, last, shard.json
// (runShardManifest). `ftsim merge` of the N folders writes the files the
// unsharded run writes, byte for byte.

// runShardKind marks the shard.json of a run shard (a batch shard's has no
// kind).
const runShardKind = "run"

// Time series kept (--series).
const (
	seriesAll   = "all"
	seriesWorst = "worst"
	seriesNone  = "none"
)

// runShardManifest is the shard.json of a run shard: which shard of which
// run it is, what it holds, and the checksums of its files, so merge can
// refuse a missing, duplicated, unfinished or foreign shard.
type runShardManifest struct {
	Kind              string              `json:"kind"`
	Shard             int                 `json:"shard"`
	Shards            int                 `json:"shards"`
	Scenario          string              `json:"scenario"`
	ScenarioFile      string              `json:"scenario_file"`
	ScenarioSHA256    string              `json:"scenario_sha256"`
	Command           []string            `json:"command"` // the run's arguments without --shard, --out, --parallel
	NMinus1           bool                `json:"n_minus_1"`
	NoPlots           bool                `json:"no_plots"`
	PlotFormat        string              `json:"plot_format"`
	FailureCases      []string            `json:"failure_cases"`
	FailureCasesTotal int                 `json:"failure_cases_total"`
	SamePaths         []results.SamePaths `json:"same_paths"`
	Files             map[string]string   `json:"files"` // name -> SHA-256 of its content
}

// seriesMode checks a --series value; "" takes the default: worst with
// n_minus_1, else all.
func seriesMode(v string, nMinus1 bool) (string, error) {
	switch v {
	case "":
		if nMinus1 {
			return seriesWorst, nil
		}
		return seriesAll, nil
	case seriesAll, seriesWorst, seriesNone:
		return v, nil
	}
	return "", fmt.Errorf("--series %q: want all, worst or none", v)
}

// keepSeries returns the time series of r that mode keeps: all, none, or
// worst (the baseline and each policy's worst single failure).
func keepSeries(r results.Result, mode string) []results.Series {
	switch mode {
	case seriesNone:
		return nil
	case seriesWorst:
		var out []results.Series
		for _, s := range r.Series {
			keep := s.FailureCase == results.Baseline
			for _, w := range r.Worst {
				keep = keep || w.Policy == s.Policy && w.FailureCase == s.FailureCase
			}
			if keep {
				out = append(out, s)
			}
		}
		return out
	}
	return r.Series
}

// reproduceArgs drops from a run's arguments what changes where or how
// fast results are written but not the results: --out, --parallel and
// --shard, with their values. The report names the rest.
func reproduceArgs(args []string) []string {
	drop := map[string]bool{"out": true, "parallel": true, "shard": true}
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		name, _, inline := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && drop[name] {
			if !inline {
				i++ // the value
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

func isNMinus1(sc *model.Scenario) bool { return sc.Compare != nil && sc.Compare.NMinus1 }

// runShard is `ftsim run SCENARIO --shard I/N`.
func runShard(ctx context.Context, stdout, stderr io.Writer, path string, sc *model.Scenario, opts sim.Options, f runFlags, out string, argv []string) error {
	shard, err := results.ParseShard(f.shard, os.Getenv)
	if err != nil {
		return badInput(fmt.Errorf("ftsim run: --shard: %w", err))
	}
	switch {
	case f.series != "":
		return badInput(errors.New("ftsim run: --series is chosen when the shards are merged (a shard keeps every time series it simulates): give it to ftsim merge"))
	case f.failOnSLA:
		return badInput(errors.New("ftsim run: --fail-on-sla judges the whole run: give it to ftsim merge, not to a shard"))
	case f.format != "table":
		return badInput(fmt.Errorf("ftsim run: --format %s prints the whole run: a shard prints one line; merge the shards, then read results.json or runs.csv", f.format))
	case sc.Replications.Auto && f.replications <= 0:
		return badInput(fmt.Errorf("ftsim run: --shard: %w", sim.ErrShardAuto))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return badInput(fmt.Errorf("%s: %w", path, pathErrCause(err)))
	}
	sum := sha256.Sum256(data)
	if f.out == "" {
		out = filepath.Join("ftsim-out", fmt.Sprintf("%s.shard-%d-of-%d", sc.Name, shard.Index, shard.Count))
	}
	// The shard's files are staged beside out and replace it whole, so a
	// shard cut short never leaves a folder merge could take for finished.
	od, err := prepareOutDir(out)
	if err != nil {
		return badInput(fmt.Errorf("ftsim run: %w", err))
	}
	defer od.abort()
	opts.Shard = shard
	opts.NoSeries = false
	bar := newProgress(stderr, "simulating shard "+shard.String(), "simulated seconds")
	opts.Progress = bar.update
	res, err := sim.Run(ctx, sc, opts)
	bar.finish()
	if err != nil {
		if ctx.Err() != nil {
			return &exitError{exitInterrupted, fmt.Errorf("ftsim run: shard %s interrupted; nothing was written; run it again", shard)}
		}
		return internal(err)
	}
	files := map[string][]byte{}
	if files[resultsFile], err = resultJSON(res); err != nil {
		return internal(err)
	}
	var ts bytes.Buffer
	if err := results.WriteSeriesCSV(&ts, res.Series); err != nil {
		return internal(err)
	}
	files[seriesFile] = ts.Bytes()
	var command []string
	if len(argv) > 1 {
		command = reproduceArgs(argv[1:])
	}
	m := runShardManifest{Kind: runShardKind, Shard: shard.Index, Shards: shard.Count, Scenario: sc.Name,
		ScenarioFile: path, ScenarioSHA256: hex.EncodeToString(sum[:]), Command: command,
		NMinus1: isNMinus1(sc), NoPlots: f.noPlots, PlotFormat: f.plotFormat,
		FailureCases: res.Shard.FailureCases, FailureCasesTotal: res.Shard.FailureCasesTotal,
		SamePaths: res.SamePaths, Files: map[string]string{}}
	if m.SamePaths == nil {
		m.SamePaths = []results.SamePaths{}
	}
	for _, name := range []string{resultsFile, seriesFile} {
		h := sha256.Sum256(files[name])
		m.Files[name] = hex.EncodeToString(h[:])
		if err := writeFileAtomic(filepath.Join(od.stage, name), files[name]); err != nil {
			return internal(err)
		}
	}
	if err := writeJSON(filepath.Join(od.stage, shardFile), m); err != nil {
		return internal(err)
	}
	if err := od.commit(); err != nil {
		return internal(fmt.Errorf("ftsim run: %w; %s was left as it was", err, out))
	}
	fmt.Fprintf(stdout, "shard %s: %d of %d failure cases, %d runs; wrote %s\nmerge the %d shard folders with: ftsim merge DIR... --out DIR\n",
		shard, len(m.FailureCases), m.FailureCasesTotal, len(res.Runs), out, shard.Count)
	return nil
}

// seriesFile is the time series a run writes.
const seriesFile = "timeseries.csv"

// runShardDir is one shard folder given to merge.
type runShardDir struct {
	dir string
	m   runShardManifest
}

// isRunShards reports whether the folders to merge are run shards (their
// shard.json says so, or a results.json of a run sits at the top), not
// batch shards.
func isRunShards(dirs []string) bool {
	for _, d := range dirs {
		if m, ok := readRunManifest(d); ok && m.Kind == runShardKind {
			return true
		}
		if _, err := os.Stat(filepath.Join(d, resultsFile)); err == nil {
			return true
		}
	}
	return false
}

func readRunManifest(dir string) (runShardManifest, bool) {
	var m runShardManifest
	data, err := os.ReadFile(filepath.Join(dir, shardFile))
	if err != nil || json.Unmarshal(data, &m) != nil {
		return m, false
	}
	return m, true
}

// mergeRun is `ftsim merge` of run shards: it checks that the folders are
// the N finished shards of one run, once each, joins them and writes what
// the unsharded run writes into out.
func mergeRun(stdout io.Writer, dirs []string, out, series string, failOnSLA bool) error {
	absOut, err := filepath.Abs(out)
	if err != nil {
		return badInput(err)
	}
	var shards []runShardDir
	for _, d := range dirs {
		if abs, err := filepath.Abs(d); err == nil && abs == absOut {
			return badInput(fmt.Errorf("%s: --out must be a folder other than the ones merged", d))
		}
		s, err := readRunShard(d)
		if err != nil {
			return badInput(err)
		}
		shards = append(shards, s)
	}
	first := shards[0]
	byIndex := map[int]string{}
	for _, s := range shards {
		if err := sameShardedRun(first, s); err != nil {
			return badInput(err)
		}
		if prev, dup := byIndex[s.m.Shard]; dup {
			return badInput(fmt.Errorf("%s and %s are both shard %d/%d; give each shard's folder once",
				prev, s.dir, s.m.Shard, s.m.Shards))
		}
		byIndex[s.m.Shard] = s.dir
	}
	if n := first.m.Shards - len(byIndex); n > 0 {
		// Name the first few: N comes from a file and may be large.
		var missing []string
		for i := 0; i < first.m.Shards && len(missing) < 10; i++ {
			if _, ok := byIndex[i]; !ok {
				missing = append(missing, fmt.Sprintf("%d/%d", i, first.m.Shards))
			}
		}
		if n > len(missing) {
			missing = append(missing, fmt.Sprintf("and %d more", n-len(missing)))
		}
		return badInput(fmt.Errorf("shard %s of the run of %s missing; give the folder of every shard (run a missing one with --shard I/%d)",
			strings.Join(missing, ", "), first.m.ScenarioFile, first.m.Shards))
	}
	sort.Slice(shards, func(i, j int) bool { return shards[i].m.Shard < shards[j].m.Shard })
	mode, err := seriesMode(series, first.m.NMinus1)
	if err != nil {
		return badInput(fmt.Errorf("ftsim merge: %w", err))
	}
	// Results first, without series: the worst cases say which series to
	// keep, and each shard's series are then read and narrowed one shard
	// at a time, so the merge holds no more series than it writes.
	parts := make([]results.Result, len(shards))
	for i, s := range shards {
		if parts[i], err = readShardResult(s); err != nil {
			return badInput(err)
		}
	}
	res, err := results.MergeShards(parts, first.m.NMinus1)
	if err != nil {
		return badInput(fmt.Errorf("ftsim merge: %w", err))
	}
	if mode != seriesNone {
		for i, s := range shards {
			all, err := readShardSeries(s)
			if err != nil {
				return badInput(err)
			}
			parts[i].Series = keepSeries(results.Result{Series: all, Worst: res.Worst}, mode)
		}
		if res, err = results.MergeShards(parts, first.m.NMinus1); err != nil {
			return badInput(fmt.Errorf("ftsim merge: %w", err))
		}
	}
	argv := append([]string{"ftsim"}, first.m.Command...)
	if series != "" {
		argv = append(argv, "--series", series)
	}
	f := runFlags{noPlots: first.m.NoPlots, plotFormat: first.m.PlotFormat}
	written, err := writeRunOutputs(out, res, f, first.m.ScenarioFile, argv)
	if err != nil {
		return internal(err)
	}
	printTables(stdout, res, isTerminal(stdout))
	fmt.Fprintf(stdout, "\nmerged %d shards; wrote %s\n", len(shards), strings.Join(written, ", "))
	if failOnSLA && !allPass(res) {
		return errSLAFailed
	}
	return nil
}

// readRunShard reads and checks the shard.json of a run shard folder.
func readRunShard(dir string) (runShardDir, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return runShardDir{}, fmt.Errorf("%s: no such shard folder", dir)
	}
	data, err := os.ReadFile(filepath.Join(dir, shardFile))
	if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, resultsFile)); err == nil {
			if r, err := readResult(filepath.Join(dir, resultsFile)); err == nil && r.Shard == nil {
				return runShardDir{}, fmt.Errorf("%s: the output of a whole run, not of a shard (run it with --shard I/N)", dir)
			}
		}
		return runShardDir{}, fmt.Errorf("%s: the shard there did not finish (no %s); run it again", dir, shardFile)
	}
	if err != nil {
		return runShardDir{}, fmt.Errorf("%s: %w", dir, pathErrCause(err))
	}
	var m runShardManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return runShardDir{}, fmt.Errorf("%s: %w", filepath.Join(dir, shardFile), err)
	}
	if m.Kind != runShardKind {
		return runShardDir{}, fmt.Errorf("%s: a shard of a batch, not of a run: merge the shards of one run, or of one batch, at a time", dir)
	}
	if m.Shards < 1 || m.Shard < 0 || m.Shard >= m.Shards {
		return runShardDir{}, fmt.Errorf("%s: shard %d/%d is not a shard", filepath.Join(dir, shardFile), m.Shard, m.Shards)
	}
	for _, name := range []string{resultsFile, seriesFile} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return runShardDir{}, fmt.Errorf("%s: shard %d/%d has no readable %s; run it again", dir, m.Shard, m.Shards, name)
		}
		h := sha256.Sum256(data)
		if hex.EncodeToString(h[:]) != m.Files[name] {
			return runShardDir{}, fmt.Errorf("%s: %s changed after shard %d/%d finished (a second run cut short?); run the shard again",
				dir, name, m.Shard, m.Shards)
		}
	}
	return runShardDir{dir: dir, m: m}, nil
}

// sameShardedRun refuses s when it is a shard of another run than first.
func sameShardedRun(first, s runShardDir) error {
	a, b := first.m, s.m
	foreign := func(what string) error {
		return fmt.Errorf("%s is a shard of another run than %s (%s); merge the shards of one run", s.dir, first.dir, what)
	}
	switch {
	case a.Shards != b.Shards:
		return foreign(fmt.Sprintf("%d shards, not %d", b.Shards, a.Shards))
	case a.Scenario != b.Scenario:
		return foreign(fmt.Sprintf("scenario %s, not %s", b.Scenario, a.Scenario))
	case a.ScenarioSHA256 != b.ScenarioSHA256:
		return foreign("another version of the scenario file")
	case !slices.Equal(a.Command, b.Command):
		return foreign(fmt.Sprintf("ftsim %s, not ftsim %s", strings.Join(b.Command, " "), strings.Join(a.Command, " ")))
	case a.FailureCasesTotal != b.FailureCasesTotal || a.NMinus1 != b.NMinus1:
		return foreign("other failure cases")
	}
	return nil
}

// readShardSeries reads a shard's timeseries.csv.
func readShardSeries(s runShardDir) ([]results.Series, error) {
	p := filepath.Join(s.dir, seriesFile)
	fh, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, pathErrCause(err))
	}
	defer fh.Close()
	series, err := results.ReadSeriesCSV(fh)
	if err != nil {
		var ce *results.CSVError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("%s:%d: %s", p, ce.Line, ce.Msg)
		}
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return series, nil
}

// readShardResult reads a shard's results.json (its time series are read
// by readShardSeries).
func readShardResult(s runShardDir) (results.Result, error) {
	r, err := readResult(filepath.Join(s.dir, resultsFile))
	if err != nil {
		return r, err
	}
	if r.Shard == nil || r.Shard.Index != s.m.Shard || r.Shard.Count != s.m.Shards ||
		!slices.Equal(r.Shard.FailureCases, s.m.FailureCases) {
		return r, fmt.Errorf("%s: results.json is not the result of shard %d/%d", s.dir, s.m.Shard, s.m.Shards)
	}
	r.SamePaths = s.m.SamePaths
	if len(r.SamePaths) == 0 {
		r.SamePaths = nil
	}
	return r, nil
}
