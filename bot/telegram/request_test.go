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
	_, p, err := request(chat.Reply{Action: chat.ActionAnswerCallback, CallbackID: "q", CallbackText: long}, resolved{})
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(p["text"]); n != maxCallbackText || !strings.HasSuffix(p["text"], "…") {
		t.Fatalf("answer has %d characters: %q", n, p["text"][:20])
	}
	_, p, _ = request(chat.Reply{Action: chat.ActionAnswerCallback, CallbackID: "q", CallbackText: "OK"}, resolved{})
	if p["text"] != "OK" {
		t.Fatalf("short answer changed: %q", p["text"])
	}
}

// The id of a sent message is read without decoding the message, and the
// quick read agrees with the full one whatever the message looks like.
func TestSentMessageID(t *testing.T) {
	for raw, want := range map[string]int{
		`{"message_id":42,"chat":{"id":7},"text":"hi"}`:         42,
		`{"message_id":42}`:                                     42,
		`{"chat":{"id":7,"message_id":5},"message_id":43}`:      43,
		`{"message_id": 44, "text":"x"}`:                        44,
		`{"message_id":"x","text":"y"}`:                         0,
		`true`:                                                  0,
		`{"message_id":45,"reply_to_message":{"message_id":3}}`: 45,
		`{"message_id":9007199254740993,"text":"beyond int53"}`: 9007199254740993,
	} {
		if got := sentMessageID([]byte(raw)); got != want {
			t.Errorf("sentMessageID(%s) = %d, want %d", raw, got, want)
		}
	}
}

// Messages deleted together go out as one deleteMessages; one alone, as
// before, as deleteMessage; more than Telegram takes at once is refused
// before it is sent.
func TestDeletionsTogether(t *testing.T) {
	method, p, err := request(chat.Reply{Action: chat.ActionDelete, ChatID: 7, MessageIDs: []int{3, 4, 9}}, resolved{})
	if err != nil || method != "deleteMessages" || p["chat_id"] != "7" || p["message_ids"] != "[3,4,9]" {
		t.Fatalf("together: %s %v %v", method, p, err)
	}
	method, p, err = request(chat.Reply{Action: chat.ActionDelete, ChatID: 7, MessageID: 5}, resolved{})
	if err != nil || method != "deleteMessage" || p["message_id"] != "5" {
		t.Fatalf("alone: %s %v %v", method, p, err)
	}
	tooMany := make([]int, chat.MaxDeleteTogether+1)
	if _, _, err := request(chat.Reply{Action: chat.ActionDelete, ChatID: 7, MessageIDs: tooMany}, resolved{}); err == nil {
		t.Fatalf("%d messages deleted together", len(tooMany))
	}
}
