package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
	"github.com/ftsim/ftsim/sim"
)

type runFlags struct {
	out          string
	policies     cli.StringSlice
	seed         uint64
	duration     string
	replications int
	format       string
	noPlots      bool
	plotFormat   string
	failOnSLA    bool
	parallel     int
	shard        string
	series       string
}

func runCommand() *cli.Command {
	var f runFlags
	return &cli.Command{
		Name:      "run",
		Usage:     "simulate a scenario and report every policy and failure case against the SLA",
		ArgsUsage: "SCENARIO.yaml",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "output `DIR`", DefaultText: "ftsim-out/<scenario>/", Destination: &f.out},
			&cli.StringSliceFlag{Name: "policy", Usage: "run only `POLICY` (repeatable)", Destination: &f.policies},
			&cli.Uint64Flag{Name: "seed", Usage: "root `SEED`", DefaultText: "the scenario's", Destination: &f.seed},
			&cli.StringFlag{Name: "duration", Usage: "simulated `TIME`, e.g. 10m", DefaultText: "the scenario's", Destination: &f.duration},
			&cli.IntFlag{Name: "replications", Usage: "`N` independent runs", DefaultText: "the scenario's", Destination: &f.replications},
			&cli.StringFlag{Name: "format", Value: "table", Usage: "print `FORMAT`: table, json (results.json) or csv (per-run summary)", Destination: &f.format},
			&cli.BoolFlag{Name: "no-plots", Usage: "write no charts and no report", Destination: &f.noPlots},
			&cli.StringFlag{Name: "plot-format", Value: "png", Usage: "chart `FORMAT`: png, svg or pdf", Destination: &f.plotFormat},
			&cli.BoolFlag{Name: "fail-on-sla", Usage: "exit with status 1 when a verdict fails", Destination: &f.failOnSLA},
			&cli.IntFlag{Name: "parallel", Usage: "`N` runs simulated at once", DefaultText: "all cores", Destination: &f.parallel},
			&cli.StringFlag{Name: "shard", Usage: "simulate only shard `I/N` of the failure cases, for ftsim merge (auto/N: I from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID)", Destination: &f.shard},
			&cli.StringFlag{Name: "series", Usage: "time `SERIES` kept: all, worst (baseline and each policy's worst single failure; the default with n_minus_1) or none", Destination: &f.series},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return badInput(errors.New("ftsim run: give one scenario file"))
			}
			return run(c.Context, c.App.Writer, c.App.ErrWriter, c.Args().First(), f, os.Args)
		},
	}
}

