package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// After a panic the user gets an apology in their language and the update
// is marked handled.
func TestRecoverApologises(t *testing.T) {
	db := openStore(t)
	ctx := context.Background()
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	b := bot.New(bot.Config{Store: db, Catalog: catalog, Decode: telegram.Decoder{BotUsername: "rightsdesk_bot"}.Decode})
	raw := []byte(`{"update_id":77,"message":{"message_id":5,"date":1700000000,"text":"hi",
		"from":{"id":501,"is_bot":false,"first_name":"A","language_code":"kk"},"chat":{"id":501,"type":"private"}}}`)
	if _, err := db.SaveUpdates(ctx, []store.InboxUpdate{{UpdateID: 77, ChatID: 501, Payload: raw}}, 78); err != nil {
		t.Fatal(err)
	}
	b.Recover(ctx, store.InboxUpdate{UpdateID: 77, ChatID: 501, Payload: raw})
	msg, _, ok, err := db.NextOutbox(ctx, 501)
	if err != nil || !ok {
		t.Fatalf("no apology queued: %v", err)
	}
	reply, err := chat.DecodeReply(msg.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if want := catalog.T("kk", "error_apology", nil); !strings.Contains(reply.Text, want) {
		t.Fatalf("reply %q lacks the Kazakh apology %q", reply.Text, want)
	}
	if pending, _ := db.UnhandledUpdates(ctx); len(pending) != 0 {
		t.Fatal("the update that panicked is still pending")
	}
}
