package bot

// Country pages: built from the directory's facts, never written by hand,
// so a number or a ratification shown is always one the directory cites.
// Numbers and hotlines are shown the way "help near me" and routing show
// them (emergencyBlock, card), each with its numbered source.

import (
	"slices"
	"strconv"
	"strings"

	"github.com/rightsdesk/rightsdesk/bot/routing"
	"github.com/rightsdesk/rightsdesk/content/directory"
)

// showCountry shows a page of a country's facts.
func (b *Bot) showCountry(t *turn, code string, page int) {
	c, _ := t.lib.Directory.Country(code)
	// A worker reads any country's page: its short numbers are plain only
	// for one who works there.
	t.here = t.state.Profile.WorkCountry
	pages := t.countryPages(c)
	page = min(page, len(pages))
	data := func(p int) string { return countryData(code, p) }
	b.guideShow(t, pageText(t, nil, pages, page), pagingKeyboard(t, page, len(pages), data))
	b.askNews(t)
}

// countryPages is the whole country page: emergency numbers, hotlines and
// ratifications, as pages that each end with the sources they cite.
func (t *turn) countryPages(c directory.Country) []string {
	head := t.t("country_title", map[string]any{"Country": escape(c.Names.In(t.lang))})
	blocks := append(t.helpBlocks(c.Code, t.guideHotlinesHeading()), func(refs *sources) string { return t.ratifications(c, refs) })
	return t.packMessages(head, blocks)
}

// helpBlocks are a country's emergency numbers and then its hotlines under
// heading (HTML), one block each, so that paging splits between hotlines,
// never inside one. Every screen that shows hotlines shows them this way.
func (t *turn) helpBlocks(country, heading string) []func(*sources) string {
	blocks := []func(*sources) string{func(refs *sources) string { return t.emergencyBlock(country, refs) }}
	hotlines := t.lib.Directory.Hotlines(country)
	if len(hotlines) == 0 {
		return append(blocks, func(*sources) string { return heading + "\n<i>" + t.t("country_hotlines_none", nil) + "</i>" })
	}
	for i, s := range hotlines {
		blocks = append(blocks, func(refs *sources) string {
			card := t.card(s, routing.Choice{}, 0, true, refs)
			if i == 0 {
				return heading + "\n" + card
			}
			return card
		})
	}
	return blocks
}

// guideHotlinesHeading heads the hotlines on the guide's pages.
func (t *turn) guideHotlinesHeading() string {
	return "<b>" + t.t("country_hotlines_heading", nil) + "</b>"
}

// ratifications says exactly what the data says, with the sources it
// cites numbered like the contacts above: a line for every instrument the
// country files track, "not known" where this country's file has no record.
func (t *turn) ratifications(c directory.Country, refs *sources) string {
	var s strings.Builder
	var cited []string
	s.WriteString("<b>" + t.t("country_norms_heading", nil) + "</b>")
	for _, code := range directory.Instruments {
		r, ok := c.Ratification(code)
		if !ok {
			r = directory.Ratification{Instrument: code, Status: "unknown"}
		}
		s.WriteString("\n" + ratificationLine(t, r))
		if !ok {
			continue
		}
		n := strconv.Itoa(refs.ref(directory.Citation{Source: r.Source, Checked: r.Checked, Verified: true}))
		if !slices.Contains(cited, n) {
			cited = append(cited, n)
		}
	}
	s.WriteString("\n<i>" + t.t("country_norms_legend", nil) + "</i>")
	if len(cited) > 0 {
		s.WriteString("\n" + t.t("country_norms_sources", map[string]any{"Refs": strings.Join(cited, ", ")}))
	}
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
	return t.t("country_norm_"+ratificationCase(r), data)
}
