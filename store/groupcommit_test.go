package store_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

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

// The commit loop holds the one writer connection, so a checkpoint takes
// its turn between two commits: asked for while updates pour in, each
// returns, no update waits for ever or fails, and a lone update that fails
// leaves the connection outside any transaction for the next.
func TestCheckpointTakesItsTurnBetweenCommits(t *testing.T) {
	db, path := openTest(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	const writers, each = 8, 40
	errs := make(chan error, writers*each+20)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				errs <- db.Update(ctx, func(tx *store.Tx) error {
					return tx.Enqueue(int64(w*1000+i), 0, []byte("reply"))
				})
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 20 {
			errs <- db.Checkpoint(ctx)
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := db.OutboxLen(ctx); n != writers*each {
		t.Fatalf("outbox has %d rows, want %d", n, writers*each)
	}

	errBoom := errors.New("boom")
	if err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.Enqueue(77, 0, []byte("undone")); err != nil {
			return err
		}
		return errBoom
	}); !errors.Is(err, errBoom) {
		t.Fatalf("failing update: got %v", err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.Enqueue(78, 0, []byte("kept")) }); err != nil {
		t.Fatalf("update after a failed one: %v", err)
	}
	if _, _, ok, _ := db.NextOutbox(ctx, 77); ok {
		t.Fatal("the failed update's row was committed")
	}
	if _, _, ok, _ := db.NextOutbox(ctx, 78); !ok {
		t.Fatal("the update after a failed one was not committed")
	}
	// Nothing since the last commit but a checkpoint: the WAL is folded in.
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() != 0 {
		t.Fatalf("WAL after the last checkpoint: %v, %v", fi, err)
	}
}

// Once the DB is closed, nothing waits for the commit loop that is gone:
// a checkpoint and an update are refused at once.
func TestClosedDBRefusesCheckpointAndUpdate(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	done := make(chan [2]error, 1)
	go func() {
		done <- [2]error{db.Checkpoint(ctx), db.Update(ctx, func(*store.Tx) error { return nil })}
	}()
	select {
	case errs := <-done:
		for _, err := range errs {
			if store.ErrorCode(err) != store.EINTERNAL {
				t.Fatalf("after Close: got %v, want EINTERNAL", err)
			}
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a checkpoint or an update after Close waited for the commit loop")
	}
}
