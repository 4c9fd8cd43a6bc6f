package bot

// The drafts index and the scheduled jobs' side of an unfinished complaint:
// the turn that changes the draft updates store's unsealed index in its
// own transaction; the jobs remind the worker once and, later, drop the
// draft from the sealed state.

import (
	"encoding/json"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/intake"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// indexDraft keeps the drafts index in step with the turn's draft.
func (b *Bot) indexDraft(t *turn) {
	chatID, before, d := t.upd.ChatID, t.draftBefore, t.state.Intake.Draft
	switch {
	case d == nil && before != nil:
		t.effects = append(t.effects, func(tx *store.Tx) error { return tx.ForgetDraft(chatID) })
	case d != nil && (before == nil || !before.StartedAt.Equal(d.StartedAt) || !before.UpdatedAt.Equal(d.UpdatedAt) || before.Consent != d.Consent):
		started, updated, consented := d.StartedAt, d.UpdatedAt, d.Consent
		t.effects = append(t.effects, func(tx *store.Tx) error { return tx.NoteDraft(chatID, started, updated, consented) })
	}
}

// DraftReminder is the one reminder of an unfinished complaint, in the
// chat's language, with the button that continues it.
func DraftReminder(catalog *locales.Catalog, chatID int64, lang string) chat.Reply {
	if lang == "" {
		lang = locales.Default
	}
	return chat.Reply{Action: chat.ActionSend, ChatID: chatID, Priority: chat.Bulk,
		Text: catalog.T(lang, "draft_reminder", map[string]any{"Days": DraftKeptDays}),
		Keyboard: &chat.Keyboard{Inline: [][]chat.Button{{
			{Text: catalog.T(lang, "btn_continue", nil), Data: callbackData(cbMenu, "complaint")},
		}}}}
}

// DraftKeptDays is how long an untouched draft is kept before it is
// deleted; the reminder says so.
const DraftKeptDays = 30

// DropDraft returns a chat's state without its complaint draft: what the
// worker answered is gone, the intake is idle, and the question counter is
// kept so buttons of the dropped questions still read as passed.
func DropDraft(state []byte) ([]byte, error) {
	var s State
	if err := json.Unmarshal(state, &s); err != nil {
		return nil, err
	}
	s.Intake = intake.State{Version: intake.CurrentVersion, Seq: s.Intake.Seq, ReplyShown: s.Intake.ReplyShown}
	if s.Pending == pendingIntake {
		s.Pending = ""
	}
	return json.Marshal(s)
}
