package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/intake"
	"github.com/rightsdesk/rightsdesk/content"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

var (
	ikLibOnce sync.Once
	ikLib     *Library
	ikLibErr  error
	ikCatalog *locales.Catalog
)

func ikContent(tb testing.TB) (*Library, *locales.Catalog) {
	tb.Helper()
	ikLibOnce.Do(func() {
		ikLib, ikLibErr = LoadLibrary(content.FS)
		if ikLibErr == nil {
			ikCatalog, ikLibErr = locales.Load()
		}
	})
	if ikLibErr != nil {
		tb.Fatal(ikLibErr)
	}
	return ikLib, ikCatalog
}

// ikSent is a reply as the chat saw it, with the message id it got.
type ikSent struct {
	ID    int
	Reply chat.Reply
}

// ikDesk drives the real Handle path — decode, dispatch, one commit — with
// chat.Update JSON standing in for Telegram's, and plays the sender: each
// outbox row is "sent" and given a message id.
type ikDesk struct {
	tb      testing.TB
	b       *Bot
	db      *store.DB
	cat     *locales.Catalog
	lang    string
	chatID  int64
	update  int64
	msgID   int
	now     time.Time
	sent    []ikSent
	lastOut []ikSent
	// measure, when set, wraps the handler and the sender (the benchmark);
	// handling is the time spent in Handle alone.
	measure  *walHook
	handling time.Duration
	// handlingCPU is the process CPU time spent in Handle (all threads,
	// SQLite's included).
	handlingCPU time.Duration
}

func newIKDesk(tb testing.TB, lang string) *ikDesk {
	tb.Helper()
	lib, cat := ikContent(tb)
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "intake.db"), bytes.Repeat([]byte{9}, store.KeySize))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	d := &ikDesk{tb: tb, db: db, cat: cat, lang: lang, chatID: 880001, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { return d.now }
	d.b = New(Config{Store: db, Catalog: cat, Library: lib, Now: func() time.Time { return d.now },
		Decode: func(raw []byte) (chat.Update, error) {
			var u chat.Update
			err := json.Unmarshal(raw, &u)
			return u, err
		}})
	// The worker chose the language already.
	err = db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.SaveChat(store.Chat{ID: d.chatID, Type: chat.ChatPrivate, Language: lang, State: []byte(`{"v":1}`)})
	})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func (d *ikDesk) tr(id string, data map[string]any) string { return d.cat.T(d.lang, id, data) }

// do handles one update and returns what was sent for it.
func (d *ikDesk) do(u chat.Update) []ikSent {
	d.tb.Helper()
	ctx := context.Background()
	d.update++
	d.now = d.now.Add(time.Minute)
	u.ChatID, u.ChatType, u.UserID, u.Date = d.chatID, chat.ChatPrivate, d.chatID, d.now
	if u.Kind != chat.KindCallback && u.Kind != chat.KindEdited {
		d.msgID++
		u.MessageID = d.msgID
	}
	raw, err := json.Marshal(u)
	if err != nil {
		d.tb.Fatal(err)
	}
	handle := func() {
		started, cpu := time.Now(), processCPU()
		defer func() {
			d.handling += time.Since(started)
			d.handlingCPU += processCPU() - cpu
		}()
		if err := d.b.Handle(ctx, store.InboxUpdate{UpdateID: d.update, ChatID: d.chatID, Payload: raw}); err != nil {
			d.tb.Fatalf("handle %+v: %v", u, err)
		}
	}
	var out []ikSent
	if d.measure == nil {
		handle()
		d.drain(&out)
	} else {
		f, c := d.measure.measure(handle)
		d.measure.handlerFrames += f
		d.measure.handlerCommits += c
		f, c = d.measure.measure(func() { d.drain(&out) })
		d.measure.senderFrames += f
		d.measure.senderCommits += c
	}
	d.sent = append(d.sent, out...)
	d.lastOut = out
	return out
}

// drain plays the sender: every outbox row is sent and settled.
func (d *ikDesk) drain(out *[]ikSent) {
	ctx := context.Background()
	for {
		msg, _, ok, err := d.db.NextOutbox(ctx, d.chatID)
		if err != nil {
			d.tb.Fatal(err)
		}
		if !ok {
			break
		}
		r, err := chat.DecodeReply(msg.Payload)
		if err != nil {
			d.tb.Fatal(err)
		}
		s := ikSent{Reply: r}
		switch r.Action {
		case chat.ActionSend:
			d.msgID++
			s.ID = d.msgID
		case chat.ActionEdit:
			s.ID = r.MessageID
		}
		if err := d.db.MarkSent(ctx, msg.ID, d.chatID, s.ID); err != nil {
			d.tb.Fatal(err)
		}
		*out = append(*out, s)
	}
}

