package plots

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/results"
)

var update = flag.Bool("update", false, "rewrite testdata/results.json and testdata/timeseries.csv")

// The golden scenario: two hosts with two 10 GbE vmnics each (vmnic1 on
// switch sw-a, vmnic2 on sw-b), three FT VMs, a vmnic failure at 60 s that
// recovers at 90 s, a vMotion burst on esx01/vmnic1 from 20 s to 40 s, and
// one N-1 case (esx01/vmnic1 lost for good at 65 s). ip_hash and
// explicit_failover ran; lacp could not.
const (
	goldenDuration = 120.0
	goldenWarmup   = 10.0
)

var (
	goldenHosts  = []string{"esx01", "esx02"}
	goldenVmnics = []string{"vmnic1", "vmnic2"}
	goldenCases  = []string{"baseline", "vmnic:esx01/vmnic1"}
)

// goldenVM is one FT VM of the golden scenario.
type goldenVM struct {
	name               string
	primary, secondary string
	rateBps            float64
	lagP50             float64 // seconds
}

var goldenVMs = []goldenVM{
	{"sql01", "esx01", "esx02", 2e9, 180e-6},
	{"web-1", "esx02", "esx01", 0.6e9, 120e-6},
	{"web-2", "esx01", "esx02", 0.6e9, 125e-6},
}

func fp(v float64) *float64 { return &v }

// uplinkAt is the uplink of host's FT port at time t under policy and
// failure case: vmnic1 first under explicit failover, vmnic2 under the
// IP hash of the hosts' FT addresses.
func uplinkAt(policy, fc, host string, t float64) string {
	down := false
	if host == "esx01" {
		switch fc {
		case "baseline":
			down = t >= 60.1 && t < 90.1
		default:
			down = t >= 65.1
		}
	}
	switch {
	case policy == "ip_hash":
		return "vmnic2"
	case down:
		return "vmnic2"
	}
	return "vmnic1"
}

// linkDown says whether host/vmnic is failed at t.
func linkDown(fc, host, vmnic string, t float64) bool {
	if host != "esx01" || vmnic != "vmnic1" {
		return false
	}
	if fc == "baseline" {
		return t >= 60 && t < 90
	}
	return t >= 65
}

// goldenEvents is the timeline of a run.
func goldenEvents(policy, fc string) []results.Event {
	if fc == "baseline" {
		ev := []results.Event{
			{T: 60, Kind: "failure", Target: "esx01/vmnic1", Detail: "link down for 30 s"},
			{T: 60.1, Kind: "detected", Target: "esx01/vmnic1", Detail: "link status"},
		}
		if policy == "explicit_failover" {
			ev = append(ev, results.Event{T: 60.1, Kind: "failover", Target: "esx01/vmnic2", From: "esx01/vmnic1"})
		}
		ev = append(ev, results.Event{T: 90, Kind: "recovery", Target: "esx01/vmnic1"})
		if policy == "explicit_failover" {
			ev = append(ev, results.Event{T: 90.1, Kind: "failback", Target: "esx01/vmnic1", From: "esx01/vmnic2"})
		}
		return ev
	}
	ev := []results.Event{
		{T: 65, Kind: "failure", Target: "esx01/vmnic1", Detail: "link down"},
		{T: 65.1, Kind: "detected", Target: "esx01/vmnic1", Detail: "link status"},
	}
	if policy == "explicit_failover" {
		return append(ev, results.Event{T: 65.1, Kind: "failover", Target: "esx01/vmnic2", From: "esx01/vmnic1"})
	}
	// Under IP hash the switch keeps hashing sql01's acks into the dead
	// member until the EtherChannel notices: FT declares the peer lost.
	return append(ev,
		results.Event{T: 70.1, Kind: "ft_lost", Target: "sql01", Detail: "no log, ack or heartbeat for 5 s"},
		results.Event{T: 80.1, Kind: "resync_start", Target: "sql01", Detail: "new secondary on esx02"},
		results.Event{T: 95.3, Kind: "protected", Target: "sql01"})
}

// unprotectedAt says whether sql01 runs unprotected at t.
func unprotectedAt(policy, fc string, t float64) bool {
	return policy == "ip_hash" && fc != "baseline" && t >= 70.1 && t < 95.3
}

