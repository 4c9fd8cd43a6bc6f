package directory

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"
)

var (
	e164       = regexp.MustCompile(`^\+[1-9]\d{6,14}$`)
	sourceDate = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)
	emailShape = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	phoneChars = regexp.MustCompile(`^[+0-9 ()\-]+$`)
	// researchNote finds the team's own trail in a source a worker would
	// read: the reference notes, seed documents, mirrors and copies of a
	// page. Domain names such as lastrada.md are public and pass.
	researchNote = regexp.MustCompile(`(?i)\b(seeds?|reference|compiled|mirrors?|cop(y|ies|ied)|directory\.md|norms\.md)\b|not named|as given in`)
)

// firstConfirmedYear: a contact whose source is dated before it is shown
// as "not confirmed since <year>" and must be verified = false.
const firstConfirmedYear = "2023"

// reporter collects problems for one file.
type reporter struct {
	file     string
	lines    keyLines
	problems []Problem
}

func (r *reporter) at(path []any, format string, args ...any) {
	r.problems = append(r.problems, Problem{File: r.file, Line: r.lines.line(path...), Message: fmt.Sprintf(format, args...)})
}

func validCountry(code string) bool {
	if len(code) != 2 || strings.ToUpper(code) != code {
		return false
	}
	region, err := language.ParseRegion(code)
	return err == nil && region.IsCountry()
}

func (r *reporter) codes(codes []string, allowAll bool, path ...any) {
	for _, c := range codes {
		if c == "*" && allowAll {
			continue
		}
		if !validCountry(c) {
			r.at(path, "%q is not an upper-case ISO 3166-1 alpha-2 country code", c)
		}
	}
}

// citation checks the fields every contact must carry. verified must be
// written out, so that an editor decides it rather than inheriting false.
func (r *reporter) citation(c Citation, requireVerified bool, path ...any) {
	switch {
	case strings.TrimSpace(c.Source) != "":
		r.shownSource(c.Source, slices.Concat(path, []any{"source"}))
	case strings.TrimSpace(c.Research) == "" || c.Verified:
		// Only a fact the team holds from a source it cannot name publicly
		// may leave source empty: the trail is in research, and the bot
		// shows it as unconfirmed from an unnamed source.
		r.at(path, "missing source (public name or link; an empty source needs research and verified = false)")
	}
	if c.Verified && c.Year() != "" && c.Year() < firstConfirmedYear {
		r.at(slices.Concat(path, []any{"verified"}), "source dated %s is older than %s: set verified = false (shown as not confirmed since %s)", c.SourceDate, firstConfirmedYear, c.Year())
	}
	if c.Checked == "" {
		r.at(path, "missing checked date (YYYY-MM-DD)")
	} else if _, err := time.Parse(time.DateOnly, c.Checked); err != nil {
		r.at(slices.Concat(path, []any{"checked"}), "checked %q is not a YYYY-MM-DD date", c.Checked)
	}
	if c.SourceDate != "" && !sourceDate.MatchString(c.SourceDate) {
		r.at(slices.Concat(path, []any{"source_date"}), "source_date %q is not YYYY, YYYY-MM or YYYY-MM-DD", c.SourceDate)
	}
	if requireVerified && !r.lines.has(slices.Concat(path, []any{"verified"})...) {
		r.at(path, "missing verified = true/false")
	}
}

// shownSource refuses a research note in a source workers read.
func (r *reporter) shownSource(source string, path []any) {
	if m := researchNote.FindString(source); m != "" {
		r.at(path, "source %q shows a research note (%q): keep the public name or link in source and move the rest to research", source, m)
	}
}

// texts requires a shown text in all six languages.
func (r *reporter) texts(x Texts, what string, path ...any) {
	if x.Empty() {
		return
	}
	if lang := x.Missing(); lang != "" {
		r.at(path, "%s needs all six languages (%s missing)", what, lang)
	}
}

