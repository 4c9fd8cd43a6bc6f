package telegram_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
	"github.com/rightsdesk/rightsdesk/store"
)

// scripted answers each sendMessage with the next scripted status for the
// chat, then with success.
type scripted struct {
	mu      sync.Mutex
	script  map[string][]int // chat id → statuses
	calls   map[string][]time.Time
	success map[string]int
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	chatID := r.Form.Get("chat_id")
	s.mu.Lock()
	s.calls[chatID] = append(s.calls[chatID], time.Now())
	status := 200
	if q := s.script[chatID]; len(q) > 0 {
		status, s.script[chatID] = q[0], q[1:]
	}
	if status == 200 {
		s.success[chatID]++
	}
	n := s.success[chatID]
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch status {
	case 200:
		fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"date":0,"chat":{"id":%s,"type":"private"}}}`, n, chatID)
	case 502:
		w.WriteHeader(502)
		fmt.Fprint(w, `<html>bad gateway</html>`)
	case 403:
		w.WriteHeader(403)
		fmt.Fprint(w, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`)
	case 400:
		w.WriteHeader(400)
		fmt.Fprint(w, `{"ok":false,"error_code":400,"description":"Bad Request: can't parse entities"}`)
	}
}

func TestSenderRetriesBlocksAndFails(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := openStore(t)
	api := &scripted{
		script:  map[string][]int{"1": {502, 502}, "2": {403}, "3": {400}},
		calls:   map[string][]time.Time{},
		success: map[string]int{},
	}
	srv := httptest.NewServer(api)
	defer srv.Close()

	enqueue := func(chatID int64, texts ...string) {
		err := db.Update(ctx, func(tx *store.Tx) error {
			for _, text := range texts {
				p, _ := chat.Reply{Action: chat.ActionSend, ChatID: chatID, Text: text}.Encode()
				if err := tx.Enqueue(chatID, 0, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	enqueue(1, "a", "b")
	enqueue(2, "c", "d")
	enqueue(3, "e", "f")

	limits := telegram.DefaultLimits()
	limits.RetryMin, limits.RetryMax = 50*time.Millisecond, 200*time.Millisecond
	s := &telegram.Sender{Client: telegram.NewClient(ctx, "t", srv.URL, 5*time.Second), Store: db, Limits: limits, Log: zerolog.Nop()}
	go s.Run(ctx)
	flushCtx, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	time.Sleep(50 * time.Millisecond) // Run loads the outbox
	if err := s.Flush(flushCtx); err != nil {
		t.Fatal(err)
	}

	api.mu.Lock()
	defer api.mu.Unlock()
	// 5xx: retried with backoff, then both delivered in order.
	if api.success["1"] != 2 || len(api.calls["1"]) != 4 {
		t.Fatalf("chat 1: %d delivered in %d calls", api.success["1"], len(api.calls["1"]))
	}
	if gap := api.calls["1"][1].Sub(api.calls["1"][0]); gap < limits.RetryMin {
		t.Errorf("retried after %v, before the backoff %v", gap, limits.RetryMin)
	}
	// 403: the chat is blocked and nothing more is tried.
	if len(api.calls["2"]) != 1 {
		t.Fatalf("chat 2 (blocked) got %d calls", len(api.calls["2"]))
	}
	if c, err := db.Chat(ctx, 2); err != nil || !c.Blocked() {
		t.Fatalf("chat 2 not marked blocked: %+v %v", c, err)
	}
	// 400: recorded as a failure, and the next message still goes out.
	if api.success["3"] != 1 || len(api.calls["3"]) != 2 {
		t.Fatalf("chat 3: %d delivered in %d calls", api.success["3"], len(api.calls["3"]))
	}
	if f, _ := db.Failures(ctx); f[400] != 1 {
		t.Fatalf("failures %v", f)
	}
	if n, _ := db.OutboxLen(ctx); n != 0 {
		t.Fatalf("%d messages left in the outbox", n)
	}
}

func TestClassify(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := strings.TrimPrefix(r.URL.Path, "/bott/")
		switch code {
		case "flood":
			w.WriteHeader(429)
			fmt.Fprint(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`)
		case "notmodified":
			w.WriteHeader(400)
			fmt.Fprint(w, `{"ok":false,"error_code":400,"description":"Bad Request: message is not modified: specified new message content and reply markup are exactly the same"}`)
		case "gone":
			w.WriteHeader(400)
			fmt.Fprint(w, `{"ok":false,"error_code":400,"description":"Bad Request: message to delete not found"}`)
		case "threadgone":
			w.WriteHeader(400)
			fmt.Fprint(w, `{"ok":false,"error_code":400,"description":"Bad Request: message thread not found"}`)
		case "unauthorized":
			w.WriteHeader(401)
			fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
		case "conflict":
			w.WriteHeader(409)
			fmt.Fprint(w, `{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request"}`)
		}
	}))
	defer srv.Close()
	c := telegram.NewClient(context.Background(), "t", srv.URL, 5*time.Second)
	for method, want := range map[string]error{
		"flood": telegram.ErrFlood, "notmodified": telegram.ErrNotModified, "gone": telegram.ErrGone,
		"unauthorized": telegram.ErrUnauthorized, "conflict": telegram.ErrConflict, "threadgone": telegram.ErrThreadGone,
	} {
		_, err := c.Call(method, nil)
		if !errors.Is(err, want) {
			t.Errorf("%s: got %v", method, err)
		}
		if method == "flood" {
			if e, ok := err.(*telegram.Error); !ok || e.RetryAfter != 7*time.Second {
				t.Errorf("retry_after not read: %v", err)
			}
		}
	}
	srv.Close()
	if _, err := c.Call("getMe", nil); !errors.Is(err, telegram.ErrServer) {
		t.Errorf("network error: got %v", err)
	}
}

// A network error must not carry the request URL into logs: it holds the
// bot token.
func TestNetworkErrorHidesToken(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := telegram.NewClient(context.Background(), "123456:SECRET-TOKEN", url, time.Second)
	_, err := c.Call("getMe", nil)
	if err == nil || strings.Contains(err.Error(), "SECRET-TOKEN") {
		t.Fatalf("error %v", err)
	}
}
