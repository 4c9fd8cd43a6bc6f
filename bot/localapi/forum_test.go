package localapi

import (
	"strconv"
	"strings"
	"testing"
)

// feed reads updates from *next on and moves *next past them.
func feed(b *botClient, next *int) []tgUpdate {
	b.t.Helper()
	ups := b.updates(*next, 0)
	if len(ups) > 0 {
		*next = ups[len(ups)-1].UpdateID + 1
	}
	return ups
}

func p(kv ...string) map[string]string {
	out := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

func createTopic(t *testing.T, bot *botClient, chatID int64, name string) tgForumTopic {
	t.Helper()
	var tp tgForumTopic
	bot.ok("createForumTopic", p("chat_id", id(chatID), "name", name), &tp)
	return tp
}

func TestCreateForumTopicRules(t *testing.T) {
	s, bot := startServer(t, Config{})
	owner, worker := s.NewUser("Owner", "en"), s.NewUser("Worker", "ru")
	forum := s.NewForum("Union desk", owner, worker)
	plain := s.NewGroup("Plain", owner)
	basic := s.NewBasicGroup("Basic", owner)
	limited := s.NewForum("Limited", owner)
	limited.PromoteBotWith(owner, AdminRights{PinMessages: true, DeleteMessages: true})
	const noRights = "Bad Request: not enough rights to create a topic"
	for _, tc := range []struct {
		name   string
		chat   int64
		params []string
		want   string
	}{
		{"supergroup without topics", plain.ID(), []string{"name", "Case 1"}, "Bad Request: the chat is not a forum"},
		{"basic group", basic.ID(), []string{"name", "Case 1"}, "Bad Request: the chat is not a forum"},
		{"bot is a plain member", forum.ID(), []string{"name", "Case 1"}, noRights},
		{"admin without can_manage_topics", limited.ID(), []string{"name", "Case 1"}, noRights},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bot.fails("createForumTopic", p(append([]string{"chat_id", id(tc.chat)}, tc.params...)...), 400, tc.want)
		})
	}
	forum.PromoteBot(owner)
	bot.fails("createForumTopic", p("chat_id", id(forum.ID()), "name", "  "), 400, "Bad Request: title must be non-empty")
	bot.fails("createForumTopic", p("chat_id", id(forum.ID()), "name", "x", "icon_color", "123"), 400, "Bad Request: invalid icon color specified")

	tp := createTopic(t, bot, forum.ID(), "Case 17 · wages")
	if tp.MessageThreadID == 0 || tp.Name != "Case 17 · wages" || tp.IconColor != 7322096 {
		t.Fatalf("topic = %+v", tp)
	}
	var colored tgForumTopic
	bot.ok("createForumTopic", p("chat_id", id(forum.ID()), "name", strings.Repeat("ə", 200), "icon_color", "16478047"), &colored)
	if len([]rune(colored.Name)) != 128 || colored.IconColor != 16478047 {
		t.Fatalf("long name is cut to 128 characters like TDLib does: %d %d", len([]rune(colored.Name)), colored.IconColor)
	}
	topics := forum.Topics()
	if len(topics) != 2 || topics[0] != (Topic{ID: tp.MessageThreadID, Name: tp.Name, IconColor: 7322096}) {
		t.Fatalf("topics = %+v", topics)
	}
	msgs := forum.TopicMessages(tp.MessageThreadID)
	if len(msgs) != 1 || msgs[0].ID != tp.MessageThreadID || msgs[0].Service != "forum_topic_created" || msgs[0].From != s.bot.ID {
		t.Fatalf("topic messages = %+v", msgs)
	}
	if !forum.IsForum() || forum.Type() != "supergroup" || basic.Type() != "group" || plain.IsForum() {
		t.Fatal("group kinds")
	}
}

