package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

func openDesk(t *testing.T) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "desk.db")
	db, err := store.Open(context.Background(), path, bytes.Repeat([]byte{9}, store.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func newCase(t *testing.T, db *store.DB, chatID int64) string {
	t.Helper()
	id := store.NewCaseID()
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.CreateCase(store.NewCase{ID: id, ChatID: chatID, Details: store.CaseDetails{Categories: []string{"wages"},
			Place: &store.CasePlace{Country: "RU", Name: "Moscow"}, Citizenship: "KZ", Description: "secret story"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A link code works once, within a day, read as people type it; it is kept
// only as a hash; a chat or a service cannot be linked twice.
func TestLinkCodes(t *testing.T) {
	db, path := openDesk(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	code, err := db.NewLinkCode(ctx, "fnpr")
	if err != nil {
		t.Fatal(err)
	}
	link := func(code string, chatID int64) (store.Org, error) {
		var o store.Org
		err := db.Update(ctx, func(tx *store.Tx) error {
			var err error
			o, err = tx.LinkOrg(code, chatID, true, "ru")
			return err
		})
		return o, err
	}
	other, _ := db.NewLinkCode(ctx, "ktr")
	// Typed in lower case, without dashes: the same code.
	sloppy := bytes.ToLower(bytes.ReplaceAll([]byte(code), []byte("-"), nil))
	o, err := link(string(sloppy), -1001)
	if err != nil || o.ServiceID != "fnpr" || o.ChatID != -1001 || !o.Forum || o.Language != "ru" {
		t.Fatalf("link: %+v %v", o, err)
	}
	if _, err := link(code, -1002); store.ErrorCode(err) != store.EINVALID {
		t.Errorf("a used code: %v", err)
	}
	if _, err := link(other, -1001); store.ErrorCode(err) != store.ECONFLICT {
		t.Errorf("a chat linked twice: %v", err)
	}
	again, _ := db.NewLinkCode(ctx, "fnpr")
	if _, err := link(again, -1003); store.ErrorCode(err) != store.ECONFLICT {
		t.Errorf("a service linked twice: %v", err)
	}
	// A code refused because its service is linked stays unused: it links
	// once the service is unlinked.
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.UnlinkOrg("fnpr") }); err != nil {
		t.Fatal(err)
	}
	if _, err := link(again, -1003); err != nil {
		t.Errorf("after unlinking, a fresh code links: %v", err)
	}
	expiring, _ := db.NewLinkCode(ctx, "ahik")
	now = now.Add(store.LinkCodeTTL + time.Second)
	if _, err := link(expiring, -1004); store.ErrorCode(err) != store.EINVALID {
		t.Errorf("an expired code: %v", err)
	}
	if _, err := link("ZZZZ-ZZZZ-ZZZZ", -1005); store.ErrorCode(err) != store.EINVALID {
		t.Errorf("an unknown code: %v", err)
	}
	db.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{code, other, again, expiring} {
		if bytes.Contains(raw, []byte(c)) || bytes.Contains(raw, bytes.ReplaceAll([]byte(c), []byte("-"), nil)) {
			t.Errorf("code %s is on disk in plain text", c)
		}
	}
}

// A request for the worker's consent is no delivery: not where the case
// stands, not at its desk, and still none when the case is withdrawn.
func TestConsentRequestsAreNoDeliveries(t *testing.T) {
	db, _ := openDesk(t)
	ctx := context.Background()
	id := newCase(t, db, 42)
	at := store.Delivery{CaseID: id, ServiceID: "fnpr", ChatID: -1001, Status: store.DeliveryTaken, Assignee: 7}
	declined := store.Delivery{CaseID: id, ServiceID: "md-embassy-moscow", ChatID: -1003, Status: store.DeliveryDeclined}
	waiting := store.Delivery{CaseID: id, ServiceID: "md-embassy-moscow", ChatID: -1003, Status: store.DeliveryAwaitingConsent}
	for _, d := range []*store.Delivery{&at, &declined, &waiting} {
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SaveDelivery(d) }); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := db.LatestDelivery(ctx, id, 0); err != nil || got.ID != at.ID {
		t.Errorf("the case stands at %s, %s (%v), not at FNPR", got.ServiceID, got.Status, err)
	}
	if got, err := db.LatestDelivery(ctx, id, -1003); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the embassy's desk has the case: %s (%v)", got.Status, err)
	}
	if got, err := db.PendingConsent(ctx, id); err != nil || got.ID != waiting.ID {
		t.Errorf("pending consent: %+v %v", got, err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.WithdrawCase(42, id) }); err != nil {
		t.Fatal(err)
	}
	ds, err := db.CaseDeliveries(ctx, id)
	if err != nil || len(ds) != 3 || ds[0].Status != store.DeliveryWithdrawn || ds[1].Status != store.DeliveryDeclined || ds[2].Status != store.DeliveryDeclined {
		t.Errorf("after withdrawal: %+v %v", ds, err)
	}
	if _, err := db.LatestDelivery(ctx, id, -1003); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after withdrawal, the embassy's desk has the case: %v", err)
	}
	if _, err := db.PendingConsent(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after withdrawal, consent is still asked: %v", err)
	}
}

// A case is open or taken at one desk at most; a stale write loses; the
// notes are sealed; a withdrawal ends the delivery.
func TestDeliveries(t *testing.T) {
	db, path := openDesk(t)
	ctx := context.Background()
	id := newCase(t, db, 42)
	d := store.Delivery{CaseID: id, ServiceID: "fnpr", ChatID: -1001, Status: store.DeliveryOpen, Notes: []byte(`{"assignee_name":"Aigerim-secret"}`)}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SaveDelivery(&d) }); err != nil {
		t.Fatal(err)
	}
	second := store.Delivery{CaseID: id, ServiceID: "ktr", ChatID: -1002, Status: store.DeliveryOpen}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SaveDelivery(&second) }); store.ErrorCode(err) != store.ECONFLICT {
		t.Errorf("a second active delivery: %v", err)
	}
	stale := d
	d.Status, d.Assignee = store.DeliveryTaken, 7
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SaveDelivery(&d) }); err != nil || d.Revision != 2 {
		t.Fatalf("take: rev %d %v", d.Revision, err)
	}
	stale.Status, stale.Assignee = store.DeliveryTaken, 8
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SaveDelivery(&stale) }); store.ErrorCode(err) != store.ECONFLICT {
		t.Errorf("a stale write won: %v", err)
	}
	got, err := db.LatestDelivery(ctx, id, 0)
	if err != nil || got.Assignee != 7 || got.Revision != 2 || got.TakenAt.IsZero() || string(got.Notes) != string(d.Notes) {
		t.Fatalf("read back %+v %v", got, err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.WithdrawCase(42, id) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.LatestDelivery(ctx, id, 0); got.Status != store.DeliveryWithdrawn {
		t.Errorf("after withdrawal: %s", got.Status)
	}
	db.Close()
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte("Aigerim-secret")) {
		t.Error("a caseworker's name is on disk in plain text")
	}
}

