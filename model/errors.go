package model

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem found in a scenario, at the value that must change.
type Error struct {
	File      string
	Line, Col int
	Msg       string
	Warning   bool // not fatal
}

func (e *Error) Error() string {
	if e.Warning {
		return fmt.Sprintf("%s:%d:%d: warning: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// ErrorList is every problem found in one scenario, sorted by position.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Sort orders the list by file, line, column and message.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Msg < b.Msg
	})
}

// Err returns nil for an empty list, else the list itself.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// InternalError is a bug of ftsim's (or of a library it uses) met while
// reading input: a panic that Parse recovered. It is not the input's
// fault, so commands exit with their internal-error status on it, and
// fuzz tests fail on it.
type InternalError struct {
	File  string
	Panic any // the recovered value
}

func (e *InternalError) Error() string {
	return fmt.Sprintf("%s: internal error while reading the scenario: %v (a bug in ftsim: please report it with this file)", e.File, e.Panic)
}
