package importer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Stats intervals of `import vcenter --stats`.
const (
	StatsRealtime = "realtime" // 20 s samples of the last hour
	StatsDay      = "day"      // 5 min rollups of the last day
	StatsNone     = "none"     // no history: running FT pairs' ftLogBandwidth only
)

// VCenterOptions say where vCenter is, how to trust and log in to it, and
// what to read.
type VCenterOptions struct {
	URL        string // host, host:port or https://host/sdk; any userinfo is dropped
	User       string
	Password   string // never written anywhere; scrubbed from every error
	Insecure   bool   // skip TLS verification
	Thumbprint string // SHA-1 or SHA-256 certificate thumbprint to trust
	CACert     string // PEM file(s) of the CA(s) to trust

	Datacenter string // "" = the only datacenter
	Cluster    string // "" = every host of the datacenter
	Protect    []string
	Stats      string  // StatsRealtime (default), StatsDay or StatsNone
	Mode       string  // "" = per VM (legacy where vm.uselegacyft says so, else smp); ModeLegacy or ModeSMP for all
	Dirty      float64 // SMP-FT memory dirtying, bits per second
	// MgmtStandIn stands the management vmknic in for a host's missing
	// FT-logging vmknic (its address and team).
	MgmtStandIn bool
	Name        string // scenario name; "" = "vcenter"
	Timeout     time.Duration
}

// VCenterError is a problem with vCenter or with what was asked of it:
// unreachable, untrusted, wrong credentials, an object that does not
// exist. Its text never holds the password.
type VCenterError struct{ Msg string }

func (e *VCenterError) Error() string { return e.Msg }

func vcErrorf(format string, args ...any) *VCenterError {
	return &VCenterError{Msg: fmt.Sprintf(format, args...)}
}

// VCenterSession is a logged-in, read-only use of vCenter.
type VCenterSession struct {
	Client *vim25.Client
	URL    *url.URL // without userinfo
	opts   VCenterOptions
}

// ParseVCenterURL reads GOVC_URL's forms (host, host:port, URL) as govc
// does and returns the SDK URL with any userinfo removed, plus the user
// name and password it carried ("" when none).
func ParseVCenterURL(s string) (u *url.URL, user, password string, err error) {
	if strings.TrimSpace(s) == "" {
		return nil, "", "", vcErrorf("no vCenter URL: set GOVC_URL or give --url (https://vcenter.example.com)")
	}
	u, err = soap.ParseURL(strings.TrimSpace(s))
	if err != nil {
		return nil, "", "", vcErrorf("vCenter URL %q is not a URL", RedactURL(s))
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, "", "", vcErrorf("vCenter URL %s: the scheme must be https", RedactURL(s))
	}
	if u.Host == "" {
		return nil, "", "", vcErrorf("vCenter URL %s names no host", RedactURL(s))
	}
	if !hostName(u) {
		return nil, "", "", vcErrorf("vCenter URL %s: %q is not a host name or address (a scheme written twice?); give https://vcenter.example.com", RedactURL(s), u.Host)
	}
	if u.User != nil {
		user = u.User.Username()
		password, _ = u.User.Password()
	}
	u.User = nil
	return u, user, password, nil
}

// hostName reports whether u names a host as DNS or an IP address can:
// letters, digits, '-', '.' and '_' (an IPv6 address in brackets), and a
// port of digits when one is given. "https://https://vc" parses with the
// host "https:", which no resolver would explain.
func hostName(u *url.URL) bool {
	h, port := u.Hostname(), u.Port()
	if h == "" || strings.HasSuffix(u.Host, ":") {
		return false
	}
	for _, r := range port {
		if r < '0' || r > '9' {
			return false
		}
	}
	if strings.HasPrefix(u.Host, "[") { // IPv6
		return net.ParseIP(strings.SplitN(h, "%", 2)[0]) != nil
	}
	for _, r := range h {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
		default:
			return false
		}
	}
	return true
}

