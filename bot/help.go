package bot

// "Help near me": the emergency numbers and the nearest services for a
// shared location or a typed city, from /help or the menu.

import (
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
	b.helpResult(t, place, "", lat, lon)
}

func (b *Bot) helpForCity(t *turn, query string) {
	matches := t.lib.Gazetteer.Match(truncate(query, maxCityQuery), helpPlaces)
	switch {
	case len(matches) == 0:
		t.send(t.t("help_not_found", map[string]any{"Query": escape(truncate(query, echoLimit))}), helpKeyboard(t))
	case len(matches) == 1:
		m := matches[0]
		name := ""
		if m.Score == 1 {
			// Their own spelling of the place: Москва reads better than
			// Moscow to the worker who typed it.
			name = truncate(query, echoLimit)
		}
		b.helpResult(t, m.Place, name, m.Lat, m.Lon)
	default:
		rows := make([][]chat.Button, 0, len(matches))
		for _, m := range matches {
			rows = append(rows, []chat.Button{{Text: t.placeLabel(m.Place, true), Data: callbackData(cbHelp, "p:"+m.ID)}})
		}
		t.send(t.t("help_choose_place", map[string]any{"Query": escape(truncate(query, echoLimit))}), &chat.Keyboard{Inline: rows})
	}
}

// helpButton is the choice among several cities of the same name.
func (b *Bot) helpButton(t *turn, payload string) {
	id, ok := strings.CutPrefix(payload, "p:")
	if !ok {
		b.stale(t)
		return
	}
	place, ok := t.lib.Gazetteer.ByID(id)
	if !ok {
		b.stale(t)
		return
	}
	t.answerCallback("")
	b.helpResult(t, place, "", place.Lat, place.Lon)
}

// placeLabel names a place so two towns of the same name can be told apart.
func (t *turn) placeLabel(p gazetteer.Place, withRegion bool) string {
	country := t.countryName(p.Country)
	if withRegion && p.Admin != "" && p.Admin != p.Name {
		return p.Name + ", " + p.Admin + ", " + country
	}
	return p.Name + ", " + country
}

// helpResult answers with the country's emergency numbers, then the nearest
// services that help, and gives the worker the menu back. name, if set, is
// how the worker wrote the place.
func (b *Bot) helpResult(t *turn, place gazetteer.Place, name string, lat, lon float64) {
	t.state.Pending = ""
	if name != "" {
		place.Name = name
	}
	placeName := escape(t.placeLabel(place, false))
	head := t.packMessages("", []func(*sources) string{func(refs *sources) string {
		return t.t("help_result_title", map[string]any{"Place": placeName}) + "\n\n" + t.emergencyBlock(place.Country, refs)
	}})
	// The reply keyboard goes with the first answer: the question is over.
	t.sendAll(head, &chat.Keyboard{Remove: true})

	res := t.lib.rank(routing.Case{
		// Every category: the worker has not said what happened, so every
		// kind of help is in scope.
		Categories:    directory.Categories,
		Citizenship:   t.state.Profile.Citizenship,
		CountryOfWork: place.Country,
		Lat:           lat, Lon: lon, HasLocation: true,
		Language: t.lang,
		// Showing contacts sends nothing anywhere; the consent that guards
		// a case (routeButton) does not apply, the note below does.
		ConsentConsulate: true,
	}, helpServices, t.bot.cfg.RouteMaxDistanceKm, nil)
	var blocks []func(*sources) string
	for i, ch := range res.Choices {
		s, ok := t.lib.Directory.ByID(ch.Service.ID)
		if !ok {
			continue
		}
		ch.Reasons = withoutReason(ch.Reasons, routing.ReasonCategoryListed) // every service lists some
		n := i + 1
		blocks = append(blocks, func(refs *sources) string {
			text := t.card(s, ch, n, true, refs)
			if ownState(ch) {
				text += "\n" + t.t("help_consulate_note", nil)
			}
			return text
		})
	}
	if len(blocks) == 0 {
		t.send(t.t("help_no_services", map[string]any{"Place": placeName}), b.helpDoneKeyboard(t))
		return
	}
	intro := t.t("help_services_title", map[string]any{"Place": placeName})
	t.sendAll(t.packMessages(intro, blocks), b.helpDoneKeyboard(t))
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
