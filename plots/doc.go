// Package plots draws ftsim's charts from a results.Result and its per-second
// time series, with gonum.org/v1/plot, and writes the self-contained HTML
// report. It never opens files: Charts and Planning build values, Render and
// Report write to an io.Writer the caller supplies.
//
// The charts (docs/model.md "Plots"), each a Chart named by the file stem the
// command line saves it under:
//
//   - utilisation: utilisation over time of every vmnic (both directions)
//     and inter-switch link, one panel per policy, the scenario's baseline
//     run, failures and failovers marked, the 75 % LBT threshold drawn;
//   - replay-lag: the highest replay lag of every FT VM in each second, on a
//     log scale, one panel per policy, with the SLA and the FT paper's 1 s
//     throttle line; a second in which a VM delivered nothing is left blank
//     (a lag of zero has no place on a log axis), and the time a VM ran
//     without a secondary is shaded;
//   - lag-cdf: the distribution of replay lag, one line per policy, all VMs
//     together weighted by the log data each produced: the CDF and, beside
//     it, its tail on a log scale, where p99 and p99.9 can be read;
//   - policy-comparison: p99 replay lag, peak utilisation and unprotected
//     time per policy, the baseline beside the worst single failure (N-1);
//   - utilisation-worst and replay-lag-worst: the two time charts again for
//     each policy's worst single failure, when the run compared N-1 cases.
//
// A batch sweep draws the planning chart with Planning: a figure against
// the swept parameter, a line per policy, the SLA and each policy's largest
// passing value marked.
//
// The time charts show the first replication. Every chart is sized for
// 1200 x 800 pixels at 96 dpi (multi-panel charts grow taller beyond four
// policies). Log axes are linear axes over log10 of the values, labelled
// per decade, because gonum's LogScale misplaces axis labels. Colours are
// fixed per policy (the order of model.AllPolicies) and per link or VM
// within a chart, so the same object keeps its colour from panel to panel.
// Policies that were not applicable to the topology are left out of the
// charts and named in the chart's notes.
package plots
