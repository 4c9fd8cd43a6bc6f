package guide

import (
	"os"
	"strings"
	"testing"
)

// contentDir is the repository's content directory, which holds this package.
var contentDir = os.DirFS("..")

func TestParseNormsRealReference(t *testing.T) {
	norms, err := LoadNorms(contentDir, "reference/norms.md")
	if err != nil {
		t.Fatal(err)
	}
	present := [][2]string{
		{"C97", "6"}, {"C97", "11"}, {"C143", "8"}, {"C143", "9"}, {"C181", "7"}, {"C181", "11"},
		{"C29", "2"}, {"C29", "25"}, {"P29", "1"}, {"P29", "4"}, {"C105", "1"}, {"C87", "2"}, {"C87", "11"},
		{"C98", "1"}, {"C98", "4"}, {"C95", "9"}, {"C155", "19"}, {"C118", "3"}, {"C190", "3"},
		{"C189", "9"}, {"C189", "17"}, {"ICRMW", "21"}, {"ICRMW", "28"}, {"Palermo", "3"}, {"Palermo", "8"},
		{"FRP", "7"}, {"FRP", "5"}, {"Dhaka", "A"}, {"Dhaka", "B"}, {"Dhaka", "1"}, {"Dhaka", "4"}, {"Dhaka", "10"},
	}
	for _, p := range present {
		if !norms.Has(p[0], p[1]) {
			t.Errorf("reference should document %s %s", p[0], p[1])
		}
	}
	absent := [][2]string{
		{"C181", "99"}, {"C98", "2"}, {"C87", "1"}, {"P29", "25"}, {"C157", "1"}, {"FRP", "9"}, {"FRP", "13"},
		{"Dhaka", "11"}, {"ICRMW", "1"}, {"C29", "4"},
	}
	for _, a := range absent {
		if norms.Has(a[0], a[1]) {
			t.Errorf("reference should not document %s %s", a[0], a[1])
		}
	}
}

func TestParseNormsSections(t *testing.T) {
	norms := ParseNorms([]byte(`# Notes
## Key rights
### ILO C1 First, and C2 Second
- Art. 3: x. Art. 4(2): y.
- C2 Art. 5: z; Art. 6.
### Dhaka Principles
- A one; 2 two
## Ratifications
| C1 | Art. 9 |
`))
	for _, p := range [][2]string{{"C1", "3"}, {"C1", "4"}, {"C2", "5"}, {"C2", "6"}, {"Dhaka", "A"}, {"Dhaka", "2"}} {
		if !norms.Has(p[0], p[1]) {
			t.Errorf("want %s %s", p[0], p[1])
		}
	}
	for _, a := range [][2]string{{"C1", "5"}, {"C1", "9"}, {"C2", "3"}} {
		if norms.Has(a[0], a[1]) {
			t.Errorf("did not want %s %s", a[0], a[1])
		}
	}
}

func TestCheckSources(t *testing.T) {
	norms := ParseNorms([]byte("### ILO C189 Domestic Workers\n- Art. 9: documents.\n### UN ICRMW\n- Art. 21.\n### Dhaka Principles\n- 4 no retention\n"))
	g := loadClean(t, map[string]string{"guide/en/documents.md": validEnglish})
	if problems := g.CheckSources(norms); len(problems) != 0 {
		t.Errorf("documented sources reported:\n%s", problemList(problems))
	}
	norms = ParseNorms([]byte("### ILO C189 Domestic Workers\n- Art. 8.\n### UN ICRMW\n- Art. 21.\n### Dhaka Principles\n- 4 no retention\n"))
	expectProblem(t, g.CheckSources(norms), "guide/en/documents.md", 6, `source "C189 art. 9(c)": the reference notes do not document C189 9`)
}

