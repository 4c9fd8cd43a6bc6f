package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/rightsdesk/rightsdesk/store"
)

// BenchmarkNamedLookups is what a desk pays to find a case's card (to edit
// it) and a topic's case (for a caseworker's message in it) once it holds
// the names of 2,000 cases, five each: a card, a topic and three of the
// messages about it. One op is one of each lookup.
func BenchmarkNamedLookups(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "named.db"), testKey())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const desk, cases = int64(-1001000000001), 2000
	ids := make([]string, cases)
	err = db.Update(ctx, func(tx *store.Tx) error {
		msg := 1
		for i := range ids {
			ids[i] = store.NewCaseID()
			thread := msg
			for _, name := range []string{store.NameTopic, store.NameCard, store.NameCase, store.NameCase, store.NameCase} {
				if err := tx.NameMessage(store.NamedMessage{ChatID: desk, MessageID: msg, ThreadID: thread, Name: name + ids[i]}); err != nil {
					return err
				}
				msg++
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := i % cases
		card, err := db.Named(ctx, desk, store.NameCard+ids[k])
		if err != nil {
			b.Fatal(err)
		}
		topic, err := db.InThread(ctx, desk, card.ThreadID)
		if err != nil || store.CaseOfName(topic.Name) != ids[k] {
			b.Fatalf("thread %d: %+v, %v", card.ThreadID, topic, err)
		}
	}
}

// BenchmarkLastDeskRelay is when a desk last passed a message on for a
// case that had 300 of them, as /cases asks for each case it lists and the
// quiet-case job for each taken case. One op is one case's last word.
func BenchmarkLastDeskRelay(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "relays.db"), testKey())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const desk = int64(-1001000000001)
	ids := make([]string, 20)
	err = db.Update(ctx, func(tx *store.Tx) error {
		msg := 1
		for i := range ids {
			ids[i] = store.NewCaseID()
			for range 300 {
				if err := tx.RecordDeskRelay(desk, msg, ids[i]); err != nil {
					return err
				}
				msg++
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if at, err := db.LastDeskRelay(ctx, ids[i%len(ids)]); err != nil || at.IsZero() {
			b.Fatalf("%v, %v", at, err)
		}
	}
}
