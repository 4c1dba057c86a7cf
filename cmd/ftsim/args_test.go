package main

import (
	"slices"
	"testing"
)

func TestFlagsFirst(t *testing.T) {
	app := newApp()
	for _, tc := range []struct{ in, want []string }{
		{[]string{"ftsim", "run", "s.yaml", "--out", "d", "--no-plots"}, []string{"ftsim", "run", "--out", "d", "--no-plots", "--", "s.yaml"}},
		{[]string{"ftsim", "run", "--seed=3", "s.yaml"}, []string{"ftsim", "run", "--seed=3", "--", "s.yaml"}},
		{[]string{"ftsim", "run", "s.yaml", "--policy", "ip_hash", "--policy", "lacp"}, []string{"ftsim", "run", "--policy", "ip_hash", "--policy", "lacp", "--", "s.yaml"}},
		{[]string{"ftsim", "validate", "a.yaml", "b.yaml"}, []string{"ftsim", "validate", "--", "a.yaml", "b.yaml"}},
		{[]string{"ftsim", "batch", "s.yaml", "--help"}, []string{"ftsim", "batch", "--help"}},
		{[]string{"ftsim", "import", "esxtop", "a.csv", "--out", "x"}, []string{"ftsim", "import", "esxtop", "a.csv", "--out", "x"}},
		{[]string{"ftsim", "plot", "r.json", "--plot-format", "svg"}, []string{"ftsim", "plot", "--plot-format", "svg", "--", "r.json"}},
		{[]string{"ftsim", "policies"}, []string{"ftsim", "policies"}},
	} {
		if got := flagsFirst(app, tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("flagsFirst(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
