package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// linkCode asks the operator's command for a link code, as an operator would.
func linkCode(t *testing.T, h *harness, serviceID string) string {
	t.Helper()
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"org", "link", serviceID, "-db", h.dbPath}, &out, &errs); err != nil {
		t.Fatalf("org link %s: %v\n%s", serviceID, err, errs.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[len(lines)-1]
}

// unlinkOrg runs "org unlink" as the operator would, from another process
// (another handle on the database) while the bot runs; it returns what the
// command printed.
func unlinkOrg(t *testing.T, h *harness, serviceID string) string {
	t.Helper()
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"org", "unlink", serviceID, "-db", h.dbPath}, &out, &errs); err != nil {
		t.Fatalf("org unlink %s: %v\n%s", serviceID, err, errs.String())
	}
	return out.String()
}

// linkDesk links a group to a service with a fresh code, sent by a member.
func linkDesk(t *testing.T, h *harness, g *localapi.Group, by *localapi.User, serviceID string) {
	t.Helper()
	code := linkCode(t, h, serviceID)
	g.Send(by, "/link "+code)
	lang := by.Language()
	waitGroupText(t, g, firstLine(strings.SplitN(h.catalog.T(lang, "desk_linked", map[string]any{"Name": "\x00"}), "\x00", 2)[0]))
}

func waitGroup(t *testing.T, g *localapi.Group, what string, match func(localapi.Message) bool) localapi.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := g.WaitFor(ctx, match)
	if err != nil {
		var got []string
		for _, m := range g.Messages() {
			got = append(got, firstLine(m.Text))
		}
		t.Fatalf("no group message %s: %v; messages: %q", what, err, got)
	}
	return m
}

func waitGroupText(t *testing.T, g *localapi.Group, want string) localapi.Message {
	t.Helper()
	return waitGroup(t, g, strconv.Quote(want), func(m localapi.Message) bool { return !m.Deleted && strings.Contains(m.Text+m.Caption, want) })
}

