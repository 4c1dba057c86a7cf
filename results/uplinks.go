package results

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// UplinkTable answers "which uplink carries the FT stream, and what
// happens to it when one fails" for one policy and failure case: per host
// and vmnic, its share of the host's FT bytes sent and received and its
// peak utilisation, in each phase of the measured window (split at every
// failure and recovery). Shares are means over the replications, peaks
// the highest of any.
type UplinkTable struct {
	Policy      string
	FailureCase string
	Phases      []PhaseSpan
	Hosts       []UplinkHost
}

// PhaseSpan is when a phase runs and what starts it ("" for the first).
type PhaseSpan struct {
	From, To float64
	After    string
}

// UplinkHost is one host's vmnics in an UplinkTable.
type UplinkHost struct {
	Host   string
	Vmnics []UplinkRow
}

// UplinkRow is one vmnic: a cell per phase.
type UplinkRow struct {
	Vmnic string
	Cells []UplinkCell
}

// UplinkCell is a vmnic in one phase. A share is NaN when the host sent
// (or received) no FT bytes at all in the phase.
type UplinkCell struct {
	SentShare, ReceivedShare float64 // of the host's FT bytes, 0..1
	Peak                     float64 // highest utilisation of either direction, 0..1
}

// UplinkTables returns the uplink table of policy p and failure case fc
// in r; ok is false when r holds no applicable run of them with phases.
func UplinkTables(r Result, p, fc string) (UplinkTable, bool) {
	t := UplinkTable{Policy: p, FailureCase: fc}
	var runs []RunResult
	for _, rr := range r.Runs {
		if rr.Policy == p && rr.FailureCase == fc && rr.Applicable && len(rr.Phases) > 0 {
			runs = append(runs, rr)
		}
	}
	if len(runs) == 0 {
		return t, false
	}
	for _, ph := range runs[0].Phases {
		t.Phases = append(t.Phases, PhaseSpan{From: ph.From, To: ph.To, After: ph.After})
	}
	hostIx := map[string]int{}
	rowIx := map[[2]string]*UplinkRow{}
	for _, l := range runs[0].Phases[0].Links {
		if _, ok := hostIx[l.Host]; !ok {
			hostIx[l.Host] = len(t.Hosts)
			t.Hosts = append(t.Hosts, UplinkHost{Host: l.Host})
		}
		h := &t.Hosts[hostIx[l.Host]]
		if _, ok := rowIx[[2]string{l.Host, l.Vmnic}]; !ok {
			h.Vmnics = append(h.Vmnics, UplinkRow{Vmnic: l.Vmnic, Cells: make([]UplinkCell, len(t.Phases))})
			rowIx[[2]string{l.Host, l.Vmnic}] = nil
		}
	}
	for hi := range t.Hosts {
		for vi := range t.Hosts[hi].Vmnics {
			rowIx[[2]string{t.Hosts[hi].Host, t.Hosts[hi].Vmnics[vi].Vmnic}] = &t.Hosts[hi].Vmnics[vi]
		}
	}
	n := float64(len(runs))
	// rate is each host's highest FT bytes per second, sent and received,
	// over the phases: a phase in which a host moved less than a thousandth
	// of that (a host that is down) has no share to show.
	rate := map[[2]string]float64{}
	for _, rr := range runs {
		for _, ph := range rr.Phases {
			tot := map[[2]string]float64{}
			for _, l := range ph.Links {
				tot[[2]string{l.Host, l.Direction}] += l.FTBytes
			}
			for k, v := range tot {
				if d := ph.To - ph.From; d > 0 {
					rate[k] = math.Max(rate[k], v/d)
				}
			}
		}
	}
	for k := range t.Phases {
		for hi := range t.Hosts {
			host := t.Hosts[hi].Host
			// Shares per run, then their mean: each replication's split.
			for _, rr := range runs {
				if k >= len(rr.Phases) {
					continue
				}
				var sent, recv float64
				for _, l := range rr.Phases[k].Links {
					if l.Host != host {
						continue
					}
					if l.Direction == "tx" {
						sent += l.FTBytes
					} else {
						recv += l.FTBytes
					}
				}
				d := rr.Phases[k].To - rr.Phases[k].From
				if sent < 1e-3*rate[[2]string{host, "tx"}]*d {
					sent = 0
				}
				if recv < 1e-3*rate[[2]string{host, "rx"}]*d {
					recv = 0
				}
				for _, l := range rr.Phases[k].Links {
					row := rowIx[[2]string{l.Host, l.Vmnic}]
					if l.Host != host || row == nil {
						continue
					}
					c := &row.Cells[k]
					if l.Direction == "tx" {
						c.SentShare += share(l.FTBytes, sent) / n
					} else {
						c.ReceivedShare += share(l.FTBytes, recv) / n
					}
					c.Peak = math.Max(c.Peak, l.UtilisationPeak)
				}
			}
		}
	}
	return t, true
}

func share(x, total float64) float64 {
	if total <= 0 {
		return math.NaN()
	}
	return x / total
}

// UplinkGroup is the uplink table that several policies share in one
// failure case (the same figures to a tenth of a percent).
type UplinkGroup struct {
	Policies []string
	Table    UplinkTable
}

// UplinkGroups returns the uplink tables worth reading in r: the
// baseline's of every policy and, with n_minus_1, each policy's worst
// single failure's; policies whose tables agree are grouped.
func UplinkGroups(r Result) []UplinkGroup {
	var policies []string
	for _, s := range r.Summary {
		if !slices.Contains(policies, s.Policy) {
			policies = append(policies, s.Policy)
		}
	}
	cases := []string{Baseline}
	for _, wc := range r.Worst {
		if !slices.Contains(cases, wc.FailureCase) {
			cases = append(cases, wc.FailureCase)
		}
	}
	var out []UplinkGroup
	for _, fc := range cases {
		keys := map[string]int{}
		for _, p := range policies {
			if fc != Baseline && !slices.Contains(r.Worst, WorstCase{Policy: p, FailureCase: fc}) {
				continue
			}
			t, ok := UplinkTables(r, p, fc)
			if !ok {
				continue
			}
			k := t.key()
			if i, ok := keys[k]; ok {
				out[i].Policies = append(out[i].Policies, p)
				continue
			}
			keys[k] = len(out)
			out = append(out, UplinkGroup{Policies: []string{p}, Table: t})
		}
	}
	return out
}

// key writes what a reader of the table sees, rounded as printed.
func (t UplinkTable) key() string {
	var b strings.Builder
	for _, ph := range t.Phases {
		fmt.Fprintf(&b, "%g %g %s|", ph.From, ph.To, ph.After)
	}
	for _, h := range t.Hosts {
		for _, v := range h.Vmnics {
			fmt.Fprintf(&b, "%s/%s", h.Host, v.Vmnic)
			for _, c := range v.Cells {
				fmt.Fprintf(&b, " %.3f %.3f %.3f", c.SentShare, c.ReceivedShare, c.Peak)
			}
			b.WriteByte('|')
		}
	}
	return b.String()
}
