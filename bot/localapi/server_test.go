package localapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestEnvelopeAuthAndEncodings(t *testing.T) {
	_, bot := startServer(t, Config{})
	var me tgUser
	bot.ok("getMe", nil, &me)
	if !me.IsBot || me.Username != "rightsdesk_bot" {
		t.Fatalf("getMe = %+v", me)
	}

	wrong := &botClient{t: t, base: bot.base, token: "123:wrong"}
	wrong.fails("getMe", nil, 401, "Unauthorized")
	bot.fails("sendSomething", nil, 404, "Not Found")

	// Method names are case-insensitive on Telegram.
	bot.ok("GETME", nil, nil)

	// JSON body, as newer clients send it.
	resp, err := http.Post(bot.base+"/bot"+testToken+"/getMyCommands", "application/json", strings.NewReader(`{"language_code":"ru"}`))
	if err != nil {
		t.Fatal(err)
	}
	var env envelope
	json.NewDecoder(resp.Body).Decode(&env)
	resp.Body.Close()
	if !env.OK || string(env.Result) != "[]" {
		t.Fatalf("json getMyCommands = %+v %s", env, env.Result)
	}

	// Multipart, as the library sends uploads.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("chat_id", "42")
	mw.WriteField("text", "x")
	mw.Close()
	resp, err = http.Post(bot.base+"/bot"+testToken+"/sendMessage", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	env = envelope{}
	json.NewDecoder(resp.Body).Decode(&env)
	resp.Body.Close()
	if resp.StatusCode != 400 || env.Description != "Bad Request: chat not found" {
		t.Fatalf("multipart sendMessage = %d %+v", resp.StatusCode, env)
	}
}

func TestUpdatesOffsetAndLongPoll(t *testing.T) {
	s, bot := startServer(t, Config{})
	u := s.NewUser("Aysel", "az")
	u.SendText("/start")
	u.SendText("salam")

	ups := bot.updates(0, 0)
	if len(ups) != 2 {
		t.Fatalf("got %d updates", len(ups))
	}
	first := ups[0].Message
	if first == nil || first.Text != "/start" || first.From.LanguageCode != "az" || first.Chat.ID != u.ID() || first.Chat.Type != "private" {
		t.Fatalf("first update = %+v", first)
	}
	if len(first.Entities) != 1 || first.Entities[0] != (Entity{Type: "bot_command", Offset: 0, Length: 6}) {
		t.Fatalf("entities = %+v", first.Entities)
	}
	if ups[1].UpdateID != ups[0].UpdateID+1 || ups[1].Message.MessageID != first.MessageID+1 {
		t.Fatalf("ids not increasing: %+v", ups)
	}

	// Without offset nothing is confirmed.
	if again := bot.updates(0, 0); len(again) != 2 {
		t.Fatalf("unconfirmed updates lost: %d", len(again))
	}
	// offset = last+1 confirms everything.
	if rest := bot.updates(ups[1].UpdateID+1, 0); len(rest) != 0 {
		t.Fatalf("confirmed updates redelivered: %+v", rest)
	}

	// A long poll returns with the update as soon as it is queued.
	done := make(chan []tgUpdate)
	go func() { done <- bot.updates(ups[1].UpdateID+1, 30) }()
	waitPolling(t, s)
	u.SendText("later")
	got := <-done
	if len(got) != 1 || got[0].Message.Text != "later" {
		t.Fatalf("long poll = %+v", got)
	}

	// limit
	u.SendText("a")
	u.SendText("b")
	var limited []tgUpdate
	bot.ok("getUpdates", map[string]string{"offset": id(int64(got[0].UpdateID + 1)), "limit": "1"}, &limited)
	if len(limited) != 1 || limited[0].Message.Text != "a" {
		t.Fatalf("limit 1 = %+v", limited)
	}
}

// waitPolling blocks until a getUpdates call is parked on the server.
func waitPolling(t *testing.T, s *Server) {
	t.Helper()
	for range 500 {
		s.mu.Lock()
		parked := s.poll != nil
		s.mu.Unlock()
		if parked {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("getUpdates never parked")
}

func TestGetUpdatesConflicts(t *testing.T) {
	s, bot := startServer(t, Config{})
	older := make(chan envelope)
	go func() {
		_, env := bot.call("getUpdates", map[string]string{"timeout": "30"})
		older <- env
	}()
	waitPolling(t, s)
	newer := make(chan []tgUpdate)
	go func() { newer <- bot.updates(0, 30) }()
	env := <-older
	if env.ErrorCode != 409 || env.Description != conflictPoll {
		t.Fatalf("older poll = %+v", env)
	}
	waitPolling(t, s)
	u := s.NewUser("Nino", "ka")
	u.SendText("hi")
	if got := <-newer; len(got) != 1 {
		t.Fatalf("newer poll = %+v", got)
	}

	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer hook.Close()
	bot.ok("setWebhook", map[string]string{"url": hook.URL}, nil)
	bot.fails("getUpdates", nil, 409, conflictWebhook)
	bot.ok("deleteWebhook", nil, nil)
	bot.ok("getUpdates", nil, nil)
}

func TestSendMessageRules(t *testing.T) {
	s, bot := startServer(t, Config{})
	u := s.NewUser("Ion", "ro")
	bot.fails("sendMessage", map[string]string{"chat_id": id(u.ID()), "text": "hi"}, 403, "Forbidden: bot can't initiate conversation with a user")
	u.SendText("/start")
	chat := map[string]string{"chat_id": id(u.ID())}
	with := func(kv ...string) map[string]string {
		p := map[string]string{"chat_id": id(u.ID())}
		for i := 0; i < len(kv); i += 2 {
			p[kv[i]] = kv[i+1]
		}
		return p
	}
	bot.fails("sendMessage", chat, 400, "Bad Request: message text is empty")
	bot.fails("sendMessage", map[string]string{"text": "x"}, 400, "Bad Request: chat_id is empty")
	bot.fails("sendMessage", map[string]string{"chat_id": "555", "text": "x"}, 400, "Bad Request: chat not found")
	bot.fails("sendMessage", with("text", strings.Repeat("ə", 4097)), 400, "Bad Request: message is too long")
	bot.fails("sendMessage", with("text", "<b>x", "parse_mode", "HTML"), 400, `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`)
	bot.fails("sendMessage", with("text", "x", "reply_markup", inlineKeyboard([]Button{{Text: "a", CallbackData: strings.Repeat("x", 65)}})), 400, "Bad Request: BUTTON_DATA_INVALID")
	bot.fails("sendMessage", with("text", "x", "reply_markup", inlineKeyboard([]Button{{Text: "", CallbackData: "x"}})), 400, "Bad Request: BUTTON_TEXT_INVALID")
	bot.fails("sendMessage", with("text", "x", "reply_markup", `{"inline_keyboard":[[{"text":"a"}]]}`), 400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	bot.fails("sendMessage", with("text", "x", "reply_markup", `{nope`), 400, "Bad Request: can't parse reply keyboard markup JSON object")
	many := make([]Button, 101)
	for i := range many {
		many[i] = Button{Text: "case", CallbackData: "c" + strconv.Itoa(i)}
	}
	bot.fails("sendMessage", with("text", "x", "reply_markup", inlineKeyboard(many)), 400, "Bad Request: reply markup is too long")
	bot.send(u.ID(), "100 buttons are allowed", map[string]string{"reply_markup": inlineKeyboard(many[:100])})

	// 64 bytes of callback data is the limit, counted in bytes: 32 × "ə".
	m := bot.send(u.ID(), "<b>Hüquqlar</b> &amp; borclar", map[string]string{
		"parse_mode": "HTML", "disable_web_page_preview": "true",
		"reply_markup": inlineKeyboard([]Button{{Text: "OK", CallbackData: strings.Repeat("ə", 32)}, {Text: "ILO", URL: "https://www.ilo.org"}}),
	})
	if m.Text != "Hüquqlar & borclar" || m.From == nil || !m.From.IsBot || m.Chat.ID != u.ID() || m.ReplyMarkup == nil {
		t.Fatalf("sent message = %+v", m)
	}
	if len(m.Entities) != 1 || m.Entities[0] != (Entity{Type: "bold", Offset: 0, Length: 8}) {
		t.Fatalf("entities = %+v", m.Entities)
	}
	last, ok := u.Last()
	if !ok || last.ID != m.MessageID || last.Text != "<b>Hüquqlar</b> &amp; borclar" || last.PlainText != "Hüquqlar & borclar" ||
		last.ParseMode != "HTML" || !last.NoLinkPreview || len(last.InlineKeyboard[0]) != 2 || last.InlineKeyboard[0][1].URL != "https://www.ilo.org" {
		t.Fatalf("observed = %+v", last)
	}

	// JSON-encoded params with link_preview_options, as newer code sends.
	body := `{"chat_id":` + id(u.ID()) + `,"text":"see https://ilo.org","link_preview_options":{"is_disabled":true}}`
	resp, err := http.Post(bot.base+"/bot"+testToken+"/sendMessage", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if last, _ := u.Last(); resp.StatusCode != 200 || !last.NoLinkPreview || last.Text != "see https://ilo.org" {
		t.Fatalf("json send: %d %+v", resp.StatusCode, last)
	}

	u.BlockBot()
	bot.fails("sendMessage", with("text", "x"), 403, "Forbidden: bot was blocked by the user")
	ups := bot.updates(0, 0)
	lastUp := ups[len(ups)-1]
	if lastUp.MyChatMember == nil || lastUp.MyChatMember.NewChatMember.Status != "kicked" {
		t.Fatalf("block update = %+v", lastUp)
	}
	u.SendText("/start") // restarting unblocks
	bot.send(u.ID(), "welcome back", nil)
}

func TestReplyKeyboards(t *testing.T) {
	s, bot := startServer(t, Config{})
	u := s.NewUser("Aigerim", "kk")
	u.SendLocation(1, 2) // any first message starts the chat
	kb := `{"keyboard":[[{"text":"Share location","request_location":true}],[{"text":"Phone","request_contact":true},"Skip"]],"one_time_keyboard":true}`
	m := bot.send(u.ID(), "Where are you?", map[string]string{"reply_markup": kb})
	if m.ReplyMarkup != nil {
		t.Fatal("reply keyboards are not echoed in Message.reply_markup")
	}
	u.SetLocation(43.2389, 76.8897)
	if _, err := u.PressReply("Share location"); err != nil {
		t.Fatal(err)
	}
	if _, err := u.PressReply("Phone"); err != nil {
		t.Fatal(err)
	}
	if _, err := u.PressReply("Skip"); err != nil {
		t.Fatal(err)
	}
	if _, err := u.PressReply("Nope"); err == nil {
		t.Fatal("pressing a missing button succeeded")
	}
	ups := bot.updates(0, 0)
	got := ups[len(ups)-3:]
	if loc := got[0].Message.Location; loc == nil || loc.Latitude != 43.2389 {
		t.Fatalf("location update = %+v", got[0].Message)
	}
	if c := got[1].Message.Contact; c == nil || c.UserID != u.ID() || !strings.HasPrefix(c.PhoneNumber, "888") {
		t.Fatalf("contact update = %+v", got[1].Message)
	}
	if got[2].Message.Text != "Skip" {
		t.Fatalf("text button = %+v", got[2].Message)
	}
	bot.send(u.ID(), "thanks", map[string]string{"reply_markup": `{"remove_keyboard":true}`})
	if kb := u.ReplyKeyboard(); kb != nil {
		t.Fatalf("keyboard not removed: %+v", kb)
	}
	last, _ := u.Last()
	if !last.RemoveKeyboard {
		t.Fatal("RemoveKeyboard not observed")
	}
}

func TestCallbackQueries(t *testing.T) {
	s, bot := startServer(t, Config{})
	u := s.NewUser("Olga", "ru")
	u.SendText("/start")
	ups := bot.updates(0, 0)
	next := ups[len(ups)-1].UpdateID + 1
	m := bot.send(u.ID(), "Choose", map[string]string{"reply_markup": inlineKeyboard([]Button{{Text: "Wages", CallbackData: "topic:wages"}})})
	if err := u.Press(m.MessageID, "Nope"); err == nil {
		t.Fatal("pressed a missing button")
	}
	if err := u.Press(m.MessageID, "Wages"); err != nil {
		t.Fatal(err)
	}
	if n := u.Unanswered(); n != 1 {
		t.Fatalf("%d presses unanswered after one press, want 1", n)
	}
	ups = bot.updates(next, 0)
	cq := ups[0].CallbackQuery
	if cq == nil || cq.Data != "topic:wages" || cq.From.ID != u.ID() || cq.Message == nil || cq.Message.MessageID != m.MessageID || cq.ChatInstance == "" {
		t.Fatalf("callback = %+v", cq)
	}
	bot.ok("answerCallbackQuery", map[string]string{"callback_query_id": cq.ID, "text": "Saved"}, nil)
	const tooOld = "Bad Request: query is too old and response timeout expired or query ID is invalid"
	bot.fails("answerCallbackQuery", map[string]string{"callback_query_id": cq.ID}, 400, tooOld)
	bot.fails("answerCallbackQuery", map[string]string{"callback_query_id": "12345"}, 400, tooOld)
	if n := u.Unanswered(); n != 0 {
		t.Fatalf("%d presses unanswered after the answer (and two refused), want 0", n)
	}
	answers := u.CallbackAnswers()
	if len(answers) != 1 || answers[0].Text != "Saved" || answers[0].Data != "topic:wages" || answers[0].MessageID != m.MessageID {
		t.Fatalf("answers = %+v", answers)
	}
	if err := u.PressData(m.MessageID, "stale:v0"); err != nil {
		t.Fatal(err)
	}
	ups = bot.updates(ups[0].UpdateID+1, 0)
	if ups[0].CallbackQuery.Data != "stale:v0" {
		t.Fatalf("stale press = %+v", ups[0].CallbackQuery)
	}
}

func TestEditMessage(t *testing.T) {
	s, bot := startServer(t, Config{})
	u := s.NewUser("Ana", "ro")
	u.SendText("/start")
	kb := inlineKeyboard([]Button{{Text: "Next", CallbackData: "n"}})
	m := bot.send(u.ID(), "<b>Step 1</b>", map[string]string{"parse_mode": "HTML", "reply_markup": kb})
	edit := func(text, markup string) map[string]string {
		p := map[string]string{"chat_id": id(u.ID()), "message_id": id(int64(m.MessageID)), "text": text, "parse_mode": "HTML"}
		if markup != "" {
			p["reply_markup"] = markup
		}
		return p
	}
	bot.fails("editMessageText", edit("<b>Step 1</b>", kb), 400, "Bad Request: "+notModified)
	// Same rendering, different spelling: still not modified.
	bot.fails("editMessageText", edit("<strong>Step 1</strong>", kb), 400, "Bad Request: "+notModified)
	// Omitting reply_markup removes the keyboard, so this is a change.
	var edited tgMessage
	bot.ok("editMessageText", edit("<b>Step 1</b>", ""), &edited)
	if edited.ReplyMarkup != nil || edited.EditDate == 0 {
		t.Fatalf("edited = %+v", edited)
	}
	bot.ok("editMessageReplyMarkup", map[string]string{"chat_id": id(u.ID()), "message_id": id(int64(m.MessageID)), "reply_markup": kb}, nil)
	bot.fails("editMessageReplyMarkup", map[string]string{"chat_id": id(u.ID()), "message_id": id(int64(m.MessageID)), "reply_markup": kb}, 400, "Bad Request: "+notModified)
	bot.fails("editMessageText", map[string]string{"chat_id": id(u.ID()), "message_id": "999", "text": "x"}, 400, "Bad Request: message to edit not found")
	bot.fails("editMessageText", map[string]string{"chat_id": id(u.ID()), "message_id": "1", "text": "x"}, 400, "Bad Request: message can't be edited")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := u.Press(m.MessageID, "Next"); err != nil {
		t.Fatal(err)
	}
	status := make(chan int)
	go func() {
		code, _ := bot.call("editMessageText", edit("<i>Step 2</i>", ""))
		status <- code
	}()
	got, err := u.WaitFor(ctx, func(m Message) bool { return m.PlainText == "Step 2" })
	if err != nil {
		t.Fatal(err)
	}
	if code := <-status; code != 200 {
		t.Fatalf("edit status %d", code)
	}
	if !got.Edited || got.EditCount != 3 || got.InlineKeyboard != nil || got.Text != "<i>Step 2</i>" {
		t.Fatalf("after edits = %+v", got)
	}
}

// deleteMessages deletes what it may of up to 100 messages and skips the
// rest, as Telegram documents: too old, already gone, never there.
func TestDeleteMessagesTogether(t *testing.T) {
	clock := newClock()
	s, bot := startServer(t, Config{Now: clock.Now})
	u := s.NewUser("Dana", "kk")
	u.SendText("/start")
	old := bot.send(u.ID(), "old", nil)
	clock.Advance(47 * time.Hour)
	typed := u.SendText("please clear this")
	a := bot.send(u.ID(), "a", nil)
	b := bot.send(u.ID(), "b", nil)
	clock.Advance(time.Hour)
	list := func(ids ...int) map[string]string {
		raw, _ := json.Marshal(ids)
		return map[string]string{"chat_id": id(u.ID()), "message_ids": string(raw)}
	}
	bot.ok("deleteMessages", list(old.MessageID, a.MessageID, typed, 999999), nil)
	msgs := u.Messages()
	if len(msgs) != 3 || msgs[0].Deleted || !msgs[1].Deleted || msgs[2].Deleted {
		t.Fatalf("after deleting old, a and the person's message: %+v", msgs)
	}
	one := map[string]string{"chat_id": id(u.ID()), "message_id": id(int64(typed))}
	bot.fails("deleteMessage", one, 400, "Bad Request: message to delete not found")
	bot.ok("deleteMessages", list(a.MessageID, b.MessageID), nil) // a again: skipped
	if msgs := u.Messages(); !msgs[2].Deleted {
		t.Fatalf("b not deleted: %+v", msgs[2])
	}
	bot.fails("deleteMessages", list(), 400, "Bad Request: message identifiers are not specified")
	bot.fails("deleteMessages", list(make([]int, 101)...), 400, "Bad Request: too many message identifiers specified")
	bot.fails("deleteMessages", map[string]string{"chat_id": id(u.ID()), "message_ids": "3"}, 400,
		"Bad Request: can't parse message identifiers JSON array")
}

func TestDeleteMessage48h(t *testing.T) {
	clock := newClock()
	s, bot := startServer(t, Config{Now: clock.Now})
	u := s.NewUser("Dana", "kk")
	u.SendText("/start")
	young := bot.send(u.ID(), "young", nil)
	old := bot.send(u.ID(), "old", nil)
	clock.Advance(47 * time.Hour)
	del := func(m int) map[string]string {
		return map[string]string{"chat_id": id(u.ID()), "message_id": id(int64(m))}
	}
	bot.ok("deleteMessage", del(young.MessageID), nil)
	bot.fails("deleteMessage", del(young.MessageID), 400, "Bad Request: message to delete not found")
	clock.Advance(time.Hour)
	bot.fails("deleteMessage", del(old.MessageID), 400, "Bad Request: message can't be deleted for everyone")
	msgs := u.Messages()
	if len(msgs) != 2 || !msgs[0].Deleted || msgs[1].Deleted {
		t.Fatalf("messages = %+v", msgs)
	}
	if last, _ := u.Last(); last.ID != old.MessageID {
		t.Fatalf("Last = %+v", last)
	}
}

func TestFloodControl(t *testing.T) {
	clock := newClock()
	s, bot := startServer(t, Config{Now: clock.Now})
	u := s.NewUser("Elnur", "az")
	other := s.NewUser("Giorgi", "ka")
	u.SendText("/start")
	other.SendText("/start")

	s.FloodChat(u.ID(), 1500*time.Millisecond)
	env := bot.fails("sendMessage", map[string]string{"chat_id": id(u.ID()), "text": "x"}, 429, "Too Many Requests: retry after 2")
	if env.Parameters == nil || env.Parameters.RetryAfter != 2 {
		t.Fatalf("parameters = %+v", env.Parameters)
	}
	if v := s.Violations(); len(v) != 0 {
		t.Fatalf("the first 429 is not a violation: %+v", v)
	}
	bot.send(other.ID(), "other chats are unaffected", nil)
	clock.Advance(1900 * time.Millisecond)
	bot.fails("sendChatAction", map[string]string{"chat_id": id(u.ID()), "action": "typing"}, 429, "Too Many Requests: retry after 1")
	v := s.Violations()
	if len(v) != 1 || v[0].ChatID != u.ID() || v[0].Method != "sendChatAction" || v[0].Global {
		t.Fatalf("violations = %+v", v)
	}
	clock.Advance(100 * time.Millisecond) // exactly retry_after after the first 429
	bot.send(u.ID(), "on time", nil)
	if len(s.Violations()) != 1 {
		t.Fatal("a request after the window was recorded as a violation")
	}

	s.FloodGlobal(3 * time.Second)
	bot.fails("sendMessage", map[string]string{"chat_id": id(u.ID()), "text": "x"}, 429, "Too Many Requests: retry after 3")
	clock.Advance(time.Second)
	bot.fails("sendMessage", map[string]string{"chat_id": id(other.ID()), "text": "x"}, 429, "Too Many Requests: retry after 2")
	v = s.Violations()
	if len(v) != 2 || !v[1].Global || v[1].ChatWasTold {
		t.Fatalf("global violations = %+v", v)
	}
	clock.Advance(2 * time.Second)
	bot.send(other.ID(), "after global window", nil)

	var statuses []int
	for _, r := range s.Requests() {
		if r.ChatID == u.ID() && r.Method == "sendMessage" {
			statuses = append(statuses, r.Status)
		}
	}
	if mustJSON(statuses) != "[429,200,429]" {
		t.Fatalf("request log statuses = %v", statuses)
	}
}

func TestGroupLimit(t *testing.T) {
	clock := newClock()
	s, bot := startServer(t, Config{Now: clock.Now})
	a, b := s.NewUser("A", "en"), s.NewUser("B", "ru")
	g := s.NewGroup("Workers", a, b)
	s.EnforceGroupLimit(3)
	for i := range 3 {
		bot.send(g.ID(), "msg", nil)
		clock.Advance(time.Duration(i+1) * time.Second) // sends at 0s, 1s, 3s
	}
	// Now t=6s; the oldest of the three leaves the window at 60s.
	bot.fails("sendMessage", map[string]string{"chat_id": id(g.ID()), "text": "x"}, 429, "Too Many Requests: retry after 54")
	clock.Advance(53 * time.Second)
	bot.fails("sendMessage", map[string]string{"chat_id": id(g.ID()), "text": "x"}, 429, "Too Many Requests: retry after 1")
	if v := s.Violations(); len(v) != 1 || v[0].ChatID != g.ID() {
		t.Fatalf("violations = %+v", v)
	}
	clock.Advance(time.Second)
	bot.send(g.ID(), "ok again", nil)
	// Private chats are not subject to the group limit.
	a.SendText("/start")
	for range 5 {
		bot.send(a.ID(), "private", nil)
	}
}

func TestGroups(t *testing.T) {
	s, bot := startServer(t, Config{})
	a, b := s.NewUser("Leyla", "az"), s.NewUser("Sandu", "ro")
	g := s.NewGroup("Migrant workers Baku", a, b)
	ups := bot.updates(0, 0)
	if len(ups) != 2 || ups[0].MyChatMember == nil || ups[0].MyChatMember.NewChatMember.Status != "member" ||
		ups[1].Message == nil || len(ups[1].Message.NewChatMembers) != 1 || !ups[1].Message.NewChatMembers[0].IsBot {
		t.Fatalf("join updates = %+v", ups)
	}
	if ups[0].MyChatMember.Chat.Type != "supergroup" || g.ID() >= 0 {
		t.Fatal("group is not a supergroup with a negative id")
	}
	next := ups[1].UpdateID + 1
	g.Send(a, "just chatting")                 // privacy mode: not delivered
	g.Send(b, "/help@rightsdesk_bot")          // command
	g.Send(a, "hey @rightsdesk_bot, question") // mention
	m := bot.send(g.ID(), "Hello group", nil)
	g.Reply(b, m.MessageID, "thanks") // reply to the bot
	ups = bot.updates(next, 0)
	var texts []string
	for _, u := range ups {
		texts = append(texts, u.Message.Text)
	}
	if mustJSON(texts) != `["/help@rightsdesk_bot","hey @rightsdesk_bot, question","thanks"]` {
		t.Fatalf("delivered = %v", texts)
	}
	if e := ups[0].Message.Entities; len(e) != 1 || e[0].Type != "bot_command" || e[0].Length != 20 {
		t.Fatalf("command entity = %+v", e)
	}
	if r := ups[2].Message.ReplyToMessage; r == nil || r.MessageID != m.MessageID {
		t.Fatalf("reply_to = %+v", r)
	}

	var member tgChatMember
	bot.ok("getChatMember", map[string]string{"chat_id": id(g.ID()), "user_id": id(a.ID())}, &member)
	if member.Status != "creator" || member.User.ID != a.ID() {
		t.Fatalf("member = %+v", member)
	}
	stranger := s.NewUser("X", "en")
	bot.ok("getChatMember", map[string]string{"chat_id": id(g.ID()), "user_id": id(stranger.ID())}, &member)
	if member.Status != "left" {
		t.Fatalf("stranger = %+v", member)
	}
	var chat tgChat
	bot.ok("getChat", map[string]string{"chat_id": id(g.ID())}, &chat)
	if chat.Title != "Migrant workers Baku" {
		t.Fatalf("chat = %+v", chat)
	}
	bot.ok("leaveChat", map[string]string{"chat_id": id(g.ID())}, nil)
	bot.fails("sendMessage", map[string]string{"chat_id": id(g.ID()), "text": "x"}, 403, "Forbidden: bot is not a member of the supergroup chat")
	if err := g.AddBot(a); err != nil {
		t.Fatal(err)
	}
	bot.send(g.ID(), "back", nil)
	if last, _ := g.Last(); last.PlainText != "back" {
		t.Fatalf("group last = %+v", last)
	}
}

func TestCommands(t *testing.T) {
	s, bot := startServer(t, Config{})
	ru := mustJSON([]BotCommand{{"start", "Начать"}, {"help", "Помощь"}})
	bot.ok("setMyCommands", map[string]string{"commands": ru, "language_code": "ru"}, nil)
	bot.ok("setMyCommands", map[string]string{"commands": mustJSON([]BotCommand{{"start", "Start"}})}, nil)
	bot.fails("setMyCommands", map[string]string{"commands": mustJSON([]BotCommand{{"Start!", "x"}})}, 400, "Bad Request: BOT_COMMAND_INVALID")
	if got := s.Commands("ru"); len(got) != 2 || got[0].Description != "Начать" {
		t.Fatalf("ru = %+v", got)
	}
	if got := s.Commands(""); len(got) != 1 {
		t.Fatalf("default = %+v", got)
	}
	if got := s.Commands("ka"); len(got) != 0 {
		t.Fatalf("ka = %+v", got)
	}
	var got []BotCommand
	bot.ok("getMyCommands", map[string]string{"language_code": "ru"}, &got)
	if mustJSON(got) != ru {
		t.Fatalf("getMyCommands = %+v", got)
	}
}

func TestUserMediaUpdates(t *testing.T) {
	s, bot := startServer(t, Config{})
	u := s.NewUser("Timur", "kk")
	u.SendPhoto("passport page")
	u.SendDocument("contract.pdf", "application/pdf", "")
	u.SendSticker()
	u.SendVoice()
	u.SendVideoNote()
	u.Forward("forwarded text")
	mid := u.SendText("typo")
	if err := u.Edit(mid, "fixed"); err != nil {
		t.Fatal(err)
	}
	ups := bot.updates(0, 0)
	if len(ups) != 8 {
		t.Fatalf("got %d updates", len(ups))
	}
	if p := ups[0].Message.Photo; len(p) != 3 || p[0].FileID == "" || p[0].FileUniqueID == "" || ups[0].Message.Caption != "passport page" {
		t.Fatalf("photo = %+v", ups[0].Message)
	}
	if d := ups[1].Message.Document; d == nil || d.FileName != "contract.pdf" || d.MimeType != "application/pdf" {
		t.Fatalf("document = %+v", d)
	}
	if ups[2].Message.Sticker == nil || ups[3].Message.Voice == nil || ups[4].Message.VideoNote == nil {
		t.Fatal("sticker/voice/video note missing")
	}
	if f := ups[5].Message; f.ForwardFrom == nil || f.ForwardDate == 0 {
		t.Fatalf("forward = %+v", f)
	}
	if e := ups[7].EditedMessage; e == nil || e.Text != "fixed" || e.MessageID != mid || e.EditDate == 0 {
		t.Fatalf("edited = %+v", e)
	}
}

func TestWebhookDelivery(t *testing.T) {
	s, bot := startServer(t, Config{})
	s.backoffMin, s.backoffMax = time.Millisecond, 5*time.Millisecond
	var mu sync.Mutex
	var got []tgUpdate
	var secrets []string
	failures := 2
	delivered := make(chan struct{}, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		secrets = append(secrets, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if failures > 0 {
			failures--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var u tgUpdate
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &u); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		got = append(got, u)
		delivered <- struct{}{}
	}))
	defer hook.Close()

	bot.fails("setWebhook", map[string]string{"url": hook.URL, "secret_token": "bad token!"}, 400, "Bad Request: secret token contains unallowed characters")
	bot.ok("setWebhook", map[string]string{"url": hook.URL, "secret_token": "s3cr3t_T"}, nil)
	u := s.NewUser("Mariam", "ka")
	u.SendText("/start")
	u.SendText("second")
	for range 2 {
		select {
		case <-delivered:
		case <-time.After(10 * time.Second):
			t.Fatal("webhook not delivered")
		}
	}
	mu.Lock()
	if len(got) != 2 || got[0].Message.Text != "/start" || got[1].Message.Text != "second" {
		t.Fatalf("delivered = %+v", got)
	}
	for _, sec := range secrets {
		if sec != "s3cr3t_T" {
			t.Fatalf("secret header = %q", sec)
		}
	}
	if len(secrets) != 4 {
		t.Fatalf("attempts = %d, want 2 failures + 2 deliveries", len(secrets))
	}
	mu.Unlock()
	var info struct {
		URL              string `json:"url"`
		Pending          int    `json:"pending_update_count"`
		LastErrorMessage string `json:"last_error_message"`
	}
	bot.ok("getWebhookInfo", nil, &info)
	if info.URL != hook.URL || info.LastErrorMessage != "Wrong response from the webhook: 500 Internal Server Error" {
		t.Fatalf("info = %+v", info)
	}
	bot.ok("deleteWebhook", map[string]string{"drop_pending_updates": "true"}, nil)
	if ups := bot.updates(0, 0); len(ups) != 0 {
		t.Fatalf("updates after webhook = %+v", ups)
	}
}

// The text and the keyboard are parsed before the server's lock is taken;
// a missing chat or message must still be reported before a bad keyboard,
// as Telegram reports them.
func TestParseErrorsComeAfterTheTarget(t *testing.T) {
	s, bot := startServer(t, Config{})
	u := s.NewUser("Nino", "ka")
	u.SendText("/start")
	bot.fails("sendMessage", map[string]string{"chat_id": "555", "text": "<b>x", "parse_mode": "HTML", "reply_markup": `{nope`},
		400, "Bad Request: chat not found")
	bot.fails("editMessageText", map[string]string{"chat_id": id(u.ID()), "message_id": "999", "text": "x", "reply_markup": `{nope`},
		400, "Bad Request: message to edit not found")
	m := bot.send(u.ID(), "one", nil)
	bot.fails("editMessageText", map[string]string{"chat_id": id(u.ID()), "message_id": id(int64(m.MessageID)), "text": "x", "reply_markup": `{nope`},
		400, "Bad Request: can't parse reply keyboard markup JSON object")
	bot.fails("sendMessage", map[string]string{"chat_id": id(u.ID()), "text": "x", "reply_markup": `{nope`},
		400, "Bad Request: can't parse reply keyboard markup JSON object")
}

func TestLastWhereLooksBackFromTheNewest(t *testing.T) {
	s, bot := startServer(t, Config{})
	u := s.NewUser("Ion", "ro")
	u.SendText("/start")
	keyboard := map[string]string{"reply_markup": inlineKeyboard([]Button{{Text: "Next", CallbackData: "n"}})}
	older := bot.send(u.ID(), "older", keyboard)
	newer := bot.send(u.ID(), "newer", keyboard)
	bot.send(u.ID(), "plain", nil)
	withNext := func(m Message) bool { return len(m.InlineKeyboard) > 0 && m.InlineKeyboard[0][0].Text == "Next" }
	if m, ok := u.LastWhere(withNext); !ok || m.ID != newer.MessageID {
		t.Fatalf("LastWhere = %+v, %v; want message %d", m, ok, newer.MessageID)
	}
	bot.ok("deleteMessage", map[string]string{"chat_id": id(u.ID()), "message_id": id(int64(newer.MessageID))}, nil)
	if m, ok := u.LastWhere(withNext); !ok || m.ID != older.MessageID {
		t.Fatalf("after deleting the newer: LastWhere = %+v, %v; want message %d", m, ok, older.MessageID)
	}
	if m, ok := u.LastWhere(func(Message) bool { return false }); ok {
		t.Fatalf("nothing matches, yet LastWhere = %+v", m)
	}
}

// A long answer carries its length, as Telegram's do, so a client that stops
// reading at the end of the JSON value still reuses its connection; a form
// body and the query string both count, the body first.
func TestAnswersCarryTheirLengthAndFormsMergeTheQuery(t *testing.T) {
	s, bot := startServer(t, Config{NoRequestLog: true})
	u := s.NewUser("Nino", "ka")
	u.SendText("/start")
	text := strings.Repeat("ქართული ", 400) + "ტექსტი" // some 9 KB, beyond net/http's 2 KB before chunking
	form := url.Values{"text": {text}}
	resp, err := http.Post(bot.base+"/bot"+testToken+"/sendMessage?chat_id="+id(u.ID())+"&text=ignored",
		"application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ContentLength <= 0 || len(resp.TransferEncoding) > 0 {
		t.Fatalf("answer length %d, transfer encoding %v: want a Content-Length", resp.ContentLength, resp.TransferEncoding)
	}
	var env envelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || !env.OK {
		t.Fatalf("sendMessage: %v %+v", err, env)
	}
	var m tgMessage
	if err := json.Unmarshal(env.Result, &m); err != nil || m.Text != text {
		t.Fatalf("sent text %q…, want the body's", m.Text[:min(len(m.Text), 40)])
	}
	if n := len(s.Requests()); n != 0 {
		t.Fatalf("NoRequestLog kept %d requests", n)
	}
}
