package localapi

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

// deskBot is a minimal caseworkers' desk over the Bot API: each worker's
// case gets a topic in a forum (or a card in a plain group); the worker's
// messages are copied there, and caseworkers' answers (replies in the
// topic, or replies to the card) are copied back. It never names the
// worker in the group.
type deskBot struct {
	t        *testing.T
	bot      *botClient
	group    int64
	forum    bool
	next     int
	threadOf map[int64]int // worker → topic id or card id
	workerOf map[int]int64 // topic id or card id → worker
}

func (d *deskBot) step() {
	d.t.Helper()
	for _, u := range feed(d.bot, &d.next) {
		m := u.Message
		if m == nil {
			continue
		}
		switch {
		case m.Chat.Type == "private":
			d.fromWorker(m)
		case m.Chat.ID == d.group && m.From != nil && !m.From.IsBot:
			d.fromCaseworker(m)
		}
	}
}

func (d *deskBot) fromWorker(m *tgMessage) {
	thread, ok := d.threadOf[m.Chat.ID]
	if !ok {
		if d.forum {
			var tp tgForumTopic
			d.bot.ok("createForumTopic", p("chat_id", id(d.group), "name", "Case "+itoa(len(d.threadOf)+1)), &tp)
			thread = tp.MessageThreadID
			d.bot.send(d.group, "<b>New case</b>", p("parse_mode", "HTML", "message_thread_id", itoa(thread)))
		} else {
			card := d.bot.send(d.group, "<b>New case "+itoa(len(d.threadOf)+1)+"</b>", p("parse_mode", "HTML"))
			thread = card.MessageID
			d.bot.ok("pinChatMessage", p("chat_id", id(d.group), "message_id", itoa(thread)), nil)
		}
		d.threadOf[m.Chat.ID], d.workerOf[thread] = thread, m.Chat.ID
	}
	params := p("chat_id", id(d.group), "from_chat_id", id(m.Chat.ID), "message_id", itoa(m.MessageID))
	if d.forum {
		params["message_thread_id"] = itoa(thread)
	} else {
		params["reply_parameters"] = `{"message_id":` + itoa(thread) + `}`
	}
	d.bot.ok("copyMessage", params, nil)
}

func (d *deskBot) fromCaseworker(m *tgMessage) {
	thread := 0
	switch {
	case d.forum && m.IsTopicMessage:
		thread = m.MessageThreadID
	case !d.forum && m.ReplyToMessage != nil:
		thread = m.MessageThreadID // the reply chain's root: the card
	}
	worker, ok := d.workerOf[thread]
	if !ok {
		return
	}
	d.bot.ok("copyMessage", p("chat_id", id(worker), "from_chat_id", id(d.group), "message_id", itoa(m.MessageID)), nil)
}

