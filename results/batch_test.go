package results

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		spec    string
		env     func(string) string
		want    Shard
		wantErr string
	}{
		{"0/1", env(), Shard{0, 1}, ""},
		{"2/3", env(), Shard{2, 3}, ""},
		{" 1/4 ", env(), Shard{1, 4}, ""},
		{"3/3", env(), Shard{}, "outside 0..2"},
		{"-1/3", env(), Shard{}, "outside 0..2"},
		{"1/0", env(), Shard{}, "N must be"},
		{"1", env(), Shard{}, "I/N"},
		{"x/3", env(), Shard{}, "I must be"},
		{"auto/4", env("JOB_COMPLETION_INDEX", "3"), Shard{3, 4}, ""},
		{"auto/4", env("JOB_COMPLETION_INDEX", "2", "SLURM_ARRAY_TASK_ID", "0"), Shard{2, 4}, ""},
		{"auto/4", env("SLURM_ARRAY_TASK_ID", "1"), Shard{1, 4}, ""},
		// A task re-run alone (sbatch --array=2) has MIN = MAX = its ID:
		// the shard is still the ID.
		{"auto/4", env("SLURM_ARRAY_TASK_ID", "2", "SLURM_ARRAY_TASK_MIN", "2", "SLURM_ARRAY_TASK_MAX", "2", "SLURM_ARRAY_TASK_COUNT", "1"), Shard{2, 4}, ""},
		{"auto/4", env("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_MIN", "1"), Shard{3, 4}, ""},
		{"auto/4", env("SLURM_ARRAY_TASK_ID", "4", "SLURM_ARRAY_TASK_MIN", "4"), Shard{}, "outside 0..3"},
		{"auto/4", env("SLURM_ARRAY_TASK_ID", " 0 "), Shard{0, 4}, ""},
		{"auto/4", env("SLURM_ARRAY_TASK_ID", "-1"), Shard{}, "outside 0..3"},
		{"auto/4", env(), Shard{}, "neither is set"},
		{"auto/4", env("JOB_COMPLETION_INDEX", "one"), Shard{}, "not a whole number"},
	}
	for _, tt := range tests {
		got, err := ParseShard(tt.spec, tt.env)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseShard(%q) error = %v, want one containing %q", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", tt.spec, got, err, tt.want)
		}
	}
}

func TestShardOwnsPartitions(t *testing.T) {
	for n := 1; n <= 5; n++ {
		counts := make([]int, 23)
		for i := 0; i < n; i++ {
			s := Shard{i, n}
			for p := range counts {
				if s.Owns(p) {
					counts[p]++
					if p%n != i {
						t.Errorf("shard %v owns position %d", s, p)
					}
				}
			}
		}
		for p, c := range counts {
			if c != 1 {
				t.Errorf("N=%d: position %d owned by %d shards", n, p, c)
			}
		}
	}
	if !(Shard{}).Owns(7) {
		t.Error("the zero Shard must own every case")
	}
}

func ptr(v float64) *float64 { return &v }

func sampleResult() Result {
	return Result{
		Scenario: "two-hosts",
		Sweep:    []SweepValue{{"count", "10"}, {"speed", "1Gbps"}},
		Summary: []Summary{
			{Policy: "port_id", FailureCase: "baseline", Applicable: true,
				Verdict: Verdict{Pass: false, Violations: []Violation{{"replay_lag_p99_s", "web-10", 0.2, 0.1}}},
				Metrics: []Metric{
					{"", "replay_lag_p99_s", 0.25, ptr(0.02)},
					{"web-10", "replay_lag_p99_s", 0.2, ptr(0.01)},
					{"web-2", "replay_lag_p99_s", 0.2, nil},
					{"", "throttled_fraction_max", 0, nil},
					{"esx01/vmnic1 tx", "utilisation_peak", 0.5, nil},
				}},
			{Policy: "ip_hash", FailureCase: "baseline", Applicable: false, Reason: "two switches, not stacked"},
			{Policy: "explicit_failover", FailureCase: "vmnic:esx01/vmnic1", Applicable: true,
				Verdict: Verdict{Pass: true}, Metrics: []Metric{{"web-1", "replay_lag_p99_s", 1e-3, nil}}},
		},
	}
}

