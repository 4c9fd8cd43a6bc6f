package bot

// "Help near me": the emergency numbers and the nearest services for a
// shared location or a typed city, from /help or the menu.

import (
	"slices"
	"strconv"
	"strings"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/intake"
	"github.com/rightsdesk/rightsdesk/bot/routing"
	"github.com/rightsdesk/rightsdesk/content/directory"
	"github.com/rightsdesk/rightsdesk/content/gazetteer"
)

const (
	// helpPlaces is how many cities a worker chooses among when a name is
	// ambiguous; more would not fit a phone screen.
	helpPlaces = 6
	// helpServices is how many services one answer shows.
	helpServices = 6
	// A shared location reads as the biggest town within nearRadiusKm, or
	// failing that within farRadiusKm: a village outside a city is the city.
	nearRadiusKm = 30
	farRadiusKm  = 100
	// maxCityQuery bounds what is matched; no city name is longer.
	maxCityQuery = 100
)

// helpCommand asks where the worker is: a shared location or a typed city.
func (b *Bot) helpCommand(t *turn) {
	t.state.Pending = pendingHelp
	t.send(t.t("help_ask", nil), helpKeyboard(t))
}

// helpDoneKeyboard ends a help answer with the menu and "clear this chat",
// for someone whose phone may be checked after they looked for help.
func (b *Bot) helpDoneKeyboard(t *turn) *chat.Keyboard {
	kb := b.menuKeyboard(t)
	kb.Inline = append(kb.Inline, []chat.Button{b.clearChatButton(t)})
	return kb
}

func helpKeyboard(t *turn) *chat.Keyboard {
	return &chat.Keyboard{Reply: [][]chat.ReplyButton{
		{{Text: t.t("help_share_location", nil), RequestLocation: true}},
		{{Text: t.t("help_cancel", nil)}},
	}}
}

// helpInput takes the answer to helpCommand's question.
func (b *Bot) helpInput(t *turn) bool {
	switch t.upd.Kind {
	case chat.KindLocation:
		if t.upd.Location == nil {
			return false
		}
		b.helpAtLocation(t, t.upd.Location.Lat, t.upd.Location.Lon)
	case chat.KindText:
		text := strings.TrimSpace(t.upd.Text)
		if text == t.t("help_cancel", nil) {
			t.state.Pending = ""
			t.send(t.t("help_cancelled", nil), &chat.Keyboard{Remove: true})
			b.showMenu(t)
			return true
		}
		if intake.Blank(text) {
			// Invisible characters are no city: "I did not find «»" would
			// puzzle; the question again, with its button, does not.
			t.send(t.t("help_need_place", nil), helpKeyboard(t))
			return true
		}
		b.helpForCity(t, text)
	default:
		// A photo or a sticker while the bot asks for a place: ask again,
		// with the button that makes answering easy.
		t.send(t.t("help_need_place", nil), helpKeyboard(t))
	}
	return true
}

func (b *Bot) helpAtLocation(t *turn, lat, lon float64) {
	gz := t.lib.Gazetteer
	place, ok := gz.Nearest(lat, lon, nearRadiusKm)
	if !ok {
		place, ok = gz.Nearest(lat, lon, farRadiusKm)
	}
	if !ok {
		t.send(t.t("help_location_unknown", nil), helpKeyboard(t))
		return
	}
	b.helpPlace(t, place)
}

func (b *Bot) helpForCity(t *turn, query string) {
	matches := t.lib.Gazetteer.Match(truncate(query, maxCityQuery), helpPlaces)
	switch {
	case len(matches) == 0:
		t.send(t.t("help_not_found", map[string]any{"Query": escape(truncate(query, echoLimit))}), helpKeyboard(t))
	case len(matches) == 1:
		b.helpPlace(t, matches[0].Place)
	default:
		// Places are numbered in the message with their region; the
		// buttons carry the number and the name, which fit a phone.
		lines := make([]string, 0, len(matches))
		rows := make([][]chat.Button, 0, len(matches))
		for i, m := range matches {
			n := strconv.Itoa(i + 1)
			lines = append(lines, n+". "+escape(t.placeLabel(m.Place, true)))
			rows = append(rows, []chat.Button{{Text: fitLabel(n+". "+m.Place.NameIn(t.lang), 1, n), Data: callbackData(cbHelp, helpPlaceOp+m.ID)}})
		}
		t.send(t.t("help_choose_place", map[string]any{"Query": escape(truncate(query, echoLimit))})+"\n\n"+strings.Join(lines, "\n"),
			&chat.Keyboard{Inline: rows})
	}
}

// Help button operations: a place among several, a problem for a place,
// another problem for the same place.
const (
	helpPlaceOp   = "p:"
	helpProblemOp = "c:"
	helpAgainOp   = "a:"
	// helpAll is the problem "show every kind of help".
	helpAll = "all"
)

// helpButton takes the choice of a place or of a problem.
func (b *Bot) helpButton(t *turn, payload string) {
	op, rest := payload[:min(2, len(payload))], payload[min(2, len(payload)):]
	id, problem, _ := strings.Cut(rest, ":")
	place, ok := t.lib.Gazetteer.ByID(id)
	if !ok {
		b.stale(t)
		return
	}
	switch op {
	case helpPlaceOp:
		t.answerCallback("")
		b.helpPlace(t, place)
	case helpAgainOp:
		t.answerCallback("")
		t.here = place.Country
		b.askProblem(t, place)
	case helpProblemOp:
		if problem != helpAll && !slices.Contains(directory.Categories, problem) {
			b.stale(t)
			return
		}
		t.answerCallback("")
		b.helpServices(t, place, problem)
	default:
		b.stale(t)
	}
}

