package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// TestInternalErrorWhileReadingExits3: a bug met while reading a scenario
// (model.InternalError) exits 3 with a message that says it is an internal
// error, wherever the command wraps it; a problem of the input exits 2.
func TestInternalErrorWhileReadingExits3(t *testing.T) {
	bug := &model.InternalError{File: "s.yaml", Panic: "runtime error: index out of range [3] with length 0"}
	bad := model.ErrorList{{File: "s.yaml", Line: 3, Col: 5, Msg: "speed: want a bit rate"}}
	for _, tc := range []struct {
		name string
		err  error
		code int
		says string
	}{
		{"bug", badInput(bug), exitInternal, "internal error"},
		{"wrapped bug", badInput(fmt.Errorf("scenario: %w", bug)), exitInternal, "a bug in ftsim"},
		{"bug unmarked", bug, exitInternal, "internal error"},
		{"bad input", badInput(bad), exitBadInput, "s.yaml:3:5: "},
	} {
		if got := exitCode(tc.err); got != tc.code || !strings.Contains(errorText(tc.err), tc.says) {
			t.Errorf("%s: exit %d with %q, want %d saying %q", tc.name, got, errorText(tc.err), tc.code, tc.says)
		}
	}
}
