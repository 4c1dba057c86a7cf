package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// bashComplete sources the bash script and returns what it offers for the
// command line words (the last one being completed), run in dir.
func bashComplete(t *testing.T, script, dir string, words ...string) []string {
	t.Helper()
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, "'"+w+"'")
	}
	prog := script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
		strconv.Itoa(len(words)-1) + "\n_ftsim\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	cmd := exec.Command("bash", "--norc", "-c", prog)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	return strings.Fields(string(out))
}

// TestCompletionBash: the bash script completes commands, flags, policy
// names and scenario files (not other files).
func TestCompletionBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	code, script, stderr := runCLI(t, "completion", "bash")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "scenarios"), 0o755))
	for _, f := range []string{"scenarios/a.yaml", "scenarios/b.yml", "scenarios/notes.txt", "results.json"} {
		must(t, os.WriteFile(filepath.Join(dir, f), nil, 0o644))
	}
	for _, tc := range []struct {
		words []string
		want  []string
	}{
		{[]string{"ftsim", "ba"}, []string{"batch"}},
		{[]string{"ftsim", "run", "--pol"}, []string{"--policy"}},
		{[]string{"ftsim", "run", "x.yaml", "--policy", "ip"}, []string{"ip_hash"}},
		{[]string{"ftsim", "run", "x.yaml", "--policy", "e"}, []string{"explicit_failover"}},
		{[]string{"ftsim", "run", "scenarios/"}, []string{"scenarios/a.yaml", "scenarios/b.yml"}},
		{[]string{"ftsim", "plot", "res"}, []string{"results.json"}},
		{[]string{"ftsim", "import", "es"}, []string{"esxtop"}},
		{[]string{"ftsim", "completion", "f"}, []string{"fish"}},
	} {
		got := bashComplete(t, script, dir, tc.words...)
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%q: offers %q, want %q", tc.words, got, tc.want)
		}
	}
	for _, shell := range []string{"zsh", "fish"} {
		code, s, _ := runCLI(t, "completion", shell)
		if code != exitOK || !strings.Contains(s, "explicit_failover") || !strings.Contains(s, "y*ml") && !strings.Contains(s, ".yaml") {
			t.Errorf("%s: exit %d, script without policies or scenario files:\n%s", shell, code, s)
		}
	}
	if code, _, _ := runCLI(t, "completion", "tcsh"); code != exitBadInput {
		t.Errorf("completion tcsh: exit %d, want %d", code, exitBadInput)
	}
}

// TestDidYouMean: a misspelt command or flag is answered with the right
// one, and run --help has no doubled or zero defaults.
func TestDidYouMean(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"rn", "x.yaml"}, `"run"`},
		{[]string{"run", "--durration", "3s", "x.yaml"}, `"--duration"`},
		{[]string{"batch", "--paralel", "2", "x.yaml"}, `"--parallel"`},
	} {
		code, stdout, stderr := runCLI(t, tc.args...)
		if code != exitBadInput || !strings.Contains(stdout+stderr, "Did you mean "+tc.want) {
			t.Errorf("%q: exit %d, no suggestion of %s:\n%s%s", tc.args, code, tc.want, stdout, stderr)
		}
		if strings.Contains(stdout+stderr, "No help topic") {
			t.Errorf("%q: answered as a help topic:\n%s%s", tc.args, stdout, stderr)
		}
	}
	if code, stdout, stderr := runCLI(t, "rnu"); code != exitBadInput || !strings.Contains(stderr, `no command "rnu"`) || stdout != "" {
		t.Errorf("rnu: exit %d, stdout %q, stderr %q; want exit 2 naming the word on stderr", code, stdout, stderr)
	}
	if code, stdout, _ := runCLI(t); code != exitOK || !strings.Contains(stdout, "COMMANDS") {
		t.Errorf("no arguments: exit %d, no command list:\n%s", code, stdout)
	}
	_, help, _ := runCLI(t, "run", "--help")
	for _, bad := range []string{"(default: 0)", "'s) (default", "cores) (default", "(default: false)"} {
		if strings.Contains(help, bad) {
			t.Errorf("run --help shows %q:\n%s", bad, help)
		}
	}
	if !strings.Contains(help, "(default: the scenario's)") {
		t.Errorf("run --help does not say the defaults come from the scenario:\n%s", help)
	}
}

// TestHelpPlaceholders: every flag that takes a value names it in the
// help of every command and subcommand (--format FORMAT), never urfave's
// bare "value", and no switch shows "(default: false)".
func TestHelpPlaceholders(t *testing.T) {
	app := newApp()
	var cmds [][]string
	for _, c := range app.Commands {
		cmds = append(cmds, []string{c.Name})
		for _, sc := range c.Subcommands {
			cmds = append(cmds, []string{c.Name, sc.Name})
		}
	}
	for _, words := range cmds {
		_, help, _ := runCLI(t, append(words, "--help")...)
		for _, l := range strings.Split(help, "\n") {
			if strings.Contains(l, "(default: false)") {
				t.Errorf("%s --help: a switch with a default: %q", strings.Join(words, " "), strings.TrimSpace(l))
			}
			if f := strings.Fields(l); len(f) >= 2 && strings.HasPrefix(f[0], "--") && f[1] == "value" {
				t.Errorf("%s --help: %q", strings.Join(words, " "), strings.TrimSpace(l))
			}
		}
	}
}
