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

// TestTCPConnLayout checks that what every message and ack touches of its
// connection fits the first three cache lines (tcpConn).
func TestTCPConnLayout(t *testing.T) {
	var tc tcpConn
	if end := unsafe.Offsetof(tc.holeSeq) + unsafe.Sizeof(tc.holeSeq); end > 192 {
		t.Errorf("tcpConn's per-message fields end at %d, past the third line", end)
	}
	if size := unsafe.Sizeof(tc); size != 256 {
		t.Errorf("tcpConn is %d bytes, want 256 (the size class that keeps it on line boundaries)", size)
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

// TestSourceLayout checks that what a source reads for every message
// fills its first cache line, and that its size keeps it on line
// boundaries (source).
func TestSourceLayout(t *testing.T) {
	var s source
	if end := unsafe.Offsetof(s.pcg) + unsafe.Sizeof(s.pcg); end > 64 {
		t.Errorf("source's per-message fields end at %d, past the first line", end)
	}
	if size := unsafe.Sizeof(s); size != 192 {
		t.Errorf("source is %d bytes, want 192 (a size class of whole lines)", size)
	}
}
