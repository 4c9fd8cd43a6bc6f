package bot

import (
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/content"
	"github.com/rightsdesk/rightsdesk/content/guide"
	"github.com/rightsdesk/rightsdesk/locales"
)

// The preview is the topic as the bot pages it: every page is a message
// Telegram takes, the first carries the title, the pages are numbered, and
// a country of work puts whether the cited conventions apply under the
// title.
func TestPreviewTopic(t *testing.T) {
	lib, err := LoadLibrary(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range guide.Languages {
		for _, ref := range lib.Guide.Topics(lang) {
			for _, work := range []string{"", "RU"} {
				msgs := PreviewTopic(lib, catalog, lang, ref.ID, work)
				if len(msgs) == 0 {
					t.Fatalf("%s/%s: no message", lang, ref.ID)
				}
				for i, m := range msgs {
					if err := localapi.CheckText(m.Text, "HTML"); err != nil {
						t.Errorf("%s/%s page %d: Telegram would refuse it: %v", lang, ref.ID, i+1, err)
					}
					if m.Keyboard == nil || len(m.Keyboard.Inline) == 0 {
						t.Errorf("%s/%s page %d: no keyboard", lang, ref.ID, i+1)
					}
				}
				if !strings.Contains(msgs[0].Text, "<b>"+ref.Title) && !strings.Contains(msgs[0].Text, ref.Title) {
					t.Errorf("%s/%s: the first page lacks the title %q", lang, ref.ID, ref.Title)
				}
				if len(msgs) > 1 && !strings.Contains(msgs[len(msgs)-1].Text, catalog.T(lang, "guide_page", map[string]any{"Page": len(msgs), "Pages": len(msgs)})) {
					t.Errorf("%s/%s: the last page is not numbered", lang, ref.ID)
				}
			}
		}
	}
	// Working in Russia, a topic citing conventions says whether each binds Russia.
	ru := PreviewTopic(lib, catalog, "en", "forced-labour", "RU")
	heading := strings.SplitN(catalog.T("en", "guide_applies_heading", map[string]any{"Country": "Russia"}), "\n", 2)[0]
	if !strings.Contains(ru[0].Text, heading) {
		t.Errorf("no applies block for Russia under the title:\n%s", ru[0].Text)
	}
	none := PreviewTopic(lib, catalog, "en", "forced-labour", "")
	if strings.Contains(none[0].Text, heading) || !strings.Contains(none[0].Text, catalog.T("en", "guide_applies_choose", nil)) {
		t.Errorf("without a country the topic should ask for one:\n%s", none[0].Text)
	}
	if gone := PreviewTopic(lib, catalog, "en", "no-such-topic", ""); len(gone) != 1 || !strings.Contains(gone[0].Text, catalog.T("en", "guide_topic_gone", nil)) {
		t.Errorf("an unknown topic: %+v", gone)
	}
}
