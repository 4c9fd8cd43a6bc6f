package guide

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Telegram's HTML parse mode accepts only a few tags and entities, and
// rejects a whole message when anything else appears. The functions here
// read that dialect strictly, so that content problems surface in
// `content check` rather than as failed sends.

// MessageLimit is the most UTF-16 code units of text Telegram accepts in one
// message (tags and entities do not count).
const MessageLimit = 4096

// item is one indivisible piece of Telegram HTML: a tag, or one visible
// character (a literal rune or an entity).
type item struct {
	start, end int    // byte range in the source
	units      int    // UTF-16 code units the character counts for; 0 for tags
	char       rune   // the decoded character; 0 for tags
	tag        string // lower-case tag name; "" for text
	closing    bool
}

func (it item) isTag() bool { return it.tag != "" }

// lex splits Telegram HTML into items and rejects anything Telegram would
// not parse: unknown tags or attributes, stray '<', '>' or '&', entities
// other than &lt; &gt; &amp; &quot; and numeric ones.
//
// It appends to items[:0], so that a caller splitting many topics can
// reuse one buffer: a topic is an item per character, some 175 KB, and
// splitting each topic with each reader's intro afresh allocated a tenth
// of all the bot allocated in a run.
func lex(items []item, s string) ([]item, error) {
	if n := utf8.RuneCountInString(s); cap(items) < n {
		items = make([]item, 0, n)
	}
	items = items[:0]
	err := scan(s, func(it item) { items = append(items, it) })
	return items, err
}

// scan calls visit for each item of s, stopping at the first error.
func scan(s string, visit func(item)) error {
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return fmt.Errorf("offset %d: '<' does not start a tag; write &lt;", i)
			}
			name, closing, err := parseTag(s[i+1 : i+end])
			if err != nil {
				return fmt.Errorf("offset %d: %w", i, err)
			}
			visit(item{start: i, end: i + end + 1, tag: name, closing: closing})
			i += end + 1
		case '>':
			return fmt.Errorf("offset %d: stray '>'; write &gt;", i)
		case '&':
			r, n, err := parseEntity(s[i:])
			if err != nil {
				return fmt.Errorf("offset %d: %w", i, err)
			}
			visit(item{start: i, end: i + n, units: utf16Len(r), char: r})
			i += n
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				return fmt.Errorf("offset %d: invalid UTF-8", i)
			}
			visit(item{start: i, end: i + n, units: utf16Len(r), char: r})
			i += n
		}
	}
	return nil
}

func utf16Len(r rune) int {
	if n := utf16.RuneLen(r); n > 0 {
		return n
	}
	return 1
}

// tagAttributes lists every accepted tag with its required and optional
// attributes.
var tagAttributes = map[string]struct{ required, optional []string }{
	"b": {}, "strong": {}, "i": {}, "em": {}, "u": {}, "ins": {}, "s": {}, "strike": {}, "del": {},
	"tg-spoiler": {},
	"span":       {required: []string{"class"}},
	"a":          {required: []string{"href"}},
	"code":       {optional: []string{"class"}},
	"pre":        {},
	"blockquote": {optional: []string{"expandable"}},
	"tg-emoji":   {required: []string{"emoji-id"}},
}

// parseTag checks the inside of <…> and returns the tag name.
func parseTag(inner string) (name string, closing bool, err error) {
	if strings.HasPrefix(inner, "/") {
		name = strings.TrimSpace(inner[1:])
		if _, ok := tagAttributes[name]; !ok {
			return "", false, fmt.Errorf("unsupported tag </%s>", name)
		}
		return name, true, nil
	}
	n := 0
	for n < len(inner) && (isASCIILetter(inner[n]) || inner[n] == '-' || (n > 0 && isASCIIDigit(inner[n]))) {
		n++
	}
	name = inner[:n]
	spec, ok := tagAttributes[name]
	if !ok {
		return "", false, fmt.Errorf("unsupported tag <%s>", inner)
	}
	attrs, err := parseAttributes(inner[n:])
	if err != nil {
		return "", false, fmt.Errorf("<%s>: %w", name, err)
	}
	for _, req := range spec.required {
		if _, ok := attrs[req]; !ok {
			return "", false, fmt.Errorf("<%s> needs a %s attribute", name, req)
		}
	}
	for attr, value := range attrs {
		if !contains(spec.required, attr) && !contains(spec.optional, attr) {
			return "", false, fmt.Errorf("<%s> does not take a %s attribute", name, attr)
		}
		if name == "span" && value != "tg-spoiler" {
			return "", false, fmt.Errorf(`<span> must be <span class="tg-spoiler">`)
		}
		if name == "a" && strings.TrimSpace(value) == "" {
			return "", false, fmt.Errorf("<a> has an empty href")
		}
	}
	return name, false, nil
}

