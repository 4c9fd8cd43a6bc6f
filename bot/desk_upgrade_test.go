package bot

import (
	"context"
	"encoding/json"
	"slices"
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
