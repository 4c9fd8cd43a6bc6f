package localapi

import "time"

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
	MessageID      int             `json:"message_id"`
	From           *tgUser         `json:"from,omitempty"`
	Date           int64           `json:"date"`
	Chat           tgChat          `json:"chat"`
	ForwardFrom    *tgUser         `json:"forward_from,omitempty"`
	ForwardDate    int64           `json:"forward_date,omitempty"`
	ReplyToMessage *tgMessage      `json:"reply_to_message,omitempty"`
	EditDate       int64           `json:"edit_date,omitempty"`
	Text           string          `json:"text,omitempty"`
	Entities       []Entity        `json:"entities,omitempty"`
	Document       *tgFile         `json:"document,omitempty"`
	Photo          []tgPhotoSize   `json:"photo,omitempty"`
	Sticker        *tgFile         `json:"sticker,omitempty"`
	VideoNote      *tgFile         `json:"video_note,omitempty"`
	Voice          *tgFile         `json:"voice,omitempty"`
	Caption        string          `json:"caption,omitempty"`
	Contact        *tgContact      `json:"contact,omitempty"`
	Location       *Location       `json:"location,omitempty"`
	NewChatMembers []tgUser        `json:"new_chat_members,omitempty"`
	LeftChatMember *tgUser         `json:"left_chat_member,omitempty"`
	ReplyMarkup    *tgInlineMarkup `json:"reply_markup,omitempty"`
}

type tgCallbackQuery struct {
	ID           string     `json:"id"`
	From         tgUser     `json:"from"`
	Message      *tgMessage `json:"message,omitempty"`
	ChatInstance string     `json:"chat_instance"`
	Data         string     `json:"data,omitempty"`
}

type tgChatMember struct {
	User   tgUser `json:"user"`
	Status string `json:"status"`
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
