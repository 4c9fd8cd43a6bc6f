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

// The answer to a press is never written to the outbox and goes out beside
// the message its turn queued, not ahead of it: a slow answer does not
// hold the page back. A 429 on it pauses the chat for exactly retry_after,
// and the answer is not tried again (a late answer is refused by Telegram
// anyway).
func TestAnswerGoesBesideTheMessageWithoutTheOutbox(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := openStore(t)
	type call struct {
		method, chat string
		at           time.Time
	}
	const slowAnswer = 500 * time.Millisecond
	var mu sync.Mutex
	var calls []call
	var answered7 time.Time
	floodedAt := make(chan time.Time, 1)
	flood := map[string]bool{"flooded": true}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		method := r.URL.Path[len("/bott/"):]
		query := r.Form.Get("callback_query_id")
		mu.Lock()
		calls = append(calls, call{method, r.Form.Get("chat_id") + query, time.Now()})
		refuse := flood[query]
		flood[query] = false
		mu.Unlock()
		if refuse {
			w.WriteHeader(429)
			w.Write([]byte(`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`))
			floodedAt <- time.Now()
			return
		}
		if method == "answerCallbackQuery" {
			if query == "q7" {
				time.Sleep(slowAnswer)
				mu.Lock()
				answered7 = time.Now()
				mu.Unlock()
			}
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
		if query != "" {
			s.Answer(chat.Reply{Action: chat.ActionAnswerCallback, ChatID: chatID, CallbackID: query})
		}
		s.Notify(chatID)
	}
	turn(7, "q7", "page")
	turn(8, "flooded", "beside the flooded answer")
	// What the chat is sent after the 429 waits out its retry_after.
	var flooded time.Time
	select {
	case flooded = <-floodedAt:
	case <-time.After(5 * time.Second):
		t.Fatal("the answer to be flooded was never sent")
	}
	turn(8, "", "after the flood")
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
	var page7, after8 time.Time
	answers, answers7 := 0, 0
	for _, c := range calls {
		switch {
		case c.chat == "7":
			page7 = c.at
		case c.chat == "q7":
			answers7++
		case c.chat == "flooded":
			answers++
		case c.chat == "8":
			after8 = c.at // the later of chat 8's two messages
		}
	}
	if answers7 != 1 || page7.IsZero() {
		t.Fatalf("chat 7 got %d answers and its page at %v", answers7, page7)
	}
	if !page7.Before(answered7) {
		t.Errorf("chat 7's page went %v after its slow answer was done: the answer held it back", page7.Sub(answered7))
	}
	if answers != 1 {
		t.Errorf("the flooded answer was tried %d times, want once", answers)
	}
	if d := after8.Sub(flooded); d < time.Second-10*time.Millisecond {
		t.Errorf("chat 8's message went %v after the 429 that said retry after 1 s", d)
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
