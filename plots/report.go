package plots

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/ftsim/ftsim/results"
)

// ReportInput is what a report needs besides the results.
type ReportInput struct {
	ScenarioFile string // the scenario file as given on the command line; "" if unknown
	Command      string // the command line that reproduces the run; "" writes "ftsim run FILE --seed N"
	Version      string // ftsim's version
}

// maxEventRows caps each run's events table in the report.
const maxEventRows = 500

//go:embed report.html.tmpl
var reportTemplate string

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{"seconds": eventTime}).Parse(reportTemplate))

// ReferenceFacts are the published facts the model rests on, with the
// section of docs/model.md each comes from; the report lists them.
var ReferenceFacts = []string{
	"Framing: a frame carries MTU − 52 bytes of log data and adds 90 bytes on the wire " +
		"(52 B of TCP/IPv4 headers with timestamps, 38 B of Ethernet preamble, header, FCS and " +
		"inter-frame gap): 8948 B per frame at MTU 9000, 1448 B at 1500 (docs/model.md 4).",
	"Beacon probing sends a probe every 1 s and declares an uplink down after 3 missed probes " +
		"(docs/model.md 1.8).",
	"Failback waits Net.TeamPolicyUpDelay, 100 ms by default, before using a recovered uplink " +
		"(docs/model.md 1.8); VMware publishes no link-down detection time, so link-status " +
		"detection after 100 ms is a model assumption.",
	"Route based on physical NIC load (LBT) checks the uplinks every 30 s and moves a port off " +
		"an uplink above 75 % utilisation (docs/model.md 1.5).",
	"The primary stalls when its log buffer is full, and FT slows it while replay lag exceeds " +
		"about 1 s (the FT paper, §3.2; docs/model.md 3); the paper publishes no buffer size.",
	"Legacy FT bandwidth estimate: (disk reads × 8 + network input) × 1.2, the 1.2 being about " +
		"20 % headroom (VMware's FT white paper; docs/model.md 2.1).",
}

// Report writes one self-contained HTML file about r: the scenario in
// words, the verdict table, the key figures, every chart as inline SVG,
// the events, the model's assumptions and how to reproduce the run. It
// loads nothing from the network.
func Report(w io.Writer, r results.Result, series []results.Series, in ReportInput) error {
	cs, skipped, err := charts(r, series)
	if err != nil {
		return err
	}
	data, err := reportData(r, cs, skipped, in)
	if err != nil {
		return err
	}
	return reportTmpl.Execute(w, data)
}

type reportPage struct {
	Title, Scenario, Description string
	Summary                      []string // paragraphs about the scenario
	Params                       [][2]string
	Cases                        []string
	Policies                     []policyHead
	Verdicts                     []verdictRow
	NotApplicable                []string
	Uplinks                      []uplinkSection
	KeyFigures                   []figureRow
	Charts                       []figure2
	Skipped                      []string
	Events                       []eventTable
	Notes                        []string
	Facts                        []string
	Command, Version             string
}

type policyHead struct{ Policy, Name string }

// verdictRow is a failure case's verdicts, a cell per policy.
type verdictRow struct {
	Case  string
	Cells []verdictCell
}

// uplinkSection is one uplink table of the report.
type uplinkSection struct {
	Case, Policies string
	Phases         []uplinkPhase
	Rows           []uplinkRow
}

type uplinkPhase struct{ Span, After string }

type uplinkRow struct {
	Host, Vmnic string
	Cells       []string
}

type verdictCell struct {
	Class, Text string
	Details     []string
}

type figureRow struct {
	Policy, Case                  string
	LagP99, UtilPeak, Unprotected string
	Verdict, Class                string
}

type figure2 struct {
	Name, Title, Caption string
	Notes                []string
	SVG                  template.HTML
}

type eventTable struct {
	Policy, Case string
	Replication  int
	Open         bool
	Rows         []results.Event
	More         int
}

