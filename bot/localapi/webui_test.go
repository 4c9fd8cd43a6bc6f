package localapi

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func uiPost(t *testing.T, base, action string, body any) map[string]any {
	t.Helper()
	resp, err := http.Post(base+"/ui/api/"+action, "application/json", strings.NewReader(mustJSON(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %v", action, resp.StatusCode, out)
	}
	return out
}

// uiFails posts an action the page must be refused, and returns the error.
func uiFails(t *testing.T, base, action string, body any) string {
	t.Helper()
	resp, err := http.Post(base+"/ui/api/"+action, "application/json", strings.NewReader(mustJSON(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]string
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != 400 || out["error"] == "" {
		t.Fatalf("%s %v: %d %v, want a refusal", action, body, resp.StatusCode, out)
	}
	return out["error"]
}

// getUIState long-polls the state of the chats, the first of which is
// returned by chat(); user picks the command list's language.
func getUIState(t *testing.T, base string, since uint64, chat, user int64, more ...int64) uiState {
	t.Helper()
	q := "since=" + strconv.FormatUint(since, 10) + "&user=" + id(user) + "&chat=" + id(chat)
	for _, c := range more {
		q += "&chat=" + id(c)
	}
	resp, err := http.Get(base + "/ui/api/state?" + q)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st uiState
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func (st uiState) chat() *uiChat {
	if len(st.Chats) == 0 {
		return &uiChat{}
	}
	return st.Chats[0]
}

func TestWebUI(t *testing.T) {
	s, bot := startServer(t, Config{})

	resp, err := http.Get(bot.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `<script src="app.js">`) {
		t.Fatalf("index: %d", resp.StatusCode)
	}
	for _, asset := range []string{"/app.js", "/style.css"} {
		r, err := http.Get(bot.base + asset)
		if err != nil || r.StatusCode != 200 {
			t.Fatalf("%s: %v %v", asset, err, r.StatusCode)
		}
		r.Body.Close()
	}

	created := uiPost(t, bot.base, "users", map[string]any{"name": "Aysel", "lang": "az"})
	uid := int64(created["id"].(float64))
	uiPost(t, bot.base, "send", map[string]any{"user": uid, "text": "/start"})
	ups := bot.updates(0, 0)
	if len(ups) != 1 || ups[0].Message.Text != "/start" || ups[0].Message.From.LanguageCode != "az" {
		t.Fatalf("updates = %+v", ups)
	}

	st := getUIState(t, bot.base, 0, uid, uid)
	// The long poll answers when the bot writes.
	done := make(chan uiState)
	go func() { done <- getUIState(t, bot.base, st.Version, uid, uid) }()
	bot.send(uid, `<b>Salam</b> <a href="javascript:alert(1)">x</a>`, map[string]string{
		"parse_mode": "HTML", "reply_markup": inlineKeyboard([]Button{{Text: "Haqqımda", CallbackData: "about"}}),
	})
	st = <-done
	msgs := st.chat().Messages
	if len(msgs) != 2 || msgs[0].FromBot || msgs[0].Text != "/start" || !msgs[1].FromBot {
		t.Fatalf("messages = %+v", msgs)
	}
	if n := msgs[1].Nodes; len(n) != 3 || n[0].Tag != "b" || n[2].Tag != "a" || n[2].Href != "javascript:alert(1)" {
		t.Fatalf("nodes = %+v", mustJSON(msgs[1].Nodes))
	}

	uiPost(t, bot.base, "press", map[string]any{"user": uid, "chat": uid, "message_id": msgs[1].ID, "row": 0, "col": 0})
	ups = bot.updates(ups[0].UpdateID+1, 0)
	if len(ups) != 1 || ups[0].CallbackQuery == nil || ups[0].CallbackQuery.Data != "about" {
		t.Fatalf("press = %+v", ups)
	}
	bot.ok("answerCallbackQuery", map[string]string{"callback_query_id": ups[0].CallbackQuery.ID, "text": "Hazırdır"}, nil)
	st = getUIState(t, bot.base, st.Version, uid, uid)
	if len(st.chat().Answers) != 1 || st.chat().Answers[0].Text != "Hazırdır" {
		t.Fatalf("answers = %+v", st.chat().Answers)
	}

	uiPost(t, bot.base, "media", map[string]any{"user": uid, "kind": "photo", "caption": "receipt"})
	uiPost(t, bot.base, "location", map[string]any{"user": uid, "lat": 41.7151, "lon": 44.8271})
	uiPost(t, bot.base, "contact", map[string]any{"user": uid})
	ups = bot.updates(ups[0].UpdateID+1, 0)
	if len(ups) != 3 || ups[0].Message.Photo == nil || ups[1].Message.Location == nil || ups[2].Message.Contact == nil {
		t.Fatalf("media updates = %+v", ups)
	}

	other := uiPost(t, bot.base, "users", map[string]any{"name": "Nino", "lang": "ka"})
	g := uiPost(t, bot.base, "groups", map[string]any{"user": uid, "title": "Brigade", "members": []any{other["id"]}})
	gid := int64(g["id"].(float64))
	uiPost(t, bot.base, "send", map[string]any{"user": other["id"], "chat": gid, "text": "/help"})
	st = getUIState(t, bot.base, 0, gid, uid)
	if st.chat().Type != "supergroup" || len(st.Groups) != 1 || len(st.Groups[0].Members) != 2 {
		t.Fatalf("group state = %+v", st)
	}
	if len(s.Commands("")) != 0 {
		t.Fatal("no commands were set")
	}
}

// The chat page gets what it needs to label topics, service events and
// media; it does not render them richly yet.
func TestWebUIForum(t *testing.T) {
	s, bot := startServer(t, Config{})
	owner, cw := s.NewUser("Owner", "en"), s.NewUser("Caseworker", "ru")
	forum := s.NewForum("Desk", owner, cw)
	forum.PromoteBot(owner)
	owner.SendPhoto("scan")
	tp := createTopic(t, bot, forum.ID(), "Case 1")
	var photo string
	for _, u := range bot.updates(0, 0) {
		if u.Message != nil && len(u.Message.Photo) > 0 {
			photo = u.Message.Photo[0].FileID
		}
	}
	var sent tgMessage
	bot.ok("sendPhoto", p("chat_id", id(forum.ID()), "photo", photo, "caption", "copy", "message_thread_id", itoa(tp.MessageThreadID)), &sent)
	bot.ok("pinChatMessage", p("chat_id", id(forum.ID()), "message_id", itoa(sent.MessageID)), nil)
	forum.SendInTopic(cw, tp.MessageThreadID, "seen")
	st := getUIState(t, bot.base, 0, forum.ID(), owner.ID())
	var got []string
	for _, m := range st.chat().Messages {
		got = append(got, m.Kind+"|"+m.Service+"|"+m.Topic+"|"+m.Caption+"|"+strconv.FormatBool(m.Pinned))
	}
	want := []string{"service|new_chat_members|||false", "service|forum_topic_created|Case 1||false",
		"photo||Case 1|copy|true", "service|pinned_message|Case 1||false", "text||Case 1||false"}
	if mustJSON(got) != mustJSON(want) {
		t.Fatalf("ui messages = %v", got)
	}
	if st.chat().Messages[1].SenderName != "RightsDesk" || st.chat().Messages[4].ReplyTo != 0 {
		t.Fatalf("ui = %+v", st.chat().Messages)
	}
}

// One poll carries the worker's chat and the group side by side; the page
// replies to a bot message on either side, edits in the private chat and
// posts files into the group, and Telegram's refusals come back as errors.
func TestWebUIBothSides(t *testing.T) {
	s, bot := startServer(t, Config{})
	ana := s.NewUser("Ana", "en")
	desk := s.NewGroup("Desk", ana)
	w := uiPost(t, bot.base, "users", map[string]any{"name": "Nino", "lang": "ka"})
	worker := int64(w["id"].(float64))
	uiPost(t, bot.base, "send", map[string]any{"user": worker, "text": "/start"})
	card := bot.send(desk.ID(), "<b>Case RD-1</b>", map[string]string{"parse_mode": "HTML"})
	relay := bot.send(worker, "<i>Question</i>", map[string]string{"parse_mode": "HTML"})

	st := getUIState(t, bot.base, 0, worker, worker, desk.ID())
	if st.Session == "" || len(st.Chats) != 2 || st.Chats[0].ID != worker || st.Chats[1].ID != desk.ID() {
		t.Fatalf("state: session %q, chats %+v", st.Session, st.Chats)
	}
	if other := New(Config{Token: testToken}); other.session == s.session {
		t.Fatal("two servers share a session")
	}

	// The caseworker answers the card; the worker answers the relayed message.
	r := uiPost(t, bot.base, "send", map[string]any{"user": ana.ID(), "chat": desk.ID(), "message_id": card.MessageID, "text": "We take it"})
	a := uiPost(t, bot.base, "send", map[string]any{"user": worker, "message_id": relay.MessageID, "text": "Three months"})
	ups := bot.updates(0, 0)
	var groupReply, privateReply *tgMessage
	for _, u := range ups {
		if m := u.Message; m != nil && m.ReplyToMessage != nil {
			if m.Chat.ID == desk.ID() {
				groupReply = m
			} else {
				privateReply = m
			}
		}
	}
	if groupReply == nil || groupReply.ReplyToMessage.MessageID != card.MessageID || groupReply.Text != "We take it" {
		t.Fatalf("the bot did not get the reply to its card: %+v", ups)
	}
	if privateReply == nil || privateReply.ReplyToMessage.MessageID != relay.MessageID || privateReply.ReplyToMessage.Text != "Question" {
		t.Fatalf("the bot did not get the worker's reply: %+v", ups)
	}
	uiPost(t, bot.base, "edit", map[string]any{"user": worker, "message_id": int(a["id"].(float64)), "text": "Four months"})
	uiPost(t, bot.base, "edit", map[string]any{"user": ana.ID(), "chat": desk.ID(), "message_id": int(r["id"].(float64)), "text": "We take it today"})
	uiPost(t, bot.base, "media", map[string]any{"user": ana.ID(), "chat": desk.ID(), "kind": "document", "message_id": card.MessageID, "caption": "contract"})
	joined := uiPost(t, bot.base, "join", map[string]any{"chat": desk.ID(), "name": "Boris", "lang": "ru"})

	st = getUIState(t, bot.base, 0, worker, worker, desk.ID())
	private, group := st.Chats[0], st.Chats[1]
	var edited, quoted bool
	for _, m := range private.Messages {
		if m.ID == int(a["id"].(float64)) {
			edited, quoted = m.Edited && m.Text == "Four months", m.ReplyTo == relay.MessageID
		}
	}
	if !edited || !quoted {
		t.Errorf("the worker's answer is not shown as an edited reply: %+v", private.Messages)
	}
	last := group.Messages[len(group.Messages)-2] // before Boris's joining
	if last.Kind != "document" || last.FileName != "contract.pdf" || last.ReplyTo != card.MessageID {
		t.Errorf("the caseworker's file: %+v", last)
	}
	if m := group.Messages[int(r["id"].(float64))-1]; m.ReplyTo != card.MessageID || !m.Edited || m.Text != "We take it today" {
		t.Errorf("the caseworker's reply does not quote the card, edited: %+v", m)
	}
	if !slices.ContainsFunc(bot.updates(0, 0), func(u tgUpdate) bool {
		return u.EditedMessage != nil && u.EditedMessage.Chat.ID == desk.ID() && u.EditedMessage.Text == "We take it today"
	}) {
		t.Error("the bot did not get the caseworker's edit")
	}
	if g := st.Groups[0]; len(g.Members) != 2 || g.Members[1] != int64(joined["id"].(float64)) {
		t.Errorf("Boris did not join: %+v", g)
	}

	// What Telegram would refuse, the page hears about.
	bot.ok("deleteMessage", p("chat_id", id(desk.ID()), "message_id", itoa(card.MessageID)), nil)
	uiFails(t, bot.base, "send", map[string]any{"user": ana.ID(), "chat": desk.ID(), "message_id": card.MessageID, "text": "late"})
	uiFails(t, bot.base, "edit", map[string]any{"user": worker, "message_id": relay.MessageID, "text": "not mine"})
	uiFails(t, bot.base, "edit", map[string]any{"user": ana.ID(), "chat": desk.ID(), "message_id": card.MessageID, "text": "the bot's"})
	uiFails(t, bot.base, "send", map[string]any{"user": worker, "chat": desk.ID(), "text": "not a member"})
	uiFails(t, bot.base, "join", map[string]any{"chat": -5, "name": "X"})
	st = getUIState(t, bot.base, 0, desk.ID(), ana.ID())
	if m := st.chat().Messages[card.MessageID-1]; !m.Deleted || m.Nodes != nil {
		t.Errorf("the deleted card: %+v", m)
	}
}

// A forum shows its topics and pins, each message knows its topic, and the
// page writes into a topic.
func TestWebUITopicsAndPins(t *testing.T) {
	s, bot := startServer(t, Config{})
	owner := s.NewUser("Owner", "en")
	forum := s.NewForum("Desk", owner)
	forum.PromoteBot(owner)
	one, two := createTopic(t, bot, forum.ID(), "Case 1"), createTopic(t, bot, forum.ID(), "Case 2")
	bot.ok("closeForumTopic", p("chat_id", id(forum.ID()), "message_thread_id", itoa(two.MessageThreadID)), nil)
	var card tgMessage
	bot.ok("sendMessage", p("chat_id", id(forum.ID()), "text", "card", "message_thread_id", itoa(one.MessageThreadID)), &card)
	bot.ok("pinChatMessage", p("chat_id", id(forum.ID()), "message_id", itoa(card.MessageID)), nil)
	r := uiPost(t, bot.base, "send", map[string]any{"user": owner.ID(), "chat": forum.ID(), "thread": one.MessageThreadID, "message_id": card.MessageID, "text": "taken"})

	st := getUIState(t, bot.base, 0, forum.ID(), owner.ID())
	c := st.chat()
	if !c.Forum || !st.Groups[0].Forum || mustJSON(c.Topics) != mustJSON([]uiTopic{{ID: one.MessageThreadID, Name: "Case 1"}, {ID: two.MessageThreadID, Name: "Case 2", Closed: true}}) {
		t.Fatalf("topics: %+v", c.Topics)
	}
	if mustJSON(c.Pins) != mustJSON([]int{card.MessageID}) {
		t.Fatalf("pins: %v", c.Pins)
	}
	m := c.Messages[int(r["id"].(float64))-1]
	if m.Thread != one.MessageThreadID || m.Topic != "Case 1" || m.ReplyTo != card.MessageID {
		t.Fatalf("the reply in the topic: %+v", m)
	}
	bot.ok("unpinChatMessage", p("chat_id", id(forum.ID()), "message_id", itoa(card.MessageID)), nil)
	if st := getUIState(t, bot.base, 0, forum.ID(), owner.ID()); len(st.chat().Pins) != 0 {
		t.Fatalf("pins after unpinning: %v", st.chat().Pins)
	}
}
