package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
	"github.com/rightsdesk/rightsdesk/store"
)

// fakeClock is the jobs' clock in these tests; the bot keeps real time.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// never is a schedule that does not fire during a test: the tests run the
// jobs with RunNow.
const never = "0 0 1 1 *"

// A complaint left unfinished for a day brings one reminder in the
// worker's language, whose button leads back to it; a month later the
// draft is gone, and /complaint starts afresh. `rightsdesk jobs` lists
// the runs.
func TestDraftReminderAndExpiryEndToEnd(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	h := startHarness(t, harnessOptions{jobs: jobsConfig{Drafts: never, RetentionDays: 365}, jobsNow: clock.Now})
	w := newIntakeUser(t, h, "ro")
	w.toCategories("")
	reminder := h.catalog.T("ro", "draft_reminder", map[string]any{"Days": bot.DraftKeptDays})

	clock.Set(time.Now().Add(23 * time.Hour))
	h.jobs.RunNow("drafts")
	clock.Set(time.Now().Add(25 * time.Hour))
	h.jobs.RunNow("drafts")
	h.jobs.RunNow("drafts")
	waitText(t, w.u, reminder)
	waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)
	if n := countTexts(w.u.Messages())[reminder]; n != 1 {
		t.Fatalf("%d reminders, want exactly one", n)
	}
	w.press("btn_continue")
	w.await("intake_q_resume")
	w.press("btn_continue")
	w.await("intake_q_categories")

	clock.Set(time.Now().Add(31 * 24 * time.Hour))
	h.jobs.RunNow("drafts")
	w.u.SendText("/complaint")
	w.await("intake_q_danger")
	waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)
	if n := countTexts(w.u.Messages())[reminder]; n != 1 {
		t.Fatalf("%d reminders after the expiry, want still one", n)
	}

	var out bytes.Buffer
	if err := run(context.Background(), []string{"jobs", "-db", h.dbPath, "-job", "drafts"}, &out, &out); err != nil {
		t.Fatalf("rightsdesk jobs: %v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "JOB") || !strings.Contains(lines[1], "drafts") ||
		!strings.HasSuffix(lines[1], "ok") || !strings.Contains(out.String(), "  1  ") {
		t.Fatalf("rightsdesk jobs printed:\n%s", out.String())
	}
	noErrorResponses(t, h.api)
}

// A backup taken with `rightsdesk backup` while the bot serves and a
// worker writes is a database the bot serves from: restored (file and
// key), the worker's language and case are there.
func TestBackupRestoreServes(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	w := newIntakeUser(t, h, "ka")
	w.toSector("")
	w.toReview("Backup Employer LLC", "Told before the backup.")
	caseID := w.submit()
	// A message added to the case: sealed text the restored bot must read.
	w.u.SendText("/mycases")
	w.awaitCaseListed(caseID)
	w.openCase(caseID)
	w.await("cases_case")
	w.press("cases_btn_message")
	w.await("cases_ask_message")
	w.u.SendText("Message kept in the backup")
	w.await("cases_message_added")

	// Another worker writes while the backup is taken.
	busy := newIntakeUser(t, h, "az")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				busy.u.SendText(fmt.Sprintf("writing during the backup %d", i))
			}
		}
	}()
	dir := filepath.Join(t.TempDir(), "backups")
	var out bytes.Buffer
	err := run(context.Background(), []string{"backup", "-db", h.dbPath, "-dir", dir}, &out, &out)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("rightsdesk backup: %v\n%s", err, out.String())
	}
	file := strings.TrimSpace(out.String())
	if files, _ := store.BackupFiles(h.dbPath, dir); len(files) != 1 || files[0] != file {
		t.Fatalf("backup printed %q, directory holds %v", file, files)
	}
	h.stop()

	// Restore as the README says: the file and the key, nothing else.
	restored := filepath.Join(t.TempDir(), "restored.db")
	copyFile(t, file, restored)
	copyFile(t, h.dbPath+".key", restored+".key")
	db := reopenAt(t, restored)
	if err := db.IntegrityCheck(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Close()

	h.dbPath = restored
	h.start(harnessOptions{dbPath: restored})
	before := len(w.u.Messages())
	w.u.SendText("/mycases")
	waitNewMessage(t, w.u, before, firstLine(h.catalog.T("ka", "cases_title", nil)))
	w.openCase(caseID)
	waitNewMessage(t, w.u, before, "Message kept in the backup")
	before = len(w.u.Messages())
	w.u.SendText("/menu")
	waitNewMessage(t, w.u, before, h.catalog.T("ka", "menu_title", nil)) // the language survived
	noErrorResponses(t, h.api)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func reopenAt(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := storeFlags{DBPath: path}.openExisting(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newsReader is a worker who read a guide page and answered the news
// question.
func newsReader(t *testing.T, h *harness, name string, yes bool) *localapi.User {
	t.Helper()
	u := pastStart(t, h, name)
	u.SendText("/guide")
	q := waitText(t, u, h.catalog.T("en", "profile_work_question", nil))
	if err := u.PressData(q.ID, "v1:g:w:ru:"); err != nil {
		t.Fatal(err)
	}
	q = waitText(t, u, h.catalog.T("en", "profile_citizenship_question", nil))
	if err := u.PressData(q.ID, "v1:g:z:az:"); err != nil {
		t.Fatal(err)
	}
	list := waitText(t, u, h.catalog.T("en", "guide_list_title", nil))
	first := h.catalog.T("en", "guide_btn_your_country", map[string]any{"Country": "Russia"})
	if !slices.Contains(buttonTexts(list), first) {
		t.Fatalf("no %q in %q", first, buttonTexts(list))
	}
	if err := u.Press(list.ID, first); err != nil {
		t.Fatal(err)
	}
	question := waitText(t, u, h.catalog.T("en", "news_question", nil))
	answer, reply := "btn_no", "news_no"
	if yes {
		answer, reply = "btn_yes", "news_yes"
	}
	if err := u.Press(question.ID, h.catalog.T("en", answer, nil)); err != nil {
		t.Fatal(err)
	}
	waitText(t, u, h.catalog.T("en", reply, nil))
	return u
}

// Workers who said yes after their first guide page get an announcement
// scheduled with `rightsdesk announce` while the bot runs; those who said
// no, or pressed its stop button, get none. Sent at the default pace: no
// second holds more than 25 of them.
func TestNewsAnnouncementAtDefaultPace(t *testing.T) {
	limits := telegram.DefaultLimits()
	h := startHarness(t, harnessOptions{limits: &limits, jobs: jobsConfig{Announce: never, AnnounceBatch: 40, RetentionDays: 365}})
	const readers = 60
	var yes []*localapi.User
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := newsReader(t, h, fmt.Sprintf("Reader%02d", i), true)
			mu.Lock()
			yes = append(yes, u)
			mu.Unlock()
		}()
	}
	no := newsReader(t, h, "Declines", false)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	md := filepath.Join(t.TempDir(), "news.md")
	os.WriteFile(md, []byte("**New hotline** for workers in Russia.\n\nCall it from *any* phone."), 0o600)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"announce", "-db", h.dbPath, "-lang", "en", "-country", "ru", md}, &out, &out); err != nil {
		t.Fatalf("rightsdesk announce: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), fmt.Sprintf("(%d today)", readers)) {
		t.Fatalf("announce printed %q", out.String())
	}
	announcement := "<b>New hotline</b> for workers in Russia.\n\nCall it from <i>any</i> phone."
	started := time.Now()
	h.jobs.RunNow("announce")
	for _, u := range yes {
		waitText(t, u, announcement)
	}
	took := time.Since(started)

	var sends []time.Time
	for _, r := range h.api.Requests() {
		if r.Method == "sendMessage" && r.Status == 200 && !r.At.Before(started) {
			sends = append(sends, r.At)
		}
	}
	if len(sends) != readers {
		t.Fatalf("%d sends after the announcement started, want %d", len(sends), readers)
	}
	worst := 0
	for i := range sends {
		j := i
		for j < len(sends) && sends[j].Sub(sends[i]) < time.Second {
			j++
		}
		worst = max(worst, j-i)
	}
	t.Logf("%d announcements in %v at the default pace; at most %d in any second", readers, took.Round(time.Millisecond), worst)
	if worst > int(limits.BulkPerSecond) {
		t.Errorf("%d announcements within one second, limit %v", worst, limits.BulkPerSecond)
	}
	if took < time.Duration(float64(time.Second)*(float64(readers)/limits.BulkPerSecond-1)) {
		t.Errorf("%d announcements took %v: faster than %v a second", readers, took, limits.BulkPerSecond)
	}
	if slices.ContainsFunc(no.Messages(), func(m localapi.Message) bool { return m.Text == announcement }) {
		t.Error("a worker who said no got the announcement")
	}

	// The stop button under it: the next announcement skips that worker.
	stopper := yes[0]
	msgs := stopper.Messages()
	last := msgs[len(msgs)-1]
	if err := stopper.Press(last.ID, h.catalog.T("en", "news_stop_button", nil)); err != nil {
		t.Fatal(err)
	}
	waitText(t, stopper, h.catalog.T("en", "news_stopped", nil))
	os.WriteFile(md, []byte("Second news."), 0o600)
	if err := run(context.Background(), []string{"announce", "-db", h.dbPath, "-lang", "en", md}, &out, &out); err != nil {
		t.Fatal(err)
	}
	h.jobs.RunNow("announce")
	for _, u := range yes[1:] {
		waitText(t, u, "Second news.")
	}
	waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)
	if slices.ContainsFunc(stopper.Messages(), func(m localapi.Message) bool { return m.Text == "Second news." }) {
		t.Error("a worker who pressed stop got the next announcement")
	}
	noErrorResponses(t, h.api)
}
