package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/rightsdesk/rightsdesk/store"
)

// Concurrent updates share commits, yet each keeps its own outcome: a
// failing one leaves no trace, the others commit, and a panic reaches its
// own caller.
func TestGroupCommitKeepsEachOutcome(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	errBoom := errors.New("boom")
	var wg sync.WaitGroup
	results := make([]error, 200)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = db.Update(ctx, func(tx *store.Tx) error {
				if err := tx.Enqueue(int64(i), 0, []byte("x")); err != nil {
					return err
				}
				if i%3 == 0 {
					return errBoom // after a write: the savepoint must undo it
				}
				return nil
			})
		}()
	}
	wg.Wait()
	want := 0
	for i, err := range results {
		if i%3 == 0 {
			if !errors.Is(err, errBoom) {
				t.Fatalf("update %d: got %v, want its own error", i, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("update %d failed: %v", i, err)
		}
		want++
	}
	if n, _ := db.OutboxLen(ctx); n != want {
		t.Fatalf("outbox has %d rows, want %d (failed updates must leave nothing)", n, want)
	}
	for i := range results {
		_, _, ok, _ := db.NextOutbox(ctx, int64(i))
		if ok != (i%3 != 0) {
			t.Fatalf("chat %d: row present %v", i, ok)
		}
	}

	defer func() {
		if r := recover(); r != "handler bug" {
			t.Fatalf("panic not passed to the caller: %v", r)
		}
		// The writer still works after a panic.
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.Enqueue(9999, 0, []byte("y")) }); err != nil {
			t.Fatal(err)
		}
	}()
	db.Update(ctx, func(tx *store.Tx) error { panic("handler bug") })
}