func checkServices(services []parsed[Service]) []Problem {
	var problems []Problem
	firstByID := map[string]string{}
	firstByIdentity := map[string]string{}
	// A contact listed twice would be checked twice and drift apart; a
	// number shared by two entries belongs to one of them.
	firstByContact := map[string]string{}
	contact := func(r *reporter, key, shown string, path ...any) {
		if other, dup := firstByContact[key]; dup {
			r.at(path, "%s is also listed in %s", shown, other)
			return
		}
		firstByContact[key] = r.file
	}
	for _, p := range services {
		s := p.value
		r := &reporter{file: p.file, lines: p.lines}
		checkService(r, s)
		for i, ph := range s.Phones {
			if digits := NormalizePhone(ph.Number); digits != "" {
				contact(r, "tel:"+digits, fmt.Sprintf("phone %q", ph.Number), "phones", i, "number")
			}
		}
		for i, e := range s.Emails {
			contact(r, "mailto:"+strings.ToLower(e.Address), fmt.Sprintf("email %q", e.Address), "emails", i, "address")
		}

		if s.ID != "" {
			if other, dup := firstByID[s.ID]; dup {
				r.at([]any{"id"}, "id %q is also used by %s", s.ID, other)
			} else {
				firstByID[s.ID] = p.file
			}
		}
		identity := strings.ToLower(strings.Join([]string{string(s.Kind), s.Country, s.City, s.Names.Original, s.Names.EN}, "|"))
		if other, dup := firstByIdentity[identity]; dup {
			r.at([]any{"names"}, "same kind, country, city and name as %s", other)
		} else {
			firstByIdentity[identity] = p.file
		}
		problems = append(problems, r.problems...)
	}
	return problems
}

func checkService(r *reporter, s Service) {
	base := strings.TrimSuffix(path.Base(r.file), ".toml")
	folder := path.Base(path.Dir(r.file))
	switch {
	case s.ID == "":
		r.at([]any{"id"}, "missing id")
	case s.ID != base:
		r.at([]any{"id"}, "id %q does not match the file name %q", s.ID, base+".toml")
	}
	if !slices.Contains(Kinds, s.Kind) {
		r.at([]any{"kind"}, "kind %q is not one of %v", s.Kind, Kinds)
	}
	if s.Names.Original == "" && s.Names.EN == "" {
		r.at([]any{"names"}, "names needs at least original or en")
	} else if lang := s.Names.Texts.Missing(); lang != "" {
		r.at([]any{"names"}, "names needs all six languages (%s missing)", lang)
	}
	if !s.Withheld && !s.DeskOnly && len(s.Reach()) == 0 {
		r.at([]any{"id"}, "would be offered without a contact a worker can use: add a phone, address, email or website from a source, or set withheld = true and say why in note")
	}
	if translated := !s.Hours.Empty() || s.Address != nil || slices.ContainsFunc(s.Phones, func(p Phone) bool {
		return !p.Label.Empty() || !p.Hours.Empty()
	}); translated && !r.lines.has("translations_unreviewed") {
		r.at([]any{"id"}, "missing translations_unreviewed = true/false (labels, hours and address are translated)")
	}
	r.texts(s.Hours, "hours", "hours")
	if !validCountry(s.Country) {
		r.at([]any{"country"}, "country %q is not an upper-case ISO 3166-1 alpha-2 code", s.Country)
	} else if strings.ToLower(s.Country) != folder {
		r.at([]any{"country"}, "country %s does not match the folder %q", s.Country, folder)
	}
	checkCoordinates(r, s)
	r.codes(s.ServesCitizenships, true, "serves_citizenships")
	r.codes(s.ServesCountries, true, "serves_countries")
	for _, c := range s.Categories {
		if !slices.Contains(Categories, c) {
			r.at([]any{"categories"}, "category %q is not one of %v", c, Categories)
		}
	}
	for _, l := range s.Languages {
		if _, err := language.ParseBase(l); err != nil || len(l) != 2 {
			r.at([]any{"languages"}, "language %q is not a two-letter ISO 639-1 code", l)
		}
	}
	if !s.WorkerNote.Empty() {
		// A worker reads it in their own language; a gap would show English.
		for _, lang := range Languages {
			if s.WorkerNote.In(lang) == "" || (lang != "en" && s.WorkerNote.In(lang) == s.WorkerNote.EN) {
				r.at([]any{"worker_note"}, "worker_note needs all six languages (%s missing)", lang)
				break
			}
		}
	}
	if s.NationalCentre && s.Kind != KindTradeUnion {
		r.at([]any{"national_centre"}, "only a trade_union can be a national centre")
	}
	if s.Address != nil {
		switch {
		case s.Address.Text.Empty():
			r.at([]any{"address"}, "address without text")
		case s.Address.Text.Original == "":
			r.at([]any{"address", "text"}, "address text needs original: the address as the source printed it")
		default:
			r.texts(s.Address.Text.Texts, "address text", "address", "text")
		}
		r.citation(s.Address.Citation, true, "address")
	}
	for i, p := range s.Phones {
		checkPhone(r, p, "phones", i)
	}
	for i, e := range s.Emails {
		if !emailShape.MatchString(e.Address) {
			r.at([]any{"emails", i, "address"}, "email %q is not an address", e.Address)
		}
		r.citation(e.Citation, true, "emails", i)
	}
	for i, w := range s.Websites {
		if w.URL == "" || strings.ContainsAny(w.URL, " \t") || !strings.Contains(w.URL, ".") {
			r.at([]any{"websites", i, "url"}, "website %q is not a host or URL", w.URL)
		}
		r.citation(w.Citation, true, "websites", i)
	}
}

