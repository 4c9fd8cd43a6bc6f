package directory

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/content/guide"
)

// referenceFile is the repository's copy of the team's gathered facts; every
// number the bot can show must be one of the numbers it prints.
const referenceFile = "reference/directory.md"

var referenceNumber = regexp.MustCompile(`\+?\(?\+?\d[\d ()\-]*\d`)

// referenceNumbers returns the digits of every number-like run in the
// reference.
func referenceNumbers(t *testing.T) []string {
	t.Helper()
	data, err := fs.ReadFile(content, referenceFile)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range referenceNumber.FindAllString(string(data), -1) {
		out = append(out, NormalizePhone(m))
	}
	return out
}

// inReference: a number must be printed in the reference as it is written
// in the directory; a local form (also_printed) may be the tail of a full
// number there ("2 100 229" of "+995 32 2 100 229").
func inReference(ref []string, digits string, local bool) bool {
	for _, r := range ref {
		if r == digits || local && len(digits) >= 6 && strings.HasSuffix(r, digits) {
			return true
		}
	}
	return false
}

// Every phone number in the directory and the country files is one the
// reference prints, and carries its own source and checked date.
func TestEveryDirectoryNumberIsInTheReference(t *testing.T) {
	d := loadReal(t)
	ref := referenceNumbers(t)
	seen := 0
	for _, s := range d.Services() {
		for _, p := range s.Phones {
			seen++
			if !inReference(ref, NormalizePhone(p.Number), false) {
				t.Errorf("%s: %s is not printed in %s", s.ID, p.Number, referenceFile)
			}
			for _, alt := range p.AlsoPrinted {
				if !inReference(ref, NormalizePhone(alt), true) {
					t.Errorf("%s: also_printed %s is not printed in %s", s.ID, alt, referenceFile)
				}
			}
			if p.Source == "" && (p.Research == "" || p.Verified) || p.Checked == "" {
				t.Errorf("%s: %s lacks source or checked date", s.ID, p.Number)
			}
		}
	}
	for _, c := range d.Countries() {
		for _, e := range c.Emergency {
			seen++
			if !inReference(ref, NormalizePhone(e.Number), false) {
				t.Errorf("%s: emergency %s is not printed in %s", c.Code, e.Number, referenceFile)
			}
			if e.Source == "" || e.Checked == "" {
				t.Errorf("%s: emergency %s lacks source or checked date", c.Code, e.Number)
			}
		}
	}
	if seen < 30 {
		t.Fatalf("only %d numbers seen: is the directory loaded?", seen)
	}
	// The check can fail: a number nobody printed is caught.
	if inReference(ref, NormalizePhone("+7 495 000 00 00"), false) || inReference(ref, "153", false) {
		t.Error("an invented number passed the reference check")
	}
}

// shortNumber finds digit groups of three or more digits that are not part
// of a word, a code or a decimal: the guide's own check (CheckPhones) looks
// for long numbers, so emergency-style short numbers (112, 152, 116 16) are
// checked here.
var shortNumber = regexp.MustCompile(`\d+(?:[ \-\x{00A0}]\d+)*`)

func shortNumbersIn(body string) []string {
	var out []string
	for _, loc := range shortNumber.FindAllStringIndex(body, -1) {
		text := body[loc[0]:loc[1]]
		if loc[0] > 0 {
			prev, _ := utf8.DecodeLastRuneInString(body[:loc[0]])
			if unicode.IsLetter(prev) || prev == '.' || prev == '/' || prev == ',' || prev == '(' || prev == ':' {
				continue // C189, Art. 9(1), 1,834, 9:00
			}
		}
		if loc[1] < len(body) {
			next, _ := utf8.DecodeRuneInString(body[loc[1]:])
			if unicode.IsLetter(next) && next != 'x' {
				continue // 2011-ci, 5th
			}
		}
		digits := NormalizePhone(text)
		if len(digits) < 3 || isYear(digits) {
			continue
		}
		out = append(out, text)
	}
	return out
}

func isYear(digits string) bool {
	return len(digits) == 4 && (strings.HasPrefix(digits, "19") || strings.HasPrefix(digits, "20"))
}

func TestShortNumbersIn(t *testing.T) {
	body := "Call 112 or 152 (free), the line 116 16, or 153. In 2011, under C189, Art. 22(9), 1,834 calls, 9:00-18:00, 2011-ci ildə."
	got := shortNumbersIn(body)
	want := []string{"112", "152", "116 16", "153"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("shortNumbersIn = %q, want %q", got, want)
	}
}

// Every phone number in the guide, in every language, is one the directory
// lists with its source: the long ones through the guide's own check, the
// short ones here.
func TestEveryGuideNumberIsInTheDirectory(t *testing.T) {
	d := loadReal(t)
	g, problems := guide.Load(content, "guide")
	for _, p := range problems {
		t.Error(p)
	}
	known := d.PhoneNumbers()
	for _, p := range g.CheckPhones(known) {
		t.Error(p)
	}
	bodies := 0
	for _, lang := range Languages {
		for _, ref := range g.Topics(lang) {
			topic, _ := g.Topic(lang, ref.ID)
			if topic.Lang != lang {
				continue // not translated: the English body is checked as English
			}
			bodies++
			for _, n := range shortNumbersIn(topic.Body) {
				if !known[NormalizePhone(n)] {
					t.Errorf("%s: number %q is not in the service directory; add it there with its source first", topic.File, n)
				}
			}
		}
	}
	if bodies < 6 {
		t.Fatalf("only %d guide bodies read", bodies)
	}
	// Both checks can fail on an invented number.
	if len(shortNumbersIn("Call 153.")) != 1 || known[NormalizePhone("153")] {
		t.Error("an invented short number would pass")
	}
}