// card is the newest card of a case in a desk, as it stands.
func card(t *testing.T, h *harness, g *localapi.Group, caseID, want string) localapi.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs := g.Messages()
		for i := len(msgs) - 1; i >= 0; i-- {
			m := msgs[i]
			if !m.Deleted && strings.HasPrefix(m.Text, "📋") && strings.Contains(m.Text, caseID) && strings.Contains(m.Text, want) {
				return m
			}
		}
		if time.Now().After(deadline) {
			var got []string
			for _, m := range msgs {
				got = append(got, m.Text)
			}
			t.Fatalf("no card of %s containing %q; group messages: %q", caseID, want, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// resolveWithNote closes a case from its card, as who: Resolve, the
// outcome, a note for the worker in reply to the prompt, and Yes. The
// desk writes in who's language (who linked it, in these tests).
func resolveWithNote(t *testing.T, h *harness, g *localapi.Group, who *localapi.User, card localapi.Message, outcome, note string) {
	t.Helper()
	tr := func(id string) string { return h.catalog.T(locales.Match(who.Language()), id, nil) }
	pressIn(t, h, g, who, card, tr("desk_btn_resolve"))
	outcomes := waitGroup(t, g, "with the outcomes", func(m localapi.Message) bool { return slices.Contains(buttonTexts(m), tr("desk_outcome_"+outcome)) })
	pressIn(t, h, g, who, outcomes, tr("desk_outcome_"+outcome))
	notePrompt := waitGroupText(t, g, who.Name())
	recorded(t, h, g.ID(), notePrompt)
	g.Reply(who, notePrompt.ID, note)
	confirm := waitGroup(t, g, "asking to confirm", func(m localapi.Message) bool { return slices.Contains(buttonTexts(m), tr("desk_btn_resolve_yes")) })
	pressIn(t, h, g, who, confirm, tr("desk_btn_resolve_yes"))
}

// recorded waits until the bot has recorded the message it sent as its
// own, as it has long before a person can read it and act: the bot learns
// a message's id only from Telegram's answer, a moment after the message
// shows.
func recorded(t *testing.T, h *harness, chatID int64, m localapi.Message) {
	t.Helper()
	if h.db == nil {
		h.db = reopen(t, h)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := h.db.NameOf(context.Background(), chatID, m.ID); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bot never recorded message %d in chat %d", m.ID, chatID)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pressIn presses a labelled button on a group message.
func pressIn(t *testing.T, h *harness, g *localapi.Group, who *localapi.User, m localapi.Message, label string) {
	t.Helper()
	recorded(t, h, g.ID(), m)
	if err := g.Press(who, m.ID, label); err != nil {
		t.Fatalf("press %q: %v (buttons %q)", label, err, buttonTexts(m))
	}
}

// anonymousComplaint files a wage complaint from Moscow as a Kazakh citizen
// who stays anonymous and wants contact only through the bot, with a photo.
func (w *intakeUser) anonymousComplaint(story ...string) string {
	w.t.Helper()
	w.press("menu_short_complaint")
	w.await("intake_q_danger")
	w.press("intake_btn_safe")
	w.await("intake_q_consent")
	w.press("intake_btn_agree")
	w.await("intake_q_identity")
	w.press("intake_btn_identity_anonymous")
	w.await("intake_q_categories")
	w.press("intake_cat_wages")
	w.awaitButton("✓ " + w.tr("intake_cat_wages"))
	w.press("btn_done")
	w.await("intake_q_place")
	w.u.SendText("Москва")
	w.await("intake_q_place_match")
	w.press("btn_yes")
	w.await("intake_q_citizenship")
	w.press("intake_country_kz")
	w.await("intake_q_sector")
	w.toReview("ООО Стройка", story...)
	return w.submit()
}

// chooseDesk presses the offered organisation's 📨 button and confirms.
func (w *intakeUser) chooseDesk(name string) {
	w.t.Helper()
	offer := w.await("route_choose_receiving")
	label := ""
	for _, b := range buttonTexts(offer) {
		if strings.HasPrefix(b, "📨") && strings.Contains(b, string([]rune(name)[:20])) {
			label = b
		}
	}
	if label == "" {
		w.t.Fatalf("no 📨 button for %q among %q", name, buttonTexts(offer))
	}
	if err := w.u.Press(offer.ID, label); err != nil {
		w.t.Fatal(err)
	}
	confirm := w.await("route_send_confirm")
	if !strings.Contains(confirm.Text, firstLine(w.tr("route_shared_anonymous"))) {
		w.t.Errorf("the confirmation does not say the name and phone stay with the worker: %q", confirm.Text)
	}
	if err := w.u.Press(confirm.ID, w.tr("route_btn_send")); err != nil {
		w.t.Fatal(err)
	}
}

// twoDesks are FNPR's desk, a forum where Aigerim (Russian) and Boris
// work, and FPRK's, a plain group of Dana's writing Kazakh: two desks that
// receive cases here, so a case can be referred from one to the other.
type twoDesks struct {
	forum, plain         *localapi.Group
	aigerim, boris, dana *localapi.User
}

// linkTwoDesks links both; borisLang is Boris's Telegram language.
func linkTwoDesks(t *testing.T, h *harness, borisLang string) twoDesks {
	t.Helper()
	var d twoDesks
	d.aigerim, d.boris = h.api.NewUser("Aigerim", "ru"), h.api.NewUser("Boris", borisLang)
	d.forum = h.api.NewForum("FNPR — migrants", d.aigerim, d.boris)
	d.forum.PromoteBot(d.aigerim)
	linkDesk(t, h, d.forum, d.aigerim, "fnpr")
	d.dana = h.api.NewUser("Dana", "kk")
	d.plain = h.api.NewGroup("ФПРК — көші-қон", d.dana)
	linkDesk(t, h, d.plain, d.dana, "fprk")
	return d
}

// The whole round through two desks: a Russian-speaking Kazakh worker in
// Moscow sends an anonymous wage case to FNPR's forum desk; a caseworker
// takes it, another asks; the worker answers with text and a photo; FNPR
// refers the case to the Kazakh federation (a plain group writing Kazakh),
// which takes and resolves it; the worker hears each step in Russian and
// says the problem is not solved, which reopens the case. No request to a
// group carries the worker's Telegram id or name.
func TestDeskRoundTripEndToEnd(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	api := h.api
	desks := linkTwoDesks(t, h, "ru")
	forum, plain, aigerim, boris, dana := desks.forum, desks.plain, desks.aigerim, desks.boris, desks.dana

	w := newIntakeUser(t, h, "ru")
	story := "Мне не платят зарплату три месяца."
	caseID := w.anonymousComplaint(story)
	fnpr, fprk := serviceName(t, h, "fnpr", "ru"), serviceName(t, h, "fprk", "ru")
	w.chooseDesk(fnpr)
	w.await("route_sending")
	waitText(t, w.u, w.h.catalog.T("ru", "desk_worker_arrived", map[string]any{"CaseID": caseID, "Name": fnpr}))

	// The card arrives in a topic of its own, pinned, with the story and
	// the photo, and says nothing about who the worker is.
	c := card(t, h, forum, caseID, story)
	topics := forum.Topics()
	if len(topics) != 1 || !strings.Contains(topics[0].Name, caseID) || c.ThreadID != topics[0].ID {
		t.Fatalf("the card is not in the case's topic: topics %+v, card thread %d", topics, c.ThreadID)
	}
	waitGroup(t, forum, "pinned", func(m localapi.Message) bool { return m.ID == c.ID && m.Pinned })
	if !strings.Contains(c.Text, h.catalog.T("ru", "desk_card_anonymous", nil)) {
		t.Errorf("the card does not say the worker is anonymous:\n%s", c.Text)
	}
	waitGroup(t, forum, "with the evidence photo", func(m localapi.Message) bool { return m.Kind == "photo" && m.ThreadID == c.ThreadID })
	ru := func(id string) string { return h.catalog.T("ru", id, nil) }

	// Boris takes it; the worker hears.
	pressIn(t, h, forum, boris, c, ru("desk_btn_take"))
	c = card(t, h, forum, caseID, "Boris")
	waitText(t, w.u, firstLine(strings.Split(h.catalog.T("ru", "desk_worker_taken", map[string]any{"CaseID": caseID, "Name": fnpr}), "\n")[0]))

	// Aigerim asks; her reply to the prompt reaches the worker as a question.
	pressIn(t, h, forum, aigerim, c, ru("desk_btn_ask"))
	prompt := waitGroupText(t, forum, "Aigerim")
	recorded(t, h, forum.ID(), prompt)
	forum.ReplyInTopic(aigerim, c.ThreadID, prompt.ID, "Сколько вам должны?")
	q := waitText(t, w.u, "Сколько вам должны?")
	if !strings.Contains(q.Text, strings.Split(h.catalog.T("ru", "desk_worker_question", map[string]any{"Name": fnpr, "CaseID": caseID}), "\n")[0]) {
		t.Errorf("the question is not headed as one from FNPR: %q", q.Text)
	}
	card(t, h, forum, caseID, ru("desk_card_asked"))
	// Internal remarks stay in the desk.
	before := len(w.u.Messages())
	forum.SendInTopic(boris, c.ThreadID, "! проверить договор")

	// The worker answers with text, then a photo.
	w.answer(q, "80 000 рублей")
	waitText(t, w.u, h.catalog.T("ru", "cases_message_sent", map[string]any{"ID": caseID, "Name": fnpr}))
	waitGroupText(t, forum, "80 000 рублей")
	if err := w.u.Press(q.ID, ru("desk_worker_btn_file")); err != nil {
		t.Fatal(err)
	}
	w.await("cases_ask_evidence")
	w.u.SendPhoto("расчётный лист")
	waitGroup(t, forum, "with the worker's second photo", func(m localapi.Message) bool {
		return m.Kind == "photo" && strings.Contains(m.Caption, "расчётный лист")
	})
	w.u.SendVoice() // a voice message is evidence too, passed on by its file id
	waitGroup(t, forum, "with the worker's voice message", func(m localapi.Message) bool { return m.Kind == "voice" && m.ThreadID == c.ThreadID })
	for _, m := range w.u.Messages()[before:] {
		if strings.Contains(m.Text, "проверить договор") {
			t.Error("an internal remark reached the worker")
		}
	}
	c = card(t, h, forum, caseID, "Boris")
	if strings.Contains(c.Text, ru("desk_card_asked")) {
		t.Error("the card still waits for an answer the worker gave")
	}

	// FNPR refers the case to the Kazakh federation, the worker's home union.
	pressIn(t, h, forum, boris, c, ru("desk_btn_refer"))
	list := waitGroupText(t, forum, firstLine(strings.SplitN(h.catalog.T("ru", "desk_refer_prompt", map[string]any{"CaseID": caseID}), "(", 2)[0]))
	target := ""
	for _, b := range buttonTexts(list) {
		if strings.Contains(b, string([]rune(serviceName(t, h, "fprk", "ru"))[:15])) {
			target = b
		}
	}
	if target == "" {
		t.Fatalf("the worker's home union is not offered for referral: %q", buttonTexts(list))
	}
	pressIn(t, h, forum, boris, list, target)
	why := waitGroupText(t, forum, firstLine(strings.SplitN(h.catalog.T("ru", "desk_refer_why", map[string]any{"Name": "\x00"}), "\x00", 2)[0]))
	pressIn(t, h, forum, boris, why, ru("desk_refer_reason_o"))
	card(t, h, forum, caseID, ru("desk_status_referred"))
	waitText(t, w.u, firstLine(h.catalog.T("ru", "desk_worker_referred", map[string]any{"CaseID": caseID, "Name": fnpr, "To": fprk})))

	// The plain group gets a card in Kazakh, with the referral's reason.
	kk := func(id string) string { return h.catalog.T("kk", id, nil) }
	pc := card(t, h, plain, caseID, story)
	if !strings.Contains(pc.Text, firstLine(strings.SplitN(h.catalog.T("kk", "desk_card_title", map[string]any{"CaseID": caseID, "Status": kk("desk_status_open")}), "\n", 2)[0])) {
		t.Errorf("the second desk's card is not in Kazakh:\n%s", pc.Text)
	}
	waitGroupText(t, plain, kk("desk_refer_reason_o"))
	waitText(t, w.u, h.catalog.T("ru", "desk_worker_arrived", map[string]any{"CaseID": caseID, "Name": fprk}))

	// Dana takes and resolves it with a note.
	pressIn(t, h, plain, dana, pc, kk("desk_btn_take"))
	pc = card(t, h, plain, caseID, "Dana")
	resolveWithNote(t, h, plain, dana, pc, "partly", "Жұмыс беруші жалақының жартысын төледі.")
	card(t, h, plain, caseID, kk("desk_outcome_partly"))

	// The worker hears the outcome in Russian, with the note, and says no.
	resolved := waitText(t, w.u, h.catalog.T("ru", "desk_worker_outcome_partly", nil))
	if !strings.Contains(resolved.Text, "Жұмыс беруші") {
		t.Errorf("the note did not reach the worker: %q", resolved.Text)
	}
	feedback := w.await("desk_worker_feedback")
	if err := w.u.Press(feedback.ID, ru("desk_worker_feedback_no")); err != nil {
		t.Fatal(err)
	}
	waitText(t, w.u, h.catalog.T("ru", "desk_worker_feedback_reopened", map[string]any{"CaseID": caseID}))
	waitGroupText(t, plain, h.catalog.T("kk", "desk_reopened", map[string]any{"CaseID": caseID}))
	card(t, h, plain, caseID, kk("desk_status_taken"))

	// /mycases shows the organisation that has it now.
	w.u.SendText("/mycases")
	w.awaitCaseListed(caseID)
	w.openCase(caseID)
	waitText(t, w.u, h.catalog.T("ru", "cases_desk", map[string]any{"Name": fprk, "State": ru("cases_desk_taken")}))

	waitQuiet(api, 300*time.Millisecond, 5*time.Second)
	noErrorResponses(t, api)
	// Anonymous: nothing identifying the worker in any request to a group.
	id := strconv.FormatInt(w.u.ID(), 10)
	for _, r := range api.Requests() {
		if r.ChatID >= 0 {
			continue
		}
		for k, v := range r.Params {
			if strings.Contains(v, id) || strings.Contains(v, w.u.Name()) {
				t.Errorf("%s to group %d carries the worker's id or name in %s", r.Method, r.ChatID, k)
			}
		}
	}
	db := reopen(t, h)
	ds, err := db.CaseDeliveries(context.Background(), caseID)
	if err != nil || len(ds) != 2 || ds[0].Status != store.DeliveryReferred || ds[1].Status != store.DeliveryTaken || ds[1].Feedback != "" {
		t.Fatalf("deliveries: %+v %v", ds, err)
	}
}

func serviceName(t *testing.T, h *harness, id, lang string) string {
	t.Helper()
	lib, err := loadContent("", true)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := lib.Directory.ByID(id)
	if !ok {
		t.Fatalf("no service %s", id)
	}
	return s.Names.In(lang)
}

// The demo's organisation, linked as the demo links it, takes a worker's
// case from wherever the worker is: a Georgian wage case in Tbilisi goes to
// its desk and the card's Take works from the group the page shows.
func TestDemoSandboxDeskTakesACase(t *testing.T) {
	h := startHarness(t, harnessOptions{sandbox: true})
	if err := linkSandbox(context.Background(), h.api, h.dbPath); err != nil {
		t.Fatal(err)
	}
	db := reopen(t, h)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if o, err := db.OrgByService(context.Background(), sandboxService); err == nil && o.ChatID < 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the sandbox organisation was not linked")
		}
		time.Sleep(20 * time.Millisecond)
	}
	w := newIntakeUser(t, h, "ka")
	w.toSector("")
	w.toReview("შპს მშენებელი", "ხელფასს არ მიხდიან.")
	caseID := w.submit()
	w.chooseDesk(serviceName(t, h, sandboxService, "ka"))
	waitText(t, w.u, h.catalog.T("ka", "desk_worker_arrived", map[string]any{"CaseID": caseID, "Name": serviceName(t, h, sandboxService, "ka")}))
	var desk *localapi.Group
	for _, g := range h.api.Groups() {
		if g.Title() == sandboxGroup {
			desk = g
		}
	}
	if desk == nil {
		t.Fatal("no sandbox group on the page")
	}
	c := card(t, h, desk, caseID, "ხელფასს არ მიხდიან.")
	var ana *localapi.User
	for _, u := range h.api.Users() {
		if u.Name() == sandboxCaseworker {
			ana = u
		}
	}
	pressIn(t, h, desk, ana, c, h.catalog.T("en", "desk_btn_take", nil))
	card(t, h, desk, caseID, sandboxCaseworker)
	noErrorResponses(t, h.api)
}

// A desk whose group removes the bot is unlinked: its open case goes back
// to the worker, who is told in their language and offered the others. A
// basic group that becomes a supergroup keeps its link and its cards.
func TestDeskRemovedAndMigrated(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	api := h.api
	olga := api.NewUser("Olga", "en")
	basic := api.NewBasicGroup("KTR desk", olga)
	linkDesk(t, h, basic, olga, "ktr")
	oldID := basic.ID()
	if err := basic.Migrate(); err != nil {
		t.Fatal(err)
	}
	db := reopen(t, h)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if o, err := db.OrgByService(context.Background(), "ktr"); err == nil && o.ChatID == basic.ID() && o.ChatID != oldID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the desk did not follow the group to its supergroup")
		}
		time.Sleep(20 * time.Millisecond)
	}

	w := newIntakeUser(t, h, "ro")
	caseID := w.anonymousComplaint("Nu mi-au plătit salariul.")
	ktr := serviceName(t, h, "ktr", "ro")
	w.chooseDesk(ktr)
	card(t, h, basic, caseID, "Nu mi-au plătit salariul.")

	basic.RemoveBot(olga)
	waitText(t, w.u, h.catalog.T("ro", "desk_worker_unlinked", map[string]any{"CaseID": caseID, "Name": ktr}))
	offer := w.await("route_intro")
	if strings.Contains(offer.Text, ktr) {
		t.Errorf("the unlinked organisation is offered again:\n%s", offer.Text)
	}
	if _, err := db.OrgByService(context.Background(), "ktr"); err == nil {
		t.Error("still linked after the bot was removed")
	}
	ds, err := db.CaseDeliveries(context.Background(), caseID)
	if err != nil || len(ds) != 1 || ds[0].Status != store.DeliveryUnlinked {
		t.Errorf("deliveries: %+v %v", ds, err)
	}
	if c, err := db.CaseByID(context.Background(), caseID); err != nil || c.Status != store.CaseNew {
		t.Errorf("case status after unlinking: %+v %v", c.Status, err)
	}
	noErrorResponses(t, api)
}

