package bot_test

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/store"
)

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"), bytes.Repeat([]byte{3}, store.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// One chat's updates run in order; a panic is recovered, logged with the
// update id, and the next update is handled normally.
func TestExecutorOrderAndPanic(t *testing.T) {
	db := openStore(t)
	ctx := context.Background()
	var mu sync.Mutex
	seen := map[int64][]int64{}
	var recovered []int64
	var logs bytes.Buffer
	var logMu sync.Mutex
	e := &bot.Executor{
		Handle: func(ctx context.Context, u store.InboxUpdate) error {
			if string(u.Payload) == "boom" {
				panic("handler bug")
			}
			mu.Lock()
			seen[u.ChatID] = append(seen[u.ChatID], u.UpdateID)
			mu.Unlock()
			return db.Update(ctx, func(tx *store.Tx) error { return tx.MarkHandled(u.UpdateID) })
		},
		Recover: func(ctx context.Context, u store.InboxUpdate) {
			mu.Lock()
			recovered = append(recovered, u.UpdateID)
			mu.Unlock()
			db.Update(ctx, func(tx *store.Tx) error { return tx.MarkHandled(u.UpdateID) })
		},
		Log: zerolog.New(zerolog.SyncWriter(&lockedWriter{w: &logs, mu: &logMu})),
	}
	e.Start(ctx)
	var ups []store.InboxUpdate
	id := int64(1)
	for i := 0; i < 50; i++ {
		for chat := int64(1); chat <= 4; chat++ {
			payload := []byte("ok")
			if chat == 2 && i == 10 {
				payload = []byte("boom")
			}
			ups = append(ups, store.InboxUpdate{UpdateID: id, ChatID: chat, Payload: payload})
			id++
		}
	}
	if _, err := db.SaveUpdates(ctx, ups, id); err != nil {
		t.Fatal(err)
	}
	e.Submit(ups)
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := e.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	for chat := int64(1); chat <= 4; chat++ {
		got := seen[chat]
		want := 50
		if chat == 2 {
			want = 49
		}
		if len(got) != want {
			t.Fatalf("chat %d handled %d updates, want %d", chat, len(got), want)
		}
		for i := 1; i < len(got); i++ {
			if got[i] <= got[i-1] {
				t.Fatalf("chat %d out of order: %v", chat, got)
			}
		}
	}
	if len(recovered) != 1 || recovered[0] != 42 {
		t.Fatalf("recovered %v, want [42]", recovered)
	}
	logMu.Lock()
	defer logMu.Unlock()
	if !bytes.Contains(logs.Bytes(), []byte(`"update_id":42`)) {
		t.Fatalf("panic not logged with its update id: %s", logs.String())
	}
	if pending, _ := db.UnhandledUpdates(ctx); len(pending) != 0 {
		t.Fatalf("%d updates left unhandled", len(pending))
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
