package localapi

import (
	"encoding/json"
	"testing"
	"time"
)

func member(t *testing.T, bot *botClient, chatID, userID int64) map[string]any {
	t.Helper()
	var m map[string]any
	bot.ok("getChatMember", p("chat_id", id(chatID), "user_id", id(userID)), &m)
	return m
}

func TestChatMemberStatuses(t *testing.T) {
	s, bot := startServer(t, Config{})
	owner, admin, plain, muted, gone, banned, stranger := s.NewUser("Owner", "en"), s.NewUser("Admin", "ru"),
		s.NewUser("Plain", "az"), s.NewUser("Muted", "ka"), s.NewUser("Gone", "ro"), s.NewUser("Banned", "kk"), s.NewUser("Stranger", "en")
	g := s.NewForum("Desk", owner, admin, plain, muted, gone, banned)
	g.PromoteMember(owner, admin)
	g.Restrict(owner, muted)
	g.Leave(gone)
	g.Kick(owner, banned)
	for _, tc := range []struct {
		u      *User
		status string
		fields map[string]any
	}{
		{owner, "creator", map[string]any{"is_anonymous": false}},
		{admin, "administrator", map[string]any{"can_manage_topics": true, "can_pin_messages": true, "can_delete_messages": true}},
		{plain, "member", nil},
		{muted, "restricted", map[string]any{"is_member": true, "can_send_messages": false}},
		{gone, "left", nil},
		{banned, "kicked", map[string]any{"until_date": 0.0}},
		{stranger, "left", nil},
	} {
		t.Run(tc.u.Name(), func(t *testing.T) {
			m := member(t, bot, g.ID(), tc.u.ID())
			if m["status"] != tc.status || g.Member(tc.u) != tc.status {
				t.Fatalf("status = %v / %s, want %s", m["status"], g.Member(tc.u), tc.status)
			}
			for k, v := range tc.fields {
				if m[k] != v {
					t.Errorf("%s = %v, want %v", k, m[k], v)
				}
			}
			if tc.status == "member" && len(m) != 2 {
				t.Errorf("a plain member carries only user and status: %v", m)
			}
		})
	}
	// Only members write.
	for _, u := range []*User{muted, gone, banned, stranger} {
		if g.Send(u, "hello") != 0 {
			t.Errorf("%s could post", u.Name())
		}
	}
	if g.Send(admin, "hello") == 0 {
		t.Error("an administrator could not post")
	}

	bot.fails("getChatMember", p("chat_id", id(g.ID()), "user_id", "42"), 400, "Bad Request: user not found")
	botID, _ := s.BotUser()
	if m := member(t, bot, g.ID(), botID); m["status"] != "member" {
		t.Fatalf("bot = %v", m)
	}
	g.PromoteBot(owner)
	m := member(t, bot, g.ID(), botID)
	for _, k := range []string{"can_manage_topics", "can_pin_messages", "can_delete_messages", "can_manage_chat"} {
		if m[k] != true {
			t.Errorf("admin bot %s = %v", k, m[k])
		}
	}
	if m["status"] != "administrator" || m["can_promote_members"] != false || m["can_be_edited"] != false {
		t.Fatalf("admin bot = %v", m)
	}
	basic := s.NewBasicGroup("Basic", owner)
	basic.PromoteBot(owner)
	m = member(t, bot, basic.ID(), botID)
	if _, ok := m["can_manage_topics"]; ok || m["can_pin_messages"] != true {
		t.Fatalf("basic group admin carries can_pin_messages and no can_manage_topics: %v", m)
	}
}

