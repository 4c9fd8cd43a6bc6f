package glossary

import (
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func load(t *testing.T, files map[string]string) (Set, []Problem) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys["glossary/"+name] = &fstest.MapFile{Data: []byte(text)}
	}
	return Load(fsys, "glossary", []string{"ru", "kk", "en"})
}

const ru = `
[[term]]
concept = "remedies"
preferred = "средства правовой защиты"
forbidden = ["средств* защиты"]
note = "not protective equipment"

[[term]]
concept = "case"
preferred = "обращение"
forbidden = ["жалоб*"]
allowed = ["подачи жалоб"]
`

func TestPhrasesMatchWholeWordsAnyCaseAndEnding(t *testing.T) {
	set, problems := load(t, map[string]string{"ru.toml": ru})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	lines := TopicLines("guide/ru/x.md", strings.Join([]string{
		"+++",
		`title = "Жалобы"`,
		`sources = ["жалоба art. 1"]`,
		"# жалоба in a comment",
		"+++",
		"Доступ к Средствам  защиты (МОТ P29, ст. 4(1)).",
		"Доступ к средствам правовой защиты и средствам индивидуальной защиты.",
		"Механизмы подачи жалоб, но ваша жалоба — нет.",
		"Ожалобить — не слово, нажалобы тоже.",
	}, "\n"))
	got := set["ru"].CheckGuide(lines)
	var at []string
	for _, p := range got {
		at = append(at, strings.Join([]string{p.File, itoa(p.Line)}, ":"))
	}
	want := []string{"guide/ru/x.md:6", "guide/ru/x.md:2", "guide/ru/x.md:8"}
	if strings.Join(at, " ") != strings.Join(want, " ") {
		t.Fatalf("problems at %v, want %v: %v", at, want, got)
	}
	if !strings.Contains(got[0].Message, `"Средствам  защиты"`) || !strings.Contains(got[0].Message, "not protective equipment") {
		t.Errorf("message %q", got[0].Message)
	}
	if !strings.Contains(got[2].Message, `"жалоба"`) {
		t.Errorf("the allowed phrase hid the forbidden word after it: %q", got[2].Message)
	}
}

const kk = `
[[term]]
concept = "Cancel"
preferred = "Болдырмау"
forbidden = ["Бас тарту"]
messages = ["btn_cancel", "help_cancel"]
`

const kkLocale = `# comment with Бас тарту
[btn_cancel]
description = "Button: cancel. Not Бас тарту."
other = "Бас тарту"

[help_cancel]
description = "Cancel."
other = "✖️ Болдырмау"

[route_btn_decline]
description = "Decline."
other = """
Бас тарту — өзім"""
`

// A term limited to messages applies only there, and each of them must use
// the preferred term; descriptions and comments are for translators.
func TestMessageScopedTerm(t *testing.T) {
	set, problems := load(t, map[string]string{"kk.toml": kk})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	lines := LocaleLines("active.kk.toml", kkLocale)
	got := set["kk"].CheckLocale(lines)
	if len(got) != 2 || got[0].Line != 4 || got[1].Line != 4 ||
		!strings.Contains(got[0].Message, `"Бас тарту"`) || !strings.Contains(got[1].Message, `btn_cancel must say "Болдырмау"`) {
		t.Fatalf("got %v", got)
	}
	// The guide is not checked for interface-only terms.
	if got := set["kk"].CheckGuide(TopicLines("g.md", "Бас тарту")); len(got) != 0 {
		t.Fatalf("guide checked for a message term: %v", got)
	}
	// A term naming a message the file lacks is a glossary problem.
	got = set["kk"].CheckLocale(LocaleLines("active.kk.toml", "[btn_cancel]\nother = \"Болдырмау\"\n"))
	if len(got) != 1 || got[0].File != "glossary/kk.toml" || !strings.Contains(got[0].Message, "help_cancel") {
		t.Fatalf("missing message not reported: %v", got)
	}
}

func TestLocaleLinesFollowMultilineStrings(t *testing.T) {
	lines := LocaleLines("f", "[a]\ndescription = \"x\"\nother = \"\"\"\n[not a table]\ntext\"\"\"\n\n[b]\nother = \"y\"\n")
	var ids []string
	for _, l := range lines {
		ids = append(ids, l.Message+"@"+itoa(l.Line))
	}
	if got := strings.Join(ids, " "); got != "a@3 a@4 a@5 b@8" {
		t.Fatalf("lines %s", got)
	}
}

func TestBadGlossaries(t *testing.T) {
	_, problems := load(t, map[string]string{
		"en.toml": "[[term]]\nconcept = \"x\"\npreferred = \"key\"\nforbidden = [\"ke*y\", \"key*\"]\ncolour = 1\n",
		"xx.toml": "",
	})
	var msgs []string
	for _, p := range problems {
		msgs = append(msgs, p.File+":"+itoa(p.Line)+": "+p.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		`glossary/en.toml:1: forbidden "ke*y": "*" may only end a word`,
		`glossary/en.toml:1: forbidden "key*" matches the preferred term "key" itself`,
		`unknown key "term.colour"`,
		`glossary/xx.toml:0: unknown language "xx"`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
