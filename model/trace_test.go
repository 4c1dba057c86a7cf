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
		{"t_s,rate_bps\n0,x\n", `line 2: rate_bps "x" is not a number`},
		{"t_s,rate_bps\nnow,1\n", `line 2: t_s "now" is not a number`},
		{"t_s,rate_bps\n0,-1\n", "line 2: rate_bps -1 is negative"},
		{"t_s,rate_bps\n-1,1\n", "line 2: t_s -1 is negative"},
		{"t_s,rate_bps\n0,1\n0,2\n", "line 3: t_s 0 is not after the previous row's 0"},
		{"t_s,rate_bps\n0,NaN\n", "is not a number"},
		{"t_s,rate_bps\n0,\x00\x01\n", "(binary data)"},
	} {
		_, err := ParseTrace(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseTrace(%q) error %v, want %q", tc.in, err, tc.msg)
		}
	}
}
