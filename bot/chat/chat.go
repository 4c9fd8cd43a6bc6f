// Package chat holds the neutral shapes of what arrives from and goes to a
// chat. The transport translates Telegram's wire format into these and back,
// so the bot and its engines never see the Bot API.
package chat

import (
	"encoding/json"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind says what an update carries; the bot answers each kind differently.
type Kind string

const (
	KindText       Kind = "text"
	KindCommand    Kind = "command"
	KindCallback   Kind = "callback"
	KindLocation   Kind = "location"
	KindContact    Kind = "contact"
	KindPhoto      Kind = "photo"
	KindDocument   Kind = "document"
	KindSticker    Kind = "sticker"
	KindVoice      Kind = "voice"
	KindMedia      Kind = "media" // video, audio, animation, video note
	KindEdited     Kind = "edited"
	KindMembership Kind = "membership" // the bot was added to or removed from a chat
	// KindMigrated: a basic group became a supergroup; both chats say so,
	// the old one with MigratedTo, the new one with MigratedFrom.
	KindMigrated Kind = "migrated"
	KindOther    Kind = "other"
)

// Chat types as Telegram names them.
const (
	ChatPrivate    = "private"
	ChatGroup      = "group"
	ChatSupergroup = "supergroup"
	ChatChannel    = "channel"
)

// Update is one incoming event reduced to what rightsdesk acts on.
type Update struct {
	ID           int64     `json:"id"`
	Kind         Kind      `json:"kind"`
	ChatID       int64     `json:"chat_id"`
	ChatType     string    `json:"chat_type"`
	UserID       int64     `json:"user_id"`
	LanguageCode string    `json:"language_code,omitempty"`
	MessageID    int       `json:"message_id,omitempty"`
	Date         time.Time `json:"date"`

	// Text is the message text or a media caption.
	Text string `json:"text,omitempty"`
	// Command is lower-case, without the slash or an @botname suffix.
	Command string `json:"command,omitempty"`
	Args    string `json:"args,omitempty"`
	// Addressed is true in groups when the message is meant for the bot: a
	// command to it, a mention, or a reply to one of its messages.
	Addressed bool `json:"addressed,omitempty"`
	Forwarded bool `json:"forwarded,omitempty"`

	CallbackID   string `json:"callback_id,omitempty"`
	CallbackData string `json:"callback_data,omitempty"`

	Location *Location `json:"location,omitempty"`
	Contact  *Contact  `json:"contact,omitempty"`
	File     *File     `json:"file,omitempty"`

	// ThreadID is the forum topic a group message belongs to (0: none or
	// the General topic); Forum says the chat is a forum supergroup.
	ThreadID int  `json:"thread_id,omitempty"`
	Forum    bool `json:"forum,omitempty"`
	// ReplyTo is the message this one explicitly replies to; an implicit
	// reply to a topic's opening message is not counted.
	ReplyTo int `json:"reply_to,omitempty"`
	// BotStatus is the bot's new membership in the chat, for KindMembership
	// updates about the bot: member, administrator, left, kicked.
	BotStatus string `json:"bot_status,omitempty"`
	// BotMayOpenTopics and BotMayPin are the bot's new rights there (an
	// administrator's can_manage_topics and can_pin_messages).
	BotMayOpenTopics bool `json:"bot_may_open_topics,omitempty"`
	BotMayPin        bool `json:"bot_may_pin,omitempty"`
	// MigratedTo is the supergroup a basic group became (KindMigrated, in
	// the old chat); MigratedFrom the basic group a supergroup was (in the
	// new one, its first update).
	MigratedTo   int64 `json:"migrated_to,omitempty"`
	MigratedFrom int64 `json:"migrated_from,omitempty"`
}

// Private reports whether the update comes from a one-to-one chat with a user.
func (u Update) Private() bool { return u.ChatType == ChatPrivate }

type Location struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Contact is a shared phone contact. Own is true only when the user shared
// their own number, which is the only kind the intake accepts.
type Contact struct {
	Phone string `json:"phone"`
	Own   bool   `json:"own"`
}

// File is a reference to media kept by Telegram; rightsdesk stores only the
// reference, never the bytes.
type File struct {
	ID       string `json:"id"`
	UniqueID string `json:"unique_id"`
	Kind     string `json:"kind"` // FilePhoto, FileDocument or FileVoice
	MIME     string `json:"mime,omitempty"`
	Size     int64  `json:"size,omitempty"`
}

// File kinds. A voice note and an audio recording are both FileVoice.
const (
	FilePhoto    = "photo"
	FileDocument = "document"
	FileVoice    = "voice"
)

// Action is what a Reply asks the chat to do.
type Action string

const (
	ActionSend           Action = "send"
	ActionEdit           Action = "edit"
	ActionEditMarkup     Action = "edit_markup"
	ActionDelete         Action = "delete"
	ActionAnswerCallback Action = "answer_callback"
	ActionSetCommands    Action = "set_commands"
	ActionSendLocation   Action = "send_location"
	// ActionSendFile sends a file Telegram already keeps (File.ID) with
	// Text as its caption.
	ActionSendFile Action = "send_file"
	// ActionCopy copies message FromMessageID of chat FromChatID, with
	// Text, when set, as its caption.
	ActionCopy Action = "copy"
	// ActionCreateTopic opens a forum topic titled Text; Name records its
	// thread so later replies can be sent into it.
	ActionCreateTopic Action = "create_topic"
	// ActionPin pins the message Target names (or MessageID).
	ActionPin Action = "pin"
)

// MaxDeleteTogether is how many messages one deletion may name
// (Telegram's deleteMessages takes 1 to 100).
const MaxDeleteTogether = 100

// Priority orders the outbox: replies to a person's own action go first;
// bulk sends (announcements, reminders) are paced and wait behind them.
type Priority int

const (
	Interactive Priority = 0
	Bulk        Priority = 1
)

// Reply is one request to the chat. Text is Telegram HTML.
type Reply struct {
	Action    Action    `json:"action"`
	ChatID    int64     `json:"chat_id"`
	MessageID int       `json:"message_id,omitempty"`
	Text      string    `json:"text,omitempty"`
	Keyboard  *Keyboard `json:"keyboard,omitempty"`
	// MessageIDs, for ActionDelete, are messages deleted together, at most
	// MaxDeleteTogether: clearing a long chat one request a message left
	// it on the screen for as many round trips.
	MessageIDs []int `json:"message_ids,omitempty"`

	CallbackID   string `json:"callback_id,omitempty"`
	CallbackText string `json:"callback_text,omitempty"`
	Alert        bool   `json:"alert,omitempty"`

	Commands     []Command `json:"commands,omitempty"`
	LanguageCode string    `json:"language_code,omitempty"`

	Location *Location `json:"location,omitempty"`
	File     *File     `json:"file,omitempty"`

	FromChatID    int64 `json:"from_chat_id,omitempty"`
	FromMessageID int   `json:"from_message_id,omitempty"`

	// Names let a reply refer to messages that are not sent yet when it is
	// made; the sender resolves them when it sends, in the chat's order.
	// Name records the message this reply creates (or, for a topic, its
	// thread) under a name; Thread sends into the topic of that name;
	// ReplyTo answers the message of that name; Target is the message an
	// edit, a pin or a deletion acts on, when MessageID is not known.
	Name    string `json:"name,omitempty"`
	Thread  string `json:"thread,omitempty"`
	ReplyTo string `json:"reply_to,omitempty"`
	Target  string `json:"target,omitempty"`

	// Case names the case whose content the reply carries: erasing the
	// case takes the reply out of the outbox if it is still there.
	Case string `json:"case,omitempty"`

	// Then are replies that become due only once this one was delivered:
	// "your case has arrived" waits for the case to arrive.
	Then []Reply `json:"then,omitempty"`

	Priority Priority `json:"priority,omitempty"`
}

// Keyboard is either inline buttons under a message, a reply keyboard, or
// the removal of a reply keyboard.
type Keyboard struct {
	Inline [][]Button      `json:"inline,omitempty"`
	Reply  [][]ReplyButton `json:"reply,omitempty"`
	Remove bool            `json:"remove,omitempty"`
	// ForceReply opens the reply field on the message for the people it
	// mentions, so an answer in a group comes back as a reply.
	ForceReply bool `json:"force_reply,omitempty"`
}

type Button struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

type ReplyButton struct {
	Text            string `json:"text"`
	RequestLocation bool   `json:"request_location,omitempty"`
	RequestContact  bool   `json:"request_contact,omitempty"`
}

type Command struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// Encode and Decode give the outbox one stable representation of a Reply.
func (r Reply) Encode() ([]byte, error) { return json.Marshal(r) }

func DecodeReply(b []byte) (Reply, error) {
	var r Reply
	err := json.Unmarshal(b, &r)
	return r, err
}

// RoundTrips reports whether DecodeReply(r.Encode()) gives r back exactly:
// every text valid UTF-8 (JSON would replace what is not) and no list
// empty but not nil (JSON would drop it). Only then may the reply in
// memory stand in for its stored form.
func (r Reply) RoundTrips() bool {
	if !validUTF8(string(r.Action), r.Text, r.CallbackID, r.CallbackText, r.LanguageCode, r.Name, r.Thread, r.ReplyTo, r.Target) {
		return false
	}
	if r.Then != nil && len(r.Then) == 0 {
		return false
	}
	for _, next := range r.Then {
		if !next.RoundTrips() {
			return false
		}
	}
	if f := r.File; f != nil && !validUTF8(f.ID, f.UniqueID, f.Kind, f.MIME) {
		return false
	}
	if r.Commands != nil && len(r.Commands) == 0 {
		return false
	}
	for _, c := range r.Commands {
		if !validUTF8(c.Command, c.Description) {
			return false
		}
	}
	if k := r.Keyboard; k != nil {
		if k.Inline != nil && len(k.Inline) == 0 || k.Reply != nil && len(k.Reply) == 0 {
			return false
		}
		for _, row := range k.Inline {
			for _, b := range row {
				if !validUTF8(b.Text, b.Data, b.URL) {
					return false
				}
			}
		}
		for _, row := range k.Reply {
			for _, b := range row {
				if !validUTF8(b.Text) {
					return false
				}
			}
		}
	}
	if l := r.Location; l != nil && (math.IsNaN(l.Lat) || math.IsInf(l.Lat, 0) || math.IsNaN(l.Lon) || math.IsInf(l.Lon, 0)) {
		return false
	}
	return true
}

// MaxText is Telegram's limit on a message's text, and MaxCaption on a
// file's caption, in UTF-16 code units after the markup is parsed.
const (
	MaxText    = 4096
	MaxCaption = 1024
)

// UTF16Len is a text's length as Telegram counts it, in UTF-16 code units:
// an emoji outside the Basic Multilingual Plane counts two.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func validUTF8(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

// Sent is what the chat reports back after a Reply went out.
type Sent struct {
	ChatID    int64
	MessageID int
}

// Split cuts a text into pieces of at most limit UTF-16 units each, so that a
// long text goes as several messages rather than one Telegram refuses. A
// piece ends at the last line break in its final fifth, or else the last
// space there, so that words stay whole; the break itself is dropped.
func Split(text string, limit int) []string {
	limit = max(limit, 1)
	var pieces []string
	for UTF16Len(text) > limit {
		cut, units, lastLine, lastSpace := 0, 0, -1, -1
		for i, r := range text {
			w := 1
			if r >= 0x10000 {
				w = 2
			}
			if units+w > limit {
				break
			}
			units += w
			cut = i + utf8.RuneLen(r)
			if units > limit*4/5 {
				switch r {
				case '\n':
					lastLine = i
				case ' ', '\t':
					lastSpace = i
				}
			}
		}
		end, next := cut, cut
		switch {
		case lastLine >= 0:
			end, next = lastLine, lastLine+1
		case lastSpace >= 0:
			end, next = lastSpace, lastSpace+1
		}
		if cut == 0 {
			// Not even one character fits: take one anyway.
			_, n := utf8.DecodeRuneInString(text)
			end, next = n, n
		}
		pieces = append(pieces, strings.TrimRight(text[:end], " \t\n"))
		text = strings.TrimLeft(text[next:], " \t\n")
	}
	if text != "" || len(pieces) == 0 {
		pieces = append(pieces, text)
	}
	return pieces
}
