package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func validateCommand() *cli.Command {
	return &cli.Command{Name: "validate", Usage: "not yet built",
		Action: func(*cli.Context) error { return internal(errors.New("ftsim validate: not yet built")) }}
}
