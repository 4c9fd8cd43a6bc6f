package intake

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// mainLocaleIDs are owned by the main locale files, not the staging ones.
var mainLocaleIDs = []string{
	"question_passed", "text_too_long", "btn_back", "btn_next", "btn_yes", "btn_no", "btn_cancel",
	"btn_continue", "btn_start_over", "btn_discard", "btn_done", "btn_skip", "btn_confirm",
	"btn_share_location", "btn_share_contact", "btn_clear_chat", "error_apology",
}

var languages = []string{"az", "ru", "ka", "ro", "kk", "en"}

// use is one place a message id is rendered, with the data it receives.
type use struct {
	id   string
	data map[string]any
}

// explore walks the conversation breadth-first from an idle user, trying
// every button and a spread of typed and other inputs, and returns every
// message rendered on the way.
func explore(t *testing.T) []use {
	envs := []Env{testEnv(), testEnv()}
	envs[1].Profile = Profile{City: "Baku", CountryOfWork: "AZ", Citizenship: "MD", Lat: 40.41, Lon: 49.87}
	inputs := []Input{
		cmd(CommandStart), cmd(CommandBack), cmd(CommandCancel), text("qqq"), text("A"), text("Baku"), text("1"),
		text("+994 50 123 45 67"), text(strings.Repeat("x", 3001)), text("Zzz"), photo("1"), sticker(), loc(41.7, 44.8), loc(0, 0),
		{Kind: InputContact, Contact: &Contact{Phone: "+994501234567"}}, press("1:x:y"), text("050 123 45 67"),
		{Kind: InputFile, File: &File{ID: "v", UniqueID: "uv", Kind: FileVoice, Size: 10}},
	}
	var uses []use
	record := func(id string, data map[string]any) {
		uses = append(uses, use{id, data})
		for _, v := range data {
			for _, ref := range refsIn(v) {
				uses = append(uses, use{ref.ID, ref.Data})
			}
		}
	}
	for _, env := range envs {
		seen := map[string]bool{}
		queue := []State{{}}
		for len(queue) > 0 && len(seen) < 4000 {
			s := queue[0]
			queue = queue[1:]
			var out []Effect
			tries := slices.Clone(inputs)
			if s.Question != "" {
				// Re-create the last Ask to press its buttons.
				st := &stepper{s: s.clone(), env: env.withDefaults(), now: t0}
				for _, row := range st.askFor(s.Question).Buttons {
					for _, b := range row {
						tries = append(tries, press(b.Payload))
					}
				}
			}
			for _, in := range tries {
				ns, out2 := Step(s, in, env, t0)
				out = append(out, out2...)
				if k := shape(ns); !seen[k] {
					seen[k] = true
					queue = append(queue, ns)
				}
			}
			for _, e := range out {
				switch e := e.(type) {
				case Ask:
					record(e.Message, e.Data)
					for _, row := range e.Buttons {
						for _, b := range row {
							record(b.Label, b.LabelData)
						}
					}
					if e.Reply != nil {
						for _, b := range e.Reply.Buttons {
							record(b.Label, nil)
						}
					}
				case Say:
					record(e.Message, e.Data)
				}
			}
		}
	}
	// The file limit needs more inputs in a row than the walk tries.
	r := reach(t, QDescription)
	for i := range MaxEvidence + 1 {
		r.do(photo(fmt.Sprint(i)))
	}
	for _, e := range r.out {
		if say, ok := e.(Say); ok {
			record(say.Message, say.Data)
		}
	}
	return uses
}

// shape is what distinguishes states for exploration; answers' exact
// values do not change which messages can appear.
func shape(s State) string {
	k := fmt.Sprint(s.Question, s.Editing, s.ResumeAt, len(s.Candidates) > 1)
	if d := s.Draft; d != nil {
		k += fmt.Sprint(d.Identity, d.Name != "", d.Consent, d.complete(), d.Description != "", d.ContactMethod, len(d.Categories) > 0)
	}
	return k
}

