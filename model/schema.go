package model

import (
	"encoding/json"
	"sort"
)

// Patterns of the unit strings, as the parsers accept them (ECMA 262 and
// RE2 alike, so editors and tests read them the same way).
const (
	numberRE        = `[0-9]+(\.[0-9]+)?`
	BitRatePattern  = `^` + numberRE + ` ?(bps|b/s|bit/s|[Kk](bps|b/s|bit/s)|[MGT](bps|b/s|bit/s))$`
	ByteRatePattern = `^` + numberRE + ` ?(B/s|[Kk]B/s|KiB/s|[MGT]i?B/s)$`
	SizePattern     = `^` + numberRE + ` ?(B|[Kk]B|KiB|[MGT]i?B)$`
	DurationPattern = `^(0|(` + numberRE + ` ?h)?(` + numberRE + ` ?m)?(` + numberRE + ` ?s)?(` + numberRE + ` ?ms)?(` + numberRE + ` ?(us|µs|μs))?)$`
	PercentPattern  = `^` + numberRE + ` ?%$`
)

type jsonObj = map[string]any

func sRef(name string) jsonObj { return jsonObj{"$ref": "#/definitions/" + name} }

func sPattern(p, desc string) jsonObj {
	return jsonObj{"type": "string", "pattern": p, "minLength": 1, "description": desc}
}

func sEnum(desc string, values ...string) jsonObj {
	return jsonObj{"type": "string", "enum": values, "description": desc}
}

