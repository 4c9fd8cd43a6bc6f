// Package directory loads the service directory (trade unions, consulates,
// hotlines, migration services) and the per-country facts (emergency numbers,
// ratifications) from the TOML files under content/directory and
// content/countries.
//
// Every contact carries its own citation because the facts come from stored
// copies of sources of different ages: an editor or the bot must always be
// able to say where a number came from and when it was last checked.
package directory

import (
	"sort"
	"strings"
)

// Kind says what sort of organisation or service point an entry is.
type Kind string

const (
	KindTradeUnion       Kind = "trade_union"
	KindConsulate        Kind = "consulate"
	KindEmbassy          Kind = "embassy"
	KindHotline          Kind = "hotline"
	KindNGO              Kind = "ngo"
	KindLabourInspection Kind = "labour_inspection"
	KindMigrationService Kind = "migration_service"
	KindEmergency        Kind = "emergency"
)

// Kinds lists every valid Kind.
var Kinds = []Kind{KindTradeUnion, KindConsulate, KindEmbassy, KindHotline, KindNGO,
	KindLabourInspection, KindMigrationService, KindEmergency}

// Categories are the complaint categories an entry can help with; they match
// the intake's categories.
var Categories = []string{"wages", "documents", "recruitment", "forced_labour", "safety",
	"violence", "contract", "dismissal", "other"}

// Instruments are the treaties whose ratification status a country file
// records, in the order country pages list them. A country page shows a
// line for each, "unknown" when the file has no record; the guide may cite
// only these (and non-binding guidance), so that every cited treaty can be
// looked up for the country where a worker works.
var Instruments = []string{"C97", "C143", "C181", "C189", "C29", "P29", "C87", "C98", "ICRMW", "C190",
	"C95", "C155", "C118", "Palermo"}

// Ratification statuses. "no" means "not in the source's list", which is
// weaker than "not ratified".
var Statuses = []string{"yes", "no", "unknown", "signed"}

// Languages are the six interface languages, all first-class.
var Languages = []string{"az", "ru", "ka", "ro", "kk", "en"}

// Citation records where a fact was found and when the team last checked it.
type Citation struct {
	Source string `toml:"source"`
	// SourceDate is the date the source itself carries: YYYY, YYYY-MM or
	// YYYY-MM-DD; empty when the source is undated.
	SourceDate string `toml:"source_date"`
	// Checked is the day (YYYY-MM-DD) the fact was checked against the source.
	Checked string `toml:"checked"`
	// Verified is false when the source is single, conflicting, garbled or
	// possibly obsolete (dated before 2023); the bot must then present the
	// fact with a warning.
	Verified bool   `toml:"verified"`
	Note     string `toml:"note"`
	// Research is how the team came to the fact: the reference notes, a
	// seed document, a mirror or copy of the page. It stays in the file for
	// editors; Source, which workers see, holds public names and links only.
	Research string `toml:"research"`
}

// Year is the year the source carries, or "" when it is undated.
func (c Citation) Year() string {
	if len(c.SourceDate) < 4 {
		return ""
	}
	return c.SourceDate[:4]
}

// PhoneFormatAsGiven marks a number kept exactly as the source printed it
// because the source gave no full international form (short numbers,
// national numbers, missing area codes).
const PhoneFormatAsGiven = "as_given"

type Phone struct {
	// Number is E.164 (+99532...) unless Format is PhoneFormatAsGiven.
	Number string `toml:"number"`
	Format string `toml:"format"`
	// DialFrom is the country inside which a number kept as printed can be
	// dialled: a short code (152, 116 006) or a national form (0 800 77777)
	// works nowhere else. Required with PhoneFormatAsGiven.
	DialFrom string `toml:"dial_from"`
	// AreaCodeMissing marks a number printed without its area code when no
	// source gives the code: it may work only from a local line.
	AreaCodeMissing bool `toml:"area_code_missing"`
	// Label and Hours are shown in the worker's language.
	Label Texts `toml:"label"`
	Hours Texts `toml:"hours"`
	// FreeFrom lists ISO country codes from which calling is free of charge.
	FreeFrom []string `toml:"free_from"`
	// AlsoPrinted holds other forms in which sources printed the same number
	// (e.g. the local "2 100 229"), so that text quoting them still matches.
	AlsoPrinted []string `toml:"also_printed"`
	Citation
}

// Address text keeps the form the source printed (original), so a driver or
// a passer-by can read it, and its rendering in the six languages.
type Address struct {
	Text Names `toml:"text"`
	Citation
}

type Email struct {
	Address string `toml:"address"`
	Citation
}

type Website struct {
	URL string `toml:"url"`
	Citation
}

