package bot

import (
	"regexp"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/content/gazetteer"
	"github.com/rightsdesk/rightsdesk/locales"
)

// unresolved catches a message id that came back as itself: a string
// missing from the locales.
var unresolved = regexp.MustCompile(`\b(help|service|route)_[a-z0-9_]+\b`)

func texts(replies []chat.Reply) string {
	var b strings.Builder
	for _, r := range replies {
		b.WriteString(r.Text + "\n")
	}
	return b.String()
}

func placeOf(t *testing.T, lib *Library, country, city string) gazetteer.Place {
	t.Helper()
	p, ok := lib.Gazetteer.Locate(country, city)
	if !ok {
		t.Fatalf("no %s in %s", city, country)
	}
	return p
}

// Every answer, in every language and for every city with a service, fits
// Telegram's limit, shows no raw message id and no tel: link, removes the
// location keyboard, asks the problem, and gives the menu back.
func TestHelpAnswersFitTelegram(t *testing.T) {
	lib := testDirectoryLibrary(t)
	type spot struct{ country, city string }
	spots := map[spot]bool{{"RU", "Vladivostok"}: true, {"GE", "Batumi"}: true, {"UA", "Kyiv"}: true}
	for _, s := range lib.Directory.Services() {
		if _, ok := lib.Gazetteer.Locate(s.Country, s.City); ok {
			spots[spot{s.Country, s.City}] = true
		}
	}
	check := func(where string, tr *turn) {
		for i, r := range tr.replies {
			if n := telegramLength(r.Text); n > maxTyped {
				t.Errorf("%s: message %d is %d long", where, i, n)
			}
			if strings.Contains(r.Text, "tel:") {
				t.Errorf("%s: tel: link in %q", where, r.Text)
			}
			if m := unresolved.FindString(r.Text); m != "" {
				t.Errorf("%s: unresolved message %s", where, m)
			}
		}
	}
	for _, lang := range locales.Languages {
		for sp := range spots {
			p := placeOf(t, lib, sp.country, sp.city)
			tr := offlineTurn(t, lang)
			tr.state.Pending = pendingHelp
			tr.bot.helpPlace(tr, p)
			where := lang + " " + sp.city
			if len(tr.replies) < 2 || tr.replies[0].Keyboard == nil || !tr.replies[0].Keyboard.Remove {
				t.Fatalf("%s: the first answer must remove the location keyboard: %+v", where, tr.replies)
			}
			if ask := tr.replies[len(tr.replies)-1]; ask.Keyboard == nil || len(ask.Keyboard.Inline) < 5 {
				t.Errorf("%s: the problem is not asked: %+v", where, ask)
			}
			check(where, tr)
			for _, citizenship := range []string{"", "AZ", "MD", "GE", "KZ"} {
				for _, problem := range []string{helpAll, "wages", "forced_labour"} {
					tr := offlineTurn(t, lang)
					tr.state.Pending = pendingHelp
					tr.state.Profile.Citizenship = citizenship
					tr.bot.helpServices(tr, p, problem)
					where := where + " " + citizenship + " " + problem
					if tr.state.Pending != "" {
						t.Errorf("%s: still waiting for a place", where)
					}
					if last := tr.replies[len(tr.replies)-1]; last.Keyboard == nil || len(last.Keyboard.Inline) == 0 {
						t.Errorf("%s: the last answer must give the menu back", where)
					}
					check(where, tr)
				}
			}
		}
	}
}

// helpAnswer runs "help near me" for a place and a problem, as the buttons
// would, and returns every message.
func helpAnswer(t *testing.T, lang, citizenship, country, city, problem string) (*turn, string) {
	t.Helper()
	tr := offlineTurn(t, lang)
	tr.state.Profile.Citizenship = citizenship
	p := placeOf(t, tr.lib, country, city)
	tr.bot.helpPlace(tr, p)
	tr.bot.helpServices(tr, p, problem)
	return tr, texts(tr.replies)
}

