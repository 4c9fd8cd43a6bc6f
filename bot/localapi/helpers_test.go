package localapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const testToken = "123456:TEST-token"

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// botClient talks to the server the way go-telegram-bot-api v5 does:
// POST, application/x-www-form-urlencoded, nested objects as JSON strings.
type botClient struct {
	t     testing.TB
	base  string
	token string
}

func startServer(t testing.TB, cfg Config) (*Server, *botClient) {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = testToken
	}
	s := New(cfg)
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, &botClient{t: t, base: base, token: cfg.Token}
}

func (b *botClient) call(method string, params map[string]string) (int, envelope) {
	b.t.Helper()
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	resp, err := http.Post(b.base+"/bot"+b.token+"/"+method, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	var env envelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		b.t.Fatalf("%s: decode: %v", method, err)
	}
	return resp.StatusCode, env
}

// ok calls method and fails the test unless Telegram would accept it.
func (b *botClient) ok(method string, params map[string]string, into any) {
	b.t.Helper()
	status, env := b.call(method, params)
	if status != 200 || !env.OK {
		b.t.Fatalf("%s: status %d: %s", method, status, env.Description)
	}
	if into != nil {
		if err := json.Unmarshal(env.Result, into); err != nil {
			b.t.Fatalf("%s: result: %v", method, err)
		}
	}
}

// fails calls method and checks the exact Telegram error.
func (b *botClient) fails(method string, params map[string]string, code int, description string) envelope {
	b.t.Helper()
	status, env := b.call(method, params)
	if status != code || env.OK || env.ErrorCode != code || env.Description != description {
		b.t.Fatalf("%s: got %d %d %q, want %d %q", method, status, env.ErrorCode, env.Description, code, description)
	}
	return env
}

func (b *botClient) send(chatID int64, text string, extra map[string]string) tgMessage {
	b.t.Helper()
	p := map[string]string{"chat_id": id(chatID), "text": text}
	for k, v := range extra {
		p[k] = v
	}
	var m tgMessage
	b.ok("sendMessage", p, &m)
	return m
}

func (b *botClient) updates(offset int, timeout int) []tgUpdate {
	b.t.Helper()
	var ups []tgUpdate
	b.ok("getUpdates", map[string]string{"offset": strconv.Itoa(offset), "timeout": strconv.Itoa(timeout)}, &ups)
	return ups
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func inlineKeyboard(rows ...[]Button) string {
	var out [][]map[string]string
	for _, row := range rows {
		var r []map[string]string
		for _, b := range row {
			m := map[string]string{"text": b.Text}
			if b.CallbackData != "" {
				m["callback_data"] = b.CallbackData
			}
			if b.URL != "" {
				m["url"] = b.URL
			}
			r = append(r, m)
		}
		out = append(out, r)
	}
	return mustJSON(map[string]any{"inline_keyboard": out})
}
