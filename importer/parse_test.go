package importer

import (
	"math"
	"strings"
	"testing"
)

func TestParseCounterPath(t *testing.T) {
	cases := []struct {
		in   string
		want counterPath
		ok   bool
	}{
		{`\\esx01\Network Port(vSwitch6:134217730:36139:Krein)\MBits Received/sec`,
			counterPath{"esx01", "Network Port", "vSwitch6:134217730:36139:Krein", "MBits Received/sec"}, true},
		{`\\esx01.lab.local\Virtual Disk(db (old):scsi0:1)\MBytes Read/sec`,
			counterPath{"esx01.lab.local", "Virtual Disk", "db (old):scsi0:1", "MBytes Read/sec"}, true},
		{`\\esx01\Memory\Free MBytes`, counterPath{"esx01", "Memory", "", "Free MBytes"}, true},
		{`(PDH-CSV 4.0) (UTC)(0)`, counterPath{}, false},
		{`\\esx01`, counterPath{}, false},
	}
	for _, c := range cases {
		got, ok := parseCounterPath(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("parseCounterPath(%q) = %+v, %v; want %+v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestVdiskVM(t *testing.T) {
	cases := []struct {
		in      string
		vm      string
		perDisk bool
	}{
		{"web01", "web01", false},
		{"web01:scsi0:1", "web01", true},
		{"web01:nvme1:0", "web01", true},
		{"web01 (564d1a2b-3c4d-5e6f-7a8b-9c0d1e2f3a4b)", "web01", false},
		{"web01 (564d1a2b-3c4d-5e6f-7a8b-9c0d1e2f3a4b):sata0:0", "web01", true},
		{"db (old)", "db (old)", false},
		{"app:01", "app:01", false},
	}
	for _, c := range cases {
		vm, perDisk := vdiskVM(c.in)
		if vm != c.vm || perDisk != c.perDisk {
			t.Errorf("vdiskVM(%q) = %q, %v; want %q, %v", c.in, vm, perDisk, c.vm, c.perDisk)
		}
	}
}

func TestIsVMGroup(t *testing.T) {
	for name, want := range map[string]bool{
		"web01": true, "db (old)": true, "system": false, "helper": false, "ft": false,
		"vmotion": false, "idle": false, "hostd.2099139": false, "vpxa.2100012": false,
		"host/vim/vmvisor": false, "": false, "sql.prod": true,
	} {
		if got := isVMGroup(name); got != want {
			t.Errorf("isVMGroup(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestEsxtopColumns checks which columns feed which rate: VM ports summed,
// a VM-level Virtual Disk preferred to its disks, disks summed without it,
// vmk and vmnic ports kept apart, a port client without world ID matched
// to a VM known from other objects.
func TestEsxtopColumns(t *testing.T) {
	in := pdh([]string{"(PDH-CSV 4.0) (UTC)(0)",
		`\\h1\Network Port(vSwitch0:1:1001:a)\MBits Received/sec`,
		`\\h1\Network Port(vSwitch0:2:1001:a)\MBits Received/sec`,
		`\\h1\Network Port(vSwitch0:3:b)\MBits Received/sec`,
		`\\h1\Network Port(vSwitch0:4:vmnic0)\MBits Received/sec`,
		`\\h1\Network Port(vSwitch0:5:vmk2)\MBits Transmitted/sec`,
		`\\h1\Network Port(vSwitch0:6:Management)\MBits Received/sec`,
		`\\h1\Virtual Disk(a)\MBytes Read/sec`,
		`\\h1\Virtual Disk(a:scsi0:0)\MBytes Read/sec`,
		`\\h1\Virtual Disk(b:scsi0:0)\MBytes Read/sec`,
		`\\h1\Virtual Disk(b:scsi0:1)\MBytes Read/sec`,
		`\\h1\Virtual Disk(b:scsi0:1)\MBytes Written/sec`,
	},
		[]string{"12/11/2012 19:09:20", "1", "2", "4", "8", "16", "32", "64", "128", "256", "512", "1024"},
		[]string{"12/11/2012 19:09:25", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0"})
	c, err := ReadEsxtop("c.csv", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Series) != 2 || len(c.Vmks) != 1 {
		t.Fatalf("%d VMs, %d vmk ports; want 2, 1", len(c.Series), len(c.Vmks))
	}
	a, b := c.Series[0], c.Series[1]
	checks := []struct {
		what      string
		got, want float64
	}{
		{"a network", a.NetRx[0], 3e6},
		{"a reads (VM level)", a.DiskRead[0], 64 * 8e6},
		{"b network (no world ID)", b.NetRx[0], 4e6},
		{"b reads (two disks)", b.DiskRead[0], (256 + 512) * 8e6},
		{"b writes", b.DiskWrite[0], 1024 * 8e6},
		{"vmk2 transmit", c.Vmks[0].TX[0], 16e6},
	}
	for _, k := range checks {
		if math.Abs(k.got-k.want) > 1e-6 {
			t.Errorf("%s = %g bit/s, want %g", k.what, k.got, k.want)
		}
	}
	if a.DiskWrite != nil {
		t.Errorf("a has disk writes %v, want none", a.DiskWrite)
	}
	if c.Series[0].Times[0].Start != c.Series[0].Times[0].End-5 {
		t.Errorf("first sample starts %g s before its stamp, want 5", c.Series[0].Times[0].End-c.Series[0].Times[0].Start)
	}
}

func TestYAMLAndFileNames(t *testing.T) {
	for in, want := range map[string]string{
		"web01": "web01", "esx01.lab.local": "esx01.lab.local", "yes": `"yes"`, "01": `"01"`,
		"web 01": `"web 01"`, `a"b`: `"a\"b"`, "": `""`, "traces/a.csv": "traces/a.csv",
	} {
		if got := yamlStr(in); got != want {
			t.Errorf("yamlStr(%q) = %s, want %s", in, got, want)
		}
	}
	used := map[string]bool{}
	for _, c := range []struct{ vm, want string }{
		{"web 01", "traces/web_01.csv"},
		{"web_01", "traces/web_01-2.csv"},
		{"../etc", "traces/.._etc.csv"},
		{"..", "traces/vm.csv"},
	} {
		if got := traceFile(c.vm, used); got != c.want {
			t.Errorf("traceFile(%q) = %s, want %s", c.vm, got, c.want)
		}
	}
}
