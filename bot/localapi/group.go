package localapi

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// Group is a simulated group chat: a supergroup, a forum supergroup or a
// basic group. After Migrate it follows the new supergroup.
type Group struct {
	s     *Server
	id    int64
	title string
	chat  *chat
}

// NewGroup creates a supergroup; the first member is its creator and adds
// the bot (my_chat_member + new_chat_members). With no members the bot is
// not in the group until AddBot.
func (s *Server) NewGroup(title string, members ...*User) *Group {
	return s.newGroup(title, "supergroup", false, members)
}

// NewForum creates a forum supergroup (is_forum: true), one topic per case.
func (s *Server) NewForum(title string, members ...*User) *Group {
	return s.newGroup(title, "supergroup", true, members)
}

// NewBasicGroup creates a basic group (type "group"), which has no topics
// and can be upgraded with Migrate.
func (s *Server) NewBasicGroup(title string, members ...*User) *Group {
	return s.newGroup(title, "group", false, members)
}

func (s *Server) newGroup(title, typ string, forum bool, members []*User) *Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	var id int64
	if typ == "group" {
		id = s.nextBasic
		s.nextBasic--
	} else {
		id = s.nextGrp
		s.nextGrp--
	}
	g := &Group{s: s, id: id, title: title}
	g.chat = s.newChatLocked(id, typ)
	g.chat.title, g.chat.forum, g.chat.group, g.chat.botStatus = title, forum, g, "left"
	for i, m := range members {
		status := "member"
		if i == 0 {
			status = "creator"
		}
		g.chat.members[m.id] = status
	}
	s.groups = append(s.groups, g)
	if len(members) > 0 {
		s.addBotLocked(g, members[0])
	}
	s.touchLocked()
	return g
}

// current is the group's chat, which Migrate replaces.
func (g *Group) current() *chat {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	return g.chat
}

// ID is the group's chat id (negative); it changes when Migrate upgrades
// a basic group.
func (g *Group) ID() int64 {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	return g.id
}

// Unanswered counts the presses in the group the bot has not answered
// yet; see User.Unanswered.
func (g *Group) Unanswered() int {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	return g.chat.unanswered
}

// Title is the group's title.
func (g *Group) Title() string { return g.title }

// Type is the chat type: "supergroup" or "group".
func (g *Group) Type() string { return g.current().typ }

// IsForum reports a forum supergroup.
func (g *Group) IsForum() bool { return g.current().forum }

func (s *Server) addBotLocked(g *Group, by *User) {
	s.setBotStatusLocked(g.chat, by.wireLocked(), "member", AdminRights{}, s.now())
	s.postLocked(by, g.chat, "service", func(m *tgMessage) { m.NewChatMembers = []tgUser{s.bot} })
}

// AddBot adds the bot to the group again.
func (g *Group) AddBot(by *User) error {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	if st := g.chat.botStatus; st == "member" || st == "administrator" {
		return errors.New("localapi: bot is already in the group")
	}
	g.s.addBotLocked(g, by)
	return nil
}

// PromoteBot makes the bot an administrator that may manage topics, pin and
// delete messages (it then sees every message).
func (g *Group) PromoteBot(by *User) { g.PromoteBotWith(by, fullRights) }

// PromoteBotWith makes the bot an administrator with exactly these rights.
func (g *Group) PromoteBotWith(by *User, rights AdminRights) {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setBotStatusLocked(g.chat, by.wireLocked(), "administrator", rights, s.now())
}

// DemoteBot takes the bot's administrator rights away; it stays a member.
func (g *Group) DemoteBot(by *User) {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if g.chat.botStatus == "administrator" {
		s.setBotStatusLocked(g.chat, by.wireLocked(), "member", AdminRights{}, s.now())
	}
}

// RemoveBot bans the bot from the group: it gets my_chat_member "kicked"
// and every later send answers 403.
func (g *Group) RemoveBot(by *User) {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := g.chat
	if c.botStatus == "kicked" {
		return
	}
	s.setBotStatusLocked(c, by.wireLocked(), "kicked", AdminRights{}, s.now())
	s.postLocked(by, c, "service", func(m *tgMessage) { bot := s.bot; m.LeftChatMember = &bot })
}

// Join adds u to the group (a new_chat_members service message).
func (g *Group) Join(u *User) {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setMemberLocked(g.chat, u, u, "member")
	s.postLocked(u, g.chat, "service", func(m *tgMessage) { m.NewChatMembers = []tgUser{u.wireLocked()} })
}

// Leave makes u leave the group (a left_chat_member service message).
func (g *Group) Leave(u *User) {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if !canPost(g.chat.members[u.id]) && g.chat.members[u.id] != "restricted" {
		return
	}
	s.setMemberLocked(g.chat, u, u, "left")
	s.postLocked(u, g.chat, "service", func(m *tgMessage) { w := u.wireLocked(); m.LeftChatMember = &w })
}

// Kick bans u from the group; by is the administrator who did it.
func (g *Group) Kick(by, u *User) {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	was := g.chat.members[u.id]
	s.setMemberLocked(g.chat, by, u, "kicked")
	if canPost(was) || was == "restricted" {
		s.postLocked(by, g.chat, "service", func(m *tgMessage) { w := u.wireLocked(); m.LeftChatMember = &w })
	}
}

