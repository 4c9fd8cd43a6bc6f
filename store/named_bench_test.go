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