func (d *ikDesk) text(s string) []ikSent { return d.do(chat.Update{Kind: chat.KindText, Text: s}) }
func (d *ikDesk) command(c string) []ikSent {
	return d.do(chat.Update{Kind: chat.KindCommand, Command: c, Text: "/" + c})
}
func (d *ikDesk) pressData(msgID int, data string) []ikSent {
	return d.do(chat.Update{Kind: chat.KindCallback, CallbackID: "cb", CallbackData: data, MessageID: msgID})
}
func (d *ikDesk) photo(n int) []ikSent {
	return d.do(chat.Update{Kind: chat.KindPhoto, File: &chat.File{ID: "AgACfile" + itoa(n), UniqueID: "uniq" + itoa(n), Kind: "photo", Size: 5000}})
}

// press finds the newest message with an intake button whose payload value
// is value and presses it.
func (d *ikDesk) press(value string) []ikSent {
	d.tb.Helper()
	msgID, data := d.find(func(b chat.Button) bool {
		return strings.HasPrefix(b.Data, "v1:i:") && strings.HasSuffix(b.Data, ":"+value)
	})
	if data == "" {
		d.tb.Fatalf("no intake button %q; state %+v; last: %q", value, d.state().Intake, ikTexts(d.lastOut))
	}
	return d.pressData(msgID, data)
}

// find returns the newest button that matches, with its message.
func (d *ikDesk) find(match func(chat.Button) bool) (int, string) {
	for i := len(d.sent) - 1; i >= 0; i-- {
		s := d.sent[i]
		if s.Reply.Keyboard == nil {
			continue
		}
		for _, row := range s.Reply.Keyboard.Inline {
			for _, b := range row {
				if match(b) {
					return s.ID, b.Data
				}
			}
		}
	}
	return 0, ""
}

func (d *ikDesk) state() State {
	d.tb.Helper()
	c, err := d.db.Chat(context.Background(), d.chatID)
	if err != nil {
		d.tb.Fatal(err)
	}
	var s State
	if err := json.Unmarshal(c.State, &s); err != nil {
		d.tb.Fatal(err)
	}
	return s
}

func (d *ikDesk) question() intake.QuestionID { return d.state().Intake.Question }

func ikTexts(out []ikSent) []string {
	var s []string
	for _, o := range out {
		if o.Reply.Text != "" {
			s = append(s, o.Reply.Text)
		}
	}
	return s
}

func ikJoined(out []ikSent) string { return strings.Join(ikTexts(out), "\n---\n") }

// ikScript answers each question the usual way; reach stops at a question.
var ikScript = []struct {
	q   intake.QuestionID
	act func(d *ikDesk)
}{
	{intake.QDanger, func(d *ikDesk) { d.press("no") }},
	{intake.QConsent, func(d *ikDesk) { d.press("yes") }},
	{intake.QIdentity, func(d *ikDesk) { d.press(intake.IdentityShared) }},
	{intake.QName, func(d *ikDesk) { d.text("Nino <B>") }},
	{intake.QCategories, func(d *ikDesk) { d.press("wages"); d.press("documents"); d.press("done") }},
	{intake.QPlace, func(d *ikDesk) { d.text("Tbilisi") }},
	{intake.QPlaceMatch, func(d *ikDesk) { d.press("yes") }},
	{intake.QCitizenship, func(d *ikDesk) { d.press("az") }},
	{intake.QSector, func(d *ikDesk) { d.press(intake.SectorConstruct) }},
	{intake.QEmployer, func(d *ikDesk) { d.text("Stroy & Sons <LLC>") }},
	{intake.QSince, func(d *ikDesk) { d.press(intake.SinceOneToSix) }},
	{intake.QDescription, func(d *ikDesk) { d.text("They keep my passport."); d.photo(1); d.press("done") }},
	{intake.QContact, func(d *ikDesk) { d.press(intake.ContactBot) }},
}

// reach starts a complaint and answers until q is asked.
func (d *ikDesk) reach(q intake.QuestionID) {
	d.tb.Helper()
	d.command("complaint")
	for _, step := range ikScript {
		if d.question() == q {
			return
		}
		if got := d.question(); got != step.q {
			d.tb.Fatalf("expected %s, at %s", step.q, got)
		}
		step.act(d)
	}
	if d.question() != q {
		d.tb.Fatalf("never reached %s; at %s", q, d.question())
	}
}

var ikRawID = regexp.MustCompile(`\b(intake|cases|clear|route|service|help)_[a-z0-9_]+\b`)

// ikCheck applies what every reply must satisfy.
func ikCheck(tb testing.TB, out []ikSent) {
	tb.Helper()
	for _, s := range out {
		r := s.Reply
		if m := ikRawID.FindString(r.Text); m != "" {
			tb.Errorf("raw message id %s in %q", m, r.Text)
		}
		if len([]rune(r.Text)) > maxTyped {
			tb.Errorf("message of %d characters", len([]rune(r.Text)))
		}
		if r.Keyboard != nil {
			for _, row := range r.Keyboard.Inline {
				for _, b := range row {
					if len(b.Data) > 64 || b.Text == "" || ikRawID.MatchString(b.Text) {
						tb.Errorf("bad button %+v", b)
					}
				}
			}
		}
	}
}

