package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/store"
)

// toPlace starts a complaint with the given categories and answers up to
// the sector question with a typed city and a citizenship.
func (w *intakeUser) toPlace(categories []string, city, citizenship string) {
	w.t.Helper()
	w.toCategories("")
	for _, c := range categories {
		w.press(c)
		w.awaitButton("✓ " + w.tr(c))
	}
	w.press("btn_done")
	w.await("intake_q_place")
	w.u.SendText(city)
	w.await("intake_q_place_match")
	w.press("btn_yes")
	w.await("intake_q_citizenship")
	w.press(citizenship)
	w.await("intake_q_sector")
}

// after waits for a new bot message (after the first before) that holds
// message id's text up to its first placeholder.
func (w *intakeUser) after(before int, id string) localapi.Message {
	w.t.Helper()
	const cut = "\x00"
	text, _, _ := strings.Cut(w.h.catalog.T(w.lang, id, map[string]any{"Name": cut, "CaseID": cut}), cut)
	return waitNewMessage(w.t, w.u, before, firstLine(text))
}

// buttonFor returns the label of the button on m naming the service, as
// the offer writes it: "2. Name", or as many whole words of the name as
// fit a phone, then "…".
func buttonFor(t *testing.T, m localapi.Message, name string) string {
	t.Helper()
	for _, label := range buttonTexts(m) {
		_, kept, ok := strings.Cut(label, ". ")
		if ok && kept != "" && strings.HasPrefix(name, strings.TrimSuffix(kept, "…")) {
			return label
		}
	}
	t.Fatalf("no button for %q among %q", name, buttonTexts(m))
	return ""
}

// From a submitted complaint to the routing offer: the worker chooses a
// union and gets its contacts; choosing their own state's consulate shows
// the warning and records nothing until the consent button is pressed.
func TestRouteFromComplaintToChoiceEndToEnd(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	w := newIntakeUser(t, h, "en")
	w.toPlace([]string{"intake_cat_documents", "intake_cat_wages"}, "Istanbul", "intake_country_az")
	w.toReview("Site Owner", "They took my passport and did not pay.")
	caseID := w.submit()

	offer := w.await("route_intro")
	choose := w.await("route_choose")
	if !strings.Contains(choose.Text, caseID) {
		t.Errorf("the offer does not name case %s: %q", caseID, choose.Text)
	}
	union := "Confederation of Progressive Trade Unions of Türkiye (DİSK)"
	consulate := "Consulate General of the Republic of Azerbaijan in Istanbul"
	for _, want := range []string{union, consulate, firstLine(w.tr("route_consulate_warning")), w.tr("service_kind_trade_union"), w.tr("service_kind_consulate")} {
		if !strings.Contains(offer.Text, want) {
			t.Errorf("the offer lacks %q:\n%s", want, offer.Text)
		}
	}
	if strings.Contains(offer.Text, "istanbul.mfa.gov.az") {
		t.Errorf("the consulate's contacts are shown before consent:\n%s", offer.Text)
	}
	if !slices.Contains(buttonTexts(choose), w.tr("route_btn_decline")) {
		t.Errorf("no decline button: %q", buttonTexts(choose))
	}

	db := reopen(t, h)
	routes := func() []store.CaseRoute {
		t.Helper()
		r, err := db.CaseRoutes(context.Background(), caseID)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := routes(); len(r) != 0 {
		t.Fatalf("a route was recorded before any choice: %+v", r)
	}

	// The union: recorded at once, with its contacts.
	before := len(w.u.Messages())
	if err := w.u.Press(choose.ID, buttonFor(t, choose, union)); err != nil {
		t.Fatal(err)
	}
	chosen := w.after(before, "route_contacts_only")
	if !strings.Contains(chosen.Text, "disk.org.tr") || !strings.Contains(chosen.Text, caseID) {
		t.Errorf("want DİSK's contacts and the case id:\n%s", chosen.Text)
	}
	r := routes()
	if len(r) != 1 || r[0].ServiceID != "disk" || r[0].ConsentConsulate || r[0].Status != store.RouteContactsGiven || r[0].ChatID != w.u.ChatID() {
		t.Fatalf("union choice recorded as %+v", r)
	}

	// The consulate: first the warning, and nothing recorded.
	label := buttonFor(t, choose, consulate)
	if !strings.HasPrefix(label, "⚠️") {
		t.Errorf("the consulate's button carries no warning sign: %q", label)
	}
	before = len(w.u.Messages())
	if err := w.u.Press(choose.ID, label); err != nil {
		t.Fatal(err)
	}
	question := w.after(before, "route_consent_question")
	if !slices.Contains(buttonTexts(question), w.tr("route_btn_consent")) || !slices.Contains(buttonTexts(question), w.tr("route_btn_skip")) {
		t.Fatalf("want consent and skip buttons: %q", buttonTexts(question))
	}
	if strings.Contains(question.Text, "istanbul.mfa.gov.az") {
		t.Errorf("contacts shown with the question:\n%s", question.Text)
	}
	if r := routes(); len(r) != 1 {
		t.Fatalf("choosing the consulate recorded something before consent: %+v", r)
	}

	// Skip: still nothing.
	before = len(w.u.Messages())
	if err := w.u.Press(question.ID, w.tr("route_btn_skip")); err != nil {
		t.Fatal(err)
	}
	w.after(before, "route_consulate_skipped")
	if r := routes(); len(r) != 1 {
		t.Fatalf("skipping recorded something: %+v", r)
	}

	// Consent, explicitly: recorded with the consent, and the contacts shown.
	before = len(w.u.Messages())
	if err := w.u.Press(choose.ID, label); err != nil {
		t.Fatal(err)
	}
	question = w.after(before, "route_consent_question")
	before = len(w.u.Messages())
	if err := w.u.Press(question.ID, w.tr("route_btn_consent")); err != nil {
		t.Fatal(err)
	}
	given := waitNewMessage(t, w.u, before, "istanbul.mfa.gov.az")
	if !strings.Contains(given.Text, caseID) {
		t.Errorf("want the case id with the consulate's contacts:\n%s", given.Text)
	}
	r = routes()
	if len(r) != 2 {
		t.Fatalf("after consent: %+v", r)
	}
	i := slices.IndexFunc(r, func(c store.CaseRoute) bool { return c.ServiceID == "az-cg-istanbul" })
	if i < 0 || !r[i].ConsentConsulate || r[i].Status != store.RouteContactsGiven {
		t.Fatalf("consulate choice recorded as %+v", r)
	}
	noErrorResponses(t, h.api)
}

// /help works in the middle of a complaint: the worker gets the nearest
// services, and the unfinished complaint is still there to continue.
func TestHelpInTheMiddleOfAComplaint(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	w := newIntakeUser(t, h, "az")
	w.press("menu_short_complaint")
	w.await("intake_q_danger")
	w.press("intake_btn_safe")
	w.await("intake_q_consent")
	w.press("intake_btn_agree")
	w.await("intake_q_identity")

	helpAsk(t, h, w.u, "az")
	before := len(w.u.Messages())
	w.u.SendText("Баку")
	waitNewMessage(t, w.u, before, "112")
	pressProblem(t, h, w.u, "az", before, "wages")
	waitNewMessage(t, w.u, before, "Azərbaycan Həmkarlar İttifaqları Konfederasiyası")

	before = len(w.u.Messages())
	w.u.SendText("/complaint")
	w.after(before, "intake_q_resume")
	assertNoRejectedRequests(t, h, w.u.ChatID())
}
