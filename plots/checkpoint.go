package plots

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/ftsim/ftsim/results"
)

// maxCheckpointPanels caps the panels of the checkpoint chart; the VMs
// beyond it are named in a note.
const maxCheckpointPanels = 12

// smpVMs lists the SMP-FT VMs of r (those with checkpoint figures), in
// the order the first run names them.
func smpVMs(r results.Result) []string {
	var out []string
	if len(r.Runs) == 0 {
		return nil
	}
	for _, v := range r.Runs[0].VMs {
		if v.SMP() {
			out = append(out, v.VM)
		}
	}
	return out
}

// Checkpoints charts, for the first applicable policy's main failure case,
// the mean checkpoint interval and the mean output delay of each SMP-FT VM
// in each second: one panel per VM (at most maxCheckpointPanels), both on
// one time axis in milliseconds.
func Checkpoints(r results.Result, series []results.Series) (Chart, error) {
	if len(series) == 0 {
		series = r.Series
	}
	vms := smpVMs(r)
	if len(vms) == 0 {
		return Chart{}, errNoData{"SMP-FT VM"}
	}
	policies, notes := applicablePolicies(r)
	if len(policies) == 0 {
		return Chart{}, errNoData{"applicable policy"}
	}
	policy, fc := policies[0], mainCase(r)
	rep := lowestReplication(series, policy, fc)
	ivs := seriesFor(series, policy, fc, rep, results.MetricCheckpointInterval)
	ods := seriesFor(series, policy, fc, rep, results.MetricOutputDelay)
	if len(ivs) == 0 {
		return Chart{}, errNoSeries{results.MetricCheckpointInterval}
	}
	byVM := func(ss []results.Series, vm string) *results.Series {
		for i := range ss {
			if ss[i].Object == vm {
				return &ss[i]
			}
		}
		return nil
	}
	if len(vms) > maxCheckpointPanels {
		notes = append(notes, fmt.Sprintf("%d more SMP-FT VMs not drawn (results.json has their figures)", len(vms)-maxCheckpointPanels))
		vms = vms[:maxCheckpointPanels]
	}
	ivStyle := lineStyle(objectColor(0), 1.5)
	odStyle := lineStyle(objectColor(1), 1.5, vg.Points(4), vg.Points(2))
	var panels []*plot.Plot
	span := r.Duration
	for _, vm := range vms {
		p := newPlot(vm+" ("+policy+", "+fc+")", "time (s)", "milliseconds")
		top := 0.0
		for i, s := range []*results.Series{byVM(ivs, vm), byVM(ods, vm)} {
			if s == nil {
				continue
			}
			xys := make(plotter.XYs, 0, s.Len())
			for k := 0; k < s.Len(); k++ {
				x, y := s.XY(k)
				if y > 0 && !math.IsInf(y, 0) && !math.IsNaN(y) {
					xys = append(xys, plotter.XY{X: x, Y: y * 1e3})
					top = math.Max(top, y*1e3)
				}
			}
			if len(xys) == 0 {
				continue
			}
			l, err := plotter.NewLine(xys)
			if err != nil {
				return Chart{}, fmt.Errorf("plots: %s: %w", vm, err)
			}
			l.LineStyle = ivStyle
			if i == 1 {
				l.LineStyle = odStyle
			}
			p.Add(l)
		}
		p.X.Min, p.X.Max = 0, span
		p.Y.Min, p.Y.Max = 0, math.Max(1, top*1.15)
		panels = append(panels, p)
	}
	legend := newLegend()
	iv, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 0}})
	iv.LineStyle = ivStyle
	od, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 0}})
	od.LineStyle = odStyle
	legend.Add("checkpoint interval (epoch running time)", iv)
	legend.Add("output delay, time-weighted mean", od)
	rows, cols, h := layout(len(panels))
	return Chart{
		Name:  "checkpoints",
		Title: "SMP-FT checkpoint interval and output delay over time",
		Caption: "For each SMP-FT VM, the mean running time of the epochs that ended in each second " +
			"(the checkpoint interval) and the time-weighted mean delay of the guest output released " +
			"by the checkpoints acknowledged in it: output is held from the moment it is produced " +
			"until its epoch's checkpoint is acknowledged, so it waits about half an interval plus " +
			"the stun, the transfer and the ack. A second without a new value repeats the last one.",
		Notes:  notes,
		Panels: gridOf(panels, rows, cols),
		Legend: &legend,
		Width:  Width,
		Height: h,
	}, nil
}

// ftModeWords explains the two FT modes, a sentence each, when the results
// hold SMP-FT VMs, and names the VMs of each mode.
func ftModeWords(r results.Result) []string {
	smp := smpVMs(r)
	if len(smp) == 0 {
		return nil
	}
	var legacy []string
	for _, v := range r.Runs[0].VMs {
		if !v.SMP() {
			legacy = append(legacy, v.VM)
		}
	}
	out := []string{
		"SMP-FT (fast checkpointing, vSphere 6.0 and later: " + strings.Join(smp, ", ") + ") runs each VM in epochs, " +
			"stuns it to copy the memory it dirtied, sends that checkpoint with the epoch's disk writes and network " +
			"input, and holds the VM's network output until the checkpoint is acknowledged, so output waits about " +
			"half an interval plus the stun, transfer and ack (milliseconds), and replay lag is the age of the " +
			"secondary's state when a checkpoint is complete.",
	}
	if len(legacy) > 0 {
		out = append(out, "Legacy FT (record/replay, 1 vCPU: "+strings.Join(legacy, ", ")+") streams a log of "+
			"non-deterministic inputs that the secondary replays a little behind, and holds output only until the "+
			"log entries before it are acknowledged (hundreds of microseconds on a LAN).")
	} else {
		out = append(out, "Legacy FT (record/replay, 1 vCPU) would instead stream a log of non-deterministic "+
			"inputs and hold output only until the log entries before it are acknowledged (hundreds of microseconds "+
			"on a LAN); no VM here uses it.")
	}
	return out
}
