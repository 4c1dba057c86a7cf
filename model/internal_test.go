package model

import (
	"errors"
	"strings"
	"testing"
)

// TestParsePanicIsInternal: a panic met while loading is a bug, reported
// as an InternalError that says so, never as a FILE:LINE:COL problem of
// the input; the decoder's own stop (too many problems) stays bad input.
func TestParsePanicIsInternal(t *testing.T) {
	src := []byte("name: x\nduration: 10s\n")
	for _, tc := range []struct {
		name     string
		hook     func(*loader)
		internal bool
	}{
		{"index out of range", func(*loader) { _ = []int{}[len(src)] }, true},
		{"nil map write", func(*loader) { var m map[string]int; m["a"] = 1 }, true},
		{"a bug's own panic", func(*loader) { panic("unexpected node kind") }, true},
		{"the decoder's stop", func(l *loader) { panic(refused{}) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loadHook = tc.hook
			defer func() { loadHook = nil }()
			sc, err := Parse("bug.yaml", src)
			if sc != nil || err == nil {
				t.Fatalf("Parse = %v, %v; want an error", sc, err)
			}
			var ie *InternalError
			if got := errors.As(err, &ie); got != tc.internal {
				t.Fatalf("internal error %v, want %v: %v", got, tc.internal, err)
			}
			if tc.internal && (!strings.Contains(err.Error(), "internal error") || !strings.HasPrefix(err.Error(), "bug.yaml: ")) {
				t.Errorf("message %q does not say it is an internal error of the file", err)
			}
			var el ErrorList
			if tc.internal && errors.As(err, &el) {
				t.Errorf("an internal error reads as a problem of the input: %v", err)
			}
		})
	}
}
