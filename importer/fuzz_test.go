package importer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// checkErrLine fails when an input error points past the input's lines.
func checkErrLine(t *testing.T, data []byte, err error) {
	var e *Error
	if errors.As(err, &e) {
		if lines := lineEnds(data) + 2; e.Line > lines {
			t.Errorf("error at line %d of a %d-line input: %v", e.Line, lines-1, err)
		}
	}
}

// lineEnds counts the line ends of data as the readers do (lineLimit):
// LF, CRLF and a lone CR each end one line.
func lineEnds(data []byte) int {
	n := bytes.Count(data, []byte{'\n'}) + bytes.Count(data, []byte{'\r'})
	return n - bytes.Count(data, []byte("\r\n"))
}

func seed(f *testing.F, files ...string) {
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzReadEsxtop: any input reads without a panic, errors point inside the
// input, and whatever reads also builds (or fails cleanly).
func FuzzReadEsxtop(f *testing.F) {
	seed(f, "esx01.csv", "esx02.csv")
	f.Add([]byte(pdh(pdhHeader, []string{"12/11/2012 19:09:20", "1", "2"}, []string{"12/11/2012 19:09:25", "", "4"})))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadEsxtop("f.csv", bytes.NewReader(data))
		checkErrLine(t, data, err)
		if err != nil {
			return
		}
		for _, mode := range []string{ModeLegacy, ModeSMP} {
			if imp, err := Build([]*Capture{c}, Options{Mode: mode}); err == nil {
				Files(imp)
			}
		}
	})
}

// FuzzGetStat is FuzzReadEsxtop for Get-Stat exports.
func FuzzGetStat(f *testing.F) {
	seed(f, "getstat.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		g := NewGetStat()
		err := g.Add("f.csv", bytes.NewReader(data))
		var c *Capture
		if err == nil {
			c, err = g.Capture()
		}
		checkErrLine(t, data, err)
		if err != nil {
			return
		}
		if imp, err := Build([]*Capture{c}, Options{}); err == nil {
			Files(imp)
		}
	})
}

// FuzzReadInventory: any input reads without a panic.
func FuzzReadInventory(f *testing.F) {
	seed(f, "rvtools_vinfo.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, err := ReadInventory("f.csv", bytes.NewReader(data))
		checkErrLine(t, data, err)
	})
}