// A desk's basic group becomes a supergroup while its card waits, and a
// caseworker presses Take there at once: the press, in the new chat, comes
// after the new chat's own word of the upgrade, which moves the desk, and so
// is a press on the desk's card, whatever the old chat's word is doing.
func TestDeskUpgradedMidCase(t *testing.T) {
	// Through the webhook, which takes each chat's updates as they come.
	h := startHarness(t, harnessOptions{webhook: true})
	olga := h.api.NewUser("Olga", "en")
	group := h.api.NewBasicGroup("KTR desk", olga)
	linkDesk(t, h, group, olga, "ktr")
	w := newIntakeUser(t, h, "ro")
	caseID := w.anonymousComplaint("Nu mi-au plătit salariul.")
	w.chooseDesk(serviceName(t, h, "ktr", "ro"))
	c := card(t, h, group, caseID, "Nu mi-au plătit salariul.")
	recorded(t, h, group.ID(), c)

	if err := group.Migrate(); err != nil {
		t.Fatal(err)
	}
	if err := group.Press(olga, c.ID, h.catalog.T("en", "desk_btn_take", nil)); err != nil {
		t.Fatal(err)
	}
	card(t, h, group, caseID, "Olga")
	waitText(t, w.u, firstLine(h.catalog.T("ro", "desk_worker_taken", map[string]any{"CaseID": caseID, "Name": serviceName(t, h, "ktr", "ro")})))
	if answers := group.CallbackAnswers(); len(answers) != 1 || answers[0].Text == h.catalog.T("en", "desk_not_linked", nil) {
		t.Errorf("the press was answered %+v", answers)
	}
	noErrorResponses(t, h.api)
}

// fnprDesk starts the bot, looking for what other processes queue ten
// times a second, with FNPR's desk in a plain group where Olga works.
func fnprDesk(t *testing.T) (*harness, *localapi.User, *localapi.Group) {
	t.Helper()
	h := startHarness(t, harnessOptions{rescan: 100 * time.Millisecond})
	olga := h.api.NewUser("Olga", "en")
	group := h.api.NewGroup("FNPR desk", olga)
	linkDesk(t, h, group, olga, "fnpr")
	return h, olga, group
}

// takenAtFNPR has a worker file an anonymous case with story and send it to
// FNPR, where Olga takes it; it returns the worker, the case and its card.
func takenAtFNPR(t *testing.T, h *harness, olga *localapi.User, group *localapi.Group, lang, story string) (*intakeUser, string, localapi.Message) {
	t.Helper()
	w := newIntakeUser(t, h, lang)
	caseID := w.anonymousComplaint(story)
	w.chooseDesk(serviceName(t, h, "fnpr", lang))
	pressIn(t, h, group, olga, card(t, h, group, caseID, story), h.catalog.T("en", "desk_btn_take", nil))
	return w, caseID, card(t, h, group, caseID, "Olga")
}

