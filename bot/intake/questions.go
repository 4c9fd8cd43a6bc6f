package intake

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// codeOf is the short tag a question's buttons carry in their payload.
func codeOf(q QuestionID) string {
	switch q {
	case QResume:
		return "r"
	case QDanger:
		return "d"
	case QDangerCountry:
		return "dc"
	case QConsent:
		return "k"
	case QIdentity:
		return "i"
	case QName:
		return "n"
	case QCategories:
		return "c"
	case QPlace:
		return "p"
	case QPlaceStill:
		return "ps"
	case QPlaceMatch:
		return "pm"
	case QPlacePick:
		return "pp"
	case QCitizenship:
		return "z"
	case QCitizenshipStill:
		return "zs"
	case QSector:
		return "s"
	case QEmployer:
		return "e"
	case QSince:
		return "w"
	case QDescription:
		return "x"
	case QContact:
		return "m"
	case QPhone:
		return "ph"
	case QReview:
		return "v"
	}
	return ""
}

// Review fields, in screen order; "e-<field>" payloads open them.
var reviewFields = []QuestionID{
	QIdentity, QCategories, QPlace, QCitizenship, QSector, QEmployer, QSince, QDescription, QContact,
}

// reviewEdits are the edit buttons the review offers: every field, and the
// name right after the identity while the worker shares it.
func reviewEdits(d *Draft) []QuestionID {
	if d.Identity != IdentityShared {
		return reviewFields
	}
	i := slices.Index(reviewFields, QIdentity) + 1
	return slices.Insert(slices.Clone(reviewFields), i, QName)
}

func (st *stepper) btn(label, value string) Button {
	return Button{Label: label, Payload: payload(st.s.Seq, codeOf(st.s.Question), value)}
}

func (st *stepper) column(buttons ...Button) [][]Button {
	rows := make([][]Button, len(buttons))
	for i, b := range buttons {
		rows[i] = []Button{b}
	}
	return rows
}

func (st *stepper) countryRows(codes []string) [][]Button {
	var rows [][]Button
	for i := 0; i < len(codes); i += 3 {
		var row []Button
		for _, c := range codes[i:min(i+3, len(codes))] {
			row = append(row, st.btn(countryLabel(c), strings.ToLower(c)))
		}
		rows = append(rows, row)
	}
	return append(rows, []Button{st.btn("intake_country_other", CountryOther)})
}

func countryLabel(code string) string { return "intake_country_" + strings.ToLower(code) }
func categoryLabel(c Category) string { return "intake_cat_" + string(c) }

// countryRef names a country for display: a locale id for the countries
// the bot offers, the bare code for any other.
func countryRef(code string) any {
	if code == strings.ToUpper(CountryOther) {
		code = CountryOther
	}
	if code == CountryOther || slices.Contains(CitizenshipCountries, code) || slices.Contains(DangerCountries, code) {
		return Ref{ID: countryLabel(code)}
	}
	return code
}

