package bot

// The service directory as the worker sees it: the adapter from the
// directory to the ranking, and the card that shows one service with the
// reasons it was chosen, its contacts and where each contact came from.

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/routing"
	"github.com/rightsdesk/rightsdesk/content/directory"
	"github.com/rightsdesk/rightsdesk/locales"
)

// routingServices gives routing what it ranks on, and nothing it could leak:
// no names, no contacts, only where they work from (Reach), so that routing
// offers nobody a service they cannot reach. Emergency numbers are not
// services to choose; a withheld entry is never offered.
func routingServices(services []directory.Service) []routing.Service {
	out := make([]routing.Service, 0, len(services))
	for _, s := range services {
		if s.Kind == directory.KindEmergency || !s.Offered() {
			continue
		}
		r := routing.Service{
			ID: s.ID, Kind: string(s.Kind), Country: s.Country, City: s.City,
			ServesCitizenships: s.ServesCitizenships, ServesCountries: s.ServesCountries,
			Categories: s.Categories, Languages: s.Languages, ReceivesCases: s.ReceivesCases,
			NationalCentre: s.NationalCentre, Emergency: s.Emergency, Remote: s.Remote, Reach: s.Reach(),
		}
		// Routing flags the note a worker must see; the editors' note is
		// not for workers.
		if !s.WorkerNote.Empty() {
			r.Note = s.WorkerNote.EN
		}
		if s.Lat != nil && s.Lon != nil {
			r.Lat, r.Lon = *s.Lat, *s.Lon
		}
		out = append(out, r)
	}
	return out
}

// locateCity lets routing place a service whose file gives a city but no
// coordinates.
func (l *Library) locateCity(country, city string) (float64, float64, bool) {
	p, ok := l.Gazetteer.Locate(country, city)
	return p.Lat, p.Lon, ok
}

// rank runs the library's ranking; a library without a directory ranks
// nothing rather than failing a turn. maxKm is how far an office may be
// before routing falls back (0: routing's default).
func (l *Library) rank(c routing.Case, limit int, maxKm float64, receives func(id string) bool) routing.Result {
	if l == nil || l.Routes == nil {
		return routing.Result{}
	}
	opt := routing.Options{Limit: limit, MaxDistanceKm: maxKm, Receives: receives}
	if l.Gazetteer != nil {
		opt.Locate = l.locateCity
	}
	return l.Routes.Rank(c, opt)
}

// messageBudget keeps every message under Telegram's 4096-character limit.
// It counts bytes, which are never fewer than the UTF-16 units Telegram
// counts, so Georgian or Cyrillic text cannot overflow.
const messageBudget = 3800

// sources numbers the citations of one message, so each contact line
// carries a short [n] and the message ends with one compact footer.
type sources struct {
	keys []string
}

func (s *sources) ref(c directory.Citation) int {
	key := c.Source + "\x00" + c.Checked
	if i := slices.Index(s.keys, key); i >= 0 {
		return i + 1
	}
	s.keys = append(s.keys, key)
	return len(s.keys)
}

func (s *sources) clone() *sources { return &sources{keys: slices.Clone(s.keys)} }

// footers renders the source footers of one packMessages call. Packing
// measures the footer again after every block, so each line is localized
// once and kept.
type footers struct {
	t     *turn
	title string
	lines []string // lines[i] is item i+1 for key keys[i]
	keys  []string
}

func (f *footers) render(s *sources) string {
	if len(s.keys) == 0 {
		return ""
	}
	if f.title == "" {
		f.title = f.t.t("service_sources_title", nil)
	}
	var b strings.Builder
	b.WriteString(f.title)
	for i, key := range s.keys {
		if i >= len(f.keys) {
			f.keys = append(f.keys, "")
			f.lines = append(f.lines, "")
		}
		if f.keys[i] != key { // a fresh slot's "" never equals a key
			source, checked, _ := strings.Cut(key, "\x00")
			f.keys[i] = key
			shown := escape(source)
			if source == "" {
				// The team holds the fact from a source it cannot name
				// publicly; the contact line says it is unconfirmed.
				shown = f.t.t("service_source_unnamed", nil)
			}
			f.lines[i] = f.t.t("service_source_item", map[string]any{
				"N": i + 1, "Source": shown, "Checked": escape(checked)})
		}
		b.WriteString("\n")
		b.WriteString(f.lines[i])
	}
	return b.String()
}

// packMessages joins a head and blocks into as few messages as fit the
// budget. Each block renders against the message's own citations, so a
// block moved to the next message is numbered afresh.
func (t *turn) packMessages(head string, blocks []func(*sources) string) []string {
	var out []string
	var parts []string
	joined := 0 // len(strings.Join(parts, "\n\n"))
	add := func(text string) {
		if len(parts) > 0 {
			joined += 2
		}
		joined += len(text)
		parts = append(parts, text)
	}
	if head != "" {
		add(head)
	}
	refs := &sources{}
	footer := &footers{t: t}
	flush := func() {
		if len(parts) == 0 {
			return
		}
		msg := strings.Join(parts, "\n\n")
		if f := footer.render(refs); f != "" {
			msg += "\n\n" + f
		}
		out = append(out, msg)
		parts, joined, refs = nil, 0, &sources{}
	}
	for _, block := range blocks {
		trial := refs.clone()
		text := block(trial)
		size := joined + len(text) + len(footer.render(trial)) + 2
		if len(parts) > 0 {
			size += 2
		}
		if size > messageBudget && len(parts) > 0 {
			flush()
			trial = &sources{}
			text = block(trial)
		}
		add(text)
		refs = trial
	}
	flush()
	return out
}

