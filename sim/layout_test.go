package sim

import (
	"testing"
	"unsafe"
)

// TestLinkLayout: a frame's passage through a queue reads the link's first
// cache line and updates its statistics in the second (enqueueAt); links
// are whole cache lines, so in a slice each starts on a boundary.
func TestLinkLayout(t *testing.T) {
	var lk link
	if off := unsafe.Offsetof(lk.st); off != 64 {
		t.Errorf("link.st at offset %d, want 64 (the hot fields fill the first line)", off)
	}
	if end := unsafe.Offsetof(lk.st) + unsafe.Offsetof(lk.st.qsum) + unsafe.Sizeof(lk.st.qsum); end > 128 {
		t.Errorf("the statistics every frame updates end at %d, past the second line", end)
	}
	if size := unsafe.Sizeof(lk); size%64 != 0 {
		t.Errorf("link is %d bytes, not a whole number of 64-byte lines", size)
	}
}

// TestAllocLayout checks that what every message reads of a connection
// (tcpConn) and of a source fits their first lines, and that their sizes
// are size classes of whole lines, so each allocation starts on a line
// (one of 224 bytes would start every other connection mid-line).
func TestAllocLayout(t *testing.T) {
	var tc tcpConn
	var s source
	for _, c := range []struct {
		name           string
		hotEnd, lines  uintptr
		size, wantSize uintptr
	}{
		{"tcpConn", unsafe.Offsetof(tc.inRecovery) + unsafe.Sizeof(tc.inRecovery), 2, unsafe.Sizeof(tc), 256},
		{"source", unsafe.Offsetof(s.pcg) + unsafe.Sizeof(s.pcg), 1, unsafe.Sizeof(s), 192},
	} {
		if c.hotEnd > c.lines*64 {
			t.Errorf("%s's per-message fields end at %d, past line %d", c.name, c.hotEnd, c.lines)
		}
		if c.size != c.wantSize {
			t.Errorf("%s is %d bytes, want %d", c.name, c.size, c.wantSize)
		}
	}
}

// TestVMLayout checks that the fields of a VM every message reads lie in
// its first seven cache lines (vmState; it is allocated in a size class
// of whole lines): the connection and checkpoint pointers once sat in the
// fourteenth and fifteenth.
func TestVMLayout(t *testing.T) {
	var v vmState
	for name, off := range map[string]uintptr{"tc": unsafe.Offsetof(v.tc), "ck": unsafe.Offsetof(v.ck),
		"ackSize": unsafe.Offsetof(v.ackSize), "lagTarget": unsafe.Offsetof(v.lagTarget)} {
		if off >= 7*64 {
			t.Errorf("vmState.%s at offset %d, past the seventh line", name, off)
		}
	}
}
