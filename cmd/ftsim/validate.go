package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ftsim/ftsim/model"
)

func validateCommand() *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "check scenario files and report every problem as FILE:LINE:COL: message",
		ArgsUsage: "SCENARIO.yaml...",
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return badInput(errors.New("ftsim validate: name at least one scenario file"))
			}
			errw := c.App.ErrWriter
			if errw == nil {
				errw = os.Stderr
			}
			return validate(c.App.Writer, errw, c.Args().Slice())
		},
	}
}

// validate loads each file, printing `FILE: ok (...)` to out for a good
// one and every problem and warning to errw, one per line. It returns a
// bad-input error when any file has problems.
func validate(out, errw io.Writer, files []string) error {
	bad := 0
	for _, f := range files {
		sc, err := model.Load(f)
		if err == nil {
			// Each sweep value must give a valid scenario too.
			if serr := model.CheckSweepValues(sc); serr != nil {
				err = withWarnings(serr, sc.Warnings)
			}
		}
		if err != nil {
			bad++
			var list model.ErrorList
			if errors.As(err, &list) {
				for _, e := range list {
					fmt.Fprintln(errw, e.Error())
				}
			} else {
				fmt.Fprintln(errw, err)
			}
			continue
		}
		for _, w := range sc.Warnings {
			fmt.Fprintln(errw, w.Error())
		}
		fmt.Fprintf(out, "%s: ok (%s)\n", f, summary(sc))
	}
	if bad > 0 {
		return badInput(fmt.Errorf("ftsim validate: %d of %d %s with problems", bad, len(files), plural(len(files), "file", "files")))
	}
	return nil
}

// summary describes a loaded scenario in a few counts.
func summary(sc *model.Scenario) string {
	parts := []string{
		count(len(sc.Hosts), "host", "hosts"),
		count(len(sc.VMs), "FT VM", "FT VMs"),
		count(len(sc.Switches), "switch", "switches"),
	}
	if n := len(sc.Failures); n > 0 {
		parts = append(parts, count(n, "failure", "failures"))
	}
	if sc.Compare != nil {
		s := "compare " + count(len(sc.Compare.Policies), "policy", "policies")
		if sc.Compare.NMinus1 {
			s += " and N-1"
		}
		parts = append(parts, s)
	}
	if n := len(sc.Sweep); n > 0 {
		parts = append(parts, count(n, "sweep parameter", "sweep parameters"))
	}
	if n := len(sc.Warnings); n > 0 {
		parts = append(parts, count(n, "warning", "warnings"))
	}
	return strings.Join(parts, ", ")
}

func count(n int, one, many string) string { return fmt.Sprintf("%d %s", n, plural(n, one, many)) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// withWarnings adds a scenario's warnings to the problems of err, sorted.
func withWarnings(err error, warnings []*model.Error) error {
	var list model.ErrorList
	if !errors.As(err, &list) {
		return err
	}
	all := append(append(model.ErrorList{}, list...), warnings...)
	all.Sort()
	return all
}
