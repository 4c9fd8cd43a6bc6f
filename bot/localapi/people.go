package localapi

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// User is a simulated Telegram user with a private chat with the bot.
type User struct {
	s     *Server
	id    int64
	name  string
	lang  string
	phone string
	loc   Location
	chat  *chat
}

// NewUser creates a person. The private chat id equals the user id; the
// bot may not write until the user has written first.
func (s *Server) NewUser(firstName, languageCode string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextUser
	s.nextUser++
	u := &User{
		s: s, id: id, name: firstName, lang: languageCode,
		// +888 is Telegram's range of anonymous numbers, so a fake user
		// never carries a number that could belong to a real person.
		phone: "888" + strconv.FormatInt(id, 10),
		loc:   Location{Latitude: 40.4093, Longitude: 49.8671},
	}
	u.chat = s.newChatLocked(id, "private")
	u.chat.user = u
	s.users = append(s.users, u)
	s.touchLocked()
	return u
}

func (s *Server) userByIDLocked(id int64) *User {
	for _, u := range s.users {
		if u.id == id {
			return u
		}
	}
	return nil
}

// ID is the Telegram user id, also the private chat id.
func (u *User) ID() int64 { return u.id }

// ChatID is the private chat's id.
func (u *User) ChatID() int64 { return u.id }

// Name is the user's first name.
func (u *User) Name() string { return u.name }

// Language is the user's current Telegram interface language.
func (u *User) Language() string {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.lang
}

// SetLanguage changes the Telegram interface language; later updates carry it.
func (u *User) SetLanguage(code string) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.lang = code
}

// SetLocation sets where the user is when a keyboard button asks for it.
func (u *User) SetLocation(lat, lon float64) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.loc = Location{Latitude: lat, Longitude: lon}
}

func (u *User) wireLocked() tgUser {
	return tgUser{ID: u.id, FirstName: u.name, LanguageCode: u.lang}
}

// postLocked records a message from u in chat c and queues it for the bot
// when Telegram would deliver it.
func (s *Server) postLocked(u *User, c *chat, kind string, build func(m *tgMessage)) *record {
	now := s.now()
	if c.typ == "private" {
		if c.blocked {
			// Writing to a blocked bot means pressing "Restart" first.
			c.blocked = false
			s.enqueueLocked(tgUpdate{MyChatMember: &tgChatMemberUpdated{
				Chat: c.wire(), From: u.wireLocked(), Date: now.Unix(),
				OldChatMember: s.botMemberLocked(c, "kicked"), NewChatMember: s.botMemberLocked(c, "member"),
			}})
		}
		c.started = true
	}
	r := c.add(&record{sender: u, kind: kind, date: now})
	from := u.wireLocked()
	r.wire = tgMessage{MessageID: r.id, From: &from, Date: now.Unix(), Chat: c.wire()}
	build(&r.wire)
	r.thread, r.topic = r.wire.MessageThreadID, r.wire.IsTopicMessage
	s.registerFilesLocked(&r.wire)
	r.seq = s.touchLocked()
	c.mark = r.seq
	if s.deliversLocked(c, r) {
		msg := r.wire
		s.enqueueLocked(tgUpdate{Message: &msg})
	}
	return r
}

// deliversLocked applies group privacy mode: without admin rights or
// ReadAllGroupMessages the bot gets commands, mentions of it, explicit
// replies to its messages and service messages. A message in a forum topic
// is an implicit reply to the topic's creation message; that is not a
// reply to the bot even when the bot opened the topic.
func (s *Server) deliversLocked(c *chat, r *record) bool {
	if c.typ == "private" {
		return true
	}
	if c.botStatus != "member" && c.botStatus != "administrator" {
		return false
	}
	if s.cfg.ReadAllGroupMessages || c.botStatus == "administrator" || r.kind == "service" {
		return true
	}
	text := r.wire.Text + r.wire.Caption
	if strings.HasPrefix(r.wire.Text, "/") || strings.Contains(strings.ToLower(text), "@"+strings.ToLower(s.bot.Username)) {
		return true
	}
	if to := r.wire.ReplyToMessage; to != nil && to.From != nil && to.From.ID == s.bot.ID && to.ForumTopicCreated == nil {
		return true
	}
	return false
}

// textEntities marks commands and @mentions like Telegram clients do.
func textEntities(text string) []Entity {
	var out []Entity
	offset := 0
	prevSpace := true
	runes := []rune(text)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		if prevSpace && (r == '/' || r == '@') {
			j := i + 1
			for j < len(runes) && (unicode.IsLetter(runes[j]) || unicode.IsDigit(runes[j]) || runes[j] == '_' || (r == '/' && runes[j] == '@')) {
				j++
			}
			if j > i+1 {
				typ := "mention"
				if r == '/' {
					typ = "bot_command"
				}
				if r == '/' || j-i > 5 {
					length := UTF16Len(string(runes[i:j]))
					out = append(out, Entity{Type: typ, Offset: offset, Length: length})
				}
			}
		}
		offset += UTF16Len(string(r))
		prevSpace = unicode.IsSpace(r)
	}
	return out
}

