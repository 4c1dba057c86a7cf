package model

import (
	"net/netip"
	"strings"
)

// Flow is what teaming and EtherChannel/LACP hashes see of a stream of
// frames from one FT vmkernel port to another.
type Flow struct {
	SrcIP, DstIP     netip.Addr
	SrcMAC, DstMAC   MAC
	PortID           uint32 // source virtual port ID
	SrcPort, DstPort uint16 // TCP ports (FT logging: destination 8100)
	VLAN             uint16
}

// FTPortBase is the TCP port of the FT logging channel (docs/model.md 2.1:
// TCP 8100); a VM's source port is FTSrcPortBase + its index (docs/model.md).
const (
	FTDstPort     = 8100
	FTSrcPortBase = 49152
)

// Team returns the uplinks in the team as the host sees it now: the Active
// list, where an Active uplink that is not usable is replaced in its slot by
// the first usable Standby uplink not already in use, and dropped when there
// is none (docs/model.md 1.1, 1.8; docs/model.md "Model semantics"). Unused uplinks never
// appear.
func Team(t *Teaming, usable func(vmnic string) bool) []string {
	team := make([]string, 0, len(t.Active))
	next := 0 // next Standby candidate
	for _, a := range t.Active {
		if usable(a) {
			team = append(team, a)
			continue
		}
		for next < len(t.Standby) && !usable(t.Standby[next]) {
			next++
		}
		if next < len(t.Standby) {
			team = append(team, t.Standby[next])
			next++
		}
	}
	return team
}

// ExplicitOrder is "Use explicit failover order": the highest-ordered usable
// Active uplink, else the highest-ordered usable Standby uplink (reference
// 1.6).
func ExplicitOrder(t *Teaming, usable func(vmnic string) bool) (string, bool) {
	for _, l := range [][]string{t.Active, t.Standby} {
		for _, u := range l {
			if usable(u) {
				return u, true
			}
		}
	}
	return "", false
}

// PortIDIndex is the uplink index for "Route based on originating virtual
// port": port ID modulo the number of uplinks (docs/model.md 1.2, the community
// modulo model; the real function is undocumented).
func PortIDIndex(portID uint32, n int) int { return int(portID % uint32(n)) }

// MACIndex is the uplink index for "Route based on source MAC hash":
// the 48-bit MAC modulo n (whole_mac, default) or its last byte modulo n
// (last_byte) (docs/model.md 1.3, case 10).
func MACIndex(mac MAC, variant string, n int) int {
	if variant == "last_byte" {
		return int(uint64(mac&0xff) % uint64(n))
	}
	return int(uint64(mac) % uint64(n))
}

// IPHashIndex is the uplink index for "Route based on IP hash": the last
// octets of source and destination XORed (last_octet, the documented
// default) or the whole 32-bit addresses XORed (full_address), modulo n
// (docs/model.md 1.4, cases 1, 2 and 10).
func IPHashIndex(src, dst netip.Addr, variant string, n int) int {
	if variant == "full_address" {
		return int(uint64(ip32(src)^ip32(dst)) % uint64(n))
	}
	return int(uint32(lastOctet(src)^lastOctet(dst)) % uint32(n))
}

// LAGIndex is the member index an EtherChannel or LACP hash picks for a
// flow (docs/model.md 1.7: the API's hash families). Names follow the API enum
// in snake_case; "dest" and "dst" are the same. Fields are combined by XOR;
// IP fields use the last octet, as the host-side IP hash does (docs/model.md).
func LAGIndex(hash string, f Flow, n int) int {
	return CompileLAGHash(hash).Index(&f, n)
}

// LAGHash is a LAG hash algorithm read once from its name: which fields of
// a flow it combines. The engine chooses a member per frame without
// reading the name again.
type LAGHash struct {
	portID, vlanOnly    bool // src_port_id; vlan alone
	src, dst            bool // which ends of the flow
	mac, ip, port, vlan bool // which fields
}

// CompileLAGHash reads a hash algorithm's name (see LAGIndex).
func CompileLAGHash(hash string) LAGHash {
	h := strings.ReplaceAll(hash, "dest", "dst")
	if h == "src_port_id" {
		return LAGHash{portID: true}
	}
	g := LAGHash{
		src: strings.HasPrefix(h, "src_"),
		dst: strings.HasPrefix(h, "dst_") || strings.HasPrefix(h, "src_dst_"),
	}
	if !g.src && !g.dst {
		return LAGHash{vlanOnly: true}
	}
	g.mac = strings.Contains(h, "mac")
	g.ip = strings.Contains(h, "ip")
	g.port = strings.Contains(h, "port")
	g.vlan = strings.Contains(h, "vlan")
	return g
}

// Index is the member index the hash picks for flow f over n members.
func (g LAGHash) Index(f *Flow, n int) int {
	switch {
	case g.portID:
		return int(f.PortID % uint32(n))
	case g.vlanOnly:
		return int(uint32(f.VLAN) % uint32(n))
	}
	var v uint64
	pick := func(s, d uint64) {
		if g.src {
			v ^= s
		}
		if g.dst {
			v ^= d
		}
	}
	if g.mac {
		pick(uint64(f.SrcMAC), uint64(f.DstMAC))
	}
	if g.ip {
		pick(uint64(lastOctet(f.SrcIP)), uint64(lastOctet(f.DstIP)))
	}
	if g.port {
		pick(uint64(f.SrcPort), uint64(f.DstPort))
	}
	if g.vlan {
		v ^= uint64(f.VLAN)
	}
	return int(v % uint64(n))
}

// Reverse returns the flow in the other direction (acks, heartbeats back).
func (f Flow) Reverse(portID uint32) Flow {
	return Flow{SrcIP: f.DstIP, DstIP: f.SrcIP, SrcMAC: f.DstMAC, DstMAC: f.SrcMAC,
		PortID: portID, SrcPort: f.DstPort, DstPort: f.SrcPort, VLAN: f.VLAN}
}

func lastOctet(a netip.Addr) byte {
	if !a.IsValid() {
		return 0
	}
	s := a.AsSlice()
	return s[len(s)-1]
}

func ip32(a netip.Addr) uint32 {
	if !a.Is4() {
		return uint32(lastOctet(a))
	}
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
