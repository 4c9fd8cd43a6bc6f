package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/store"
)

func TestCaseIDShape(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		id := store.NewCaseID()
		if !store.ValidCaseID(id) {
			t.Fatalf("NewCaseID made %q, which ValidCaseID refuses", id)
		}
		if strings.ContainsAny(id[3:], "01OIL") {
			t.Fatalf("%q holds an ambiguous character", id)
		}
		if seen[id] {
			t.Fatalf("%q drawn twice in 2000", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "RD-2345-678", "RD-2345-6780", "RD-ABCD-EFGO", "rd-abcd-efgh", "XX-ABCD-EFGH", "RD-ABCD-EF'H", "RD-ABCDEEFGH"} {
		if store.ValidCaseID(bad) {
			t.Errorf("ValidCaseID accepts %q", bad)
		}
	}
}

func createCase(t *testing.T, db *store.DB, chatID int64, details store.CaseDetails, files ...store.CaseFile) string {
	t.Helper()
	id := store.NewCaseID()
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.CreateCase(store.NewCase{ID: id, ChatID: chatID, Details: details, Evidence: files})
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCaseLifecycle(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	details := store.CaseDetails{
		Language: "ru", Identity: "shared", Name: "Nino", Categories: []string{"wages", "documents"},
		Place:    &store.CasePlace{ID: "587084", Name: "Baku", Country: "AZ", Lat: 40.38, Lon: 49.89},
		Employer: "Stroy LLC", Description: "No pay for three months.", ContactMethod: "phone", Phone: "+994501234567",
	}
	id := createCase(t, db, 42, details, store.CaseFile{FileID: "F1", UniqueID: "U1", Kind: "photo", Size: 1200})

	got, err := db.ChatCase(ctx, 42, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.CaseNew || got.Details == nil || got.Details.Employer != "Stroy LLC" || got.Details.Place.Name != "Baku" ||
		len(got.Details.Categories) != 2 || got.Details.Phone != "+994501234567" || got.Details.Name != "Nino" {
		t.Fatalf("case read back as %+v / %+v", got, got.Details)
	}
	if _, err := db.ChatCase(ctx, 43, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another chat opened the case: %v", err)
	}
	files, err := db.CaseEvidence(ctx, id)
	if err != nil || len(files) != 1 || files[0].FileID != "F1" || files[0].UniqueID != "U1" || files[0].Kind != "photo" || files[0].Size != 1200 {
		t.Fatalf("evidence %+v, %v", files, err)
	}

	err = db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.AddCaseMessage(42, id, "They took my passport."); err != nil {
			return err
		}
		return tx.AddCaseEvidence(42, id, store.CaseFile{FileID: "F2", UniqueID: "U2", Kind: "document", MIME: "application/pdf", Size: 9})
	})
	if err != nil {
		t.Fatal(err)
	}
	// Another chat cannot add to it.
	err = db.Update(ctx, func(tx *store.Tx) error { return tx.AddCaseMessage(43, id, "spoof") })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another chat added a message: %v", err)
	}
	events, err := db.CaseEvents(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	if strings.Join(kinds, ",") != "submitted,message,evidence" || events[1].Text != "They took my passport." {
		t.Fatalf("timeline %+v", events)
	}

	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SetCaseStatus(id, store.CaseRouted) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.WithdrawCase(42, id) }); err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx *store.Tx) error { return tx.AddCaseMessage(42, id, "late") })
	if store.ErrorCode(err) != store.ECONFLICT {
		t.Fatalf("a withdrawn case took a message: %v", err)
	}
	list, err := db.ChatCases(ctx, 42)
	if err != nil || len(list) != 1 || list[0].Status != store.CaseWithdrawn || list[0].Details != nil {
		t.Fatalf("list %+v, %v", list, err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SetCaseStatus(id, "lost") }); store.ErrorCode(err) != store.EINVALID {
		t.Fatalf("unknown status accepted: %v", err)
	}
}

