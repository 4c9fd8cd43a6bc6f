package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

func testKey() []byte { return bytes.Repeat([]byte{7}, store.KeySize) }

func openTest(t testing.TB) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := store.Open(context.Background(), path, testKey())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	ctx := context.Background()
	db, err := store.Open(ctx, path, testKey())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error {
		return tx.ExecForTest(`INSERT INTO schema_migrations VALUES (9999, 'future', 0)`)
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = store.Open(ctx, path, testKey())
	if store.ErrorCode(err) != store.ETOONEW {
		t.Fatalf("want %s, got %v", store.ETOONEW, err)
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	ctx := context.Background()
	db, err := store.Open(ctx, path, testKey())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveUpdates(ctx, []store.InboxUpdate{{UpdateID: 5, ChatID: 1, Payload: []byte("x")}}, 6); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = store.Open(ctx, path, testKey())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	off, err := db.NextOffset(ctx)
	if err != nil || off != 6 {
		t.Fatalf("offset %d, %v", off, err)
	}
	if _, err := store.Open(ctx, path, bytes.Repeat([]byte{8}, store.KeySize)); err != nil {
		t.Fatal(err) // opening works; reading sealed rows must not
	}
}

func TestSealerBindsPlace(t *testing.T) {
	s, err := store.NewSealer(testKey())
	if err != nil {
		t.Fatal(err)
	}
	sealed := s.Seal([]byte("secret"), "a")
	if bytes.Contains(sealed, []byte("secret")) {
		t.Fatal("plain text in sealed value")
	}
	if got, err := s.Open(sealed, "a"); err != nil || string(got) != "secret" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := s.Open(sealed, "b"); err == nil {
		t.Fatal("sealed value opened in another place")
	}
	other, _ := store.NewSealer(bytes.Repeat([]byte{1}, store.KeySize))
	if _, err := other.Open(sealed, "a"); err == nil {
		t.Fatal("opened with another key")
	}
}

func TestLoadKeyCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.key")
	k1, err := store.LoadKey("", path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", fi.Mode().Perm())
	}
	k2, err := store.LoadKey("", path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second load differs: %v", err)
	}
	if _, err := store.LoadKey("too-short", path); store.ErrorCode(err) != store.EKEY {
		t.Fatalf("bad env key accepted: %v", err)
	}
	hexKey := "0001020304050607080900010203040506070809000102030405060708090001"
	k3, err := store.LoadKey(hexKey, path)
	if err != nil || k3[1] != 1 {
		t.Fatalf("hex key: %v", err)
	}
}

