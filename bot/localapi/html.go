package localapi

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// HTMLError is a parse failure of Telegram-flavoured HTML. Its text is what
// Telegram puts after "Bad Request: can't parse entities: ".
type HTMLError struct {
	Reason string
	// Offset is the byte offset Telegram reports, or -1 when Telegram's message
	// carries none (an unclosed start tag is only noticed at the end).
	Offset int
}

func (e *HTMLError) Error() string {
	if e.Offset < 0 {
		return e.Reason
	}
	return fmt.Sprintf("%s at byte offset %d", e.Reason, e.Offset)
}

// Node is one piece of parsed message markup: either text or an element with
// children. Tags are normalised (strong→b, em→i, ins→u, strike/del→s,
// span.tg-spoiler→tg-spoiler) so two spellings of the same formatting compare
// equal, which is also how Telegram decides "message is not modified".
type Node struct {
	Tag        string  `json:"tag,omitempty"`
	Text       string  `json:"text,omitempty"`
	Href       string  `json:"href,omitempty"`
	Lang       string  `json:"lang,omitempty"`
	Expandable bool    `json:"expandable,omitempty"`
	EmojiID    string  `json:"emoji_id,omitempty"`
	Children   []*Node `json:"children,omitempty"`
}

// Entity is a Bot API MessageEntity with UTF-16 offsets.
type Entity struct {
	Type          string `json:"type"`
	Offset        int    `json:"offset"`
	Length        int    `json:"length"`
	URL           string `json:"url,omitempty"`
	Language      string `json:"language,omitempty"`
	CustomEmojiID string `json:"custom_emoji_id,omitempty"`
}

var htmlTags = map[string]string{
	"b": "b", "strong": "b", "i": "i", "em": "i", "u": "u", "ins": "u",
	"s": "s", "strike": "s", "del": "s", "span": "tg-spoiler", "tg-spoiler": "tg-spoiler",
	"a": "a", "code": "code", "pre": "pre", "blockquote": "blockquote", "tg-emoji": "tg-emoji",
}

// ValidateHTML applies Telegram's parse_mode=HTML rules to s and returns the
// text a user would see. It follows TDLib's parser (same messages, same byte
// offsets) with one deliberate difference: a bare "&" that does not start a
// supported entity is an error here, while Telegram silently keeps it. The Bot
// API documentation requires escaping it, so a bot passing this check is safe
// on the real service too.
func ValidateHTML(s string) (plainText string, err error) {
	nodes, err := ParseHTML(s)
	if err != nil {
		return "", err
	}
	return PlainText(nodes), nil
}

