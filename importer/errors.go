package importer

import "fmt"

// Error is a problem in an input file, at the CSV line that must change.
// Line 0 means the file as a whole.
type Error struct {
	File    string
	Line    int
	Msg     string
	Warning bool // not fatal: the import goes on
}

func (e *Error) Error() string {
	w := ""
	if e.Warning {
		w = "warning: "
	}
	switch {
	case e.File == "":
		return w + e.Msg
	case e.Line <= 0:
		return fmt.Sprintf("%s: %s%s", e.File, w, e.Msg)
	default:
		return fmt.Sprintf("%s:%d: %s%s", e.File, e.Line, w, e.Msg)
	}
}

func errorf(file string, line int, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func warnf(file string, line int, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...), Warning: true}
}
