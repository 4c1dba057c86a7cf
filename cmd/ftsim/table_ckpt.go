package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/ftsim/ftsim/results"
)

// printCheckpoints prints, for each policy's baseline, one row per SMP-FT
// VM with its checkpoint figures (means over replications): nothing when
// the results have no SMP-FT VM.
func printCheckpoints(w io.Writer, r results.Result) {
	if len(r.Runs) == 0 {
		return
	}
	var vms []string
	for _, v := range r.Runs[0].VMs {
		if v.SMP() {
			vms = append(vms, v.VM)
		}
	}
	if len(vms) == 0 {
		return
	}
	fmt.Fprintln(w, "\nSMP-FT checkpoints (baseline, means over replications)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "policy\tVM\tinterval\tcheckpoint\tstun\tthrottled\tmean output\tp99 output\t")
	for _, p := range r.Policies() {
		for _, s := range r.Summary {
			if s.Policy != p || s.FailureCase != results.Baseline || !s.Applicable {
				continue
			}
			for _, vm := range vms {
				m := func(name string) float64 {
					for _, x := range s.Metrics {
						if x.Object == vm && x.Name == name {
							return x.Mean
						}
					}
					return 0
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", p, vm,
					secs(m("checkpoint_interval_mean_s")), bytesText(m("checkpoint_bytes_mean")),
					pct(m("stun_fraction")), pct(m("throttled_fraction")),
					secs(m("output_delay_mean_s")), secs(m("output_delay_p99_s")))
			}
		}
	}
	tw.Flush()
}

// bytesText writes a byte count in decimal units (1.5 MB).
func bytesText(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.3g GB", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.3g MB", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.3g kB", v/1e3)
	}
	return fmt.Sprintf("%.0f B", v)
}