// Names holds an organisation's or country's name per language. Original is
// the name in the organisation's own official language.
type Names struct {
	Original string `toml:"original"`
	Texts
}

// In returns the name in lang, falling back to English and then to the
// original, so a gap in a translation never shows an empty name.
func (n Names) In(lang string) string {
	if name := n.Texts.In(lang); name != "" {
		return name
	}
	return n.Original
}

// Texts is editorial text in the six interface languages.
type Texts struct {
	AZ string `toml:"az"`
	RU string `toml:"ru"`
	KA string `toml:"ka"`
	RO string `toml:"ro"`
	KK string `toml:"kk"`
	EN string `toml:"en"`
}

// In returns the text in lang, falling back to English.
func (x Texts) In(lang string) string {
	byLang := map[string]string{"az": x.AZ, "ru": x.RU, "ka": x.KA, "ro": x.RO, "kk": x.KK, "en": x.EN}
	if text := byLang[lang]; text != "" {
		return text
	}
	return x.EN
}

// Empty reports whether no language has text.
func (x Texts) Empty() bool { return x == Texts{} }

// Missing returns the first of the six languages without its own text, or
// "" when every language has one.
func (x Texts) Missing() string {
	byLang := map[string]string{"az": x.AZ, "ru": x.RU, "ka": x.KA, "ro": x.RO, "kk": x.KK, "en": x.EN}
	for _, lang := range Languages {
		if strings.TrimSpace(byLang[lang]) == "" {
			return lang
		}
	}
	return ""
}

// Service is one organisation or service point.
type Service struct {
	ID              string `toml:"id"`
	Kind            Kind   `toml:"kind"`
	Names           Names  `toml:"names"`
	NamesUnreviewed bool   `toml:"names_unreviewed"`
	// Country is where the service is located (ISO 3166-1 alpha-2).
	Country string `toml:"country"`
	City    string `toml:"city"`
	// Lat and Lon are city centres, not office positions; nil when the
	// reference gives none.
	Lat          *float64  `toml:"lat"`
	Lon          *float64  `toml:"lon"`
	CoordsSource string    `toml:"coords_source"`
	Address      *Address  `toml:"address"`
	Phones       []Phone   `toml:"phones"`
	Emails       []Email   `toml:"emails"`
	Websites     []Website `toml:"websites"`
	// Hours are the opening hours in the six languages.
	Hours Texts `toml:"hours"`
	// TranslationsUnreviewed is true until a native speaker has checked the
	// phone labels, hours and address in every language.
	TranslationsUnreviewed bool     `toml:"translations_unreviewed"`
	Languages              []string `toml:"languages"`
	// ServesCitizenships and ServesCountries hold ISO codes or "*" for all.
	ServesCitizenships []string `toml:"serves_citizenships"`
	ServesCountries    []string `toml:"serves_countries"`
	District           string   `toml:"district"`
	Categories         []string `toml:"categories"`
	// ReceivesCases is true only once an organisation has agreed to receive
	// cases through rightsdesk.
	ReceivesCases bool `toml:"receives_cases"`
	// Withheld keeps an entry for editors but never offers it to workers:
	// it has no contact a worker could use (say why in Note).
	Withheld       bool `toml:"withheld"`
	NationalCentre bool `toml:"national_centre"`
	Emergency      bool `toml:"emergency"`
	// Remote marks an organisation that takes cases from wherever it
	// serves without the worker coming to an office: distance does not
	// limit routing to it.
	Remote bool `toml:"remote"`
	// DeskOnly marks an organisation reached only through its rightsdesk
	// desk (the demo's sandbox union): it has no contact to show, and is
	// offered only while it is linked.
	DeskOnly bool `toml:"desk_only"`
	// Note is for editors; WorkerNote is what a worker must know before
	// using the service (the Interests Section acting for a state without an
	// embassy), shown with it in the worker's language.
	Note                 string `toml:"note"`
	WorkerNote           Texts  `toml:"worker_note"`
	WorkerNoteUnreviewed bool   `toml:"worker_note_unreviewed"`
}

// Serves reports whether the service is meant for a citizen of citizenship
// who is in country. An empty list means the source did not say, which is
// treated as no restriction.
func (s Service) Serves(citizenship, country string) bool {
	return matchesCode(s.ServesCitizenships, citizenship) && matchesCode(s.ServesCountries, country)
}

func matchesCode(codes []string, code string) bool {
	if len(codes) == 0 {
		return true
	}
	for _, c := range codes {
		if c == "*" || strings.EqualFold(c, code) {
			return true
		}
	}
	return false
}

// HelpsWith reports whether category is among the service's categories.
func (s Service) HelpsWith(category string) bool {
	for _, c := range s.Categories {
		if c == category {
			return true
		}
	}
	return false
}