// RedactURL strips the userinfo from anything that looks like a URL, so
// a password given in GOVC_URL never reaches a message.
func RedactURL(s string) string {
	if i := strings.LastIndex(s, "@"); i >= 0 {
		start := strings.Index(s, "://")
		if start >= 0 && start < i {
			return s[:start+3] + s[i+1:]
		}
		if start < 0 && !strings.ContainsAny(s[:i], "/") {
			return s[i+1:]
		}
	}
	return s
}

// redactErr removes every secret of a URL (its userinfo, its password)
// from an error text.
func redactErr(msg string, secrets ...string) string {
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if u, err := url.Parse(s); err == nil && u.User != nil {
			if p, ok := u.User.Password(); ok && p != "" {
				msg = strings.ReplaceAll(msg, p, "xxxxx")
				msg = strings.ReplaceAll(msg, url.QueryEscape(p), "xxxxx")
				msg = strings.ReplaceAll(msg, url.PathEscape(p), "xxxxx")
			}
			msg = strings.ReplaceAll(msg, u.User.String()+"@", "")
			continue
		}
		msg = strings.ReplaceAll(msg, s, "xxxxx")
		msg = strings.ReplaceAll(msg, url.QueryEscape(s), "xxxxx")
		msg = strings.ReplaceAll(msg, url.PathEscape(s), "xxxxx")
	}
	return msg
}

// Connect checks the certificate, logs in and returns a session; Close
// logs out. Every error is a *VCenterError in vSphere terms.
func Connect(ctx context.Context, opts VCenterOptions) (*VCenterSession, error) {
	u, urlUser, urlPass, err := ParseVCenterURL(opts.URL)
	if err != nil {
		return nil, err
	}
	user := opts.User
	if user == "" {
		user = urlUser
	}
	if opts.Password == "" {
		opts.Password = urlPass
	}
	if user == "" {
		return nil, vcErrorf("no vCenter user: set GOVC_USERNAME or give --user")
	}
	if opts.Password == "" {
		return nil, vcErrorf("no password for %s: set GOVC_PASSWORD or run on a terminal to be asked (a password is never a flag)", user)
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	secrets := []string{opts.Password, opts.URL}
	fail := func(err error) error { return classify(err, u, opts, secrets) }

	sc := soap.NewClient(u, opts.Insecure)
	if opts.Thumbprint != "" {
		sc.SetThumbprint(u.Host, normThumbprint(opts.Thumbprint))
	}
	if opts.CACert != "" {
		if err := sc.SetRootCAs(opts.CACert); err != nil {
			return nil, vcErrorf("--ca-cert %s: %s", opts.CACert, redactErr(unwrapPath(err).Error(), secrets...))
		}
	}
	c, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, fail(err)
	}
	if !c.IsVC() {
		return nil, vcErrorf("%s is an ESXi host, not vCenter: FT pairs span hosts, so give the vCenter that manages them", u.Host)
	}
	sm := session.NewManager(c)
	if err := sm.Login(ctx, url.UserPassword(user, opts.Password)); err != nil {
		return nil, fail(err)
	}
	return &VCenterSession{Client: c, URL: u, opts: opts}, nil
}

// Close logs out.
func (s *VCenterSession) Close(ctx context.Context) {
	if s == nil || s.Client == nil {
		return
	}
	_ = session.NewManager(s.Client).Logout(ctx)
}