func TestIntakeFullFlowCreatesTheCaseInTheSameTurn(t *testing.T) {
	d := newIKDesk(t, "ru")
	d.reach(intake.QReview)
	review := ikJoined(d.lastOut)
	// Typed text is escaped; the city the gazetteer found (in Cyrillic,
	// from its own names) and the categories are shown in Russian.
	for _, want := range []string{"Stroy &amp; Sons &lt;LLC&gt;", "Nino &lt;B&gt;", "Тбилиси", d.tr("intake_cat_wages", nil), d.tr("intake_cat_documents", nil)} {
		if !strings.Contains(review, want) {
			t.Errorf("review lacks %q:\n%s", want, review)
		}
	}
	out := d.press("submit")
	ikCheck(t, d.sent)
	st := d.state()
	if st.Intake.Active() || st.Intake.Draft != nil || st.Pending == pendingIntake {
		t.Fatalf("intake still open after submit: %+v pending %q", st.Intake, st.Pending)
	}
	cases, err := d.db.ChatCases(context.Background(), d.chatID)
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases %+v %v", cases, err)
	}
	id := cases[0].ID
	c, err := d.db.ChatCase(context.Background(), d.chatID, id)
	if err != nil {
		t.Fatal(err)
	}
	det := c.Details
	if c.Status != store.CaseNew || det.Employer != "Stroy & Sons <LLC>" || det.Description != "They keep my passport." ||
		det.Place == nil || det.Place.Country != "GE" || det.Citizenship != "AZ" || strings.Join(det.Categories, ",") != "wages,documents" ||
		det.Language != "ru" || det.ConsentAt.IsZero() || det.Identity != intake.IdentityShared || det.Name != "Nino <B>" {
		t.Fatalf("case details %+v", det)
	}
	files, _ := d.db.CaseEvidence(context.Background(), id)
	if len(files) != 1 || files[0].FileID != "AgACfile1" {
		t.Fatalf("evidence kept as %+v", files)
	}
	submitted := ikJoined(out)
	if !strings.Contains(submitted, id) || !strings.Contains(submitted, "/mycases") {
		t.Errorf("the answer lacks the case id or /mycases:\n%s", submitted)
	}
	if _, data := d.find(func(b chat.Button) bool { return b.Text == d.tr("btn_clear_chat", nil) }); data == "" {
		t.Error("no clear-chat button after submit")
	}
	// The profile remembers where the worker works for next time.
	if st.Profile.WorkCountry != "GE" || st.Profile.WorkCity != "Тбилиси" || st.Profile.Citizenship != "AZ" {
		t.Errorf("profile %+v", st.Profile)
	}
}

