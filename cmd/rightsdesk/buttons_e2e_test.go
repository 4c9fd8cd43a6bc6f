package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/content"
	"github.com/rightsdesk/rightsdesk/locales"
)

// buttonAudit remembers every keyboard a user was shown, edits included:
// a guide page's buttons change in the same message.
type buttonAudit struct {
	seen map[string]bool
	rows []auditRow
}

type auditRow struct {
	screen string
	labels []string
}

func (a *buttonAudit) scan(u *localapi.User) {
	for _, m := range u.Messages() {
		screen := firstLine(m.PlainText)
		for _, row := range m.InlineKeyboard {
			var labels []string
			for _, b := range row {
				labels = append(labels, b.Text)
			}
			a.add(screen, labels)
		}
		for _, row := range m.ReplyKeyboard {
			var labels []string
			for _, b := range row {
				labels = append(labels, b.Text)
			}
			a.add(screen+" (reply keyboard)", labels)
		}
	}
}

func (a *buttonAudit) add(screen string, labels []string) {
	key := strings.Join(labels, "\x00")
	if a.seen[key] {
		return
	}
	a.seen[key] = true
	a.rows = append(a.rows, auditRow{screen: screen, labels: labels})
}

// walker drives one worker over every screen the bot has, by its buttons,
// scanning the keyboards after each step.
type walker struct {
	*intakeUser
	audit *buttonAudit
	lib   *bot.Library
}

func (w *walker) step(before int, want string) localapi.Message {
	w.t.Helper()
	m := waitNewMessage(w.t, w.u, before, want)
	time.Sleep(30 * time.Millisecond) // the rest of the turn's replies
	w.audit.scan(w.u)
	return m
}

