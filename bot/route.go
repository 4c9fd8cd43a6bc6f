package bot

// Routing a submitted case: the services that fit it, why each was chosen,
// and the worker's choice. A service of the worker's own state is chosen
// only by a separate, explicit consent press, because that state may be
// what the worker is afraid of.

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/routing"
	"github.com/rightsdesk/rightsdesk/content/directory"
	"github.com/rightsdesk/rightsdesk/store"
)

// routeChoices is how many services a case is offered; more would not be
// read on a phone.
const routeChoices = 4

// RouteRequest is what routing needs from a submitted case: no free text,
// no names.
type RouteRequest struct {
	CaseID                             string
	Categories                         []string
	Citizenship, WorkCountry, WorkCity string
	Lat, Lon                           float64
	HasLocation                        bool
}

// RouteState is the list offered for the chat's latest submitted case, so a
// button names a position in it rather than a service.
type RouteState struct {
	CaseID  string        `json:"case"`
	Options []RouteOption `json:"options"`
}

// RouteOption is one offered service. NeedsConsent marks the worker's own
// state: choosing it takes the consent press.
type RouteOption struct {
	ServiceID    string `json:"id"`
	NeedsConsent bool   `json:"consent,omitempty"`
}

// Route button operations: choose, consent, skip the consulate, decline all.
const (
	routeChoose  = "c"
	routeConsent = "k"
	routeSkip    = "s"
	routeDecline = "d"
)

// offerRoutes shows the worker the services that fit a just-submitted case
// and lets them choose. The intake calls it right after submission.
func (b *Bot) offerRoutes(t *turn, c RouteRequest) {
	rc := routing.Case{
		Categories: c.Categories, Citizenship: c.Citizenship, CountryOfWork: c.WorkCountry,
		Lat: c.Lat, Lon: c.Lon, HasLocation: c.HasLocation, Language: t.lang,
	}
	if !rc.HasLocation && c.WorkCity != "" && t.lib != nil && t.lib.Gazetteer != nil {
		rc.Lat, rc.Lon, rc.HasLocation = t.lib.locateWorkCity(c.WorkCountry, c.WorkCity)
	}
	// Numbers that cannot be dialled from the country of work are labelled.
	t.here = c.WorkCountry
	res := t.lib.rank(rc, routeChoices, t.bot.cfg.RouteMaxDistanceKm)
	state := &RouteState{CaseID: c.CaseID}
	var blocks []func(*sources) string
	var rows [][]chat.Button
	for _, ch := range res.Choices {
		s, ok := t.lib.Directory.ByID(ch.Service.ID)
		if !ok {
			continue
		}
		state.Options = append(state.Options, RouteOption{ServiceID: s.ID, NeedsConsent: ch.NeedsConsent})
		n := len(state.Options)
		blocks = append(blocks, func(refs *sources) string {
			if ch.NeedsConsent {
				return t.card(s, ch, n, false, refs) + "\n" + t.t("route_consulate_warning", nil)
			}
			return t.card(s, ch, n, ch.Contactable, refs)
		})
		label := "route_btn_choose"
		if ch.NeedsConsent {
			label = "route_btn_choose_consulate"
		}
		// The cards above number the full names; the button keeps whole
		// words of the name that fit a phone.
		rows = append(rows, []chat.Button{{
			Text: fitLabel(t.t(label, map[string]any{"N": n, "Name": s.Names.In(t.lang)}), 1,
				strings.TrimSpace(t.t(label, map[string]any{"N": n, "Name": ""}))),
			Data: routeData(c.CaseID, routeChoose+strconv.Itoa(n)),
		}})
	}
	caseID := escape(c.CaseID)
	if len(state.Options) == 0 {
		t.state.Route = nil
		msgs := t.packMessages(t.t("route_none", map[string]any{"CaseID": caseID}),
			[]func(*sources) string{func(refs *sources) string { return t.emergencyBlock(c.WorkCountry, refs) }})
		t.sendAll(msgs, b.menuKeyboard(t))
		return
	}
	t.state.Route = state
	rows = append(rows, []chat.Button{{Text: t.t("route_btn_decline", nil), Data: routeData(c.CaseID, routeDecline)}})
	msgs := t.packMessages(t.t("route_intro", map[string]any{"CaseID": caseID}), blocks)
	msgs = append(msgs, t.t("route_choose", map[string]any{"CaseID": caseID}))
	t.sendAll(msgs, &chat.Keyboard{Inline: rows})
}

