package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

// growing are the tables whose rows grow with people, updates and cases:
// a full scan of one of them costs more every day. Directory-sized tables
// (orgs, link codes, announcements, the job schedule) are not here.
var growing = []string{"inbox", "outbox", "outbox_failures", "chats", "chat_messages", "cases", "case_events",
	"case_evidence", "case_routes", "deliveries", "named_messages", "route_offers", "job_runs", "job_marks",
	"drafts", "subscriptions", "desk_relays"}

var scanOf = regexp.MustCompile(`^SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?`)

// lookups are statements that find one row of a desk's or a case's many
// and must read only that one, from the index named: a search by the
// table's key would be no full scan, yet read every row the desk or the
// case ever had (as these did, until 0011_named_lookups.sql and
// 0012_relay_last_word.sql), for each card edit, each caseworker's message
// in a topic and each case /cases lists.
var lookups = map[string]string{
	"FROM named_messages WHERE name = ? AND chat_id = ?":      "named_messages_by_name",
	"FROM named_messages WHERE chat_id = ? AND thread_id = ?": "named_messages_by_thread",
	"SELECT max(at) FROM desk_relays WHERE case_id = ?":       "desk_relays_last",
}

// waiting are partial indexes that hold only work in flight: walking one
// costs what waits, not what the table has kept.
var waiting = []string{"inbox_waiting"}