// The operator unlinks a desk from another process while the bot runs:
// the group is told, the taken case's card says the desk was unlinked and
// offers nothing more, and the worker hears and is offered the others.
func TestOperatorUnlinksARunningDesk(t *testing.T) {
	h, olga, group := fnprDesk(t)
	w, caseID, _ := takenAtFNPR(t, h, olga, group, "az", "Üç aydır maaş vermirlər.")
	fnpr := serviceName(t, h, "fnpr", "az")

	if out := unlinkOrg(t, h, "fnpr"); !strings.Contains(out, "1 open case(s)") {
		t.Errorf("org unlink said %q", out)
	}
	waitText(t, w.u, h.catalog.T("az", "desk_worker_unlinked", map[string]any{"CaseID": caseID, "Name": fnpr}))
	waitGroupText(t, group, firstLine(h.catalog.T("en", "desk_unlinked", map[string]any{"Name": serviceName(t, h, "fnpr", "en")})))
	c := card(t, h, group, caseID, h.catalog.T("en", "desk_status_unlinked", nil))
	if got := callbackData(c); len(got) > 0 {
		t.Errorf("the card of a case that left with its desk still offers %q", got)
	}
	noErrorResponses(t, h.api)
}

// A worker told their case was resolved says it is not, after the desk that
// resolved it was unlinked: the case goes back to routing, and the worker
// hears that and is offered the others, not that the desk has been told.
func TestFeedbackAfterTheDeskWent(t *testing.T) {
	h, olga, group := fnprDesk(t)
	w, caseID, c := takenAtFNPR(t, h, olga, group, "ka", "სამი თვეა ხელფასს არ მიხდიან.")
	fnpr := serviceName(t, h, "fnpr", "ka")
	resolveWithNote(t, h, group, olga, c, "solved", "The employer paid.")
	feedback := w.await("desk_worker_feedback")

	unlinkOrg(t, h, "fnpr")
	waitGroupText(t, group, firstLine(h.catalog.T("en", "desk_unlinked", map[string]any{"Name": serviceName(t, h, "fnpr", "en")})))
	before := len(group.Messages())
	if err := w.u.Press(feedback.ID, w.tr("desk_worker_feedback_no")); err != nil {
		t.Fatal(err)
	}
	waitText(t, w.u, h.catalog.T("ka", "desk_worker_unlinked", map[string]any{"CaseID": caseID, "Name": fnpr}))
	w.await("route_intro")
	waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)
	for _, m := range w.u.Messages() {
		for _, id := range []string{"desk_worker_feedback_reopened", "desk_worker_reopened", "desk_worker_feedback_thanks"} {
			if strings.Contains(m.Text, h.catalog.T("ka", id, map[string]any{"CaseID": caseID, "Name": fnpr})) {
				t.Errorf("the worker is told %s, of a desk that is gone: %q", id, m.Text)
			}
		}
	}
	if got := group.Messages()[before:]; len(got) > 0 {
		t.Errorf("the unlinked group was written to: %q", firstLine(got[0].Text))
	}
	db := reopen(t, h)
	ds, err := db.CaseDeliveries(context.Background(), caseID)
	if err != nil || len(ds) != 1 || ds[0].Status != store.DeliveryUnlinked {
		t.Errorf("deliveries: %+v %v", ds, err)
	}
	if cs, err := db.CaseByID(context.Background(), caseID); err != nil || cs.Status != store.CaseNew {
		t.Errorf("case status: %+v %v", cs.Status, err)
	}
	noErrorResponses(t, h.api)
}