// locateWorkCity places a case by the city the worker named: the directory
// spelling first, then the worker's, kept to the country of work.
func (l *Library) locateWorkCity(country, city string) (float64, float64, bool) {
	if lat, lon, ok := l.locateCity(country, city); ok {
		return lat, lon, true
	}
	for _, m := range l.Gazetteer.Match(truncate(city, maxCityQuery), helpPlaces) {
		if country == "" || strings.EqualFold(m.Country, country) {
			return m.Lat, m.Lon, true
		}
	}
	return 0, 0, false
}

// routeData is a route button's callback data. A long case id is replaced
// by a digest so the data stays within Telegram's 64 bytes.
func routeData(caseID, op string) string {
	return callbackData(cbRoute, routeKey(caseID)+":"+op)
}

func routeKey(caseID string) string {
	if len(caseID) <= 40 && !strings.Contains(caseID, ":") {
		return caseID
	}
	sum := sha256.Sum256([]byte(caseID))
	return "#" + hex.EncodeToString(sum[:8])
}

// routeButton takes the worker's choice for the case offered last. A button
// from an older offer, or naming a position that is not there, is stale.
func (b *Bot) routeButton(t *turn, payload string) {
	key, op, _ := strings.Cut(payload, ":")
	rs := t.state.Route
	if rs == nil || key == "" || key != routeKey(rs.CaseID) || op == "" {
		b.stale(t)
		return
	}
	caseID := escape(rs.CaseID)
	switch op {
	case routeDecline:
		b.recordRoute(t, "", false, store.RouteDeclined)
		t.send(t.t("route_declined", map[string]any{"CaseID": caseID}), b.menuKeyboard(t))
		return
	case routeSkip:
		t.send(t.t("route_consulate_skipped", map[string]any{"CaseID": caseID}), b.menuKeyboard(t))
		return
	}
	n, err := strconv.Atoi(op[1:])
	if err != nil || n < 1 || n > len(rs.Options) {
		b.stale(t)
		return
	}
	opt := rs.Options[n-1]
	s, ok := t.lib.Directory.ByID(opt.ServiceID)
	if !ok {
		// The directory changed since the offer; the service is gone.
		t.send(t.t("route_service_gone", map[string]any{"CaseID": caseID}), b.menuKeyboard(t))
		return
	}
	switch op[:1] {
	case routeChoose:
		if opt.NeedsConsent {
			b.askConsulateConsent(t, rs, n, s)
			return
		}
		b.chooseService(t, rs, s, false)
	case routeConsent:
		if !opt.NeedsConsent {
			b.stale(t)
			return
		}
		b.chooseService(t, rs, s, true)
	default:
		b.stale(t)
	}
}

// askConsulateConsent is the separate question a worker's own state needs:
// nothing is recorded until the worker presses the consent button.
func (b *Bot) askConsulateConsent(t *turn, rs *RouteState, n int, s directory.Service) {
	t.send(t.t("route_consent_question", map[string]any{"Name": escape(s.Names.In(t.lang))}), &chat.Keyboard{Inline: [][]chat.Button{
		{{Text: t.t("route_btn_consent", nil), Data: routeData(rs.CaseID, routeConsent+strconv.Itoa(n))}},
		{{Text: t.t("route_btn_skip", nil), Data: routeData(rs.CaseID, routeSkip)}},
	}})
}

// chooseService records the choice and, since no organisation receives
// cases through rightsdesk yet, says so and gives the contacts instead.
func (b *Bot) chooseService(t *turn, rs *RouteState, s directory.Service, consent bool) {
	b.recordRoute(t, s.ID, consent, store.RouteContactsGiven)
	msgs := t.packMessages(t.t("route_contacts_only", map[string]any{
		"Name": escape(s.Names.In(t.lang)), "CaseID": escape(rs.CaseID)}),
		[]func(*sources) string{func(refs *sources) string { return t.card(s, routing.Choice{}, 0, true, refs) }})
	t.sendAll(msgs, b.menuKeyboard(t))
}

// recordRoute writes the choice in the turn's own transaction, so the
// choice, the state and the reply are stored together or not at all.
func (b *Bot) recordRoute(t *turn, serviceID string, consent bool, status string) {
	r := store.CaseRoute{CaseID: t.state.Route.CaseID, ChatID: t.upd.ChatID, ServiceID: serviceID,
		ConsentConsulate: consent, Status: status}
	t.effects = append(t.effects, func(tx *store.Tx) error { return tx.RecordRoute(r) })
}
