package model

import "testing"

func TestParsePolicy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Policy
	}{
		{"port_id", PortID}, {"Route based on originating virtual port", PortID}, {"loadbalance_srcid", PortID},
		{"mac_hash", MACHash}, {"Route based on source MAC hash", MACHash}, {"LOADBALANCE_SRCMAC", MACHash},
		{"ip_hash", IPHash}, {"route based on ip hash", IPHash}, {"Route  based on IP  hash", IPHash}, {"loadbalance_ip", IPHash},
		{"nic_load", NICLoad}, {"Route based on physical NIC load", NICLoad}, {"loadbalance_loadbased", NICLoad},
		{"explicit_failover", ExplicitFailover}, {"Use explicit failover order", ExplicitFailover}, {"failover_explicit", ExplicitFailover},
		{"lacp", LACP}, {"LACP", LACP}, {"Link aggregation (LACP)", LACP},
	} {
		if got, ok := ParsePolicy(tc.in); !ok || got != tc.want {
			t.Errorf("ParsePolicy(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
	for _, bad := range []string{"", "ip hash", "Route based on IP hashing", "loadbalance", "round_robin"} {
		if p, ok := ParsePolicy(bad); ok {
			t.Errorf("ParsePolicy(%q) = %q, want no policy", bad, p)
		}
	}
	if len(Policies) != len(AllPolicies) {
		t.Fatalf("Policies has %d rows, AllPolicies %d", len(Policies), len(AllPolicies))
	}
	for i, p := range AllPolicies {
		if Policies[i].Policy != p || Policies[i].VSphere == "" || Policies[i].Requires == "" || Policies[i].Balances == "" {
			t.Errorf("row %d: %+v", i, Policies[i])
		}
		if got, ok := ParsePolicy(Policies[i].VSphere); !ok || got != p {
			t.Errorf("the vSphere name %q does not parse to %q", Policies[i].VSphere, p)
		}
	}
}

func TestParseLACPHash(t *testing.T) {
	if len(LACPHashes) != 20 {
		t.Errorf("%d LACP hashes, want the 20 of the API enum", len(LACPHashes))
	}
	for _, h := range LACPHashes {
		if got, ok := ParseLACPHash(h); !ok || got != h {
			t.Errorf("ParseLACPHash(%q) = %q, %v", h, got, ok)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"src_dest_ip", "src_dst_ip"}, {"srcDestIp", "src_dst_ip"}, {"destMac", "dst_mac"},
		{"srcDestIpTcpUdpPortVlan", "src_dst_ip_tcp_udp_port_vlan"}, {"SRC_DST_IP", "src_dst_ip"},
		{"srcPortId", "src_port_id"}, {"vlan", "vlan"}, {"dest_tcp_udp_port", "dst_tcp_udp_port"},
	} {
		if got, ok := ParseLACPHash(tc.in); !ok || got != tc.want {
			t.Errorf("ParseLACPHash(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
	for _, bad := range []string{"", "ip", "src_dst", "round_robin"} {
		if h, ok := ParseLACPHash(bad); ok {
			t.Errorf("ParseLACPHash(%q) = %q, want none", bad, h)
		}
	}
}