func checkCoordinates(r *reporter, s Service) {
	if (s.Lat == nil) != (s.Lon == nil) {
		r.at([]any{"lat"}, "lat and lon must be given together")
		return
	}
	if s.Lat == nil {
		return
	}
	if *s.Lat < -90 || *s.Lat > 90 {
		r.at([]any{"lat"}, "lat %v is outside -90..90", *s.Lat)
	}
	if *s.Lon < -180 || *s.Lon > 180 {
		r.at([]any{"lon"}, "lon %v is outside -180..180", *s.Lon)
	}
	if strings.TrimSpace(s.CoordsSource) == "" {
		r.at([]any{"lat"}, "coordinates without coords_source")
	}
}

func checkPhone(r *reporter, p Phone, path ...any) {
	numberPath := slices.Concat(path, []any{"number"})
	switch p.Format {
	case "":
		// Spaces are not allowed either: the plain "+79299649079" is what
		// every Telegram client turns into a tappable number.
		if !e164.MatchString(p.Number) {
			r.at(numberPath, "phone %q is not E.164 (+ and 7-15 digits); if the source gives no international form, keep it as printed and set format = %q", p.Number, PhoneFormatAsGiven)
		}
		if p.DialFrom != "" || p.AreaCodeMissing {
			r.at(numberPath, "phone %q is international: dial_from and area_code_missing are for numbers kept as printed", p.Number)
		}
	case PhoneFormatAsGiven:
		if !phoneChars.MatchString(p.Number) || NormalizePhone(p.Number) == "" {
			r.at(numberPath, "phone %q may contain only digits, spaces, +, -, ( and )", p.Number)
		}
		// A short code or a national form dialled from abroad reaches
		// nobody: the bot must know where it works.
		if p.DialFrom == "" {
			r.at(numberPath, "phone %q is kept as printed but has no dialling area: add dial_from = \"<country code>\" (where it can be dialled)", p.Number)
		} else if !validCountry(p.DialFrom) {
			r.at(slices.Concat(path, []any{"dial_from"}), "dial_from %q is not an upper-case ISO 3166-1 alpha-2 code", p.DialFrom)
		}
	default:
		r.at(slices.Concat(path, []any{"format"}), "format %q must be empty (E.164) or %q", p.Format, PhoneFormatAsGiven)
	}
	r.texts(p.Label, "label", slices.Concat(path, []any{"label"})...)
	r.texts(p.Hours, "hours", slices.Concat(path, []any{"hours"})...)
	r.codes(p.FreeFrom, false, slices.Concat(path, []any{"free_from"})...)
	r.citation(p.Citation, true, path...)
}

