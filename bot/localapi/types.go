package localapi

import (
	"encoding/json"
	"time"
)

// Message is the current state of one bot message as the person in the chat
// sees it.
type Message struct {
	ID     int
	ChatID int64
	Date   time.Time
	// Text is the raw text as the bot sent it (HTML when ParseMode is HTML).
	Text string
	// PlainText is what is displayed: markup removed, entities decoded, trimmed.
	PlainText      string
	ParseMode      string
	Entities       []Entity
	InlineKeyboard [][]Button
	ReplyKeyboard  [][]KeyButton
	RemoveKeyboard bool
	Location       *Location
	NoLinkPreview  bool
	ReplyTo        int
	Edited         bool
	EditCount      int
	Deleted        bool
	// Kind is text, location, photo, document, voice, video, sticker,
	// video_note, contact or service.
	Kind string
	// FileID is the media's file_id (for a photo, its largest size).
	FileID string
	// Caption is a media caption as sent (HTML when ParseMode is HTML);
	// PlainCaption is what is displayed.
	Caption      string
	PlainCaption string
	// ThreadID is message_thread_id: a forum topic, or in a supergroup the
	// root of the reply chain the message belongs to.
	ThreadID int
	// Pinned is true while the message is pinned.
	Pinned bool
	// From is the sender's user id (the bot's own id for bot messages).
	From int64
	// Service names the event of a service message: forum_topic_created,
	// forum_topic_closed, forum_topic_reopened, forum_topic_edited,
	// pinned_message, new_chat_members, left_chat_member,
	// migrate_to_chat_id or migrate_from_chat_id.
	Service string
}

// AdminRights are the administrator rights this server checks for the bot.
type AdminRights struct {
	ManageTopics   bool
	PinMessages    bool
	DeleteMessages bool
}

// Topic is a forum topic as a member sees it in the topic list.
type Topic struct {
	ID        int // message_thread_id, also the id of its creation message
	Name      string
	IconColor int
	Closed    bool
}

// Button is an inline keyboard button.
type Button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// KeyButton is a reply keyboard button.
type KeyButton struct {
	Text            string `json:"text"`
	RequestLocation bool   `json:"request_location,omitempty"`
	RequestContact  bool   `json:"request_contact,omitempty"`
}

// Location is a point on the map.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// BotCommand is one entry of the bot's command menu.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// CallbackAnswer is what the bot answered to a button press.
type CallbackAnswer struct {
	QueryID   string
	MessageID int
	Data      string
	Text      string
	ShowAlert bool
	URL       string
	At        time.Time
}

// Request is one Bot API call as the server saw it.
type Request struct {
	Method string
	ChatID int64
	At     time.Time
	Status int
	// Params holds every parameter as received: form values as sent, JSON
	// strings unquoted, other JSON values (objects, numbers) as raw text,
	// uploaded files as "upload:" + file name.
	Params map[string]string
}

// Violation is a request that arrived while a 429 window it had already been
// told about was still open: the bot did not wait retry_after.
type Violation struct {
	Method string
	ChatID int64
	At     time.Time
	Until  time.Time
	// Global is set for FloodGlobal windows. ChatWasTold then says whether
	// this very chat had already received a 429 in that window; requests
	// racing the first 429 to other chats have it false.
	Global      bool
	ChatWasTold bool
}

// Wire types: the JSON Telegram sends. Only fields this server fills exist.

type tgUser struct {
	ID                      int64  `json:"id"`
	IsBot                   bool   `json:"is_bot"`
	FirstName               string `json:"first_name"`
	Username                string `json:"username,omitempty"`
	LanguageCode            string `json:"language_code,omitempty"`
	CanJoinGroups           bool   `json:"can_join_groups,omitempty"`
	CanReadAllGroupMessages bool   `json:"can_read_all_group_messages,omitempty"`
	SupportsInlineQueries   bool   `json:"supports_inline_queries,omitempty"`
}

type tgChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	IsForum   bool   `json:"is_forum,omitempty"`
}

type tgPhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size,omitempty"`
}

type tgFile struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
	Duration     int    `json:"duration,omitempty"`
	Length       int    `json:"length,omitempty"`
	Width        int    `json:"width,omitempty"`
	Height       int    `json:"height,omitempty"`
	Emoji        string `json:"emoji,omitempty"`
	SetName      string `json:"set_name,omitempty"`
	Type         string `json:"type,omitempty"`
	IsAnimated   *bool  `json:"is_animated,omitempty"`
	IsVideo      *bool  `json:"is_video,omitempty"`
}

type tgContact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	UserID      int64  `json:"user_id,omitempty"`
}

type tgInlineMarkup struct {
	InlineKeyboard [][]tgInlineButton `json:"inline_keyboard"`
}

type tgInlineButton struct {
	Text         string  `json:"text"`
	CallbackData *string `json:"callback_data,omitempty"`
	URL          *string `json:"url,omitempty"`
}

