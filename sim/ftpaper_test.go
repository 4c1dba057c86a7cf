package sim

import (
	"math"
	"testing"
)

// tmWire64K is the wire bytes of one 64 KiB log message at MTU mtu
// (docs/model.md "Framing": frames of MTU - 52 B payload, 90 B overhead each).
func tmWire64K(mtu int) float64 {
	mss := float64(mtu - 52)
	return 65536 + math.Ceil(65536/mss)*90
}

// tmPaperYAML: one 1 GbE uplink per host; %VMS% FT VMs with primaries on
// esx01 and secondaries on esx02.
const tmPaperYAML = `name: paper
duration: %DUR%
warmup: 2s
seed: 31
defaults:
  mtu: %MTU%
  vmnics:
    - {name: vmnic0, speed: %SPEED%}
hosts:
  - {name: esx01, ft_ip: 10.0.0.11}
  - {name: esx02, ft_ip: 10.0.0.12}
ft_vms:
  - name: vm
    count: %VMS%
    primary: esx01
    secondary: esx02
    mode: legacy
    vcpus: 1
    logging: {%LOGGING%}
`

// TestPaperTable2Receive is reference case 7: the FT paper's Table 2
// receive row on a 1 Gb logging link, 604 Mb/s received, 730 Mb/s logged
// (1.209 log bits per received bit, 77.5% of the 941.48 Mb/s goodput).
// ftsim's legacy rule logs 604 x 1.2 = 724.8 Mb/s: within 5% of the
// paper's ratio, and the link carries it with the framing of docs/model.md.
func TestPaperTable2Receive(t *testing.T) {
	dur, tol := "62s", 0.01
	if testing.Short() {
		dur, tol = "22s", 0.02
	}
	sc := tmParse(t, tmPaperYAML, "%DUR%", dur, "%MTU%", "1500", "%SPEED%", "1Gbps", "%VMS%", "1",
		"%LOGGING%", "from_stats: {network_rx: 604Mbps}")
	if got := float64(sc.VMs[0].Logging.Rate); math.Abs(got-724.8e6) > 1 {
		t.Fatalf("from_stats rate %.0f b/s, want (0 x 8 + 604 Mb/s) x 1.2 = 724.8 Mb/s", got)
	}
	rr := tmRun(t, sc)
	win := float64(sc.Duration - sc.Warmup)
	logged := tmVM(t, rr, "vm-1").LoggedBytes * 8 / win
	if ratio := logged / 604e6; math.Abs(ratio-730.0/604) > 0.05*730/604 {
		t.Errorf("logged %.1f Mb/s: %.4f log bits per received bit, want within 5%% of 730/604 = %.4f", logged/1e6, ratio, 730.0/604)
	}
	if math.Abs(logged-724.8e6) > tol*724.8e6 {
		t.Errorf("logged %.1f Mb/s, want 724.8 Mb/s ±%.0f%%", logged/1e6, tol*100)
	}
	// The link: the log with its framing plus one 84 B heartbeat a second.
	want := (724.8e6/8*tmWire64K(1500)/65536 + 84) * 8 / 1e9
	u := tmLink(t, rr, "esx01", "vmnic0", "tx").UtilisationMean
	if math.Abs(u-want) > tol*want {
		t.Errorf("esx01 tx utilisation %.4f, want %.4f ±%.0f%% (724.8 Mb/s framed)", u, want, tol*100)
	}
	// And what was logged is exactly what the wire carried (1% for the
	// edges of the window).
	exact := (tmVM(t, rr, "vm-1").LoggedBytes*tmWire64K(1500)/65536*8/win + 84*8) / 1e9
	if math.Abs(u-exact) > 0.01*exact {
		t.Errorf("esx01 tx utilisation %.4f, the logged bytes framed give %.4f", u, exact)
	}
	// Against the paper's measured link load: 730 / 941.48 = 77.5%.
	if math.Abs(u-0.775) > 0.02*0.775 {
		t.Errorf("esx01 tx utilisation %.4f, the paper's 77.5%% ±2%%", u)
	}
	if v := tmVM(t, rr, "vm-1"); v.ThrottledFraction != 0 || v.ReplayLagP99 > 0.05 {
		t.Errorf("at 77%% load: throttled %.3f, lag p99 %.3f s", v.ThrottledFraction, v.ReplayLagP99)
	}
}

