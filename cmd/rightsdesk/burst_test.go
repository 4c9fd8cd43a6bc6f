package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/locales"
)

// telegramLimiter stands in front of the local Bot API and limits as
// Telegram does: more than perSecond new messages in any second, across
// all chats, opens a 429 window for the whole bot (retry_after 1 s); and a
// few chats are limited on their own.
type telegramLimiter struct {
	api       *localapi.Server
	perSecond int

	mu    sync.Mutex
	sends []time.Time
	hits  int
}

func (l *telegramLimiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	if method == "sendMessage" || method == "editMessageText" {
		now := time.Now()
		l.mu.Lock()
		kept := l.sends[:0]
		for _, t := range l.sends {
			if now.Sub(t) < time.Second {
				kept = append(kept, t)
			}
		}
		l.sends = append(kept, now)
		over := len(l.sends) > l.perSecond
		if over {
			l.hits++
			l.sends = l.sends[:0]
		}
		l.mu.Unlock()
		if over {
			l.api.FloodGlobal(time.Second)
		}
	}
	l.api.ServeHTTP(w, r)
}

// A burst of 1,000 people writing at once, against Telegram-like limits
// (100 messages a second overall, some chats limited on their own; Telegram
// publishes no exact figure — 30 a second is its ceiling for bulk
// notifications, answers to people who wrote may go faster — and 100 gives
// dozens of 429 windows in a few seconds): every
// one gets the answer, and no request goes to a chat inside a 429 window
// it was told about — the sender never retries before retry_after ends.
func TestBurstOfThousandUnderFloodLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 people against a rate limit; skipped with -short")
	}
	const people = 1000
	api := localapi.New(localapi.Config{Token: demoToken})
	limiter := &telegramLimiter{api: api, perSecond: 100}
	baseURL := serveOn(t, &http.Server{Handler: limiter, ReadHeaderTimeout: 5 * time.Second})
	t.Cleanup(func() { api.Close() })
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, api: api, baseURL: baseURL, logs: &syncBuffer{}, catalog: catalog,
		dbPath: filepath.Join(t.TempDir(), "burst.db")}
	h.start(harnessOptions{})

	users := make([]*localapi.User, people)
	for i := range users {
		users[i] = api.NewUser(fmt.Sprintf("Burst%04d", i), locales.Languages[i%len(locales.Languages)])
	}
	for i, u := range users {
		if i%97 == 0 {
			api.FloodChat(u.ChatID(), 2*time.Second) // limited on its own too
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Add(1)
		go func() { defer wg.Done(); u.SendText("/start") }()
	}
	wg.Wait()

	welcomed := func(u *localapi.User) bool {
		want := catalog.T(locales.Match(u.Language()), "start_welcome", nil)
		for _, m := range u.Messages() {
			if m.Text == want {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(120 * time.Second)
	missing := people
	for time.Now().Before(deadline) {
		missing = 0
		for _, u := range users {
			if !welcomed(u) {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	took := time.Since(start)
	waitQuiet(api, 500*time.Millisecond, 10*time.Second)
	if missing > 0 {
		t.Errorf("%d of %d people got no answer within %v", missing, people, took.Round(time.Second))
	}
	duplicates := 0
	for _, u := range users {
		if n := len(u.Messages()); n > 1 {
			duplicates += n - 1
		}
	}
	if duplicates > 0 {
		t.Errorf("%d answers more than one per person", duplicates)
	}
	told := violationsTold(api)
	if len(told) > 0 {
		t.Errorf("%d requests inside a 429 window the bot had been told about, e.g. %+v", len(told), told[0])
	}
	limiter.mu.Lock()
	hits := limiter.hits
	limiter.mu.Unlock()
	if hits == 0 {
		t.Error("the limit was never reached: the test proves nothing")
	}
	flood429 := 0
	for _, r := range api.Requests() {
		if r.Status == 429 {
			flood429++
		}
	}
	t.Logf("%d people answered in %v; %d global 429 windows, %d requests answered 429, 0 retries inside a told window",
		people-missing, took.Round(time.Millisecond), hits, flood429)
}
