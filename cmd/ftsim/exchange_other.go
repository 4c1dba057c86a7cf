//go:build !linux

package main

// exchange swaps the folders a and b: b is moved aside and a into its
// place (two renames; no atomic exchange is available here).
func exchange(a, b string) error { return swapByRenames(a, b) }
