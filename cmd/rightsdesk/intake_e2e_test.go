package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// intakeUser is one worker writing a complaint through the local Bot API.
type intakeUser struct {
	t    *testing.T
	h    *harness
	u    *localapi.User
	lang string
}

func (w *intakeUser) tr(id string) string { return w.h.catalog.T(w.lang, id, nil) }

// answer answers a desk's message with the Answer button under it and a
// text; it returns the text's message id.
func (w *intakeUser) answer(m localapi.Message, text string) int {
	w.t.Helper()
	if err := w.u.Press(m.ID, w.tr("desk_worker_btn_answer")); err != nil {
		w.t.Fatal(err)
	}
	w.await("cases_ask_message")
	return w.u.SendText(text)
}

// deleteEverything is /delete, confirmed.
func (w *intakeUser) deleteEverything() {
	w.t.Helper()
	w.u.SendText("/delete")
	w.await("delete_confirm")
	w.press("btn_yes")
	w.await("delete_done")
}

// await waits for a bot message, new or edited since the user's last
// action, whose text holds the first line of message id.
func (w *intakeUser) await(id string) localapi.Message {
	w.t.Helper()
	return waitText(w.t, w.u, w.fixedPart(id))
}

// fixedPart is the beginning of a message that does not depend on its
// data: the first line, up to the first placeholder.
func (w *intakeUser) fixedPart(id string) string {
	const cut = "\x00"
	data := map[string]any{"RetentionMonths": 12}
	for _, k := range []string{"City", "Country", "CaseID", "Max", "Chars", "Files", "Text", "ID"} {
		data[k] = cut
	}
	text, _, _ := strings.Cut(w.h.catalog.T(w.lang, id, data), cut)
	return firstLine(text)
}

// awaitButton waits for a bot message carrying a button labelled label.
func (w *intakeUser) awaitButton(label string) localapi.Message {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := w.u.WaitFor(ctx, func(m localapi.Message) bool {
		return !m.Deleted && slices.ContainsFunc(buttonTexts(m), func(b string) bool { return showsOption(b, label) })
	})
	if err != nil {
		var got [][]string
		for _, m := range w.u.Messages() {
			got = append(got, buttonTexts(m))
		}
		w.t.Fatalf("no message with button %q: %v; buttons: %q", label, err, got)
	}
	return m
}

// showsOption reports whether a button shows the option label: as it is,
// or, when the options were too long for a phone, numbered ("3. label") and
// cut after a whole word ("3. first words…"); a ticked option keeps its ✓
// in front.
func showsOption(button, label string) bool {
	if button == label {
		return true
	}
	tick := ""
	if rest, ok := strings.CutPrefix(label, "✓ "); ok {
		tick, label = "✓ ", rest
	}
	rest, ok := strings.CutPrefix(button, tick)
	if !ok {
		return false
	}
	num, kept, ok := strings.Cut(rest, ". ")
	if !ok || num == "" || strings.Trim(num, "0123456789") != "" {
		return false
	}
	if kept == label {
		return true
	}
	kept, cut := strings.CutSuffix(kept, "…")
	return cut && kept != "" && strings.HasPrefix(label, kept)
}

// awaitCaseListed waits for the /mycases list with a button for case id.
func (w *intakeUser) awaitCaseListed(id string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := w.u.WaitFor(ctx, func(m localapi.Message) bool {
		return slices.ContainsFunc(buttonTexts(m), func(b string) bool { return strings.HasPrefix(b, id) })
	})
	if err != nil {
		w.t.Fatalf("case %s not listed by /mycases: %v", id, err)
	}
}

// openCase presses case id's button on the newest /mycases list.
func (w *intakeUser) openCase(id string) {
	w.t.Helper()
	msgs := w.u.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, label := range buttonTexts(msgs[i]) {
			if !msgs[i].Deleted && strings.HasPrefix(label, id) {
				if err := w.u.Press(msgs[i].ID, label); err != nil {
					w.t.Fatal(err)
				}
				return
			}
		}
	}
	w.t.Fatalf("no button for case %s on screen", id)
}

