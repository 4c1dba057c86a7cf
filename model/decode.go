package model

import (
	"path/filepath"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// loader turns the document into a Scenario, keeping the position of
// every value it may have to report.
type loader struct {
	*decoder
	sc   *Scenario
	root *mapping

	durationSet bool
	duration    opt[Duration]
	warmup      opt[Duration]

	ftTop      ftSpec
	switchMeta []switchMeta
	// switchesWritten is false when `switches:` is absent and the
	// default switch sw1 stands in.
	switchesWritten bool
	islMeta         []islMeta
	lagMeta         []lagMeta
	defaults        hostSpec
	hostMeta        []hostMeta
	vmMeta          []vmMeta
	bgMeta          []bgMeta
	failMeta        []failMeta
	failAts         []opt[Duration] // `at` of every failure, valid or not
	comparePos      Pos

	traces map[string]traceResult
	// hostIndex maps the names of valid hosts to their index, built on
	// first use once the hosts are read.
	hostIndex map[string]int
}

func newLoader(d *decoder, file string, data []byte) *loader {
	return &loader{
		decoder: d,
		sc:      &Scenario{File: file, Dir: filepath.Dir(file), Source: data},
		traces:  map[string]traceResult{},
	}
}

var topKeys = []string{
	"name", "description", "duration", "warmup", "seed", "replications", "ci_target", "max_replications",
	"ft", "switches", "inter_switch_links", "lags", "defaults", "hosts", "ft_vms",
	"background", "failures", "compare", "sweep", "sla",
}

// Defaults of docs/model.md "Defaults and exact definitions".
const (
	defaultSeed            = 1
	defaultAutoStart       = 3 // replications: auto starts with this many runs
	defaultMaxReplications = 30
	defaultCITarget        = 0.05
	maxReplications        = 10000
	maxHosts               = 4096
	maxVMs                 = 10000
	defaultSwitchName      = "sw1"
)

// DefaultFT returns the FT session parameters used when `ft:` is silent.
func DefaultFT() FTParams {
	return FTParams{
		MessageSize:  64 << 10,
		AckSize:      64,
		LogBuffer:    64 << 20,
		Heartbeat:    1,
		Timeout:      5,
		RTO:          0.2,
		LagTarget:    1,
		RestartDelay: 10,
		Checkpoint:   DefaultCheckpoint(),
		TCP:          DefaultTCP(),
	}
}

func (l *loader) load(n *yaml.Node) {
	root := l.mapping(n, "the scenario", topKeys)
	if root == nil {
		return
	}
	l.root = root
	sc := l.sc

	sc.Name = defaultName(sc.File)
	if o := root.str("name"); o.set {
		if !validScenarioName(o.v) {
			l.errorf(o.pos, "name %q must be usable as a folder name: letters, digits, \".\", \"_\" and \"-\", starting with a letter or digit", o.v)
		} else {
			sc.Name = o.v
		}
	}
	if o := root.str("description"); o.set {
		sc.Description = o.v
	}
	if !root.present("duration") {
		l.errorf(posOf(root.node), "the scenario needs duration: the simulated time, such as duration: 10m")
	}
	l.duration = root.duration("duration", positive)
	sc.Duration = l.duration.v
	l.durationSet = l.duration.set
	l.warmup = root.duration("warmup", allowZero)
	sc.Warmup = l.warmup.v
	sc.Seed = defaultSeed
	if n := root.get("seed"); n != nil {
		if s, ok := l.scalar(n, "seed"); ok {
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				l.errorf(posOf(n), "seed %q must be a whole number from 0 to 18446744073709551615", s)
			} else {
				sc.Seed = v
			}
		}
	}
	l.replications(root)

	l.ftTop = l.ftSpec(root.get("ft"), "ft")
	sc.FT = l.ftTop.apply(DefaultFT())
	l.checkFT(l.ftTop, ftSpec{}, sc.FT)
	l.checkCkpt(l.ftTop.ckpt, ckptSpec{}, sc.FT.Checkpoint)

	l.switches(root)
	l.isls(root)
	l.lags(root)
	l.hosts(root)
	l.vms(root)
	if !slices.ContainsFunc(sc.VMs, func(vm FTVM) bool { return vm.Mode == ModeSMP && vm.FT.Checkpoint.Dynamic }) {
		l.warnFixedIgnores(l.ftTop.ckpt, sc.FT.Checkpoint) // no VM takes these keys
	}
	l.backgrounds(root)
	l.failures(root)
	l.compare(root)
	l.sla(root)
	l.sweep(root)
}

func validScenarioName(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i, r := range s {
		alnum := ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')
		if !alnum && (i == 0 || (r != '-' && r != '_' && r != '.')) {
			return false
		}
	}
	return true
}

func (l *loader) replications(root *mapping) {
	sc := l.sc
	sc.Replications = Replications{N: 1, Max: defaultMaxReplications, CITarget: defaultCITarget}
	auto := false
	if n := root.get("replications"); n != nil {
		if s, ok := l.scalar(n, "replications"); ok && s == "auto" {
			auto = true
		} else if ok {
			if o := root.integer("replications", 1, maxReplications); o.set {
				sc.Replications.N = int(o.v)
			}
		}
	}
	ci := root.percent("ci_target", true)
	mx := root.integer("max_replications", 2, maxReplications)
	if auto {
		sc.Replications.Auto = true
		sc.Replications.CITarget = ci.or(defaultCITarget)
		sc.Replications.Max = int(mx.or(defaultMaxReplications))
		sc.Replications.N = min(defaultAutoStart, sc.Replications.Max)
		return
	}
	if ci.set {
		l.errorf(ci.pos, "ci_target applies only with replications: auto")
	}
	if mx.set {
		l.errorf(mx.pos, "max_replications applies only with replications: auto")
	}
}

