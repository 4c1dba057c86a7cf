package model

import (
	"strings"
	"unicode"
)

// Policy is a NIC teaming load-balancing policy, by its snake_case name.
type Policy string

// The six teaming policies (docs/model.md section 1).
const (
	PortID           Policy = "port_id"           // Route based on originating virtual port
	MACHash          Policy = "mac_hash"          // Route based on source MAC hash
	IPHash           Policy = "ip_hash"           // Route based on IP hash
	NICLoad          Policy = "nic_load"          // Route based on physical NIC load (LBT)
	ExplicitFailover Policy = "explicit_failover" // Use explicit failover order
	LACP             Policy = "lacp"              // LACP LAG on a vDS
)

// AllPolicies lists the policies in the order tables show them.
var AllPolicies = []Policy{PortID, MACHash, IPHash, NICLoad, ExplicitFailover, LACP}

// PolicyInfo describes one teaming policy for people: its names in the
// vSphere UI and API, what it needs and what it balances.
type PolicyInfo struct {
	Policy    Policy
	VSphere   string // the name in the vSphere Client
	API       string // the vSphere API value (nicTeaming.policy); "" for LACP, which is a LAG uplink
	Requires  string
	Balances  string
	Reference string // section of the domain reference
}

// Policies is the table `ftsim policies` prints, in AllPolicies order.
var Policies = []PolicyInfo{
	{PortID, "Route based on originating virtual port", "loadbalance_srcid",
		"nothing on the physical switch; vSphere default",
		"ports: uplink = Active[port ID mod N], so one FT vmkernel port uses one uplink", "1.2"},
	{MACHash, "Route based on source MAC hash", "loadbalance_srcmac",
		"nothing on the physical switch",
		"source MACs: uplink = Active[MAC mod N] (whole MAC, or last byte), one uplink per FT vmkernel port", "1.3"},
	{IPHash, "Route based on IP hash", "loadbalance_ip",
		"static EtherChannel on one switch or stack; all uplinks Active; Link status only",
		"source/destination IP pairs: Active[(last octet XOR) mod N], so FT traffic spreads over host pairs only", "1.4"},
	{NICLoad, "Route based on physical NIC load", "loadbalance_loadbased",
		"distributed switch",
		"starts as port ID; every 30 s moves the busiest port off an uplink above 75%", "1.5"},
	{ExplicitFailover, "Use explicit failover order", "failover_explicit",
		"nothing on the physical switch",
		"nothing: the first Active uplink that is up, then Standby uplinks", "1.6"},
	{LACP, "LACP (Link aggregation group)", "",
		"distributed switch; LACP port channel on one switch or stack with the same hash",
		"flows by the LAG hash (default source and destination IP)", "1.7"},
}

// PolicyInfoOf returns the table row of p, or false.
func PolicyInfoOf(p Policy) (PolicyInfo, bool) {
	for _, pi := range Policies {
		if pi.Policy == p {
			return pi, true
		}
	}
	return PolicyInfo{}, false
}

// VSphereName returns the policy's name in the vSphere Client.
func (p Policy) VSphereName() string {
	if pi, ok := PolicyInfoOf(p); ok {
		return pi.VSphere
	}
	return string(p)
}

// policyAliases maps lower-case spellings to policies: snake_case names,
// the vSphere UI names and the API enum.
var policyAliases = map[string]Policy{
	"port_id":           PortID,
	"mac_hash":          MACHash,
	"ip_hash":           IPHash,
	"nic_load":          NICLoad,
	"explicit_failover": ExplicitFailover,
	"lacp":              LACP,

	"route based on originating virtual port":    PortID,
	"route based on originating virtual port id": PortID,
	"route based on source mac hash":             MACHash,
	"route based on ip hash":                     IPHash,
	"route based on physical nic load":           NICLoad,
	"use explicit failover order":                ExplicitFailover,
	"link aggregation (lacp)":                    LACP,
	"link aggregation group (lacp)":              LACP,
	"lacp (link aggregation group)":              LACP,
	"link aggregation":                           LACP,
	"link aggregation group":                     LACP,
	"lag":                                        LACP,

	"loadbalance_srcid":     PortID,
	"loadbalance_srcmac":    MACHash,
	"loadbalance_ip":        IPHash,
	"loadbalance_loadbased": NICLoad,
	"failover_explicit":     ExplicitFailover,
}

// ParsePolicy reads a policy name written in snake_case (ip_hash), as the
// vSphere UI writes it ("Route based on IP hash") or as the API enum
// (loadbalance_ip), in any letter case.
func ParsePolicy(s string) (Policy, bool) {
	p, ok := policyAliases[strings.ToLower(strings.Join(strings.Fields(s), " "))]
	return p, ok
}

// LACPHashes are the LAG hash algorithms of the vSphere API enum
// VMwareDvsLacpLoadBalanceAlgorithm (docs/model.md 1.7) in snake_case, with
// "dest" written "dst" as in docs/model.md (src_dst_ip). ParseLACPHash also
// reads "dest" and the API's camelCase (srcDestIp).
var LACPHashes = []string{
	"src_mac", "dst_mac", "src_dst_mac",
	"dst_ip_vlan", "src_ip_vlan", "src_dst_ip_vlan",
	"dst_tcp_udp_port", "src_tcp_udp_port", "src_dst_tcp_udp_port",
	"dst_ip_tcp_udp_port", "src_ip_tcp_udp_port", "src_dst_ip_tcp_udp_port",
	"dst_ip_tcp_udp_port_vlan", "src_ip_tcp_udp_port_vlan", "src_dst_ip_tcp_udp_port_vlan",
	"dst_ip", "src_ip", "src_dst_ip",
	"vlan", "src_port_id",
}

// DefaultLACPHash is the LAG hash used when none is written.
const DefaultLACPHash = "src_dst_ip"

// ParseLACPHash returns the canonical name of a LAG hash algorithm.
func ParseLACPHash(s string) (string, bool) {
	var b strings.Builder
	camel := !strings.ContainsAny(s, "_-")
	for i, r := range s {
		if camel && unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	parts := strings.FieldsFunc(b.String(), func(r rune) bool { return r == '_' || r == '-' })
	for i, p := range parts {
		if p == "dest" {
			parts[i] = "dst"
		}
	}
	name := strings.Join(parts, "_")
	for _, h := range LACPHashes {
		if h == name {
			return h, true
		}
	}
	return "", false
}
