package bot

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/store"
)

// A user who blocks the bot is known as blocked from Telegram's update, even
// when a refused send had already told the sender (the turn must not clear
// it again); their next message unblocks them.
func TestBlockedFromTheUpdate(t *testing.T) {
	d := newIKDesk(t, "en")
	ctx := context.Background()
	handle := func(id int64, u chat.Update) {
		t.Helper()
		u.ID, u.ChatID, u.ChatType, u.UserID = id, d.chatID, chat.ChatPrivate, d.chatID
		raw, _ := json.Marshal(u)
		if err := d.b.Handle(ctx, store.InboxUpdate{UpdateID: id, ChatID: d.chatID, Payload: raw}); err != nil {
			t.Fatal(err)
		}
	}
	blocked := func() bool {
		c, err := d.db.Chat(ctx, d.chatID)
		if err != nil {
			t.Fatal(err)
		}
		return c.Blocked()
	}
	// The sender learnt it first (a 403), then the update arrives.
	if err := d.db.BlockChat(ctx, d.chatID); err != nil {
		t.Fatal(err)
	}
	handle(1, chat.Update{Kind: chat.KindMembership, BotStatus: "kicked"})
	if !blocked() {
		t.Fatal("the membership update cleared the block")
	}
	// Telegram's update alone records it too.
	if err := d.db.Update(ctx, func(tx *store.Tx) error {
		return tx.SaveChat(store.Chat{ID: d.chatID, Type: chat.ChatPrivate, Language: "en"})
	}); err != nil {
		t.Fatal(err)
	}
	handle(2, chat.Update{Kind: chat.KindMembership, BotStatus: "kicked"})
	if !blocked() {
		t.Fatal("the block was not recorded")
	}
	handle(3, chat.Update{Kind: chat.KindMembership, BotStatus: "member"})
	handle(4, chat.Update{Kind: chat.KindCommand, Command: "start"})
	if blocked() {
		t.Fatal("writing again did not unblock")
	}
}