// goldenResult builds the golden Result and its time series.
func goldenResult() (results.Result, []results.Series) {
	r := results.Result{
		Scenario:    "golden-2x10g",
		Description: "Three FT VMs between two hosts on 2 x 10 GbE: IP hash or active/standby?",
		Seed:        42,
		Duration:    goldenDuration,
		Warmup:      goldenWarmup,
		SLA: results.SLALimits{ReplayLagP99: fp(0.1), OutputDelayP99: fp(0.005),
			UtilisationMax: fp(0.9), UnprotectedMax: fp(0)},
		Notes: []string{
			"ft.log_buffer 64MiB: the FT paper publishes no buffer size",
			"link-status detection after 100ms: a model assumption, VMware publishes no figure",
			"under compare, ip_hash runs over a static EtherChannel of vmnic1 and vmnic2",
		},
		Worst: []results.WorstCase{
			{Policy: "ip_hash", FailureCase: "vmnic:esx01/vmnic1"},
			{Policy: "explicit_failover", FailureCase: "vmnic:esx01/vmnic1"},
		},
	}
	var series []results.Series
	for pi, policy := range []string{"ip_hash", "explicit_failover"} {
		for ci, fc := range goldenCases {
			rng := rand.New(rand.NewPCG(42, uint64(pi*10+ci)))
			run, ss := goldenRun(rng, policy, fc)
			run.Seed = 42 + uint64(pi*10+ci)
			sum := summarise(run, r.SLA)
			run.Verdict = sum.Verdict
			r.Runs = append(r.Runs, run)
			series = append(series, ss...)
			r.Summary = append(r.Summary, sum)
		}
	}
	for _, fc := range goldenCases {
		reason := "LACP needs an LACP LAG: switches sw-a and sw-b are not one stack"
		r.Runs = append(r.Runs, results.RunResult{Policy: "lacp", FailureCase: fc, Seed: 42,
			Reason: reason, Verdict: results.Verdict{Pass: false, Violations: []results.Violation{}}})
		r.Summary = append(r.Summary, results.Summary{Policy: "lacp", FailureCase: fc, Reason: reason,
			Metrics: []results.Metric{}, Verdict: results.Verdict{Violations: []results.Violation{}}})
	}
	return r, series
}

