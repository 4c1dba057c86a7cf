package model

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Limits on hostile input; each refusal is a normal error, never a panic.
const (
	// MaxScenarioBytes is the largest scenario file ftsim reads (10 MiB).
	MaxScenarioBytes = 10 << 20
	// maxStructural bounds the YAML punctuation (line breaks, commas,
	// colons, dashes, brackets) a scenario may hold, which bounds the node
	// count, and so the memory, before the YAML parser runs.
	maxStructural = 300_000
	// maxDepth bounds the nesting of YAML collections.
	maxDepth = 100
	// maxVisits bounds the nodes the decoder visits, aliases expanded.
	maxVisits = 2_000_000
	// maxErrors stops collecting problems after this many.
	maxErrors = 100
)

// decoder walks yaml.Nodes, collecting every problem with its position.
type decoder struct {
	file   string
	errs   ErrorList
	seen   map[errKey]bool
	visits int
	nlines int
	// defaults is the line range of `defaults:`; a problem there is
	// reported once, not once per host.
	defaults [2]int
}

type errKey struct {
	line, col int
	warning   bool
	msg       string // "" inside defaults: one problem per position there
}

// refused is the panic payload that stops decoding at once (too many
// problems, an alias bomb); Parse recovers it.
type refused struct{}

func newDecoder(file string, nlines int) *decoder {
	return &decoder{file: file, seen: map[errKey]bool{}, nlines: max(nlines, 1)}
}

func posOf(n *yaml.Node) Pos {
	if n == nil {
		return Pos{1, 1}
	}
	return Pos{max(n.Line, 1), max(n.Column, 1)}
}

// add records a problem at p. The same problem at the same position is
// reported once; inside `defaults:` only the first problem at a position
// is kept, so a mistake there is reported once, not once per host.
func (d *decoder) add(p Pos, warning bool, msg string) {
	if p.Line < 1 {
		p = Pos{1, 1}
	}
	if p.Col < 1 {
		p.Col = 1
	}
	if p.Line > d.nlines {
		p.Line = d.nlines
	}
	k := errKey{p.Line, p.Col, warning, msg}
	if p.Line >= d.defaults[0] && p.Line <= d.defaults[1] {
		k.msg = ""
	}
	if d.seen[k] {
		return
	}
	d.seen[k] = true
	d.errs = append(d.errs, &Error{File: d.file, Line: p.Line, Col: p.Col, Msg: msg, Warning: warning})
	if !warning && d.errorCount() >= maxErrors {
		d.errs = append(d.errs, &Error{File: d.file, Line: p.Line, Col: p.Col, Msg: fmt.Sprintf("too many problems (%d): fix these first", maxErrors)})
		panic(refused{})
	}
}

func (d *decoder) errorCount() int {
	n := 0
	for _, e := range d.errs {
		if !e.Warning {
			n++
		}
	}
	return n
}

func (d *decoder) errorf(p Pos, format string, args ...any) {
	d.add(p, false, fmt.Sprintf(format, args...))
}

func (d *decoder) warnf(p Pos, format string, args ...any) {
	d.add(p, true, fmt.Sprintf(format, args...))
}

// resolve follows aliases and counts the visit against maxVisits.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for hops := 0; n != nil && n.Kind == yaml.AliasNode; hops++ {
		if hops > maxDepth {
			d.errorf(posOf(n), "alias %q refers to itself", n.Value)
			panic(refused{})
		}
		n = n.Alias
	}
	d.visits++
	if d.visits > maxVisits {
		d.errs = append(d.errs, &Error{File: d.file, Line: 1, Col: 1,
			Msg: fmt.Sprintf("the document expands to more than %d nodes through aliases: refused", maxVisits)})
		panic(refused{})
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "empty"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "not a value"
}

// mapping is a checked YAML mapping: known keys only, each once.
type mapping struct {
	d    *decoder
	node *yaml.Node
	what string
	keys map[string]*yaml.Node // key nodes
	vals map[string]*yaml.Node // value nodes, aliases resolved
}

