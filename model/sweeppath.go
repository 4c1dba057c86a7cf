package model

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A sweep path names fields of the scenario document: keys joined by dots,
// a list item picked by [name] (the item whose name: is name), [N] (by
// 0-based index) or [*] (every item): "ft_vms[web].count",
// "defaults.vmnics[*].speed", "hosts[0].mtu".

// pathStep is one key of a path and the list selectors after it.
type pathStep struct {
	key  string
	sels []string
}

// maxPathLen bounds a sweep path.
const maxPathLen = 500

func parsePath(path string) ([]pathStep, error) {
	if path == "" {
		return nil, fmt.Errorf("the path is empty")
	}
	if len(path) > maxPathLen {
		return nil, fmt.Errorf("the path is longer than %d characters", maxPathLen)
	}
	var steps []pathStep
	i := 0
	for {
		j := i
		for j < len(path) && path[j] != '.' && path[j] != '[' && path[j] != ']' {
			j++
		}
		if j == i {
			return nil, fmt.Errorf("a key is missing at character %d", i+1)
		}
		st := pathStep{key: path[i:j]}
		for j < len(path) && path[j] == '[' {
			end := strings.IndexByte(path[j:], ']')
			if end < 0 {
				return nil, fmt.Errorf("[ at character %d has no ]", j+1)
			}
			sel := path[j+1 : j+end]
			if sel == "" {
				return nil, fmt.Errorf("[] at character %d is empty: write [*], [0] or [name]", j+1)
			}
			st.sels = append(st.sels, sel)
			j += end + 1
		}
		steps = append(steps, st)
		if j == len(path) {
			return steps, nil
		}
		if path[j] != '.' {
			return nil, fmt.Errorf("unexpected %q at character %d", path[j], j+1)
		}
		i = j + 1
	}
}

// ResolvePath returns the scalar value nodes of the document that path
// selects (aliases followed), in document order. root is a document or
// its top mapping. It fails when the path is malformed, selects nothing,
// or selects a mapping or list rather than values.
func ResolvePath(root *yaml.Node, path string) ([]*yaml.Node, error) {
	steps, err := parsePath(path)
	if err != nil {
		return nil, err
	}
	if root != nil && root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	cur := []*yaml.Node{deref(root)}
	where := ""
	for _, st := range steps {
		var next []*yaml.Node
		for _, n := range cur {
			if n == nil || n.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("%s is not a mapping, so it has no key %q", orRoot(where), st.key)
			}
			v := mappingValue(n, st.key)
			if v == nil {
				return nil, fmt.Errorf("%s has no key %q", orRoot(where), st.key)
			}
			next = append(next, v)
		}
		where = joinPath(where, st.key)
		for _, sel := range st.sels {
			cur, next = next, nil
			for _, n := range cur {
				if n.Kind != yaml.SequenceNode {
					return nil, fmt.Errorf("%s is not a list, so [%s] selects nothing", where, sel)
				}
				picked, err := selectItems(n, sel, where)
				if err != nil {
					return nil, err
				}
				next = append(next, picked...)
			}
			where += "[" + sel + "]"
		}
		cur = next
	}
	for _, n := range cur {
		if n.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("%s is %s, not a single value", where, kindName(n))
		}
	}
	return cur, nil
}

func orRoot(where string) string {
	if where == "" {
		return "the scenario"
	}
	return where
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// deref follows aliases (bounded).
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i <= maxDepth; i++ {
		n = n.Alias
	}
	return n
}

// mappingValue returns the value of key in mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := deref(n.Content[i]); k != nil && k.Kind == yaml.ScalarNode && k.Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

func selectItems(n *yaml.Node, sel, where string) ([]*yaml.Node, error) {
	if sel == "*" {
		if len(n.Content) == 0 {
			return nil, fmt.Errorf("%s is an empty list", where)
		}
		out := make([]*yaml.Node, len(n.Content))
		for i, c := range n.Content {
			out[i] = deref(c)
		}
		return out, nil
	}
	if idx, err := strconv.Atoi(sel); err == nil {
		if idx < 0 || idx >= len(n.Content) {
			return nil, fmt.Errorf("%s has %d items, so [%d] is past its end", where, len(n.Content), idx)
		}
		return []*yaml.Node{deref(n.Content[idx])}, nil
	}
	var out []*yaml.Node
	for _, c := range n.Content {
		c = deref(c)
		if c.Kind != yaml.MappingNode {
			continue
		}
		if v := mappingValue(c, "name"); v != nil && v.Kind == yaml.ScalarNode && v.Value == sel {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no item with name %q", where, sel)
	}
	return out, nil
}

// SweepPathMatches reports whether path selects at least one value of the
// document doc.
func SweepPathMatches(doc *yaml.Node, path string) bool {
	nodes, err := ResolvePath(doc, path)
	return err == nil && len(nodes) > 0
}

// maxSweepValues bounds the values of one sweep path.
const maxSweepValues = 1000

// checkSweeps checks that every sweep path matches a field of the
// document.
func (l *loader) checkSweeps(root *yaml.Node) {
	if len(l.sc.Sweep) > 0 {
		l.checkSweepPaths(root)
	}
}

// CheckSweepValues writes each sweep value, one at a time, in place of the
// fields its path selects and validates the result; a problem a value
// causes is reported at the value in `sweep:` (Parse checks only that the
// paths match). It returns nil when every value gives a valid scenario.
// Warnings a value causes (such as the FT limits per host) are not
// reported.
func CheckSweepValues(sc *Scenario) (err error) {
	if sc == nil || len(sc.Sweep) == 0 || len(sc.Source) == 0 {
		return nil
	}
	nlines := strings.Count(string(sc.Source), "\n") + 1
	d := newDecoder(sc.File, nlines)
	root, ok := d.parseYAML(sc.Source)
	if !ok {
		return d.result()
	}
	l := newLoader(d, sc.File, sc.Source)
	var bug any
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(refused); !ok {
					bug = r // a bug of ours: an internal error, as in Parse
				}
			}
		}()
		l.load(root)
		if d.errorCount() > 0 {
			return
		}
		l.checkSweepValues(root)
	}()
	if bug != nil {
		return &InternalError{File: sc.File, Panic: bug}
	}
	var errs ErrorList
	for _, e := range d.errs {
		if !e.Warning {
			errs = append(errs, e)
		}
	}
	errs.Sort()
	return errs.Err()
}

