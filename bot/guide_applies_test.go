package bot_test

import (
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/bot/chat"
)

// setWork answers the guide's profile questions: work country code (lower
// case), citizenship skipped.
func (c *guideChat) setWork(code string) {
	c.t.Helper()
	c.command("guide", "")
	c.press("v1:g:w:"+code+":", 80)
	c.press("v1:g:z:-:", 80)
}

// topicFirstPage opens a topic on its first page.
func (c *guideChat) topicFirstPage(id string) chat.Reply {
	c.t.Helper()
	return shown(c.t, c.press("v1:g:t:"+id+":1", 81))
}

// Under a topic's title the bot says, for each convention the topic cites,
// whether it binds the worker's country of work, exactly as the country
// file records it: ratified (with the year when given), not in the
// source's list, signed only, or not known (no record at all).
func TestGuideAppliesWhereYouWork(t *testing.T) {
	lib := embeddedLibrary(t)
	line := func(c *guideChat, id, code, country string, year int) string {
		return c.tr(id, map[string]any{"Instrument": code, "Country": country, "Year": year})
	}

	md := newGuideChat(t, "en", lib)
	md.setWork("md")
	// Moldova: C29 ratified in 2000, P29 "?" in the reference, no record
	// of the Palermo Protocol at all.
	page := md.topicFirstPage("forced-labour").Text
	for _, want := range []string{
		md.tr("guide_applies_heading", map[string]any{"Country": "Moldova"}),
		line(md, "guide_applies_yes_year", "C29", "Moldova", 2000),
		line(md, "guide_applies_unknown", "P29", "Moldova", 0),
		line(md, "guide_applies_unknown", "Palermo", "Moldova", 0),
		md.tr("guide_applies_national", nil),
		md.tr("guide_applies_sources", map[string]any{"Sources": "ILO NORMLEX (ratification lists and CEACR comment headers), 2026-11-23"}),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("forced-labour for Moldova lacks %q:\n%s", want, page)
		}
	}
	// The block sits under the title, before the body.
	title, _ := lib.Guide.Topic("en", "forced-labour")
	heading := md.tr("guide_applies_heading", map[string]any{"Country": "Moldova"})
	if !strings.HasPrefix(page, "<b>"+title.Title+"</b>\n\n"+heading) {
		t.Errorf("the block is not right under the title:\n%s", page)
	}
	// Moldova: C190 ratified (no year), C189 not in the source's list.
	page = md.topicFirstPage("violence-harassment").Text
	for _, want := range []string{
		line(md, "guide_applies_yes", "C190", "Moldova", 0),
		line(md, "guide_applies_no", "C189", "Moldova", 0),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("violence-harassment for Moldova lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, line(md, "guide_applies_unknown", "C190", "Moldova", 0)) {
		t.Error("a ratified convention is shown as not known")
	}

	// Armenia signed the ICRMW without ratifying it.
	am := newGuideChat(t, "ru", lib)
	am.setWork("am")
	page = am.topicFirstPage("consulate").Text
	if want := line(am, "guide_applies_signed", "ICRMW", "Армения", 0); !strings.Contains(page, want) {
		t.Errorf("consulate for Armenia lacks %q:\n%s", want, page)
	}

	// Guidance is named as guidance, never as ratified or not.
	ge := newGuideChat(t, "ka", lib)
	ge.setWork("ge")
	page = ge.topicFirstPage("before-you-leave").Text
	names := ge.tr("instrument_frp", nil) + "; " + ge.tr("instrument_dhaka", nil)
	for _, want := range []string{
		ge.tr("guide_applies_guidance", map[string]any{"Names": names}),
		line(ge, "guide_applies_yes_year", "C181", "საქართველო", 2002),
		line(ge, "guide_applies_unknown", "C95", "საქართველო", 0),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("before-you-leave for Georgia lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "<b>FRP</b>") || strings.Contains(page, "<b>Dhaka</b>") {
		t.Errorf("guidance shown with a ratification line:\n%s", page)
	}

	// A topic that cites nothing has no block.
	if page := md.topicFirstPage("rightsdesk-data").Text; strings.Contains(page, md.tr("guide_applies_heading", map[string]any{"Country": "Moldova"})) {
		t.Errorf("rightsdesk-data cites nothing but shows the block:\n%s", page)
	}
}

// Without a country of work the topic asks for it, with a button that
// comes back to the topic, now with the block.
func TestGuideAppliesAsksForTheCountry(t *testing.T) {
	lib := embeddedLibrary(t)
	c := newGuideChat(t, "kk", lib)
	c.command("guide", "") // the profile question, left unanswered
	m := c.topicFirstPage("wages")
	if !strings.Contains(m.Text, c.tr("guide_applies_choose", nil)) {
		t.Fatalf("no request to choose the country:\n%s", m.Text)
	}
	choose, ok := buttons(m)[c.tr("guide_btn_choose_country", nil)]
	if !ok || choose != "v1:g:p:wages" {
		t.Fatalf("no button to choose the country: %v", buttons(m))
	}
	q := shown(t, c.press(choose, 81))
	z := shown(t, c.press(buttons(q)["Ресей"], 81))
	back := shown(t, c.press(buttons(z)[c.tr("btn_skip", nil)], 81))
	if want := c.tr("guide_applies_heading", map[string]any{"Country": "Ресей"}); !strings.Contains(back.Text, want) {
		t.Fatalf("did not come back to wages with the block for Russia:\n%s", back.Text)
	}
	if strings.Contains(back.Text, c.tr("guide_applies_choose", nil)) {
		t.Error("still asks for the country")
	}
}
