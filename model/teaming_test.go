package model

import (
	"net/netip"
	"slices"
	"testing"
)

// upExcept returns a usable function that reports every vmnic usable but
// the ones named.
func upExcept(down ...string) func(string) bool {
	return func(n string) bool { return !slices.Contains(down, n) }
}

func TestTeam(t *testing.T) {
	tm := &Teaming{Active: []string{"vmnic0", "vmnic1"}, Standby: []string{"vmnic2", "vmnic3"}, Unused: []string{"vmnic4"}}
	tests := []struct {
		name string
		down []string
		want []string
	}{
		{"all up: the Active list, no Standby, no Unused", nil, []string{"vmnic0", "vmnic1"}},
		{"first Active down: first Standby takes its slot", []string{"vmnic0"}, []string{"vmnic2", "vmnic1"}},
		{"second Active down: first Standby takes its slot", []string{"vmnic1"}, []string{"vmnic0", "vmnic2"}},
		{"both Active down: Standby in order", []string{"vmnic0", "vmnic1"}, []string{"vmnic2", "vmnic3"}},
		{"Active and first Standby down: next Standby", []string{"vmnic0", "vmnic2"}, []string{"vmnic3", "vmnic1"}},
		{"Standby down changes nothing while Active is up", []string{"vmnic2", "vmnic3"}, []string{"vmnic0", "vmnic1"}},
		{"three down: one uplink left, Unused never joins", []string{"vmnic0", "vmnic1", "vmnic2"}, []string{"vmnic3"}},
		{"everything but Unused down: empty team", []string{"vmnic0", "vmnic1", "vmnic2", "vmnic3"}, []string{}},
		{"Unused down: no effect", []string{"vmnic4"}, []string{"vmnic0", "vmnic1"}},
	}
	for _, tt := range tests {
		got := Team(tm, upExcept(tt.down...))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: Team = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestTeamFailback: once the failed Active uplink is usable again it takes
// its slot back and the Standby uplink leaves the team (reference 1.8).
func TestTeamFailback(t *testing.T) {
	tm := &Teaming{Active: []string{"vmnic0"}, Standby: []string{"vmnic1"}}
	if got := Team(tm, upExcept("vmnic0")); !slices.Equal(got, []string{"vmnic1"}) {
		t.Fatalf("during the failure Team = %v, want [vmnic1]", got)
	}
	if got := Team(tm, upExcept()); !slices.Equal(got, []string{"vmnic0"}) {
		t.Errorf("after recovery Team = %v, want [vmnic0]", got)
	}
	// Team must not change the teaming it reads.
	if !slices.Equal(tm.Active, []string{"vmnic0"}) || !slices.Equal(tm.Standby, []string{"vmnic1"}) {
		t.Errorf("Team modified its input: %+v", tm)
	}
}

func TestExplicitOrder(t *testing.T) {
	tm := &Teaming{Active: []string{"vmnic3", "vmnic1"}, Standby: []string{"vmnic2", "vmnic0"}, Unused: []string{"vmnic4"}}
	tests := []struct {
		down   []string
		want   string
		wantOK bool
	}{
		{nil, "vmnic3", true}, // the highest-ordered Active, not the lowest name
		{[]string{"vmnic3"}, "vmnic1", true},
		{[]string{"vmnic3", "vmnic1"}, "vmnic2", true},
		{[]string{"vmnic3", "vmnic1", "vmnic2"}, "vmnic0", true},
		{[]string{"vmnic1", "vmnic2"}, "vmnic3", true},
		{[]string{"vmnic3", "vmnic1", "vmnic2", "vmnic0"}, "", false}, // Unused never
	}
	for _, tt := range tests {
		got, ok := ExplicitOrder(tm, upExcept(tt.down...))
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("down %v: ExplicitOrder = %q, %v; want %q, %v", tt.down, got, ok, tt.want, tt.wantOK)
		}
	}
}

// TestPortIDIndex: reference case 5 (33554436 -> first uplink, 33554437 ->
// second of two) and the default port IDs 50331648 + N.
func TestPortIDIndex(t *testing.T) {
	tests := []struct {
		port uint32
		n    int
		want int
	}{
		{33554436, 2, 0},
		{33554437, 2, 1},
		{33554436, 1, 0},
		{33554437, 3, 33554437 % 3},
		{50331649, 2, 1},
		{50331650, 2, 0},
		{50331649, 4, 1},
		{50331651, 4, 3},
	}
	for _, tt := range tests {
		if got := PortIDIndex(tt.port, tt.n); got != tt.want {
			t.Errorf("PortIDIndex(%d, %d) = %d, want %d", tt.port, tt.n, got, tt.want)
		}
	}
}

// TestMACIndex: reference case 10 (00:50:56:6a:bc:de over 3 uplinks:
// last byte 222 mod 3 = 0, whole 48-bit value mod 3 = 1) and the powers of
// two, where both readings agree.
func TestMACIndex(t *testing.T) {
	mac := MAC(0x0050566abcde)
	tests := []struct {
		mac     MAC
		variant string
		n       int
		want    int
	}{
		{mac, "last_byte", 3, 0},
		{mac, "whole_mac", 3, 1},
		{mac, "", 3, 1}, // whole_mac is the default
		{mac, "last_byte", 2, 0},
		{mac, "whole_mac", 2, 0},
		{mac, "last_byte", 4, 2},
		{mac, "whole_mac", 4, 2},
		{mac, "whole_mac", 8, 6},
		{MAC(0x0050566a0001), "whole_mac", 2, 1},
		{MAC(0x0050566a0002), "whole_mac", 2, 0},
		{MAC(0x0050566a01ff), "last_byte", 3, 0},
		{MAC(0x0050566a01ff), "whole_mac", 3, 0x0050566a01ff % 3},
		{mac, "whole_mac", 1, 0},
	}
	for _, tt := range tests {
		if got := MACIndex(tt.mac, tt.variant, tt.n); got != tt.want {
			t.Errorf("MACIndex(%012x, %q, %d) = %d, want %d", uint64(tt.mac), tt.variant, tt.n, got, tt.want)
		}
	}
}

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

// TestIPHashIndex: reference cases 1, 2 and 10.
func TestIPHashIndex(t *testing.T) {
	h1, h2, h3, h4 := ip("10.0.0.11"), ip("10.0.0.12"), ip("10.0.0.13"), ip("10.0.0.14")
	tests := []struct {
		name     string
		src, dst netip.Addr
		variant  string
		n        int
		want     int
	}{
		{"case 1: H1-H2 over 2", h1, h2, "last_octet", 2, 1},
		{"case 2 a: H1-H2 mod 2", h1, h2, "last_octet", 2, 1},
		{"case 2 a: H1-H2 mod 4", h1, h2, "last_octet", 4, 3},
		{"case 2 b: H1-H3 mod 2", h1, h3, "last_octet", 2, 0},
		{"case 2 b: H1-H3 mod 4", h1, h3, "last_octet", 4, 2},
		{"case 2 c: H2-H4 mod 2", h2, h4, "last_octet", 2, 0},
		{"case 2 c: H2-H4 mod 4", h2, h4, "last_octet", 4, 2},
		{"case 2 d: H3-H4 mod 2", h3, h4, "last_octet", 2, 1},
		{"case 2 d: H3-H4 mod 4", h3, h4, "last_octet", 4, 3},
		{"case 2 e: H1-H4 mod 2", h1, h4, "last_octet", 2, 1},
		{"case 2 e: H1-H4 mod 4", h1, h4, "last_octet", 4, 1},
		{"case 2 f: H2-H3 mod 2", h2, h3, "last_octet", 2, 1},
		{"case 2 f: H2-H3 mod 4", h2, h3, "last_octet", 4, 1},
		{"case 10: across subnets, last octet", ip("10.0.1.11"), ip("10.0.3.12"), "last_octet", 3, 1},
		{"case 10: across subnets, full address", ip("10.0.1.11"), ip("10.0.3.12"), "full_address", 3, 0},
		{"case 10: default is last octet", ip("10.0.1.11"), ip("10.0.3.12"), "", 3, 1},
		{"case 10: same /24, last octet", h1, h2, "last_octet", 3, 1},
		{"case 10: same /24, full address", h1, h2, "full_address", 3, 1},
		{"DENNEMAN: A4120154 ^ A41201A0 = F4, mod 2", ip("164.18.1.84"), ip("164.18.1.160"), "full_address", 2, 0},
		{"DENNEMAN: A4120154 ^ A41201C3 = 97, mod 2", ip("164.18.1.84"), ip("164.18.1.195"), "full_address", 2, 1},
		{"one uplink", h1, h2, "last_octet", 1, 0},
	}
	for _, tt := range tests {
		if got := IPHashIndex(tt.src, tt.dst, tt.variant, tt.n); got != tt.want {
			t.Errorf("%s: IPHashIndex(%v, %v, %q, %d) = %d, want %d", tt.name, tt.src, tt.dst, tt.variant, tt.n, got, tt.want)
		}
		// XOR is symmetric: the reverse direction hashes to the same index.
		if got := IPHashIndex(tt.dst, tt.src, tt.variant, tt.n); got != tt.want {
			t.Errorf("%s: reverse IPHashIndex(%v, %v, %q, %d) = %d, want %d", tt.name, tt.dst, tt.src, tt.variant, tt.n, got, tt.want)
		}
	}
}

// lagFlow is the FT flow of VM index 3 from H1 (10.0.0.11) to H4
// (10.0.0.14) on VLAN 50.
func lagFlow() Flow {
	return Flow{SrcIP: ip("10.0.0.11"), DstIP: ip("10.0.0.14"),
		SrcMAC: MAC(0x0050566a0001), DstMAC: MAC(0x0050566a0004), PortID: 50331649,
		SrcPort: FTSrcPortBase + 3, DstPort: FTDstPort, VLAN: 50}
}

// TestLAGIndex: the LAG hash families of reference 1.7, fields combined by
// XOR, IP fields by their last octet (docs/model.md "Switches").
func TestLAGIndex(t *testing.T) {
	f := lagFlow()
	const sp, dp = FTSrcPortBase + 3, FTDstPort
	tests := []struct {
		hash string
		n    int
		want int
	}{
		{"src_dst_ip", 4, (11 ^ 14) % 4},
		{"src_dst_ip", 3, (11 ^ 14) % 3},
		{"src_dst_ip", 2, 1},
		{"src_ip", 4, 11 % 4},
		{"dst_ip", 4, 14 % 4},
		{"dest_ip", 4, 14 % 4},
		{"src_mac", 4, 0x0050566a0001 % 4},
		{"dst_mac", 4, 0x0050566a0004 % 4},
		{"src_dst_mac", 4, (1 ^ 4) % 4},
		{"src_dst_mac", 3, (1 ^ 4) % 3},
		{"src_dst_tcp_udp_port", 4, (sp ^ dp) % 4},
		{"src_tcp_udp_port", 4, sp % 4},
		{"dst_tcp_udp_port", 4, dp % 4},
		{"src_dst_ip_tcp_udp_port", 4, (11 ^ 14 ^ sp ^ dp) % 4},
		{"src_dst_ip_tcp_udp_port", 3, (11 ^ 14 ^ sp ^ dp) % 3},
		{"src_ip_tcp_udp_port", 4, (11 ^ sp) % 4},
		{"dst_ip_tcp_udp_port", 4, (14 ^ dp) % 4},
		{"src_dst_ip_vlan", 4, (11 ^ 14 ^ 50) % 4},
		{"src_dst_ip_vlan", 3, (11 ^ 14 ^ 50) % 3},
		{"src_dst_ip_tcp_udp_port_vlan", 8, (11 ^ 14 ^ sp ^ dp ^ 50) % 8},
		{"src_port_id", 4, 50331649 % 4},
		{"src_port_id", 3, 50331649 % 3},
		{"vlan", 4, 50 % 4},
		{"vlan", 3, 50 % 3},
	}
	for _, tt := range tests {
		if got := LAGIndex(tt.hash, f, tt.n); got != tt.want {
			t.Errorf("LAGIndex(%q, n=%d) = %d, want %d", tt.hash, tt.n, got, tt.want)
		}
	}
}

// TestLAGIndexFamilies checks which fields each family reads: changing a
// field the hash ignores never moves the flow, and the src_dst families
// are symmetric, so a flow and its reverse land on the same member.
func TestLAGIndexFamilies(t *testing.T) {
	base := lagFlow()
	mut := map[string]func(*Flow){
		"src_ip":   func(f *Flow) { f.SrcIP = ip("10.0.0.20") },
		"dst_ip":   func(f *Flow) { f.DstIP = ip("10.0.0.21") },
		"src_mac":  func(f *Flow) { f.SrcMAC = MAC(0x0050566a0011) },
		"dst_mac":  func(f *Flow) { f.DstMAC = MAC(0x0050566a0013) },
		"src_port": func(f *Flow) { f.SrcPort++ },
		"dst_port": func(f *Flow) { f.DstPort++ },
		"port_id":  func(f *Flow) { f.PortID++ },
		"vlan":     func(f *Flow) { f.VLAN++ },
	}
	fields := []string{"src_ip", "dst_ip", "src_mac", "dst_mac", "src_port", "dst_port", "port_id", "vlan"}
	tests := []struct {
		hash      string
		reads     []string
		symmetric bool
	}{
		{"src_dst_ip", []string{"src_ip", "dst_ip"}, true},
		{"src_ip", []string{"src_ip"}, false},
		{"dst_ip", []string{"dst_ip"}, false},
		{"dest_ip", []string{"dst_ip"}, false},
		{"src_dst_mac", []string{"src_mac", "dst_mac"}, true},
		{"src_mac", []string{"src_mac"}, false},
		{"dst_mac", []string{"dst_mac"}, false},
		{"src_dst_ip_tcp_udp_port", []string{"src_ip", "dst_ip", "src_port", "dst_port"}, true},
		{"src_dst_tcp_udp_port", []string{"src_port", "dst_port"}, true},
		{"src_dst_ip_vlan", []string{"src_ip", "dst_ip", "vlan"}, true},
		{"src_port_id", []string{"port_id"}, false},
		{"vlan", []string{"vlan"}, false},
	}
	const n = 1 << 10 // wide enough that a changed field shows
	for _, tt := range tests {
		want := LAGIndex(tt.hash, base, n)
		for _, fld := range fields {
			f := base
			mut[fld](&f)
			moved := LAGIndex(tt.hash, f, n) != want
			if reads := slices.Contains(tt.reads, fld); moved != reads {
				t.Errorf("%s: changing %s moved the flow = %v, want %v", tt.hash, fld, moved, reads)
			}
		}
		if tt.symmetric {
			if got := LAGIndex(tt.hash, base.Reverse(base.PortID), n); got != want {
				t.Errorf("%s: reverse flow on member %d, forward on %d", tt.hash, got, want)
			}
		}
	}
}

// TestLAGIndexMatchesIPHash: the static EtherChannel's default hash is the
// host side's last-octet IP hash, so both directions of a pair use the
// same member index (docs/model.md "Switches").
func TestLAGIndexMatchesIPHash(t *testing.T) {
	ips := []string{"10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.14", "10.0.1.200"}
	for _, a := range ips {
		for _, b := range ips {
			for n := 1; n <= 5; n++ {
				f := Flow{SrcIP: ip(a), DstIP: ip(b)}
				if got, want := LAGIndex("src_dst_ip", f, n), IPHashIndex(ip(a), ip(b), "last_octet", n); got != want {
					t.Errorf("%s -> %s over %d: LAGIndex = %d, IPHashIndex = %d", a, b, n, got, want)
				}
			}
		}
	}
}

func TestFlowReverse(t *testing.T) {
	f := lagFlow()
	r := f.Reverse(50331652)
	want := Flow{SrcIP: f.DstIP, DstIP: f.SrcIP, SrcMAC: f.DstMAC, DstMAC: f.SrcMAC, PortID: 50331652,
		SrcPort: f.DstPort, DstPort: f.SrcPort, VLAN: f.VLAN}
	if r != want {
		t.Errorf("Reverse = %+v, want %+v", r, want)
	}
}
