package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func plotCommand() *cli.Command {
	return &cli.Command{Name: "plot", Usage: "not yet built",
		Action: func(*cli.Context) error { return internal(errors.New("ftsim plot: not yet built")) }}
}
