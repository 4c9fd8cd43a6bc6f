package guide

import (
	"strings"
	"testing"
)

func TestValidateHTML(t *testing.T) {
	valid := []string{
		"",
		"plain text",
		"<b>bold</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>i</ins> <s>s</s> <strike>s</strike> <del>d</del>",
		`<span class="tg-spoiler">x</span> <tg-spoiler>y</tg-spoiler>`,
		`<a href="https://a.org/?a=1&amp;b=2">link <b>bold</b></a>`,
		`<b>bold <a href="tel:+1">in</a> <i>nested</i></b>`,
		"<code>x &lt; y</code>",
		`<pre><code class="language-go">x</code></pre>`,
		"<pre>a\n\nb</pre>",
		"<blockquote>q <b>b</b> <code>c</code></blockquote>",
		"<blockquote expandable>q</blockquote>",
		`<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`,
		"&lt; &gt; &amp; &quot; &#65; &#x41;",
		`quotes " and ' are fine in text`,
	}
	for _, s := range valid {
		if err := ValidateHTML(s); err != nil {
			t.Errorf("ValidateHTML(%q) = %v, want nil", s, err)
		}
	}
	invalid := map[string]string{
		"<p>x</p>":                    "unsupported tag",
		"<h1>x</h1>":                  "unsupported tag",
		"<b>x":                        "not closed",
		"x</b>":                       "closes nothing",
		"<b><i>x</b></i>":             "while <i> is open",
		"a < b":                       "does not start a tag",
		"a > b":                       "stray '>'",
		"AT&T":                        "does not start an entity",
		"&nbsp;":                      "unsupported entity",
		"&copy;":                      "unsupported entity",
		"<a>x</a>":                    "needs a href",
		`<a href="">x</a>`:            "empty href",
		`<a href='x'>x</a>`:           "attributes must be separated",
		`<a href="x" title="y">x</a>`: "does not take a title",
		`<span>x</span>`:              "needs a class",
		`<span class="red">x</span>`:  "tg-spoiler",
		"<b class=\"x\">x</b>":        "does not take a class",
		"<code><b>x</b></code>":       "may not be inside <code>",
		"<b><code>x</code></b>":       "may not be inside <b>",
		`<a href="https://a.org"><a href="https://b.org">x</a></a>`: "may not be inside <a>",
		"<blockquote><blockquote>x</blockquote></blockquote>":       "may not be inside <blockquote>",
		"<b><blockquote>x</blockquote></b>":                         "may not be inside <b>",
		"<pre><b>x</b></pre>":                                       "may not be inside <pre>",
		`<a href="a"b">x</a>`:                                       "attributes must be separated",
		"bad \xff utf-8":                                            "invalid UTF-8",
	}
	for s, want := range invalid {
		err := ValidateHTML(s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateHTML(%q) = %v, want an error containing %q", s, err, want)
		}
	}
}

func TestVisibleLength(t *testing.T) {
	tests := map[string]int{
		"":                                     0,
		"abc":                                  3,
		"<b>abc</b>":                           3,
		"&lt;&amp;&gt;&quot;&#65;":             5,
		"Паспорт":                              7,
		"👍":                                    2, // outside the BMP: a surrogate pair
		`<a href="https://long.example">x</a>`: 1,
		"a\n\nb":                               4,
	}
	for s, want := range tests {
		if got := VisibleLength(s); got != want {
			t.Errorf("VisibleLength(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestPlainText(t *testing.T) {
	got := PlainText(`<b>A &amp; B</b> <a href="https://x.org">link</a> &lt;3`)
	if want := "A & B link <3"; got != want {
		t.Errorf("PlainText = %q, want %q", got, want)
	}
}
