package guide

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/yuin/goldmark/ast"
)

// SourceLanguage is the language every topic is written in first; the
// other languages translate it and fall back to it.
const SourceLanguage = "en"

// Languages lists the guide languages in the order they are shown.
var Languages = []string{"az", "ru", "ka", "ro", "kk", "en"}

// Guide holds every topic in every language, rendered once at load.
type Guide struct {
	topics map[string]map[string]*entry // language → id → entry
	order  []string                     // English ids in reading order
}

// entry is a loaded topic with what rendering and validation derived from it.
type entry struct {
	topic Topic
	file  parsedFile
	html  string // the topic as rendered: head, then body
	head  string // the title in bold with the blank line after it, a prefix of html
	body  string // the rest of html, not a second copy
	// pages is how html splits into pages. The plan, not the pages, is
	// kept: a page that closes or reopens tags at a cut is a copy of its
	// part of the topic, held for as long as the bot runs, while
	// assembling it again for each reader is cheap.
	pages  []part
	phones []phoneMention
	// instruments are the distinct instruments of the sources, in order.
	instruments []string
	// withIntro keeps how PagesWith split the topic, by intro: the intro
	// depends only on the reader's country and language, and splitting a
	// topic afresh for every page turned was 7 % of the bot's CPU while
	// people read the guide. The plan, not the pages, is kept: a
	// few words per page instead of a copy of the topic per country.
	withIntro  sync.Map // intro → []part
	introsKept atomic.Int32
}

// maxIntrosKept bounds the intros kept per topic and language: one per
// country a reader can work in, in each language that falls back to it.
const maxIntrosKept = 128

// TopicRef is a line of a table of contents.
type TopicRef struct {
	ID, Title, Summary string
	Order              int
	Status             Status
}

// SearchDoc is the text of one topic in one language, for the full-text index.
type SearchDoc struct {
	Lang, ID, Title, Text string
}

// Parity is the translation table: one row per topic, one Status per
// language in Languages order.
type Parity struct {
	Languages []string
	Rows      []ParityRow
}

// ParityRow is one topic's status in each language.
type ParityRow struct {
	ID     string
	Status []Status
}

