package locales

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestCheckRealDirectory(t *testing.T) {
	for _, p := range Check(".") {
		t.Error(p)
	}
}

func TestCheckCatchesBrokenCopy(t *testing.T) {
	dir := copyDir(t)
	removeMessage(t, dir, "ka", "menu_help")
	editFile(t, dir, "ro", func(s string) string { return strings.Replace(s, ": {{.Language}}.\"", ": .\"", 1) })

	problems := Check(dir)

	if len(problems) != 2 {
		t.Fatalf("want 2 problems, got %d: %v", len(problems), problems)
	}
	missing, placeholder := problems[0], problems[1]
	if missing.File != filepath.Join(dir, "active.ka.toml") || !strings.Contains(missing.Message, `"menu_help" is missing`) {
		t.Errorf("missing message not reported as expected: %v", missing)
	}
	if missing.Line != 0 || !strings.Contains(missing.Message, "active.en.toml:") {
		t.Errorf("missing message should point at the English definition: %v", missing)
	}
	if placeholder.File != filepath.Join(dir, "active.ro.toml") || !strings.Contains(placeholder.Message, "{{.Language}} is missing") {
		t.Errorf("missing placeholder not reported as expected: %v", placeholder)
	}
	if want := lineOf(t, dir, "ro", "[language_set]"); placeholder.Line != want {
		t.Errorf("placeholder problem at line %d, want %d (the [language_set] line)", placeholder.Line, want)
	}
}

func TestCheckCatchesDefects(t *testing.T) {
	tests := []struct {
		name string
		lang string // the one file that gets the defective version
		bad  string // body of the [check_probe] table in that file
		want string
	}{
		{"empty other", "kk", `other = ""`, "other is missing or empty"},
		{"typo in key", "ru", "othr = \"x\"\nother = \"x\"", `unknown key "othr"`},
		{"template does not parse", "az", `other = "x {{.Name"`, "does not parse"},
		{"an action other than a placeholder", "ru", `other = "{{if .Count}}x{{end}}"`, "only placeholders such as {{.Name}}"},
		{"extra placeholder", "ka", `other = "x {{.Name}}"`, "{{.Name}} is not in English"},
		{"stray ampersand", "ro", `other = "salt & pepper"`, "&amp;"},
		{"unsupported tag", "en", `other = "<h1>x</h1>"`, "<h1>"},
		{"unclosed tag", "ru", `other = "<b>x"`, "not closed"},
		{"form the language never uses", "kk", "few = \"x\"\nother = \"x\"", `never uses the "few" form`},
		{"not a table", "az", "", "must be a [check_probe] table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyDir(t)
			for _, lang := range Languages {
				body := "description = \"probe\"\nother = \"x\""
				if lang == tt.lang {
					body = tt.bad
				}
				if body == "" {
					prependFile(t, dir, lang, "check_probe = \"x\"\n")
					continue
				}
				appendFile(t, dir, lang, "\n[check_probe]\n"+body+"\n")
			}
			problems := Check(dir)
			for _, p := range problems {
				if strings.HasSuffix(p.File, "active."+tt.lang+".toml") && strings.Contains(p.Message, tt.want) {
					if p.Line == 0 {
						t.Errorf("problem has no line: %v", p)
					}
					return
				}
			}
			t.Errorf("no problem in %s mentioning %q; got %v", tt.lang, tt.want, problems)
		})
	}
}

func TestCheckPluralFormsPerLanguage(t *testing.T) {
	dir := copyDir(t)
	appendPluralProbe(t, dir)
	if problems := Check(dir); len(problems) != 0 {
		t.Fatalf("complete plural message reported: %v", problems)
	}
	editFile(t, dir, "ru", func(s string) string { return strings.Replace(s, "few = \"{{.Count}} дела\"\n", "", 1) })
	problems := Check(dir)
	if len(problems) != 1 || !strings.Contains(problems[0].Message, `needs the "few" form in ru`) {
		t.Fatalf("want the missing Russian few form, got %v", problems)
	}
}

// goi18n merge records in each translation the hash of the English text it
// was made from; a translation left behind by an English edit must show up.
func TestCheckStaleTranslation(t *testing.T) {
	dir := copyDir(t)
	current := "sha1-3a65723d0ec96637ccd49befeddfa4c343394e7c" // description + other of the probe below
	for _, lang := range Languages {
		body := "\n[check_probe]\ndescription = \"probe\"\nother = \"x\"\n"
		if lang != Default {
			body += "hash = \"" + current + "\"\n"
		}
		appendFile(t, dir, lang, body)
	}
	if problems := Check(dir); len(problems) != 0 {
		t.Fatalf("up-to-date hashes reported: %v", problems)
	}
	editFile(t, dir, "en", func(s string) string {
		return strings.Replace(s, "[check_probe]\ndescription = \"probe\"\nother = \"x\"", "[check_probe]\ndescription = \"probe\"\nother = \"y\"", 1)
	})
	problems := Check(dir)
	if len(problems) != len(Languages)-1 || !strings.Contains(problems[0].Message, "older English text") {
		t.Fatalf("want one stale translation per language, got %v", problems)
	}
}

