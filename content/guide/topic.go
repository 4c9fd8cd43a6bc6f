package guide

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
)

// Topic is one guide page in one language.
type Topic struct {
	ID, Lang, Title, Summary string
	Order                    int
	Sources                  []string
	// Reviewed is "Name, YYYY-MM-DD" once a native speaker or editor
	// reviewed the text; empty means unreviewed.
	Reviewed string
	// TranslatedFrom is the Hash of the English file a translation was made
	// from; a different current English hash means the translation is outdated.
	TranslatedFrom string
	// Gaps says, for editors only, what the topic leaves out because the
	// reference notes do not support it yet. Never shown to a worker.
	Gaps string
	Body string // Markdown
	Hash string
	File string // path inside the loaded fs.FS
}

// Status says how far a topic in some language can be trusted.
type Status int

const (
	StatusOK         Status = iota
	StatusMissing           // no translation: the English topic is served instead
	StatusOutdated          // translated from an older English text
	StatusUnreviewed        // no native speaker or editor reviewed it yet
	StatusNotFound          // no such topic, not even in English
)

func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusMissing:
		return "missing"
	case StatusOutdated:
		return "outdated"
	case StatusUnreviewed:
		return "unreviewed"
	case StatusNotFound:
		return "not found"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

const fence = "+++"

var (
	idShape       = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	reviewedShape = regexp.MustCompile(`^\S.*, \d{4}-\d{2}-\d{2}$`)
	hashShape     = regexp.MustCompile(`^[0-9a-f]{16}$`)
)

// knownKeys lists the front matter keys in their documented order.
var knownKeys = []string{"id", "title", "order", "summary", "sources", "reviewed", "translated_from", "gaps"}

// parsedFile keeps what validation needs to point back into the file.
type parsedFile struct {
	topic     Topic
	keyLine   map[string]int // front matter key → file line
	fmLines   []string       // front matter lines; fmLines[0] is file line 2
	bodyStart int            // file line of the first body line
	hasOrder  bool
}

// Hash identifies a version of a topic file for translation tracking. The
// reviewed and translated_from lines are left out, so that marking a text
// reviewed does not make its translations outdated.
func Hash(file []byte) string {
	file = bytes.ReplaceAll(file, []byte("\r\n"), []byte("\n"))
	lines := strings.SplitAfter(string(file), "\n")
	var kept strings.Builder
	inFrontMatter := false
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		if trimmed == fence {
			inFrontMatter = i == 0
		}
		if inFrontMatter && i > 0 && (keyOf(line) == "reviewed" || keyOf(line) == "translated_from") {
			continue
		}
		kept.WriteString(line)
	}
	sum := sha256.Sum256([]byte(kept.String()))
	return hex.EncodeToString(sum[:])[:16]
}

// keyOf returns the bare key a TOML "key = value" line assigns, or "".
func keyOf(line string) string {
	key, _, ok := strings.Cut(line, "=")
	if !ok {
		return ""
	}
	key = strings.TrimSpace(key)
	if !idShape.MatchString(strings.ReplaceAll(key, "_", "-")) {
		return ""
	}
	return key
}