func TestTopicMessages(t *testing.T) {
	s, bot := startServer(t, Config{})
	owner, worker := s.NewUser("Owner", "en"), s.NewUser("Caseworker", "ka")
	forum := s.NewForum("Union desk", owner, worker)
	forum.PromoteBot(owner)
	next := 0
	feed(bot, &next)
	tp := createTopic(t, bot, forum.ID(), "Case 3")
	other := createTopic(t, bot, forum.ID(), "Case 4")

	card := bot.send(forum.ID(), "<b>Case 3</b>", p("parse_mode", "HTML", "message_thread_id", itoa(tp.MessageThreadID)))
	if card.MessageThreadID != tp.MessageThreadID || !card.IsTopicMessage || card.ReplyToMessage == nil ||
		card.ReplyToMessage.MessageID != tp.MessageThreadID || card.ReplyToMessage.ForumTopicCreated == nil ||
		card.ReplyToMessage.ForumTopicCreated.Name != "Case 3" || !card.Chat.IsForum {
		t.Fatalf("card = %+v", mustJSON(card))
	}
	for _, tc := range []struct{ name, thread string }{{"unknown topic", "999"}, {"General is not a topic id", "1"}} {
		t.Run(tc.name, func(t *testing.T) {
			bot.fails("sendMessage", p("chat_id", id(forum.ID()), "text", "x", "message_thread_id", tc.thread), 400, "Bad Request: message thread not found")
		})
	}
	// Replying to a message in another topic is refused; a reply without
	// message_thread_id lands in the replied message's topic.
	bot.fails("sendMessage", p("chat_id", id(forum.ID()), "text", "x", "message_thread_id", itoa(other.MessageThreadID),
		"reply_parameters", `{"message_id":`+itoa(card.MessageID)+`}`), 400, "Bad Request: message to be replied not found")
	inferred := bot.send(forum.ID(), "follow-up", p("reply_parameters", `{"message_id":`+itoa(card.MessageID)+`}`))
	if inferred.MessageThreadID != tp.MessageThreadID || !inferred.IsTopicMessage || inferred.ReplyToMessage.MessageID != card.MessageID {
		t.Fatalf("inferred = %+v", mustJSON(inferred))
	}

	// People's messages: implicit reply to the topic's creation message.
	in := forum.SendInTopic(worker, tp.MessageThreadID, "I take this case")
	rep := forum.ReplyInTopic(worker, tp.MessageThreadID, card.MessageID, "details please")
	if forum.SendInTopic(worker, 999, "x") != 0 || forum.ReplyInTopic(worker, other.MessageThreadID, card.MessageID, "x") != 0 {
		t.Fatal("a post into a missing topic or across topics was accepted")
	}
	ups := feed(bot, &next)
	if len(ups) != 2 {
		t.Fatalf("admin bot got %d updates, want 2", len(ups))
	}
	m := ups[0].Message
	if m.MessageID != in || m.MessageThreadID != tp.MessageThreadID || !m.IsTopicMessage || m.ReplyToMessage == nil ||
		m.ReplyToMessage.MessageID != tp.MessageThreadID || m.ReplyToMessage.ForumTopicCreated == nil {
		t.Fatalf("topic message = %s", mustJSON(m))
	}
	if r := ups[1].Message; r.MessageID != rep || r.ReplyToMessage.MessageID != card.MessageID || r.MessageThreadID != tp.MessageThreadID {
		t.Fatalf("reply in topic = %s", mustJSON(r))
	}
	msgs := forum.TopicMessages(tp.MessageThreadID)
	var ids []int
	for _, m := range msgs {
		ids = append(ids, m.ID)
	}
	if mustJSON(ids) != mustJSON([]int{tp.MessageThreadID, card.MessageID, inferred.MessageID, in, rep}) {
		t.Fatalf("topic ids = %v", ids)
	}
	if msgs[3].From != worker.ID() || msgs[3].PlainText != "I take this case" || msgs[4].ReplyTo != card.MessageID || msgs[1].PlainText != "Case 3" {
		t.Fatalf("topic messages = %+v", msgs)
	}
}

