package localapi

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

type chat struct {
	id       int64
	typ      string // "private" or "supergroup"
	title    string
	user     *User  // private chats
	group    *Group // groups
	msgs     []*record
	byID     map[int]*record
	nextMsg  int
	instance string

	started   bool // the user wrote first; bots cannot initiate
	blocked   bool
	botStatus string // groups: "member", "administrator", "left", "kicked"
	members   map[int64]string

	replyKb [][]KeyButton
	mark    uint64 // change sequence at the last human action
	answers []CallbackAnswer
}

// record is one message in a chat, from the bot or from a person.
type record struct {
	id      int
	fromBot bool
	sender  *User
	kind    string // text, photo, document, sticker, voice, video_note, location, contact, service
	date    time.Time
	seq     uint64
	wire    tgMessage // people's messages exactly as delivered to the bot
	bot     Message   // bot messages: current visible state
	nodes   []*Node
	inline  *tgInlineMarkup
	edited  time.Time
	replyTo int
}

func (c *chat) wire() tgChat {
	if c.typ == "private" {
		return tgChat{ID: c.id, Type: "private", FirstName: c.user.name}
	}
	return tgChat{ID: c.id, Type: c.typ, Title: c.title}
}

func (c *chat) add(r *record) *record {
	c.nextMsg++
	r.id = c.nextMsg
	c.msgs = append(c.msgs, r)
	c.byID[r.id] = r
	return r
}

func (s *Server) newChatLocked(id int64, typ string) *chat {
	c := &chat{id: id, typ: typ, byID: map[int]*record{}, members: map[int64]string{},
		instance: fmt.Sprintf("%d", 4000000000000000000+id%1000000000*7919)}
	s.chats[id] = c
	return c
}

// botWire is a bot message as Telegram returns it from send/edit methods
// and embeds it in callback queries.
func (s *Server) botWire(c *chat, r *record) tgMessage {
	bot := s.bot
	m := tgMessage{
		MessageID: r.id, From: &bot, Date: r.date.Unix(), Chat: c.wire(),
		Text: r.bot.PlainText, Entities: r.bot.Entities, Location: r.bot.Location, ReplyMarkup: r.inline,
	}
	if r.bot.Location != nil {
		m.Text = ""
	}
	if !r.edited.IsZero() {
		m.EditDate = r.edited.Unix()
	}
	if r.replyTo != 0 {
		if to := c.byID[r.replyTo]; to != nil {
			var inner tgMessage
			if to.fromBot {
				inner = s.botWire(c, &record{id: to.id, date: to.date, bot: to.bot})
			} else {
				inner = to.wire
				inner.ReplyToMessage = nil
			}
			m.ReplyToMessage = &inner
		}
	}
	return m
}

func copyMessage(r *record) Message {
	m := r.bot
	m.Entities = append([]Entity(nil), m.Entities...)
	m.InlineKeyboard = cloneRows(m.InlineKeyboard)
	m.ReplyKeyboard = cloneRows(m.ReplyKeyboard)
	if m.Location != nil {
		loc := *m.Location
		m.Location = &loc
	}
	return m
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
		if r.fromBot {
			out = append(out, copyMessage(r))
		}
	}
	return out
}

func (s *Server) lastBotMessage(c *chat) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(c.msgs) - 1; i >= 0; i-- {
		if r := c.msgs[i]; r.fromBot && !r.bot.Deleted {
			return copyMessage(r), true
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
			if r.fromBot && r.seq > c.mark {
				candidates = append(candidates, copyMessage(r))
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
