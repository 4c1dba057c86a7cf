package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/ftsim/ftsim/importer"
	"github.com/ftsim/ftsim/model"
)

// importFlags are the flags of `ftsim import esxtop|getstat`.
type importFlags struct {
	out       string
	mode      string
	dirty     string
	inventory string
	window    string
}

func (f *importFlags) flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "out", Usage: "output `DIR` (required): scenario.yaml, provenance.csv, traces/", Destination: &f.out},
		&cli.StringFlag{Name: "mode", Value: importer.ModeSMP, Usage: "FT `MODE` of the estimate: smp (fast checkpointing, vSphere 6 and later) or legacy (record/replay)", Destination: &f.mode},
		&cli.StringFlag{Name: "dirty-memory", Usage: "SMP-FT memory dirtying `RATE` added to every sample (200Mbps, 25MB/s)", Destination: &f.dirty},
		&cli.StringFlag{Name: "inventory", Usage: "RVTools vInfo export (CSV) `FILE`: FT VMs, their hosts and roles", Destination: &f.inventory},
		&cli.StringFlag{Name: "window", Usage: "time range `FROM..TO` to write: 600..4200 (seconds), 10m..70m, timestamps, or busiest:1h", Destination: &f.window},
	}
}

// importProgressMin is the input size above which a terminal gets a bar.
const importProgressMin = 50 << 20

func importCommand() *cli.Command {
	sub := func(kind, usage, desc string) *cli.Command {
		var f importFlags
		flags := f.flags()
		return &cli.Command{
			Name:            kind,
			Usage:           usage,
			ArgsUsage:       "FILE... --out DIR",
			Description:     desc,
			Flags:           flags,
			HideHelpCommand: true,
			// Flags may follow the files (ftsim import esxtop a.csv --out x),
			// which urfave/cli v2 does not parse: importArgs does.
			SkipFlagParsing: true,
			Action: func(c *cli.Context) error {
				files, help, err := importArgs(c.Args().Slice(), flags)
				if help {
					return cli.ShowSubcommandHelp(c)
				}
				if err != nil {
					return badInput(fmt.Errorf("ftsim import %s: %w", kind, err))
				}
				stderr := c.App.ErrWriter
				if stderr == nil {
					stderr = os.Stderr
				}
				return importRun(c.App.Writer, stderr, kind, files, f)
			},
		}
	}
	return &cli.Command{
		Name:            "import",
		Usage:           "turn esxtop captures, Get-Stat exports or a live vCenter into per-VM traces and a scenario",
		HideHelpCommand: true,
		ArgsUsage:       "esxtop|getstat FILE... --out DIR | vcenter --out DIR",
		Action: func(c *cli.Context) error {
			if c.Args().Len() == 0 {
				return cli.ShowSubcommandHelp(c)
			}
			return badInput(fmt.Errorf("ftsim import %q: want esxtop, getstat or vcenter", c.Args().First()))
		},
		Subcommands: []*cli.Command{
			sub("esxtop", "import esxtop/resxtop batch captures (esxtop -b, one file per host)",
				"Reads each capture as a stream, picks each VM's network port receive and virtual disk\n"+
					"read/write columns and writes one logging trace per VM (t_s,rate_bps), a scenario that\n"+
					"runs as written, and provenance.csv (columns, factors, mean/p95/peak, vmk transmit\n"+
					"rates as a cross-check)."),
			sub("getstat", "import PowerCLI Get-Stat exports (Get-Stat | Export-Csv)",
				"Reads net.received.average, disk.read.average and disk.write.average per VM (Entity),\n"+
					"units from the Unit column, the aggregate instance preferred over per-device rows."),
			importVCenterCommand(),
		},
	}
}

// importArgs separates files from flags in any order and parses the flags
// into their destinations. help reports -h or --help.
func importArgs(args []string, flags []cli.Flag) (files []string, help bool, err error) {
	set := flag.NewFlagSet("import", flag.ContinueOnError)
	set.SetOutput(io.Discard)
	for _, f := range flags {
		if err := f.Apply(set); err != nil {
			return nil, false, err
		}
	}
	var flagArgs []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			files = append(files, args[i+1:]...)
			i = len(args)
		case a == "-h" || a == "--help" || a == "-help":
			return nil, true, nil
		case len(a) > 1 && a[0] == '-':
			flagArgs = append(flagArgs, a)
			if !strings.Contains(a, "=") && i+1 < len(args) {
				flagArgs = append(flagArgs, args[i+1])
				i++
			}
		default:
			files = append(files, a)
		}
	}
	if err := set.Parse(flagArgs); err != nil {
		return nil, false, err
	}
	return files, false, nil
}

// importRun is the body of `ftsim import esxtop|getstat`.
func importRun(stdout, stderr io.Writer, kind string, files []string, f importFlags) error {
	if len(files) == 0 {
		return badInput(fmt.Errorf("ftsim import %s: give one or more capture files", kind))
	}
	if f.out == "" {
		return badInput(fmt.Errorf("ftsim import %s: --out DIR is required", kind))
	}
	opts := importer.Options{Mode: f.mode, Name: filepath.Base(filepath.Clean(f.out))}
	if f.dirty != "" {
		v, err := importer.ParseRate(f.dirty)
		if err != nil {
			return badInput(fmt.Errorf("--dirty-memory: %w", err))
		}
		opts.DirtyMemory = v
	}
	w, err := importer.ParseWindow(f.window)
	if err != nil {
		return badInput(err)
	}
	opts.Window = w
	if f.inventory != "" {
		inv, warns, err := importReadInventory(f.inventory)
		if err != nil {
			return badInput(err)
		}
		for _, w := range warns {
			fmt.Fprintln(stderr, w)
		}
		opts.Inventory = inv
	}

	caps, err := importRead(stderr, kind, files)
	if err != nil {
		return badInput(err)
	}
	imp, err := importer.Build(caps, opts)
	if err != nil {
		return badInput(err)
	}
	for _, w := range imp.Warnings {
		fmt.Fprintln(stderr, w)
	}
	if err := importWrite(f.out, importer.Files(imp)); err != nil {
		return fmt.Errorf("ftsim import: writing %s: %w", f.out, err)
	}
	importSummary(stdout, f.out, imp)
	return nil
}

