package importer

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// writeBigCapture writes an esxtop capture of about size bytes with cols
// columns: vms VMs (two network ports each, VM-level and per-disk Virtual
// Disk counters, Group Cpu counters), vmk ports and filler objects, the
// shape of an `esxtop -b -a` capture of a busy host. It returns the file
// size and the number of rows.
func writeBigCapture(tb testing.TB, path string, size int64, cols, vms int) (int64, int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	header := []string{"(PDH-CSV 4.0) (UTC)(0)"}
	for v := 0; v < vms; v++ {
		name := fmt.Sprintf("vm%03d", v)
		for p := 0; p < 2; p++ {
			port := fmt.Sprintf(`\\esxbig\Network Port(DvsPortset-0:%d:%d:%s)`, 50331700+2*v+p, 400000+v, name)
			header = append(header, port+`\MBits Received/sec`, port+`\MBits Transmitted/sec`, port+`\Packets Received/sec`)
		}
		for _, inst := range []string{name, name + ":scsi0:0", name + ":scsi0:1"} {
			for _, c := range []string{"Reads/sec", "Writes/sec", "MBytes Read/sec", "MBytes Written/sec", "Average MilliSec/Read"} {
				header = append(header, `\\esxbig\Virtual Disk(`+inst+`)\`+c)
			}
		}
		for _, c := range []string{"% Used", "% Run", "% Ready", "% Wait", "% CoStop"} {
			header = append(header, fmt.Sprintf(`\\esxbig\Group Cpu(%d:%s)\%s`, 300000+v, name, c))
		}
	}
	for k := 0; k < 4; k++ {
		header = append(header, fmt.Sprintf(`\\esxbig\Network Port(DvsPortset-0:%d:vmk%d)\MBits Transmitted/sec`, 50331650+k, k))
	}
	for i := 0; len(header) < cols; i++ {
		header = append(header, fmt.Sprintf(`\\esxbig\Physical Cpu(%d)\%% Util Time %d`, i%256, i))
	}
	for i, h := range header {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString(`"` + h + `"`)
	}
	w.WriteString("\r\n")
	cells := make([]string, 97)
	for i := range cells {
		cells[i] = fmt.Sprintf(`,"%.2f"`, float64(i)*1.37)
	}
	t0 := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	rows := 0
	var written int64
	for written < size {
		stamp := `"` + t0.Add(time.Duration(rows)*2*time.Second).Format("01/02/2006 15:04:05") + `"`
		n, _ := w.WriteString(stamp)
		written += int64(n)
		for c := 1; c < len(header); c++ {
			n, _ := w.WriteString(cells[(c*7+rows)%len(cells)])
			written += int64(n)
		}
		w.WriteString("\r\n")
		rows++
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	return st.Size(), rows
}

// BenchmarkEsxtopStream streams a generated capture of >= 200 MB and 20,000
// columns (not kept in the repository) and reports throughput (MB/s), the
// peak heap in use while reading, and the heap the result holds. Memory
// stays flat: it is bounded by the columns kept, not by the file size.
func BenchmarkEsxtopStream(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.csv")
	size, rows := writeBigCapture(b, path, 200<<20, 20000, 100)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	var peak, held uint64
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapInuse
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var maxInuse uint64
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			var m runtime.MemStats
			for {
				runtime.ReadMemStats(&m)
				maxInuse = max(maxInuse, m.HeapInuse)
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}()
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		c, err := ReadEsxtop(path, f)
		f.Close()
		close(stop)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		if len(c.Series) != 100 || len(c.Series[0].Times) != rows || len(c.Vmks) != 4 {
			b.Fatalf("read %d VMs, %d samples, %d vmk ports; want 100, %d, 4", len(c.Series), len(c.Series[0].Times), len(c.Vmks), rows)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		if maxInuse > base {
			peak = max(peak, maxInuse-base)
		}
		if ms.HeapInuse > base {
			held = ms.HeapInuse - base
		}
		runtime.KeepAlive(c)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(held)/(1<<20), "held-heap-MB")
	b.ReportMetric(float64(size)/(1<<20), "file-MB")
	// Flat: the reader holds one row and the kept series, never the file.
	if limit := uint64(64 << 20); peak > limit {
		b.Errorf("peak heap %d MB while reading a %d MB capture; want under %d MB", peak>>20, size>>20, limit>>20)
	}
}
