package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/rightsdesk/rightsdesk/bot/chat"
)

// resolved are the message ids a reply's names stand for, looked up when
// it is sent; 0 where a name is not known (yet).
type resolved struct {
	thread, replyTo, target int
}

// request translates a Reply into a Bot API method and its parameters. It
// builds Params by hand rather than with the library's configs because they
// predate fields rightsdesk uses (link_preview_options, message_thread_id,
// reply_parameters, forum topics).
func request(r chat.Reply, ids resolved) (method string, params tgbotapi.Params, err error) {
	p := tgbotapi.Params{}
	chatID := strconv.FormatInt(r.ChatID, 10)
	messageID := r.MessageID
	if messageID == 0 {
		messageID = ids.target
	}
	// placed puts a new message into its topic and under the message it
	// answers; a reply to a message gone meanwhile is sent all the same.
	placed := func() {
		if ids.thread > 0 {
			p["message_thread_id"] = strconv.Itoa(ids.thread)
		}
		if ids.replyTo > 0 {
			p["reply_parameters"] = `{"message_id":` + strconv.Itoa(ids.replyTo) + `,"allow_sending_without_reply":true}`
		}
	}
	switch r.Action {
	case chat.ActionSend:
		method = "sendMessage"
		p["chat_id"] = chatID
		p["text"] = r.Text
		p["parse_mode"] = "HTML"
		p["link_preview_options"] = `{"is_disabled":true}`
		placed()
		if err := setMarkup(p, r.Keyboard); err != nil {
			return "", nil, err
		}
	case chat.ActionSendFile:
		f := r.File
		if f == nil || f.ID == "" {
			return "", nil, fmt.Errorf("telegram: send_file without a file")
		}
		field, ok := fileMethods[f.Kind]
		if !ok {
			return "", nil, fmt.Errorf("telegram: cannot send a file of kind %q", f.Kind)
		}
		method = field.method
		p["chat_id"] = chatID
		p[field.param] = f.ID
		if r.Text != "" {
			p["caption"] = r.Text
			p["parse_mode"] = "HTML"
		}
		placed()
		if err := setMarkup(p, r.Keyboard); err != nil {
			return "", nil, err
		}
	case chat.ActionCopy:
		method = "copyMessage"
		p["chat_id"] = chatID
		p["from_chat_id"] = strconv.FormatInt(r.FromChatID, 10)
		p["message_id"] = strconv.Itoa(r.FromMessageID)
		if r.Text != "" {
			p["caption"] = r.Text
			p["parse_mode"] = "HTML"
		}
		placed()
		if err := setMarkup(p, r.Keyboard); err != nil {
			return "", nil, err
		}
	case chat.ActionCreateTopic:
		method = "createForumTopic"
		p["chat_id"] = chatID
		p["name"] = truncateRunes(r.Text, maxTopicName)
	case chat.ActionPin:
		method = "pinChatMessage"
		p["chat_id"] = chatID
		p["message_id"] = strconv.Itoa(messageID)
		p["disable_notification"] = "true"
	case chat.ActionEdit:
		method = "editMessageText"
		p["chat_id"] = chatID
		p["message_id"] = strconv.Itoa(messageID)
		p["text"] = r.Text
		p["parse_mode"] = "HTML"
		p["link_preview_options"] = `{"is_disabled":true}`
		if err := setMarkup(p, inlineOnly(r.Keyboard)); err != nil {
			return "", nil, err
		}
	case chat.ActionEditMarkup:
		method = "editMessageReplyMarkup"
		p["chat_id"] = chatID
		p["message_id"] = strconv.Itoa(messageID)
		kb := inlineOnly(r.Keyboard)
		if kb == nil {
			kb = &chat.Keyboard{Inline: [][]chat.Button{}}
		}
		if err := setMarkup(p, kb); err != nil {
			return "", nil, err
		}
	case chat.ActionDelete:
		p["chat_id"] = chatID
		if len(r.MessageIDs) == 0 {
			method = "deleteMessage"
			p["message_id"] = strconv.Itoa(messageID)
			break
		}
		if len(r.MessageIDs) > chat.MaxDeleteTogether {
			return "", nil, fmt.Errorf("telegram: %d messages to delete together, at most %d", len(r.MessageIDs), chat.MaxDeleteTogether)
		}
		method = "deleteMessages" // Bot API 7.0, newer than the library
		ids, err := json.Marshal(r.MessageIDs)
		if err != nil {
			return "", nil, err
		}
		p["message_ids"] = string(ids)
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
	case k.ForceReply:
		markup = struct {
			ForceReply bool `json:"force_reply"`
			Selective  bool `json:"selective"`
		}{true, true}
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

// fileMethods say how each kind of kept file is sent by its id.
var fileMethods = map[string]struct{ method, param string }{
	"photo":    {"sendPhoto", "photo"},
	"document": {"sendDocument", "document"},
	"voice":    {"sendVoice", "voice"},
}

// maxTopicName is Telegram's limit on a forum topic's name.
const maxTopicName = 128

// sentThreadID reads message_thread_id from createForumTopic's result.
func sentThreadID(raw json.RawMessage) int {
	var t struct {
		ThreadID int `json:"message_thread_id"`
	}
	if json.Unmarshal(raw, &t) != nil {
		return 0
	}
	return t.ThreadID
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
