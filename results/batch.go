package results

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/ftsim/ftsim/model"
)

// SweepValues converts a case's parameters to the form results carry.
func SweepValues(params []model.CaseParam) []SweepValue {
	if len(params) == 0 {
		return nil
	}
	out := make([]SweepValue, len(params))
	for i, p := range params {
		out[i] = SweepValue{Param: p.Param, Value: p.Value}
	}
	return out
}

func CaseParams(sweep []SweepValue) []model.CaseParam {
	out := make([]model.CaseParam, len(sweep))
	for i, v := range sweep {
		out[i] = model.CaseParam{Param: v.Param, Value: v.Value}
	}
	return out
}

// CaseName returns the batch case name of a saved result, the same name
// model.ExpandSweep gave the case: `<scenario>/<param>=<value>,...`.
func CaseName(r Result) string { return model.CaseName(r.Scenario, CaseParams(r.Sweep)) }

// CaseDir returns the folder a batch keeps r's case in, relative to the
// batch's output folder (see model.CaseDir).
func CaseDir(r Result) string { return model.CaseDir(r.Scenario, CaseParams(r.Sweep)) }

// Shard is one part of a batch split over several machines: the shard with
// Index I of Count N runs the cases at positions p (in the natural order
// of case names, 0-based) with p mod N = I. The zero Shard runs every case.
type Shard struct {
	Index, Count int
}

// Owns reports whether the case at position p belongs to the shard.
func (s Shard) Owns(p int) bool {
	if s.Count <= 1 {
		return true
	}
	return p%s.Count == s.Index
}

// String writes the shard as I/N.
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// ParseShard reads a shard written `I/N` or `auto/N`. With auto, I is
// JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or else
// SLURM_ARRAY_TASK_ID (a Slurm job array submitted as --array=0-(N-1)),
// read through getenv so no package below the command line reads the
// environment. The task ID is the index as it is: a task re-run alone
// (`sbatch --array=3`) still runs shard 3, and an index of N or more is
// refused.
func ParseShard(spec string, getenv func(string) string) (Shard, error) {
	is, ns, ok := strings.Cut(strings.TrimSpace(spec), "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: write it I/N (0 <= I < N) or auto/N", spec)
	}
	n, err := strconv.Atoi(ns)
	if err != nil || n < 1 {
		return Shard{}, fmt.Errorf("shard %q: N must be a whole number of shards, 1 or more", spec)
	}
	var i int
	if is == "auto" {
		if i, err = autoShardIndex(getenv); err != nil {
			return Shard{}, fmt.Errorf("shard %q: %w", spec, err)
		}
	} else if i, err = strconv.Atoi(is); err != nil {
		return Shard{}, fmt.Errorf("shard %q: I must be a whole number from 0 to N-1, or auto", spec)
	}
	if i < 0 || i >= n {
		return Shard{}, fmt.Errorf("shard %q: index %d is outside 0..%d", spec, i, n-1)
	}
	return Shard{Index: i, Count: n}, nil
}

func autoShardIndex(getenv func(string) string) (int, error) {
	if v := strings.TrimSpace(getenv("JOB_COMPLETION_INDEX")); v != "" {
		i, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("JOB_COMPLETION_INDEX=%q is not a whole number", v)
		}
		return i, nil
	}
	v := strings.TrimSpace(getenv("SLURM_ARRAY_TASK_ID"))
	if v == "" {
		return 0, errors.New("auto needs JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (Slurm job array); neither is set")
	}
	id, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("SLURM_ARRAY_TASK_ID=%q is not a whole number", v)
	}
	return id, nil
}

// IndexRow is one line of a batch's index.csv: one key figure of one
// policy x failure case of one case. Object is "" for a run-wide figure, a
// VM name, or a link ("HOST/VMNIC tx").
type IndexRow struct {
	Case, Policy, FailureCase, Object, Metric string
	Value                                     float64
}

// Metric names of the rows IndexRows adds to a summary's own figures.
const (
	// MetricSLAPass is 1 when the policy x failure case meets the SLA, else 0.
	MetricSLAPass = "sla_pass"
	// MetricApplicable is 0 for a policy the topology cannot carry (the
	// only row such a policy gets).
	MetricApplicable = "applicable"
)

// IndexRows returns the index rows of one case's result: for every
// summary (policy x failure case), each figure's mean over the
// replications, plus sla_pass (1 or 0); a policy that is not applicable
// gets a single row, applicable = 0. Rows come sorted.
func IndexRows(caseName string, r Result) []IndexRow {
	var rows []IndexRow
	for _, s := range r.Summary {
		row := IndexRow{Case: caseName, Policy: s.Policy, FailureCase: s.FailureCase}
		if !s.Applicable {
			row.Metric = MetricApplicable
			rows = append(rows, row)
			continue
		}
		row.Metric, row.Value = MetricSLAPass, 0
		if s.Verdict.Pass {
			row.Value = 1
		}
		rows = append(rows, row)
		for _, m := range s.Metrics {
			row.Object, row.Metric, row.Value = m.Object, m.Name, m.Mean
			rows = append(rows, row)
		}
	}
	SortIndexRows(rows)
	return rows
}