// The glue's decisions for each question and each kind of input.
func TestIntakeGlueTable(t *testing.T) {
	questions := []struct {
		q     intake.QuestionID
		typed string // a valid typed answer
		wrong string // text the question cannot take ("" when it takes any)
	}{
		{intake.QDanger, "2", "zzz qqq"},
		{intake.QConsent, "1", "zzz qqq"},
		{intake.QIdentity, "2", "zzz qqq"},
		{intake.QName, "Нино", strings.Repeat("z", 201)},
		{intake.QCategories, "1, 3", "zzz qqq"},
		{intake.QPlace, "Tbilisi", "Qqqzzzxxx"},
		{intake.QCitizenship, "Грузия", "zzz qqq"},
		{intake.QSector, "1", "zzz qqq"},
		{intake.QEmployer, "ACME", strings.Repeat("x", 201)},
		{intake.QSince, "3", strings.Repeat("y", 201)},
		{intake.QDescription, "It started in May.", ""},
		{intake.QContact, "+995 555 12 34 56", "zzz qqq"},
		{intake.QReview, "", "zzz qqq"},
	}
	for _, q := range questions {
		t.Run(string(q.q), func(t *testing.T) {
			t.Run("button", func(t *testing.T) {
				d := newIKDesk(t, "en")
				d.reach(q.q)
				seq := d.state().Intake.Seq
				msgID, data := d.find(func(b chat.Button) bool { return strings.HasPrefix(b.Data, "v1:i:"+itoa(seq)+":") })
				if data == "" {
					t.Skip("no inline buttons on this question")
				}
				out := d.pressData(msgID, data)
				ikCheck(t, out)
				if out[0].Reply.Action != chat.ActionAnswerCallback {
					t.Errorf("the callback is not answered first: %+v", out[0].Reply)
				}
				if q.q == intake.QCategories {
					// A toggle edits the pressed message and ticks the button.
					if len(out) != 2 || out[1].Reply.Action != chat.ActionEdit || out[1].Reply.MessageID != msgID ||
						!strings.HasPrefix(out[1].Reply.Keyboard.Inline[0][0].Text, "✓ ") {
						t.Fatalf("toggle not edited in place: %+v", out)
					}
					return
				}
				if d.question() == q.q && q.q != intake.QDescription {
					t.Errorf("still at %s after a button", q.q)
				}
			})
			t.Run("typed", func(t *testing.T) {
				if q.typed == "" {
					t.Skip("answered by buttons only")
				}
				d := newIKDesk(t, "ru")
				d.reach(q.q)
				out := d.text(q.typed)
				ikCheck(t, out)
				if q.q == intake.QDescription {
					if d.state().Intake.Draft.Description == "" {
						t.Error("story not kept")
					}
					return
				}
				if d.question() == q.q {
					t.Errorf("typed %q not taken: %q", q.typed, ikTexts(out))
				}
				if q.q == intake.QCitizenship && d.state().Intake.Draft.Citizenship != "GE" {
					t.Errorf("Грузия read as %q", d.state().Intake.Draft.Citizenship)
				}
			})
			t.Run("wrong text", func(t *testing.T) {
				if q.wrong == "" {
					t.Skip("takes any text")
				}
				d := newIKDesk(t, "en")
				d.reach(q.q)
				before := d.state().Intake
				out := d.text(q.wrong)
				ikCheck(t, out)
				after := d.state().Intake
				if after.Question != q.q || after.Seq != before.Seq {
					t.Fatalf("wrong text moved %s→%s (seq %d→%d)", before.Question, after.Question, before.Seq, after.Seq)
				}
				if len(out) < 1 {
					t.Fatal("wrong text not answered")
				}
				// The question is asked again and its buttons still carry the same seq.
				last := out[len(out)-1].Reply
				if q.q != intake.QPlace && (last.Keyboard == nil || !strings.HasPrefix(last.Keyboard.Inline[0][0].Data, "v1:i:"+itoa(before.Seq)+":")) {
					t.Errorf("question not re-asked with its buttons: %+v", last)
				}
				if q.q == intake.QPlace && (last.Keyboard == nil || len(last.Keyboard.Reply) == 0 || !last.Keyboard.Reply[0][0].RequestLocation) {
					t.Errorf("place re-asked without the location button: %+v", last.Keyboard)
				}
			})
			t.Run("photo", func(t *testing.T) {
				d := newIKDesk(t, "en")
				d.reach(q.q)
				before := d.state().Intake
				out := d.photo(7)
				ikCheck(t, out)
				after := d.state().Intake
				if q.q == intake.QDescription {
					if len(after.Draft.Evidence) != len(before.Draft.Evidence)+1 {
						t.Fatal("photo not kept as evidence")
					}
					return
				}
				if after.Question != q.q || len(after.Draft.Evidence) != len(before.Draft.Evidence) {
					t.Fatalf("a photo changed %s", q.q)
				}
				if !strings.Contains(ikJoined(out), firstLineOf(d.tr("intake_file_not_now", nil))) {
					t.Errorf("no 'not now' for a photo: %q", ikTexts(out))
				}
			})
			t.Run("command", func(t *testing.T) {
				d := newIKDesk(t, "en")
				d.reach(q.q)
				out := d.command("back")
				ikCheck(t, out)
				st := d.state()
				if q.q == intake.QDanger {
					if st.Intake.Question != intake.QDanger || !strings.Contains(ikJoined(out), d.tr("intake_no_back", nil)) {
						t.Errorf("/back on the first question: %q", ikTexts(out))
					}
					return
				}
				if st.Intake.Question == q.q {
					t.Errorf("/back stayed at %s", q.q)
				}
				if st.Pending != pendingIntake {
					t.Errorf("pending %q after /back", st.Pending)
				}
			})
			t.Run("stale callback", func(t *testing.T) {
				d := newIKDesk(t, "en")
				d.reach(q.q)
				before := d.state().Intake
				stale := "v1:i:" + itoa(before.Seq-1) + ":" + "d:no"
				out := d.pressData(1, stale)
				if len(out) != 1 || out[0].Reply.Action != chat.ActionAnswerCallback || out[0].Reply.CallbackText != d.tr("question_passed", nil) {
					t.Fatalf("a stale button should only get a toast: %+v", out)
				}
				if after := d.state().Intake; after.Question != before.Question || after.Seq != before.Seq {
					t.Fatal("a stale button changed the state")
				}
			})
		})
	}
}

func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i > 0 {
		return s[:i]
	}
	return s
}

