package model

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

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

// Units are written as people write them and parsed strictly (docs/model.md
// "Units"): K, M, G, T are decimal, Ki, Mi, Gi, Ti binary; one space
// between the number and its unit is allowed; the number is a plain
// decimal (no sign, no exponent). The Parse functions accept zero; callers
// decide whether zero is allowed. Every String method writes a form its
// Parse function reads back to the identical value.

// unit is one accepted unit spelling and its factor to the base unit.
type unit struct {
	name string
	mult float64
	div  bool // value = number / mult (sub-second durations, percent)
}

var bitRateUnits = []unit{
	{"bps", 1, false}, {"b/s", 1, false}, {"bit/s", 1, false},
	{"Kbps", 1e3, false}, {"kbps", 1e3, false}, {"Kb/s", 1e3, false}, {"kb/s", 1e3, false}, {"Kbit/s", 1e3, false}, {"kbit/s", 1e3, false},
	{"Mbps", 1e6, false}, {"Mb/s", 1e6, false}, {"Mbit/s", 1e6, false},
	{"Gbps", 1e9, false}, {"Gb/s", 1e9, false}, {"Gbit/s", 1e9, false},
	{"Tbps", 1e12, false}, {"Tb/s", 1e12, false}, {"Tbit/s", 1e12, false},
}

var byteRateUnits = []unit{
	{"B/s", 1, false},
	{"KB/s", 1e3, false}, {"kB/s", 1e3, false}, {"KiB/s", 1 << 10, false},
	{"MB/s", 1e6, false}, {"MiB/s", 1 << 20, false},
	{"GB/s", 1e9, false}, {"GiB/s", 1 << 30, false},
	{"TB/s", 1e12, false}, {"TiB/s", 1 << 40, false},
}

var sizeUnits = []unit{
	{"B", 1, false},
	{"KB", 1e3, false}, {"kB", 1e3, false}, {"KiB", 1 << 10, false},
	{"MB", 1e6, false}, {"MiB", 1 << 20, false},
	{"GB", 1e9, false}, {"GiB", 1 << 30, false},
	{"TB", 1e12, false}, {"TiB", 1 << 40, false},
}

// durationUnits are in decreasing order; a combined duration (8m30s) must
// name them in this order, each at most once.
var durationUnits = []unit{
	{"h", 3600, false}, {"m", 60, false}, {"s", 1, false},
	{"ms", 1e3, true}, {"us", 1e6, true}, {"µs", 1e6, true}, {"μs", 1e6, true},
}

func findUnit(units []unit, name string) (unit, bool) {
	for _, u := range units {
		if u.name == name {
			return u, true
		}
	}
	return unit{}, false
}

// quantity is a number and its unit as written.
type quantity struct {
	num  string
	unit string
}

// maxNumberLen bounds the digits of a number so huge inputs fail fast.
const maxNumberLen = 32

// scanNumber reads a plain decimal at the start of s: digits with an
// optional fraction. It returns the number and the rest of s.
func scanNumber(s string) (num, rest string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return "", s
	}
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j > i+1 {
			i = j
		}
	}
	return s[:i], s[i:]
}

// scanQuantity splits s into a number and a unit, allowing one space
// between them. kind names the expected unit in messages ("a bit rate such
// as 10Gbps" is built from kind and example).
func scanQuantity(s, kind, example string) (quantity, error) {
	if s == "" {
		return quantity{}, fmt.Errorf("empty value: write %s such as %s", kind, example)
	}
	if strings.TrimSpace(s) != s {
		return quantity{}, fmt.Errorf("%q has spaces around it: write %s such as %s", s, kind, example)
	}
	if s[0] == '-' {
		return quantity{}, fmt.Errorf("%q is negative", s)
	}
	if s[0] == '+' {
		return quantity{}, fmt.Errorf("%q has a sign: write %s such as %s", s, kind, example)
	}
	num, rest := scanNumber(s)
	if num == "" {
		return quantity{}, fmt.Errorf("%q is not %s: write a number and a unit, such as %s", s, kind, example)
	}
	if len(num) > maxNumberLen {
		return quantity{}, fmt.Errorf("%q is too long a number", s)
	}
	if rest == "" {
		u := unitOf(example)
		if f, err := strconv.ParseFloat(num, 64); err == nil && u == "Gbps" && f >= 100 {
			u = "Mbps" // 500 is more likely 500Mbps than 500Gbps
		}
		return quantity{}, fmt.Errorf("%q needs a unit: %s such as %s%s", s, kind, num, u)
	}
	if rest[0] == ' ' {
		rest = rest[1:]
		if rest == "" || rest[0] == ' ' || rest[0] == '\t' {
			return quantity{}, fmt.Errorf("%q: write at most one space between the number and its unit", s)
		}
	}
	return quantity{num, rest}, nil
}

