package telegram_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
	"github.com/rightsdesk/rightsdesk/store"
)

// Bulk sends (announcements, reminders) stay under BulkPerSecond overall,
// while a reply to someone waiting goes out at once, ahead of them.
func TestBulkPacedRepliesNot(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := openStore(t)
	var mu sync.Mutex
	sent := map[string]time.Time{}
	var bulkTimes []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		now := time.Now()
		sent[r.Form.Get("text")] = now
		if r.Form.Get("text") == "bulk" {
			bulkTimes = append(bulkTimes, now)
		}
		mu.Unlock()
		w.Write([]byte(`{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"}}}`))
	}))
	defer srv.Close()

	const bulk = 40
	err := db.Update(ctx, func(tx *store.Tx) error {
		for i := range bulk {
			p, _ := chat.Reply{Action: chat.ActionSend, ChatID: int64(1000 + i), Text: "bulk", Priority: chat.Bulk}.Encode()
			if err := tx.Enqueue(int64(1000+i), int(chat.Bulk), p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	limits := telegram.DefaultLimits()
	s := &telegram.Sender{Client: telegram.NewClient(ctx, "t", srv.URL, 5*time.Second), Store: db, Limits: limits, Log: zerolog.Nop()}
	go s.Run(ctx)

	// Half a second in, someone is waiting for a reply.
	time.Sleep(500 * time.Millisecond)
	asked := time.Now()
	p, _ := chat.Reply{Action: chat.ActionSend, ChatID: 7, Text: "reply"}.Encode()
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.Enqueue(7, int(chat.Interactive), p) }); err != nil {
		t.Fatal(err)
	}
	s.Notify(7)

	flush, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if err := s.Flush(flush); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bulkTimes) != bulk {
		t.Fatalf("%d of %d bulk messages sent", len(bulkTimes), bulk)
	}
	if d := sent["reply"].Sub(asked); d > 200*time.Millisecond {
		t.Errorf("the reply waited %v behind bulk sends", d)
	}
	// No second holds more than BulkPerSecond bulk sends.
	for i := range bulkTimes {
		n := 0
		for j := i; j < len(bulkTimes) && bulkTimes[j].Sub(bulkTimes[i]) < time.Second; j++ {
			n++
		}
		if n > int(limits.BulkPerSecond) {
			t.Fatalf("%d bulk sends within a second from send %d", n, i)
		}
	}
	// More than a second's worth cannot all go out within one second.
	if total := bulkTimes[len(bulkTimes)-1].Sub(bulkTimes[0]); total < time.Second-50*time.Millisecond {
		t.Errorf("%d bulk sends took only %v", bulk, total)
	}
}
