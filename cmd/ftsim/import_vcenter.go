package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/ftsim/ftsim/importer"
)

// vcenterConnectTimeout bounds reaching vCenter and logging in.
const vcenterConnectTimeout = time.Minute

// vcenterFlags are the flags of `ftsim import vcenter`. A password is
// never a flag: GOVC_PASSWORD, GOVC_URL's userinfo, or a prompt on a
// terminal.
type vcenterFlags struct {
	out, url, user, thumbprint, caCert, datacenter, cluster, stats, mode, dirty string
	insecure, mgmt                                                              bool
	protect                                                                     cli.StringSlice
}

// readPassword asks for the password on the terminal; tests replace it.
var readPassword = func(stderr io.Writer, prompt string) (string, bool, error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", false, nil
	}
	fmt.Fprint(stderr, prompt)
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	return string(b), true, err
}

func importVCenterCommand() *cli.Command {
	var f vcenterFlags
	return &cli.Command{
		Name:      "vcenter",
		Usage:     "read the FT design from a live vCenter: hosts, NICs, FT vmknics, teaming, FT pairs, statistics",
		ArgsUsage: "--out DIR",
		Description: "Connects as govc does (GOVC_URL, GOVC_USERNAME, GOVC_PASSWORD, GOVC_INSECURE,\n" +
			"GOVC_DATACENTER, GOVC_TLS_CA_CERTS; flags override them) with read-only calls, and writes\n" +
			"scenario.yaml, provenance.csv and traces/. The password comes from GOVC_PASSWORD or a\n" +
			"prompt on a terminal, never from a flag, and is written nowhere.",
		HideHelpCommand: true,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "output `DIR` (required): scenario.yaml, provenance.csv, traces/", Destination: &f.out},
			&cli.StringFlag{Name: "url", Usage: "vCenter `URL` or host name (default $GOVC_URL); never with a password", Destination: &f.url},
			&cli.StringFlag{Name: "user", Usage: "vCenter user `NAME` (default $GOVC_USERNAME)", Destination: &f.user},
			&cli.BoolFlag{Name: "insecure", Usage: "do not verify vCenter's TLS certificate (a lab only; default $GOVC_INSECURE)", Destination: &f.insecure},
			&cli.StringFlag{Name: "thumbprint", Usage: "trust the certificate with this SHA-1 (or SHA-256) `THUMBPRINT`", Destination: &f.thumbprint},
			&cli.StringFlag{Name: "ca-cert", Usage: "trust the CA certificate(s) in PEM `FILE` (default $GOVC_TLS_CA_CERTS)", Destination: &f.caCert},
			&cli.StringFlag{Name: "datacenter", Usage: "datacenter `NAME` (default $GOVC_DATACENTER, or the only one)", Destination: &f.datacenter},
			&cli.StringFlag{Name: "cluster", Usage: "read this cluster's hosts only (`NAME`; default: every host of the datacenter)", Destination: &f.cluster},
			&cli.StringSliceFlag{Name: "protect", Usage: "plan FT for this `VM` too (not protected yet; repeat the flag)", Destination: &f.protect},
			&cli.StringFlag{Name: "stats", Value: importer.StatsRealtime, Usage: "logging rates from `realtime` (20 s, last hour), day (5 min, last day) or none (ftLogBandwidth of running pairs)", Destination: &f.stats},
			&cli.StringFlag{Name: "mode", Usage: "FT `MODE` for every VM: legacy or smp (default: legacy where vm.uselegacyft is true, else smp)", Destination: &f.mode},
			&cli.StringFlag{Name: "dirty-memory", Usage: "SMP-FT memory dirtying `RATE` per VM (vCenter has none): 200Mbps, 25MB/s", Destination: &f.dirty},
			&cli.BoolFlag{Name: "use-management-vmknic", Usage: "stand a host's management vmknic in when it has no FT logging vmknic", Destination: &f.mgmt},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return badInput(fmt.Errorf("ftsim import vcenter: unexpected argument %q (it reads vCenter, not files)", c.Args().First()))
			}
			ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
			defer stop()
			return importVCenter(ctx, c.App.Writer, errWriter(c), f, c.IsSet("insecure"))
		},
	}
}

