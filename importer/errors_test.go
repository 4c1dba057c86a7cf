package importer

import (
	"strings"
	"testing"
)

// pdh builds an esxtop capture: every cell quoted, CRLF line ends.
func pdh(rows ...[]string) string {
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + c + `"`)
		}
		b.WriteString("\r\n")
	}
	return b.String()
}

var pdhHeader = []string{"(PDH-CSV 4.0) (UTC)(0)",
	`\\h1\Network Port(vSwitch0:33554440:1001:vm1)\MBits Received/sec`,
	`\\h1\Virtual Disk(vm1)\MBytes Read/sec`}

func TestEsxtopErrors(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", `bad.csv:1: empty file: not an esxtop batch capture`},
		{"not a capture", "\"Value\",\"Timestamp\"\r\n\"1\",\"2\"\r\n",
			`bad.csv:1: not an esxtop batch capture: the first header cell is "Value", want one like "(PDH-CSV 4.0) (UTC)(0)" (esxtop -b output)`},
		{"no vm", pdh([]string{"(PDH-CSV 4.0) (UTC)(0)", `\\h1\Memory\Free MBytes`}, []string{"12/11/2012 19:09:20", "1"}),
			`bad.csv:1: no VM in the capture: no Network Port, Virtual Disk or Group Cpu column names a VM (capture with esxtop -b -a)`},
		{"no rows", pdh(pdhHeader), `bad.csv:2: no samples: the capture has a header but no rows`},
		{"one row", pdh(pdhHeader, []string{"12/11/2012 19:09:20", "1", "2"}),
			`bad.csv:2: only one sample: the sample interval is unknown (capture at least 2 iterations, esxtop -b -n 2 or more)`},
		{"bad timestamp", pdh(pdhHeader, []string{"12/11/2012 19:09:20", "1", "2"}, []string{"2012/13/45 19:09:25", "1", "2"}),
			`bad.csv:3: timestamp "2012/13/45 19:09:25" is not MM/DD/YYYY HH:MM:SS`},
		{"time goes back", pdh(pdhHeader, []string{"12/11/2012 19:09:20", "1", "2"}, []string{"12/11/2012 19:09:20", "1", "2"}),
			`bad.csv:3: timestamp "12/11/2012 19:09:20" is not after the previous row's "12/11/2012 19:09:20"`},
		{"bad number", pdh(pdhHeader, []string{"12/11/2012 19:09:20", "1", "n/a"}),
			`bad.csv:2: column 3 (\\h1\Virtual Disk(vm1)\MBytes Read/sec): "n/a" is not a rate (a number >= 0)`},
		{"negative", pdh(pdhHeader, []string{"12/11/2012 19:09:20", "-1", "2"}),
			`bad.csv:2: column 2 (\\h1\Network Port(vSwitch0:33554440:1001:vm1)\MBits Received/sec): "-1" is not a rate (a number >= 0)`},
		{"short row inside", pdh(pdhHeader, []string{"12/11/2012 19:09:20", "1", "2"}, []string{"12/11/2012 19:09:25", "1"}, []string{"12/11/2012 19:09:30", "1", "2"}),
			`bad.csv:3: this row has a different number of cells than the header (a cut-off or edited file?)`},
		{"broken quote inside", pdh(pdhHeader, []string{"12/11/2012 19:09:20", "1", "2"}) + "\"12/11/2012 19:09:25\",\"1\"x,\"2\"\r\n" + pdh([]string{"12/11/2012 19:09:30", "1", "2"}),
			`bad.csv:3: broken quoting near character 25 of the line: extraneous or missing " in quoted-field`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadEsxtop("bad.csv", strings.NewReader(c.in))
			if err == nil || err.Error() != c.want {
				t.Errorf("got  %v\nwant %s", err, c.want)
			}
		})
	}
}

func TestEsxtopCutOffLastRow(t *testing.T) {
	in := pdh(pdhHeader, []string{"12/11/2012 19:09:20", "1", "2"}, []string{"12/11/2012 19:09:25", "3", "4"}) + "\"12/11/2012 19:09:30\",\"1"
	c, err := ReadEsxtop("cut.csv", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Series[0].Times); n != 2 {
		t.Errorf("%d samples, want 2", n)
	}
	if len(c.Warnings) != 1 || c.Warnings[0].Error() != "cut.csv:4: warning: the last row is incomplete (capture cut off?); ignored" {
		t.Errorf("warnings = %v", c.Warnings)
	}
}