// PromoteMember makes u an administrator with full rights.
func (g *Group) PromoteMember(by, u *User) {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	g.s.setMemberLocked(g.chat, by, u, "administrator")
}

// Restrict makes u a restricted member who may read but not write.
func (g *Group) Restrict(by, u *User) {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	g.s.setMemberLocked(g.chat, by, u, "restricted")
}

// Send posts text to the group as from. Under privacy mode the bot only
// receives it if it is a command, mentions the bot or replies to it.
// Posts that Telegram would not allow (from a non-member) return 0.
func (g *Group) Send(from *User, text string) (messageID int) {
	return g.post(from, 0, 0, "text", func(m *tgMessage) { setText(m, text) })
}

// Reply posts text as a reply to message toMessageID (0 if it does not
// exist).
func (g *Group) Reply(from *User, toMessageID int, text string) (messageID int) {
	return g.post(from, 0, toMessageID, "text", func(m *tgMessage) { setText(m, text) })
}

// SendInTopic posts text into forum topic threadID; 0 when the topic does
// not exist, is closed to from, or the group is not a forum.
func (g *Group) SendInTopic(from *User, threadID int, text string) int {
	return g.post(from, threadID, 0, "text", func(m *tgMessage) { setText(m, text) })
}

// ReplyInTopic posts text into topic threadID replying to toMessageID.
func (g *Group) ReplyInTopic(from *User, threadID, toMessageID int, text string) int {
	return g.post(from, threadID, toMessageID, "text", func(m *tgMessage) { setText(m, text) })
}

// SendPhoto posts a photo (threadID 0: General or no topic; toMessageID 0:
// no reply).
func (g *Group) SendPhoto(from *User, threadID, toMessageID int, caption string) int {
	return g.post(from, threadID, toMessageID, "photo", func(m *tgMessage) { g.s.newPhotoLocked(m, caption) })
}

// SendDocument posts a file.
func (g *Group) SendDocument(from *User, threadID, toMessageID int, name, mimeType, caption string) int {
	return g.post(from, threadID, toMessageID, "document", func(m *tgMessage) { g.s.newDocumentLocked(m, name, mimeType, caption) })
}

// SendVoice posts a voice note.
func (g *Group) SendVoice(from *User, threadID, toMessageID int) int {
	return g.post(from, threadID, toMessageID, "voice", func(m *tgMessage) { g.s.newVoiceLocked(m) })
}

// SendSticker posts a sticker.
func (g *Group) SendSticker(from *User, threadID, toMessageID int) int {
	return g.post(from, threadID, toMessageID, "sticker", func(m *tgMessage) { g.s.newStickerLocked(m) })
}

// CreateTopic opens a forum topic as from (members may, by default) and
// returns its message_thread_id; 0 if the group is not a forum.
func (g *Group) CreateTopic(from *User, name string) int {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := g.chat
	if !c.forum || !canPost(c.members[from.id]) || name == "" {
		return 0
	}
	r := s.postLocked(from, c, "service", func(m *tgMessage) {
		m.MessageThreadID, m.IsTopicMessage = m.MessageID, true
		m.ForumTopicCreated = &tgForumTopicCreated{Name: name, IconColor: topicColors[0]}
	})
	c.topics[r.id] = &topic{id: r.id, name: name, color: topicColors[0]}
	return r.id
}

// post is a person's message in the group, placed in its topic or reply
// thread the way a Telegram client does.
func (g *Group) post(from *User, threadID, toMessageID int, kind string, build func(m *tgMessage)) int {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := g.chat
	status := c.members[from.id]
	if !canPost(status) {
		return 0
	}
	var tp *topic
	if threadID != 0 {
		if tp = c.topics[threadID]; !c.forum || tp == nil {
			return 0
		}
	}
	var to *record
	if toMessageID != 0 {
		if to = c.live(toMessageID); to == nil || (tp != nil && (!to.topic || to.thread != tp.id)) {
			return 0
		}
		if tp == nil && c.forum && to.topic {
			tp = c.topics[to.thread]
		}
	}
	if tp != nil && tp.closed && status == "member" {
		return 0
	}
	thread, isTopic := threadFor(c, tp, to)
	var inner *tgMessage
	if to != nil {
		inner = s.innerWire(c, to)
	} else if creation := c.live(thread); isTopic && creation != nil {
		inner = s.innerWire(c, creation)
	}
	r := s.postLocked(from, c, kind, func(m *tgMessage) {
		build(m)
		m.MessageThreadID, m.IsTopicMessage, m.ReplyToMessage = thread, isTopic, inner
	})
	if to != nil {
		r.replyTo = to.id
	}
	return r.id
}