// askFor builds question q as it should appear now.
func (st *stepper) askFor(q QuestionID) Ask {
	a := Ask{Question: q, Message: "intake_q_" + string(q), Seq: st.s.Seq}
	d := st.s.Draft
	switch q {
	case QResume:
		a.Buttons = st.column(st.btn("btn_continue", "continue"), st.btn("btn_start_over", "over"), st.btn("btn_discard", "discard"))
	case QDanger:
		a.Buttons = st.column(st.btn("intake_btn_in_danger", "yes"), st.btn("intake_btn_safe", "no"))
	case QDangerCountry:
		a.Buttons = st.countryRows(DangerCountries)
	case QConsent:
		a.Data = map[string]any{"RetentionMonths": st.env.RetentionMonths}
		a.Buttons = st.column(st.btn("intake_btn_agree", "yes"), st.btn("intake_btn_disagree", "no"))
	case QIdentity:
		a.Buttons = st.column(st.btn("intake_btn_identity_shared", IdentityShared), st.btn("intake_btn_identity_anonymous", IdentityAnonymous))
	case QName:
		a.Buttons = st.column(st.btn("btn_skip", "skip"))
	case QCategories:
		for _, c := range Categories {
			b := st.btn(categoryLabel(c), string(c))
			b.Selected = slices.Contains(d.Categories, c)
			a.Buttons = append(a.Buttons, []Button{b})
		}
		a.Buttons = append(a.Buttons, []Button{st.btn("btn_done", "done")})
	case QPlace:
		a.Reply = &ReplyKeyboard{Buttons: []ReplyButton{{Label: "btn_share_location", Request: RequestLocation}}}
	case QPlaceStill:
		a.Data = map[string]any{"City": st.env.Profile.City, "Country": st.env.Profile.CountryOfWork}
		a.Buttons = [][]Button{{st.btn("btn_yes", "yes"), st.btn("intake_btn_change", "change")}}
	case QPlaceMatch:
		a.Data = map[string]any{"City": st.s.Candidates[0].Name, "Country": st.s.Candidates[0].Country}
		a.Buttons = [][]Button{{st.btn("btn_yes", "yes"), st.btn("btn_no", "no")}}
	case QPlacePick:
		for i, p := range st.s.Candidates {
			b := st.btn("intake_btn_place", strconv.Itoa(i))
			b.LabelData = map[string]any{"City": p.Name, "Country": p.Country}
			a.Buttons = append(a.Buttons, []Button{b})
		}
		a.Buttons = append(a.Buttons, []Button{st.btn("intake_btn_none_of_these", "none")})
	case QCitizenship:
		a.Buttons = st.countryRows(CitizenshipCountries)
	case QCitizenshipStill:
		a.Data = map[string]any{"Country": countryRef(strings.ToUpper(st.env.Profile.Citizenship))}
		a.Buttons = [][]Button{{st.btn("btn_yes", "yes"), st.btn("intake_btn_change", "change")}}
	case QSector:
		for _, s := range Sectors {
			a.Buttons = append(a.Buttons, []Button{st.btn("intake_sector_"+s, s)})
		}
	case QEmployer:
		a.Data = map[string]any{"Max": st.env.MaxShort}
		a.Buttons = st.column(st.btn("btn_skip", "skip"))
	case QSince:
		for _, s := range SincePeriods {
			a.Buttons = append(a.Buttons, []Button{st.btn("intake_since_"+s, s)})
		}
	case QDescription:
		// The story may be typed over several messages, told in voice
		// notes, or shown with photos and documents.
		a.Message = "intake_q_story"
		a.Data = map[string]any{"Max": st.env.MaxText}
		a.Buttons = st.column(st.btn("btn_done", "done"))
		if st.s.Editing {
			a.Message = "intake_q_story_edit"
			a.Buttons = st.column(st.btn("btn_done", "done"), st.btn("intake_btn_clear_description", "clear"))
		}
	case QContact:
		if d.Identity == IdentityAnonymous {
			a.Message = "intake_q_contact_anonymous"
		}
		a.Buttons = st.column(st.btn("intake_contact_bot", ContactBot), st.btn("intake_contact_phone", ContactPhone), st.btn("intake_contact_none", ContactNone))
	case QPhone:
		a.Reply = &ReplyKeyboard{Buttons: []ReplyButton{{Label: "btn_share_contact", Request: RequestContact}}}
	case QReview:
		a.Data = reviewData(d)
		var row []Button
		for _, f := range reviewEdits(d) {
			row = append(row, st.btn("intake_edit_"+string(f), "e-"+string(f)))
			if len(row) == 2 {
				a.Buttons = append(a.Buttons, row)
				row = nil
			}
		}
		if row != nil {
			a.Buttons = append(a.Buttons, row)
		}
		a.Buttons = append(a.Buttons, []Button{st.btn("intake_btn_submit", "submit")})
	}
	return a
}

