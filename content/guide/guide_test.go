package guide

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const validEnglish = `+++
id = "documents"
title = "Your passport"
order = 50
summary = "No one but an official may take it."
sources = ["ICRMW art. 21", "C189 art. 9(c)", "Dhaka principle 4"]
reviewed = ""
translated_from = ""
+++

Only an official may take it (UN ICRMW, Art. 21).

Domestic workers keep their documents (ILO C189, Art. 9).

## What to do

- Call [the hotline](tel:+995322100229) or +995 32 2 100 229.
- See the Dhaka Principle 4.
`

const secondEnglish = `+++
id = "contract"
title = "Your contract"
order = 10
summary = "Get it in writing."
sources = []
+++

Ask for a written contract.
`

func translation(hash string) string {
	return `+++
id = "documents"
title = "Ваш паспорт"
order = 50
summary = "Никто не может забрать паспорт."
sources = ["ICRMW art. 21", "C189 art. 9(c)", "Dhaka principle 4"]
reviewed = ""
translated_from = "` + hash + `"
+++

Только должностное лицо может изъять документы (Конвенция ООН, ICRMW, ст. 21).
`
}

// writeContent writes files into a fresh directory and returns it as an FS.
func writeContent(t *testing.T, files map[string]string) fs.FS {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return os.DirFS(dir)
}

func loadClean(t *testing.T, files map[string]string) *Guide {
	t.Helper()
	g, problems := Load(writeContent(t, files), "guide")
	if len(problems) > 0 {
		t.Fatalf("unexpected problems: %v", problems)
	}
	return g
}

func TestLoadAndLookups(t *testing.T) {
	enHash := Hash([]byte(validEnglish))
	g := loadClean(t, map[string]string{
		"guide/en/documents.md": validEnglish,
		"guide/en/contract.md":  secondEnglish,
		"guide/ru/documents.md": translation(enHash),
		"guide/README.md":       "about the guide",
	})

	topic, status := g.Topic("en", "documents")
	if status != StatusUnreviewed || topic.Title != "Your passport" || topic.Order != 50 || topic.Hash != enHash ||
		topic.File != "guide/en/documents.md" || len(topic.Sources) != 3 || !strings.Contains(topic.Body, "What to do") {
		t.Errorf("Topic(en, documents) = %+v, %v", topic, status)
	}
	if topic, status := g.Topic("ru", "documents"); status != StatusUnreviewed || topic.Lang != "ru" {
		t.Errorf("Topic(ru, documents) = %q %q, %v; want the Russian text, unreviewed", topic.Lang, topic.Title, status)
	}
	if topic, status := g.Topic("kk", "documents"); status != StatusMissing || topic.Lang != "en" {
		t.Errorf("Topic(kk, documents) = %q, %v; want the English fallback, missing", topic.Lang, status)
	}
	if _, status := g.Topic("ru", "nothing"); status != StatusNotFound {
		t.Errorf("Topic(ru, nothing) status = %v, want not found", status)
	}

	refs := g.Topics("ru")
	if len(refs) != 2 || refs[0].ID != "contract" || refs[1].ID != "documents" {
		t.Fatalf("Topics(ru) = %+v, want contract then documents", refs)
	}
	if refs[0].Status != StatusMissing || refs[0].Title != "Your contract" || refs[1].Title != "Ваш паспорт" {
		t.Errorf("Topics(ru) = %+v", refs)
	}

	pages := g.Pages("ru", "documents")
	if len(pages) != 1 || !strings.HasPrefix(pages[0], "<b>Ваш паспорт</b>\n\n") {
		t.Errorf("Pages(ru, documents) = %q", pages)
	}
	if pages := g.Pages("en", "documents"); len(pages) != 1 || !strings.Contains(pages[0], "• Call <a href=\"tel:+995322100229\">the hotline</a>") {
		t.Errorf("Pages(en, documents) = %q", pages)
	}
	if g.Pages("en", "nothing") != nil {
		t.Error("Pages of an unknown topic should be nil")
	}

	docs := g.SearchDocs()
	if len(docs) != 3 {
		t.Fatalf("SearchDocs returned %d docs, want 3 (no fallbacks)", len(docs))
	}
	for _, d := range docs {
		if strings.ContainsAny(d.Text, "<>") || d.Title == "" || d.Text == "" {
			t.Errorf("search doc %s/%s is not plain text: %q", d.Lang, d.ID, d.Text)
		}
	}

	parity := g.Parity()
	want := map[string]string{"contract": "missing missing missing missing missing unreviewed",
		"documents": "missing unreviewed missing missing missing unreviewed"}
	if len(parity.Rows) != 2 || strings.Join(parity.Languages, " ") != "az ru ka ro kk en" {
		t.Fatalf("Parity() = %+v", parity)
	}
	for _, row := range parity.Rows {
		var got []string
		for _, s := range row.Status {
			got = append(got, s.String())
		}
		if strings.Join(got, " ") != want[row.ID] {
			t.Errorf("parity of %s = %v, want %s", row.ID, got, want[row.ID])
		}
	}
}

