// Package sim is ftsim's engine: it simulates the FT logging network of a
// scenario (vmnic and switch queues, FT sessions, teaming, failures) and
// returns a plain-data results.Result. Run is a pure function of the scenario, the
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
//   - In runs without failures of a single legacy FT VM, the log
//     messages follow one path in order, so their arrivals at the
//     secondary come in time order: they wait in a FIFO lane beside the
//     heaps and are taken from its head without a sift (evHeap.pushLane;
//     an arrival earlier than the lane's last would go to the heaps). A
//     heap item goes before a lane item of the same time. Like the pending
//     acks below, the lane changes how many events the heaps hold, and so
//     the order they serve events of the very same instant in:
//     TestLaneInvisible compares drawn single-VM scenarios with the lane
//     on and off, byte for byte, and TestLaneOrder the calendar's order.
//   - The data plane is advanced lazily: every control handler first calls
//     engine.sync(now), which processes the data events before now; the
//     control event then changes the network's state at exactly its time.
//     Liveness is a lazy timer: the check re-arms itself at the last
//     arrival plus ft.timeout and acts only if nothing arrived meanwhile.
//   - In runs without failures, a queue whose only feeder is one other
//     queue (a switch port or ISL fed by one vmnic TX queue, a switch port
//     fed by the ISL alone) forms a tandem with it and is entered when the
//     message enters its feeder (fusion.go): one event fewer per message
//     and fused hop. Feeders are counted on the run's own FT pairs, so a
//     fused run in which a path would change (an FT peer lost, an LBT
//     move, a MAC that moves) stops and is run again unfused; so does a
//     run with a congestion window in which a fused queue drops. Messages
//     that reach one queue at the very same instant may then be served in
//     the other order, which the model leaves open.
//   - The hashed policies keep each flow's uplink and LAG member until the
//     network changes (uplinkOf, lagMemberOf).
//   - A switch's choice of next queue toward a host is cached until the
//     network changes: every control event and every MAC that moves
//     invalidates the cache (network.fib).
//   - A model rule that changes a path (MAC learning, an LBT move, a peer
//     lost) does so through one method, engine.changePath (path.go): it
//     notes the change for shared runs, stops a fused run and renews the
//     cache around the change, so no rule can forget one of them.
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
// Under a window every arrival is acknowledged, and the window, the RTT
// estimate and the timer depend on each ack's time. In runs without
// failures the pending-ack shortcut (pendAck) still takes an ack off the
// calendar on its last hop: it waits in the pending list and is applied
// at the sender's next decision point (a production, the timer, another
// ack, a control event; a liveness check applies only its own VM's) at
// its own time, as long as applying it late
// changes nothing but the sender's own state; whenever it could (a
// message waiting for the window, recovery, a stall, a duplicate ack) an
// evAckWake applies it exactly at its time (ackWatch in tcp.go). SMP-FT
// connections under a window, whose acks end stuns, keep their acks in
// the calendar. TestLazyAcksInvisible compares drawn scenarios (NewReno,
// CUBIC, small buffers, lossy links, failures) with the pending list on
// and off, byte for byte; runs with failures do not take it. It changes
// how many events the calendar holds, and so the order in which it
// serves events of the very same instant (set by the heap's shape): with
// flows started in lockstep (copies that begin together after a host
// failure) or constant sources that order can move a result, so the test
// makes every link's latency distinct and uses random sources, and the
// pending list stays off in runs with failures.
//
// Fusion is on for runs with a window too, unless an SMP-FT VM has one
// (its checkpoint bursts start at the same instants as others', and fewer
// calendar events serve such simultaneous events in another order). A
// queue entered ahead of time would decide a drop before its time, which
// the window would learn of too early, so a windowed fused run in which a
// fused queue drops stops there and is run again unfused (dropAhead).
// TestLazyAcksInvisible compares its draws with fusion on and off too. A
// fused queue is not entered for an arrival at or after the end of the
// run, where the unfused run takes no more hops. Policy
// sharing and the forward and hash caches stay on:
// TestSharingInvisibleRandom draws the congestion control and small port
// buffers, TestForwardCacheInvisible adds a lossy vmnic (its draws come
// from a stream per link, so the order of other traffic does not move
// them). Lossy links only exist in runs with failures, which are never
// fused or shared.
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
// which cases it holds (results.Result.Shard). results.MergeShards joins
// the N partial Results into the unsharded Result, runs, summaries, worst
// cases, time series and shared groups in the unsharded order.
package sim
