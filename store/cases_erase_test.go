package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A sealed value on disk is still the worker's data for as long as the key
// exists. So /delete must leave not only no plain text but no ciphertext of
// the chat either: secure_delete zeroes the freed cells and the checkpoint
// drops the WAL frames that held them.
func TestEraseChatLeavesNoCiphertextOnDisk(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "erase.db")
	db, err := Open(ctx, path, bytes.Repeat([]byte{5}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	const mine, other = int64(91), int64(92)
	marker := "MARKER-7f3a9c"
	if _, err := db.SaveUpdates(ctx, []InboxUpdate{{UpdateID: 1, ChatID: mine, Payload: []byte(`{"text":"` + marker + `"}`)}}, 0); err != nil {
		t.Fatal(err)
	}
	var caseID, otherCase string
	err = db.Update(ctx, func(tx *Tx) error {
		if err := tx.SaveChat(Chat{ID: mine, Type: "private", Language: "ru", State: []byte(`{"draft":"` + marker + `"}`)}); err != nil {
			return err
		}
		if err := tx.SaveChat(Chat{ID: other, Type: "private", Language: "en", State: []byte(`{"v":1}`)}); err != nil {
			return err
		}
		caseID, otherCase = NewCaseID(), NewCaseID()
		if err := tx.CreateCase(NewCase{ID: caseID, ChatID: mine,
			Details:  CaseDetails{Identity: "shared", Name: marker, Employer: marker, Description: marker, Phone: "+37360000000", ContactMethod: "phone"},
			Evidence: []CaseFile{{FileID: "F-" + marker, UniqueID: "U-" + marker, Kind: "photo", Size: 10}}}); err != nil {
			return err
		}
		if err := tx.CreateCase(NewCase{ID: otherCase, ChatID: other, Details: CaseDetails{Employer: "kept"}}); err != nil {
			return err
		}
		if err := tx.AddCaseMessage(mine, caseID, marker); err != nil {
			return err
		}
		return tx.Enqueue(mine, 0, []byte(marker))
	})
	if err != nil {
		t.Fatal(err)
	}

	type sealed struct {
		what string
		blob []byte
	}
	var blobs []sealed
	for _, q := range []struct{ what, sql string }{
		{"case", `SELECT sealed FROM cases WHERE chat_id = ?`},
		{"event", `SELECT sealed FROM case_events WHERE sealed IS NOT NULL AND case_id IN (SELECT id FROM cases WHERE chat_id = ?)`},
		{"evidence", `SELECT sealed FROM case_evidence WHERE case_id IN (SELECT id FROM cases WHERE chat_id = ?)`},
		{"state", `SELECT state FROM chats WHERE chat_id = ?`},
		{"inbox", `SELECT payload FROM inbox WHERE chat_id = ?`},
		{"outbox", `SELECT payload FROM outbox WHERE chat_id = ?`},
	} {
		rows, err := db.read.QueryContext(ctx, q.sql, mine)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				t.Fatal(err)
			}
			blobs = append(blobs, sealed{q.what, b})
			n++
		}
		rows.Close()
		if n == 0 {
			t.Fatalf("no sealed %s found", q.what)
		}
	}
	files := func() []byte {
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
	// Handling an update drops its payload and its chat.
	if err := db.Update(ctx, func(tx *Tx) error { return tx.MarkHandled(1) }); err != nil {
		t.Fatal(err)
	}
	// The scan must be able to see a sealed value, or it proves nothing.
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	before := files()
	for _, b := range blobs {
		if b.what != "inbox" && !bytes.Contains(before, b.blob) {
			t.Fatalf("sealed %s not found on disk before the erasure: the scan is blind", b.what)
		}
	}
	if bytes.Contains(before, []byte(marker)) {
		t.Fatal("the marker is on disk in plain text")
	}

	if err := db.Update(ctx, func(tx *Tx) error {
		_, err := tx.EraseChat(mine)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	after := files()
	for _, b := range blobs {
		// Any 24 bytes of a sealed value are random enough to be unique.
		for off := 0; off+24 <= len(b.blob); off += 24 {
			if bytes.Contains(after, b.blob[off:off+24]) {
				t.Errorf("sealed %s still on disk after /delete (bytes %d–%d)", b.what, off, off+24)
				break
			}
		}
	}
	if c, err := db.CaseByID(ctx, caseID); err != nil || c.Status != CaseWithdrawn || c.Details != nil || c.ChatID != 0 {
		t.Errorf("tombstone %+v %v", c, err)
	}
	if c, err := db.ChatCase(ctx, other, otherCase); err != nil || c.Details == nil || c.Details.Employer != "kept" {
		t.Errorf("another chat's case was touched: %+v %v", c, err)
	}
}