// sendAll sends the messages, the keyboard under the last one.
func (t *turn) sendAll(messages []string, kb *chat.Keyboard) {
	for i, m := range messages {
		if i == len(messages)-1 {
			t.send(m, kb)
		} else {
			t.send(m, nil)
		}
	}
}

// card shows a service: its name in the worker's language, why it is
// offered, and, when contacts is set, how to reach it. n numbers the card
// when it is one of a list.
func (t *turn) card(s directory.Service, ch routing.Choice, n int, contacts bool, refs *sources) string {
	var b strings.Builder
	name := escape(s.Names.In(t.lang))
	if n > 0 {
		b.WriteString(t.t("service_title_numbered", map[string]any{"N": n, "Name": name}))
	} else {
		b.WriteString(t.t("service_title", map[string]any{"Name": name}))
	}
	if why := t.why(s, ch); why != "" {
		b.WriteString("\n<i>" + why + "</i>")
	}
	if note := s.WorkerNote.In(t.lang); note != "" {
		b.WriteString("\n" + t.t("service_worker_note", map[string]any{"Note": escape(note)}))
	}
	if !contacts {
		return b.String()
	}
	b.WriteString(t.contacts(s, refs))
	return b.String()
}

// contacts lists a service's phones, emails, websites, address and hours,
// each with its citation and a warning where the source is weak. A number
// that cannot be dialled from where the worker is (t.here) is shown as code,
// which no client makes tappable, with the country it works in.
func (t *turn) contacts(s directory.Service, refs *sources) string {
	var b strings.Builder
	line := func(id string, data map[string]any, c directory.Citation) {
		data["Ref"] = refs.ref(c)
		b.WriteString("\n" + t.t(id, data))
		b.WriteString(t.unconfirmed(c))
	}
	for _, p := range s.Phones {
		number := escape(p.Number)
		if !p.DialableFrom(t.here) {
			number = "<code>" + number + "</code>"
		}
		line("service_phone", map[string]any{"Number": number, "Label": t.phoneLabel(p)}, p.Citation)
	}
	for _, e := range s.Emails {
		line("service_email", map[string]any{"Address": escape(e.Address)}, e.Citation)
	}
	for _, w := range s.Websites {
		line("service_website", map[string]any{"URL": escape(w.URL)}, w.Citation)
	}
	if s.Address != nil && !s.Address.Text.Empty() {
		line("service_address", map[string]any{"Address": escape(s.Address.Text.In(t.lang))}, s.Address.Citation)
	}
	if hours := s.Hours.In(t.lang); hours != "" {
		b.WriteString("\n" + t.t("service_hours", map[string]any{"Hours": escape(hours)}))
	}
	if len(s.Phones)+len(s.Emails)+len(s.Websites) == 0 && s.Address == nil {
		b.WriteString("\n" + t.t("service_no_contacts", nil))
	}
	return b.String()
}

// unconfirmed is the warning after a contact from a weak source: with the
// year of its source when it has one.
func (t *turn) unconfirmed(c directory.Citation) string {
	switch {
	case c.Verified:
		return ""
	case c.Year() != "":
		return " " + t.t("service_not_confirmed_since", map[string]any{"Year": c.Year()})
	}
	return " " + t.t("service_not_verified", nil)
}

// phoneLabel says what a number is for, with its hours, and where it can be
// dialled from when that is not everywhere.
func (t *turn) phoneLabel(p directory.Phone) string {
	var parts []string
	if label := p.Label.In(t.lang); label != "" {
		parts = append(parts, escape(label))
	}
	if hours := p.Hours.In(t.lang); hours != "" {
		parts = append(parts, escape(hours))
	}
	onlyInside := p.Reach() != directory.Anywhere && p.DialFrom != "" && !strings.EqualFold(p.DialFrom, t.here)
	// Where a call is free matters to whoever can make it; a label that
	// says so already ("free from landlines in Moldova") is enough.
	if len(p.FreeFrom) > 0 && !onlyInside && !strings.Contains(strings.ToLower(p.Label.EN), "free") {
		parts = append(parts, t.t("service_free_from", map[string]any{"Countries": escape(t.countryNames(p.FreeFrom))}))
	}
	if onlyInside {
		parts = append(parts, t.t("service_only_inside", map[string]any{"Country": escape(t.countryName(p.DialFrom))}))
	}
	if p.AreaCodeMissing {
		parts = append(parts, t.t("service_no_area_code", nil))
	}
	if len(parts) == 0 {
		return ""
	}
	return " — " + strings.Join(parts, ", ")
}

