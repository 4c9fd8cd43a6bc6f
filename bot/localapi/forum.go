package localapi

import (
	"strings"
	"unicode/utf8"
)

// topicColors are the icon colours the Bot API allows; the first is what
// Telegram picks when none is given.
var topicColors = []int{7322096, 16766590, 13338331, 9367192, 16749490, 16478047}

// forumFor resolves chat_id for a topic method: the bot must be able to
// write there and the chat must be a forum.
func (s *Server) forumFor(c *call) (*chat, *APIError) {
	ch, aerr := s.chatForSend(c)
	if aerr != nil {
		return nil, aerr
	}
	if !ch.forum {
		return nil, badRequest("the chat is not a forum")
	}
	return ch, nil
}

func (ch *chat) canManageTopics() bool { return ch.botAdmin() && ch.botRights.ManageTopics }

// topicName cleans a topic name like TDLib: trimmed, cut to 128 characters.
func topicName(name string) string {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 128 {
		name = string([]rune(name)[:128])
	}
	return name
}

func (s *Server) createForumTopic(c *call) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.forumFor(c)
	if aerr != nil {
		return nil, aerr
	}
	if !ch.canManageTopics() {
		return nil, badRequest("not enough rights to create a topic")
	}
	name := topicName(c.p.str("name"))
	if name == "" {
		return nil, badRequest("title must be non-empty")
	}
	color := topicColors[0]
	if n, ok := c.p.int64("icon_color"); ok && n != 0 {
		color = -1
		for _, allowed := range topicColors {
			if int64(allowed) == n {
				color = allowed
			}
		}
		if color < 0 {
			return nil, badRequest("invalid icon color specified")
		}
	}
	r := s.serviceLocked(ch, 0, c.now, func(m *tgMessage) {
		m.ForumTopicCreated = &tgForumTopicCreated{Name: name, IconColor: color}
	})
	r.thread, r.topic, r.bot.ThreadID = r.id, true, r.id
	ch.topics[r.id] = &topic{id: r.id, name: name, color: color, byBot: true}
	return tgForumTopic{MessageThreadID: r.id, Name: name, IconColor: color}, nil
}

// topicFor resolves message_thread_id of a topic method; the bot needs
// can_manage_topics unless it opened the topic itself.
func (s *Server) topicFor(c *call, denied string) (*chat, *topic, *APIError) {
	ch, aerr := s.forumFor(c)
	if aerr != nil {
		return nil, nil, aerr
	}
	id, _ := c.p.int64("message_thread_id")
	if id <= 0 {
		return nil, nil, badRequest("invalid message thread identifier specified")
	}
	tp := ch.topics[int(id)]
	if tp == nil {
		return nil, nil, badRequest("TOPIC_ID_INVALID")
	}
	if !tp.byBot && !ch.canManageTopics() {
		return nil, nil, badRequest("%s", denied)
	}
	return ch, tp, nil
}

func (s *Server) editForumTopic(c *call) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, tp, aerr := s.topicFor(c, "not enough rights to edit the topic")
	if aerr != nil {
		return nil, aerr
	}
	raw, given := c.p.raw("name")
	if !given || raw == "" {
		return true, nil // nothing to change, as TDLib answers
	}
	name := topicName(raw)
	if name == "" {
		return nil, badRequest("title must be non-empty")
	}
	if name == tp.name {
		return nil, badRequest("TOPIC_NOT_MODIFIED")
	}
	tp.name = name
	s.serviceLocked(ch, tp.id, c.now, func(m *tgMessage) { m.ForumTopicEdited = &tgForumTopicEdited{Name: name} })
	return true, nil
}

func (s *Server) closeForumTopic(c *call) (any, *APIError)  { return s.toggleTopic(c, true) }
func (s *Server) reopenForumTopic(c *call) (any, *APIError) { return s.toggleTopic(c, false) }

func (s *Server) toggleTopic(c *call, closed bool) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, tp, aerr := s.topicFor(c, "not enough rights to close or open the topic")
	if aerr != nil {
		return nil, aerr
	}
	if tp.closed == closed {
		return nil, badRequest("TOPIC_NOT_MODIFIED")
	}
	tp.closed = closed
	s.serviceLocked(ch, tp.id, c.now, func(m *tgMessage) {
		if closed {
			m.ForumTopicClosed = &struct{}{}
		} else {
			m.ForumTopicReopened = &struct{}{}
		}
	})
	return true, nil
}

// deleteForumTopic removes the topic with all its messages.
func (s *Server) deleteForumTopic(c *call) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, tp, aerr := s.topicFor(c, "not enough rights to delete the topic")
	if aerr != nil {
		return nil, aerr
	}
	s.deleteTopicLocked(ch, tp)
	return true, nil
}

func (s *Server) deleteTopicLocked(ch *chat, tp *topic) {
	kept := ch.msgs[:0]
	for _, r := range ch.msgs {
		if r.topic && r.thread == tp.id {
			s.unpinLocked(ch, r)
			delete(ch.byID, r.id)
			continue
		}
		kept = append(kept, r)
	}
	ch.msgs = kept
	delete(ch.topics, tp.id)
	s.touchLocked()
}

// pinRights applies Telegram's rule: in groups only an administrator bot
// with can_pin_messages may pin; in private chats anyone.
func pinRights(ch *chat) *APIError {
	if ch.typ != "private" && !(ch.botAdmin() && ch.botRights.PinMessages) {
		return badRequest("not enough rights to manage pinned messages in the chat")
	}
	return nil
}

func (s *Server) pinChatMessage(c *call) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.chatForSend(c)
	if aerr != nil {
		return nil, aerr
	}
	id, _ := c.p.int64("message_id")
	r := ch.live(int(id))
	if r == nil {
		return nil, badRequest("message to pin not found")
	}
	if aerr := pinRights(ch); aerr != nil {
		return nil, aerr
	}
	if r.kind == "service" {
		return nil, badRequest("a service message can't be pinned")
	}
	s.unpinLocked(ch, r)
	r.pinned = true
	ch.pins = append(ch.pins, r.id)
	thread := 0
	if r.topic {
		thread = r.thread
	}
	s.serviceLocked(ch, thread, c.now, func(m *tgMessage) { m.PinnedMessage = s.innerWire(ch, r) })
	return true, nil
}

// unpinChatMessage unpins message_id, or the most recent pin without it.
func (s *Server) unpinChatMessage(c *call) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.chatForSend(c)
	if aerr != nil {
		return nil, aerr
	}
	var r *record
	if id, ok := c.p.int64("message_id"); ok {
		if r = ch.live(int(id)); r == nil {
			return nil, badRequest("message to unpin not found")
		}
	} else if n := len(ch.pins); n > 0 {
		r = ch.byID[ch.pins[n-1]]
	}
	if aerr := pinRights(ch); aerr != nil {
		return nil, aerr
	}
	if r != nil {
		s.unpinLocked(ch, r)
		s.touchLocked()
	}
	return true, nil
}

func (s *Server) unpinLocked(ch *chat, r *record) {
	if !r.pinned {
		return
	}
	r.pinned = false
	for i, id := range ch.pins {
		if id == r.id {
			ch.pins = append(ch.pins[:i], ch.pins[i+1:]...)
			break
		}
	}
}
