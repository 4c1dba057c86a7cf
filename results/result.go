package results

// Result is everything a run of a scenario produced: plain data, JSON
// serialisable, so plots, reports and merges work from a saved results.json.
// Units: seconds, bits per second, bytes, fractions 0..1.
type Result struct {
	Scenario    string       `json:"scenario"`
	Description string       `json:"description,omitempty"`
	Seed        uint64       `json:"seed"`
	Duration    float64      `json:"duration_s"`
	Warmup      float64      `json:"warmup_s"`
	SLA         SLALimits    `json:"sla"`
	Notes       []string     `json:"notes,omitempty"` // model assumptions and derived settings
	Runs        []RunResult  `json:"runs"`            // one per policy x failure case x replication
	Summary     []Summary    `json:"summary"`         // one per policy x failure case
	Worst       []WorstCase  `json:"worst,omitempty"` // per policy, with n_minus_1
	Series      []Series     `json:"-"`               // per-second time series (timeseries.csv)
	Sweep       []SweepValue `json:"sweep,omitempty"` // the case's swept parameters, in a batch
	// SamePaths lists the policies whose runs were one simulation, every
	// FT flow on the same paths (see the package doc). It is not in
	// results.json, whose every byte is as if each policy had run alone.
	SamePaths []SamePaths `json:"-"`
	// Shard is set in the partial Result of a sharded run (sim.Options.Shard):
	// which failure cases it holds.
	Shard *ShardPart `json:"shard,omitempty"`
}

// SamePaths is a group of policies whose runs of one failure case and
// replication took the same paths throughout: one simulation, reported
// under each. The first policy is the one simulated.
type SamePaths struct {
	FailureCase string
	Replication int
	Policies    []string
}

// SLALimits is the scenario's SLA; nil fields are unset.
type SLALimits struct {
	ReplayLagP99   *float64 `json:"replay_lag_p99_s,omitempty"`
	OutputDelayP99 *float64 `json:"output_delay_p99_s,omitempty"`
	UtilisationMax *float64 `json:"utilisation_max,omitempty"`
	UnprotectedMax *float64 `json:"unprotected_max_s,omitempty"`
}

// SweepValue is one swept parameter of a batch case.
type SweepValue struct {
	Param string `json:"param"`
	Value string `json:"value"`
}

// RunResult is one simulation: a policy, a failure case, a replication.
type RunResult struct {
	Policy      string   `json:"policy"`
	FailureCase string   `json:"failure_case"`
	Replication int      `json:"replication"`
	Seed        uint64   `json:"seed"`
	Applicable  bool     `json:"applicable"`
	Reason      string   `json:"reason,omitempty"`
	Links       []Link   `json:"links"`
	VMs         []VM     `json:"vms"`
	Events      []Event  `json:"events"`
	Verdict     Verdict  `json:"verdict"`
	Balance     Balance  `json:"balance"` // conservation, per run (all VMs)
	Notes       []string `json:"notes,omitempty"`
	// Phases split the measured window at each failure and recovery: which
	// uplink carried the FT traffic before and after each (UplinkTables).
	Phases []Phase `json:"phases,omitempty"`
}

// Phase is a stretch of the measured window between two failures or
// recoveries, with each host vmnic's FT traffic in it.
type Phase struct {
	From  float64     `json:"from_s"`
	To    float64     `json:"to_s"`
	After string      `json:"after,omitempty"` // the event that starts it: "failure esx01/vmnic0"; "" for the first
	Links []PhaseLink `json:"links"`
}

// PhaseLink is one host vmnic direction in a phase: the FT payload it
// carried (log data, acks, heartbeats, re-sync; no background) and its
// peak utilisation (every 1 s window inside the phase, all traffic).
type PhaseLink struct {
	Host            string  `json:"host"`
	Vmnic           string  `json:"vmnic"`
	Direction       string  `json:"direction"`
	FTBytes         float64 `json:"ft_bytes"`
	UtilisationPeak float64 `json:"utilisation_peak"`
}

// Link is the figures of one queue: a vmnic direction or an ISL direction.
type Link struct {
	Host            string  `json:"host"`
	Vmnic           string  `json:"vmnic"`     // for an ISL: "isl:A~B"
	Direction       string  `json:"direction"` // tx: host to switch (A to B); rx: switch to host (B to A)
	SpeedBps        float64 `json:"speed_bps"`
	Bytes           float64 `json:"bytes"`
	UtilisationMean float64 `json:"utilisation_mean"`
	UtilisationPeak float64 `json:"utilisation_peak"`
	QueueDelayMean  float64 `json:"queue_delay_mean_s"`
	QueueDelayP99   float64 `json:"queue_delay_p99_s"`
	DroppedBytes    float64 `json:"dropped_bytes"`
	// RetransmittedBytes is the payload of retransmissions this queue
	// carried (also counted in Bytes).
	RetransmittedBytes float64 `json:"retransmitted_bytes"`
}

