// Package sim is ftsim's engine: it simulates the FT logging network of a
// scenario (vmnic and switch queues, FT sessions, teaming, failures) and
// returns a plain-data Result. Run is a pure function of the scenario, the
// options and the seed: no I/O, no wall clock, no map order in results.
//
// # How the model maps onto simgo
//
// github.com/fschuetz04/simgo owns the simulation clock and every control
// event: failures and recoveries, failure detection (link status, beacon
// probing, LACPDU loss), failover and failback, LBT evaluations, FT
// liveness checks (peer lost), promotion and re-protection, and the 1 s
// sampling windows. They are callback events (Timeout plus AddHandler),
// not processes: a process costs a goroutine hand-off per step and gains
// nothing here. Every pending control event stays referenced (engine.pending,
// vmState.timer), because simgo aborts unreferenced events from a finalizer
// goroutine, which -race reports as a data race. A finished run aborts
// the events still pending (engine.letGo): their handlers hold the engine,
// and simgo's finalizers sit in cycles that are never collected, so the
// engine would otherwise stay in memory until the process ends.
//
// The per-message data plane does not pay one simgo event per message per
// hop. simgo attaches a finalizer to every event and boxes it into
// container/heap: about 1 M events/s, while one FT VM at 10 Gbit/s sends
// tens of thousands of messages per second over four queues. Instead:
//
//   - A FIFO queue with a line rate is fully described by the time its wire
//     is next free. A message's start and end follow from its arrival
//     (Lindley's recursion), so a departure is computed, not scheduled.
//   - Arrivals at the next hop, message production, heartbeats and
//     retransmissions sit in the data plane's own calendar: a typed 4-ary
//     heap of 16-byte items (heap.go), allocation-free in steady state.
//   - The data plane is advanced lazily: every control handler first calls
//     engine.sync(now), which processes the data events before now; the
//     control event then changes the network's state at exactly its time.
//     Liveness is a lazy timer: the check re-arms itself at the last
//     arrival plus ft.timeout and acts only if nothing arrived meanwhile.
//   - In runs without failures and without a congestion window
//     (congestion: none), a queue whose only feeder is one other
//     queue (a switch port or ISL fed by one vmnic TX queue, a switch port
//     fed by the ISL alone) forms a tandem with it and is entered when the
//     message enters its feeder (fusion.go): one event fewer per message
//     and fused hop. Feeders are counted on the run's own FT pairs, so a
//     fused run in which a path would change (an FT peer lost, an LBT
//     move, a MAC that moves) stops and is run again unfused. Messages
//     that reach one queue at the very same instant may then be served in
//     the other order, which the model leaves open.
//   - The hashed policies keep each flow's uplink and LAG member until the
//     network changes (uplinkOf, lagMemberOf).
//   - A switch's choice of next queue toward a host is cached until the
//     network changes: every control event and every MAC that moves
//     invalidates the cache (network.fib).
//
// # What a run measures
//
// Messages occupy each queue as one unit for their whole wire time,
// framing included (docs/model.md section 4). Switch ports and inter-switch
// links drop beyond their buffer, and lossy links at random. The secondary
// replays in sequence order and acknowledges cumulatively; the primary
// holds up to ft.log_buffer of unacknowledged log data and stalls when it
// is full, and is slowed to what the secondary consumes while replay lag
// exceeds ft.lag_target (docs/model.md section 3). Percentiles come from HDR
// histograms (buckets at most 1/128 wide, reported at their midpoint and
// clamped to the exact extremes), so memory does not grow with simulated
// time; the per-second time series does, by design.
//
// # The transport
//
// Each FT session and each re-protection copy is a TCP connection
// (tcp.go, docs/model.md "Transport"): the log buffer is the sender's
// buffer (the ring of unacknowledged messages) and a congestion window
// (NewReno or CUBIC, RFC 6298 timeouts with backoff, fast retransmit,
// SACK-like recovery at message granularity) decides which of its
// messages are on the wire. A dropped message is only marked lost; the
// sender learns of it from the acks (three later arrivals) or its timer,
// an evRTO in the data-plane calendar (at most one pending per connection,
// moved lazily). ft.tcp.congestion: none keeps the earlier model: window =
// log buffer, every drop resent ft.rto later (evRetx).
//
// Under a window every arrival is acknowledged and the sender must see
// each ack at its own time, so the pending-ack shortcut (pendAck) is off
// for connections with a window. Fusion is off too in runs where any
// connection has a window: a queue entered ahead of time decides drops
// before their time and orders equal times differently, which a window
// turns into different results (TestFusionInvisible, which runs every
// policy with NewReno, CUBIC or no window over small buffers that drop,
// found it; it now checks that windowed runs are not fused and that
// windowless ones are exact). Policy sharing and the forward and hash
// caches stay on: TestSharingInvisibleRandom draws the congestion control
// and small port buffers, TestForwardCacheInvisible adds a lossy vmnic
// (its draws come from a stream per link, so the order of other traffic
// does not move them). Lossy links only exist in runs with failures, which
// are never fused or shared.
//
// # SMP-FT fast checkpointing
//
// "What a run measures" is legacy FT (mode: legacy). An SMP-FT VM (mode:
// smp) runs the epoch loop of ckpt.go (docs/model.md, "SMP-FT fast
// checkpointing"): it runs for the interval, is stunned while the epoch's
// unique dirty memory is copied, then sends the checkpoint (that memory,
// the epoch's disk writes and network input, the device-state overhead) as
// log messages on the same queues, paths and sessions as legacy log data,
// and resumes; with max_outstanding checkpoints unacknowledged it stays
// stunned until an ack (flow control, counted as throttled). The secondary
// acknowledges each complete checkpoint once; output of an epoch is held
// until that ack, and its delay enters the histogram weighted by running
// time. An epoch's content depends only on its span, so it is computed
// when the epoch starts: one calendar event per epoch (its copy's end)
// plus about one per checkpoint message. The log buffer, the lag target's
// slowdown and the per-message lag do not apply to SMP-FT VMs.
//
// The fast paths (fusion, policy sharing, the forward and hash caches)
// apply to SMP-FT VMs unchanged: checkpoint messages and their acks are
// log messages and acks. TestFusionInvisible and TestSharingInvisibleRandom
// draw SMP-FT and legacy VMs side by side (SMP-FT bursts included), so
// neither fast path is disabled for them.
//
// # Runs, replications and summaries
//
// Run repeats the scenario for every compared policy (model.WithPolicy),
// failure case (model.Scenario.FailureCases) and replication. Replication r
// uses a seed derived from the root seed by splitmix64 and is shared by all
// policies, so policies are compared on the same random draws. Runs go to a
// pool of Options.Parallel workers and land by index, so the Result does
// not depend on the pool's size.
//
// Runs of one failure case and replication whose every FT flow starts on
// the same paths under two policies, in a case without failures, are one
// simulation until a path changes (share.go): Run simulates it once and
// reports it under each policy, and simulates a policy on its own when the
// shared run sees its paths change or, for NIC load, an LBT check that
// would move a port.
//
// Failure cases whose failures all start at one instant T after t = 0 (the
// single failures of n_minus_1, which start from the design without its
// failures: timeline) share their prefix (prefix.go): Run simulates the
// policy and replication without failures up to T once, copies the engine
// there (go-clone, complete by construction) and continues each case from
// its own copy. Control events are data (ctl), not closures, so the
// pending ones are scheduled again on a new simgo clock at their exact
// times and in their order among equal times, the case's failures where a
// plain run puts them. TestPrefixInvisible (drawn topologies, every
// policy, NewReno, CUBIC and no window, legacy and SMP-FT VMs, every
// single failure with promotion and re-protection, lossy links in the
// baseline) compares every byte with prefix sharing on and off, and
// TestPrefixEqualsWrittenFailure compares a continued case with a plain
// run of its failure written into failures:.
//
// With Options.SeriesWorst, a failure case's time series are kept only
// while it is its policy's worst single failure so far (keep.go), so
// memory does not grow with the number of failure cases.
//
// # Shards of a run
//
// Options.Shard I/N narrows a Run to the failure cases at positions p with
// p mod N = I, each with every policy and replication, so the shared
// simulations of a case stay within one shard; the partial Result says
// which cases it holds (Result.Shard). MergeShards joins the N partial
// Results into the unsharded Result, runs, summaries, worst cases, time
// series and shared groups in the unsharded order (shard.go).
package sim
