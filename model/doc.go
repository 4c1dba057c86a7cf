// Package model holds ftsim's domain types: the scenario (hosts, vmnics,
// switches, teaming, FT VMs, workloads, failures, SLA), the units they are
// written in, loading YAML with the position of every problem, validation in
// vSphere terms, and the teaming policies' uplink choice as pure functions.
//
// Load and Parse read a scenario, apply every default of docs/model.md and
// validate it, returning every problem at once as an ErrorList sorted by
// position (FILE:LINE:COL: message, at the value that must change).
// Warnings (FT limits per host, beacon probing on two uplinks) do not stop
// a load; they are in Scenario.Warnings, and in the ErrorList when there
// are errors too. Marshal writes a Scenario back as YAML in its fully
// expanded form; JSONSchema describes the format for editors.
//
// Where docs/model.md leaves a choice open, the loader decides:
//
//   - Without `switches:`, every vmnic is on one switch "sw1" with the
//     default port buffer (1MiB), latency (2us) and PortFast. With
//     switches, a vmnic that names none is on the only switch, and must
//     name one when there are several.
//   - A host's `ft_ip` defaults to 192.168.100.N (N its 1-based position),
//     its MAC to 00:50:56:6a:HH:LL and its port ID to 50331648 + N.
//   - A host overrides `defaults:` key by key: mtu, vmnics (the whole
//     list), pin, and each teaming key (beacon, lbt and lacp subkeys
//     one by one). Uplinks not listed as Standby or Unused are Active, as
//     in vSphere.
//   - A VM's mode is smp unless written, except that a `from_stats` with
//     `disk_read` (the legacy sizing rule's input) makes it legacy.
//   - A VM group (`count: N`) is named name-1 ... name-N, even for N = 1.
//   - A trace sends nothing before its first row (Logging.Trace then
//     starts with a {0, 0} row); its mean rate (Logging.Rate) is
//     time-weighted over [0, duration].
//   - `replications: auto` starts with 3 runs (at most max_replications).
//   - An LACP LAG hashes with the team's `teaming.lacp.hash` unless it
//     names its own (a warning when they differ); a static EtherChannel
//     with src_dst_ip.
//   - Only one ISL hop is modelled: switches that FT traffic may cross
//     between (team uplinks of any two hosts) must share a stack or have
//     an inter-switch link between them (or between their stacks).
//   - An SMP-FT VM's checkpoint parameters are `ft.checkpoint`, then the
//     VM's own `ft: {checkpoint: ...}`, then its `checkpoint:`, key by key
//     (docs/model.md, "SMP-FT fast checkpointing"). Checkpoint.WithDefaults
//     fills the fields a Scenario built in code leaves zero. `from_stats`
//     of an SMP-FT VM may be all zeros (each checkpoint still carries its
//     overhead); Epoch gives the epoch model's inputs.
//   - Parse checks that each sweep path matches a field of the document;
//     CheckSweepValues also checks each value in place of the field.
//
// Hostile input is refused quickly and with bounded memory: files above
// 10 MiB, text that is not UTF-8, more than 300000 YAML elements, nesting
// deeper than 100 levels, and aliases expanding to more than two million
// nodes. Folders, FIFOs and devices are refused before they are opened
// (RegularFile), trace paths may not leave the scenario's folder, and
// trace errors never quote the file. A valid scenario runs in bounded
// memory: rates up to MaxBitRate, at most MaxBufferedMessages per log
// buffer and MaxScenarioMessages in all, MaxSecondCells per-second
// figures and MaxResultRecords figures in all, MaxSweepCases cases
// (docs/model.md, "Bounds"); CheckRunSize holds a command line's
// overrides (duration, replications, policies) to the same bounds. A switch buffer
// that cannot hold one message on the wire (WireBytes) is refused. A panic
// met while parsing is returned as an InternalError, not as a problem of
// the input.
//
// model imports no other ftsim package.
package model
