package telegram_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/telegram"
)

// sentPage is what Telegram answers a sendMessage of a guide page with: the
// whole message again, text, entities and keyboard, message_id first.
func sentPage(id int) any {
	type button struct {
		Text string `json:"text"`
		Data string `json:"callback_data"`
	}
	return struct {
		MessageID int            `json:"message_id"`
		ThreadID  int            `json:"message_thread_id"`
		From      map[string]any `json:"from"`
		Chat      map[string]any `json:"chat"`
		Date      int            `json:"date"`
		Text      string         `json:"text"`
		Entities  []any          `json:"entities"`
		Markup    any            `json:"reply_markup"`
	}{
		MessageID: id, ThreadID: 7, Date: 1,
		From:     map[string]any{"id": 99, "is_bot": true, "first_name": "rightsdesk"},
		Chat:     map[string]any{"id": 5, "type": "private"},
		Text:     strings.Repeat(`ILO C29 Art. 1 "forced labour" \ }{ ][ `, 100),
		Entities: []any{map[string]any{"type": "bold", "offset": 0, "length": 7}},
		Markup:   map[string]any{"inline_keyboard": [][]button{{{"Next", "v1:g:p:2"}}}},
	}
}

// The client hands the library only the ids of a message it sent or
// edited, whatever the way the answer came, and of a press only what the
// poller reads; every other answer, and every failure, reaches the library
// whole.
func TestClientHandsTheLibraryWhatTheBotReads(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	pressUnderPage, _ := json.Marshal(map[string]any{"update_id": 31, "callback_query": map[string]any{
		"id": "q", "from": map[string]any{"id": 5, "is_bot": false, "first_name": "A"}, "chat_instance": "c",
		"data": "v1:g:p:2", "message": sentPage(42)}})
	const typed = `{"update_id":32,"message":{"message_id":43,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"A"},"text":"my passport \"was\" taken }"}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answer := func(v any) {
			b, _ := json.Marshal(v)
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Query().Get("gzip") != "" || r.FormValue("gzip") != "" {
				w.Header().Set("Content-Encoding", "gzip")
				z := gzip.NewWriter(w)
				z.Write(b)
				z.Close()
				return
			}
			w.Write(b)
		}
		switch r.URL.Path {
		case "/bott/sendMessage", "/bott/editMessageText":
			if r.FormValue("fail") != "" {
				w.WriteHeader(http.StatusBadRequest)
				answer(map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: message text is empty"})
				return
			}
			if r.FormValue("slow") != "" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusOK)
				w.Write([]byte(`{"ok":true,"result":{"message_id":1,`))
				w.(http.Flusher).Flush()
				select {
				case <-release:
				case <-r.Context().Done():
				}
				return
			}
			answer(map[string]any{"ok": true, "result": sentPage(42)})
		case "/bott/getUpdates":
			w.Header().Set("Content-Type", "application/json")
			if r.FormValue("big") != "" {
				// Past what is read ahead, in chunks: passed on whole.
				w.Write([]byte(`{"ok":true,"result":[`))
				for i := range 250 {
					if i > 0 {
						w.Write([]byte(","))
					}
					w.Write(pressUnderPage)
					w.(http.Flusher).Flush()
				}
				w.Write([]byte(`]}`))
				return
			}
			w.Write([]byte(`{"ok":true,"result":[` + string(pressUnderPage) + `,` + typed + `]}`))
		case "/bott/getChatMember":
			answer(map[string]any{"ok": true, "result": map[string]any{"status": "member",
				"user": map[string]any{"id": 5, "is_bot": false, "first_name": "A"}}})
		}
	}))
	defer srv.Close()
	c := telegram.NewClient(context.Background(), "t", srv.URL, 500*time.Millisecond)

	for _, p := range []map[string]string{{}, {"gzip": "1"}} {
		for _, method := range []string{"sendMessage", "editMessageText"} {
			raw, err := c.Call(method, p)
			if err != nil {
				t.Fatalf("%s %v: %v", method, p, err)
			}
			if string(raw) != `{"message_id":42,"message_thread_id":7}` {
				t.Fatalf("%s %v: the library got %s", method, p, raw)
			}
		}
	}

	raw, err := c.Call("getUpdates", nil)
	var updates []json.RawMessage
	if err != nil || json.Unmarshal(raw, &updates) != nil || len(updates) != 2 {
		t.Fatalf("getUpdates: %s, %v", raw, err)
	}
	if string(updates[1]) != typed {
		t.Fatalf("a typed message reached the library as %s", updates[1])
	}
	var press struct {
		ID       int64 `json:"update_id"`
		Callback struct {
			Data    string         `json:"data"`
			Message map[string]any `json:"message"`
		} `json:"callback_query"`
	}
	if json.Unmarshal(updates[0], &press) != nil || press.ID != 31 || press.Callback.Data != "v1:g:p:2" ||
		press.Callback.Message["message_id"] != 42.0 || press.Callback.Message["chat"] == nil ||
		press.Callback.Message["text"] != nil || press.Callback.Message["reply_markup"] != nil {
		t.Fatalf("a press reached the library as %s", updates[0])
	}

	if len(pressUnderPage)*250 <= 1<<20 {
		t.Fatalf("a press of %d bytes makes too small an answer", len(pressUnderPage))
	}
	raw, err = c.Call("getUpdates", map[string]string{"big": "1"})
	updates = nil
	if err != nil || json.Unmarshal(raw, &updates) != nil || len(updates) != 250 || string(updates[249]) != string(pressUnderPage) {
		t.Fatalf("an answer past what is read ahead: %d updates, %v", len(updates), err)
	}

	raw, err = c.Call("getChatMember", nil)
	var member struct {
		Status string `json:"status"`
		User   struct {
			FirstName string `json:"first_name"`
		} `json:"user"`
	}
	if err != nil || json.Unmarshal(raw, &member) != nil || member.Status != "member" || member.User.FirstName != "A" {
		t.Fatalf("getChatMember: %s, %v", raw, err)
	}

	_, err = c.Call("sendMessage", map[string]string{"fail": "1"})
	if !errors.Is(err, telegram.ErrBadRequest) || !strings.Contains(err.Error(), "message text is empty") {
		t.Fatalf("a refused send: %v", err)
	}

	done := make(chan error, 1)
	go func() { _, err := c.Call("sendMessage", map[string]string{"slow": "1"}); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, telegram.ErrServer) {
			t.Fatalf("an answer that stalls: %v, want a server error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading an answer ahead of the library escaped the client's timeout")
	}
}

// FuzzLeanAnswer holds the answer the library gets to the whole one: for
// any JSON, the cut answer, when there is one, is JSON, says ok, and gives
// the same message and thread ids.
func FuzzLeanAnswer(f *testing.F) {
	page, _ := json.Marshal(map[string]any{"ok": true, "result": sentPage(42)})
	for _, s := range []string{
		string(page),
		`{"ok":true,"result":{"message_id":3,"chat":{"id":1},"text":"a\"}b"}}`,
		`{"OK":true,"Result":{"Message_ID":3,"MESSAGE_THREAD_ID":4}}`,
		`{"ok":true,"result":{"message_id":3,"message_id":5}}`,
		`{"ok":true,"result":true}`, `{"ok":false,"error_code":400,"description":"x"}`,
		`{"ok":true,"result":{"message_\u0069d":3}}`, `{"ok":true,"result":{"méssage_id":3}}`,
		` { "ok" : true , "result" : { "message_id" : 9 , "x" : [ 1 , { } ] } } `,
		`{"ok":true,"result":{}}`, `{}`, `[]`, `null`,
	} {
		f.Add([]byte(s))
	}
	type answer struct {
		OK     bool            `json:"ok"`
		Result json.RawMessage `json:"result"`
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		lean, ok := telegram.LeanAnswerForTest(body)
		var whole answer
		if !json.Valid(body) || json.Unmarshal(body, &whole) != nil {
			return
		}
		if !ok {
			return
		}
		var cut answer
		if err := json.Unmarshal(lean, &cut); err != nil {
			t.Fatalf("%s cut to %s, not JSON: %v", body, lean, err)
		}
		if !cut.OK || !whole.OK {
			t.Fatalf("%s (ok %v) cut to %s (ok %v)", body, whole.OK, lean, cut.OK)
		}
		wm, wt := telegram.SentIDsForTest(whole.Result)
		cm, ct := telegram.SentIDsForTest(cut.Result)
		if wm != cm || wt != ct {
			t.Fatalf("%s gives message %d thread %d; cut to %s, %d and %d", body, wm, wt, lean, cm, ct)
		}
	})
}

// FuzzPick holds pick to encoding/json: for any JSON object, keeping every
// member rebuilds the same object, and dropping some leaves the rest.
func FuzzPick(f *testing.F) {
	for _, s := range []string{
		`{}`, ` {"a":1} `, `{"a":"x\"}","b":[1,{"c":"]"}],"a":2}`, `{"A":null,"bb":true,"c":-1.5e3}`,
		`{"a":{"b":{"c":[[],{}]}}}`, `{"\u0061":1}`, `{"é":1}`, `{"a":1,}`, `{"a" 1}`, `[1]`, `{"a":"\\"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, obj []byte) {
		all, okAll := telegram.PickForTest(obj, func(string) bool { return true })
		odd, okOdd := telegram.PickForTest(obj, func(k string) bool { return len(k)%2 == 1 })
		var want map[string]any
		if json.Unmarshal(obj, &want) != nil || want == nil {
			return // not an object: pick may refuse or keep, never panic
		}
		if okAll != okOdd {
			t.Fatalf("%s: picked whole %v, in part %v", obj, okAll, okOdd)
		}
		if !okAll {
			return // a key pick does not read plainly
		}
		var got map[string]any
		if err := json.Unmarshal(all, &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s picked whole is %s (%v)", obj, all, err)
		}
		for k := range want {
			if len(k)%2 == 0 {
				delete(want, k)
			}
		}
		got = nil
		if err := json.Unmarshal(odd, &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s picked in part is %s (%v), want %v", obj, odd, err, want)
		}
	})
}

// What the client spends on Telegram's answer to a sent guide page, whole
// (as the library reads any answer) and cut to the message's ids, server
// included. "copyPage" is answered like sendMessage but is not one of the
// methods whose answers are cut.
//
// go test -run '^$' -bench SentPage -benchmem ./bot/telegram
func BenchmarkSentPage(b *testing.B) {
	answer, _ := json.Marshal(map[string]any{"ok": true, "result": sentPage(42)})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.FormValue("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
		}
		w.Write(answer)
	}))
	defer srv.Close()
	client := telegram.NewClient(context.Background(), "t", srv.URL, time.Minute)
	for _, c := range []struct{ name, method, chunked string }{
		{"whole", "copyPage", ""}, {"lean", "sendMessage", ""},
		{"whole-chunked", "copyPage", "1"}, {"lean-chunked", "sendMessage", "1"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(answer)))
			cpu := processCPU()
			defer func() { b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op") }()
			for b.Loop() {
				// The sender reads the message id alone, first in the answer.
				raw, err := client.Call(c.method, map[string]string{"chat_id": "5", "text": "x", "chunked": c.chunked})
				if id, _ := telegram.SentIDsForTest(raw); err != nil || id != 42 {
					b.Fatal(string(raw), err)
				}
			}
		})
	}
}

// processCPU is the user and system time this process has used, in ns: the
// client and the server both, which answers alike whatever the method.
func processCPU() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
