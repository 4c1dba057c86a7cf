package sim

import (
	"context"
	"fmt"
	"testing"

	"github.com/ftsim/ftsim/model"
)

// FuzzCheckpoint runs one SMP-FT pair with drawn checkpoint settings,
// load and pattern for two simulated seconds: no panic, no broken byte
// balance, and the shares of time add up (stunned + waiting <= 1).
func FuzzCheckpoint(f *testing.F) {
	f.Add(uint32(10000), uint16(100), uint16(1024), uint8(1), uint8(0), false, uint16(10))
	f.Add(uint32(100), uint16(4000), uint16(64), uint8(3), uint8(2), true, uint16(1))
	f.Add(uint32(2000000), uint16(0), uint16(0), uint8(0), uint8(1), false, uint16(25))
	f.Fuzz(func(t *testing.T, intervalUS uint32, dirtyMB, wsMiB uint16, maxOut, pattern uint8, dynamic bool, gbps uint16) {
		interval := fmt.Sprintf("%dus", 100+intervalUS%2000000)
		if dynamic {
			interval = "dynamic"
		}
		pat := []string{"poisson", "constant", "onoff, on: 150ms, off: 250ms"}[pattern%3]
		ws := ""
		if wsMiB > 0 {
			ws = fmt.Sprintf(", working_set: %dMiB", 1+int(wsMiB)%8192)
		}
		src := fmt.Sprintf(`name: fz
duration: 2s
defaults:
  mtu: 9000
  vmnics: [{name: vmnic0, speed: %dGbps}]
hosts: [{name: esx01}, {name: esx02}]
ft_vms:
  - name: vm
    primary: esx01
    secondary: esx02
    memory: 8GiB
    checkpoint: {interval: %s, max_outstanding: %d}
    logging: {from_stats: {dirty_memory: %dMB/s, network_rx: 100Mbps}, pattern: %s%s}
`, 1+int(gbps)%100, interval, 1+int(maxOut)%8, int(dirtyMB)%20000, pat, ws)
		sc, err := model.Parse("fz.yaml", []byte(src))
		if err != nil {
			t.Skip(err)
		}
		r, err := Run(context.Background(), sc, Options{Parallel: 1, NoSeries: true})
		if err != nil {
			t.Fatalf("%v\n%s", err, src)
		}
		vm := r.Runs[0].VMs[0]
		if !vm.SMP() || *vm.StunFraction+vm.ThrottledFraction > 1+1e-9 || *vm.StunFraction < 0 || vm.ThrottledFraction < 0 {
			t.Fatalf("stun %v + throttled %v\n%s", vm.StunFraction, vm.ThrottledFraction, src)
		}
	})
}
