// Package model holds ftsim's domain types: the scenario (hosts, vmnics,
// switches, teaming, FT VMs, workloads, failures, SLA), the units they are
// written in, loading YAML with the position of every problem, validation in
// vSphere terms, and the teaming policies' uplink choice as pure functions.
//
// model imports no other ftsim package.
package model
