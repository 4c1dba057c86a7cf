package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func policiesCommand() *cli.Command {
	return &cli.Command{Name: "policies", Usage: "not yet built",
		Action: func(*cli.Context) error { return internal(errors.New("ftsim policies: not yet built")) }}
}