// mapping checks that n is a mapping (null is an empty one) whose keys are
// all in allowed, reporting unknown and repeated keys; what names it in
// messages ("teaming"). It returns nil when n is not a mapping.
func (d *decoder) mapping(n *yaml.Node, what string, allowed []string) *mapping {
	m := &mapping{d: d, node: n, what: what, keys: map[string]*yaml.Node{}, vals: map[string]*yaml.Node{}}
	n = d.resolve(n)
	if isNull(n) {
		return m
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(posOf(n), "%s must be a mapping of keys and values, not %s", what, kindName(n))
		return nil
	}
	m.node = n
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := d.resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(posOf(k), "a key in %s must be a plain name, not %s", what, kindName(k))
			continue
		}
		if k.Value == "<<" && k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if prev, ok := m.keys[k.Value]; ok {
			d.errorf(posOf(k), "key %q appears twice in %s (first at line %d)", k.Value, what, prev.Line)
			continue
		}
		if !inList(allowed, k.Value) {
			d.errorf(posOf(k), "unknown key %q in %s%s", k.Value, what, suggest(k.Value, allowed))
			continue
		}
		m.keys[k.Value] = k
		m.vals[k.Value] = d.resolve(v)
	}
	// YAML merge keys (<<: *anchor): explicit keys win, then earlier merges.
	for _, v := range merges {
		v = d.resolve(v)
		srcs := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			srcs = v.Content
		}
		for _, s := range srcs {
			s = d.resolve(s)
			if s.Kind != yaml.MappingNode {
				d.errorf(posOf(s), "a merge key (<<) in %s must name a mapping", what)
				continue
			}
			for i := 0; i+1 < len(s.Content); i += 2 {
				k := d.resolve(s.Content[i])
				if k.Kind != yaml.ScalarNode || m.keys[k.Value] != nil {
					continue
				}
				if !inList(allowed, k.Value) {
					d.errorf(posOf(k), "unknown key %q in %s%s", k.Value, what, suggest(k.Value, allowed))
					continue
				}
				m.keys[k.Value] = k
				m.vals[k.Value] = d.resolve(s.Content[i+1])
			}
		}
	}
	return m
}