func sClosed(desc string, props jsonObj, required ...string) jsonObj {
	o := jsonObj{"type": "object", "additionalProperties": false, "properties": props, "description": desc}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func sList(desc string, items any) jsonObj {
	return jsonObj{"type": "array", "items": items, "description": desc}
}

func sStr(desc string) jsonObj { return jsonObj{"type": "string", "minLength": 1, "description": desc} }

func sInt(desc string, lo, hi int64) jsonObj {
	return jsonObj{"type": "integer", "minimum": lo, "maximum": hi, "description": desc}
}

func sDesc(o jsonObj, desc string) jsonObj {
	c := jsonObj{}
	for k, v := range o {
		c[k] = v
	}
	c["description"] = desc
	return c
}

// policySpellings lists every accepted spelling of each policy in the
// schema: snake_case, the vSphere UI name and the API enum.
func policySpellings() []string {
	var out []string
	for _, p := range Policies {
		out = append(out, string(p.Policy), p.VSphere)
		if p.API != "" {
			out = append(out, p.API)
		}
	}
	out = append(out, "Link aggregation (LACP)", "Route based on originating virtual port ID")
	return out
}

// JSONSchema returns a JSON Schema (draft-07) of the scenario format, for
// editors: bundled scenarios name it in a yaml-language-server modeline.
// Validation proper is Load's; the schema checks keys, types and the
// spelling of units.
func JSONSchema() []byte {
	names := append([]string{}, LACPHashes...)
	sort.Strings(names)
	defs := jsonObj{
		"duration": jsonObj{"description": "a duration such as 250us, 100ms, 30s, 10m, 1h or 8m30s",
			"anyOf": []any{sPattern(DurationPattern, "a duration"), jsonObj{"type": "integer", "const": 0}}},
		"bitRate":  sPattern(BitRatePattern, "a bit rate such as 850Mbps, 10Gbps or 25Gbit/s"),
		"byteRate": sPattern(ByteRatePattern, "a byte rate such as 20MB/s or 64MiB/s"),
		"size":     sPattern(SizePattern, "a size such as 64B, 64KiB, 1.5MB or 16GiB"),
		"percent":  sPattern(PercentPattern, "a percentage such as 75%"),
		"name":     jsonObj{"type": "string", "minLength": 1, "maxLength": 80, "pattern": `^[^/~,\[\]]+$`, "description": "a name"},
		"names":    sList("names", sRef("name")),
		"policy":   sEnum("teaming policy: snake_case, the vSphere UI name or the API value", policySpellings()...),
		"lacpHash": sEnum("LAG hash algorithm (vSphere API sEnum in snake_case; dest may be written dst)", names...),
		"pattern":  sEnum("arrival pattern", string(Constant), string(Poisson), string(OnOff), string(Trace)),
		"ft": sClosed("FT session parameters", jsonObj{
			"message_size":  sDesc(sRef("size"), "log payload per message (64KiB)"),
			"ack_size":      sDesc(sRef("size"), "acknowledgement size (64B)"),
			"log_buffer":    sDesc(sRef("size"), "unacknowledged log data before the primary stalls (64MiB)"),
			"heartbeat":     sDesc(sRef("duration"), "heartbeat interval each way (1s)"),
			"timeout":       sDesc(sRef("duration"), "silence before the peer is declared lost (5s)"),
			"rto":           sDesc(sRef("duration"), "retransmission timeout (200ms)"),
			"lag_target":    sDesc(sRef("duration"), "replay lag above which the primary is slowed (1s)"),
			"restart_delay": sDesc(sRef("duration"), "peer lost to the start of re-protection (10s)"),
			"checkpoint":    sRef("checkpoint"),
			"tcp": sClosed("transport of the FT logging connection", jsonObj{
				"congestion":     sEnum("congestion control (newreno)", CongestionNewReno, CongestionCubic, CongestionNone),
				"initial_window": jsonObj{"type": "integer", "minimum": 1, "maximum": 1000, "description": "initial window in segments (10)"},
				"max_rto":        sDesc(sRef("duration"), "largest backed-off retransmission timeout (60s)"),
			}),
		}),
		"checkpoint": sClosed("SMP-FT fast checkpointing (mode: smp)", jsonObj{
			"interval":        jsonObj{"description": "dynamic, or a fixed epoch from 100us to 10s (ftcpt.cptIntervalUS)", "anyOf": []any{jsonObj{"const": "dynamic"}, sRef("duration")}},
			"min_interval":    sDesc(sRef("duration"), "shortest dynamic interval (2ms)"),
			"max_interval":    sDesc(sRef("duration"), "longest dynamic interval (100ms)"),
			"stun_budget":     sDesc(sRef("percent"), "share of time a VM may spend stunned, dynamic interval (10%)"),
			"stun_base":       sDesc(sRef("duration"), "fixed part of every stun (200us)"),
			"copy_rate":       sDesc(sRef("byteRate"), "dirty memory copied per second of stun (8GB/s)"),
			"overhead":        sDesc(sRef("size"), "device state sent with every checkpoint (4KiB)"),
			"max_outstanding": sInt("unacknowledged checkpoints before the primary waits (1)", 1, maxOutstandingLimit),
		}),
		"vmnic": sClosed("a physical uplink", jsonObj{
			"name":   sDesc(sRef("name"), "vmnic name, such as vmnic0"),
			"speed":  sDesc(sRef("bitRate"), "link speed, such as 10Gbps"),
			"switch": sDesc(sRef("name"), "the switch it connects to"),
		}, "name", "speed"),
		"teaming": sClosed("teaming and failover policy of the FT vmkernel port", jsonObj{
			"load_balancing":    sRef("policy"),
			"active":            sDesc(sRef("names"), "Active uplinks"),
			"standby":           sDesc(sRef("names"), "Standby uplinks"),
			"unused":            sDesc(sRef("names"), "Unused uplinks"),
			"failback":          jsonObj{"type": "boolean", "description": "Failback (true)"},
			"failure_detection": sEnum("Network failure detection", "link_status", "beacon_probing", "Link status only", "Beacon probing"),
			"notify_switches":   jsonObj{"type": "boolean", "description": "Notify switches (true)"},
			"vswitch":           sEnum("distributed (vDS) or standard (vSS)", "distributed", "standard"),
			"ip_hash":           sEnum("IP hash input", "last_octet", "full_address"),
			"mac_hash":          sEnum("MAC hash input", "whole_mac", "last_byte"),
			"link_detect":       sDesc(sRef("duration"), "link-status detection delay (100ms)"),
			"beacon": sClosed("beacon probing", jsonObj{
				"interval": sRef("duration"),
				"misses":   sInt("lost probes before an uplink is down (3)", 1, 100),
			}),
			"failback_delay": sDesc(sRef("duration"), "Net.TeamPolicyUpDelay (100ms)"),
			"lbt": sClosed("Route based on physical NIC load", jsonObj{
				"interval":  sRef("duration"),
				"threshold": sRef("percent"),
			}),
			"lacp": sClosed("LACP LAG", jsonObj{
				"hash":    sRef("lacpHash"),
				"timeout": sEnum("LACP timeout", "slow", "fast"),
			}),
		}),
		"logging": jsonObj{
			"rate":        sDesc(sRef("bitRate"), "mean logging rate"),
			"from_stats":  sClosed("VM statistics: disk_read and network_rx (legacy) or disk_write, network_rx and dirty_memory (smp)", jsonObj{"disk_read": sRef("byteRate"), "disk_write": sRef("byteRate"), "network_rx": sRef("bitRate"), "dirty_memory": sRef("byteRate")}),
			"preset":      sEnum("a workload of the FT paper's Table 1", PresetNames...),
			"trace":       sStr("CSV file (t_s,rate_bps) relative to the scenario"),
			"pattern":     sRef("pattern"),
			"on":          sDesc(sRef("duration"), "mean on period (pattern onoff)"),
			"off":         sDesc(sRef("duration"), "mean off period (pattern onoff)"),
			"working_set": sDesc(sRef("size"), "SMP-FT: the memory the dirty rate writes over (the VM's memory)"),
		},
	}
	loggingProps := defs["logging"].(jsonObj)
	defs["logging"] = jsonObj{
		"type": "object", "additionalProperties": false, "properties": loggingProps,
		"description": "exactly one of rate, from_stats, preset or trace",
		"oneOf":       []any{jsonObj{"required": []string{"rate"}}, jsonObj{"required": []string{"from_stats"}}, jsonObj{"required": []string{"preset"}}, jsonObj{"required": []string{"trace"}}},
	}
	bgProps := jsonObj{
		"host":      sRef("name"),
		"vmnic":     sRef("name"),
		"direction": sEnum("tx: the vmnic's queue; rx: the switch port toward it", "tx", "rx"),
	}
	for _, k := range []string{"rate", "trace", "pattern", "on", "off"} {
		bgProps[k] = loggingProps[k]
	}
	hostProps := jsonObj{
		"name":       sRef("name"),
		"ft_ip":      jsonObj{"type": "string", "pattern": `^[0-9]{1,3}(\.[0-9]{1,3}){3}$`, "description": "IPv4 address of the FT vmkernel port (192.168.100.N)"},
		"ft_mac":     jsonObj{"type": "string", "pattern": `^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$`, "description": "MAC of the FT vmkernel port (00:50:56:6a:HH:LL)"},
		"ft_port_id": sInt("virtual port ID (50331648 + N)", 1, 1<<32-1),
		"mtu":        sInt("MTU (1500)", 1280, 9000),
		"vmnics":     sList("uplinks", sRef("vmnic")),
		"teaming":    sRef("teaming"),
		"pin":        sDesc(sRef("name"), "vmnic that pins the FT port under port_id / nic_load"),
	}
	defaultsProps := jsonObj{}
	for _, k := range []string{"mtu", "vmnics", "teaming", "pin"} {
		defaultsProps[k] = hostProps[k]
	}
	props := jsonObj{
		"name":             jsonObj{"type": "string", "pattern": `^[A-Za-z0-9][A-Za-z0-9._-]*$`, "description": "scenario name (a folder name)"},
		"description":      jsonObj{"type": "string", "description": "the planning question"},
		"duration":         sDesc(sRef("duration"), "simulated time"),
		"warmup":           sDesc(sRef("duration"), "excluded from statistics (0s)"),
		"seed":             jsonObj{"type": "integer", "minimum": 0, "description": "root seed (1)"},
		"replications":     jsonObj{"anyOf": []any{jsonObj{"type": "integer", "minimum": 1}, jsonObj{"const": "auto"}}, "description": "independent runs (1), or auto"},
		"ci_target":        sDesc(sRef("percent"), "with replications: auto, the 95% CI half-width to reach (5%)"),
		"max_replications": sInt("with replications: auto, the cap (30)", 2, maxReplications),
		"ft":               sRef("ft"),
		"switches": sList("physical switches (default: one switch sw1)", sClosed("a switch", jsonObj{
			"name":        sRef("name"),
			"stack":       sDesc(sRef("name"), "switches of one stack act as one for LAGs"),
			"port_buffer": sDesc(sRef("size"), "egress buffer per port (1MiB)"),
			"latency":     sDesc(sRef("duration"), "forwarding latency (2us)"),
			"portfast":    jsonObj{"type": "boolean", "description": "false: a recovered link is held 30 s by STP (true)"},
		}, "name")),
		"inter_switch_links": sList("inter-switch links", sClosed("an inter-switch link", jsonObj{
			"between": jsonObj{"type": "array", "items": sRef("name"), "minItems": 2, "maxItems": 2},
			"speed":   sRef("bitRate"),
			"latency": sDesc(sRef("duration"), "1us"),
			"buffer":  sDesc(sRef("size"), "per direction (4MiB)"),
		}, "between", "speed")),
		"lags": sList("switch-side EtherChannel (static) or LACP port channels", sClosed("a LAG", jsonObj{
			"host":   sRef("name"),
			"vmnics": sRef("names"),
			"mode":   sEnum("static EtherChannel or LACP", "static", "lacp"),
			"hash":   sRef("lacpHash"),
		}, "host", "vmnics", "mode")),
		"defaults": sClosed("applied to every host unless it overrides", defaultsProps),
		"hosts":    sList("ESXi hosts", sClosed("a host", hostProps, "name")),
		"ft_vms": sList("FT-protected VMs", sClosed("an FT VM or a group of identical VMs", jsonObj{
			"name":       sRef("name"),
			"count":      sInt("a group of VMs named name-1..name-N", 1, maxVMs),
			"placement":  sEnum("spread primaries and secondaries over the hosts", "spread"),
			"primary":    sRef("name"),
			"secondary":  sRef("name"),
			"vcpus":      sInt("vCPUs (2 smp, 1 legacy)", 1, 8),
			"memory":     sDesc(sRef("size"), "memory copied on re-protection (8GiB)"),
			"mode":       sEnum("smp (fast checkpointing) or legacy (record/replay)", ModeSMP, ModeLegacy),
			"logging":    sRef("logging"),
			"ft":         sRef("ft"),
			"checkpoint": sRef("checkpoint"),
		}, "name", "logging")),
		"background": sList("other traffic on uplinks", jsonObj{
			"type": "object", "additionalProperties": false, "properties": bgProps, "required": []string{"host", "vmnic"},
			"oneOf": []any{jsonObj{"required": []string{"rate"}}, jsonObj{"required": []string{"trace"}}},
		}),
		"failures": sList("injected failures", jsonObj{
			"type": "object", "additionalProperties": false, "required": []string{"at"},
			"properties": jsonObj{
				"at":       sDesc(sRef("duration"), "when it happens"),
				"vmnic":    jsonObj{"type": "string", "pattern": `^[^/]+/[^/]+$`, "description": "HOST/VMNIC"},
				"switch":   sRef("name"),
				"isl":      jsonObj{"type": "array", "items": sRef("name"), "minItems": 2, "maxItems": 2},
				"host":     sRef("name"),
				"kind":     sEnum("link_down (default), upstream (link stays up) or lossy (random frame loss; vmnic or isl)", "link_down", "upstream", "lossy"),
				"loss":     jsonObj{"type": []string{"string", "number"}, "description": "lossy: probability each frame is lost (0.1% or 0.001)"},
				"down_for": sDesc(sRef("duration"), "recovers after this long (permanent when absent)"),
			},
			"oneOf": []any{jsonObj{"required": []string{"vmnic"}}, jsonObj{"required": []string{"switch"}}, jsonObj{"required": []string{"isl"}}, jsonObj{"required": []string{"host"}}},
		}),
		"compare": sClosed("run under several policies and failure cases", jsonObj{
			"policies":  jsonObj{"anyOf": []any{jsonObj{"const": "all"}, sRef("policy"), sList("policies", sRef("policy"))}},
			"n_minus_1": jsonObj{"type": "boolean", "description": "also run every single vmnic, switch, ISL and host failure"},
		}),
		"sweep": jsonObj{"type": "object", "description": "for batch: path -> values",
			"additionalProperties": jsonObj{"type": "array", "minItems": 1, "items": jsonObj{"type": []string{"string", "number", "boolean"}}}},
		"sla": sClosed("service-level limits", jsonObj{
			"replay_lag_p99":   sRef("duration"),
			"output_delay_p99": sRef("duration"),
			"utilisation_max":  sRef("percent"),
			"unprotected_max":  sRef("duration"),
		}),
	}
	schema := jsonObj{
		"$schema":              "http://json-schema.org/draft-07/schema#",
		"$id":                  "https://github.com/ftsim/ftsim/docs/ftsim.schema.json",
		"title":                "ftsim scenario",
		"description":          "A capacity-planning scenario for the VMware FT logging network (ftsim).",
		"type":                 "object",
		"additionalProperties": false,
		"required":             []string{"duration", "hosts", "ft_vms"},
		"properties":           props,
		"definitions":          defs,
	}
	out, err := json.MarshalIndent(schema, "", "  ")
	if err != nil {
		panic("model: JSONSchema: " + err.Error()) // static data: a bug of ours
	}
	return append(out, '\n')
}
