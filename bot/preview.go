package bot

import (
	"slices"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/locales"
)

// PreviewTopic is guide topic id as the bot shows it, page after page, to a
// worker reading in lang who said they work in country work ("" when they
// did not): each page's message as showTopic builds it, Telegram HTML and
// keyboard. The demo's editors' preview shows it, so what editors see is
// what workers get.
func PreviewTopic(lib *Library, catalog *locales.Catalog, lang, id, work string) []chat.Reply {
	b := &Bot{cfg: Config{Catalog: catalog}}
	var out []chat.Reply
	for page := 1; ; page++ {
		t := &turn{bot: b, lib: lib, lang: lang}
		// Asked already: the news question is not part of the topic.
		t.state.News.Asked = true
		t.state.Profile.WorkCountry = work
		b.showTopic(t, id, page, "")
		out = append(out, t.replies...)
		if page >= len(b.topicPages(t, id)) {
			return out
		}
	}
}

// ProfileCountries are the countries a worker can say they work in.
func ProfileCountries() []string { return slices.Clone(profileCountries) }
