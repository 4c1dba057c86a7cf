package sim_test

import (
	"context"
	"fmt"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/sim"
)

// One FT VM logging 2 Gbit/s between two hosts on 10 GbE: utilisation of
// the primary's vmnic and the secondary's replay lag.
func ExampleRun() {
	sc, err := model.Parse("example.yaml", []byte(`
name: example
duration: 20s
seed: 1
defaults:
  mtu: 9000
  vmnics: [{name: vmnic0, speed: 10Gbps}]
hosts:
  - {name: esx01, ft_ip: 10.0.0.11}
  - {name: esx02, ft_ip: 10.0.0.12}
ft_vms:
  - {name: db, mode: legacy, primary: esx01, secondary: esx02, logging: {rate: 2Gbps, pattern: constant}}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := sim.Run(context.Background(), sc, sim.DefaultOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	run := r.Runs[0]
	for _, l := range run.Links {
		if l.Host == "esx01" && l.Direction == "tx" {
			fmt.Printf("esx01/%s tx: %.1f%% busy\n", l.Vmnic, 100*l.UtilisationMean)
		}
	}
	vm := run.VMs[0]
	fmt.Printf("%s: logged %.2f Gbit/s, p99 replay lag %.0f us, throttled %.0f%%\n",
		vm.VM, vm.LoggedBytes*8/20/1e9, vm.ReplayLagP99*1e6, 100*vm.ThrottledFraction)
	// Output:
	// esx01/vmnic0 tx: 20.2% busy
	// db: logged 2.00 Gbit/s, p99 replay lag 108 us, throttled 0%
}