// choose applies the option value of the current question; false means the
// value does not belong to it (a forged or outdated payload).
func (st *stepper) choose(v string) bool {
	d := st.s.Draft
	switch st.s.Question {
	case QResume:
		switch v {
		case "continue":
			q := st.s.ResumeAt
			st.s.ResumeAt = ""
			if (q == QPlaceMatch || q == QPlacePick) && len(st.s.Candidates) == 0 {
				q = QPlace
			}
			st.open(q)
		case "over":
			st.fresh()
		case "discard":
			st.reset()
			st.hideReply()
			st.emit(DraftDiscarded{})
			st.emit(OfferMenu{})
		default:
			return false
		}
	case QDanger:
		switch v {
		case "yes":
			d.Danger = "yes"
			if c := strings.ToUpper(st.env.Profile.CountryOfWork); validCountry(c) && c != CountryOther {
				st.emergency(c)
				return true
			}
			// Asking the country must not delay help: the number that
			// works everywhere comes first, the country's own list next.
			st.emit(ShowEmergencyNumber{})
			st.forward(QDangerCountry)
		case "no":
			d.Danger = "no"
			d.EmergencyCountry = ""
			st.done(QDanger)
		default:
			return false
		}
	case QDangerCountry:
		if v == CountryOther {
			st.emergency("")
			return true
		}
		code := strings.ToUpper(v)
		if !slices.Contains(DangerCountries, code) {
			return false
		}
		st.emergency(code)
	case QConsent:
		switch v {
		case "yes":
			d.Consent = true
			d.ConsentAt = st.now
			st.done(QConsent)
		case "no":
			// Refusal keeps nothing, not even the safety answer.
			st.reset()
			st.hideReply()
			st.say("intake_consent_refused", nil)
			st.emit(OfferGuide{})
		default:
			return false
		}
	case QIdentity:
		switch v {
		case IdentityShared:
			// Sharing means something only with a name to share: ask it,
			// also when the choice was changed from the review.
			d.Identity = v
			st.forward(QName)
		case IdentityAnonymous:
			d.Identity, d.Name = v, ""
			st.done(QIdentity)
		default:
			return false
		}
	case QName:
		if v != "skip" {
			return false
		}
		d.Name = ""
		st.done(QIdentity)
	case QCategories:
		if v == "done" {
			if len(d.Categories) == 0 {
				st.reask("intake_categories_none", nil)
				return true
			}
			st.done(QCategories)
			return true
		}
		c := Category(v)
		if !slices.Contains(Categories, c) {
			return false
		}
		if i := slices.Index(d.Categories, c); i >= 0 {
			d.Categories = slices.Delete(d.Categories, i, i+1)
		} else {
			d.Categories = append(d.Categories, c)
			sortCategories(d.Categories)
		}
		st.show(st.askFor(QCategories), st.s.Seq)
	case QPlaceStill:
		switch v {
		case "yes":
			p := st.env.Profile
			known := Place{Name: p.City, Country: strings.ToUpper(p.CountryOfWork), Lat: p.Lat, Lon: p.Lon}
			if p.City == "" || !validPlace(known) {
				// The profile changed or is unusable: ask afresh.
				st.open(QPlace)
				return true
			}
			st.setPlace(known)
		case "change":
			st.forward(QPlace)
		default:
			return false
		}
	case QPlaceMatch:
		switch v {
		case "yes":
			st.setPlace(st.s.Candidates[0])
		case "no":
			st.forward(QPlace)
		default:
			return false
		}
	case QPlacePick:
		if v == "none" {
			st.forward(QPlace)
			return true
		}
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= len(st.s.Candidates) {
			return false
		}
		st.setPlace(st.s.Candidates[i])
	case QCitizenship:
		code := strings.ToUpper(v)
		if v == CountryOther {
			code = CountryOther
		} else if !slices.Contains(CitizenshipCountries, code) {
			return false
		}
		d.Citizenship = code
		st.done(QCitizenship)
	case QCitizenshipStill:
		switch v {
		case "yes":
			code := strings.ToUpper(st.env.Profile.Citizenship)
			if !validCountry(code) {
				st.open(QCitizenship)
				return true
			}
			d.Citizenship = code
			st.done(QCitizenship)
		case "change":
			st.forward(QCitizenship)
		default:
			return false
		}
	case QSector:
		if !slices.Contains(Sectors, v) {
			return false
		}
		d.Sector = v
		st.done(QSector)
	case QEmployer:
		if v != "skip" {
			return false
		}
		d.Employer, d.EmployerSkipped = "", true
		st.done(QEmployer)
	case QSince:
		if !slices.Contains(SincePeriods, v) {
			return false
		}
		d.Since, d.SinceText = v, ""
		st.done(QSince)
	case QDescription:
		switch v {
		case "done":
			if d.Description == "" && len(d.Evidence) == 0 {
				st.reask("intake_description_empty", nil)
				return true
			}
			st.done(QDescription)
		case "clear":
			d.Description = ""
			st.reask("intake_description_cleared", nil)
		default:
			return false
		}
	case QContact:
		switch v {
		case ContactBot, ContactNone:
			d.ContactMethod, d.Phone = v, ""
			st.done(QContact)
		case ContactPhone:
			st.forward(QPhone)
		default:
			return false
		}
	case QReview:
		if v == "submit" {
			sub := Submit{Draft: *d.clone()}
			sub.Draft.UpdatedAt = st.now
			st.reset()
			st.hideReply()
			st.emit(sub)
			return true
		}
		f := QuestionID(strings.TrimPrefix(v, "e-"))
		if !strings.HasPrefix(v, "e-") || !slices.Contains(reviewEdits(d), f) {
			return false
		}
		st.s.Editing = true
		st.open(st.entry(f))
	default:
		return false
	}
	return true
}