// SortIndexRows orders rows by case, policy, failure case, object and
// metric, each compared naturally (web-2 before web-10), then by value.
func SortIndexRows(rows []IndexRow) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		for _, k := range [...][2]string{
			{a.Case, b.Case}, {a.Policy, b.Policy}, {a.FailureCase, b.FailureCase},
			{a.Object, b.Object}, {a.Metric, b.Metric},
		} {
			if k[0] != k[1] {
				return model.NaturalLess(k[0], k[1])
			}
		}
		return a.Value < b.Value
	})
}

// IndexHeader is the header line of index.csv.
var IndexHeader = []string{"case", "policy", "failure_case", "object", "metric", "value"}

// WriteIndexCSV writes rows as index.csv: a header, then one line per row
// in the given order, values in the shortest form that reads back exactly.
func WriteIndexCSV(w io.Writer, rows []IndexRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(IndexHeader); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write([]string{r.Case, r.Policy, r.FailureCase, r.Object, r.Metric, FormatValue(r.Value)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// FormatValue writes v in the shortest decimal form that reads back as v.
func FormatValue(v float64) string {
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// BatchSummary is a batch's summary.json: every case, in natural order of
// names, with its verdicts and key figures.
type BatchSummary struct {
	Cases []CaseSummary `json:"cases"`
	// Planning is the planning answer per scenario with a sweep and policy
	// (see PlanningAnswers).
	Planning []PlanningAnswer `json:"planning,omitempty"`
}

// CaseSummary is one case of a batch.
type CaseSummary struct {
	Case     string        `json:"case"`
	Scenario string        `json:"scenario"`
	Params   []SweepValue  `json:"params"`
	Dir      string        `json:"dir"` // folder of results.json, relative to the batch folder
	Outcomes []CaseOutcome `json:"outcomes"`
	Worst    []WorstCase   `json:"worst,omitempty"` // per policy, with n_minus_1
}

// CaseOutcome is the verdict and key figures of one policy x failure case.
type CaseOutcome struct {
	Policy      string      `json:"policy"`
	FailureCase string      `json:"failure_case"`
	Applicable  bool        `json:"applicable"`
	Reason      string      `json:"reason,omitempty"`
	Pass        bool        `json:"pass"`
	Violations  []Violation `json:"violations"`
	Figures     []KeyFigure `json:"figures"`
}

// KeyFigure is one key figure of a policy x failure case: its mean over
// replications, the 95% CI half-width (null with one replication), and the
// VM or link that fares worst ("" when the summary names none).
type KeyFigure struct {
	Metric string   `json:"metric"`
	Object string   `json:"object"`
	Mean   float64  `json:"mean"`
	CI95   *float64 `json:"ci95"`
}

// SummariseCase returns the summary of one finished case.
func SummariseCase(r Result) CaseSummary {
	cs := CaseSummary{
		Case:     CaseName(r),
		Scenario: r.Scenario,
		Params:   r.Sweep,
		Dir:      CaseDir(r),
		Outcomes: make([]CaseOutcome, 0, len(r.Summary)),
		Worst:    r.Worst,
	}
	if cs.Params == nil {
		cs.Params = []SweepValue{}
	}
	for _, s := range r.Summary {
		o := CaseOutcome{
			Policy: s.Policy, FailureCase: s.FailureCase, Applicable: s.Applicable, Reason: s.Reason,
			Pass: s.Applicable && s.Verdict.Pass, Violations: s.Verdict.Violations, Figures: []KeyFigure{},
		}
		if o.Violations == nil {
			o.Violations = []Violation{}
		}
		if s.Applicable {
			o.Figures = worstFigures(s.Metrics)
		}
		cs.Outcomes = append(cs.Outcomes, o)
	}
	sort.SliceStable(cs.Outcomes, func(i, j int) bool {
		a, b := cs.Outcomes[i], cs.Outcomes[j]
		if a.Policy != b.Policy {
			return model.NaturalLess(a.Policy, b.Policy)
		}
		return model.NaturalLess(a.FailureCase, b.FailureCase)
	})
	return cs
}

// worstFigures returns, for each key metric the summary has, the
// run-wide figure (object "": the worst VM or link of each replication,
// averaged) and the object with the highest mean (ties: the first in
// natural order). Without a run-wide figure, the worst object's own.
func worstFigures(ms []Metric) []KeyFigure {
	out := []KeyFigure{}
	for _, name := range KeyMetrics() {
		var wide, worst *Metric
		for i := range ms {
			m := &ms[i]
			switch {
			case m.Name != name || math.IsNaN(m.Mean):
			case m.Object == "":
				wide = m
			case worst == nil || m.Mean > worst.Mean || m.Mean == worst.Mean && model.NaturalLess(m.Object, worst.Object):
				worst = m
			}
		}
		f := KeyFigure{Metric: name}
		switch {
		case wide != nil:
			f.Mean, f.CI95 = wide.Mean, wide.CI95
		case worst != nil:
			f.Mean, f.CI95 = worst.Mean, worst.CI95
		default:
			continue
		}
		if worst != nil {
			f.Object = worst.Object
		}
		out = append(out, f)
	}
	return out
}

// NewBatchSummary returns the summary of cases, sorted naturally by name.
func NewBatchSummary(cases []CaseSummary) BatchSummary {
	out := append([]CaseSummary{}, cases...)
	sort.SliceStable(out, func(i, j int) bool { return model.NaturalLess(out[i].Case, out[j].Case) })
	return BatchSummary{Cases: out, Planning: PlanningAnswers(out)}
}
