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
