package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// A press on a button under a guide page: Telegram sends the whole message
// the button sits under, text, entities and keyboard, with every press.
func pressUnderGuidePage() []byte {
	var kb [][]map[string]string
	for i := range 8 {
		kb = append(kb, []map[string]string{{"text": fmt.Sprintf("%d. Тема", i+1), "callback_data": fmt.Sprintf("v1:guide:t:%d", i)}})
	}
	msg := map[string]any{
		"message_id": 812, "date": 1764900000,
		"from":         map[string]any{"id": 42, "is_bot": true, "first_name": "rightsdesk", "username": "rightsdesk_bot"},
		"chat":         map[string]any{"id": 9001, "type": "private", "first_name": "Айгуль"},
		"text":         strings.Repeat("Работодатель не вправе удерживать ваш паспорт (C29, ст. 1). ", 40),
		"entities":     []map[string]any{{"type": "bold", "offset": 0, "length": 12}, {"type": "italic", "offset": 20, "length": 30}},
		"reply_markup": map[string]any{"inline_keyboard": kb},
	}
	raw, _ := json.Marshal(map[string]any{"update_id": 77001, "callback_query": map[string]any{
		"id": "4382bfdwdsb323b2d9", "from": map[string]any{"id": 9001, "is_bot": false, "first_name": "Айгуль", "language_code": "ru"},
		"chat_instance": "-7394872938", "data": "v1:guide:t:3", "message": msg}})
	return raw
}

func typedAnswer() []byte {
	return []byte(`{"update_id":77002,"message":{"message_id":813,"date":1764900001,"from":{"id":9001,"is_bot":false,"first_name":"Айгуль","language_code":"ru"},"chat":{"id":9001,"type":"private","first_name":"Айгуль"},"text":"Мне не платят зарплату уже два месяца, и паспорт у бригадира"}}`)
}

// go test -run '^$' -bench Decode -benchmem ./bot/telegram
func BenchmarkDecode(b *testing.B) {
	d := Decoder{BotID: 42, BotUsername: "rightsdesk_bot"}
	for _, c := range []struct {
		name string
		raw  []byte
	}{{"press", pressUnderGuidePage()}, {"text", typedAnswer()}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.raw)))
			for b.Loop() {
				// As both ways in hand a press over: cut.
				raw := c.raw
				if head, ok := pressHead(raw); ok {
					raw = head
				}
				_, _, stored, err := d.updateHead(raw)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := d.Decode(stored); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A getUpdates answer as the bench's people make it: four presses under guide
// pages for each typed answer.
//
// go test -run '^$' -bench SplitUpdates -benchmem ./bot/telegram
func BenchmarkSplitUpdates(b *testing.B) {
	items := [][]byte{pressUnderGuidePage(), pressUnderGuidePage(), typedAnswer(), pressUnderGuidePage(), pressUnderGuidePage()}
	raw := append(append([]byte("["), bytes.Join(items, []byte(","))...), ']')
	b.Run("splitArray", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if got, err := splitArray(raw); err != nil || len(got) != len(items) {
				b.Fatal(len(got), err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			var got []json.RawMessage
			if err := json.Unmarshal(raw, &got); err != nil || len(got) != len(items) {
				b.Fatal(len(got), err)
			}
		}
	})
}
