package model

// Duration is a span of simulated time in seconds.
type Duration float64

// BitRate is a rate in bits per second.
type BitRate float64

// Size is an amount of data in bytes.
type Size int64

// ByteRate is a rate in bytes per second.
type ByteRate float64

// Seconds returns d as a float64 number of seconds.
func (d Duration) Seconds() float64 { return float64(d) }
