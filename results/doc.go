// Package results is what a run of ftsim produced, as plain data, and
// everything that reads or writes it without simulating: the Result
// written to results.json (runs, links, VMs, events, verdicts, summaries),
// the registry of metrics, SLA verdicts and 95 % confidence intervals, a
// batch's index.csv and summary.json with the planning answer, the
// per-second timeseries.csv, the uplink tables, and the shards of a run or
// a batch with their merges.
//
// The engine (package sim) fills a Result; the charts (package plots) and
// the command line read one, live or from a saved results.json, through
// this package alone, so neither needs the engine to redraw or merge.
//
// # One registry of metrics
//
// Every figure a verdict, a table, index.csv, summary.json or a chart names
// is one entry of the registry (metrics.go): its name in results.json, its
// unit, its label, how it is read from a VM or a link, how the run-wide
// figure is taken over VMs or links, and which SLA limit judges it. The
// summaries, verdicts, key figures, table columns and chart labels are
// written against the registry, so a new figure is one entry.
//
// # Queries
//
// Plots and the command line ask a Result the same questions through the
// same methods: Policies, FailureCases, Replications, WorstCase, and Figure
// (a figure of a policy and failure case for its worst VM or link, from the
// summaries or, failing them, the runs).
//
// # The worst case
//
// WorstCases and Result.WorstCase rank the failure cases of a policy by
// one rule (docs/model.md "compare"): a case in which a VM delivered
// nothing ranks worst whatever its lag figures, then the highest p99 replay
// lag, then time throttled, then time unprotected.
package results
