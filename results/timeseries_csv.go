package results

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// SeriesCSVHeader is the header row of timeseries.csv (the README "Results").
var SeriesCSVHeader = []string{"t_s", "policy", "failure_case", "replication", "object", "metric", "value"}

// CSVError is a problem at one line of a CSV file; the caller adds the file
// name in front of it (FILE:LINE: message).
type CSVError struct {
	Line int
	Msg  string
}

func (e *CSVError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// WriteSeriesCSV writes s as timeseries.csv: the header, then one row per
// point, series in the order given and each series in time order. Numbers
// are written in the shortest form that reads back to the same float64, so
// the same series always give the same bytes.
//
// A series' five text fields are the same on every row, so encoding/csv
// quotes them once per series; the two numbers, which never need quotes,
// are appended around them. The bytes are those of encoding/csv writing
// every row (TestSeriesCSVMatchesEncodingCSV).
func WriteSeriesCSV(w io.Writer, s []Series) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var mid bytes.Buffer
	cw := csv.NewWriter(&mid)
	if err := cw.Write(SeriesCSVHeader); err != nil {
		return err
	}
	cw.Flush()
	bw.Write(mid.Bytes())
	var row []byte
	for _, se := range s {
		if len(se.T) != len(se.V) {
			return fmt.Errorf("sim: series %s %s of %s/%s has %d times and %d values",
				se.Object, se.Metric, se.Policy, se.FailureCase, len(se.T), len(se.V))
		}
		mid.Reset()
		if err := cw.Write([]string{se.Policy, se.FailureCase, strconv.Itoa(se.Replication), se.Object, se.Metric}); err != nil {
			return err
		}
		cw.Flush()
		fields := bytes.TrimSuffix(mid.Bytes(), []byte("\n"))
		for i := range se.T {
			row = strconv.AppendFloat(row[:0], se.T[i], 'g', -1, 64)
			row = append(row, ',')
			row = append(row, fields...)
			row = append(row, ',')
			row = strconv.AppendFloat(row, se.V[i], 'g', -1, 64)
			row = append(row, '\n')
			if _, err := bw.Write(row); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// seriesKey identifies one series in timeseries.csv.
type seriesKey struct {
	policy, failureCase string
	replication         int
	object, metric      string
}

// ReadSeriesCSV reads timeseries.csv back into series, in the order each
// series first appears. Within a series time must not go backwards. Errors
// are *CSVError values naming the line.
func ReadSeriesCSV(r io.Reader) ([]Series, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked below, with a clearer message
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, &CSVError{1, "empty file: expected the header " + strings.Join(SeriesCSVHeader, ",")}
	}
	if err != nil {
		return nil, csvReadError(err, 1)
	}
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\ufeff")
	}
	if strings.Join(head, ",") != strings.Join(SeriesCSVHeader, ",") {
		return nil, &CSVError{1, fmt.Sprintf("header is %q, want %q",
			strings.Join(head, ","), strings.Join(SeriesCSVHeader, ","))}
	}
	var out []Series
	index := map[seriesKey]int{}
	line := 1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, csvReadError(err, line+1)
		}
		line, _ = cr.FieldPos(0)
		if len(rec) != len(SeriesCSVHeader) {
			return nil, &CSVError{line, fmt.Sprintf("%d fields, want %d (%s)",
				len(rec), len(SeriesCSVHeader), strings.Join(SeriesCSVHeader, ","))}
		}
		t, err := parseFinite(rec[0])
		if err != nil {
			return nil, &CSVError{line, fmt.Sprintf("t_s %q: %v", rec[0], err)}
		}
		rep, err := strconv.Atoi(rec[3])
		if err != nil || rep < 0 {
			return nil, &CSVError{line, fmt.Sprintf("replication %q is not a whole number >= 0", rec[3])}
		}
		v, err := strconv.ParseFloat(rec[6], 64)
		if err != nil {
			return nil, &CSVError{line, fmt.Sprintf("value %q is not a number", rec[6])}
		}
		k := seriesKey{rec[1], rec[2], rep, rec[4], rec[5]}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Series{Policy: k.policy, FailureCase: k.failureCase,
				Replication: rep, Object: k.object, Metric: k.metric})
		}
		s := &out[i]
		if n := len(s.T); n > 0 && t < s.T[n-1] {
			return nil, &CSVError{line, fmt.Sprintf("t_s %s goes back in time (previous %s) for %s %s",
				rec[0], formatFloat(s.T[n-1]), k.object, k.metric)}
		}
		s.T = append(s.T, t)
		s.V = append(s.V, v)
	}
}

func parseFinite(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, errors.New("not a number")
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errors.New("not a finite number")
	}
	return v, nil
}

// csvReadError turns an encoding/csv error into a CSVError at its line.
func csvReadError(err error, line int) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &CSVError{pe.StartLine, pe.Err.Error()}
	}
	return &CSVError{line, err.Error()}
}
