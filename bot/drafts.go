package bot

// The drafts index and the scheduled jobs' side of an unfinished complaint:
// the turn that changes the draft updates store's unsealed index in its
// own transaction; the jobs remind the worker once and, later, drop the
// draft from the sealed state.

import (
	"context"
	"encoding/json"
	"time"

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

// draftsIndexed marks the one pass that indexed the drafts kept before
// the index existed.
const draftsIndexed = "index-built"

// IndexDrafts indexes, once per database, the drafts of chats whose state
// was written before the drafts index existed; afterwards every turn keeps
// the index. serve calls it at start, before any update is handled, so no
// turn races it. It reports how many drafts it indexed.
func (b *Bot) IndexDrafts(ctx context.Context) (int, error) {
	done, err := b.cfg.Store.Marked(ctx, "drafts", draftsIndexed)
	if err != nil || done {
		return 0, err
	}
	type entry struct {
		chatID           int64
		started, updated time.Time
		consented        bool
	}
	var found []entry
	err = b.cfg.Store.ChatStates(ctx, func(chatID int64, raw []byte) error {
		var s State
		if json.Unmarshal(raw, &s) != nil || s.Intake.Draft == nil {
			return nil // an unreadable state is reset at the chat's next turn
		}
		d := s.Intake.Draft
		found = append(found, entry{chatID, d.StartedAt, d.UpdatedAt, d.Consent})
		return nil
	})
	if err != nil {
		return 0, err
	}
	err = b.cfg.Store.Update(ctx, func(tx *store.Tx) error {
		for _, e := range found {
			if err := tx.NoteDraft(e.chatID, e.started, e.updated, e.consented); err != nil {
				return err
			}
		}
		_, err := tx.MarkOnce("drafts", draftsIndexed)
		return err
	})
	return len(found), err
}
