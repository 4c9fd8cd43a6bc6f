package locales

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n/template"
)

// Messages use one kind of action only, a placeholder {{.Name}} filled from
// the data: editors translate text, they do not program it. go-i18n's default
// text/template parser kept a parsed tree per message (megabytes for the
// whole catalog) and executed it by reflection; placeholderParser keeps a
// message as its pieces and fills them with a map look-up each.
type placeholderParser struct {
	// lenient writes a missing value as nothing instead of failing; its
	// parses are not cached, so they never replace the strict ones go-i18n
	// keeps on each message.
	lenient bool
}

var (
	strictParser  template.Parser = placeholderParser{}
	lenientParser template.Parser = placeholderParser{lenient: true}
)

func (p placeholderParser) Cacheable() bool { return !p.lenient }

func (p placeholderParser) Parse(src, leftDelim, rightDelim string) (template.ParsedTemplate, error) {
	// Two messages in three have no placeholder, and go-i18n keeps what
	// this returns for every message in use: as text alone it takes under
	// a third of the memory it would as pieces.
	if !strings.Contains(src, cmp.Or(leftDelim, "{{")) {
		return literalTemplate(src), nil
	}
	pieces, err := parsePlaceholders(src, leftDelim, rightDelim)
	if err != nil {
		return nil, err
	}
	return &placeholderTemplate{pieces: pieces, lenient: p.lenient}, nil
}

// piece is literal text, or the name of a placeholder when field is set.
type piece struct {
	text  string
	field bool
}

// parsePlaceholders splits src into text and {{.Name}} placeholders (spaces
// inside the braces allowed), refusing any other action.
func parsePlaceholders(src, leftDelim, rightDelim string) ([]piece, error) {
	if leftDelim == "" {
		leftDelim = "{{"
	}
	if rightDelim == "" {
		rightDelim = "}}"
	}
	var pieces []piece
	for src != "" {
		before, rest, found := strings.Cut(src, leftDelim)
		if before != "" {
			pieces = append(pieces, piece{text: before})
		}
		if !found {
			break
		}
		action, after, closed := strings.Cut(rest, rightDelim)
		if !closed {
			return nil, fmt.Errorf("unclosed %s", leftDelim)
		}
		name, ok := strings.CutPrefix(strings.TrimSpace(action), ".")
		if !ok || !isIdentifier(name) {
			return nil, fmt.Errorf("%s%s%s: only placeholders such as %s.Name%s are allowed", leftDelim, action, rightDelim, leftDelim, rightDelim)
		}
		pieces = append(pieces, piece{text: name, field: true})
		src = after
	}
	return pieces, nil
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// literalTemplate is a message without placeholders.
type literalTemplate string

func (t literalTemplate) Execute(any) (string, error) { return string(t), nil }

type placeholderTemplate struct {
	pieces  []piece
	lenient bool
}

var errNoData = errors.New("message has placeholders but no data")

func (t *placeholderTemplate) Execute(data any) (string, error) {
	if len(t.pieces) == 1 && !t.pieces[0].field {
		return t.pieces[0].text, nil
	}
	values, _ := data.(map[string]any)
	var b strings.Builder
	for _, p := range t.pieces {
		if !p.field {
			b.WriteString(p.text)
			continue
		}
		v, ok := values[p.text]
		if !ok {
			if t.lenient {
				continue
			}
			if values == nil {
				return "", errNoData
			}
			return "", fmt.Errorf("no value for placeholder %q", p.text)
		}
		switch v := v.(type) {
		case string:
			b.WriteString(v)
		default:
			fmt.Fprint(&b, v)
		}
	}
	return b.String(), nil
}
