package bot

// Routing a submitted case: the services that fit it, why each was chosen,
// and the worker's choice. An organisation linked to rightsdesk receives
// the case in its desk once the worker confirms; any other gets nothing, and
// the worker gets its contacts. A service of the worker's own state is
// chosen only by a separate, explicit consent press, because that state may
// be what the worker is afraid of.

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/desk"
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
	// Exclude are services the case was at already.
	Exclude []string
}

// routeRequestOf is a stored case as routing sees it.
func routeRequestOf(id string, d *store.CaseDetails) RouteRequest {
	req := RouteRequest{CaseID: id, Citizenship: d.Citizenship}
	for _, c := range d.Categories {
		req.Categories = append(req.Categories, routeCategory(c))
	}
	if p := d.Place; p != nil {
		req.WorkCountry, req.WorkCity = p.Country, p.Name
		req.Lat, req.Lon, req.HasLocation = p.Lat, p.Lon, true
	}
	return req
}

// Route button operations (after the case and the offer's number): choose,
// send (confirmed), consent, skip the consulate, decline all.
const (
	routeChoose  = "c"
	routeSend    = "y"
	routeConsent = "k"
	routeSkip    = "s"
	routeDecline = "d"
)

// rankFor ranks the services for a case, linked organisations first.
func (t *turn) rankFor(c RouteRequest) ([]routing.Choice, error) {
	linked, err := t.bot.cfg.Store.LinkedServices(t.ctx)
	if err != nil {
		return nil, err
	}
	rc := routing.Case{
		Categories: c.Categories, Citizenship: c.Citizenship, CountryOfWork: c.WorkCountry,
		Lat: c.Lat, Lon: c.Lon, HasLocation: c.HasLocation, Language: t.lang,
	}
	if !rc.HasLocation && c.WorkCity != "" && t.lib != nil && t.lib.Gazetteer != nil {
		rc.Lat, rc.Lon, rc.HasLocation = t.lib.locateWorkCity(c.WorkCountry, c.WorkCity)
	}
	// Numbers that cannot be dialled from the country of work are labelled.
	t.here = c.WorkCountry
	// Routing puts organisations that receive cases first; those the case
	// was at already are left out afterwards, so rank as many more.
	res := t.lib.rank(rc, routeChoices+len(c.Exclude), t.bot.cfg.RouteMaxDistanceKm, func(id string) bool { return linked[id] })
	var choices []routing.Choice
	for _, ch := range res.Choices {
		if !slices.Contains(c.Exclude, ch.Service.ID) {
			choices = append(choices, ch)
		}
	}
	return choices[:min(len(choices), routeChoices)], nil
}

// offerRoutes shows the worker the services that fit a case and lets them
// choose; the intake calls it right after submission, a desk when it gives
// a case back. The offer is stored with the case, so its buttons work
// whatever happens to the chat's state.
func (b *Bot) offerRoutes(t *turn, c RouteRequest) {
	choices, err := t.rankFor(c)
	if err == nil {
		var offer int
		offer, err = b.cfg.Store.NextRouteOffer(t.ctx, c.CaseID)
		if err == nil {
			b.renderOffer(t, c, choices, offer)
			return
		}
	}
	b.storeTrouble(t, err)
}

