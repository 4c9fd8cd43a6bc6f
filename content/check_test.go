package content_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/content"
)

// TestCheckRealContent runs the release check on the repository's content.
// While translations are in progress it may fail for a while.
func TestCheckRealContent(t *testing.T) {
	var out bytes.Buffer
	ok := content.Check(".", &out)
	if !ok {
		t.Errorf("content check failed:\n%s", out.String())
	}
	for _, want := range []string{"topic", "az", "ru", "ka", "ro", "kk", "en", "en hash", "documents"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestCheckBrokenCopy breaks a copy of the real content and expects the
// check to point at the broken line.
func TestCheckBrokenCopy(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(dir, os.DirFS(".")); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "guide", "en", "documents.md")
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	broken := -1
	for i, line := range lines {
		if strings.HasPrefix(line, "sources = ") {
			lines[i] = `sources = ["C181 art. 99"]`
			broken = i + 1
		}
	}
	if broken < 0 {
		t.Fatal("no sources line in documents.md")
	}
	lines = append(lines, "", "Call +7 000 000-00-00 for help.")
	if err := os.WriteFile(name, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if content.Check(dir, &out) {
		t.Fatalf("check passed on broken content:\n%s", out.String())
	}
	file := filepath.Join(dir, "guide", "en", "documents.md")
	for _, want := range []string{
		file + ":" + itoa(broken) + `: source "C181 art. 99": the reference notes do not document C181 99`,
		file + ":" + itoa(len(lines)) + `: phone number "+7 000 000-00-00" is not in the service directory`,
		"mentions ICRMW but no source of ICRMW is listed",
		"note: locales not checked",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestCheckValidatesDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(dir, os.DirFS(".")); err != nil {
		t.Fatal(err)
	}
	country := filepath.Join(dir, "countries", "zz.toml")
	if err := os.WriteFile(country, []byte("this is = = not TOML\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if content.Check(dir, &out) {
		t.Fatal("check passed with a broken directory file")
	}
	if !strings.Contains(out.String(), filepath.Join(dir, "countries", "zz.toml")+":") {
		t.Errorf("the directory validator's problem is missing:\n%s", out.String())
	}
}

func TestEmbeddedContent(t *testing.T) {
	for _, name := range []string{"guide/en/documents.md", "reference/norms.md"} {
		if _, err := fs.Stat(content.FS, name); err != nil {
			t.Errorf("embedded FS lacks %s: %v", name, err)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// copyContent copies the repository's content (and, when withLocales, the
// locale files beside it) into a fresh directory and returns the copy of
// the content directory.
func copyContent(t *testing.T, withLocales bool) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "content")
	if err := os.CopyFS(dir, os.DirFS(".")); err != nil {
		t.Fatal(err)
	}
	if withLocales {
		if err := os.CopyFS(filepath.Join(root, "locales"), os.DirFS(filepath.Join("..", "locales"))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// editLine replaces the first line of file that starts with prefix and
// returns its number (from 1).
func editLine(t *testing.T, file, prefix, replacement string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, prefix) {
			lines[i] = replacement
			if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			return i + 1
		}
	}
	t.Fatalf("no line starting with %q in %s", prefix, file)
	return 0
}

func checkFails(t *testing.T, dir string, wants ...string) {
	t.Helper()
	var out bytes.Buffer
	if content.Check(dir, &out) {
		t.Fatalf("check passed on broken content:\n%s", out.String())
	}
	for _, want := range wants {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// A topic may cite only conventions the country pages can answer for:
// C105 is documented in the reference notes, but no country file tracks
// it, so no worker could learn whether it binds their country.
func TestCheckCitationWithoutCountryLine(t *testing.T) {
	dir := copyContent(t, false)
	file := filepath.Join(dir, "guide", "en", "documents.md")
	line := editLine(t, file, "sources = ", `sources = ["ICRMW art. 21", "C189 art. 9(c)", "Dhaka principle 4", "C105 art. 1"]`)
	checkFails(t, dir, file+":"+itoa(line)+`: source "C105 art. 1": the country pages have no applies/does-not-apply/unknown line for C105`)
}

// The glossary is enforced over the guide and the locale files, at the
// line of the violation: a forbidden variant anywhere, and a message a
// term is limited to that lacks the preferred term.
func TestCheckGlossary(t *testing.T) {
	dir := copyContent(t, true)
	topic := filepath.Join(dir, "guide", "ru", "forced-labour.md")
	topicLine := editLine(t, topic, "- Если она ратифицировала Протокол 2014 года",
		"- Если она ратифицировала Протокол 2014 года (P29), у всех пострадавших должен быть доступ к средствам защиты (МОТ P29, ст. 4(1)).")
	ro := filepath.Join(dir, "guide", "ro", "documents.md")
	roLine := editLine(t, ro, "Dacă țara în care lucrați a ratificat Convenția",
		"Dacă țara în care lucrați a ratificat convenția OIM privind lucrătorii casnici (C189), lucrătorii casnici își păstrează actele (Convenția C189, art. 9(c)).")
	locale := filepath.Join(dir, "..", "locales", "active.kk.toml")
	data, err := os.ReadFile(locale)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "[btn_cancel]\ndescription = \"Button: cancel the current action.\"\nother = \"Болдырмау\"", "[btn_cancel]\ndescription = \"Button: cancel the current action.\"\nother = \"Бас тарту\"", 1)
	if broken == string(data) {
		t.Fatal("btn_cancel not found in active.kk.toml")
	}
	if err := os.WriteFile(locale, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	cancelLine := 0
	for i, l := range strings.Split(broken, "\n") {
		if l == "[btn_cancel]" {
			cancelLine = i + 3 // header, description, other
		}
	}
	checkFails(t, dir,
		topic+":"+itoa(topicLine)+`: glossary (ru, remedies): "средствам защиты" (forbidden "средств* защиты"): write "средства правовой защиты"`,
		ro+":"+itoa(roLine)+`: glossary (ro, ILO): "OIM"`,
		locale+":"+itoa(cancelLine)+`: glossary (kk, Cancel): "Бас тарту"`,
		locale+":"+itoa(cancelLine)+`: glossary (kk): message btn_cancel must say "Болдырмау"`,
	)
}

// Sources shown to workers name public sources only: the team's research
// trail (the reference notes, the seed documents, mirror copies) stays in
// notes and comments.
func TestCheckResearchNoteShown(t *testing.T) {
	dir := copyContent(t, false)
	country := filepath.Join(dir, "countries", "md.toml")
	countryLine := editLine(t, country, `source = "ipn.md"`, `source = "ipn.md, as compiled in reference directory.md"`)
	topic := filepath.Join(dir, "guide", "en", "trade-unions.md")
	topicLine := editLine(t, topic, "Unions in home and host countries",
		"Unions in home and host countries work together (seed 001, Baku conference conclusions, 2011).")
	checkFails(t, dir,
		country+":"+itoa(countryLine)+`: this source shows workers a research note ("compiled")`,
		topic+":"+itoa(topicLine)+`: this topic shows workers a research note ("seed")`,
	)
	// Notes for editors may keep the trail.
	dir = copyContent(t, false)
	editLine(t, filepath.Join(dir, "countries", "md.toml"), `note = "Law 174/2014."`, `note = "Law 174/2014; seed 003 and reference directory.md agree."`)
	var out bytes.Buffer
	if !content.Check(dir, &out) {
		t.Errorf("a research note in an editor's note was refused:\n%s", out.String())
	}
}

// Issue 16: `content check` fails, each on its own broken copy, on an entry
// that would be offered without a contact, on a short code without its
// dialling area, and on a research note in a source workers read.
func TestCheckFailsOnUntrustworthyContacts(t *testing.T) {
	for _, tc := range []struct {
		name, file, old, new string
		at, want             string // the problem is on the line holding at
	}{
		{"offered without contact", "directory/ge/gtuc.toml",
			"[[websites]]\nurl = \"gtuc.ge\"\nsource = \"gtuc.ge\"\nchecked = \"2026-11-23\"\nverified = true\n", "",
			`id = "gtuc"`, "would be offered without a contact a worker can use"},
		{"short code without dialling area", "directory/az/az-mia-152.toml",
			"number = \"152\"\nformat = \"as_given\"\ndial_from = \"AZ\"\n", "number = \"152\"\nformat = \"as_given\"\n",
			`number = "152"`, `phone "152" is kept as printed but has no dialling area`},
		{"research note in a shown source", "directory/ru/iom-moscow-hotline.toml",
			`source = "IOM (text of about 2011)"`, `source = "IOM text, copy at deliciously.ru"`,
			`source = "IOM text`, `source "IOM text, copy at deliciously.ru" shows a research note`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "content")
			if err := os.CopyFS(dir, os.DirFS(".")); err != nil {
				t.Fatal(err)
			}
			name := filepath.Join(dir, filepath.FromSlash(tc.file))
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, []byte(tc.old)) {
				t.Fatalf("%s no longer contains %q", tc.file, tc.old)
			}
			data = bytes.Replace(data, []byte(tc.old), []byte(tc.new), 1)
			if err := os.WriteFile(name, data, 0o644); err != nil {
				t.Fatal(err)
			}
			line := 0
			for i, l := range strings.Split(string(data), "\n") {
				if strings.Contains(l, tc.at) {
					line = i + 1
					break
				}
			}
			var out bytes.Buffer
			if content.Check(dir, &out) {
				t.Fatalf("check passed on the broken copy:\n%s", out.String())
			}
			want := name + ":" + itoa(line) + ": " + tc.want
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		})
	}
}
