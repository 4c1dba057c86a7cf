package model

// Assumption is one default or modelling choice of ftsim, with where it
// comes from. `ftsim policies` and the run report list them.
type Assumption struct {
	Key       string // YAML key that changes it ("" when fixed)
	Value     string // the default
	Meaning   string
	Reference string // the section of docs/model.md it rests on
}

// Assumptions lists the model's defaults and fixed choices (docs/model.md
// "Defaults and exact definitions").
var Assumptions = []Assumption{
	{"teaming.load_balancing", "port_id", "the vSphere default policy", "docs/model.md 1.2"},
	{"teaming.link_detect", "100ms", "link-status detection delay (no VMware figure; a model assumption)", "docs/model.md 1.8"},
	{"teaming.beacon", "interval 1s, misses 3", "beacon probing declares an uplink down after 3 lost probes", "docs/model.md 1.8"},
	{"teaming.failback_delay", "100ms", "Net.TeamPolicyUpDelay before a recovered uplink is used", "docs/model.md 1.8"},
	{"teaming.lbt", "interval 30s, threshold 75%", "Route based on physical NIC load: evaluation period and busy threshold", "docs/model.md 1.5"},
	{"teaming.mac_hash", "whole_mac", "uplink = Active[MAC mod N]; last_byte takes the last MAC byte", "docs/model.md 1.3"},
	{"teaming.ip_hash", "last_octet", "uplink = Active[(src XOR dst) mod N] over the last octets; full_address XORs the whole IPv4 addresses", "docs/model.md 1.4"},
	{"teaming.lacp", "hash src_dst_ip, timeout slow", "LACPDU loss detects a dead member after 3 s (fast) or 90 s (slow)", "docs/model.md 1.7"},
	{"(port ID)", "Active[port ID mod N]", "the real function is undocumented; pin: overrides it", "docs/model.md 1.2"},
	{"host ft_mac, ft_port_id", "00:50:56:6a:HH:LL, 50331648 + N", "derived from the host's 1-based position N in the file", "docs/model.md 7"},
	{"host ft_ip", "192.168.100.N", "derived from the host's 1-based position N when not written", "docs/model.md 7"},
	{"defaults.mtu", "1500", "vmkernel MTU; a frame carries MTU - 52 bytes of payload", "docs/model.md 4"},
	{"(framing)", "52 + 38 bytes per frame", "TCP/IPv4 with timestamps (52) plus Ethernet preamble, header, FCS and gap (38); acks and heartbeats are one 84-byte frame", "docs/model.md 4"},
	{"switch port_buffer, latency, portfast", "1MiB, 2us, true", "egress buffer per port; portfast false holds a recovered link 30 s (STP)", "docs/model.md 1.8, 4"},
	{"ISL latency, buffer", "1us, 4MiB", "each direction of an inter-switch link is a queue", "docs/model.md 7"},
	{"ft.message_size, ft.ack_size", "64KiB, 64B", "log payload per message; an ack is one frame", "docs/model.md 7"},
	{"ft.log_buffer", "64MiB", "unacknowledged log data before the primary stalls (the paper publishes no size)", "docs/model.md 3"},
	{"ft.lag_target", "1s", "the primary is slowed while replay lag exceeds it", "docs/model.md 3"},
	{"ft.heartbeat, ft.timeout", "1s, 5s", "peer declared lost after 5 s without log data, ack or heartbeat", "docs/model.md 3"},
	{"ft.rto", "200ms", "first and smallest retransmission timeout (RFC 6298 estimate above it, doubled per timeout)", "docs/model.md Transport"},
	{"ft.tcp.congestion", "newreno", "window per connection: slow start, congestion avoidance, NewReno (RFC 6582) or CUBIC (RFC 9438); none = window of log_buffer, drops resent after rto", "docs/model.md Transport, docs/model.md 2.4"},
	{"ft.tcp.initial_window, max_rto", "10, 60s", "initial window in MSS (RFC 6928); backed-off timeout cap (RFC 6298)", "docs/model.md Transport"},
	{"ft.restart_delay", "10s", "from peer lost to the start of the new secondary's memory copy", "docs/model.md 3"},
	{"logging.from_stats", "legacy: (disk_read x 8 + network_rx) x 1.2", "VMware's legacy FT sizing rule; smp: dirty_memory, disk_write and network_rx feed each checkpoint (any may be left out)", "docs/model.md 2.1, 2.2"},
	{"ft.checkpoint.interval", "dynamic", "SMP-FT epoch running time; a duration fixes it as ftcpt.cptIntervalUS does (100us to 10s)", "docs/model.md SMP-FT, KB 406486"},
	{"ft.checkpoint.min_interval, max_interval", "2ms, 100ms", "bounds of the dynamic interval (a model assumption: VMware publishes none)", "docs/model.md SMP-FT"},
	{"ft.checkpoint.stun_budget", "10%", "dynamic rule: next interval = clamp(max(last stun / stun_budget, last acknowledged checkpoint's send-to-ack time), min, max); the first is clamp(stun_base / stun_budget); at max_interval the budget may be exceeded (VMware documents a dynamic interval, not its rule)", "docs/model.md SMP-FT"},
	{"ft.checkpoint.stun_base, copy_rate", "200us, 8GB/s", "stun = stun_base + unique dirty bytes / copy_rate (model assumptions)", "docs/model.md SMP-FT"},
	{"ft.checkpoint.overhead", "4KiB", "device state added to every checkpoint (a model assumption)", "docs/model.md SMP-FT"},
	{"ft.checkpoint.max_outstanding", "1", "unacknowledged checkpoints before the primary stays stunned (flow control, KB 432433); SMP-FT's only throttle: log_buffer and lag_target do not apply", "docs/model.md SMP-FT"},
	{"logging.working_set", "the VM's memory", "SMP-FT: unique dirty bytes per epoch = W x (1 - exp(-d x T / W)); rate, preset and trace count as dirty memory without saturation", "docs/model.md SMP-FT"},
	{"(SMP-FT output)", "held to the checkpoint's ack", "guest output produced evenly while the VM runs is held until its epoch's checkpoint is acknowledged: output delay is time-weighted; the largest is at least the interval", "docs/model.md SMP-FT, KB 406486"},
	{"logging.preset", "specjbb2005 1.5Mbps, kernel_compile 3Mbps, oracle_swingbench 12Mbps, mssql_dvdstore 18Mbps", "logging rates of the FT paper's Table 1", "docs/model.md 3"},
	{"(FT limits)", "4 FT VMs, 8 FT vCPUs per host", "das.maxftvmsperhost and das.maxftvcpusperhost; primaries and secondaries count; exceeding them is a warning", "docs/model.md 2.3"},
	{"VM mode, vcpus, memory", "smp, 2 (1 for legacy), 8GiB", "legacy FT allows 1 vCPU, SMP-FT up to 8", "docs/model.md 2.3"},
}
