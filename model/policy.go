package model

// Policy is a NIC teaming load-balancing policy, by its snake_case name.
type Policy string

// The six teaming policies (reference section 1).
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
