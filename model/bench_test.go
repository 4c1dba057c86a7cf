package model

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// bigScenario returns a scenario with hosts hosts and vms explicit FT VMs.
func bigScenario(hosts, vms int) []byte {
	var b strings.Builder
	b.WriteString("duration: 10m\ndefaults:\n  mtu: 9000\n  vmnics:\n    - {name: vmnic0, speed: 25Gbps}\n    - {name: vmnic1, speed: 25Gbps}\n  teaming: {load_balancing: nic_load}\nhosts:\n")
	for i := 1; i <= hosts; i++ {
		fmt.Fprintf(&b, "  - {name: esx%03d, ft_ip: 10.0.%d.%d}\n", i, i/200, i%200+1)
	}
	b.WriteString("ft_vms:\n")
	for i := 0; i < vms; i++ {
		fmt.Fprintf(&b, "  - name: vm%03d\n    primary: esx%03d\n    secondary: esx%03d\n    vcpus: 2\n    logging: {rate: %dMbps, pattern: poisson}\n", i, i%hosts+1, (i+1)%hosts+1, 100+i)
	}
	return []byte(b.String())
}

// TestParseLargeScenario checks that a 256-VM scenario parses and keeps
// every VM (its speed is measured by BenchmarkParse256).
func TestParseLargeScenario(t *testing.T) {
	sc, err := Parse("big.yaml", bigScenario(64, 256))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.VMs) != 256 || len(sc.Hosts) != 64 {
		t.Errorf("%d VMs on %d hosts", len(sc.VMs), len(sc.Hosts))
	}
}

func BenchmarkParse256(b *testing.B) {
	data := bigScenario(64, 256)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("big.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseScenarios(b *testing.B) {
	data, err := os.ReadFile("testdata/design.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Parse("testdata/design.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
