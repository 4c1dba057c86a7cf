package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
)

// prefixRun runs sc with prefix sharing on or off and returns results.json's
// bytes, the time series and how many runs continued a prefix.
func prefixRun(t *testing.T, sc *model.Scenario, off bool) ([]byte, []results.Series, int64) {
	t.Helper()
	return runCounting(t, sc, &noPrefix, off, &forkedRuns)
}

// TestPrefixInvisible: continuing failure cases from a shared prefix gives
// every run, byte for byte, what simulating it on its own gives, over drawn
// topologies, policies, transports (NewReno, CUBIC, none), legacy and
// SMP-FT VMs, every single failure (vmnic, switch, inter-switch link, host,
// with promotion and re-protection) and a baseline whose own failures
// (lossy links among them) start at the N-1 instant. The window is drawn so
// that the failure instant falls on a whole second half the time, where
// sampling and LBT's checks fire at the failure's very time and their
// order matters.
func TestPrefixInvisible(t *testing.T) {
	n := 12
	if testing.Short() {
		n = 3
	}
	rng := rand.New(rand.NewPCG(5, 31))
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	var forked int64
	for i := 0; i < n; i++ {
		src := randomPrefixScenario(rng, pick, testing.Short())
		sc, err := model.Parse(fmt.Sprintf("random-%d.yaml", i), []byte(src))
		if err != nil {
			t.Fatalf("scenario %d: %v\n%s", i, err, src)
		}
		with, wser, k := prefixRun(t, sc, false)
		without, woser, k0 := prefixRun(t, sc, true)
		if k0 != 0 {
			t.Fatalf("scenario %d: %d runs continued a prefix with prefix sharing off", i, k0)
		}
		if !bytes.Equal(with, without) {
			t.Errorf("scenario %d: results.json differs with prefix sharing on and off\n%s\n%s", i, src, bytesDiff(with, without))
		}
		if !reflect.DeepEqual(wser, woser) {
			t.Errorf("scenario %d: time series differ with prefix sharing on and off\n%s", i, src)
		}
		if k == 0 {
			t.Errorf("scenario %d: no run continued a prefix\n%s", i, src)
		}
		forked += k
	}
	t.Logf("%d runs continued a prefix", forked)
}

// bytesDiff shows where two results first differ.
func bytesDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-200)
	return fmt.Sprintf("with:    ...%s\nwithout: ...%s", a[lo:min(len(a), i+200)], b[lo:min(len(b), i+200)])
}

// randomPrefixScenario draws one scenario for TestPrefixInvisible: the
// drawn topology of TestSharingInvisibleRandom under N-1, with a short FT
// timeout and restart delay so that lost peers are promoted and
// re-protected within the run.
// Short draws compare NIC load and one other policy, not all.
func randomPrefixScenario(rng *rand.Rand, pick func(...string) string, short bool) string {
	src := randomShareScenario(rng, pick)
	// Window [1 s, end): the failures fall at its middle, a whole second
	// for an odd end.
	end := pick("5s", "6s", "7s")
	if short {
		end = "5s" // the failure on a whole second
	}
	src = strings.Replace(src, "duration: 4s\n", "duration: "+end+"\n", 1)
	src = strings.Replace(src, "ft:\n  tcp:", "ft:\n  timeout: 2s\n  heartbeat: 500ms\n  restart_delay: "+pick("500ms", "1s")+"\n  tcp:", 1)
	var mid string
	switch end {
	case "5s":
		mid = "3s"
	case "6s":
		mid = "3.5s"
	default:
		mid = "4s"
	}
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(src, "compare:\n  policies: all\n"))
	if rng.IntN(2) == 0 {
		// The baseline's own failures, from the N-1 instant on.
		b.WriteString("failures:\n")
		fmt.Fprintf(&b, "  - {at: %s, vmnic: esx01/vmnic%d, kind: lossy, loss: %s, down_for: 1s}\n", mid, rng.IntN(2), pick("1%", "0.1%"))
		if rng.IntN(2) == 0 {
			fmt.Fprintf(&b, "  - {at: %s, host: esx02}\n", pick(mid, "4.5s"))
		}
	}
	policies := "all"
	if short {
		all := model.AllPolicies
		other := all[rng.IntN(len(all))]
		if other == model.NICLoad {
			other = model.PortID
		}
		// NIC load's LBT checks fall on the failure's whole second.
		policies = "[" + string(model.NICLoad) + ", " + string(other) + "]"
	}
	b.WriteString("compare:\n  policies: " + policies + "\n  n_minus_1: true\n")
	if rng.IntN(3) == 0 {
		b.WriteString("replications: 2\n")
	}
	return b.String()
}

