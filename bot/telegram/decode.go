package telegram

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/rightsdesk/rightsdesk/bot/chat"
)

// Decoder turns Telegram's update JSON into a chat.Update. It needs the bot's
// identity to tell, in a group, whether a message is meant for the bot.
type Decoder struct {
	BotID       int64
	BotUsername string
}

// Decode reads one raw update. Unknown update types decode to KindOther
// rather than failing: the bot must answer or ignore everything politely.
func (d Decoder) Decode(raw []byte) (chat.Update, error) {
	var u tgbotapi.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		return chat.Update{}, fmt.Errorf("telegram: decode update: %w", err)
	}
	out := chat.Update{ID: int64(u.UpdateID), Kind: chat.KindOther}
	switch {
	case u.Message != nil:
		d.fromMessage(&out, u.Message)
	case u.EditedMessage != nil:
		d.fromMessage(&out, u.EditedMessage)
		out.Kind = chat.KindEdited
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		out.Kind = chat.KindCallback
		out.CallbackID = q.ID
		out.CallbackData = q.Data
		if q.From != nil {
			out.UserID = q.From.ID
			out.LanguageCode = q.From.LanguageCode
		}
		if q.Message != nil {
			out.MessageID = q.Message.MessageID
			out.Date = time.Unix(int64(q.Message.Date), 0)
			if q.Message.Chat != nil {
				out.ChatID, out.ChatType = q.Message.Chat.ID, q.Message.Chat.Type
			}
		} else {
			// A button under an inline-mode message has no chat; answer it
			// in the user's private chat.
			out.ChatID, out.ChatType = out.UserID, chat.ChatPrivate
		}
		out.Addressed = true
	case u.MyChatMember != nil:
		m := u.MyChatMember
		out.Kind = chat.KindMembership
		out.ChatID, out.ChatType = m.Chat.ID, m.Chat.Type
		out.UserID = m.From.ID
		out.Date = time.Unix(int64(m.Date), 0)
		out.BotStatus = m.NewChatMember.Status
	case u.ChannelPost != nil:
		if u.ChannelPost.Chat != nil {
			out.ChatID, out.ChatType = u.ChannelPost.Chat.ID, chat.ChatChannel
		}
	case u.EditedChannelPost != nil:
		if u.EditedChannelPost.Chat != nil {
			out.ChatID, out.ChatType = u.EditedChannelPost.Chat.ID, chat.ChatChannel
		}
	case u.ChatMember != nil:
		out.ChatID, out.ChatType = u.ChatMember.Chat.ID, u.ChatMember.Chat.Type
	case u.ChatJoinRequest != nil:
		out.ChatID, out.ChatType = u.ChatJoinRequest.Chat.ID, u.ChatJoinRequest.Chat.Type
	default:
		// Inline queries, polls and kinds newer than the library: the
		// sender is the only place to answer, if anywhere.
		if s := senderOf(raw); s != 0 {
			out.ChatID, out.UserID, out.ChatType = s, s, chat.ChatPrivate
		}
	}
	if out.ChatType == chat.ChatSupergroup || out.ChatType == chat.ChatGroup {
		groupExtras(raw, &out)
	}
	return out, nil
}

