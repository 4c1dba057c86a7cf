package model

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad checks that Parse never panics (nor recovers a panic into an
// InternalError), that every problem lies inside
// the input, and that whatever loads survives Marshal and Parse again.
func FuzzLoad(f *testing.F) {
	for _, pattern := range []string{"../scenarios/*.yaml", "testdata/invalid/*.yaml", "testdata/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte("duration: 1m\nhosts: [{name: a, vmnics: [{name: v, speed: 1Gbps}]}, {name: b, vmnics: [{name: v, speed: 1Gbps}]}]\nft_vms: [{name: x, primary: a, secondary: b, logging: {rate: 1Mbps}}]\n"))
	f.Add([]byte("a: &a [1, 2]\nb: [*a, *a]\n"))
	f.Add([]byte("duration: 8m30s\nwarmup: 0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The scenario's folder is testdata/invalid, so traces resolve there.
		sc, err := Parse("testdata/invalid/fuzz.yaml", data)
		nlines := bytes.Count(normalizeNewlines(data), []byte{'\n'}) + 1 // a lone CR ends a line too
		if err != nil {
			var ie *InternalError
			if errors.As(err, &ie) {
				t.Fatalf("Parse recovered a panic: %v", err)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T %v, want an ErrorList", err, err)
			}
			for _, e := range list {
				if e.Line < 1 || e.Line > nlines || e.Col < 1 {
					t.Fatalf("position outside the input (%d lines): %v", nlines, e)
				}
			}
			return
		}
		for _, e := range sc.Warnings {
			if e.Line < 1 || e.Line > nlines || e.Col < 1 || !e.Warning {
				t.Fatalf("bad warning: %v", e)
			}
		}
		out, err := Marshal(sc)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		again, err := Parse("testdata/invalid/fuzz.yaml", out)
		if err != nil {
			t.Fatalf("the marshalled scenario does not load: %v\n%s", err, out)
		}
		assertSameScenario(t, sc, again)
	})
}

// FuzzParseTrace: any input reads without a panic; what reads starts at
// 0, increases strictly and holds finite rates within MaxBitRate; errors
// name a line inside the input.
func FuzzParseTrace(f *testing.F) {
	files, _ := filepath.Glob("testdata/invalid/traces/*.csv")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("t_s,rate_bps\n0,1e305\n"))
	f.Add([]byte("t_s,rate_bps\r5,1\r6,2\r"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pts, err := ParseTrace(bytes.NewReader(data))
		if err != nil {
			var line int
			if _, serr := fmt.Sscanf(err.Error(), "line %d:", &line); serr != nil || line < 1 || line > bytes.Count(normalizeNewlines(data), []byte{'\n'})+2 {
				t.Fatalf("error outside the input: %v", err)
			}
			return
		}
		if len(pts) == 0 || pts[0].T != 0 {
			t.Fatalf("trace does not start at 0: %v", pts)
		}
		for i, p := range pts {
			if math.IsNaN(float64(p.Rate)) || p.Rate < 0 || p.Rate > MaxBitRate || (i > 0 && p.T <= pts[i-1].T) {
				t.Fatalf("bad row %d: %v", i, p)
			}
		}
	})
}

// FuzzExpandSweep: a scenario with any sweep loads, checks its values and
// expands without a panic or a recovered one; every case it expands to is
// a valid scenario without a sweep, named after its values.
func FuzzExpandSweep(f *testing.F) {
	base := "name: s\nduration: 10s\ndefaults:\n  vmnics: [{name: vmnic0, speed: 10Gbps}]\nhosts: [{name: a}, {name: b}]\n" +
		"ft_vms: [{name: web, count: 2, placement: spread, logging: {rate: 1Gbps}}]\n"
	f.Add([]byte(base + "sweep:\n  ft_vms[web].count: [1, 2, 3]\n"))
	f.Add([]byte(base + "sweep:\n  defaults.vmnics[*].speed: [1Gbps, 10Gbps]\n  ft_vms[web].logging.rate: [100Mbps, 2Gbps]\n"))
	f.Add([]byte(base + "sweep:\n  ft_vms[web].logging.trace: [traces/steps.csv, ../x.csv]\n"))
	f.Add([]byte(base + "sweep:\n  duration: [1s, 168h, 1e44s]\n"))
	f.Add([]byte(base + "sweep:\n  hosts[*].name: [x, x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("testdata/invalid/fuzz.yaml", data)
		if err != nil {
			var ie *InternalError
			if errors.As(err, &ie) {
				t.Fatalf("Parse recovered a panic: %v", err)
			}
			return
		}
		if err := CheckSweepValues(sc); err != nil {
			var ie *InternalError
			if errors.As(err, &ie) {
				t.Fatalf("CheckSweepValues recovered a panic: %v", err)
			}
		}
		if len(sc.Sweep) > 3 {
			return // keep each input's expansion small
		}
		total := 1
		for _, sp := range sc.Sweep {
			total *= len(sp.Values)
		}
		if total > 64 {
			return
		}
		cases, err := ExpandSweep(sc)
		if err != nil {
			var ie *InternalError
			if errors.As(err, &ie) {
				t.Fatalf("ExpandSweep recovered a panic: %v", err)
			}
			return
		}
		if len(cases) != total {
			t.Fatalf("%d cases, want %d", len(cases), total)
		}
		for _, c := range cases {
			if c.Scenario == nil || len(c.Scenario.Sweep) != 0 || !strings.HasPrefix(c.Name, sc.Name) {
				t.Fatalf("bad case %q", c.Name)
			}
			if _, err := Parse(c.Scenario.File, c.Scenario.Source); err != nil && len(c.Scenario.Source) > 0 {
				t.Fatalf("case %q does not load again: %v", c.Name, err)
			}
		}
	})
}