// In danger: the emergency numbers come first of all, from the directory
// with their source; an unknown country gets the 112 note and a choice.
func TestIntakeEmergencyFirst(t *testing.T) {
	t.Run("chosen country", func(t *testing.T) {
		d := newIKDesk(t, "ka")
		d.command("complaint")
		d.press("yes")
		out := d.press("ge")
		if out[0].Reply.Action != chat.ActionAnswerCallback {
			t.Fatal("callback not answered first")
		}
		first := out[1].Reply.Text
		if !strings.Contains(first, "112") || !strings.Contains(first, "112.gov.ge") {
			t.Fatalf("first message is not Georgia's emergency number with its source: %q", first)
		}
		joined := ikJoined(out)
		if strings.Index(joined, "112") > strings.Index(joined, d.tr("intake_when_safe", nil)) {
			t.Error("emergency numbers after the rest")
		}
		if d.question() != intake.QConsent {
			t.Errorf("intake did not go on to consent: %s", d.question())
		}
		ikCheck(t, out)
	})
	t.Run("unknown country", func(t *testing.T) {
		d := newIKDesk(t, "en")
		d.command("complaint")
		d.press("yes")
		out := d.press(intake.CountryOther)
		if !strings.Contains(out[1].Reply.Text, "112") || out[1].Reply.Keyboard == nil {
			t.Fatalf("no 112 note with a country choice first: %+v", out[1].Reply)
		}
		msgID, data := d.find(func(b chat.Button) bool { return b.Data == "v1:i:em:md" })
		if data == "" {
			t.Fatal("no Moldova button under the 112 note")
		}
		out = d.pressData(msgID, data)
		if !strings.Contains(ikJoined(out), "ipn.md") {
			t.Errorf("Moldova's numbers lack their source: %q", ikTexts(out))
		}
		// The emergency buttons never go stale, even after the intake.
		d.command("cancel")
		out = d.pressData(msgID, "v1:i:em:ru")
		if !strings.Contains(ikJoined(out), "mos.ru") {
			t.Errorf("emergency button stale after cancel: %q", ikTexts(out))
		}
		if out = d.pressData(msgID, "v1:i:em:xx"); !strings.Contains(ikJoined(out), firstLineOf(d.tr("stale_button", nil))) {
			t.Errorf("unknown country accepted: %q", ikTexts(out))
		}
	})
	t.Run("known from the profile", func(t *testing.T) {
		d := newIKDesk(t, "kk")
		err := d.db.Update(context.Background(), func(tx *store.Tx) error {
			return tx.SaveChat(store.Chat{ID: d.chatID, Type: chat.ChatPrivate, Language: "kk", State: []byte(`{"v":1,"profile":{"work_country":"KZ"}}`)})
		})
		if err != nil {
			t.Fatal(err)
		}
		d.command("complaint")
		out := d.press("yes")
		if !strings.Contains(out[1].Reply.Text, "112") || !strings.Contains(out[1].Reply.Text, "egov.kz") {
			t.Fatalf("Kazakhstan's numbers not first: %q", ikTexts(out))
		}
	})
}

// A shared location answers the place question and the share button goes.
func TestIntakeLocationHidesReplyKeyboard(t *testing.T) {
	d := newIKDesk(t, "ro")
	d.reach(intake.QPlace)
	ask := d.lastOut[len(d.lastOut)-1].Reply
	if ask.Keyboard == nil || len(ask.Keyboard.Reply) != 1 || !ask.Keyboard.Reply[0][0].RequestLocation {
		t.Fatalf("place asked without a location button: %+v", ask.Keyboard)
	}
	out := d.do(chat.Update{Kind: chat.KindLocation, Location: &chat.Location{Lat: 47.02, Lon: 28.84}})
	removed := false
	for _, s := range out {
		if s.Reply.Keyboard != nil && s.Reply.Keyboard.Remove {
			removed = true
		}
	}
	if !removed {
		t.Errorf("the location keyboard stays: %+v", out)
	}
	st := d.state().Intake
	if st.Draft.Place == nil || st.Draft.Place.Country != "MD" || st.Question != intake.QCitizenship {
		t.Fatalf("location read as %+v, at %s", st.Draft.Place, st.Question)
	}
	ikCheck(t, out)
}

// Only the worker's own contact card counts as their phone.
func TestIntakeContactOwnOnly(t *testing.T) {
	d := newIKDesk(t, "en")
	d.reach(intake.QContact)
	d.press(intake.ContactPhone)
	d.do(chat.Update{Kind: chat.KindContact, Contact: &chat.Contact{Phone: "+37360000001", Own: false}})
	if d.question() != intake.QPhone {
		t.Fatalf("someone else's contact accepted: at %s", d.question())
	}
	d.do(chat.Update{Kind: chat.KindContact, Contact: &chat.Contact{Phone: "+37360000002", Own: true}})
	if st := d.state().Intake; st.Question != intake.QReview || st.Draft.Phone != "+37360000002" {
		t.Fatalf("own contact not taken: %+v", st.Draft)
	}
}