type tgMessage struct {
	MessageID          int                  `json:"message_id"`
	MessageThreadID    int                  `json:"message_thread_id,omitempty"`
	From               *tgUser              `json:"from,omitempty"`
	Date               int64                `json:"date"`
	Chat               tgChat               `json:"chat"`
	ForwardFrom        *tgUser              `json:"forward_from,omitempty"`
	ForwardDate        int64                `json:"forward_date,omitempty"`
	IsTopicMessage     bool                 `json:"is_topic_message,omitempty"`
	ReplyToMessage     *tgMessage           `json:"reply_to_message,omitempty"`
	EditDate           int64                `json:"edit_date,omitempty"`
	Text               string               `json:"text,omitempty"`
	Entities           []Entity             `json:"entities,omitempty"`
	Document           *tgFile              `json:"document,omitempty"`
	Photo              []tgPhotoSize        `json:"photo,omitempty"`
	Sticker            *tgFile              `json:"sticker,omitempty"`
	Video              *tgFile              `json:"video,omitempty"`
	VideoNote          *tgFile              `json:"video_note,omitempty"`
	Voice              *tgFile              `json:"voice,omitempty"`
	Caption            string               `json:"caption,omitempty"`
	CaptionEntities    []Entity             `json:"caption_entities,omitempty"`
	Contact            *tgContact           `json:"contact,omitempty"`
	Location           *Location            `json:"location,omitempty"`
	NewChatMembers     []tgUser             `json:"new_chat_members,omitempty"`
	LeftChatMember     *tgUser              `json:"left_chat_member,omitempty"`
	MigrateToChatID    int64                `json:"migrate_to_chat_id,omitempty"`
	MigrateFromChatID  int64                `json:"migrate_from_chat_id,omitempty"`
	PinnedMessage      *tgMessage           `json:"pinned_message,omitempty"`
	ForumTopicCreated  *tgForumTopicCreated `json:"forum_topic_created,omitempty"`
	ForumTopicEdited   *tgForumTopicEdited  `json:"forum_topic_edited,omitempty"`
	ForumTopicClosed   *struct{}            `json:"forum_topic_closed,omitempty"`
	ForumTopicReopened *struct{}            `json:"forum_topic_reopened,omitempty"`
	ReplyMarkup        *tgInlineMarkup      `json:"reply_markup,omitempty"`
}

type tgForumTopicCreated struct {
	Name      string `json:"name"`
	IconColor int    `json:"icon_color"`
}

type tgForumTopicEdited struct {
	Name string `json:"name,omitempty"`
}

// tgForumTopic is the ForumTopic createForumTopic returns.
type tgForumTopic struct {
	MessageThreadID int    `json:"message_thread_id"`
	Name            string `json:"name"`
	IconColor       int    `json:"icon_color"`
}

type tgCallbackQuery struct {
	ID           string     `json:"id"`
	From         tgUser     `json:"from"`
	Message      *tgMessage `json:"message,omitempty"`
	ChatInstance string     `json:"chat_instance"`
	Data         string     `json:"data,omitempty"`
}

// tgChatMember is one of Telegram's ChatMember variants; Fields carries the
// status-specific fields (rights, is_member, until_date) as Telegram names
// them.
type tgChatMember struct {
	User   tgUser         `json:"user"`
	Status string         `json:"status"`
	Fields map[string]any `json:"-"`
}

func (m tgChatMember) MarshalJSON() ([]byte, error) {
	out := map[string]any{"user": m.User, "status": m.Status}
	for k, v := range m.Fields {
		out[k] = v
	}
	return json.Marshal(out)
}

type tgChatMemberUpdated struct {
	Chat          tgChat       `json:"chat"`
	From          tgUser       `json:"from"`
	Date          int64        `json:"date"`
	OldChatMember tgChatMember `json:"old_chat_member"`
	NewChatMember tgChatMember `json:"new_chat_member"`
}

type tgUpdate struct {
	UpdateID      int                  `json:"update_id"`
	Message       *tgMessage           `json:"message,omitempty"`
	EditedMessage *tgMessage           `json:"edited_message,omitempty"`
	CallbackQuery *tgCallbackQuery     `json:"callback_query,omitempty"`
	MyChatMember  *tgChatMemberUpdated `json:"my_chat_member,omitempty"`
	ChatMember    *tgChatMemberUpdated `json:"chat_member,omitempty"`
}

func (u *tgUpdate) kind() string {
	switch {
	case u.Message != nil:
		return "message"
	case u.EditedMessage != nil:
		return "edited_message"
	case u.CallbackQuery != nil:
		return "callback_query"
	case u.MyChatMember != nil:
		return "my_chat_member"
	case u.ChatMember != nil:
		return "chat_member"
	}
	return ""
}