// A desk refers a case to the worker's own state (an embassy linked as a
// desk), and nothing reaches the embassy unless the worker agrees:
//   - one worker says no: the case stays, the desk may not ask again, and the
//     embassy cannot call up the case's card with /case;
//   - another says yes after the embassy's desk was unlinked: told so, the
//     case stays, and the desk that asked hears why;
//   - a third says yes once it is linked again: the embassy gets the card;
//   - a fourth says yes after FNPR went away and the case went to KTR: KTR
//     did not ask, so nothing moves.
func TestDeskReferralToTheWorkersOwnState(t *testing.T) {
	h := startHarness(t, harnessOptions{rescan: 100 * time.Millisecond})
	api := h.api
	olga := api.NewUser("Olga", "en")
	fnprDesk := api.NewGroup("FNPR desk", olga)
	linkDesk(t, h, fnprDesk, olga, "fnpr")
	ion := api.NewUser("Ion", "ro")
	embassy := api.NewGroup("MD embassy desk", ion)
	linkDesk(t, h, embassy, ion, "md-embassy-moscow")
	vera := api.NewUser("Vera", "ru")
	ktrDesk := api.NewGroup("KTR desk", vera)
	linkDesk(t, h, ktrDesk, vera, "ktr")
	en := func(id string) string { return h.catalog.T("en", id, nil) }
	fnpr, embassyName := serviceName(t, h, "fnpr", "ru"), serviceName(t, h, "md-embassy-moscow", "ru")
	if h.db == nil {
		h.db = reopen(t, h)
	}

	// A Moldovan worker in Moscow whose passport was taken sends the case
	// to FNPR, where Olga takes it.
	story := func(n int) string {
		return fmt.Sprintf("Паспорт забрали, зарплату не платят (%d).", n)
	}
	file := func(n int) (*intakeUser, string) {
		t.Helper()
		w := newIntakeUser(t, h, "ru")
		w.toPlace([]string{"intake_cat_wages", "intake_cat_documents"}, "Москва", "intake_country_md")
		w.toReview("ООО Стройка", story(n))
		caseID := w.submit()
		w.chooseDesk(fnpr)
		pressIn(t, h, fnprDesk, olga, card(t, h, fnprDesk, caseID, story(n)), en("desk_btn_take"))
		card(t, h, fnprDesk, caseID, "Olga")
		return w, caseID
	}
	after := func(g *localapi.Group, before int, what string, match func(localapi.Message) bool) localapi.Message {
		t.Helper()
		return waitGroup(t, g, what, func(m localapi.Message) bool { return m.ID > before && !m.Deleted && match(m) })
	}
	last := func(msgs []localapi.Message) int {
		if len(msgs) == 0 {
			return 0
		}
		return msgs[len(msgs)-1].ID
	}
	// refer presses Refer on the case's card and returns the list offered.
	refer := func(caseID string) localapi.Message {
		t.Helper()
		before := last(fnprDesk.Messages())
		pressIn(t, h, fnprDesk, olga, card(t, h, fnprDesk, caseID, "Olga"), en("desk_btn_refer"))
		return after(fnprDesk, before, "answering Refer", func(m localapi.Message) bool {
			return strings.Contains(m.Text, caseID) || m.Text == en("desk_refer_none")
		})
	}
	// toEmbassy refers the case to the embassy and returns the worker's
	// question.
	toEmbassy := func(w *intakeUser, caseID string) localapi.Message {
		t.Helper()
		before := last(w.u.Messages())
		list := refer(caseID)
		target := ""
		for _, b := range buttonTexts(list) {
			if strings.HasPrefix(b, "⚠️") && strings.Contains(b, string([]rune(serviceName(t, h, "md-embassy-moscow", "en"))[:15])) {
				target = b
			}
		}
		if target == "" {
			t.Fatalf("the embassy is not offered, marked as the worker's state: %q %q", list.Text, buttonTexts(list))
		}
		pressIn(t, h, fnprDesk, olga, list, target)
		why := waitGroupText(t, fnprDesk, en("desk_refer_consent_note"))
		pressIn(t, h, fnprDesk, olga, why, en("desk_refer_reason_o"))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q, err := w.u.WaitFor(ctx, func(m localapi.Message) bool {
			return m.ID > before && slices.Contains(buttonTexts(m), w.tr("route_btn_consent"))
		})
		if err != nil {
			t.Fatalf("the worker was not asked: %v", err)
		}
		if !strings.Contains(q.Text, embassyName) {
			t.Errorf("the question does not name the embassy: %q", q.Text)
		}
		return q
	}
	nothingAtTheEmbassy := func(when string, n int, caseID string) {
		t.Helper()
		waitQuiet(api, 300*time.Millisecond, 5*time.Second)
		for _, m := range embassy.Messages() {
			if strings.Contains(m.Text+m.Caption, story(n)) || strings.HasPrefix(m.Text, "📋") && strings.Contains(m.Text, caseID) {
				t.Errorf("%s, the embassy got %q", when, firstLine(m.Text))
			}
		}
	}
	status := func(caseID, want string) {
		t.Helper()
		d, err := h.db.LatestDelivery(context.Background(), caseID, 0)
		if err != nil || d.ServiceID != "fnpr" || d.Status != want {
			t.Errorf("case %s is at %s, %s (%v); want fnpr, %s", caseID, d.ServiceID, d.Status, err, want)
		}
	}

	// mycases checks what /mycases says of where the case is.
	mycases := func(w *intakeUser, caseID, service, state string) {
		t.Helper()
		before := last(w.u.Messages())
		w.u.SendText("/mycases")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		list, err := w.u.WaitFor(ctx, func(m localapi.Message) bool {
			return m.ID > before && slices.ContainsFunc(buttonTexts(m), func(b string) bool { return strings.HasPrefix(b, caseID) })
		})
		if err != nil {
			t.Fatalf("/mycases lists no %s: %v", caseID, err)
		}
		for _, b := range buttonTexts(list) {
			if strings.HasPrefix(b, caseID) {
				if err := w.u.Press(list.ID, b); err != nil {
					t.Fatal(err)
				}
			}
		}
		waitNewMessage(t, w.u, len(w.u.Messages())-1, h.catalog.T("ru", "cases_desk", map[string]any{
			"Name": serviceName(t, h, service, "ru"), "State": h.catalog.T("ru", "cases_desk_"+state, nil)}))
	}

	// No.
	w1, case1 := file(1)
	q := toEmbassy(w1, case1)
	nothingAtTheEmbassy("asked for consent", 1, case1)
	status(case1, store.DeliveryTaken)
	mycases(w1, case1, "md-embassy-moscow", store.DeliveryAwaitingConsent)
	if err := w1.u.Press(q.ID, w1.tr("desk_worker_consent_no")); err != nil {
		t.Fatal(err)
	}
	waitText(t, w1.u, h.catalog.T("ru", "desk_worker_consent_refused", map[string]any{"CaseID": case1}))
	nothingAtTheEmbassy("after no", 1, case1)
	status(case1, store.DeliveryTaken)
	mycases(w1, case1, "fnpr", store.DeliveryTaken)
	if list := refer(case1); slices.ContainsFunc(buttonTexts(list), func(b string) bool { return strings.HasPrefix(b, "⚠️") }) {
		t.Errorf("after the worker's no, Refer offers the embassy again: %q", buttonTexts(list))
	}
	before := last(embassy.Messages())
	embassy.Send(ion, "/case "+case1)
	if m := after(embassy, before, "answering /case", func(m localapi.Message) bool { return strings.Contains(m.Text, case1) }); strings.HasPrefix(m.Text, "📋") {
		t.Errorf("/case shows the embassy the card of a case its worker kept from it:\n%s", m.Text)
	}
	nothingAtTheEmbassy("after /case", 1, case1)

	// Yes, to a desk gone meanwhile.
	w2, case2 := file(2)
	q = toEmbassy(w2, case2)
	unlinkOrg(t, h, "md-embassy-moscow")
	waitGroupText(t, embassy, firstLine(h.catalog.T("ro", "desk_unlinked", map[string]any{"Name": serviceName(t, h, "md-embassy-moscow", "ro")})))
	if err := w2.u.Press(q.ID, w2.tr("route_btn_consent")); err != nil {
		t.Fatal(err)
	}
	waitText(t, w2.u, h.catalog.T("ru", "desk_worker_consent_target_gone", map[string]any{"CaseID": case2}))
	waitGroupText(t, fnprDesk, h.catalog.T("en", "desk_consent_target_gone", map[string]any{"CaseID": case2, "To": serviceName(t, h, "md-embassy-moscow", "en")}))
	nothingAtTheEmbassy("unlinked, after yes", 2, case2)
	status(case2, store.DeliveryTaken)

	// Yes.
	linkDesk(t, h, embassy, ion, "md-embassy-moscow")
	w3, case3 := file(3)
	q = toEmbassy(w3, case3)
	nothingAtTheEmbassy("asked again", 3, case3)
	if err := w3.u.Press(q.ID, w3.tr("route_btn_consent")); err != nil {
		t.Fatal(err)
	}
	waitText(t, w3.u, h.catalog.T("ru", "desk_worker_consent_given", map[string]any{"CaseID": case3}))
	card(t, h, embassy, case3, story(3))
	card(t, h, fnprDesk, case3, en("desk_status_referred"))
	if d, err := h.db.LatestDelivery(context.Background(), case3, 0); err != nil || d.ServiceID != "md-embassy-moscow" || d.Status != store.DeliveryOpen {
		t.Errorf("case 3 is at %s, %s (%v)", d.ServiceID, d.Status, err)
	}

	// Yes to a question whose desk has gone, the case at another now.
	w4, case4 := file(4)
	q = toEmbassy(w4, case4)
	before = len(w4.u.Messages())
	unlinkOrg(t, h, "fnpr")
	offer := w4.after(before, "route_choose_receiving")
	ktr := serviceName(t, h, "ktr", "ru")
	label := ""
	for _, b := range buttonTexts(offer) {
		if strings.HasPrefix(b, "📨") && strings.Contains(b, string([]rune(ktr)[:20])) {
			label = b
		}
	}
	if label == "" {
		t.Fatalf("KTR is not offered after FNPR went: %q", buttonTexts(offer))
	}
	if err := w4.u.Press(offer.ID, label); err != nil {
		t.Fatal(err)
	}
	if err := w4.u.Press(w4.after(before, "route_send_confirm").ID, w4.tr("route_btn_send")); err != nil {
		t.Fatal(err)
	}
	card(t, h, ktrDesk, case4, story(4))
	before = len(w4.u.Messages())
	if err := w4.u.Press(q.ID, w4.tr("route_btn_consent")); err != nil {
		t.Fatal(err)
	}
	w4.after(before, "stale_button")
	nothingAtTheEmbassy("after yes to a question KTR never asked", 4, case4)
	if d, err := h.db.LatestDelivery(context.Background(), case4, 0); err != nil || d.ServiceID != "ktr" || d.Status != store.DeliveryOpen {
		t.Errorf("case 4 is at %s, %s (%v), not open at KTR", d.ServiceID, d.Status, err)
	}
	mycases(w4, case4, "ktr", "open")

	waitQuiet(api, 300*time.Millisecond, 5*time.Second)
	noErrorResponses(t, api)
	if strings.Contains(h.logs.String(), `"level":"error"`) {
		t.Error("an error was logged")
	}
}