// Every statement the bot runs to handle an update, send its replies or
// act at a desk — recorded from the driver while the store's own functions
// run, whatever path they take — is planned by SQLite without a full scan
// of a growing table.
func TestHotQueriesUseIndexes(t *testing.T) {
	db, path := openTest(t)
	ctx := context.Background()
	const worker, desk, deskUser = int64(1001), int64(-100200), int64(77)
	caseID := store.NewCaseID()

	// Some rows first, so every statement below has something to find.
	code, err := db.NewLinkCode(ctx, "fnpr")
	if err != nil {
		t.Fatal(err)
	}
	must(t, db.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.LinkOrg(code, desk, true, "en"); err != nil {
			return err
		}
		return tx.SaveChat(store.Chat{ID: worker, Type: "private", Language: "en", State: []byte(`{}`)})
	}))

	store.StartTrace()
	// The poller stores a batch; the executor handles each update.
	_, err = db.SaveUpdates(ctx, []store.InboxUpdate{{UpdateID: 10, ChatID: worker, Payload: []byte(`{}`)},
		{UpdateID: 11, ChatID: desk, Payload: []byte(`{}`)}}, 12)
	must(t, err)
	// What waits is read back after a crash; the poller asks for the last
	// update stored and looks up those Telegram brings again.
	_, err = db.UnhandledUpdates(ctx)
	must(t, err)
	_, err = db.LastUpdateID(ctx)
	must(t, err)
	_, err = db.KnownUpdates(ctx, []int64{10, 13})
	must(t, err)
	// A quick turn's update was never stored: its id is all it writes.
	must(t, db.Update(ctx, func(tx *store.Tx) error { return tx.MarkHandled(13) }))
	_, err = db.Chat(ctx, worker)
	must(t, err)
	_, err = db.Chat(ctx, 999999) // a chat never seen
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	_, _ = db.Subscription(ctx, worker)
	_, _ = db.Draft(ctx, worker)
	must(t, db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SaveChat(store.Chat{ID: worker, Type: "private", Language: "ru", State: []byte(`{"v":1}`)}); err != nil {
			return err
		}
		if err := tx.RecordMessage(worker, 5, false); err != nil {
			return err
		}
		if err := tx.NoteDraft(worker, time.Now(), time.Now(), true); err != nil {
			return err
		}
		if err := tx.SetSubscription(store.Subscription{ChatID: worker, OptedIn: true, Language: "ru", Country: "RU"}); err != nil {
			return err
		}
		if err := tx.EnqueueFor("", worker, 0, []byte(`{"a":"send"}`), nil); err != nil {
			return err
		}
		return tx.MarkHandled(10)
	}))
	// The drafts job asks whether an update of the chat is still waiting.
	_, err = db.DropDraft(ctx, worker, time.Now().Add(time.Hour), func(s []byte) ([]byte, error) { return s, nil })
	must(t, err)
	// The intake submits a case and offers routes; the worker chooses.
	must(t, db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateCase(store.NewCase{ID: caseID, ChatID: worker, Details: store.CaseDetails{Language: "ru",
			Categories: []string{"wages"}, Description: "x"}}); err != nil {
			return err
		}
		if err := tx.ForgetDraft(worker); err != nil {
			return err
		}
		return tx.EnqueueFor(caseID, worker, 0, []byte(`{"a":"send"}`), nil)
	}))
	offer, err := db.NextRouteOffer(ctx, caseID)
	must(t, err)
	must(t, db.Update(ctx, func(tx *store.Tx) error {
		return tx.SaveRouteOffer(caseID, offer, []store.RouteOffer{{ServiceID: "fnpr", Receives: true}})
	}))
	_, err = db.RouteOffers(ctx, caseID, offer)
	must(t, err)
	_, err = db.OrgByService(ctx, "fnpr")
	must(t, err)
	_, err = db.LinkedServices(ctx)
	must(t, err)
	d := &store.Delivery{CaseID: caseID, ServiceID: "fnpr", ChatID: desk, Status: store.DeliveryOpen}
	must(t, db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.RecordRoute(store.CaseRoute{CaseID: caseID, ChatID: worker, ServiceID: "fnpr", Status: store.RouteSent}); err != nil {
			return err
		}
		if err := tx.SaveDelivery(d); err != nil {
			return err
		}
		if _, err := tx.CaseStatus(caseID); err != nil {
			return err
		}
		return tx.SetCaseStatus(caseID, store.CaseRouted)
	}))
	// /mycases and a case's page.
	_, err = db.ChatCases(ctx, worker)
	must(t, err)
	_, err = db.ChatCase(ctx, worker, caseID)
	must(t, err)
	_, err = db.CaseByID(ctx, caseID)
	must(t, err)
	_, err = db.CaseEvents(ctx, caseID)
	must(t, err)
	_, err = db.CaseEvidence(ctx, caseID)
	must(t, err)
	_, err = db.CaseRoutes(ctx, caseID)
	must(t, err)
	_, err = db.ChatDeliveries(ctx, worker)
	must(t, err)
	must(t, db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.AddCaseMessage(worker, caseID, "more"); err != nil {
			return err
		}
		return tx.AddCaseEvidence(worker, caseID, store.CaseFile{FileID: "f", UniqueID: "u", Kind: "photo", Size: 10})
	}))
	// The desk: a caseworker's update in the group.
	_, err = db.OrgByChat(ctx, desk)
	must(t, err)
	_, err = db.DeliveryByID(ctx, d.ID)
	must(t, err)
	_, err = db.CaseDeliveries(ctx, caseID)
	must(t, err)
	_, err = db.LatestDelivery(ctx, caseID, desk)
	must(t, err)
	_, err = db.LatestDelivery(ctx, caseID, 0)
	must(t, err)
	_, err = db.DeskDeliveries(ctx, desk, store.DeliveryOpen, store.DeliveryTaken)
	must(t, err)
	_, _ = db.SealedCaseDetails(ctx, caseID)
	_, _ = db.NameOf(ctx, desk, 40)
	_, _ = db.InThread(ctx, desk, 40)
	_, _ = db.Named(ctx, desk, store.NameCard+caseID)
	_, _ = db.DeskRelayCase(ctx, desk, 41) // a correction
	_, err = db.LastDeskRelay(ctx, caseID) // the deadlines job
	must(t, err)
	must(t, db.Update(ctx, func(tx *store.Tx) error {
		d.Status, d.Assignee = store.DeliveryTaken, deskUser
		if err := tx.SaveDelivery(d); err != nil {
			return err
		}
		if err := tx.SaveNotes(d.ID, []byte(`{"history":[]}`)); err != nil {
			return err
		}
		if err := tx.TouchOrg(desk, true); err != nil {
			return err
		}
		if err := tx.AddOrgMessage(caseID, "from the union"); err != nil {
			return err
		}
		if err := tx.RecordDeskRelay(desk, 41, caseID); err != nil {
			return err
		}
		if err := tx.SetOrgRights(desk, false, true); err != nil {
			return err
		}
		return tx.MarkHandled(11)
	}))
	// The sender drains a chat: next row, send, settle.
	for _, chatID := range []int64{worker, desk} {
		for range 3 {
			msg, _, ok, err := db.NextOutbox(ctx, chatID)
			must(t, err)
			if !ok {
				break
			}
			_, err = db.MarkDelivered(ctx, msg.ID, store.Receipt{ChatID: chatID, MessageID: 40, ThreadID: 40,
				Name: store.NameTopic + caseID})
			must(t, err)
		}
	}
	_, _, _, err = db.OutboxFromDisk(ctx, worker)
	must(t, err)
	must(t, db.Update(ctx, func(tx *store.Tx) error { return tx.EnqueueFor("", worker, 0, []byte(`{}`), nil) }))
	msg, _, _, err := db.OutboxFromDisk(ctx, worker)
	must(t, err)
	must(t, db.Defer(ctx, msg.ID, time.Now()))
	must(t, db.Fail(ctx, msg.ID, worker, 400, "bad_request"))
	// Erasure of a worker (/delete) and a withdrawal are per update too.
	must(t, db.Update(ctx, func(tx *store.Tx) error { return tx.WithdrawCase(worker, caseID) }))
	must(t, db.Update(ctx, func(tx *store.Tx) error { _, err := tx.EraseChat(worker); return err }))
	// A blocked chat and a migrated group are rare but come with an update.
	must(t, db.BlockChat(ctx, 4242))
	must(t, db.Update(ctx, func(tx *store.Tx) error { return tx.MigrateChat(desk, desk-1) }))
	queries := store.StopTrace()

	// Plans are read on a plain connection to the same file.
	plain, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	must(t, err)
	defer plain.Close()
	planned := 0
	seen := map[string]bool{}
	for q, nargs := range queries {
		if !plannable(q) {
			continue
		}
		planned++
		rows, err := explain(ctx, plain, q, nargs)
		if err != nil {
			t.Errorf("EXPLAIN QUERY PLAN %s: %v", oneLine(q), err)
			continue
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			must(t, rows.Scan(&id, &parent, &unused, &detail))
			plan = append(plan, detail)
		}
		rows.Close()
		if testing.Verbose() && os.Getenv("RIGHTSDESK_PLANS") != "" {
			t.Logf("%s\n    %q", oneLine(q), plan)
		}
		// A statement that keeps a few rows must find them in order, not
		// sort every match first: the matches grow with the desk or chat.
		if strings.Contains(strings.ToUpper(oneLine(q)), " LIMIT ") &&
			slices.ContainsFunc(plan, func(step string) bool { return strings.HasPrefix(step, "USE TEMP B-TREE") }) {
			t.Errorf("sorts every match to keep a few:\n  %s\nplan: %q", oneLine(q), plan)
		}
		for fragment, index := range lookups {
			if !strings.Contains(oneLine(q), fragment) {
				continue
			}
			seen[fragment] = true
			uses := slices.ContainsFunc(plan, func(step string) bool { return strings.Contains(step, " INDEX "+index+" ") })
			if !uses || slices.ContainsFunc(plan, func(step string) bool { return strings.HasPrefix(step, "USE TEMP B-TREE") }) {
				t.Errorf("%s is not one row read from %s:\n  %s\nplan: %q", fragment, index, oneLine(q), plan)
			}
		}
		for _, step := range plan {
			if m := scanOf.FindStringSubmatch(step); m != nil && slices.Contains(growing, m[1]) && !slices.Contains(waiting, m[2]) {
				t.Errorf("full scan of %s (%q) in\n  %s\nplan: %q", m[1], step, oneLine(q), plan)
			}
		}
	}
	// The workload must really have run the statements it is about.
	for _, want := range []string{"INSERT INTO inbox (update_id, chat_id, received_at, payload)",
		"INSERT INTO inbox (update_id, chat_id, received_at, handled_at)", "SELECT max(update_id) FROM inbox",
		"SELECT update_id FROM inbox WHERE update_id BETWEEN", "INSERT INTO chats",
		"FROM chats WHERE chat_id", "INSERT INTO outbox", "FROM outbox WHERE chat_id", "DELETE FROM outbox WHERE id",
		"FROM named_messages WHERE name", "FROM named_messages WHERE chat_id = ? AND message_id",
		"FROM deliveries WHERE case_id", "FROM cases", "FROM route_offers", "FROM orgs WHERE chat_id",
		"FROM orgs WHERE service_id", "INSERT INTO named_messages", "INSERT INTO chat_messages", "INSERT INTO drafts",
		"FROM inbox WHERE chat_id", "FROM inbox INDEXED BY"} {
		if !slices.ContainsFunc(mapsKeys(queries), func(q string) bool { return strings.Contains(q, want) }) {
			t.Errorf("the workload ran no statement with %q", want)
		}
	}
	for fragment := range lookups {
		if !seen[fragment] {
			t.Errorf("the workload ran no statement with %q", fragment)
		}
	}
	t.Logf("%d statements planned", planned)
}

// explain plans q with NULL for each argument. A cached statement does not
// tell how many it takes, so they are added until SQLite stops asking.
func explain(ctx context.Context, db *sql.DB, q string, nargs int) (*sql.Rows, error) {
	for n := max(nargs, 0); ; n++ {
		rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, make([]any, n)...)
		if err == nil || nargs >= 0 || n > 32 || !strings.Contains(err.Error(), "missing argument") {
			return rows, err
		}
	}
}

func plannable(q string) bool {
	q = strings.ToUpper(strings.TrimSpace(q))
	for _, p := range []string{"SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "REPLACE"} {
		if strings.HasPrefix(q, p) {
			return true
		}
	}
	return false
}

func oneLine(q string) string { return strings.Join(strings.Fields(q), " ") }

func mapsKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(fmt.Sprint(err))
	}
}