// groupExtras reads what the library predates — forum topics, explicit
// replies — from a group update. Private chats never need them, so the
// busiest updates are spared a second decode.
func groupExtras(raw []byte, out *chat.Update) {
	type message struct {
		ThreadID int  `json:"message_thread_id"`
		IsTopic  bool `json:"is_topic_message"`
		Chat     struct {
			IsForum bool `json:"is_forum"`
		} `json:"chat"`
		ReplyTo *struct {
			MessageID    int             `json:"message_id"`
			TopicCreated json.RawMessage `json:"forum_topic_created"`
		} `json:"reply_to_message"`
	}
	var x struct {
		Message  *message `json:"message"`
		Edited   *message `json:"edited_message"`
		Callback *struct {
			Message *message `json:"message"`
		} `json:"callback_query"`
		Member *struct {
			Chat struct {
				IsForum bool `json:"is_forum"`
			} `json:"chat"`
			// The library's ChatMember predates topics.
			New struct {
				MayOpenTopics bool `json:"can_manage_topics"`
				MayPin        bool `json:"can_pin_messages"`
			} `json:"new_chat_member"`
		} `json:"my_chat_member"`
	}
	if json.Unmarshal(raw, &x) != nil {
		return
	}
	m := x.Message
	if m == nil {
		m = x.Edited
	}
	if m == nil && x.Callback != nil {
		m = x.Callback.Message
	}
	if x.Member != nil {
		out.Forum = x.Member.Chat.IsForum
		out.BotMayOpenTopics, out.BotMayPin = x.Member.New.MayOpenTopics, x.Member.New.MayPin
	}
	if m == nil {
		return
	}
	out.Forum = m.Chat.IsForum
	if m.IsTopic {
		out.ThreadID = m.ThreadID
	}
	// A message in a topic "replies" to the topic's opening message when it
	// replies to nothing; only a reply someone chose counts.
	if r := m.ReplyTo; r != nil && len(r.TopicCreated) == 0 && !(m.IsTopic && r.MessageID == m.ThreadID) {
		out.ReplyTo = r.MessageID
	}
}

func (d Decoder) fromMessage(out *chat.Update, m *tgbotapi.Message) {
	out.MessageID = m.MessageID
	out.Date = time.Unix(int64(m.Date), 0)
	if m.Chat != nil {
		out.ChatID, out.ChatType = m.Chat.ID, m.Chat.Type
	}
	if m.From != nil {
		out.UserID = m.From.ID
		out.LanguageCode = m.From.LanguageCode
	}
	out.Forwarded = m.ForwardDate != 0 || m.ForwardFrom != nil || m.ForwardFromChat != nil || m.ForwardSenderName != ""
	out.Text = m.Text
	if out.Text == "" {
		out.Text = m.Caption
	}
	private := out.ChatType == chat.ChatPrivate
	out.Addressed = private
	if private && m.ReplyToMessage != nil {
		out.ReplyTo = m.ReplyToMessage.MessageID
	}

	withAt, args, isCommand := command(m)
	switch {
	case isCommand:
		cmd, target, _ := strings.Cut(withAt, "@")
		if target == "" || strings.EqualFold(target, d.BotUsername) {
			out.Kind = chat.KindCommand
			out.Command = strings.ToLower(cmd)
			out.Args = strings.TrimSpace(args)
			// A bare command in a group is for every bot there, this one included.
			out.Addressed = true
		} else if private {
			// No other bot reads this chat: it is a command we do not
			// know, not an answer to what the bot asked (it would become
			// an employer's name or a city to look up).
			out.Kind = chat.KindCommand
			out.Command = strings.ToLower(cmd + "@" + target)
		} else {
			out.Kind = chat.KindText
			out.Addressed = false
		}
	case m.Location != nil:
		out.Kind = chat.KindLocation
		out.Location = &chat.Location{Lat: m.Location.Latitude, Lon: m.Location.Longitude}
	case m.Contact != nil:
		out.Kind = chat.KindContact
		out.Contact = &chat.Contact{Phone: m.Contact.PhoneNumber, Own: m.From != nil && m.Contact.UserID == m.From.ID}
	case len(m.Photo) > 0:
		out.Kind = chat.KindPhoto
		p := m.Photo[len(m.Photo)-1] // Telegram lists sizes smallest first
		out.File = &chat.File{ID: p.FileID, UniqueID: p.FileUniqueID, Kind: chat.FilePhoto, Size: int64(p.FileSize)}
	case m.Document != nil:
		out.Kind = chat.KindDocument
		out.File = &chat.File{ID: m.Document.FileID, UniqueID: m.Document.FileUniqueID, Kind: chat.FileDocument,
			MIME: m.Document.MimeType, Size: int64(m.Document.FileSize)}
	case m.Sticker != nil:
		out.Kind = chat.KindSticker
	case m.Voice != nil:
		// A voice note can be a worker's whole account: the file is kept
		// by reference, like a photo.
		out.Kind = chat.KindVoice
		out.File = &chat.File{ID: m.Voice.FileID, UniqueID: m.Voice.FileUniqueID, Kind: chat.FileVoice,
			MIME: m.Voice.MimeType, Size: int64(m.Voice.FileSize)}
	case m.Audio != nil:
		// A recording sent as an audio file is the same evidence.
		out.Kind = chat.KindVoice
		out.File = &chat.File{ID: m.Audio.FileID, UniqueID: m.Audio.FileUniqueID, Kind: chat.FileVoice,
			MIME: m.Audio.MimeType, Size: int64(m.Audio.FileSize)}
	case m.Video != nil || m.VideoNote != nil || m.Animation != nil:
		out.Kind = chat.KindMedia
	case m.MigrateToChatID != 0:
		out.Kind = chat.KindMigrated
		out.MigratedTo = m.MigrateToChatID
	case m.MigrateFromChatID != 0:
		out.Kind = chat.KindMigrated
		out.MigratedFrom = m.MigrateFromChatID
	case len(m.NewChatMembers) > 0 || m.LeftChatMember != nil || m.GroupChatCreated || m.SuperGroupChatCreated:
		out.Kind = chat.KindMembership
	case m.Text != "":
		out.Kind = chat.KindText
	default:
		out.Kind = chat.KindOther
	}
	if !private && out.Kind != chat.KindCommand {
		out.Addressed = d.mentions(m) || (m.ReplyToMessage != nil && m.ReplyToMessage.From != nil && m.ReplyToMessage.From.ID == d.BotID)
	}
}

