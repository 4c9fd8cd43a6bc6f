package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

func subscribe(t *testing.T, db *store.DB, subs ...store.Subscription) {
	t.Helper()
	if err := db.Update(context.Background(), func(tx *store.Tx) error {
		for _, s := range subs {
			if err := tx.SetSubscription(s); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// Batches walk the subscribers in chat id order past a cursor committed
// with them: together they reach every targeted chat exactly once, and a
// batch rolled back is taken again whole.
func TestNextRecipientsCursor(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	var subs []store.Subscription
	want := map[int64]bool{}
	for i := range int64(23) {
		s := store.Subscription{ChatID: 100 + i, OptedIn: true, Language: "ru", Country: "RU"}
		switch i % 5 {
		case 1:
			s.Country = "KZ" // another country
		case 2:
			s.Language = "az" // another language
		case 3:
			s.OptedIn = false // said no
		default:
			want[s.ChatID] = true
		}
		subs = append(subs, s)
	}
	subscribe(t, db, subs...)
	if err := db.BlockChat(ctx, 100); err != nil { // blocked the bot
		t.Fatal(err)
	}
	delete(want, 100)
	if n, _ := db.CountSubscribers(ctx, "ru", "RU"); n != len(want) {
		t.Fatalf("count %d, want %d", n, len(want))
	}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	id, err := db.CreateAnnouncement(ctx, store.Announcement{Language: "ru", Country: "RU", Pages: []string{"<b>news</b>"}, SendAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DueAnnouncements(ctx, at.Add(-time.Second)); len(due) != 0 {
		t.Fatalf("due before its time: %+v", due)
	}
	got := map[int64]int{}
	// A batch whose transaction fails moves nothing.
	db.Update(ctx, func(tx *store.Tx) error {
		tx.NextRecipients(id, 3)
		return store.Errorf(store.EINTERNAL, "crash")
	})
	for batches := 0; ; batches++ {
		var chats []int64
		var done bool
		if err := db.Update(ctx, func(tx *store.Tx) (err error) {
			chats, done, err = tx.NextRecipients(id, 3)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for _, c := range chats {
			got[c]++
		}
		if done {
			break
		}
		if batches > 20 {
			t.Fatal("never done")
		}
	}
	for c := range want {
		if got[c] != 1 {
			t.Errorf("chat %d got %d copies", c, got[c])
		}
	}
	if len(got) != len(want) {
		t.Errorf("reached %v, want %v", got, want)
	}
	due, _ := db.DueAnnouncements(ctx, at.Add(time.Hour))
	all, _ := db.LatestAnnouncements(ctx, 5)
	if len(due) != 0 || len(all) != 1 || all[0].FinishedAt.IsZero() || all[0].Enqueued != len(want) || all[0].Pages[0] != "<b>news</b>" {
		t.Fatalf("after the last batch: due %+v, all %+v", due, all)
	}
	// A finished announcement gives nobody more.
	db.Update(ctx, func(tx *store.Tx) error {
		chats, done, err := tx.NextRecipients(id, 3)
		if len(chats) != 0 || !done || err != nil {
			t.Errorf("finished announcement gave %v %v %v", chats, done, err)
		}
		return nil
	})
}

func TestSubscriptionKeepsOnlyWhatTargetingNeeds(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	subscribe(t, db, store.Subscription{ChatID: 5, OptedIn: true, Language: "kk", Country: "KZ"})
	if s, err := db.Subscription(ctx, 5); err != nil || !s.OptedIn || s.Language != "kk" || s.Country != "KZ" {
		t.Fatalf("%+v %v", s, err)
	}
	subscribe(t, db, store.Subscription{ChatID: 5, OptedIn: false, Language: "kk", Country: "KZ"})
	if s, err := db.Subscription(ctx, 5); err != nil || s.OptedIn || s.Language != "" || s.Country != "" {
		t.Fatalf("after no: %+v %v", s, err)
	}
	db.Update(ctx, func(tx *store.Tx) error { return tx.SaveChat(store.Chat{ID: 5, Type: "private"}) })
	if err := db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.EraseChat(5)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Subscription(ctx, 5); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("subscription after /delete: %v", err)
	}
}
