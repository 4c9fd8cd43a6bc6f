package bot

// Country pages: built from the directory's facts, never written by hand,
// so a number or a ratification shown is always one the directory cites.

import (
	"strconv"
	"strings"

	"github.com/rightsdesk/rightsdesk/content/directory"
	"github.com/rightsdesk/rightsdesk/content/guide"
)

// showCountry shows a page of a country's facts.
func (b *Bot) showCountry(t *turn, code string, page int) {
	c, _ := t.lib.Directory.Country(code)
	pages := guide.Split(b.countryHTML(t, c), guide.PageLimit)
	page = min(page, len(pages))
	data := func(p int) string { return callbackData(cbGuide, "c:"+strings.ToLower(code)+":"+strconv.Itoa(p)) }
	b.guideShow(t, pageText(t, nil, pages, page), pagingKeyboard(t, page, len(pages), data))
}

// countryHTML is the whole country page: emergency numbers, hotlines,
// ratifications, and the sources of all of them.
func (b *Bot) countryHTML(t *turn, c directory.Country) string {
	var src citations
	var s strings.Builder
	s.WriteString(t.t("country_title", map[string]any{"Country": escape(c.Names.In(t.lang))}))
	s.WriteString("\n\n")
	s.WriteString(b.contactsHTML(t, c, &src))
	s.WriteString("\n\n<b>" + t.t("country_norms_heading", nil) + "</b>\n")
	for _, r := range c.Ratifications {
		s.WriteString(ratificationLine(t, r) + "\n")
		src.add(r.Source, r.Checked)
	}
	s.WriteString("<i>" + t.t("country_norms_legend", nil) + "</i>")
	s.WriteString(src.html(t))
	return s.String()
}

// ratificationLine says exactly what the data says: a year only when the
// source gives one, and "not in the source's list" rather than "refused".
func ratificationLine(t *turn, r directory.Ratification) string {
	data := map[string]any{
		"Instrument": escape(r.Instrument),
		"About":      t.t("instrument_"+strings.ToLower(r.Instrument), nil),
		"Year":       r.Year,
	}
	switch {
	case r.Status == "yes" && r.Year > 0:
		return t.t("country_norm_yes_year", data)
	case r.Status == "yes":
		return t.t("country_norm_yes", data)
	case r.Status == "no":
		return t.t("country_norm_no", data)
	case r.Status == "signed":
		return t.t("country_norm_signed", data)
	}
	return t.t("country_norm_unknown", data)
}

// contactsHTML lists a country's emergency numbers and hotlines. Numbers
// are plain text, which Telegram makes tappable; an unverified one says so.
// When src is nil the sources are listed right after the contacts.
func (b *Bot) contactsHTML(t *turn, c directory.Country, src *citations) string {
	own := src == nil
	if own {
		src = &citations{}
	}
	notVerified := " <i>" + t.t("country_not_verified", nil) + "</i>"
	var s strings.Builder
	s.WriteString("<b>" + t.t("country_emergency_heading", nil) + "</b>\n")
	if len(c.Emergency) == 0 {
		s.WriteString("<i>" + t.t("country_emergency_none", nil) + "</i>\n")
	}
	for _, e := range c.Emergency {
		s.WriteString("• " + phoneLine(e.Number, e.Label))
		if !e.Verified {
			s.WriteString(notVerified)
		}
		s.WriteString("\n")
		src.add(e.Source, e.Checked)
	}
	s.WriteString("\n<b>" + t.t("country_hotlines_heading", nil) + "</b>")
	hotlines := t.lib.Directory.Hotlines(c.Code)
	if len(hotlines) == 0 {
		s.WriteString("\n<i>" + t.t("country_hotlines_none", nil) + "</i>")
	}
	for _, h := range hotlines {
		s.WriteString("\n• <b>" + escape(h.Names.In(t.lang)) + "</b>")
		for _, p := range h.Phones {
			s.WriteString("\n   " + phoneLine(p.Number, p.Label))
			if !p.Verified {
				s.WriteString(notVerified)
			}
			src.add(p.Source, p.Checked)
		}
		if len(h.Phones) == 0 {
			s.WriteString("\n   <i>" + t.t("country_no_phone", nil) + "</i>")
			for _, w := range h.Websites {
				s.WriteString("\n   " + escape(w.URL))
				if !w.Verified {
					s.WriteString(notVerified)
				}
				src.add(w.Source, w.Checked)
			}
		}
	}
	if own {
		s.WriteString(src.html(t))
	}
	return s.String()
}

// phoneLine is a number with what it is for, as the directory labels it.
func phoneLine(number, label string) string {
	line := escape(number)
	if label != "" {
		line += " — <i>" + escape(label) + "</i>"
	}
	return line
}

// citations collects the sources of what a country page shows, each once.
type citations struct {
	list []citation
}

type citation struct{ name, checked string }

func (s *citations) add(name, checked string) {
	if name == "" {
		return
	}
	for _, have := range s.list {
		if have.name == name && have.checked == checked {
			return
		}
	}
	s.list = append(s.list, citation{name, checked})
}

// html is the sources footer, empty when nothing was cited.
func (s *citations) html(t *turn) string {
	if len(s.list) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n\n<b>" + t.t("country_sources_heading", nil) + "</b>")
	for _, src := range s.list {
		b.WriteString("\n<i>• " + t.t("country_source", map[string]any{"Source": escape(src.name), "Date": escape(src.checked)}) + "</i>")
	}
	return b.String()
}