// TestLegacySizing1GbE is reference case 6: a legacy FT VM with disk reads
// 20 MB/s and network input 50 Mb/s logs (160 + 50) x 1.2 = 252 Mb/s. Four
// on one 1 GbE uplink offer 1008 Mb/s, more than it carries (rho 1.07):
// the primaries are throttled. Three (rho 0.80) run unthrottled with a
// small lag, and four on 10 GbE (rho 0.107) too.
func TestLegacySizing1GbE(t *testing.T) {
	dur := "40s"
	if testing.Short() {
		dur = "25s"
	}
	for _, tt := range []struct {
		vms      string
		speed    string
		unstable bool
	}{{"4", "1Gbps", true}, {"3", "1Gbps", false}, {"4", "10Gbps", false}} {
		sc := tmParse(t, tmPaperYAML, "%DUR%", dur, "%MTU%", "1500", "%SPEED%", tt.speed, "%VMS%", tt.vms,
			"%LOGGING%", "from_stats: {disk_read: 20MB/s, network_rx: 50Mbps}")
		if got := float64(sc.VMs[0].Logging.Rate); math.Abs(got-252e6) > 1 {
			t.Fatalf("from_stats rate %.0f b/s, want 252 Mb/s", got)
		}
		rr := tmRun(t, sc)
		name := tt.vms + " VMs on " + tt.speed
		var worstThr, worstLag float64
		for _, v := range rr.VMs {
			worstThr = math.Max(worstThr, v.ThrottledFraction)
			worstLag = math.Max(worstLag, v.ReplayLagP99)
		}
		u := tmLink(t, rr, "esx01", "vmnic0", "tx").UtilisationMean
		t.Logf("%s: utilisation %.3f, worst throttled %.3f, worst lag p99 %.3f s", name, u, worstThr, worstLag)
		if tt.unstable {
			// The 1 GbE uplink saturates and FT slows the primaries.
			if u < 0.98 || worstThr < 0.02 {
				t.Errorf("%s: utilisation %.3f, worst throttled_fraction %.3f; want a saturated link and throttled primaries", name, u, worstThr)
			}
			continue
		}
		if worstThr != 0 || worstLag > 0.05 {
			t.Errorf("%s: worst throttled_fraction %.3f, worst lag p99 %.3f s; want neither", name, worstThr, worstLag)
		}
		speed := 1e9
		if tt.speed == "10Gbps" {
			speed = 10e9
		}
		n := map[string]float64{"3": 3, "4": 4}[tt.vms]
		if want := n * 252e6 * tmWire64K(1500) / 65536 / speed; math.Abs(u-want) > 0.03*want {
			t.Errorf("%s: utilisation %.4f, want %.4f", name, u, want)
		}
	}
}

// TestJumboFrames is reference case 8: 700 Mb/s of log payload on 1 GbE
// takes 743.5 Mb/s of wire at MTU 1500 and 707.0 Mb/s at MTU 9000 (per
// frame overheads; ftsim's 64 KiB messages end in one partial frame).
func TestJumboFrames(t *testing.T) {
	for _, tt := range []struct {
		mtu  string
		want float64 // reference, fraction of 1 Gb/s
	}{{"1500", 0.7435}, {"9000", 0.7070}} {
		sc := tmParse(t, tmPaperYAML, "%DUR%", "12s", "%MTU%", tt.mtu, "%SPEED%", "1Gbps", "%VMS%", "1",
			"%LOGGING%", "rate: 700Mbps, pattern: constant")
		rr := tmRun(t, sc)
		u := tmLink(t, rr, "esx01", "vmnic0", "tx").UtilisationMean
		if math.Abs(u-tt.want) > 0.005*tt.want {
			t.Errorf("MTU %s: utilisation %.4f, reference case 8 gives %.4f ±0.5%%", tt.mtu, u, tt.want)
		}
	}
}
