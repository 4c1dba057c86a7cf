package model

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Load reads, defaults and validates the scenario file at path. Trace files
// are read relative to the scenario's folder. Problems in the scenario come
// back as an ErrorList (sorted, warnings included as Warning entries);
// warnings of a good scenario are in Scenario.Warnings.
//
// The path is judged with Stat (symlinks followed) before it is opened:
// a folder, FIFO or device is refused, so reading never blocks.
func Load(path string) (*Scenario, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, readError(path, err)
	}
	if err := RegularFile(path, st); err != nil {
		return nil, err
	}
	if st.Size() > MaxScenarioBytes {
		return nil, tooBig(path, st.Size())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, readError(path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxScenarioBytes+1))
	if err != nil {
		return nil, readError(path, err)
	}
	return Parse(path, data)
}

// RegularFile returns an error naming what path is when st (from
// os.Stat, symlinks followed) is not a regular file: a folder, a FIFO, a
// device or a socket, which ftsim refuses before opening them.
func RegularFile(path string, st fs.FileInfo) error {
	m := st.Mode()
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return fmt.Errorf("%s: is a folder, not a file", path)
	case m&fs.ModeNamedPipe != 0:
		return fmt.Errorf("%s: is a FIFO (named pipe), not a regular file", path)
	case m&fs.ModeDevice != 0:
		return fmt.Errorf("%s: is a device, not a regular file", path)
	case m&fs.ModeSocket != 0:
		return fmt.Errorf("%s: is a socket, not a regular file", path)
	}
	return fmt.Errorf("%s: is not a regular file", path)
}

// readError reports a scenario file that cannot be read as
// "FILE: reason", keeping the cause for errors.Is.
func readError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s: cannot read the scenario: %w", path, err)
}

func tooBig(file string, n int64) error {
	return ErrorList{{File: file, Line: 1, Col: 1,
		Msg: fmt.Sprintf("the file is %d bytes; a scenario may have at most 10 MiB", n)}}
}

// loadHook, when set (by tests), runs before a scenario's document is
// loaded: a panic from it stands for a bug met while reading.
var loadHook func(*loader)

// Parse loads a scenario from data. file is the name used in messages and
// Scenario.File; trace paths are relative to filepath.Dir(file). Errors are
// as for Load.
func Parse(file string, data []byte) (sc *Scenario, err error) {
	if len(data) > MaxScenarioBytes {
		return nil, tooBig(file, int64(len(data)))
	}
	data = normalizeNewlines(data)
	nlines := bytes.Count(data, []byte{'\n'}) + 1
	if e := checkText(file, data); e != nil {
		return nil, ErrorList{e}
	}
	d := newDecoder(file, nlines)
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(refused); !ok {
				// A bug of ours or of the YAML library: an internal
				// error, not a problem of the input.
				sc, err = nil, &InternalError{File: file, Panic: r}
				return
			}
			sc, err = nil, d.result()
		}
	}()
	root, ok := d.parseYAML(data)
	if !ok {
		return nil, d.result()
	}
	l := newLoader(d, file, data)
	if loadHook != nil {
		loadHook(l)
	}
	l.load(root)
	l.validate()
	l.checkSweeps(root)
	if d.errorCount() > 0 {
		return nil, d.result()
	}
	d.errs.Sort()
	l.sc.Warnings = d.errs
	return l.sc, nil
}

// result returns every problem, sorted, as an ErrorList.
func (d *decoder) result() error {
	d.errs.Sort()
	if len(d.errs) == 0 {
		return ErrorList{{File: d.file, Line: 1, Col: 1, Msg: "cannot read this file as a scenario"}}
	}
	return d.errs
}

// checkText refuses input that is not UTF-8 YAML text, at the first bad
// byte.
func checkText(file string, data []byte) *Error {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return &Error{File: file, Line: line, Col: col,
				Msg: fmt.Sprintf("byte 0x%02x is not UTF-8 text: a scenario is a YAML text file", data[i])}
		case r == '\n':
			line, col = line+1, 0
		case r == '\t' || r == '\r':
		case r == 0xFEFF && i == 0:
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f && r != 0x85) || r == 0xFFFE || r == 0xFFFF || r == 0xFEFF:
			return &Error{File: file, Line: line, Col: col,
				Msg: fmt.Sprintf("control character U+%04X is not allowed: a scenario is a YAML text file", r)}
		}
		i += size
		col++
	}
	return nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses data into its single document's root node.
func (d *decoder) parseYAML(data []byte) (*yaml.Node, bool) {
	structural := 0
	for _, c := range data {
		switch c {
		case '\n', ',', ':', '-', '[', '{', '?', '&', '*', '!', '|', '>':
			structural++
		}
	}
	if structural > maxStructural {
		d.errorf(Pos{1, 1}, "the file has too many YAML elements (more than %d): refused", maxStructural)
		return nil, false
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.errorf(Pos{1, 1}, "the file is empty: a scenario needs at least duration, hosts and ft_vms")
			return nil, false
		}
		d.yamlError(data, err)
		return nil, false
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		d.errorf(posOf(&next), "a scenario file holds one YAML document; this is a second one")
		return nil, false
	} else if !errors.Is(err, io.EOF) {
		d.yamlError(data, err)
		return nil, false
	}
	if len(doc.Content) == 0 {
		d.errorf(Pos{1, 1}, "the file is empty: a scenario needs at least duration, hosts and ft_vms")
		return nil, false
	}
	if deep := tooDeep(&doc, 0); deep != nil {
		d.errorf(posOf(deep), "the YAML is nested more than %d levels deep here: refused", maxDepth)
		return nil, false
	}
	if !d.checkTags(doc.Content[0]) {
		return nil, false
	}
	return doc.Content[0], true
}

