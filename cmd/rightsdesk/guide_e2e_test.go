package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/content"
	"github.com/rightsdesk/rightsdesk/content/directory"
	"github.com/rightsdesk/rightsdesk/content/guide"
	"github.com/rightsdesk/rightsdesk/locales"
)

// guideReader drives one user through the guide as a person would: by
// pressing the buttons the bot shows, in the message the bot edits.
type guideReader struct {
	t    *testing.T
	h    *harness
	u    *localapi.User
	lang string
}

func (r *guideReader) tr(id string, data map[string]any) string {
	return r.h.catalog.T(r.lang, id, data)
}

// press presses a button of a guide message and waits for the bot to edit
// that message.
func (r *guideReader) press(m localapi.Message, label string) localapi.Message {
	r.t.Helper()
	// A topic's title may be numbered and cut to fit a phone.
	for _, b := range buttonTexts(m) {
		if b != label && showsOption(b, label) {
			label = b
			break
		}
	}
	if err := r.u.Press(m.ID, label); err != nil {
		r.t.Fatalf("press %q: %v (buttons %q)", label, err, buttonTexts(m))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	edited, err := r.u.WaitFor(ctx, func(x localapi.Message) bool { return x.ID == m.ID && x.EditCount > m.EditCount })
	if err != nil {
		r.t.Fatalf("after pressing %q the message was not edited: %v", label, err)
	}
	return edited
}

// send sends text and waits for a new bot message containing want.
func (r *guideReader) send(text, want string) localapi.Message {
	r.t.Helper()
	before := len(r.u.Messages())
	r.u.SendText(text)
	return waitNewMessage(r.t, r.u, before, want)
}

// openWithProfile opens the guide for the first time and answers the
// profile questions; it returns the topic list.
func (r *guideReader) openWithProfile(lib *bot.Library, work, citizenship string) localapi.Message {
	r.t.Helper()
	q := r.send("/guide", firstLine(r.tr("profile_work_question", nil)))
	q = r.press(q, r.countryLabel(lib, work))
	if !strings.Contains(q.Text, firstLine(r.tr("profile_citizenship_question", nil))) {
		r.t.Fatalf("no citizenship question: %q", q.Text)
	}
	list := r.press(q, r.countryLabel(lib, citizenship))
	if !strings.Contains(list.Text, firstLine(r.tr("guide_list_title", nil))) {
		r.t.Fatalf("no topic list after the profile: %q", list.Text)
	}
	return list
}

func (r *guideReader) countryLabel(lib *bot.Library, code string) string {
	if code == "" {
		return r.tr("btn_skip", nil)
	}
	c, ok := lib.Directory.Country(code)
	if !ok {
		r.t.Fatalf("no country %s in the directory", code)
	}
	return c.Names.In(r.lang)
}

// readAll pages from the message m (page 1) to the last page with Next and
// checks each page's number; it returns the pages' texts.
func (r *guideReader) readAll(m localapi.Message) (localapi.Message, []string) {
	r.t.Helper()
	pages := []string{m.Text}
	for contains(buttonTexts(m), r.tr("btn_next", nil)) {
		m = r.press(m, r.tr("btn_next", nil))
		pages = append(pages, m.Text)
		if len(pages) > 50 {
			r.t.Fatal("more than 50 pages: paging does not end")
		}
	}
	if len(pages) > 1 {
		for i, p := range pages {
			if want := r.tr("guide_page", map[string]any{"Page": i + 1, "Pages": len(pages)}); !strings.Contains(p, want) {
				r.t.Errorf("page %d lacks %q", i+1, want)
			}
		}
	}
	if contains(buttonTexts(m), r.tr("btn_prev", nil)) != (len(pages) > 1) {
		r.t.Errorf("Previous shown wrongly on the last page (of %d): %q", len(pages), buttonTexts(m))
	}
	return m, pages
}

// countryButton is a country page's button as the bot words it: in full
// when that fits a phone, else its short form.
func (r *guideReader) countryButton(id, country string) string {
	data := map[string]any{"Country": country}
	if full := r.tr(id, data); chat.Fits(full, 1) {
		return full
	}
	return r.tr(id+"_short", data)
}

func topicLabel(h *harness, lang string, ref guide.TopicRef) string {
	if ref.Status == guide.StatusMissing && lang != guide.SourceLanguage {
		return h.catalog.T(lang, "guide_title_english", map[string]any{"Title": ref.Title})
	}
	return ref.Title
}

// In each language a worker opens the guide, reads every page of every
// topic and their country's page, and Telegram accepts every message.
func TestGuideEveryPageInEveryLanguage(t *testing.T) {
	lib, err := bot.LoadLibrary(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	h := startHarness(t, harnessOptions{})
	work := map[string]string{"az": "AZ", "ru": "RU", "ka": "GE", "ro": "MD", "kk": "KZ", "en": "TR"}
	citizenship := map[string]string{"az": "AZ", "ru": "", "ka": "GE", "ro": "MD", "kk": "KZ", "en": "UA"}
	for _, lang := range locales.Languages {
		t.Run(lang, func(t *testing.T) {
			r := &guideReader{t: t, h: h, u: h.api.NewUser("Reader-"+lang, lang), lang: lang}
			list := r.openWithProfile(lib, work[lang], citizenship[lang])
			country, _ := lib.Directory.Country(work[lang])
			refs := lib.Guide.Topics(lang)
			for _, ref := range refs {
				page := r.press(list, topicLabel(h, lang, ref))
				last, pages := r.readAll(page)
				if want := len(lib.Guide.Pages(lang, ref.ID)); len(pages) < want {
					t.Errorf("%s: %d pages shown, the guide has %d", ref.ID, len(pages), want)
				}
				// Under the title: whether each cited convention binds
				// the country of work.
				heading := r.tr("guide_applies_heading", map[string]any{"Country": country.Names.In(lang)})
				if cites := len(lib.Guide.Instruments(lang, ref.ID)) > 0; cites != strings.Contains(pages[0], heading) {
					t.Errorf("%s: cites conventions %v, applies block shown %v", ref.ID, cites, !cites)
				}
				if ref.ID == "forced-labour" || ref.ID == "violence-harassment" {
					checkHotlines(t, r, lib, country, last.Text)
				}
				list = r.press(last, r.tr("guide_btn_topics", nil))
			}
			countryPage := r.press(list, r.countryButton("guide_btn_your_country", country.Names.In(lang)))
			last, pages := r.readAll(countryPage)
			all := strings.Join(pages, "\n")
			if !strings.Contains(all, country.Names.In(lang)) || !strings.Contains(all, r.tr("country_norms_heading", nil)) {
				t.Errorf("country page lacks the name or the conventions: %q", all)
			}
			if strings.Contains(all, "tel:") {
				t.Error("country page links numbers with tel:")
			}
			list = r.press(last, r.tr("guide_btn_topics", nil))
			if home := citizenship[lang]; home != "" && home != work[lang] {
				c, _ := lib.Directory.Country(home)
				page := r.press(list, r.countryButton("guide_btn_home_country", c.Names.In(lang)))
				if _, pages := r.readAll(page); !strings.Contains(strings.Join(pages, "\n"), c.Names.In(lang)) {
					t.Errorf("the citizenship page does not name %s", home)
				}
			}
		})
	}
	for _, req := range h.api.Requests() {
		if req.Status == 400 {
			t.Errorf("Telegram refused %s to chat %d", req.Method, req.ChatID)
		}
	}
}

// checkHotlines: the end of a hotline topic (forced labour, violence and
// harassment) names the work country's hotlines with their numbers, or
// says there are none.
func checkHotlines(t *testing.T, r *guideReader, lib *bot.Library, c directory.Country, lastPage string) {
	t.Helper()
	if !strings.Contains(lastPage, c.Names.In(r.lang)) {
		t.Errorf("the topic ends without the hotlines of %s: %q", c.Code, lastPage)
	}
	hotlines := lib.Directory.Hotlines(c.Code)
	if len(hotlines) == 0 && !strings.Contains(lastPage, r.tr("country_hotlines_none", nil)) {
		t.Errorf("%s has no hotlines, and the page does not say so", c.Code)
	}
	for _, s := range hotlines {
		for _, p := range s.Phones {
			if !strings.Contains(lastPage, p.Number) {
				t.Errorf("the topic lacks %s's number %s", s.ID, p.Number)
			}
		}
	}
}

// A word typed in the guide, in each language, finds the documents and
// the wages topics; /guide with words searches too; nonsense gets a clear
// answer with the topic list.
func TestGuideSearchInEveryLanguage(t *testing.T) {
	lib, err := bot.LoadLibrary(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	h := startHarness(t, harnessOptions{})
	words := map[string][2]string{
		"ru": {"паспорт", "зарплата"}, "az": {"pasport", "maaş"}, "ka": {"პასპორტი", "ხელფასი"},
		"ro": {"pașaport", "salariu"}, "kk": {"төлқұжат", "жалақы"}, "en": {"passport", "wages"},
	}
	for _, lang := range locales.Languages {
		t.Run(lang, func(t *testing.T) {
			r := &guideReader{t: t, h: h, u: h.api.NewUser("Searcher-"+lang, lang), lang: lang}
			r.openWithProfile(lib, "", "")
			results := r.tr("guide_search_results", nil)
			for i, id := range []string{"documents", "wages"} {
				m := r.send(words[lang][i], results)
				topic, _ := lib.Guide.Topic(lang, id)
				if got := buttonTexts(m); len(got) == 0 || !showsOption(got[0], topic.Title) {
					t.Errorf("%q: first result %q, want %q", words[lang][i], got, topic.Title)
				}
			}
			m := r.send("/guide "+words[lang][1], results)
			if topic, _ := lib.Guide.Topic(lang, "wages"); !slices.ContainsFunc(buttonTexts(m), func(b string) bool { return showsOption(b, topic.Title) }) {
				t.Errorf("/guide %s: no wages topic in %q", words[lang][1], buttonTexts(m))
			}
			m = r.send("qwzxqwzx", firstLine(r.tr("guide_search_none", nil)))
			if len(buttonTexts(m)) < len(lib.Guide.Topics(lang)) {
				t.Errorf("no topic list with the empty answer: %q", buttonTexts(m))
			}
			// Leaving for the menu ends the search mode.
			before := len(r.u.Messages())
			if err := r.u.Press(m.ID, r.tr("guide_btn_menu", nil)); err != nil {
				t.Fatal(err)
			}
			waitNewMessage(t, r.u, before, firstLine(r.tr("menu_title", nil)))
			r.send(words[lang][0], firstLine(r.tr("text_no_question", nil)))
		})
	}
	for _, req := range h.api.Requests() {
		if req.Status == 400 {
			t.Errorf("Telegram refused %s to chat %d", req.Method, req.ChatID)
		}
	}
	// What a worker searches for is theirs: it never reaches the logs.
	// (English words also name topic ids, which the logs may carry.)
	logs := h.logs.String()
	for lang, w := range words {
		for _, query := range append(w[:], "qwzxqwzx") {
			if lang != "en" && strings.Contains(logs, query) {
				t.Errorf("the logs carry the search %q", query)
			}
		}
	}
}
