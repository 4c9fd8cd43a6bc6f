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