func TestHelpInMoscow(t *testing.T) {
	tr := offlineTurn(t, "en")
	tr.state.Pending = pendingHelp
	tr.upd.Kind = chat.KindLocation
	tr.upd.Location = &chat.Location{Lat: 55.7601, Lon: 37.6186} // near the Bolshoi
	if !tr.bot.helpInput(tr) {
		t.Fatal("location not taken")
	}
	out := texts(tr.replies)
	for _, want := range []string{"Moscow", "112", "103", "mos.ru; TASS", tr.t("intake_cat_wages", nil)} {
		if !strings.Contains(out, want) {
			t.Errorf("first answer lacks %q:\n%s", want, out)
		}
	}
	if ask := tr.replies[len(tr.replies)-1]; ask.Keyboard == nil || ask.Keyboard.Inline[0][0].Text != "1. "+tr.t("problem_short_wages", nil) {
		t.Errorf("the problems are not offered as numbered buttons: %+v", ask.Keyboard)
	}
	tr, out = helpAnswer(t, "en", "", "RU", "Moscow", helpAll)
	fnpr, _ := tr.lib.Directory.ByID("fnpr")
	for _, want := range []string{fnpr.Names.In("en"), "8-800-333-00-16",
		tr.t("service_not_confirmed_since", map[string]any{"Year": "2011"}), tr.t("service_kind_trade_union", nil)} {
		if !strings.Contains(out, want) {
			t.Errorf("answer lacks %q:\n%s", want, out)
		}
	}
	// The answer ends with a way to clear the chat.
	last := tr.replies[len(tr.replies)-1]
	clear := tr.bot.clearChatButton(tr)
	found := false
	for _, row := range last.Keyboard.Inline {
		for _, b := range row {
			found = found || b == clear
		}
	}
	if !found {
		t.Errorf("the help answer offers no %q button", clear.Text)
	}
	// No citizenship known: no consulate of anybody's state.
	for _, id := range []string{"md-embassy-moscow", "az-embassy-moscow", "kz-embassy-moscow", "ge-interests-section-moscow"} {
		s, _ := tr.lib.Directory.ByID(id)
		if strings.Contains(out, s.Names.In("en")) {
			t.Errorf("%s shown to a worker whose citizenship is unknown", id)
		}
	}
}

func TestHelpShowsOnlyTheWorkersOwnConsulateWithANote(t *testing.T) {
	tr, out := helpAnswer(t, "ro", "MD", "RU", "Moscow", "documents")
	md, _ := tr.lib.Directory.ByID("md-embassy-moscow")
	az, _ := tr.lib.Directory.ByID("az-embassy-moscow")
	if !strings.Contains(out, md.Names.In("ro")) || !strings.Contains(out, "+79299649079") {
		t.Errorf("Moldovan embassy or its 24/7 line missing for a Moldovan:\n%s", out)
	}
	if !strings.Contains(out, tr.t("help_consulate_note", nil)) {
		t.Error("own-state note missing")
	}
	if strings.Contains(out, az.Names.In("ro")) {
		t.Error("another state's embassy shown")
	}
}

