package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func schemaCommand() *cli.Command {
	return &cli.Command{Name: "schema", Usage: "not yet built",
		Action: func(*cli.Context) error { return internal(errors.New("ftsim schema: not yet built")) }}
}