func checkCountries(countries []parsed[Country], services []parsed[Service]) []Problem {
	byID := map[string]Service{}
	for _, s := range services {
		byID[s.value.ID] = s.value
	}
	var problems []Problem
	for _, p := range countries {
		c := p.value
		r := &reporter{file: p.file, lines: p.lines}
		base := strings.TrimSuffix(path.Base(p.file), ".toml")
		if !validCountry(c.Code) {
			r.at([]any{"code"}, "code %q is not an upper-case ISO 3166-1 alpha-2 code", c.Code)
		} else if strings.ToLower(c.Code) != base {
			r.at([]any{"code"}, "code %s does not match the file name %q", c.Code, base+".toml")
		}
		for _, lang := range Languages {
			if c.Names.In(lang) == "" {
				r.at([]any{"names"}, "missing country name")
				break
			}
		}
		for i, e := range c.Emergency {
			// An emergency number's dialling area is its country's: the bot
			// shows it under the country's name.
			if !phoneChars.MatchString(e.Number) || NormalizePhone(e.Number) == "" {
				r.at([]any{"emergency", i, "number"}, "emergency number %q may contain only digits, spaces, +, -, ( and )", e.Number)
			}
			r.citation(e.Citation, true, "emergency", i)
		}
		if len(c.Emergency) == 0 && c.EmergencyNote == "" {
			r.at([]any{"emergency_note"}, "no emergency numbers: say why in emergency_note")
		}
		seen := map[string]bool{}
		for i, rat := range c.Ratifications {
			at := []any{"ratifications", i}
			if !slices.Contains(Instruments, rat.Instrument) {
				r.at(slices.Concat(at, []any{"instrument"}), "instrument %q is not one of %v", rat.Instrument, Instruments)
			}
			if seen[rat.Instrument] {
				r.at(slices.Concat(at, []any{"instrument"}), "%s listed twice", rat.Instrument)
			}
			seen[rat.Instrument] = true
			if !slices.Contains(Statuses, rat.Status) {
				r.at(slices.Concat(at, []any{"status"}), "status %q is not one of %v", rat.Status, Statuses)
			}
			if rat.Year != 0 && (rat.Year < 1919 || rat.Year > 2100) {
				r.at(slices.Concat(at, []any{"year"}), "year %d is implausible", rat.Year)
			}
			if rat.Year != 0 && (rat.Status == "no" || rat.Status == "unknown") {
				r.at(slices.Concat(at, []any{"year"}), "a year with status %q", rat.Status)
			}
			r.citation(Citation{Source: rat.Source, SourceDate: rat.SourceDate, Checked: rat.Checked, Research: rat.Research}, false, at...)
		}
		for i, id := range c.Hotlines {
			if s, ok := byID[id]; !ok {
				r.at([]any{"hotlines"}, "hotlines[%d]: no directory entry %q", i, id)
			} else if !s.Offered() {
				r.at([]any{"hotlines"}, "hotlines[%d]: %q is withheld or has no usable contact, so it would never be shown", i, id)
			}
		}
		if c.NationalUnion != "" {
			s, ok := byID[c.NationalUnion]
			switch {
			case !ok:
				r.at([]any{"national_union"}, "no directory entry %q", c.NationalUnion)
			case !s.NationalCentre:
				r.at([]any{"national_union"}, "%q is not marked national_centre = true", c.NationalUnion)
			case s.Country != c.Code:
				r.at([]any{"national_union"}, "%q is located in %s, not %s", c.NationalUnion, s.Country, c.Code)
			}
		}
		problems = append(problems, r.problems...)
	}
	return problems
}
