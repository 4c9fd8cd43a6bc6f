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

// The answer to a press is never written to the outbox, yet goes out in
// the chat's order, ahead of the message its turn queued; a 429 on it
// pauses the chat for exactly retry_after, and the answer is not tried
// again (a late answer is refused by Telegram anyway).
func TestAnswerGoesFirstWithoutTheOutbox(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := openStore(t)
	type call struct {
		method, chat string
		at           time.Time
	}
	var mu sync.Mutex
	var calls []call
	flood := map[string]bool{"flooded": true}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		method := r.URL.Path[len("/bott/"):]
		mu.Lock()
		calls = append(calls, call{method, r.Form.Get("chat_id") + r.Form.Get("callback_query_id"), time.Now()})
		refuse := flood[r.Form.Get("callback_query_id")]
		flood[r.Form.Get("callback_query_id")] = false
		mu.Unlock()
		if refuse {
			w.WriteHeader(429)
			w.Write([]byte(`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`))
			return
		}
		if method == "answerCallbackQuery" {
			w.Write([]byte(`{"ok":true,"result":true}`))
			return
		}
		w.Write([]byte(`{"ok":true,"result":{"message_id":9,"date":0,"chat":{"id":7,"type":"private"}}}`))
	}))
	defer srv.Close()
	s := &telegram.Sender{Client: telegram.NewClient(ctx, "t", srv.URL, 5*time.Second), Store: db, Log: zerolog.Nop()}
	go s.Run(ctx)
	time.Sleep(50 * time.Millisecond)

	// A turn: its message committed to the outbox, its answer handed over.
	turn := func(chatID int64, query, text string) {
		p, _ := chat.Reply{Action: chat.ActionSend, ChatID: chatID, Text: text}.Encode()
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.Enqueue(chatID, int(chat.Interactive), p) }); err != nil {
			t.Fatal(err)
		}
		s.Answer(chat.Reply{Action: chat.ActionAnswerCallback, ChatID: chatID, CallbackID: query})
		s.Notify(chatID)
	}
	turn(7, "q7", "page")
	turn(8, "flooded", "after the flood")
	flush, stop := context.WithTimeout(ctx, 5*time.Second)
	defer stop()
	if err := s.Flush(flush); err != nil {
		t.Fatal(err)
	}
	if chats, err := db.OutboxChats(ctx); err != nil || len(chats) != 0 {
		t.Fatalf("outbox left with %v (%v)", chats, err)
	}
	mu.Lock()
	defer mu.Unlock()
	var order7 []string
	var floodedAt, nextAt time.Time
	answers := 0
	for _, c := range calls {
		switch {
		case c.chat == "7" || c.chat == "q7":
			order7 = append(order7, c.method)
		case c.chat == "flooded":
			floodedAt = c.at
			answers++
		case c.chat == "8":
			nextAt = c.at
		}
	}
	if len(order7) != 2 || order7[0] != "answerCallbackQuery" || order7[1] != "sendMessage" {
		t.Errorf("chat 7 got %v, want the answer, then the message", order7)
	}
	if answers != 1 {
		t.Errorf("the flooded answer was tried %d times, want once", answers)
	}
	if nextAt.IsZero() || nextAt.Sub(floodedAt) < time.Second {
		t.Errorf("chat 8's message went %v after the 429 that said retry after 1 s", nextAt.Sub(floodedAt))
	}
}

// A press answered before the sender runs is sent when it starts.
func TestAnswerBeforeRunIsSentAtStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := openStore(t)
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		got <- r.Form.Get("callback_query_id")
		w.Write([]byte(`{"ok":true,"result":true}`))
	}))
	defer srv.Close()
	s := &telegram.Sender{Client: telegram.NewClient(ctx, "t", srv.URL, 5*time.Second), Store: db, Log: zerolog.Nop()}
	s.Answer(chat.Reply{Action: chat.ActionAnswerCallback, ChatID: 3, CallbackID: "early"})
	go s.Run(ctx)
	select {
	case id := <-got:
		if id != "early" {
			t.Errorf("answered %q", id)
		}
	case <-time.After(5 * time.Second):
		t.Error("the early answer was never sent")
	}
}
