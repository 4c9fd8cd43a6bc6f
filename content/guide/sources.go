package guide

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sources name a provision in a fixed short form, for example
// "C97 art. 6(1)(a)(i)", "P29 art. 4(1)", "ICRMW art. 21", "Palermo art. 3(a)",
// "FRP GP 7" (ILO Fair Recruitment general principle) or "Dhaka principle 4".
var sourceGrammar = regexp.MustCompile(
	`^(?:(C\d+|P29|ICRMW|Palermo) art\. (\d+)((?:\([0-9A-Za-z]+\))*)|(FRP) GP (\d+)|(Dhaka) principle (\d+|A|B))$`)

// source is a parsed source: instrument code, base article and the
// parenthesised subdivisions, such as "(1)(a)".
type source struct {
	instrument, article, sub string
}

func (s source) String() string {
	switch s.instrument {
	case "FRP":
		return "FRP GP " + s.article
	case "Dhaka":
		return "Dhaka principle " + s.article
	}
	return s.instrument + " art. " + s.article + s.sub
}

// ParseSource parses a front matter source; ok is false when it does not
// follow the grammar.
func parseSource(s string) (source, bool) {
	m := sourceGrammar.FindStringSubmatch(s)
	switch {
	case m == nil:
		return source{}, false
	case m[1] != "":
		return source{instrument: m[1], article: m[2], sub: m[3]}, true
	case m[4] != "":
		return source{instrument: m[4], article: m[5]}, true
	default:
		return source{instrument: m[6], article: m[7]}, true
	}
}

// covers tells whether a cited provision and a listed source name the same
// article, one possibly more precisely: "Art. 6(1)" is covered by
// "art. 6(1)(b)" and "Art. 9(c)" by "art. 9".
func (s source) covers(cited source) bool {
	if s.instrument != cited.instrument || s.article != cited.article {
		return false
	}
	return strings.HasPrefix(s.sub, cited.sub) || strings.HasPrefix(cited.sub, s.sub)
}

// English bodies cite provisions in a fixed reader-facing form, which must
// match the machine-readable sources in the front matter.
var (
	citationForms = []struct {
		pattern    *regexp.Regexp
		instrument string // "" when the first group holds the instrument
	}{
		{regexp.MustCompile(`\bILO (C\d+|P29), Art\. (\d+)((?:\([0-9A-Za-z]+\))*)`), ""},
		{regexp.MustCompile(`\bUN ICRMW, Art\. (\d+)((?:\([0-9A-Za-z]+\))*)`), "ICRMW"},
		{regexp.MustCompile(`\bPalermo Protocol, Art\. (\d+)((?:\([0-9A-Za-z]+\))*)`), "Palermo"},
		{regexp.MustCompile(`\bILO Fair Recruitment GP (\d+)`), "FRP"},
		{regexp.MustCompile(`\bDhaka Principle (\d+|A|B)\b`), "Dhaka"},
	}
	// Translations may translate the words around a citation but keep the
	// instrument codes.
	instrumentCode = regexp.MustCompile(`\b(C\d{2,3}|P29|ICRMW)\b`)
	// A translated citation is a code, a few words ("ст.", "mad.", "მუხ.",
	// "принцип"), then the article: "C181, ст. 7(1)", "C95, 9-бап",
	// "GP 7", "Dhaka prinsipi 1". Up to three digits, so a year after a
	// code ("C190 (2019)") is not taken for an article.
	translatedCitation = regexp.MustCompile(`\b(C\d{2,3}|P29|ICRMW|Palermo|GP|Dhaka)\b(\D{0,30}?)(\d{1,3})\b`)
)

// translatedCitations returns the provisions a translated body cites, with
// the article only (the subdivision's wording varies by language).
func translatedCitations(body string) []citation {
	var out []citation
	for _, m := range translatedCitation.FindAllStringSubmatchIndex(body, -1) {
		gap := body[m[4]:m[5]]
		if last, _ := utf8.DecodeLastRuneInString(gap); gap == "" || unicode.IsLetter(last) {
			// "P29": the digits belong to a word, not an article.
			continue
		}
		instrument := body[m[2]:m[3]]
		if instrument == "GP" {
			instrument = "FRP"
		}
		out = append(out, citation{text: body[m[0]:m[1]], source: source{instrument: instrument, article: body[m[6]:m[7]]}, offset: m[0]})
	}
	return out
}

// citation is a provision cited in a body line.
type citation struct {
	text   string
	source source
	offset int // byte offset in the body
}