// press presses the button labelled by message id on the newest bot
// message that has it.
func (w *intakeUser) press(id string) {
	w.t.Helper()
	label := w.tr(id)
	msgs := w.u.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, b := range buttonTexts(msgs[i]) {
			if !msgs[i].Deleted && showsOption(b, label) {
				if err := w.u.Press(msgs[i].ID, b); err != nil {
					w.t.Fatal(err)
				}
				return
			}
		}
	}
	w.t.Fatalf("no button %q (%s) on screen", label, id)
}

func newIntakeUser(t *testing.T, h *harness, lang string) *intakeUser {
	t.Helper()
	w := &intakeUser{t: t, h: h, u: h.api.NewUser("Worker-"+lang, lang), lang: lang}
	w.u.SendText("/start")
	welcome := waitText(t, w.u, firstLine(h.catalog.T(lang, "start_welcome", nil)))
	if err := w.u.Press(welcome.ID, w.tr("language_name")); err != nil {
		t.Fatal(err)
	}
	w.await("menu_title")
	return w
}

// toCategories starts a complaint and answers up to the categories
// question, sharing the worker's identity under name ("" skips the name).
func (w *intakeUser) toCategories(name string) {
	w.t.Helper()
	w.press("menu_short_complaint")
	w.await("intake_q_danger")
	w.press("intake_btn_safe")
	w.await("intake_q_consent")
	w.press("intake_btn_agree")
	w.await("intake_q_identity")
	w.press("intake_btn_identity_shared")
	w.await("intake_q_name")
	if name == "" {
		w.press("btn_skip")
	} else {
		w.u.SendText(name)
	}
	w.await("intake_q_categories")
}

// toSector starts a complaint and answers up to the sector question.
func (w *intakeUser) toSector(name string) {
	w.t.Helper()
	w.toCategories(name)
	w.press("intake_cat_wages")
	w.awaitButton("✓ " + w.tr("intake_cat_wages"))
	w.press("btn_done")
	w.await("intake_q_place")
	if kb := w.u.ReplyKeyboard(); len(kb) == 0 || !kb[0][0].RequestLocation {
		w.t.Fatalf("no share-location button: %+v", kb)
	}
	w.u.SendText("Tbilisi")
	w.await("intake_q_place_match")
	w.press("btn_yes")
	w.await("intake_q_citizenship")
	if kb := w.u.ReplyKeyboard(); len(kb) != 0 {
		w.t.Errorf("the location keyboard stays after the place: %+v", kb)
	}
	w.press("intake_country_az")
	w.await("intake_q_sector")
}

// toReview answers from the sector question to the review screen; the
// story may come in several messages.
func (w *intakeUser) toReview(employer string, story ...string) localapi.Message {
	w.t.Helper()
	w.press("intake_sector_construction")
	w.await("intake_q_employer")
	w.u.SendText(employer)
	w.await("intake_q_since")
	w.press("intake_since_lt1m")
	w.await("intake_q_story")
	for _, part := range story {
		w.u.SendText(part)
		w.await("intake_description_more")
	}
	w.u.SendPhoto("")
	w.await("intake_description_more")
	w.press("btn_done")
	w.await("intake_q_contact")
	w.press("intake_contact_bot")
	return w.await("intake_q_review")
}

// submit sends the complaint and returns its case id.
func (w *intakeUser) submit() string {
	w.t.Helper()
	w.press("intake_btn_submit")
	m := w.await("intake_submitted")
	i := strings.Index(m.Text, "RD-")
	if i < 0 || len(m.Text) < i+12 {
		w.t.Fatalf("no case id in %q", m.Text)
	}
	id := m.Text[i : i+12]
	if !store.ValidCaseID(id) {
		w.t.Fatalf("case id %q", id)
	}
	if !slices.Contains(buttonTexts(m), w.tr("btn_clear_chat")) {
		w.t.Errorf("no clear-chat button under the submitted case: %q", buttonTexts(m))
	}
	return id
}

func noErrorResponses(t *testing.T, api *localapi.Server) {
	t.Helper()
	for _, r := range api.Requests() {
		if r.Status >= 400 && r.Status != 429 {
			t.Errorf("%s to chat %d answered %d", r.Method, r.ChatID, r.Status)
		}
	}
}

