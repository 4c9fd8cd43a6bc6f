package localapi

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

type chat struct {
	id       int64
	typ      string // "private", "group" or "supergroup"
	title    string
	forum    bool
	user     *User  // private chats
	group    *Group // groups
	msgs     []*record
	byID     map[int]*record
	nextMsg  int
	instance string

	started   bool // the user wrote first; bots cannot initiate
	blocked   bool
	botStatus string // groups: "member", "administrator", "left", "kicked"
	botRights AdminRights
	members   map[int64]string // creator, administrator, member, restricted, left, kicked

	topics     map[int]*topic
	pins       []int // pinned message ids, oldest first
	migratedTo int64 // a basic group upgraded to this supergroup

	replyKb [][]KeyButton
	mark    uint64 // change sequence at the last human action
	answers []CallbackAnswer
	// unanswered counts the presses in the chat the bot has not answered.
	unanswered int
}

// topic is a forum topic; byBot marks one the bot opened, which it may
// edit, close and delete without admin rights (TDLib allows its own).
type topic struct {
	id     int
	name   string
	color  int
	closed bool
	byBot  bool
}

// record is one message in a chat, from the bot or from a person.
type record struct {
	id      int
	fromBot bool
	sender  *User
	kind    string // text, photo, document, sticker, voice, video, video_note, location, contact, service, deleted
	date    time.Time
	seq     uint64
	// wire: people's and service messages exactly as delivered; for the
	// bot's own content messages only the media part (files, caption).
	wire    tgMessage
	bot     Message // bot messages: current visible state
	nodes   []*Node
	inline  *tgInlineMarkup
	edited  time.Time
	replyTo int  // explicit reply
	thread  int  // message_thread_id
	topic   bool // is_topic_message
	pinned  bool
}

// gone reports a deleted message.
func (r *record) gone() bool { return (r.fromBot && r.bot.Deleted) || r.kind == "deleted" }

// topicCreation reports the service message that opened a forum topic.
func (r *record) topicCreation() bool { return r.kind == "service" && r.wire.ForumTopicCreated != nil }

func (c *chat) wire() tgChat {
	if c.typ == "private" {
		return tgChat{ID: c.id, Type: "private", FirstName: c.user.name}
	}
	return tgChat{ID: c.id, Type: c.typ, Title: c.title, IsForum: c.forum}
}

func (c *chat) add(r *record) *record {
	c.nextMsg++
	r.id = c.nextMsg
	c.msgs = append(c.msgs, r)
	c.byID[r.id] = r
	return r
}

// live returns message id if it exists and is not deleted.
func (c *chat) live(id int) *record {
	if r := c.byID[id]; r != nil && !r.gone() {
		return r
	}
	return nil
}

func (s *Server) newChatLocked(id int64, typ string) *chat {
	c := &chat{id: id, typ: typ, byID: map[int]*record{}, members: map[int64]string{}, topics: map[int]*topic{},
		instance: fmt.Sprintf("%d", 4000000000000000000+id%1000000000*7919)}
	s.chats[id] = c
	return c
}

// botWire is a bot message as Telegram returns it from send/edit methods
// and embeds it in callback queries.
func (s *Server) botWire(c *chat, r *record) tgMessage {
	bot := s.bot
	m := r.wire
	m.MessageID, m.From, m.Date, m.Chat = r.id, &bot, r.date.Unix(), c.wire()
	if r.kind != "service" {
		m.Text, m.Entities, m.Location, m.ReplyMarkup = r.bot.PlainText, r.bot.Entities, r.bot.Location, r.inline
	}
	if !r.edited.IsZero() {
		m.EditDate = r.edited.Unix()
	}
	m.MessageThreadID, m.IsTopicMessage = r.thread, r.topic
	m.ReplyToMessage = s.replyWire(c, r)
	return m
}

// wireOf is any message of the chat in its current wire form.
func (s *Server) wireOf(c *chat, r *record) tgMessage {
	if r.fromBot {
		return s.botWire(c, r)
	}
	m := r.wire
	m.Chat = c.wire()
	if m.ReplyToMessage != nil {
		inner := *m.ReplyToMessage
		inner.Chat = m.Chat
		m.ReplyToMessage = &inner
	}
	return m
}

// innerWire is a message as embedded in reply_to_message or
// pinned_message: Telegram does not nest a second reply in it.
func (s *Server) innerWire(c *chat, r *record) *tgMessage {
	m := s.wireOf(c, r)
	m.ReplyToMessage = nil
	return &m
}

// replyWire is reply_to_message of a bot message: the explicit reply, or in
// a forum topic the topic's creation message, as Telegram reports it.
func (s *Server) replyWire(c *chat, r *record) *tgMessage {
	to := r.replyTo
	if to == 0 && r.topic && r.id != r.thread {
		to = r.thread
	}
	if to == 0 {
		return nil
	}
	t := c.live(to)
	if t == nil {
		return nil
	}
	return s.innerWire(c, t)
}