// emergency shows the emergency numbers first of all, then carries on with
// the intake: help comes before paperwork, but the complaint stays possible.
func (st *stepper) emergency(country string) {
	st.s.Draft.EmergencyCountry = country
	st.out = slices.Insert(st.out, 0, Effect(ShowEmergency{Country: country}))
	st.say("intake_when_safe", nil)
	st.done(QDanger)
}

func (st *stepper) setPlace(p Place) {
	st.s.Draft.Place = &p
	st.done(QPlace)
}

// freeText handles typed text that named no button; false means the
// question does not take free text.
func (st *stepper) freeText(t string) bool {
	d := st.s.Draft
	switch st.s.Question {
	case QDangerCountry:
		code := st.typedCountry(t)
		if code == "" {
			for _, p := range st.matchCity(t) {
				if code != "" && p.Country != code {
					return false
				}
				code = p.Country
			}
		}
		if !validCountry(code) {
			return false
		}
		st.emergency(code)
	case QCitizenship:
		code := st.typedCountry(t)
		if !validCountry(code) {
			return false
		}
		d.Citizenship = code
		st.done(QCitizenship)
	case QPlace, QPlaceStill, QPlaceMatch, QPlacePick:
		st.citySearch(t)
	case QName:
		if runes(t) > st.env.MaxShort {
			st.reask("text_too_long", map[string]any{"Max": st.env.MaxShort})
			return true
		}
		// A name is one line: line breaks and runs of spaces go.
		d.Name = strings.Join(strings.Fields(t), " ")
		st.done(QIdentity)
	case QEmployer:
		if runes(t) > st.env.MaxShort {
			st.reask("text_too_long", map[string]any{"Max": st.env.MaxShort})
			return true
		}
		d.Employer, d.EmployerSkipped = t, false
		st.done(QEmployer)
	case QSince:
		if runes(t) > st.env.MaxShort {
			st.reask("text_too_long", map[string]any{"Max": st.env.MaxShort})
			return true
		}
		d.Since, d.SinceText = "", t
		st.done(QSince)
	case QDescription:
		st.describe(t)
	case QContact, QPhone:
		phone, ok := normalizePhone(t)
		switch {
		case !ok && st.s.Question == QPhone:
			st.reask("intake_phone_invalid", nil)
		case !ok:
			return false
		case !strings.HasPrefix(phone, "+"):
			// A number without its country code cannot be called from
			// another country, where the organisation may be: ask again,
			// with an example.
			if st.s.Question == QPhone {
				st.reask("intake_phone_no_country_code", nil)
				return true
			}
			st.say("intake_phone_no_country_code", nil)
			st.forward(QPhone)
		default:
			st.setPhone(phone)
		}
	default:
		return false
	}
	return true
}