func TestStatusOfTranslations(t *testing.T) {
	enHash := Hash([]byte(validEnglish))
	reviewed := strings.Replace(translation(enHash), `reviewed = ""`, `reviewed = "Anna Petrova, 2026-11-20"`, 1)
	g := loadClean(t, map[string]string{"guide/en/documents.md": validEnglish, "guide/ru/documents.md": reviewed})
	if _, status := g.Topic("ru", "documents"); status != StatusOK {
		t.Errorf("reviewed, current translation: status %v, want ok", status)
	}

	changed := strings.Replace(validEnglish, "Only an official", "Only a public official", 1)
	g = loadClean(t, map[string]string{"guide/en/documents.md": changed, "guide/ru/documents.md": reviewed})
	if _, status := g.Topic("ru", "documents"); status != StatusOutdated {
		t.Errorf("translation of an older English text: status %v, want outdated", status)
	}
}

func TestHashIgnoresReviewMetadata(t *testing.T) {
	base := Hash([]byte(validEnglish))
	if len(base) != 16 {
		t.Fatalf("Hash = %q, want 16 hex digits", base)
	}
	marked := strings.Replace(validEnglish, `reviewed = ""`, `reviewed = "Anna Petrova, 2026-11-20"`, 1)
	marked = strings.Replace(marked, `translated_from = ""`, `translated_from = "0123456789abcdef"`, 1)
	if Hash([]byte(marked)) != base {
		t.Error("marking a text reviewed changed its hash")
	}
	if Hash([]byte(strings.ReplaceAll(validEnglish, "\n", "\r\n"))) != base {
		t.Error("line endings changed the hash")
	}
	for _, edit := range []string{"Only an official", `title = "Your passport"`, `order = 50`} {
		if Hash([]byte(strings.Replace(validEnglish, edit, edit+"!", 1))) == base {
			t.Errorf("editing %q did not change the hash", edit)
		}
	}
	// A "reviewed = …" line in the body is content, not metadata.
	if Hash([]byte(validEnglish+"reviewed = x\n")) == Hash([]byte(validEnglish)) {
		t.Error("a body line was left out of the hash")
	}
}

