package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

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

// policies prints the policy table, the LAG hash names, the presets and
// the model's assumptions.
func policies(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "POLICY\tVSPHERE NAME\tAPI\tREQUIRES\tBALANCES\tREF")
	for _, p := range model.Policies {
		api := p.API
		if api == "" {
			api = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Policy, p.VSphere, api, p.Requires, p.Balances, p.Reference)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Policy names are accepted in snake_case, as the vSphere UI writes them or as the API value, in any case.")
	fmt.Fprintf(w, "LAG hash algorithms (lags[].hash, teaming.lacp.hash; \"dest\" may be written \"dst\"):\n  %s\n", strings.Join(model.LACPHashes, ", "))
	var presets []string
	for _, name := range model.PresetNames {
		presets = append(presets, fmt.Sprintf("%s %s", name, model.Presets[name]))
	}
	fmt.Fprintf(w, "Logging presets (FT paper, Table 1): %s\n\n", strings.Join(presets, ", "))

	fmt.Fprintln(w, "Model assumptions:")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tDEFAULT\tMEANING\tSOURCE")
	for _, a := range model.Assumptions {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Key, a.Value, a.Meaning, a.Reference)
	}
	return tw.Flush()
}
