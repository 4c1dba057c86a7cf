package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/ftsim/ftsim/results"
)

// plotFlags are the flags of ftsim plot.
type plotFlags struct {
	out    string
	format string
}

func plotCommand() *cli.Command {
	var f plotFlags
	return &cli.Command{
		Name:      "plot",
		Usage:     "redraw the charts and report.html from a saved results.json",
		ArgsUsage: "RESULTS.json",
		Description: "Reads RESULTS.json and, when present, timeseries.csv beside it, and writes every\n" +
			"chart and report.html into --out (default: the folder of RESULTS.json).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "`DIR` for the charts and report.html", DefaultText: "the folder of RESULTS.json",
				Destination: &f.out},
			&cli.StringFlag{Name: "plot-format", Value: "png", Usage: "chart file `FORMAT`: png, svg or pdf",
				Destination: &f.format},
		},
		Action: func(c *cli.Context) error {
			args := c.Args().Slice()
			if len(args) != 1 {
				return badInput(errors.New("ftsim plot: give one RESULTS.json (ftsim plot RESULTS.json [--out DIR])"))
			}
			return plotResults(c.App.Writer, args[0], f)
		},
	}
}

// plotResults redraws the charts and report of a saved run and lists the
// files written on w.
func plotResults(w io.Writer, path string, f plotFlags) error {
	format, err := checkPlotFormat(f.format)
	if err != nil {
		return badInput(err)
	}
	r, err := readResults(path)
	if err != nil {
		return badInput(err)
	}
	series, tsPath, err := readSeriesBeside(path)
	if err != nil {
		return badInput(err)
	}
	if tsPath == "" {
		fmt.Fprintf(w, "no timeseries.csv beside %s: the charts over time are left out\n", path)
	}
	dir := f.out
	if dir == "" {
		dir = filepath.Dir(path)
	}
	written, err := writeCharts(dir, r, series, format)
	if err != nil {
		return internal(err)
	}
	if err := writeReport(dir, r, series, reportInput("", nil)); err != nil {
		return internal(err)
	}
	written = append(written, filepath.Join(dir, "report.html"))
	for _, p := range written {
		fmt.Fprintln(w, p)
	}
	return nil
}

// maxResultsSize bounds the results.json ftsim plot reads.
const maxResultsSize = 1 << 30

// readResults reads a results.json; errors name the file and, for bad
// JSON, the line and column.
func readResults(path string) (results.Result, error) {
	var r results.Result
	st, err := os.Stat(path)
	if err != nil {
		return r, fmt.Errorf("%s: %w", path, pathErrCause(err))
	}
	if st.IsDir() {
		return r, fmt.Errorf("%s: is a folder; give the results.json inside it", path)
	}
	if st.Size() > maxResultsSize {
		return r, fmt.Errorf("%s: %d bytes, larger than ftsim reads (1 GiB)", path, st.Size())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return r, fmt.Errorf("%s: %w", path, pathErrCause(err))
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, jsonError(path, data, err)
	}
	if r.Scenario == "" && len(r.Runs) == 0 {
		return r, fmt.Errorf("%s: not an ftsim results.json (no scenario and no runs)", path)
	}
	return r, nil
}

// jsonError places a JSON decoding error at FILE:LINE:COL.
func jsonError(path string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var off int64 = -1
	msg := err.Error()
	switch {
	case errors.As(err, &se):
		off, msg = se.Offset, "invalid JSON: "+se.Error()
	case errors.As(err, &te):
		off = valueStart(data, te.Offset)
		msg = fmt.Sprintf("%s is a JSON %s, want %s", te.Field, te.Value, te.Type)
		if te.Field == "" {
			msg = fmt.Sprintf("a JSON %s where a results object was expected", te.Value)
		}
	}
	if off < 0 {
		return fmt.Errorf("%s: %s", path, msg)
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	if col < 1 {
		col = 1
	}
	return fmt.Errorf("%s:%d:%d: %s", path, line, col, msg)
}

// valueStart moves end, the offset just past a JSON value, back to
// the offset just before the value's first byte, when the value follows a
// key on the same line; else it keeps end.
func valueStart(data []byte, end int64) int64 {
	if end > int64(len(data)) {
		end = int64(len(data))
	}
	line := data[bytes.LastIndexByte(data[:end], '\n')+1 : end]
	i := bytes.LastIndex(line, []byte("\":"))
	if i < 0 {
		return end
	}
	j := i + 2
	for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
		j++
	}
	return end - int64(len(line)-j) + 1
}

// readSeriesBeside reads timeseries.csv from the folder of the results
// file; a missing file gives no series and an empty path.
func readSeriesBeside(resultsPath string) ([]results.Series, string, error) {
	p := filepath.Join(filepath.Dir(resultsPath), "timeseries.csv")
	fh, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", p, pathErrCause(err))
	}
	defer fh.Close()
	series, err := results.ReadSeriesCSV(fh)
	if err != nil {
		var ce *results.CSVError
		if errors.As(err, &ce) {
			return nil, "", fmt.Errorf("%s:%d: %s", p, ce.Line, ce.Msg)
		}
		return nil, "", fmt.Errorf("%s: %w", p, err)
	}
	return series, p, nil
}

// pathErrCause drops the operation and path of an *fs.PathError, which
// the caller already names.
func pathErrCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