// importVCenter is the body of `ftsim import vcenter`.
func importVCenter(ctx context.Context, stdout, stderr io.Writer, f vcenterFlags, insecureSet bool) error {
	if f.out == "" {
		return badInput(errors.New("ftsim import vcenter: --out DIR is required"))
	}
	opts := importer.VCenterOptions{
		URL: f.url, User: f.user, Insecure: f.insecure, Thumbprint: f.thumbprint, CACert: f.caCert,
		Datacenter: f.datacenter, Cluster: f.cluster, Protect: f.protect.Value(), Stats: f.stats, Mode: f.mode,
		MgmtStandIn: f.mgmt, Name: filepath.Base(filepath.Clean(f.out)), Timeout: vcenterConnectTimeout,
	}
	if opts.URL != "" {
		if _, _, pass, err := importer.ParseVCenterURL(opts.URL); err == nil && pass != "" {
			return badInput(errors.New("ftsim import vcenter: --url carries a password: a password is never a flag (it would show in the process list and shell history); set GOVC_PASSWORD or type it at the prompt"))
		}
	} else {
		opts.URL = os.Getenv("GOVC_URL")
	}
	if opts.User == "" {
		opts.User = os.Getenv("GOVC_USERNAME")
	}
	if !insecureSet {
		if v := os.Getenv("GOVC_INSECURE"); v != "" {
			opts.Insecure = v == "1" || strings.EqualFold(v, "true")
		}
	}
	if opts.Datacenter == "" {
		opts.Datacenter = os.Getenv("GOVC_DATACENTER")
	}
	if opts.CACert == "" {
		opts.CACert = os.Getenv("GOVC_TLS_CA_CERTS")
	}
	switch opts.Stats {
	case importer.StatsRealtime, importer.StatsDay, importer.StatsNone:
	default:
		return badInput(fmt.Errorf("ftsim import vcenter: --stats %q: want realtime, day or none", opts.Stats))
	}
	switch opts.Mode {
	case "", importer.ModeLegacy, importer.ModeSMP:
	default:
		return badInput(fmt.Errorf("ftsim import vcenter: --mode %q: want legacy or smp", opts.Mode))
	}
	if f.dirty != "" {
		v, err := importer.ParseRate(f.dirty)
		if err != nil {
			return badInput(fmt.Errorf("ftsim import vcenter: --dirty-memory: %w", err))
		}
		opts.Dirty = v
	}
	u, urlUser, urlPass, err := importer.ParseVCenterURL(opts.URL)
	if err != nil {
		return badInput(err)
	}
	if opts.User == "" {
		opts.User = urlUser
	}
	opts.Password = os.Getenv("GOVC_PASSWORD")
	if opts.Password == "" {
		opts.Password = urlPass
	}
	if opts.Password == "" && opts.User != "" {
		p, asked, err := readPassword(stderr, fmt.Sprintf("Password for %s at %s: ", opts.User, u.Host))
		if err != nil {
			return badInput(fmt.Errorf("ftsim import vcenter: reading the password: %v", err))
		}
		if !asked {
			return badInput(fmt.Errorf("ftsim import vcenter: no password for %s: set GOVC_PASSWORD, or run on a terminal to be asked (a password is never a flag)", opts.User))
		}
		opts.Password = p
	}

	interrupted := func() error {
		return &exitError{exitInterrupted, errors.New("ftsim import vcenter: interrupted; nothing was written")}
	}
	s, err := importer.Connect(ctx, opts)
	if err != nil {
		if ctx.Err() != nil {
			return interrupted()
		}
		return badInput(err)
	}
	defer s.Close(context.WithoutCancel(ctx))
	d, err := s.Read(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return interrupted()
		}
		var ve *importer.VCenterError
		if errors.As(err, &ve) {
			return badInput(err)
		}
		return internal(fmt.Errorf("ftsim import vcenter: %w", err))
	}
	imp, err := importer.BuildVCenter(d, opts)
	if err != nil {
		return badInput(err)
	}
	for _, w := range imp.Warnings {
		fmt.Fprintln(stderr, w)
	}
	if ctx.Err() != nil {
		return interrupted()
	}
	if err := importWrite(f.out, imp.Files()); err != nil {
		return internal(fmt.Errorf("ftsim import vcenter: writing %s: %w", f.out, err))
	}
	fmt.Fprintf(stdout, "wrote %s: %d hosts, %d FT VMs, %s; scenario.yaml, provenance.csv, traces/\n", f.out, len(imp.Hosts), len(imp.VMs), imp.DurationText())
	fmt.Fprintf(stdout, "%-24s %-36s %-6s %s\n", "VM", "primary -> secondary", "mode", "logging")
	for _, vm := range imp.VMs {
		fmt.Fprintf(stdout, "%-24s %-36s %-6s %s\n", vm.Name, vm.Primary+" -> "+vm.Secondary, vm.Mode, vm.Summary())
	}
	return nil
}
