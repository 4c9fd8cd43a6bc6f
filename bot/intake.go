package bot

// The complaint intake glue: it turns an update into an intake.Input, runs
// the pure engine in bot/intake, and renders the effects it returns — the
// question, the emergency numbers, the submitted case — into replies, with
// the case written in the turn's own transaction.

import (
	"slices"
	"strconv"
	"strings"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/intake"
	"github.com/rightsdesk/rightsdesk/bot/routing"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// emergencyPayload prefixes the intake buttons that show a country's
// emergency numbers. They carry no seq: help must never be a stale button.
const emergencyPayload = "em:"

// cityRadiusKm is how far a shared location may be from a gazetteer town
// and still be read as that town.
const cityRadiusKm = 50

// intakeBack is /back: the previous question of the complaint.
func (b *Bot) intakeBack(t *turn) {
	if !t.state.Intake.Active() {
		t.send(t.t("intake_nothing_to_go_back", nil), b.menuKeyboard(t))
		return
	}
	b.intakeStep(t, intake.Input{Kind: intake.InputCommand, Command: intake.CommandBack})
}

func (b *Bot) intakeStart(t *turn) {
	b.casesStopWaiting(t)
	b.intakeStep(t, intake.Input{Kind: intake.InputCommand, Command: intake.CommandStart})
}

// intakeCancel stops whatever the bot is waiting for: a case addition, the
// intake question (the draft is kept), or another feature's question.
func (b *Bot) intakeCancel(t *turn) {
	switch {
	case t.state.Pending == pendingCases:
		b.casesCancel(t)
	case t.state.Intake.Active():
		b.intakeStep(t, intake.Input{Kind: intake.InputCommand, Command: intake.CommandCancel})
	case t.state.Pending != "":
		t.state.Pending = ""
		t.send(t.t("intake_stopped", nil), b.menuKeyboard(t))
	default:
		t.send(t.t("intake_nothing_to_cancel", nil), b.menuKeyboard(t))
	}
}

func (b *Bot) intakeButton(t *turn, payload string) {
	if code, ok := strings.CutPrefix(payload, emergencyPayload); ok {
		code = strings.ToUpper(code)
		if t.lib != nil && t.lib.Directory != nil {
			if _, known := t.lib.Directory.Country(code); !known {
				b.stale(t)
				return
			}
		}
		// Without a directory showEmergency still gives the 112 note.
		b.showEmergency(t, code)
		return
	}
	if len(payload) > intake.MaxPayload {
		b.stale(t)
		return
	}
	b.intakeStep(t, intake.Input{Kind: intake.InputButton, Button: payload})
}

// intakeInput takes typed text, a location, a contact or a file for the open
// question; false leaves the update to the dispatcher.
func (b *Bot) intakeInput(t *turn) bool {
	if !t.state.Intake.Active() {
		// Nothing is asked any more (a state from an older build).
		t.state.Pending = ""
		return false
	}
	in, ok := intakeInputFor(t.upd)
	if !ok {
		return false
	}
	return b.intakeStep(t, in)
}

// intakeInputFor says what an update is to the intake. Edits, callbacks,
// commands and membership changes are not answers.
func intakeInputFor(u chat.Update) (intake.Input, bool) {
	switch u.Kind {
	case chat.KindText:
		return intake.Input{Kind: intake.InputText, Text: u.Text}, true
	case chat.KindLocation:
		if u.Location == nil {
			return intake.Input{}, false
		}
		return intake.Input{Kind: intake.InputLocation, Location: &intake.Location{Lat: u.Location.Lat, Lon: u.Location.Lon}}, true
	case chat.KindContact:
		if u.Contact == nil {
			return intake.Input{}, false
		}
		return intake.Input{Kind: intake.InputContact, Contact: &intake.Contact{Phone: u.Contact.Phone, Own: u.Contact.Own}}, true
	case chat.KindPhoto, chat.KindDocument, chat.KindVoice:
		// A voice note is kept by reference like a photo: it can be the
		// worker's whole account.
		if u.File == nil {
			return intake.Input{Kind: intake.InputUnsupported}, true
		}
		f := &intake.File{ID: u.File.ID, UniqueID: u.File.UniqueID, Kind: u.File.Kind, MIME: u.File.MIME, Size: u.File.Size}
		return intake.Input{Kind: intake.InputFile, Text: u.Text, File: f}, true
	case chat.KindSticker, chat.KindMedia, chat.KindOther:
		return intake.Input{Kind: intake.InputUnsupported}, true
	}
	return intake.Input{}, false
}

// intakeStep runs the engine and renders what it decided. False means the
// engine did not take the input (nothing asked), so nothing was said.
func (b *Bot) intakeStep(t *turn, in intake.Input) bool {
	next, effects := intake.Step(t.state.Intake, in, b.intakeEnv(t), b.cfg.Now())
	if len(effects) == 0 {
		return false
	}
	t.state.Intake = next
	if next.Active() {
		t.state.Pending = pendingIntake
	} else if t.state.Pending == pendingIntake {
		t.state.Pending = ""
	}
	if in.Kind == intake.InputButton && t.upd.Kind == chat.KindCallback && len(effects) == 1 {
		if s, ok := effects[0].(intake.Say); ok && s.Message == "question_passed" {
			// A button of an answered question: a toast, not a new message.
			t.answerCallback(t.t("question_passed", nil))
			return true
		}
	}
	b.renderIntake(t, effects)
	return true
}

func (b *Bot) renderIntake(t *turn, effects []intake.Effect) {
	first := len(t.replies)
	hideAt := -1
	for _, e := range effects {
		switch e := e.(type) {
		case intake.ShowEmergency:
			b.showEmergency(t, e.Country)
		case intake.ShowEmergencyNumber:
			t.send(t.t("intake_emergency_now", nil), nil)
		case intake.Ask:
			b.renderAsk(t, e)
		case intake.Say:
			t.send(t.t(e.Message, t.intakeData(e.Data, true)), nil)
		case intake.HideReplyKeyboard:
			if hideAt < 0 {
				hideAt = len(t.replies)
			}
		case intake.OfferGuide:
			b.guideCommand(t)
		case intake.OfferMenu:
			b.showMenu(t)
		case intake.Submit:
			b.submitCase(t, e.Draft)
		case intake.DraftDiscarded:
			t.send(t.t("intake_draft_discarded", nil), nil)
		case intake.Left:
			if e.Kept {
				t.send(t.t("intake_left_kept", nil), nil)
			} else {
				t.send(t.t("intake_left_nothing_kept", nil), nil)
			}
		}
	}
	if hideAt >= 0 {
		hideReplyKeyboard(t, first, hideAt)
	}
}

// hideReplyKeyboard removes the share-location/contact keyboard. A message
// carries one keyboard, so the removal rides on a message of this turn that
// has none, or on a short acknowledgement sent where the hide was asked.
func hideReplyKeyboard(t *turn, first, at int) {
	for i := first; i < len(t.replies); i++ {
		r := &t.replies[i]
		if r.Keyboard != nil && len(r.Keyboard.Reply) > 0 {
			return // a later question shows a reply keyboard of its own
		}
	}
	// Messages from where the hide was asked come first, then earlier ones.
	ride := func(from, to int) bool {
		for i := from; i < to; i++ {
			if r := &t.replies[i]; r.Action == chat.ActionSend && r.Keyboard == nil {
				r.Keyboard = &chat.Keyboard{Remove: true}
				return true
			}
		}
		return false
	}
	if ride(at, len(t.replies)) || ride(first, at) {
		return
	}
	ack := chat.Reply{Action: chat.ActionSend, ChatID: t.upd.ChatID, Text: t.t("intake_noted", nil), Keyboard: &chat.Keyboard{Remove: true}}
	t.replies = slices.Insert(t.replies, at, ack)
}

func (b *Bot) renderAsk(t *turn, a intake.Ask) {
	text := t.t(a.Message, t.intakeData(a.Data, true))
	var kb *chat.Keyboard
	if len(a.Buttons) > 0 {
		// Options too long for a phone's button are numbered and listed
		// in full under the question.
		var rows [][]chat.Button
		text, rows = numberOptions(text, chat.Reflow(intakeButtons(t, a.Buttons)), intakeOptions(a.Buttons), listsChoices(a.Data))
		kb = &chat.Keyboard{Inline: rows}
	} else if a.Reply != nil {
		var row []chat.ReplyButton
		for _, rb := range a.Reply.Buttons {
			row = append(row, chat.ReplyButton{Text: t.t(rb.Label, nil),
				RequestLocation: rb.Request == intake.RequestLocation, RequestContact: rb.Request == intake.RequestContact})
		}
		kb = &chat.Keyboard{Reply: [][]chat.ReplyButton{row}}
	}
	if a.ReplaceSeq > 0 && t.upd.Kind == chat.KindCallback && t.upd.MessageID > 0 && (kb == nil || kb.Reply == nil) {
		// A toggle edits the very message whose button was pressed, so the
		// ticks change in place instead of a new copy per tap.
		t.edit(text, kb)
		return
	}
	t.send(text, kb)
}

// listsChoices reports a question whose text already numbers its options.
func listsChoices(data map[string]any) bool {
	for _, v := range data {
		if _, ok := v.(intake.Choices); ok {
			return true
		}
	}
	return false
}

// intakeOptions counts the answers among a question's buttons: those before
// the first control (Done, Skip, None of these, Submit…), which is also how
// typed numbers count them.
func intakeOptions(rows [][]intake.Button) int {
	n := 0
	for _, row := range rows {
		for _, b := range row {
			if strings.HasPrefix(b.Label, "btn_") || b.Label == "intake_btn_none_of_these" || b.Label == "intake_btn_submit" ||
				b.Label == "intake_btn_clear_description" || b.Label == "intake_btn_change" || b.Label == "intake_country_other" {
				return n
			}
			n++
		}
	}
	return n
}

// intakeButtons localizes the engine's inline buttons; a selected one is
// ticked.
func intakeButtons(t *turn, buttons [][]intake.Button) [][]chat.Button {
	rows := make([][]chat.Button, 0, len(buttons))
	for _, row := range buttons {
		r := make([]chat.Button, 0, len(row))
		for _, btn := range row {
			label := t.t(btn.Label, t.intakeData(btn.LabelData, false))
			if btn.Selected {
				label = "✓ " + label
			}
			r = append(r, chat.Button{Text: label, Data: callbackData(cbIntake, btn.Payload)})
		}
		rows = append(rows, r)
	}
	return rows
}

// intakeData localizes the engine's data: Refs are message ids, lists are
// joined, and plain strings are what the worker typed, escaped for HTML
// (button labels are plain text and are not).
func (t *turn) intakeData(data map[string]any, html bool) map[string]any {
	if data == nil {
		return nil
	}
	out := make(map[string]any, len(data))
	for k, v := range data {
		switch v := v.(type) {
		case intake.Ref:
			out[k] = t.t(v.ID, t.intakeData(v.Data, html))
		case []intake.Ref:
			parts := make([]string, len(v))
			for i, r := range v {
				parts[i] = t.t(r.ID, t.intakeData(r.Data, html))
			}
			out[k] = strings.Join(parts, ", ")
		case intake.Choices:
			lines := make([]string, len(v))
			for i, r := range v {
				lines[i] = strconv.Itoa(i+1) + ". " + t.t(r.ID, t.intakeData(r.Data, html))
			}
			out[k] = strings.Join(lines, "\n")
		case string:
			if html {
				out[k] = escape(v)
			} else {
				out[k] = v
			}
		default:
			out[k] = v
		}
	}
	return out
}

// intakeEnv gives the engine the content it may consult, all in memory.
func (b *Bot) intakeEnv(t *turn) intake.Env {
	env := intake.Env{Label: func(id string) string { return t.t(id, nil) }}
	lib := t.lib
	if lib != nil && lib.Gazetteer != nil {
		gz := lib.Gazetteer
		env.MatchCity = func(text string) []intake.Place {
			var out []intake.Place
			// Towns are named in the worker's script (Москва, მოსკოვი);
			// the gazetteer finds them again by any of their names.
			for _, m := range gz.Match(text, intake.MaxCandidates) {
				out = append(out, intake.Place{ID: m.ID, Name: m.NameIn(t.lang), Country: m.Country, Lat: m.Lat, Lon: m.Lon})
			}
			return out
		}
		env.NearestPlace = func(lat, lon float64) (intake.Place, bool) {
			p, ok := gz.Nearest(lat, lon, cityRadiusKm)
			return intake.Place{ID: p.ID, Name: p.NameIn(t.lang), Country: p.Country, Lat: p.Lat, Lon: p.Lon}, ok
		}
	}
	if lib != nil && lib.Directory != nil {
		env.MatchCountry = func(text string) string { return b.matchCountry(t, text) }
	}
	p := t.state.Profile
	env.Profile = intake.Profile{CountryOfWork: p.WorkCountry, City: p.WorkCity, Citizenship: p.Citizenship}
	if p.WorkCity != "" && lib != nil && lib.Gazetteer != nil {
		if place, ok := lib.Gazetteer.Locate(p.WorkCountry, p.WorkCity); ok {
			env.Profile.Lat, env.Profile.Lon = place.Lat, place.Lon
		}
	}
	return env
}

// matchCountry reads a typed country: its ISO code, or its name in any of
// the six languages (or the country's own), as the directory and the
// intake's buttons spell it.
func (b *Bot) matchCountry(t *turn, text string) string {
	typed := intake.Fold(text)
	if typed == "" {
		return ""
	}
	for _, c := range t.lib.Directory.Countries() {
		if intake.Fold(c.Code) == typed {
			return c.Code
		}
		n := c.Names
		for _, name := range []string{n.Original, n.AZ, n.RU, n.KA, n.RO, n.KK, n.EN} {
			if name != "" && intake.Fold(name) == typed {
				return c.Code
			}
		}
		for _, lang := range locales.Languages {
			if intake.Fold(b.cfg.Catalog.T(lang, "intake_country_"+strings.ToLower(c.Code), nil)) == typed {
				return c.Code
			}
		}
	}
	return ""
}

// showEmergency puts a country's emergency numbers and hotlines on screen,
// straight from the directory with their sources, as the country page and
// the forced-labour topic show them. Without a country, or
// for one the directory does not know, it gives the 112 note and lets the
// worker pick the country.
func (b *Bot) showEmergency(t *turn, country string) {
	if t.lib == nil || t.lib.Directory == nil {
		t.send(t.t("intake_emergency_general", nil), nil)
		return
	}
	if _, known := t.lib.Directory.Country(country); country == "" || !known {
		t.send(t.t("intake_emergency_general", nil), b.emergencyCountries(t))
		return
	}
	// The worker said they are in this country: its numbers work for them.
	t.here = country
	t.sendAll(t.packMessages("", t.helpBlocks(country, t.t("intake_emergency_hotlines", nil))), nil)
}

func (b *Bot) emergencyCountries(t *turn) *chat.Keyboard {
	var buttons []chat.Button
	for _, c := range t.lib.Directory.Countries() {
		if len(c.Emergency) == 0 && len(c.Hotlines) == 0 {
			continue
		}
		buttons = append(buttons, chat.Button{Text: c.Names.In(t.lang), Data: callbackData(cbIntake, emergencyPayload+strings.ToLower(c.Code))})
	}
	return &chat.Keyboard{Inline: grid(buttons, 3)}
}

// submitCase writes the case in this turn's transaction, tells the worker
// its number and what comes next, and offers where it may go.
func (b *Bot) submitCase(t *turn, d intake.Draft) {
	id := store.NewCaseID()
	c := store.NewCase{ID: id, ChatID: t.upd.ChatID, Details: caseDetails(d, t.lang)}
	for _, e := range d.Evidence {
		c.Evidence = append(c.Evidence, store.CaseFile{FileID: e.ID, UniqueID: e.UniqueID, Kind: e.Kind, MIME: e.MIME, Size: e.Size, At: e.ReceivedAt})
	}
	t.effects = append(t.effects, func(tx *store.Tx) error { return tx.CreateCase(c) })
	b.rememberProfile(t, d)

	text := t.t("intake_submitted", map[string]any{"CaseID": id}) + "\n\n" + t.t("intake_submitted_next", nil)
	t.send(text, &chat.Keyboard{Inline: [][]chat.Button{
		{{Text: t.t("menu_cases", nil), Data: callbackData(cbCases, casesOpen+id)}},
		{b.clearChatButton(t)},
	}})

	req := RouteRequest{CaseID: id, Categories: routeCategories(d.Categories), Citizenship: d.Citizenship}
	if p := d.Place; p != nil {
		req.WorkCountry, req.WorkCity = p.Country, p.Name
		req.Lat, req.Lon, req.HasLocation = p.Lat, p.Lon, true
	}
	b.offerRoutes(t, req)
}

// routeCategories names the intake's categories as the directory does.
func routeCategories(cs []intake.Category) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, routeCategory(string(c)))
	}
	return out
}

