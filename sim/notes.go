package sim

import (
	"fmt"

	"github.com/ftsim/ftsim/model"
)

// modelNotes lists the model's assumptions a reader of the results needs.
func modelNotes(sc *model.Scenario) []string {
	n := []string{
		"framing: frames of MTU-52 B payload, +90 B each on the wire; acks and heartbeats one 84 B frame (docs/model.md 4)",
		"each hop stores and forwards a whole message; queue delay excludes transmission",
		"switch ports drop beyond port_buffer; vmnic TX queues never drop; dropped data is retransmitted after ft.rto",
		"log buffer full: the primary stalls; replay lag above ft.lag_target: the primary is slowed to what the secondary consumes (docs/model.md 3 §3.2)",
		"peer lost after ft.timeout without log, ack or heartbeat; re-protection copies the VM's memory over the FT network",
		"port ID: port ID mod team size; MAC hash: MAC mod team size; IP hash: last-octet XOR mod team size (docs/model.md 1.2-1.4)",
		"link-status detection after teaming.link_detect; beacon probing at the misses-th probe (needs 3+ uplinks); LACP after 3 x 1 s or 3 x 30 s",
		"replay_lag_s time series: the highest lag delivered in each second; queue_length: backlog in bytes at each whole second",
	}
	if smpNotes := checkpointNotes(sc); len(smpNotes) > 0 {
		n = append(n, smpNotes...)
	}
	if sc.Warmup > 0 {
		n = append(n, fmt.Sprintf("figures cover [%gs, %gs]; the warm-up is excluded", float64(sc.Warmup), float64(sc.Duration)))
	}
	return n
}
