package bot

// The guide feature: reading the practical guide in Telegram, searching
// it, and the country pages built from the directory.
//
// Guide callback payloads, after "v1:g:":
//
//	l                 the topic list
//	m                 leave the guide for the menu
//	t:<id>:<page>     a topic page, counted from 1
//	c:<cc>:<page>     a country page (cc lower case)
//	p:<then>          ask the profile, then show <then> ("" the list, or a topic id)
//	w:<cc|->:<then>   the work country answered ("-" skipped)
//	z:<cc|->:<then>   the citizenship answered

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/content/guide"
	"github.com/rightsdesk/rightsdesk/store"
)

// GuideState is the guide's part of a chat's state.
type GuideState struct {
	// ProfileAsked is set once the profile questions were shown, so a
	// worker who skipped them is not asked every time.
	ProfileAsked bool `json:"profile_asked,omitempty"`
}

// hotlineTopics end with the hotlines of the worker's country of work:
// someone reading them may need help now.
var hotlineTopics = []string{"forced-labour", "violence-harassment"}

// searchResults is how many topics a search offers.
const searchResults = 3

// lastPage asks showTopic for a topic's last page, whatever its length.
const lastPage = -1

// UseLibrary indexes the library's guide for search and then puts the
// library in service. serve calls it at start and after each reload.
func (b *Bot) UseLibrary(ctx context.Context, l *Library) error {
	docs := l.Guide.SearchDocs()
	index := make([]store.GuideDoc, len(docs))
	for i, d := range docs {
		index[i] = store.GuideDoc{Lang: d.Lang, ID: d.ID, Title: d.Title, Text: d.Text}
	}
	if err := b.cfg.Store.IndexGuide(ctx, index); err != nil {
		return err
	}
	b.SetLibrary(l)
	return nil
}

// guideCommand opens the guide: /guide, /guide <words>, or the menu button.
// The first time, it asks where the worker works.
func (b *Bot) guideCommand(t *turn) {
	if t.lib == nil {
		t.send(t.t("not_available_yet", nil), b.menuKeyboard(t))
		return
	}
	t.state.Pending = pendingGuide
	if query := strings.TrimSpace(t.upd.Args); t.upd.Kind == chat.KindCommand && query != "" {
		b.guideSearch(t, query)
		return
	}
	if !t.state.Guide.ProfileAsked {
		t.state.Guide.ProfileAsked = true
		b.askWorkCountry(t, "")
		return
	}
	b.showTopics(t, "")
}

// leaveGuide ends the guide's search mode when the worker goes elsewhere,
// so text typed for another feature is not taken as a search.
func (b *Bot) leaveGuide(t *turn) {
	if t.state.Pending == pendingGuide {
		t.state.Pending = ""
	}
}

// guideInput takes typed text while the guide is open as a search.
func (b *Bot) guideInput(t *turn) bool {
	if t.upd.Kind != chat.KindText || t.lib == nil {
		return false
	}
	b.guideSearch(t, t.upd.Text)
	return true
}

func (b *Bot) guideButton(t *turn, payload string) {
	if t.lib == nil {
		b.stale(t)
		return
	}
	kind, rest, _ := strings.Cut(payload, ":")
	switch kind {
	case "l":
		t.state.Pending = pendingGuide
		b.showTopics(t, "")
	case "m":
		b.showMenu(t)
	case "t":
		id, page, ok := pageRef(rest)
		if !ok {
			b.stale(t)
			return
		}
		t.state.Pending = pendingGuide
		b.showTopic(t, id, page, "")
	case "c":
		code, page, ok := pageRef(rest)
		code = strings.ToUpper(code)
		if !ok || !b.knownCountry(t, code) {
			b.stale(t)
			return
		}
		t.state.Pending = pendingGuide
		b.showCountry(t, code, page)
	case "p":
		if rest != "" && !wellFormedID(rest) {
			b.stale(t)
			return
		}
		t.state.Pending = pendingGuide
		b.askWorkCountry(t, rest)
	case "w", "z":
		code, then, ok := strings.Cut(rest, ":")
		code = strings.ToUpper(code)
		if !ok || (code != skipAnswer && !b.knownCountry(t, code)) || (then != "" && !wellFormedID(then)) {
			b.stale(t)
			return
		}
		t.state.Pending = pendingGuide
		b.profileAnswer(t, kind, code, then)
	default:
		b.stale(t)
	}
}

// pageRef parses "<name>:<page>" with a page from 1.
func pageRef(s string) (string, int, bool) {
	name, num, ok := strings.Cut(s, ":")
	page, err := strconv.Atoi(num)
	if !ok || err != nil || page < 1 || !wellFormedID(name) {
		return "", 0, false
	}
	return name, page, true
}

