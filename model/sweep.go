package model

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxSweepCases caps the cases one scenario's sweep may expand into, so a
// typo such as a 1000-value list times three more lists fails fast instead
// of filling the memory.
const MaxSweepCases = 100000

// maxCaseErrors caps the problems ExpandSweep reports: one bad value
// usually breaks many cases the same way.
const maxCaseErrors = 20

// Case is one combination of a scenario's `sweep:` values: a scenario of
// its own, loaded and validated like any file.
type Case struct {
	// Name is `<scenario>/<param>=<value>,...` with each parameter named by
	// its path's last key and valued as written in the sweep list, in file
	// order (`web/count=8,speed=10Gbps`). A scenario without a sweep gives
	// one case named after the scenario alone.
	Name string
	// Dir is the case's folder, relative to a batch's output folder, with
	// forward slashes: Name with every character that is not safe in a
	// file name escaped (see CaseDir).
	Dir      string
	Params   []CaseParam
	Scenario *Scenario // without `sweep:`
}

// CaseParam is one swept parameter's value in a case.
type CaseParam struct {
	Param string // the path's last key: "count" for ft_vms[web].count
	Path  string // the sweep path as written
	Value string // as written in the sweep list
}

// CaseName returns the name of the case of scenario with params:
// `<scenario>/<param>=<value>,...`, or the scenario's name when there is
// no parameter.
func CaseName(scenario string, params []CaseParam) string {
	if len(params) == 0 {
		return scenario
	}
	return scenario + "/" + paramString(params)
}

// CaseDir returns the folder of the case of scenario with params, relative
// to a batch's output folder, with forward slashes: `<scenario>/<params>`,
// or `<scenario>` when there is no parameter. Each of the (at most two)
// segments keeps letters, digits and `-_.=,+@` and writes any other byte
// as %XX, so a value such as `traces/a.csv` or `75%` stays one segment
// and the folder name never escapes the output folder.
func CaseDir(scenario string, params []CaseParam) string {
	if len(params) == 0 {
		return escapeSegment(scenario)
	}
	return escapeSegment(scenario) + "/" + escapeSegment(paramString(params))
}

func paramString(params []CaseParam) string {
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(p.Param)
		b.WriteByte('=')
		b.WriteString(p.Value)
	}
	return b.String()
}

