package sim

import (
	"github.com/ftsim/ftsim/results"

	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ftsim/ftsim/model"
)

// fakeCases returns n cases whose scenarios differ in Seed.
func fakeCases(n int) []model.Case {
	cases := make([]model.Case, n)
	for i := range cases {
		params := []model.CaseParam{{Param: "count", Path: "ft_vms[web].count", Value: fmt.Sprint(i + 1)}}
		cases[i] = model.Case{
			Name:     model.CaseName("s", params),
			Dir:      model.CaseDir("s", params),
			Params:   params,
			Scenario: &model.Scenario{Name: "s", Seed: uint64(i + 1)},
		}
	}
	return cases
}

// fakeRun returns a result computed from the scenario alone after a delay
// that varies by case, so cases finish out of order.
func fakeRun(fail map[uint64]bool) RunFunc {
	return func(ctx context.Context, sc *model.Scenario, opts Options) (results.Result, error) {
		select {
		case <-time.After(time.Duration(sc.Seed*7%5) * time.Millisecond):
		case <-ctx.Done():
			return results.Result{}, ctx.Err()
		}
		if fail[sc.Seed] {
			return results.Result{}, fmt.Errorf("%w in case %d", ErrConservation, sc.Seed)
		}
		return results.Result{Scenario: sc.Name, Seed: sc.Seed * 1000, Summary: []results.Summary{{Policy: "port_id",
			FailureCase: "baseline", Applicable: true, Metrics: []results.Metric{{Object: "", Name: "x", Mean: float64(sc.Seed)}}}}}, nil
	}
}

func TestRunCasesSameAtAnyParallel(t *testing.T) {
	cases := fakeCases(17)
	collect := func(par int) map[string]results.Result {
		out := map[string]results.Result{}
		var calls int
		var mu sync.Mutex
		b := Batch{Parallel: par, Run: fakeRun(nil), Done: func(i int, c model.Case, r results.Result) error {
			mu.Lock()
			defer mu.Unlock()
			calls++
			if c.Name != cases[i].Name {
				t.Errorf("Done(%d) got case %q", i, c.Name)
			}
			if results.CaseName(r) != c.Name {
				t.Errorf("result of %q names case %q", c.Name, results.CaseName(r))
			}
			out[c.Name] = r
			return nil
		}}
		if err := b.RunCases(context.Background(), cases); err != nil {
			t.Fatal(err)
		}
		if calls != len(cases) {
			t.Errorf("parallel %d: %d Done calls, want %d", par, calls, len(cases))
		}
		return out
	}
	one, four := collect(1), collect(4)
	if !reflect.DeepEqual(one, four) {
		t.Error("results differ between Parallel 1 and 4")
	}
}

func TestRunCasesFailuresDoNotStopOthers(t *testing.T) {
	cases := fakeCases(9)
	var mu sync.Mutex
	done := 0
	b := Batch{Parallel: 3, Run: fakeRun(map[uint64]bool{7: true, 2: true}), Done: func(int, model.Case, results.Result) error {
		mu.Lock()
		done++
		mu.Unlock()
		return nil
	}}
	err := b.RunCases(context.Background(), cases)
	var ce CaseErrors
	if !errors.As(err, &ce) {
		t.Fatalf("error %v, want CaseErrors", err)
	}
	if len(ce) != 2 || ce[0].Case != "s/count=2" || ce[1].Case != "s/count=7" {
		t.Errorf("failed cases %v, want s/count=2 and s/count=7 in order", ce)
	}
	if !errors.Is(err, ErrConservation) {
		t.Error("errors.Is(err, ErrConservation) = false")
	}
	if done != 7 {
		t.Errorf("%d cases done, want 7", done)
	}
}

func TestRunCasesCancel(t *testing.T) {
	cases := fakeCases(50)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var done atomic.Int32
	b := Batch{Parallel: 2, Run: fakeRun(nil), Done: func(int, model.Case, results.Result) error {
		if done.Add(1) == 5 {
			cancel()
		}
		return nil
	}}
	err := b.RunCases(ctx, cases)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	// The case in progress on the other worker may finish before it sees
	// the cancellation; nothing new starts.
	if n := done.Load(); n < 5 || n > 6 {
		t.Errorf("%d cases done after cancelling at 5", n)
	}
}

func TestRunCasesDoneErrorStops(t *testing.T) {
	cases := fakeCases(30)
	boom := errors.New("disk full")
	var done atomic.Int32
	b := Batch{Parallel: 2, Run: fakeRun(nil), Done: func(int, model.Case, results.Result) error {
		if done.Add(1) == 3 {
			return boom
		}
		return nil
	}}
	if err := b.RunCases(context.Background(), cases); !errors.Is(err, boom) {
		t.Fatalf("error %v, want %v", err, boom)
	}
	// The other worker may be inside Done as it fails; nothing after.
	if n := done.Load(); n < 3 || n > 4 {
		t.Errorf("Done called %d times; it must not be called after it failed", n)
	}
}

// autoScenario is a one-VM scenario with replications: auto.
func autoScenario(t *testing.T, target, pattern string) *model.Scenario {
	t.Helper()
	src := `name: auto
duration: 10s
warmup: 1s
replications: auto
ci_target: ` + target + `
max_replications: 6
defaults:
  vmnics:
    - {name: vmnic1, speed: 1Gbps}
hosts:
  - {name: esx01, ft_ip: 192.168.50.11}
  - {name: esx02, ft_ip: 192.168.50.12}
ft_vms:
  - {name: db, mode: legacy, primary: esx01, secondary: esx02, logging: {rate: 700Mbps, pattern: ` + pattern + `}}
`
	sc, err := model.Parse("auto.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestAutoReplications: replications: auto stops at its first batch of
// runs when the CI target is loose, and runs to max_replications when the
// target cannot be met.
func TestAutoReplications(t *testing.T) {
	tests := []struct {
		target, pattern string
		want            func(sc *model.Scenario) int
	}{
		{"50%", "constant", func(sc *model.Scenario) int { return sc.Replications.N }},
		{"0.1%", "poisson", func(sc *model.Scenario) int { return sc.Replications.Max }},
	}
	for _, tt := range tests {
		sc := autoScenario(t, tt.target, tt.pattern)
		r, err := Run(context.Background(), sc, Options{Parallel: 2, NoSeries: true})
		if err != nil {
			if strings.Contains(err.Error(), "engine not built yet") {
				t.Skip("the engine is not built yet")
			}
			t.Fatal(err)
		}
		reps := map[int]bool{}
		for _, run := range r.Runs {
			reps[run.Replication] = true
		}
		if got, want := len(reps), tt.want(sc); got != want || len(r.Runs) != want {
			t.Errorf("ci_target %s, %s traffic: %d replications (%d runs), want %d", tt.target, tt.pattern, got, len(r.Runs), want)
		}
		if tt.target == "50%" && len(reps) >= sc.Replications.Max {
			t.Errorf("the loose target ran to the cap (%d)", sc.Replications.Max)
		}
	}
}