func routeCategory(c string) string {
	if c == string(intake.CategoryForced) {
		return routing.CategoryForcedLabour
	}
	return c
}

// caseDetails is the draft as the case keeps it.
func caseDetails(d intake.Draft, lang string) store.CaseDetails {
	cd := store.CaseDetails{
		Language: lang, Identity: d.Identity, Citizenship: d.Citizenship, Sector: d.Sector,
		Employer: d.Employer, Since: d.Since, SinceText: d.SinceText, Description: d.Description,
		InDanger: d.Danger == "yes", EmergencyCountry: d.EmergencyCountry,
		ContactMethod: d.ContactMethod, Phone: d.Phone, ConsentAt: d.ConsentAt,
	}
	if d.Identity == intake.IdentityShared {
		// An anonymous worker's name is never passed on, whatever a draft holds.
		cd.Name = d.Name
	}
	for _, c := range d.Categories {
		cd.Categories = append(cd.Categories, string(c))
	}
	if p := d.Place; p != nil {
		cd.Place = &store.CasePlace{ID: p.ID, Name: p.Name, Country: p.Country, Lat: p.Lat, Lon: p.Lon}
	}
	return cd
}

// rememberProfile keeps where the worker works and their citizenship, so
// the next complaint and the guide need not ask again.
func (b *Bot) rememberProfile(t *turn, d intake.Draft) {
	if p := d.Place; p != nil && p.Country != "" {
		t.state.Profile.WorkCountry = p.Country
		t.state.Profile.WorkCity = ""
		if p.ID != "" {
			t.state.Profile.WorkCity = p.Name
		}
	}
	if d.Citizenship != "" && d.Citizenship != intake.CountryOther {
		t.state.Profile.Citizenship = d.Citizenship
	}
}