// wellFormedID accepts the shape of topic ids and country codes, so nothing
// else from a button reaches the content.
func wellFormedID(s string) bool {
	if s == "" || len(s) > maxCallbackData {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// guideShow edits the guide message a button was pressed on, so reading
// and paging happen in one message; anything else gets a new message.
func (b *Bot) guideShow(t *turn, text string, kb *chat.Keyboard) {
	if cb, ok := parseCallback(t.upd.CallbackData); ok && cb.Feature == cbGuide && t.upd.Kind == chat.KindCallback && t.upd.MessageID > 0 {
		t.edit(text, kb)
		return
	}
	t.send(text, kb)
}

// showTopics shows the table of contents, under note when there is one.
func (b *Bot) showTopics(t *turn, note string) {
	text := t.t("guide_list_title", nil)
	if note != "" {
		text = note + "\n\n" + text
	}
	text, kb := b.topicsScreen(t, text)
	b.guideShow(t, text, kb)
}

func (b *Bot) topicsKeyboard(t *turn) *chat.Keyboard {
	_, kb := b.topicsScreen(t, "")
	return kb
}

// topicsScreen: the pages of the country the worker works in and of their
// citizenship first, every topic in reading order, then the profile and
// the way back to the menu. Titles too long for a phone's button are
// numbered and listed in full in text.
func (b *Bot) topicsScreen(t *turn, text string) (string, *chat.Keyboard) {
	var rows [][]chat.Button
	work, citizenship := t.state.Profile.WorkCountry, t.state.Profile.Citizenship
	countryButton := func(id, short, code string) {
		if b.knownCountry(t, code) {
			data := map[string]any{"Country": t.countryName(code)}
			rows = append(rows, []chat.Button{{Text: fullOrShort(t.t(id, data), 1, t.t(short, data)), Data: countryData(code, 1)}})
		}
	}
	countryButton("guide_btn_your_country", "guide_btn_your_country_short", work)
	if citizenship != work {
		countryButton("guide_btn_home_country", "guide_btn_home_country_short", citizenship)
	}
	var topics [][]chat.Button
	for _, ref := range t.lib.Guide.Topics(t.lang) {
		topics = append(topics, []chat.Button{{Text: b.topicTitle(t, ref.Title, ref.Status), Data: topicData(ref.ID, 1)}})
	}
	text, topics = numberOverflow(text, topics, len(topics))
	rows = append(rows, topics...)
	change := t.t("guide_btn_choose_country", nil)
	if work != "" {
		data := map[string]any{"Country": t.countryName(work)}
		change = fullOrShort(t.t("guide_btn_change_country", data), 1, t.t("guide_btn_change_country_short", data))
	}
	rows = append(rows,
		[]chat.Button{{Text: change, Data: callbackData(cbGuide, "p:")}},
		[]chat.Button{{Text: t.t("guide_btn_menu", nil), Data: callbackData(cbGuide, "m")}},
	)
	return text, &chat.Keyboard{Inline: rows}
}

// topicTitle marks a title shown in English because the worker's language
// lacks the topic. Button text is plain, so nothing is escaped.
func (b *Bot) topicTitle(t *turn, title string, status guide.Status) string {
	if status == guide.StatusMissing && t.lang != guide.SourceLanguage {
		return t.t("guide_title_english", map[string]any{"Title": title})
	}
	return title
}

func topicData(id string, page int) string {
	return callbackData(cbGuide, "t:"+id+":"+strconv.Itoa(page))
}

func countryData(code string, page int) string {
	return callbackData(cbGuide, "c:"+strings.ToLower(code)+":"+strconv.Itoa(page))
}

// showTopic shows one page of a topic (lastPage for the last), with a note
// on top when there is one. A topic that a content update removed is
// explained, and the current list shown.
func (b *Bot) showTopic(t *turn, id string, page int, note string) {
	_, status := t.lib.Guide.Topic(t.lang, id)
	pages := b.topicPages(t, id)
	if status == guide.StatusNotFound || len(pages) == 0 {
		b.showTopics(t, t.t("guide_topic_gone", nil))
		return
	}
	if page == lastPage || page > len(pages) {
		page = len(pages)
	}
	var head []string
	if note != "" {
		head = append(head, note)
	}
	choose := b.appliesChoose(t, id) && page == 1
	if page == 1 {
		if warning := b.statusNote(t, status); warning != "" {
			head = append(head, warning)
		}
		if choose {
			head = append(head, "<i>"+t.t("guide_applies_choose", nil)+"</i>")
		}
	}
	text := pageText(t, head, pages, page)
	kb := pagingKeyboard(t, page, len(pages), func(p int) string { return topicData(id, p) })
	if slices.Contains(hotlineTopics, id) && page == len(pages) && !b.knownCountry(t, t.state.Profile.WorkCountry) {
		choose = true
	}
	if choose {
		kb.Inline = append([][]chat.Button{{{Text: t.t("guide_btn_choose_country", nil), Data: callbackData(cbGuide, "p:"+id)}}}, kb.Inline...)
	}
	b.guideShow(t, text, kb)
	b.askNews(t)
}

// statusNote warns about a translation the worker should not fully trust;
// the English original needs no such note.
func (b *Bot) statusNote(t *turn, status guide.Status) string {
	switch {
	case status == guide.StatusMissing && t.lang != guide.SourceLanguage:
		return t.t("guide_note_missing", nil)
	case t.lang == guide.SourceLanguage:
		return ""
	case status == guide.StatusOutdated:
		return t.t("guide_note_outdated", nil)
	case status == guide.StatusUnreviewed:
		return t.t("guide_note_unreviewed", nil)
	}
	return ""
}

// topicPages is the topic as the guide renders it, with whether each
// convention it cites applies in the worker's country of work under the
// title; the hotline topics get the hotlines of that country at the end,
// on the last page when they fit there and on pages of their own when not.
func (b *Bot) topicPages(t *turn, id string) []string {
	pages := t.lib.Guide.PagesWith(t.lang, id, b.appliesBlock(t, id))
	if !slices.Contains(hotlineTopics, id) || len(pages) == 0 {
		return pages
	}
	work := t.state.Profile.WorkCountry
	if !b.knownCountry(t, work) {
		return appendBlock(pages, t.t("guide_hotlines_choose", nil))
	}
	heading := t.t("guide_hotlines_heading", map[string]any{"Country": escape(t.countryName(work))})
	t.here = work // the hotlines of the country the worker works in
	for _, msg := range t.packMessages(heading, t.helpBlocks(work, t.guideHotlinesHeading())) {
		pages = appendBlock(pages, msg)
	}
	return pages
}

// appendBlock adds html after the last page, or as pages of its own when
// the last page would grow past the page limit.
func appendBlock(pages []string, html string) []string {
	last := len(pages) - 1
	if guide.VisibleLength(pages[last])+guide.VisibleLength(html)+2 <= guide.PageLimit {
		pages[last] += "\n\n" + html
		return pages
	}
	return append(pages, guide.Split(html, guide.PageLimit)...)
}

// pageText puts the notes above a page and the page count below it.
func pageText(t *turn, head, pages []string, page int) string {
	text := pages[page-1]
	if len(head) > 0 {
		text = strings.Join(head, "\n\n") + "\n\n" + text
	}
	if len(pages) > 1 {
		text += "\n\n<i>" + t.t("guide_page", map[string]any{"Page": page, "Pages": len(pages)}) + "</i>"
	}
	return text
}

// pagingKeyboard: previous and next where they exist, then the list and
// the menu.
func pagingKeyboard(t *turn, page, pages int, data func(page int) string) *chat.Keyboard {
	var nav []chat.Button
	if page > 1 {
		nav = append(nav, chat.Button{Text: t.t("btn_prev", nil), Data: data(page - 1)})
	}
	if page < pages {
		nav = append(nav, chat.Button{Text: t.t("btn_next", nil), Data: data(page + 1)})
	}
	var rows [][]chat.Button
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	return &chat.Keyboard{Inline: append(rows, guideExitRow(t))}
}

// guideExitRow leads out of a page or a search: the topic list, the menu.
func guideExitRow(t *turn) []chat.Button {
	return []chat.Button{
		{Text: t.t("guide_btn_topics", nil), Data: callbackData(cbGuide, "l")},
		{Text: t.t("btn_menu", nil), Data: callbackData(cbGuide, "m")},
	}
}

// guideSearch answers a search with the best topics in the worker's
// language and English, or, when nothing matches, with the topic list. The
// query is neither stored nor logged nor echoed.
func (b *Bot) guideSearch(t *turn, query string) {
	t.state.Pending = pendingGuide
	langs := []string{t.lang}
	if t.lang != guide.SourceLanguage {
		langs = append(langs, guide.SourceLanguage)
	}
	// More than shown, since hits for topics a reload removed are dropped.
	hits, err := b.cfg.Store.SearchGuide(t.ctx, query, langs, 2*searchResults)
	if err != nil {
		b.cfg.Log.Error().Err(err).Msg("guide search failed")
		t.send(t.t("error_apology", nil), b.topicsKeyboard(t))
		return
	}
	var rows [][]chat.Button
	for _, h := range hits {
		topic, status := t.lib.Guide.Topic(t.lang, h.ID)
		if status == guide.StatusNotFound {
			continue
		}
		rows = append(rows, []chat.Button{{Text: b.topicTitle(t, topic.Title, status), Data: topicData(h.ID, 1)}})
		if len(rows) == searchResults {
			break
		}
	}
	if len(rows) == 0 {
		b.showTopics(t, t.t("guide_search_none", nil))
		return
	}
	text, rows := numberOverflow(t.t("guide_search_results", nil), rows, len(rows))
	rows = append(rows, guideExitRow(t))
	t.send(text, &chat.Keyboard{Inline: rows})
}
