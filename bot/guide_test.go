package bot_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/content"
	"github.com/rightsdesk/rightsdesk/content/directory"
	"github.com/rightsdesk/rightsdesk/content/guide"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// guideChat is one private chat driven straight through Bot.Handle, with
// the replies read back from the outbox.
type guideChat struct {
	t       *testing.T
	b       *bot.Bot
	db      *store.DB
	catalog *locales.Catalog
	lib     *bot.Library
	id      int64
	lang    string
	update  int64
	message int
}

func embeddedLibrary(t *testing.T) *bot.Library {
	t.Helper()
	lib, err := bot.LoadLibrary(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func newGuideChat(t *testing.T, lang string, lib *bot.Library) *guideChat {
	t.Helper()
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	catalog.OnMiss(func(lang, id string, err error) { t.Errorf("locale message %s/%s missing: %v", lang, id, err) })
	db := openStore(t)
	decode := func(b []byte) (chat.Update, error) {
		var u chat.Update
		err := json.Unmarshal(b, &u)
		return u, err
	}
	b := bot.New(bot.Config{Store: db, Catalog: catalog, Decode: decode, Library: lib})
	if err := b.UseLibrary(context.Background(), lib); err != nil {
		t.Fatal(err)
	}
	c := &guideChat{t: t, b: b, db: db, catalog: catalog, lib: lib, id: 4242, lang: lang, message: 100}
	// The news question follows the first page read (news_test.go); here
	// the worker has answered it already, so each turn shows the page alone.
	if err := db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.SaveChat(store.Chat{ID: c.id, Type: chat.ChatPrivate, State: []byte(`{"v":1,"news":{"asked":true}}`)})
	}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *guideChat) tr(id string, data map[string]any) string { return c.catalog.T(c.lang, id, data) }

// do handles one update and returns what the bot queued, checking that
// each message would be accepted by Telegram.
func (c *guideChat) do(u chat.Update) []chat.Reply {
	c.t.Helper()
	ctx := context.Background()
	c.update++
	u.ChatID, u.ChatType, u.UserID, u.LanguageCode, u.Date = c.id, chat.ChatPrivate, c.id, c.lang, time.Unix(1700000000, 0)
	if u.Kind != chat.KindCallback {
		c.message++
		u.MessageID = c.message
	}
	payload, err := json.Marshal(u)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.b.Handle(ctx, store.InboxUpdate{UpdateID: c.update, ChatID: c.id, Payload: payload}); err != nil {
		c.t.Fatal(err)
	}
	var replies []chat.Reply
	for {
		msg, _, ok, err := c.db.NextOutbox(ctx, c.id)
		if err != nil {
			c.t.Fatal(err)
		}
		if !ok {
			break
		}
		r, err := chat.DecodeReply(msg.Payload)
		if err != nil {
			c.t.Fatal(err)
		}
		c.message++
		if err := c.db.MarkSent(ctx, msg.ID, c.id, c.message); err != nil {
			c.t.Fatal(err)
		}
		checkReply(c.t, r)
		replies = append(replies, r)
	}
	return replies
}

func (c *guideChat) command(name, args string) []chat.Reply {
	return c.do(chat.Update{Kind: chat.KindCommand, Command: name, Args: args, Text: "/" + name})
}

func (c *guideChat) text(s string) []chat.Reply {
	return c.do(chat.Update{Kind: chat.KindText, Text: s})
}

// press presses a button under the bot message messageID.
func (c *guideChat) press(data string, messageID int) []chat.Reply {
	return c.do(chat.Update{Kind: chat.KindCallback, CallbackID: "q", CallbackData: data, MessageID: messageID})
}

func (c *guideChat) state() bot.State {
	c.t.Helper()
	stored, err := c.db.Chat(context.Background(), c.id)
	if err != nil {
		c.t.Fatal(err)
	}
	var s bot.State
	if err := json.Unmarshal(stored.State, &s); err != nil {
		c.t.Fatal(err)
	}
	return s
}

// checkReply holds every message to Telegram's rules: valid HTML, at most
// 4096 characters, callback data of at most 64 bytes, no tel: links.
func checkReply(t *testing.T, r chat.Reply) {
	t.Helper()
	if r.Action != chat.ActionSend && r.Action != chat.ActionEdit {
		return
	}
	if err := guide.ValidateHTML(r.Text); err != nil {
		t.Errorf("Telegram would refuse %q: %v", r.Text, err)
	}
	if n := guide.VisibleLength(r.Text); n > guide.MessageLimit {
		t.Errorf("message of %d characters", n)
	}
	if strings.Contains(r.Text, "tel:") {
		t.Errorf("tel: link in %q", r.Text)
	}
	if r.Keyboard != nil {
		for _, row := range r.Keyboard.Inline {
			for _, b := range row {
				if len(b.Data) > 64 || b.Data == "" || b.Text == "" {
					t.Errorf("bad button %+v", b)
				}
			}
		}
	}
}

// shown is the one message a turn showed (sent or edited), apart from
// the callback answer.
func shown(t *testing.T, replies []chat.Reply) chat.Reply {
	t.Helper()
	var out []chat.Reply
	for _, r := range replies {
		if r.Action != chat.ActionAnswerCallback {
			out = append(out, r)
		}
	}
	if len(out) != 1 {
		t.Fatalf("want one message, got %+v", replies)
	}
	return out[0]
}

func buttons(r chat.Reply) map[string]string {
	out := map[string]string{}
	if r.Keyboard != nil {
		for _, row := range r.Keyboard.Inline {
			for _, b := range row {
				out[b.Text] = b.Data
				// A title numbered because others were too long for a
				// phone is found by its words too, when they are whole.
				if num, rest, ok := strings.Cut(b.Text, ". "); ok && strings.Trim(num, "0123456789") == "" && !strings.HasSuffix(rest, "…") {
					out[rest] = b.Data
				}
			}
		}
	}
	return out
}

// fitted is the label the bot shows: the full one when it fits a phone,
// else its short form.
func fitted(full, short string) string {
	if chat.Fits(full, 1) {
		return full
	}
	return short
}

// showsTitle reports whether a button shows title: whole, or numbered and
// cut after a whole word.
func showsTitle(button, title string) bool {
	num, rest, ok := strings.Cut(button, ". ")
	if button == title || ok && strings.Trim(num, "0123456789") == "" && rest == title {
		return true
	}
	kept, cut := strings.CutSuffix(rest, "…")
	return ok && cut && strings.HasPrefix(title, kept)
}

// The first /guide asks where the worker works, then the citizenship,
// then shows the topics with the worker's country first; the answers are
// kept in the state, asked once, and paging edits the same message.
func TestGuideProfileAskedOnceThenTopics(t *testing.T) {
	lib := embeddedLibrary(t)
	c := newGuideChat(t, "ro", lib)
	q := shown(t, c.command("guide", ""))
	if !strings.Contains(q.Text, c.tr("profile_work_question", nil)) {
		t.Fatalf("first /guide: %q", q.Text)
	}
	btn := buttons(q)
	if len(btn) != 13 || btn["Azerbaidjan"] != "v1:g:w:az:" || btn[c.tr("btn_skip", nil)] != "v1:g:w:-:" {
		t.Fatalf("country buttons: %v", btn)
	}
	z := shown(t, c.press(btn["Republica Moldova"], 7))
	if z.Action != chat.ActionEdit || z.MessageID != 7 || !strings.Contains(z.Text, c.tr("profile_citizenship_question", nil)) {
		t.Fatalf("citizenship question: %+v", z)
	}
	list := shown(t, c.press(buttons(z)[c.tr("btn_skip", nil)], 7))
	saved := c.tr("profile_saved", map[string]any{"Work": "Republica Moldova", "Citizenship": c.tr("profile_not_given", nil)})
	if !strings.Contains(list.Text, saved) || !strings.Contains(list.Text, c.tr("guide_list_title", nil)) {
		t.Fatalf("list after the profile: %q", list.Text)
	}
	first := list.Keyboard.Inline[0][0]
	md := map[string]any{"Country": "Republica Moldova"}
	if want := fitted(c.tr("guide_btn_your_country", md), c.tr("guide_btn_your_country_short", md)); first.Text != want || first.Data != "v1:g:c:md:1" {
		t.Fatalf("first button %+v, want %q", first, want)
	}
	if got := len(list.Keyboard.Inline); got != len(lib.Guide.Topics("ro"))+3 {
		t.Fatalf("%d rows, want country + topics + change + menu", got)
	}
	if p := c.state().Profile; p != (bot.Profile{WorkCountry: "MD"}) {
		t.Fatalf("profile %+v", p)
	}

	// Asked once: the next /guide goes straight to the topics.
	again := shown(t, c.command("guide", ""))
	if again.Action != chat.ActionSend || !strings.Contains(again.Text, c.tr("guide_list_title", nil)) {
		t.Fatalf("second /guide: %q", again.Text)
	}
	// Changing: the citizenship is kept when skipped, a new country replaces the old.
	q = shown(t, c.press(buttons(again)[fitted(c.tr("guide_btn_change_country", md), c.tr("guide_btn_change_country_short", md))], 9))
	z = shown(t, c.press(buttons(q)["Georgia"], 9))
	list = shown(t, c.press(buttons(z)["Ucraina"], 9))
	if p := c.state().Profile; p != (bot.Profile{WorkCountry: "GE", Citizenship: "UA"}) {
		t.Fatalf("profile after the change %+v", p)
	}
	// Both countries' pages come first: where the worker works, then the
	// country of their citizenship (its consular lines and hotlines).
	rows := list.Keyboard.Inline
	ge, ua := map[string]any{"Country": "Georgia"}, map[string]any{"Country": "Ucraina"}
	work := chat.Button{Text: fitted(c.tr("guide_btn_your_country", ge), c.tr("guide_btn_your_country_short", ge)), Data: "v1:g:c:ge:1"}
	home := chat.Button{Text: fitted(c.tr("guide_btn_home_country", ua), c.tr("guide_btn_home_country_short", ua)), Data: "v1:g:c:ua:1"}
	if rows[0][0] != work || rows[1][0] != home {
		t.Fatalf("first buttons %+v %+v, want %+v %+v", rows[0][0], rows[1][0], work, home)
	}
	// A citizenship equal to the work country gets no second button.
	q = shown(t, c.press(buttons(list)[fitted(c.tr("guide_btn_change_country", ge), c.tr("guide_btn_change_country_short", ge))], 9))
	z = shown(t, c.press(buttons(q)[c.tr("btn_skip", nil)], 9))
	list = shown(t, c.press(buttons(z)["Georgia"], 9))
	if _, ok := buttons(list)[fitted(c.tr("guide_btn_home_country", ge), c.tr("guide_btn_home_country_short", ge))]; ok || len(list.Keyboard.Inline) != len(lib.Guide.Topics("ro"))+3 {
		t.Fatalf("citizenship = work country: %v", buttons(list))
	}
}

// A topic of several pages pages in place, with Previous and Next only
// where they lead somewhere; a missing translation falls back to English
// with a note; a translated page carries the unreviewed note.
func TestGuideTopicPaging(t *testing.T) {
	t.Run("shipped", func(t *testing.T) { readEveryPage(t, embeddedLibrary(t)) })
	t.Run("long", func(t *testing.T) {
		lib := longLibrary(t)
		if n := len(lib.Guide.Pages("en", "wages")); n < 3 {
			t.Fatalf("the long topic has %d pages", n)
		}
		readEveryPage(t, lib)
	})
}

// longLibrary is the shipped content with the wages topic made several
// pages long in English and Russian (the other translations are then
// outdated).
func longLibrary(t *testing.T) *bot.Library {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, content.FS); err != nil {
		t.Fatal(err)
	}
	for lang, para := range map[string]string{
		"en": "Keep a note of every day you worked, the hours, and what you were paid & when. ",
		"ru": "Записывайте каждый день работы, часы и сколько и когда вам заплатили. ",
	} {
		path := filepath.Join(dir, "guide", lang, "wages.md")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 40 {
			data = append(data, "\n"+strings.Repeat(para, 1+i%4)+"\n"...)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lib, err := bot.LoadLibrary(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func readEveryPage(t *testing.T, lib *bot.Library) {
	for _, lang := range locales.Languages {
		c := newGuideChat(t, lang, lib)
		c.command("guide", "")
		for _, ref := range lib.Guide.Topics(lang) {
			want := lib.Guide.Pages(lang, ref.ID)
			data := "v1:g:t:" + ref.ID + ":1"
			for page := 1; ; page++ {
				m := shown(t, c.press(data, 50))
				if m.Action != chat.ActionEdit || m.MessageID != 50 {
					t.Fatalf("%s %s page %d not edited in place: %+v", lang, ref.ID, page, m)
				}
				if page <= len(want) && !strings.Contains(m.Text, want[page-1][:len(want[page-1])/2]) {
					t.Fatalf("%s %s page %d is not the guide's page", lang, ref.ID, page)
				}
				btn := buttons(m)
				_, hasPrev := btn[c.tr("btn_prev", nil)]
				if hasPrev != (page > 1) {
					t.Errorf("%s %s page %d: Previous %v", lang, ref.ID, page, hasPrev)
				}
				if note := c.tr("guide_note_unreviewed", nil); lang != "en" && ref.Status == guide.StatusUnreviewed && page == 1 && !strings.Contains(m.Text, note) {
					t.Errorf("%s %s: no unreviewed note", lang, ref.ID)
				}
				if len(want) > 1 && !strings.Contains(m.Text, c.tr("guide_page", map[string]any{"Page": page, "Pages": len(want)})) {
					t.Errorf("%s %s: page %d does not say which of %d it is", lang, ref.ID, page, len(want))
				}
				next, ok := btn[c.tr("btn_next", nil)]
				if !ok {
					if page < len(want) {
						t.Errorf("%s %s: stops at page %d of %d", lang, ref.ID, page, len(want))
					}
					break
				}
				data = next
			}
		}
		if s := c.state(); s.Pending != "guide" {
			t.Errorf("pending %q while reading the guide", s.Pending)
		}
	}
}

// Country pages show exactly what the directory says: year only when
// given, "not in the list" for "no", "unknown" for "?", unverified numbers
// marked, and the sources with their checked dates.
func TestGuideCountryPageFromDirectory(t *testing.T) {
	lib := embeddedLibrary(t)
	c := newGuideChat(t, "en", lib)
	page := func(code string) string { return c.countryPage(code) }
	az := page("AZ")
	for _, want := range []string{
		"✅ <b>C29</b> (1992): ", "❌ <b>C97</b>: ", "❔ <b>P29</b>: ", "✅ <b>C87</b>: ", "✅ <b>ICRMW</b> (1999): ",
		"<b>112</b>", "<b>102</b> — " + c.tr("service_label_police", nil), "860",
		"APA; avtosfer.az (2019), 2026-11-23", "ILO NORMLEX (ratification lists and CEACR comment headers), 2026-11-23",
	} {
		if !strings.Contains(az, want) {
			t.Errorf("Azerbaijan page lacks %q:\n%s", want, az)
		}
	}
	// The labels the directory writes in English are translated.
	if ru := newGuideChat(t, "ru", lib).countryPage("AZ"); !strings.Contains(ru, "<b>102</b> — полиция") {
		t.Errorf("the police label is not translated on the Russian page:\n%s", ru)
	}
	ru := page("RU")
	if line := lineWith(ru, "8-800-333-00-16"); !strings.Contains(line, c.tr("service_not_confirmed_since", map[string]any{"Year": "2011"})) {
		t.Errorf("the unverified IOM number is not marked: %q", line)
	}
	if line := lineWith(az, "<b>112</b>"); strings.Contains(line, c.tr("service_not_verified", nil)) {
		t.Errorf("a verified number is marked unverified: %q", line)
	}
	// Every country the profile offers has a page that lists each of its
	// ratifications and each hotline number.
	for _, country := range lib.Directory.Countries() {
		text := page(country.Code)
		// A line for every instrument the guide may cite, "not known"
		// where the country file has no record.
		for _, code := range directory.Instruments {
			if !strings.Contains(text, "<b>"+code+"</b>") {
				t.Errorf("%s: no line for %s", country.Code, code)
			}
			if _, ok := country.Ratification(code); !ok {
				unknown := c.tr("country_norm_unknown", map[string]any{"Instrument": code, "About": c.tr("instrument_"+strings.ToLower(code), nil)})
				if !strings.Contains(text, unknown) {
					t.Errorf("%s: %s has no record but is not shown as not known", country.Code, code)
				}
			}
		}
		checkNumbers(t, lib, country, text)
		none := c.tr("help_emergency_none", map[string]any{"Country": country.Names.In("en")})
		if len(country.Emergency) == 0 && !strings.Contains(text, none) {
			t.Errorf("%s: no emergency number, and the page does not say so", country.Code)
		}
	}
	// In every language every country page is valid Telegram HTML within
	// the limit (checked by do) and has every number.
	for _, lang := range locales.Languages {
		reader := newGuideChat(t, lang, lib)
		for _, country := range lib.Directory.Countries() {
			checkNumbers(t, lib, country, reader.countryPage(country.Code))
		}
	}
}

// countryPage reads a whole country page, pressing Next to its end.
func (c *guideChat) countryPage(code string) string {
	var all []string
	data := "v1:g:c:" + strings.ToLower(code) + ":1"
	for {
		m := shown(c.t, c.press(data, 60))
		all = append(all, m.Text)
		next, ok := buttons(m)[c.tr("btn_next", nil)]
		if !ok {
			return strings.Join(all, "\n")
		}
		data = next
	}
}

// lineWith is the first line of text containing s.
func lineWith(text, s string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, s) {
			return line
		}
	}
	return ""
}

func checkNumbers(t *testing.T, lib *bot.Library, country directory.Country, text string) {
	t.Helper()
	for _, e := range country.Emergency {
		if !strings.Contains(text, e.Number) {
			t.Errorf("%s: emergency number %s missing", country.Code, e.Number)
		}
	}
	for _, s := range lib.Directory.Hotlines(country.Code) {
		for _, p := range s.Phones {
			if !strings.Contains(text, p.Number) {
				t.Errorf("%s: %s's number %s missing", country.Code, s.ID, p.Number)
			}
		}
	}
}

// The forced-labour topic ends with the work country's hotlines, or with
// a button to choose the country that comes back to the same page.
func TestGuideForcedLabourHotlines(t *testing.T) {
	lib := embeddedLibrary(t)
	c := newGuideChat(t, "kk", lib)
	last := func() chat.Reply {
		m := shown(t, c.press("v1:g:t:forced-labour:99", 70))
		return m
	}
	m := last()
	choose, ok := buttons(m)[c.tr("guide_btn_choose_country", nil)]
	if !ok || !strings.Contains(m.Text, c.tr("guide_hotlines_choose", nil)) {
		t.Fatalf("no way to choose a country at the end of forced labour: %q %v", m.Text, buttons(m))
	}
	q := shown(t, c.press(choose, 70))
	z := shown(t, c.press(buttons(q)["Қазақстан"], 70))
	back := shown(t, c.press(buttons(z)[c.tr("btn_skip", nil)], 70))
	kz, _ := lib.Directory.Country("KZ")
	if !strings.Contains(back.Text, c.tr("guide_hotlines_heading", map[string]any{"Country": "Қазақстан"})) {
		t.Fatalf("did not come back to the hotlines: %q", back.Text)
	}
	checkNumbers(t, lib, kz, back.Text)
	if _, ok := buttons(back)[c.tr("guide_btn_choose_country", nil)]; ok {
		t.Error("still offers to choose a country")
	}
}

// Search: typed text while the guide is open, and /guide with words; the
// user's language first; nothing found says so and shows the topics; after
// leaving for the menu, text is no longer a search.
func TestGuideSearch(t *testing.T) {
	lib := embeddedLibrary(t)
	c := newGuideChat(t, "ka", lib)
	c.command("guide", "")
	res := shown(t, c.text("პასპორტი"))
	docs, _ := lib.Guide.Topic("ka", "documents")
	if len(res.Keyboard.Inline) < 2 || !showsTitle(res.Keyboard.Inline[0][0].Text, docs.Title) || res.Keyboard.Inline[0][0].Data != "v1:g:t:documents:1" {
		t.Fatalf("search results: %+v", res.Keyboard)
	}
	// Titles too long for a button are listed in full; nothing else may
	// repeat what was typed.
	var said []string
	for _, line := range strings.Split(res.Text, "\n") {
		if num, _, ok := strings.Cut(line, ". "); !ok || strings.Trim(num, "0123456789") != "" {
			said = append(said, line)
		}
	}
	if strings.Contains(strings.Join(said, "\n"), "პასპორტი") {
		t.Error("the query is echoed back")
	}
	if got := len(res.Keyboard.Inline); got > 4 {
		t.Errorf("%d rows: at most three results and the way back", got)
	}
	res = shown(t, c.command("guide", "passport"))
	if res.Keyboard.Inline[0][0].Data != "v1:g:t:documents:1" {
		t.Fatalf("/guide passport from a Georgian user: %+v", res.Keyboard)
	}
	none := shown(t, c.text("ab"))
	if !strings.Contains(none.Text, c.tr("guide_search_none", nil)) || len(none.Keyboard.Inline) < len(lib.Guide.Topics("ka")) {
		t.Fatalf("empty search: %q", none.Text)
	}
	menu := shown(t, c.press("v1:g:m", 80))
	if !strings.Contains(menu.Text, c.tr("menu_title", nil)) || c.state().Pending != "" {
		t.Fatalf("leaving the guide: %q pending %q", menu.Text, c.state().Pending)
	}
	if after := shown(t, c.text("პასპორტი")); !strings.Contains(after.Text, c.tr("text_no_question", nil)) {
		t.Fatalf("text after leaving the guide: %q", after.Text)
	}
	// Another command leaves the guide too.
	c.command("guide", "")
	c.command("language", "")
	if after := shown(t, c.text("პასპორტი")); !strings.Contains(after.Text, c.tr("text_no_question", nil)) {
		t.Fatalf("text after /language: %q", after.Text)
	}
}

// Buttons that do not parse are stale; a topic removed by a content update
// is explained and the list shown.
func TestGuideStaleButtons(t *testing.T) {
	lib := embeddedLibrary(t)
	c := newGuideChat(t, "az", lib)
	for _, data := range []string{
		"v1:g:", "v1:g:x", "v1:g:t", "v1:g:t:documents", "v1:g:t:documents:0", "v1:g:t:documents:x",
		"v1:g:t:Documents:1", "v1:g:t::1", "v1:g:c:xx:1", "v1:g:c:az", "v1:g:w:zz:", "v1:g:w:az", "v1:g:z:",
		"v1:g:p:Bad Topic", "v1:g:t:" + strings.Repeat("a", 70) + ":1",
	} {
		replies := c.press(data, 90)
		if m := shown(t, replies); !strings.Contains(m.Text, c.tr("stale_button", nil)) {
			t.Errorf("%q: %q", data, m.Text)
		}
	}
	gone := shown(t, c.press("v1:g:t:no-such-topic:1", 90))
	if !strings.Contains(gone.Text, c.tr("guide_topic_gone", nil)) || !strings.Contains(gone.Text, c.tr("guide_list_title", nil)) {
		t.Fatalf("removed topic: %q", gone.Text)
	}
	// A page past the end (the topic got shorter) shows the last page.
	pages := lib.Guide.Pages("az", "documents")
	end := shown(t, c.press("v1:g:t:documents:40", 90))
	if !strings.Contains(end.Text, pages[len(pages)-1][:40]) {
		t.Fatalf("page past the end: %q", end.Text)
	}
}

// Translation status: a topic missing in the worker's language is served
// in English with a note and an (EN) marker; an outdated one says the
// English changed.
func TestGuideTranslationNotes(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, content.FS); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "guide", "ru", "consulate.md")); err != nil {
		t.Fatal(err)
	}
	wages := filepath.Join(dir, "guide", "en", "wages.md")
	data, err := os.ReadFile(wages)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wages, append(data, "\nOne more English sentence.\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	lib, err := bot.LoadLibrary(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	c := newGuideChat(t, "ru", lib)
	shown(t, c.command("guide", ""))
	list := shown(t, c.press("v1:g:l", 95))
	en, _ := lib.Guide.Topic("en", "consulate")
	marked := c.tr("guide_title_english", map[string]any{"Title": en.Title})
	if buttons(list)[marked] != "v1:g:t:consulate:1" {
		t.Fatalf("no %q button: %v", marked, buttons(list))
	}
	missing := shown(t, c.press("v1:g:t:consulate:1", 95))
	if !strings.Contains(missing.Text, c.tr("guide_note_missing", nil)) || !strings.Contains(missing.Text, en.Title) {
		t.Fatalf("missing translation: %q", missing.Text)
	}
	outdated := shown(t, c.press("v1:g:t:wages:1", 95))
	if !strings.Contains(outdated.Text, c.tr("guide_note_outdated", nil)) {
		t.Fatalf("outdated translation: %q", outdated.Text)
	}
}

// The profile the guide asks is the one the complaint intake reads: a
// worker in danger who told the guide they work in Georgia gets Georgia's
// numbers at once, without being asked the country again.
func TestGuideProfileSharedWithIntake(t *testing.T) {
	lib := embeddedLibrary(t)
	c := newGuideChat(t, "en", lib)
	c.command("guide", "")
	c.press("v1:g:w:ge:", 7)
	c.press("v1:g:z:az:", 7)
	c.command("complaint", "")
	var texts []string
	for _, r := range c.press("v1:i:1:d:yes", 200) {
		texts = append(texts, r.Text)
	}
	all := strings.Join(texts, "\n")
	ge, _ := lib.Directory.Country("GE")
	if !strings.Contains(all, c.tr("help_emergency_title", map[string]any{"Country": "Georgia"})) {
		t.Fatalf("no Georgian emergency numbers right after \"in danger\": %q", all)
	}
	checkNumbers(t, lib, ge, all)
}
