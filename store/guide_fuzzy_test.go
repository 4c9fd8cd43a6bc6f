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
		{"ab\U00010000\U00100000", "ab\U00100000\U00010000", true}, // the widest swap in bytes
		{"паспорт", "пасспорд", false}, {"passport", "psasprot", false}, {"abc", "abcde", false},
	} {
		if got := withinOneEdit([]rune(tc.a), []rune(tc.b)); got != tc.want {
			t.Errorf("withinOneEdit(%q, %q) = %v", tc.a, tc.b, got)
		}
		if tc.want && !nearInBytes(tc.a, tc.b) {
			t.Errorf("nearInBytes(%q, %q) rules out a word one edit away", tc.a, tc.b)
		}
	}
}

// The byte test may only rule out: every one-edit variant of the first 200
// words of each language's guide vocabulary, with letters of every script
// the guide is written in and a four-byte one, must pass it.
func TestNearInBytesKeepsEveryNeighbour(t *testing.T) {
	g, _ := guide.Load(content.FS, content.GuideDir)
	var docs []GuideDoc
	for _, d := range g.SearchDocs() {
		docs = append(docs, GuideDoc{Lang: d.Lang, Title: d.Title, Text: d.Text})
	}
	v := vocabOf(docs)
	checked := 0
	for _, lv := range v.langs {
		for i, key := range lv.keys {
			w := []rune(key)
			for _, variant := range oneEditVariants(w, []rune{'a', 'ж', 'ა', 'ə', '𝔸'}) {
				if !nearInBytes(key, string(variant)) {
					t.Fatalf("nearInBytes(%q, %q) is false", key, string(variant))
				}
				checked++
			}
			if i > 200 {
				break
			}
		}
	}
	if checked == 0 {
		t.Fatal("no words checked")
	}
}

// oneEditVariants lists w with one rune inserted, deleted, replaced, or two
// neighbours swapped.
func oneEditVariants(w, alphabet []rune) [][]rune {
	var out [][]rune
	for i := 0; i <= len(w); i++ {
		for _, r := range alphabet {
			out = append(out, append(append(append([]rune{}, w[:i]...), r), w[i:]...))
			if i < len(w) {
				out = append(out, append(append(append([]rune{}, w[:i]...), r), w[i+1:]...))
			}
		}
		if i < len(w) {
			out = append(out, append(append([]rune{}, w[:i]...), w[i+1:]...))
		}
		if i+1 < len(w) {
			swapped := append([]rune{}, w...)
			swapped[i], swapped[i+1] = swapped[i+1], swapped[i]
			out = append(out, swapped)
		}
	}
	for _, v := range out {
		if !withinOneEdit(w, v) {
			panic("not one edit: " + string(v))
		}
	}
	return out
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
