package main

import (
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
)

// helpAsk opens "Help near me" with /help and returns the question.
func helpAsk(t *testing.T, h *harness, u *localapi.User, lang string) localapi.Message {
	t.Helper()
	before := len(u.Messages())
	u.SendText("/help")
	return waitNewMessage(t, u, before, firstLine(h.catalog.T(lang, "help_ask", nil)))
}

// pressProblem answers "What is it about?" with the problem's button.
func pressProblem(t *testing.T, h *harness, u *localapi.User, lang string, before int, problem string) {
	t.Helper()
	ask := waitNewMessage(t, u, before, firstLine(h.catalog.T(lang, "help_ask_problem", map[string]any{"Problems": ""})))
	short := h.catalog.T(lang, "problem_short_"+problem, nil)
	for _, label := range buttonTexts(ask) {
		if strings.HasSuffix(label, ". "+short) {
			if err := u.Press(ask.ID, label); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no button for %s among %q", problem, buttonTexts(ask))
}

// assertNoRejectedRequests checks the local API accepted every request the
// bot made for the chat: a 400 means bad HTML, a too-long text or bad markup.
func assertNoRejectedRequests(t *testing.T, h *harness, chatID int64) {
	t.Helper()
	// The last reply of a turn may still be on its way.
	time.Sleep(200 * time.Millisecond)
	n := 0
	for _, r := range h.api.Requests() {
		if r.ChatID != chatID {
			continue
		}
		n++
		if r.Status >= 400 && r.Status != 429 {
			t.Errorf("%s for chat %d answered %d", r.Method, chatID, r.Status)
		}
	}
	if n == 0 {
		t.Fatal("no requests recorded for the chat")
	}
}

func TestHelpNearMeSharedLocationInMoscow(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	u := pastStart(t, h, "Loc")
	helpAsk(t, h, u, "en")
	share := h.catalog.T("en", "help_share_location", nil)
	found := false
	for _, row := range u.ReplyKeyboard() {
		for _, b := range row {
			found = found || (b.Text == share && b.RequestLocation)
		}
	}
	if !found {
		t.Fatalf("no location button in %v", u.ReplyKeyboard())
	}
	u.SetLocation(55.7601, 37.6186)
	before := len(u.Messages())
	if _, err := u.PressReply(share); err != nil {
		t.Fatal(err)
	}
	emergency := waitNewMessage(t, u, before, "112")
	if !strings.Contains(emergency.Text, "Moscow") || !emergency.RemoveKeyboard {
		t.Errorf("want Moscow's emergency numbers and the keyboard removed: %q remove=%v", emergency.Text, emergency.RemoveKeyboard)
	}
	pressProblem(t, h, u, "en", before, "all")
	services := waitNewMessage(t, u, before, "FNPR")
	if !strings.Contains(services.Text, "8-800-333-00-16") || strings.Contains(services.Text, "tel:") {
		t.Errorf("Moscow services: %q", services.Text)
	}
	if len(u.ReplyKeyboard()) != 0 {
		t.Errorf("reply keyboard still shown: %v", u.ReplyKeyboard())
	}
	assertNoRejectedRequests(t, h, u.ChatID())
}

func TestHelpNearMeTypedCities(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	u := pastStart(t, h, "Typed")
	menu := waitText(t, u, h.catalog.T("en", "menu_title", nil)[:10])

	// From the menu's button; Cyrillic with a Latin "a" inside.
	before := len(u.Messages())
	if err := u.Press(menu.ID, h.catalog.T("en", "menu_short_help", nil)); err != nil {
		t.Fatal(err)
	}
	waitNewMessage(t, u, before, firstLine(h.catalog.T("en", "help_ask", nil)))
	for i, query := range []string{"Бaку", "Baku", "Bakı"} {
		if i > 0 {
			helpAsk(t, h, u, "en")
		}
		before := len(u.Messages())
		u.SendText(query)
		waitNewMessage(t, u, before, "112")
		pressProblem(t, h, u, "en", before, "wages")
		waitNewMessage(t, u, before, "AHİK")
	}

	// A typo.
	helpAsk(t, h, u, "en")
	before = len(u.Messages())
	u.SendText("Yekaterinbrug")
	waitNewMessage(t, u, before, "Yekaterinburg")
	waitNewMessage(t, u, before, "112")

	// Bad input: asked again, with tips, and the question stays open.
	helpAsk(t, h, u, "en")
	before = len(u.Messages())
	u.SendText("qqqzzzxx")
	waitNewMessage(t, u, before, firstLine(h.catalog.T("en", "help_not_found", map[string]any{"Query": "qqqzzzxx"})))

	// Several places: buttons; pressing one answers for it.
	before = len(u.Messages())
	u.SendText("Mosow")
	choose := waitNewMessage(t, u, before, firstLine(h.catalog.T("en", "help_choose_place", map[string]any{"Query": "Mosow"})))
	labels := buttonTexts(choose)
	if len(labels) < 2 {
		t.Fatalf("want a choice of places, got %q", labels)
	}
	var moscow string
	for _, l := range labels {
		if strings.Contains(l, "Moscow") {
			moscow = l
		}
	}
	if moscow == "" {
		t.Fatalf("Moscow not among %q", labels)
	}
	before = len(u.Messages())
	if err := u.Press(choose.ID, moscow); err != nil {
		t.Fatal(err)
	}
	pressProblem(t, h, u, "en", before, "wages")
	waitNewMessage(t, u, before, "FNPR")
	assertNoRejectedRequests(t, h, u.ChatID())
}

// Every language renders the answer the local API accepts.
func TestHelpNearMeEveryLanguage(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	for _, lang := range []string{"az", "ru", "ka", "ro", "kk"} {
		t.Run(lang, func(t *testing.T) {
			u := h.api.NewUser("L-"+lang, lang)
			u.SendText("/start")
			welcome := waitText(t, u, h.catalog.T(lang, "start_welcome", nil)[:20])
			if err := u.Press(welcome.ID, h.catalog.T(lang, "language_name", nil)); err != nil {
				t.Fatal(err)
			}
			waitText(t, u, firstLine(h.catalog.T(lang, "menu_title", nil)))
			helpAsk(t, h, u, lang)
			before := len(u.Messages())
			u.SendText("Istanbul")
			waitNewMessage(t, u, before, "112")
			pressProblem(t, h, u, lang, before, "all")
			title, _, _ := strings.Cut(h.catalog.T(lang, "help_services_for", map[string]any{"Place": "\x00"}), "\x00")
			waitNewMessage(t, u, before, title)
			assertNoRejectedRequests(t, h, u.ChatID())
		})
	}
}
