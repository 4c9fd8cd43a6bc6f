package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/rightsdesk/rightsdesk/bot/chat"
)

// request translates a Reply into a Bot API method and its parameters. It
// builds Params by hand rather than with the library's configs because they
// predate fields rightsdesk uses (link_preview_options, for one).
func request(r chat.Reply) (method string, params tgbotapi.Params, err error) {
	p := tgbotapi.Params{}
	chatID := strconv.FormatInt(r.ChatID, 10)
	switch r.Action {
	case chat.ActionSend:
		method = "sendMessage"
		p["chat_id"] = chatID
		p["text"] = r.Text
		p["parse_mode"] = "HTML"
		p["link_preview_options"] = `{"is_disabled":true}`
		if err := setMarkup(p, r.Keyboard); err != nil {
			return "", nil, err
		}
	case chat.ActionEdit:
		method = "editMessageText"
		p["chat_id"] = chatID
		p["message_id"] = strconv.Itoa(r.MessageID)
		p["text"] = r.Text
		p["parse_mode"] = "HTML"
		p["link_preview_options"] = `{"is_disabled":true}`
		if err := setMarkup(p, inlineOnly(r.Keyboard)); err != nil {
			return "", nil, err
		}
	case chat.ActionEditMarkup:
		method = "editMessageReplyMarkup"
		p["chat_id"] = chatID
		p["message_id"] = strconv.Itoa(r.MessageID)
		kb := inlineOnly(r.Keyboard)
		if kb == nil {
			kb = &chat.Keyboard{Inline: [][]chat.Button{}}
		}
		if err := setMarkup(p, kb); err != nil {
			return "", nil, err
		}
	case chat.ActionDelete:
		method = "deleteMessage"
		p["chat_id"] = chatID
		p["message_id"] = strconv.Itoa(r.MessageID)
	case chat.ActionAnswerCallback:
		method = "answerCallbackQuery"
		p["callback_query_id"] = r.CallbackID
		if r.CallbackText != "" {
			p["text"] = truncateRunes(r.CallbackText, maxCallbackText)
		}
		if r.Alert {
			p["show_alert"] = "true"
		}
	case chat.ActionSetCommands:
		method = "setMyCommands"
		b, err := json.Marshal(r.Commands)
		if err != nil {
			return "", nil, err
		}
		p["commands"] = string(b)
		if r.LanguageCode != "" {
			p["language_code"] = r.LanguageCode
		}
	case chat.ActionSendLocation:
		if r.Location == nil {
			return "", nil, fmt.Errorf("telegram: send_location without a location")
		}
		method = "sendLocation"
		p["chat_id"] = chatID
		p["latitude"] = strconv.FormatFloat(r.Location.Lat, 'f', -1, 64)
		p["longitude"] = strconv.FormatFloat(r.Location.Lon, 'f', -1, 64)
	default:
		return "", nil, fmt.Errorf("telegram: unknown reply action %q", r.Action)
	}
	return method, p, nil
}

func inlineOnly(k *chat.Keyboard) *chat.Keyboard {
	if k == nil || len(k.Inline) == 0 {
		return nil
	}
	return &chat.Keyboard{Inline: k.Inline}
}

type inlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

type keyButton struct {
	Text            string `json:"text"`
	RequestLocation bool   `json:"request_location,omitempty"`
	RequestContact  bool   `json:"request_contact,omitempty"`
}

func setMarkup(p tgbotapi.Params, k *chat.Keyboard) error {
	if k == nil {
		return nil
	}
	var markup any
	switch {
	case k.Inline != nil:
		rows := make([][]inlineButton, 0, len(k.Inline))
		for _, row := range k.Inline {
			r := make([]inlineButton, 0, len(row))
			for _, b := range row {
				r = append(r, inlineButton{Text: b.Text, CallbackData: b.Data, URL: b.URL})
			}
			rows = append(rows, r)
		}
		markup = struct {
			InlineKeyboard [][]inlineButton `json:"inline_keyboard"`
		}{rows}
	case len(k.Reply) > 0:
		rows := make([][]keyButton, 0, len(k.Reply))
		for _, row := range k.Reply {
			r := make([]keyButton, 0, len(row))
			for _, b := range row {
				r = append(r, keyButton(b))
			}
			rows = append(rows, r)
		}
		markup = struct {
			Keyboard        [][]keyButton `json:"keyboard"`
			OneTimeKeyboard bool          `json:"one_time_keyboard"`
			ResizeKeyboard  bool          `json:"resize_keyboard"`
		}{rows, true, true}
	case k.Remove:
		markup = struct {
			RemoveKeyboard bool `json:"remove_keyboard"`
		}{true}
	default:
		return nil
	}
	b, err := json.Marshal(markup)
	if err != nil {
		return err
	}
	p["reply_markup"] = string(b)
	return nil
}

// sentMessageID reads message_id from a result that is a Message; edits of
// inline messages answer true instead, which yields 0.
func sentMessageID(raw json.RawMessage) int {
	// Telegram writes message_id first; reading just that spares decoding
	// the whole message echoed back, keyboard and all.
	if rest, ok := bytes.CutPrefix(raw, []byte(`{"message_id":`)); ok {
		if end := bytes.IndexAny(rest, ",}"); end > 0 {
			if id, err := strconv.Atoi(string(rest[:end])); err == nil {
				return id
			}
		}
	}
	var m struct {
		MessageID int `json:"message_id"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return 0
	}
	return m.MessageID
}

// maxCallbackText is Telegram's limit for a callback answer's text; a longer
// one is refused, and the button's spinner never stops.
const maxCallbackText = 200

// truncateRunes keeps s within n characters, marking a cut with "…".
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