func TestValidationProblems(t *testing.T) {
	enHash := Hash([]byte(validEnglish))
	tests := []struct {
		name  string
		file  string // path under guide/
		text  string
		line  int
		want  string
		extra map[string]string // more files under guide/
	}{
		{"no front matter", "en/documents.md", "Just text\n", 1, "must start with", nil},
		{"front matter not closed", "en/documents.md", "+++\nid = \"documents\"\n", 1, "not closed", nil},
		{"TOML syntax error", "en/documents.md", strings.Replace(validEnglish, `order = 50`, `order = = 50`, 1), 4, "front matter", nil},
		{"missing title", "en/documents.md", strings.Replace(validEnglish, "title = \"Your passport\"\n", "", 1), 8, `missing "title"`, nil},
		{"empty summary", "en/documents.md", strings.Replace(validEnglish, `summary = "No one but an official may take it."`, `summary = ""`, 1), 5, `"summary" is empty`, nil},
		{"missing order", "en/documents.md", strings.Replace(validEnglish, "order = 50\n", "", 1), 8, `missing "order"`, nil},
		{"order not a number", "en/documents.md", strings.Replace(validEnglish, `order = 50`, `order = "50"`, 1), 4, "positive integer", nil},
		{"missing sources", "en/documents.md", strings.Replace(validEnglish, "sources = [\"ICRMW art. 21\", \"C189 art. 9(c)\", \"Dhaka principle 4\"]\n", "", 1), 8, `missing "sources"`, nil},
		{"unknown key", "en/documents.md", strings.Replace(validEnglish, `reviewed = ""`, "reviewed = \"\"\nauthor = \"me\"", 1), 8, `unknown key "author"`, nil},
		{"bad reviewed", "en/documents.md", strings.Replace(validEnglish, `reviewed = ""`, `reviewed = "yes"`, 1), 7, "Name, YYYY-MM-DD", nil},
		{"id differs from file name", "en/documents.md", strings.Replace(validEnglish, `id = "documents"`, `id = "passport"`, 1), 2, "differs from the file name", nil},
		{"ill-formed id", "en/documents.md", strings.Replace(validEnglish, `id = "documents"`, `id = "Documents"`, 1), 2, "lower-case", nil},
		{"duplicate id", "en/passport.md", strings.Replace(validEnglish, "order = 50", "order = 51", 1), 2, "duplicate id", nil},
		{"ill-formed source", "en/documents.md", strings.Replace(validEnglish, `"C189 art. 9(c)"`, `"C189 Art 9"`, 1), 6, `source "C189 Art 9" is not in the form`, nil},
		{"unknown instrument", "en/documents.md", strings.Replace(validEnglish, `"Dhaka principle 4"`, `"Dhaka principle 4", "UDHR art. 23"`, 1), 6, `"UDHR art. 23"`, nil},
		{"source on its own line", "en/documents.md", strings.Replace(validEnglish, `sources = ["ICRMW art. 21", "C189 art. 9(c)", "Dhaka principle 4"]`, "sources = [\n  \"ICRMW art. 21\",\n  \"C189 art 9(c)\",\n  \"Dhaka principle 4\",\n]", 1), 8, `"C189 art 9(c)"`, nil},
		{"duplicate source", "en/documents.md", strings.Replace(validEnglish, `"Dhaka principle 4"]`, `"Dhaka principle 4", "ICRMW art. 21"]`, 1), 6, "listed twice", nil},
		{"citation missing from sources", "en/documents.md", strings.Replace(validEnglish, "(ILO C189, Art. 9)", "(ILO C189, Art. 8(1))", 1), 13, `body cites "ILO C189, Art. 8(1)" but sources has no "C189 art. 8(1)"`, nil},
		{"citation wrapped across lines", "en/documents.md", strings.Replace(validEnglish, "(UN ICRMW, Art. 21)", "(UN ICRMW,\nArt. 22)", 1), 11, `"ICRMW art. 22"`, nil},
		{"other citation forms", "en/documents.md", strings.Replace(validEnglish, "See the Dhaka Principle 4.", "See Palermo Protocol, Art. 3(a), ILO Fair Recruitment GP 7 and ILO P29, Art. 4(1).", 1), 18, `"Palermo art. 3(a)"`, nil},
		{"instrument code without a source", "en/documents.md", strings.Replace(validEnglish, "Ask", "Ask", 1) + "\nC181 also applies.\n", 20, "mentions C181", nil},
		{"translation cites an unlisted instrument", "ru/documents.md", strings.Replace(translation(enHash), "ICRMW, ст. 21", "C181, ст. 7", 1), 11, "mentions C181", map[string]string{"en/documents.md": validEnglish}},
		{"translation renumbers an article", "ru/documents.md", strings.Replace(translation(enHash), "ICRMW, ст. 21", "ICRMW, ст. 22", 1), 11, `body cites "ICRMW, ст. 22", but sources has no article 22 of ICRMW`, map[string]string{"en/documents.md": validEnglish}},
		{"Kazakh citation renumbered", "kk/documents.md", strings.Replace(translation(enHash), "(Конвенция ООН, ICRMW, ст. 21)", "(C189, 8(1)-бап)", 1), 11, "no article 8 of C189", map[string]string{"en/documents.md": validEnglish}},
		{"translated Dhaka principle renumbered", "ru/documents.md", translation(enHash) + "\nDhaka, принцип 5.\n", 13, "no article 5 of Dhaka", map[string]string{"en/documents.md": validEnglish}},
		{"English text with translated_from", "en/documents.md", strings.Replace(validEnglish, `translated_from = ""`, `translated_from = "0123456789abcdef"`, 1), 8, "must be empty in the English original", nil},
		{"translation without translated_from", "ru/documents.md", translation(""), 8, "translated_from is empty; set it to the hash of the English text translated (currently \"" + enHash + "\")", map[string]string{"en/documents.md": validEnglish}},
		{"translated_from not a hash", "ru/documents.md", translation("TODO"), 8, "not a 16-digit hash", map[string]string{"en/documents.md": validEnglish}},
		{"translation without English original", "ru/documents.md", translation(enHash), 2, "no English original", nil},
		{"translation with another order", "ru/documents.md", strings.Replace(translation(enHash), "order = 50", "order = 7", 1), 4, "differs from the English order 50", map[string]string{"en/documents.md": validEnglish}},
		{"javascript link", "en/documents.md", validEnglish + "\nSee [this](javascript:alert(1)).\n", 20, "scheme javascript is not allowed", nil},
		{"relative link", "en/documents.md", validEnglish + "\nSee\n[this](/topics/x).\n", 21, "must be an absolute", nil},
		{"web link without host", "en/documents.md", validEnglish + "\n[x](https:///path)\n", 20, "no host", nil},
		{"bad tel link", "en/documents.md", validEnglish + "\n[call](tel:call-me)\n", 20, "tel: link", nil},
		{"e-mail autolink", "en/documents.md", validEnglish + "\nWrite to <help@example.org>.\n", 20, "e-mail links", nil},
		{"raw HTML", "en/documents.md", validEnglish + "\nLine<br>break\n", 20, "raw HTML", nil},
		{"HTML block", "en/documents.md", validEnglish + "\n<div>\nboxed\n</div>\n", 20, "raw HTML", nil},
		{"image", "en/documents.md", validEnglish + "\n![map](https://example.org/map.png)\n", 20, "images cannot be shown", nil},
		{"empty body", "en/documents.md", strings.SplitAfter(validEnglish, "+++\n")[0] + strings.SplitAfter(validEnglish, "+++\n")[1], 10, "body is empty", nil},
		{"unknown language", "xx/documents.md", validEnglish, 0, `unknown language directory "xx"`, nil},
		{"topic outside a language directory", "documents.md", validEnglish, 0, "language directory", nil},
		{"non-Markdown file", "en/notes.txt", "notes", 0, "only <id>.md", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"guide/" + tt.file: tt.text}
			if tt.name == "duplicate id" {
				files["guide/en/documents.md"] = validEnglish
			}
			for name, text := range tt.extra {
				files["guide/"+name] = text
			}
			_, problems := Load(writeContent(t, files), "guide")
			file := "guide/" + tt.file
			if tt.line == 0 && strings.Count(tt.file, "/") == 1 && !strings.HasPrefix(tt.file, "en/") {
				file = "guide/" + strings.Split(tt.file, "/")[0] // the directory is at fault
			}
			expectProblem(t, problems, file, tt.line, tt.want)
		})
	}
}

