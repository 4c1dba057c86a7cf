// Package sim is ftsim's engine: it simulates the FT logging network of a
// scenario (vmnic and switch queues, FT sessions, teaming, failures) on the
// github.com/fschuetz04/simgo kernel and returns a plain-data Result.
package sim
