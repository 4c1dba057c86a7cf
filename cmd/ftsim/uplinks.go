package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/ftsim/ftsim/results"
)

// printUplinks prints which uplink carries each host's FT traffic, before
// and after each failure: for the baseline and (with n_minus_1) each
// policy's worst single failure. Policies whose tables are the same are
// printed once, under all their names.
func printUplinks(w io.Writer, r results.Result) {
	for _, g := range results.UplinkGroups(r) {
		fmt.Fprintf(w, "\nFT uplinks, %s, %s\n  share of each host's FT bytes sent / received, peak utilisation\n",
			g.Table.FailureCase, strings.Join(g.Policies, " = "))
		io.WriteString(w, uplinkText(g.Table))
	}
}

// uplinkText lays out one uplink table: a row per host vmnic, a column
// per phase of the run (three at most side by side, so lines fit 100
// columns), what starts each phase in a note under it.
func uplinkText(t results.UplinkTable) string {
	const perBlock = 3
	var b bytes.Buffer
	for lo := 0; lo < len(t.Phases); lo += perBlock {
		hi := min(lo+perBlock, len(t.Phases))
		tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
		hdr := []string{"  host", "vmnic"}
		var notes []string
		for k := lo; k < hi; k++ {
			ph := t.Phases[k]
			h := fmt.Sprintf("%g-%g s", ph.From, ph.To)
			if ph.After != "" {
				h += fmt.Sprintf(" (%d)", k)
				notes = append(notes, fmt.Sprintf("  (%d) from %g s: after %s", k, ph.From, ph.After))
			}
			hdr = append(hdr, h)
		}
		if lo > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintln(tw, strings.Join(hdr, "\t"))
		for _, h := range t.Hosts {
			for i, v := range h.Vmnics {
				host := ""
				if i == 0 {
					host = h.Host
				}
				row := []string{"  " + host, v.Vmnic}
				for _, c := range v.Cells[lo:hi] {
					row = append(row, fmt.Sprintf("%s / %s, %s", sharePct(c.SentShare), sharePct(c.ReceivedShare), pct(c.Peak)))
				}
				fmt.Fprintln(tw, strings.Join(row, "\t"))
			}
		}
		tw.Flush()
		for _, n := range notes {
			b.WriteString(n + "\n")
		}
	}
	return b.String()
}

// sharePct writes a share as a whole percentage, "-" when the host had
// no FT traffic that way.
func sharePct(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.0f %%", v*100)
}
