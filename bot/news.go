package bot

// News: announcements the team sends to workers who asked for them. The
// bot asks once, after the worker first read a page of the guide; the
// answer, with only what targeting needs — the chat's language and the
// country it works in — is kept unsealed in store's subscriptions, in step
// with the chat. Every announcement carries a button to stop them.
//
// News callback payloads, after "v1:n:": y (yes), n (no), s (stop, under
// an announcement).

import (
	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// NewsState is the news' part of a chat's state.
type NewsState struct {
	// Asked is set once the question was shown: it is never asked again.
	Asked bool `json:"asked,omitempty"`
	// Subscribed, Lang and Country are what the subscription row says,
	// so a turn that changes the language or the country of work knows
	// to bring it up to date without reading it.
	Subscribed bool   `json:"subscribed,omitempty"`
	Lang       string `json:"lang,omitempty"`
	Country    string `json:"country,omitempty"`
}

const (
	newsYes  = "y"
	newsNo   = "n"
	newsStop = "s"
)

// askNews asks the question once, after the worker read a guide page.
func (b *Bot) askNews(t *turn) {
	if t.state.News.Asked || !t.upd.Private() {
		return
	}
	t.state.News.Asked = true
	t.send(t.t("news_question", nil), yesNoKeyboard(t, callbackData(cbNews, newsYes), callbackData(cbNews, newsNo)))
}

func (b *Bot) newsButton(t *turn, payload string) {
	switch payload {
	case newsYes:
		t.state.News.Asked = true
		t.state.News.Subscribed = true
		b.syncNews(t, true)
		t.edit(t.t("news_yes", nil), nil)
	case newsNo, newsStop:
		t.state.News.Asked = true
		t.state.News.Subscribed = false
		b.syncNews(t, true)
		if payload == newsNo {
			t.edit(t.t("news_no", nil), nil)
			return
		}
		stopped := t.t("news_stopped", nil)
		t.answerCallback(stopped)
		t.send(stopped, b.menuKeyboard(t))
	default:
		b.stale(t)
	}
}

// syncNews writes the subscription in the turn's transaction when the
// answer was just given (force), or when a subscriber's language or
// country of work changed in this turn.
func (b *Bot) syncNews(t *turn, force bool) {
	n := &t.state.News
	country := t.state.Profile.WorkCountry
	if !force && (!n.Subscribed || n.Lang == t.lang && n.Country == country) {
		return
	}
	n.Lang, n.Country = "", ""
	if n.Subscribed {
		n.Lang, n.Country = t.lang, country
	}
	sub := store.Subscription{ChatID: t.upd.ChatID, OptedIn: n.Subscribed, Language: n.Lang, Country: n.Country}
	t.effects = append(t.effects, func(tx *store.Tx) error { return tx.SetSubscription(sub) })
}

// AnnouncementReplies are one subscriber's copy of an announcement: its
// pages in order, bulk, the last with the button that stops the news.
func AnnouncementReplies(catalog *locales.Catalog, chatID int64, lang string, pages []string) []chat.Reply {
	out := make([]chat.Reply, len(pages))
	for i, p := range pages {
		out[i] = chat.Reply{Action: chat.ActionSend, ChatID: chatID, Text: p, Priority: chat.Bulk}
	}
	if len(out) > 0 {
		out[len(out)-1].Keyboard = &chat.Keyboard{Inline: [][]chat.Button{{
			{Text: catalog.T(lang, "news_stop_button", nil), Data: callbackData(cbNews, newsStop)},
		}}}
	}
	return out
}
