package importer

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ftsim/ftsim/model"
)

// randomDesign draws a design as vCenter could hand it over, with the
// untidy parts a real inventory has: names with reserved characters,
// duplicate and missing addresses, uplinks listed twice or not on the
// host, NICs without link, policies the scenario format cannot carry as
// written, VMs on hosts left out.
func randomDesign(r *rand.Rand) *VCDesign {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	d := &VCDesign{Server: "vc.lab:443", Datacenter: "DC/1", Stats: StatsRealtime}
	nh := 1 + r.IntN(5)
	for i := 0; i < nh; i++ {
		h := &VCHost{Name: pick(fmt.Sprintf("esx%02d.lab", i), "esx%2f"+fmt.Sprint(i), "esx,"+fmt.Sprint(i), "[esx]", strings.Repeat("é", 50), "  ", "esx~01")}
		var devs []string
		for k := 0; k < r.IntN(6); k++ {
			dev := fmt.Sprintf("vmnic%d", k)
			devs = append(devs, dev)
			h.Nics = append(h.Nics, VCNic{Device: dev, SpeedMb: []int{1000, 10000, 25000, 2500}[r.IntN(4)], LinkUp: r.IntN(4) > 0, SpeedFrom: "test"})
		}
		sub := func() []string {
			var out []string
			for n := r.IntN(4); n > 0; n-- {
				if len(devs) > 0 && r.IntN(5) > 0 {
					out = append(out, devs[r.IntN(len(devs))])
				} else {
					out = append(out, "vmnic9"+fmt.Sprint(r.IntN(3)))
				}
			}
			return out
		}
		h.FT = &VCVmk{Device: "vmk1", NicType: "faultToleranceLogging",
			IP:     pick("10.0.0.1", fmt.Sprintf("10.0.0.%d", 1+r.IntN(3)), "", "fe80::1", "0.0.0.0", "junk"),
			MAC:    pick("00:50:56:aa:00:01", fmt.Sprintf("00:50:56:aa:00:%02x", r.IntN(3)), "", "00:00:00:00:00:00", "zz"),
			MTU:    []int{0, 1500, 9000, 9216, 576}[r.IntN(5)],
			PortID: uint32([]int{0, 17, 33554436, 50331649}[r.IntN(4)]),
		}
		h.Team = VCTeam{VSwitch: pick("standard", "distributed"), Switch: "sw", Portgroup: "FT",
			Policy: pick("loadbalance_srcid", "loadbalance_ip", "loadbalance_srcmac", "loadbalance_loadbased", "failover_explicit", "lacp", "bogus", ""),
			Active: sub(), Standby: sub(), Unused: sub(), Beacon: r.IntN(2) == 0, Notify: r.IntN(2) == 0, Failback: r.IntN(2) == 0}
		if h.Team.Policy == "lacp" && r.IntN(4) > 0 {
			h.Team.LAG = &VCLag{Name: "lag1", Mode: "active", Hash: pick("srcDestIp", "srcDestIpTcpUdpPortVlan", "weird", ""), Timeout: pick("fast", "slow", ""), Vmnics: sub()}
			h.Team.Active = h.Team.LAG.Vmnics
		}
		if r.IntN(3) == 0 && len(devs) > 0 {
			h.Hints = map[string]string{devs[0]: pick("tor-a", "tor,b", "uplink-1", "")}
		}
		d.Hosts = append(d.Hosts, h)
	}
	for i := 0; i < r.IntN(5); i++ {
		v := &VCVM{Name: pick("sql01", "web/01", "web%2f01", "", "a,b", "*"), VCPUs: r.IntN(9), MemoryMB: int64(r.IntN(3) * 4096),
			LegacyFT: r.IntN(3) == 0, Planned: r.IntN(4) == 0, FTLogKBps: int32(r.IntN(3)*1000 - 1)}
		v.Primary = d.Hosts[r.IntN(nh)].Name
		v.Secondary = d.Hosts[r.IntN(nh)].Name
		if r.IntN(5) == 0 {
			v.Secondary = "elsewhere"
		}
		if r.IntN(3) > 0 {
			n := 2 + r.IntN(5)
			start := 1.8e9 + float64(r.IntN(100))
			for k := 0; k < n; k++ {
				v.Times = append(v.Times, Sample{Start: start + float64(20*k), End: start + float64(20*k+20), Stamp: fmt.Sprint(k)})
				v.NetRx = append(v.NetRx, float64(r.IntN(3))*1e8)
				v.DiskRead = append(v.DiskRead, float64(r.IntN(2))*4e8)
				v.DiskWrite = append(v.DiskWrite, float64(r.IntN(2))*4e8)
			}
			v.StatsInterval = 20
			v.Units = map[string]string{"net.received.average": "kiloBytesPerSecond"}
		}
		d.VMs = append(d.VMs, v)
	}
	return d
}

