package sim

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestPathChangesGoThroughChangePath: outside changePath, no function of
// the engine calls unfuse, and only the control-event dispatcher
// (fire) renews the network's cache (changed), and only a drop decided
// ahead of its time under a window (dropAhead) stops a fused run without a
// path change. A model rule that
// changed a path by hand could leave a fused or shared run silently
// wrong; this keeps every rule on changePath.
func TestPathChangesGoThroughChangePath(t *testing.T) {
	allowed := map[string][]string{
		"unfuse":  {"changePath", "dropAhead"},
		"changed": {"changePath", "fire"},
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				callers, watched := allowed[sel.Sel.Name]
				if !watched || len(call.Args) != 0 {
					return true
				}
				checked++
				for _, c := range callers {
					if fn.Name.Name == c {
						return true
					}
				}
				t.Errorf("%s: %s calls %s(); change a path through changePath", fset.Position(call.Pos()), fn.Name.Name, sel.Sel.Name)
				return true
			})
		}
	}
	if checked < 3 {
		t.Errorf("found %d calls of unfuse and changed; the check no longer sees them", checked)
	}
}