func TestCreateCaseRefusesTakenID(t *testing.T) {
	db, _ := openTest(t)
	id := createCase(t, db, 1, store.CaseDetails{Description: "first"})
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.CreateCase(store.NewCase{ID: id, ChatID: 2, Details: store.CaseDetails{Description: "second"}})
	})
	if store.ErrorCode(err) != store.ECONFLICT {
		t.Fatalf("a taken id was accepted: %v", err)
	}
	c, err := store.Open(context.Background(), db.Path(), testKey())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := c.CaseByID(context.Background(), id)
	if err != nil || got.ChatID != 1 || got.Details.Description != "first" {
		t.Fatalf("the first case changed: %+v %v", got, err)
	}
}

// Personal fields are sealed and bound to their case: a blob moved to
// another row does not open.
func TestCaseFieldsSealedAndBound(t *testing.T) {
	db, path := openTest(t)
	ctx := context.Background()
	secret := "EMPLOYER-" + strings.Repeat("Q", 12)
	a := createCase(t, db, 7, store.CaseDetails{Identity: "shared", Name: "NAME-" + secret, Employer: secret, Description: secret, Phone: "+37360000000"},
		store.CaseFile{FileID: "FILE-" + secret, UniqueID: "UNIQ-" + secret, Kind: "photo"})
	b := createCase(t, db, 7, store.CaseDetails{Employer: "other"})
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.AddCaseMessage(7, a, "MSG-"+secret) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, []byte("+37360000000")) {
			t.Fatalf("plain personal data in %s", f)
		}
	}
	// Swap the sealed fields of the two cases: neither may open.
	err := db.Update(ctx, func(tx *store.Tx) error {
		return tx.ExecForTest(`UPDATE cases SET sealed = (SELECT sealed FROM cases WHERE id = ?) WHERE id = ?`, a, b)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CaseByID(ctx, b); store.ErrorCode(err) != store.EKEY {
		t.Fatalf("a sealed value moved to another case opened: %v", err)
	}
}

// /delete leaves an anonymous tombstone and nothing personal, in the rows
// and, after the checkpoint, in the files.
func TestEraseChatLeavesTombstone(t *testing.T) {
	db, path := openTest(t)
	ctx := context.Background()
	secret := "ERASE-ME-" + strings.Repeat("Z", 10)
	mine := createCase(t, db, 9, store.CaseDetails{Employer: secret, Description: secret},
		store.CaseFile{FileID: "F", UniqueID: "U", Kind: "photo"})
	other := createCase(t, db, 10, store.CaseDetails{Employer: "kept"})
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.AddCaseMessage(9, mine, secret) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.EraseChat(9)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := db.CaseByID(ctx, mine)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != store.CaseWithdrawn || c.ChatID != 0 || c.Details != nil {
		t.Fatalf("tombstone %+v", c)
	}
	if ev, _ := db.CaseEvents(ctx, mine); len(ev) != 0 {
		t.Fatalf("events survive erasure: %+v", ev)
	}
	if files, _ := db.CaseEvidence(ctx, mine); len(files) != 0 {
		t.Fatalf("evidence survives erasure: %+v", files)
	}
	if list, _ := db.ChatCases(ctx, 9); len(list) != 0 {
		t.Fatalf("the chat still lists cases: %+v", list)
	}
	if o, err := db.ChatCase(ctx, 10, other); err != nil || o.Details.Employer != "kept" {
		t.Fatalf("another chat's case was touched: %+v %v", o, err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		raw, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(secret)) {
			t.Fatalf("erased text in %s", f)
		}
	}
}

// SealedCaseDetails gives the bytes on disk: sealed, never the plain text,
// and nothing once the case is erased.
func TestSealedCaseDetails(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	name := "NAME-" + strings.Repeat("W", 12)
	id := createCase(t, db, 5, store.CaseDetails{Identity: "shared", Name: name})
	sealed, err := db.SealedCaseDetails(ctx, id)
	if err != nil || len(sealed) == 0 {
		t.Fatalf("sealed %x %v", sealed, err)
	}
	if bytes.Contains(sealed, []byte(name)) {
		t.Fatal("the sealed details hold the name in plain text")
	}
	if _, err := db.SealedCaseDetails(ctx, "RD-2222-2222"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown case: %v", err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.EraseChat(5)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if sealed, err := db.SealedCaseDetails(ctx, id); err != nil || sealed != nil {
		t.Fatalf("after erasure: %x %v", sealed, err)
	}
}
