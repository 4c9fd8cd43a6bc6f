package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
)

// pastStart brings a user to the menu in English.
func pastStart(t *testing.T, h *harness, name string) *localapi.User {
	t.Helper()
	return pastStartIn(t, h, name, "en")
}

// pastStartIn brings a user whose Telegram speaks lang to the menu in lang.
func pastStartIn(t *testing.T, h *harness, name, lang string) *localapi.User {
	t.Helper()
	u := h.api.NewUser(name, lang)
	u.SendText("/start")
	welcome := waitText(t, u, h.catalog.T(lang, "start_welcome", nil)[:20])
	if err := u.Press(welcome.ID, h.catalog.T(lang, "language_name", nil)); err != nil {
		t.Fatal(err)
	}
	waitText(t, u, h.catalog.T(lang, "menu_title", nil))
	return u
}

func violationsTold(api *localapi.Server) []localapi.Violation {
	var out []localapi.Violation
	for _, v := range api.Violations() {
		if v.ChatWasTold {
			out = append(out, v)
		}
	}
	return out
}

// A 429 for one chat pauses that chat for exactly retry_after; the reply
// still arrives, and other chats are not held up.
func TestFloodOneChat(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	a := pastStart(t, h, "A")
	b := pastStart(t, h, "B")
	h.api.FloodChat(a.ChatID(), 2*time.Second)
	before := len(a.Messages())
	sentAt := time.Now()
	a.SendText("hello")
	bBefore := len(b.Messages())
	b.SendText("hello")
	waitNewMessage(t, b, bBefore, h.catalog.T("en", "text_no_question", nil)[:20])
	if d := time.Since(sentAt); d > time.Second {
		t.Errorf("the other chat waited %v behind the flooded one", d)
	}
	m := waitNewMessage(t, a, before, h.catalog.T("en", "text_no_question", nil)[:20])
	if d := m.Date.Sub(sentAt); d < 2*time.Second-100*time.Millisecond {
		t.Errorf("reply arrived %v after the send, inside the 2 s window", d)
	}
	if v := violationsTold(h.api); len(v) > 0 {
		t.Fatalf("requests inside a 429 window the bot was told about: %+v", v)
	}
	assertAll429Waited(t, h.api, a.ChatID(), 2*time.Second)
}

// When 429s hit several chats at once, all sending pauses until they expire.
func TestFloodGlobal(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	var users []*localapi.User
	for i := range 4 {
		users = append(users, pastStart(t, h, fmt.Sprintf("G%d", i)))
	}
	h.api.FloodGlobal(2 * time.Second)
	start := time.Now()
	var before []int
	for _, u := range users {
		before = append(before, len(u.Messages()))
		u.SendText("hi")
	}
	for i, u := range users {
		m := waitNewMessage(t, u, before[i], h.catalog.T("en", "text_no_question", nil)[:20])
		if m.Date.Sub(start) < 1900*time.Millisecond {
			t.Errorf("user %d got a reply %v after start, inside the global window", i, m.Date.Sub(start))
		}
	}
	if v := violationsTold(h.api); len(v) > 0 {
		t.Fatalf("requests inside a 429 window the bot was told about: %+v", v)
	}
}

// A group never receives more than the configured number in any window,
// and every message still arrives.
func TestGroupPacing(t *testing.T) {
	limits := telegram.DefaultLimits()
	limits.GroupPerMinute = 5
	limits.GroupWindow = 2 * time.Second
	h := startHarness(t, harnessOptions{limits: &limits})
	owner := h.api.NewUser("Owner", "en")
	g := h.api.NewGroup("Union desk", owner)
	_, botName := h.api.BotUser()
	const n = 12
	for i := range n {
		g.Send(owner, fmt.Sprintf("@%s hello %d", botName, i))
	}
	deadline := time.Now().Add(15 * time.Second)
	for len(g.Messages()) < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	msgs := g.Messages()
	if len(msgs) != n {
		t.Fatalf("group got %d of %d replies", len(msgs), n)
	}
	var sends []time.Time
	for _, r := range h.api.Requests() {
		if r.ChatID == g.ID() && r.Method == "sendMessage" && r.Status == 200 {
			sends = append(sends, r.At)
		}
	}
	for i := range sends {
		j := i + limits.GroupPerMinute
		if j < len(sends) && sends[j].Sub(sends[i]) < limits.GroupWindow {
			t.Fatalf("%d messages within %v: %v … %v", limits.GroupPerMinute+1, limits.GroupWindow, sends[i], sends[j])
		}
	}
}

// assertAll429Waited checks in the request log that after each 429 to the
// chat, the next request came no earlier than retry_after.
func assertAll429Waited(t *testing.T, api *localapi.Server, chatID int64, retryAfter time.Duration) {
	t.Helper()
	var last429 time.Time
	for _, r := range api.Requests() {
		if r.ChatID != chatID {
			continue
		}
		if !last429.IsZero() && r.At.Sub(last429) < retryAfter-50*time.Millisecond {
			t.Fatalf("request %s %v after a 429, before retry_after %v", r.Method, r.At.Sub(last429), retryAfter)
		}
		if r.Status == 429 {
			last429 = r.At
		} else {
			last429 = time.Time{}
		}
	}
}
