package model

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Limits on trace files.
const (
	maxTraceBytes = 64 << 20
	maxTraceRows  = 2_000_000
)

type traceResult struct {
	points []TracePoint
	ok     bool
	msg    string
}

// readTrace reads a trace CSV (relative to the scenario's folder),
// reporting any problem at p, the trace: value. Results are cached per
// path for one load.
//
// A trace path must stay inside the scenario's folder: relative, without
// "..", so a scenario (or a sweep value) cannot make ftsim read a file
// elsewhere on the machine.
func (l *loader) readTrace(name string, p Pos) traceResult {
	if !filepath.IsLocal(filepath.FromSlash(name)) || strings.ContainsRune(name, '\\') {
		l.errorf(p, "trace %q must be a relative path inside the scenario's folder, without \"..\": ftsim reads no trace elsewhere", name)
		return traceResult{}
	}
	path := filepath.Join(l.sc.Dir, filepath.FromSlash(name))
	tr, done := l.traces[path]
	if !done {
		pts, err := ReadTrace(path)
		tr = traceResult{points: pts, ok: err == nil}
		if err != nil {
			tr.msg = err.Error()
		}
		l.traces[path] = tr
	}
	if !tr.ok {
		l.errorf(p, "trace %q: %s", name, tr.msg)
	}
	return tr
}

// ReadTrace reads a trace file: a CSV with the header t_s,rate_bps and
// rows of piecewise-constant rates (each holds until the next row's t_s,
// the last to the end of the run). Times are seconds, not negative, and
// increase strictly; rates are bits per second (0 allowed, at most
// MaxBitRate). When the first row starts after 0, a row {0, 0} is put
// before it: nothing is sent before the trace starts, and the returned
// trace always starts at 0. Errors name the CSV line and what was
// expected, and never quote the file's content. Anything but a regular
// file (a folder, FIFO or device) is refused before it is opened.
func ReadTrace(path string) ([]TracePoint, error) {
	st, err := os.Stat(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("no such file")
		}
		return nil, fmt.Errorf("cannot read it: %v", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("is not a regular file (a folder, FIFO or device)")
	}
	if st.Size() > maxTraceBytes {
		return nil, fmt.Errorf("the file is %d bytes; a trace may have at most 64 MiB", st.Size())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read it: %v", err)
	}
	defer f.Close()
	return ParseTrace(io.LimitReader(f, maxTraceBytes))
}

// ParseTrace reads trace rows from r (see ReadTrace).
func ParseTrace(r io.Reader) ([]TracePoint, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	sc.Split(scanLines)
	var pts []TracePoint
	line, prevLine := 0, 0
	header := false
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		fields := strings.Split(text, ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if !header {
			if len(fields) != 2 || fields[0] != "t_s" || fields[1] != "rate_bps" {
				return nil, fmt.Errorf("line %d: the header must be t_s,rate_bps", line)
			}
			header = true
			continue
		}
		if len(fields) != 2 {
			return nil, fmt.Errorf("line %d: a row has two values, t_s and rate_bps, not %d", line, len(fields))
		}
		t, err := strconv.ParseFloat(fields[0], 64)
		if err != nil || math.IsNaN(t) || math.IsInf(t, 0) {
			return nil, fmt.Errorf("line %d: t_s is not a number of seconds", line)
		}
		rate, err := strconv.ParseFloat(fields[1], 64)
		if err != nil || math.IsNaN(rate) || math.IsInf(rate, 0) {
			return nil, fmt.Errorf("line %d: rate_bps is not a number of bits per second", line)
		}
		switch {
		case rate < 0:
			return nil, fmt.Errorf("line %d: rate_bps is negative", line)
		case rate > MaxBitRate:
			return nil, fmt.Errorf("line %d: rate_bps is above %s, faster than any Ethernet link", line, BitRate(MaxBitRate))
		case t < 0:
			return nil, fmt.Errorf("line %d: t_s is negative", line)
		case t > maxDuration:
			return nil, fmt.Errorf("line %d: t_s is beyond a week (604800 s), the longest run", line)
		case len(pts) > 0 && t <= pts[len(pts)-1].T:
			return nil, fmt.Errorf("line %d: t_s is not after the previous row's (line %d)", line, prevLine)
		}
		prevLine = line
		if len(pts) >= maxTraceRows {
			return nil, fmt.Errorf("line %d: a trace may have at most %d rows", line, maxTraceRows)
		}
		pts = append(pts, TracePoint{T: t, Rate: BitRate(rate)})
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return nil, fmt.Errorf("line %d: the line is too long for a trace row", line+1)
		}
		return nil, fmt.Errorf("line %d: %v", line+1, err)
	}
	if !header {
		return nil, fmt.Errorf("line 1: the file is empty: a trace starts with the header t_s,rate_bps")
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("line %d: the trace has a header but no rows", line)
	}
	if pts[0].T > 0 {
		// Nothing is sent before the first row.
		pts = append([]TracePoint{{T: 0, Rate: 0}}, pts...)
	}
	return pts, nil
}

// scanLines splits at LF, CRLF or a lone CR, so a file written with any
// of them counts its lines alike.
func scanLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	for i, c := range data {
		switch c {
		case '\n':
			return i + 1, data[:i], nil
		case '\r':
			if i+1 < len(data) {
				if data[i+1] == '\n' {
					return i + 2, data[:i], nil
				}
				return i + 1, data[:i], nil
			}
			if atEOF {
				return i + 1, data[:i], nil
			}
			return 0, nil, nil // a CRLF may be split across reads
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// TraceMean returns the time-weighted mean rate of pts over [0, d].
func TraceMean(pts []TracePoint, d Duration) BitRate {
	if d <= 0 || len(pts) == 0 {
		return 0
	}
	end := float64(d)
	var sum float64
	for i, p := range pts {
		if p.T >= end {
			break
		}
		next := end
		if i+1 < len(pts) {
			next = math.Min(pts[i+1].T, end)
		}
		sum += float64(p.Rate) * (next - p.T)
	}
	return BitRate(sum / end)
}