// What is not an answer is not one: edits, forwards and stickers.
func TestIntakeNotAnswers(t *testing.T) {
	d := newIKDesk(t, "en")
	d.reach(intake.QEmployer)
	before := d.state().Intake
	out := d.do(chat.Update{Kind: chat.KindEdited, Text: "EditedEmployer", MessageID: 3})
	if !strings.Contains(ikJoined(out), firstLineOf(d.tr("edited_ignored", nil))) {
		t.Errorf("edit: %q", ikTexts(out))
	}
	out = d.do(chat.Update{Kind: chat.KindText, Text: "ForwardedEmployer", Forwarded: true})
	if !strings.Contains(ikJoined(out), firstLineOf(d.tr("forward_note", nil))) {
		t.Errorf("forward: %q", ikTexts(out))
	}
	out = d.do(chat.Update{Kind: chat.KindSticker})
	if !strings.Contains(ikJoined(out), d.tr("intake_unsupported", nil)) {
		t.Errorf("sticker: %q", ikTexts(out))
	}
	if after := d.state().Intake; after.Draft.Employer != "" || after.Question != before.Question {
		t.Fatalf("a non-answer was taken: %+v", after.Draft)
	}
}

// /cancel keeps the draft and frees typed text; /complaint offers to go on.
func TestIntakeCancelAndResume(t *testing.T) {
	d := newIKDesk(t, "az")
	d.reach(intake.QSector)
	out := d.command("cancel")
	if !strings.Contains(ikJoined(out), d.tr("intake_left_kept", nil)) {
		t.Fatalf("cancel: %q", ikTexts(out))
	}
	if st := d.state(); st.Pending != "" || st.Intake.Active() || !st.Intake.HasDraft() {
		t.Fatalf("after cancel: pending %q intake %+v", st.Pending, st.Intake)
	}
	out = d.text("hello")
	if !strings.Contains(ikJoined(out), firstLineOf(d.tr("text_no_question", nil))) {
		t.Errorf("text after cancel went to the intake: %q", ikTexts(out))
	}
	d.command("complaint")
	if d.question() != intake.QResume {
		t.Fatalf("no resume offer: %s", d.question())
	}
	d.press("continue")
	if d.question() != intake.QSector || d.state().Pending != pendingIntake {
		t.Fatalf("resumed at %s", d.question())
	}
	out = d.command("cancel")
	out = append(out, d.command("cancel")...)
	if !strings.Contains(ikJoined(out), d.tr("intake_nothing_to_cancel", nil)) {
		t.Errorf("second /cancel: %q", ikTexts(out))
	}
}

func TestMyCases(t *testing.T) {
	d := newIKDesk(t, "en")
	out := d.command("mycases")
	if !strings.Contains(ikJoined(out), d.tr("cases_none", nil)) {
		t.Fatalf("no cases: %q", ikTexts(out))
	}
	d.reach(intake.QReview)
	d.press("submit")
	cases, _ := d.db.ChatCases(context.Background(), d.chatID)
	id := cases[0].ID

	d.command("mycases")
	msgID, data := d.find(func(b chat.Button) bool { return b.Data == "v1:c:o:"+id })
	if data == "" {
		t.Fatal("case not listed")
	}
	out = d.pressData(msgID, data)
	if !strings.Contains(ikJoined(out), d.tr("cases_event_submitted", map[string]any{"Date": "2026-03-02"})) {
		t.Fatalf("timeline: %q", ikTexts(out))
	}
	// The worker sees, escaped, the name the organisation has.
	if !strings.Contains(ikJoined(out), d.tr("cases_name", map[string]any{"Name": "Nino &lt;B&gt;"})) {
		t.Errorf("the case does not show the name given: %q", ikTexts(out))
	}

	// A message.
	d.pressData(out[1].ID, "v1:c:m:"+id)
	if d.state().Pending != pendingCases {
		t.Fatal("not waiting for the message")
	}
	d.do(chat.Update{Kind: chat.KindSticker})
	if d.state().Pending != pendingCases {
		t.Fatal("a sticker ended the wait")
	}
	d.text("They paid <half>.")
	// Evidence, two files, then Done.
	d.pressData(out[1].ID, "v1:c:e:"+id)
	d.text("not a file")
	d.photo(21)
	d.do(chat.Update{Kind: chat.KindDocument, Text: "contract", File: &chat.File{ID: "BQACdoc", UniqueID: "udoc", Kind: "document", MIME: "application/pdf", Size: 9}})
	_, done := d.find(func(b chat.Button) bool { return b.Text == d.tr("btn_done", nil) && b.Data == "v1:c:o:"+id })
	if done == "" {
		t.Fatal("no Done after a file")
	}
	out = d.pressData(out[1].ID, done)
	if d.state().Pending != "" {
		t.Error("still waiting after Done")
	}
	timeline := ikJoined(out)
	if !strings.Contains(timeline, "They paid &lt;half&gt;.") || strings.Count(timeline, d.tr("cases_event_evidence", map[string]any{"Date": "2026-03-02"})) != 2 {
		t.Errorf("timeline after additions:\n%s", timeline)
	}
	files, _ := d.db.CaseEvidence(context.Background(), id)
	if len(files) != 3 {
		t.Errorf("files %+v", files)
	}

	// Another chat's case, or a forged id, is a stale button.
	out = d.pressData(out[1].ID, "v1:c:o:RD-2222-2222")
	if !strings.Contains(ikJoined(out), firstLineOf(d.tr("stale_button", nil))) {
		t.Errorf("forged id: %q", ikTexts(out))
	}

	// Withdraw, with a confirmation.
	d.pressData(1, "v1:c:w:"+id)
	d.pressData(1, "v1:c:wy:"+id)
	c, _ := d.db.ChatCase(context.Background(), d.chatID, id)
	if c.Status != store.CaseWithdrawn {
		t.Fatalf("status %s", c.Status)
	}
	out = d.pressData(1, "v1:c:m:"+id)
	if !strings.Contains(ikJoined(out), d.tr("cases_closed", map[string]any{"ID": id})) || d.state().Pending != "" {
		t.Errorf("a withdrawn case takes messages: %q", ikTexts(out))
	}
	ikCheck(t, d.sent)
}

