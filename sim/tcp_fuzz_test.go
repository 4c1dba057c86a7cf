package sim

import (
	"context"
	"fmt"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// FuzzTransport runs small scenarios with any congestion control, frame
// loss, buffer, rate, message size and failure: no input may panic or
// break the byte balance (Run reports a broken balance as an error), and
// no window may exceed the log buffer's worth of delivered-but-unreplayed
// data (delivered never exceeds logged plus a message per VM).
func FuzzTransport(f *testing.F) {
	f.Add(uint8(0), uint16(100), uint8(1), uint16(3000), uint8(0), uint8(64))
	f.Add(uint8(1), uint16(5000), uint8(0), uint16(9000), uint8(1), uint8(16))
	f.Add(uint8(2), uint16(0), uint8(2), uint16(1000), uint8(2), uint8(255))
	f.Add(uint8(0), uint16(60000), uint8(3), uint16(8000), uint8(3), uint8(1))
	f.Fuzz(func(t *testing.T, cc uint8, lossPPM uint16, buf uint8, rateMbps uint16, fail uint8, msgKiB uint8) {
		ccs := []string{model.CongestionNewReno, model.CongestionCubic, model.CongestionNone}
		bufs := []string{"128KiB", "256KiB", "1MiB", "4MiB"}
		msg := max(8, int(msgKiB)) // KiB: 8 to 128 keeps a run quick
		if msg > 128 {
			msg = 128
		}
		rate := max(1, int(rateMbps)%4000)
		failures := []string{
			"",
			fmt.Sprintf("  - {at: 1s, vmnic: esx01/vmnic0, kind: lossy, loss: %g, down_for: 2s}\n", float64(lossPPM%50000+1)/1e6),
			"  - {at: 1s, host: esx02}\n",
			"  - {at: 1s, vmnic: esx02/vmnic0, down_for: 1s}\n",
		}
		fl := failures[int(fail)%len(failures)]
		if fl != "" {
			fl = "failures:\n" + fl
		}
		src := fmt.Sprintf(`name: fuzz
duration: 2s
ft: {message_size: %dKiB, tcp: {congestion: %s}}
switches: [{name: sw1, port_buffer: %s}]
defaults:
  vmnics: [{name: vmnic0, speed: 10Gbps}, {name: vmnic1, speed: 10Gbps}]
  teaming: {load_balancing: port_id, active: [vmnic0], standby: [vmnic1]}
hosts: [{name: esx01}, {name: esx02}, {name: esx03}]
ft_vms:
  - {name: vm1, primary: esx01, secondary: esx02, mode: legacy, vcpus: 1, memory: 64MiB, logging: {rate: %dMbps}}
  - {name: vm2, primary: esx03, secondary: esx02, mode: smp, memory: 64MiB, logging: {rate: %dMbps}}
%s`, msg, ccs[int(cc)%3], bufs[int(buf)%4], rate, rate/2+1, fl)
		sc, err := model.Parse("fuzz.yaml", []byte(src))
		if err != nil {
			t.Skip(err) // not a scenario the loader accepts
		}
		res, err := Run(context.Background(), sc, Options{Parallel: 1, NoSeries: true})
		if err != nil {
			t.Fatalf("%v\n%s", err, src)
		}
		for _, v := range res.Runs[0].VMs {
			if v.DeliveredBytes > v.LoggedBytes+float64(msg<<10)*4 {
				t.Errorf("%s delivered %.0f B of %.0f B logged\n%s", v.VM, v.DeliveredBytes, v.LoggedBytes, src)
			}
		}
	})
}
