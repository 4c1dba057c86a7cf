package results

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPlotsDoNotImportTheEngine: the charts and the report read results
// through this package alone; neither sim nor simgo may be among the
// dependencies of plots or of results itself.
func TestPlotsDoNotImportTheEngine(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	for _, pkg := range []string{"github.com/ftsim/ftsim/plots", "github.com/ftsim/ftsim/results"} {
		out, err := exec.Command(gobin, "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "github.com/ftsim/ftsim/sim" || strings.Contains(dep, "simgo") {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}