// viewOf is a message as a member sees it, bot's or person's.
func viewOf(c *chat, r *record) Message {
	if !r.fromBot {
		return personView(c, r)
	}
	m := r.bot
	m.ID, m.ChatID, m.Date, m.From = r.id, c.id, r.date, r.bot.From
	m.Kind, m.ThreadID, m.Pinned, m.ReplyTo = r.kind, r.thread, r.pinned, r.replyTo
	if r.kind == "service" {
		m.Service = serviceName(&r.wire)
	}
	m.Entities = append([]Entity(nil), m.Entities...)
	m.InlineKeyboard = cloneRows(m.InlineKeyboard)
	m.ReplyKeyboard = cloneRows(m.ReplyKeyboard)
	if m.Location != nil {
		loc := *m.Location
		m.Location = &loc
	}
	return m
}

// personView is a person's message in the same shape as a bot message.
func personView(c *chat, r *record) Message {
	w := &r.wire
	m := Message{
		ID: r.id, ChatID: c.id, Date: r.date, Text: w.Text, PlainText: w.Text, Entities: append([]Entity(nil), w.Entities...),
		ReplyTo: r.replyTo, Edited: w.EditDate != 0, Deleted: r.kind == "deleted", Kind: r.kind, FileID: fileIDOf(w),
		Caption: w.Caption, PlainCaption: w.Caption, ThreadID: r.thread, Pinned: r.pinned, From: r.sender.id,
	}
	if w.Location != nil {
		loc := *w.Location
		m.Location = &loc
	}
	if r.kind == "service" {
		m.Service = serviceName(w)
	}
	return m
}

// serviceName names the event a service message reports.
func serviceName(m *tgMessage) string {
	switch {
	case m.ForumTopicCreated != nil:
		return "forum_topic_created"
	case m.ForumTopicClosed != nil:
		return "forum_topic_closed"
	case m.ForumTopicReopened != nil:
		return "forum_topic_reopened"
	case m.ForumTopicEdited != nil:
		return "forum_topic_edited"
	case m.PinnedMessage != nil:
		return "pinned_message"
	case len(m.NewChatMembers) > 0:
		return "new_chat_members"
	case m.LeftChatMember != nil:
		return "left_chat_member"
	case m.MigrateToChatID != 0:
		return "migrate_to_chat_id"
	case m.MigrateFromChatID != 0:
		return "migrate_from_chat_id"
	}
	return ""
}

func cloneRows[T any](rows [][]T) [][]T {
	if rows == nil {
		return nil
	}
	out := make([][]T, len(rows))
	for i, row := range rows {
		out[i] = append([]T(nil), row...)
	}
	return out
}

func (s *Server) botMessages(c *chat) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, r := range c.msgs {
		if r.fromBot && r.kind != "service" {
			out = append(out, viewOf(c, r))
		}
	}
	return out
}

// lastBotMessage is the newest bot message not deleted for which match is
// true (any, when match is nil). It looks from the newest back and stops at
// the first: a long chat's history is not copied to find its last message.
// match runs under the server's lock and must not call the server.
func (s *Server) lastBotMessage(c *chat, match func(Message) bool) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(c.msgs) - 1; i >= 0; i-- {
		if r := c.msgs[i]; r.fromBot && r.kind != "service" && !r.bot.Deleted {
			if m := viewOf(c, r); match == nil || match(m) {
				return m, true
			}
		}
	}
	return Message{}, false
}

// waitFor returns the first bot message created, edited or deleted after the
// last human action in the chat for which match is true. Looking back to
// that action (not to the call) means a reply that raced ahead of the
// caller is still found, while answers to earlier actions are not.
func (s *Server) waitFor(ctx context.Context, c *chat, match func(Message) bool) (Message, error) {
	for {
		s.mu.Lock()
		var candidates []Message
		for _, r := range c.msgs {
			if r.fromBot && r.kind != "service" && r.seq > c.mark {
				candidates = append(candidates, viewOf(c, r))
			}
		}
		changed := s.changed
		s.mu.Unlock()
		for _, m := range candidates {
			if match(m) {
				return m, nil
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Message{}, fmt.Errorf("localapi: no matching bot message in chat %d: %w", c.id, ctx.Err())
		case <-s.closed:
			return Message{}, errClosed
		}
	}
}

func (s *Server) callbackAnswers(c *chat) []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CallbackAnswer(nil), c.answers...)
}

// markupKey lets edits compare keyboards the way Telegram does: by content.
func markupKey(m *tgInlineMarkup) string {
	if m == nil || len(m.InlineKeyboard) == 0 {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func entitiesKey(es []Entity) string {
	b, _ := json.Marshal(es)
	return string(b)
}
