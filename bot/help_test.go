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
// location keyboard and gives the menu back.
func TestHelpAnswersFitTelegram(t *testing.T) {
	lib := testDirectoryLibrary(t)
	type spot struct{ country, city string }
	spots := map[spot]bool{{"RU", "Vladivostok"}: true, {"GE", "Batumi"}: true, {"UA", "Kyiv"}: true}
	for _, s := range lib.Directory.Services() {
		if _, ok := lib.Gazetteer.Locate(s.Country, s.City); ok {
			spots[spot{s.Country, s.City}] = true
		}
	}
	for _, lang := range locales.Languages {
		for sp := range spots {
			for _, citizenship := range []string{"", "AZ", "MD", "GE", "KZ"} {
				tr := offlineTurn(t, lang)
				tr.state.Pending = pendingHelp
				tr.state.Profile.Citizenship = citizenship
				p := placeOf(t, lib, sp.country, sp.city)
				tr.bot.helpResult(tr, p, "", p.Lat, p.Lon)
				where := lang + " " + sp.city + " " + citizenship
				if tr.state.Pending != "" {
					t.Errorf("%s: still waiting for a place", where)
				}
				if len(tr.replies) < 2 || tr.replies[0].Keyboard == nil || !tr.replies[0].Keyboard.Remove {
					t.Fatalf("%s: the first answer must remove the location keyboard: %+v", where, tr.replies)
				}
				if last := tr.replies[len(tr.replies)-1]; last.Keyboard == nil || len(last.Keyboard.Inline) == 0 {
					t.Errorf("%s: the last answer must give the menu back", where)
				}
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
		}
	}
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
	fnpr, _ := tr.lib.Directory.ByID("fnpr")
	for _, want := range []string{"Moscow", "112", "103", fnpr.Names.In("en"), "mos.ru; TASS", "8-800-333-00-16",
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
	lib := testDirectoryLibrary(t)
	p := placeOf(t, lib, "RU", "Moscow")
	tr := offlineTurn(t, "ro")
	tr.state.Profile.Citizenship = "MD"
	tr.bot.helpResult(tr, p, "", p.Lat, p.Lon)
	out := texts(tr.replies)
	md, _ := lib.Directory.ByID("md-embassy-moscow")
	az, _ := lib.Directory.ByID("az-embassy-moscow")
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

func TestHelpTypedCities(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  []string // in the answer
		ask   bool     // several places: buttons
		retry bool     // nothing found: asked again
	}{
		{query: "Бaку", want: []string{"Baku", "112", "ahik.org"}}, // Latin a inside Cyrillic
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