func TestBuildErrors(t *testing.T) {
	twoRows := func(host string, header ...string) string {
		h := append([]string{"(PDH-CSV 4.0) (UTC)(0)"}, header...)
		r1, r2 := []string{"12/11/2012 19:09:20"}, []string{"12/11/2012 19:09:25"}
		for range header {
			r1, r2 = append(r1, "1"), append(r2, "2")
		}
		return pdh(h, r1, r2)
	}
	cases := []struct {
		name  string
		files map[string]string
		opts  Options
		want  string
	}{
		{"no usable counter", map[string]string{"a.csv": twoRows("h1",
			`\\h1\Network Port(vSwitch0:33554440:1001:vm1)\MBits Received/sec`,
			`\\h1\Group Cpu(2001:vm9)\% Used`)}, Options{Mode: ModeLegacy},
			`a.csv:1: VM "vm9" has no usable counter: neither network input (Network Port MBits Received/sec) nor disk reads (Virtual Disk MBytes Read/sec)`},
		{"smp needs writes or network", map[string]string{"a.csv": twoRows("h1",
			`\\h1\Virtual Disk(vm1)\MBytes Read/sec`)}, Options{Mode: ModeSMP},
			`a.csv:1: VM "vm1" has no usable counter: neither network input (Network Port MBits Received/sec) nor disk writes (Virtual Disk MBytes Written/sec)`},
		{"host twice", map[string]string{
			"a.csv": twoRows("h1", `\\h1\Virtual Disk(vm1)\MBytes Read/sec`),
			"b.csv": twoRows("h1", `\\h1\Virtual Disk(vm2)\MBytes Read/sec`)}, Options{},
			`b.csv:1: host "h1" is also captured in a.csv: import one capture per host`},
		{"dirty memory in legacy", map[string]string{"a.csv": twoRows("h1", `\\h1\Virtual Disk(vm1)\MBytes Read/sec`)},
			Options{Mode: ModeLegacy, DirtyMemory: 1e6}, `--dirty-memory applies to --mode smp only: legacy FT does not copy memory`},
		{"bad mode", map[string]string{"a.csv": twoRows("h1", `\\h1\Virtual Disk(vm1)\MBytes Read/sec`)},
			Options{Mode: "fast"}, `--mode "fast": want legacy or smp`},
		{"window outside", map[string]string{"a.csv": twoRows("h1", `\\h1\Virtual Disk(vm1)\MBytes Read/sec`)},
			Options{Mode: ModeLegacy, Window: mustWindow(t, "1h..2h")}, `--window 1h..2h lies outside the captures (they span 10s)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var caps []*Capture
			for _, name := range []string{"a.csv", "b.csv"} {
				if in, ok := c.files[name]; ok {
					capt, err := ReadEsxtop(name, strings.NewReader(in))
					if err != nil {
						t.Fatal(err)
					}
					caps = append(caps, capt)
				}
			}
			_, err := Build(caps, c.opts)
			if err == nil || err.Error() != c.want {
				t.Errorf("got  %v\nwant %s", err, c.want)
			}
		})
	}
}

func mustWindow(t *testing.T, s string) Window {
	w, err := ParseWindow(s)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

const gsHeader = "#TYPE VMware.VimAutomation.ViCore.Impl.V1.Stat.FloatSampleImpl\r\n" +
	"\"Value\",\"Timestamp\",\"MetricId\",\"Unit\",\"Entity\",\"IntervalSecs\",\"Instance\"\r\n"

func TestGetStatErrors(t *testing.T) {
	row := func(v, ts, metric, unit, entity, interval, inst string) string {
		return `"` + strings.Join([]string{v, ts, metric, unit, entity, interval, inst}, `","`) + "\"\r\n"
	}
	ok1 := row("100", "12/11/2012 7:10:00 PM", "net.received.average", "KBps", "vm1", "20", "")
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", `gs.csv:1: empty file: not a Get-Stat export`},
		{"no entity", "#TYPE x\r\n\"Value\",\"Timestamp\",\"MetricId\",\"Unit\"\r\n",
			`gs.csv:2: not a Get-Stat export: no Entity column (want MetricId, Timestamp, Value, Unit, Entity; from Get-Stat | Export-Csv)`},
		{"bad unit", gsHeader + ok1 + row("1", "12/11/2012 7:10:20 PM", "net.received.average", "%", "vm1", "20", ""),
			`gs.csv:4: net.received.average unit "%" is not a rate ftsim knows (KBps, kiloBytesPerSecond, Mbps, MBps, ...)`},
		{"bad timestamp", gsHeader + row("1", "yesterday", "disk.read.average", "KBps", "vm1", "20", ""),
			`gs.csv:3: timestamp "yesterday" is not a date and time (want MM/DD/YYYY HH:MM:SS, M/D/YYYY h:mm:ss AM, YYYY-MM-DD HH:MM:SS or ISO 8601)`},
		{"bad value", gsHeader + row("lots", "12/11/2012 7:10:00 PM", "disk.read.average", "KBps", "vm1", "20", ""),
			`gs.csv:3: disk.read.average value "lots" is not a rate (a number >= 0)`},
		{"bad interval", gsHeader + row("1", "12/11/2012 7:10:00 PM", "disk.read.average", "KBps", "vm1", "0", ""),
			`gs.csv:3: IntervalSecs "0" is not a positive number of seconds`},
		{"empty entity", gsHeader + row("1", "12/11/2012 7:10:00 PM", "disk.read.average", "KBps", "", "20", ""),
			`gs.csv:3: empty Entity: the row does not name its VM`},
		{"duplicate", gsHeader + ok1 + ok1, `gs.csv:4: duplicate row: net.received.average of VM "vm1" at 12/11/2012 7:10:00 PM is also at gs.csv:3`},
		{"mixed intervals", gsHeader + ok1 + row("1", "12/11/2012 7:10:20 PM", "net.received.average", "KBps", "vm1", "20", "") +
			row("1", "12/11/2012 7:15:00 PM", "net.received.average", "KBps", "vm1", "300", ""),
			`gs.csv:5: VM "vm1": the sample at 12/11/2012 7:15:00 PM covers 300s, back past the previous sample at 12/11/2012 7:10:20 PM (mixed intervals: export one interval)`},
		{"no vm rates", gsHeader + row("12", "12/11/2012 7:10:00 PM", "cpu.usage.average", "%", "vm1", "20", ""),
			`gs.csv:2: no VM rates: no row has MetricId net.received.average, disk.read.average or disk.write.average`},
		{"header only", gsHeader, `gs.csv:3: no VM rates: the export has a header and no rows`},
		{"no line ends", strings.Repeat("x", MaxLineBytes+10), `gs.csv:1: the line is longer than 64 MiB: this is not a CSV export (a binary file or a device?)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := NewGetStat()
			err := g.Add("gs.csv", strings.NewReader(c.in))
			if err == nil {
				_, err = g.Capture()
			}
			if err == nil || err.Error() != c.want {
				t.Errorf("got  %v\nwant %s", err, c.want)
			}
		})
	}
}

func TestInventoryErrors(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"no ft state", "VM,Host,Powerstate\r\nvm1,esx01,poweredOn\r\n",
			`inv.csv:1: not an RVTools vInfo export: no "FT State" column (want VM, Host, FT State; FT Role and Powerstate are optional)`},
		{"bad role", "VM,Host,FT State,FT Role\r\nvm1,esx01,running,3rd\r\n",
			`inv.csv:2: FT Role "3rd" of VM "vm1" is neither primary (1) nor secondary (2)`},
		{"two primaries", "VM,Host,FT State,FT Role\r\nvm1,esx01,running,1\r\nvm1,esx02,running,primary\r\n",
			`inv.csv:3: FT VM "vm1" has a second primary row (the first is line 2)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ReadInventory("inv.csv", strings.NewReader(c.in))
			if err == nil || err.Error() != c.want {
				t.Errorf("got  %v\nwant %s", err, c.want)
			}
		})
	}
}

func TestInventory(t *testing.T) {
	// Semicolons, a byte-order mark, other column names, roles as words.
	in := "\ufeffVM Name;Power State;ESX Host;FTState;FTRole\r\n" +
		"a;poweredOn;esx01;running;primary\r\n" +
		"b;poweredOn;esx02;notConfigured;\r\n" +
		"a;poweredOn;esx03;running;secondary\r\n" +
		"c;poweredOn;esx02;needSecondary;1\r\n"
	inv, warns, err := ReadInventory("inv.csv", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	want := []InvVM{
		{Name: "a", Primary: "esx01", Secondary: "esx03", PowerState: "poweredOn", Line: 2},
		{Name: "c", Primary: "esx02", PowerState: "poweredOn", Line: 5},
	}
	if len(inv.VMs) != len(want) {
		t.Fatalf("VMs = %+v, want %+v", inv.VMs, want)
	}
	for i := range want {
		if inv.VMs[i] != want[i] {
			t.Errorf("VM %d = %+v, want %+v", i, inv.VMs[i], want[i])
		}
	}
}