// contentLabels maps the labels the country files give emergency numbers
// to their messages.
var contentLabels = map[string]string{
	"hotline":                      "service_label_hotline",
	"from abroad":                  "service_label_from_abroad",
	"emergency line":               "service_label_emergency_line",
	"24/7 emergency line":          "service_label_emergency_line_247",
	"call centre":                  "service_label_call_centre",
	"anti-trafficking hotline":     "service_label_anti_trafficking",
	"national trafficking hotline": "service_label_anti_trafficking",
	"police":                       "service_label_police",
	"police call centre":           "service_label_police",
	"fire":                         "service_label_fire",
	"ambulance":                    "service_label_ambulance",
	"gas":                          "service_label_gas",
	"all emergencies":              "service_label_all_emergencies",
	"secretariat":                  "service_label_secretariat",
}

func (t *turn) contentLabel(label string) string {
	if id, ok := contentLabels[strings.ToLower(strings.TrimSpace(label))]; ok {
		return t.t(id, nil)
	}
	return escape(label)
}

// why explains a choice in a line: the kind of service, how far, and what
// made it fit.
func (t *turn) why(s directory.Service, ch routing.Choice) string {
	parts := []string{t.t("service_kind_"+string(s.Kind), nil)}
	if ch.HasDistance {
		parts = append(parts, t.distance(ch.DistanceKm))
	}
	for _, r := range ch.Reasons {
		switch r.Code {
		case routing.ReasonByPhone:
			parts = append(parts, t.t("service_why_by_phone", nil))
		case routing.ReasonLanguage:
			parts = append(parts, t.t("service_why_language", map[string]any{"Language": t.languageName(r.Detail)}))
		case routing.ReasonCitizenship:
			parts = append(parts, t.t("service_why_citizenship", map[string]any{"Country": escape(t.countryName(r.Detail))}))
		case routing.ReasonEmergency:
			parts = append(parts, t.t("service_why_emergency", nil))
		case routing.ReasonCategoryListed:
			parts = append(parts, t.t("service_why_category", nil))
		case routing.ReasonFallbackNationalCentre:
			parts = append(parts, t.t("service_why_national_centre", nil))
		case routing.ReasonFallbackOriginUnion:
			parts = append(parts, t.t("service_why_origin_union", nil))
		case routing.ReasonOriginHotline:
			parts = append(parts, t.t("service_why_origin_hotline", nil))
		case routing.ReasonReceivesCases:
			parts = append(parts, t.t("service_why_receives", nil))
		}
	}
	if len(s.Languages) > 0 && !slices.ContainsFunc(ch.Reasons, func(r routing.Reason) bool { return r.Code == routing.ReasonLanguage }) {
		names := make([]string, 0, len(s.Languages))
		for _, l := range s.Languages {
			names = append(names, t.languageName(l))
		}
		parts = append(parts, t.t("service_why_languages", map[string]any{"Languages": strings.Join(names, ", ")}))
	}
	return strings.Join(parts, " · ")
}

func (t *turn) distance(km float64) string {
	if km < 1 {
		return t.t("service_distance_near", nil)
	}
	return t.t("service_distance", map[string]any{"Km": strconv.Itoa(int(math.Round(km)))})
}

// languageName writes a language in its own name, as the language buttons
// do; a language the bot does not speak keeps its code. It is HTML-safe.
func (t *turn) languageName(code string) string {
	if slices.Contains(locales.Languages, code) {
		return t.bot.cfg.Catalog.T(code, "language_name", nil)
	}
	return escape(strings.ToUpper(code))
}

// countryName is a country's name in the worker's language, as plain text.
func (t *turn) countryName(code string) string {
	if t.lib != nil && t.lib.Directory != nil {
		if c, ok := t.lib.Directory.Country(code); ok {
			if name := c.Names.In(t.lang); name != "" {
				return name
			}
		}
	}
	return strings.ToUpper(code)
}

func (t *turn) countryNames(codes []string) string {
	names := make([]string, 0, len(codes))
	for _, c := range codes {
		names = append(names, t.countryName(c))
	}
	return strings.Join(names, ", ")
}

// emergencyBlock lists a country's emergency numbers, or says plainly that
// none is verified.
func (t *turn) emergencyBlock(country string, refs *sources) string {
	name := escape(t.countryName(country))
	var numbers []directory.EmergencyNumber
	if t.lib != nil && t.lib.Directory != nil {
		numbers = t.lib.Directory.Emergency(country)
	}
	if len(numbers) == 0 {
		return t.t("help_emergency_none", map[string]any{"Country": name})
	}
	var b strings.Builder
	b.WriteString(t.t("help_emergency_title", map[string]any{"Country": name}))
	for _, e := range numbers {
		label := ""
		if e.Label != "" {
			label = " — " + t.contentLabel(e.Label)
		}
		b.WriteString("\n" + t.t("help_emergency_number", map[string]any{
			"Number": escape(e.Number), "Label": label, "Ref": refs.ref(e.Citation)}))
		if !e.Verified {
			b.WriteString(" " + t.t("service_not_verified", nil))
		}
	}
	return b.String()
}
