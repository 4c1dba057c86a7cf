package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ftsim/ftsim/model"
)

// completionCommand prints a shell completion script: commands, each
// command's flags, scenario files (*.yaml, *.yml) where a command reads
// them, results.json for plot, and the values of --policy, --format,
// --plot-format, --mode and --stats.
func completionCommand(app *cli.App) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: "Load it in the current shell, or from your shell's start-up file:\n" +
			"   bash: source <(ftsim completion bash)\n" +
			"   zsh:  source <(ftsim completion zsh)\n" +
			"   fish: ftsim completion fish | source",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return badInput(errors.New("ftsim completion: give the shell: bash, zsh or fish"))
			}
			return writeCompletion(c.App.Writer, app, c.Args().First())
		},
	}
}

// completionSpec is what the scripts complete, read from the app.
type completionSpec struct {
	commands []string
	flags    map[string][]string // command -> its flags, "--name"
	values   map[string][]string // flag -> its values
	files    map[string]string   // command -> "yaml", "json" or "any"
}

func specOf(app *cli.App) completionSpec {
	s := completionSpec{flags: map[string][]string{}, files: map[string]string{}, values: map[string][]string{}}
	for _, c := range app.Commands {
		if c.Hidden {
			continue
		}
		s.commands = append(s.commands, c.Name)
		seen := map[string]bool{"--help": true}
		s.flags[c.Name] = []string{"--help"}
		flags := c.Flags
		for _, sub := range c.Subcommands { // import esxtop|getstat|vcenter
			if sub.Name == "help" {
				continue
			}
			s.flags[c.Name] = append(s.flags[c.Name], sub.Name)
			flags = append(flags, sub.Flags...)
		}
		for _, f := range flags {
			for _, n := range f.Names() {
				if len(n) > 1 && !seen["--"+n] {
					seen["--"+n] = true
					s.flags[c.Name] = append(s.flags[c.Name], "--"+n)
				}
			}
		}
		sort.Strings(s.flags[c.Name])
		switch c.Name {
		case "run", "validate", "batch":
			s.files[c.Name] = "yaml"
		case "plot":
			s.files[c.Name] = "json"
		case "import", "merge":
			s.files[c.Name] = "any"
		}
	}
	for _, p := range model.AllPolicies {
		s.values["--policy"] = append(s.values["--policy"], string(p))
	}
	s.values["--format"] = []string{"table", "json", "csv"}
	s.values["--plot-format"] = []string{"png", "svg", "pdf"}
	s.values["--mode"] = []string{"smp", "legacy"}
	s.values["--stats"] = []string{"realtime", "day", "none"}
	return s
}

func writeCompletion(w io.Writer, app *cli.App, shell string) error {
	s := specOf(app)
	switch shell {
	case "bash":
		_, err := io.WriteString(w, bashCompletion(s))
		return err
	case "zsh":
		_, err := io.WriteString(w, "#compdef ftsim\nautoload -U +X bashcompinit && bashcompinit\n"+bashCompletion(s))
		return err
	case "fish":
		_, err := io.WriteString(w, fishCompletion(s))
		return err
	}
	return badInput(fmt.Errorf("ftsim completion: %q is not a shell ftsim completes: bash, zsh or fish", shell))
}

func sortedKeys(m map[string][]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func bashCompletion(s completionSpec) string {
	var b strings.Builder
	b.WriteString("# bash completion for ftsim (ftsim completion bash)\n_ftsim() {\n")
	b.WriteString("\tlocal cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\" cmd=\"${COMP_WORDS[1]}\"\n")
	b.WriteString("\tCOMPREPLY=()\n")
	fmt.Fprintf(&b, "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\"))\n\t\treturn\n\tfi\n",
		strings.Join(append(append([]string{}, s.commands...), "--help", "--version"), " "))
	b.WriteString("\tcase \"$prev\" in\n")
	for _, f := range sortedKeys(s.values) {
		fmt.Fprintf(&b, "\t%s) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", f, strings.Join(s.values[f], " "))
	}
	b.WriteString("\t--out|--inventory|--ca-cert) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n")
	b.WriteString("\tesac\n")
	b.WriteString("\tif [[ \"$cur\" == -* ]]; then\n\t\tcase \"$cmd\" in\n")
	for _, c := range s.commands {
		fmt.Fprintf(&b, "\t\t%s) COMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", c, strings.Join(s.flags[c], " "))
	}
	b.WriteString("\t\tesac\n\t\treturn\n\tfi\n")
	b.WriteString("\tcase \"$cmd\" in\n")
	for _, c := range s.commands {
		switch s.files[c] {
		case "yaml":
			fmt.Fprintf(&b, "\t%s) COMPREPLY=($(compgen -f -X '!*.y*ml' -- \"$cur\") $(compgen -d -S / -- \"$cur\")) ;;\n", c)
		case "json":
			fmt.Fprintf(&b, "\t%s) COMPREPLY=($(compgen -f -X '!*.json' -- \"$cur\") $(compgen -d -S / -- \"$cur\")) ;;\n", c)
		case "any":
			var subs []string
			for _, f := range s.flags[c] {
				if !strings.HasPrefix(f, "-") {
					subs = append(subs, f)
				}
			}
			if len(subs) > 0 {
				fmt.Fprintf(&b, "\t%s) if [ \"$COMP_CWORD\" -eq 2 ]; then COMPREPLY=($(compgen -W %q -- \"$cur\")); else COMPREPLY=($(compgen -f -- \"$cur\")); fi ;;\n", c, strings.Join(subs, " "))
			} else {
				fmt.Fprintf(&b, "\t%s) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n", c)
			}
		}
	}
	b.WriteString("\tcompletion) COMPREPLY=($(compgen -W \"bash zsh fish\" -- \"$cur\")) ;;\n")
	b.WriteString("\tesac\n}\ncomplete -o filenames -F _ftsim ftsim\n")
	return b.String()
}

func fishCompletion(s completionSpec) string {
	var b strings.Builder
	b.WriteString("# fish completion for ftsim (ftsim completion fish | source)\ncomplete -c ftsim -f\n")
	fmt.Fprintf(&b, "complete -c ftsim -n __fish_use_subcommand -a %q\n", strings.Join(s.commands, " "))
	for _, c := range s.commands {
		cond := "__fish_seen_subcommand_from " + c
		for _, f := range s.flags[c] {
			if !strings.HasPrefix(f, "--") {
				fmt.Fprintf(&b, "complete -c ftsim -n %q -a %s\n", cond, f)
				continue
			}
			name := strings.TrimPrefix(f, "--")
			if vals, ok := s.values[f]; ok {
				fmt.Fprintf(&b, "complete -c ftsim -n %q -l %s -x -a %q\n", cond, name, strings.Join(vals, " "))
			} else {
				fmt.Fprintf(&b, "complete -c ftsim -n %q -l %s\n", cond, name)
			}
		}
		switch s.files[c] {
		case "yaml":
			fmt.Fprintf(&b, "complete -c ftsim -n %q -k -a '(__fish_complete_suffix .yaml; __fish_complete_suffix .yml)'\n", cond)
		case "json":
			fmt.Fprintf(&b, "complete -c ftsim -n %q -k -a '(__fish_complete_suffix .json)'\n", cond)
		case "any":
			fmt.Fprintf(&b, "complete -c ftsim -n %q -F\n", cond)
		}
	}
	b.WriteString("complete -c ftsim -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n")
	return b.String()
}
