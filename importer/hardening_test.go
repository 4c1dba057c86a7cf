package importer

import (
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
)

// esxRows builds an esxtop capture of host h1 whose VMs are named by the
// Network Port columns, with the given rows of (stamp, rates...).
func esxRows(vms []string, rows ...[]string) string {
	h := []string{"(PDH-CSV 4.0) (UTC)(0)"}
	for i, vm := range vms {
		h = append(h, `\\h1\Network Port(vSwitch0:3355444`+string(rune('0'+i%10))+`:100`+string(rune('0'+i%10))+`:`+vm+`)\MBits Received/sec`)
	}
	return pdh(append([][]string{h}, rows...)...)
}

func buildOne(t *testing.T, opts Options, data string) (*Import, error) {
	t.Helper()
	c, err := ReadEsxtop("a.csv", strings.NewReader(data))
	if err != nil {
		return nil, err
	}
	return Build([]*Capture{c}, opts)
}

// TestImportWritesValidNames: VM names and --out folders the scenario
// cannot hold are made valid (with a warning) and the written scenario
// loads as written.
func TestImportWritesValidNames(t *testing.T) {
	long := strings.Repeat("v", 200)
	vms := []string{"a/b", "c,d", "..", long, long + "x", "e[1]~", " * "}
	var r1, r2 []string
	r1, r2 = []string{"12/11/2012 19:09:20"}, []string{"12/11/2012 19:09:25"}
	for range vms {
		r1, r2 = append(r1, "10"), append(r2, "20")
	}
	for _, out := range []string{"_hidden", ".dot", "..", "a b/c", strings.Repeat("n", 300), "___"} {
		imp, err := buildOne(t, Options{Name: out}, esxRows(vms, r1, r2))
		if err != nil {
			t.Fatalf("--out %q: %v", out, err)
		}
		if len(imp.VMs) != len(vms) {
			t.Fatalf("%d VMs written, want %d", len(imp.VMs), len(vms))
		}
		sc := loadImport(t, imp) // fails unless the scenario validates as written
		if len(sc.VMs) != len(vms) {
			t.Errorf("the scenario holds %d VMs, want %d", len(sc.VMs), len(vms))
		}
		renamed := 0
		for _, w := range imp.Warnings {
			if strings.Contains(w.Msg, "cannot be a scenario name") {
				renamed++
			}
		}
		if renamed != 6 { // a/b, c,d, both long names, e[1]~ and " * "
			t.Errorf("%d rename warnings, want 6 (one per name changed): %v", renamed, imp.Warnings)
		}
	}
}

// TestImportRefusesAbsurdRates: a cell that would write +Inf (or more
// than any link carries) into a trace is an error at its line.
func TestImportRefusesAbsurdRates(t *testing.T) {
	for _, cell := range []string{"1e305", "1e300", "2000000"} { // Mbit/s
		data := esxRows([]string{"vm1"}, []string{"12/11/2012 19:09:20", "10"}, []string{"12/11/2012 19:09:25", cell})
		_, err := buildOne(t, Options{}, data)
		var e *Error
		if !errors.As(err, &e) || e.File != "a.csv" || e.Line != 3 || !strings.Contains(e.Msg, "faster than any Ethernet link") {
			t.Errorf("cell %s: %v, want an error at a.csv:3", cell, err)
		}
	}
}

// TestImportClipsToAWeek: samples a year apart give a scenario of 168h
// at most, with a warning, and it loads.
func TestImportClipsToAWeek(t *testing.T) {
	data := esxRows([]string{"vm1"}, []string{"12/11/2012 19:09:20", "10"}, []string{"12/11/2012 19:09:25", "10"},
		[]string{"12/11/2013 19:09:25", "20"})
	imp, err := buildOne(t, Options{}, data)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Duration > 168*3600 {
		t.Errorf("duration %g s, more than a week", imp.Duration)
	}
	warned := false
	for _, w := range imp.Warnings {
		warned = warned || strings.Contains(w.Msg, "the first 168h are written")
	}
	if !warned {
		t.Errorf("no warning: %v", imp.Warnings)
	}
	loadImport(t, imp)
}

// zeros is /dev/zero as a reader.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestImportBoundsLines: an endless input without line ends (/dev/zero)
// fails at line 1 instead of filling memory, for every reader.
func TestImportBoundsLines(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MiB per reader")
	}
	check := func(what string, err error) {
		var e *Error
		if !errors.As(err, &e) || e.Line != 1 || !strings.Contains(e.Msg, "longer than 64 MiB") {
			t.Errorf("%s: %v", what, err)
		}
	}
	_, err := ReadEsxtop("zero", io.LimitReader(zeros{}, 1<<40))
	check("esxtop", err)
	check("getstat", NewGetStat().Add("zero", zeros{}))
	_, _, err = ReadInventory("zero", zeros{})
	check("inventory", err)
}

// TestImportLineEnds: CRLF and lone-CR line ends read as LF do, for every
// reader: the same capture, and an error at the line it is on.
func TestImportLineEnds(t *testing.T) {
	ends := map[string]func(string) string{
		"CRLF": func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") },
		"CR":   func(s string) string { return strings.ReplaceAll(s, "\n", "\r") },
	}
	getstat := func(s string) (*Capture, error) {
		g := NewGetStat()
		if err := g.Add("g.csv", strings.NewReader(s)); err != nil {
			return nil, err
		}
		return g.Capture()
	}
	data, err := os.ReadFile("testdata/getstat.csv")
	if err != nil {
		t.Fatal(err)
	}
	lf := strings.ReplaceAll(string(data), "\r\n", "\n")
	want, err := getstat(lf)
	if err != nil {
		t.Fatal(err)
	}
	esx := strings.ReplaceAll(esxRows([]string{"web01"}, []string{"12/11/2012 19:10:00", "100"}, []string{"12/11/2012 19:10:20", "oops"}), "\r\n", "\n")
	_, esxWant := ReadEsxtop("h1.csv", strings.NewReader(esx))
	var ew *Error
	if !errors.As(esxWant, &ew) || ew.Line < 2 {
		t.Fatalf("esxtop with a bad cell: %v, want an error past line 1", esxWant)
	}
	for name, conv := range ends {
		got, err := getstat(conv(lf))
		if err != nil {
			t.Errorf("%s getstat: %v", name, err)
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("%s getstat: the capture differs from LF's", name)
		}
		_, err = ReadEsxtop("h1.csv", strings.NewReader(conv(esx)))
		var e *Error
		if !errors.As(err, &e) || e.Line != ew.Line || e.Msg != ew.Msg {
			t.Errorf("%s esxtop: %v, want %v", name, err, esxWant)
		}
	}
}
