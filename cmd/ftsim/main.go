// Command ftsim is the command line of the FT logging network simulator.
package main

import (
	"context"
	"fmt"
	"os"

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
		// Exit codes are decided in main alone.
		ExitErrHandler: func(*cli.Context, error) {},
		Suggest:        true, // "Did you mean ...?" for commands and flags
	}
	for _, c := range app.Commands {
		for _, f := range c.Flags {
			if b, ok := f.(*cli.BoolFlag); ok {
				b.DisableDefaultText = true // a switch is off unless given
			}
		}
	}
	app.Commands = append(app.Commands, completionCommand(app))
	return app
}

func main() {
	os.Exit(report(os.Stderr, execute(context.Background(), newApp(), os.Args)))
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
