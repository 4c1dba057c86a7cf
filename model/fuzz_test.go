package model

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad checks that Parse never panics, that every problem lies inside
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
		// The scenario's folder is testdata, so traces resolve there.
		sc, err := Parse("testdata/fuzz.yaml", data)
		nlines := bytes.Count(data, []byte{'\n'}) + 1
		if err != nil {
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
		again, err := Parse("testdata/fuzz.yaml", out)
		if err != nil {
			t.Fatalf("the marshalled scenario does not load: %v\n%s", err, out)
		}
		assertSameScenario(t, sc, again)
	})
}
