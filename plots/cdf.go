package plots

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/ftsim/ftsim/results"
)

// cdfPoints is the number of points each CDF line is drawn with.
const cdfPoints = 240

// errNoData is returned when a chart has no figures to draw.
type errNoData struct{ what string }

func (e errNoData) Error() string { return "plots: " + e.reason() }

func (e errNoData) reason() string { return "no " + e.what + " in the results" }

// weighted is one distribution of a mixture.
type weighted struct {
	qs []results.Quantile // sorted by value
	w  float64
}

// LagCDF charts the distribution of replay lag of each policy's baseline:
// all FT VMs and replications together, each VM weighted by the log data it
// produced (messages have one size, so this weighs by messages). The left
// panel is the CDF; the right one the tail (the share of messages above a
// lag) on a log scale, where p99 and p99.9 can be read.
func LagCDF(r results.Result) (Chart, error) {
	policies, notes := applicablePolicies(r)
	fc := mainCase(r)
	lo, hi := math.Inf(1), math.Inf(-1)
	mixtures := map[string][]weighted{}
	var drawn []string
	for _, policy := range policies {
		mix := lagMixture(r, policy, fc)
		if len(mix) == 0 {
			notes = append(notes, fmt.Sprintf("%s: no replay lag distribution", policy))
			continue
		}
		for _, d := range mix {
			for _, q := range d.qs { // a histogram's minimum may read 0
				if q.Value > 0 {
					lo = math.Min(lo, math.Max(q.Value, lagFloor))
					break
				}
			}
			hi = math.Max(hi, math.Max(d.qs[len(d.qs)-1].Value, lagFloor))
		}
		mixtures[policy] = mix
		drawn = append(drawn, policy)
	}
	if len(drawn) == 0 {
		return Chart{}, errNoData{"replay lag quantiles"}
	}
	if math.IsInf(lo, 1) || lo > hi { // every lag read zero
		lo, hi = lagFloor, math.Max(hi, lagFloor)
	}
	sla := r.SLA.ReplayLagP99
	if sla != nil && *sla > 0 {
		lo, hi = math.Min(lo, *sla), math.Max(hi, *sla)
	}
	xmin, xmax := decadeBounds(lo, hi)
	if xmax <= xmin {
		xmax = xmin + 1
	}
	cdf := newPlot("cumulative distribution", "replay lag (log scale)", "fraction of log messages with lag ≤ x")
	tail := newPlot("tail", "replay lag (log scale)", "share of log messages with lag > x (log scale)")
	legend := newLegend()
	for _, p := range []*plot.Plot{cdf, tail} {
		p.X.Tick.Marker = durationTicks
		p.X.Min, p.X.Max = xmin, xmax
	}
	for _, policy := range drawn {
		var up, down plotter.XYs
		floor := math.Log10(tailFloor)
		for i := 0; i <= cdfPoints; i++ {
			x := xmin + (xmax-xmin)*float64(i)/cdfPoints // log10 of the lag
			f := mixtureCDF(mixtures[policy], math.Pow(10, x))
			up = append(up, plotter.XY{X: x, Y: f})
			if len(down) == 0 || down[len(down)-1].Y > floor {
				down = append(down, plotter.XY{X: x, Y: lg(1-f, tailFloor)})
			}
		}
		sty := lineStyle(PolicyColor(policy), 2.5, policyDashes(policy)...)
		for _, pl := range []struct {
			p   *plot.Plot
			xys plotter.XYs
		}{{cdf, up}, {tail, down}} {
			l, err := plotter.NewLine(pl.xys)
			if err != nil {
				return Chart{}, fmt.Errorf("plots: lag distribution of %s: %w", policy, err)
			}
			l.LineStyle = sty
			pl.p.Add(l)
		}
		legend.Add(policy, thumb(sty))
	}
	p99sty := lineStyle(colLimit, 1, vg.Points(2), vg.Points(2))
	cdf.Add(hline{Y: 0.99, Label: "p99", Style: p99sty, Left: true})
	tail.Add(hline{Y: -2, Label: "p99", Style: p99sty, Left: true})
	tail.Add(hline{Y: -3, Label: "p99.9", Style: p99sty, Left: true})
	legend.Add("percentile", thumb(p99sty))
	if sla != nil && *sla > 0 {
		v := vline{X: math.Log10(*sla), Label: "SLA p99 " + durationLabel(*sla), Style: lineStyle(colSLA, 1.5)}
		cdf.Add(v)
		tail.Add(v)
		legend.Add("SLA replay_lag_p99", v)
	}
	cdf.Y.Min, cdf.Y.Max = 0, 1
	tail.Y.Tick.Marker = shareTicks
	tail.Y.Min, tail.Y.Max = math.Log10(tailFloor), 0
	title := "Replay lag distribution per policy"
	if fc != results.Baseline {
		title += ", failure case " + fc
	}
	return Chart{
		Name:  "lag-cdf",
		Title: title,
		Caption: "Distribution of replay lag for each teaming policy: all FT VMs together " +
			"(weighted by the log data each produced) over every replication of the scenario " +
			"as written. Left, the cumulative distribution; right, its tail on a log scale: " +
			"where a curve crosses the p99 line is the policy's p99 lag.",
		Notes:  notes,
		Panels: [][]*plot.Plot{{cdf, tail}},
		Legend: &legend,
		Width:  Width,
		Height: Height,
	}, nil
}