// Migrate upgrades a basic group to a supergroup with a new -100… id, as
// Telegram does when a group grows or gets a supergroup-only setting. Both
// chats get a service message (migrate_to_chat_id in the old one,
// migrate_from_chat_id in the new one); messages keep their ids; sends to
// the old id answer 400 with parameters.migrate_to_chat_id.
func (g *Group) Migrate() error {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	old := g.chat
	if old.typ != "group" {
		return errors.New("localapi: only a basic group can be migrated")
	}
	var by *User
	for _, u := range s.users {
		if old.members[u.id] == "creator" {
			by = u
		}
	}
	if by == nil {
		return errors.New("localapi: the group has no creator to upgrade it")
	}
	id := s.nextGrp
	s.nextGrp--
	nc := s.newChatLocked(id, "supergroup")
	nc.title, nc.group, nc.botStatus, nc.botRights = old.title, g, old.botStatus, old.botRights
	for k, v := range old.members {
		nc.members[k] = v
	}
	nc.msgs, nc.byID, nc.nextMsg, nc.pins = old.msgs, old.byID, old.nextMsg, old.pins
	old.msgs, old.byID, old.pins = nil, map[int]*record{}, nil
	s.postLocked(by, old, "service", func(m *tgMessage) { m.MigrateToChatID = id })
	old.migratedTo = id
	g.id, g.chat = id, nc
	s.postLocked(by, nc, "service", func(m *tgMessage) { m.MigrateFromChatID = old.id })
	return nil
}

// Edit changes the text of one of from's messages in the group, or the
// caption of a photo, document or video, producing an edited_message when
// the bot would have received the message.
func (g *Group) Edit(from *User, messageID int, newText string) error {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := g.chat
	r := c.byID[messageID]
	if r == nil || r.fromBot || r.sender != from || r.kind == "service" {
		return fmt.Errorf("localapi: %s has no message %d in chat %d", from.Name(), messageID, c.id)
	}
	if r.kind == "text" {
		setText(&r.wire, newText)
	} else {
		r.wire.Caption = newText
	}
	now := s.now()
	r.wire.EditDate = now.Unix()
	r.edited = now
	r.seq = s.touchLocked()
	c.mark = r.seq
	if s.deliversLocked(c, r) {
		msg := r.wire
		s.enqueueLocked(tgUpdate{EditedMessage: &msg})
	}
	return nil
}

// DeleteTopic is an administrator deleting a forum topic, with all its
// messages, from their client, as desks tidy up; Telegram tells the bot
// nothing of it.
func (g *Group) DeleteTopic(by *User, threadID int) error {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := g.chat
	tp := c.topics[threadID]
	if st := c.members[by.id]; tp == nil || st != "creator" && st != "administrator" {
		return fmt.Errorf("localapi: %s cannot delete topic %d in chat %d", by.Name(), threadID, c.id)
	}
	s.deleteTopicLocked(c, tp)
	return nil
}

// DeleteMessage is an administrator deleting one of the bot's messages
// from their client; Telegram tells the bot nothing of it.
func (g *Group) DeleteMessage(by *User, messageID int) error {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c := g.chat
	r := c.byID[messageID]
	if st := c.members[by.id]; r == nil || !r.fromBot || st != "creator" && st != "administrator" {
		return fmt.Errorf("localapi: %s cannot delete message %d in chat %d", by.Name(), messageID, c.id)
	}
	s.deleteLocked(c, r)
	return nil
}

// Press presses an inline button under a bot message in the group.
func (g *Group) Press(from *User, messageID int, buttonText string) error {
	return g.s.press(from, g.current(), messageID, func(b Button) bool { return b.Text == buttonText }, buttonText)
}

// PressData sends arbitrary callback data for a bot message in the group.
func (g *Group) PressData(from *User, messageID int, data string) error {
	return g.s.pressData(from, g.current(), messageID, data)
}

// Messages lists the bot's messages in the group.
func (g *Group) Messages() []Message { return g.s.botMessages(g.current()) }

// Last is the newest bot message in the group not deleted.
func (g *Group) Last() (Message, bool) { return g.s.lastBotMessage(g.current(), nil) }

// WaitFor waits for a bot message in the group changed since the last
// member action that matches.
func (g *Group) WaitFor(ctx context.Context, match func(Message) bool) (Message, error) {
	return g.s.waitFor(ctx, g.current(), match)
}

// CallbackAnswers lists the bot's answers to presses in the group.
func (g *Group) CallbackAnswers() []CallbackAnswer { return g.s.callbackAnswers(g.current()) }

// Topics lists the forum's topics in creation order.
func (g *Group) Topics() []Topic {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Topic{}
	for _, t := range g.chat.topics {
		out = append(out, Topic{ID: t.id, Name: t.name, IconColor: t.color, Closed: t.closed})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// TopicMessages lists every message of a topic, the bot's and people's,
// from its creation message on (deleted ones stay, flagged).
func (g *Group) TopicMessages(threadID int) []Message {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, r := range g.chat.msgs {
		if r.topic && r.thread == threadID {
			out = append(out, viewOf(g.chat, r))
		}
	}
	return out
}

// Member is u's status in the group: creator, administrator, member,
// restricted, left or kicked.
func (g *Group) Member(u *User) string {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	if st, ok := g.chat.members[u.id]; ok {
		return st
	}
	return "left"
}

// Groups lists the groups, in the order they were made.
func (s *Server) Groups() []*Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Group(nil), s.groups...)
}
