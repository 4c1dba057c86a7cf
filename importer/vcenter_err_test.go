package importer

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// readErr connects and reads with o and returns the error (nil if none).
func readErr(o VCenterOptions) (*VCDesign, error) {
	ctx := context.Background()
	s, err := Connect(ctx, o)
	if err != nil {
		return nil, err
	}
	defer s.Close(ctx)
	d, err := s.Read(ctx)
	if err != nil {
		return nil, err
	}
	_, err = BuildVCenter(d, o)
	return d, err
}

func TestVCenterErrors(t *testing.T) {
	v := newVCSim(t)
	standardDesign(t, v)
	// A closed port: connection refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	thumb := soap.ThumbprintSHA1(v.s.Certificate())

	cases := []struct {
		name string
		edit func(o *VCenterOptions)
		want string
	}{
		{"wrong password", func(o *VCenterOptions) { o.Password = "not-it" }, "refused the login of " + simUser + ": wrong user name or password"},
		{"wrong user", func(o *VCenterOptions) { o.User = "nobody" }, "wrong user name or password"},
		{"untrusted certificate", func(o *VCenterOptions) { o.Insecure = false }, "TLS certificate is not trusted"},
		{"wrong thumbprint", func(o *VCenterOptions) {
			o.Insecure, o.Thumbprint = false, strings.Repeat("AB:", 19)+"AB"
		}, "does not match --thumbprint"},
		{"unreachable", func(o *VCenterOptions) { o.URL = "https://" + closed + "/sdk" }, "is unreachable"},
		{"unresolvable", func(o *VCenterOptions) { o.URL = "vcenter.invalid" }, "is unreachable"},
		{"password in URL, unreachable", func(o *VCenterOptions) {
			o.URL = "https://" + url.UserPassword(simUser, simPassword).String() + "@" + closed
		}, "is unreachable"},
		{"no password", func(o *VCenterOptions) { o.Password = "" }, "set GOVC_PASSWORD"},
		{"no URL", func(o *VCenterOptions) { o.URL = "" }, "set GOVC_URL"},
		{"missing cluster", func(o *VCenterOptions) { o.Cluster = "Prod" }, `cluster "Prod" does not exist in datacenter "DC0": it has "DC0_C0"`},
		{"missing datacenter", func(o *VCenterOptions) { o.Datacenter = "Lab" }, `datacenter "Lab" does not exist`},
		{"missing VM", func(o *VCenterOptions) { o.Protect = []string{"web99"} }, `VM "web99" does not exist in datacenter "DC0"`},
		{"bad CA file", func(o *VCenterOptions) { o.Insecure, o.CACert = false, "/nonexistent/ca.pem" }, "--ca-cert"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := v.opts()
			o.Timeout = 20 * time.Second
			c.edit(&o)
			_, err := readErr(o)
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			var ve *VCenterError
			if !errors.As(err, &ve) {
				t.Errorf("%T %v, want a *VCenterError", err, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q, want it to hold %q", msg, c.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q is not one line", msg)
			}
			for _, secret := range []string{simPassword, url.QueryEscape(simPassword), url.PathEscape(simPassword), url.UserPassword(simUser, simPassword).String()} {
				if strings.Contains(msg, secret) {
					t.Errorf("error %q holds the password", msg)
				}
			}
		})
	}

	// Trusting the simulator's certificate as a CA connects.
	ca, err := v.s.CertificateFile()
	if err != nil {
		t.Fatal(err)
	}
	o := v.opts()
	o.Insecure, o.CACert = false, ca
	if _, err := readErr(o); err != nil {
		t.Errorf("--ca-cert with the simulator's certificate: %v", err)
	}

	// Trusting the certificate by its thumbprint connects.
	o = v.opts()
	o.Insecure, o.Thumbprint = false, strings.ToLower(strings.ReplaceAll(thumb, ":", ""))
	if _, err := readErr(o); err != nil {
		t.Errorf("--thumbprint of the simulator's certificate: %v", err)
	}
}