func TestClearChatDeletesRecentMessages(t *testing.T) {
	d := newIKDesk(t, "en")
	d.command("complaint")
	d.press("no")
	recorded, err := d.db.ChatMessages(context.Background(), d.chatID, time.Time{})
	if err != nil || len(recorded) < 3 {
		t.Fatalf("recorded ids %v %v", recorded, err)
	}
	_, ask := d.find(func(b chat.Button) bool { return b.Data == "v1:c:x" })
	if ask != "" {
		t.Fatal("clear offered before any case") // only after submit and in /help
	}
	out := d.pressData(1, "v1:c:x")
	confirm := out[len(out)-1]
	out = d.pressData(confirm.ID, "v1:c:xy")
	deleted, deletions := map[int]bool{}, 0
	for _, s := range out {
		if s.Reply.Action == chat.ActionDelete {
			deletions++
			for _, id := range append(s.Reply.MessageIDs, s.Reply.MessageID) {
				deleted[id] = true
			}
		}
	}
	for _, id := range append(recorded, confirm.ID) {
		if !deleted[id] {
			t.Errorf("message %d not deleted", id)
		}
	}
	if deletions != 1 {
		t.Errorf("%d deletions for %d messages, want one for them all", deletions, len(recorded)+1)
	}
	left, _ := d.db.ChatMessages(context.Background(), d.chatID, time.Time{})
	// Only the confirmation sent after the deletions is remembered.
	if len(left) != 1 {
		t.Errorf("ids still remembered: %v", left)
	}
	// Messages older than 48 hours are not asked for.
	d.now = d.now.Add(49 * time.Hour)
	out = d.pressData(1, "v1:c:xy")
	for _, s := range out {
		if s.Reply.Action != chat.ActionDelete {
			continue
		}
		for _, id := range append(s.Reply.MessageIDs, s.Reply.MessageID) {
			if id != 0 && id != 1 {
				t.Errorf("an old message %d is deleted", id)
			}
		}
	}
}

