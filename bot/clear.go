package bot

// "Clear this chat": deletes from the worker's phone the messages of this
// chat that Telegram still lets a bot delete, for a worker whose phone may
// be looked at by an employer. The cases stay; only the screen is cleared.

import (
	"slices"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/store"
)

// deletableFor is how old a message may be for a bot to delete it in a
// private chat (Telegram: 48 hours), less a margin for the time the
// deletions wait in the outbox.
const deletableFor = 48*time.Hour - 30*time.Minute

// Clear button payloads (after "v1:c:").
const (
	clearAsk     = "x"
	clearConfirm = "xy"
	clearCancel  = "xn"
)

// clearChatButton is the button that offers to clear the chat; the intake
// puts it under a submitted case, /help under its text.
func (b *Bot) clearChatButton(t *turn) chat.Button {
	return chat.Button{Text: t.t("btn_clear_chat", nil), Data: callbackData(cbCases, clearAsk)}
}

// clearButton handles the clear buttons; false for any other payload.
func (b *Bot) clearButton(t *turn, payload string) bool {
	switch payload {
	case clearAsk:
		t.send(t.t("clear_confirm", nil), yesNoKeyboard(t, callbackData(cbCases, clearConfirm), callbackData(cbCases, clearCancel)))
	case clearConfirm:
		b.clearChat(t)
	case clearCancel:
		t.send(t.t("clear_cancelled", nil), b.menuKeyboard(t))
	default:
		return false
	}
	return true
}

// clearChat deletes the recorded messages younger than deletableFor, the
// worker's and the bot's, and forgets their ids in the same transaction.
func (b *Bot) clearChat(t *turn) {
	ids, err := b.cfg.Store.ChatMessages(t.ctx, t.upd.ChatID, b.cfg.Now().Add(-deletableFor))
	if err != nil {
		b.storeTrouble(t, err)
		return
	}
	all := slices.DeleteFunc(append(ids, t.upd.MessageID), func(id int) bool { return id <= 0 })
	slices.Sort(all)
	all = slices.Compact(all)
	// Together, a hundred at a time: one request a message kept the screen
	// as it was for as many round trips after a long conversation.
	for chunk := range slices.Chunk(all, chat.MaxDeleteTogether) {
		t.replies = append(t.replies, chat.Reply{Action: chat.ActionDelete, ChatID: t.upd.ChatID, MessageIDs: chunk})
	}
	chatID := t.upd.ChatID
	t.effects = append(t.effects, func(tx *store.Tx) error { return tx.ForgetMessages(chatID) })
	done := t.t("clear_done", map[string]any{"Count": len(all)})
	t.answerCallback(done)
	t.send(done, b.menuKeyboard(t))
}
