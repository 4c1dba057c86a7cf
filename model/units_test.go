package model

import (
	"math"
	"strings"
	"testing"
)

func TestParseBitRate(t *testing.T) {
	good := []struct {
		in   string
		want BitRate
	}{
		{"10Gbps", 10e9}, {"10 Gbps", 10e9}, {"25Gbit/s", 25e9}, {"25Gb/s", 25e9},
		{"850Mbps", 850e6}, {"850Mb/s", 850e6}, {"850Mbit/s", 850e6},
		{"1.5Mbps", 1.5e6}, {"64Kbps", 64e3}, {"64kbps", 64e3}, {"64kb/s", 64e3}, {"64Kbit/s", 64e3},
		{"1Tbps", 1e12}, {"1.6Tb/s", 1.6e12}, {"1Tbit/s", 1e12},
		{"9600bps", 9600}, {"9600b/s", 9600}, {"9600bit/s", 9600}, {"0bps", 0}, {"0.5Gbps", 0.5e9},
	}
	for _, tc := range good {
		got, err := ParseBitRate(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseBitRate(%q) = %v, %v; want %v", tc.in, float64(got), err, float64(tc.want))
		}
	}
	bad := []struct{ in, msg string }{
		{"10", `"10" needs a unit: a bit rate such as 10Gbps`},
		{"500", `"500" needs a unit: a bit rate such as 500Mbps`},
		{"", "empty value"},
		{"Gbps", "is not a bit rate"},
		{"-1Gbps", "negative"},
		{"+1Gbps", "sign"},
		{"10  Gbps", "at most one space"},
		{" 10Gbps", "spaces around"},
		{"10gbps", `is written "Gbps"`},
		{"10GBps", "ambiguous"},
		{"20MB/s", `is a byte rate: write it in bits per second, as 160Mbps`},
		{"10Gbpsx", "unknown bit rate unit"},
		{"1e9bps", "unknown bit rate unit"},
		{"10,5Gbps", "unknown bit rate unit"},
		{"1.Gbps", "unknown bit rate unit"},
		{"10Gibps", "unknown bit rate unit"},
		{strings.Repeat("9", 40) + "bps", "too long"},
	}
	for _, tc := range bad {
		_, err := ParseBitRate(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseBitRate(%q) error %v; want it to contain %q", tc.in, err, tc.msg)
		}
	}
}

func TestParseByteRate(t *testing.T) {
	good := []struct {
		in   string
		want ByteRate
	}{
		{"20MB/s", 20e6}, {"20 MB/s", 20e6}, {"1.5MiB/s", 1.5 * (1 << 20)}, {"64KiB/s", 64 << 10},
		{"64KB/s", 64e3}, {"64kB/s", 64e3}, {"1GB/s", 1e9}, {"1GiB/s", 1 << 30},
		{"2TB/s", 2e12}, {"1TiB/s", 1 << 40}, {"512B/s", 512}, {"0MB/s", 0},
	}
	for _, tc := range good {
		got, err := ParseByteRate(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseByteRate(%q) = %v, %v; want %v", tc.in, float64(got), err, float64(tc.want))
		}
	}
	bad := []struct{ in, msg string }{
		{"20", `"20" needs a unit: a byte rate such as 20MB/s`},
		{"150Mbps", "is a bit rate: write it in bytes per second, as 18.75MB/s"},
		{"20MBps", "ambiguous"},
		{"20mb/s", `is written "MB/s"`},
		{"20MB", "unknown byte rate unit"},
		{"-20MB/s", "negative"},
	}
	for _, tc := range bad {
		_, err := ParseByteRate(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseByteRate(%q) error %v; want it to contain %q", tc.in, err, tc.msg)
		}
	}
}

func TestParseSize(t *testing.T) {
	good := []struct {
		in   string
		want Size
	}{
		{"64B", 64}, {"64 B", 64}, {"64KiB", 64 << 10}, {"64KB", 64000}, {"64kB", 64000},
		{"1.5MB", 1500000}, {"2MiB", 2 << 20}, {"16GiB", 16 << 30}, {"16GB", 16e9},
		{"1TB", 1e12}, {"2TiB", 2 << 40}, {"0.5KiB", 512}, {"1.1KB", 1100}, {"0B", 0},
	}
	for _, tc := range good {
		got, err := ParseSize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	bad := []struct{ in, msg string }{
		{"64", `"64" needs a unit: a size such as 64KiB`},
		{"1.1KiB", "not a whole number of bytes"},
		{"0.5B", "not a whole number of bytes"},
		{"64Kb", "in bits"},
		{"64kib", `is written "KiB"`},
		{"64K", "unknown size unit"},
		{"64KiB/s", "unknown size unit"},
		{"9999999999TiB", "too large"},
		{"-1MiB", "negative"},
	}
	for _, tc := range bad {
		_, err := ParseSize(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseSize(%q) error %v; want it to contain %q", tc.in, err, tc.msg)
		}
	}
}

func TestParseDuration(t *testing.T) {
	good := []struct {
		in   string
		want Duration
	}{
		{"250us", 250e-6}, {"250µs", 250e-6}, {"250μs", 250e-6}, {"250 us", 250e-6},
		{"100ms", 0.1}, {"1.5ms", 1.5e-3}, {"30s", 30}, {"30 s", 30}, {"0.5s", 0.5},
		{"10m", 600}, {"1h", 3600}, {"1.5h", 5400}, {"8m30s", 510}, {"1h15m", 4500},
		{"1h2m3s4ms5us", 3723.004005}, {"0", 0}, {"0s", 0},
	}
	for _, tc := range good {
		got, err := ParseDuration(tc.in)
		if err != nil || math.Abs(float64(got-tc.want)) > 1e-12*math.Max(1, float64(tc.want)) {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, float64(got), err, float64(tc.want))
		}
	}
	bad := []struct{ in, msg string }{
		{"30", `"30" needs a unit: a duration such as 30s`},
		{"2m 30s", "not a duration"},
		{"30s8m", "from hours down"},
		{"1m1m", "from hours down"},
		{"5min", `unknown duration unit "min"`},
		{"1d", `unknown duration unit "d"`},
		{"10ns", `unknown duration unit "ns"`},
		{"1h30", `needs a unit`},
		{"-5s", "negative"},
		{"5S", `is written "s"`},
		{"", "empty value"},
	}
	for _, tc := range bad {
		_, err := ParseDuration(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseDuration(%q) error %v; want it to contain %q", tc.in, err, tc.msg)
		}
	}
}