func inList[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// suggest returns ` (did you mean "x"?)` for the allowed key closest to k:
// one with the same words in another order (p99_replay_lag for
// replay_lag_p99), else the nearest by edit distance, allowing more edits
// in longer keys.
func suggest(k string, allowed []string) string {
	lk := strings.ToLower(k)
	words := func(s string) string {
		f := strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '-' || r == '.' || r == ' ' })
		slices.Sort(f)
		return strings.Join(f, "_")
	}
	for _, a := range allowed {
		if strings.Contains(lk, "_") && words(lk) == words(a) {
			return fmt.Sprintf(" (did you mean %q?)", a)
		}
	}
	best, bestD := "", max(3, len(lk)/4+1)
	for _, a := range allowed {
		if d := editDistance(lk, a); d < bestD {
			best, bestD = a, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// get returns the value of k, or nil when it is absent.
func (m *mapping) get(k string) *yaml.Node {
	if m == nil {
		return nil
	}
	return m.vals[k]
}

// keyPos returns the position of key k (or of the mapping when absent).
func (m *mapping) keyPos(k string) Pos {
	if n := m.keys[k]; n != nil {
		return posOf(n)
	}
	return posOf(m.node)
}

// present reports whether k holds a non-null value.
func (m *mapping) present(k string) bool { return m != nil && m.vals[k] != nil && !isNull(m.vals[k]) }

// sequence returns the items of n (aliases resolved); null is empty. It
// reports a problem and returns false when n is not a list.
func (d *decoder) sequence(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	n = d.resolve(n)
	if isNull(n) {
		return nil, true
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(posOf(n), "%s must be a list, not %s", what, kindName(n))
		return nil, false
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		items[i] = d.resolve(c)
	}
	return items, true
}

// scalar returns the text of a scalar value; key names it in messages.
func (d *decoder) scalar(n *yaml.Node, key string) (string, bool) {
	if n == nil {
		return "", false
	}
	if isNull(n) {
		d.errorf(posOf(n), "%s needs a value", key)
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(posOf(n), "%s must be a single value, not %s", key, kindName(n))
		return "", false
	}
	return n.Value, true
}

// opt is an optional value as written: set when the key was present and
// valid, pos where it was written.
type opt[T any] struct {
	v   T
	pos Pos
	set bool
}

func (o opt[T]) or(def T) T {
	if o.set {
		return o.v
	}
	return def
}

// over returns o when set, else def (a host's value over `defaults:`).
func (o opt[T]) over(def opt[T]) opt[T] {
	if o.set {
		return o
	}
	return def
}

func optOf[T any](v T, p Pos) opt[T] { return opt[T]{v, p, true} }

// Typed getters: each parses key of m when present, reports a problem at
// the value when it is wrong, and returns an unset opt when absent or bad.

func (m *mapping) str(key string) opt[string] {
	n := m.get(key)
	if n == nil {
		return opt[string]{}
	}
	s, ok := m.d.scalar(n, key)
	if !ok {
		return opt[string]{}
	}
	return optOf(s, posOf(n))
}

func (m *mapping) name(key, what string) opt[string] {
	o := m.str(key)
	if !o.set {
		return o
	}
	if msg := checkName(o.v); msg != "" {
		m.d.errorf(o.pos, "%s %q %s", what, o.v, msg)
		return opt[string]{}
	}
	return o
}

// checkName returns why s cannot be a name of a host, vmnic, switch or VM.
func checkName(s string) string {
	switch {
	case s == "":
		return "must not be empty"
	case len(s) > 80:
		return "is longer than 80 characters"
	case strings.TrimSpace(s) != s:
		return "must not start or end with a space"
	case s == "*":
		return "is reserved for sweep paths"
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || strings.ContainsRune("/~,[]", r) {
			return "must not contain control characters or any of / ~ , [ ]"
		}
	}
	return ""
}

func (m *mapping) enum(key string, allowed ...string) opt[string] {
	o := m.str(key)
	if !o.set {
		return o
	}
	if !inList(allowed, o.v) {
		m.d.errorf(o.pos, "%s %q is not one of %s", key, o.v, orList(allowed))
		return opt[string]{}
	}
	return o
}

// orList writes a, b or c.
func orList(list []string) string {
	if len(list) == 1 {
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " or " + list[len(list)-1]
}

func (m *mapping) boolean(key string) opt[bool] {
	n := m.get(key)
	if n == nil {
		return opt[bool]{}
	}
	s, ok := m.d.scalar(n, key)
	if !ok {
		return opt[bool]{}
	}
	switch s {
	case "true", "True", "TRUE", "yes", "Yes", "on", "On":
		return optOf(true, posOf(n))
	case "false", "False", "FALSE", "no", "No", "off", "Off":
		return optOf(false, posOf(n))
	}
	m.d.errorf(posOf(n), "%s %q must be true or false", key, s)
	return opt[bool]{}
}

// integer parses a whole number in [lo, hi].
func (m *mapping) integer(key string, lo, hi int64) opt[int64] {
	n := m.get(key)
	if n == nil {
		return opt[int64]{}
	}
	s, ok := m.d.scalar(n, key)
	if !ok {
		return opt[int64]{}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if _, ferr := strconv.ParseFloat(s, 64); ferr == nil || strings.HasPrefix(s, "-") {
			m.d.errorf(posOf(n), "%s %q must be a whole number from %d to %d", key, s, lo, hi)
		} else {
			m.d.errorf(posOf(n), "%s %q is not a whole number", key, s)
		}
		return opt[int64]{}
	}
	if v < lo || v > hi {
		m.d.errorf(posOf(n), "%s %d must be a whole number from %d to %d", key, v, lo, hi)
		return opt[int64]{}
	}
	return optOf(v, posOf(n))
}

// zeroOK says whether a duration (or rate) may be zero.
type zeroOK bool

const (
	positive  zeroOK = false
	allowZero zeroOK = true
)

func (m *mapping) duration(key string, z zeroOK) opt[Duration] {
	n := m.get(key)
	if n == nil {
		return opt[Duration]{}
	}
	return m.d.durationNode(n, key, z)
}

func (d *decoder) durationNode(n *yaml.Node, key string, z zeroOK) opt[Duration] {
	s, ok := d.scalar(n, key)
	if !ok {
		return opt[Duration]{}
	}
	v, err := ParseDuration(s)
	if err != nil {
		d.errorf(posOf(n), "%s: %v", key, err)
		return opt[Duration]{}
	}
	if v == 0 && z == positive {
		d.errorf(posOf(n), "%s must be more than 0", key)
		return opt[Duration]{}
	}
	if v > maxDuration {
		d.errorf(posOf(n), "%s %s is longer than ftsim simulates (at most %s)", key, v, Duration(maxDuration))
		return opt[Duration]{}
	}
	return optOf(v, posOf(n))
}

// maxDuration caps every duration: a week of simulated time.
const maxDuration = 7 * 24 * 3600

func (m *mapping) bitRate(key string, z zeroOK) opt[BitRate] {
	n := m.get(key)
	if n == nil {
		return opt[BitRate]{}
	}
	s, ok := m.d.scalar(n, key)
	if !ok {
		return opt[BitRate]{}
	}
	v, err := ParseBitRate(s)
	if err != nil {
		m.d.errorf(posOf(n), "%s: %v", key, err)
		return opt[BitRate]{}
	}
	if v == 0 && z == positive {
		m.d.errorf(posOf(n), "%s must be more than 0", key)
		return opt[BitRate]{}
	}
	if v > MaxBitRate {
		m.d.errorf(posOf(n), "%s %s is faster than any Ethernet link: ftsim takes rates up to %s", key, s, BitRate(MaxBitRate))
		return opt[BitRate]{}
	}
	return optOf(v, posOf(n))
}

// MaxBitRate bounds every rate and speed: 1 Tbit/s, above the fastest
// Ethernet link (800 Gbit/s), so no figure overflows and no run is asked
// for more messages per second than any network carries.
const MaxBitRate = 1e12

func (m *mapping) byteRate(key string) opt[ByteRate] {
	n := m.get(key)
	if n == nil {
		return opt[ByteRate]{}
	}
	s, ok := m.d.scalar(n, key)
	if !ok {
		return opt[ByteRate]{}
	}
	v, err := ParseByteRate(s)
	if err != nil {
		m.d.errorf(posOf(n), "%s: %v", key, err)
		return opt[ByteRate]{}
	}
	if v*8 > MaxBitRate {
		m.d.errorf(posOf(n), "%s %s is faster than any Ethernet link: ftsim takes rates up to %s", key, s, ByteRate(MaxBitRate/8))
		return opt[ByteRate]{}
	}
	return optOf(v, posOf(n))
}

func (m *mapping) size(key string) opt[Size] {
	n := m.get(key)
	if n == nil {
		return opt[Size]{}
	}
	s, ok := m.d.scalar(n, key)
	if !ok {
		return opt[Size]{}
	}
	v, err := ParseSize(s)
	if err != nil {
		m.d.errorf(posOf(n), "%s: %v", key, err)
		return opt[Size]{}
	}
	if v <= 0 {
		m.d.errorf(posOf(n), "%s must be more than 0", key)
		return opt[Size]{}
	}
	return optOf(v, posOf(n))
}

// percent parses a percentage in (0, 100%] (or [0, 100%) with zero
// allowed and below100).
func (m *mapping) percent(key string, below100 bool) opt[float64] {
	n := m.get(key)
	if n == nil {
		return opt[float64]{}
	}
	s, ok := m.d.scalar(n, key)
	if !ok {
		return opt[float64]{}
	}
	v, err := ParsePercent(s)
	if err != nil {
		m.d.errorf(posOf(n), "%s: %v", key, err)
		return opt[float64]{}
	}
	if v <= 0 || v > 1 || (below100 && v >= 1) {
		hi := "100%]"
		if below100 {
			hi = "100%)"
		}
		m.d.errorf(posOf(n), "%s %s must be in (0, %s", key, s, hi)
		return opt[float64]{}
	}
	return optOf(v, posOf(n))
}

// names reads a list of names (uplink lists, LAG members) with the
// position of each item.
type nameList struct {
	v   []string
	pos []Pos
	at  Pos // the list itself
	set bool
}

func (m *mapping) names(key string) nameList {
	n := m.get(key)
	if n == nil {
		return nameList{}
	}
	items, ok := m.d.sequence(n, key)
	if !ok {
		return nameList{}
	}
	l := nameList{at: posOf(n), set: true, v: []string{}}
	for _, it := range items {
		s, ok := m.d.scalar(it, key+" item")
		if !ok {
			continue
		}
		l.v = append(l.v, s)
		l.pos = append(l.pos, posOf(it))
	}
	return l
}

// sortedKeys returns the keys of m in sorted order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
