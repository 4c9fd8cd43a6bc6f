package main

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/content"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// demoProcess is `rightsdesk demo` run in-process, as a person starts it.
type demoProcess struct {
	base string
	logs *syncBuffer
}

// startDemo runs the demo command with args on a free port and returns
// once it printed its URL; the test's end stops it.
func startDemo(t *testing.T, args ...string) *demoProcess {
	t.Helper()
	out, logs := &syncBuffer{}, &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runDemo(ctx, append([]string{"-addr", "127.0.0.1:0", "-log-level", "warn"}, args...), out, logs)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("demo: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("the demo did not stop within 20 s")
		}
	})
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if u := url.FindString(out.String()); u != "" {
			return &demoProcess{base: u, logs: logs}
		}
		select {
		case err := <-done:
			t.Fatalf("the demo exited: %v\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo printed no URL within 10 s:\n%s\n%s", out.String(), logs.String())
		}
	}
}

func (d *demoProcess) get(t *testing.T, path string, into any) int {
	t.Helper()
	resp, err := http.Get(d.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if into != nil {
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	return resp.StatusCode
}

// uiState is the part of the page's state these tests read.
type uiState struct {
	Session string `json:"session"`
	Users   []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"users"`
	Groups []struct {
		ID      int64   `json:"id"`
		Title   string  `json:"title"`
		Members []int64 `json:"members"`
	} `json:"groups"`
	Chats []struct {
		Messages []struct {
			FromBot bool `json:"from_bot"`
			Nodes   []struct {
				Text     string `json:"text"`
				Children []struct {
					Text string `json:"text"`
				} `json:"children"`
			} `json:"nodes"`
		} `json:"messages"`
	} `json:"chats"`
}

// waitLinked waits for the sandbox group to hear from the bot that it is
// the organisation's desk now, and returns the state.
func (d *demoProcess) waitLinked(t *testing.T, linked string) uiState {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var st uiState
		d.get(t, "/ui/api/state?since=0", &st)
		if len(st.Groups) == 1 {
			var full uiState
			d.get(t, "/ui/api/state?since=0&chat="+itoa64(st.Groups[0].ID), &full)
			for _, m := range full.Chats[0].Messages {
				var text strings.Builder
				for _, n := range m.Nodes {
					text.WriteString(n.Text)
					for _, c := range n.Children {
						text.WriteString(c.Text)
					}
				}
				if m.FromBot && strings.Contains(text.String(), linked) {
					return full
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sandbox group was not linked: %+v\n%s", st, d.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func testCatalog(t *testing.T) *locales.Catalog {
	t.Helper()
	c, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Reset drops everything: the workers, the group's history and the
// database (a temporary one, removed), and links the organisation again
// to a new group on a new local Bot API.
func TestDemoReset(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	d := startDemo(t)
	linked := linkedText(t)
	before := d.waitLinked(t, linked)
	resp, err := http.Post(d.base+"/ui/api/users", "application/json", strings.NewReader(`{"name":"Nino","lang":"ka"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("new worker: %v %v", err, resp)
	}
	resp.Body.Close()
	tmp := demoTempDirs(t)
	if len(tmp) != 1 {
		t.Fatalf("the demo should run on one temporary database: %v", tmp)
	}
	if r, _ := http.Get(d.base + "/demo/reset"); r.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET /demo/reset: %d", r.StatusCode)
	}
	resp, err = http.Post(d.base+"/demo/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("reset: %d %s\n%s", resp.StatusCode, body, d.logs.String())
	}
	after := d.waitLinked(t, linked)
	if after.Session == before.Session {
		t.Error("the page was not told it talks to a new local Telegram")
	}
	if len(after.Users) != 1 || after.Users[0].Name != sandboxCaseworker {
		t.Errorf("after a reset only the caseworker is left: %+v", after.Users)
	}
	if _, err := os.Stat(tmp[0]); !os.IsNotExist(err) {
		t.Errorf("the old temporary database is still there: %v", err)
	}
	if now := demoTempDirs(t); len(now) != 1 || now[0] == tmp[0] {
		t.Errorf("temporary databases after the reset: %v (before %v)", now, tmp)
	}
}

// linkedText is how the sandbox group hears it was linked, in English.
func linkedText(t *testing.T) string {
	t.Helper()
	return shownPart(testCatalog(t), "en", "desk_linked")
}

// shownPart is the beginning of message id as a person reads it: the first
// line up to the first placeholder, without markup.
func shownPart(c *locales.Catalog, lang, id string) string {
	const cut = "\x00"
	data := map[string]any{"RetentionMonths": 12}
	for _, k := range []string{"City", "Country", "CaseID", "Max", "Chars", "Files", "Text", "ID", "Name", "To", "Language"} {
		data[k] = cut
	}
	text, _, _ := strings.Cut(c.T(lang, id, data), cut)
	return shownText(firstLine(text))
}

// shownText is Telegram HTML as it reads on the screen.
func shownText(s string) string {
	s = regexp.MustCompile(`<[^>]*>?`).ReplaceAllString(s, "")
	return strings.TrimSpace(html.UnescapeString(s))
}

// demoTempDirs are the demo's temporary directories; tests run the demo
// with TMPDIR pointing into their own.
func demoTempDirs(t *testing.T) []string {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "rightsdesk-demo-*"))
	return dirs
}