func importReadInventory(path string) (*importer.Inventory, []*importer.Error, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--inventory: %w", err)
	}
	if err := model.RegularFile(path, st); err != nil {
		return nil, nil, fmt.Errorf("--inventory %w", err)
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--inventory: %w", err)
	}
	defer fh.Close()
	return importer.ReadInventory(path, fh)
}

// importRead reads every capture, with a progress bar on a terminal when
// the input is large.
func importRead(stderr io.Writer, kind string, files []string) ([]*importer.Capture, error) {
	if kind != "esxtop" && kind != "getstat" {
		return nil, fmt.Errorf("ftsim import %s: want esxtop or getstat", kind)
	}
	var total int64
	for _, name := range files {
		st, err := os.Stat(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, unwrapPathError(err))
		}
		if err := model.RegularFile(name, st); err != nil { // a FIFO or device would block or never end
			return nil, err
		}
		total += st.Size()
	}
	bar := importBar(stderr, total)
	var caps []*importer.Capture
	g := importer.NewGetStat()
	for _, name := range files {
		fh, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, unwrapPathError(err))
		}
		var r io.Reader = fh
		if bar != nil {
			pr := progressbar.NewReader(fh, bar)
			r = &pr
		}
		if kind == "esxtop" {
			var c *importer.Capture
			c, err = importer.ReadEsxtop(name, r)
			caps = append(caps, c)
		} else {
			err = g.Add(name, r)
		}
		fh.Close()
		if err != nil {
			if bar != nil {
				bar.Clear()
			}
			return nil, err
		}
	}
	if bar != nil {
		bar.Finish()
	}
	if kind == "getstat" {
		c, err := g.Capture()
		if err != nil {
			return nil, err
		}
		caps = append(caps, c)
	}
	return caps, nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// importBar is a byte-counting progress bar when stderr is a terminal and
// the input is over importProgressMin, else nil.
func importBar(stderr io.Writer, total int64) *progressbar.ProgressBar {
	fh, ok := stderr.(*os.File)
	if !ok || total < importProgressMin || !term.IsTerminal(int(fh.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("reading"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
}

// importWrite puts the files into out, which appears whole or not at
// all: the files are written into a temporary folder beside out and
// renamed into place. An out that holds an earlier import and nothing else
// is replaced as a whole; into any other existing folder each file is
// written atomically and the rest is left alone. Nothing is written before
// every input has been read and checked.
func importWrite(out string, files []importer.File) error {
	out = filepath.Clean(out)
	st, err := os.Stat(out)
	switch {
	case err == nil && !st.IsDir():
		return fmt.Errorf("%s is a file, not a folder", out)
	case err == nil && !importOwnFolder(out):
		for _, f := range files {
			if err := writeFileAtomic(filepath.Join(out, filepath.FromSlash(f.Path)), f.Data); err != nil {
				return err
			}
		}
		return nil
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return err
	}
	parent, base := filepath.Dir(out), filepath.Base(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".tmp*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	for _, f := range files {
		path := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(out); err == nil {
		// Move the earlier import aside, put the new one in, drop the old.
		old, err := os.MkdirTemp(parent, "."+base+".old*")
		if err != nil {
			return err
		}
		if err := os.Remove(old); err != nil {
			return err
		}
		if err := os.Rename(out, old); err != nil {
			return err
		}
		if err := os.Rename(tmp, out); err != nil {
			os.Rename(old, out)
			return err
		}
		return os.RemoveAll(old)
	}
	return os.Rename(tmp, out)
}

// importOwnFolder says whether dir is empty or holds only what an earlier
// import wrote: scenario.yaml (as import writes it), provenance.csv and
// traces/*.csv.
func importOwnFolder(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		switch name := e.Name(); {
		case name == "scenario.yaml" && !e.IsDir():
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || !strings.HasPrefix(string(b), "# Written by ftsim import ") {
				return false
			}
		case name == "provenance.csv" && !e.IsDir():
		case name == "traces" && e.IsDir():
			traces, err := os.ReadDir(filepath.Join(dir, name))
			if err != nil {
				return false
			}
			for _, t := range traces {
				if t.IsDir() || !strings.HasSuffix(t.Name(), ".csv") {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// importSummary tells what was written.
func importSummary(w io.Writer, out string, imp *importer.Import) {
	fmt.Fprintf(w, "wrote %s: %d FT VMs on %d hosts, %s (%s mode); scenario.yaml, provenance.csv, traces/\n",
		out, len(imp.VMs), len(imp.Hosts), fmt.Sprintf("%gs", imp.Duration), imp.Mode)
	fmt.Fprintf(w, "%-24s %-28s %12s %12s %12s\n", "VM", "primary -> secondary", "mean Mbps", "p95 Mbps", "peak Mbps")
	for _, vm := range imp.VMs {
		fmt.Fprintf(w, "%-24s %-28s %12.1f %12.1f %12.1f\n", vm.Name, vm.Primary+" -> "+vm.Secondary,
			vm.Row.Mean/1e6, vm.Row.P95/1e6, vm.Row.Peak/1e6)
	}
}
