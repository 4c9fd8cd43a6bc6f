package content

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/rightsdesk/rightsdesk/content/glossary"
)

// researchNotes are phrases of the team's own research trail: where a fact
// was gathered (the reference notes, the seed documents, mirror copies of
// a site), not where it is published. A worker is shown sources as public
// names and links only (NORMLEX, a ministry's site, a newspaper and its
// date); the trail stays in `note` fields and file comments.
var researchNotes = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\bseeds?\b`),
	regexp.MustCompile(`(?i)\bcompiled\b`),
	regexp.MustCompile(`(?i)\b(?:norms|directory)\.md\b`),
	regexp.MustCompile(`(?i)\breference (?:notes|table|norms|directory)\b`),
	regexp.MustCompile(`(?i)\bin (?:the )?reference\b`),
	regexp.MustCompile(`(?i)\bmirror(?:s|ed)?\b`),
	regexp.MustCompile(`(?i)\b(?:primary|original) source not named\b`),
	regexp.MustCompile(`/work/shared`),
}

// ResearchNote returns the research-trail phrase in a source shown to
// workers, or "" when it is a public name or link only.
func ResearchNote(source string) string {
	for _, re := range researchNotes {
		if m := re.FindString(source); m != "" {
			return m
		}
	}
	return ""
}

// shownSource is a country file's `source = "…"` line: the country pages
// print it in their source list.
var shownSource = regexp.MustCompile(`^\s*source\s*=\s*"((?:[^"\\]|\\.)*)"`)

// checkShownSources reports research notes in what the guide shows as
// sources: the country files' sources and the topics' text.
func checkShownSources(fsys fs.FS) []Problem {
	var problems []Problem
	report := func(file string, line int, note, where string) {
		problems = append(problems, Problem{File: file, Line: line, Message: fmt.Sprintf(
			"%s shows workers a research note (%q): name the public source (site, publisher, date) and keep the trail in `note` or a comment", where, note)})
	}
	countries, _ := fs.Glob(fsys, "countries/*.toml")
	for _, name := range countries {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			continue // the directory loader reports unreadable files
		}
		for i, line := range strings.Split(string(data), "\n") {
			if m := shownSource.FindStringSubmatch(line); m != nil {
				if note := ResearchNote(m[1]); note != "" {
					report(name, i+1, note, "this source")
				}
			}
		}
	}
	topics, _ := fs.Glob(fsys, path.Join(GuideDir, "*", "*.md"))
	for _, name := range topics {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			continue
		}
		for _, l := range glossary.TopicLines(name, string(data)) {
			if note := ResearchNote(l.Text); note != "" {
				report(name, l.Line, note, "this topic")
			}
		}
	}
	return problems
}