// unitOf returns the unit part of an example such as "10Gbps".
func unitOf(example string) string {
	_, rest := scanNumber(example)
	return rest
}

func parseFloatNum(num string) (float64, error) {
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("%q is not a number ftsim can use", num)
	}
	return f, nil
}

func scale(f float64, u unit) float64 {
	if u.div {
		return f / u.mult
	}
	return f * u.mult
}

// ParseBitRate parses a bit rate: bps, Kbps, Mbps, Gbps, Tbps, also written
// Gb/s or Gbit/s. A byte rate (MB/s) is refused with the bit rate to write.
func ParseBitRate(s string) (BitRate, error) {
	q, err := scanQuantity(s, "a bit rate", "10Gbps")
	if err != nil {
		return 0, err
	}
	u, ok := findUnit(bitRateUnits, q.unit)
	if !ok {
		if bu, isByte := findUnit(byteRateUnits, q.unit); isByte {
			f, err := parseFloatNum(q.num)
			if err != nil {
				return 0, err
			}
			return 0, fmt.Errorf("%q is a byte rate: write it in bits per second, as %s", s, BitRate(scale(f, bu)*8))
		}
		return 0, unknownUnit(s, q.unit, "bit rate", bitRateUnits, "bps, Kbps, Mbps, Gbps or Tbps (also Gb/s, Gbit/s)")
	}
	f, err := parseFloatNum(q.num)
	if err != nil {
		return 0, err
	}
	return BitRate(scale(f, u)), nil
}

// ParseByteRate parses a byte rate: B/s, KB/s, KiB/s, MB/s, MiB/s, GB/s,
// GiB/s, TB/s, TiB/s. A bit rate (Mbps) is refused with the byte rate to
// write.
func ParseByteRate(s string) (ByteRate, error) {
	q, err := scanQuantity(s, "a byte rate", "20MB/s")
	if err != nil {
		return 0, err
	}
	u, ok := findUnit(byteRateUnits, q.unit)
	if !ok {
		if bu, isBit := findUnit(bitRateUnits, q.unit); isBit {
			f, err := parseFloatNum(q.num)
			if err != nil {
				return 0, err
			}
			return 0, fmt.Errorf("%q is a bit rate: write it in bytes per second, as %s", s, ByteRate(scale(f, bu)/8))
		}
		return 0, unknownUnit(s, q.unit, "byte rate", byteRateUnits, "B/s, KB/s, KiB/s, MB/s, MiB/s, GB/s, GiB/s, TB/s or TiB/s")
	}
	f, err := parseFloatNum(q.num)
	if err != nil {
		return 0, err
	}
	return ByteRate(scale(f, u)), nil
}

