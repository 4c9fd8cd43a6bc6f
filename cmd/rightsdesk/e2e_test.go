package main

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/locales"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Each language: /start → pick the language → the menu in that language.
func TestStartPickLanguageSeeMenu(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	for _, lang := range locales.Languages {
		t.Run(lang, func(t *testing.T) {
			// The user's Telegram is in another language, so the pick matters.
			u := h.api.NewUser("Worker-"+lang, "de")
			u.SendText("/start")
			welcome := waitText(t, u, h.catalog.T("en", "start_welcome", nil)[:20])
			want := h.catalog.T(lang, "language_name", nil)
			if err := u.Press(welcome.ID, want); err != nil {
				t.Fatalf("press %q: %v (buttons %q)", want, err, buttonTexts(welcome))
			}
			menu := waitText(t, u, h.catalog.T(lang, "menu_title", nil))
			got := buttonTexts(menu)
			for _, id := range []string{"menu_short_guide", "menu_short_complaint", "menu_short_cases", "menu_short_help"} {
				label := h.catalog.T(lang, id, nil)
				if !contains(got, label) {
					t.Errorf("menu lacks %s %q; has %q", id, label, got)
				}
			}
		})
	}
	// Every callback query was answered, and the commands are registered
	// in every language.
	deadline := time.Now().Add(5 * time.Second)
	for _, lang := range locales.Languages {
		for len(h.api.Commands(lang)) == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		cmds := h.api.Commands(lang)
		if len(cmds) == 0 {
			t.Fatalf("no commands registered for %s", lang)
		}
		if want := h.catalog.T(lang, "cmd_guide_desc", nil); !containsCommand(cmds, "guide", want) {
			t.Errorf("%s: /guide not described as %q: %v", lang, want, cmds)
		}
	}
}

func TestTelegramLanguageGreets(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	u := h.api.NewUser("Nino", "ka-GE")
	u.SendText("/start")
	waitText(t, u, h.catalog.T("ka", "start_welcome", nil)[:30])
}

// Bad input of every kind gets an answer in the user's language.
func TestBadInputAnswered(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	u := h.api.NewUser("Ion", "ro")
	u.SendText("/start")
	welcome := waitText(t, u, h.catalog.T("ro", "start_welcome", nil)[:20])
	if err := u.Press(welcome.ID, h.catalog.T("ro", "language_name", nil)); err != nil {
		t.Fatal(err)
	}
	waitText(t, u, h.catalog.T("ro", "menu_title", nil))

	steps := []struct {
		name string
		do   func()
		want string
	}{
		{"sticker", func() { u.SendSticker() }, "unsupported_sticker"},
		{"voice", func() { u.SendVoice() }, "voice_outside_complaint"},
		{"photo", func() { u.SendPhoto("") }, "unsupported_media"},
		{"document", func() { u.SendDocument("a.pdf", "application/pdf", "") }, "unsupported_media"},
		{"forward", func() { u.Forward("hello") }, "forward_note"},
		{"text", func() { u.SendText(strings.Repeat("ș", 4096)) }, "text_no_question"},
		{"unknown command", func() { u.SendText("/frobnicate") }, "unknown_command"},
		{"edit", func() {
			id := u.SendText("typo")
			waitText(t, u, h.catalog.T("ro", "text_no_question", nil)[:20])
			u.Edit(id, "fixed")
		}, "edited_ignored"},
		{"stale button", func() { u.PressData(welcome.ID, "v0:old:thing") }, "stale_button"},
	}
	for _, s := range steps {
		before := len(u.Messages())
		s.do()
		want := firstLine(h.catalog.T("ro", s.want, map[string]any{"Command": "/frobnicate", "Max": 0}))
		waitNewMessage(t, u, before, want)
	}
	awaitAnswered(u)
	if answers := u.CallbackAnswers(); len(answers) < 2 {
		t.Fatalf("callback queries answered: %d", len(answers))
	}
}

// waitNewMessage waits for a bot message after the first `before` ones
// whose text contains want.
func waitNewMessage(t *testing.T, u *localapi.User, before int, want string) localapi.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msgs := u.Messages()
		for _, m := range msgs[min(before, len(msgs)):] {
			if strings.Contains(m.Text, want) {
				return m
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	var got []string
	for _, m := range u.Messages()[before:] {
		got = append(got, firstLine(m.Text))
	}
	t.Fatalf("no new message containing %q; new messages: %q", want, got)
	return localapi.Message{}
}

func TestHealthz(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	resp, err := http.Get("http://" + h.listen + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %s", resp.Status)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsCommand(cmds []localapi.BotCommand, name, desc string) bool {
	for _, c := range cmds {
		if c.Command == name && c.Description == desc {
			return true
		}
	}
	return false
}

// A worker who clears the chat after a long conversation, perhaps because
// someone is about to look at the phone, sees it cleared at once: the
// messages go out of the chat a hundred a request, not one a request.
func TestClearingALongChat(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	u := pastStartIn(t, h, "Ion", "ro")
	menu := h.catalog.T("ro", "menu_title", nil)
	for range 80 {
		before := len(u.Messages())
		u.SendText("/menu")
		waitNewMessage(t, u, before, menu)
	}
	before := len(u.Messages())
	u.SendText("/help")
	help := waitNewMessage(t, u, before, "")
	if err := u.PressData(help.ID, "v1:c:x"); err != nil {
		t.Fatalf("no clear button under /help: %v", err)
	}
	confirm := waitNewMessage(t, u, before+1, h.catalog.T("ro", "clear_confirm", nil)[:20])
	if err := u.PressData(confirm.ID, "v1:c:xy"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done, err := u.WaitFor(ctx, func(m localapi.Message) bool { return m.ID > confirm.ID })
	if err != nil {
		t.Fatalf("no word that the chat was cleared: %v", err)
	}
	left := 0
	for _, m := range u.Messages() {
		if m.ID < done.ID && !m.Deleted {
			left++
		}
	}
	together, alone := 0, 0
	for _, r := range h.api.Requests() {
		switch r.Method {
		case "deleteMessages":
			together++
		case "deleteMessage":
			alone++
		}
	}
	// Some 170 messages, the bot's and the worker's: two requests.
	if left != 0 || alone != 0 || together != 2 {
		t.Errorf("%d messages left; %d deleteMessages and %d deleteMessage requests", left, together, alone)
	}
	noErrorResponses(t, h.api)
}