func TestCheckStatus(t *testing.T) {
	dir := copyDir(t)
	editFile(t, dir, "status", func(s string) string {
		return strings.Replace(s, "[kk]\nreviewed_by = \"\"", "[kk]\nreviewed_by = \"A. Editor\"", 1)
	})
	problems := Check(dir)
	if len(problems) != 1 || !strings.Contains(problems[0].Message, "[kk] needs both") {
		t.Fatalf("want one status problem for kk, got %v", problems)
	}
}

func TestMatch(t *testing.T) {
	tests := map[string]string{
		"ru": "ru", "ru-RU": "ru", "RU": "ru", "ru_RU": "ru",
		"kk": "kk", "kk-KZ": "kk", "kz": "kk",
		"ka": "ka", "ka-GE": "ka",
		"ro": "ro", "ro-MD": "ro", "mo": "ro",
		"az": "az", "az-Latn": "az", "az-Latn-AZ": "az",
		"en": "en", "en-GB": "en",
		"rus": "ru", "kat": "ka", "rum": "ro",
		"": "en", "tr": "en", "uz": "en", "kab": "en", "de-DE": "en", "!!": "en",
	}
	for code, want := range tests {
		if got := Match(code); got != want {
			t.Errorf("Match(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestLanguageNamesInTheirOwnLanguage(t *testing.T) {
	c := mustLoad(t)
	want := map[string]string{"az": "Azərbaycanca", "ru": "Русский", "ka": "ქართული", "ro": "Română", "kk": "Қазақша", "en": "English"}
	for _, lang := range Languages {
		if got := c.T(lang, "language_name", nil); got != want[lang] {
			t.Errorf("%s: language_name = %q, want %q", lang, got, want[lang])
		}
	}
}

func TestEmbeddedMatchesDirectory(t *testing.T) {
	embedded := mustLoad(t)
	onDisk, err := LoadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(embedded.IDs()) == 0 {
		t.Fatal("no message ids loaded")
	}
	for _, lang := range Languages {
		for _, id := range onDisk.IDs() {
			if a, b := embedded.T(lang, id, nil), onDisk.T(lang, id, nil); a != b {
				t.Errorf("%s/%s differs: embedded %q, disk %q", lang, id, a, b)
			}
		}
	}
}

func TestTFallsBackToEnglish(t *testing.T) {
	dir := copyDir(t)
	removeMessage(t, dir, "ka", "language_set")
	c, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var misses []string
	c.OnMiss(func(lang, id string, err error) { misses = append(misses, lang+"/"+id) })

	data := map[string]any{"Language": "ქართული"}
	if got, want := c.T("ka", "language_set", data), c.T("en", "language_set", data); got != want || !strings.Contains(got, "ქართული") {
		t.Errorf("missing Georgian message: got %q, want the English %q", got, want)
	}
	if got := c.T("ka", "no_such_message", nil); got != "no_such_message" {
		t.Errorf("unknown id: got %q, want the id itself", got)
	}
	if got := c.T("ru", "language_set", nil); strings.Contains(got, "no value") || !strings.HasPrefix(got, "Язык") {
		t.Errorf("missing data: got %q, want the Russian text with an empty gap", got)
	}
	if got := c.T("xx", "language_name", nil); got != "English" {
		t.Errorf("unsupported language: got %q, want English", got)
	}
	if len(misses) != 3 {
		t.Errorf("want 3 misses reported, got %v", misses)
	}
	var none *Catalog
	if got := none.T("en", "language_name", nil); got != "language_name" {
		t.Errorf("nil catalog: got %q", got)
	}
}

func TestPlural(t *testing.T) {
	dir := copyDir(t)
	appendPluralProbe(t, dir)
	c, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang  string
		count int
		want  string
	}{
		{"en", 1, "1 case"}, {"en", 2, "2 cases"},
		{"ru", 1, "1 дело"}, {"ru", 3, "3 дела"}, {"ru", 5, "5 дел"}, {"ru", 21, "21 дело"},
		{"ro", 1, "1 caz"}, {"ro", 2, "2 cazuri"}, {"ro", 20, "20 de cazuri"},
	}
	for _, tt := range tests {
		if got := c.Plural(tt.lang, "check_cases", tt.count, nil); got != tt.want {
			t.Errorf("Plural(%s, %d) = %q, want %q", tt.lang, tt.count, got, tt.want)
		}
	}
}

func TestReviewed(t *testing.T) {
	c := mustLoad(t)
	for _, lang := range Languages {
		if c.Reviewed(lang) {
			t.Errorf("%s is marked reviewed; no native speaker has reviewed it yet", lang)
		}
	}
	dir := copyDir(t)
	editFile(t, dir, "status", func(s string) string {
		return strings.Replace(s, "[ro]\nreviewed_by = \"\"\nreviewed_on = \"\"", "[ro]\nreviewed_by = \"A. Editor\"\nreviewed_on = \"2025-01-31\"", 1)
	})
	c, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Reviewed("ro") || c.Reviewed("ru") {
		t.Errorf("after signing off ro: ro=%v ru=%v", c.Reviewed("ro"), c.Reviewed("ru"))
	}
}

func TestLoadDirRejectsMissingLanguage(t *testing.T) {
	dir := copyDir(t)
	if err := os.Remove(filepath.Join(dir, "active.kk.toml")); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDir(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("want a not-exist error, got %v", err)
	}
}

func BenchmarkT(b *testing.B) {
	c, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	data := map[string]any{"Language": "Қазақша"}
	for b.Loop() {
		c.T("kk", "language_set", data)
	}
}

func mustLoad(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// appendPluralProbe adds a plural message written correctly for every
// language's CLDR forms.
func appendPluralProbe(t *testing.T, dir string) {
	t.Helper()
	forms := map[string]string{
		"en": "one = \"{{.Count}} case\"\nother = \"{{.Count}} cases\"",
		"az": "one = \"{{.Count}} iş\"\nother = \"{{.Count}} iş\"",
		"ka": "one = \"{{.Count}} საქმე\"\nother = \"{{.Count}} საქმე\"",
		"kk": "one = \"{{.Count}} іс\"\nother = \"{{.Count}} іс\"",
		"ro": "one = \"{{.Count}} caz\"\nfew = \"{{.Count}} cazuri\"\nother = \"{{.Count}} de cazuri\"",
		"ru": "one = \"{{.Count}} дело\"\nfew = \"{{.Count}} дела\"\nmany = \"{{.Count}} дел\"\nother = \"{{.Count}} дела\"",
	}
	for _, lang := range Languages {
		appendFile(t, dir, lang, "\n[check_cases]\ndescription = \"probe\"\n"+forms[lang]+"\n")
	}
}

func copyDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	names, err := filepath.Glob("*.toml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no toml files to copy: %v", err)
	}
	for _, name := range names {
		buf, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func fileOf(dir, lang string) string {
	if lang == "status" {
		return filepath.Join(dir, statusFile)
	}
	return filepath.Join(dir, messageFile(lang))
}

func editFile(t *testing.T, dir, lang string, edit func(string) string) {
	t.Helper()
	path := fileOf(dir, lang)
	buf, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := edit(string(buf))
	if edited == string(buf) {
		t.Fatalf("edit changed nothing in %s", path)
	}
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, dir, lang, text string) {
	editFile(t, dir, lang, func(s string) string { return s + text })
}

func prependFile(t *testing.T, dir, lang, text string) {
	editFile(t, dir, lang, func(s string) string { return text + s })
}

// removeMessage deletes the [id] table up to the next table.
func removeMessage(t *testing.T, dir, lang, id string) {
	t.Helper()
	table := regexp.MustCompile(`(?s)\n\[` + regexp.QuoteMeta(id) + `\]\n.*?(\n\[|$)`)
	editFile(t, dir, lang, func(s string) string { return table.ReplaceAllString(s, "$1") })
}

func lineOf(t *testing.T, dir, lang, text string) int {
	t.Helper()
	buf, err := os.ReadFile(fileOf(dir, lang))
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(buf), "\n") {
		if strings.TrimSpace(line) == text {
			return i + 1
		}
	}
	t.Fatalf("%q not in %s", text, lang)
	return 0
}

// What a message renders to without data is kept, but never stands in for
// the same message asked with data: the second ask must still see it.
func TestPlainRenderingsDoNotShadowData(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	id := "language_set"
	for _, lang := range Languages {
		first, again := c.T(lang, "btn_done", nil), c.T(lang, "btn_done", nil)
		if first == "" || first != again {
			t.Fatalf("%s: btn_done %q then %q", lang, first, again)
		}
		_ = c.T(lang, id, nil)
		for _, name := range []string{"Zzyzx", "Qwerty"} {
			if got := c.T(lang, id, map[string]any{"Language": name}); !strings.Contains(got, name) {
				t.Fatalf("%s: %s with %s = %q", lang, id, name, got)
			}
		}
	}
}