func TestVCenterNoFTVmknic(t *testing.T) {
	v := newVCSim(t)
	standardDesign(t, v)
	h2 := v.hosts()[2]
	h2.Config.VirtualNicManagerInfo.NetConfig[0].SelectedVnic = nil

	// Without --use-management-vmknic: H2 and the FT VM on it are left
	// out with warnings; the rest still comes out.
	_, imp := readSim(t, v.opts())
	sc := loadAndRun(t, imp)
	if len(sc.Hosts) != 2 || !hasWarning(imp, "DC0_C0_H2 has no vmkernel adapter enabled for Fault Tolerance logging") {
		t.Errorf("hosts %d, warnings %v", len(sc.Hosts), imp.Warnings)
	}
	for _, vm := range sc.VMs {
		if vm.Primary == "DC0_C0_H2" || vm.Secondary == "DC0_C0_H2" {
			t.Errorf("VM %s still uses the host left out", vm.Name)
		}
	}

	// With it: the management vmknic stands in, with a warning.
	h2.Config.VirtualNicManagerInfo.NetConfig = append(h2.Config.VirtualNicManagerInfo.NetConfig, h2.Config.VirtualNicManagerInfo.NetConfig[0])
	mg := &h2.Config.VirtualNicManagerInfo.NetConfig[1]
	mg.NicType = "management"
	mg.CandidateVnic = []types.HostVirtualNic{h2.Config.Network.Vnic[0]}
	mg.CandidateVnic[0].Key = "management." + mg.CandidateVnic[0].Key
	mg.SelectedVnic = []string{mg.CandidateVnic[0].Key}
	o := v.opts()
	o.MgmtStandIn = true
	_, imp = readSim(t, o)
	sc = loadAndRun(t, imp)
	if len(sc.Hosts) != 3 || !hasWarning(imp, "its management vmknic vmk0 stands in") {
		t.Errorf("hosts %d, warnings %v", len(sc.Hosts), imp.Warnings)
	}
	if h := sc.HostByName("DC0_C0_H2"); h == nil || h.Teaming.LoadBalancing != "port_id" || strings.Join(h.Teaming.Active, ",") != "vmnic0" {
		t.Errorf("H2 with the management stand-in: %+v", h)
	}

	// A disconnected host is left out with its FT VMs.
	v.hosts()[1].Runtime.ConnectionState = "disconnected"
	_, imp = readSim(t, o)
	sc = loadAndRun(t, imp)
	if len(sc.Hosts) != 2 || sc.HostByName("DC0_C0_H1") != nil || !hasWarning(imp, "host DC0_C0_H1 is disconnected; left out") {
		t.Errorf("disconnected host: %d hosts, warnings %v", len(sc.Hosts), imp.Warnings)
	}
	for _, vm := range sc.VMs {
		if vm.Primary == "DC0_C0_H1" || vm.Secondary == "DC0_C0_H1" {
			t.Errorf("VM %s uses the disconnected host", vm.Name)
		}
	}
	v.hosts()[1].Runtime.ConnectionState = "connected"

	// With no FT vmknic anywhere and no stand-in: a clear error.
	for _, h := range v.hosts() {
		h.Config.VirtualNicManagerInfo.NetConfig[0].SelectedVnic = nil
	}
	_, err := readErr(v.opts())
	if err == nil || !strings.Contains(err.Error(), "no host with an FT logging vmkernel adapter") {
		t.Errorf("error %v", err)
	}
}

func TestVCenterProtect(t *testing.T) {
	v := newVCSim(t)
	standardDesign(t, v)
	vms := v.vms()
	o := v.opts()
	o.Protect = []string{vms[4].Name, "sql/01"}
	_, imp := readSim(t, o)
	sc := loadAndRun(t, imp)
	var found bool
	for _, vm := range sc.VMs {
		if vm.Name == vms[4].Name {
			found = true
			// Placed as spread: the secondary on the host after the primary.
			hosts := []string{"DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2"}
			for i, h := range hosts {
				if h == vm.Primary && vm.Secondary != hosts[(i+1)%3] {
					t.Errorf("planned VM on %s has its secondary on %s, want %s", vm.Primary, vm.Secondary, hosts[(i+1)%3])
				}
			}
			if vm.Mode != "smp" {
				t.Errorf("planned VM mode %s", vm.Mode)
			}
		}
	}
	if !found {
		t.Errorf("planned VM %s missing", vms[4].Name)
	}
	if !hasWarning(imp, "already FT-protected") {
		t.Error("protecting a running primary should warn")
	}
	if !strings.Contains(string(imp.Provenance()), "planned (--protect)") {
		t.Error("provenance does not mark the planned VM")
	}
	// A planned VM needs a rate: --stats none refuses it.
	o.Stats = StatsNone
	if _, err := readErr(o); err == nil || !strings.Contains(err.Error(), "no logging rate") {
		t.Errorf("--protect with --stats none: %v", err)
	}
}

// TestParseVCenterURLHost: GOVC_URL's forms that name a host are read as
// govc reads them; a URL whose host is no host name (a scheme written
// twice, a stray character) is refused with a message that says so, not
// sent to DNS; a password in a refused URL stays out of the message.
func TestParseVCenterURLHost(t *testing.T) {
	for _, tc := range []struct {
		in, host string // host "" means refused
	}{
		{"vc.example.com", "vc.example.com"},
		{"vc.example.com:8443", "vc.example.com:8443"},
		{"https://vc01/sdk", "vc01"},
		{"10.0.0.5", "10.0.0.5"},
		{"https://[fe80::1]:443/sdk", "[fe80::1]:443"},
		{"https://user:pw@vc_lab.local/sdk", "vc_lab.local"},
		{"https://https://vc.example.com/sdk", ""},
		{"ht!tp://vc", ""},
		{"https://vc example.com", ""},
		{"https://user:S3cret@vc:44x/sdk", ""},
	} {
		u, _, _, err := ParseVCenterURL(tc.in)
		if tc.host == "" {
			if err == nil {
				t.Errorf("%q: read as host %q, want refused", tc.in, u.Host)
				continue
			}
			if !strings.Contains(err.Error(), "not a host name") && !strings.Contains(err.Error(), "is not a URL") || strings.Contains(err.Error(), "S3cret") {
				t.Errorf("%q: %v", tc.in, err)
			}
			continue
		}
		if err != nil || u.Host != tc.host {
			t.Errorf("%q: host %v, err %v; want %q", tc.in, u, err, tc.host)
		}
	}
}