// EmergencyNumber is a national emergency number.
type EmergencyNumber struct {
	Number string `toml:"number"`
	Label  string `toml:"label"`
	Citation
}

// Ratification is one cell of the reference's ratification table. Status
// carries the certainty ("unknown" for cells marked "?"), so there is no
// verified flag.
type Ratification struct {
	Instrument string `toml:"instrument"`
	Status     string `toml:"status"`
	Year       int    `toml:"year"` // 0 when the source gives none
	// Source is shown to workers; Research is the team's trail, kept here.
	Source     string `toml:"source"`
	Research   string `toml:"research"`
	SourceDate string `toml:"source_date"`
	Checked    string `toml:"checked"`
	Note       string `toml:"note"`
}

// Country holds per-country facts.
type Country struct {
	Code          string            `toml:"code"`
	Names         Names             `toml:"names"`
	NamesReviewed bool              `toml:"names_reviewed"`
	Emergency     []EmergencyNumber `toml:"emergency"`
	EmergencyNote string            `toml:"emergency_note"`
	Ratifications []Ratification    `toml:"ratifications"`
	// Hotlines are directory ids relevant to people in this country.
	Hotlines      []string `toml:"hotlines"`
	NationalUnion string   `toml:"national_union"`
	Note          string   `toml:"note"`
}

// Ratification returns the country's record for instrument, if any.
func (c Country) Ratification(instrument string) (Ratification, bool) {
	for _, r := range c.Ratifications {
		if r.Instrument == instrument {
			return r, true
		}
	}
	return Ratification{}, false
}

// Directory is the loaded, read-only directory.
type Directory struct {
	services  []Service // sorted by ID
	byID      map[string]int
	countries map[string]Country // keyed by upper-case code
}

func newDirectory(services []Service, countries []Country) *Directory {
	sort.Slice(services, func(i, j int) bool { return services[i].ID < services[j].ID })
	d := &Directory{services: services, byID: map[string]int{}, countries: map[string]Country{}}
	for i, s := range services {
		if _, dup := d.byID[s.ID]; !dup {
			d.byID[s.ID] = i
		}
	}
	for _, c := range countries {
		d.countries[strings.ToUpper(c.Code)] = c
	}
	return d
}

// ByID returns the service with id.
func (d *Directory) ByID(id string) (Service, bool) {
	i, ok := d.byID[id]
	if !ok {
		return Service{}, false
	}
	return d.services[i], true
}

// Services returns all services sorted by id. The slice is a copy; the
// services' own slices are shared and must not be modified.
func (d *Directory) Services() []Service {
	return append([]Service(nil), d.services...)
}

// Country returns the facts for an ISO code (either case).
func (d *Directory) Country(code string) (Country, bool) {
	c, ok := d.countries[strings.ToUpper(code)]
	return c, ok
}

// Countries returns all countries sorted by code.
func (d *Directory) Countries() []Country {
	out := make([]Country, 0, len(d.countries))
	for _, c := range d.countries {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Emergency returns the country's emergency numbers; nil when none are
// verified for it.
func (d *Directory) Emergency(code string) []EmergencyNumber {
	c, _ := d.Country(code)
	return c.Emergency
}

// Hotlines returns the services listed as hotlines for a country, in the
// order the country file lists them; an entry not offered (withheld, or
// without a usable contact) is left out.
func (d *Directory) Hotlines(code string) []Service {
	c, _ := d.Country(code)
	var out []Service
	for _, id := range c.Hotlines {
		if s, ok := d.ByID(id); ok && s.Offered() {
			out = append(out, s)
		}
	}
	return out
}

// NationalCentre returns the national trade-union centre named by the
// country file.
func (d *Directory) NationalCentre(country string) (Service, bool) {
	c, ok := d.Country(country)
	if !ok || c.NationalUnion == "" {
		return Service{}, false
	}
	return d.ByID(c.NationalUnion)
}

// PhoneNumbers returns every phone and emergency number in the directory,
// normalised with NormalizePhone, so other content can be checked against it.
func (d *Directory) PhoneNumbers() map[string]bool {
	numbers := map[string]bool{}
	add := func(n string) {
		if digits := NormalizePhone(n); digits != "" {
			numbers[digits] = true
		}
	}
	for _, s := range d.services {
		for _, p := range s.Phones {
			add(p.Number)
			for _, alt := range p.AlsoPrinted {
				add(alt)
			}
		}
	}
	for _, c := range d.countries {
		for _, e := range c.Emergency {
			add(e.Number)
		}
	}
	return numbers
}

// NormalizePhone keeps only the digits of a number, so "+7 929 964-9079" and
// "+79299649079" compare equal.
func NormalizePhone(number string) string {
	var b strings.Builder
	for _, r := range number {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