func TestDeleteErasesCases(t *testing.T) {
	d := newIKDesk(t, "en")
	d.reach(intake.QReview)
	d.press("submit")
	cases, _ := d.db.ChatCases(context.Background(), d.chatID)
	d.command("delete")
	d.pressData(1, "v1:del:yes")
	c, err := d.db.CaseByID(context.Background(), cases[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != store.CaseWithdrawn || c.Details != nil || c.ChatID != 0 {
		t.Fatalf("after /delete the case is %+v", c)
	}
	if ev, _ := d.db.CaseEvents(context.Background(), c.ID); len(ev) != 0 {
		t.Errorf("events left: %+v", ev)
	}
	if _, err := d.db.Chat(context.Background(), d.chatID); err == nil {
		t.Error("the chat's state survived /delete")
	}
}

// Every language renders every step without a raw message id.
func TestIntakeEveryLanguage(t *testing.T) {
	for _, lang := range locales.Languages {
		t.Run(lang, func(t *testing.T) {
			d := newIKDesk(t, lang)
			d.reach(intake.QReview)
			d.press("e-employer")
			d.text("New Employer")
			if d.question() != intake.QReview || d.state().Intake.Draft.Employer != "New Employer" {
				t.Fatalf("edit from review: at %s", d.question())
			}
			d.press("submit")
			d.command("mycases")
			ikCheck(t, d.sent)
		})
	}
}

// Choosing to stay anonymous from the review takes the name back: the case
// keeps none, and its page shows none.
func TestIntakeAnonymousAfterNameKeepsNoName(t *testing.T) {
	d := newIKDesk(t, "ka")
	d.reach(intake.QReview)
	if d.state().Intake.Draft.Name != "Nino <B>" {
		t.Fatalf("name not in the draft: %+v", d.state().Intake.Draft)
	}
	d.press("e-identity")
	out := d.press(intake.IdentityAnonymous)
	if d.question() != intake.QReview || strings.Contains(ikJoined(out), "Nino") {
		t.Fatalf("review after anonymous: %q", ikTexts(out))
	}
	if _, data := d.find(func(b chat.Button) bool { return b.Text == d.tr("intake_edit_name", nil) }); data != "" {
		// The newest review must not offer it; older ones may.
		last := out[len(out)-1].Reply.Keyboard
		for _, row := range last.Inline {
			for _, b := range row {
				if b.Text == d.tr("intake_edit_name", nil) {
					t.Error("the review offers to edit the name of an anonymous worker")
				}
			}
		}
	}
	d.press("submit")
	cases, _ := d.db.ChatCases(context.Background(), d.chatID)
	if len(cases) != 1 {
		t.Fatalf("cases %+v", cases)
	}
	c, err := d.db.ChatCase(context.Background(), d.chatID, cases[0].ID)
	if err != nil || c.Details.Identity != intake.IdentityAnonymous || c.Details.Name != "" {
		t.Fatalf("case details %+v %v", c.Details, err)
	}
	msgID, data := d.find(func(b chat.Button) bool { return b.Data == "v1:c:o:"+c.ID })
	out = d.pressData(msgID, data)
	if prefix, _, _ := strings.Cut(d.tr("cases_name", map[string]any{"Name": "\x00"}), "\x00"); strings.Contains(ikJoined(out), prefix) {
		t.Errorf("an anonymous case shows a name line: %q", ikTexts(out))
	}
	ikCheck(t, d.sent)
}

// A worker with more cases than a phone's list can hold sees the most
// recently active ones, and how many older ones are not listed, rather
// than a keyboard Telegram refuses (more than 100 buttons).
func TestMyCasesListsTheRecentOnes(t *testing.T) {
	d := newIKDesk(t, "ru")
	ctx := context.Background()
	const total = casesListed + 70
	var newest string
	for i := range total {
		d.now = d.now.Add(time.Minute)
		id := store.NewCaseID()
		newest = id
		if err := d.db.Update(ctx, func(tx *store.Tx) error {
			return tx.CreateCase(store.NewCase{ID: id, ChatID: d.chatID, Details: store.CaseDetails{Categories: []string{"wages"}}})
		}); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
	}
	out := d.command("mycases")
	if len(out) != 1 || out[0].Reply.Keyboard == nil {
		t.Fatalf("/mycases: %q", ikTexts(out))
	}
	r := out[0].Reply
	buttons := 0
	for _, row := range r.Keyboard.Inline {
		buttons += len(row)
	}
	if buttons != casesListed || !strings.HasSuffix(r.Keyboard.Inline[0][0].Data, newest) {
		t.Errorf("%d buttons, the first %q; want %d, the newest case %s first", buttons, r.Keyboard.Inline[0][0].Data, casesListed, newest)
	}
	if want := d.tr("cases_more", map[string]any{"Count": total - casesListed}); !strings.Contains(r.Text, want) {
		t.Errorf("the list does not say %q:\n%s", want, r.Text)
	}
}

// A case's page stays within Telegram's 4096 UTF-16 units whatever its
// messages hold: fifteen of emoji, each two units, fill a timeline that
// rune counts would let past the limit.
func TestCasePageWithinTelegramsLimit(t *testing.T) {
	d := newIKDesk(t, "en")
	ctx := context.Background()
	id := store.NewCaseID()
	err := d.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateCase(store.NewCase{ID: id, ChatID: d.chatID, Details: store.CaseDetails{Categories: []string{"wages"}, Name: strings.Repeat("😀", 60)}}); err != nil {
			return err
		}
		for i := range 20 {
			text := strings.Repeat("😀", 400)
			if i%2 == 0 {
				if err := tx.AddOrgMessage(id, text); err != nil {
					return err
				}
				continue
			}
			if err := tx.AddCaseMessage(d.chatID, id, text); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d.command("mycases")
	msgID, data := d.find(func(b chat.Button) bool { return b.Data == "v1:c:o:"+id })
	out := d.pressData(msgID, data)
	for _, s := range out {
		if n := len(utf16.Encode([]rune(s.Reply.Text))); n > 4096 {
			t.Errorf("a reply of %d UTF-16 units", n)
		}
	}
	if !strings.Contains(ikJoined(out), id) {
		t.Errorf("the case page did not show: %q", ikTexts(out))
	}
}