func reportData(r results.Result, cs []Chart, skipped []string, in ReportInput) (reportPage, error) {
	pg := reportPage{
		Title:       "ftsim report: " + r.Scenario,
		Scenario:    r.Scenario,
		Description: r.Description,
		Summary:     scenarioWords(r),
		Params:      parameters(r),
		Cases:       r.FailureCases(),
		Skipped:     skipped,
		Facts:       ReferenceFacts,
		Command:     in.Command,
		Version:     in.Version,
	}
	if pg.Command == "" {
		file := in.ScenarioFile
		if file == "" {
			file = r.Scenario + ".yaml"
		}
		pg.Command = fmt.Sprintf("ftsim run %s --seed %d", shellQuote(file), r.Seed)
	}
	pols := policiesOf(r)
	for _, p := range pols {
		pg.Policies = append(pg.Policies, policyHead{Policy: p, Name: vsphereNames[p]})
		if ok, reason := applicability(r, p); !ok {
			pg.NotApplicable = append(pg.NotApplicable, fmt.Sprintf("%s is not applicable: %s", p, reason))
		}
		for _, fc := range pg.Cases {
			if f, ok := keyFigures(r, p, fc); ok {
				pg.KeyFigures = append(pg.KeyFigures, f)
			}
		}
	}
	for _, fc := range pg.Cases {
		row := verdictRow{Case: fc}
		for _, p := range pols {
			c := verdictOf(r, p, fc)
			if c.Class == "na" {
				c.Details = nil // said once under the table
			}
			row.Cells = append(row.Cells, c)
		}
		pg.Verdicts = append(pg.Verdicts, row)
	}
	pg.Uplinks = uplinkSections(r)
	for _, c := range cs {
		svg, err := inlineSVG(c)
		if err != nil {
			return pg, err
		}
		pg.Charts = append(pg.Charts, figure2{Name: c.Name, Title: c.Title, Caption: c.Caption,
			Notes: c.Notes, SVG: svg})
	}
	pg.Events = eventTables(r)
	pg.Notes = modelNotes(r)
	return pg, nil
}

// uplinkSections are the uplink tables of r (results.UplinkGroups).
func uplinkSections(r results.Result) []uplinkSection {
	var out []uplinkSection
	for _, g := range results.UplinkGroups(r) {
		sec := uplinkSection{Case: g.Table.FailureCase, Policies: strings.Join(g.Policies, ", ")}
		for _, ph := range g.Table.Phases {
			sec.Phases = append(sec.Phases, uplinkPhase{Span: durationLabel(ph.From) + " to " + durationLabel(ph.To), After: ph.After})
		}
		for _, h := range g.Table.Hosts {
			for i, v := range h.Vmnics {
				row := uplinkRow{Vmnic: v.Vmnic}
				if i == 0 {
					row.Host = h.Host
				}
				for _, c := range v.Cells {
					row.Cells = append(row.Cells, shareText(c.SentShare)+" / "+shareText(c.ReceivedShare)+", peak "+percent(c.Peak))
				}
				sec.Rows = append(sec.Rows, row)
			}
		}
		out = append(out, sec)
	}
	return out
}

// shareText writes a share of FT bytes, "–" when there were none.
func shareText(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(math.Round(v*100), 'f', 0, 64) + " %"
}