// The editors' preview renders a topic through the bot's own paging, says
// what the content check finds in its file, and follows edits on disk.
func TestDemoPreviewFollowsEdits(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(dir, content.FS); err != nil {
		t.Fatal(err)
	}
	d := startDemo(t, "-content-dir", dir)
	type answer struct {
		Topic    string   `json:"topic"`
		Lang     string   `json:"lang"`
		File     string   `json:"file"`
		Status   string   `json:"status"`
		Findings []string `json:"findings"`
		Stamp    string   `json:"stamp"`
		Watching string   `json:"watching"`
		Messages []struct {
			Text   string `json:"text"`
			Error  string `json:"error"`
			Inline [][]struct {
				Text string `json:"text"`
			} `json:"inline"`
		} `json:"messages"`
	}
	var a answer
	if code := d.get(t, "/demo/preview?lang=ka&topic=wages&work=RU", &a); code != 200 {
		t.Fatalf("preview: %d", code)
	}
	file := filepath.Join(dir, "guide", "ka", "wages.md")
	if a.Topic != "wages" || a.Lang != "ka" || a.File != file || len(a.Findings) != 0 || a.Watching != dir {
		t.Fatalf("preview of a clean topic: %+v", a)
	}
	if len(a.Messages) == 0 || a.Messages[0].Error != "" || len(a.Messages[0].Inline) == 0 {
		t.Fatalf("messages: %+v", a.Messages)
	}
	// An editor breaks a citation and changes the title: both show.
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := regexp.MustCompile(`(?m)^title = ".*"$`).ReplaceAllString(string(src), `title = "ხელფასი — ახალი სათაური"`)
	edited = strings.Replace(edited, "## ", "## C999, Art. 99 ", 1) + "\nILO C999, Art. 99 says so.\n"
	if edited == string(src) {
		t.Fatal("the edit changed nothing")
	}
	time.Sleep(10 * time.Millisecond) // a new modification time
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	var b answer
	d.get(t, "/demo/preview?lang=ka&topic=wages&work=RU", &b)
	if b.Stamp == a.Stamp || !strings.Contains(b.Messages[0].Text, "ხელფასი — ახალი სათაური") {
		t.Fatalf("the preview did not follow the edit: stamp %q → %q, first message %q", a.Stamp, b.Stamp, b.Messages[0].Text)
	}
	if len(b.Findings) == 0 || !strings.HasPrefix(b.Findings[0], file+":") {
		t.Fatalf("no finding for the broken file: %q", b.Findings)
	}
	// A language without the topic shows the English original, and says so.
	missing := filepath.Join(dir, "guide", "ro", "wages.md")
	if err := os.Remove(missing); err != nil {
		t.Fatal(err)
	}
	var c answer
	d.get(t, "/demo/preview?lang=ro&topic=wages", &c)
	if c.Status != "missing" || c.File != filepath.Join(dir, "guide", "en", "wages.md") {
		t.Fatalf("an untranslated topic: %+v", c)
	}
	if _, err := fs.Stat(content.FS, "guide/ro/wages.md"); err != nil {
		t.Fatalf("the test assumed a Romanian translation: %v", err)
	}
}

// A demo database kept with -db outlives the local Bot API, whose update
// ids would start over: the next run's go on from the last the database
// stored or confirmed, which may be a quick turn's id above the offset.
func TestDemoUpdateIDsGoOnFromItsDatabase(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "kept.db")
	t.Setenv("RIGHTSDESK_KEY", "")
	if first, err := firstUpdateAfter(ctx, dbPath); err != nil || first != 0 {
		t.Fatalf("a fresh database: %d %v, want 0", first, err)
	}
	db, err := storeFlags{DBPath: dbPath}.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveUpdates(ctx, []store.InboxUpdate{{UpdateID: 500000007, ChatID: 1, Payload: []byte("{}")}}, 500000008); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.MarkHandled(500000009) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	first, err := firstUpdateAfter(ctx, dbPath)
	if err != nil || first != 500000010 {
		t.Fatalf("first update id %d %v, want 500000010", first, err)
	}
	api := localapi.New(localapi.Config{Token: demoToken, FirstUpdateID: first})
	if last := api.LastUpdateID(); last != 0 {
		t.Fatalf("a new server's last update %d, want 0", last)
	}
	api.NewUser("Worker", "en").SendText("hello")
	if last := api.LastUpdateID(); last != first {
		t.Fatalf("the first update's id %d, want %d", last, first)
	}
}