func escapeSegment(s string) string {
	if s == "" {
		return "%00"
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-_=,+@", c) >= 0:
			b.WriteByte(c)
		case c == '.' && i > 0: // a leading dot would hide the folder (or climb out of it)
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// SweepParamName returns the key a sweep path is named by in case names:
// its last key without index or name selectors (`count` for
// `ft_vms[web].count`, `speed` for `defaults.vmnics[*].speed`). Dots
// inside brackets (a host named `esx01.lab`) do not split keys.
func SweepParamName(path string) string {
	depth, start := 0, 0
	for i := 0; i < len(path); i++ {
		switch path[i] {
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case '.':
			if depth == 0 {
				start = i + 1
			}
		}
	}
	last := path[start:]
	if i := strings.IndexByte(last, '['); i >= 0 {
		last = last[:i]
	}
	return last
}

// ExpandSweep returns the cases of sc's `sweep:`: the cartesian product of
// the values of every swept path, parameters in file order, each applied to
// the scenario's YAML, the `sweep:` key removed and the result loaded with
// Parse, so a case is validated exactly like a file. Cases come in natural
// order of their names (count=2 before count=10). Without a sweep, the
// result is one case holding sc itself.
//
// A path that selects nothing is an error at the path's position; a case
// that fails validation is an error at the position in the original file
// (where the edit leaves it unchanged), naming the case.
func ExpandSweep(sc *Scenario) ([]Case, error) {
	if len(sc.Sweep) == 0 {
		return []Case{{Name: CaseName(sc.Name, nil), Dir: CaseDir(sc.Name, nil), Scenario: sc}}, nil
	}
	base, err := parseSweepSource(sc)
	if err != nil {
		return nil, err
	}
	total := 1
	for _, p := range base.params {
		total *= len(p.items)
		if total > MaxSweepCases {
			return nil, &Error{File: sc.File, Line: base.sweepKey.Line, Col: base.sweepKey.Column,
				Msg: fmt.Sprintf("the sweep expands to more than %d cases; split it over several scenario files", MaxSweepCases)}
		}
	}
	cases := make([]Case, 0, total)
	var errs ErrorList
	choice := make([]int, len(base.params))
	for n := 0; n < total; n++ {
		c, err := base.expand(sc, choice)
		if err != nil {
			if l, ok := err.(ErrorList); ok {
				errs = append(errs, l...)
			} else {
				return nil, err
			}
		} else {
			cases = append(cases, c)
		}
		// Odometer: the last parameter turns fastest.
		for k := len(choice) - 1; k >= 0; k-- {
			choice[k]++
			if choice[k] < len(base.params[k].items) {
				break
			}
			choice[k] = 0
		}
	}
	if len(errs) > 0 {
		errs.Sort()
		if len(errs) > maxCaseErrors {
			more := len(errs) - maxCaseErrors
			errs = append(errs[:maxCaseErrors:maxCaseErrors], &Error{File: sc.File, Line: base.sweepKey.Line,
				Col: base.sweepKey.Column, Msg: fmt.Sprintf("and %d more problems in other sweep cases", more)})
		}
		return nil, errs
	}
	SortCases(cases)
	for i := 1; i < len(cases); i++ {
		if cases[i].Name == cases[i-1].Name {
			return nil, &Error{File: sc.File, Line: base.sweepKey.Line, Col: base.sweepKey.Column,
				Msg: fmt.Sprintf("two sweep cases are both named %q; make the values distinct", cases[i].Name)}
		}
	}
	return cases, nil
}

// SortCases orders cases naturally by name.
func SortCases(cases []Case) {
	sortStable(len(cases), func(i, j int) bool { return NaturalLess(cases[i].Name, cases[j].Name) },
		func(i, j int) { cases[i], cases[j] = cases[j], cases[i] })
}

// sweepSource is a scenario's document with the nodes every swept path
// selects, ready to be edited once per case.
type sweepSource struct {
	src      []byte
	doc      *yaml.Node // the document node
	sweepKey *yaml.Node // the `sweep` key in the root mapping
	params   []sweepTarget
	lines    []int // byte offset of the start of each line (0-based index)
}

type sweepTarget struct {
	param   SweepParam
	name    string
	items   []*yaml.Node // the sweep list's value nodes
	targets []*yaml.Node // the scalars the path selects
}

func parseSweepSource(sc *Scenario) (*sweepSource, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(sc.Source, &doc); err != nil {
		return nil, fmt.Errorf("%s: reading the scenario again for its sweep: %w", sc.File, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, &Error{File: sc.File, Line: 1, Col: 1, Msg: "the scenario is not a YAML mapping"}
	}
	root := doc.Content[0]
	s := &sweepSource{src: sc.Source, doc: &doc, lines: lineStarts(sc.Source)}
	var sweepVal *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "sweep" {
			s.sweepKey, sweepVal = root.Content[i], deref(root.Content[i+1])
		}
	}
	if sweepVal == nil || sweepVal.Kind != yaml.MappingNode {
		return nil, &Error{File: sc.File, Line: 1, Col: 1, Msg: "`sweep:` must be a mapping of paths to value lists"}
	}
	lists := make(map[string]*yaml.Node, len(sweepVal.Content)/2)
	for i := 0; i+1 < len(sweepVal.Content); i += 2 {
		if k := deref(sweepVal.Content[i]); k != nil {
			lists[k.Value] = deref(sweepVal.Content[i+1])
		}
	}
	var errs ErrorList
	for _, p := range sc.Sweep {
		t := sweepTarget{param: p, name: SweepParamName(p.Path)}
		at := func(format string, a ...any) {
			errs = append(errs, &Error{File: sc.File, Line: p.Pos.Line, Col: p.Pos.Col, Msg: fmt.Sprintf(format, a...)})
		}
		list := lists[p.Path]
		switch {
		case list == nil || list.Kind != yaml.SequenceNode:
			at("sweep %q: the values must be a list such as [2, 4, 8]", p.Path)
			continue
		case len(list.Content) == 0:
			at("sweep %q has no values", p.Path)
			continue
		case len(list.Content) != len(p.Values):
			at("sweep %q: %d values in the file but %d loaded", p.Path, len(list.Content), len(p.Values))
			continue
		}
		bad := false
		for k, it := range list.Content {
			if it = deref(it); it.Kind != yaml.ScalarNode {
				errs = append(errs, &Error{File: sc.File, Line: it.Line, Col: it.Column,
					Msg: fmt.Sprintf("sweep %q: each value must be a single value, not a list or a mapping", p.Path)})
				bad = true
			} else if it.Value != p.Values[k] {
				at("sweep %q: value %d is %q in the file but %q loaded", p.Path, k+1, it.Value, p.Values[k])
				bad = true
			}
		}
		if bad {
			continue
		}
		t.items = make([]*yaml.Node, len(list.Content))
		for k, it := range list.Content {
			t.items[k] = deref(it)
		}
		nodes, err := ResolvePath(root, p.Path)
		switch {
		case err != nil:
			at("sweep path %q: %s", p.Path, pathErrorText(err))
			continue
		case len(nodes) == 0:
			at("sweep path %q matches no field of the scenario", p.Path)
			continue
		}
		for _, n := range nodes {
			if n.Kind != yaml.ScalarNode {
				at("sweep path %q selects a list or a mapping; it must end at a single value such as a speed or a count", p.Path)
				bad = true
				break
			}
		}
		if bad {
			continue
		}
		t.targets = nodes
		s.params = append(s.params, t)
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	return s, nil
}

// pathErrorText is the message of a path error without a position prefix
// (the sweep entry's position is added instead).
func pathErrorText(err error) string {
	var me *Error
	if errors.As(err, &me) {
		return me.Msg
	}
	return err.Error()
}

// expand builds the case that takes value choice[k] of parameter k.
func (s *sweepSource) expand(sc *Scenario, choice []int) (Case, error) {
	params := make([]CaseParam, len(s.params))
	for k, p := range s.params {
		params[k] = CaseParam{Param: p.name, Path: p.param.Path, Value: p.param.Values[choice[k]]}
	}
	name := CaseName(sc.Name, params)
	src, err := s.render(choice)
	if err != nil {
		return Case{}, fmt.Errorf("sweep case %q: %w", name, err)
	}
	csc, err := Parse(sc.File, src)
	if err != nil {
		return Case{}, caseError(name, err)
	}
	return Case{Name: name, Dir: CaseDir(sc.Name, params), Params: params, Scenario: csc}, nil
}

// caseError names the case in every message of a load error, keeping each
// message's position.
func caseError(name string, err error) error {
	var l ErrorList
	var e *Error
	switch {
	case errors.As(err, &l):
		out := make(ErrorList, 0, len(l))
		for _, x := range l {
			if x.Warning {
				continue
			}
			y := *x
			y.Msg = fmt.Sprintf("sweep case %q: %s", name, x.Msg)
			out = append(out, &y)
		}
		return out
	case errors.As(err, &e):
		y := *e
		y.Msg = fmt.Sprintf("sweep case %q: %s", name, e.Msg)
		return ErrorList{&y}
	}
	return fmt.Errorf("sweep case %q: %w", name, err)
}

// render returns the scenario's YAML with the chosen values in place and
// without `sweep:`. It edits the original text in place, so every line and
// (outside the edited values) every column keeps its position and load
// errors point into the file the user wrote; when an edit cannot be made
// textually (block scalars, flow-style root, values that would change
// meaning in their context), it falls back to re-encoding the document.
func (s *sweepSource) render(choice []int) ([]byte, error) {
	if out, ok := s.splice(choice); ok {
		return out, nil
	}
	return s.reencode(choice)
}

type textEdit struct {
	from, to int
	text     string
}

func (s *sweepSource) splice(choice []int) ([]byte, bool) {
	var edits []textEdit
	for k, p := range s.params {
		item := p.items[choice[k]]
		repl, ok := scalarText(item)
		if !ok {
			return nil, false
		}
		for _, n := range p.targets {
			from, to, ok := s.scalarSpan(n)
			if !ok {
				return nil, false
			}
			edits = append(edits, textEdit{from, to, repl})
		}
	}
	blank, ok := s.sweepLines()
	if !ok {
		return nil, false
	}
	edits = append(edits, blank...)
	sortStable(len(edits), func(i, j int) bool { return edits[i].from < edits[j].from },
		func(i, j int) { edits[i], edits[j] = edits[j], edits[i] })
	for i := 1; i < len(edits); i++ {
		if edits[i].from < edits[i-1].to {
			return nil, false // a path selects part of the sweep itself, or one scalar twice
		}
	}
	var b bytes.Buffer
	b.Grow(len(s.src))
	prev := 0
	for _, e := range edits {
		b.Write(s.src[prev:e.from])
		b.WriteString(e.text)
		prev = e.to
	}
	b.Write(s.src[prev:])
	out := b.Bytes()
	return out, s.verify(out, choice)
}

// verify reads the edited text back and checks that every swept path now
// holds its chosen value with the chosen type and that `sweep:` is gone.
func (s *sweepSource) verify(out []byte, choice []int) bool {
	var doc yaml.Node
	if err := yaml.Unmarshal(out, &doc); err != nil {
		return false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return false
	}
	root := doc.Content[0]
	for i := 0; i < len(root.Content); i += 2 {
		if root.Content[i].Value == "sweep" {
			return false
		}
	}
	for k, p := range s.params {
		item := p.items[choice[k]]
		nodes, err := ResolvePath(root, p.param.Path)
		if err != nil || len(nodes) != len(p.targets) {
			return false
		}
		for _, n := range nodes {
			if n.Kind != yaml.ScalarNode || n.Value != item.Value || n.ShortTag() != item.ShortTag() {
				return false
			}
		}
	}
	return true
}

// scalarText is a sweep value written so that it reads back as the same
// value of the same type: plain as written, or single-quoted.
func scalarText(item *yaml.Node) (string, bool) {
	v := item.Value
	if strings.ContainsAny(v, "\n\r\t") || !utf8.ValidString(v) {
		return "", false
	}
	if item.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 && item.Tag != "" && !strings.HasPrefix(item.Tag, "!!") {
		return "", false // a custom tag: let the encoder keep it
	}
	if item.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 || v == "" {
		return "'" + strings.ReplaceAll(v, "'", "''") + "'", true
	}
	return v, true
}

// scalarSpan returns the byte range of a single-line plain or quoted
// scalar in the source.
func (s *sweepSource) scalarSpan(n *yaml.Node) (from, to int, ok bool) {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || n.Tag != "" && n.Style&yaml.TaggedStyle != 0 {
		return 0, 0, false
	}
	off, ok := s.offset(n.Line, n.Column)
	if !ok {
		return 0, 0, false
	}
	rest := s.src[off:]
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		for i := 1; i < len(rest); i++ {
			switch rest[i] {
			case '\\':
				i++
			case '"':
				return off, off + i + 1, true
			case '\n', '\r':
				return 0, 0, false
			}
		}
	case n.Style&yaml.SingleQuotedStyle != 0:
		for i := 1; i < len(rest); i++ {
			switch rest[i] {
			case '\'':
				if i+1 < len(rest) && rest[i+1] == '\'' {
					i++
					continue
				}
				return off, off + i + 1, true
			case '\n', '\r':
				return 0, 0, false
			}
		}
	default:
		if n.Value == "" || !bytes.HasPrefix(rest, []byte(n.Value)) || strings.ContainsAny(n.Value, "\n\r") {
			return 0, 0, false
		}
		return off, off + len(n.Value), true
	}
	return 0, 0, false
}

// sweepLines returns edits that empty every line of the root `sweep:`
// entry, from its key to the line before the next root key (or the end),
// keeping the line breaks so later lines keep their numbers.
func (s *sweepSource) sweepLines() ([]textEdit, bool) {
	root := s.doc.Content[0]
	if root.Style&yaml.FlowStyle != 0 {
		return nil, false
	}
	first := s.sweepKey.Line
	last := len(s.lines) // 1-based number of the last line
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i] == s.sweepKey && i+2 < len(root.Content) {
			last = root.Content[i+2].Line - 1
		}
	}
	off, ok := s.offset(first, s.sweepKey.Column)
	if !ok || len(bytes.TrimSpace(s.src[s.lines[first-1]:off])) != 0 {
		return nil, false // something else on the sweep key's line
	}
	var edits []textEdit
	for l := first; l <= last && l <= len(s.lines); l++ {
		from := s.lines[l-1]
		to := from + bytes.IndexByte(s.src[from:], '\n')
		if to < from {
			to = len(s.src)
		}
		if to > from && s.src[to-1] == '\r' {
			to--
		}
		if to > from {
			edits = append(edits, textEdit{from, to, ""})
		}
	}
	return edits, true
}