func TestDeskScenario(t *testing.T) {
	for _, forum := range []bool{true, false} {
		name := "plain supergroup"
		if forum {
			name = "forum"
		}
		t.Run(name, func(t *testing.T) {
			s, bot := startServer(t, Config{})
			owner, cw := s.NewUser("Union office", "en"), s.NewUser("Caseworker", "ru")
			newGroup := s.NewGroup
			if forum {
				newGroup = s.NewForum
			}
			g := newGroup("Union desk", owner, cw)
			g.PromoteBot(owner) // sees every message: replies not addressed to it too
			d := &deskBot{t: t, bot: bot, group: g.ID(), forum: forum, threadOf: map[int64]int{}, workerOf: map[int]int64{}}
			d.step()
			w1, w2 := s.NewUser("Gulnara Seitkali", "kk"), s.NewUser("Vasile Rusu", "ro")
			w1.SendText("They kept my passport")
			w2.SendText("No wages for two months")
			w1.SendPhoto("passport receipt")
			w2.SendDocument("contract.pdf", "application/pdf", "")
			d.step()

			thread1 := d.threadOf[w1.ID()]
			var inGroup []Message
			if forum {
				inGroup = g.TopicMessages(thread1)
				if len(g.Topics()) != 2 {
					t.Fatalf("topics = %+v", g.Topics())
				}
			} else {
				for _, m := range g.Messages() {
					if m.ReplyTo == thread1 {
						inGroup = append(inGroup, m)
					}
				}
			}
			var kinds []string
			for _, m := range inGroup {
				if m.From == s.bot.ID && m.Kind != "service" && m.ID != thread1 {
					kinds = append(kinds, m.Kind+":"+m.PlainText+m.PlainCaption)
				}
			}
			want := []string{"text:They kept my passport", "photo:passport receipt"}
			if forum {
				want = append([]string{"text:New case"}, want...)
			}
			if mustJSON(kinds) != mustJSON(want) {
				t.Fatalf("case 1 in the group = %v", kinds)
			}

			// The caseworker answers in the case's thread; the worker gets it.
			if forum {
				g.SendInTopic(cw, thread1, "Bring the receipt to our office")
			} else {
				g.Reply(cw, thread1, "Bring the receipt to our office")
			}
			g.Send(cw, "unrelated chatter")
			d.step()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := w1.WaitFor(ctx, func(m Message) bool { return m.PlainText == "Bring the receipt to our office" }); err != nil {
				t.Fatal(err)
			}
			if len(w2.Messages()) != 0 || len(w1.Messages()) != 1 {
				t.Fatalf("relayed: w1 %d, w2 %d", len(w1.Messages()), len(w2.Messages()))
			}

			// Nothing the bot sent to the group names the workers.
			for _, r := range s.Requests() {
				if r.ChatID != g.ID() {
					continue
				}
				all, _ := json.Marshal(r.Params)
				for _, w := range []*User{w1, w2} {
					for _, leak := range []string{w.Name(), strings.Fields(w.Name())[0], id(w.ID())} {
						if strings.Contains(string(all), leak) && !(r.Method == "copyMessage" && r.Params["from_chat_id"] == id(w.ID())) {
							t.Errorf("%s to the group carries %q: %s", r.Method, leak, all)
						}
					}
				}
				if r.Status != 200 {
					t.Errorf("refused: %+v", r)
				}
			}
		})
	}
}

// Group operations from many goroutines, for the race detector.
func TestGroupConcurrency(t *testing.T) {
	s, bot := startServer(t, Config{})
	owner, cw := s.NewUser("Owner", "en"), s.NewUser("Caseworker", "ru")
	forum := s.NewForum("Desk", owner, cw)
	forum.PromoteBot(owner)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tp := createTopic(t, bot, forum.ID(), "Case "+itoa(i))
			th := itoa(tp.MessageThreadID)
			card := bot.send(forum.ID(), "card", p("message_thread_id", th))
			forum.ReplyInTopic(cw, tp.MessageThreadID, card.MessageID, "ok")
			forum.SendPhoto(cw, tp.MessageThreadID, 0, "scan")
			bot.ok("pinChatMessage", p("chat_id", id(forum.ID()), "message_id", itoa(card.MessageID)), nil)
			bot.ok("closeForumTopic", p("chat_id", id(forum.ID()), "message_thread_id", th), nil)
			_ = forum.Topics()
			_ = forum.TopicMessages(tp.MessageThreadID)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		basic := s.NewBasicGroup("Basic", owner)
		basic.Send(owner, "/start")
		basic.Migrate()
		basic.Send(owner, "/help")
	}()
	wg.Wait()
	if n := len(forum.Topics()); n != 8 {
		t.Fatalf("topics = %d", n)
	}
	for _, tp := range forum.Topics() {
		if msgs := forum.TopicMessages(tp.ID); !tp.Closed || len(msgs) != 6 {
			t.Fatalf("topic %+v has %d messages", tp, len(msgs))
		}
	}
}
