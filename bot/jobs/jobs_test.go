package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/intake"
	"github.com/rightsdesk/rightsdesk/bot/jobs"
	"github.com/rightsdesk/rightsdesk/content"
	"github.com/rightsdesk/rightsdesk/content/directory"
	"github.com/rightsdesk/rightsdesk/content/guide"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

func catalog(t *testing.T) *locales.Catalog {
	t.Helper()
	c, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	c.OnMiss(func(lang, id string, err error) { t.Errorf("locale message %s/%s missing", lang, id) })
	return c
}

// outbox takes everything waiting for a chat off the outbox, as a sender
// that always succeeds would.
func outbox(t *testing.T, db *store.DB, chatID int64) []chat.Reply {
	t.Helper()
	ctx := context.Background()
	var out []chat.Reply
	for {
		m, _, ok, err := db.NextOutbox(ctx, chatID)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		r, err := chat.DecodeReply(m.Payload)
		if err != nil {
			t.Fatal(err)
		}
		if m.Priority != int(chat.Bulk) {
			t.Errorf("job message at priority %d, want bulk", m.Priority)
		}
		if err := guide.ValidateHTML(r.Text); err != nil || guide.VisibleLength(r.Text) > guide.MessageLimit {
			t.Errorf("Telegram would refuse %q: %v", r.Text, err)
		}
		if err := db.MarkSent(ctx, m.ID, chatID, 0); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
}

// draftChat stores a chat with a consented draft last changed at updated,
// as the bot leaves it.
func draftChat(t *testing.T, db *store.DB, chatID int64, lang string, updated time.Time) []byte {
	t.Helper()
	st := bot.State{Version: 1, Intake: intake.State{Version: intake.CurrentVersion, Seq: 7, ResumeAt: intake.QSector,
		Draft: &intake.Draft{StartedAt: updated.Add(-time.Hour), UpdatedAt: updated, Consent: true, ConsentAt: updated,
			Identity: intake.IdentityAnonymous, Employer: "DRAFT-SECRET Ltd"}},
		Profile: bot.Profile{WorkCountry: "RU"}}
	state, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(context.Background(), func(tx *store.Tx) error {
		if err := tx.SaveChat(store.Chat{ID: chatID, Type: chat.ChatPrivate, Language: lang, State: state}); err != nil {
			return err
		}
		return tx.NoteDraft(chatID, st.Intake.Draft.StartedAt, updated, true)
	}); err != nil {
		t.Fatal(err)
	}
	return state
}

// A draft left alone for a day gets one reminder in its language with a
// Continue button, never a second; after thirty days it is deleted from
// the sealed state, except while an update of the chat is in hand.
func TestDraftsRemindOnceThenExpire(t *testing.T) {
	db := openStore(t)
	cat := catalog(t)
	ctx := context.Background()
	t0 := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	draftChat(t, db, 1, "az", t0)
	draftChat(t, db, 2, "", t0) // never chose a language: English
	draftChat(t, db, 3, "ru", t0.Add(20*time.Hour))
	var notified []int64
	d := jobs.Drafts{Store: db, Catalog: cat, Log: zerolog.Nop(), RemindAfter: jobs.DefaultRemindAfter, ExpireAfter: jobs.DefaultExpireAfter,
		Notify: func(ids ...int64) { notified = append(notified, ids...) }}

	if n, err := d.Run(ctx, t0.Add(23*time.Hour)); err != nil || n != 0 {
		t.Fatalf("a draft of 23 h: %d, %v", n, err)
	}
	if n, err := d.Run(ctx, t0.Add(25*time.Hour)); err != nil || n != 2 {
		t.Fatalf("reminded %d, %v; want 2", n, err)
	}
	if fmt.Sprint(notified) != "[1 2]" {
		t.Fatalf("notified %v", notified)
	}
	for chatID, lang := range map[int64]string{1: "az", 2: "en"} {
		got := outbox(t, db, chatID)
		want := cat.T(lang, "draft_reminder", map[string]any{"Days": bot.DraftKeptDays})
		if len(got) != 1 || got[0].Text != want || got[0].Keyboard == nil ||
			got[0].Keyboard.Inline[0][0].Text != cat.T(lang, "btn_continue", nil) || got[0].Keyboard.Inline[0][0].Data != "v1:menu:complaint" {
			t.Fatalf("chat %d reminder %+v", chatID, got)
		}
	}
	// Run again at once, and later when chat 3's day is up: never a
	// second reminder to chats 1 and 2.
	if n, _ := d.Run(ctx, t0.Add(25*time.Hour)); n != 0 {
		t.Fatalf("a repeated run reminded %d", n)
	}
	if n, _ := d.Run(ctx, t0.Add(45*time.Hour)); n != 1 {
		t.Fatalf("the run at 45 h reminded %d, want chat 3 only", n)
	}
	if len(outbox(t, db, 1)) != 0 || len(outbox(t, db, 2)) != 0 || len(outbox(t, db, 3)) != 1 {
		t.Fatal("a reminder was repeated, or chat 3 got none")
	}

	// Thirty days on: chat 1 has an update waiting, the others are deleted.
	if _, err := db.SaveUpdates(ctx, []store.InboxUpdate{{UpdateID: 9, ChatID: 1, Payload: []byte(`{}`)}}, 0); err != nil {
		t.Fatal(err)
	}
	expire := t0.Add(31 * 24 * time.Hour)
	if n, err := d.Run(ctx, expire); err != nil || n != 2 {
		t.Fatalf("deleted %d, %v; want 2", n, err)
	}
	for _, id := range []int64{2, 3} {
		c, err := db.Chat(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var st bot.State
		json.Unmarshal(c.State, &st)
		if st.Intake.Draft != nil || strings.Contains(string(c.State), "DRAFT-SECRET") || st.Profile.WorkCountry != "RU" || st.Intake.Seq != 7 {
			t.Fatalf("chat %d state after expiry: %s", id, c.State)
		}
		if _, err := db.Draft(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("chat %d index entry kept", id)
		}
	}
	if _, err := db.Draft(ctx, 1); err != nil {
		t.Fatal("the busy chat's draft was deleted")
	}
	db.Update(ctx, func(tx *store.Tx) error { return tx.MarkHandled(9) })
	if n, err := d.Run(ctx, expire.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("next run deleted %d, %v", n, err)
	}
	if n, err := d.Run(ctx, expire.Add(2*time.Hour)); err != nil || n != 0 {
		t.Fatalf("a run with nothing to do did %d, %v", n, err)
	}
}

// A draft already due for deletion when the job first sees it (long
// downtime) is deleted without a reminder first.
func TestDraftsNoReminderForExpiredDraft(t *testing.T) {
	db := openStore(t)
	t0 := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	draftChat(t, db, 5, "ro", t0)
	d := jobs.Drafts{Store: db, Catalog: catalog(t), Log: zerolog.Nop(), RemindAfter: jobs.DefaultRemindAfter, ExpireAfter: jobs.DefaultExpireAfter}
	if n, err := d.Run(context.Background(), t0.Add(40*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("%d, %v", n, err)
	}
	if got := outbox(t, db, 5); len(got) != 0 {
		t.Fatalf("reminded of a draft being deleted: %+v", got)
	}
}

func testDirectory(t *testing.T) *directory.Directory {
	t.Helper()
	service := func(id, country, checked string) string {
		return fmt.Sprintf(`id = %q
kind = "trade_union"
country = %q
city = "Baku"
[names]
original = "Name %s"
en = "Union <%s>"
[address]
source = "example"
checked = %q
[address.text]
original = "Street 1"
[[phones]]
number = "+994120000000"
source = "example"
checked = "2026-11-01"
`, id, country, id, id, checked)
	}
	fsys := fstest.MapFS{
		"directory/az/old.toml":    {Data: []byte(service("old", "AZ", "2025-06-30"))},
		"directory/ge/fresh.toml":  {Data: []byte(service("fresh", "GE", "2026-10-01"))},
		"directory/ge/nodate.toml": {Data: []byte(strings.Replace(service("nodate", "GE", ""), `checked = ""`, ``, 1))},
	}
	d, _ := directory.Load(fsys)
	if len(d.Services()) != 3 {
		t.Fatalf("test directory has %d services", len(d.Services()))
	}
	return d
}

// The audit lists, in English, the entries with a contact checked more
// than twelve months ago (or never), once per ISO week however often it
// runs; without an administrators' chat it does nothing.
func TestAuditOncePerWeek(t *testing.T) {
	db := openStore(t)
	cat := catalog(t)
	ctx := context.Background()
	dir := testDirectory(t)
	const admins = -100777
	a := jobs.Audit{Store: db, Catalog: cat, Directory: func() *directory.Directory { return dir }, Log: zerolog.Nop(),
		Months: jobs.DefaultAuditMonths}
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC) // a Monday
	if n, err := a.Run(ctx, now); err != nil || n != 0 {
		t.Fatalf("without an admin chat: %d, %v", n, err)
	}
	a.AdminChat = admins
	if n, err := a.Run(ctx, now); err != nil || n != 2 {
		t.Fatalf("audit listed %d, %v; want old and nodate", n, err)
	}
	got := outbox(t, db, admins)
	if len(got) != 1 {
		t.Fatalf("audit messages %+v", got)
	}
	text := got[0].Text
	for _, want := range []string{
		cat.T("en", "audit_header", map[string]any{"Count": 2, "Months": 12, "Before": "2025-12-07"}),
		"<code>old</code> (AZ) Union &lt;old&gt;: 1 of 2 contacts old, oldest checked 2025-06-30",
		"<code>nodate</code> (GE)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("audit lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "fresh") {
		t.Errorf("a fresh entry listed:\n%s", text)
	}
	if n, _ := a.Run(ctx, now.Add(48*time.Hour)); n != 0 || len(outbox(t, db, admins)) != 0 {
		t.Fatal("sent twice in one week")
	}
	if n, _ := a.Run(ctx, now.Add(7*24*time.Hour)); n != 2 || len(outbox(t, db, admins)) != 1 {
		t.Fatal("not sent the next week")
	}
}

func TestStaleEntriesOfTheRealDirectory(t *testing.T) {
	lib, err := bot.LoadLibrary(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	if got := jobs.StaleEntries(lib.Directory, time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)); len(got) != 0 {
		t.Errorf("contacts checked before 1990: %+v", got[0])
	}
	all := jobs.StaleEntries(lib.Directory, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	withContacts := 0
	for _, s := range lib.Directory.Services() {
		if s.Address != nil || len(s.Phones)+len(s.Emails)+len(s.Websites) > 0 {
			withContacts++
		}
	}
	if len(all) != withContacts || withContacts == 0 {
		t.Errorf("by 2100 %d of %d entries with contacts are stale", len(all), withContacts)
	}
}

func TestRetentionAndBackupsRun(t *testing.T) {
	db := openStore(t)
	ctx := context.Background()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return t0 }
	id := store.NewCaseID()
	if err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateCase(store.NewCase{ID: id, ChatID: 1, Details: store.CaseDetails{Employer: "x"}}); err != nil {
			return err
		}
		return tx.SetCaseStatus(id, store.CaseResolved)
	}); err != nil {
		t.Fatal(err)
	}
	db.SaveUpdates(ctx, []store.InboxUpdate{{UpdateID: 1, ChatID: 1, Payload: []byte("{}")}}, 0)
	db.Update(ctx, func(tx *store.Tx) error { return tx.MarkHandled(1) })
	r := jobs.Retention{Store: db, Log: zerolog.Nop(), CaseRetention: jobs.DefaultCaseRetention, PurgeAfter: jobs.DefaultPurgeAfter, RunsKept: jobs.DefaultRunsKept}
	if n, err := r.Run(ctx, t0.Add(364*24*time.Hour)); err != nil || n != 1 { // the update id only
		t.Fatalf("before a year: %d, %v", n, err)
	}
	if n, err := r.Run(ctx, t0.Add(366*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("after a year: %d, %v", n, err)
	}
	if c, _ := db.CaseByID(ctx, id); c.Details != nil || c.Status != store.CaseResolved {
		t.Fatalf("case after retention %+v", c)
	}
	if n, _ := r.Run(ctx, t0.Add(367*24*time.Hour)); n != 0 {
		t.Fatalf("a second run erased %d", n)
	}

	dir := filepath.Join(t.TempDir(), "b")
	b := jobs.Backups{Store: db, Dir: dir, Keep: 2, Log: zerolog.Nop()}
	for i := range 3 {
		if n, err := b.Run(ctx, t0.Add(time.Duration(i)*24*time.Hour)); err != nil || n != 1 {
			t.Fatalf("backup %d: %d, %v", i, n, err)
		}
	}
	if files, _ := os.ReadDir(dir); len(files) != 2 {
		t.Fatalf("%d backups kept, want 2", len(files))
	}
}

// drainer plays the sender for the announcement tests: it takes bulk rows
// off the outbox as they come and counts them per chat.
type drainer struct {
	t    *testing.T
	db   *store.DB
	mu   sync.Mutex
	got  map[int64][]chat.Reply
	stop chan struct{}
	done chan struct{}
}

func drain(t *testing.T, db *store.DB, chats []int64) *drainer {
	d := &drainer{t: t, db: db, got: map[int64][]chat.Reply{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(d.done)
		for {
			for _, c := range chats {
				for {
					m, _, ok, err := db.NextOutbox(context.Background(), c)
					if err != nil || !ok {
						break
					}
					r, _ := chat.DecodeReply(m.Payload)
					db.MarkSent(context.Background(), m.ID, c, 0)
					d.mu.Lock()
					d.got[c] = append(d.got[c], r)
					d.mu.Unlock()
				}
			}
			select {
			case <-d.stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return d
}

func (d *drainer) finish() map[int64][]chat.Reply {
	close(d.stop)
	<-d.done
	return d.got
}

// An announcement reaches each opted-in subscriber of its language and
// country once, pages in order with the stop button under the last; a run
// stopped half-way resumes where it stopped, sending nobody a second copy.
func TestAnnouncementsResumeWithoutRepeats(t *testing.T) {
	db := openStore(t)
	cat := catalog(t)
	ctx := context.Background()
	var all []int64
	want := map[int64]bool{}
	if err := db.Update(ctx, func(tx *store.Tx) error {
		for i := range int64(60) {
			id := 1000 + i
			all = append(all, id)
			s := store.Subscription{ChatID: id, OptedIn: true, Language: "ru", Country: "RU"}
			switch i % 4 {
			case 1:
				s.OptedIn = false
			case 2:
				s.Country = "TR"
			default:
				want[id] = true
			}
			if err := tx.SetSubscription(s); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	pages := []string{"<b>Новость</b>, часть 1", "часть 2"}
	if _, err := db.CreateAnnouncement(ctx, store.Announcement{Language: "ru", Country: "RU", Pages: pages, SendAt: now}); err != nil {
		t.Fatal(err)
	}
	d := drain(t, db, all)
	stopped, stop := context.WithCancel(ctx)
	batches := 0
	a := jobs.Announcements{Store: db, Catalog: cat, Log: zerolog.Nop(), Batch: 8, Poll: time.Millisecond,
		Notify: func(...int64) {
			if batches++; batches == 2 {
				stop() // the process stops after the second batch
			}
		}}
	first, err := a.Run(stopped, now)
	if !errors.Is(err, context.Canceled) || first != 16 {
		t.Fatalf("stopped run: %d, %v", first, err)
	}
	if n, _ := a.Run(ctx, now.Add(-time.Minute)); n != 0 {
		t.Fatal("sent before its time")
	}
	rest, err := a.Run(ctx, now.Add(time.Minute))
	if err != nil || first+rest != len(want) {
		t.Fatalf("resumed run: %d + %d, %v; want %d", first, rest, err, len(want))
	}
	if n, _ := a.Run(ctx, now.Add(2*time.Minute)); n != 0 {
		t.Fatal("a finished announcement was sent again")
	}
	deadline := time.Now().Add(5 * time.Second)
	for n, _ := db.OutboxLen(ctx); n > 0 && time.Now().Before(deadline); n, _ = db.OutboxLen(ctx) {
		time.Sleep(5 * time.Millisecond)
	}
	got := d.finish()
	for _, id := range all {
		r := got[id]
		if !want[id] {
			if len(r) != 0 {
				t.Errorf("chat %d not targeted got %d messages", id, len(r))
			}
			continue
		}
		if len(r) != 2 || r[0].Text != pages[0] || r[1].Text != pages[1] || r[0].Keyboard != nil ||
			r[1].Keyboard.Inline[0][0].Data != "v1:n:s" || r[1].Keyboard.Inline[0][0].Text != cat.T("ru", "news_stop_button", nil) {
			t.Errorf("chat %d got %+v", id, r)
		}
	}
}
