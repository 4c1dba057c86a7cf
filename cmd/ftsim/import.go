package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func importCommand() *cli.Command {
	return &cli.Command{Name: "import", Usage: "not yet built",
		Action: func(*cli.Context) error { return internal(errors.New("ftsim import: not yet built")) }}
}