func TestParsePercent(t *testing.T) {
	good := []struct {
		in   string
		want float64
	}{{"75%", 0.75}, {"75 %", 0.75}, {"100%", 1}, {"0.5%", 0.005}, {"5%", 0.05}}
	for _, tc := range good {
		got, err := ParsePercent(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParsePercent(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	bad := []struct{ in, msg string }{
		{"0.75", `"0.75" needs a unit: a percentage such as 75%`},
		{"75", `"75" needs a unit: a percentage such as 75%`},
		{"75pct", "not a percentage"},
		{"-5%", "negative"},
	}
	for _, tc := range bad {
		_, err := ParsePercent(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParsePercent(%q) error %v; want it to contain %q", tc.in, err, tc.msg)
		}
	}
}

// TestUnitStrings checks the written form of each unit and that it parses
// back to the same value.
func TestUnitStrings(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{BitRate(10e9).String(), "10Gbps"}, {BitRate(1.5e6).String(), "1.5Mbps"}, {BitRate(252e6).String(), "252Mbps"},
		{BitRate(0).String(), "0bps"}, {BitRate(123456789).String(), "123456789bps"},
		{ByteRate(20e6).String(), "20MB/s"}, {ByteRate(18.75e6).String(), "18.75MB/s"},
		{Size(64 << 10).String(), "64KiB"}, {Size(1500000).String(), "1500KB"}, {Size(64).String(), "64B"},
		{Size(16 << 30).String(), "16GiB"}, {Size(1e12).String(), "1TB"}, {Size(0).String(), "0B"},
		{Duration(600).String(), "10m"}, {Duration(510).String(), "510s"}, {Duration(0.1).String(), "100ms"},
		{Duration(2e-6).String(), "2us"}, {Duration(5400).String(), "90m"}, {Duration(3600).String(), "1h"},
		{Duration(0).String(), "0s"},
		{FormatPercent(0.75), "75%"}, {FormatPercent(0.05), "5%"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestUnitStringsRoundTrip(t *testing.T) {
	floats := []float64{0, 1, 0.1, 0.3, 1e-7, 2.5e-6, 123.456, 1234567.891, 9.99e9, 1.0 / 3, 2.0 / 3, 7e12, 0.015, 252e6 * 1.2}
	for _, f := range floats {
		if got, err := ParseBitRate(BitRate(f).String()); err != nil || float64(got) != f {
			t.Errorf("bit rate %v -> %q -> %v, %v", f, BitRate(f).String(), float64(got), err)
		}
		if got, err := ParseByteRate(ByteRate(f).String()); err != nil || float64(got) != f {
			t.Errorf("byte rate %v -> %q -> %v, %v", f, ByteRate(f).String(), float64(got), err)
		}
		if got, err := ParseDuration(Duration(f).String()); err != nil || float64(got) != f {
			t.Errorf("duration %v -> %q -> %v, %v", f, Duration(f).String(), float64(got), err)
		}
	}
	// A percentage reads back exactly when it came from a parsed value.
	for _, s := range []string{"75%", "33.333333%", "0.1%", "99.99%", "12.345678901234%", "100%"} {
		f, _ := ParsePercent(s)
		if got, err := ParsePercent(FormatPercent(f)); err != nil || got != f {
			t.Errorf("percent %v -> %q -> %v, %v", f, FormatPercent(f), got, err)
		}
	}
	for _, s := range []Size{1, 1023, 1024, 1000, 1 << 20, 3 << 30, 12345678901, 1 << 40} {
		if got, err := ParseSize(s.String()); err != nil || got != s {
			t.Errorf("size %d -> %q -> %d, %v", s, s.String(), got, err)
		}
	}
}

func TestPercentHint(t *testing.T) {
	_, err := ParsePercent("0.29")
	if err == nil || !strings.Contains(err.Error(), "such as 29%") {
		t.Errorf("ParsePercent(0.29): %v", err)
	}
}
