package guide

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

func TestSplitShortTextIsOnePart(t *testing.T) {
	html := "<b>Title</b>\n\nshort"
	parts := Split(html, 100)
	if len(parts) != 1 || parts[0] != html {
		t.Errorf("Split = %q, want the input unchanged", parts)
	}
}

func TestSplitPrefersBoundaries(t *testing.T) {
	tests := []struct {
		name, html string
		limit      int
		want       []string
	}{
		{"paragraphs", "aaa bbb\n\nccc ddd\n\neee", 16, []string{"aaa bbb\n\nccc ddd", "eee"}},
		{"paragraph before line", "aa\n\nbb\ncc dd", 9, []string{"aa", "bb\ncc dd"}},
		{"line before sentence", "One. Two\nthree four", 15, []string{"One. Two", "three four"}},
		{"sentence before word", "One two. Three four five", 20, []string{"One two.", "Three four five"}},
		{"abbreviation is no sentence end", "See Art. 7 now ok", 12, []string{"See Art. 7", "now ok"}},
		{"word", "alpha beta gamma", 11, []string{"alpha beta", "gamma"}},
		{"inside a word only when nothing else fits", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"tags are closed and reopened", "<b>aaa bbb ccc</b>", 8, []string{"<b>aaa bbb</b>", "<b>ccc</b>"}},
		{"links are reopened with their href", `<a href="https://a.org">aaa bbb</a>`, 4, []string{`<a href="https://a.org">aaa</a>`, `<a href="https://a.org">bbb</a>`}},
		{"entities count as one character", "&lt;&lt;&lt; &amp;&amp;&amp;", 3, []string{"&lt;&lt;&lt;", "&amp;&amp;&amp;"}},
		{"emoji count as two units", "👍👍 👍👍", 4, []string{"👍👍", "👍👍"}},
		{"code keeps its indentation", "<pre>a\n  b</pre>", 3, []string{"<pre>a</pre>", "<pre>  b</pre>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.html, tt.limit)
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
				t.Errorf("Split(%q, %d)\n got %q\nwant %q", tt.html, tt.limit, got, tt.want)
			}
		})
	}
}

// TestSplitProperties splits random rendered documents at many limits and
// checks every part is valid, fits, and that no text is lost or reordered.
func TestSplitProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	limits := []int{20, 64, 200, 1000, PageLimit}
	for doc := 0; doc < 100; doc++ {
		md := randomMarkdown(rng, 1+rng.IntN(40))
		html := Render([]byte(md))
		if err := ValidateHTML(html); err != nil {
			t.Fatalf("rendered document %d is invalid: %v\n%s", doc, err, md)
		}
		for _, limit := range limits {
			checkSplit(t, html, limit)
		}
	}
}

func TestSplitLongTopic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var md strings.Builder
	for md.Len() < 20000 {
		md.WriteString(randomMarkdown(rng, 5) + "\n\n")
	}
	// One paragraph far over the limit, bold throughout, with no blank line.
	md.WriteString("**" + strings.Repeat("A very long sentence inside one paragraph. ", 150) + "**\n\n")
	// A "word" longer than a page.
	md.WriteString(strings.Repeat("x", 5000) + "\n")
	html := "<b>Title</b>\n\n" + Render([]byte(md.String()))
	if n := VisibleLength(html); n < 20000 {
		t.Fatalf("test topic has only %d characters", n)
	}
	parts := checkSplit(t, html, PageLimit)
	if len(parts) < 6 {
		t.Errorf("a %d-character topic became only %d parts", VisibleLength(html), len(parts))
	}
}

func checkSplit(t *testing.T, html string, limit int) []string {
	t.Helper()
	parts := Split(html, limit)
	var joined strings.Builder
	for i, p := range parts {
		if err := ValidateHTML(p); err != nil {
			t.Fatalf("limit %d: part %d is invalid: %v\n%q", limit, i, err, p)
		}
		if n := VisibleLength(p); n > limit {
			t.Fatalf("limit %d: part %d has %d characters", limit, i, n)
		}
		if strings.TrimSpace(PlainText(p)) == "" {
			t.Fatalf("limit %d: part %d is empty: %q", limit, i, p)
		}
		joined.WriteString(PlainText(p))
	}
	if got, want := withoutSpace(joined.String()), withoutSpace(PlainText(html)); got != want {
		t.Fatalf("limit %d: the parts' text differs from the original\n got %q\nwant %q", limit, got, want)
	}
	return parts
}

func withoutSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// randomMarkdown builds a document from every construct the renderer knows.
func randomMarkdown(rng *rand.Rand, blocks int) string {
	words := []string{"passport", "wage", "контракт", "მუშა", "işçi", "Art. 7(1)", "a&b", "<tag>", "x*y", "👍", "“quoted”", "end.", "ILO", "C181,", "Dhaka", "Ақша", "salariu!"}
	sentence := func() string {
		n := 1 + rng.IntN(25)
		var b strings.Builder
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(" ")
			}
			w := words[rng.IntN(len(words))]
			switch rng.IntN(12) {
			case 0:
				w = "**" + w + " " + words[rng.IntN(len(words))] + "**"
			case 1:
				w = "_" + w + "_"
			case 2:
				w = "`" + w + "`"
			case 3:
				w = "[" + w + "](https://example.org/" + fmt.Sprint(rng.IntN(100)) + "?a=1&b=2)"
			case 4:
				w = "***" + w + "***"
			}
			b.WriteString(w)
		}
		return b.String() + "."
	}
	var doc []string
	for i := 0; i < blocks; i++ {
		switch rng.IntN(9) {
		case 0:
			doc = append(doc, "## "+sentence())
		case 1:
			var items []string
			for j := 0; j < 1+rng.IntN(5); j++ {
				items = append(items, "- "+sentence())
				if rng.IntN(3) == 0 {
					items = append(items, "  1. "+sentence())
				}
			}
			doc = append(doc, strings.Join(items, "\n"))
		case 2:
			doc = append(doc, "> "+sentence()+"\n>\n> "+sentence())
		case 3:
			doc = append(doc, "```\n"+sentence()+"\n  "+sentence()+"\n```")
		case 4:
			doc = append(doc, "---")
		case 5:
			doc = append(doc, sentence()+"  \n"+sentence())
		default:
			var p []string
			for j := 0; j < 1+rng.IntN(6); j++ {
				p = append(p, sentence())
			}
			doc = append(doc, strings.Join(p, "\n"))
		}
	}
	return strings.Join(doc, "\n\n")
}
