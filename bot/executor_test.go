package bot_test

import (
	"bytes"
	"context"
	"path/filepath"
	"runtime"
	"slices"
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

// A hundred busy chats are handled by MaxParallel goroutines, not one
// each; and a chat that floods waits its turn behind one that wrote once.
func TestExecutorBoundsWorkersAndTakesTurns(t *testing.T) {
	ctx := context.Background()
	const parallel = 4
	release := make(chan struct{})
	var mu sync.Mutex
	running, most := 0, 0
	var order []int64
	e := &bot.Executor{MaxParallel: parallel, Log: zerolog.Nop(),
		Handle: func(ctx context.Context, u store.InboxUpdate) error {
			mu.Lock()
			running++
			most = max(most, running)
			order = append(order, u.ChatID)
			mu.Unlock()
			<-release
			mu.Lock()
			running--
			mu.Unlock()
			return nil
		}}
	e.Start(ctx)
	before := runtime.NumGoroutine()
	var ups []store.InboxUpdate
	for chat := int64(1); chat <= 100; chat++ {
		ups = append(ups, store.InboxUpdate{UpdateID: chat, ChatID: chat})
	}
	e.Submit(ups)
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return running == parallel })
	if extra := runtime.NumGoroutine() - before; extra > parallel {
		t.Errorf("%d goroutines for %d busy chats, want at most %d", extra, len(ups), parallel)
	}
	close(release)
	if err := e.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if most != parallel || len(order) != len(ups) {
		t.Fatalf("handled %d updates, at most %d at once; want %d and %d", len(order), most, len(ups), parallel)
	}

	// One worker: chat 1 queues fifty updates, then chat 2 writes once.
	release2 := make(chan struct{}, 100)
	order = nil
	e = &bot.Executor{MaxParallel: 1, Log: zerolog.Nop(),
		Handle: func(ctx context.Context, u store.InboxUpdate) error {
			mu.Lock()
			order = append(order, u.ChatID)
			mu.Unlock()
			<-release2
			return nil
		}}
	e.Start(ctx)
	ups = nil
	for i := int64(1); i <= 50; i++ {
		ups = append(ups, store.InboxUpdate{UpdateID: i, ChatID: 1})
	}
	e.Submit(ups)
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(order) == 1 })
	e.Submit([]store.InboxUpdate{{UpdateID: 51, ChatID: 2}})
	for range 51 {
		release2 <- struct{}{}
	}
	if err := e.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if i := slices.Index(order, 2); i < 0 || i > 2 {
		t.Fatalf("the chat that wrote once came %dth, after the flood: %v", i+1, order)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}

// An update that loses a race for a case (ECONFLICT) is handled again, and
// that is no error; a conflict that persists, or any other failure, is.
func TestExecutorConflictIsNoError(t *testing.T) {
	db := openStore(t)
	ctx := context.Background()
	var logs bytes.Buffer
	var logMu sync.Mutex
	attempts := map[int64]int{}
	e := &bot.Executor{
		Handle: func(ctx context.Context, u store.InboxUpdate) error {
			attempts[u.UpdateID]++
			switch {
			case u.UpdateID == 1 && attempts[1] <= 2:
				return store.Errorf(store.ECONFLICT, "delivery 7 changed since it was read")
			case u.UpdateID == 2 && attempts[2] <= 4:
				return store.Errorf(store.ECONFLICT, "delivery 8 changed since it was read")
			}
			return db.Update(ctx, func(tx *store.Tx) error { return tx.MarkHandled(u.UpdateID) })
		},
		Log: zerolog.New(zerolog.SyncWriter(&lockedWriter{w: &logs, mu: &logMu})),
	}
	e.Start(ctx)
	ups := []store.InboxUpdate{{UpdateID: 1, ChatID: 1, Payload: []byte("a")}, {UpdateID: 2, ChatID: 1, Payload: []byte("b")}}
	if _, err := db.SaveUpdates(ctx, ups, 3); err != nil {
		t.Fatal(err)
	}
	e.Submit(ups)
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := e.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	if attempts[1] != 3 || attempts[2] != 5 {
		t.Fatalf("attempts %v", attempts)
	}
	logMu.Lock()
	defer logMu.Unlock()
	var errors []string
	for _, line := range bytes.Split(bytes.TrimSpace(logs.Bytes()), []byte("\n")) {
		if bytes.Contains(line, []byte(`"level":"error"`)) {
			errors = append(errors, string(line))
		}
	}
	// Update 2's fourth conflict in a row is one too many.
	if len(errors) != 1 || !bytes.Contains([]byte(errors[0]), []byte(`"update_id":2,"attempt":4`)) {
		t.Fatalf("errors logged: %q\nall: %s", errors, logs.String())
	}
}
