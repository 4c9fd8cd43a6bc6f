package bot

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/store"
)

// When a desk's basic group becomes a supergroup, the new chat's first
// update says where it came from. That alone moves the desk, its cases and
// its cards: the old chat's word is handled beside the new chat's updates,
// not before them, so a caseworker's first command in the new chat must not
// wait on it.
func TestUpgradeMovesTheDeskFromTheNewChat(t *testing.T) {
	bt, db := newDeskTestBot(t)
	ctx := context.Background()
	const basic, super, worker = -4001, -1004001, 7007
	caseID := store.NewCaseID()
	code, err := db.NewLinkCode(ctx, "ktr")
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SaveChat(store.Chat{ID: worker, Type: chat.ChatPrivate, Language: "ro", State: []byte(`{"v":1}`)}); err != nil {
			return err
		}
		if _, err := tx.LinkOrg(code, basic, false, "en"); err != nil {
			return err
		}
		if err := tx.CreateCase(store.NewCase{ID: caseID, ChatID: worker, Details: store.CaseDetails{Categories: []string{"wages"}}}); err != nil {
			return err
		}
		d := store.Delivery{CaseID: caseID, ServiceID: "ktr", ChatID: basic, Status: store.DeliveryOpen}
		return tx.SaveDelivery(&d)
	})
	if err != nil {
		t.Fatal(err)
	}
	handle := func(u chat.Update) {
		t.Helper()
		raw, _ := json.Marshal(u)
		if err := bt.Handle(ctx, store.InboxUpdate{UpdateID: u.ID, ChatID: u.ChatID, Payload: raw}); err != nil {
			t.Fatal(err)
		}
	}
	handle(chat.Update{ID: 1, Kind: chat.KindMigrated, ChatID: super, ChatType: chat.ChatSupergroup, MigratedFrom: basic, Date: time.Now()})
	handle(chat.Update{ID: 2, Kind: chat.KindCommand, Command: "cases", ChatID: super, ChatType: chat.ChatSupergroup,
		UserID: 1, MessageID: 2, Date: time.Now()})

	if org, err := db.OrgByChat(ctx, super); err != nil || org.ServiceID != "ktr" {
		t.Fatalf("the desk did not move with the new chat's word: %+v %v", org, err)
	}
	if ds, err := db.DeskDeliveries(ctx, super, store.DeliveryOpen); err != nil || len(ds) != 1 || ds[0].CaseID != caseID {
		t.Errorf("the case did not move with the desk: %+v %v", ds, err)
	}
	if chats, err := db.OutboxChats(ctx); err != nil || !slices.Contains(chats, int64(super)) {
		t.Errorf("/cases in the new chat got no answer (outbox chats %v, %v)", chats, err)
	}
	// The old chat's word, handled after, finds nothing left to move.
	handle(chat.Update{ID: 3, Kind: chat.KindMigrated, ChatID: basic, ChatType: chat.ChatGroup, MigratedTo: super, Date: time.Now()})
	if org, err := db.OrgByChat(ctx, super); err != nil || org.ServiceID != "ktr" {
		t.Errorf("after the old chat's word: %+v %v", org, err)
	}
}

// /cases marks a taken case that has had no word between the desk and its
// worker for a week, with how long; a case with a recent message, or one
// nobody took yet, is not marked.
func TestCasesMarksQuietCases(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	now := t0.Add(9 * 24 * time.Hour)
	bt, db := newDeskTestBotAt(t, func() time.Time { return now })
	cat := bt.cfg.Catalog
	ctx := context.Background()
	const group, worker = -1004002, 7008
	quiet, talking, waiting := store.NewCaseID(), store.NewCaseID(), store.NewCaseID()
	code, err := db.NewLinkCode(ctx, "ktr")
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return t0 }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SaveChat(store.Chat{ID: worker, Type: chat.ChatPrivate, Language: "en", State: []byte(`{"v":1}`)}); err != nil {
			return err
		}
		if _, err := tx.LinkOrg(code, group, false, "en"); err != nil {
			return err
		}
		for _, c := range []struct {
			id, status string
		}{{quiet, store.DeliveryTaken}, {talking, store.DeliveryTaken}, {waiting, store.DeliveryOpen}} {
			if err := tx.CreateCase(store.NewCase{ID: c.id, ChatID: worker, Details: store.CaseDetails{Categories: []string{"wages"}}}); err != nil {
				return err
			}
			d := store.Delivery{CaseID: c.id, ServiceID: "ktr", ChatID: group, Status: c.status, Assignee: 11}
			if err := tx.SaveDelivery(&d); err != nil {
				return err
			}
		}
		return nil
	}))
	db.Now = func() time.Time { return t0.Add(5 * 24 * time.Hour) }
	must(db.Update(ctx, func(tx *store.Tx) error { return tx.RecordDeskRelay(group, 90, talking) }))

	raw, _ := json.Marshal(chat.Update{ID: 1, Kind: chat.KindCommand, Command: "cases", ChatID: group,
		ChatType: chat.ChatSupergroup, UserID: 11, MessageID: 91, Date: now})
	must(bt.Handle(ctx, store.InboxUpdate{UpdateID: 1, ChatID: group, Payload: raw}))
	msg, _, ok, err := db.NextOutbox(ctx, group)
	if err != nil || !ok {
		t.Fatalf("no answer to /cases: %v", err)
	}
	r, err := chat.DecodeReply(msg.Payload)
	must(err)
	mark := cat.T("en", "desk_cases_quiet", map[string]any{"Age": "9d"})
	for _, line := range strings.Split(r.Text, "\n") {
		switch {
		case strings.HasPrefix(line, quiet) && !strings.HasSuffix(line, " "+mark):
			t.Errorf("the quiet case is not marked %q: %q", mark, line)
		case (strings.HasPrefix(line, talking) || strings.HasPrefix(line, waiting)) && strings.Contains(line, "💤"):
			t.Errorf("marked quiet: %q", line)
		}
	}
	if !strings.Contains(r.Text, quiet) || !strings.Contains(r.Text, talking) || !strings.Contains(r.Text, waiting) {
		t.Errorf("/cases does not list the three cases:\n%s", r.Text)
	}
}
