package localapi

import (
	"strings"
	"testing"
)

func TestValidateHTML(t *testing.T) {
	tests := []struct {
		name, in, plain, err string
	}{
		{"plain", "hello", "hello", ""},
		{"nested", "<b>bold <i>both</i></b> <u>u</u> <s>s</s>", "bold both u s", ""},
		{"synonyms", "<strong>a</strong><em>b</em><ins>c</ins><strike>d</strike><del>e</del>", "abcde", ""},
		{"spoilers", `<tg-spoiler>x</tg-spoiler><span class="tg-spoiler">y</span>`, "xy", ""},
		{"link", `<a href="https://ilo.org/c189?a=1&amp;b=2">C189</a>`, "C189", ""},
		{"code and pre", `<code>x</code><pre><code class="language-go">y</code></pre>`, "xy", ""},
		{"blockquote", "<blockquote>q</blockquote><blockquote expandable>e</blockquote>", "qe", ""},
		{"emoji", `<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`, "👍", ""},
		{"entities", "&lt;b&gt; &amp; &quot;x&quot; &#39;y&#39; &#x41;", `<b> & "x" 'y' A`, ""},
		{"bare gt tolerated", "a > b", "a > b", ""},
		{"attributes ignored", `<b class="x">b</b>`, "b", ""},
		{"unicode", "<b>Əmək hüquqları</b> — ქართული", "Əmək hüquqları — ქართული", ""},
		{"bare amp", "Tom & Jerry", "", `Character "&" must be escaped as "&amp;" at byte offset 4`},
		{"unknown entity", "&nbsp;", "", `Character "&" must be escaped as "&amp;" at byte offset 0`},
		{"entity without semicolon", "&amp x", "", `Character "&" must be escaped as "&amp;" at byte offset 0`},
		{"bare lt", "a < b", "", `Unsupported start tag "" at byte offset 2`},
		{"unknown tag", "x<p>y</p>", "", `Unsupported start tag "p" at byte offset 1`},
		{"br", "a<br/>b", "", `Unsupported start tag "br/" at byte offset 1`},
		{"unclosed", "<b>x", "", `Can't find end tag corresponding to start tag "b"`},
		{"misnested", "<b><i>x</b></i>", "", `Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{"unexpected end", "x</b>", "", "Unexpected end tag at byte offset 1"},
		{"unclosed start", "ab<b", "", "Unclosed start tag at byte offset 2"},
		{"unclosed end", "<b>x</b", "", "Unclosed end tag at byte offset 4"},
		{"span without class", "<span>x</span>", "", `Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{"bad emoji", `<tg-emoji emoji-id="x">y</tg-emoji>`, "", "Invalid custom emoji identifier specified"},
		{"attribute without value", "<a href>x</a>", "", `Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0`},
		{"surrogate reference", "&#xD800;", "", `Character "&" must be escaped as "&amp;" at byte offset 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain, err := ValidateHTML(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if plain != tt.plain {
				t.Fatalf("plain = %q, want %q", plain, tt.plain)
			}
		})
	}
}

func TestEntities(t *testing.T) {
	nodes, err := ParseHTML(`😀 <b>a<i>b</i></b><pre><code class="language-go">x</code></pre><a href="https://x.org">l</a><b></b>`)
	if err != nil {
		t.Fatal(err)
	}
	got := Entities(nodes)
	want := []Entity{
		{Type: "bold", Offset: 3, Length: 2},
		{Type: "italic", Offset: 4, Length: 1},
		{Type: "pre", Offset: 5, Length: 1, Language: "go"},
		{Type: "text_link", Offset: 6, Length: 1, URL: "https://x.org"},
	}
	if entitiesKey(got) != entitiesKey(want) {
		t.Fatalf("entities = %+v, want %+v", got, want)
	}
}

func TestCheckTextLength(t *testing.T) {
	tests := []struct {
		name, text, mode, err string
	}{
		{"4096 ascii", strings.Repeat("a", 4096), "", ""},
		{"4097 ascii", strings.Repeat("a", 4097), "", "Bad Request: message is too long"},
		{"4096 cyrillic is 8192 bytes", strings.Repeat("ж", 4096), "", ""},
		{"4097 georgian", strings.Repeat("ა", 4097), "", "Bad Request: message is too long"},
		{"2048 emoji = 4096 units", strings.Repeat("😀", 2048), "", ""},
		{"2049 emoji", strings.Repeat("😀", 2049), "", "Bad Request: message is too long"},
		{"tags are not counted", "<b>" + strings.Repeat("a", 4096) + "</b>", "HTML", ""},
		{"entities count once", strings.Repeat("&amp;", 4096), "HTML", ""},
		{"entities over", strings.Repeat("&amp;", 4097), "HTML", "Bad Request: message is too long"},
		{"trimmed", "  \n" + strings.Repeat("a", 4096) + "\n ", "", ""},
		{"empty", "", "", "Bad Request: message text is empty"},
		{"whitespace", " \n ", "", "Bad Request: message text is empty"},
		{"only tags", "<b> </b>", "HTML", "Bad Request: message text is empty"},
		{"bad html", "a & b", "HTML", `Bad Request: can't parse entities: Character "&" must be escaped as "&amp;" at byte offset 2`},
		{"html ignored without parse mode", "a & <b", "", ""},
		{"markdown unsupported", "*a*", "MarkdownV2", "Bad Request: unsupported parse_mode"},
		{"invalid utf8", "\xff", "", "Bad Request: text must be encoded in UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckText(tt.text, tt.mode)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.err {
				t.Fatalf("err = %q, want %q", got, tt.err)
			}
		})
	}
}

func BenchmarkValidateHTML(b *testing.B) {
	text := strings.Repeat(`<b>Əmək</b> hüquqları &amp; <a href="https://www.ilo.org/c189">ILO C189</a>, <i>art. 7</i>
`, 40)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := ValidateHTML(text); err != nil {
			b.Fatal(err)
		}
	}
}
