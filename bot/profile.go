package bot

import (
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/bot/chat"
)

// Profile is where a worker works and which passport they hold. The guide
// asks for it once, to show the right country page and hotlines; features
// that route a case read it too. Codes are ISO 3166-1 alpha-2, upper case;
// empty means the worker did not say.
type Profile struct {
	WorkCountry string `json:"work_country,omitempty"`
	WorkCity    string `json:"work_city,omitempty"`
	Citizenship string `json:"citizenship,omitempty"`
}

// profileCountries are offered as answers, in this order: the countries the
// bot's workers mostly come from and go to, then the other neighbours.
var profileCountries = []string{"AZ", "GE", "MD", "KZ", "RU", "TR", "UA", "BY", "AM", "KG", "UZ", "TJ"}

// skipAnswer is the country code of the "Skip" button.
const skipAnswer = "-"

// askWorkCountry shows the first profile question; then names what to show
// once the profile is answered ("" for the topic list, or a topic id).
func (b *Bot) askWorkCountry(t *turn, then string) {
	b.guideShow(t, t.t("profile_work_question", nil), b.countryKeyboard(t, "w", then))
}

func (b *Bot) askCitizenship(t *turn, then string) {
	b.guideShow(t, t.t("profile_citizenship_question", nil), b.countryKeyboard(t, "z", then))
}

// countryKeyboard lists the profile countries by their names in the
// worker's language, two to a row, and Skip.
func (b *Bot) countryKeyboard(t *turn, step, then string) *chat.Keyboard {
	buttons := make([]chat.Button, 0, len(profileCountries))
	for _, code := range profileCountries {
		c, ok := t.lib.Directory.Country(code)
		if !ok {
			continue
		}
		buttons = append(buttons, chat.Button{Text: c.Names.In(t.lang), Data: profileData(step, strings.ToLower(code), then)})
	}
	rows := append(grid(buttons, 2), []chat.Button{{Text: t.t("btn_skip", nil), Data: profileData(step, skipAnswer, then)}})
	return &chat.Keyboard{Inline: rows}
}

func profileData(step, code, then string) string {
	data := callbackData(cbGuide, step+":"+code+":"+then)
	if len(data) > maxCallbackData {
		// Coming back to a topic is a convenience; the answer is not.
		data = callbackData(cbGuide, step+":"+code+":")
	}
	return data
}

// profileAnswer records an answer to a profile question ("w" work country,
// "z" citizenship) and moves on: after the work country comes citizenship,
// after citizenship what the worker was reading. Skip keeps what was known.
// guideButton has checked code and then.
func (b *Bot) profileAnswer(t *turn, step, code, then string) {
	t.state.Guide.ProfileAsked = true
	switch step {
	case "w":
		if code != skipAnswer {
			if code != t.state.Profile.WorkCountry {
				// A city belongs to the country it was given for.
				t.state.Profile.WorkCity = ""
			}
			t.state.Profile.WorkCountry = code
		}
		b.askCitizenship(t, then)
	case "z":
		if code != skipAnswer {
			t.state.Profile.Citizenship = code
		}
		saved := t.t("profile_saved", map[string]any{
			"Work":        escape(t.profileCountry(t.state.Profile.WorkCountry)),
			"Citizenship": escape(t.profileCountry(t.state.Profile.Citizenship)),
		})
		if then == "" {
			b.showTopics(t, saved)
			return
		}
		b.showTopic(t, then, lastPage, saved)
	}
}

func (b *Bot) knownCountry(t *turn, code string) bool {
	if !slices.Contains(profileCountries, code) {
		return false
	}
	_, ok := t.lib.Directory.Country(code)
	return ok
}

// profileCountry is a profile answer as the worker reads it: the
// country's name, or "not given". It is plain text: escape it for HTML.
func (t *turn) profileCountry(code string) string {
	if code == "" {
		return t.t("profile_not_given", nil)
	}
	return t.countryName(code)
}
