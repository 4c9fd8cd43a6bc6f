package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/store"
)

// fuzzWords are what people type and what buttons carry, so random
// sequences reach deep states instead of bouncing off the first question.
var fuzzWords = []string{
	"/start", "/menu", "/language", "/guide", "/guide passport", "/complaint", "/mycases", "/help", "/delete",
	"/cancel", "/back", "/x", "/start@otherbot", "Tbilisi", "Moscow", "Baku", "Almaty", "Chișinău", "1", "2", "yes",
	"done", "skip", "+994501234567", "ACME <b>&", "", " ", "\u200b", "passport", "зарплата", "maaş", "ხელფასი",
	strings.Repeat("ж", 5000), "v1:menu:guide", "v1:menu:complaint", "v1:menu:cases", "v1:menu:help", "v1:lang:ru",
	"v1:lang:ka", "v1:g:l", "v1:g:p:", "v1:del:yes", "v1:del:no", "v1:c:xy", "v1:i:0:x:y", "v1:r::", "v1:zz",
	"v1:g:t:../../x:1", "v1:n:y", "v1:n:n", "v1:h:p:x", "\xff\xfe", "/start\x00",
}

// FuzzHandle drives dispatch — decode, every feature, one commit — over a
// real database with random updates of every kind, in private chats and
// groups: Handle never fails or panics, every button press is answered,
// every private message gets a reply, and every reply would pass the Bot
// API's rules for text and buttons.
func FuzzHandle(f *testing.F) {
	f.Add([]byte{0, 0, 1, 13, 2, 5, 0, 6, 1, 0, 3, 9})
	f.Add([]byte{0, 5, 2, 0, 2, 0, 2, 0, 2, 0, 2, 1, 2, 14, 0, 15, 1, 16})
	f.Add([]byte{9, 0, 1, 33, 2, 0, 4, 0, 5, 0, 6, 1, 7, 3, 8, 2})
	f.Add([]byte{1, 8, 0, 12, 1, 2, 2, 1, 3, 0, 0, 9, 1, 27, 0, 41})
	// One database for every input of a fuzzing process: opening one per
	// input would leave little time for the inputs. Each input gets chats
	// of its own.
	db, err := store.Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"), bytes.Repeat([]byte{3}, store.KeySize))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	var chats atomic.Int64
	f.Fuzz(func(t *testing.T, data []byte) {
		lib, cat := ikContent(t)
		base := 5_000_000 + chats.Add(10)
		b := New(Config{Store: db, Catalog: cat, Library: lib,
			Decode: func(raw []byte) (chat.Update, error) {
				var u chat.Update
				err := json.Unmarshal(raw, &u)
				return u, err
			}})
		var buttons []chat.Button // every button seen, for presses
		msgID := 100
		pos := 0
		next := func() byte {
			if pos >= len(data) {
				return 0
			}
			c := data[pos]
			pos++
			return c
		}
		word := func() string {
			if c := next(); c >= 250 && pos < len(data) {
				// Raw fuzz bytes as text.
				n := min(int(next()), len(data)-pos)
				s := string(data[pos : pos+n])
				pos += n
				return s
			} else {
				return fuzzWords[int(c)%len(fuzzWords)]
			}
		}
		for update := int64(1); pos < len(data) && update < 60; update++ {
			op := next()
			group := op&0x80 != 0
			u := chat.Update{ID: update, ChatID: base, ChatType: chat.ChatPrivate, UserID: base,
				LanguageCode: []string{"ru", "az", "ka", "ro", "kk", "en", "de", ""}[int(op>>4)&7], Date: time.Now()}
			if group {
				u.ChatID, u.ChatType, u.Addressed = -base, chat.ChatSupergroup, op&0x40 != 0
			}
			msgID++
			u.MessageID = msgID
			switch op % 12 {
			case 0, 1:
				u.Kind, u.Text = chat.KindText, word()
				if strings.HasPrefix(u.Text, "/") {
					u.Kind = chat.KindCommand
					u.Command, _, _ = strings.Cut(strings.TrimPrefix(u.Text, "/"), " ")
					u.Args = strings.TrimPrefix(strings.TrimPrefix(u.Text, "/"+u.Command), " ")
				}
			case 2, 3:
				u.Kind, u.CallbackID = chat.KindCallback, "cb"
				u.MessageID = 100 + int(next())%max(1, msgID-100)
				if len(buttons) > 0 && op%12 == 2 {
					u.CallbackData = buttons[int(next())%len(buttons)].Data
				} else {
					u.CallbackData = word()
				}
			case 4:
				u.Kind, u.Location = chat.KindLocation, &chat.Location{Lat: float64(int8(next())) * 0.7, Lon: float64(next()) * 0.7}
			case 5:
				u.Kind, u.Contact = chat.KindContact, &chat.Contact{Phone: word(), Own: next()%2 == 0}
			case 6:
				u.Kind, u.File, u.Text = chat.KindPhoto, &chat.File{ID: "AgAC" + word(), UniqueID: "u", Kind: "photo", Size: int64(next()) << 12}, word()
			case 7:
				u.Kind, u.File = chat.KindDocument, &chat.File{ID: "BQAC", UniqueID: "d", Kind: "document", MIME: word(), Size: int64(next()) << 16}
			case 8:
				u.Kind = []chat.Kind{chat.KindSticker, chat.KindVoice, chat.KindMedia, chat.KindOther}[next()%4]
			case 9:
				u.Kind, u.Text = chat.KindEdited, word()
			case 10:
				u.Kind, u.Forwarded, u.Text = chat.KindText, true, word()
			case 11:
				u.Kind, u.BotStatus = chat.KindMembership, []string{"member", "administrator", "left", "kicked"}[next()%4]
			}
			raw, err := json.Marshal(u)
			if err != nil {
				continue // invalid UTF-8 in a field JSON cannot carry
			}
			if err := b.Handle(context.Background(), store.InboxUpdate{UpdateID: base*100 + update, ChatID: u.ChatID, Payload: raw}); err != nil {
				t.Fatalf("Handle %+v: %v", u, err)
			}
			replies := drainOutbox(t, db, u.ChatID, &msgID)
			answered := 0
			for _, r := range replies {
				if r.Action == chat.ActionAnswerCallback {
					answered++
					if utf8.RuneCountInString(r.CallbackText) > 200 {
						t.Errorf("callback answer of %d characters", utf8.RuneCountInString(r.CallbackText))
					}
					continue
				}
				fuzzCheckReply(t, u, r)
				if r.Keyboard != nil {
					for _, row := range r.Keyboard.Inline {
						buttons = append(buttons, row...)
					}
				}
			}
			if u.Kind == chat.KindCallback && answered != 1 {
				t.Errorf("button %q in %s got %d answers", u.CallbackData, u.ChatType, answered)
			}
			if !group && u.Kind != chat.KindCallback && u.Kind != chat.KindMembership && len(replies) == 0 {
				t.Errorf("%s %q in a private chat got no reply", u.Kind, u.Text)
			}
		}
	})
}

