package bot

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/routing"
	"github.com/rightsdesk/rightsdesk/store"
)

// routeWorld is a bot over a real store, driven turn by turn the way Handle
// drives it: begin, dispatch, commit.
type routeWorld struct {
	b      *Bot
	db     *store.DB
	chatID int64
	update int64
}

func newRouteWorld(t *testing.T, lang string) *routeWorld {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "route.db"), bytes.Repeat([]byte{5}, store.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := &routeWorld{db: db, chatID: 7301}
	w.b = New(Config{Store: db, Catalog: testCatalog(t), Library: testDirectoryLibrary(t)})
	err = db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.SaveChat(store.Chat{ID: w.chatID, Type: chat.ChatPrivate, Language: lang, State: []byte(`{"v":1}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// turn runs fn in one turn and commits it; it returns the replies and the
// commit's error.
func (w *routeWorld) turn(t *testing.T, upd chat.Update, fn func(*turn)) ([]chat.Reply, error) {
	t.Helper()
	w.update++
	upd.ID, upd.ChatID, upd.ChatType = w.update, w.chatID, chat.ChatPrivate
	ctx := context.Background()
	tr, err := w.b.begin(ctx, upd)
	if err != nil {
		t.Fatal(err)
	}
	fn(tr)
	return tr.replies, w.b.commit(ctx, upd.ID, tr)
}

// submit stores a case as the intake does and offers its routes.
func (w *routeWorld) submit(t *testing.T, req RouteRequest) ([]chat.Reply, string) {
	t.Helper()
	if req.CaseID == "" {
		req.CaseID = store.NewCaseID()
	}
	replies, err := w.turn(t, chat.Update{Kind: chat.KindText, Text: "submit"}, func(tr *turn) {
		tr.effects = append(tr.effects, func(tx *store.Tx) error {
			return tx.CreateCase(store.NewCase{ID: req.CaseID, ChatID: w.chatID, Details: store.CaseDetails{Categories: req.Categories}})
		})
		w.b.offerRoutes(tr, req)
	})
	if err != nil {
		t.Fatal(err)
	}
	return replies, req.CaseID
}

func (w *routeWorld) press(t *testing.T, data string) ([]chat.Reply, error) {
	t.Helper()
	return w.turn(t, chat.Update{Kind: chat.KindCallback, CallbackID: "q", CallbackData: data}, func(tr *turn) {
		w.b.private(tr)
		tr.answerCallback("")
	})
}

func (w *routeWorld) routes(t *testing.T, caseID string) []store.CaseRoute {
	t.Helper()
	r, err := w.db.CaseRoutes(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// buttons maps callback data to label for every inline button sent.
func buttons(replies []chat.Reply) map[string]string {
	out := map[string]string{}
	for _, r := range replies {
		if r.Keyboard == nil {
			continue
		}
		for _, row := range r.Keyboard.Inline {
			for _, b := range row {
				out[b.Data] = b.Text
			}
		}
	}
	return out
}

// offer is the case's latest offer: its number and its services.
func (w *routeWorld) offer(t *testing.T, caseID string) (int, []store.RouteOffer) {
	t.Helper()
	next, err := w.db.NextRouteOffer(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	options, err := w.db.RouteOffers(context.Background(), caseID, next-1)
	if err != nil {
		t.Fatal(err)
	}
	return next - 1, options
}

func optionIndex(options []store.RouteOffer, serviceID string) int {
	for i, o := range options {
		if o.ServiceID == serviceID {
			return i + 1
		}
	}
	return 0
}

func TestOwnConsulateIsNeverChosenWithoutTheConsentPress(t *testing.T) {
	w := newRouteWorld(t, "en")
	moscow := placeOf(t, w.b.library.Load(), "RU", "Moscow")
	replies, caseID := w.submit(t, RouteRequest{Categories: []string{routing.CategoryForcedLabour}, Citizenship: "MD",
		WorkCountry: "RU", Lat: moscow.Lat, Lon: moscow.Lon, HasLocation: true})
	out := texts(replies)
	offer, options := w.offer(t, caseID)
	if offer != 1 || len(options) == 0 || len(options) > routeChoices {
		t.Fatalf("offer not kept with the case: %d %+v", offer, options)
	}
	n := optionIndex(options, "md-embassy-moscow")
	if n == 0 || !options[n-1].NeedsConsent {
		t.Fatalf("the Moldovan embassy must be offered, behind consent: %+v", options)
	}
	if strings.Contains(out, "+79299649079") {
		t.Error("the embassy's contacts shown before consent")
	}
	if !strings.Contains(out, w.b.cfg.Catalog.T("en", "route_consulate_warning", nil)) || !strings.Contains(out, caseID) {
		t.Errorf("offer lacks the warning or the case id:\n%s", out)
	}
	btns := buttons(replies)
	for data := range btns {
		if len(data) > 64 {
			t.Errorf("callback data %q over 64 bytes", data)
		}
	}
	decline := routeData(caseID, 1, routeDecline)
	if btns[decline] == "" {
		t.Errorf("no decline button in %v", btns)
	}
	choose := routeData(caseID, 1, routeChoose+itoa(n))
	if btns[choose] == "" {
		t.Fatalf("no button %s in %v", choose, btns)
	}

	// Choosing it only asks.
	replies, err := w.press(t, choose)
	if err != nil {
		t.Fatal(err)
	}
	consent := routeData(caseID, 1, routeConsent+itoa(n))
	if buttons(replies)[consent] == "" || buttons(replies)[routeData(caseID, 1, routeSkip)] == "" {
		t.Fatalf("no separate consent and skip buttons: %v", buttons(replies))
	}
	if r := w.routes(t, caseID); len(r) != 0 {
		t.Fatalf("recorded before consent: %+v", r)
	}
	// Skipping records nothing either.
	if _, err := w.press(t, routeData(caseID, 1, routeSkip)); err != nil {
		t.Fatal(err)
	}
	// A consent press on a service that is not the worker's state is a
	// forged or stale button: nothing is recorded as consent.
	other := 0
	for i, o := range options {
		if !o.NeedsConsent {
			other = i + 1
		}
	}
	if other > 0 {
		replies, _ := w.press(t, routeData(caseID, 1, routeConsent+itoa(other)))
		if !strings.Contains(texts(replies), w.b.cfg.Catalog.T("en", "stale_button", nil)) {
			t.Errorf("consent on a non-consular service not refused: %q", texts(replies))
		}
	}
	if r := w.routes(t, caseID); len(r) != 0 {
		t.Fatalf("recorded without the consent press: %+v", r)
	}

	// The consent press records it, with consent, and shows the contacts.
	replies, err = w.press(t, consent)
	if err != nil {
		t.Fatal(err)
	}
	r := w.routes(t, caseID)
	if len(r) != 1 || r[0].ServiceID != "md-embassy-moscow" || !r[0].ConsentConsulate || r[0].Status != store.RouteContactsGiven || r[0].ChatID != w.chatID {
		t.Fatalf("after consent: %+v", r)
	}
	out = texts(replies)
	if !strings.Contains(out, "+79299649079") || !strings.Contains(out, caseID) {
		t.Errorf("after consent the contacts and the case id must be shown:\n%s", out)
	}
}

func TestChoosingAUnionGivesContactsHonestly(t *testing.T) {
	w := newRouteWorld(t, "az")
	replies, caseID := w.submit(t, RouteRequest{Categories: []string{routing.CategoryWages}, Citizenship: "AZ",
		WorkCountry: "AZ", WorkCity: "Bakı"})
	if _, options := w.offer(t, caseID); len(options) == 0 || options[0].ServiceID != "ahik" {
		t.Fatalf("want AHİK first for a wage case in Baku: %+v", options)
	}
	cat := w.b.cfg.Catalog
	if !strings.Contains(texts(replies), cat.T("az", "service_distance_near", nil)) {
		t.Errorf("the typed city must place the case (AHİK is in Baku):\n%s", texts(replies))
	}
	replies, err := w.press(t, routeData(caseID, 1, routeChoose+"1"))
	if err != nil {
		t.Fatal(err)
	}
	r := w.routes(t, caseID)
	if len(r) != 1 || r[0].ServiceID != "ahik" || r[0].ConsentConsulate || r[0].Status != store.RouteContactsGiven {
		t.Fatalf("choice not recorded: %+v", r)
	}
	out := texts(replies)
	ahik, _ := w.b.library.Load().Directory.ByID("ahik")
	// The paragraph that says the organisation does not yet receive cases.
	honest := strings.Split(cat.T("az", "route_contacts_only", map[string]any{"Name": ahik.Names.In("az"), "CaseID": caseID}), "\n\n")[1]
	if !strings.Contains(out, honest) || !strings.Contains(out, "ahik.org") || !strings.Contains(out, caseID) {
		t.Errorf("want the honest note, the contacts and the case id:\n%s", out)
	}

	// Decline is recorded too.
	if _, err := w.press(t, routeData(caseID, 1, routeDecline)); err != nil {
		t.Fatal(err)
	}
	if r := w.routes(t, caseID); len(r) != 2 {
		t.Fatalf("decline not recorded: %+v", r)
	}
}

func TestRouteButtonsOfAnotherCaseAreStale(t *testing.T) {
	w := newRouteWorld(t, "ru")
	_, first := w.submit(t, RouteRequest{Categories: []string{routing.CategoryWages}, WorkCountry: "AZ", WorkCity: "Baku"})
	_, second := w.submit(t, RouteRequest{Categories: []string{routing.CategoryWages}, WorkCountry: "AZ", WorkCity: "Baku"})
	stale := w.b.cfg.Catalog.T("ru", "stale_button", nil)
	for _, data := range []string{
		routeData(first, 2, routeChoose+"1"), // an offer that was never made
		routeData(second, 2, routeChoose+"1"),
		routeData(second, 0, routeChoose+"1"),
		routeData(second, 1, routeChoose+"9"),
		routeData(second, 1, routeChoose+"0"),
		routeData(second, 1, "c-1"),
		routeData(second, 1, "x1"),
		routeData(second, 1, ""),
		"v1:r:",
	} {
		replies, err := w.press(t, data)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(texts(replies), stale) {
			t.Errorf("%q: want stale, got %q", data, texts(replies))
		}
	}
	if r := w.routes(t, first); len(r) != 0 {
		t.Errorf("old offer recorded: %+v", r)
	}
	if r := w.routes(t, second); len(r) != 0 {
		t.Errorf("bad buttons recorded: %+v", r)
	}
}

// The offer is written in the turn's transaction: if it cannot be written,
// neither is the state.
func TestRouteOfferIsAtomicWithTheTurn(t *testing.T) {
	w := newRouteWorld(t, "en")
	// A case the store does not have: its offer cannot be written.
	caseID := store.NewCaseID()
	w.db.Now = func() time.Time { return time.Unix(2_000_000_000, 0) }
	if _, err := w.turn(t, chat.Update{Kind: chat.KindText}, func(tr *turn) {
		tr.state.Pending = "marker"
		w.b.offerRoutes(tr, RouteRequest{CaseID: caseID, Categories: []string{routing.CategoryWages}, WorkCountry: "AZ", WorkCity: "Baku"})
	}); err == nil {
		t.Fatal("an offer for a case that does not exist was committed")
	}
	if c, err := w.db.Chat(context.Background(), w.chatID); err != nil || c.UpdatedAt.Equal(time.Unix(2_000_000_000, 0)) {
		t.Errorf("chat state written although the turn failed: %v", err)
	}
}

func TestNoFittingServiceStillSavesAndShowsEmergency(t *testing.T) {
	w := newRouteWorld(t, "kk")
	// Uzbekistan has no service in the directory.
	replies, caseID := w.submit(t, RouteRequest{Categories: []string{routing.CategoryWages}, Citizenship: "UZ", WorkCountry: "UZ"})
	out := texts(replies)
	if _, options := w.offer(t, caseID); !strings.Contains(out, caseID) || len(options) != 0 {
		t.Errorf("want the case id and no offer:\n%s", out)
	}
	if m := unresolved.FindString(out); m != "" {
		t.Errorf("unresolved message %s", m)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// A Georgian in Moscow is offered the Interests Section at the Swiss
// embassy, with the note saying why, in their own language, before any
// consent (the note is not a contact).
func TestGeorgianInMoscowSeesTheInterestsSectionWithItsNote(t *testing.T) {
	for _, lang := range []string{"ka", "ru", "az"} {
		t.Run(lang, func(t *testing.T) {
			w := newRouteWorld(t, lang)
			replies, caseID := w.submit(t, RouteRequest{Categories: []string{routing.CategoryDocuments}, Citizenship: "GE",
				WorkCountry: "RU", WorkCity: "Москва"})
			_, options := w.offer(t, caseID)
			n := optionIndex(options, "ge-interests-section-moscow")
			if n != 1 || !options[0].NeedsConsent {
				t.Fatalf("want the Interests Section first, behind consent: %+v", options)
			}
			section, _ := w.b.library.Load().Directory.ByID("ge-interests-section-moscow")
			out := texts(replies)
			if !strings.Contains(out, section.WorkerNote.In(lang)) {
				t.Errorf("the note in %s is missing:\n%s", lang, out)
			}
			if strings.Contains(out, "+74956911359") {
				t.Errorf("contacts shown before consent:\n%s", out)
			}
			// After consent the note stays with the contacts.
			if _, err := w.press(t, routeData(caseID, 1, routeChoose+"1")); err != nil {
				t.Fatal(err)
			}
			replies, err := w.press(t, routeData(caseID, 1, routeConsent+"1"))
			if err != nil {
				t.Fatal(err)
			}
			if out := texts(replies); !strings.Contains(out, section.WorkerNote.In(lang)) || !strings.Contains(out, "+74956911359") {
				t.Errorf("after consent want the note and the contacts:\n%s", out)
			}
		})
	}
}

// How far an office may be is the operator's setting: with a wider radius
// the Moscow unions are offered as near to Yaroslavl (about 250 km), with a
// narrower one the fallback reason says they are the national centre.
func TestRouteMaxDistanceIsConfigurable(t *testing.T) {
	for _, tc := range []struct {
		maxKm    float64
		fallback bool
	}{{0, false}, {50, true}, {1000, false}} {
		w := newRouteWorld(t, "en")
		w.b.cfg.RouteMaxDistanceKm = tc.maxKm
		replies, caseID := w.submit(t, RouteRequest{Categories: []string{routing.CategoryWages}, Citizenship: "AZ",
			WorkCountry: "RU", WorkCity: "Yaroslavl"})
		if _, options := w.offer(t, caseID); optionIndex(options, "fnpr") == 0 {
			t.Fatalf("max %v km: FNPR not offered", tc.maxKm)
		}
		why := w.b.cfg.Catalog.T("en", "service_why_national_centre", nil)
		if got := strings.Contains(texts(replies), why); got != tc.fallback {
			t.Errorf("max %v km: national-centre fallback shown %v, want %v:\n%s", tc.maxKm, got, tc.fallback, texts(replies))
		}
	}
}