// normThumbprint accepts a thumbprint with or without colons, in any case,
// and writes it as govmomi compares it (upper-case, colon-separated).
func normThumbprint(t string) string {
	t = strings.ToUpper(strings.NewReplacer(":", "", " ", "", "-", "").Replace(t))
	var parts []string
	for i := 0; i+2 <= len(t); i += 2 {
		parts = append(parts, t[i:i+2])
	}
	return strings.Join(parts, ":")
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// classify turns a connection or login error into one line in vSphere
// terms, with the secrets removed.
func classify(err error, u *url.URL, opts VCenterOptions, secrets []string) error {
	host := u.Host
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var certInvalid x509.CertificateInvalidError
	var tlsRecord tls.RecordHeaderError
	switch {
	case isInvalidLogin(err):
		return vcErrorf("vCenter %s refused the login of %s: wrong user name or password (GOVC_USERNAME, GOVC_PASSWORD)", host, userOf(opts, u))
	case strings.Contains(err.Error(), "thumbprint does not match"):
		return vcErrorf("vCenter %s: its certificate does not match --thumbprint %s (check it with: govc about.cert -k -u %s)", host, opts.Thumbprint, host)
	case soap.IsCertificateUntrusted(err) || errors.As(err, &certInvalid):
		return vcErrorf("vCenter %s: its TLS certificate is not trusted (%s): trust it with --ca-cert FILE (the vCenter's CA), --thumbprint SHA1 (govc about.cert -k -u %s -thumbprint), or --insecure for a lab", host, certReason(err), host)
	case errors.As(err, &tlsRecord):
		return vcErrorf("vCenter %s does not speak TLS on that port: use an https URL of the vCenter", host)
	case errors.Is(err, context.DeadlineExceeded):
		return vcErrorf("vCenter %s did not answer in time: check the URL and that this machine reaches it on port 443", host)
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &dnsErr):
		return vcErrorf("vCenter %s is unreachable: the name %s does not resolve", host, dnsErr.Name)
	case errors.As(err, &opErr):
		return vcErrorf("vCenter %s is unreachable: %s", host, redactErr(opErr.Err.Error(), secrets...))
	case soap.IsSoapFault(err) || soap.IsVimFault(err):
		return vcErrorf("vCenter %s: %s", host, redactErr(faultText(err), secrets...))
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return vcErrorf("vCenter %s is unreachable: %s", host, redactErr(ue.Err.Error(), secrets...))
	}
	return vcErrorf("vCenter %s: %s", host, redactErr(err.Error(), secrets...))
}

func userOf(opts VCenterOptions, u *url.URL) string {
	if opts.User != "" {
		return opts.User
	}
	_, user, _, _ := ParseVCenterURL(opts.URL)
	return user
}

func certReason(err error) string {
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &he):
		return "issued for another name"
	case errors.As(err, &ua):
		return "signed by an unknown authority"
	case errors.As(err, &ci):
		if ci.Reason == x509.Expired {
			return "expired or not yet valid"
		}
		return "invalid"
	}
	return "not trusted"
}

// isInvalidLogin says whether err is vCenter's InvalidLogin fault.
func isInvalidLogin(err error) bool {
	f := vimFault(err)
	if f == nil {
		return false
	}
	switch f.(type) {
	case *types.InvalidLogin, types.InvalidLogin:
		return true
	}
	return false
}

// isNoPermission says whether err is a NoPermission fault.
func isNoPermission(err error) bool {
	f := vimFault(err)
	if f == nil {
		return false
	}
	switch f.(type) {
	case *types.NoPermission, types.NoPermission, *types.NotAuthenticated, types.NotAuthenticated:
		return true
	}
	return false
}

func vimFault(err error) types.AnyType {
	switch {
	case err == nil:
		return nil
	case soap.IsSoapFault(err):
		return soap.ToSoapFault(err).VimFault()
	case soap.IsVimFault(err):
		return soap.ToVimFault(err)
	}
	return nil
}

func faultText(err error) string {
	if f := vimFault(err); f != nil {
		name := fmt.Sprintf("%T", f)
		name = name[strings.LastIndex(name, ".")+1:]
		if soap.IsSoapFault(err) {
			if s := soap.ToSoapFault(err).String; s != "" {
				return name + ": " + s
			}
		}
		return name
	}
	return err.Error()
}
