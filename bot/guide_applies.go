package bot

// Whether the conventions a topic cites bind the country where the worker
// works. A right in a convention is a right only where the convention is
// ratified, so every topic that cites one says, under its title, what the
// country file records for the worker's country of work: ratified,
// not in the source's list, signed only, or not known. Nothing is inferred:
// an instrument the country file has no record of is "not known".

import (
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/content/directory"
	"github.com/rightsdesk/rightsdesk/content/guide"
)

// appliesBlock is the block under a topic's title, or "" when the topic
// cites no instrument or the worker has not said where they work (then
// appliesChoose asks).
func (b *Bot) appliesBlock(t *turn, id string) string {
	instruments := t.lib.Guide.Instruments(t.lang, id)
	work := t.state.Profile.WorkCountry
	if len(instruments) == 0 || !b.knownCountry(t, work) {
		return ""
	}
	c, _ := t.lib.Directory.Country(work)
	country := escape(c.Names.In(t.lang))
	var s strings.Builder
	s.WriteString(t.t("guide_applies_heading", map[string]any{"Country": country}))
	var cited []directory.Ratification
	var guidance []string
	for _, code := range instruments {
		if guide.NonBinding(code) {
			guidance = append(guidance, t.t("instrument_"+strings.ToLower(code), nil))
			continue
		}
		r, _ := c.Ratification(code)
		s.WriteString("\n" + appliesLine(t, code, country, r))
		if r.Source != "" {
			cited = append(cited, r)
		}
	}
	if len(guidance) > 0 {
		s.WriteString("\n" + t.t("guide_applies_guidance", map[string]any{"Names": strings.Join(guidance, "; ")}))
	}
	s.WriteString("\n<i>" + t.t("guide_applies_national", nil) + "</i>")
	if refs := appliesSources(cited); refs != "" {
		s.WriteString("\n<i>" + t.t("guide_applies_sources", map[string]any{"Sources": refs}) + "</i>")
	}
	return s.String()
}

// appliesLine says what the country file records for one instrument, in
// the words of the worker's question: does it apply where I work?
func appliesLine(t *turn, code, country string, r directory.Ratification) string {
	data := map[string]any{"Instrument": escape(code), "Country": country, "Year": r.Year}
	return t.t("guide_applies_"+ratificationCase(r), data)
}

// ratificationCase names what a ratification record says, as the message
// ids that render it end: a year only when the source gives one, and "not in
// the source's list" (no) rather than "refused".
func ratificationCase(r directory.Ratification) string {
	switch {
	case r.Status == "yes" && r.Year > 0:
		return "yes_year"
	case r.Status == "yes", r.Status == "no", r.Status == "signed":
		return r.Status
	}
	return "unknown"
}

// appliesSources names each source once, with the date it was checked, as
// the country file gives them (the names are not translated).
func appliesSources(cited []directory.Ratification) string {
	var seen []string
	for _, r := range cited {
		item := escape(r.Source) + ", " + escape(r.Checked)
		if !slices.Contains(seen, item) {
			seen = append(seen, item)
		}
	}
	return strings.Join(seen, "; ")
}

// appliesChoose is the note above a topic that cites instruments when the
// worker has not said where they work; a button to say it comes with it.
func (b *Bot) appliesChoose(t *turn, id string) bool {
	return len(t.lib.Guide.Instruments(t.lang, id)) > 0 && !b.knownCountry(t, t.state.Profile.WorkCountry)
}