// Numbers carry where they can be dialled from: an Azerbaijani in Moscow
// is shown no Azerbaijani short code (the home hotlines have nothing that
// works from Russia), while a Moldovan there gets La Strada's number from
// abroad, and its free line only as "only inside Moldova".
func TestHelpNumbersWorkFromWhereTheWorkerIs(t *testing.T) {
	for _, lang := range locales.Languages {
		_, out := helpAnswer(t, lang, "AZ", "RU", "Moscow", helpAll)
		for _, code := range []string{"152", "860", "(012) 919", "562-21-12"} {
			if strings.Contains(out, code) {
				t.Errorf("%s: Azerbaijani number %s shown in Moscow:\n%s", lang, code, out)
			}
		}
		tr, out := helpAnswer(t, lang, "MD", "RU", "Moscow", "forced_labour")
		if !strings.Contains(out, "+37322233309") {
			t.Errorf("%s: La Strada's number from abroad missing:\n%s", lang, out)
		}
		only := tr.t("service_only_inside", map[string]any{"Country": tr.countryName("MD")})
		if line := firstLineWith(out, "0 800 77777"); line != "" && (!strings.Contains(line, "<code>0 800 77777</code>") || !strings.Contains(line, only)) {
			t.Errorf("%s: the Moldovan free line is shown as callable from Moscow: %q", lang, line)
		}
	}
	// Inside Azerbaijan the short code is a plain, tappable number.
	_, out := helpAnswer(t, "az", "AZ", "AZ", "Baku", "forced_labour")
	if line := firstLineWith(out, "152"); !strings.Contains(line, "📞 152 ") {
		t.Errorf("152 in Baku: %q", line)
	}
}

// What helps now comes first: services in the worker's city, then lines by
// phone; a domestic-violence line never outranks a union for wages.
func TestHelpRanksWhatHelpsNow(t *testing.T) {
	tr, out := helpAnswer(t, "en", "AZ", "AZ", "Baku", "wages")
	ahik, _ := tr.lib.Directory.ByID("ahik")
	dv, _ := tr.lib.Directory.ByID("az-860-support-line")
	if !strings.Contains(out, ahik.Names.In("en")) || strings.Contains(out, dv.Names.In("en")) {
		t.Errorf("wages in Baku: want the union and no domestic-violence line:\n%s", out)
	}
	_, out = helpAnswer(t, "en", "AZ", "AZ", "Baku", helpAll)
	i, j := strings.Index(out, ahik.Names.In("en")), strings.Index(out, dv.Names.In("en"))
	if i < 0 || j >= 0 && j < i {
		t.Errorf("everything in Baku: the union in the city must come before the phone lines (%d, %d):\n%s", i, j, out)
	}
	if e, s := strings.Index(out, "112"), strings.Index(out, ahik.Names.In("en")); e < 0 || e > s {
		t.Error("the emergency number must come first")
	}
	// In Moscow with a wage problem: the unions, not the IOM line.
	_, out = helpAnswer(t, "en", "", "RU", "Moscow", "wages")
	if !strings.Contains(out, "FNPR") || strings.Contains(out, "8-800-333-00-16") {
		t.Errorf("wages in Moscow:\n%s", out)
	}
}

func TestHelpTypedCities(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  []string // in the answer
		ask   bool     // several places: buttons
		retry bool     // nothing found: asked again
	}{
		{query: "Бaку", want: []string{"Baku", "112"}}, // Latin a inside Cyrillic
		{query: "Bakı", want: []string{"Baku", "112"}},
		{query: "Yekaterinbrug", want: []string{"Yekaterinburg", "112"}},
		{query: "Mosow", ask: true},
		{query: "Aktau", ask: true},
		{query: "qqqzzzxx", retry: true},
		{query: strings.Repeat("я", 4096), retry: true},
	} {
		tr := offlineTurn(t, "en")
		tr.state.Pending = pendingHelp
		tr.upd.Kind, tr.upd.Text = chat.KindText, tc.query
		tr.bot.helpInput(tr)
		out := texts(tr.replies)
		q := truncate(tc.query, 16)
		switch {
		case tc.ask:
			kb := tr.replies[len(tr.replies)-1].Keyboard
			if kb == nil || len(kb.Inline) < 2 {
				t.Fatalf("%s: want a choice of places, got %q", q, out)
			}
			for _, row := range kb.Inline {
				if len(row[0].Data) > 64 || !strings.HasPrefix(row[0].Data, "v1:h:p:") {
					t.Errorf("%s: bad button data %q", q, row[0].Data)
				}
			}
			if tr.state.Pending != pendingHelp {
				t.Errorf("%s: typing again must still work", q)
			}
			// Pressing one answers for that place.
			press := offlineTurn(t, "en")
			cb, _ := parseCallback(kb.Inline[0][0].Data)
			press.bot.helpButton(press, cb.Payload)
			if !strings.Contains(texts(press.replies), "112") {
				t.Errorf("%s: the chosen place got no answer: %q", q, texts(press.replies))
			}
		case tc.retry:
			if len(tr.replies) != 1 || tr.replies[0].Keyboard == nil || len(tr.replies[0].Keyboard.Reply) == 0 {
				t.Fatalf("%s: want a re-ask with the location keyboard, got %+v", q, tr.replies)
			}
			if !strings.Contains(out, firstWords(tr.t("help_not_found", map[string]any{"Query": ""}), 4)) || tr.state.Pending != pendingHelp {
				t.Errorf("%s: not a re-ask: %q", q, out)
			}
			if telegramLength(out) > maxTyped {
				t.Errorf("%s: re-ask is %d long", q, telegramLength(out))
			}
		default:
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s: answer lacks %q:\n%s", q, w, out)
				}
			}
		}
	}
}