// Load reads root/<lang>/<id>.md from fsys. It returns every topic that
// could be read, even when there are problems, so one bad file does not hide
// the others; callers that publish content should refuse problems.
func Load(fsys fs.FS, root string) (*Guide, []Problem) {
	g := &Guide{topics: map[string]map[string]*entry{}}
	var problems []Problem
	report := func(file string, line int, format string, args ...any) {
		problems = append(problems, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	dirs, err := fs.ReadDir(fsys, root)
	if err != nil {
		report(root, 0, "cannot read the guide: %v", err)
		return g, problems
	}
	for _, d := range dirs {
		name := path.Join(root, d.Name())
		// The guide directory is also this Go package, so its own source
		// and testdata live beside the language directories.
		switch {
		case strings.HasPrefix(d.Name(), "."), d.Name() == "testdata":
		case !d.IsDir():
			if path.Ext(d.Name()) == ".md" && d.Name() != "README.md" {
				report(name, 0, "topics belong in a language directory such as %s/en/", root)
			}
		case !slices.Contains(Languages, d.Name()):
			report(name, 0, "unknown language directory %q (languages: %s)", d.Name(), strings.Join(Languages, ", "))
		default:
			problems = append(problems, g.loadLanguage(fsys, name, d.Name())...)
		}
	}
	problems = append(problems, g.checkTranslations()...)
	sortProblems(problems)
	return g, problems
}

func (g *Guide) loadLanguage(fsys fs.FS, dir, lang string) []Problem {
	var problems []Problem
	files, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return []Problem{{File: dir, Message: err.Error()}}
	}
	g.topics[lang] = map[string]*entry{}
	for _, f := range files {
		name := path.Join(dir, f.Name())
		if strings.HasPrefix(f.Name(), ".") {
			continue
		}
		if f.IsDir() || path.Ext(f.Name()) != ".md" {
			problems = append(problems, Problem{File: name, Message: "only <id>.md topic files belong here"})
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			problems = append(problems, Problem{File: name, Message: err.Error()})
			continue
		}
		e, p := loadTopic(name, lang, data)
		problems = append(problems, p...)
		if e == nil {
			continue
		}
		id := e.topic.ID
		if want := strings.TrimSuffix(f.Name(), ".md"); id != want {
			problems = append(problems, Problem{File: name, Line: e.file.line("id"),
				Message: fmt.Sprintf("id %q differs from the file name; expected %q", id, want)})
		}
		if other, dup := g.topics[lang][id]; dup {
			problems = append(problems, Problem{File: name, Line: e.file.line("id"),
				Message: fmt.Sprintf("duplicate id %q, also in %s", id, other.topic.File)})
			continue
		}
		g.topics[lang][id] = e
	}
	if lang == SourceLanguage {
		for id := range g.topics[lang] {
			g.order = append(g.order, id)
		}
		en := g.topics[lang]
		sort.Slice(g.order, func(i, j int) bool {
			a, b := en[g.order[i]].topic, en[g.order[j]].topic
			if a.Order != b.Order {
				return a.Order < b.Order
			}
			return a.ID < b.ID
		})
	}
	return problems
}

// loadTopic parses, renders and checks one file on its own.
func loadTopic(name, lang string, data []byte) (*entry, []Problem) {
	pf, problems := parseFile(name, lang, data)
	t := pf.topic
	if t.ID == "" {
		return nil, problems
	}
	report := func(line int, format string, args ...any) {
		problems = append(problems, Problem{File: name, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	e := &entry{topic: t, file: pf}

	seen := map[string]bool{}
	sources := make([]source, 0, len(t.Sources))
	for _, s := range t.Sources {
		parsed, ok := parseSource(s)
		switch {
		case !ok:
			report(pf.valueLine("sources", s), "source %q is not in the form \"C181 art. 7(1)\", \"P29 art. 4\", \"ICRMW art. 21\", \"Palermo art. 3(a)\", \"FRP GP 7\" or \"Dhaka principle 4\"", s)
		case seen[s]:
			report(pf.valueLine("sources", s), "source %q is listed twice", s)
		default:
			sources = append(sources, parsed)
			if !slices.Contains(e.instruments, parsed.instrument) {
				e.instruments = append(e.instruments, parsed.instrument)
			}
		}
		seen[s] = true
	}
	if lang == SourceLanguage && t.TranslatedFrom != "" {
		report(pf.line("translated_from"), "translated_from must be empty in the English original")
	}

	body := []byte(t.Body)
	doc := parseMarkdown(body)
	e.phones, problems = inspectBody(doc, body, pf, problems)
	problems = append(problems, checkCitations(t, pf, sources)...)

	bodyHTML := (&renderer{src: body}).blocks(doc.FirstChild(), blockContext{})
	head := "<b>" + escapeText(t.Title) + "</b>\n\n"
	e.html = head + bodyHTML
	e.head, e.body = e.html[:len(head)], e.html[len(head):]
	if err := ValidateHTML(e.html); err != nil {
		report(pf.bodyStart, "rendered HTML would be rejected by Telegram: %v", err)
	}
	e.pages = plan(e.html, PageLimit)
	for i, page := range assemble(e.html, e.pages) {
		if n := VisibleLength(page); n > MessageLimit {
			report(pf.bodyStart, "page %d is %d characters long, over Telegram's limit of %d", i+1, n, MessageLimit)
		}
		if err := ValidateHTML(page); err != nil {
			report(pf.bodyStart, "page %d would be rejected by Telegram: %v", i+1, err)
		}
	}
	return e, problems
}

// inspectBody walks the Markdown AST for what rendering would silently
// drop or hide: bad links, raw HTML, images, and collects phone numbers.
func inspectBody(doc ast.Node, body []byte, pf parsedFile, problems []Problem) ([]phoneMention, []Problem) {
	var phones []phoneMention
	report := func(n ast.Node, format string, args ...any) {
		problems = append(problems, Problem{File: pf.topic.File, Line: pf.bodyLine(nodeOffset(n)), Message: fmt.Sprintf(format, args...)})
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			phones = append(phones, findPhones(string(n.Value(body)), n.Segment.Start)...)
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			segs := n.Lines()
			for i := range segs.Len() {
				seg := segs.At(i)
				phones = append(phones, findPhones(string(seg.Value(body)), seg.Start)...)
			}
		case *ast.Link:
			dest := string(n.Destination)
			if msg := linkProblem(dest); msg != "" {
				report(n, "%s: %q", msg, dest)
			} else if number, ok := strings.CutPrefix(strings.ToLower(dest), "tel:"); ok {
				phones = append(phones, phoneMention{text: number, digits: digitsOf(number), offset: nodeOffset(n)})
			}
		case *ast.AutoLink:
			dest := string(n.URL(body))
			if n.AutoLinkType != ast.AutoLinkURL {
				report(n, "e-mail links are not supported; write the address as text: %q", dest)
			} else if msg := linkProblem(dest); msg != "" {
				report(n, "%s: %q", msg, dest)
			}
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML, *ast.HTMLBlock:
			report(n, "raw HTML is shown to readers as literal text; use Markdown instead")
			return ast.WalkSkipChildren, nil
		case *ast.Image:
			report(n, "images cannot be shown in Telegram text; only the alt text would appear")
		}
		return ast.WalkContinue, nil
	})
	return phones, problems
}

// nodeOffset finds a byte offset for reporting a node: its first text, its
// first source line, or its parent's.
func nodeOffset(n ast.Node) int {
	for c := n; c != nil; c = c.Parent() {
		if off := firstOffset(c); off >= 0 {
			return off
		}
	}
	return 0
}

func firstOffset(n ast.Node) int {
	switch n := n.(type) {
	case *ast.Text:
		return n.Segment.Start
	case *ast.RawHTML:
		if n.Segments.Len() > 0 {
			return n.Segments.At(0).Start
		}
	}
	if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
		return n.Lines().At(0).Start
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if off := firstOffset(c); off >= 0 {
			return off
		}
	}
	return -1
}

// checkCitations compares the provisions a body cites with its sources.
// English citations must each be covered by a source; translations may
// translate the citation words, so there only the instrument codes are
// compared.
func checkCitations(t Topic, pf parsedFile, sources []source) []Problem {
	var problems []Problem
	// Newlines become spaces so a citation wrapped across lines still
	// matches, without moving any offset.
	body := strings.ReplaceAll(t.Body, "\n", " ")
	masked := webAddress.ReplaceAllStringFunc(body, func(m string) string { return strings.Repeat("x", len(m)) })
	if t.Lang == SourceLanguage {
		for _, c := range englishCitations(masked) {
			if !slices.ContainsFunc(sources, func(s source) bool { return s.covers(c.source) }) {
				problems = append(problems, Problem{File: t.File, Line: pf.bodyLine(c.offset),
					Message: fmt.Sprintf("body cites %q but sources has no %q", c.text, c.source.String())})
			}
		}
	} else {
		// A translator may reword a citation, never renumber it.
		for _, c := range translatedCitations(masked) {
			if !slices.ContainsFunc(sources, func(s source) bool {
				return s.instrument == c.source.instrument && s.article == c.source.article
			}) {
				problems = append(problems, Problem{File: t.File, Line: pf.bodyLine(c.offset),
					Message: fmt.Sprintf("body cites %q, but sources has no article %s of %s", c.text, c.source.article, c.source.instrument)})
			}
		}
	}
	for _, m := range instrumentCode.FindAllStringIndex(masked, -1) {
		code := masked[m[0]:m[1]]
		if !slices.ContainsFunc(sources, func(s source) bool { return s.instrument == code }) {
			problems = append(problems, Problem{File: t.File, Line: pf.bodyLine(m[0]),
				Message: fmt.Sprintf("body mentions %s but no source of %s is listed", code, code)})
		}
	}
	return problems
}

// checkTranslations compares every translation with its English original.
func (g *Guide) checkTranslations() []Problem {
	var problems []Problem
	en := g.topics[SourceLanguage]
	for _, lang := range Languages {
		if lang == SourceLanguage {
			continue
		}
		for _, id := range sortedIDs(g.topics[lang]) {
			e := g.topics[lang][id]
			t := e.topic
			report := func(line int, format string, args ...any) {
				problems = append(problems, Problem{File: t.File, Line: line, Message: fmt.Sprintf(format, args...)})
			}
			original, ok := en[id]
			if !ok {
				report(e.file.line("id"), "no English original %s/%s.md for this translation", SourceLanguage, id)
				continue
			}
			switch {
			case t.TranslatedFrom == "":
				report(e.file.line("translated_from"), "translated_from is empty; set it to the hash of the English text translated (currently %q)", original.topic.Hash)
			case !hashShape.MatchString(t.TranslatedFrom):
				report(e.file.line("translated_from"), "translated_from %q is not a 16-digit hash (the English text is currently %q)", t.TranslatedFrom, original.topic.Hash)
			}
			if e.file.hasOrder && t.Order != original.topic.Order {
				report(e.file.line("order"), "order %d differs from the English order %d", t.Order, original.topic.Order)
			}
		}
	}
	return problems
}

// CheckSources reports sources whose article the reference notes do not
// document, so that no citation goes unverified.
func (g *Guide) CheckSources(norms Norms) []Problem {
	var problems []Problem
	g.each(func(e *entry) {
		for _, s := range e.topic.Sources {
			parsed, ok := parseSource(s)
			if ok && !norms.Has(parsed.instrument, parsed.article) {
				problems = append(problems, Problem{File: e.topic.File, Line: e.file.valueLine("sources", s),
					Message: fmt.Sprintf("source %q: the reference notes do not document %s %s", s, parsed.instrument, parsed.article)})
			}
		}
	})
	sortProblems(problems)
	return problems
}

// CheckPhones reports phone numbers in topic bodies that are not in known,
// the set of numbers the service directory lists with a source (keys in any
// formatting; only digits are compared).
func (g *Guide) CheckPhones(known map[string]bool) []Problem {
	book := newPhoneBook(known)
	var problems []Problem
	g.each(func(e *entry) {
		for _, p := range e.phones {
			if !book.knows(p.digits) {
				problems = append(problems, Problem{File: e.topic.File, Line: e.file.bodyLine(p.offset),
					Message: fmt.Sprintf("phone number %q is not in the service directory; add it there with its source first", p.text)})
			}
		}
	})
	sortProblems(problems)
	return problems
}

func (g *Guide) each(f func(*entry)) {
	for _, lang := range Languages {
		for _, id := range sortedIDs(g.topics[lang]) {
			f(g.topics[lang][id])
		}
	}
}

// Topic returns the topic in lang, or the English one with StatusMissing
// when it is not translated (the caller shows a note), or StatusNotFound.
func (g *Guide) Topic(lang, id string) (Topic, Status) {
	e, status := g.lookup(lang, id)
	if e == nil {
		return Topic{}, status
	}
	return e.topic, status
}

func (g *Guide) lookup(lang, id string) (*entry, Status) {
	en, hasEnglish := g.topics[SourceLanguage][id]
	if e, ok := g.topics[lang][id]; ok {
		switch {
		case lang != SourceLanguage && hasEnglish && e.topic.TranslatedFrom != en.topic.Hash:
			return e, StatusOutdated
		case e.topic.Reviewed == "":
			return e, StatusUnreviewed
		}
		return e, StatusOK
	}
	if hasEnglish {
		return en, StatusMissing
	}
	return nil, StatusNotFound
}

// Topics returns the table of contents in lang, in reading order; topics
// not yet translated appear in English with StatusMissing.
func (g *Guide) Topics(lang string) []TopicRef {
	refs := make([]TopicRef, 0, len(g.order))
	for _, id := range g.order {
		e, status := g.lookup(lang, id)
		refs = append(refs, TopicRef{ID: id, Title: e.topic.Title, Summary: e.topic.Summary,
			Order: g.topics[SourceLanguage][id].topic.Order, Status: status})
	}
	return refs
}

// Pages returns the topic rendered as Telegram HTML messages of at most
// PageLimit characters, the first starting with the title in bold. It falls
// back to English like Topic, and returns nil for an unknown topic.
func (g *Guide) Pages(lang, id string) []string {
	e, _ := g.lookup(lang, id)
	if e == nil {
		return nil
	}
	return assemble(e.html, e.pages)
}

// PagesWith is Pages with intro (Telegram HTML) between the title and the
// body, split again so that no page grows past PageLimit. The bot puts what
// depends on the reader there, such as which cited conventions bind the
// reader's country of work.
func (g *Guide) PagesWith(lang, id, intro string) []string {
	e, _ := g.lookup(lang, id)
	switch {
	case e == nil:
		return nil
	case intro == "":
		return assemble(e.html, e.pages)
	}
	html := e.head + intro + "\n\n" + e.body
	if parts, ok := e.withIntro.Load(intro); ok {
		return assemble(html, parts.([]part))
	}
	parts := plan(html, PageLimit)
	if e.introsKept.Add(1) <= maxIntrosKept {
		e.withIntro.Store(intro, parts)
	}
	return assemble(html, parts)
}

// Instruments returns the instruments a topic's sources cite ("C181",
// "ICRMW", "Palermo", "FRP", "Dhaka"), each once, in the order of the
// sources; the English original's when the topic is not translated.
func (g *Guide) Instruments(lang, id string) []string {
	e, _ := g.lookup(lang, id)
	if e == nil {
		return nil
	}
	return slices.Clone(e.instruments)
}

// NonBinding tells whether an instrument is guidance that no state
// ratifies (the ILO fair-recruitment principles, the Dhaka Principles), so
// that "does it apply in my country" has no ratification to look up.
func NonBinding(instrument string) bool {
	return instrument == "FRP" || instrument == "Dhaka"
}

// CheckInstruments reports sources citing a treaty for which the country
// pages have no line (applies, does not apply, unknown): tracked tells
// whether the country pages know the instrument. Every treaty a topic cites
// must be one a worker can look up for the country where they work.
func (g *Guide) CheckInstruments(tracked func(instrument string) bool) []Problem {
	var problems []Problem
	g.each(func(e *entry) {
		for _, s := range e.topic.Sources {
			parsed, ok := parseSource(s)
			if ok && !NonBinding(parsed.instrument) && !tracked(parsed.instrument) {
				problems = append(problems, Problem{File: e.topic.File, Line: e.file.valueLine("sources", s),
					Message: fmt.Sprintf("source %q: the country pages have no applies/does-not-apply/unknown line for %s; add it to the instruments the country files track (and its instrument_ message in the locales)", s, parsed.instrument)})
			}
		}
	})
	sortProblems(problems)
	return problems
}

// SearchDocs returns the plain text of every topic in every language it is
// written in (fallbacks excluded), for the full-text index.
func (g *Guide) SearchDocs() []SearchDoc {
	var docs []SearchDoc
	g.each(func(e *entry) {
		t := e.topic
		// Derived here rather than kept: the index is built only at start
		// and on reload, and keeping the plain text would hold a third copy
		// of every topic for the rest of the time.
		docs = append(docs, SearchDoc{Lang: t.Lang, ID: t.ID, Title: t.Title, Text: t.Summary + "\n\n" + PlainText(e.body)})
	})
	return docs
}

// Parity returns each topic's status in each language. Topics with no
// English original come last.
func (g *Guide) Parity() Parity {
	ids := slices.Clone(g.order)
	var orphans []string
	for _, lang := range Languages {
		for id := range g.topics[lang] {
			if _, ok := g.topics[SourceLanguage][id]; !ok && !slices.Contains(orphans, id) {
				orphans = append(orphans, id)
			}
		}
	}
	sort.Strings(orphans)
	ids = append(ids, orphans...)
	p := Parity{Languages: slices.Clone(Languages)}
	for _, id := range ids {
		row := ParityRow{ID: id}
		for _, lang := range Languages {
			status := StatusMissing
			if e, ok := g.topics[lang][id]; ok {
				_, status = g.lookup(lang, e.topic.ID)
			}
			row.Status = append(row.Status, status)
		}
		p.Rows = append(p.Rows, row)
	}
	return p
}

func sortedIDs(m map[string]*entry) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func sortProblems(problems []Problem) {
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].File != problems[j].File {
			return problems[i].File < problems[j].File
		}
		return problems[i].Line < problems[j].Line
	})
}
