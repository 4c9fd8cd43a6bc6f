package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/desk"
	"github.com/rightsdesk/rightsdesk/store"
)

// newDeskTestBot is a bot on a fresh database in a temp dir, whose Bot
// API stays out: every caseworker is a current member, and updates are
// chat.Update as JSON.
func newDeskTestBot(tb testing.TB) (*Bot, *store.DB) { return newDeskTestBotAt(tb, nil) }

// newDeskTestBotAt is newDeskTestBot on a clock of its own (nil: the time).
func newDeskTestBotAt(tb testing.TB, now func() time.Time) (*Bot, *store.DB) {
	tb.Helper()
	lib, cat := ikContent(tb)
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "desk.db"), bytes.Repeat([]byte{3}, store.KeySize))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	bt := New(Config{Store: db, Catalog: cat, Library: lib, Now: now,
		Members: func(context.Context, int64, int64) (desk.Member, error) {
			return desk.Member{Current: true, FirstName: "Ana"}, nil
		},
		Decode: func(raw []byte) (chat.Update, error) {
			var u chat.Update
			err := json.Unmarshal(raw, &u)
			return u, err
		}})
	return bt, db
}

// BenchmarkDeskRelay measures what a caseworker's message in a case's topic
// costs the bot: Handle decodes it, finds the desk and the case by the
// topic, checks the delivery and the worker, and commits the relayed reply
// with the case's timeline entry in one transaction. The Bot API is not in
// it (the membership port answers at once; the replies stay in the outbox).
// One op is one relayed message. The desk holds one case, or 2,000 with
// five named messages each (a card, a topic, what went to and fro), as a
// desk does after months: a lookup that reads every name the desk has
// shows in the second.
func BenchmarkDeskRelay(b *testing.B) {
	for _, others := range []int{0, 2000} {
		b.Run(fmt.Sprintf("cases=%d", others+1), func(b *testing.B) { benchDeskRelay(b, others) })
	}
}

func benchDeskRelay(b *testing.B, others int) {
	bt, db := newDeskTestBot(b)
	ctx := context.Background()
	const desk, worker, thread = -1001, 7007, 55
	caseID := store.NewCaseID()
	code, err := db.NewLinkCode(ctx, "fnpr")
	if err != nil {
		b.Fatal(err)
	}
	err = db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SaveChat(store.Chat{ID: worker, Type: chat.ChatPrivate, Language: "ru", State: []byte(`{"v":1}`)}); err != nil {
			return err
		}
		if _, err := tx.LinkOrg(code, desk, true, "ru"); err != nil {
			return err
		}
		if err := tx.CreateCase(store.NewCase{ID: caseID, ChatID: worker, Details: store.CaseDetails{Categories: []string{"wages"}}}); err != nil {
			return err
		}
		d := store.Delivery{CaseID: caseID, ServiceID: "fnpr", ChatID: desk, Status: store.DeliveryTaken, Assignee: 1}
		if err := tx.SaveDelivery(&d); err != nil {
			return err
		}
		msg := 100_000
		for range others {
			id := store.NewCaseID()
			topic := msg
			for _, name := range []string{store.NameTopic, store.NameCard, store.NameCase, store.NameCase, store.NameCase} {
				if err := tx.NameMessage(store.NamedMessage{ChatID: desk, MessageID: msg, ThreadID: topic, Name: name + id}); err != nil {
					return err
				}
				msg++
			}
		}
		return tx.NameMessage(store.NamedMessage{ChatID: desk, MessageID: thread, ThreadID: thread, Name: store.NameTopic + caseID})
	})
	if err != nil {
		b.Fatal(err)
	}
	var handle time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		u := chat.Update{ID: int64(i + 1), Kind: chat.KindText, ChatID: desk, ChatType: chat.ChatSupergroup, Forum: true,
			UserID: 1, MessageID: 1000 + i, ThreadID: thread, Text: "Сколько вам должны за март?", Date: time.Now()}
		raw, _ := json.Marshal(u)
		start := time.Now()
		if err := bt.Handle(ctx, store.InboxUpdate{UpdateID: u.ID, ChatID: desk, Payload: raw}); err != nil {
			b.Fatal(err)
		}
		handle += time.Since(start)
	}
	b.StopTimer()
	b.ReportMetric(float64(handle.Nanoseconds())/float64(b.N), "handle-ns/relay")
	if n, err := db.OutboxLen(ctx); err != nil || n != b.N {
		b.Fatalf("%d replies waiting for %d relays: %v", n, b.N, err)
	}
}