// scenarioWords describes the scenario in sentences.
func scenarioWords(r results.Result) []string {
	hosts, vms := hostsAndVMs(r)
	var out []string
	if len(hosts) == 0 && len(vms) == 0 {
		var why []string
		for _, p := range policiesOf(r) {
			if ok, reason := applicability(r, p); !ok {
				why = append(why, p+": "+reason)
			}
		}
		out = append(out, fmt.Sprintf("Nothing was simulated: no policy of this run is applicable to the topology (%s). Simulated time would have been %s, seed %d.",
			strings.Join(why, "; "), durationLabel(r.Duration), r.Seed))
		if sla := slaWords(r.SLA); sla != "" {
			out = append(out, "SLA: "+sla+".")
		}
		return out
	}
	s := fmt.Sprintf("%s between %s (%s), simulated for %s",
		plural(len(vms), "FT VM", "FT VMs"), plural(len(hosts), "host", "hosts"),
		strings.Join(hosts, ", "), durationLabel(r.Duration))
	if r.Warmup > 0 {
		s += fmt.Sprintf(", statistics taken after a warm-up of %s", durationLabel(r.Warmup))
	}
	s += fmt.Sprintf("; seed %d, %s of each policy and failure case.",
		r.Seed, plural(r.Replications(), "replication", "replications"))
	out = append(out, s)
	if len(vms) > 0 {
		out = append(out, "FT VMs: "+strings.Join(vms, ", ")+".")
	}
	out = append(out, ftModeWords(r)...)
	var ps []string
	for _, p := range policiesOf(r) {
		if n, ok := vsphereNames[p]; ok {
			ps = append(ps, fmt.Sprintf("%s (%s)", p, n))
		} else {
			ps = append(ps, p)
		}
	}
	if len(ps) > 0 {
		out = append(out, "Teaming policies: "+strings.Join(ps, ", ")+".")
	}
	fcs := r.FailureCases()
	n1 := 0
	for _, fc := range fcs {
		if fc != results.Baseline {
			n1++
		}
	}
	c := "Failure cases: baseline, the scenario as written with its own failure timeline"
	if n1 > 0 {
		c += fmt.Sprintf(", and %s, each permanent from the middle of the measured window and each alone: it starts from the design without the scenario's own failures",
			plural(n1, "single failure (N-1)", "single failures (N-1)"))
	}
	out = append(out, c+".")
	if sla := slaWords(r.SLA); sla != "" {
		out = append(out, "SLA: "+sla+".")
	}
	if len(r.Sweep) > 0 {
		var sw []string
		for _, v := range r.Sweep {
			sw = append(sw, v.Param+" = "+v.Value)
		}
		out = append(out, "Swept parameters of this case: "+strings.Join(sw, ", ")+".")
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// hostsAndVMs lists the hosts (from the links) and FT VMs of r in the
// order the runs first name them.
func hostsAndVMs(r results.Result) (hosts, vms []string) {
	seenH, seenV := map[string]bool{}, map[string]bool{}
	for _, run := range r.Runs {
		for _, l := range run.Links {
			if l.Host != "" && !seenH[l.Host] {
				seenH[l.Host] = true
				hosts = append(hosts, l.Host)
			}
		}
		for _, v := range run.VMs {
			if !seenV[v.VM] {
				seenV[v.VM] = true
				vms = append(vms, v.VM)
			}
		}
	}
	return hosts, vms
}

// slaWords writes the SLA limits that are set.
func slaWords(s results.SLALimits) string {
	var parts []string
	if s.ReplayLagP99 != nil {
		parts = append(parts, "p99 replay lag ≤ "+durationLabel(*s.ReplayLagP99))
	}
	if s.OutputDelayP99 != nil {
		parts = append(parts, "p99 output delay ≤ "+durationLabel(*s.OutputDelayP99))
	}
	if s.UtilisationMax != nil {
		parts = append(parts, "peak utilisation of every link ≤ "+percent(*s.UtilisationMax))
	}
	if s.UnprotectedMax != nil {
		parts = append(parts, "unprotected time ≤ "+durationLabel(*s.UnprotectedMax))
	}
	return strings.Join(parts, ", ")
}

func percent(f float64) string { return trimFloat(f*100) + " %" }

// parameters lists the run's settings as name/value pairs.
func parameters(r results.Result) [][2]string {
	ps := [][2]string{
		{"scenario", r.Scenario},
		{"duration", durationLabel(r.Duration)},
		{"warm-up", durationLabel(r.Warmup)},
		{"seed", strconv.FormatUint(r.Seed, 10)},
		{"replications", strconv.Itoa(r.Replications())},
	}
	if sla := slaWords(r.SLA); sla != "" {
		ps = append(ps, [2]string{"SLA", sla})
	}
	for _, v := range r.Sweep {
		ps = append(ps, [2]string{"sweep " + v.Param, v.Value})
	}
	return ps
}

// verdictOf is the verdict cell of policy under fc.
func verdictOf(r results.Result, policy, fc string) verdictCell {
	for _, s := range r.Summary {
		if s.Policy != policy || s.FailureCase != fc {
			continue
		}
		if !s.Applicable {
			return verdictCell{Class: "na", Text: "n/a", Details: nonEmpty(s.Reason)}
		}
		return verdictCellOf(s.Verdict)
	}
	run := firstRun(r, policy, fc)
	switch {
	case run == nil:
		return verdictCell{Class: "na", Text: "not run"}
	case !run.Applicable:
		return verdictCell{Class: "na", Text: "n/a", Details: nonEmpty(run.Reason)}
	}
	return verdictCellOf(run.Verdict)
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func verdictCellOf(v results.Verdict) verdictCell {
	if v.Pass {
		return verdictCell{Class: "pass", Text: "PASS"}
	}
	const show = 3
	c := verdictCell{Class: "fail", Text: "FAIL"}
	for i, x := range v.Violations {
		if i == show {
			c.Details = append(c.Details, fmt.Sprintf("and %d more (results.json)", len(v.Violations)-show))
			break
		}
		c.Details = append(c.Details, x.Describe())
	}
	return c
}

// metricValue writes a figure in its unit: seconds as durations,
// utilisation and fractions as percentages.
func metricValue(metric string, v float64) string {
	switch {
	case strings.HasSuffix(metric, "_s"):
		return durationLabel(v)
	case strings.HasPrefix(metric, "utilisation"), strings.HasSuffix(metric, "_fraction"):
		return percent(v)
	}
	return trimFloat(v)
}

// keyFigures is the key figures row of policy under fc.
func keyFigures(r results.Result, policy, fc string) (figureRow, bool) {
	if ok, _ := applicability(r, policy); !ok {
		return figureRow{}, false
	}
	row := figureRow{Policy: policy, Case: fc}
	get := func(metric string) (string, bool) {
		v, ok := r.Figure(policy, fc, metric)
		if !ok {
			return "–", false
		}
		return metricValue(metric, v), true
	}
	var any1, any2, any3 bool
	row.LagP99, any1 = get(results.MetricLagP99)
	row.UtilPeak, any2 = get(results.MetricUtilPeak)
	row.Unprotected, any3 = get(results.MetricUnprotected)
	cell := verdictOf(r, policy, fc)
	row.Verdict, row.Class = cell.Text, cell.Class
	return row, any1 || any2 || any3
}

// eventTables lists each policy and failure case's first replication's
// events.
func eventTables(r results.Result) []eventTable {
	var out []eventTable
	for _, p := range policiesOf(r) {
		for _, fc := range r.FailureCases() {
			run := firstRun(r, p, fc)
			if run == nil || !run.Applicable {
				continue
			}
			t := eventTable{Policy: p, Case: fc, Replication: run.Replication, Open: fc == mainCase(r)}
			t.Rows = run.Events
			if len(t.Rows) > maxEventRows {
				t.More = len(t.Rows) - maxEventRows
				t.Rows = t.Rows[:maxEventRows]
			}
			out = append(out, t)
		}
	}
	return out
}

// modelNotes gathers the result's notes and each run's own, once each.
func modelNotes(r results.Result) []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, n := range r.Notes {
		add(n)
	}
	for _, run := range r.Runs {
		for _, n := range run.Notes {
			add(run.Policy + ": " + n)
		}
	}
	return out
}

var (
	svgProlog = regexp.MustCompile(`(?s)^.*?<svg `)
	svgSize   = regexp.MustCompile(`^<svg width="[^"]*" height="[^"]*"`)
)

// inlineSVG renders c as SVG for embedding in HTML: no XML prolog, the
// width following the page, the height following the width.
func inlineSVG(c Chart) (template.HTML, error) {
	var buf bytes.Buffer
	if err := Render(&buf, c, "svg"); err != nil {
		return "", fmt.Errorf("plots: %s as SVG: %w", c.Name, err)
	}
	s := svgProlog.ReplaceAllString(buf.String(), "<svg ")
	s = svgSize.ReplaceAllString(s, `<svg role="img" aria-label="`+template.HTMLEscapeString(c.Title)+`" width="100%"`)
	return template.HTML(s), nil
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == ':' || r == '=' || r == ',' ||
			(r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// eventTime writes an event's time in seconds to the millisecond.
func eventTime(t float64) string {
	return strconv.FormatFloat(math.Round(t*1000)/1000, 'f', -1, 64)
}