func run(ctx context.Context, stdout, stderr io.Writer, path string, f runFlags, argv []string) error {
	switch f.format {
	case "table", "json", "csv":
	default:
		return badInput(fmt.Errorf("ftsim run: --format %q: want table, json or csv", f.format))
	}
	switch f.plotFormat {
	case "png", "svg", "pdf":
	default:
		return badInput(fmt.Errorf("ftsim run: --plot-format %q: want png, svg or pdf", f.plotFormat))
	}
	sc, err := model.Load(path)
	if err == nil {
		// As validate does: each sweep value must give a valid scenario,
		// even though run simulates the scenario as written.
		err = model.CheckSweepValues(sc)
	}
	if err != nil {
		return badInput(err)
	}
	printWarnings(stderr, sc.Warnings)
	series := ""
	if f.shard == "" {
		if series, err = seriesMode(f.series, isNMinus1(sc)); err != nil {
			return badInput(fmt.Errorf("ftsim run: %w", err))
		}
	}
	opts := sim.Options{NoSeries: series == seriesNone, Seed: f.seed, Replications: f.replications, Parallel: f.parallel,
		SeriesWorst: series == seriesWorst}
	if opts.Parallel <= 0 {
		opts.Parallel = defaultParallel()
	}
	if f.duration != "" {
		d, err := model.ParseDuration(f.duration)
		if err != nil {
			return badInput(fmt.Errorf("ftsim run: --duration: %w", err))
		}
		if d <= sc.Warmup {
			return badInput(fmt.Errorf("ftsim run: --duration %s is not longer than the warm-up (%s)", f.duration, sc.Warmup))
		}
		if err := sc.FailuresAfter(d, "--duration "+f.duration); err != nil {
			return badInput(err)
		}
		opts.Duration = float64(d)
	}
	for _, p := range f.policies.Value() {
		pol, ok := model.ParsePolicy(p)
		if !ok {
			return badInput(fmt.Errorf("ftsim run: --policy %q is not a teaming policy (see ftsim policies)", p))
		}
		opts.Policies = append(opts.Policies, pol)
	}
	if err := model.CheckRunSize(sc, opts.Duration, opts.Replications, len(opts.Policies)); err != nil {
		return badInput(fmt.Errorf("ftsim run: %s: %w", path, err))
	}
	out := f.out
	if out == "" {
		out = filepath.Join("ftsim-out", sc.Name)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if f.shard != "" {
		return runShard(ctx, stdout, stderr, path, sc, opts, f, out, argv)
	}
	// The output folder is checked (and staged) before simulating, so a
	// bad --out costs nothing; the run's files replace it whole at the end.
	od, err := prepareOutDir(out)
	if err != nil {
		return badInput(fmt.Errorf("ftsim run: %w", err))
	}
	defer od.abort()
	bar := newProgress(stderr, "simulating", "simulated seconds")
	opts.Progress = bar.update
	opts.Runs = bar.runs
	res, err := sim.Run(ctx, sc, opts)
	bar.finish()
	if err != nil {
		if errors.Is(err, sim.ErrConservation) {
			return internal(err)
		}
		if ctx.Err() != nil {
			return &exitError{exitInterrupted, fmt.Errorf("ftsim run: interrupted; %s was left as it was", od.final)}
		}
		return internal(err)
	}
	stage := od.stage
	res.Series = keepSeries(res, series)
	written, err := writeRunOutputs(stage, res, f, path, argv)
	for i := range written {
		written[i] = od.finalPath(written[i])
	}
	if err == nil {
		err = od.commit()
	}
	if err != nil { // a full disk, say: the staged files go, the folder stays
		msg := strings.ReplaceAll(err.Error(), stage, od.final)
		return internal(fmt.Errorf("ftsim run: %s; %s was left as it was", msg, od.final))
	}
	switch f.format {
	case "json":
		b, err := resultJSON(res)
		if err != nil {
			return internal(err)
		}
		stdout.Write(b)
	case "csv":
		if err := writeRunsCSV(stdout, res); err != nil {
			return internal(err)
		}
	default:
		printTables(stdout, res, isTerminal(stdout))
		fmt.Fprintf(stdout, "\nwrote %s\n", strings.Join(written, ", "))
	}
	if f.failOnSLA && !allPass(res) {
		return errSLAFailed
	}
	return nil
}

func printWarnings(w io.Writer, warns []*model.Error) {
	for _, e := range warns {
		fmt.Fprintln(w, e.Error())
	}
}

func allPass(r results.Result) bool {
	for _, s := range r.Summary {
		if s.Applicable && !s.Verdict.Pass {
			return false
		}
	}
	return true
}

// resultJSON is results.json: indented, with a final newline.
func resultJSON(r results.Result) ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// writeRunOutputs writes results.json, runs.csv, timeseries.csv and (unless
// --no-plots) the charts and report.html into dir, each file atomically.
func writeRunOutputs(dir string, r results.Result, f runFlags, scenario string, argv []string) ([]string, error) {
	var written []string
	b, err := resultJSON(r)
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, "results.json"), b); err != nil {
		return nil, err
	}
	written = append(written, filepath.Join(dir, "results.json"))
	var buf bytes.Buffer
	if err := writeRunsCSV(&buf, r); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, "runs.csv"), buf.Bytes()); err != nil {
		return nil, err
	}
	if err := writeAtomic(filepath.Join(dir, "timeseries.csv"), func(w io.Writer) error {
		return results.WriteSeriesCSV(w, r.Series)
	}); err != nil {
		return nil, err
	}
	written = append(written, filepath.Join(dir, "timeseries.csv"))
	if f.noPlots {
		return written, nil
	}
	charts, err := writeCharts(dir, r, r.Series, f.plotFormat)
	if err != nil {
		return nil, err
	}
	written = append(written, fmt.Sprintf("%d charts", len(charts)))
	if err := writeReport(dir, r, r.Series, reportInput(scenario, argv)); err != nil {
		return nil, err
	}
	written = append(written, filepath.Join(dir, "report.html"))
	return written, nil
}

// writeRunsCSV prints one row per run with its run-wide figures.
func writeRunsCSV(w io.Writer, r results.Result) error {
	var b strings.Builder
	b.WriteString("policy,failure_case,replication,seed,applicable,worst_replay_lag_p99_s,max_output_delay_p99_s,max_utilisation_peak,max_throttled_fraction,max_unprotected_s,verdict\n")
	for _, rr := range r.Runs {
		var lag, od, util, thr, unp float64
		for _, v := range rr.VMs {
			lag, od = max(lag, v.ReplayLagP99), max(od, v.OutputDelayP99)
			thr, unp = max(thr, v.ThrottledFraction), max(unp, v.UnprotectedS)
		}
		for _, l := range rr.Links {
			util = max(util, l.UtilisationPeak)
		}
		verdict := "pass"
		if !rr.Applicable {
			verdict = "n/a"
		} else if !rr.Verdict.Pass {
			verdict = "fail"
		}
		fmt.Fprintf(&b, "%s,%s,%d,%d,%t,%.6g,%.6g,%.6g,%.6g,%.6g,%s\n", rr.Policy, rr.FailureCase, rr.Replication,
			rr.Seed, rr.Applicable, lag, od, util, thr, unp, verdict)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