func TestInboxDeduplicatesAndDropsPayload(t *testing.T) {
	db, path := openTest(t)
	ctx := context.Background()
	marker := "MARKER-inbox-8c1f"
	ups := []store.InboxUpdate{{UpdateID: 10, ChatID: 1, Payload: []byte(marker)}, {UpdateID: 11, ChatID: 2, Payload: []byte("b")}}
	fresh, err := db.SaveUpdates(ctx, ups, 12)
	if err != nil || len(fresh) != 2 {
		t.Fatalf("fresh %d %v", len(fresh), err)
	}
	fresh, err = db.SaveUpdates(ctx, ups, 12)
	if err != nil || len(fresh) != 0 {
		t.Fatalf("redelivery not ignored: %d %v", len(fresh), err)
	}
	pending, err := db.UnhandledUpdates(ctx)
	if err != nil || len(pending) != 2 || string(pending[0].Payload) != marker {
		t.Fatalf("pending %v %v", pending, err)
	}
	assertNotOnDisk(t, path, marker)
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.MarkHandled(10) }); err != nil {
		t.Fatal(err)
	}
	pending, _ = db.UnhandledUpdates(ctx)
	if len(pending) != 1 || pending[0].UpdateID != 11 {
		t.Fatalf("after handling: %v", pending)
	}
	if fresh, _ := db.SaveUpdates(ctx, ups[:1], 0); len(fresh) != 0 {
		t.Fatal("handled update accepted again")
	}
	// What stays of a handled update is its id: not who sent it.
	plain, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	var chats []int64
	rows, err := plain.QueryContext(ctx, `SELECT chat_id FROM inbox ORDER BY update_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		chats = append(chats, c)
	}
	rows.Close()
	if !slices.Equal(chats, []int64{0, 2}) {
		t.Fatalf("inbox chats %v, want [0 2]: the handled update must forget its chat, the waiting one keep it", chats)
	}
}

// A turn records its update as handled whether or not the poller stored
// it; a second turn for the same update is refused, and with it whatever
// it would have written.
func TestMarkHandledWithOrWithoutTheInbox(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if last, err := db.LastUpdateID(ctx); err != nil || last != 0 {
		t.Fatalf("empty inbox: last %d %v", last, err)
	}
	// 20 was never stored: a quick turn's id is all that is written of it.
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.MarkHandled(20) }); err != nil {
		t.Fatal(err)
	}
	// 21 waits in the inbox, stored because its turn was slow.
	if _, err := db.SaveUpdates(ctx, []store.InboxUpdate{{UpdateID: 21, ChatID: 5, Payload: []byte("x")}}, 22); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.MarkHandled(21) }); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{20, 21} {
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.SaveChat(store.Chat{ID: 99, Type: "private", Language: "ka"}); err != nil {
				return err
			}
			return tx.MarkHandled(id)
		})
		if !errors.Is(err, store.ErrHandledBefore) {
			t.Fatalf("update %d handled twice: %v", id, err)
		}
	}
	if _, err := db.Chat(ctx, 99); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused turn's writes were kept: %v", err)
	}
	// Stored after its turn committed, a slow update stays handled.
	if fresh, err := db.SaveUpdates(ctx, []store.InboxUpdate{{UpdateID: 20, ChatID: 5, Payload: []byte("x")}}, 21); err != nil || len(fresh) != 0 {
		t.Fatalf("stored over its handled id: %v %v", fresh, err)
	}
	if pending, _ := db.UnhandledUpdates(ctx); len(pending) != 0 {
		t.Fatalf("waiting after handling: %v", pending)
	}
	// A turn no update began marks nothing.
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.MarkHandled(0) }); err != nil {
		t.Fatal(err)
	}
	if last, err := db.LastUpdateID(ctx); err != nil || last != 21 {
		t.Fatalf("last %d %v, want 21", last, err)
	}
	known, err := db.KnownUpdates(ctx, []int64{0, 19, 20, 21, 22})
	if err != nil || len(known) != 2 || !known[20] || !known[21] {
		t.Fatalf("known %v %v, want 20 and 21", known, err)
	}
}

func TestOutboxOrderDeferFailBlock(t *testing.T) {
	db, path := openTest(t)
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	db.Now = func() time.Time { return now }
	marker := "MARKER-outbox-77aa"
	err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SaveChat(store.Chat{ID: 42, Type: "private"}); err != nil {
			return err
		}
		for _, m := range []struct {
			p    int
			text string
		}{{1, "bulk"}, {0, marker}, {0, "second"}} {
			if err := tx.Enqueue(42, m.p, []byte(m.text)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	assertNotOnDisk(t, path, marker)
	msg, _, ok, err := db.NextOutbox(ctx, 42)
	if err != nil || !ok || string(msg.Payload) != marker {
		t.Fatalf("first: %q %v %v", msg.Payload, ok, err)
	}
	if err := db.Defer(ctx, msg.ID, now.Add(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, wait, ok, _ := db.NextOutbox(ctx, 42); ok || !wait.Equal(now.Add(3*time.Second)) {
		t.Fatalf("deferred head was due: ok=%v wait=%v", ok, wait)
	}
	now = now.Add(3 * time.Second)
	msg, _, ok, _ = db.NextOutbox(ctx, 42)
	if !ok || msg.Attempts != 1 {
		t.Fatalf("after wait: %v attempts %d", ok, msg.Attempts)
	}
	if err := db.MarkSent(ctx, msg.ID, 42, 900); err != nil {
		t.Fatal(err)
	}
	msg, _, _, _ = db.NextOutbox(ctx, 42)
	if string(msg.Payload) != "second" {
		t.Fatalf("order: %q", msg.Payload)
	}
	if err := db.Fail(ctx, msg.ID, 42, 400, "bad_request"); err != nil {
		t.Fatal(err)
	}
	if f, _ := db.Failures(ctx); f[400] != 1 {
		t.Fatalf("failures %v", f)
	}
	if err := db.BlockChat(ctx, 42); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.OutboxLen(ctx); n != 0 {
		t.Fatalf("blocked chat kept %d messages", n)
	}
	db.Update(ctx, func(tx *store.Tx) error { return tx.Enqueue(42, 0, []byte("x")) })
	if n, _ := db.OutboxLen(ctx); n != 0 {
		t.Fatal("message enqueued to a blocked chat")
	}
	ids, _ := db.ChatMessages(ctx, 42, time.Time{})
	if len(ids) != 1 || ids[0] != 900 {
		t.Fatalf("message ids %v", ids)
	}
}

func TestChatStateSealedAndNotFound(t *testing.T) {
	db, path := openTest(t)
	ctx := context.Background()
	if _, err := db.Chat(ctx, 5); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("want not found, got %v", err)
	}
	marker := "MARKER-state-1234"
	if err := db.Update(ctx, func(tx *store.Tx) error {
		return tx.SaveChat(store.Chat{ID: 5, Type: "private", Language: "ka", State: []byte(marker)})
	}); err != nil {
		t.Fatal(err)
	}
	c, err := db.Chat(ctx, 5)
	if err != nil || string(c.State) != marker || c.Language != "ka" {
		t.Fatalf("chat %+v %v", c, err)
	}
	assertNotOnDisk(t, path, marker)
}

// assertNotOnDisk scans every byte of the database and its WAL.
func assertNotOnDisk(t *testing.T, dbPath, marker string) {
	t.Helper()
	for _, p := range []string{dbPath, dbPath + "-wal", dbPath + "-shm"} {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if bytes.Contains(b, []byte(marker)) {
			t.Fatalf("%s holds %q in plain text", filepath.Base(p), marker)
		}
	}
}

// A message sent after the chat was erased leaves no id behind.
func TestNoMessageIDsForErasedChats(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SaveChat(store.Chat{ID: 7, Type: "private"}); err != nil {
			return err
		}
		_, err := tx.EraseChat(7)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(ctx, 1, 7, 55); err != nil {
		t.Fatal(err)
	}
	if ids, _ := db.ChatMessages(ctx, 7, time.Time{}); len(ids) != 0 {
		t.Fatalf("erased chat has message ids %v", ids)
	}
}
