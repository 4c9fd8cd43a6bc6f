// Package glossary holds one glossary per language (content/glossary/<lang>.toml):
// the term the guide and the interface use for a concept, the variants they
// must not use, and why. The check applies it to the guide's topics and to
// the locale files, so a translator's synonym, a stigmatising word or an
// acronym that means something else where the reader lives ("OIM" reads as
// IOM in Moldova) is caught at the line where it is written.
package glossary

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Problem is one glossary violation or a defect of a glossary file.
type Problem struct {
	File    string
	Line    int
	Message string
}

// Term is one concept of a language's glossary.
type Term struct {
	// Concept names the concept in English, for editors and messages.
	Concept string `toml:"concept"`
	// Preferred is the one term to use.
	Preferred string `toml:"preferred"`
	// Forbidden are variants that must not appear. Words are separated by
	// spaces (any whitespace matches); a word ending in * matches any
	// ending, so "средств* защиты" catches every case of the phrase.
	// Matching ignores case and needs whole words.
	Forbidden []string `toml:"forbidden"`
	// Allowed are phrases in which a forbidden variant is correct (a legal
	// term such as "механизмы подачи жалоб"); they are masked first.
	Allowed []string `toml:"allowed"`
	// Messages limits the term to these locale message ids; the guide is
	// then not checked for it, and each of these messages must contain
	// Preferred. Used where a word is right in one place and wrong in
	// another (kk "Бас тарту" is Decline, never Cancel).
	Messages []string `toml:"messages"`
	Note     string   `toml:"note"`

	forbidden []*regexp.Regexp
	allowed   []*regexp.Regexp
	line      int
}

// Glossary is one language's terms.
type Glossary struct {
	Lang  string
	File  string
	Terms []Term
}

// Set is the glossaries by language.
type Set map[string]*Glossary

// Load reads dir/<lang>.toml for each language that has a file. Languages
// without a file have no glossary; a file for an unknown language is a
// problem.
func Load(fsys fs.FS, dir string, languages []string) (Set, []Problem) {
	set := Set{}
	entries, err := fs.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return set, nil
	}
	if err != nil {
		return set, []Problem{{File: dir, Message: err.Error()}}
	}
	var problems []Problem
	for _, e := range entries {
		name := path.Join(dir, e.Name())
		// The directory is also this Go package.
		if e.IsDir() || path.Ext(e.Name()) != ".toml" {
			continue
		}
		lang := strings.TrimSuffix(e.Name(), ".toml")
		if !slices.Contains(languages, lang) {
			problems = append(problems, Problem{File: name, Message: fmt.Sprintf("unknown language %q (languages: %s)", lang, strings.Join(languages, ", "))})
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			problems = append(problems, Problem{File: name, Message: err.Error()})
			continue
		}
		g, p := parse(name, lang, string(data))
		problems = append(problems, p...)
		set[lang] = g
	}
	return set, problems
}

func parse(name, lang, text string) (*Glossary, []Problem) {
	g := &Glossary{Lang: lang, File: name}
	var file struct {
		Term []Term `toml:"term"`
	}
	md, err := toml.Decode(text, &file)
	if err != nil {
		line := 0
		var perr toml.ParseError
		if errors.As(err, &perr) {
			line = perr.Position.Line
		}
		return g, []Problem{{File: name, Line: line, Message: "not valid TOML: " + err.Error()}}
	}
	var problems []Problem
	for _, key := range md.Undecoded() {
		problems = append(problems, Problem{File: name, Message: fmt.Sprintf("unknown key %q (known: term.concept, term.preferred, term.forbidden, term.allowed, term.messages, term.note)", key.String())})
	}
	// Terms are reported at their [[term]] line.
	var starts []int
	for i, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) == "[[term]]" {
			starts = append(starts, i+1)
		}
	}
	for i, t := range file.Term {
		if i < len(starts) {
			t.line = starts[i]
		}
		report := func(format string, args ...any) {
			problems = append(problems, Problem{File: name, Line: t.line, Message: fmt.Sprintf(format, args...)})
		}
		if strings.TrimSpace(t.Concept) == "" || strings.TrimSpace(t.Preferred) == "" {
			report("a term needs a concept and a preferred term")
		}
		if len(t.Forbidden) == 0 && len(t.Messages) == 0 {
			report("term %q forbids nothing and names no messages, so there is nothing to check", t.Concept)
		}
		for _, f := range t.Forbidden {
			re, err := phrase(f)
			if err != nil {
				report("forbidden %q: %v", f, err)
				continue
			}
			if re.MatchString(t.Preferred) {
				report("forbidden %q matches the preferred term %q itself", f, t.Preferred)
			}
			t.forbidden = append(t.forbidden, re)
		}
		for _, a := range t.Allowed {
			re, err := phrase(a)
			if err != nil {
				report("allowed %q: %v", a, err)
				continue
			}
			t.allowed = append(t.allowed, re)
		}
		g.Terms = append(g.Terms, t)
	}
	return g, problems
}

// letter is what counts as part of a word: letters and combining marks.
const letter = `\p{L}\p{M}`