// TestPrefixEqualsWrittenFailure: a single-failure case continued from the
// shared prefix equals, figure for figure, a plain run of the design with
// that failure written into failures:.
func TestPrefixEqualsWrittenFailure(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 3))
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	n := 4
	if testing.Short() {
		n = 1
	}
	compared := 0
	for i := 0; i < n; i++ {
		src := randomPrefixScenario(rng, pick, true)
		sc, err := model.Parse(fmt.Sprintf("random-%d.yaml", i), []byte(src))
		if err != nil {
			t.Fatalf("scenario %d: %v\n%s", i, err, src)
		}
		before := forkedRuns.Load()
		r, err := Run(context.Background(), sc, Options{Parallel: 2, NoSeries: true})
		if err != nil {
			t.Fatal(err)
		}
		if forkedRuns.Load() == before {
			t.Fatalf("scenario %d: no run continued a prefix", i)
		}
		cases := sc.FailureCases()[1:]
		for _, k := range []int{0, len(cases) / 2, len(cases) - 1} {
			fc := cases[k]
			plain := *sc
			plain.Failures = fc.Failures
			cmpOnly := *sc.Compare
			cmpOnly.NMinus1 = false
			plain.Compare = &cmpOnly
			for _, rr := range r.Runs {
				if rr.FailureCase != fc.Name || !rr.Applicable {
					continue
				}
				one, err := Run(context.Background(), &plain, Options{NoSeries: true,
					Policies: []model.Policy{model.Policy(rr.Policy)}, Replications: rr.Replication + 1})
				if err != nil {
					t.Fatal(err)
				}
				compared++
				want := one.Runs[rr.Replication]
				want.FailureCase = fc.Name
				a, _ := json.Marshal(rr)
				b, _ := json.Marshal(want)
				if !bytes.Equal(a, b) {
					t.Errorf("scenario %d, %s under %s: the continued run differs from the failure written into failures:\n%s\n%s",
						i, fc.Name, rr.Policy, bytesDiff(a, b), src)
				}
			}
		}
	}
	if compared == 0 {
		t.Error("no run compared")
	}
}

// BenchmarkNMinus1 runs scenarios/bench/bench-32-hosts-n1.yaml under port
// ID for 60 simulated seconds (100 failure cases from 45 s on), with the
// failure cases continued from a shared prefix and, for comparison, each
// simulated whole.
func BenchmarkNMinus1(b *testing.B) {
	sc, err := model.Load("../scenarios/bench/bench-32-hosts-n1.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		off  bool
	}{{"prefix", false}, {"plain", true}} {
		b.Run(c.name, func(b *testing.B) {
			noPrefix = c.off
			defer func() { noPrefix = false }()
			for b.Loop() {
				if _, err := Run(context.Background(), sc, Options{Duration: 60, Parallel: 2, NoSeries: true,
					Policies: []model.Policy{model.PortID}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestCopyKeepsValues: an engine's copy holds equal values, addresses
// included (netip.Addr compares an interned pointer: a deep copy of it is
// no longer the same family, and IP hash hashed otherwise), and shares
// nothing it could write with the original.
func TestCopyKeepsValues(t *testing.T) {
	sc, err := model.Load("../scenarios/active-active-ip-hash.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v := model.WithPolicy(sc, model.IPHash)
	e := newEngine(context.Background(), runSpec{sc: v.Scenario, policy: model.IPHash, duration: 5, seed: 1}, false, nil)
	defer e.k.Shutdown()
	e.k.RunUntil(2)
	c := e.copy()
	if c.sc != e.sc {
		t.Error("the copy does not share the scenario")
	}
	for i, cv := range c.vms {
		ev := e.vms[i]
		if cv == ev || cv.fwd != ev.fwd || cv.rev != ev.rev || cv.fwd.SrcIP.Is4() != ev.fwd.SrcIP.Is4() {
			t.Errorf("VM %d: copy %+v, original %+v", i, cv.fwd, ev.fwd)
		}
	}
	if &c.links[0] == &e.links[0] || &c.nw.links[0] != &c.links[0] {
		t.Error("the copy's links alias the original's, or its two views of them differ")
	}
}