func expectProblem(t *testing.T, problems []Problem, file string, line int, want string) {
	t.Helper()
	for _, p := range problems {
		if p.File == file && p.Line == line && strings.Contains(p.Message, want) {
			return
		}
	}
	t.Errorf("no problem %s:%d containing %q; got:\n%s", file, line, want, problemList(problems))
}

func problemList(problems []Problem) string {
	var b strings.Builder
	for _, p := range problems {
		fmt.Fprintln(&b, p)
	}
	return b.String()
}

// A translated citation keeps its code and number in any wording; a year
// after a code or a code inside another code is not an article.
func TestTranslatedCitations(t *testing.T) {
	body := "(МОТ C181, ст. 7(1)); (C95, 9-бап); (ILO Fair Recruitment GP 7); (Dhaka) პრინციპი 1; " +
		"C190 (2019); C29 and P29 apply; Palermo Protokolu, mad. 3(a)"
	var got []string
	for _, c := range translatedCitations(body) {
		got = append(got, c.source.instrument+" "+c.source.article)
	}
	want := "C181 7, C95 9, FRP 7, Dhaka 1, Palermo 3"
	if strings.Join(got, ", ") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, ", "), want)
	}
}

func TestValidEnglishHasNoProblems(t *testing.T) {
	// Guards the table above: every problem there comes from its edit.
	loadClean(t, map[string]string{"guide/en/documents.md": validEnglish, "guide/en/contract.md": secondEnglish})
}

