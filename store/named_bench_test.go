package store_test

import (
	"context"
	"testing"

	"github.com/rightsdesk/rightsdesk/store"
)

const benchDesk = int64(-1001000000001)

// deskCases stores cases of a desk and n messages about each: write is
// given the case, the message's id and the id of the case's first message.
func deskCases(b *testing.B, db *store.DB, cases, n int, write func(tx *store.Tx, caseID string, msg, first int) error) []string {
	b.Helper()
	ids := make([]string, cases)
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		msg := 1
		for i := range ids {
			ids[i] = store.NewCaseID()
			first := msg
			for range n {
				if err := write(tx, ids[i], msg, first); err != nil {
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
	return ids
}

// BenchmarkNamedLookups is what a desk pays to find a case's card (to edit
// it) and a topic's case (for a caseworker's message in it) once it holds
// the names of 2,000 cases, five each: a topic, a card and three of the
// messages about it. One op is one of each lookup.
func BenchmarkNamedLookups(b *testing.B) {
	ctx := context.Background()
	db, _ := openTest(b)
	names := []string{store.NameTopic, store.NameCard, store.NameCase, store.NameCase, store.NameCase}
	ids := deskCases(b, db, 2000, len(names), func(tx *store.Tx, caseID string, msg, first int) error {
		return tx.NameMessage(store.NamedMessage{ChatID: benchDesk, MessageID: msg, ThreadID: first, Name: names[msg-first] + caseID})
	})
	for i := 0; b.Loop(); i++ {
		id := ids[i%len(ids)]
		card, err := db.Named(ctx, benchDesk, store.NameCard+id)
		if err != nil {
			b.Fatal(err)
		}
		topic, err := db.InThread(ctx, benchDesk, card.ThreadID)
		if err != nil || store.CaseOfName(topic.Name) != id {
			b.Fatalf("thread %d: %+v, %v", card.ThreadID, topic, err)
		}
	}
}

// BenchmarkLastDeskRelay is when a desk last passed a message on for a
// case that had 300 of them, as /cases asks for each case it lists and the
// quiet-case job for each taken case. One op is one case's last word.
func BenchmarkLastDeskRelay(b *testing.B) {
	ctx := context.Background()
	db, _ := openTest(b)
	ids := deskCases(b, db, 20, 300, func(tx *store.Tx, caseID string, msg, _ int) error {
		return tx.RecordDeskRelay(benchDesk, msg, caseID)
	})
	for i := 0; b.Loop(); i++ {
		if at, err := db.LastDeskRelay(ctx, ids[i%len(ids)]); err != nil || at.IsZero() {
			b.Fatalf("%v, %v", at, err)
		}
	}
}
