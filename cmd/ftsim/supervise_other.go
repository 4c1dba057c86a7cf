//go:build !linux

package main

// supervise runs ftsim in this process where no crash pipe is available.
func supervise() (int, bool) { return 0, false }
