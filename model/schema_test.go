package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestSchemaFile checks that docs/ftsim.schema.json is JSONSchema()'s
// output (rewrite with -update).
func TestSchemaFile(t *testing.T) {
	const path = "../docs/ftsim.schema.json"
	got := JSONSchema()
	if !json.Valid(got) {
		t.Fatal("JSONSchema() is not valid JSON")
	}
	if !bytes.Equal(got, JSONSchema()) {
		t.Fatal("JSONSchema() is not deterministic")
	}
	golden(t, path, got)
}

// TestSchemaPatterns checks that the unit patterns accept what the parsers
// accept.
func TestSchemaPatterns(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		parse   func(string) error
		samples []string
	}{
		{BitRatePattern, func(s string) error { _, err := ParseBitRate(s); return err },
			[]string{"10Gbps", "10 Gbps", "25Gbit/s", "25Gb/s", "1.5Mbps", "64kbps", "64Kb/s", "9600bps", "1Tbps", "10", "10gbps", "20MB/s", "10GBps", "1.Gbps", "10Gibps", "10  Gbps"}},
		{ByteRatePattern, func(s string) error { _, err := ParseByteRate(s); return err },
			[]string{"20MB/s", "1.5MiB/s", "64KiB/s", "64kB/s", "512B/s", "1TiB/s", "20", "150Mbps", "20MBps", "20mb/s"}},
		{SizePattern, func(s string) error { _, err := ParseSize(s); return err },
			[]string{"64B", "64KiB", "64KB", "64kB", "1.5MB", "16GiB", "2TiB", "64", "64Kb", "64kib", "64K"}},
		{DurationPattern, func(s string) error { _, err := ParseDuration(s); return err },
			[]string{"250us", "250µs", "250μs", "100ms", "30s", "30 s", "10m", "1h", "8m30s", "1h15m", "1h2m3s4ms5us", "0", "30", "2m 30s", "30s8m", "5min", "1d", "1h30"}},
		{PercentPattern, func(s string) error { _, err := ParsePercent(s); return err },
			[]string{"75%", "75 %", "0.5%", "75", "0.75", "75pct"}},
	} {
		re, err := regexp.Compile(tc.pattern)
		if err != nil {
			t.Fatalf("pattern %s: %v", tc.pattern, err)
		}
		for _, s := range tc.samples {
			if matched, parsed := re.MatchString(s), tc.parse(s) == nil; matched != parsed {
				t.Errorf("%q: pattern %s matches %v, parser accepts %v", s, tc.pattern, matched, parsed)
			}
		}
	}
}

// TestScenariosMatchSchema checks every bundled scenario against the
// schema, so editors do not flag a good scenario, and that the schema
// flags some mistakes.
func TestScenariosMatchSchema(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(JSONSchema(), &schema); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../scenarios/*.yaml")
	files = append(files, "testdata/design.yaml", "testdata/expanded.golden")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		if problems := checkSchema(schema, schema, doc, ""); len(problems) > 0 {
			t.Errorf("%s:\n%s", f, strings.Join(problems, "\n"))
		}
	}
	for _, bad := range []string{
		"duration: 5m\nhosts: []\nft_vms: []\nseeds: 4\n",
		"duration: 5\nhosts: []\nft_vms: []\n",
		"duration: 5m\nhosts: [{name: a, vmnics: [{name: v, speed: 10}]}]\nft_vms: []\n",
		"duration: 5m\nhosts: []\nft_vms: [{name: a, logging: {rate: 1Gbps, preset: specjbb2005}}]\n",
		"duration: 5m\nhosts: [{name: a, teaming: {load_balancing: round_robin}}]\nft_vms: []\n",
	} {
		var doc any
		if err := yaml.Unmarshal([]byte(bad), &doc); err != nil {
			t.Fatal(err)
		}
		if len(checkSchema(schema, schema, doc, "")) == 0 {
			t.Errorf("the schema accepts %q", bad)
		}
	}
}

// checkSchema is a small JSON Schema validator for the keywords
// JSONSchema uses; it returns one line per violation.
func checkSchema(root, s map[string]any, v any, at string) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, at+": "+fmt.Sprintf(format, args...)) }
	if r, ok := s["$ref"].(string); ok {
		defs := root["definitions"].(map[string]any)
		return checkSchema(root, defs[strings.TrimPrefix(r, "#/definitions/")].(map[string]any), v, at)
	}
	if ty, ok := s["type"]; ok && !typeMatches(ty, v) {
		bad("%v is not of type %v", v, ty)
		return out
	}
	if c, ok := s["const"]; ok && fmt.Sprint(c) != fmt.Sprint(v) {
		bad("%v is not %v", v, c)
	}
	if e, ok := s["enum"].([]any); ok {
		found := false
		for _, x := range e {
			found = found || fmt.Sprint(x) == fmt.Sprint(v)
		}
		if !found {
			bad("%v is not one of the enum", v)
		}
	}
	if str, ok := v.(string); ok {
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			bad("%q does not match %s", str, p)
		}
		if n, ok := s["minLength"].(float64); ok && float64(len([]rune(str))) < n {
			bad("%q is too short", str)
		}
		if n, ok := s["maxLength"].(float64); ok && float64(len([]rune(str))) > n {
			bad("%q is too long", str)
		}
	}
	if f, ok := toFloat(v); ok {
		if n, ok := s["minimum"].(float64); ok && f < n {
			bad("%v < %v", f, n)
		}
		if n, ok := s["maximum"].(float64); ok && f > n {
			bad("%v > %v", f, n)
		}
	}
	if m, ok := v.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k].(map[string]any); ok {
				out = append(out, checkSchema(root, ps, m[k], at+"."+k)...)
			} else if ap, ok := s["additionalProperties"]; ok {
				if b, isBool := ap.(bool); isBool && !b {
					bad("unknown key %q", k)
				} else if aps, ok := ap.(map[string]any); ok {
					out = append(out, checkSchema(root, aps, m[k], at+"."+k)...)
				}
			}
		}
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if _, has := m[r.(string)]; !has {
					bad("missing %v", r)
				}
			}
		}
	}
	if a, ok := v.([]any); ok {
		if is, ok := s["items"].(map[string]any); ok {
			for i, x := range a {
				out = append(out, checkSchema(root, is, x, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
		if n, ok := s["minItems"].(float64); ok && float64(len(a)) < n {
			bad("fewer than %v items", n)
		}
		if n, ok := s["maxItems"].(float64); ok && float64(len(a)) > n {
			bad("more than %v items", n)
		}
	}
	if alts, ok := s["anyOf"].([]any); ok {
		matched := false
		for _, sub := range alts {
			matched = matched || len(checkSchema(root, sub.(map[string]any), v, at)) == 0
		}
		if !matched {
			bad("%v matches none of anyOf", v)
		}
	}
	if one, ok := s["oneOf"].([]any); ok {
		n := 0
		for _, sub := range one {
			if len(checkSchema(root, sub.(map[string]any), v, at)) == 0 {
				n++
			}
		}
		if n != 1 {
			bad("matches %d of oneOf, want exactly 1", n)
		}
	}
	return out
}

func typeMatches(ty any, v any) bool {
	if list, ok := ty.([]any); ok {
		for _, t := range list {
			if typeMatches(t, v) {
				return true
			}
		}
		return false
	}
	switch ty {
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "null":
		return v == nil
	case "number":
		_, ok := toFloat(v)
		return ok
	case "integer":
		f, ok := toFloat(v)
		return ok && f == math.Trunc(f)
	}
	return false
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}