func (s *Server) fileIDLocked(prefix string) (id, unique string) {
	s.nextFile++
	return fmt.Sprintf("%sAAMCAgADGQEAAI%08dZz", prefix, s.nextFile), fmt.Sprintf("AgAD%06d", s.nextFile)
}

func (u *User) post(kind string, build func(m *tgMessage)) int {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.s.postLocked(u, u.chat, kind, build).id
}

func setText(m *tgMessage, text string) {
	m.Text = text
	m.Entities = textEntities(text)
}

// SendText sends a text message; "/start" and other commands carry a
// bot_command entity as from a real client.
func (u *User) SendText(text string) (messageID int) {
	return u.post("text", func(m *tgMessage) { setText(m, text) })
}

// SendLocation shares a location.
func (u *User) SendLocation(lat, lon float64) int {
	return u.post("location", func(m *tgMessage) { m.Location = &Location{Latitude: lat, Longitude: lon} })
}

// SendContact shares the user's own contact; phone "" uses the user's
// generated +888 number.
func (u *User) SendContact(phone string) int {
	return u.post("contact", func(m *tgMessage) {
		if phone == "" {
			phone = u.phone
		}
		m.Contact = &tgContact{PhoneNumber: phone, FirstName: u.name, UserID: u.id}
	})
}

// ShareContact shares someone else's contact card, as a user does with
// the attachment menu; userID 0 is a person not on Telegram. The bot must
// not take it for the user's own number.
func (u *User) ShareContact(phone, firstName string, userID int64) int {
	return u.post("contact", func(m *tgMessage) {
		m.Contact = &tgContact{PhoneNumber: phone, FirstName: firstName, UserID: userID}
	})
}

// SendPhoto sends a photo in the three sizes Telegram generates.
func (u *User) SendPhoto(caption string) int {
	return u.post("photo", func(m *tgMessage) { u.s.newPhotoLocked(m, caption) })
}

// SendDocument sends a file.
func (u *User) SendDocument(name, mimeType, caption string) int {
	return u.post("document", func(m *tgMessage) { u.s.newDocumentLocked(m, name, mimeType, caption) })
}

// SendSticker sends a static sticker.
func (u *User) SendSticker() int {
	return u.post("sticker", func(m *tgMessage) { u.s.newStickerLocked(m) })
}

// SendVoice sends a voice note.
func (u *User) SendVoice() int {
	return u.post("voice", func(m *tgMessage) { u.s.newVoiceLocked(m) })
}

// SendVideo sends a short video.
func (u *User) SendVideo(caption string) int {
	return u.post("video", func(m *tgMessage) { u.s.newVideoLocked(m, caption) })
}

// SendVideoNote sends a round video message.
func (u *User) SendVideoNote() int {
	return u.post("video_note", func(m *tgMessage) {
		id, uniq := u.s.fileIDLocked("DQAC")
		m.VideoNote = &tgFile{FileID: id, FileUniqueID: uniq, Length: 240, Duration: 6, FileSize: 310000}
	})
}

// Forward sends text forwarded from another (fictitious) user an hour ago.
func (u *User) Forward(text string) int {
	return u.post("text", func(m *tgMessage) {
		setText(m, text)
		m.ForwardFrom = &tgUser{ID: 999000001, FirstName: "Forwarded"}
		m.ForwardDate = m.Date - 3600
	})
}

// Edit edits one of the user's own messages, producing an edited_message.
func (u *User) Edit(messageID int, newText string) error {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	r := u.chat.byID[messageID]
	if r == nil || r.fromBot || r.sender != u || r.kind != "text" {
		return fmt.Errorf("localapi: user %d has no text message %d", u.id, messageID)
	}
	setText(&r.wire, newText)
	now := s.now()
	r.wire.EditDate = now.Unix()
	r.edited = now
	r.seq = s.touchLocked()
	u.chat.mark = r.seq
	msg := r.wire
	s.enqueueLocked(tgUpdate{EditedMessage: &msg})
	return nil
}

// BlockBot blocks the bot: it gets my_chat_member "kicked" and every send
// to this chat fails with 403 until the user writes again.
func (u *User) BlockBot() {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.chat.blocked {
		return
	}
	u.chat.blocked = true
	s.enqueueLocked(tgUpdate{MyChatMember: &tgChatMemberUpdated{
		Chat: u.chat.wire(), From: u.wireLocked(), Date: s.now().Unix(),
		OldChatMember: s.botMemberLocked(u.chat, "member"), NewChatMember: s.botMemberLocked(u.chat, "kicked"),
	}})
	u.chat.mark = s.touchLocked()
}