// offset converts a 1-based line and column (in characters, as the YAML
// parser counts them) to a byte offset.
func (s *sweepSource) offset(line, col int) (int, bool) {
	if line < 1 || line > len(s.lines) || col < 1 {
		return 0, false
	}
	off := s.lines[line-1]
	for c := 1; c < col; c++ {
		if off >= len(s.src) || s.src[off] == '\n' {
			return 0, false
		}
		_, w := utf8.DecodeRune(s.src[off:])
		off += w
	}
	return off, true
}

func lineStarts(src []byte) []int {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	if len(src) > 0 && src[len(src)-1] == '\n' {
		starts = starts[:len(starts)-1] // no empty line after the final break
	}
	return starts
}

// reencode applies the choice to a fresh copy of the document and encodes
// it: positions in later load errors then refer to the encoded text.
func (s *sweepSource) reencode(choice []int) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(s.src, &doc); err != nil {
		return nil, err
	}
	root := doc.Content[0]
	for k, p := range s.params {
		item := p.items[choice[k]]
		nodes, err := ResolvePath(root, p.param.Path)
		if err != nil {
			return nil, err
		}
		for _, n := range nodes {
			n.Kind, n.Value, n.Tag, n.Style = yaml.ScalarNode, item.Value, item.Tag, item.Style&^yaml.FlowStyle
			n.Content = nil
		}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "sweep" {
			root.Content = append(root.Content[:i:i], root.Content[i+2:]...)
			break
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// NaturalLess orders strings the way people count: runs of digits compare
// as numbers ("count=2" before "count=10"), everything else byte by byte.
// Equal numbers with different leading zeros, and otherwise equal strings,
// fall back to a plain comparison, so the order is total.
func NaturalLess(a, b string) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if isDigit(ca) && isDigit(cb) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			na := strings.TrimLeft(a[si:i], "0")
			nb := strings.TrimLeft(b[sj:j], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			continue
		}
		if ca != cb {
			return ca < cb
		}
		i++
		j++
	}
	if len(a)-i != len(b)-j {
		return len(a)-i < len(b)-j
	}
	return a < b
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// sortStable sorts n elements stably with less and swap.
func sortStable(n int, less func(i, j int) bool, swap func(i, j int)) {
	sort.Stable(funcSorter{n, less, swap})
}

type funcSorter struct {
	n    int
	less func(i, j int) bool
	swap func(i, j int)
}

func (f funcSorter) Len() int           { return f.n }
func (f funcSorter) Less(i, j int) bool { return f.less(i, j) }
func (f funcSorter) Swap(i, j int)      { f.swap(i, j) }
