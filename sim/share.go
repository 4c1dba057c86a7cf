package sim

import (
	"encoding/binary"
	"math"
	"slices"
	"sync/atomic"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
)

// Runs that are one simulation.
//
// Under compare, policies often send every flow the same way. MAC hash and
// originating port ID each pin a host's one FT port to one uplink, and pick
// the same one whenever the MAC and the port ID select the same team member
// (docs/model.md derives both from the host's position). IP hash and LACP hash
// the same source and destination IPs unless LACP is told otherwise. NIC
// load starts from port ID's placement and keeps it until LBT moves a port.
//
// In a run without failures the policy acts on nothing but the paths:
// failure detection, failover and failback need a failure, and beacon
// probing is a detection time here, not traffic. So two runs of the same
// failure case and replication whose every flow starts on the same uplink
// and reaches the same vmnic at the far end are the same simulation for as
// long as no path changes. Run simulates such a group once (its
// representative) and reports the result under each policy of the group.
//
// The representative watches for what would make the others differ:
//   - a path that changes (an FT peer lost and a new secondary, a MAC that
//     moves): the runs it stood for are simulated on their own;
//   - for NIC load, an LBT move: the representative makes LBT's checks at
//     LBT's times on its own state, which is NIC load's until its first
//     move, and moves nothing; if one would move a port, NIC load is
//     simulated on its own.

// noShare turns sharing off, so tests can check that it never changes a
// result; sharedRuns counts the results reported from another policy's
// run.
var (
	noShare    bool
	sharedRuns atomic.Int64
)

// shareKey is what a run must have in common with another for one
// simulation to stand for both: its failure case, replication and the first
// hop and last vmnic of every FT flow at t = 0. lbt reports that the run
// is NIC load's, whose LBT checks the representative makes alongside. ok is
// false for a run that cannot be shared: one with failures.
func shareKey(rs runSpec) (key string, lbt, ok bool) {
	sc := rs.sc
	if noShare || len(rs.failureCase.Failures) > 0 {
		return "", false, false
	}
	e := &engine{sc: sc, nsec: 1, free: -1}
	e.nw = buildNetwork(sc, 1)
	e.placePorts()
	for i := range sc.Hosts {
		lbt = lbt || sc.Hosts[i].Teaming.LoadBalancing == model.NICLoad
	}
	b := []byte(rs.failureCase.Name)
	b = binary.AppendUvarint(b, uint64(rs.replication))
	b = binary.AppendUvarint(b, rs.seed)
	b = binary.AppendUvarint(b, math.Float64bits(rs.duration))
	for i := range sc.VMs {
		vm := &sc.VMs[i]
		v := &vmState{idx: i, pri: int(e.nw.hostIx[vm.Primary]), sec: int(e.nw.hostIx[vm.Secondary]),
			msgBytes: float64(vm.FT.MessageSize), ackSize: float64(vm.FT.AckSize)}
		e.setFlows(v)
		for _, f := range []struct {
			from, to int
			flow     *model.Flow
		}{{v.pri, v.sec, &v.fwd}, {v.sec, v.pri, &v.rev}} {
			b = binary.AppendVarint(b, int64(e.uplink(f.from, f.flow)))
			b = binary.AppendVarint(b, int64(e.farVmnic(f.to, f.flow)))
		}
	}
	return string(b), lbt, true
}

// sharePlan groups specs that one simulation can stand for. rep[i] is the
// spec whose run reports spec i (i itself for a spec that runs), lbt[i]
// marks NIC load's specs, and a representative's lbtShadow is set to the
// scenario whose LBT checks it makes.
func sharePlan(specs []runSpec) (rep []int, lbt []bool) {
	rep, lbt = make([]int, len(specs)), make([]bool, len(specs))
	type group struct{ plain, lbt []int }
	groups := map[string]*group{}
	var order []string
	for i := range specs {
		rep[i] = i
		k, l, ok := shareKey(specs[i])
		if !ok {
			continue
		}
		lbt[i] = l
		g := groups[k]
		if g == nil {
			g = &group{}
			groups[k] = g
			order = append(order, k)
		}
		if l {
			g.lbt = append(g.lbt, i)
		} else {
			g.plain = append(g.plain, i)
		}
	}
	for _, k := range order {
		g := groups[k]
		if len(g.plain) == 0 {
			continue // NIC load alone: nothing to watch it with
		}
		r := g.plain[0]
		for _, i := range g.plain {
			if allPortID(specs[i].sc) {
				r = i // NIC load's checks can be made on port ID's run
				break
			}
		}
		for _, i := range g.plain {
			rep[i] = r
		}
		// One LBT watch per representative, on a run whose FT ports sit
		// where NIC load starts them: compare names each policy once, so a
		// group holds at most one NIC load spec of its own.
		if len(g.lbt) > 0 && allPortID(specs[r].sc) {
			rep[g.lbt[0]] = r
			specs[r].lbtShadow = specs[g.lbt[0]].sc
		}
	}
	return rep, lbt
}

// shared is run rr of another policy reported as spec rs's: the same
// figures under rs's policy. The figures are copied, not shared, so
// nothing done to one run's result reaches the other's.
func shared(rr results.RunResult, ser []results.Series, rs runSpec) (results.RunResult, []results.Series) {
	rr.Policy = string(rs.policy)
	rr.Links = slices.Clone(rr.Links)
	rr.VMs = slices.Clone(rr.VMs)
	rr.Events = slices.Clone(rr.Events)
	out := make([]results.Series, len(ser))
	for i, s := range ser {
		s.Policy = string(rs.policy)
		out[i] = s
	}
	sharedRuns.Add(1)
	return rr, out
}

// allPortID reports whether every host of sc routes by originating port
// ID, the placement NIC load starts from (docs/model.md 1.5).
func allPortID(sc *model.Scenario) bool {
	for i := range sc.Hosts {
		if sc.Hosts[i].Teaming.LoadBalancing != model.PortID {
			return false
		}
	}
	return true
}