func TestTopicLifecycle(t *testing.T) {
	s, bot := startServer(t, Config{})
	owner, worker := s.NewUser("Owner", "en"), s.NewUser("Caseworker", "az")
	forum := s.NewForum("Union desk", owner, worker)
	forum.PromoteBot(owner)
	tp := createTopic(t, bot, forum.ID(), "Case 9")
	th := itoa(tp.MessageThreadID)
	chat := id(forum.ID())
	bot.fails("reopenForumTopic", p("chat_id", chat, "message_thread_id", th), 400, "Bad Request: TOPIC_NOT_MODIFIED")
	bot.ok("closeForumTopic", p("chat_id", chat, "message_thread_id", th), nil)
	bot.fails("closeForumTopic", p("chat_id", chat, "message_thread_id", th), 400, "Bad Request: TOPIC_NOT_MODIFIED")
	if got := forum.Topics(); !got[0].Closed {
		t.Fatalf("topics = %+v", got)
	}
	// Members cannot write into a closed topic; administrators (the
	// creator, the admin bot) can.
	if forum.SendInTopic(worker, tp.MessageThreadID, "late") != 0 {
		t.Fatal("a member wrote into a closed topic")
	}
	if forum.SendInTopic(owner, tp.MessageThreadID, "note") == 0 {
		t.Fatal("the creator could not write into a closed topic")
	}
	bot.send(forum.ID(), "closed, but I am admin", p("message_thread_id", th))
	forum.DemoteBot(owner)
	bot.fails("sendMessage", p("chat_id", chat, "text", "x", "message_thread_id", th), 400, "Bad Request: TOPIC_CLOSED")
	// Its own topic the bot may still reopen and rename without rights.
	bot.ok("reopenForumTopic", p("chat_id", chat, "message_thread_id", th), nil)
	bot.ok("editForumTopic", p("chat_id", chat, "message_thread_id", th, "name", "Case 9 (closed)"), nil)
	bot.fails("editForumTopic", p("chat_id", chat, "message_thread_id", "777", "name", "x"), 400, "Bad Request: TOPIC_ID_INVALID")
	people := forum.CreateTopic(worker, "Questions")
	bot.fails("closeForumTopic", p("chat_id", chat, "message_thread_id", itoa(people)), 400, "Bad Request: not enough rights to close or open the topic")
	bot.fails("deleteForumTopic", p("chat_id", chat, "message_thread_id", itoa(people)), 400, "Bad Request: not enough rights to delete the topic")
	if got := forum.Topics(); len(got) != 2 || got[0].Name != "Case 9 (closed)" || got[0].Closed || got[1].Name != "Questions" {
		t.Fatalf("topics = %+v", got)
	}
	var services []string
	for _, m := range forum.TopicMessages(tp.MessageThreadID) {
		services = append(services, m.Service)
	}
	if mustJSON(services) != `["forum_topic_created","forum_topic_closed","","","forum_topic_reopened","forum_topic_edited"]` {
		t.Fatalf("topic history = %v", services)
	}
	bot.fails("deleteMessage", p("chat_id", chat, "message_id", th), 400, "Bad Request: message can't be deleted")

	bot.ok("deleteForumTopic", p("chat_id", chat, "message_thread_id", th), nil)
	if got := forum.Topics(); len(got) != 1 || len(forum.TopicMessages(tp.MessageThreadID)) != 0 {
		t.Fatalf("after delete: %+v", got)
	}
	bot.fails("sendMessage", p("chat_id", chat, "text", "x", "message_thread_id", th), 400, "Bad Request: message thread not found")
	bot.fails("deleteMessage", p("chat_id", chat, "message_id", th), 400, "Bad Request: message to delete not found")
}

// In a plain supergroup message_thread_id is ignored on sends, and replies
// carry the reply chain's root as message_thread_id without
// is_topic_message, as Telegram does. Basic groups have no threads.
func TestReplyThreadsOutsideForums(t *testing.T) {
	s, bot := startServer(t, Config{ReadAllGroupMessages: true})
	owner, worker := s.NewUser("Owner", "en"), s.NewUser("Caseworker", "ro")
	for _, g := range []*Group{s.NewGroup("Plain", owner, worker), s.NewBasicGroup("Basic", owner, worker)} {
		t.Run(g.Type(), func(t *testing.T) {
			next := 0
			feed(bot, &next)
			card := bot.send(g.ID(), "card", p("message_thread_id", "12345"))
			if card.MessageThreadID != 0 || card.IsTopicMessage {
				t.Fatalf("card = %s", mustJSON(card))
			}
			first := g.Reply(worker, card.MessageID, "on it")
			second := g.Reply(owner, first, "thanks")
			ups := feed(bot, &next)
			if len(ups) != 2 {
				t.Fatalf("updates = %d", len(ups))
			}
			wantThread := card.MessageID
			if g.Type() == "group" {
				wantThread = 0
			}
			for i, u := range ups {
				if u.Message.MessageThreadID != wantThread || u.Message.IsTopicMessage {
					t.Fatalf("reply %d = %s", i, mustJSON(u.Message))
				}
			}
			if ups[1].Message.MessageID != second || ups[1].Message.ReplyToMessage.MessageID != first {
				t.Fatalf("second = %s", mustJSON(ups[1].Message))
			}
			if g.SendInTopic(worker, card.MessageID, "x") != 0 {
				t.Fatal("a topic post outside a forum was accepted")
			}
		})
	}
}

// A press in a group waits for its answer like one in a private chat: tests
// that see the bot's reply wait for it before counting answers.
func TestGroupPressesCountUntilAnswered(t *testing.T) {
	s, bot := startServer(t, Config{})
	owner := s.NewUser("Owner", "en")
	g := s.NewGroup("Desk", owner)
	g.PromoteBot(owner)
	var m tgMessage
	bot.ok("sendMessage", p("chat_id", id(g.ID()), "text", "card",
		"reply_markup", inlineKeyboard([]Button{{Text: "Take", CallbackData: "take"}})), &m)
	next := 0
	feed(bot, &next)
	if err := g.Press(owner, m.MessageID, "Take"); err != nil {
		t.Fatal(err)
	}
	if n := g.Unanswered(); n != 1 {
		t.Fatalf("%d presses unanswered after one press, want 1", n)
	}
	ups := feed(bot, &next)
	if len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("updates after the press: %s", mustJSON(ups))
	}
	bot.ok("answerCallbackQuery", p("callback_query_id", ups[0].CallbackQuery.ID), nil)
	if n := g.Unanswered(); n != 0 {
		t.Fatalf("%d presses unanswered after the answer, want 0", n)
	}
}
