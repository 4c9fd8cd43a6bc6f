package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

func TestDraftIndexRemindsOncePerDraft(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	note := func(chatID int64, started, updated time.Time) {
		t.Helper()
		if err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.SaveChat(store.Chat{ID: chatID, Type: "private", Language: "ka"}); err != nil {
				return err
			}
			return tx.NoteDraft(chatID, started, updated, chatID != 3)
		}); err != nil {
			t.Fatal(err)
		}
	}
	remind := func(chatID int64, idleSince time.Time) bool {
		t.Helper()
		var ok bool
		if err := db.Update(ctx, func(tx *store.Tx) (err error) {
			ok, err = tx.MarkDraftReminded(chatID, idleSince)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	note(1, t0, t0)
	note(2, t0, t0.Add(20*time.Hour))
	note(3, t0, t0) // at the consent question: deleted in time, never reminded of
	due, err := db.DraftsToRemind(ctx, t0.Add(time.Hour), 10)
	if err != nil || len(due) != 1 || due[0].ChatID != 1 || due[0].Language != "ka" {
		t.Fatalf("due %+v %v", due, err)
	}
	if !remind(1, t0.Add(time.Hour)) || remind(1, t0.Add(time.Hour)) {
		t.Fatal("the reminder was not claimed exactly once")
	}
	if remind(2, t0.Add(time.Hour)) {
		t.Fatal("a draft changed after the cutoff was reminded of")
	}
	if remind(3, t0.Add(time.Hour)) {
		t.Fatal("a draft without consent was reminded of")
	}
	if old, _ := db.DraftsUntouchedSince(ctx, t0.Add(time.Hour), 10); len(old) != 2 || old[0].ChatID != 1 || old[1].ChatID != 3 {
		t.Fatalf("untouched drafts %+v", old)
	}
	// The same draft, changed again: still reminded of once only.
	note(1, t0, t0.Add(30*time.Hour))
	if due, _ := db.DraftsToRemind(ctx, t0.Add(40*time.Hour), 10); len(due) != 1 || due[0].ChatID != 2 {
		t.Fatalf("due after a change %+v", due)
	}
	// A new draft may be reminded of again.
	note(1, t0.Add(50*time.Hour), t0.Add(50*time.Hour))
	if d, err := db.Draft(ctx, 1); err != nil || !d.RemindedAt.IsZero() || !d.StartedAt.Equal(t0.Add(50*time.Hour)) {
		t.Fatalf("new draft %+v %v", d, err)
	}
	// A blocked chat is not reminded of anything.
	if err := db.BlockChat(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DraftsToRemind(ctx, t0.Add(100*time.Hour), 10); len(due) != 1 || due[0].ChatID != 1 {
		t.Fatalf("due with a blocked chat %+v", due)
	}
	// /delete takes the index entry with it.
	if err := db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.EraseChat(1)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Draft(ctx, 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("draft index after /delete: %v", err)
	}
}

// Dropping a draft rewrites the sealed state; after the checkpoint the old
// ciphertext is nowhere in the files. A chat with an update in hand is
// left alone.
func TestDropDraftRemovesItFromSealedState(t *testing.T) {
	db, path := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	const chatID = 77
	state := []byte(`{"v":1,"intake":{"draft":{"description":"DRAFT-MARKER"}}}`)
	if err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SaveChat(store.Chat{ID: chatID, Type: "private", Language: "ro", State: state}); err != nil {
			return err
		}
		return tx.NoteDraft(chatID, t0, t0, true)
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	sealedBefore := sealedState(t, db, chatID)
	if !bytes.Contains(readFiles(t, path), sealedBefore[:24]) {
		t.Fatal("the sealed state is not on disk before: the scan is blind")
	}
	edit := func(b []byte) ([]byte, error) { return []byte(`{"v":1}`), nil }

	// Not old enough yet.
	if dropped, err := db.DropDraft(ctx, chatID, t0, edit); err != nil || dropped {
		t.Fatalf("dropped a draft not older than the cutoff: %v %v", dropped, err)
	}
	// An update waiting for the chat holds the draft.
	if _, err := db.SaveUpdates(ctx, []store.InboxUpdate{{UpdateID: 5, ChatID: chatID, Payload: []byte("{}")}}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DropDraft(ctx, chatID, t0.Add(time.Hour), edit); !errors.Is(err, store.ErrChatBusy) {
		t.Fatalf("busy chat: %v", err)
	}
	db.Update(ctx, func(tx *store.Tx) error { return tx.MarkHandled(5) })
	if dropped, err := db.DropDraft(ctx, chatID, t0.Add(time.Hour), edit); err != nil || !dropped {
		t.Fatalf("dropped %v %v", dropped, err)
	}
	c, err := db.Chat(ctx, chatID)
	if err != nil || string(c.State) != `{"v":1}` || c.Language != "ro" {
		t.Fatalf("chat after the drop %+v %v", c, err)
	}
	if disk, _ := db.ChatFromDisk(ctx, chatID); string(disk.State) != `{"v":1}` {
		t.Fatalf("disk state %q", disk.State)
	}
	if _, err := db.Draft(ctx, chatID); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("index entry left behind")
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if containsChunk(readFiles(t, path), sealedBefore) {
		t.Fatal("the old sealed state is still on disk")
	}
}

func sealedState(t *testing.T, db *store.DB, chatID int64) []byte {
	t.Helper()
	var b []byte
	db.Update(context.Background(), func(tx *store.Tx) error {
		var err error
		b, err = tx.QueryBlobForTest(`SELECT state FROM chats WHERE chat_id = ?`, chatID)
		return err
	})
	if len(b) < 24 {
		t.Fatalf("sealed state %x", b)
	}
	return b
}

func readFiles(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}