func TestBotRemovedAndLeaving(t *testing.T) {
	s, bot := startServer(t, Config{})
	owner := s.NewUser("Owner", "en")
	for _, tc := range []struct {
		g    *Group
		kind string
	}{
		{s.NewForum("Forum", owner), "supergroup"},
		{s.NewBasicGroup("Basic", owner), "group"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			next := 0
			feed(bot, &next)
			tc.g.PromoteBot(owner)
			tc.g.RemoveBot(owner)
			ups := feed(bot, &next)
			if len(ups) != 2 {
				t.Fatalf("updates = %s", mustJSON(ups))
			}
			mc := ups[1].MyChatMember
			if mc == nil || mc.OldChatMember.Status != "administrator" || mc.NewChatMember.Status != "kicked" ||
				mc.From.ID != owner.ID() || mc.Chat.Type != tc.kind {
				t.Fatalf("my_chat_member = %s", mustJSON(ups[1]))
			}
			want := "Forbidden: bot was kicked from the " + tc.kind + " chat"
			bot.fails("sendMessage", p("chat_id", id(tc.g.ID()), "text", "x"), 403, want)
			bot.fails("createForumTopic", p("chat_id", id(tc.g.ID()), "name", "x"), 403, want)
			if err := tc.g.AddBot(owner); err != nil {
				t.Fatal(err)
			}
			bot.ok("leaveChat", p("chat_id", id(tc.g.ID())), nil)
			bot.fails("sendMessage", p("chat_id", id(tc.g.ID()), "text", "x"), 403, "Forbidden: bot is not a member of the "+tc.kind+" chat")
		})
	}
}

// Privacy mode as Telegram applies it in groups.
func TestPrivacyModeDelivery(t *testing.T) {
	s, bot := startServer(t, Config{})
	owner, worker, newcomer := s.NewUser("Owner", "en"), s.NewUser("Caseworker", "ru"), s.NewUser("New", "az")
	forum := s.NewForum("Desk", owner, worker)
	forum.PromoteBot(owner)
	own := createTopic(t, bot, forum.ID(), "Case 1")
	card := bot.send(forum.ID(), "card", p("message_thread_id", itoa(own.MessageThreadID)))
	forum.DemoteBot(owner)
	next := 0
	feed(bot, &next)

	cases := []struct {
		name      string
		post      func() int
		delivered bool
	}{
		{"plain text in General", func() int { return forum.Send(worker, "hello all") }, false},
		{"command", func() int { return forum.Send(worker, "/status") }, true},
		{"mention", func() int { return forum.Send(worker, "ask @rightsdesk_bot") }, true},
		{"message in the bot's topic (implicit reply)", func() int { return forum.SendInTopic(worker, own.MessageThreadID, "on it") }, false},
		{"explicit reply to the bot's card", func() int { return forum.ReplyInTopic(worker, own.MessageThreadID, card.MessageID, "on it") }, true},
		{"photo in the bot's topic", func() int { return forum.SendPhoto(worker, own.MessageThreadID, 0, "receipt") }, false},
		{"photo replying to the card", func() int { return forum.SendPhoto(worker, own.MessageThreadID, card.MessageID, "") }, true},
		{"topic created by a person", func() int { return forum.CreateTopic(worker, "Questions") }, true},
		{"new member", func() int { forum.Join(newcomer); return -1 }, true},
		{"member left", func() int { forum.Leave(newcomer); return -1 }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mid := tc.post()
			if mid == 0 {
				t.Fatal("post refused")
			}
			ups := feed(bot, &next)
			if got := len(ups) > 0; got != tc.delivered {
				t.Fatalf("delivered = %v, want %v: %s", got, tc.delivered, mustJSON(ups))
			}
			if tc.delivered && mid > 0 && ups[0].Message.MessageID != mid {
				t.Fatalf("delivered message %d, want %d", ups[0].Message.MessageID, mid)
			}
		})
	}
	forum.PromoteBot(owner)
	feed(bot, &next)
	forum.SendInTopic(worker, own.MessageThreadID, "admins see everything")
	if ups := feed(bot, &next); len(ups) != 1 {
		t.Fatalf("admin bot updates = %d", len(ups))
	}
}

