package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/sim"
)

var update = flag.Bool("update", false, "rewrite the golden summaries in testdata/golden")

// goldenSeconds caps each bundled scenario's simulated time in the golden
// test, so the whole set runs in seconds; n_minus_1 failures still fall in
// the middle of the window run.
const goldenSeconds = 10

// TestScenarioGoldens runs every bundled scenario at its own seed, capped
// to goldenSeconds and one replication, and compares the printed tables
// with testdata/golden/<scenario>.golden (go test -run Golden -update
// rewrites them; read the diff before committing it).
func TestScenarioGoldens(t *testing.T) {
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			sc, err := model.Load(f)
			if err != nil {
				t.Fatal(err)
			}
			d := min(float64(sc.Duration), goldenSeconds)
			if float64(sc.Warmup) >= d {
				d = float64(sc.Warmup) + goldenSeconds
			}
			r, err := sim.Run(context.Background(), sc, sim.Options{Duration: d, Replications: 1, NoSeries: true, Parallel: 2})
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			printTables(&b, r, false)
			path := filepath.Join("testdata", "golden", name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("summary of %s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, b.Bytes(), want)
			}
		})
	}
}
