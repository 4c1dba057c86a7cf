package importer

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
	"time"
)

// newBufReader wraps r in a large buffer and drops a UTF-8 byte-order mark,
// which Windows tools (PowerShell, RVTools) often write.
//
// Lines are bounded (MaxLineBytes): a file without line ends (/dev/zero,
// a binary file) fails at its first long line instead of filling memory.
func newBufReader(r io.Reader) *bufio.Reader {
	br := bufio.NewReaderSize(&lineLimit{r: r, line: 1}, 1<<20)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	return br
}

// sniffComma guesses the field separator of a CSV export from its first
// line that is not a comment: the most frequent of , ; and tab outside
// quotes (PowerShell's -UseCulture and some locales write ;).
func sniffComma(br *bufio.Reader) rune {
	b, _ := br.Peek(64 << 10)
	for len(b) > 0 && b[0] == '#' {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return ','
		}
		b = b[i+1:]
	}
	counts := map[byte]int{}
	quoted := false
	for _, c := range b {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if c == '\n' && !quoted {
			break
		}
		if !quoted && (c == ',' || c == ';' || c == '\t') {
			counts[c]++
		}
	}
	best, n := byte(','), counts[',']
	for _, c := range []byte{';', '\t'} {
		if counts[c] > n {
			best, n = c, counts[c]
		}
	}
	return rune(best)
}

// MaxLineBytes bounds one line of an input CSV: far above an esxtop
// header of tens of thousands of columns, far below the memory at hand.
const MaxLineBytes = 64 << 20

// lineLimit passes r through with every line end made LF (CRLF and a
// lone CR, as old Mac tools write, end a line alike, so errors name the
// right line), failing with a *lineTooLong error once a line grows past
// MaxLineBytes.
type lineLimit struct {
	r    io.Reader
	line int  // the line being read, 1-based
	n    int  // bytes of it so far
	cr   bool // the last byte passed on was a CR, written as LF
}

type lineTooLong struct{ line int }

func (e *lineTooLong) Error() string {
	return fmt.Sprintf("line %d is longer than %d MiB", e.line, MaxLineBytes>>20)
}

func (l *lineLimit) Read(p []byte) (int, error) {
	k, err := l.r.Read(p)
	w := 0
	for i := 0; i < k; i++ {
		c := p[i]
		if c == '\n' && l.cr {
			l.cr = false // the LF of a CRLF: its CR already ended the line
			continue
		}
		l.cr = c == '\r'
		if c == '\r' {
			c = '\n'
		}
		p[w] = c
		w++
		if c == '\n' {
			l.line++
			l.n = 0
			continue
		}
		l.n++
		if l.n > MaxLineBytes {
			return w - 1, &lineTooLong{l.line}
		}
	}
	return w, err
}

// csvError turns an encoding/csv error into a FILE:LINE message.
func csvError(file string, err error) *Error {
	var tl *lineTooLong
	if errors.As(err, &tl) {
		return errorf(file, tl.line, "the line is longer than %d MiB: this is not a CSV export (a binary file or a device?)", MaxLineBytes>>20)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrFieldCount):
			return errorf(file, pe.Line, "this row has a different number of cells than the header (a cut-off or edited file?)")
		case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
			return errorf(file, pe.Line, "broken quoting near character %d of the line: %v", pe.Column, pe.Err)
		}
		return errorf(file, pe.Line, "%v", pe.Err)
	}
	return errorf(file, 0, "reading: %v", err)
}

// normHeader folds a column name for alias matching: lower case, without
// spaces, underscores, dots and dashes ("FT State" = "ftstate").
func normHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch r {
		case ' ', '_', '.', '-':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// findColumn returns the index of the first header cell matching one of
// the aliases (compared with normHeader), or -1.
func findColumn(header []string, aliases ...string) int {
	for _, a := range aliases {
		na := normHeader(a)
		for i, h := range header {
			if normHeader(h) == na {
				return i
			}
		}
	}
	return -1
}

// stampLayouts are the timestamp forms accepted in captures, exports and
// --window: esxtop's MM/DD/YYYY HH:MM:SS, PowerShell's en-US M/D/YYYY
// h:mm:ss AM, ISO 8601 with or without a zone, YYYY-MM-DD HH:MM:SS and
// D.M.YYYY HH:MM:SS. Stamps without a zone are read as UTC.
var stampLayouts = []string{
	"1/2/2006 15:04:05",
	"1/2/2006 3:04:05 PM",
	"1/2/2006 15:04",
	"1/2/2006 3:04 PM",
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2.1.2006 15:04:05",
}

// parseStamp reads a timestamp in any of stampLayouts and returns it as
// Unix seconds.
func parseStamp(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	for _, l := range stampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return float64(t.Unix()) + float64(t.Nanosecond())/1e9, true
		}
	}
	return 0, false
}

// parseNumber reads a non-negative finite number. A decimal comma is
// accepted when the cell has no dot (exports made under a European locale).
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		v, err = strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	}
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, false
	}
	return v, true
}