// parseFile splits a topic file into front matter and body and decodes the
// front matter. Problems are reported against name.
func parseFile(name, lang string, data []byte) (parsedFile, []Problem) {
	var problems []Problem
	report := func(line int, format string, args ...any) {
		problems = append(problems, Problem{File: name, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	pf := parsedFile{keyLine: map[string]int{}}
	text := strings.TrimPrefix(strings.ReplaceAll(string(data), "\r\n", "\n"), "\ufeff")
	lines := strings.Split(text, "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != fence {
		report(1, "file must start with a %q line opening the TOML front matter", fence)
		return pf, problems
	}
	closing := -1
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == fence {
			closing = i
			break
		}
	}
	if closing < 0 {
		report(1, "front matter is not closed by a %q line", fence)
		return pf, problems
	}
	// The front matter lines and the body are slices of text, so the file
	// is held once for the life of the process, not once more as a copy.
	pf.fmLines = lines[1:closing:closing]
	pf.bodyStart = closing + 2
	for i, line := range pf.fmLines {
		if key := keyOf(line); key != "" {
			if _, seen := pf.keyLine[key]; !seen {
				pf.keyLine[key] = i + 2
			}
		}
	}

	var raw map[string]any
	if _, err := toml.Decode(strings.Join(pf.fmLines, "\n"), &raw); err != nil {
		line := 1
		var perr toml.ParseError
		if errors.As(err, &perr) {
			line = perr.Position.Line + 1
		}
		report(line, "front matter: %s", tomlMessage(err))
		return pf, problems
	}

	t := &pf.topic
	t.Lang = lang
	t.File = name
	bodyAt := 0
	for _, line := range lines[:closing+1] {
		bodyAt += len(line) + len("\n")
	}
	t.Body = text[min(bodyAt, len(text)):]
	t.Hash = Hash(data)
	str := func(key string, required bool) string {
		v, ok := raw[key]
		if !ok {
			if required {
				report(closing+1, "front matter: missing %q", key)
			}
			return ""
		}
		s, ok := v.(string)
		if !ok {
			report(pf.line(key), "front matter: %q must be a string", key)
			return ""
		}
		if required && strings.TrimSpace(s) == "" {
			report(pf.line(key), "front matter: %q is empty", key)
		}
		return s
	}
	t.ID = str("id", true)
	t.Title = str("title", true)
	t.Summary = str("summary", true)
	t.Reviewed = str("reviewed", false)
	t.TranslatedFrom = str("translated_from", false)
	t.Gaps = str("gaps", false)
	if v, ok := raw["order"]; !ok {
		report(closing+1, "front matter: missing %q", "order")
	} else if n, ok := v.(int64); !ok || n <= 0 {
		report(pf.line("order"), "front matter: \"order\" must be a positive integer")
	} else {
		t.Order = int(n)
		pf.hasOrder = true
	}
	if v, ok := raw["sources"]; !ok {
		report(closing+1, "front matter: missing %q (use [] when the topic cites nothing)", "sources")
	} else if list, ok := v.([]any); !ok {
		report(pf.line("sources"), "front matter: \"sources\" must be an array of strings")
	} else {
		for _, item := range list {
			s, ok := item.(string)
			if !ok {
				report(pf.line("sources"), "front matter: \"sources\" must be an array of strings")
				continue
			}
			t.Sources = append(t.Sources, s)
		}
	}
	for key := range raw {
		if !isKnownKey(key) {
			report(pf.line(key), "front matter: unknown key %q (known: %s)", key, strings.Join(knownKeys, ", "))
		}
	}
	if t.ID != "" && !idShape.MatchString(t.ID) {
		report(pf.line("id"), "id %q must be lower-case words joined by hyphens", t.ID)
	}
	if t.Reviewed != "" && !reviewedShape.MatchString(t.Reviewed) {
		report(pf.line("reviewed"), "reviewed %q must look like \"Name, YYYY-MM-DD\" (empty while unreviewed)", t.Reviewed)
	}
	if strings.TrimSpace(t.Body) == "" {
		report(pf.bodyStart, "topic body is empty")
	}
	return pf, problems
}

func isKnownKey(key string) bool {
	for _, k := range knownKeys {
		if k == key {
			return true
		}
	}
	return false
}

// line returns the file line of a front matter key, or the opening fence
// when the key is absent.
func (pf parsedFile) line(key string) int {
	if l, ok := pf.keyLine[key]; ok {
		return l
	}
	return 1
}

// valueLine finds the front matter line that holds a quoted value, so a bad
// entry of a multi-line array is reported where it is written.
func (pf parsedFile) valueLine(key, value string) int {
	quoted := fmt.Sprintf("%q", value)
	start := pf.line(key) - 2
	for i := max(start, 0); i < len(pf.fmLines); i++ {
		if strings.Contains(pf.fmLines[i], quoted) {
			return i + 2
		}
	}
	return pf.line(key)
}

// bodyLine converts a byte offset in the body into a file line.
func (pf parsedFile) bodyLine(offset int) int {
	body := pf.topic.Body
	offset = min(max(offset, 0), len(body))
	return pf.bodyStart + strings.Count(body[:offset], "\n")
}

func tomlMessage(err error) string {
	var perr toml.ParseError
	if errors.As(err, &perr) {
		return perr.Message
	}
	return err.Error()
}
