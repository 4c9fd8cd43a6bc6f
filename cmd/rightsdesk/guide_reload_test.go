package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// copyContent copies the repository's content (and, with locales, the
// locale files beside it) to a temporary directory an edit cannot harm.
func copyContent(t *testing.T, locales bool) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "content")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "content"))); err != nil {
		t.Fatal(err)
	}
	if locales {
		if err := os.CopyFS(filepath.Join(root, "locales"), os.DirFS(filepath.Join("..", "..", "locales"))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitLog waits until the logs hold want n times.
func (h *harness) waitLog(want string, n int) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(h.logs.String(), want) < n {
		if time.Now().After(deadline) {
			h.t.Fatalf("logs never said %q %d time(s):\n%s", want, n, h.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// SIGHUP puts edited content in service, search included; content with a
// problem is refused with file:line in the log, and the content in service
// stays.
func TestGuideReloadOnHangup(t *testing.T) {
	dir := copyContent(t, false)
	h := startHarness(t, harnessOptions{contentDir: dir})
	u := h.api.NewUser("Editor", "en")
	r := &guideReader{t: t, h: h, u: u, lang: "en"}
	q := r.send("/guide", firstLine(r.tr("profile_work_question", nil)))
	q = r.press(q, r.tr("btn_skip", nil))
	list := r.press(q, r.tr("btn_skip", nil))
	if labelFor(buttonTexts(list), "Your wages") == "" {
		t.Fatalf("no wages topic before the edit: %q", buttonTexts(list))
	}

	wages := filepath.Join(dir, "guide", "en", "wages.md")
	editFile(t, wages, `title = "Your wages"`, `title = "Your wages and zanzibarite pay"`)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	h.waitLog("content reloaded", 1)
	list = r.send("/guide", firstLine(r.tr("guide_list_title", nil)))
	if labelFor(buttonTexts(list), "Your wages and zanzibarite pay") == "" {
		t.Fatalf("the new title is not served: %q", buttonTexts(list))
	}
	found := r.send("zanzibarite", r.tr("guide_search_results", nil))
	if got := buttonTexts(found); len(got) == 0 || labelFor(got[:1], "Your wages and zanzibarite pay") == "" {
		t.Fatalf("search does not know the new title: %q", got)
	}

	editFile(t, wages, "+++\n\n", "\n\n") // the front matter is no longer closed
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	h.waitLog("content reload refused", 1)
	if logs := h.logs.String(); !strings.Contains(logs, "guide/en/wages.md:1: front matter is not closed") {
		t.Fatalf("the refusal does not point at the file and line:\n%s", logs)
	}
	list = r.send("/guide", firstLine(r.tr("guide_list_title", nil)))
	if labelFor(buttonTexts(list), "Your wages and zanzibarite pay") == "" {
		t.Fatalf("the content in service was not kept: %q", buttonTexts(list))
	}
	page := r.press(list, labelFor(buttonTexts(list), "Your wages and zanzibarite pay"))
	if !strings.Contains(page.Text, "zanzibarite") {
		t.Fatalf("the topic in service is not readable: %q", page.Text)
	}
}

// "content check" passes on the repository's content and fails, naming the
// file and line, on a broken copy.
func TestContentCheckCommand(t *testing.T) {
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"content", "check", filepath.Join("..", "..", "content")}, &out, &errOut); err != nil {
		t.Fatalf("content check fails on the repository: %v\n%s%s", err, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "0 problem(s)") {
		t.Fatalf("unexpected report:\n%s", out.String())
	}

	dir := copyContent(t, true)
	editFile(t, filepath.Join(dir, "guide", "en", "wages.md"), "order = ", "order = -")
	editFile(t, filepath.Join(dir, "..", "locales", "active.ru.toml"), "Язык выбран: {{.Language}}", "Язык выбран: {{.Langauge}}")
	out.Reset()
	err := run(ctx, []string{"content", "check", dir}, &out, &errOut)
	var exit exitCodeError
	if !errors.As(err, &exit) || exit.code != 1 {
		t.Fatalf("content check on a broken copy: %v, want exit code 1\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "\n0 problem(s)") {
		t.Errorf("a broken copy reported clean:\n%s", out.String())
	}
	for _, want := range []string{
		filepath.Join(dir, "guide", "en", "wages.md") + ":4: ",
		"active.ru.toml:",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// What "content check" refuses, a reload refuses too: a phone number the
// directory does not list, an article the reference does not document.
func TestGuideReloadRefusesWhatTheCheckRefuses(t *testing.T) {
	dir := copyContent(t, false)
	h := startHarness(t, harnessOptions{contentDir: dir})
	wages := filepath.Join(dir, "guide", "en", "wages.md")
	editFile(t, wages, `title = "Your wages"`, `title = "Your unchecked wages"`)
	data, err := os.ReadFile(wages)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wages, append(data, "\nCall +7 000 000-00-00 for help.\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	editFile(t, filepath.Join(dir, "guide", "en", "documents.md"), `"ICRMW art. 21"`, `"ICRMW art. 99"`)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	h.waitLog("content reload refused", 1)
	logs := h.logs.String()
	for _, want := range []string{
		`guide/en/wages.md:`, `phone number \"+7 000 000-00-00\" is not in the service directory`,
		`guide/en/documents.md:6: source \"ICRMW art. 99\": the reference notes do not document ICRMW 99`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("the refusal lacks %q:\n%s", want, logs)
		}
	}
	r := &guideReader{t: t, h: h, u: h.api.NewUser("Editor", "en"), lang: "en"}
	q := r.send("/guide", firstLine(r.tr("profile_work_question", nil)))
	q = r.press(q, r.tr("btn_skip", nil))
	if list := r.press(q, r.tr("btn_skip", nil)); labelFor(buttonTexts(list), "Your wages") == "" {
		t.Fatalf("the content in service was not kept: %q", buttonTexts(list))
	}
}

// labelFor finds the button naming a topic, as a phone shows it (names).
func labelFor(labels []string, title string) string {
	for _, l := range labels {
		if names(l, title) {
			return l
		}
	}
	return ""
}