func TestHelpCancelAndOtherInput(t *testing.T) {
	tr := offlineTurn(t, "kk")
	tr.state.Pending = pendingHelp
	tr.upd.Kind, tr.upd.Text = chat.KindText, tr.t("help_cancel", nil)
	tr.bot.helpInput(tr)
	if tr.state.Pending != "" || tr.replies[0].Keyboard == nil || !tr.replies[0].Keyboard.Remove {
		t.Errorf("cancel must clear the question and the keyboard: %+v", tr.replies)
	}
	tr = offlineTurn(t, "kk")
	tr.state.Pending = pendingHelp
	tr.upd.Kind = chat.KindSticker
	tr.bot.helpInput(tr)
	if tr.state.Pending != pendingHelp || !strings.Contains(texts(tr.replies), tr.t("help_need_place", nil)) {
		t.Errorf("a sticker must be answered with the question again: %q", texts(tr.replies))
	}
	// Far from any known town: asked to type the city.
	tr = offlineTurn(t, "kk")
	tr.state.Pending = pendingHelp
	tr.upd.Kind, tr.upd.Location = chat.KindLocation, &chat.Location{Lat: 48.85, Lon: 2.35} // Paris
	tr.bot.helpInput(tr)
	if !strings.Contains(texts(tr.replies), tr.t("help_location_unknown", nil)) || tr.state.Pending != pendingHelp {
		t.Errorf("unknown location: %q", texts(tr.replies))
	}
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

// Text that shows nothing (spaces, zero-width characters) is no city: the
// question comes again with its location button, not "I did not find «»".
func TestHelpBlankTextAsksAgain(t *testing.T) {
	for _, blank := range []string{"\u200b", " \u200b\u2060 ", "\ufeff", "\u3164", "\u2800\u00a0"} {
		tr := offlineTurn(t, "ru")
		tr.state.Pending = pendingHelp
		tr.upd.Kind, tr.upd.Text = chat.KindText, blank
		if !tr.bot.helpInput(tr) {
			t.Fatalf("%+q not taken", blank)
		}
		out := texts(tr.replies)
		if len(tr.replies) != 1 || out != tr.t("help_need_place", nil)+"\n" {
			t.Errorf("%+q answered %q", blank, out)
		}
		if kb := tr.replies[0].Keyboard; kb == nil || len(kb.Reply) == 0 || !kb.Reply[0][0].RequestLocation {
			t.Errorf("%+q: re-asked without the location button: %+v", blank, kb)
		}
		if tr.state.Pending != pendingHelp {
			t.Errorf("%+q ended the question", blank)
		}
	}
}

// firstLineWith is the first line of text containing s.
func firstLineWith(text, s string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, s) {
			return line
		}
	}
	return ""
}
