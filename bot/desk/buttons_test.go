package desk

import (
	"testing"

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
	// The desk's prompts, and what the desk sends the worker; the consent
	// to a worker's own state is asked at routing with the same buttons.
	alone := []string{"desk_btn_cancel", "desk_btn_no_note", "desk_btn_not_ours_yes", "desk_btn_resolve_yes",
		"desk_worker_feedback_solved", "desk_worker_feedback_partly", "desk_worker_feedback_no", "route_btn_consent",
		"desk_worker_consent_no", "route_btn_skip", "desk_worker_btn_answer", "desk_worker_btn_file", "menu_cases"}
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