func TestIndexRows(t *testing.T) {
	r := sampleResult()
	name := CaseName(r)
	if name != "two-hosts/count=10,speed=1Gbps" {
		t.Fatalf("CaseName = %q", name)
	}
	if d := CaseDir(r); d != "two-hosts/count=10,speed=1Gbps" {
		t.Errorf("CaseDir = %q", d)
	}
	rows := IndexRows(name, r)
	var b bytes.Buffer
	if err := WriteIndexCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	want := `case,policy,failure_case,object,metric,value
two-hosts/count=10,speed=1Gbps,explicit_failover,vmnic:esx01/vmnic1,,sla_pass,1
two-hosts/count=10,speed=1Gbps,explicit_failover,vmnic:esx01/vmnic1,web-1,replay_lag_p99_s,0.001
two-hosts/count=10,speed=1Gbps,ip_hash,baseline,,applicable,0
two-hosts/count=10,speed=1Gbps,port_id,baseline,,replay_lag_p99_s,0.25
two-hosts/count=10,speed=1Gbps,port_id,baseline,,sla_pass,0
two-hosts/count=10,speed=1Gbps,port_id,baseline,,throttled_fraction_max,0
two-hosts/count=10,speed=1Gbps,port_id,baseline,esx01/vmnic1 tx,utilisation_peak,0.5
two-hosts/count=10,speed=1Gbps,port_id,baseline,web-2,replay_lag_p99_s,0.2
two-hosts/count=10,speed=1Gbps,port_id,baseline,web-10,replay_lag_p99_s,0.2
`
	// encoding/csv quotes fields holding a comma.
	want = strings.ReplaceAll(want, "two-hosts/count=10,speed=1Gbps,", `"two-hosts/count=10,speed=1Gbps",`)
	if got := b.String(); got != want {
		t.Errorf("index.csv:\n%s\nwant:\n%s", got, want)
	}
}

func TestFormatValue(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 0.1: "0.1", 1e-7: "1e-07", 10e9: "1e+10", 123456: "123456", -0.25: "-0.25"} {
		if got := FormatValue(v); got != want {
			t.Errorf("FormatValue(%v) = %q, want %q", v, got, want)
		}
	}
	negZero := 0.0
	negZero = -negZero
	if got := FormatValue(negZero); got != "0" {
		t.Errorf("FormatValue(-0) = %q", got)
	}
}

func TestSummariseCase(t *testing.T) {
	cs := SummariseCase(sampleResult())
	if cs.Case != "two-hosts/count=10,speed=1Gbps" || cs.Dir != cs.Case || cs.Scenario != "two-hosts" {
		t.Fatalf("case %q dir %q scenario %q", cs.Case, cs.Dir, cs.Scenario)
	}
	var got []string
	for _, o := range cs.Outcomes {
		s := fmt.Sprintf("%s/%s applicable=%v pass=%v", o.Policy, o.FailureCase, o.Applicable, o.Pass)
		for _, f := range o.Figures {
			s += fmt.Sprintf(" %s[%s]=%g", f.Metric, f.Object, f.Mean)
		}
		got = append(got, s)
	}
	want := []string{
		"explicit_failover/vmnic:esx01/vmnic1 applicable=true pass=true replay_lag_p99_s[web-1]=0.001",
		"ip_hash/baseline applicable=false pass=false",
		// The run-wide figure, and of equal objects the first in natural
		// order (web-2 before web-10).
		"port_id/baseline applicable=true pass=false replay_lag_p99_s[web-2]=0.25 utilisation_peak[esx01/vmnic1 tx]=0.5",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("outcomes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	s := NewBatchSummary([]CaseSummary{{Case: "a/n=10"}, {Case: "a/n=2"}, {Case: "a"}})
	if s.Cases[0].Case != "a" || s.Cases[1].Case != "a/n=2" || s.Cases[2].Case != "a/n=10" {
		t.Errorf("summary order: %v", s.Cases)
	}
}
