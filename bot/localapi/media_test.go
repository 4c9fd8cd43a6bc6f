package localapi

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSendMediaByFileID(t *testing.T) {
	s, bot := startServer(t, Config{})
	u := s.NewUser("Zarina", "kk")
	u.SendPhoto("passport")
	u.SendDocument("contract.pdf", "application/pdf", "")
	u.SendVoice()
	ups := bot.updates(0, 0)
	photo := ups[0].Message.Photo
	small, large := photo[0].FileID, photo[2].FileID
	doc, voice := ups[1].Message.Document.FileID, ups[2].Message.Voice.FileID
	chat := id(u.ID())
	for _, tc := range []struct {
		name, method string
		params       []string
		want         string
	}{
		{"no photo", "sendPhoto", nil, "Bad Request: there is no photo in the request"},
		{"unknown id", "sendPhoto", []string{"photo", "AgACAAMCAgADGQEAAI99999999Zz"}, "Bad Request: wrong file identifier/HTTP URL specified"},
		{"a URL this server cannot fetch", "sendDocument", []string{"document", "https://example.org/a.pdf"}, "Bad Request: wrong file identifier/HTTP URL specified"},
		{"photo as document", "sendDocument", []string{"document", large}, "Bad Request: type of file mismatch"},
		{"document as photo", "sendPhoto", []string{"photo", doc}, "Bad Request: type of file mismatch"},
		{"document as voice", "sendVoice", []string{"voice", doc}, "Bad Request: type of file mismatch"},
		{"caption too long", "sendPhoto", []string{"photo", large, "caption", strings.Repeat("я", 1025)}, "Bad Request: message caption is too long"},
		{"caption HTML", "sendPhoto", []string{"photo", large, "caption", "<b>x", "parse_mode", "HTML"}, `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{"reply to nothing", "sendVoice", []string{"voice", voice, "reply_parameters", `{"message_id":999}`}, "Bad Request: message to be replied not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bot.fails(tc.method, p(append([]string{"chat_id", chat}, tc.params...)...), 400, tc.want)
		})
	}
	// 1024 is allowed, counted after entity parsing.
	caption := "<b>" + strings.Repeat("я", 1024) + "</b>"
	var sent tgMessage
	bot.ok("sendPhoto", p("chat_id", chat, "photo", small, "caption", caption, "parse_mode", "HTML",
		"reply_markup", inlineKeyboard([]Button{{Text: "Open", CallbackData: "open"}}), "reply_to_message_id", "1"), &sent)
	if len(sent.Photo) != 3 || sent.Photo[2].FileID != large || len(sent.CaptionEntities) != 1 || sent.ReplyMarkup == nil ||
		sent.ReplyToMessage == nil || sent.ReplyToMessage.MessageID != 1 || sent.Text != "" {
		t.Fatalf("sent = %+v", sent)
	}
	last, _ := u.Last()
	if last.Kind != "photo" || last.FileID != large || last.Caption != caption || last.ParseMode != "HTML" ||
		len([]rune(last.PlainCaption)) != 1024 || len(last.InlineKeyboard) != 1 {
		t.Fatalf("observed = %+v", last)
	}
	var d, v tgMessage
	bot.ok("sendDocument", p("chat_id", chat, "document", doc, "caption", "signed"), &d)
	bot.ok("sendVoice", p("chat_id", chat, "voice", voice), &v)
	if d.Document == nil || d.Document.FileName != "contract.pdf" || d.Caption != "signed" || v.Voice == nil || v.Voice.FileID != voice {
		t.Fatalf("document/voice = %+v %+v", d, v)
	}
	bot.fails("editMessageText", p("chat_id", chat, "message_id", itoa(d.MessageID), "text", "x"), 400, "Bad Request: there is no text in the message to edit")

	// An upload gets a new file id that works by id afterwards.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("chat_id", chat)
	fw, _ := mw.CreateFormFile("document", "report.txt")
	fw.Write([]byte("hello"))
	mw.Close()
	resp, err := http.Post(bot.base+"/bot"+testToken+"/sendDocument", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	var env envelope
	json.NewDecoder(resp.Body).Decode(&env)
	resp.Body.Close()
	var up tgMessage
	json.Unmarshal(env.Result, &up)
	if !env.OK || up.Document == nil || up.Document.FileName != "report.txt" {
		t.Fatalf("upload = %d %+v", resp.StatusCode, env)
	}
	bot.ok("sendDocument", p("chat_id", chat, "document", up.Document.FileID), nil)
	reqs := s.Requests()
	if got := reqs[len(reqs)-2].Params["document"]; got != "upload:report.txt" {
		t.Fatalf("logged upload = %q", got)
	}
}

func TestCopyMessage(t *testing.T) {
	s, bot := startServer(t, Config{})
	worker, owner, cw := s.NewUser("Worker", "az"), s.NewUser("Owner", "en"), s.NewUser("Caseworker", "ru")
	forum := s.NewForum("Desk", owner, cw)
	forum.PromoteBot(owner)
	photo := worker.SendPhoto("my passport")
	text := worker.SendText("/start they did not pay")
	fwd := worker.Forward("from the boss")
	worker.SendContact("")
	tp := createTopic(t, bot, forum.ID(), "Case 1")
	th := itoa(tp.MessageThreadID)
	copyTo := func(from int64, mid int, extra ...string) map[string]string {
		return p(append([]string{"chat_id", id(forum.ID()), "from_chat_id", id(from), "message_id", itoa(mid), "message_thread_id", th}, extra...)...)
	}
	var res map[string]int
	bot.ok("copyMessage", copyTo(worker.ID(), photo, "caption", "<i>Passport</i> of case 1", "parse_mode", "HTML"), &res)
	msgs := forum.TopicMessages(tp.MessageThreadID)
	c := msgs[len(msgs)-1]
	var origPhoto []tgPhotoSize
	for _, u := range bot.updates(0, 0) {
		if u.Message != nil && u.Message.MessageID == photo && u.Message.Chat.ID == worker.ID() {
			origPhoto = u.Message.Photo
		}
	}
	if res["message_id"] != c.ID || len(res) != 1 || c.Kind != "photo" || c.FileID != origPhoto[2].FileID ||
		c.Caption != "<i>Passport</i> of case 1" || c.PlainCaption != "Passport of case 1" || c.ThreadID != tp.MessageThreadID || c.From != s.bot.ID {
		t.Fatalf("copy = %+v (result %v)", c, res)
	}
	bot.ok("copyMessage", copyTo(worker.ID(), photo), &res)
	if keep := forum.TopicMessages(tp.MessageThreadID); keep[len(keep)-1].PlainCaption != "my passport" {
		t.Fatalf("caption not kept: %+v", keep[len(keep)-1])
	}
	bot.ok("copyMessage", copyTo(worker.ID(), photo, "caption", ""), &res)
	if drop := forum.TopicMessages(tp.MessageThreadID); drop[len(drop)-1].PlainCaption != "" {
		t.Fatalf("empty caption did not remove it: %+v", drop[len(drop)-1])
	}
	bot.ok("copyMessage", copyTo(worker.ID(), text), &res)
	bot.ok("copyMessage", copyTo(worker.ID(), fwd), &res)
	// Back to the worker: a caseworker's reply copied into the private chat.
	reply := forum.ReplyInTopic(cw, tp.MessageThreadID, c.ID, "Send the contract too")
	bot.ok("copyMessage", p("chat_id", id(worker.ID()), "from_chat_id", id(forum.ID()), "message_id", itoa(reply)), &res)
	if last, _ := worker.Last(); last.PlainText != "Send the contract too" || last.From != s.bot.ID || last.ReplyTo != 0 {
		t.Fatalf("copied back = %+v", last)
	}
	// The copies as the bot's client sees them: no forward origin, no sender.
	var fwdCopy tgMessage
	for _, m := range forum.TopicMessages(tp.MessageThreadID) {
		if m.PlainText == "from the boss" {
			bot.ok("editMessageReplyMarkup", p("chat_id", id(forum.ID()), "message_id", itoa(m.ID), "reply_markup", inlineKeyboard([]Button{{Text: "x", CallbackData: "x"}})), &fwdCopy)
		}
	}
	if fwdCopy.MessageID == 0 || fwdCopy.ForwardFrom != nil || fwdCopy.From.ID != s.bot.ID {
		t.Fatalf("forward copy = %+v", fwdCopy)
	}
	for _, tc := range []struct {
		name   string
		params map[string]string
		code   int
		want   string
	}{
		{"service message", copyTo(forum.ID(), tp.MessageThreadID), 400, "Bad Request: message can't be copied"},
		{"unknown message", copyTo(worker.ID(), 999), 400, "Bad Request: message to copy not found"},
		{"unknown source chat", p("chat_id", id(forum.ID()), "from_chat_id", "12345", "message_id", "1"), 400, "Bad Request: chat not found"},
		{"caption too long", copyTo(worker.ID(), photo, "caption", strings.Repeat("a", 1025)), 400, "Bad Request: message caption is too long"},
		{"unknown topic", p("chat_id", id(forum.ID()), "from_chat_id", id(worker.ID()), "message_id", itoa(photo), "message_thread_id", "77"), 400, "Bad Request: message thread not found"},
	} {
		t.Run(tc.name, func(t *testing.T) { bot.fails("copyMessage", tc.params, tc.code, tc.want) })
	}
	other := s.NewGroup("Other", owner)
	theirs := other.Send(owner, "hello")
	other.RemoveBot(owner)
	bot.fails("copyMessage", p("chat_id", id(worker.ID()), "from_chat_id", id(other.ID()), "message_id", itoa(theirs)), 403, "Forbidden: bot was kicked from the supergroup chat")
}

func TestMigrateBasicGroup(t *testing.T) {
	s, bot := startServer(t, Config{})
	owner, worker := s.NewUser("Owner", "en"), s.NewUser("Caseworker", "ro")
	g := s.NewBasicGroup("Desk", owner, worker)
	oldID := g.ID()
	card := bot.send(oldID, "card", p("reply_markup", inlineKeyboard([]Button{{Text: "Take", CallbackData: "take"}})))
	next := 0
	feed(bot, &next)
	if err := g.Migrate(); err != nil {
		t.Fatal(err)
	}
	newID := g.ID()
	if newID == oldID || !strings.HasPrefix(id(newID), "-100") || g.Type() != "supergroup" {
		t.Fatalf("ids %d → %d, type %s", oldID, newID, g.Type())
	}
	ups := feed(bot, &next)
	if len(ups) != 2 || ups[0].Message.Chat.ID != oldID || ups[0].Message.MigrateToChatID != newID ||
		ups[1].Message.Chat.ID != newID || ups[1].Message.MigrateFromChatID != oldID || ups[1].Message.Chat.Type != "supergroup" {
		t.Fatalf("migration updates = %s", mustJSON(ups))
	}
	status, env := bot.call("sendMessage", p("chat_id", id(oldID), "text", "x"))
	var raw struct {
		Parameters struct {
			MigrateTo int64 `json:"migrate_to_chat_id"`
		} `json:"parameters"`
	}
	resp, _ := http.Post(bot.base+"/bot"+testToken+"/sendMessage?chat_id="+id(oldID)+"&text=x", "", nil)
	json.NewDecoder(resp.Body).Decode(&raw)
	resp.Body.Close()
	if status != 400 || env.Description != "Bad Request: group chat was upgraded to a supergroup chat" || raw.Parameters.MigrateTo != newID {
		t.Fatalf("old chat send = %d %+v %+v", status, env, raw)
	}
	// Message ids carry over: the card can be edited and replied to in the new chat.
	bot.ok("editMessageText", p("chat_id", id(newID), "message_id", itoa(card.MessageID), "text", "card (taken)"), nil)
	r := g.Reply(worker, card.MessageID, "mine")
	ups = feed(bot, &next)
	if len(ups) != 1 || ups[0].Message.MessageID != r || ups[0].Message.ReplyToMessage.Chat.ID != newID || ups[0].Message.MessageThreadID != card.MessageID {
		t.Fatalf("reply after migration = %s", mustJSON(ups))
	}
	if err := g.Press(owner, card.MessageID, "Take"); err == nil {
		t.Fatal("the edit removed the keyboard, yet a press worked")
	}
	if err := g.Migrate(); err == nil {
		t.Fatal("a supergroup migrated again")
	}
}

func TestRequestParams(t *testing.T) {
	s, bot := startServer(t, Config{})
	u := s.NewUser("Aysel", "az")
	u.SendText("/start")
	bot.send(u.ID(), "<b>hi</b>", p("parse_mode", "HTML", "reply_markup", inlineKeyboard([]Button{{Text: "A", CallbackData: "a"}})))
	body := `{"chat_id":` + id(u.ID()) + `,"text":"json","reply_parameters":{"message_id":1},"disable_notification":true}`
	resp, err := http.Post(bot.base+"/bot"+testToken+"/sendMessage", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	reqs := s.Requests()
	form, js := reqs[len(reqs)-2], reqs[len(reqs)-1]
	if form.Params["text"] != "<b>hi</b>" || form.Params["parse_mode"] != "HTML" || !strings.Contains(form.Params["reply_markup"], `"callback_data":"a"`) {
		t.Fatalf("form params = %v", form.Params)
	}
	if js.Params["text"] != "json" || js.Params["reply_parameters"] != `{"message_id":1}` || js.Params["disable_notification"] != "true" ||
		js.Params["chat_id"] != id(u.ID()) || js.ChatID != u.ID() {
		t.Fatalf("json params = %v", js.Params)
	}
}

func TestFloodLimitsNewMethods(t *testing.T) {
	clock := newClock()
	s, bot := startServer(t, Config{Now: clock.Now})
	owner := s.NewUser("Owner", "en")
	owner.SendPhoto("x")
	photo := bot.updates(0, 0)[0].Message.Photo[0].FileID
	forum := s.NewForum("Desk", owner)
	forum.PromoteBot(owner)
	s.EnforceGroupLimit(2)
	bot.ok("sendPhoto", p("chat_id", id(forum.ID()), "photo", photo), nil)
	bot.ok("copyMessage", p("chat_id", id(forum.ID()), "from_chat_id", id(owner.ID()), "message_id", "1"), nil)
	// Topics and pins are not new messages for the per-minute limit…
	tp := createTopic(t, bot, forum.ID(), "Case")
	bot.fails("sendDocument", p("chat_id", id(forum.ID()), "document", "nope"), 429, "Too Many Requests: retry after 60")
	clock.Advance(time.Minute)
	// …but flood windows hold them like any other write.
	s.FloodChat(forum.ID(), 5*time.Second)
	bot.fails("createForumTopic", p("chat_id", id(forum.ID()), "name", "x"), 429, "Too Many Requests: retry after 5")
	bot.fails("pinChatMessage", p("chat_id", id(forum.ID()), "message_id", itoa(tp.MessageThreadID)), 429, "Too Many Requests: retry after 5")
	if v := s.Violations(); len(v) != 1 || v[0].Method != "pinChatMessage" {
		t.Fatalf("violations = %+v", v)
	}
}