// VM is the figures of one FT VM.
type VM struct {
	VM          string  `json:"vm"`
	LoggedBytes float64 `json:"logged_bytes"`
	// DeliveredBytes is the log payload replayed at the secondary in the
	// measured window, re-sync excluded. A VM that delivered nothing, or
	// under 1% of LoggedBytes, fails its verdict ("nothing delivered").
	DeliveredBytes    float64    `json:"delivered_bytes"`
	ReplayLagMean     float64    `json:"replay_lag_mean_s"`
	ReplayLagP50      float64    `json:"replay_lag_p50_s"`
	ReplayLagP99      float64    `json:"replay_lag_p99_s"`
	ReplayLagMax      float64    `json:"replay_lag_max_s"`
	OutputDelayP99    float64    `json:"output_delay_p99_s"`
	ThrottledFraction float64    `json:"throttled_fraction"`
	UnprotectedS      float64    `json:"unprotected_s"`
	FTEvents          []Event    `json:"ft_events"`
	LagQuantiles      []Quantile `json:"replay_lag_quantiles"` // for the CDF chart
	// SMP-FT VMs only (nil for legacy FT): the mean running time of an
	// epoch, the mean checkpoint payload, the share of the window spent
	// stunned copying, and the time-weighted mean output delay.
	CheckpointIntervalMean *float64 `json:"checkpoint_interval_mean_s,omitempty"`
	CheckpointBytesMean    *float64 `json:"checkpoint_bytes_mean,omitempty"`
	StunFraction           *float64 `json:"stun_fraction,omitempty"`
	OutputDelayMean        *float64 `json:"output_delay_mean_s,omitempty"`
}

// SMP reports whether the VM is SMP-FT (it carries checkpoint figures).
func (v VM) SMP() bool { return v.CheckpointIntervalMean != nil }

// Quantile is one point of a distribution: P(X <= Value) = Q.
type Quantile struct {
	Q     float64 `json:"q"`
	Value float64 `json:"value_s"`
}

// Event is one entry of a run's timeline.
type Event struct {
	T      float64   `json:"t_s"`
	Kind   EventKind `json:"kind"`
	Target string    `json:"target"`
	From   string    `json:"from,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// Verdict is the SLA outcome.
type Verdict struct {
	Pass       bool        `json:"pass"`
	Violations []Violation `json:"violations"`
}

// Violation is one SLA limit exceeded.
type Violation struct {
	Metric string  `json:"metric"`
	Object string  `json:"object"`
	Value  float64 `json:"value"`
	Limit  float64 `json:"limit"`
}

// Balance is the conservation check of one run, in bytes, over the whole run.
type Balance struct {
	Offered   float64 `json:"offered"`
	Delivered float64 `json:"delivered"`
	Dropped   float64 `json:"dropped_pending"` // dropped and not yet retransmitted
	Abandoned float64 `json:"abandoned"`       // discarded when the peer was lost
	InFlight  float64 `json:"in_flight"`
}

// Summary aggregates the replications of one policy x failure case.
type Summary struct {
	Policy      string   `json:"policy"`
	FailureCase string   `json:"failure_case"`
	Applicable  bool     `json:"applicable"`
	Reason      string   `json:"reason,omitempty"`
	Metrics     []Metric `json:"metrics"`
	Verdict     Verdict  `json:"verdict"`
}

// Metric is one figure's mean over replications with its 95% CI half-width
// (nil with one replication). Object is a VM, a link ("HOST/VMNIC tx") or "".
type Metric struct {
	Object string   `json:"object"`
	Name   string   `json:"metric"`
	Mean   float64  `json:"mean"`
	CI95   *float64 `json:"ci95,omitempty"`
}

// WorstCase names a policy's worst failure case under n_minus_1.
type WorstCase struct {
	Policy      string `json:"policy"`
	FailureCase string `json:"failure_case"`
}

// Series is one per-second time series; it satisfies plotter.XYer.
type Series struct {
	Policy      string
	FailureCase string
	Replication int
	Object      string // "HOST/VMNIC tx", VM name, "isl:A~B tx"
	Metric      string // utilisation | queue_length | replay_lag_s
	T, V        []float64
}

// Len returns the number of points.
func (s Series) Len() int { return len(s.T) }

// XY returns point i.
func (s Series) XY(i int) (x, y float64) { return s.T[i], s.V[i] }