// goldenRun simulates, crudely, one run: per-second utilisation and queue
// length of every link and replay lag of every VM, and the run's figures.
func goldenRun(rng *rand.Rand, policy, fc string) (results.RunResult, []results.Series) {
	run := results.RunResult{Policy: policy, FailureCase: fc, Applicable: true, Events: goldenEvents(policy, fc)}
	n := int(goldenDuration) + 1
	type linkAcc struct {
		util, queue []float64
		bytes       float64
	}
	links := map[string]*linkAcc{}
	var order []string
	for _, h := range goldenHosts {
		for _, v := range goldenVmnics {
			for _, dir := range []string{"tx", "rx"} {
				k := h + "/" + v + " " + dir
				links[k] = &linkAcc{util: make([]float64, n), queue: make([]float64, n)}
				order = append(order, k)
			}
		}
	}
	lag := map[string][]float64{}
	for i := 0; i < n; i++ {
		t := float64(i)
		load := map[string]float64{} // bits per second per link
		for _, vm := range goldenVMs {
			if unprotectedAt(policy, fc, t) && vm.name == "sql01" {
				continue
			}
			rate := vm.rateBps * (1 + 0.15*rng.NormFloat64())
			up := uplinkAt(policy, fc, vm.primary, t)
			load[vm.primary+"/"+up+" tx"] += rate
			// The switch delivers on the secondary's own uplink.
			load[vm.secondary+"/"+uplinkAt(policy, fc, vm.secondary, t)+" rx"] += rate
			ack := rate * 0.002
			load[vm.secondary+"/"+uplinkAt(policy, fc, vm.secondary, t)+" tx"] += ack
			load[vm.primary+"/"+up+" rx"] += ack
		}
		if t >= 20 && t < 40 && !linkDown(fc, "esx01", "vmnic1", t) {
			load["esx01/vmnic1 tx"] += 6e9 * (1 + 0.05*rng.NormFloat64())
		}
		for _, k := range order {
			h, v, _ := splitLink(k)
			u := math.Min(load[k]/1e10*1.0106, 1) // framing at MTU 9000 (reference section 4)
			if linkDown(fc, h, v, t) {
				u = 0
			}
			a := links[k]
			a.util[i] = u
			a.queue[i] = u * u / (1 - math.Min(u, 0.95)) * (1 + 0.2*rng.Float64())
			a.bytes += u * 1e10 / 8
		}
		for _, vm := range goldenVMs {
			l := vm.lagP50 * math.Exp(0.25*rng.NormFloat64())
			up := uplinkAt(policy, fc, vm.primary, t)
			busy := links[vm.primary+"/"+up+" tx"].util[i]
			l += busy * busy * 4e-3
			if math.Abs(t-60) < 0.5 && fc == "baseline" && vm.primary == "esx01" && policy == "explicit_failover" {
				l = 0.31 // lost until detection, then retransmitted after rto
			}
			if math.Abs(t-65) < 0.5 && fc != "baseline" && vm.primary == "esx01" {
				l = 0.33
			}
			if unprotectedAt(policy, fc, t) && vm.name == "sql01" {
				l = 0 // nothing replicated: the secondary is gone
			}
			lag[vm.name] = append(lag[vm.name], l)
		}
	}
	times := make([]float64, n)
	for i := range times {
		times[i] = float64(i)
	}
	var ss []results.Series
	for _, k := range order {
		a := links[k]
		ss = append(ss, results.Series{Policy: policy, FailureCase: fc, Object: k, Metric: results.SeriesUtilisation,
			T: times, V: round(a.util)})
	}
	for _, k := range order {
		a := links[k]
		ss = append(ss, results.Series{Policy: policy, FailureCase: fc, Object: k, Metric: results.SeriesQueueLength,
			T: times, V: round(a.queue)})
	}
	for _, vm := range goldenVMs {
		ss = append(ss, results.Series{Policy: policy, FailureCase: fc, Object: vm.name, Metric: results.SeriesReplayLag,
			T: times, V: round(lag[vm.name])})
	}
	w := int(goldenWarmup)
	ph := results.Phase{From: goldenWarmup, To: goldenDuration}
	for _, k := range order {
		host, vmnic, dir := splitLink(k)
		_, peak := meanPeak(links[k].util[w:])
		ph.Links = append(ph.Links, results.PhaseLink{Host: host, Vmnic: vmnic, Direction: dir,
			FTBytes: math.Round(links[k].bytes), UtilisationPeak: peak})
	}
	run.Phases = []results.Phase{ph}
	for _, k := range order {
		host, vmnic, dir := splitLink(k)
		a := links[k]
		mean, peak := meanPeak(a.util[w:])
		run.Links = append(run.Links, results.Link{Host: host, Vmnic: vmnic, Direction: dir,
			SpeedBps: 1e10, Bytes: math.Round(a.bytes), UtilisationMean: mean, UtilisationPeak: peak,
			QueueDelayMean: 8e-6 * (1 + mean*10), QueueDelayP99: 60e-6 * (1 + peak*20)})
	}
	for _, vm := range goldenVMs {
		ls := lag[vm.name][w:]
		mean, peak := meanPeak(ls)
		p99 := math.Max(vm.lagP50*3.2, quantileOf(ls, 0.99))
		unprot := 0.0
		if vm.name == "sql01" && policy == "ip_hash" && fc != "baseline" {
			unprot = 95.3 - 70.1
		}
		v := results.VM{VM: vm.name, LoggedBytes: math.Round(vm.rateBps / 8 * (goldenDuration - goldenWarmup)),
			ReplayLagMean: mean, ReplayLagP50: vm.lagP50, ReplayLagP99: p99, ReplayLagMax: peak,
			OutputDelayP99: p99 + 40e-6, UnprotectedS: unprot, LagQuantiles: lagQuantiles(vm.lagP50, p99, peak)}
		v.DeliveredBytes = math.Round(v.LoggedBytes * 0.9999)
		for _, e := range run.Events {
			if e.Target == vm.name {
				v.FTEvents = append(v.FTEvents, e)
			}
		}
		if v.FTEvents == nil {
			v.FTEvents = []results.Event{}
		}
		run.VMs = append(run.VMs, v)
	}
	offered := 0.0
	for _, v := range run.VMs {
		offered += v.LoggedBytes
	}
	run.Balance = results.Balance{Offered: offered, Delivered: offered - 2.5e6, InFlight: 2.5e6}
	return run, ss
}