// phrase compiles a forbidden or allowed phrase: whole words, any
// whitespace between them, "*" at a word's end for any ending, case ignored.
func phrase(p string) (*regexp.Regexp, error) {
	words := strings.Fields(p)
	if len(words) == 0 {
		return nil, errors.New("empty phrase")
	}
	parts := make([]string, len(words))
	for i, w := range words {
		stem, open := strings.CutSuffix(w, "*")
		if stem == "" || strings.Contains(stem, "*") {
			return nil, errors.New(`"*" may only end a word`)
		}
		parts[i] = regexp.QuoteMeta(stem)
		if open {
			parts[i] += `[` + letter + `]*`
		}
	}
	return regexp.Compile(`(?i)(?:^|[^` + letter + `])(` + strings.Join(parts, `\s+`) + `)(?:[^` + letter + `]|$)`)
}

// Line is one line of text to check, where it was found, and for locale
// files the message it belongs to.
type Line struct {
	File    string
	Line    int
	Message string // locale message id; "" in the guide
	Text    string
}

// CheckGuide applies a language's glossary to guide lines of that
// language; terms limited to interface messages do not apply there.
func (g *Glossary) CheckGuide(lines []Line) []Problem {
	return g.check(lines, false)
}

// CheckLocale applies a language's glossary to its locale file's lines.
func (g *Glossary) CheckLocale(lines []Line) []Problem {
	return g.check(lines, true)
}

func (g *Glossary) check(lines []Line, locale bool) []Problem {
	if g == nil {
		return nil
	}
	var problems []Problem
	for _, t := range g.Terms {
		if len(t.Messages) > 0 && !locale {
			continue
		}
		for _, l := range lines {
			if len(t.Messages) > 0 && !slices.Contains(t.Messages, l.Message) {
				continue
			}
			text := l.Text
			for _, a := range t.allowed {
				text = a.ReplaceAllStringFunc(text, func(m string) string { return strings.Repeat("_", len(m)) })
			}
			for i, re := range t.forbidden {
				if m := re.FindStringSubmatch(text); m != nil {
					msg := fmt.Sprintf("glossary (%s, %s): %q (forbidden %q): write %q", g.Lang, t.Concept, m[1], t.Forbidden[i], t.Preferred)
					if t.Note != "" {
						msg += ": " + t.Note
					}
					problems = append(problems, Problem{File: l.File, Line: l.Line, Message: msg})
				}
			}
		}
		if locale {
			problems = append(problems, t.requirePreferred(g, lines)...)
		}
	}
	return problems
}

// requirePreferred: each message a term is limited to must use the term.
func (t Term) requirePreferred(g *Glossary, lines []Line) []Problem {
	var problems []Problem
	for _, id := range t.Messages {
		var first *Line
		found := false
		for i := range lines {
			if lines[i].Message != id {
				continue
			}
			if first == nil {
				first = &lines[i]
			}
			if strings.Contains(strings.ToLower(lines[i].Text), strings.ToLower(t.Preferred)) {
				found = true
			}
		}
		switch {
		case first == nil:
			problems = append(problems, Problem{File: g.File, Line: t.line,
				Message: fmt.Sprintf("glossary (%s): term %q names message %q, which the locale file does not have", g.Lang, t.Concept, id)})
		case !found:
			problems = append(problems, Problem{File: first.File, Line: first.Line,
				Message: fmt.Sprintf("glossary (%s): message %s must say %q for %s", g.Lang, id, t.Preferred, t.Concept)})
		}
	}
	return problems
}

// tableHeader is a go-i18n message table's header line, "[message_id]".
var tableHeader = regexp.MustCompile(`^\[([a-z][a-z0-9_]*)\]\s*$`)

// LocaleLines splits a go-i18n TOML file into the lines a reader sees:
// message texts with their message id, without descriptions, hashes and
// comments, which are written for translators in English.
func LocaleLines(file, text string) []Line {
	var out []Line
	id := ""
	inString := false
	for i, l := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(l)
		if !inString {
			if m := tableHeader.FindStringSubmatch(trimmed); m != nil {
				id = m[1]
				continue
			}
			key, _, _ := strings.Cut(trimmed, "=")
			switch strings.TrimSpace(key) {
			case "description", "hash", "leftdelim", "rightdelim":
				continue
			}
			if strings.HasPrefix(trimmed, "#") || trimmed == "" {
				continue
			}
		}
		if strings.Count(l, `"""`)%2 == 1 {
			inString = !inString
		}
		if id != "" {
			out = append(out, Line{File: file, Line: i + 1, Message: id, Text: l})
		}
	}
	return out
}

// TopicLines splits a guide topic into the lines a reader sees, numbered
// from 1: the title, the summary and the body. The rest of the front
// matter (sources, gaps, comments) is for editors.
func TopicLines(file, text string) []Line {
	var out []Line
	lines := strings.Split(text, "\n")
	inFrontMatter := len(lines) > 0 && strings.TrimSpace(lines[0]) == "+++"
	for i, l := range lines {
		if inFrontMatter {
			if i > 0 && strings.TrimSpace(l) == "+++" {
				inFrontMatter = false
				continue
			}
			key, _, _ := strings.Cut(l, "=")
			if k := strings.TrimSpace(key); k != "title" && k != "summary" {
				continue
			}
		}
		out = append(out, Line{File: file, Line: i + 1, Text: l})
	}
	return out
}
