package guide

import "testing"

func TestRender(t *testing.T) {
	tests := []struct {
		name, markdown, want string
	}{
		{"paragraph", "Hello *world*", "Hello <i>world</i>"},
		{"paragraphs", "one\n\ntwo", "one\n\ntwo"},
		{"soft break joins lines", "one\ntwo", "one two"},
		{"hard break", "one  \ntwo", "one\ntwo"},
		{"heading sticks to its block", "# Title\n\ntext", "<b>Title</b>\ntext"},
		{"heading then heading", "## A\n\n## B\n\ntext", "<b>A</b>\n<b>B</b>\ntext"},
		{"strong", "**x** and __y__", "<b>x</b> and <b>y</b>"},
		{"strong inside emphasis", "*a **b** c*", "<i>a <b>b</b> c</i>"},
		{"strong inside heading is not doubled", "## a **b**", "<b>a b</b>"},
		{"code span", "run `a<b && c`", "run <code>a&lt;b &amp;&amp; c</code>"},
		{"code inside bold becomes text", "**see `x`**", "<b>see x</b>"},
		{"fenced code", "```go\nif a < b {\n\treturn\n}\n```", "<pre>if a &lt; b {\n\treturn\n}</pre>"},
		{"indented code", "    x := 1\n    y := 2", "<pre>x := 1\ny := 2</pre>"},
		{"https link", "[ILO](https://www.ilo.org/?a=1&b=2)", `<a href="https://www.ilo.org/?a=1&amp;b=2">ILO</a>`},
		{"quote in URL is escaped", `[x](<https://a.org/"q">)`, `<a href="https://a.org/%22q%22">x</a>`},
		{"tel link", "[call](tel:+995322100229)", `<a href="tel:+995322100229">call</a>`},
		{"tg link", "[channel](tg://resolve?domain=x)", `<a href="tg://resolve?domain=x">channel</a>`},
		{"javascript link is text", "[x](javascript:alert(1))", "x"},
		{"mailto link is text", "[mail](mailto:a@b.org)", "mail"},
		{"relative link is text", "[x](/path)", "x"},
		{"formatting inside link", "[**x**](https://a.org)", `<a href="https://a.org"><b>x</b></a>`},
		{"link inside strong", "**[x](https://a.org)**", `<b><a href="https://a.org">x</a></b>`},
		{"code inside link becomes text", "[`x`](https://a.org)", `<a href="https://a.org">x</a>`},
		{"autolink", "<https://example.org/a>", `<a href="https://example.org/a">https://example.org/a</a>`},
		{"email autolink is text", "<a@b.org>", "a@b.org"},
		{"image shows alt text", "![a map](https://a.org/i.png)", "a map"},
		{"bullet list", "- a\n- b", "• a\n• b"},
		{"star list", "* a\n* b", "• a\n• b"},
		{"ordered list", "1. a\n2. b", "1. a\n2. b"},
		{"ordered list keeps its start", "3. a\n4. b", "3. a\n4. b"},
		{"nested list", "- a\n  - b\n  - c\n- d", "• a\n   • b\n   • c\n• d"},
		{"doubly nested list", "- a\n  1. b\n     - c", "• a\n   1. b\n      • c"},
		{"loose list item", "- a\n\n  more\n- b", "• a\n   more\n• b"},
		{"list after paragraph", "intro\n\n- a", "intro\n\n• a"},
		{"formatting in list", "- **a** b", "• <b>a</b> b"},
		{"blockquote", "> quoted *x*", "<blockquote>quoted <i>x</i></blockquote>"},
		{"blockquote paragraphs", "> a\n>\n> b", "<blockquote>a\n\nb</blockquote>"},
		{"nested blockquote is flattened", "> a\n>\n> > b", "<blockquote>a\n\nb</blockquote>"},
		{"thematic break", "a\n\n---\n\nb", "a\n\n———\n\nb"},
		{"inline raw HTML is escaped", "a <b>x</b>", "a &lt;b&gt;x&lt;/b&gt;"},
		{"HTML block is escaped", "<div>\nhi\n</div>", "&lt;div&gt;\nhi\n&lt;/div&gt;"},
		{"text escaping", "AT&T: 1 < 2 > 0", "AT&amp;T: 1 &lt; 2 &gt; 0"},
		{"entities are decoded then escaped", "&copy; &amp; &#65;", "© &amp; A"},
		{"backslash escapes", `\*not em\*`, "*not em*"},
		{"quotes stay literal in text", `say "hi"`, `say "hi"`},
		{"unicode", "Паспорт — **ваш**", "Паспорт — <b>ваш</b>"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Render([]byte(tt.markdown))
			if got != tt.want {
				t.Errorf("Render(%q)\n got %q\nwant %q", tt.markdown, got, tt.want)
			}
			if err := ValidateHTML(got); err != nil {
				t.Errorf("Render(%q) = %q is not valid Telegram HTML: %v", tt.markdown, got, err)
			}
		})
	}
}