// placeLabel names a place in the worker's script, so two towns of the same
// name can be told apart (with the region, in English as GeoNames has it).
func (t *turn) placeLabel(p gazetteer.Place, withRegion bool) string {
	country := t.countryName(p.Country)
	name := p.NameIn(t.lang)
	if withRegion && p.Admin != "" && p.Admin != p.Name {
		return name + ", " + p.Admin + ", " + country
	}
	return name + ", " + country
}

// helpPlace answers first with what helps at once: the country's emergency
// numbers. Then it asks what the problem is, so that the services shown are
// the ones for it.
func (b *Bot) helpPlace(t *turn, place gazetteer.Place) {
	// A worker who types another city is answered for it: the question
	// stays open until they leave.
	t.state.Pending = pendingHelp
	t.here = place.Country
	placeName := escape(t.placeLabel(place, false))
	head := t.packMessages("", []func(*sources) string{func(refs *sources) string {
		return t.t("help_result_title", map[string]any{"Place": placeName}) + "\n\n" + t.emergencyBlock(place.Country, refs)
	}})
	// The reply keyboard goes with the first answer: the place is known.
	t.sendAll(head, &chat.Keyboard{Remove: true})
	b.askProblem(t, place)
}

// askProblem lists the problems by their full names, numbered, with short
// buttons that name the same numbers.
func (b *Bot) askProblem(t *turn, place gazetteer.Place) {
	problems := append(slices.Clone(directory.Categories), helpAll)
	lines := make([]string, 0, len(problems))
	buttons := make([]chat.Button, 0, len(problems))
	for i, p := range problems {
		n := strconv.Itoa(i + 1)
		lines = append(lines, n+". "+t.t(problemName(p), nil))
		buttons = append(buttons, chat.Button{Text: n + ". " + t.t("problem_short_"+p, nil), Data: callbackData(cbHelp, helpProblemOp+place.ID+":"+p)})
	}
	t.send(t.t("help_ask_problem", map[string]any{"Problems": strings.Join(lines, "\n")}), &chat.Keyboard{Inline: grid(buttons, 2)})
}

// problemName is a problem's full name: the intake's category label, so the
// worker reads the same words in both places.
func problemName(p string) string {
	switch p {
	case helpAll:
		return "help_problem_all"
	case routing.CategoryForcedLabour:
		return "intake_cat_forced"
	}
	return "intake_cat_" + p
}

// helpCityKm is how near a service's city must be to count as the worker's
// own city.
const helpCityKm = nearRadiusKm

// helpServices lists who can help with the problem: services in the
// worker's city first, then lines that work by phone and offices further
// away, each group best first. Only services the worker can reach from
// where they are are ranked at all (routing's rule).
func (b *Bot) helpServices(t *turn, place gazetteer.Place, problem string) {
	t.state.Pending = ""
	t.here = place.Country
	placeName := escape(t.placeLabel(place, false))
	cats := []string{problem}
	if problem == helpAll {
		cats = directory.Categories
	}
	res := t.lib.rank(routing.Case{
		Categories:    cats,
		Citizenship:   t.state.Profile.Citizenship,
		CountryOfWork: place.Country,
		Lat:           place.Lat, Lon: place.Lon, HasLocation: true,
		Language: t.lang,
		// Showing contacts sends nothing anywhere; the consent that guards
		// a case (routeButton) does not apply, the note below does.
		ConsentConsulate: true,
	}, helpServices, t.bot.cfg.RouteMaxDistanceKm, nil)
	choices := slices.Clone(res.Choices)
	slices.SortStableFunc(choices, func(a, b routing.Choice) int { return helpTier(a) - helpTier(b) })
	var blocks []func(*sources) string
	for _, ch := range choices {
		s, ok := t.lib.Directory.ByID(ch.Service.ID)
		if !ok {
			continue
		}
		if problem == helpAll {
			ch.Reasons = withoutReason(ch.Reasons, routing.ReasonCategoryListed) // every service lists some
		}
		n := len(blocks) + 1
		blocks = append(blocks, func(refs *sources) string {
			text := t.card(s, ch, n, true, refs)
			if ownState(ch) {
				text += "\n" + t.t("help_consulate_note", nil)
			}
			return text
		})
	}
	kb := b.helpDoneKeyboard(t)
	kb.Inline = append([][]chat.Button{{{Text: t.t("help_btn_other_problem", nil), Data: callbackData(cbHelp, helpAgainOp+place.ID)}}}, kb.Inline...)
	if len(blocks) == 0 {
		t.send(t.t("help_no_services", map[string]any{"Place": placeName}), kb)
		return
	}
	intro := t.t("help_services_for", map[string]any{"Place": placeName, "Problem": t.t(problemName(problem), nil)})
	t.sendAll(t.packMessages(intro, blocks), kb)
}

// helpTier orders the answer by what helps now: 0 for a service in the
// worker's own city, 1 for everything else (lines by phone, offices in
// other cities, national centres).
func helpTier(ch routing.Choice) int {
	if ch.HasDistance && ch.DistanceKm <= helpCityKm {
		return 0
	}
	return 1
}

// ownState reports a service of the worker's own state, which routing marks
// with a consent reason either way.
func ownState(ch routing.Choice) bool {
	for _, r := range ch.Reasons {
		if r.Code == routing.ReasonConsulateNeedsConsent || r.Code == routing.ReasonConsulateConsentGranted {
			return true
		}
	}
	return false
}

func withoutReason(reasons []routing.Reason, code string) []routing.Reason {
	out := make([]routing.Reason, 0, len(reasons))
	for _, r := range reasons {
		if r.Code != code {
			out = append(out, r)
		}
	}
	return out
}