// Named messages resolve to the newest of a name; a reply or a topic leads
// back to its case; /delete takes the names of relayed messages, the route
// offers, the facts and the relay's waiting messages with the case.
func TestNamedMessagesAndErasure(t *testing.T) {
	db, _ := openDesk(t)
	ctx := context.Background()
	id := newCase(t, db, 42)
	name := func(chatID int64, msg, thread int, n string) {
		t.Helper()
		if err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.NameMessage(store.NamedMessage{ChatID: chatID, MessageID: msg, ThreadID: thread, Name: n})
		}); err != nil {
			t.Fatal(err)
		}
	}
	name(-1001, 10, 10, store.NameTopic+id)
	name(-1001, 11, 10, store.NameCard+id)
	name(-1001, 15, 10, store.NameCase+id)
	name(-1001, 20, 10, store.NameCard+id) // re-posted
	if m, err := db.Named(ctx, -1001, store.NameCard+id); err != nil || m.MessageID != 20 {
		t.Errorf("newest card: %+v %v", m, err)
	}
	if m, err := db.InThread(ctx, -1001, 10); err != nil || store.CaseOfName(m.Name) != id {
		t.Errorf("topic: %+v %v", m, err)
	}
	if m, err := db.NameOf(ctx, -1001, 15); err != nil || store.CaseOfName(m.Name) != id {
		t.Errorf("reply: %+v %v", m, err)
	}
	if _, err := db.NameOf(ctx, -1001, 16); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unnamed message: %v", err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SaveRouteOffer(id, 1, []store.RouteOffer{{ServiceID: "fnpr", Receives: true}}); err != nil {
			return err
		}
		return tx.EnqueueFor(id, -1001, 0, []byte("relay of the secret story"), nil)
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SaveRouteOffer(id, 1, nil) }); err != nil {
		t.Fatal("an empty offer under a taken number writes nothing and is no conflict")
	}
	if err := db.Update(ctx, func(tx *store.Tx) error {
		return tx.SaveRouteOffer(id, 1, []store.RouteOffer{{ServiceID: "ktr"}})
	}); store.ErrorCode(err) != store.ECONFLICT {
		t.Errorf("an offer number used twice: %v", err)
	}
	// A relay in the worker's own chat and one on its way as the case is
	// erased: the first is not the desk's, the second comes back orphaned.
	name(42, 3, 0, store.NameCase+id)
	var relayed []store.NamedMessage
	if err := db.Update(ctx, func(tx *store.Tx) error {
		var err error
		relayed, err = tx.EraseChat(42)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(relayed) != 1 || relayed[0].ChatID != -1001 || relayed[0].MessageID != 15 {
		t.Errorf("relays to take back: %+v", relayed)
	}
	orphan, err := db.MarkDelivered(ctx, 0, store.Receipt{ChatID: -1001, MessageID: 30, Name: store.NameCase + id})
	if err != nil || !orphan {
		t.Errorf("a relay delivered after the erasure: orphan %v %v", orphan, err)
	}
	if _, err := db.NameOf(ctx, -1001, 30); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an orphaned relay was named: %v", err)
	}
	if named, _ := db.NamedEverywhere(ctx, store.NameCase+id); len(named) != 0 {
		t.Errorf("relay names kept: %+v", named)
	}
	if m, err := db.Named(ctx, -1001, store.NameCard+id); err != nil || m.MessageID != 20 {
		t.Errorf("the card's name must stay for its tombstone edit: %v", err)
	}
	if offers, _ := db.RouteOffers(ctx, id, 1); len(offers) != 0 {
		t.Errorf("offers kept: %+v", offers)
	}
	if n, _ := db.OutboxLen(ctx); n != 0 {
		t.Errorf("%d relay messages still wait", n)
	}
	recs, err := db.CaseRecords(ctx, "")
	if err != nil || len(recs) != 1 || recs[0].Facts != nil || recs[0].Status != store.CaseWithdrawn {
		t.Errorf("after erasure: %+v %v", recs, err)
	}
}

