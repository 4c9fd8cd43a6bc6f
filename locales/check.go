package locales

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"github.com/rightsdesk/rightsdesk/content/guide"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Problem is one defect found by Check, located for an editor.
type Problem struct {
	File    string
	Line    int // 0 when the problem has no single line, e.g. a missing message
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// pluralForms are the CLDR forms go-i18n selects for integer and decimal
// counts in each supported language; "other" is always required.
var pluralForms = map[string][]string{
	"az": {"one", "other"},
	"en": {"one", "other"},
	"ka": {"one", "other"},
	"kk": {"one", "other"},
	"ro": {"one", "few", "other"},
	"ru": {"one", "few", "many", "other"},
}

var allForms = []string{"zero", "one", "two", "few", "many", "other"}

// messageKeys are the keys go-i18n reads from a message table, lower-cased as
// go-i18n compares them. Anything else is most likely a typo ("othr").
var messageKeys = map[string]bool{
	"description": true, "hash": true, "leftdelim": true, "rightdelim": true,
	"zero": true, "one": true, "two": true, "few": true, "many": true, "other": true,
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// message is one message of one language as Check sees it.
type message struct {
	lang   string
	id     string
	forms  map[string]string // plural form → template source
	fields map[string]bool   // {{.Field}} references in any form
	plural bool              // has a form besides "other"
	// hash is what goi18n merge records in a translation: the English text
	// it was made from. For English, sourceHash computes the current one.
	hash        string
	description string
}

// sourceHash is goi18n merge's fingerprint of an English message.
func (m *message) sourceHash() string {
	return fmt.Sprintf("sha1-%x", sha1.Sum([]byte(m.description+m.forms["other"])))
}

type checker struct {
	dir      string
	problems []Problem
	lines    map[string]*lineIndex // by file name
	messages map[string]map[string]*message
}

// Check validates the message files in dir against each other: same ids in
// every language, same placeholders, templates that parse, plural forms each
// language needs, Telegram HTML that will not be rejected, and a well-formed
// status.toml. It returns nil when the directory is clean.
func Check(dir string) []Problem {
	c := &checker{dir: dir, lines: map[string]*lineIndex{}, messages: map[string]map[string]*message{}}
	fsys := os.DirFS(dir)
	for _, lang := range Languages {
		c.readLanguage(fsys, lang)
	}
	c.checkUnknownLanguages(fsys)
	if c.messages[Default] != nil {
		for _, lang := range Languages {
			if lang != Default && c.messages[lang] != nil {
				c.compare(lang)
			}
		}
	}
	c.checkStatus(fsys)
	slices.SortFunc(c.problems, func(a, b Problem) int {
		if n := strings.Compare(a.File, b.File); n != 0 {
			return n
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return strings.Compare(a.Message, b.Message)
	})
	return c.problems
}

func (c *checker) report(name string, line int, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: filepath.Join(c.dir, name), Line: line, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) readLanguage(fsys fs.FS, lang string) {
	name := messageFile(lang)
	buf, err := fs.ReadFile(fsys, name)
	if err != nil {
		c.report(name, 0, "cannot read the %s file: %v", lang, err)
		return
	}
	var raw map[string]any
	if _, err := toml.Decode(string(buf), &raw); err != nil {
		line := 0
		var perr toml.ParseError
		if errors.As(err, &perr) {
			line = perr.Position.Line
		}
		c.report(name, line, "not valid TOML: %v", err)
		return
	}
	lines := indexLines(string(buf))
	c.lines[name] = lines
	msgs := map[string]*message{}
	for _, id := range sortedKeys(raw) {
		if m := c.readMessage(name, lang, id, raw[id], lines); m != nil {
			msgs[id] = m
		}
	}
	c.messages[lang] = msgs
}

func (c *checker) readMessage(name, lang, id string, value any, lines *lineIndex) *message {
	line := lines.table(id)
	if !idPattern.MatchString(id) {
		c.report(name, line, "message id %q is not snake_case", id)
	}
	table, ok := value.(map[string]any)
	if !ok {
		c.report(name, lines.topKey(id), "%q must be a [%s] table with description and other", id, id)
		return nil
	}
	m := &message{lang: lang, id: id, forms: map[string]string{}, fields: map[string]bool{}}
	var leftDelim, rightDelim string
	for _, key := range sortedKeys(table) {
		lower := strings.ToLower(key)
		if !messageKeys[lower] {
			c.report(name, lines.key(id, key), "message %q: unknown key %q", id, key)
			continue
		}
		s, ok := table[key].(string)
		if !ok {
			c.report(name, lines.key(id, key), "message %q: %s must be a string", id, key)
			continue
		}
		switch lower {
		case "leftdelim":
			leftDelim = s
		case "rightdelim":
			rightDelim = s
		case "description":
			m.description = s
		case "hash":
			m.hash = s
		default:
			m.forms[lower] = s
			if lower != "other" {
				m.plural = true
			}
		}
	}
	if lang == Default && strings.TrimSpace(stringValue(table, "description")) == "" {
		c.report(name, line, "message %q: English needs a description for translators", id)
	}
	if strings.TrimSpace(m.forms["other"]) == "" {
		c.report(name, line, "message %q: other is missing or empty", id)
	}
	for _, form := range allForms {
		src, ok := m.forms[form]
		if !ok {
			continue
		}
		formLine := lines.key(id, form)
		if form != "other" && strings.TrimSpace(src) == "" {
			c.report(name, formLine, "message %q: %s is empty", id, form)
		}
		fields, skeleton, err := parseTemplate(src, leftDelim, rightDelim)
		if err != nil {
			c.report(name, formLine, "message %q: %s does not parse: %v", id, form, err)
			continue
		}
		for f := range fields {
			m.fields[f] = true
		}
		if err := guide.ValidateHTML(skeleton); err != nil {
			c.report(name, formLine, "message %q: %s: %v", id, form, err)
		}
	}
	if m.plural {
		for _, form := range pluralForms[lang] {
			if strings.TrimSpace(m.forms[form]) == "" && form != "other" {
				c.report(name, line, "message %q: plural message needs the %q form in %s", id, form, lang)
			}
		}
		for form := range m.forms {
			if !slices.Contains(pluralForms[lang], form) {
				c.report(name, lines.key(id, form), "message %q: %s never uses the %q form", id, lang, form)
			}
		}
	}
	return m
}

// compare checks lang against the source language.
func (c *checker) compare(lang string) {
	name := messageFile(lang)
	source, target := c.messages[Default], c.messages[lang]
	sourceLines, lines := c.lines[messageFile(Default)], c.lines[name]
	for _, id := range sortedKeys(source) {
		if target[id] == nil {
			c.report(name, 0, "message %q is missing (it is in %s:%d)", id, messageFile(Default), sourceLines.table(id))
		}
	}
	for _, id := range sortedKeys(target) {
		src, ok := source[id]
		if !ok {
			c.report(name, lines.table(id), "message %q is not in %s; add it there first or remove it", id, messageFile(Default))
			continue
		}
		m := target[id]
		if m.hash != "" && m.hash != src.sourceHash() {
			c.report(name, lines.key(id, "hash"), "message %q was translated from an older English text; update the translation, then run goi18n merge", id)
		}
		for _, f := range sortedKeys(src.fields) {
			if !m.fields[f] {
				c.report(name, lines.table(id), "message %q: placeholder {{.%s}} is missing", id, f)
			}
		}
		for _, f := range sortedKeys(m.fields) {
			if !src.fields[f] {
				c.report(name, lines.table(id), "message %q: placeholder {{.%s}} is not in English; the program will not fill it", id, f)
			}
		}
		if src.plural && !m.plural {
			c.report(name, lines.table(id), "message %q: English has plural forms, this translation has none", id)
		}
		if !src.plural && m.plural {
			c.report(name, lines.table(id), "message %q: English has no plural forms, so these will never be used", id)
		}
	}
}

func (c *checker) checkUnknownLanguages(fsys fs.FS) {
	names, _ := fs.Glob(fsys, "active.*.toml")
	for _, name := range names {
		lang := strings.TrimSuffix(strings.TrimPrefix(name, "active."), ".toml")
		if !slices.Contains(Languages, lang) {
			c.report(name, 0, "%q is not a supported language (%s); this file is never loaded", lang, strings.Join(Languages, ", "))
		}
	}
}

func (c *checker) checkStatus(fsys fs.FS) {
	buf, err := fs.ReadFile(fsys, statusFile)
	if err != nil {
		c.report(statusFile, 0, "cannot read review status: %v", err)
		return
	}
	var status map[string]Review
	md, err := toml.Decode(string(buf), &status)
	if err != nil {
		c.report(statusFile, 0, "not valid: %v", err)
		return
	}
	lines := indexLines(string(buf))
	for _, key := range md.Undecoded() {
		c.report(statusFile, lines.key(key[0], key[len(key)-1]), "unknown key %q", key.String())
	}
	for _, lang := range Languages {
		if _, ok := status[lang]; !ok {
			c.report(statusFile, 0, "no [%s] entry; add one even if unreviewed", lang)
		}
	}
	for _, lang := range sortedKeys(status) {
		r := status[lang]
		line := lines.table(lang)
		if !slices.Contains(Languages, lang) {
			c.report(statusFile, line, "%q is not a supported language", lang)
		}
		if (r.ReviewedBy == "") != (r.ReviewedOn == "") {
			c.report(statusFile, line, "[%s] needs both reviewed_by and reviewed_on, or neither", lang)
		}
		if r.ReviewedOn != "" {
			if _, err := time.Parse(time.DateOnly, r.ReviewedOn); err != nil {
				c.report(statusFile, lines.key(lang, "reviewed_on"), "[%s] reviewed_on must be YYYY-MM-DD", lang)
			}
		}
	}
}

// parseTemplate returns the data fields a message template reads and its
// text with every placeholder replaced by a neutral letter, for the HTML
// check. It parses exactly as the catalog will at run time.
func parseTemplate(src, leftDelim, rightDelim string) (map[string]bool, string, error) {
	pieces, err := parsePlaceholders(src, leftDelim, rightDelim)
	if err != nil {
		return nil, "", err
	}
	fields := map[string]bool{}
	var skeleton strings.Builder
	for _, p := range pieces {
		if p.field {
			fields[p.text] = true
			skeleton.WriteString("x")
		} else {
			skeleton.WriteString(p.text)
		}
	}
	return fields, skeleton.String(), nil
}

// lineIndex finds where tables and keys sit in a TOML file, so problems point
// at a line rather than at a message id an editor must search for.
type lineIndex struct {
	tables map[string]int
	keys   map[string]map[string]int // table ("" = top level) → key → line
}

var (
	tableLine = regexp.MustCompile(`^\s*\[\s*("?)([^\]"]+)("?)\s*\]`)
	keyLine   = regexp.MustCompile(`^\s*("?)([A-Za-z0-9_-]+)("?)\s*=`)
)

func indexLines(src string) *lineIndex {
	idx := &lineIndex{tables: map[string]int{}, keys: map[string]map[string]int{}}
	current := ""
	inMultiline := false
	for n, line := range strings.Split(src, "\n") {
		quotes := strings.Count(line, `"""`) + strings.Count(line, `'''`)
		if inMultiline {
			if quotes%2 == 1 {
				inMultiline = false
			}
			continue
		}
		if m := tableLine.FindStringSubmatch(line); m != nil {
			current = strings.TrimSpace(m[2])
			idx.tables[current] = n + 1
		} else if m := keyLine.FindStringSubmatch(line); m != nil {
			if idx.keys[current] == nil {
				idx.keys[current] = map[string]int{}
			}
			if _, seen := idx.keys[current][m[2]]; !seen {
				idx.keys[current][m[2]] = n + 1
			}
		}
		if quotes%2 == 1 {
			inMultiline = true
		}
	}
	return idx
}

func (idx *lineIndex) table(name string) int {
	if idx == nil {
		return 0
	}
	return idx.tables[name]
}

// key returns the line of key inside table, or the table's own line.
func (idx *lineIndex) key(table, key string) int {
	if idx == nil {
		return 0
	}
	for k, line := range idx.keys[table] {
		if strings.EqualFold(k, key) {
			return line
		}
	}
	return idx.tables[table]
}

func (idx *lineIndex) topKey(key string) int { return idx.key("", key) }

func stringValue(table map[string]any, key string) string {
	for k, v := range table {
		if strings.EqualFold(k, key) {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
