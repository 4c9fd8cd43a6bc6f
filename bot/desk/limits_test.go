package desk

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/desk/casework"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// Caseworkers press a card's buttons on their phones too: every label of a
// card and of the desk's prompts is read whole 360 px wide, in its row, in
// the six languages. The prompts put one button in a row.
func TestDeskButtonsFitAPhoneInEveryLanguage(t *testing.T) {
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	k := New(Config{Catalog: catalog})
	id := store.NewCaseID()
	// The desk's prompts and the button under its list, and what the desk
	// sends the worker; the consent to a worker's own state is asked at
	// routing with the same buttons.
	alone := []string{"desk_btn_cancel", "desk_btn_no_note", "desk_btn_not_ours_yes", "desk_btn_resolve_yes",
		"desk_worker_feedback_solved", "desk_worker_feedback_partly", "desk_worker_feedback_no", "route_btn_consent",
		"desk_worker_consent_no", "route_btn_skip", "desk_worker_btn_answer", "desk_worker_btn_file", "menu_cases",
		"desk_btn_my_cases"}
	for _, o := range casework.Outcomes {
		alone = append(alone, "desk_outcome_"+string(o))
	}
	for _, r := range referReasons {
		alone = append(alone, "desk_refer_reason_"+r)
	}
	for _, lang := range locales.Languages {
		rows := 0
		for _, status := range []casework.Status{casework.Open, casework.Taken} {
			kb := k.cardKeyboard(lang, id, casework.Case{Status: status, Revision: 3})
			if kb == nil {
				t.Fatalf("%s: no buttons on a %s card", lang, status)
			}
			for _, row := range kb.Inline {
				rows++
				for _, b := range row {
					if !chat.Fits(b.Text, len(row)) {
						t.Errorf("%s, %s card: %q (%d in a row) is %.0f px wide, over %.0f", lang, status, b.Text, len(row),
							chat.LabelPx(b.Text), chat.RowPx(len(row)))
					}
				}
			}
		}
		for _, msgID := range alone {
			if label := catalog.T(lang, msgID, nil); !chat.Fits(label, 1) {
				t.Errorf("%s: %s %q is %.0f px wide, over %.0f", lang, msgID, label, chat.LabelPx(label), chat.RowPx(1))
			}
		}
		if rows < 5 {
			t.Errorf("%s: only %d rows on the cards", lang, rows)
		}
	}
}

// The longest card a worker's answers can make — every short answer at the
// intake's limit in emoji (two UTF-16 units each), an account of 20,000
// characters, a long history with long names — stays within Telegram's
// 4096 units as it counts them (without the markup), in every language and
// every state a card shows.
func TestLongestCardWithinTelegramsLimit(t *testing.T) {
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	k := New(Config{Catalog: catalog})
	short := strings.Repeat("😀", 200) // intake.DefaultMaxShort
	details := &store.CaseDetails{Identity: "shared", Name: short, Categories: []string{"wages", "documents", "recruitment",
		"forced", "safety", "violence", "contract", "dismissal", "other"}, Place: &store.CasePlace{Name: short, Country: "RU"},
		Citizenship: "KZ", Sector: "construction", Employer: short, SinceText: short,
		Description: strings.Repeat("😀 слово & <b> ", 2000), InDanger: true, ContactMethod: "phone", Phone: "+77011234567"}
	var history []casework.Entry
	for i := range 40 {
		ev := []casework.Event{casework.EventTaken, casework.EventTakenOver, casework.EventReferred, casework.EventResolved,
			casework.EventFeedback, casework.EventAsked}[i%6]
		detail := map[casework.Event]string{casework.EventTakenOver: strings.Repeat("Ж", 64), casework.EventReferred: "ge-interests-section-moscow",
			casework.EventResolved: "not_solved", casework.EventFeedback: "partly"}[ev]
		history = append(history, casework.Entry{At: time.Now(), Event: ev, By: strings.Repeat("😀", 64), Detail: detail})
	}
	tags := regexp.MustCompile(`<[^>]*>`)
	for _, lang := range locales.Languages {
		for _, c := range []casework.Case{
			{Status: casework.Open},
			{Status: casework.Taken, AssigneeName: strings.Repeat("😀", 64), Asked: true},
			{Status: casework.Resolved, Outcome: casework.OutcomeUnreachable, Feedback: casework.FeedbackPartly},
			{Status: casework.Referred, ReferredTo: "ge-interests-section-moscow"},
		} {
			c.History = history
			text := k.cardText(cardView{lang: lang, caseID: store.NewCaseID(), details: details, evidence: 99, c: c,
				org: store.Org{ResponseHours: 48}, now: time.Now()})
			visible := html.UnescapeString(tags.ReplaceAllString(text, ""))
			if n := chat.UTF16Len(visible); n > chat.MaxText {
				t.Errorf("%s, %s card: %d UTF-16 units", lang, c.Status, n)
			}
			if !strings.Contains(text, "😀 слово") {
				t.Errorf("%s, %s card: no account on it", lang, c.Status)
			}
		}
	}
}