// ParseSize parses an amount of data: B, KB, KiB, MB, MiB, GB, GiB, TB,
// TiB. The result must be a whole number of bytes.
func ParseSize(s string) (Size, error) {
	q, err := scanQuantity(s, "a size", "64KiB")
	if err != nil {
		return 0, err
	}
	u, ok := findUnit(sizeUnits, q.unit)
	if !ok {
		return 0, unknownUnit(s, q.unit, "size", sizeUnits, "B, KB, KiB, MB, MiB, GB, GiB, TB or TiB")
	}
	r, ok := new(big.Rat).SetString(q.num)
	if !ok {
		return 0, fmt.Errorf("%q is not a number ftsim can use", q.num)
	}
	r.Mul(r, new(big.Rat).SetInt64(int64(u.mult)))
	if !r.IsInt() {
		return 0, fmt.Errorf("%q is not a whole number of bytes", s)
	}
	if !r.Num().IsInt64() {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return Size(r.Num().Int64()), nil
}

// ParseDuration parses a duration: us (or µs), ms, s, m, h, also combined
// in decreasing order without spaces (8m30s, 1h15m). A bare 0 is accepted.
func ParseDuration(s string) (Duration, error) {
	if s == "0" {
		return 0, nil
	}
	q, err := scanQuantity(s, "a duration", "30s")
	if err != nil {
		return 0, err
	}
	var total float64
	last := -1
	for {
		name, rest := splitDurationUnit(q.unit)
		idx := -1
		for i, u := range durationUnits {
			if u.name == name {
				idx = i
				break
			}
		}
		if idx < 0 {
			return 0, unknownUnit(s, name, "duration", durationUnits, "us, ms, s, m or h (or combined, such as 8m30s)")
		}
		rank := min(idx, 4) // us, µs and μs are one unit
		if rank <= last {
			return 0, fmt.Errorf("%q: write the parts of a duration from hours down to microseconds, each once (such as 1h15m or 8m30s)", s)
		}
		last = rank
		f, err := parseFloatNum(q.num)
		if err != nil {
			return 0, err
		}
		total += scale(f, durationUnits[idx])
		if rest == "" {
			break
		}
		num, after := scanNumber(rest)
		if num == "" {
			return 0, fmt.Errorf("%q is not a duration: write a number and a unit, such as 30s or 8m30s", s)
		}
		if len(num) > maxNumberLen {
			return 0, fmt.Errorf("%q is too long a number", s)
		}
		if after == "" {
			return 0, fmt.Errorf("%q: %q needs a unit", s, num)
		}
		if after[0] == ' ' {
			after = after[1:]
		}
		q = quantity{num, after}
	}
	if math.IsInf(total, 0) {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return Duration(total), nil
}

// splitDurationUnit splits the unit letters at the start of s from the
// rest (the next number of a combined duration).
func splitDurationUnit(s string) (name, rest string) {
	for i, r := range s {
		if (r >= '0' && r <= '9') || r == ' ' {
			return s[:i], s[i:]
		}
	}
	return s, ""
}

// ParsePercent parses a percentage such as 75% (or 75 %) into a fraction
// (0.75).
func ParsePercent(s string) (float64, error) {
	if num, rest := scanNumber(s); num != "" && rest == "" && len(num) <= maxNumberLen {
		// A bare fraction (0.7) most likely means 70%.
		example := num + "%"
		if f, err := strconv.ParseFloat(num, 64); err == nil && f < 1 && f > 0 {
			example = strconv.FormatFloat(math.Round(f*100*1e9)/1e9, 'f', -1, 64) + "%"
		}
		return 0, fmt.Errorf("%q needs a unit: a percentage such as %s", s, example)
	}
	q, err := scanQuantity(s, "a percentage", "75%")
	if err != nil {
		return 0, err
	}
	if q.unit != "%" {
		return 0, fmt.Errorf("%q is not a percentage: write a number and %%, such as 75%%", s)
	}
	f, err := parseFloatNum(q.num)
	if err != nil {
		return 0, err
	}
	return f / 100, nil
}

// unknownUnit builds the message for a unit that is not one of units,
// pointing at the right spelling when only the case differs.
func unknownUnit(s, name, kind string, units []unit, list string) error {
	if strings.HasSuffix(name, "Bps") || strings.HasSuffix(name, "iBps") {
		return fmt.Errorf("%q is ambiguous: write B/s for bytes per second (such as MB/s) or bps for bits per second (such as Mbps)", s)
	}
	if kind == "size" && inList([]string{"b", "Kb", "kb", "Mb", "Gb", "Tb"}, name) {
		return fmt.Errorf("%q is in bits: sizes are in bytes, such as 64KiB or 1.5MB", s)
	}
	for _, u := range units {
		if strings.EqualFold(u.name, name) {
			return fmt.Errorf("unit %q in %q is written %q", name, s, u.name)
		}
	}
	return fmt.Errorf("unknown %s unit %q in %q: use %s", kind, name, s, list)
}

// errNoForm is returned by formatExact when no decimal in unit u reads back
// to exactly v.
var errNoForm = errors.New("no exact form")

// formatExact writes v in unit u so that parsing the result gives exactly
// v back; it tries the float nearest v/u and a few neighbours.
func formatExact(v float64, u unit) (string, error) {
	var x float64
	if u.div {
		x = v * u.mult
	} else {
		x = v / u.mult
	}
	cands := []float64{x}
	up, down := x, x
	for range 4 {
		up = math.Nextafter(up, math.Inf(1))
		down = math.Nextafter(down, math.Inf(-1))
		cands = append(cands, up, down)
	}
	for _, c := range cands {
		if c < 0 || math.IsInf(c, 0) || math.IsNaN(c) {
			continue
		}
		s := strconv.FormatFloat(c, 'f', -1, 64)
		if len(s) > maxNumberLen {
			continue
		}
		f, err := strconv.ParseFloat(s, 64)
		if err == nil && scale(f, u) == v {
			return s, nil
		}
	}
	return "", errNoForm
}

// formatIn writes v in the unit of units that gives the shortest form
// reading back exactly with a number of at least 1 (ties: a whole number
// when preferWhole, else the larger unit), else with fallback.
func formatIn(v float64, units []unit, fallback unit, preferWhole bool) string {
	if v == 0 {
		return "0" + fallback.name
	}
	best := ""
	bestWhole := false
	for _, u := range units {
		s, err := formatExact(v, u)
		if err != nil || strings.HasPrefix(s, "0") {
			continue
		}
		whole := !strings.Contains(s, ".")
		if best == "" || len(s)+len(u.name) < len(best) || (preferWhole && len(s)+len(u.name) == len(best) && whole && !bestWhole) {
			best, bestWhole = s+u.name, whole
		}
	}
	if best != "" {
		return best
	}
	if s, err := formatExact(v, fallback); err == nil {
		return s + fallback.name
	}
	return strconv.FormatFloat(v/fallback.mult, 'f', -1, 64) + fallback.name
}

var bitRateOut = []unit{{"Tbps", 1e12, false}, {"Gbps", 1e9, false}, {"Mbps", 1e6, false}, {"Kbps", 1e3, false}, {"bps", 1, false}}

var byteRateOut = []unit{{"TB/s", 1e12, false}, {"GB/s", 1e9, false}, {"MB/s", 1e6, false}, {"KB/s", 1e3, false}, {"B/s", 1, false}}

var durationOut = []unit{{"h", 3600, false}, {"m", 60, false}, {"s", 1, false}, {"ms", 1e3, true}, {"us", 1e6, true}}

// String writes r as ParseBitRate reads it, such as 10Gbps or 1.5Mbps.
func (r BitRate) String() string {
	return formatIn(float64(r), bitRateOut, unit{"bps", 1, false}, false)
}

// String writes r as ParseByteRate reads it, such as 20MB/s.
func (r ByteRate) String() string {
	return formatIn(float64(r), byteRateOut, unit{"B/s", 1, false}, false)
}

// String writes d as ParseDuration reads it, such as 30s, 10m or 250us.
func (d Duration) String() string {
	return formatIn(float64(d), durationOut, unit{"s", 1, false}, true)
}

// String writes s as ParseSize reads it, in the largest unit that divides
// it exactly (binary units first): 64KiB, 1500000B is 1.5MB written 1500KB.
func (s Size) String() string {
	if s == 0 {
		return "0B"
	}
	for _, u := range []struct {
		name string
		mult int64
	}{{"TiB", 1 << 40}, {"TB", 1e12}, {"GiB", 1 << 30}, {"GB", 1e9}, {"MiB", 1 << 20}, {"MB", 1e6}, {"KiB", 1 << 10}, {"KB", 1e3}} {
		if s%Size(u.mult) == 0 {
			return strconv.FormatInt(int64(s)/u.mult, 10) + u.name
		}
	}
	return strconv.FormatInt(int64(s), 10) + "B"
}

// FormatPercent writes a fraction as ParsePercent reads it (0.75 -> 75%).
func FormatPercent(f float64) string {
	u := unit{"%", 100, true}
	if s, err := formatExact(f, u); err == nil {
		return s + "%"
	}
	return strconv.FormatFloat(f*100, 'f', -1, 64) + "%"
}