func (b *Bot) renderOffer(t *turn, c RouteRequest, choices []routing.Choice, offer int) {
	var options []store.RouteOffer
	var blocks []func(*sources) string
	var rows [][]chat.Button
	receiving := false
	for _, ch := range choices {
		s, ok := t.lib.Directory.ByID(ch.Service.ID)
		if !ok {
			continue
		}
		options = append(options, store.RouteOffer{ServiceID: s.ID, NeedsConsent: ch.NeedsConsent, Receives: ch.Receives})
		n := len(options)
		receiving = receiving || ch.Receives
		blocks = append(blocks, func(refs *sources) string {
			if ch.NeedsConsent {
				return t.card(s, ch, n, false, refs) + "\n" + t.t("route_consulate_warning", nil)
			}
			return t.card(s, ch, n, ch.Contactable && !ch.Receives, refs)
		})
		label := "route_btn_choose"
		switch {
		case ch.NeedsConsent:
			label = "route_btn_choose_consulate"
		case ch.Receives:
			label = "route_btn_choose_receives"
		}
		// The cards above number the full names; the button keeps whole
		// words of the name that fit a phone.
		rows = append(rows, []chat.Button{{
			Text: fitLabel(t.t(label, map[string]any{"N": n, "Name": s.Names.In(t.lang)}), 1,
				strings.TrimSpace(t.t(label, map[string]any{"N": n, "Name": ""}))),
			Data: routeData(c.CaseID, offer, routeChoose+strconv.Itoa(n)),
		}})
	}
	caseID := escape(c.CaseID)
	if len(options) == 0 {
		msgs := t.packMessages(t.t("route_none", map[string]any{"CaseID": caseID}),
			[]func(*sources) string{func(refs *sources) string { return t.emergencyBlock(c.WorkCountry, refs) }})
		t.sendAll(msgs, b.menuKeyboard(t))
		return
	}
	id := c.CaseID
	t.effects = append(t.effects, func(tx *store.Tx) error { return tx.SaveRouteOffer(id, offer, options) })
	rows = append(rows, []chat.Button{{Text: t.t("route_btn_decline", nil), Data: routeData(c.CaseID, offer, routeDecline)}})
	msgs := t.packMessages(t.t("route_intro", map[string]any{"CaseID": caseID}), blocks)
	choose := "route_choose"
	if receiving {
		choose = "route_choose_receiving"
	}
	msgs = append(msgs, t.t(choose, map[string]any{"CaseID": caseID}))
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

// routeData is a route button's callback data: the case, the offer's
// number, the operation.
func routeData(caseID string, offer int, op string) string {
	return callbackData(cbRoute, caseID+":"+strconv.Itoa(offer)+":"+op)
}

// routeButton takes the worker's choice from an offer. A button naming a
// case that is not the worker's, an offer or a position that is not there,
// is stale.
func (b *Bot) routeButton(t *turn, payload string) {
	parts := strings.Split(payload, ":")
	if len(parts) != 3 || !store.ValidCaseID(parts[0]) || parts[2] == "" {
		b.stale(t)
		return
	}
	cs, ok := b.chatCase(t, parts[0])
	if !ok {
		return
	}
	offer, err := strconv.Atoi(parts[1])
	if err != nil {
		b.stale(t)
		return
	}
	options, err := b.cfg.Store.RouteOffers(t.ctx, cs.ID, offer)
	if err != nil {
		b.storeTrouble(t, err)
		return
	}
	if len(options) == 0 {
		b.stale(t)
		return
	}
	caseID, op := escape(cs.ID), parts[2]
	switch op {
	case routeDecline:
		b.recordRoute(t, cs.ID, "", false, store.RouteDeclined)
		t.send(t.t("route_declined", map[string]any{"CaseID": caseID}), b.menuKeyboard(t))
		return
	case routeSkip:
		t.send(t.t("route_consulate_skipped", map[string]any{"CaseID": caseID}), b.menuKeyboard(t))
		return
	}
	n, err := strconv.Atoi(op[1:])
	if err != nil || n < 1 || n > len(options) {
		b.stale(t)
		return
	}
	opt := options[n-1]
	s, ok := t.lib.Directory.ByID(opt.ServiceID)
	if !ok {
		// The directory changed since the offer; the service is gone.
		t.send(t.t("route_service_gone", map[string]any{"CaseID": caseID}), b.menuKeyboard(t))
		return
	}
	if cs.Closed() {
		b.refuseClosed(t, cs)
		return
	}
	switch op[:1] {
	case routeChoose:
		switch {
		case opt.NeedsConsent:
			b.askConsulateConsent(t, cs, offer, n, s, opt.Receives)
		case opt.Receives:
			b.confirmSend(t, cs, offer, n, s)
		default:
			b.giveContacts(t, cs, s, false)
		}
	case routeSend:
		if !opt.Receives || opt.NeedsConsent {
			b.stale(t)
			return
		}
		b.sendCase(t, cs, s, false)
	case routeConsent:
		if !opt.NeedsConsent {
			b.stale(t)
			return
		}
		if opt.Receives {
			b.sendCase(t, cs, s, true)
			return
		}
		b.giveContacts(t, cs, s, true)
	default:
		b.stale(t)
	}
}

// askConsulateConsent is the separate question a worker's own state needs:
// nothing is recorded or sent until the worker presses the consent button.
func (b *Bot) askConsulateConsent(t *turn, cs store.Case, offer, n int, s directory.Service, receives bool) {
	text := t.t("route_consent_question", map[string]any{"Name": escape(s.Names.In(t.lang))})
	if receives {
		text += "\n\n" + t.sharedSummary(cs)
	}
	t.send(text, &chat.Keyboard{Inline: [][]chat.Button{
		{{Text: t.t("route_btn_consent", nil), Data: routeData(cs.ID, offer, routeConsent+strconv.Itoa(n))}},
		{{Text: t.t("route_btn_skip", nil), Data: routeData(cs.ID, offer, routeSkip)}},
	}})
}

// confirmSend says exactly what the organisation will see before anything
// is shared.
func (b *Bot) confirmSend(t *turn, cs store.Case, offer, n int, s directory.Service) {
	text := t.t("route_send_confirm", map[string]any{"Name": escape(s.Names.In(t.lang)), "CaseID": escape(cs.ID)}) +
		"\n\n" + t.sharedSummary(cs)
	t.send(text, &chat.Keyboard{Inline: [][]chat.Button{
		{{Text: t.t("route_btn_send", nil), Data: routeData(cs.ID, offer, routeSend+strconv.Itoa(n))}},
		{{Text: t.t("route_btn_not_now", nil), Data: routeData(cs.ID, offer, routeSkip)}},
	}})
}

// sharedSummary lists what a desk receives of this case.
func (t *turn) sharedSummary(cs store.Case) string {
	d := cs.Details
	if d == nil {
		return ""
	}
	var parts []string
	parts = append(parts, t.t("route_shared_case", nil))
	if d.Name != "" {
		parts = append(parts, t.t("route_shared_name", map[string]any{"Name": escape(d.Name)}))
	}
	if d.ContactMethod == "phone" && d.Phone != "" {
		parts = append(parts, t.t("route_shared_phone", map[string]any{"Phone": escape(d.Phone)}))
	}
	if d.Name == "" && !(d.ContactMethod == "phone" && d.Phone != "") {
		parts = append(parts, t.t("route_shared_anonymous", nil))
	}
	return strings.Join(parts, "\n")
}

// sendCase hands the case to the organisation's desk. The worker is told it
// is on its way now and that it arrived once it did.
func (b *Bot) sendCase(t *turn, cs store.Case, s directory.Service, consent bool) {
	name, caseID := escape(s.Names.In(t.lang)), escape(cs.ID)
	at, err := b.activeDelivery(t, cs.ID)
	if err != nil {
		b.storeTrouble(t, err)
		return
	}
	if at.ID != 0 {
		t.send(t.t("route_already_sent", map[string]any{"CaseID": caseID,
			"Name": escape(t.serviceName(at.ServiceID))}), b.menuKeyboard(t))
		return
	}
	out, err := b.desk.Deliver(b.deskTurn(t), cs.ID, s.ID, nil, consent)
	if errors.Is(err, desk.ErrNotLinked) {
		// The organisation stopped receiving cases since the offer.
		b.giveContacts(t, cs, s, consent)
		return
	}
	if err != nil {
		b.storeTrouble(t, err)
		return
	}
	t.addDesk(out)
	t.send(t.t("route_sending", map[string]any{"Name": name, "CaseID": caseID}), b.menuKeyboard(t))
}

// activeDelivery is the desk a case is at now, if any.
func (b *Bot) activeDelivery(t *turn, caseID string) (store.Delivery, error) {
	d, err := b.cfg.Store.LatestDelivery(t.ctx, caseID, 0)
	if errors.Is(err, store.ErrNotFound) || err == nil && !d.Active() {
		return store.Delivery{}, nil
	}
	return d, err
}

func (t *turn) serviceName(id string) string {
	if t.lib != nil && t.lib.Directory != nil {
		if s, ok := t.lib.Directory.ByID(id); ok {
			return s.Names.In(t.lang)
		}
	}
	return id
}

// giveContacts records the choice of an organisation that receives nothing
// through rightsdesk, says so, and gives its contacts.
func (b *Bot) giveContacts(t *turn, cs store.Case, s directory.Service, consent bool) {
	b.recordRoute(t, cs.ID, s.ID, consent, store.RouteContactsGiven)
	msgs := t.packMessages(t.t("route_contacts_only", map[string]any{
		"Name": escape(s.Names.In(t.lang)), "CaseID": escape(cs.ID)}),
		[]func(*sources) string{func(refs *sources) string { return t.card(s, routing.Choice{}, 0, true, refs) }})
	t.sendAll(msgs, b.menuKeyboard(t))
}

// recordRoute writes the choice in the turn's own transaction, so the
// choice, the state and the reply are stored together or not at all.
func (b *Bot) recordRoute(t *turn, caseID, serviceID string, consent bool, status string) {
	r := store.CaseRoute{CaseID: caseID, ChatID: t.upd.ChatID, ServiceID: serviceID,
		ConsentConsulate: consent, Status: status}
	t.effects = append(t.effects, func(tx *store.Tx) error { return tx.RecordRoute(r) })
}