// drainOutbox plays the sender for a chat: rows come out in order and are
// settled, sends get message ids.
func drainOutbox(t testing.TB, db *store.DB, chatID int64, msgID *int) []chat.Reply {
	var out []chat.Reply
	ctx := context.Background()
	for range 100 {
		msg, _, ok, err := db.NextOutbox(ctx, chatID)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		r, err := chat.DecodeReply(msg.Payload)
		if err != nil {
			t.Fatal(err)
		}
		id := 0
		if r.Action == chat.ActionSend {
			*msgID++
			id = *msgID
		}
		if _, err := db.MarkDelivered(ctx, msg.ID, store.Receipt{ChatID: chatID, MessageID: id, Name: r.Name}); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	t.Fatal("the outbox of one chat never empties")
	return nil
}

// fuzzCheckReply applies the Bot API's rules a reply must pass.
func fuzzCheckReply(t *testing.T, u chat.Update, r chat.Reply) {
	t.Helper()
	switch r.Action {
	case chat.ActionSend, chat.ActionEdit:
		if err := localapi.CheckText(r.Text, "HTML"); err != nil {
			t.Errorf("%s after %s %q: %v: %q", r.Action, u.Kind, u.Text, err, r.Text)
		}
	}
	if r.Keyboard == nil {
		return
	}
	for _, row := range r.Keyboard.Inline {
		for _, btn := range row {
			if len(btn.Data) > 64 || btn.Data == "" && btn.URL == "" || strings.TrimSpace(btn.Text) == "" {
				t.Errorf("button %+v breaks the Bot API's rules", btn)
			}
		}
	}
}
