package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func runCommand() *cli.Command {
	return &cli.Command{Name: "run", Usage: "not yet built",
		Action: func(*cli.Context) error { return internal(errors.New("ftsim run: not yet built")) }}
}