func parseAttributes(s string) (map[string]string, error) {
	attrs := map[string]string{}
	for {
		trimmed := strings.TrimLeft(s, " \t\n")
		if trimmed == "" {
			return attrs, nil
		}
		if len(trimmed) == len(s) {
			return nil, fmt.Errorf("attributes must be separated by spaces")
		}
		s = trimmed
		n := 0
		for n < len(s) && (isASCIILetter(s[n]) || s[n] == '-') {
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("malformed attribute %q", s)
		}
		name := s[:n]
		if _, dup := attrs[name]; dup {
			return nil, fmt.Errorf("duplicate attribute %s", name)
		}
		s = s[n:]
		if !strings.HasPrefix(s, `="`) {
			attrs[name] = "" // boolean attribute such as expandable
			continue
		}
		end := strings.IndexByte(s[2:], '"')
		if end < 0 {
			return nil, fmt.Errorf("attribute %s is not closed by '\"'", name)
		}
		value := s[2 : 2+end]
		decoded, err := decodeText(value)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", name, err)
		}
		attrs[name] = decoded
		s = s[2+end+1:]
	}
}

// parseEntity decodes the entity at the start of s.
func parseEntity(s string) (r rune, n int, err error) {
	end := strings.IndexByte(s, ';')
	if end < 0 || end > 12 {
		return 0, 0, fmt.Errorf("'&' does not start an entity; write &amp;")
	}
	name := s[1:end]
	switch name {
	case "lt":
		return '<', end + 1, nil
	case "gt":
		return '>', end + 1, nil
	case "amp":
		return '&', end + 1, nil
	case "quot":
		return '"', end + 1, nil
	}
	if strings.HasPrefix(name, "#x") || strings.HasPrefix(name, "#X") {
		v, perr := strconv.ParseUint(name[2:], 16, 32)
		if perr == nil && utf8.ValidRune(rune(v)) {
			return rune(v), end + 1, nil
		}
	} else if strings.HasPrefix(name, "#") {
		v, perr := strconv.ParseUint(name[1:], 10, 32)
		if perr == nil && utf8.ValidRune(rune(v)) {
			return rune(v), end + 1, nil
		}
	}
	return 0, 0, fmt.Errorf("unsupported entity &%s; (only &lt; &gt; &amp; &quot; and numeric)", name)
}

// decodeText decodes entities in a string that holds no tags.
func decodeText(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch s[i] {
		case '&':
			r, n, err := parseEntity(s[i:])
			if err != nil {
				return "", err
			}
			b.WriteRune(r)
			i += n
		case '<', '>':
			return "", fmt.Errorf("raw %q; write it as an entity", s[i])
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), nil
}

// kindOf groups synonymous tags, because Telegram's nesting rules are about
// entity kinds, not spellings.
func kindOf(tag string) string {
	switch tag {
	case "b", "strong":
		return "bold"
	case "i", "em":
		return "italic"
	case "u", "ins":
		return "underline"
	case "s", "strike", "del":
		return "strike"
	case "span", "tg-spoiler":
		return "spoiler"
	}
	return tag
}

func isFormatting(kind string) bool {
	switch kind {
	case "bold", "italic", "underline", "strike", "spoiler":
		return true
	}
	return false
}

// mayContain encodes Telegram's entity nesting rules: formatting nests
// freely with formatting and links; code and pre hold only text (pre may
// wrap one code); blockquotes do not nest and live at the top level.
func mayContain(parent, child string) bool {
	p, c := kindOf(parent), kindOf(child)
	switch {
	case parent == "":
		return true
	case isFormatting(p):
		return isFormatting(c) || c == "a" || c == "tg-emoji"
	case p == "a":
		return isFormatting(c) || c == "tg-emoji"
	case p == "blockquote":
		return c != "blockquote"
	case p == "pre":
		return c == "code"
	}
	return false // code, tg-emoji
}

// ValidateHTML reports the first reason Telegram would reject s as a
// message in HTML parse mode (length aside).
func ValidateHTML(s string) error {
	var stack []string
	var nesting error
	err := scan(s, func(it item) {
		if nesting == nil && it.isTag() {
			stack, nesting = nest(stack, it)
		}
	})
	if err != nil {
		return err
	}
	if nesting != nil {
		return nesting
	}
	if len(stack) > 0 {
		return fmt.Errorf("<%s> is not closed", stack[len(stack)-1])
	}
	return nil
}

// nest applies one tag to the stack of open tags.
func nest(stack []string, it item) ([]string, error) {
	parent := ""
	if len(stack) > 0 {
		parent = stack[len(stack)-1]
	}
	if it.closing {
		switch parent {
		case it.tag:
			return stack[:len(stack)-1], nil
		case "":
			return stack, fmt.Errorf("offset %d: </%s> closes nothing", it.start, it.tag)
		}
		return stack, fmt.Errorf("offset %d: </%s> while <%s> is open", it.start, it.tag, parent)
	}
	if !mayContain(parent, it.tag) {
		return stack, fmt.Errorf("offset %d: <%s> may not be inside <%s>", it.start, it.tag, parent)
	}
	return append(stack, it.tag), nil
}

// VisibleLength counts s the way Telegram limits messages: UTF-16 code
// units of the text left after removing tags and decoding entities. It
// counts malformed input approximately rather than failing.
func VisibleLength(s string) int {
	n := 0
	if err := scan(s, func(it item) { n += it.units }); err != nil {
		return len(utf16.Encode([]rune(s)))
	}
	return n
}

// PlainText returns the text a reader sees: tags removed, entities decoded.
func PlainText(s string) string {
	var b strings.Builder
	err := scan(s, func(it item) {
		if !it.isTag() {
			b.WriteRune(it.char)
		}
	})
	if err != nil {
		return s
	}
	return b.String()
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isASCIIDigit(c byte) bool  { return c >= '0' && c <= '9' }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
