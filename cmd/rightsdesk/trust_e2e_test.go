package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/content"
	"github.com/rightsdesk/rightsdesk/content/directory"
)

// Issue 16, end to end through the local Bot API: contacts that work from
// where the worker stands, and the input a worker actually sends.

func realLibrary(t *testing.T) *bot.Library {
	t.Helper()
	lib, err := bot.LoadLibrary(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

var codeSpan = regexp.MustCompile(`<code>[^<]*</code>`)

// callableNumbers returns the directory numbers that text shows as
// callable: outside <code>, where a client may make them tappable.
func callableNumbers(text string, numbers []directory.Phone) []string {
	plain := codeSpan.ReplaceAllString(text, "")
	var out []string
	for _, p := range numbers {
		if strings.Contains(plain, p.Number) {
			out = append(out, p.Number)
		}
	}
	return out
}

// An Azerbaijani worker in Moscow asks for help: the emergency numbers are
// Russia's, and no Azerbaijani short or national number is shown as
// callable (the home hotlines have nothing that works from Russia).
func TestHelpInMoscowForAnAzerbaijaniWorker(t *testing.T) {
	lib := realLibrary(t)
	var notFromRussia []directory.Phone
	for _, s := range lib.Directory.Services() {
		for _, p := range s.Phones {
			if !p.DialableFrom("RU") {
				notFromRussia = append(notFromRussia, p)
			}
		}
	}
	if len(notFromRussia) < 10 {
		t.Fatalf("only %d numbers that cannot be dialled from Russia: is the directory loaded?", len(notFromRussia))
	}
	h := startHarness(t, harnessOptions{})
	for _, lang := range []string{"ru", "az"} {
		t.Run(lang, func(t *testing.T) {
			r := &guideReader{t: t, h: h, u: h.api.NewUser("Azer-"+lang, lang), lang: lang}
			r.u.SendText("/start")
			welcome := waitText(t, r.u, firstLine(h.catalog.T(lang, "start_welcome", nil)))
			if err := r.u.Press(welcome.ID, h.catalog.T(lang, "language_name", nil)); err != nil {
				t.Fatal(err)
			}
			waitText(t, r.u, firstLine(h.catalog.T(lang, "menu_title", nil)))
			r.openWithProfile(lib, "RU", "AZ")

			start := len(r.u.Messages())
			helpAsk(t, h, r.u, lang)
			before := len(r.u.Messages())
			r.u.SendText("Москва")
			emergency := waitNewMessage(t, r.u, before, "112")
			if russia, _ := lib.Directory.Country("RU"); !strings.Contains(emergency.Text, russia.Names.In(lang)) {
				t.Errorf("not Russia's emergency numbers: %q", emergency.Text)
			}
			for _, problem := range []string{"all", "forced_labour", "documents"} {
				before := len(r.u.Messages())
				pressProblem(t, h, r.u, lang, before-1, problem)
				title, _, _ := strings.Cut(h.catalog.T(lang, "help_services_for", map[string]any{"Place": "\x00"}), "\x00")
				waitNewMessage(t, r.u, before, title)
				waitQuiet(h.api, 200*time.Millisecond, 3*time.Second)
				if problem != "documents" {
					other := h.catalog.T(lang, "help_btn_other_problem", nil)
					msgs := r.u.Messages()
					last := msgs[len(msgs)-1]
					if !contains(buttonTexts(last), other) {
						t.Fatalf("no %q under the answer: %q", other, buttonTexts(last))
					}
					if err := r.u.Press(last.ID, other); err != nil {
						t.Fatal(err)
					}
					waitNewMessage(t, r.u, len(msgs), firstLine(h.catalog.T(lang, "help_ask_problem", map[string]any{"Problems": ""})))
				}
			}
			var all strings.Builder
			for _, m := range r.u.Messages()[start:] {
				all.WriteString(m.Text + "\n")
			}
			if shown := callableNumbers(all.String(), notFromRussia); len(shown) > 0 {
				t.Errorf("numbers that cannot be dialled from Russia shown as callable in Moscow: %q\n%s", shown, all.String())
			}
			for _, code := range []string{"152", "860", "(012) 919", "562-21-12"} {
				if strings.Contains(all.String(), code) {
					t.Errorf("Azerbaijani number %s shown in Moscow", code)
				}
			}
			assertNoRejectedRequests(t, h, r.u.ChatID())
		})
	}
}

// Routing a real case offers no service without a contact that works from
// the country of work: not the Azerbaijani embassy in Moscow, which no
// source gives a contact for, nor the home hotlines' short codes.
func TestRoutingOffersNoServiceWithoutContact(t *testing.T) {
	lib := realLibrary(t)
	h := startHarness(t, harnessOptions{})
	w := newIntakeUser(t, h, "en")
	w.toPlace([]string{"intake_cat_documents", "intake_cat_forced"}, "Moscow", "intake_country_az")
	w.toReview("Site Owner", "They took my passport.")
	w.submit()
	offer := w.await("route_intro")
	w.await("route_choose")
	offered := 0
	for _, s := range lib.Directory.Services() {
		if !strings.Contains(offer.Text, s.Names.In("en")) {
			continue
		}
		offered++
		if !s.Offered() || !s.ReachableFrom("RU") {
			t.Errorf("%s offered in Moscow without a contact that works there (reach %v)", s.ID, s.Reach())
		}
	}
	if offered == 0 {
		t.Fatalf("nothing offered:\n%s", offer.Text)
	}
	for _, id := range []string{"az-embassy-moscow", "az-mia-152", "az-860-support-line"} {
		s, _ := lib.Directory.ByID(id)
		if strings.Contains(offer.Text, s.Names.In("en")) {
			t.Errorf("%s offered in Moscow", id)
		}
	}
	noErrorResponses(t, h.api)
}

// A 4,000-character story and a voice note are both kept in the case; a
// phone number without its country code is asked again with an example.
func TestLongStoryAndVoiceNoteAreKept(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	w := newIntakeUser(t, h, "ru")
	w.toSector("")
	w.press("intake_sector_construction")
	w.await("intake_q_employer")
	w.press("btn_skip")
	w.await("intake_q_since")
	w.press("intake_since_lt1m")
	w.await("intake_q_story")
	story := string([]rune(strings.Repeat("Мне не платят третий месяц, паспорт у бригадира. ", 90))[:3999]) + "!"
	before := len(w.u.Messages())
	w.u.SendText(story)
	waitNewMessage(t, w.u, before, w.fixedPart("intake_description_more"))
	before = len(w.u.Messages())
	w.u.SendVoice()
	waitNewMessage(t, w.u, before, w.fixedPart("intake_description_more"))
	w.press("btn_done")
	w.await("intake_q_contact")
	w.press("intake_contact_phone")
	w.await("intake_q_phone")
	before = len(w.u.Messages())
	w.u.SendText("8 900 123 45 67")
	again := waitNewMessage(t, w.u, before, firstLine(w.tr("intake_phone_no_country_code")))
	if !strings.Contains(again.Text, "+994 XX XXX XX XX") {
		t.Errorf("asked again without an example: %q", again.Text)
	}
	w.u.SendText("+7 900 123 45 67")
	w.await("intake_q_review")
	id := w.submit()
	waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)
	noErrorResponses(t, h.api)
	h.stop()

	db := reopen(t, h)
	c, err := db.CaseByID(context.Background(), id)
	if err != nil || c.Details == nil {
		t.Fatalf("case %s: %+v %v", id, c, err)
	}
	if c.Details.Description != story {
		t.Errorf("story kept as %d characters of %d", len([]rune(c.Details.Description)), len([]rune(story)))
	}
	if c.Details.Phone != "+79001234567" {
		t.Errorf("phone kept as %q", c.Details.Phone)
	}
	files, err := db.CaseEvidence(context.Background(), id)
	if err != nil || len(files) != 1 {
		t.Fatalf("evidence %+v %v", files, err)
	}
	if f := files[0]; f.Kind != "voice" || !strings.HasPrefix(f.FileID, "AwAC") || f.UniqueID == "" || f.MIME != "audio/ogg" || f.Size == 0 {
		t.Errorf("voice note kept as %+v", f)
	}
}

// One wrong letter still finds the guide's topic.
func TestGuideSearchForgivesOneLetterEndToEnd(t *testing.T) {
	lib := realLibrary(t)
	h := startHarness(t, harnessOptions{})
	r := &guideReader{t: t, h: h, u: h.api.NewUser("Typo", "ru"), lang: "ru"}
	r.u.SendText("/start")
	welcome := waitText(t, r.u, firstLine(h.catalog.T("ru", "start_welcome", nil)))
	if err := r.u.Press(welcome.ID, h.catalog.T("ru", "language_name", nil)); err != nil {
		t.Fatal(err)
	}
	waitText(t, r.u, firstLine(h.catalog.T("ru", "menu_title", nil)))
	r.openWithProfile(lib, "", "")
	m := r.send("/guide пасспорт", r.tr("guide_search_results", nil))
	docs, _ := lib.Guide.Topic("ru", "documents")
	if got := buttonTexts(m); len(got) == 0 || !showsOption(got[0], docs.Title) {
		t.Errorf("пасспорт: first result %q, want %q", got, docs.Title)
	}
}