func (l *loader) checkSweepValues(root *yaml.Node) {
	paths := l.checkSweepPaths(root)
	sweepNode := deref(mappingValue(deref(root), "sweep"))
	for i, sp := range l.sc.Sweep {
		nodes := paths[i]
		if nodes == nil {
			continue
		}
		valueNodes := sweepValueNodes(sweepNode, i)
		for j, v := range sp.Values {
			if j >= len(valueNodes) {
				break
			}
			at := posOf(valueNodes[j])
			for _, e := range l.tryValue(root, nodes, v, at) {
				if e.Warning {
					continue
				}
				if e.Line == at.Line && e.Col == at.Col {
					l.errorf(at, "%s", e.Msg)
				} else {
					l.errorf(at, "with %s = %s: %s (line %d)", sp.Path, v, e.Msg, e.Line)
				}
			}
		}
	}
}

// checkSweepPaths resolves each sweep path, reporting those that match
// nothing; the result holds nil for those.
func (l *loader) checkSweepPaths(root *yaml.Node) [][]*yaml.Node {
	out := make([][]*yaml.Node, len(l.sc.Sweep))
	for i, sp := range l.sc.Sweep {
		if strings.HasPrefix(sp.Path, "sweep") {
			l.errorf(sp.Pos, "sweep path %q points into sweep itself", sp.Path)
			continue
		}
		if len(sp.Values) > maxSweepValues {
			l.errorf(sp.Pos, "sweep path %q has %d values; at most %d", sp.Path, len(sp.Values), maxSweepValues)
			continue
		}
		nodes, err := ResolvePath(root, sp.Path)
		if err != nil {
			l.errorf(sp.Pos, "sweep path %q matches no field of the scenario: %v", sp.Path, err)
			continue
		}
		out[i] = nodes
	}
	return out
}

// sweepValueNodes returns the value nodes of the i-th sweep entry.
func sweepValueNodes(sweep *yaml.Node, i int) []*yaml.Node {
	if sweep == nil || sweep.Kind != yaml.MappingNode || 2*i+1 >= len(sweep.Content) {
		return nil
	}
	// Entries with a repeated path were skipped when reading; match by
	// position among the unique ones.
	seen := map[string]bool{}
	k := 0
	for j := 0; j+1 < len(sweep.Content); j += 2 {
		key := deref(sweep.Content[j])
		if key == nil || key.Kind != yaml.ScalarNode || seen[key.Value] {
			continue
		}
		seen[key.Value] = true
		if k == i {
			seq := deref(sweep.Content[j+1])
			if seq == nil || seq.Kind != yaml.SequenceNode {
				return nil
			}
			var out []*yaml.Node
			vals := map[string]bool{}
			for _, c := range seq.Content {
				c = deref(c)
				if c.Kind != yaml.ScalarNode || isNull(c) || vals[c.Value] {
					continue
				}
				vals[c.Value] = true
				out = append(out, c)
			}
			return out
		}
		k++
	}
	return nil
}

// tryValue loads the document with value written into nodes (at the
// sweep value's position) and returns the problems found, restoring the
// nodes afterwards.
func (l *loader) tryValue(root *yaml.Node, nodes []*yaml.Node, value string, at Pos) (errs ErrorList) {
	type saved struct {
		value, tag string
		style      yaml.Style
		line, col  int
	}
	old := make([]saved, len(nodes))
	for i, n := range nodes {
		old[i] = saved{n.Value, n.Tag, n.Style, n.Line, n.Column}
		n.Value, n.Style, n.Line, n.Column = value, 0, at.Line, at.Col
		n.Tag = "!!str"
		if value == "" || value == "~" || value == "null" {
			n.Tag = "!!null"
		}
	}
	defer func() {
		for i, n := range nodes {
			n.Value, n.Tag, n.Style, n.Line, n.Column = old[i].value, old[i].tag, old[i].style, old[i].line, old[i].col
		}
	}()
	d := newDecoder(l.file, l.nlines)
	sub := newLoader(d, l.sc.File, l.sc.Source)
	sub.traces = l.traces
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(refused); !ok {
					panic(r)
				}
			}
		}()
		sub.load(root)
		sub.validate()
	}()
	return d.errs
}