// command reads the bot command a message begins with ("start@bot", without
// the slash) and the text after it. The library's own reading slices the
// text by the entity's length unchecked and panics on an entity longer
// than the text; lengths are UTF-16 units, counted here as such.
func command(m *tgbotapi.Message) (withAt, args string, ok bool) {
	if !m.IsCommand() {
		return "", "", false
	}
	end, units := 0, 0
	for i, r := range m.Text {
		if units >= m.Entities[0].Length {
			break
		}
		end = i + utf8.RuneLen(r)
		units += utf16Units(r)
	}
	if units != m.Entities[0].Length || end < 2 || m.Text[0] != '/' {
		return "", "", false
	}
	// An entity that takes in a space or a second slash (no client makes
	// one) ends there: a command name never holds either.
	if sp := strings.IndexFunc(m.Text[1:end], func(r rune) bool { return r == '/' || unicode.IsSpace(r) }); sp >= 0 {
		end = 1 + sp
	}
	if end < 2 || m.Text[1] == '@' {
		return "", "", false
	}
	return m.Text[1:end], m.Text[end:], true
}

func utf16Units(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

func (d Decoder) mentions(m *tgbotapi.Message) bool {
	if d.BotUsername == "" {
		return false
	}
	return strings.Contains(strings.ToLower(m.Text+" "+m.Caption), "@"+strings.ToLower(d.BotUsername))
}

// senderOf finds "from.id" in an update of a kind the library predates.
func senderOf(raw []byte) int64 {
	var generic map[string]json.RawMessage
	if json.Unmarshal(raw, &generic) != nil {
		return 0
	}
	for k, v := range generic {
		if k == "update_id" {
			continue
		}
		var inner struct {
			From struct {
				ID int64 `json:"id"`
			} `json:"from"`
		}
		if json.Unmarshal(v, &inner) == nil && inner.From.ID != 0 {
			return inner.From.ID
		}
	}
	return 0
}

// updateHead reads only what the poller needs before storing: the update
// and chat ids, and the payload to store. It decodes a few fields rather
// than the library's whole Update, which the handler decodes anyway.
//
// A button press arrives with the whole message the button sits under —
// a guide page, a case card, what the worker wrote echoed back — of which
// the handler reads only the ids, the chat and the thread. The stored
// payload keeps just those: the inbox holds less of what people wrote, and
// the busiest kind of update costs far less to seal, store and decode.
// Both ways in cut such a press down (pressHead) before it gets here: the
// client in getUpdates' answer, the webhook in its body. One that comes
// whole, because pick could not read it plainly, is decoded whole.
func (d Decoder) updateHead(raw []byte) (updateID, chatID int64, payload []byte, err error) {
	var head struct {
		updateRoute
		Callback *callbackQuery `json:"callback_query"`
	}
	// When a field of the press this reads more closely than routing does
	// is odd, the update is stored as it came.
	asItCame := func() (int64, int64, []byte, error) {
		updateID, chatID, err := routeUpdate(raw)
		return updateID, chatID, raw, err
	}
	if json.Unmarshal(raw, &head) != nil {
		return asItCame()
	}
	if m := head.message(); m != nil {
		return head.UpdateID, m.Chat.ID, raw, nil
	}
	if q := head.Callback; q != nil {
		var from, in chatRef
		if len(q.From) > 0 && json.Unmarshal(q.From, &from) != nil {
			return asItCame()
		}
		chatID = from.ID
		if q.Message != nil {
			if len(q.Message.Chat) > 0 && json.Unmarshal(q.Message.Chat, &in) != nil {
				return asItCame()
			}
			chatID = in.ID
		}
		trimmed, err := json.Marshal(struct {
			UpdateID int64          `json:"update_id"`
			Callback *callbackQuery `json:"callback_query"`
		}{head.UpdateID, q})
		if err != nil {
			return asItCame()
		}
		return head.UpdateID, chatID, trimmed, nil
	}
	// Kinds newer than this code: route by sender, as Decode does.
	return head.UpdateID, senderOf(raw), raw, nil
}

type chatRef struct {
	ID int64 `json:"id"`
}

type withChat struct {
	Chat chatRef  `json:"chat"`
	From *chatRef `json:"from"`
}

// updateRoute is what routing an update to its chat reads.
type updateRoute struct {
	UpdateID      int64     `json:"update_id"`
	Message       *withChat `json:"message"`
	EditedMessage *withChat `json:"edited_message"`
	ChannelPost   *withChat `json:"channel_post"`
	EditedPost    *withChat `json:"edited_channel_post"`
	MyChatMember  *withChat `json:"my_chat_member"`
	ChatMember    *withChat `json:"chat_member"`
	JoinRequest   *withChat `json:"chat_join_request"`
}

func (r *updateRoute) message() *withChat {
	for _, m := range []*withChat{r.Message, r.EditedMessage, r.ChannelPost, r.EditedPost, r.MyChatMember,
		r.ChatMember, r.JoinRequest} {
		if m != nil {
			return m
		}
	}
	return nil
}

// routeUpdate finds the update's chat reading as little as it can.
func routeUpdate(raw []byte) (updateID, chatID int64, err error) {
	var head struct {
		updateRoute
		Callback *struct {
			From    chatRef   `json:"from"`
			Message *withChat `json:"message"`
		} `json:"callback_query"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return 0, 0, fmt.Errorf("telegram: decode update: %w", err)
	}
	if m := head.message(); m != nil {
		return head.UpdateID, m.Chat.ID, nil
	}
	if q := head.Callback; q != nil {
		if q.Message != nil {
			return head.UpdateID, q.Message.Chat.ID, nil
		}
		return head.UpdateID, q.From.ID, nil
	}
	return head.UpdateID, senderOf(raw), nil
}

// callbackQuery is a button press as stored: everything of the press, and
// of the message under the button only what Decode and groupExtras read.
type callbackQuery struct {
	ID              string           `json:"id"`
	From            json.RawMessage  `json:"from"`
	Message         *callbackMessage `json:"message,omitempty"`
	InlineMessageID string           `json:"inline_message_id,omitempty"`
	ChatInstance    string           `json:"chat_instance"`
	Data            string           `json:"data,omitempty"`
	GameShortName   string           `json:"game_short_name,omitempty"`
}

type callbackMessage struct {
	MessageID int              `json:"message_id"`
	Date      int64            `json:"date"`
	Chat      json.RawMessage  `json:"chat"`
	ThreadID  int              `json:"message_thread_id,omitempty"`
	IsTopic   bool             `json:"is_topic_message,omitempty"`
	ReplyTo   *callbackReplyTo `json:"reply_to_message,omitempty"`
}

type callbackReplyTo struct {
	MessageID    int             `json:"message_id"`
	TopicCreated json.RawMessage `json:"forum_topic_created,omitempty"`
}