// pressOn presses label on message m and waits for that message to change
// or a new message to come.
func (w *walker) pressOn(m localapi.Message, label string) {
	w.t.Helper()
	before := len(w.u.Messages())
	if err := w.u.Press(m.ID, label); err != nil {
		w.t.Fatalf("press %q: %v (buttons %q)", label, err, buttonTexts(m))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := w.u.WaitFor(ctx, func(x localapi.Message) bool {
		return x.ID == m.ID && x.EditCount > m.EditCount || len(w.u.Messages()) > before
	})
	if err != nil {
		w.t.Fatalf("nothing happened after %q: %v", label, err)
	}
	time.Sleep(30 * time.Millisecond)
	w.audit.scan(w.u)
}

// latest is the newest bot message with a button whose label satisfies ok,
// waited for a while: the reply may still be on its way.
func (w *walker) latest(what string, ok func(string) bool) (localapi.Message, string) {
	w.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		msgs := w.u.Messages()
		for i := len(msgs) - 1; i >= 0; i-- {
			for _, l := range buttonTexts(msgs[i]) {
				if !msgs[i].Deleted && ok(l) {
					return msgs[i], l
				}
			}
		}
		if time.Now().After(deadline) {
			var last []string
			if len(msgs) > 0 {
				last = buttonTexts(msgs[len(msgs)-1])
			}
			w.t.Fatalf("no button %s on screen; last message %q has %q", what, firstLine(msgs[len(msgs)-1].Text), last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (w *walker) pressID(id string) {
	w.t.Helper()
	label := w.tr(id)
	m, b := w.latest(label, func(l string) bool { return showsOption(l, label) })
	w.pressOn(m, b)
}

func (w *walker) pressPrefix(prefix string) {
	w.t.Helper()
	m, l := w.latest(prefix+"…", func(l string) bool { return strings.HasPrefix(l, prefix) })
	w.pressOn(m, l)
}

func (w *walker) send(text, want string) localapi.Message {
	w.t.Helper()
	before := len(w.u.Messages())
	w.u.SendText(text)
	return w.step(before, want)
}

// guide opens every entry of the topic list, pages to the end, and searches.
func (w *walker) guide() {
	w.t.Helper()
	q := w.send("/guide", firstLine(w.tr("profile_work_question")))
	w.pressOn(q, w.countryName("RU"))
	q, _ = w.latest(w.countryName("AZ"), func(l string) bool { return l == w.countryName("AZ") })
	w.pressOn(q, w.countryName("AZ"))
	list, _ := w.latest(w.tr("guide_btn_menu"), func(l string) bool { return l == w.tr("guide_btn_menu") })
	for _, label := range buttonTexts(list) {
		if label == w.tr("guide_btn_menu") {
			continue
		}
		list, _ = w.latest(label, func(l string) bool { return l == label })
		w.pressOn(list, label)
		for {
			page, _ := w.latest("any", func(string) bool { return true })
			if !slices.Contains(buttonTexts(page), w.tr("btn_next")) {
				break
			}
			w.pressOn(page, w.tr("btn_next"))
		}
		w.send("/guide", "")
	}
	w.send("пасспорт", "")
}

func (w *walker) countryName(code string) string {
	c, ok := w.lib.Directory.Country(code)
	if !ok {
		w.t.Fatalf("no country %s", code)
	}
	return c.Names.In(w.lang)
}

// complaint answers every question, with a town of several names, edits
// from the review, submits and opens the case.
func (w *walker) complaint() {
	w.t.Helper()
	w.send("/complaint", firstLine(w.tr("intake_q_danger")))
	// The guide asked where the worker works: the danger answer shows that
	// country's numbers at once.
	w.pressID("intake_btn_in_danger")
	w.pressID("intake_btn_agree")
	w.pressID("intake_btn_identity_shared")
	w.pressID("btn_skip")
	for _, cat := range []string{"intake_cat_wages", "intake_cat_documents", "intake_cat_contract", "intake_cat_dismissal"} {
		w.pressID(cat)
	}
	w.pressID("btn_done")
	w.send("Aktau", "")
	pick, _ := w.latest(w.tr("intake_btn_none_of_these"), func(l string) bool { return l == w.tr("intake_btn_none_of_these") })
	w.pressOn(pick, buttonTexts(pick)[0]) // the towns are named in the worker's script
	w.pressID("intake_btn_change")        // the citizenship the guide learned
	w.pressID("intake_country_az")
	w.pressID("intake_sector_construction")
	w.pressID("btn_skip")
	w.pressID("intake_since_lt1m")
	w.send(strings.Repeat("они не платят ", 250), "")
	w.pressID("btn_done")
	w.pressID("intake_contact_phone")
	w.send("050 123 45 67", firstLine(w.tr("intake_phone_no_country_code")))
	w.send("+994 50 123 45 67", "")
	w.pressID("intake_edit_description")
	w.pressID("btn_done")
	w.pressID("intake_btn_submit")
	w.step(0, w.fixedPart("route_choose"))
	choose, _ := w.latest(w.tr("route_btn_decline"), func(l string) bool { return l == w.tr("route_btn_decline") })
	w.pressOn(choose, buttonTexts(choose)[0])
	w.send("/mycases", "")
	w.pressPrefix("RD-")
}

// help asks for a town of several names, chooses one, and every problem.
func (w *walker) help() {
	w.t.Helper()
	w.send("/help", firstLine(w.tr("help_ask")))
	w.send("Aktau", "")
	w.pressPrefix("1. ")
	for i := 1; i <= 10; i++ {
		ask := w.mustLatestPrefix(firstLine(w.h.catalog.T(w.lang, "help_ask_problem", map[string]any{"Problems": ""})))
		label := buttonTexts(ask)[i-1]
		w.pressOn(ask, label)
		w.pressID("help_btn_other_problem")
	}
}

func (w *walker) mustLatestPrefix(text string) localapi.Message {
	msgs := w.u.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if strings.HasPrefix(msgs[i].Text, text) {
			return msgs[i]
		}
	}
	w.t.Fatalf("no message %q", text)
	return localapi.Message{}
}

// Every button label on every screen, in the six languages, is read whole
// on a phone 360 px wide: the budget of bot/chat (Latin 36, Cyrillic 32,
// Georgian 26 characters across a full row) holds for each label in its
// row.
func TestEveryButtonFitsAPhoneInEveryLanguage(t *testing.T) {
	lib, err := bot.LoadLibrary(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	h := startHarness(t, harnessOptions{})
	for _, lang := range locales.Languages {
		t.Run(lang, func(t *testing.T) {
			audit := &buttonAudit{seen: map[string]bool{}}
			w := &walker{intakeUser: newIntakeUser(t, h, lang), audit: audit, lib: lib}
			audit.scan(w.u)
			w.send("/language", "")
			w.guide()
			w.complaint()
			w.help()
			w.send("/delete", "")
			if len(audit.rows) < 60 {
				t.Fatalf("only %d keyboard rows seen: did the walk reach the screens?", len(audit.rows))
			}
			for _, row := range audit.rows {
				for _, label := range row.labels {
					if !chat.Fits(label, len(row.labels)) {
						t.Errorf("%q (%d in a row) is %.0f px wide, over %.0f, on «%s»", label, len(row.labels),
							chat.LabelPx(label), chat.RowPx(len(row.labels)), truncateRunes(row.screen, 60))
					}
				}
			}
			t.Logf("%s: %d keyboard rows checked", lang, len(audit.rows))
		})
	}
	noErrorResponses(t, h.api)
}

func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
