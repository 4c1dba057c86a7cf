package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func mergeCommand() *cli.Command {
	return &cli.Command{Name: "merge", Usage: "not yet built",
		Action: func(*cli.Context) error { return internal(errors.New("ftsim merge: not yet built")) }}
}
