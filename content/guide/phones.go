package guide

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A phone number in the guide must be one the directory lists with a source
// and a checked date; a number typed only into prose would escape that
// review.
var (
	phoneCandidate = regexp.MustCompile(`\+?\d[\d \-\x{00A0}()]*\d`)
	yearRange      = regexp.MustCompile(`^(?:19|20)\d\d\s*-\s*(?:19|20)\d\d$`)
	isoDate        = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	webAddress     = regexp.MustCompile(`(?i)\b(?:https?://|www\.)\S+`)
)

// phoneMention is a phone number written in a body.
type phoneMention struct {
	text   string
	digits string
	offset int // byte offset in the body
}

// findPhones returns the phone numbers written in s: anything starting with
// "+" and at least five digits, or at least six digits in groups, that is not
// part of a word (C189, BWBV0005528), a web address, a date or a year range.
func findPhones(s string, offset int) []phoneMention {
	masked := webAddress.ReplaceAllStringFunc(s, func(m string) string { return strings.Repeat("x", len(m)) })
	var out []phoneMention
	for _, loc := range phoneCandidate.FindAllStringIndex(masked, -1) {
		text := s[loc[0]:loc[1]]
		if loc[0] > 0 {
			prev, _ := utf8.DecodeLastRuneInString(s[:loc[0]])
			if unicode.IsLetter(prev) || unicode.IsDigit(prev) || prev == '/' || prev == '.' {
				continue
			}
		}
		if yearRange.MatchString(text) || isoDate.MatchString(text) {
			continue
		}
		digits := digitsOf(text)
		if (strings.HasPrefix(text, "+") && len(digits) >= 5) || len(digits) >= 6 {
			out = append(out, phoneMention{text: text, digits: digits, offset: offset + loc[0]})
		}
	}
	return out
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// phoneBook indexes known numbers by their digits.
type phoneBook map[string]bool

func newPhoneBook(numbers map[string]bool) phoneBook {
	book := phoneBook{}
	for n, ok := range numbers {
		if !ok {
			continue
		}
		if d := digitsOf(n); d != "" {
			book[d] = true
		}
	}
	return book
}

// knows accepts a number written in full or in its local form (without the
// country and area code), as readers dial it inside the country.
func (b phoneBook) knows(digits string) bool {
	if b[digits] {
		return true
	}
	for known := range b {
		if strings.HasSuffix(known, digits) {
			return true
		}
	}
	return false
}
