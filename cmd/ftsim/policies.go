package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ftsim/ftsim/model"
)

func policiesCommand() *cli.Command {
	return &cli.Command{
		Name:  "policies",
		Usage: "list the teaming policies, their vSphere names and rules, and the model's assumptions",
		Action: func(c *cli.Context) error {
			return policies(c.App.Writer)
		},
	}
}

// width is the terminal width the listings are wrapped to.
const width = 100

// policies prints each policy as a block (name, vSphere name, API value,
// what it requires and balances), the LAG hash names, the presets and the
// model's assumptions, wrapped to 100 columns.
func policies(w io.Writer) error {
	fmt.Fprintln(w, "Teaming policies (docs/model.md 1):")
	for _, p := range model.Policies {
		api := ""
		if p.API != "" {
			api = ", API " + p.API
		}
		fmt.Fprintf(w, "\n%s  %q%s (docs/model.md %s)\n", p.Policy, p.VSphere, api, p.Reference)
		wrap(w, "  requires: ", p.Requires)
		wrap(w, "  balances: ", p.Balances)
	}
	fmt.Fprintln(w)
	wrap(w, "", "Policy names are accepted in snake_case, as the vSphere UI writes them or as the API value, in any case.")
	wrap(w, "LAG hash algorithms (lags[].hash, teaming.lacp.hash; \"dest\" may be written \"dst\"): ",
		strings.Join(model.LACPHashes, ", "))
	var presets []string
	for _, name := range model.PresetNames {
		presets = append(presets, fmt.Sprintf("%s %s", name, model.Presets[name]))
	}
	wrap(w, "Logging presets (FT paper, Table 1): ", strings.Join(presets, ", "))

	fmt.Fprintln(w, "\nModel assumptions (key = default: meaning; source):")
	for _, a := range model.Assumptions {
		wrap(w, "  ", fmt.Sprintf("%s = %s: %s; %s", a.Key, a.Value, a.Meaning, a.Reference))
	}
	return nil
}

// wrap prints prefix and text, breaking the text at spaces so lines fit
// width; continuation lines are indented four past the prefix's own indent.
func wrap(w io.Writer, prefix, text string) {
	indent := strings.Repeat(" ", len(prefix)-len(strings.TrimLeft(prefix, " "))+4)
	line, empty := prefix, true // empty: no word on this line yet
	for _, word := range strings.Fields(text) {
		if !empty && len(line)+1+len(word) > width {
			fmt.Fprintln(w, line)
			line, empty = indent, true
		}
		if !empty {
			line += " "
		}
		line += word
		empty = false
	}
	fmt.Fprintln(w, line)
}