func englishCitations(body string) []citation {
	var out []citation
	for _, form := range citationForms {
		for _, m := range form.pattern.FindAllStringSubmatchIndex(body, -1) {
			group := func(i int) string {
				if 2*i >= len(m) || m[2*i] < 0 {
					return ""
				}
				return body[m[2*i]:m[2*i+1]]
			}
			var s source
			if form.instrument == "" {
				s = source{instrument: group(1), article: group(2), sub: group(3)}
			} else {
				s = source{instrument: form.instrument, article: group(1), sub: group(2)}
			}
			out = append(out, citation{text: body[m[0]:m[1]], source: s, offset: m[0]})
		}
	}
	return out
}

// Norms is the index of provisions documented in the reference notes
// (content/reference/norms.md): which articles of which instrument the
// project has a verified summary for.
type Norms struct {
	articles map[string]map[string]bool // instrument → article or principle
}

// Has tells whether the reference documents the article of the instrument.
func (n Norms) Has(instrument, article string) bool {
	return n.articles[instrument][article]
}

// Instruments returns how many instruments the reference covers.
func (n Norms) Instruments() int { return len(n.articles) }

var (
	headingCodes   = regexp.MustCompile(`\b(C\d+|P29)\b`)
	articleMention = regexp.MustCompile(`(?:\b(C\d+|P29)\s+)?\bArt\.\s*(\d+)`)
	gpMention      = regexp.MustCompile(`\bGP (\d+)\b`)
	// Dhaka principles are listed as "A equal treatment; B …; 1 no fees …"
	// and later as `. 8 "Living conditions …"`.
	dhakaMention = regexp.MustCompile(`(?:^-\s+|[;.]\s+)([AB]|\d{1,2})\s+["A-Za-z]`)
)

// ParseNorms reads the reference notes: each "### " heading names one or
// more instruments (C97, C29 … (P29), ICRMW, Palermo, Fair Recruitment,
// Dhaka), and the text below mentions articles as "Art. N", optionally
// prefixed by the code when a section covers two instruments ("C98 Art. 1").
// Sections under other "## " headings (ratification tables) are ignored.
func ParseNorms(md []byte) Norms {
	n := Norms{articles: map[string]map[string]bool{}}
	add := func(instrument, article string) {
		if n.articles[instrument] == nil {
			n.articles[instrument] = map[string]bool{}
		}
		n.articles[instrument][article] = true
	}
	current := ""
	var section strings.Builder
	flush := func() {
		if current == "Dhaka" {
			for _, m := range dhakaMention.FindAllStringSubmatch(section.String(), -1) {
				add("Dhaka", m[1])
			}
		}
		section.Reset()
	}
	scanner := bufio.NewScanner(bytes.NewReader(md))
	for scanner.Scan() {
		line := scanner.Text()
		switch {
		case strings.HasPrefix(line, "### "):
			flush()
			current = instrumentOfHeading(line)
			continue
		case strings.HasPrefix(line, "## "), strings.HasPrefix(line, "# "):
			flush()
			current = ""
			continue
		case current == "":
			continue
		}
		section.WriteString(line + "\n")
		switch current {
		case "FRP":
			for _, m := range gpMention.FindAllStringSubmatch(line, -1) {
				add("FRP", m[1])
			}
		case "Dhaka":
		default:
			for _, m := range articleMention.FindAllStringSubmatch(line, -1) {
				if m[1] != "" {
					current = m[1]
				}
				add(current, m[2])
			}
		}
	}
	flush()
	return n
}

func instrumentOfHeading(heading string) string {
	switch {
	case strings.Contains(heading, "ICRMW"):
		return "ICRMW"
	case strings.Contains(heading, "Palermo"):
		return "Palermo"
	case strings.Contains(heading, "Fair Recruitment"):
		return "FRP"
	case strings.Contains(heading, "Dhaka"):
		return "Dhaka"
	}
	if m := headingCodes.FindString(heading); m != "" {
		return m
	}
	return ""
}

// LoadNorms reads and parses the reference notes from fsys.
func LoadNorms(fsys fs.FS, name string) (Norms, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return Norms{}, fmt.Errorf("reference norms: %w", err)
	}
	norms := ParseNorms(data)
	if norms.Instruments() == 0 {
		return Norms{}, fmt.Errorf("reference norms %s: no instrument sections (### headings) found", name)
	}
	return norms, nil
}
