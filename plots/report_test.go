package plots

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/results"
)

func goldenReport(t *testing.T, in ReportInput) string {
	t.Helper()
	r, series := loadGolden(t)
	var buf bytes.Buffer
	if err := Report(&buf, r, series, in); err != nil {
		t.Fatal(err)
	}
	if *outDir != "" {
		if err := os.WriteFile(filepath.Join(*outDir, "report.html"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return buf.String()
}

func TestReportStructure(t *testing.T) {
	html := goldenReport(t, ReportInput{ScenarioFile: "golden.yaml", Version: "1.2.3"})
	r, series := loadGolden(t)
	cs, err := Charts(r, series)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(html, "<figure"); got != len(cs) {
		t.Errorf("%d <figure> elements, want one per chart (%d)", got, len(cs))
	}
	if got := strings.Count(html, "<figcaption>"); got != len(cs) {
		t.Errorf("%d <figcaption> elements, want %d", got, len(cs))
	}
	if got := strings.Count(html, "<svg "); got != len(cs) {
		t.Errorf("%d inline <svg> elements, want %d", got, len(cs))
	}
	for _, c := range cs {
		if !strings.Contains(html, `<figure id="chart-`+c.Name+`">`) {
			t.Errorf("no figure for chart %s", c.Name)
		}
	}
	if strings.Contains(html, "<?xml") {
		t.Error("an XML prolog was left inside the HTML")
	}
	for _, want := range []string{
		`<table class="verdicts">`,
		`<tr><th scope="row">baseline</th>`,
		`<tr><th scope="row">vmnic:esx01/vmnic1</th>`,
		`<div class="wide"><table class="verdicts">`, // wide tables scroll on their own
		`<table class="figures">`,
		`<table class="events">`,
		"3 FT VMs between 2 hosts (esx01, esx02), simulated for 2 min",
		"seed 42, 1 replication",
		"p99 replay lag ≤ 100 ms",
		"time unprotected of sql01 25.2 s &gt; 0 s",               // a violation in the registry's words
		"LACP needs an LACP LAG",                                  // the non-applicable reason
		"ft.log_buffer 64MiB",                                     // a note of the result
		"Net.TeamPolicyUpDelay",                                   // a reference fact
		"<pre><code>ftsim run golden.yaml --seed 42</code></pre>", // how to reproduce
		"ftsim 1.2.3",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// The verdict table: a row per failure case, a column per policy, no
	// internal metric name in its cells.
	table := html[strings.Index(html, `<table class="verdicts">`):]
	table = table[:strings.Index(table, "</table>")]
	if got := strings.Count(table, "<tr>"); got != 1+2 {
		t.Errorf("verdict table has %d rows, want a header and 2 failure cases", got)
	}
	if got := strings.Count(table, `<th scope="col">`); got != 1+3 {
		t.Errorf("verdict table has %d column heads, want the failure case and 3 policies", got)
	}
	if m := regexp.MustCompile(`[a-z]+_[a-z0-9_]+_s\b|utilisation_peak|throttled_fraction`).FindString(table); m != "" {
		t.Errorf("verdict table names %q, an internal metric name", m)
	}
	for class, want := range map[string]int{`class="pass"`: 1, `class="fail"`: 3, `class="na"`: 2} {
		if got := strings.Count(table, class); got != want {
			t.Errorf("verdict table has %d cells %s, want %d", got, class, want)
		}
	}
}

func TestReportIsSelfContained(t *testing.T) {
	html := goldenReport(t, ReportInput{})
	for _, tag := range []string{"<script", "<link", "<img", "<iframe", "@import", "url("} {
		if strings.Contains(html, tag) {
			t.Errorf("report contains %q", tag)
		}
	}
	// Only the SVG namespace declarations may name a URL.
	urls := regexp.MustCompile(`https?://[^"'\s<>]+`).FindAllString(html, -1)
	for _, u := range urls {
		if u != "http://www.w3.org/2000/svg" && u != "http://www.w3.org/1999/xlink" {
			t.Errorf("report names an external URL %q", u)
		}
	}
	for _, attr := range regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*["']?([^"'\s>]*)`).FindAllStringSubmatch(html, -1) {
		t.Errorf("report refers to %q", attr[1])
	}
	if !strings.Contains(html, "<pre><code>ftsim run golden-2x10g.yaml --seed 42</code></pre>") {
		t.Error("without a scenario file the command should name <scenario>.yaml")
	}
}

func TestReportIsDeterministic(t *testing.T) {
	a := goldenReport(t, ReportInput{Command: "ftsim run x.yaml --seed 42"})
	b := goldenReport(t, ReportInput{Command: "ftsim run x.yaml --seed 42"})
	if a != b {
		t.Error("two reports of the same results differ")
	}
	if !strings.Contains(a, "<pre><code>ftsim run x.yaml --seed 42</code></pre>") {
		t.Error("the given command line is not in the report")
	}
}

func TestReportWithoutSeries(t *testing.T) {
	r, _ := loadGolden(t)
	var buf bytes.Buffer
	if err := Report(&buf, r, nil, ReportInput{}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	if got := strings.Count(html, "<figure"); got != 2 {
		t.Errorf("%d figures without time series, want 2 (lag-cdf, policy-comparison)", got)
	}
	if !strings.Contains(html, "Not drawn:") || !strings.Contains(html, "timeseries.csv missing") {
		t.Error("the report does not say why the time charts are missing")
	}
}

// TestReportNotApplicable: a report whose only policy cannot run says
// why, not "0 FT VMs between 0 hosts ()".
func TestReportNotApplicable(t *testing.T) {
	r := results.Result{Scenario: "lacp-only", Duration: 60, Seed: 3,
		Summary: []results.Summary{{Policy: "lacp", FailureCase: "baseline", Reason: "LACP needs an LACP LAG on host esx01"}},
		Runs:    []results.RunResult{{Policy: "lacp", FailureCase: "baseline", Reason: "LACP needs an LACP LAG on host esx01"}}}
	var buf bytes.Buffer
	if err := Report(&buf, r, nil, ReportInput{}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	if strings.Contains(html, "0 FT VMs") || strings.Contains(html, "()") {
		t.Error("the report counts nothing in a sentence")
	}
	for _, want := range []string{"Nothing was simulated", "lacp: LACP needs an LACP LAG on host esx01"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// TestReportUplinks: the report shows which uplink carries each host's
// FT traffic, a column per phase of the run.
func TestReportUplinks(t *testing.T) {
	html := goldenReport(t, ReportInput{})
	i := strings.Index(html, `<table class="uplinks">`)
	if i < 0 {
		t.Fatal("no uplink table")
	}
	table := html[i:]
	table = table[:strings.Index(table, "</table>")]
	for _, want := range []string{`<th scope="row">esx01</th><td>vmnic1</td>`, "peak ", " %"} {
		if !strings.Contains(table, want) {
			t.Errorf("uplink table lacks %q", want)
		}
	}
}

func TestReportOfEmptyResult(t *testing.T) {
	var buf bytes.Buffer
	if err := Report(&buf, results.Result{Scenario: "empty"}, nil, ReportInput{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<figure") {
		t.Error("an empty result drew a chart")
	}
}

func TestShellQuote(t *testing.T) {
	tests := map[string]string{
		"scenarios/two-hosts.yaml": "scenarios/two-hosts.yaml",
		"my scenario.yaml":         "'my scenario.yaml'",
		"it's.yaml":                `'it'\''s.yaml'`,
		"":                         "''",
	}
	for in, want := range tests {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