// ParseHTML parses Telegram HTML into a node tree (see ValidateHTML for rules).
func ParseHTML(s string) ([]*Node, error) {
	root := &Node{}
	stack := []*stackEntry{{node: root}}
	var text strings.Builder
	flush := func() {
		if text.Len() == 0 {
			return
		}
		top := stack[len(stack)-1].node
		top.Children = append(top.Children, &Node{Text: text.String()})
		text.Reset()
	}
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '&':
			r, next, ok := decodeEntity(s, i)
			if !ok {
				return nil, &HTMLError{Reason: `Character "&" must be escaped as "&amp;"`, Offset: i}
			}
			text.WriteRune(r)
			i = next
			continue
		case '<':
		default:
			text.WriteByte(c)
			i++
			continue
		}

		begin := i
		i++
		if at(i) != '/' {
			for i < len(s) && !isSpace(s[i]) && s[i] != '>' {
				i++
			}
			if i >= len(s) {
				return nil, &HTMLError{Reason: "Unclosed start tag", Offset: begin}
			}
			name := strings.ToLower(s[begin+1 : i])
			norm, ok := htmlTags[name]
			if !ok {
				return nil, &HTMLError{Reason: fmt.Sprintf("Unsupported start tag %q", name), Offset: begin}
			}
			el := &Node{Tag: norm}
			var spanClass string
			hasSpanClass := false
			for at(i) != '>' {
				for i < len(s) && isSpace(s[i]) {
					i++
				}
				if at(i) == '>' {
					break
				}
				if i >= len(s) {
					return nil, &HTMLError{Reason: "Unclosed start tag", Offset: begin}
				}
				attrBegin := i
				for i < len(s) && !isSpace(s[i]) && s[i] != '=' && s[i] != '>' {
					i++
				}
				attr := s[attrBegin:i]
				if attr == "" {
					return nil, &HTMLError{Reason: fmt.Sprintf("Empty attribute name in the tag %q", name), Offset: begin}
				}
				for i < len(s) && isSpace(s[i]) {
					i++
				}
				if at(i) != '=' {
					if name == "blockquote" && attr == "expandable" {
						el.Expandable = true
						continue
					}
					return nil, &HTMLError{Reason: fmt.Sprintf("Expected equal sign in declaration of an attribute of the tag %q", name), Offset: begin}
				}
				i++
				for i < len(s) && isSpace(s[i]) {
					i++
				}
				if i >= len(s) {
					return nil, &HTMLError{Reason: fmt.Sprintf("Unclosed start tag %q", name), Offset: begin}
				}
				var value strings.Builder
				if q := s[i]; q != '\'' && q != '"' {
					tokenBegin := i
					for i < len(s) && (isAlnum(s[i]) || s[i] == '.' || s[i] == '-') {
						i++
					}
					value.WriteString(strings.ToLower(s[tokenBegin:i]))
					if at(i) != '>' && !isSpace(at(i)) {
						return nil, &HTMLError{Reason: "Unexpected end of name token", Offset: tokenBegin}
					}
				} else {
					i++
					for i < len(s) && s[i] != q {
						if s[i] == '&' {
							r, next, ok := decodeEntity(s, i)
							if !ok {
								return nil, &HTMLError{Reason: `Character "&" must be escaped as "&amp;"`, Offset: i}
							}
							value.WriteRune(r)
							i = next
							continue
						}
						value.WriteByte(s[i])
						i++
					}
					if i < len(s) {
						i++
					}
				}
				if i >= len(s) {
					return nil, &HTMLError{Reason: "Unclosed start tag", Offset: begin}
				}
				v := value.String()
				switch {
				case name == "a" && attr == "href":
					el.Href = v
				case name == "code" && attr == "class" && strings.HasPrefix(v, "language-"):
					el.Lang = v[len("language-"):]
				case name == "span" && attr == "class":
					spanClass, hasSpanClass = v, true
				case name == "tg-emoji" && attr == "emoji-id":
					el.EmojiID = v
				}
			}
			i++ // '>'
			if name == "span" && (!hasSpanClass || spanClass != "tg-spoiler") {
				return nil, &HTMLError{Reason: `Tag "span" must have class "tg-spoiler"`, Offset: begin}
			}
			if name == "tg-emoji" {
				if id, err := strconv.ParseInt(el.EmojiID, 10, 64); err != nil || id == 0 {
					return nil, &HTMLError{Reason: "Invalid custom emoji identifier specified", Offset: -1}
				}
			}
			flush()
			parent := stack[len(stack)-1].node
			parent.Children = append(parent.Children, el)
			stack = append(stack, &stackEntry{node: el, name: name})
			continue
		}

		// End tag.
		if len(stack) == 1 {
			return nil, &HTMLError{Reason: "Unexpected end tag", Offset: begin}
		}
		i++ // '/'
		nameBegin := i
		for i < len(s) && !isSpace(s[i]) && s[i] != '>' {
			i++
		}
		endName := s[nameBegin:i]
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if at(i) != '>' {
			return nil, &HTMLError{Reason: "Unclosed end tag", Offset: begin}
		}
		i++
		open := stack[len(stack)-1]
		if endName != "" && endName != open.name {
			return nil, &HTMLError{Reason: fmt.Sprintf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, open.name, endName), Offset: -1}
		}
		flush()
		stack = stack[:len(stack)-1]
		if open.name == "code" && open.node.Lang != "" {
			// Outside <pre> a language class has no effect, as in Telegram.
			if parent := stack[len(stack)-1].node; parent.Tag == "pre" {
				parent.Lang = open.node.Lang
			} else {
				open.node.Lang = ""
			}
		}
	}
	if len(stack) > 1 {
		return nil, &HTMLError{Reason: fmt.Sprintf("Can't find end tag corresponding to start tag %q", stack[len(stack)-1].name), Offset: -1}
	}
	flush()
	return root.Children, nil
}

type stackEntry struct {
	node *Node
	name string
}

// decodeEntity is stricter than TDLib: the terminating ';' is required.
func decodeEntity(s string, pos int) (r rune, next int, ok bool) {
	rest := s[pos+1:]
	semi := strings.IndexByte(rest, ';')
	if semi <= 0 || semi > 10 {
		return 0, 0, false
	}
	name := rest[:semi]
	next = pos + 1 + semi + 1
	switch name {
	case "lt":
		return '<', next, true
	case "gt":
		return '>', next, true
	case "amp":
		return '&', next, true
	case "quot":
		return '"', next, true
	}
	if name[0] != '#' || len(name) < 2 {
		return 0, 0, false
	}
	var v uint64
	var err error
	if name[1] == 'x' {
		if len(name) < 3 {
			return 0, 0, false
		}
		v, err = strconv.ParseUint(name[2:], 16, 32)
	} else {
		v, err = strconv.ParseUint(name[1:], 10, 32)
	}
	if err != nil || v == 0 || v >= 0x10ffff || (v >= 0xd800 && v <= 0xdfff) {
		return 0, 0, false
	}
	return rune(v), next, true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// PlainText is the text of a node tree without markup.
func PlainText(nodes []*Node) string {
	var b strings.Builder
	var walk func([]*Node)
	walk = func(ns []*Node) {
		for _, n := range ns {
			b.WriteString(n.Text)
			walk(n.Children)
		}
	}
	walk(nodes)
	return b.String()
}

// UTF16Len is how Telegram measures text: in UTF-16 code units. It does
// not reuse the bot's own count (bot/chat): a fake Telegram that shared the
// bot's arithmetic would share its mistakes.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // a string's runes are valid: 1 or 2
	}
	return n
}

