package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/store"
)

// freshGuideChat is a worker who has never been asked about news.
func freshGuideChat(t *testing.T, lang string) *guideChat {
	t.Helper()
	c := newGuideChat(t, lang, embeddedLibrary(t))
	if err := c.db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.SaveChat(store.Chat{ID: c.id, Type: chat.ChatPrivate, State: []byte(`{"v":1}`)})
	}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *guideChat) subscription() (store.Subscription, error) {
	return c.db.Subscription(context.Background(), c.id)
}

func sentTexts(replies []chat.Reply) []string {
	var out []string
	for _, r := range replies {
		if r.Action == chat.ActionSend || r.Action == chat.ActionEdit {
			out = append(out, r.Text)
		}
	}
	return out
}

// The question comes once, after the first page read, as its own message
// under the page; the answer is kept with the language and the country of
// work only, and follows them when they change.
func TestNewsAskedOnceAfterFirstPage(t *testing.T) {
	c := freshGuideChat(t, "ru")
	topic := c.lib.Guide.Topics("ru")[0].ID
	// The profile questions and the topic list are not a page read.
	c.command("guide", "")
	c.press("v1:g:w:ru:", 1)
	for _, r := range c.press("v1:g:z:az:", 1) {
		if strings.Contains(r.Text, c.tr("news_question", nil)) {
			t.Fatal("asked before any page was read")
		}
	}
	replies := c.press("v1:g:t:"+topic+":1", 1)
	texts := sentTexts(replies)
	if len(texts) != 2 || texts[1] != c.tr("news_question", nil) {
		t.Fatalf("first page: %q", texts)
	}
	question := replies[len(replies)-1]
	if b := buttons(question); b[c.tr("btn_yes", nil)] != "v1:n:y" || b[c.tr("btn_no", nil)] != "v1:n:n" {
		t.Fatalf("question buttons %v", b)
	}
	if _, err := c.subscription(); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an unanswered question stored an answer: %v", err)
	}
	// Not asked again, whatever is read next.
	for _, data := range []string{"v1:g:t:" + topic + ":1", "v1:g:c:ru:1"} {
		if texts := sentTexts(c.press(data, 1)); len(texts) != 1 {
			t.Fatalf("asked again on %s: %q", data, texts)
		}
	}

	yes := c.press("v1:n:y", 7)
	if r := shown(t, yes); r.Action != chat.ActionEdit || r.MessageID != 7 || r.Text != c.tr("news_yes", nil) || r.Keyboard != nil {
		t.Fatalf("after yes: %+v", r)
	}
	if s, err := c.subscription(); err != nil || !s.OptedIn || s.Language != "ru" || s.Country != "RU" {
		t.Fatalf("subscription %+v %v", s, err)
	}
	// A new country of work and a new language follow into the row.
	c.press("v1:g:p:", 1)
	c.press("v1:g:w:kz:", 1)
	c.press("v1:lang:kk", 1)
	if s, _ := c.subscription(); !s.OptedIn || s.Language != "kk" || s.Country != "KZ" {
		t.Fatalf("subscription after changes %+v", s)
	}

	// The button under an announcement stops the news.
	c.lang = "kk"
	stop := c.press("v1:n:s", 9)
	if texts := sentTexts(stop); len(texts) != 1 || texts[0] != c.tr("news_stopped", nil) {
		t.Fatalf("after stop: %q", texts)
	}
	if s, _ := c.subscription(); s.OptedIn || s.Language != "" || s.Country != "" {
		t.Fatalf("subscription after stop %+v", s)
	}
	if st := c.state(); !st.News.Asked || st.News.Subscribed {
		t.Fatalf("state after stop %+v", st.News)
	}
}

func TestNewsNoIsKeptAndNotAskedAgain(t *testing.T) {
	c := freshGuideChat(t, "ka")
	topic := c.lib.Guide.Topics("ka")[0].ID
	c.command("guide", "")
	c.press("v1:g:w:-:", 1)
	c.press("v1:g:z:-:", 1)
	c.press("v1:g:t:"+topic+":1", 1)
	if r := shown(t, c.press("v1:n:n", 5)); r.Action != chat.ActionEdit || r.Text != c.tr("news_no", nil) {
		t.Fatalf("after no: %+v", r)
	}
	if s, err := c.subscription(); err != nil || s.OptedIn {
		t.Fatalf("subscription %+v %v", s, err)
	}
	if texts := sentTexts(c.press("v1:g:t:"+topic+":1", 1)); len(texts) != 1 {
		t.Fatalf("asked again: %q", texts)
	}
	// A language change of someone who said no writes nothing.
	c.press("v1:lang:en", 1)
	if s, _ := c.subscription(); s.OptedIn || s.Language != "" {
		t.Fatalf("subscription %+v", s)
	}
	// A forged payload is a stale button.
	c.lang = "en"
	if texts := sentTexts(c.press("v1:n:maybe", 1)); len(texts) != 1 || texts[0] != c.tr("stale_button", nil) {
		t.Fatalf("forged news button: %q", texts)
	}
}