// typedCountry reads an ISO code or, through the injected matcher, a
// country name in any language.
func (st *stepper) typedCountry(t string) string {
	if len(t) == 2 {
		code := strings.ToUpper(t)
		if slices.Contains(CitizenshipCountries, code) || slices.Contains(DangerCountries, code) {
			return code
		}
	}
	if st.env.MatchCountry != nil {
		if code := strings.ToUpper(st.env.MatchCountry(t)); validCountry(code) {
			return code
		}
	}
	return ""
}

func (st *stepper) matchCity(t string) []Place {
	if st.env.MatchCity == nil || runes(t) > st.env.MaxShort {
		return nil
	}
	return st.env.MatchCity(t)
}

func (st *stepper) citySearch(t string) {
	if runes(t) > st.env.MaxShort {
		st.reask("text_too_long", map[string]any{"Max": st.env.MaxShort})
		return
	}
	if st.s.Question == QPlacePick {
		for _, p := range st.s.Candidates {
			if Fold(p.Name) == Fold(t) {
				st.setPlace(p)
				return
			}
		}
	}
	var found []Place
	for _, p := range st.matchCity(t) {
		if validPlace(p) && len(found) < MaxCandidates {
			found = append(found, p)
		}
	}
	if len(found) == 0 {
		st.say("intake_place_not_found", map[string]any{"Text": t})
		if st.s.Question != QPlace {
			st.forward(QPlace)
			return
		}
		st.reask("", nil)
		return
	}
	st.s.Candidates = found
	next := QPlaceMatch
	if len(found) > 1 {
		next = QPlacePick
	}
	// A new search replaces the previous offer rather than stacking on it.
	if st.s.Question == QPlaceMatch || st.s.Question == QPlacePick {
		st.open(next)
		return
	}
	st.forward(next)
}

func (st *stepper) location(l Location) bool {
	if !validCoords(l.Lat, l.Lon) {
		return false
	}
	switch st.s.Question {
	case QPlace, QPlaceStill, QPlaceMatch, QPlacePick:
		// Only the town is needed to route a case; exact coordinates of
		// where someone lives or works are not kept.
		p := Place{Lat: math.Round(l.Lat*100) / 100, Lon: math.Round(l.Lon*100) / 100}
		if st.env.NearestPlace != nil {
			if near, ok := st.env.NearestPlace(l.Lat, l.Lon); ok && validPlace(near) {
				p = near
			}
		}
		st.setPlace(p)
	case QDangerCountry:
		if st.env.NearestPlace == nil {
			return false
		}
		near, ok := st.env.NearestPlace(l.Lat, l.Lon)
		if !ok || !validCountry(near.Country) {
			return false
		}
		st.emergency(near.Country)
	default:
		return false
	}
	return true
}

func (st *stepper) contact(c Contact) bool {
	q := st.s.Question
	if q != QContact && q != QPhone {
		return false
	}
	if !c.Own {
		st.reask("intake_phone_not_own", nil)
		return true
	}
	phone, ok := normalizePhone(c.Phone)
	if !ok {
		return false
	}
	if !strings.HasPrefix(phone, "+") {
		// Telegram shares a contact's number in full international form,
		// often without the +.
		phone = "+" + phone
	}
	st.setPhone(phone)
	return true
}