func TestSourceGrammar(t *testing.T) {
	valid := []string{"C97 art. 6(1)(a)(i)", "C181 art. 7", "P29 art. 4(1)", "ICRMW art. 22(9)", "Palermo art. 3(a)", "FRP GP 7", "Dhaka principle 4", "Dhaka principle A", "Dhaka principle B"}
	for _, s := range valid {
		if _, ok := parseSource(s); !ok {
			t.Errorf("%q should be a valid source", s)
		}
	}
	invalid := []string{"", "C97", "C97 art 6", "C97 Art. 6", "c97 art. 6", "C97 art. 6()", "C97 art. 6(1", "P30 art. 1", "ICRMW art. x", "Palermo Protocol art. 3", "FRP GP", "FRP GP 7a", "Dhaka principle C", "Dhaka principle 4 ", " C97 art. 6", "UDHR art. 23"}
	for _, s := range invalid {
		if _, ok := parseSource(s); ok {
			t.Errorf("%q should be rejected", s)
		}
	}
}

// TestRealGuide loads the repository's guide: it must load without problems
// (translations in progress may make this fail for a while).
func TestRealGuide(t *testing.T) {
	g, problems := Load(contentDir, "guide")
	if len(problems) > 0 {
		t.Errorf("the guide has problems:\n%s", problemList(problems))
	}
	if len(g.Topics("en")) == 0 {
		t.Fatal("no English topics")
	}
	for _, ref := range g.Topics("en") {
		for _, lang := range Languages {
			for i, page := range g.Pages(lang, ref.ID) {
				if err := ValidateHTML(page); err != nil || VisibleLength(page) > PageLimit {
					t.Errorf("%s/%s page %d: %v, %d characters", lang, ref.ID, i, err, VisibleLength(page))
				}
			}
		}
	}
}

// Every article the guide quotes, in the text of any language, is one the
// reference notes (reference/norms.md) document for that instrument.
func TestGuideCitationsMatchReference(t *testing.T) {
	norms, err := LoadNorms(contentDir, "reference/norms.md")
	if err != nil {
		t.Fatal(err)
	}
	g, _ := Load(contentDir, "guide")
	quoted := 0
	g.each(func(e *entry) {
		cites := translatedCitations(e.topic.Body)
		if e.topic.Lang == SourceLanguage {
			cites = englishCitations(e.topic.Body)
		}
		for _, c := range cites {
			quoted++
			if !norms.Has(c.source.instrument, c.source.article) {
				t.Errorf("%s: %q: reference/norms.md documents no article %s of %s", e.topic.File, c.text, c.source.article, c.source.instrument)
			}
		}
	})
	// Every language quotes articles; a pattern that stopped matching
	// would pass vacuously.
	if want := 6 * len(g.Topics(SourceLanguage)); quoted < want {
		t.Fatalf("only %d quoted articles found in the guide, want at least %d", quoted, want)
	}
}

// Every topic, in every language, ends with what to do next: a last
// section that points to where help is (/help).
func TestEveryTopicEndsWithWhereToGetHelp(t *testing.T) {
	g, _ := Load(contentDir, "guide")
	topics := 0
	g.each(func(e *entry) {
		topics++
		body := e.topic.Body
		i := strings.LastIndex(body, "\n## ")
		if i < 0 {
			t.Errorf("%s: no section at the end (## What to do next)", e.topic.File)
			return
		}
		if !strings.Contains(body[i:], "/help") {
			t.Errorf("%s: the last section does not say where to get help (/help)", e.topic.File)
		}
	})
	if want := 6 * len(g.Topics(SourceLanguage)); topics != want {
		t.Errorf("%d topic files, want %d (every topic in six languages)", topics, want)
	}
}

func BenchmarkRenderAllTopics(b *testing.B) {
	g, _ := Load(contentDir, "guide")
	var bodies [][]byte
	for _, lang := range Languages {
		for _, ref := range g.Topics(lang) {
			if topic, status := g.Topic(lang, ref.ID); status != StatusMissing {
				bodies = append(bodies, []byte(topic.Body))
			}
		}
	}
	if len(bodies) == 0 {
		b.Fatal("no topics")
	}
	b.ResetTimer()
	for b.Loop() {
		for _, body := range bodies {
			_ = Split(Render(body), PageLimit)
		}
	}
}

func BenchmarkLoadGuide(b *testing.B) {
	for b.Loop() {
		_, _ = Load(contentDir, "guide")
	}
}