// splitLink splits "HOST/VMNIC DIR".
func splitLink(k string) (host, vmnic, dir string) {
	hv, dir, _ := strings.Cut(k, " ")
	host, vmnic, _ = strings.Cut(hv, "/")
	return host, vmnic, dir
}

func round(vs []float64) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i], _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	}
	return out
}

func meanPeak(vs []float64) (mean, peak float64) {
	for _, v := range vs {
		mean += v
		peak = math.Max(peak, v)
	}
	return mean / float64(len(vs)), peak
}

func quantileOf(vs []float64, q float64) float64 {
	s := append([]float64(nil), vs...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[int(q*float64(len(s)-1))]
}

// lagQuantiles is a plausible lag distribution through p50, p99 and max.
func lagQuantiles(p50, p99, max float64) []results.Quantile {
	return []results.Quantile{
		{Q: 0, Value: p50 * 0.35}, {Q: 0.1, Value: p50 * 0.6}, {Q: 0.25, Value: p50 * 0.8},
		{Q: 0.5, Value: p50}, {Q: 0.75, Value: p50 * 1.3}, {Q: 0.9, Value: p50 * 1.8},
		{Q: 0.95, Value: p50 * 2.3}, {Q: 0.99, Value: p99}, {Q: 0.999, Value: math.Max(p99*2, max*0.8)},
		{Q: 1, Value: math.Max(max, p99*2)},
	}
}

// summarise makes the one-replication summary of run, with its verdict.
func summarise(run results.RunResult, sla results.SLALimits) results.Summary {
	s := results.Summary{Policy: run.Policy, FailureCase: run.FailureCase, Applicable: true}
	v := results.Verdict{Pass: true, Violations: []results.Violation{}}
	check := func(metric, object string, value float64, limit *float64) {
		if limit != nil && value > *limit {
			v.Pass = false
			v.Violations = append(v.Violations, results.Violation{Metric: metric, Object: object, Value: value, Limit: *limit})
		}
	}
	for _, vm := range run.VMs {
		s.Metrics = append(s.Metrics,
			results.Metric{Object: vm.VM, Name: "replay_lag_p99_s", Mean: vm.ReplayLagP99},
			results.Metric{Object: vm.VM, Name: "output_delay_p99_s", Mean: vm.OutputDelayP99},
			results.Metric{Object: vm.VM, Name: "throttled_fraction", Mean: vm.ThrottledFraction},
			results.Metric{Object: vm.VM, Name: "unprotected_s", Mean: vm.UnprotectedS})
		check("replay_lag_p99_s", vm.VM, vm.ReplayLagP99, sla.ReplayLagP99)
		check("output_delay_p99_s", vm.VM, vm.OutputDelayP99, sla.OutputDelayP99)
		check("unprotected_s", vm.VM, vm.UnprotectedS, sla.UnprotectedMax)
	}
	for _, l := range run.Links {
		obj := l.Host + "/" + l.Vmnic + " " + l.Direction
		s.Metrics = append(s.Metrics,
			results.Metric{Object: obj, Name: "utilisation_peak", Mean: l.UtilisationPeak},
			results.Metric{Object: obj, Name: "utilisation_mean", Mean: l.UtilisationMean})
		check("utilisation_peak", obj, l.UtilisationPeak, sla.UtilisationMax)
	}
	s.Verdict = v
	return s
}

// loadGolden reads testdata/results.json and testdata/timeseries.csv.
func loadGolden(t testing.TB) (results.Result, []results.Series) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r results.Result
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join("testdata", "timeseries.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	series, err := results.ReadSeriesCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	return r, series
}

// TestGoldenUpToDate checks that testdata holds what goldenResult builds
// (go test -update rewrites it).
func TestGoldenUpToDate(t *testing.T) {
	r, series := goldenResult()
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	js = append(js, '\n')
	var csv bytes.Buffer
	if err := results.WriteSeriesCSV(&csv, series); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"results.json": js, "timeseries.csv": csv.Bytes()}
	for _, name := range []string{"results.json", "timeseries.csv"} {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, files[name], 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, files[name]) {
			t.Errorf("%s is out of date: run go test ./plots -run TestGoldenUpToDate -update", path)
		}
	}
}
