package telegram

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/bot/chat"
)

// Telegram refuses a callback answer over 200 characters, leaving the
// button spinning; the transport cuts it instead.
func TestCallbackAnswerFitsTelegramsLimit(t *testing.T) {
	long := strings.Repeat("ქ", 250)
	_, p, err := request(chat.Reply{Action: chat.ActionAnswerCallback, CallbackID: "q", CallbackText: long})
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(p["text"]); n != maxCallbackText || !strings.HasSuffix(p["text"], "…") {
		t.Fatalf("answer has %d characters: %q", n, p["text"][:20])
	}
	_, p, _ = request(chat.Reply{Action: chat.ActionAnswerCallback, CallbackID: "q", CallbackText: "OK"})
	if p["text"] != "OK" {
		t.Fatalf("short answer changed: %q", p["text"])
	}
}
