package guide

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
)

// FuzzRender feeds arbitrary Markdown to the renderer: it never panics,
// and what it makes is HTML the Bot API accepts — every tag one Telegram
// knows, closed and nested as it allows, every entity known — with no
// link to anything but the allowed schemes. Announcements reach it from
// an operator's file, the guide from an editor's.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"Hello *world*", "# Title\n\ntext", "**x** and __y__", "*a **b** c*", "run `a<b && c`",
		"```go\nif a < b {\n\treturn\n}\n```", "[ILO](https://www.ilo.org/?a=1&b=2)", `[x](<https://a.org/"q">)`,
		"[call](tel:+995322100229)", "[x](javascript:alert(1))", "**[x](https://a.org)**", "<https://example.org/a>",
		"![a map](https://a.org/i.png)", "- a\n  1. b\n     - c", "> quote\n> **bold**", "a &amp; b &#x1F600; &bogus;",
		"<b>raw</b> <script>x</script>", "| a | b |\n|---|---|\n| 1 | 2 |", "***\n___", "ÿ\x00\xff", "[a]: https://x.org\n[a]",
		"Конвенция МОТ № 189, ст. 9 — *паспорт*", "~~strike~~ ||spoiler||", "1) one\n2) two",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		out := Render([]byte(md))
		if !utf8.ValidString(md) {
			return // Telegram refuses such text before it reaches HTML
		}
		if strings.TrimSpace(out) == "" {
			return
		}
		if _, err := localapi.ValidateHTML(out); err != nil {
			t.Fatalf("Render(%q) = %q: %v", md, out, err)
		}
		for _, href := range hrefs(out) {
			if !linkAllowed(href) {
				t.Fatalf("Render(%q) links to %q", md, href)
			}
		}
	})
}

// hrefs lists the link targets in rendered HTML, entities undone the way
// the renderer escapes them.
func hrefs(html string) []string {
	var out []string
	for rest := html; ; {
		i := strings.Index(rest, `<a href="`)
		if i < 0 {
			return out
		}
		rest = rest[i+len(`<a href="`):]
		j := strings.IndexByte(rest, '"')
		if j < 0 {
			return out
		}
		out = append(out, strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`).Replace(rest[:j]))
		rest = rest[j:]
	}
}
