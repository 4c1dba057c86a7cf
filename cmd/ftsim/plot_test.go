package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// plotFixture copies the golden results (and, with series, their time
// series) of the plots package into a new folder and returns the
// results.json path.
func plotFixture(t *testing.T, series bool) string {
	t.Helper()
	dir := t.TempDir()
	names := []string{"results.json"}
	if series {
		names = append(names, "timeseries.csv")
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("..", "..", "plots", "testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "results.json")
}

// runPlot runs ftsim with args and returns what it wrote and its error.
func runPlot(t *testing.T, args ...string) (string, error) {
	t.Helper()
	app := newApp()
	var out bytes.Buffer
	app.Writer, app.ErrWriter = &out, &out
	err := execute(context.Background(), app, append([]string{"ftsim"}, args...))
	return out.String(), err
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func TestPlotCommandRedrawsEveryChart(t *testing.T) {
	results := plotFixture(t, true)
	out := filepath.Join(t.TempDir(), "charts")
	stdout, err := runPlot(t, "plot", results, "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"lag-cdf.png", "policy-comparison.png", "replay-lag-worst.png", "replay-lag.png",
		"report.html", "utilisation-worst.png", "utilisation.png"}
	if got := listDir(t, out); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("wrote %v, want %v", got, want)
	}
	for _, n := range want {
		if !strings.Contains(stdout, filepath.Join(out, n)+"\n") {
			t.Errorf("output does not list %s:\n%s", n, stdout)
		}
	}
	f, err := os.Open(filepath.Join(out, "utilisation.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 800 {
		t.Errorf("utilisation.png is %dx%d, want 1200x800", b.Dx(), b.Dy())
	}
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(html), "<figure"); n != 6 {
		t.Errorf("report.html has %d figures, want 6", n)
	}
	if !strings.Contains(string(html), "ftsim run golden-2x10g.yaml --seed 42") {
		t.Error("report.html does not say how to reproduce the run")
	}
}

func TestPlotCommandDefaultsToTheResultsFolderAndSVG(t *testing.T) {
	results := plotFixture(t, false)
	stdout, err := runPlot(t, "plot", "--plot-format", "svg", results)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "no timeseries.csv beside") {
		t.Errorf("no note about the missing time series:\n%s", stdout)
	}
	want := []string{"lag-cdf.svg", "policy-comparison.svg", "report.html", "results.json"}
	if got := listDir(t, filepath.Dir(results)); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("folder holds %v, want %v", got, want)
	}
}

func TestPlotCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	badJSON := filepath.Join(dir, "bad", "results.json")
	os.MkdirAll(filepath.Dir(badJSON), 0o755)
	os.WriteFile(badJSON, []byte("{\n  \"scenario\": \"x\",\n  \"seed\": \"forty-two\"\n}\n"), 0o644)
	syntax := filepath.Join(dir, "syntax", "results.json")
	os.MkdirAll(filepath.Dir(syntax), 0o755)
	os.WriteFile(syntax, []byte("{\n  \"scenario\": \"x\",,\n}\n"), 0o644)
	notResults := filepath.Join(dir, "other", "results.json")
	os.MkdirAll(filepath.Dir(notResults), 0o755)
	os.WriteFile(notResults, []byte("{\"name\": \"a scenario\"}\n"), 0o644)
	badCSV := plotFixture(t, false)
	os.WriteFile(filepath.Join(filepath.Dir(badCSV), "timeseries.csv"),
		[]byte("t_s,policy,failure_case,replication,object,metric,value\n0,ip_hash,baseline,zero,a,utilisation,1\n"), 0o644)
	good := plotFixture(t, true)
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"no argument", []string{"plot"}, "give one RESULTS.json"},
		{"missing file", []string{"plot", filepath.Join(dir, "none.json")}, "none.json: no such file"},
		{"a folder", []string{"plot", dir}, "is a folder"},
		{"wrong type", []string{"plot", badJSON}, badJSON + ":3:11: seed is a JSON string, want uint64"},
		{"bad syntax", []string{"plot", syntax}, syntax + ":2:19: invalid JSON"},
		{"not results", []string{"plot", notResults}, "not an ftsim results.json"},
		{"bad time series", []string{"plot", badCSV}, "timeseries.csv:2: replication \"zero\""},
		{"bad format", []string{"plot", good, "--plot-format", "gif"}, `--plot-format "gif": want one of png, svg, pdf`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runPlot(t, tt.args...)
			if err == nil {
				t.Fatal("no error")
			}
			if code := exitCode(err); code != exitBadInput {
				t.Errorf("exit status %d, want %d", code, exitBadInput)
			}
			if !strings.Contains(errorText(err), tt.msg) {
				t.Errorf("message %q does not contain %q", errorText(err), tt.msg)
			}
		})
	}
}
