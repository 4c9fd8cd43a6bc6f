package localapi

import (
	"encoding/json"
	"io"
	"net/http"
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

func getUIState(t *testing.T, base string, since uint64, chat, user int64) uiState {
	t.Helper()
	resp, err := http.Get(base + "/ui/api/state?since=" + strconv.FormatUint(since, 10) + "&chat=" + id(chat) + "&user=" + id(user))
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
	msgs := st.Chat.Messages
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
	if len(st.Chat.Answers) != 1 || st.Chat.Answers[0].Text != "Hazırdır" {
		t.Fatalf("answers = %+v", st.Chat.Answers)
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
	if st.Chat.Type != "supergroup" || len(st.Groups) != 1 || len(st.Groups[0].Members) != 2 {
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
	for _, m := range st.Chat.Messages {
		got = append(got, m.Kind+"|"+m.Service+"|"+m.Topic+"|"+m.Caption+"|"+strconv.FormatBool(m.Pinned))
	}
	want := []string{"service|new_chat_members|||false", "service|forum_topic_created|Case 1||false",
		"photo||Case 1|copy|true", "service|pinned_message|Case 1||false", "text||Case 1||false"}
	if mustJSON(got) != mustJSON(want) {
		t.Fatalf("ui messages = %v", got)
	}
	if st.Chat.Messages[1].SenderName != "RightsDesk" || st.Chat.Messages[4].ReplyTo != 0 {
		t.Fatalf("ui = %+v", st.Chat.Messages)
	}
}
