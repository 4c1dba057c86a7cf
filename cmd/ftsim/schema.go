package main

import (
	"github.com/urfave/cli/v2"

	"github.com/ftsim/ftsim/model"
)

func schemaCommand() *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the JSON Schema of the scenario format (for editors)",
		Action: func(c *cli.Context) error {
			_, err := c.App.Writer.Write(model.JSONSchema())
			return err
		},
	}
}