func TestCheckPhones(t *testing.T) {
	body := validEnglish + "\nOr call 2 100 229, +7 929 964-9079 or 116 006.\n"
	g := loadClean(t, map[string]string{"guide/en/documents.md": body})
	known := map[string]bool{"+995 32 2 100 229": true, "116006": true}
	problems := g.CheckPhones(known)
	expectProblem(t, problems, "guide/en/documents.md", 20, `"+7 929 964-9079" is not in the service directory`)
	if len(problems) != 1 {
		t.Errorf("want only the unknown number reported (local forms of known numbers are fine); got:\n%s", problemList(problems))
	}
	if problems := g.CheckPhones(map[string]bool{}); len(problems) != 5 {
		t.Errorf("with no known numbers, want 5 problems (the tel: link and the number in the list, three in the last line); got:\n%s", problemList(problems))
	}
}

func TestFindPhones(t *testing.T) {
	tests := map[string][]string{
		"call +995 32 2 100 229 now":                    {"+995 32 2 100 229"},
		"hotline 116 006 (free)":                        {"116 006"},
		"+7 (495) 123-45-67":                            {"+7 (495) 123-45-67"},
		"dial 112 or 103":                               nil,
		"ILO C189, Art. 9(c); C181 of 1997":             nil,
		"adopted 2008-2024, checked 2024-05-01":         nil,
		"BWBV0005528 and https://x.org/n-157-825773205": nil,
		"law 180/2008":                                  nil,
	}
	for text, want := range tests {
		var got []string
		for _, p := range findPhones(text, 0) {
			got = append(got, p.text)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("findPhones(%q) = %q, want %q", text, got, want)
		}
	}
}

// The pages split with an intro are kept for the next reader; each reader
// must still get the pages of their own intro, and a caller appending to
// its pages must not change what the next one gets.
func TestPagesWithKeepsEachIntrosPages(t *testing.T) {
	long := strings.Replace(validEnglish, "## What to do", strings.Repeat("Keep copies of your papers in a safe place. ", 150)+"\n\n## What to do", 1)
	files := map[string]string{"guide/en/documents.md": long}
	g := loadClean(t, files)
	// A guide that has kept nothing yet splits as if never asked before.
	split := func(intro string) []string { return loadClean(t, files).PagesWith("en", "documents", intro) }
	introA := "<b>In Georgia</b>: C181 binds."
	introB := "<b>In Moldova</b>: " + strings.Repeat("C181 does not bind. ", 40)
	first := g.PagesWith("en", "documents", introA)
	if len(first) < 2 || !strings.Contains(first[0], introA) {
		t.Fatalf("pages with intro A: %q", first)
	}
	for range 2 { // once as split, once as kept
		pages := g.PagesWith("en", "documents", introA)
		pages[len(pages)-1] += "\n\nthe hotlines"
	}
	again := g.PagesWith("en", "documents", introA)
	if want := split(introA); strings.Join(again, "|") != strings.Join(want, "|") {
		t.Errorf("intro A's pages changed after a caller appended to them:\n%q\nwant\n%q", again, want)
	}
	other := g.PagesWith("en", "documents", introB)
	if want := split(introB); strings.Join(other, "|") != strings.Join(want, "|") {
		t.Errorf("intro B got\n%q\nwant\n%q", other, want)
	}
}

