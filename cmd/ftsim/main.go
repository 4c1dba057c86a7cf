// Command ftsim is the command line of the FT logging network simulator.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func newApp() *cli.App {
	app := &cli.App{
		Name:                 "ftsim",
		Usage:                "capacity planning for the VMware Fault Tolerance logging network",
		Version:              version,
		EnableBashCompletion: true,
		HideHelpCommand:      true,
		Commands: []*cli.Command{
			runCommand(),
			validateCommand(),
			batchCommand(),
			mergeCommand(),
			plotCommand(),
			importCommand(),
			policiesCommand(),
			schemaCommand(),
		},
		// A word that is no command is bad input, answered with the
		// nearest command (the default reads "No help topic for ...").
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.ShowAppHelp(c)
			}
			name := c.Args().First()
			return badInput(fmt.Errorf("ftsim: no command %q (ftsim --help lists them). %s", name, cli.SuggestCommand(c.App.Commands, name)))
		},
		// Exit codes are decided in main alone.
		ExitErrHandler: func(*cli.Context, error) {},
		Suggest:        true, // "Did you mean ...?" for commands and flags
	}
	var quiet func(cmds []*cli.Command)
	quiet = func(cmds []*cli.Command) {
		for _, c := range cmds {
			for _, f := range c.Flags {
				if b, ok := f.(*cli.BoolFlag); ok {
					b.DisableDefaultText = true // a switch is off unless given
				}
			}
			quiet(c.Subcommands)
		}
	}
	quiet(app.Commands)
	app.Commands = append(app.Commands, completionCommand(app))
	return app
}

func main() {
	if code, ok := supervise(); ok {
		os.Exit(code)
	}
	os.Exit(work())
}

// work runs the command line and returns its exit status; a panic on this
// goroutine is an internal error (3), with its stack on stderr.
func work() (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "ftsim: internal error: %v (a bug in ftsim, not in the input)\n%s", r, debug.Stack())
			code = exitInternal
		}
	}()
	return report(os.Stderr, execute(context.Background(), newApp(), os.Args))
}

// execute runs the command line args on app, flags allowed after the
// arguments (see flagsFirst). main and the tests both go through it.
func execute(ctx context.Context, app *cli.App, args []string) error {
	return app.RunContext(ctx, flagsFirst(app, args))
}

// report prints err (if any) and returns the exit status it maps to.
func report(w *os.File, err error) int {
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	fmt.Fprintln(w, errorText(err))
	return code
}
