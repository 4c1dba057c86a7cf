package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
)

// TestSeriesWorstKeeps: deciding as runs finish keeps exactly the series
// that filtering every run's series at the end keeps (the baseline's and
// each policy's worst single failure's), and changes nothing else, with
// one and two replications.
func TestSeriesWorstKeeps(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 4))
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	n := 6
	if testing.Short() {
		n = 2
	}
	for i := 0; i < n; i++ {
		src := randomPrefixScenario(rng, pick, testing.Short())
		sc, err := model.Parse(fmt.Sprintf("random-%d.yaml", i), []byte(src))
		if err != nil {
			t.Fatalf("scenario %d: %v\n%s", i, err, src)
		}
		all, err := Run(context.Background(), sc, Options{Parallel: 2})
		if err != nil {
			t.Fatal(err)
		}
		worst, err := Run(context.Background(), sc, Options{Parallel: 2, SeriesWorst: true})
		if err != nil {
			t.Fatal(err)
		}
		var want []results.Series
		for _, s := range all.Series {
			keep := s.FailureCase == "baseline"
			for _, w := range all.Worst {
				keep = keep || w.Policy == s.Policy && w.FailureCase == s.FailureCase
			}
			if keep {
				want = append(want, s)
			}
		}
		if len(want) == 0 || len(want) == len(all.Series) {
			t.Fatalf("scenario %d: %d of %d series kept: the draw does not test the choice", i, len(want), len(all.Series))
		}
		if !reflect.DeepEqual(worst.Series, want) {
			t.Errorf("scenario %d: %d series kept, want %d (worst %v)\n%s", i, len(worst.Series), len(want), all.Worst, src)
		}
		all.Series, worst.Series = nil, nil
		a, _ := json.Marshal(all)
		b, _ := json.Marshal(worst)
		if string(a) != string(b) {
			t.Errorf("scenario %d: results differ with SeriesWorst\n%s", i, bytesDiff(a, b))
		}
	}
}
