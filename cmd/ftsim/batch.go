package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func batchCommand() *cli.Command {
	return &cli.Command{Name: "batch", Usage: "not yet built",
		Action: func(*cli.Context) error { return internal(errors.New("ftsim batch: not yet built")) }}
}
