package guide

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Telegram has no headings, lists or rules, so the renderer maps Markdown
// blocks onto plain-text conventions and uses tags only for inline
// formatting, code, links and quotes.

const (
	bullet        = "• "
	listIndent    = "   "
	thematicBreak = "———"
)

var markdown = goldmark.New()

// parseMarkdown returns the goldmark AST of src.
func parseMarkdown(src []byte) ast.Node {
	return markdown.Parser().Parse(text.NewReader(src))
}

// Render converts Markdown to Telegram HTML.
func Render(src []byte) string {
	r := renderer{src: src}
	return r.blocks(parseMarkdown(src).FirstChild(), blockContext{})
}

type renderer struct {
	src []byte
}

type blockContext struct {
	inQuote bool
	indent  string // prefix for continuation lines inside list items
}

// inlineContext tracks the open tags so that nothing is nested the way
// Telegram refuses (code inside formatting, a link inside a link) and no tag
// is opened twice.
type inlineContext struct {
	bold, italic, link bool
	indent             string
}

func (c inlineContext) formatted() bool { return c.bold || c.italic || c.link }

// blocks renders sibling blocks starting at first. Blocks are separated by
// a blank line, except that a heading stays on the line above its block so
// the pages are never split between the two.
func (r *renderer) blocks(first ast.Node, ctx blockContext) string {
	var out strings.Builder
	afterHeading := false
	for n := first; n != nil; n = n.NextSibling() {
		s := r.block(n, ctx)
		if s == "" {
			continue
		}
		if out.Len() > 0 {
			if afterHeading {
				out.WriteString("\n")
			} else {
				out.WriteString("\n\n")
			}
			out.WriteString(ctx.indent)
		}
		out.WriteString(s)
		afterHeading = n.Kind() == ast.KindHeading
	}
	return out.String()
}

func (r *renderer) block(n ast.Node, ctx blockContext) string {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		return strings.TrimSpace(r.inlines(n.FirstChild(), inlineContext{indent: ctx.indent}))
	case *ast.Heading:
		inner := strings.TrimSpace(r.inlines(n.FirstChild(), inlineContext{bold: true, indent: ctx.indent}))
		if inner == "" {
			return ""
		}
		return "<b>" + inner + "</b>"
	case *ast.ThematicBreak:
		return thematicBreak
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		code := strings.TrimRight(r.lines(n), "\n")
		if code == "" {
			return ""
		}
		return "<pre>" + escapeText(code) + "</pre>"
	case *ast.HTMLBlock:
		raw := r.lines(n)
		if n.HasClosure() {
			raw += string(n.ClosureLine.Value(r.src))
		}
		return escapeText(strings.TrimSpace(raw))
	case *ast.Blockquote:
		inner := r.blocks(n.FirstChild(), blockContext{inQuote: true, indent: ctx.indent})
		if inner == "" || ctx.inQuote {
			return inner // Telegram does not nest quotes
		}
		return "<blockquote>" + inner + "</blockquote>"
	case *ast.List:
		return r.list(n, ctx)
	}
	// Block kinds from extensions degrade to their children.
	return r.blocks(n.FirstChild(), ctx)
}

func (r *renderer) list(n *ast.List, ctx blockContext) string {
	var out strings.Builder
	number := n.Start
	for item := n.FirstChild(); item != nil; item = item.NextSibling() {
		marker := bullet
		if n.IsOrdered() {
			marker = strconv.Itoa(number) + ". "
			number++
		}
		if out.Len() > 0 {
			out.WriteString("\n" + ctx.indent)
		}
		out.WriteString(marker)
		inner := blockContext{inQuote: ctx.inQuote, indent: ctx.indent + listIndent}
		first := true
		for child := item.FirstChild(); child != nil; child = child.NextSibling() {
			s := r.block(child, inner)
			if s == "" {
				continue
			}
			if !first {
				out.WriteString("\n" + inner.indent)
			}
			out.WriteString(s)
			first = false
		}
	}
	return out.String()
}

// lines returns the raw source lines of a block (code and HTML blocks).
func (r *renderer) lines(n ast.Node) string {
	var b strings.Builder
	segs := n.Lines()
	for i := range segs.Len() {
		seg := segs.At(i)
		b.Write(seg.Value(r.src))
	}
	return b.String()
}