// A basic group that became a supergroup keeps its desk, its deliveries,
// its names and its waiting messages.
func TestMigrateChat(t *testing.T) {
	db, _ := openDesk(t)
	ctx := context.Background()
	id := newCase(t, db, 42)
	code, _ := db.NewLinkCode(ctx, "fprk")
	err := db.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.LinkOrg(code, -55, false, "kk"); err != nil {
			return err
		}
		d := store.Delivery{CaseID: id, ServiceID: "fprk", ChatID: -55, Status: store.DeliveryOpen}
		if err := tx.SaveDelivery(&d); err != nil {
			return err
		}
		if err := tx.NameMessage(store.NamedMessage{ChatID: -55, MessageID: 3, Name: store.NameCard + id}); err != nil {
			return err
		}
		if err := tx.SaveChat(store.Chat{ID: -55, Type: "group", Language: "kk", State: []byte(`{"v":1}`)}); err != nil {
			return err
		}
		return tx.Enqueue(-55, 0, []byte("card edit"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.MigrateChat(-55, -1009) }); err != nil {
		t.Fatal(err)
	}
	if o, err := db.OrgByChat(ctx, -1009); err != nil || o.ServiceID != "fprk" {
		t.Errorf("desk after migration: %+v %v", o, err)
	}
	if d, err := db.LatestDelivery(ctx, id, -1009); err != nil || d.ServiceID != "fprk" {
		t.Errorf("delivery after migration: %+v %v", d, err)
	}
	if m, err := db.Named(ctx, -1009, store.NameCard+id); err != nil || m.MessageID != 3 {
		t.Errorf("card after migration: %+v %v", m, err)
	}
	if c, err := db.Chat(ctx, -1009); err != nil || string(c.State) != `{"v":1}` || c.Language != "kk" {
		t.Errorf("state after migration: %+v %v", c, err)
	}
	msg, _, ok, err := db.NextOutbox(ctx, -1009)
	if err != nil || !ok || string(msg.Payload) != "card edit" {
		t.Errorf("outbox after migration: %+v %v %v", msg, ok, err)
	}
	if _, err := db.Chat(ctx, -55); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the old chat stays: %v", err)
	}
}