// A full complaint in each language, with an edit from the review screen.
func TestIntakeEveryLanguageEndToEnd(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	ids := map[string]string{}
	for _, lang := range locales.Languages {
		t.Run(lang, func(t *testing.T) {
			w := newIntakeUser(t, h, lang)
			w.toSector("Nino <" + lang + ">")
			review := w.toReview("Employer & Co", "Unpaid since March.")
			if !strings.Contains(review.Text, "Employer &amp; Co") {
				t.Errorf("review lacks the escaped employer: %q", review.Text)
			}
			if !strings.Contains(review.Text, "Nino &lt;"+lang+"&gt;") {
				t.Errorf("review lacks the escaped name: %q", review.Text)
			}
			// The name is edited from the review like any answer.
			w.press("intake_edit_name")
			w.await("intake_q_name")
			w.u.SendText("Lela " + lang)
			waitText(t, w.u, "Lela "+lang)
			w.press("intake_edit_employer")
			w.await("intake_q_employer")
			w.u.SendText("Second Employer")
			review = waitText(t, w.u, "Second Employer")
			if !strings.Contains(review.Text, w.fixedPart("intake_q_review")) {
				t.Errorf("the edit did not return to the review: %q", review.Text)
			}
			ids[lang] = w.submit()
			w.u.SendText("/mycases")
			w.awaitCaseListed(ids[lang])
			// The case's page shows the name the organisation has.
			w.openCase(ids[lang])
			waitText(t, w.u, w.h.catalog.T(lang, "cases_name", map[string]any{"Name": "Lela " + lang}))
		})
	}
	waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)
	noErrorResponses(t, h.api)
	h.stop()

	db := reopen(t, h)
	for lang, id := range ids {
		c, err := db.CaseByID(context.Background(), id)
		if err != nil || c.Details == nil || c.Details.Employer != "Second Employer" || c.Details.Language != lang ||
			c.Details.Identity != "shared" || c.Details.Name != "Lela "+lang {
			t.Errorf("%s: case %s read back as %+v %v", lang, id, c.Details, err)
			continue
		}
		// The photo is kept as Telegram's reference, never as bytes.
		files, err := db.CaseEvidence(context.Background(), id)
		if err != nil || len(files) != 1 || !strings.HasPrefix(files[0].FileID, "AgAC") || files[0].UniqueID == "" || files[0].Kind != "photo" {
			t.Errorf("%s: evidence %+v %v", lang, files, err)
		}
	}
}

