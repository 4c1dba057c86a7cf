package sim

// changePath is the one way a model rule changes a path or an FT pair
// (MAC learning, an LBT move, a peer lost): every rule that does calls it
// with the change as apply, and none calls unfuse or network.changed
// itself (TestPathChangesGoThroughChangePath). It
//
//   - notes the change for the runs shared between policies
//     (engine.moved, share.go), whose paths are then no longer the same;
//   - in a fused run, stops the run, which is run again unfused
//     (fusion.go), and reports false without applying the change;
//   - otherwise renews forward's cache and the network's version around
//     apply (network.changed) and reports true.
//
// Control events renew the cache around themselves too (fire): a
// failure or a recovery changes links, not one rule's choice.
func (e *engine) changePath(apply func()) bool {
	if e.unfuse() {
		return false
	}
	e.nw.changed()
	apply()
	e.nw.changed()
	return true
}