func (r *renderer) inlines(first ast.Node, ctx inlineContext) string {
	var out strings.Builder
	for n := first; n != nil; n = n.NextSibling() {
		r.inline(&out, n, ctx)
	}
	return out.String()
}

func (r *renderer) inline(out *strings.Builder, n ast.Node, ctx inlineContext) {
	switch n := n.(type) {
	case *ast.Text:
		value := n.Value(r.src)
		if !n.IsRaw() {
			value = unescapeMarkdown(value)
		}
		out.WriteString(escapeText(string(value)))
		switch {
		case n.HardLineBreak():
			out.WriteString("\n" + ctx.indent)
		case n.SoftLineBreak():
			out.WriteString(" ")
		}
	case *ast.String:
		out.WriteString(escapeText(string(n.Value)))
	case *ast.CodeSpan:
		code := escapeText(r.codeSpanText(n))
		if ctx.formatted() {
			out.WriteString(code)
		} else {
			out.WriteString("<code>" + code + "</code>")
		}
	case *ast.Emphasis:
		tag, inner := "i", ctx
		already := ctx.italic
		inner.italic = true
		if n.Level >= 2 {
			tag, already = "b", ctx.bold
			inner.italic, inner.bold = ctx.italic, true
		}
		content := r.inlines(n.FirstChild(), inner)
		if already || content == "" {
			out.WriteString(content)
			return
		}
		out.WriteString("<" + tag + ">" + content + "</" + tag + ">")
	case *ast.Link:
		r.link(out, string(util.URLEscape(n.Destination, true)), n.FirstChild(), ctx)
	case *ast.AutoLink:
		label := escapeText(string(n.Label(r.src)))
		dest := string(n.URL(r.src))
		if n.AutoLinkType != ast.AutoLinkURL || ctx.link || !linkAllowed(dest) {
			out.WriteString(label)
			return
		}
		out.WriteString(`<a href="` + escapeAttribute(dest) + `">` + label + "</a>")
	case *ast.Image:
		// Telegram text cannot show images; the alt text carries the meaning.
		out.WriteString(r.inlines(n.FirstChild(), ctx))
	case *ast.RawHTML:
		segs := n.Segments
		for i := range segs.Len() {
			seg := segs.At(i)
			out.WriteString(escapeText(string(seg.Value(r.src))))
		}
	default:
		out.WriteString(r.inlines(n.FirstChild(), ctx))
	}
}

func (r *renderer) link(out *strings.Builder, dest string, children ast.Node, ctx inlineContext) {
	inner := ctx
	inner.link = true
	label := strings.TrimSpace(r.inlines(children, inner))
	if ctx.link || !linkAllowed(dest) {
		out.WriteString(r.inlines(children, ctx))
		return
	}
	if label == "" {
		label = escapeText(dest)
	}
	out.WriteString(`<a href="` + escapeAttribute(dest) + `">` + label + "</a>")
}

func (r *renderer) codeSpanText(n *ast.CodeSpan) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			v := string(t.Value(r.src))
			b.WriteString(strings.ReplaceAll(v, "\n", " "))
		}
	}
	return b.String()
}

func unescapeMarkdown(v []byte) []byte {
	return util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
}

// linkAllowed accepts only destinations a reader can safely open from
// Telegram: web pages, phone numbers and Telegram links.
func linkAllowed(dest string) bool {
	return linkProblem(dest) == ""
}

// linkProblem explains why dest is not an acceptable link target, or
// returns "".
func linkProblem(dest string) string {
	if strings.TrimSpace(dest) == "" {
		return "link has no destination"
	}
	if strings.ContainsAny(dest, " \t\n") {
		return "link destination contains spaces"
	}
	u, err := url.Parse(dest)
	if err != nil {
		return "link destination is not a valid URL: " + err.Error()
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return "web link has no host"
		}
	case "tel":
		number := u.Opaque
		if number == "" || strings.Trim(number, "+0123456789-") != "" {
			return "tel: link must hold only +, digits and hyphens"
		}
	case "tg":
		if u.Host == "" && u.Opaque == "" {
			return "tg: link has no target"
		}
	case "":
		return "link destination must be an absolute http, https, tel or tg URL"
	default:
		return "link scheme " + u.Scheme + " is not allowed (only http, https, tel, tg)"
	}
	return ""
}

var (
	textEscaper      = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	attributeEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
)

func escapeText(s string) string      { return textEscaper.Replace(s) }
func escapeAttribute(s string) string { return attributeEscaper.Replace(s) }
