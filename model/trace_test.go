package model

import (
	"strings"
	"testing"
)

func TestParseTrace(t *testing.T) {
	pts, err := ParseTrace(strings.NewReader("\ufefft_s, rate_bps\r\n0,1e8\r\n\r\n60.5,300000000\n"))
	if err != nil || len(pts) != 2 || pts[1].T != 60.5 || pts[1].Rate != 3e8 || pts[0].Rate != 1e8 {
		t.Errorf("got %v, %v", pts, err)
	}
	if cr, err := ParseTrace(strings.NewReader("t_s,rate_bps\r0,1e8\r\r60.5,3e8")); err != nil || len(cr) != 2 || cr[1].T != 60.5 {
		t.Errorf("CR line ends: %v, %v", cr, err)
	}
	late, err := ParseTrace(strings.NewReader("t_s,rate_bps\n10,1000\n"))
	if err != nil || len(late) != 2 || late[0] != (TracePoint{0, 0}) || late[1] != (TracePoint{10, 1000}) {
		t.Errorf("late start: %v, %v", late, err)
	}
	if got := TraceMean(late, 20); got != 500 {
		t.Errorf("mean of the late trace over 20 s = %v, want 500", got)
	}
	if got := TraceMean(pts, 30); got != 1e8 {
		t.Errorf("mean over 30 s = %v, want 1e8", got)
	}
	for _, tc := range []struct{ in, msg string }{
		{"", "line 1: the file is empty"},
		{"time,rate\n0,1\n", "line 1: the header must be t_s,rate_bps"},
		{"t_s,rate_bps\n", "has a header but no rows"},
		{"t_s,rate_bps\n0,1,2\n", "line 2: a row has two values"},
		{"t_s,rate_bps\n0,x\n", "line 2: rate_bps is not a number of bits per second"},
		{"t_s,rate_bps\nnow,1\n", "line 2: t_s is not a number of seconds"},
		{"t_s,rate_bps\n0,-1\n", "line 2: rate_bps is negative"},
		{"t_s,rate_bps\n-1,1\n", "line 2: t_s is negative"},
		{"t_s,rate_bps\n0,1\n\n0,2\n", "line 4: t_s is not after the previous row's (line 2)"},
		{"t_s,rate_bps\n0,NaN\n", "is not a number"},
		{"t_s,rate_bps\n0,1e305\n", "line 2: rate_bps is above 1Tbps"},
		{"t_s,rate_bps\n0,1e12\n1e9,1\n", "line 3: t_s is beyond a week"},
		{"t_s,rate_bps\n0,\x00\x01\n", "line 2: rate_bps is not a number"},
		{"t_s,rate_bps\r0,1\r\r5,x\r", "line 4: rate_bps is not a number"},
	} {
		_, err := ParseTrace(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseTrace(%q) error %v, want %q", tc.in, err, tc.msg)
		}
	}
}

// TestTraceErrorsQuoteNothing: an error about a trace never repeats the
// file's content, whatever the file holds (a scenario may name any file).
func TestTraceErrorsQuoteNothing(t *testing.T) {
	const secret = "s3cr3t"
	for _, in := range []string{
		"root:$6$" + secret + ":19000:0:99999:7:::\n",
		"t_s,rate_bps\n" + secret + ",1\n",
		"t_s,rate_bps\n0," + secret + "\n",
		"t_s,rate_bps\n0,1," + secret + "\n",
		"t_s,rate_bps\n0,1\n0,9" + strings.Repeat("9", 40) + "\n",
		"t_s," + secret + "\n",
	} {
		_, err := ParseTrace(strings.NewReader(in))
		if err == nil {
			t.Fatalf("ParseTrace(%q) succeeded", in)
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "9999") || strings.Contains(err.Error(), "root") {
			t.Errorf("ParseTrace(%q): the error quotes the file: %v", in, err)
		}
	}
}

// TestTracePathStaysInTheScenarioFolder: absolute paths and ".." are
// refused at the trace: value, before any file is read.
func TestTracePathStaysInTheScenarioFolder(t *testing.T) {
	for _, p := range []string{"/etc/shadow", "../traces/steps.csv", "traces/../../x.csv", "..", `traces\\..\\..\\x.csv`, ""} {
		src := "duration: 5m\ndefaults: {vmnics: [{name: vmnic0, speed: 10Gbps}]}\nhosts: [{name: a}, {name: b}]\n" +
			"ft_vms:\n  - {name: vm1, primary: a, secondary: b, logging: {trace: '" + p + "'}}\n"
		_, err := Parse("testdata/s.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), "s.yaml:5:") {
			t.Errorf("trace %q: %v, want an error on line 5", p, err)
		}
	}
}
