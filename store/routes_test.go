package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

func TestCaseRoutesRecordedAndErased(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	const chatID = 4401
	id := store.NewCaseID()
	write := func(fn func(tx *store.Tx) error) {
		t.Helper()
		if err := db.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	write(func(tx *store.Tx) error {
		if err := tx.SaveChat(store.Chat{ID: chatID, Type: "private", State: []byte(`{}`)}); err != nil {
			return err
		}
		return tx.CreateCase(store.NewCase{ID: id, ChatID: chatID, Details: store.CaseDetails{Categories: []string{"wages"}}})
	})
	db.Now = func() time.Time { return time.UnixMilli(1_000) }
	write(func(tx *store.Tx) error {
		return tx.RecordRoute(store.CaseRoute{CaseID: id, ChatID: chatID, ServiceID: "az-cg-yekaterinburg", ConsentConsulate: true, Status: store.RouteContactsGiven})
	})
	db.Now = func() time.Time { return time.UnixMilli(2_000) }
	// Choosing it again later keeps the consent once given.
	write(func(tx *store.Tx) error {
		if err := tx.RecordRoute(store.CaseRoute{CaseID: id, ChatID: chatID, ServiceID: "az-cg-yekaterinburg", Status: store.RouteContactsGiven}); err != nil {
			return err
		}
		return tx.RecordRoute(store.CaseRoute{CaseID: id, ChatID: chatID, Status: store.RouteDeclined})
	})
	routes, err := db.CaseRoutes(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) != 2 {
		t.Fatalf("want 2 routes, got %+v", routes)
	}
	byService := map[string]store.CaseRoute{}
	for _, r := range routes {
		byService[r.ServiceID] = r
	}
	cg := byService["az-cg-yekaterinburg"]
	if !cg.ConsentConsulate || cg.Status != store.RouteContactsGiven || !cg.ChosenAt.Equal(time.UnixMilli(2_000)) || cg.ChatID != chatID {
		t.Errorf("consulate route: %+v", cg)
	}
	if d := byService[""]; d.Status != store.RouteDeclined || d.ConsentConsulate {
		t.Errorf("decline: %+v", d)
	}

	for _, bad := range []store.CaseRoute{
		{CaseID: "not-a-case", ChatID: chatID, Status: store.RouteDeclined},
		{CaseID: id, ChatID: chatID, Status: "forwarded"},
		{CaseID: id, Status: store.RouteDeclined},
	} {
		err := db.Update(ctx, func(tx *store.Tx) error { return tx.RecordRoute(bad) })
		if store.ErrorCode(err) != store.EINVALID {
			t.Errorf("%+v: want EINVALID, got %v", bad, err)
		}
	}
	// A case that does not exist cannot be routed.
	err = db.Update(ctx, func(tx *store.Tx) error {
		return tx.RecordRoute(store.CaseRoute{CaseID: store.NewCaseID(), ChatID: chatID, Status: store.RouteDeclined})
	})
	if err == nil {
		t.Error("a route for an unknown case was stored")
	}

	// /delete takes the choices with the chat.
	write(func(tx *store.Tx) error {
		_, err := tx.EraseChat(chatID)
		return err
	})
	if routes, err := db.CaseRoutes(ctx, id); err != nil || len(routes) != 0 {
		t.Fatalf("routes left after erasure: %+v %v", routes, err)
	}
}