// ftSpec is an `ft:` block as written.
type ftSpec struct {
	messageSize, ackSize, logBuffer                  opt[Size]
	heartbeat, timeout, rto, lagTarget, restartDelay opt[Duration]
	ckpt                                             ckptSpec
	tcp                                              tcpSpec
	pos                                              Pos
}

var ftKeys = []string{"message_size", "ack_size", "log_buffer", "heartbeat", "timeout", "rto", "lag_target", "restart_delay", "checkpoint", "tcp"}

func (l *loader) ftSpec(n *yaml.Node, what string) ftSpec {
	if n == nil {
		return ftSpec{}
	}
	m := l.mapping(n, what, ftKeys)
	if m == nil {
		return ftSpec{}
	}
	return ftSpec{
		messageSize:  m.size("message_size"),
		ackSize:      m.size("ack_size"),
		logBuffer:    m.size("log_buffer"),
		heartbeat:    m.duration("heartbeat", positive),
		timeout:      m.duration("timeout", positive),
		rto:          m.duration("rto", positive),
		lagTarget:    m.duration("lag_target", positive),
		restartDelay: m.duration("restart_delay", positive),
		ckpt:         l.ckptSpec(m.get("checkpoint")),
		tcp:          l.tcpSpec(m.get("tcp")),
		pos:          posOf(m.node),
	}
}

// apply returns base with the values of s written over it.
func (s ftSpec) apply(base FTParams) FTParams {
	base.MessageSize = s.messageSize.or(base.MessageSize)
	base.AckSize = s.ackSize.or(base.AckSize)
	base.LogBuffer = s.logBuffer.or(base.LogBuffer)
	base.Heartbeat = s.heartbeat.or(base.Heartbeat)
	base.Timeout = s.timeout.or(base.Timeout)
	base.RTO = s.rto.or(base.RTO)
	base.LagTarget = s.lagTarget.or(base.LagTarget)
	base.RestartDelay = s.restartDelay.or(base.RestartDelay)
	base.Checkpoint = s.ckpt.apply(base.Checkpoint)
	base.TCP = s.tcp.apply(base.TCP)
	return base
}

// MaxBufferedMessages bounds log_buffer / message_size: the messages one
// VM may have sent and not yet had acknowledged, each of which the engine
// holds in memory until its ack.
const MaxBufferedMessages = 1 << 16

// checkFT checks effective parameters p, reporting at the value of over
// (a VM's own ft:) or of top where it was written. Only problems that
// involve a value of over are reported when over is a VM's block.
func (l *loader) checkFT(top, over ftSpec, p FTParams) {
	vm := over.pos.Line > 0
	if ms, lb := over.messageSize.over(top.messageSize), over.logBuffer.over(top.logBuffer); p.MessageSize > p.LogBuffer && (!vm || over.messageSize.set || over.logBuffer.set) {
		at := ms
		if !ms.set || (lb.set && lb.pos.Line > ms.pos.Line) {
			at.pos = lb.pos
		}
		l.errorf(firstPos(at.pos, over.pos, top.pos), "message_size %s is larger than log_buffer %s: the primary could never send a message", p.MessageSize, p.LogBuffer)
	}
	if ms, lb := over.messageSize.over(top.messageSize), over.logBuffer.over(top.logBuffer); p.MessageSize > 0 && p.MessageSize <= p.LogBuffer &&
		int64(p.LogBuffer/p.MessageSize) > MaxBufferedMessages && (!vm || over.messageSize.set || over.logBuffer.set) {
		at := ms
		if !ms.set || (lb.set && lb.pos.Line > ms.pos.Line) {
			at.pos = lb.pos
		}
		l.errorf(firstPos(at.pos, over.pos, top.pos), "log_buffer %s holds %d messages of message_size %s: at most %d (a message_size of at least %s) keep the simulation's memory bounded",
			p.LogBuffer, int64(p.LogBuffer/p.MessageSize), p.MessageSize, MaxBufferedMessages, Size((int64(p.LogBuffer)+MaxBufferedMessages-1)/MaxBufferedMessages))
	}
	if to, hb := over.timeout.over(top.timeout), over.heartbeat.over(top.heartbeat); p.Timeout <= p.Heartbeat && (!vm || over.timeout.set || over.heartbeat.set) {
		at := to.pos
		if !to.set {
			at = hb.pos
		}
		l.errorf(firstPos(at, over.pos, top.pos), "timeout %s must be longer than heartbeat %s, or FT declares the peer lost between heartbeats", p.Timeout, p.Heartbeat)
	}
}

// nz returns the first position that is set.
func firstPos(ps ...Pos) Pos {
	for _, p := range ps {
		if p.Line > 0 {
			return p
		}
	}
	return Pos{1, 1}
}