func refsIn(v any) []Ref {
	switch v := v.(type) {
	case Ref:
		return []Ref{v}
	case []Ref:
		return v
	case Choices:
		return v
	}
	return nil
}

type localeFile struct {
	fields map[string]map[string]bool // id → placeholders
}

var (
	tableRe       = regexp.MustCompile(`^\[([a-z0-9_]+)\]\s*$`)
	placeholderRe = regexp.MustCompile(`\{\{-?\s*\.([A-Za-z]+)`)
)

// readLocale reads what this test needs from a go-i18n TOML file: message
// ids and the placeholders each message uses. The lead's locale checker
// validates the rest (TOML syntax, Telegram HTML) when the files move in.
func readLocale(t *testing.T, lang string) localeFile {
	buf, err := os.ReadFile("../../locales/active." + lang + ".toml")
	if err != nil {
		t.Fatal(err)
	}
	f := localeFile{fields: map[string]map[string]bool{}}
	id := ""
	for _, line := range strings.Split(string(buf), "\n") {
		if m := tableRe.FindStringSubmatch(line); m != nil {
			id = m[1]
			if f.fields[id] != nil {
				t.Errorf("%s: %s defined twice", lang, id)
			}
			f.fields[id] = map[string]bool{}
			continue
		}
		if id == "" || strings.HasPrefix(strings.TrimSpace(line), "description") {
			continue
		}
		for _, m := range placeholderRe.FindAllStringSubmatch(line, -1) {
			f.fields[id][m[1]] = true
		}
	}
	return f
}

func TestLocaleFilesCoverEveryMessage(t *testing.T) {
	uses := explore(t)
	files := map[string]localeFile{}
	for _, lang := range languages {
		files[lang] = readLocale(t, lang)
	}
	en := files["en"]
	used := map[string]bool{}
	for _, u := range uses {
		used[u.id] = true
		if slices.Contains(mainLocaleIDs, u.id) {
			continue
		}
		fields, ok := en.fields[u.id]
		if !ok {
			t.Errorf("message %q is emitted but not in the locale files", u.id)
			continue
		}
		for f := range fields {
			if _, ok := u.data[f]; !ok {
				t.Errorf("message %q uses {{.%s}} but gets only %v", u.id, f, keys(u.data))
			}
		}
	}
	// Completeness across the six languages is locales.Check's job; here
	// only the engine's own messages must all be reachable.
	// Every staged message is reachable, except the ones the bot renders
	// for effects (listed in the report).
	botRendered := []string{"intake_left_kept", "intake_left_nothing_kept", "intake_draft_discarded", "intake_submitted", "intake_emergency_unknown_country"}
	botRendered = append(botRendered, glueMessages(t)...)
	for id := range en.fields {
		if strings.HasPrefix(id, "intake_") && !used[id] && !slices.Contains(botRendered, id) {
			t.Errorf("staged message %q is never emitted", id)
		}
	}
}

// glueMessages are the intake_ messages the bot's glue (package bot, one
// directory up) renders itself: for commands, emergencies and submission.
func glueMessages(t *testing.T) []string {
	files, err := filepath.Glob("../*.go")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		buf, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range glueIDRe.FindAllStringSubmatch(string(buf), -1) {
			ids = append(ids, m[1])
		}
	}
	return ids
}

var glueIDRe = regexp.MustCompile(`"(intake_[a-z0-9_]+)"`)

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// dialable is a run of digits, with the separators people type, long
// enough to be somebody's phone number.
var dialable = regexp.MustCompile(`\+?\d(?:[\s().-]?\d){6,}`)

// An example number in a message could ring a real person, who would then
// get calls from frightened strangers: examples show the shape only.
func TestLocaleExamplesCannotBeDialled(t *testing.T) {
	for _, lang := range languages {
		buf, err := os.ReadFile("../../locales/active." + lang + ".toml")
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(buf), "\n") {
			if m := dialable.FindString(line); m != "" {
				t.Errorf("active.%s.toml:%d: dialable number %q", lang, i+1, m)
			}
		}
	}
}
