package directory

import (
	"regexp"
	"strconv"
	"strings"
)

// keyLines maps a key path such as "phones.1.number" to the line it is
// written on. BurntSushi/toml keeps key positions private, so the file text is
// scanned directly. Only the layout the content uses is understood: tables,
// arrays of tables and one key per line; anything else falls back to the
// nearest enclosing key that was found.
type keyLines map[string]int

var (
	tableHeader = regexp.MustCompile(`^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$`)
	keyLine     = regexp.MustCompile(`^\s*("[^"]*"|[A-Za-z0-9_\-]+)\s*=\s*(.*)$`)
)

func scanKeyLines(text string) keyLines {
	lines := keyLines{}
	prefix := ""
	arrayCounts := map[string]int{}
	inMultiline := ""
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		if inMultiline != "" {
			if strings.Contains(line, inMultiline) {
				inMultiline = ""
			}
			continue
		}
		if m := tableHeader.FindStringSubmatch(line); m != nil {
			name := arrayElement(splitDotted(m[2]), arrayCounts)
			if m[1] == "[[" {
				prefix = name + "." + strconv.Itoa(arrayCounts[name])
				arrayCounts[name]++
			} else {
				prefix = name
			}
			lines.record(prefix, n)
			continue
		}
		m := keyLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		key := strings.Trim(m[1], `"`)
		if prefix != "" {
			key = prefix + "." + key
		}
		lines.record(key, n)
		for _, quote := range []string{`"""`, `'''`} {
			if strings.HasPrefix(m[2], quote) && strings.Count(m[2], quote) == 1 {
				inMultiline = quote
			}
		}
	}
	return lines
}

// arrayElement writes a table name with the index of every array of
// tables it passes through: [phones.label] after the second [[phones]] is
// phones.1.label, the key the checks use.
func arrayElement(parts []string, arrayCounts map[string]int) string {
	name := ""
	for i, p := range parts {
		if i > 0 {
			name += "."
		}
		name += p
		if n := arrayCounts[name]; n > 0 && i < len(parts)-1 {
			name += "." + strconv.Itoa(n-1)
		}
	}
	return name
}

func splitDotted(name string) []string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"`)
	}
	return parts
}

func (k keyLines) record(key string, line int) {
	if _, seen := k[key]; !seen {
		k[key] = line
	}
}

// has reports whether the key at path is written in the file.
func (k keyLines) has(path ...any) bool {
	_, ok := k[joinPath(path)]
	return ok
}

// line returns the line of the key at path, or of its nearest written
// ancestor; 0 when nothing on the path is written.
func (k keyLines) line(path ...any) int {
	for n := len(path); n > 0; n-- {
		if l, ok := k[joinPath(path[:n])]; ok {
			return l
		}
	}
	return 0
}

func joinPath(path []any) string {
	parts := make([]string, len(path))
	for i, p := range path {
		switch v := p.(type) {
		case string:
			parts[i] = v
		case int:
			parts[i] = strconv.Itoa(v)
		}
	}
	return strings.Join(parts, ".")
}
