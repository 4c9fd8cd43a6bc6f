package chat_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/bot/chat"
)

// A reply that claims to round-trip comes back from its stored form
// exactly; one that does not, does not.
func TestReplyRoundTrips(t *testing.T) {
	menu := &chat.Keyboard{Inline: [][]chat.Button{{{Text: "Гид", Data: "m:guide"}, {Text: "<b>&", URL: "https://example.org/?a=1&b=2"}}, {}, nil}}
	for _, r := range []chat.Reply{
		{Action: chat.ActionSend, ChatID: 7, Text: "Спасибо. <i>ok</i> & ქართული", Keyboard: menu},
		{Action: chat.ActionSend, ChatID: -100, Text: "x", Keyboard: &chat.Keyboard{Reply: [][]chat.ReplyButton{{{Text: "📍", RequestLocation: true}}}}},
		{Action: chat.ActionSend, ChatID: 7, Keyboard: &chat.Keyboard{Remove: true}},
		{Action: chat.ActionSend, ChatID: 7, Keyboard: &chat.Keyboard{}},
		{Action: chat.ActionAnswerCallback, ChatID: 7, CallbackID: "q1", CallbackText: "ok", Alert: true},
		{Action: chat.ActionSetCommands, Commands: []chat.Command{{Command: "start", Description: "Начать"}}, LanguageCode: "ru", Priority: chat.Bulk},
		{Action: chat.ActionSendLocation, ChatID: 7, Location: &chat.Location{Lat: 40.409264, Lon: -0.1}},
		{Action: chat.ActionEdit, ChatID: 7, MessageID: 12, Text: "edited"},
		// These do not survive JSON unchanged.
		{Action: chat.ActionSend, ChatID: 7, Text: "broken \xff utf-8"},
		{Action: chat.ActionSend, ChatID: 7, Keyboard: &chat.Keyboard{Inline: [][]chat.Button{}}},
		{Action: chat.ActionSend, ChatID: 7, Keyboard: &chat.Keyboard{Reply: [][]chat.ReplyButton{}}},
		{Action: chat.ActionSetCommands, Commands: []chat.Command{}},
		{Action: chat.ActionSend, ChatID: 7, Keyboard: &chat.Keyboard{Inline: [][]chat.Button{{{Text: "a", Data: "\xc3"}}}}},
	} {
		b, err := r.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := chat.DecodeReply(b)
		if err != nil {
			t.Fatal(err)
		}
		if same := reflect.DeepEqual(back, r); same != r.RoundTrips() {
			t.Errorf("RoundTrips() = %v, but decoding the stored form gives it back: %v\n%s", r.RoundTrips(), same, b)
		}
	}
}

func TestButtonWidthBudget(t *testing.T) {
	for _, tc := range []struct {
		label  string
		perRow int
		fits   bool
	}{
		{strings.Repeat("a", 36), 1, true}, {strings.Repeat("a", 37), 1, false},
		{strings.Repeat("ж", 32), 1, true}, {strings.Repeat("ж", 33), 1, false},
		{strings.Repeat("ქ", 26), 1, true}, {strings.Repeat("ქ", 27), 1, false},
		{"📖 " + strings.Repeat("a", 33), 1, true}, {"📖 " + strings.Repeat("a", 34), 1, false},
		{"⚠️ " + strings.Repeat("a", 33), 1, true}, // the variation selector takes no room
		{strings.Repeat("a", 16), 2, true}, {strings.Repeat("a", 17), 2, false},
	} {
		if got := chat.Fits(tc.label, tc.perRow); got != tc.fits {
			t.Errorf("Fits(%q, %d) = %v (%.1f px of %.1f)", tc.label, tc.perRow, got, chat.LabelPx(tc.label), chat.RowPx(tc.perRow))
		}
	}
}

// BenchmarkFits measures a keyboard's labels, one per language, as every
// keyboard the bot sends is measured.
//
//	go test -run '^$' -bench Fits -benchmem ./bot/chat
func BenchmarkFits(b *testing.B) {
	labels := []string{
		"Əmək haqqı ödənilmir", "Зарплату не платят", "ხელფასი არ მიხდიან",
		"Salariul nu este plătit", "Жалақы төленбейді", "Wages not paid", "📖 Guide",
	}
	b.ResetTimer()
	for i := range b.N {
		chat.Fits(labels[i%len(labels)], 1)
	}
}

// Split keeps every word, each piece within the limit in UTF-16 units
// (an emoji counts two), cut at a line break or a space near the end.
func TestSplit(t *testing.T) {
	words := strings.Repeat("слово 😀😀 word\n", 400)
	for _, limit := range []int{1, 7, 100, 999, 4096} {
		pieces := chat.Split(words, limit)
		for i, p := range pieces {
			if chat.UTF16Len(p) > limit && chat.UTF16Len(p) > 2 {
				t.Errorf("limit %d: piece %d is %d units", limit, i, chat.UTF16Len(p))
			}
			if limit >= 100 && i < len(pieces)-1 && chat.UTF16Len(p) < limit*4/5-20 {
				t.Errorf("limit %d: piece %d is only %d units", limit, i, chat.UTF16Len(p))
			}
		}
		joined := strings.Fields(strings.Join(pieces, " "))
		if limit >= 100 && strings.Join(joined, " ") != strings.Join(strings.Fields(words), " ") {
			t.Errorf("limit %d: the words changed", limit)
		}
		if strings.Join(joined, "") != strings.Join(strings.Fields(words), "") {
			t.Errorf("limit %d: characters lost", limit)
		}
	}
	if got := chat.Split("short", 10); len(got) != 1 || got[0] != "short" {
		t.Errorf("a short text: %q", got)
	}
	if got := chat.Split(strings.Repeat("x", 25), 10); len(got) != 3 || got[0] != strings.Repeat("x", 10) {
		t.Errorf("a text without spaces: %q", got)
	}
}
