package store

import (
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/content"
	"github.com/rightsdesk/rightsdesk/content/guide"
)

func TestWithinOneEdit(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"паспорт", "пасспорт", true}, {"паспорт", "паспот", true}, {"паспорт", "паспорд", true},
		{"passport", "passprot", true}, {"паспорт", "паспорт", true},
		{"паспорт", "пасспорд", false}, {"passport", "psasprot", false}, {"abc", "abcde", false},
	} {
		if got := withinOneEdit([]rune(tc.a), []rune(tc.b)); got != tc.want {
			t.Errorf("withinOneEdit(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestGuideMatchWidensOnlyUnknownWords(t *testing.T) {
	v := vocabOf([]GuideDoc{{Lang: "ru", Title: "Паспорт и документы", Text: "Работодатель не вправе забирать паспорт. Зарплата."}})
	langs := []string{"ru"}
	if m := guideMatch("пасспорт", v, langs); !strings.Contains(m, `"паспорт"`) {
		t.Errorf("misspelt word not widened: %s", m)
	}
	// Known words, and inflected forms whose stem the guide has, are not.
	for _, q := range []string{"паспорт", "зарплату", "документов"} {
		if m := guideMatch(q, v, langs); strings.Count(m, `"`) > 4 {
			t.Errorf("%q widened: %s", q, m)
		}
	}
	// Only the languages searched lend words.
	if m := guideMatch("пасспорт", v, []string{"en"}); strings.Contains(m, `"паспорт"`) {
		t.Errorf("widened from another language: %s", m)
	}
}

// BenchmarkGuideMatchMisspelt is the forgiving fallback alone: building the
// FTS query for misspelt words from the shipped guide's vocabulary.
func BenchmarkGuideMatchMisspelt(b *testing.B) {
	v := vocabOf(benchDocs(b))
	queries := []string{"пасспорт забрали", "не платят зарплпту", "passprot", "salarui neplătit", "жалакы төлемейді", "პასსპორტი"}
	langs := []string{"ru", "en", "ro", "kk", "ka", "az"}
	b.ResetTimer()
	for i := range b.N {
		guideMatch(queries[i%len(queries)], v, langs)
	}
}

func benchDocs(tb testing.TB) []GuideDoc {
	g, problems := guide.Load(content.FS, "guide")
	if len(problems) > 0 {
		tb.Fatal(problems)
	}
	var docs []GuideDoc
	for _, d := range g.SearchDocs() {
		docs = append(docs, GuideDoc{Lang: d.Lang, ID: d.ID, Title: d.Title, Text: d.Text})
	}
	return docs
}