var entityTypes = map[string]string{
	"b": "bold", "i": "italic", "u": "underline", "s": "strikethrough", "tg-spoiler": "spoiler",
	"a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}

// Entities lists the formatting of a node tree as Bot API entities, dropping
// empty ones and code nested in pre, as Telegram does.
func Entities(nodes []*Node) []Entity {
	var out []Entity
	offset := 0
	var walk func(ns []*Node, inPre bool)
	walk = func(ns []*Node, inPre bool) {
		for _, n := range ns {
			if n.Tag == "" {
				offset += UTF16Len(n.Text)
				continue
			}
			start := offset
			idx := len(out)
			skip := inPre && n.Tag == "code"
			if !skip {
				out = append(out, Entity{})
			}
			walk(n.Children, inPre || n.Tag == "pre")
			if skip {
				continue
			}
			length := offset - start
			if length == 0 {
				out = append(out[:idx], out[idx+1:]...)
				continue
			}
			e := Entity{Type: entityTypes[n.Tag], Offset: start, Length: length}
			switch n.Tag {
			case "a":
				e.URL = n.Href
			case "pre":
				e.Language = n.Lang
			case "blockquote":
				if n.Expandable {
					e.Type = "expandable_blockquote"
				}
			case "tg-emoji":
				e.CustomEmojiID = n.EmojiID
			}
			out[idx] = e
		}
	}
	walk(nodes, false)
	return out
}

// formatted is a message text after Telegram's processing.
type formatted struct {
	nodes    []*Node
	text     string // trimmed plain text
	entities []Entity
}

// APIError is a Bot API failure as Telegram reports it.
type APIError struct {
	Code        int
	Description string
	RetryAfter  int
	// MigrateToChatID is set when a basic group was upgraded to a supergroup.
	MigrateToChatID int64
}

func (e *APIError) Error() string { return e.Description }

func badRequest(format string, args ...any) *APIError {
	return &APIError{Code: 400, Description: "Bad Request: " + fmt.Sprintf(format, args...)}
}

// CheckText applies every rule sendMessage applies to text and parse_mode
// (UTF-8, entity parsing, emptiness after trimming, 4096 UTF-16 units) and
// returns the *APIError Telegram would answer, or nil.
func CheckText(text, parseMode string) error {
	if _, err := formatText(text, parseMode); err != nil {
		return err
	}
	return nil
}

func formatText(text, parseMode string) (*formatted, *APIError) {
	f, aerr := parseFormatted(text, parseMode)
	if aerr != nil {
		return nil, aerr
	}
	if f.text == "" {
		return nil, badRequest("message text is empty")
	}
	if UTF16Len(f.text) > 4096 {
		return nil, badRequest("message is too long")
	}
	return f, nil
}

// formatCaption applies the text rules to a media caption: it may be
// empty, and its limit is 1024 UTF-16 units after entity parsing.
func formatCaption(caption, parseMode string) (*formatted, *APIError) {
	f, aerr := parseFormatted(caption, parseMode)
	if aerr != nil {
		return nil, aerr
	}
	if UTF16Len(f.text) > 1024 {
		return nil, badRequest("message caption is too long")
	}
	return f, nil
}

// parseFormatted parses text in parseMode and trims it the way Telegram
// does, shifting entities accordingly.
func parseFormatted(text, parseMode string) (*formatted, *APIError) {
	if !utf8.ValidString(text) {
		return nil, badRequest("text must be encoded in UTF-8")
	}
	var nodes []*Node
	switch strings.ToLower(parseMode) {
	case "":
		if text != "" {
			nodes = []*Node{{Text: text}}
		}
	case "html":
		var err error
		nodes, err = ParseHTML(text)
		if err != nil {
			return nil, badRequest("can't parse entities: %s", err)
		}
	default:
		// Only HTML is implemented; failing loudly beats silently
		// accepting markup this fake cannot check.
		return nil, badRequest("unsupported parse_mode")
	}
	plain := PlainText(nodes)
	trimmed := strings.TrimFunc(plain, unicode.IsSpace)
	lead := UTF16Len(plain[:strings.Index(plain, trimmed)])
	size := UTF16Len(trimmed)
	var ents []Entity
	for _, e := range Entities(nodes) {
		start, end := max(e.Offset-lead, 0), min(e.Offset+e.Length-lead, size)
		if end <= start {
			continue
		}
		e.Offset, e.Length = start, end-start
		ents = append(ents, e)
	}
	return &formatted{nodes: nodes, text: trimmed, entities: ents}, nil
}