// checkBuild builds a design; the result must either be a one-line
// *VCenterError or a scenario the model loads without an error.
func checkBuild(t *testing.T, d *VCDesign, opts VCenterOptions) {
	t.Helper()
	imp, err := BuildVCenter(d, opts)
	if err != nil {
		var ve *VCenterError
		if !errors.As(err, &ve) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("error %T %q", err, err)
		}
		return
	}
	dir := t.TempDir()
	for _, f := range imp.Files() {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := model.Load(filepath.Join(dir, "scenario.yaml")); err != nil {
		t.Fatalf("the scenario does not validate: %v\n%s", err, imp.Scenario())
	}
	again, _ := BuildVCenter(d, opts)
	if string(again.Scenario()) != string(imp.Scenario()) || string(again.Provenance()) != string(imp.Provenance()) {
		t.Fatal("two builds of one design differ")
	}
}

func TestBuildVCenterAlwaysValidates(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 80
	}
	r := rand.New(rand.NewPCG(22, 1))
	for i := 0; i < n; i++ {
		seed := r.Uint64()
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rr := rand.New(rand.NewPCG(seed, 2))
			opts := VCenterOptions{Mode: []string{"", ModeLegacy, ModeSMP}[rr.IntN(3)], Dirty: float64(rr.IntN(2)) * 1e8}
			checkBuild(t, randomDesign(rr), opts)
		})
	}
}

func FuzzBuildVCenter(f *testing.F) {
	for _, s := range []uint64{1, 2, 22, 1 << 40} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		r := rand.New(rand.NewPCG(seed, 3))
		checkBuild(t, randomDesign(r), VCenterOptions{Mode: []string{"", ModeLegacy, ModeSMP}[r.IntN(3)]})
	})
}

func TestSafeName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"esx01.lab.local", "esx01.lab.local"},
		{"sql%2f01", "sql_01"},
		{"sql%2F01", "sql_01"},
		{"100%25 cpu", "100% cpu"},
		{`dom%5cvm`, `dom\vm`},
		{"a,b[c]~d/e", "a_b_c__d_e"},
		{"  padded  ", "padded"},
		{"tab\there", "tab_here"},
		{"*", "fb"},
		{"", "fb"},
		{"   ", "fb"},
		{"Ünïcødé", "Ünïcødé"},
		{strings.Repeat("x", 100), strings.Repeat("x", 80)},
		{strings.Repeat("é", 50), strings.Repeat("é", 40)},
		{"bad\xffutf8", "bad_utf8"},
	}
	for _, c := range cases {
		if got := SafeName(c.in, "fb"); got != c.want {
			t.Errorf("SafeName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	ns := newNameSet()
	got := []string{ns.add("a/b", "x"), ns.add("a_b", "x"), ns.add("a,b", "x"), ns.add(strings.Repeat("y", 80), "x"), ns.add(strings.Repeat("y", 80), "x")}
	want := []string{"a_b", "a_b-2", "a_b-3", strings.Repeat("y", 80), strings.Repeat("y", 78) + "-2"}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("name %d: %q, want %q", i, got[i], want[i])
		}
	}
}

// FuzzSafeName: any input gives a name the scenario format accepts as a
// host, switch or VM name, and SafeName of it is itself.
func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"esx01", "a/b", "%2f", "  x  ", "\x00", "é", strings.Repeat("z", 90)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := SafeName(s, "fallback")
		if n == "" || len(n) > maxNameLen || !utf8.ValidString(n) || strings.TrimSpace(n) != n || n == "*" {
			t.Fatalf("SafeName(%q) = %q", s, n)
		}
		for _, r := range n {
			if r < 0x20 || r == 0x7f || strings.ContainsRune("/~,[]", r) {
				t.Fatalf("SafeName(%q) = %q holds %q", s, n, r)
			}
		}
		if !strings.Contains(n, "%") && SafeName(n, "fallback") != n {
			t.Fatalf("SafeName is not stable on %q", n)
		}
	})
}