// tailFloor is the smallest share the tail panel shows.
const tailFloor = 1e-4

// lagMixture gathers the lag distributions of every VM of every replication
// of policy and fc.
func lagMixture(r results.Result, policy, fc string) []weighted {
	var mix []weighted
	total := 0.0
	for _, run := range r.Runs {
		if run.Policy != policy || run.FailureCase != fc || !run.Applicable {
			continue
		}
		for _, vm := range run.VMs {
			qs := cleanQuantiles(vm.LagQuantiles)
			if len(qs) == 0 {
				continue
			}
			mix = append(mix, weighted{qs, vm.LoggedBytes})
			total += vm.LoggedBytes
		}
	}
	for i := range mix {
		if total > 0 {
			mix[i].w /= total
		} else {
			mix[i].w = 1 / float64(len(mix))
		}
	}
	return mix
}

// cleanQuantiles drops non-finite points and sorts by value.
func cleanQuantiles(in []results.Quantile) []results.Quantile {
	var qs []results.Quantile
	for _, q := range in {
		if math.IsNaN(q.Q) || math.IsNaN(q.Value) || math.IsInf(q.Value, 0) {
			continue
		}
		qs = append(qs, results.Quantile{Q: math.Min(math.Max(q.Q, 0), 1), Value: q.Value})
	}
	sort.SliceStable(qs, func(i, j int) bool {
		if qs[i].Value != qs[j].Value {
			return qs[i].Value < qs[j].Value
		}
		return qs[i].Q < qs[j].Q
	})
	return qs
}

// mixtureCDF is the weighted sum of the mixture's CDFs at x.
func mixtureCDF(mix []weighted, x float64) float64 {
	f := 0.0
	for _, d := range mix {
		f += d.w * quantileCDF(d.qs, x)
	}
	return math.Min(f, 1)
}

// quantileCDF is P(X <= x) from sorted quantile points, interpolated
// linearly in log x between them (values below the floor count as the
// floor); 0 before the first point, the last Q after the last one.
func quantileCDF(qs []results.Quantile, x float64) float64 {
	ln := func(v float64) float64 { return math.Log(math.Max(v, lagFloor)) }
	k := sort.Search(len(qs), func(i int) bool { return qs[i].Value > x })
	if k == 0 {
		return 0
	}
	if k == len(qs) {
		return qs[len(qs)-1].Q
	}
	a, b := qs[k-1], qs[k]
	la, lb := ln(a.Value), ln(b.Value)
	if lb <= la {
		return b.Q
	}
	t := (ln(x) - la) / (lb - la)
	return a.Q + t*(b.Q-a.Q)
}