func (st *stepper) setPhone(phone string) {
	st.s.Draft.ContactMethod, st.s.Draft.Phone = ContactPhone, phone
	st.done(QContact)
}

const descriptionSeparator = "\n\n"

// describe adds a message to the story. Nothing the worker wrote is
// dropped while the story has room: a message that would overflow it keeps
// what fits, up to a word, and the worker is told where it stopped and
// how to send the rest (as a message to the case once it is submitted).
func (st *stepper) describe(t string) {
	d := st.s.Draft
	room := st.env.MaxText - runes(d.Description)
	if d.Description != "" {
		room -= len(descriptionSeparator)
	}
	if runes(t) > room {
		kept := cutAtWord(t, room)
		if kept != "" {
			if d.Description != "" {
				d.Description += descriptionSeparator
			}
			d.Description += kept
		}
		st.say("intake_story_full", map[string]any{"Max": st.env.MaxText, "Kept": runes(kept), "Sent": runes(t)})
		st.more()
		return
	}
	if d.Description != "" {
		d.Description += descriptionSeparator
	}
	d.Description += t
	st.more()
}

// cutAtWord keeps at most n runes of t, ending at a space when there is one
// in the last fifth, so the cut does not split a word.
func cutAtWord(t string, n int) string {
	if n <= 0 {
		return ""
	}
	r := []rune(t)
	if len(r) <= n {
		return t
	}
	cut := n
	for i := n; i > n*4/5; i-- {
		if unicode.IsSpace(r[i]) {
			cut = i
			break
		}
	}
	return strings.TrimRightFunc(string(r[:cut]), unicode.IsSpace)
}

func (st *stepper) evidence(f File, caption string) {
	d := st.s.Draft
	if slices.ContainsFunc(d.Evidence, func(e Evidence) bool { return e.UniqueID == f.UniqueID }) {
		st.more()
		return
	}
	if len(d.Evidence) >= MaxEvidence {
		st.say("intake_evidence_limit", map[string]any{"Max": MaxEvidence})
		st.more()
		return
	}
	d.Evidence = append(d.Evidence, Evidence{ID: f.ID, UniqueID: f.UniqueID, Kind: f.Kind, MIME: f.MIME, Size: f.Size, ReceivedAt: st.now})
	if caption != "" {
		st.describe(caption)
		return
	}
	st.more()
}

// more acknowledges a piece of the description and keeps Done at hand.
func (st *stepper) more() {
	a := st.askFor(QDescription)
	a.Message = "intake_description_more"
	a.Data = map[string]any{"Chars": runes(st.s.Draft.Description), "Files": len(st.s.Draft.Evidence), "Max": st.env.MaxText}
	st.show(a, 0)
}

// categoriesText accepts "1, 3" (numbers as listed) or one label.
func (st *stepper) categoriesText(t string) {
	d := st.s.Draft
	fields := strings.FieldsFunc(t, func(r rune) bool { return !unicode.IsDigit(r) })
	onlyNumbers := len(fields) > 0 && strings.IndexFunc(t, func(r rune) bool {
		return !unicode.IsDigit(r) && !unicode.IsSpace(r) && r != ',' && r != ';' && r != '.'
	}) < 0
	if onlyNumbers {
		var picked []Category
		for _, f := range fields {
			n, err := strconv.Atoi(f)
			if err != nil || n < 1 || n > len(Categories) {
				st.reaskDefault()
				return
			}
			if c := Categories[n-1]; !slices.Contains(picked, c) {
				picked = append(picked, c)
			}
		}
		for _, c := range picked {
			if !slices.Contains(d.Categories, c) {
				d.Categories = append(d.Categories, c)
			}
		}
		sortCategories(d.Categories)
		st.done(QCategories)
		return
	}
	if v, ok := st.matchTyped(t); ok && st.choose(v) {
		return
	}
	st.reaskDefault()
}