func reopen(t *testing.T, h *harness) *store.DB {
	t.Helper()
	raw, err := os.ReadFile(h.dbPath + ".key")
	if err != nil {
		t.Fatal(err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), h.dbPath, key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// The process stops in the middle of a complaint; started again on the same
// database, the worker goes on where they were, with the old buttons.
func TestIntakeResumesAfterRestart(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	w := newIntakeUser(t, h, "kk")
	w.toSector("")
	sector := w.awaitButton(w.tr("intake_sector_construction"))

	h.stop()
	h.start(harnessOptions{dbPath: h.dbPath})

	if err := w.u.Press(sector.ID, w.tr("intake_sector_construction")); err != nil {
		t.Fatal(err)
	}
	w.await("intake_q_employer")
	w.u.SendText("After Restart LLC")
	w.await("intake_q_since")

	// And again, this time stopping between two typed answers.
	h.stop()
	h.start(harnessOptions{dbPath: h.dbPath})
	w.press("intake_since_gt1y")
	w.await("intake_q_story")
	w.u.SendText("Story told across restarts.")
	w.await("intake_description_more")
	w.press("btn_done")
	w.await("intake_q_contact")
	w.press("intake_contact_none")
	review := waitText(t, w.u, "After Restart LLC")
	if !strings.Contains(review.Text, "Story told across restarts.") {
		t.Errorf("review after restarts: %q", review.Text)
	}
	w.submit()
	waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)
	noErrorResponses(t, h.api)
}

// What a worker types in a complaint is never on disk or in the logs in
// plain text, and after /delete it is gone altogether: the case keeps only
// an anonymous tombstone.
func TestIntakeDeleteLeavesNoTrace(t *testing.T) {
	dir := t.TempDir()
	h := startHarness(t, harnessOptions{dbPath: filepath.Join(dir, "intake.db")})
	employer := "EMPLOYER" + randomHex(t, 10)
	story := "STORY" + randomHex(t, 10)
	name := "NAME" + randomHex(t, 10)
	// A phone number is a secret too: digits only, drawn at random.
	var phone strings.Builder
	phone.WriteString("+99455")
	for _, c := range randomHex(t, 4) {
		phone.WriteByte('0' + byte(c)%10)
	}
	secrets := []string{employer, story, name, phone.String()[1:]}

	w := newIntakeUser(t, h, "ro")
	w.toSector(name)
	w.toReview(employer, "My story: "+story)
	// From the review screen, switch to a phone shared with the button.
	w.press("intake_edit_contact")
	w.await("intake_q_contact")
	w.press("intake_contact_phone")
	w.await("intake_q_phone")
	w.u.SendContact(phone.String())
	// The review shows the number: it was taken, and is now in the case.
	waitText(t, w.u, phone.String())
	id := w.submit()
	w.u.SendText("/mycases")
	w.awaitCaseListed(id)
	waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)

	// The case's sealed details hold the name: after /delete not even
	// their ciphertext may be left, since the key still opens it.
	audit := reopen(t, h)
	sealed, err := audit.SealedCaseDetails(context.Background(), id)
	if err != nil || len(sealed) < 48 {
		t.Fatalf("sealed details %x %v", sealed, err)
	}
	if c, err := audit.CaseByID(context.Background(), id); err != nil || c.Details.Name != name {
		t.Fatalf("the case does not hold the name: %v", err)
	}
	audit.Close()
	diskFiles := func() []byte {
		var all []byte
		for _, f := range []string{h.dbPath, h.dbPath + "-wal"} {
			b, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	if !bytes.Contains(diskFiles(), sealed) {
		t.Fatal("the sealed details are not found on disk: the ciphertext scan would be blind")
	}
	sealedGone := func(when string) {
		t.Helper()
		all := diskFiles()
		// Any 24 bytes of a sealed value are random enough to be unique.
		for off := 0; off+24 <= len(sealed); off += 24 {
			if bytes.Contains(all, sealed[off:off+24]) {
				t.Errorf("%s: the sealed case details are still on disk (bytes %d–%d)", when, off, off+24)
				return
			}
		}
	}

	scan := func(when string) {
		t.Helper()
		scanned := 0
		for _, f := range []string{h.dbPath, h.dbPath + "-wal", h.dbPath + "-shm"} {
			b, err := os.ReadFile(f)
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			scanned += len(b)
			for _, s := range secrets {
				if forms := plainForms(b, s); forms != "" {
					t.Errorf("%s: %q in %s (%s)", when, s, filepath.Base(f), forms)
				}
			}
		}
		for _, s := range secrets {
			if forms := plainForms([]byte(h.logs.String()), s); forms != "" {
				t.Errorf("%s: %q in the logs (%s)", when, s, forms)
			}
		}
		t.Logf("%s: scanned %d bytes of database files and %d of logs", when, scanned, len(h.logs.String()))
	}
	scan("before /delete")

	w.deleteEverything()
	waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)
	scan("after /delete, running")
	sealedGone("after /delete, running")
	h.stop()
	scan("after /delete, stopped")
	sealedGone("after /delete, stopped")

	db := reopen(t, h)
	c, err := db.CaseByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != store.CaseWithdrawn || c.Details != nil || c.ChatID != 0 {
		t.Fatalf("after /delete the case is %+v", c)
	}
	if files, _ := db.CaseEvidence(context.Background(), id); len(files) != 0 {
		t.Errorf("evidence survives: %+v", files)
	}
	if list, _ := db.ChatCases(context.Background(), w.u.ChatID()); len(list) != 0 {
		t.Errorf("the chat still has cases: %+v", list)
	}
	if _, err := db.Chat(context.Background(), w.u.ChatID()); err == nil {
		t.Error("the conversation state survives /delete")
	}
	if ids, _ := db.ChatMessages(context.Background(), w.u.ChatID(), time.Time{}); len(ids) > 1 {
		// The "deleted" confirmation itself may be recorded after the erasure.
		t.Errorf("message ids survive: %v", ids)
	}
}