// /delete reaches the desk: the card says "withdrawn, details erased" and
// shows nothing else, what was relayed to the group is deleted, and the
// relay stops both ways.
func TestDeleteErasesTheDeskSide(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	api := h.api
	olga := api.NewUser("Olga", "en")
	group := api.NewGroup("FNPR desk", olga)
	linkDesk(t, h, group, olga, "fnpr")
	w := newIntakeUser(t, h, "en")
	caseID := w.anonymousComplaint("My boss holds my passport.")
	w.chooseDesk(serviceName(t, h, "fnpr", "en"))
	c := card(t, h, group, caseID, "My boss holds my passport.")
	recorded(t, h, group.ID(), c)
	group.Reply(olga, c.ID, "We will call the employer.")
	w.answer(waitText(t, w.u, "We will call the employer."), "Thank you, the passport is in the safe.")
	relayed := waitGroupText(t, group, "the passport is in the safe")
	// Both relays settled (named after the case) before /delete, so both
	// are taken back in one request. One seen in the group but still being
	// settled is taken back alone as it settles (Sender.takeBack): a
	// different path, whose single request this count would include.
	// The evidence photo went before the relay: the sender keeps a chat's order.
	recorded(t, h, group.ID(), relayed)
	photos := 0
	for _, m := range group.Messages() {
		if m.Kind == "photo" {
			recorded(t, h, group.ID(), m)
			photos++
		}
	}
	if photos != 1 {
		t.Fatalf("%d evidence photos in the group before /delete, want 1", photos)
	}

	w.deleteEverything()
	c = card(t, h, group, caseID, h.catalog.T("en", "desk_card_erased", nil))
	for _, secret := range []string{"passport", "Moscow"} {
		if strings.Contains(c.Text, secret) {
			t.Errorf("the erased card still shows %q:\n%s", secret, c.Text)
		}
	}
	if len(c.InlineKeyboard) != 0 {
		t.Errorf("the erased card keeps buttons: %q", buttonTexts(c))
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		gone := true
		for _, m := range group.Messages() {
			if m.ID == relayed.ID && !m.Deleted || m.Kind == "photo" && !m.Deleted {
				gone = false
			}
		}
		if gone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the worker's relayed message and file are still in the group")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Taken back together, as a case's thread can hold many.
	together, alone := 0, 0
	for _, r := range api.Requests() {
		if r.ChatID == group.ID() && r.Method == "deleteMessages" {
			together++
		} else if r.ChatID == group.ID() && r.Method == "deleteMessage" {
			alone++
		}
	}
	if together != 1 || alone != 0 {
		t.Errorf("the relayed messages were taken back in %d deleteMessages and %d deleteMessage requests", together, alone)
	}
	// The relay stops: a caseworker's reply reaches nobody.
	before := len(w.u.Messages())
	recorded(t, h, group.ID(), c)
	group.Reply(olga, c.ID, "Are you there?")
	waitGroupText(t, group, strings.SplitN(h.catalog.T("en", "desk_relay_closed", map[string]any{"CaseID": caseID}), ":", 2)[0])
	if len(w.u.Messages()) != before {
		t.Error("a message reached the worker after /delete")
	}
	noErrorResponses(t, api)
}

// Two presses of Cancel on one prompt — a double tap on a slow line, or two
// caseworkers at once — both queued before the bot sees either: both are
// answered, the prompt is deleted once, and Telegram is not asked to
// delete it again.
func TestDeskCancelPressedTwice(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	api := h.api
	// The second desk is there for the referral list to offer.
	desks := linkTwoDesks(t, h, "ru")
	forum, aigerim, boris := desks.forum, desks.aigerim, desks.boris
	w := newIntakeUser(t, h, "ru")
	caseID := w.anonymousComplaint("Мне не платят зарплату.")
	w.chooseDesk(serviceName(t, h, "fnpr", "ru"))
	ru := func(id string) string { return h.catalog.T("ru", id, nil) }
	pressIn(t, h, forum, aigerim, card(t, h, forum, caseID, "зарплату"), ru("desk_btn_refer"))
	list := waitGroupText(t, forum, firstLine(strings.SplitN(h.catalog.T("ru", "desk_refer_prompt", map[string]any{"CaseID": caseID}), "(", 2)[0]))
	recorded(t, h, forum.ID(), list)
	cancel := ""
	for _, row := range list.InlineKeyboard {
		for _, b := range row {
			if b.Text == ru("desk_btn_cancel") {
				cancel = b.CallbackData
			}
		}
	}
	if cancel == "" {
		t.Fatalf("no Cancel under the referral list: %q", buttonTexts(list))
	}

	h.stop()
	for _, who := range []*localapi.User{aigerim, boris} {
		if err := forum.PressData(who, list.ID, cancel); err != nil {
			t.Fatal(err)
		}
	}
	h.start(harnessOptions{dbPath: h.dbPath})
	waitGroup(t, forum, "the list deleted", func(m localapi.Message) bool { return m.ID == list.ID && m.Deleted })
	awaitAnswered(forum)
	waitQuiet(api, 300*time.Millisecond, 5*time.Second)

	deletes := 0
	for _, r := range api.Requests() {
		if r.ChatID == forum.ID() && strings.HasPrefix(r.Method, "deleteMessage") {
			deletes++
		}
	}
	if deletes != 1 {
		t.Errorf("%d delete requests for the prompt, want 1", deletes)
	}
	if got := len(forum.CallbackAnswers()); got != 3 { // Refer, and the two Cancels
		t.Errorf("%d answers to 3 presses", got)
	}
	noErrorResponses(t, api)
}

// A forum whose people have not made the bot an administrator: the desk is
// told how, and its cards arrive in General, where a reply to a card
// reaches the worker, with no request Telegram would refuse. Made an
// administrator, the bot opens a topic per case and pins its card; demoted
// again, it goes back to General and says so.
func TestForumDeskWithoutTopicRights(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	api := h.api
	aigerim := api.NewUser("Aigerim", "en")
	forum := api.NewForum("FNPR — migrants", aigerim)
	linkDesk(t, h, forum, aigerim, "fnpr")
	noTopics := h.catalog.T("en", "desk_no_topics", nil)
	waitGroupText(t, forum, noTopics)

	newCase := func(lang, story string) (*intakeUser, string, localapi.Message) {
		t.Helper()
		w := newIntakeUser(t, h, lang)
		id := w.anonymousComplaint(story)
		w.chooseDesk(serviceName(t, h, "fnpr", lang))
		w.await("desk_worker_arrived")
		return w, id, card(t, h, forum, id, story)
	}
	w, id, c := newCase("ru", "Мне не платят зарплату три месяца.")
	if c.ThreadID != 0 || len(forum.Topics()) != 0 {
		t.Fatalf("a case got a topic the bot may not open: card thread %d, topics %+v", c.ThreadID, forum.Topics())
	}
	recorded(t, h, forum.ID(), c)
	forum.Reply(aigerim, c.ID, "How much are you owed?")
	// The worker's answer comes back under the card, in General.
	w.answer(waitText(t, w.u, "How much are you owed?"), "80 000 рублей")
	if a := waitGroupText(t, forum, "80 000 рублей"); a.ReplyTo != c.ID || len(forum.Topics()) != 0 {
		t.Errorf("the worker's answer replies to %d, not to the card %d (topics %+v)", a.ReplyTo, c.ID, forum.Topics())
	}

	forum.PromoteBot(aigerim)
	waitGroupText(t, forum, h.catalog.T("en", "desk_topics_again", nil))
	_, id2, c2 := newCase("en", "I have not been paid for three months.")
	topics := forum.Topics()
	if len(topics) != 1 || !strings.Contains(topics[0].Name, id2) || c2.ThreadID != topics[0].ID {
		t.Fatalf("the case did not get its topic once the bot could open one: topics %+v, card thread %d", topics, c2.ThreadID)
	}
	waitGroup(t, forum, "pinned", func(m localapi.Message) bool { return m.ID == c2.ID && m.Pinned })

	forum.DemoteBot(aigerim)
	waitGroup(t, forum, "saying topics stop", func(m localapi.Message) bool { return m.Text == noTopics && m.ID > c2.ID })
	_, _, c3 := newCase("ro", "Nu mi s-a plătit salariul de trei luni.")
	if c3.ThreadID != 0 || len(forum.Topics()) != 1 {
		t.Errorf("a case got a topic after the bot was demoted: card thread %d, topics %+v", c3.ThreadID, forum.Topics())
	}
	if got := card(t, h, forum, id, "Мне не платят"); got.ThreadID != 0 {
		t.Errorf("the first card moved to thread %d", got.ThreadID)
	}
	noErrorResponses(t, api)
}

// A caseworker corrects a message the worker got: the correction follows
// it, headed as one, text or a file's caption; so does the worker's of an
// answer the desk got. Edits of what was never passed on (a remark kept in
// the group) reach nobody, and once the worker has deleted the case,
// nothing is left to say which messages were passed on for it.
func TestCaseworkerCorrectsARelayedMessage(t *testing.T) {
	h, olga, group := fnprDesk(t)
	w, caseID, c := takenAtFNPR(t, h, olga, group, "ru", "Мне не платят зарплату три месяца.")
	recorded(t, h, group.ID(), c)
	fnpr := serviceName(t, h, "fnpr", "ru")
	corrected := firstLine(h.catalog.T("ru", "desk_worker_message_edited", map[string]any{"CaseID": caseID, "Name": fnpr}))

	remark := group.Reply(olga, c.ID, "! she sounded scared")
	sent := group.Reply(olga, c.ID, "Come to the office on Friday at 10:00.")
	waitText(t, w.u, "at 10:00")
	photo := group.SendPhoto(olga, 0, c.ID, "the form to fill in")
	waitText(t, w.u, h.catalog.T("ru", "desk_worker_message", map[string]any{"CaseID": caseID, "Name": fnpr}))

	if err := group.Edit(olga, remark, "! she sounded very scared"); err != nil {
		t.Fatal(err)
	}
	if err := group.Edit(olga, sent, "Come to the office on Friday at 12:00, not 10:00."); err != nil {
		t.Fatal(err)
	}
	m := waitText(t, w.u, "at 12:00")
	if !strings.Contains(m.Text, corrected) {
		t.Errorf("the correction is not headed as one:\n%s", m.Text)
	}
	if err := group.Edit(olga, photo, "the form, both pages"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !slices.ContainsFunc(w.u.Messages(), func(m localapi.Message) bool { return m.Caption == "the form, both pages" }) {
		if time.Now().After(deadline) {
			t.Fatal("the corrected caption did not reach the worker")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, m := range w.u.Messages() {
		if strings.Contains(m.Text+m.Caption, "scared") {
			t.Errorf("a remark kept in the group reached the worker: %q", m.Text)
		}
	}
	headed := 0
	for _, m := range w.u.Messages() {
		if strings.Contains(m.Text, corrected) {
			headed++
		}
	}
	if headed != 2 {
		t.Errorf("%d corrections headed, want 2 (the text, the caption)", headed)
	}

	// The worker corrects their answer too: the desk gets the correction,
	// headed as one, and the worker hears it went on.
	answer := w.answer(m, "Мне должны 4500.")
	waitGroupText(t, group, "Мне должны 4500.")
	if err := w.u.Edit(answer, "Мне должны 45 000 рублей."); err != nil {
		t.Fatal(err)
	}
	fixed := waitGroupText(t, group, "Мне должны 45 000 рублей.")
	if !strings.Contains(fixed.Text, h.catalog.T("en", "desk_from_worker_edited", map[string]any{"CaseID": caseID})) {
		t.Errorf("the worker's correction is not headed as one:\n%s", fixed.Text)
	}
	waitText(t, w.u, strings.SplitN(h.catalog.T("ru", "cases_correction_sent", map[string]any{"ID": caseID, "Name": fnpr}), " <b>", 2)[0])

	// The worker deletes everything: nothing says any more which messages
	// were passed on for the case, and a later edit reaches nobody.
	db := reopen(t, h)
	if _, err := db.DeskRelayCase(t.Context(), group.ID(), sent); err != nil {
		t.Fatalf("the relay was not recorded: %v", err)
	}
	w.deleteEverything()
	for _, id := range []int{sent, photo} {
		if got, err := db.DeskRelayCase(t.Context(), group.ID(), id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after /delete, message %d is still known as passed on for %q (%v)", id, got, err)
		}
	}
	before := len(w.u.Messages())
	if err := group.Edit(olga, sent, "Come to the office on Monday."); err != nil {
		t.Fatal(err)
	}
	group.Send(olga, "/case "+caseID) // answered after the edit is handled
	waitGroupText(t, group, caseID)
	if len(w.u.Messages()) != before {
		t.Errorf("an edit after /delete reached the worker: %+v", w.u.Messages()[before:])
	}
	noErrorResponses(t, h.api)
}

// Boris took a case and left the organisation: Aigerim takes it over from
// the card, which then names her and says from whom she took it. The
// worker, whose case stays with FNPR, hears nothing of it. Pressing it
// again tells her the case is hers already, with nothing changed.
func TestColleagueTakesOverACase(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	desks := linkTwoDesks(t, h, "ru")
	forum, aigerim, boris := desks.forum, desks.aigerim, desks.boris
	ru := func(id string) string { return h.catalog.T("ru", id, nil) }
	w := newIntakeUser(t, h, "ru")
	story := "Паспорт забрал работодатель."
	caseID := w.anonymousComplaint(story)
	fnpr := serviceName(t, h, "fnpr", "ru")
	w.chooseDesk(fnpr)
	pressIn(t, h, forum, boris, card(t, h, forum, caseID, story), ru("desk_btn_take"))
	c := card(t, h, forum, caseID, "Boris")
	waitText(t, w.u, firstLine(strings.Split(h.catalog.T("ru", "desk_worker_taken", map[string]any{"CaseID": caseID, "Name": fnpr}), "\n")[0]))
	waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)
	toWorker := len(w.u.Messages())

	forum.Leave(boris)
	pressIn(t, h, forum, aigerim, c, ru("desk_btn_take_over"))
	c = card(t, h, forum, caseID, "Boris → Aigerim")
	assignee := h.catalog.T("ru", "desk_card_assignee", map[string]any{"Name": "Aigerim"})
	if !strings.Contains(c.Text, assignee) {
		t.Errorf("the card does not name Aigerim as the one who has it:\n%s", c.Text)
	}
	pressIn(t, h, forum, aigerim, c, ru("desk_btn_take_over"))
	deadline := time.Now().Add(10 * time.Second)
	for {
		answers := forum.CallbackAnswers()
		if len(answers) > 0 && answers[len(answers)-1].Text == ru("desk_already_yours") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer %q to the second press: %+v", ru("desk_already_yours"), answers)
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)
	if got := w.u.Messages(); len(got) != toWorker {
		t.Errorf("the worker was told of a change inside FNPR: %+v", got[toWorker:])
	}
	if again := card(t, h, forum, caseID, "Aigerim"); strings.Count(again.Text, "→") != 1 {
		t.Errorf("the refused press changed the card:\n%s", again.Text)
	}
	noErrorResponses(t, h.api)
}

// A forum's people delete a case's topic, its card with it, as desks tidy
// up. The worker's answer still reaches them, in General, where /case
// brings the card back and replying to the answer reaches the worker.
// Then someone deletes the card itself: its next change brings it back.
// Telegram refuses one request for the topic and one for the card, and
// nothing is lost.
func TestDeskTopicAndCardDeleted(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	desks := linkTwoDesks(t, h, "ru")
	forum, aigerim, boris := desks.forum, desks.aigerim, desks.boris
	ru := func(id string) string { return h.catalog.T("ru", id, nil) }
	w := newIntakeUser(t, h, "ru")
	story := "Мне не платят зарплату."
	caseID := w.anonymousComplaint(story)
	w.chooseDesk(serviceName(t, h, "fnpr", "ru"))
	pressIn(t, h, forum, boris, card(t, h, forum, caseID, story), ru("desk_btn_take"))
	c := card(t, h, forum, caseID, "Boris")
	forum.ReplyInTopic(boris, c.ThreadID, c.ID, "Сколько вам должны?")
	q := waitText(t, w.u, "Сколько вам должны?")
	waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)
	refusals := func() int {
		n := 0
		for _, r := range h.api.Requests() {
			if r.ChatID == forum.ID() && r.Status == 400 {
				n++
			}
		}
		return n
	}

	if err := forum.DeleteTopic(aigerim, c.ThreadID); err != nil {
		t.Fatal(err)
	}
	w.answer(q, "80 000 рублей")
	answer := waitGroupText(t, forum, "80 000 рублей")
	if answer.ThreadID != 0 {
		t.Errorf("the answer went to thread %d, not General", answer.ThreadID)
	}
	forum.Send(boris, "/case "+caseID)
	again := card(t, h, forum, caseID, "Boris")
	if again.ThreadID != 0 {
		t.Errorf("the card came back in thread %d, not General", again.ThreadID)
	}
	recorded(t, h, forum.ID(), answer)
	forum.Reply(boris, answer.ID, "Спасибо, мы позвоним работодателю.")
	waitText(t, w.u, "мы позвоним работодателю")
	waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)
	if n := refusals(); n != 1 {
		t.Errorf("%d requests refused after the topic went, want the one that found it gone", n)
	}

	// Boris asks from the card; someone deletes the card; the worker's
	// answer changes the case, and the card comes back.
	pressIn(t, h, forum, boris, again, ru("desk_btn_ask"))
	prompt := waitGroupText(t, forum, "Boris,")
	recorded(t, h, forum.ID(), prompt)
	forum.Reply(boris, prompt.ID, "Есть ли у вас договор?")
	q2 := waitText(t, w.u, "Есть ли у вас договор?")
	asked := card(t, h, forum, caseID, ru("desk_card_asked"))
	if err := forum.DeleteMessage(aigerim, asked.ID); err != nil {
		t.Fatal(err)
	}
	w.answer(q2, "Договора нет")
	waitGroupText(t, forum, "Договора нет")
	back := waitGroup(t, forum, "the card back", func(m localapi.Message) bool {
		return !m.Deleted && m.ID != asked.ID && strings.HasPrefix(m.Text, "📋") && strings.Contains(m.Text, caseID) &&
			!strings.Contains(m.Text, ru("desk_card_asked"))
	})
	pressIn(t, h, forum, aigerim, back, ru("desk_btn_take_over"))
	card(t, h, forum, caseID, "Boris → Aigerim")
	waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)
	if n := refusals(); n != 2 {
		t.Errorf("%d requests refused in all, want the topic's and the card's", n)
	}
}