// Press presses the inline button labelled buttonText under bot message
// messageID, producing a callback_query.
func (u *User) Press(messageID int, buttonText string) error {
	return u.s.press(u, u.chat, messageID, func(b Button) bool { return b.Text == buttonText }, buttonText)
}

// PressData sends a callback_query with arbitrary data for a bot message,
// as an old client showing a stale keyboard would.
func (u *User) PressData(messageID int, data string) error {
	return u.s.pressData(u, u.chat, messageID, data)
}

type callbackState struct {
	chat      *chat
	messageID int
	data      string
	answered  bool
}

func (s *Server) press(u *User, c *chat, messageID int, match func(Button) bool, label string) error {
	s.mu.Lock()
	r := c.byID[messageID]
	if r == nil || !r.fromBot || r.kind == "service" || r.bot.Deleted {
		s.mu.Unlock()
		return fmt.Errorf("localapi: no bot message %d in chat %d", messageID, c.id)
	}
	var found *Button
	for _, row := range r.bot.InlineKeyboard {
		for i := range row {
			if match(row[i]) {
				found = &row[i]
				break
			}
		}
		if found != nil {
			break
		}
	}
	if found == nil {
		s.mu.Unlock()
		return fmt.Errorf("localapi: message %d has no inline button %q", messageID, label)
	}
	if found.CallbackData == "" {
		s.mu.Unlock()
		return fmt.Errorf("localapi: button %q opens a URL, it sends no callback", label)
	}
	data := found.CallbackData
	s.mu.Unlock()
	return s.pressData(u, c, messageID, data)
}

func (s *Server) pressData(u *User, c *chat, messageID int, data string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := c.byID[messageID]
	if r == nil || !r.fromBot || r.kind == "service" || r.bot.Deleted {
		return fmt.Errorf("localapi: no bot message %d in chat %d", messageID, c.id)
	}
	s.nextCallback++
	id := strconv.FormatInt(4611686018427387904+s.nextCallback*7777, 10)
	s.callbacks[id] = &callbackState{chat: c, messageID: messageID, data: data}
	c.unanswered++
	msg := s.botWire(c, r)
	s.enqueueLocked(tgUpdate{CallbackQuery: &tgCallbackQuery{
		ID: id, From: u.wireLocked(), Message: &msg, ChatInstance: c.instance, Data: data,
	}})
	c.mark = s.touchLocked()
	return nil
}

// PressReply presses a reply keyboard button: a text message, or the
// user's location or contact when the button requests one.
func (u *User) PressReply(text string) (messageID int, err error) {
	s := u.s
	s.mu.Lock()
	var found *KeyButton
	for _, row := range u.chat.replyKb {
		for i := range row {
			if row[i].Text == text {
				found = &row[i]
			}
		}
	}
	if found == nil {
		s.mu.Unlock()
		return 0, fmt.Errorf("localapi: no reply keyboard button %q", text)
	}
	b := *found
	loc := u.loc
	s.mu.Unlock()
	switch {
	case b.RequestLocation:
		return u.SendLocation(loc.Latitude, loc.Longitude), nil
	case b.RequestContact:
		return u.SendContact(""), nil
	}
	return u.SendText(text), nil
}

// ReplyKeyboard is the reply keyboard currently shown under the input field.
func (u *User) ReplyKeyboard() [][]KeyButton {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return cloneRows(u.chat.replyKb)
}

// Messages lists the bot's messages in the chat in order, in their current
// state (deleted ones stay, flagged).
func (u *User) Messages() []Message { return u.s.botMessages(u.chat) }

// Last is the newest bot message not deleted.
func (u *User) Last() (Message, bool) { return u.s.lastBotMessage(u.chat, nil) }

// LastWhere is the newest bot message not deleted for which match is true,
// as a person scrolling up finds it. match must not call the server.
func (u *User) LastWhere(match func(Message) bool) (Message, bool) {
	return u.s.lastBotMessage(u.chat, match)
}

// WaitFor waits for a bot message, sent, edited or deleted since the user's
// last action, that matches.
func (u *User) WaitFor(ctx context.Context, match func(Message) bool) (Message, error) {
	return u.s.waitFor(ctx, u.chat, match)
}

// CallbackAnswers lists the bot's answers to this user's button presses.
func (u *User) CallbackAnswers() []CallbackAnswer { return u.s.callbackAnswers(u.chat) }

// Unanswered counts the user's presses the bot has not answered yet. The
// answer to a press is not ordered with the bot's messages, so a test that
// has seen a press's reply waits for this to reach 0 before counting
// answers.
func (u *User) Unanswered() int {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.chat.unanswered
}

// Users lists the people, in the order they were made.
func (s *Server) Users() []*User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*User(nil), s.users...)
}