func sortCategories(cs []Category) {
	slices.SortFunc(cs, func(a, b Category) int { return slices.Index(Categories, a) - slices.Index(Categories, b) })
}

// reviewPreview bounds the description on the review screen so the whole
// screen fits one Telegram message (4096 characters).
const reviewPreview = 300

func reviewData(d *Draft) map[string]any {
	notGiven := Ref{ID: "intake_value_not_given"}
	data := map[string]any{}
	data["Identity"] = Ref{ID: "intake_value_" + d.Identity}
	if d.Identity == IdentityShared && d.Name != "" {
		data["Identity"] = Ref{ID: "intake_value_shared_name", Data: map[string]any{"Name": d.Name}}
	}
	cats := make([]Ref, len(d.Categories))
	for i, c := range d.Categories {
		cats[i] = Ref{ID: categoryLabel(c)}
	}
	data["Categories"] = cats
	switch {
	case d.Place == nil:
		data["Place"] = notGiven
	case d.Place.Name != "":
		data["Place"] = Ref{ID: "intake_value_place", Data: map[string]any{"City": d.Place.Name, "Country": d.Place.Country}}
	default:
		data["Place"] = Ref{ID: "intake_value_location"}
	}
	data["Citizenship"] = countryRef(d.Citizenship)
	data["Sector"] = Ref{ID: "intake_sector_" + d.Sector}
	data["Employer"] = any(notGiven)
	if d.Employer != "" {
		data["Employer"] = d.Employer
	}
	if d.SinceText != "" {
		data["Since"] = d.SinceText
	} else {
		data["Since"] = Ref{ID: "intake_since_" + d.Since}
	}
	data["Description"] = any(notGiven)
	if d.Description != "" {
		data["Description"] = truncate(d.Description, reviewPreview)
	}
	data["Files"] = len(d.Evidence)
	data["Contact"] = Ref{ID: "intake_contact_" + d.ContactMethod}
	if d.ContactMethod == ContactPhone {
		data["Contact"] = Ref{ID: "intake_value_phone", Data: map[string]any{"Phone": d.Phone}}
	}
	return data
}

func truncate(s string, n int) string {
	if runes(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])) + "…"
}

// Fold reduces text to lower-case letters and digits, so "Yes!" matches
// "yes" and an emoji in a label does not matter.
func Fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func smallNumber(t string) (int, bool) {
	t = strings.TrimRight(strings.TrimSpace(t), ".)")
	if len(t) == 0 || len(t) > 2 {
		return 0, false
	}
	n, err := strconv.Atoi(t)
	return n, err == nil
}

// normalizePhone accepts what people type for a phone number: digits with
// spaces, dashes, dots or brackets, optionally a leading + (or the
// international prefix 00, written as +), 7–15 digits (E.164 allows at
// most 15). A number without + has no country code: typed answers are
// asked again (intake_phone_no_country_code); drafts stored before that
// rule keep theirs.
func normalizePhone(t string) (string, bool) {
	t = strings.TrimSpace(t)
	plus := strings.HasPrefix(t, "+")
	if plus {
		t = t[1:]
	}
	var b strings.Builder
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", false
		}
	}
	digits := b.String()
	if rest, ok := strings.CutPrefix(digits, "00"); ok && !plus && rest != "" && rest[0] != '0' {
		digits, plus = rest, true // "00 994 …" dialled internationally
	}
	if len(digits) < 7 || len(digits) > 15 {
		return "", false
	}
	if plus {
		return "+" + digits, true
	}
	return digits, true
}

func validFile(f File) bool {
	return (f.Kind == FilePhoto || f.Kind == FileDocument || f.Kind == FileVoice) && f.ID != "" && f.UniqueID != "" && f.Size >= 0 &&
		len(f.ID) <= 512 && len(f.UniqueID) <= 128 && len(f.MIME) <= 128
}
