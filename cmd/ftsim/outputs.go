package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ftsim/ftsim/plots"
	"github.com/ftsim/ftsim/results"
)

// checkPlotFormat checks a --plot-format value; "" means the default, png.
func checkPlotFormat(format string) (string, error) {
	if format == "" {
		return plots.Formats[0], nil
	}
	f := strings.ToLower(format)
	if !slices.Contains(plots.Formats, f) {
		return "", fmt.Errorf("--plot-format %q: want one of %s", format, strings.Join(plots.Formats, ", "))
	}
	return f, nil
}

// writeCharts draws every chart the results allow into dir, one file per
// chart named after it (utilisation.png, ...), each written atomically, and
// returns the paths written.
func writeCharts(dir string, r results.Result, series []results.Series, format string) ([]string, error) {
	format, err := checkPlotFormat(format)
	if err != nil {
		return nil, err
	}
	charts, err := plots.Charts(r, series)
	if err != nil {
		return nil, err
	}
	var written []string
	for _, c := range charts {
		path := filepath.Join(dir, c.Name+"."+format)
		if err := writeAtomic(path, func(w io.Writer) error { return plots.Render(w, c, format) }); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}

// writeReport writes dir/report.html atomically.
func writeReport(dir string, r results.Result, series []results.Series, in plots.ReportInput) error {
	return writeAtomic(filepath.Join(dir, "report.html"), func(w io.Writer) error {
		return plots.Report(w, r, series, in)
	})
}
