package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

// Cases closed longer than the period keep their anonymous record only;
// open cases and those closed since are untouched. Run twice, it erases
// nothing more.
func TestEraseClosedCases(t *testing.T) {
	db, path := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return t0 }
	marker := "RETENTION-MARKER"
	details := store.CaseDetails{Identity: "shared", Name: marker, Employer: marker, Description: marker}
	evidence := store.CaseFile{FileID: "F-" + marker, UniqueID: "U-" + marker, Kind: "photo", Size: 1}
	resolved := createCase(t, db, 1, details, evidence)
	withdrawn := createCase(t, db, 2, details)
	open := createCase(t, db, 3, details)
	recent := createCase(t, db, 4, details)
	if err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.AddCaseMessage(1, resolved, marker); err != nil {
			return err
		}
		if err := tx.RecordRoute(store.CaseRoute{CaseID: resolved, ChatID: 1, ServiceID: "ahik", Status: store.RouteSent}); err != nil {
			return err
		}
		for msg, id := range map[int]string{501: resolved, 502: open} {
			if err := tx.RecordDeskRelay(-100, msg, id); err != nil {
				return err
			}
		}
		if err := tx.SetCaseStatus(resolved, store.CaseResolved); err != nil {
			return err
		}
		return tx.WithdrawCase(2, withdrawn)
	}); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return t0.AddDate(0, 6, 0) }
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SetCaseStatus(recent, store.CaseResolved) }); err != nil {
		t.Fatal(err)
	}
	sealed, _ := db.SealedCaseDetails(ctx, resolved)
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if !containsChunk(readFiles(t, path), sealed) {
		t.Fatal("the sealed details are not on disk before: the scan is blind")
	}

	cutoff := t0.AddDate(0, 3, 0)
	n, err := db.EraseClosedCases(ctx, cutoff)
	if err != nil || n != 2 {
		t.Fatalf("erased %d, %v; want 2", n, err)
	}
	for id, status := range map[string]string{resolved: store.CaseResolved, withdrawn: store.CaseWithdrawn} {
		c, err := db.CaseByID(ctx, id)
		if err != nil || c.Status != status || c.Details != nil || c.ChatID != 0 {
			t.Errorf("%s after retention: %+v %v", id, c, err)
		}
		if ev, _ := db.CaseEvents(ctx, id); len(ev) != 0 {
			t.Errorf("%s keeps %d events", id, len(ev))
		}
		if f, _ := db.CaseEvidence(ctx, id); len(f) != 0 {
			t.Errorf("%s keeps evidence", id)
		}
		if r, _ := db.CaseRoutes(ctx, id); len(r) != 0 {
			t.Errorf("%s keeps routes %+v", id, r)
		}
	}
	// What the desk passed on for the erased case is forgotten; for the open
	// one, kept.
	for msg, want := range map[int]string{501: "", 502: open} {
		if got, err := db.DeskRelayCase(ctx, -100, msg); got != want || (want == "") != errors.Is(err, store.ErrNotFound) {
			t.Errorf("the desk's message %d after retention: passed on for %q (%v), want %q", msg, got, err, want)
		}
	}
	for chatID, id := range map[int64]string{3: open, 4: recent} {
		if c, err := db.ChatCase(ctx, chatID, id); err != nil || c.Details == nil || c.Details.Name != marker {
			t.Errorf("case %s was touched: %+v %v", id, c, err)
		}
	}
	if n, err := db.EraseClosedCases(ctx, cutoff); err != nil || n != 0 {
		t.Fatalf("second run erased %d, %v", n, err)
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if files := readFiles(t, path); containsChunk(files, sealed) {
		t.Error("the erased case's sealed details are still on disk")
	}
}

// containsChunk reports whether any 24 bytes of a sealed value are in hay:
// that many bytes of ciphertext are random enough to be unique.
func containsChunk(hay, blob []byte) bool {
	for off := 0; off+24 <= len(blob); off += 24 {
		if bytes.Contains(hay, blob[off:off+24]) {
			return true
		}
	}
	return false
}

func TestPurgeFailures(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, at := range []time.Time{t0, t0.AddDate(0, 0, 10)} {
		db.Now = func() time.Time { return at }
		chatID := int64(10 + i)
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.Enqueue(chatID, 0, []byte("x")) }); err != nil {
			t.Fatal(err)
		}
		m, _, _, _ := db.NextOutbox(ctx, chatID)
		if err := db.Fail(ctx, m.ID, chatID, 400, "bad_request"); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.PurgeFailures(ctx, t0.AddDate(0, 0, 3)); err != nil || n != 1 {
		t.Fatalf("purged %d, %v", n, err)
	}
	if f, _ := db.Failures(ctx); f[400] != 1 {
		t.Fatalf("failures left %v", f)
	}
}
