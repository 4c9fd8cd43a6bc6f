package bot_test

import (
	"context"
	"testing"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// With an Answer hook (as serve runs), a press's answer is handed to it
// after the commit and never queued in the outbox; without one it is
// queued like any reply.
func TestPressAnswerBypassesTheOutbox(t *testing.T) {
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte(`{"update_id":91,"callback_query":{"id":"q91","from":{"id":502,"is_bot":false,"first_name":"A","language_code":"ro"},
		"chat_instance":"c","data":"v1:zz:stale","message":{"message_id":4,"date":1700000000,"chat":{"id":502,"type":"private"}}}}`)
	for _, hooked := range []bool{true, false} {
		db := openStore(t)
		ctx := context.Background()
		var handed []chat.Reply
		cfg := bot.Config{Store: db, Catalog: catalog, Decode: telegram.Decoder{BotUsername: "rightsdesk_bot"}.Decode}
		if hooked {
			cfg.Answer = func(r chat.Reply) { handed = append(handed, r) }
		}
		b := bot.New(cfg)
		if _, err := db.SaveUpdates(ctx, []store.InboxUpdate{{UpdateID: 91, ChatID: 502, Payload: raw}}, 92); err != nil {
			t.Fatal(err)
		}
		if err := b.Handle(ctx, store.InboxUpdate{UpdateID: 91, ChatID: 502, Payload: raw}); err != nil {
			t.Fatal(err)
		}
		queued := 0
		for {
			msg, _, ok, err := db.NextOutbox(ctx, 502)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			r, err := chat.DecodeReply(msg.Payload)
			if err != nil {
				t.Fatal(err)
			}
			if r.Action == chat.ActionAnswerCallback {
				queued++
			}
			if err := db.MarkSent(ctx, msg.ID, msg.ChatID, 0); err != nil {
				t.Fatal(err)
			}
		}
		switch {
		case hooked && (len(handed) != 1 || handed[0].CallbackID != "q91" || queued != 0):
			t.Errorf("with the hook: %d answers handed over (%+v), %d queued; want 1 for q91, none queued", len(handed), handed, queued)
		case !hooked && queued != 1:
			t.Errorf("without the hook: %d answers queued, want 1", queued)
		}
	}
}