// Pages are assembled on each call from how the topic was split at load;
// they must be the pages Split makes of the rendered topic, for every topic
// of the guide and for one cut inside formatting, whose pages close and
// reopen tags.
func TestPagesAreTheSplitTopic(t *testing.T) {
	italic := "_" + strings.TrimSpace(strings.Repeat("Only an official may take it. ", 200)) + "_"
	long := strings.Replace(validEnglish, "Only an official may take it (UN ICRMW, Art. 21).", italic+" (UN ICRMW, Art. 21).", 1)
	cutInside := loadClean(t, map[string]string{"guide/en/documents.md": long})
	if pages := cutInside.Pages("en", "documents"); len(pages) < 2 || !slices.ContainsFunc(pages[1:], func(p string) bool { return strings.HasPrefix(p, "<i>") }) {
		t.Fatalf("the long topic should be cut inside the italics: %q", pages)
	}
	repo, problems := Load(contentDir, "guide")
	if len(repo.Topics(SourceLanguage)) == 0 {
		t.Fatalf("no English topics: %v", problems)
	}
	for _, g := range []*Guide{cutInside, repo} {
		for _, lang := range Languages {
			for _, ref := range g.Topics(lang) {
				topic, _ := g.Topic(lang, ref.ID)
				want := Split("<b>"+escapeText(topic.Title)+"</b>\n\n"+Render([]byte(topic.Body)), PageLimit)
				if got := g.Pages(lang, ref.ID); !slices.Equal(got, want) {
					t.Errorf("Pages(%s, %s) = %q, want %q", lang, ref.ID, got, want)
				}
				if got := g.PagesWith(lang, ref.ID, ""); !slices.Equal(got, want) {
					t.Errorf("PagesWith(%s, %s, \"\") = %q, want %q", lang, ref.ID, got, want)
				}
			}
		}
	}
}

// BenchmarkPages turns a page of every topic in every language with no
// intro, as the bot does for a topic that cites no instrument or a reader
// who has not said where they work.
//
//	go test -run '^$' -bench 'Pages$' -benchmem ./content/guide
func BenchmarkPages(b *testing.B) {
	g, refs := everyTopic(b)
	b.ResetTimer()
	for i := range b.N {
		r := refs[i%len(refs)]
		if len(g.Pages(r.lang, r.id)) == 0 {
			b.Fatal("no pages")
		}
	}
}

// BenchmarkPagesWith turns a page of every topic in every language with a
// reader's intro, as the bot does for each page of the guide read.
//
//	go test -run '^$' -bench PagesWith -benchmem ./content/guide
func BenchmarkPagesWith(b *testing.B) {
	g, refs := everyTopic(b)
	intro := "<b>Does it apply in Georgia?</b>\nC181: ratified.\nC189: not ratified.\n<i>National law may give more.</i>"
	b.ResetTimer()
	for i := range b.N {
		r := refs[i%len(refs)]
		if len(g.PagesWith(r.lang, r.id, intro)) == 0 {
			b.Fatal("no pages")
		}
	}
}

// BenchmarkPlanWithIntro splits every topic in every language with a
// reader's intro afresh: what the first reader of a topic from each country
// pays, and every reader after a restart until each is planned once.
//
//	go test -run '^$' -bench PlanWithIntro -benchmem ./content/guide
func BenchmarkPlanWithIntro(b *testing.B) {
	g, refs := everyTopic(b)
	intro := "<b>Does it apply in Georgia?</b>\nC181: ratified.\nC189: not ratified.\n<i>National law may give more.</i>"
	var htmls []string
	for _, r := range refs {
		e, _ := g.lookup(r.lang, r.id)
		htmls = append(htmls, e.head+intro+"\n\n"+e.body)
	}
	b.ResetTimer()
	for i := range b.N {
		if len(plan(htmls[i%len(htmls)], PageLimit)) == 0 {
			b.Fatal("no pages")
		}
	}
}

type topicRef struct{ lang, id string }

// everyTopic loads the repository's guide and lists each topic in each
// language, for the benchmarks to turn through.
func everyTopic(b *testing.B) (*Guide, []topicRef) {
	g, problems := Load(os.DirFS(".."), "guide")
	if g == nil {
		b.Fatal(problems)
	}
	var refs []topicRef
	for _, lang := range Languages {
		for _, t := range g.Topics(lang) {
			refs = append(refs, topicRef{lang, t.ID})
		}
	}
	return g, refs
}