// In a desk that holds many cases, each caseworker finds their own with
// one press under /cases: the cases they took, none of a colleague's, in
// the topic they asked from. The list offers the press only when someone
// holds a case.
func TestMyCasesUnderTheCaseList(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	desks := linkTwoDesks(t, h, "ru")
	forum, aigerim, boris := desks.forum, desks.aigerim, desks.boris
	ru := func(id string, data map[string]any) string { return h.catalog.T("ru", id, data) }
	var ids []string
	for i := range 3 {
		w := newIntakeUser(t, h, "ru")
		ids = append(ids, w.anonymousComplaint(fmt.Sprintf("Мне не платят зарплату [%d].", i)))
		w.chooseDesk(serviceName(t, h, "fnpr", "ru"))
		card(t, h, forum, ids[i], "")
	}
	list := func(who *localapi.User) localapi.Message {
		t.Helper()
		forum.Send(who, "/cases")
		return waitGroup(t, forum, "/cases", func(m localapi.Message) bool {
			return !m.Deleted && strings.HasPrefix(m.Text, ru("desk_cases_title", map[string]any{"Count": 3}))
		})
	}
	if m := list(boris); len(m.InlineKeyboard) > 0 {
		t.Errorf("/cases with no case taken offers %q", buttonTexts(m))
	}
	pressIn(t, h, forum, boris, card(t, h, forum, ids[0], ""), ru("desk_btn_take", nil))
	card(t, h, forum, ids[0], "Boris")
	pressIn(t, h, forum, aigerim, card(t, h, forum, ids[1], ""), ru("desk_btn_take", nil))
	c2 := card(t, h, forum, ids[1], "Aigerim")

	mine := func(who *localapi.User, on localapi.Message, title string) localapi.Message {
		t.Helper()
		// The list is no named message: nothing to wait for the bot to
		// record before pressing.
		if err := forum.Press(who, on.ID, ru("desk_btn_my_cases", nil)); err != nil {
			t.Fatalf("press: %v (buttons %q)", err, buttonTexts(on))
		}
		return waitGroupText(t, forum, title)
	}
	borisTitle := ru("desk_cases_mine_title", map[string]any{"Name": "Boris", "Count": 1})
	got := mine(boris, list(boris), borisTitle)
	if !strings.Contains(got.Text, ids[0]) || strings.Contains(got.Text, ids[1]) || strings.Contains(got.Text, ids[2]) {
		t.Errorf("Boris's cases are %s; the list reads:\n%s", ids[0], got.Text)
	}
	// Each case's number opens its card.
	c1 := card(t, h, forum, ids[0], "Boris")
	link := fmt.Sprintf(`<a href="https://t.me/c/%d/%d">%s</a>`, -forum.ID()-1_000_000_000_000, c1.ID, ids[0])
	if !strings.Contains(got.Text, link) {
		t.Errorf("the list does not link %s to its card (%s):\n%s", ids[0], link, got.Text)
	}
	// Asked from a case's topic, the answer comes there.
	forum.SendInTopic(aigerim, c2.ThreadID, "/cases")
	inTopic := waitGroup(t, forum, "/cases in a topic", func(m localapi.Message) bool {
		return !m.Deleted && m.ThreadID == c2.ThreadID && strings.HasPrefix(m.Text, ru("desk_cases_title", map[string]any{"Count": 3}))
	})
	got = mine(aigerim, inTopic, ru("desk_cases_mine_title", map[string]any{"Name": "Aigerim", "Count": 1}))
	if !strings.Contains(got.Text, ids[1]) || strings.Contains(got.Text, ids[0]) || got.ThreadID != c2.ThreadID {
		t.Errorf("Aigerim's cases are %s, in thread %d; got thread %d:\n%s", ids[1], c2.ThreadID, got.ThreadID, got.Text)
	}
	// Aigerim takes Boris's case over: he holds none now.
	pressIn(t, h, forum, aigerim, card(t, h, forum, ids[0], "Boris"), ru("desk_btn_take_over", nil))
	card(t, h, forum, ids[0], "Boris → Aigerim")
	mine(boris, list(boris), ru("desk_cases_mine_none", map[string]any{"Name": "Boris"}))
	got = mine(aigerim, list(aigerim), ru("desk_cases_mine_title", map[string]any{"Name": "Aigerim", "Count": 2}))
	if !strings.Contains(got.Text, ids[0]) || !strings.Contains(got.Text, ids[1]) || strings.Contains(got.Text, ids[2]) {
		t.Errorf("Aigerim's cases are %s and %s; the list reads:\n%s", ids[0], ids[1], got.Text)
	}
	// Someone who left the group cannot list anyone's cases.
	last := list(boris)
	forum.Leave(boris)
	if err := forum.Press(boris, last.ID, ru("desk_btn_my_cases", nil)); err != nil {
		t.Fatal(err)
	}
	waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)
	answers := forum.CallbackAnswers()
	if a := answers[len(answers)-1]; a.Text != ru("desk_not_member", nil) {
		t.Errorf("a press after leaving was answered %q", a.Text)
	}
}
