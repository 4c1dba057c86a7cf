package importer

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxNameLen is the longest name the scenario format accepts (bytes).
const maxNameLen = 80

// SafeName makes s a name the scenario format accepts for a host, vmnic,
// switch or VM: vCenter's escapes (%2f for "/", %5c for "\", %25 for "%")
// decoded, surrounding spaces trimmed, control characters and the
// characters the format reserves (/ ~ , [ ]) replaced by "_", cut to 80
// bytes on a character boundary. "" and "*" become fallback.
func SafeName(s, fallback string) string {
	n := cleanName(unescapeVCenter(s))
	if len(n) > maxNameLen {
		cut := maxNameLen
		for cut > 0 && !utf8.RuneStart(n[cut]) {
			cut--
		}
		n = n[:cut]
	}
	n = strings.TrimSpace(n)
	if n == "" || n == "*" {
		return fallback
	}
	return n
}

// cleanName trims s and replaces control characters and the characters
// the scenario format reserves (/ ~ , [ ]) by "_"; it does not cut.
func cleanName(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r == utf8.RuneError, r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, strings.ContainsRune("/~,[]", r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unescapeVCenter decodes the three escapes vCenter writes in inventory
// names: %2f (/), %5c (\) and %25 (%), in either case.
func unescapeVCenter(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			switch strings.ToLower(s[i+1 : i+3]) {
			case "2f":
				b.WriteByte('/')
				i += 2
				continue
			case "5c":
				b.WriteByte('\\')
				i += 2
				continue
			case "25":
				b.WriteByte('%')
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// nameSet hands out names that are safe (SafeName) and unique: a name
// already given gets "-2", "-3", ... (kept within 80 bytes).
type nameSet struct {
	used map[string]bool
}

func newNameSet() *nameSet { return &nameSet{used: map[string]bool{}} }

// add returns the safe, unique form of s.
func (ns *nameSet) add(s, fallback string) string {
	base := SafeName(s, fallback)
	name := base
	for i := 2; ns.used[name]; i++ {
		suffix := fmt.Sprintf("-%d", i)
		b := base
		if len(b)+len(suffix) > maxNameLen {
			cut := maxNameLen - len(suffix)
			for cut > 0 && !utf8.RuneStart(b[cut]) {
				cut--
			}
			b = b[:cut]
		}
		name = b + suffix
	}
	ns.used[name] = true
	return name
}