func TestPinChatMessage(t *testing.T) {
	s, bot := startServer(t, Config{})
	owner, worker := s.NewUser("Owner", "en"), s.NewUser("Caseworker", "kk")
	forum := s.NewForum("Desk", owner, worker)
	basic := s.NewBasicGroup("Basic", owner)
	const noRights = "Bad Request: not enough rights to manage pinned messages in the chat"
	forum.PromoteBot(owner)
	tp := createTopic(t, bot, forum.ID(), "Case 5")
	card := bot.send(forum.ID(), "card", p("message_thread_id", itoa(tp.MessageThreadID)))
	basicCard := bot.send(basic.ID(), "card", nil)
	pin := func(chat int64, mid int) map[string]string {
		return p("chat_id", id(chat), "message_id", itoa(mid))
	}
	forum.PromoteBotWith(owner, AdminRights{ManageTopics: true})
	bot.fails("pinChatMessage", pin(forum.ID(), card.MessageID), 400, noRights)
	bot.fails("pinChatMessage", pin(basic.ID(), basicCard.MessageID), 400, noRights)
	forum.PromoteBot(owner)
	bot.fails("pinChatMessage", pin(forum.ID(), 999), 400, "Bad Request: message to pin not found")
	bot.fails("pinChatMessage", pin(forum.ID(), tp.MessageThreadID), 400, "Bad Request: a service message can't be pinned")
	next := 0
	feed(bot, &next)
	bot.ok("pinChatMessage", p("chat_id", id(forum.ID()), "message_id", itoa(card.MessageID), "disable_notification", "true"), nil)
	if ups := feed(bot, &next); len(ups) != 0 {
		t.Fatalf("the bot got its own pin: %s", mustJSON(ups))
	}
	last, _ := forum.Last()
	if !last.Pinned || last.ID != card.MessageID {
		t.Fatalf("last = %+v", last)
	}
	msgs := forum.TopicMessages(tp.MessageThreadID)
	if pinMsg := msgs[len(msgs)-1]; pinMsg.Service != "pinned_message" || pinMsg.ThreadID != tp.MessageThreadID {
		t.Fatalf("pin service message = %+v", pinMsg)
	}
	var chat map[string]json.RawMessage
	bot.ok("getChat", p("chat_id", id(forum.ID())), &chat)
	var pinned tgMessage
	json.Unmarshal(chat["pinned_message"], &pinned)
	if pinned.MessageID != card.MessageID || string(chat["is_forum"]) != "true" {
		t.Fatalf("getChat = %s", mustJSON(chat))
	}
	bot.ok("unpinChatMessage", p("chat_id", id(forum.ID())), nil)
	if last, _ := forum.Last(); last.Pinned {
		t.Fatal("still pinned")
	}
	basic.PromoteBot(owner)
	bot.ok("pinChatMessage", pin(basic.ID(), basicCard.MessageID), nil)
	// Private chats need no rights.
	worker.SendText("/start")
	dm := bot.send(worker.ID(), "your case", nil)
	bot.ok("pinChatMessage", pin(worker.ID(), dm.MessageID), nil)
}

func TestDeleteMessageInGroups(t *testing.T) {
	clock := newClock()
	s, bot := startServer(t, Config{Now: clock.Now, ReadAllGroupMessages: true})
	owner, worker := s.NewUser("Owner", "en"), s.NewUser("Caseworker", "ru")
	g := s.NewGroup("Desk", owner, worker)
	del := func(mid int) map[string]string { return p("chat_id", id(g.ID()), "message_id", itoa(mid)) }
	const cant = "Bad Request: message can't be deleted"
	own := bot.send(g.ID(), "mine", nil)
	theirs := g.Send(worker, "theirs")
	bot.fails("deleteMessage", del(theirs), 400, cant)
	g.PromoteBotWith(owner, AdminRights{ManageTopics: true, PinMessages: true})
	bot.fails("deleteMessage", del(theirs), 400, cant)
	g.PromoteBot(owner)
	bot.ok("deleteMessage", del(theirs), nil)
	bot.ok("deleteMessage", del(own.MessageID), nil)
	old := bot.send(g.ID(), "old", nil)
	clock.Advance(48 * time.Hour)
	bot.fails("deleteMessage", del(old.MessageID), 400, "Bad Request: message can't be deleted for everyone")
}