// tooDeep returns the first node nested deeper than maxDepth, without
// following aliases, or nil.
func tooDeep(n *yaml.Node, depth int) *yaml.Node {
	if depth > maxDepth {
		return n
	}
	for _, c := range n.Content {
		if deep := tooDeep(c, depth+1); deep != nil {
			return deep
		}
	}
	return nil
}

// plainTags are the tags a scenario may write explicitly, by node kind:
// those that say what the node already is (!!str "10" keeps a string).
var plainTags = map[yaml.Kind][]string{
	yaml.ScalarNode:   {"!!str", "!!int", "!!float", "!!bool", "!!null"},
	yaml.MappingNode:  {"!!map"},
	yaml.SequenceNode: {"!!seq"},
}

// checkTags refuses explicit YAML tags a scenario has no use for
// (!!binary, !!set, custom !tags) or that contradict their node (!!str on
// a mapping), instead of ignoring them.
func (d *decoder) checkTags(n *yaml.Node) bool {
	ok := true
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind != yaml.AliasNode && n.Style&yaml.TaggedStyle != 0 && !slices.Contains(plainTags[n.Kind], n.Tag) {
			what := map[yaml.Kind]string{yaml.ScalarNode: "a value", yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list"}[n.Kind]
			d.errorf(posOf(n), "YAML tag %s on %s: a scenario uses no tags but %s there", n.Tag, what, strings.Join(plainTags[n.Kind], ", "))
			ok = false
		} else if n.Kind == yaml.ScalarNode && n.Style&yaml.TaggedStyle != 0 && n.Tag != "!!str" {
			// !!int 10s or !!bool yes: the tag contradicts the value.
			var v any
			if n.Decode(&v) != nil {
				d.errorf(posOf(n), "YAML tag %s on %q: the value is not a%s %s; drop the tag", n.Tag, n.Value, map[bool]string{true: "n"}[n.Tag == "!!int"], strings.TrimPrefix(n.Tag, "!!"))
				ok = false
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return ok
}

// normalizeNewlines turns CRLF and lone CR line ends into LF, so lines are
// counted the same whatever system wrote the file. Columns do not move.
func normalizeNewlines(data []byte) []byte {
	if bytes.IndexByte(data, '\r') < 0 {
		return data
	}
	out := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(out, []byte("\r"), []byte("\n"))
}

// yamlError turns a YAML syntax error into a positioned problem. The YAML
// library reports the line where the enclosing construct starts (and, on
// the first line, none at all), so the line is refined to the first one
// whose text up to its end already fails with the same message.
func (d *decoder) yamlError(data []byte, err error) {
	line, msg := splitYAMLError(err)
	lines := bytes.SplitAfter(data, []byte{'\n'})
	if len(data) <= maxRefineBytes {
		lo, hi := max(line, 1), len(lines)
		ends := make([]int, len(lines)+1)
		for i, l := range lines {
			ends[i+1] = ends[i] + len(l)
		}
		for lo < hi {
			mid := (lo + hi) / 2
			if _, m := splitYAMLError(decodeDocs(data[:ends[mid]])); m == msg {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		line = lo
	}
	col := 1
	if line >= 1 && line <= len(lines) {
		text := bytes.TrimRight(lines[line-1], "\r\n")
		trimmed := bytes.TrimLeft(text, " \t")
		if bytes.ContainsRune(text[:len(text)-len(trimmed)], '\t') {
			msg += " (YAML does not allow tabs for indentation)"
		}
		if len(trimmed) > 0 {
			col = utf8.RuneCount(text[:len(text)-len(trimmed)]) + 1
		}
	}
	d.errorf(Pos{line, col}, "YAML syntax: %s", msg)
}

// maxRefineBytes bounds the input whose syntax error line is refined.
const maxRefineBytes = 256 << 10

// decodeDocs decodes data as Parse does (one document, then a check for
// a second) and returns the YAML library's error, if any.
func decodeDocs(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// splitYAMLError returns the line a YAML error names (1 when none) and its
// message without the "yaml: line N: " prefix.
func splitYAMLError(err error) (int, string) {
	if err == nil {
		return 0, ""
	}
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return line, m[2]
	}
	return 1, strings.TrimPrefix(msg, "yaml: ")
}

// defaultName derives a scenario name from its file name.
func defaultName(file string) string {
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	var b strings.Builder
	for _, r := range base {
		if r < utf8.RuneSelf && (r == '-' || r == '_' || r == '.' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	s := strings.Trim(b.String(), "-.")
	if s == "" {
		return "scenario"
	}
	return s
}
