package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/store"
)

// countIn counts a desk's messages holding want.
func countIn(g *localapi.Group, want string) int {
	n := 0
	for _, m := range g.Messages() {
		if !m.Deleted && strings.Contains(m.Text, want) {
			n++
		}
	}
	return n
}

// A case nobody takes: one reminder past the desk's 48 hours, then, past
// 96, it goes on to the next organisation that receives cases here, and the
// worker is told. Each desk gets its week once; a week after the case is
// resolved the worker is asked once more whether the problem is solved.
// The jobs run on a clock the test moves.
func TestDeskDeadlinesDigestsAndFollowUps(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	h := startHarness(t, harnessOptions{jobs: jobsConfig{Deadlines: never, Digest: never, FollowUp: never, RetentionDays: 365},
		jobsNow: clock.Now})
	api := h.api
	olga, dana := api.NewUser("Olga", "en"), api.NewUser("Dana", "ru")
	fnpr := api.NewGroup("FNPR desk", olga)
	linkDesk(t, h, fnpr, olga, "fnpr")
	ktr := api.NewGroup("KTR desk", dana)
	linkDesk(t, h, ktr, dana, "ktr")

	w := newIntakeUser(t, h, "az")
	caseID := w.anonymousComplaint("Maaşımı üç aydır vermirlər.")
	fnprName, ktrName := serviceName(t, h, "fnpr", "az"), serviceName(t, h, "ktr", "az")
	w.chooseDesk(fnprName)
	card(t, h, fnpr, caseID, "Maaşımı")
	start := time.Now()

	reminder := strings.SplitN(h.catalog.T("en", "desk_deadline_reminder", map[string]any{"CaseID": caseID, "Hours": "\x00"}), "\x00", 2)[0]
	clock.Set(start.Add(47 * time.Hour))
	h.jobs.RunNow("deadlines") // not yet: the target is 48 h
	clock.Set(start.Add(49 * time.Hour))
	for range 2 {
		if err := h.jobs.RunNow("deadlines"); err != nil {
			t.Fatal(err)
		}
	}
	waitGroupText(t, fnpr, reminder)
	// Not yet, then once only.
	clock.Set(start.Add(90 * time.Hour))
	h.jobs.RunNow("deadlines")
	waitQuiet(api, 300*time.Millisecond, 5*time.Second)
	if n := countIn(fnpr, reminder); n != 1 {
		t.Fatalf("%d reminders, want one", n)
	}

	clock.Set(start.Add(97 * time.Hour))
	h.jobs.RunNow("deadlines")
	card(t, h, fnpr, caseID, h.catalog.T("en", "desk_status_escalated", nil))
	card(t, h, ktr, caseID, "Maaşımı")
	waitGroupText(t, ktr, h.catalog.T("ru", "desk_refer_reason_t", nil))
	waitText(t, w.u, h.catalog.T("az", "desk_worker_escalated_to", map[string]any{"CaseID": caseID, "Name": fnprName, "To": ktrName}))
	db := reopen(t, h)
	ds, err := db.CaseDeliveries(context.Background(), caseID)
	if err != nil || len(ds) != 2 || ds[0].Status != store.DeliveryEscalated || ds[0].ReferredTo != "ktr" || ds[1].Status != store.DeliveryOpen {
		t.Fatalf("deliveries after escalation: %+v %v", ds, err)
	}

	// Each desk's week, once.
	for range 2 {
		h.jobs.RunNow("digest")
	}
	waitQuiet(api, 300*time.Millisecond, 5*time.Second)
	for _, g := range []*localapi.Group{fnpr, ktr} {
		if n := countIn(g, "📊"); n != 1 {
			t.Errorf("%s got %d digests, want one", g.Title(), n)
		}
	}

	// KTR resolves it; the worker does not answer; a week later they are
	// asked again, once.
	ru := func(id string) string { return h.catalog.T("ru", id, nil) }
	c := card(t, h, ktr, caseID, "Maaşımı")
	pressIn(t, h, ktr, dana, c, ru("desk_btn_take"))
	c = card(t, h, ktr, caseID, "Dana")
	pressIn(t, h, ktr, dana, c, ru("desk_btn_resolve"))
	outcomes := waitGroupText(t, ktr, strings.SplitN(h.catalog.T("ru", "desk_resolve_prompt", map[string]any{"CaseID": caseID}), caseID, 2)[0])
	pressIn(t, h, ktr, dana, outcomes, ru("desk_outcome_solved"))
	note := waitGroupText(t, ktr, "Dana,")
	pressIn(t, h, ktr, dana, note, ru("desk_btn_no_note"))
	confirm := waitGroupText(t, ktr, strings.SplitN(h.catalog.T("ru", "desk_resolve_confirm", map[string]any{"CaseID": caseID, "Outcome": "\x00"}), "\x00", 2)[0])
	pressIn(t, h, ktr, dana, confirm, ru("desk_btn_resolve_yes"))
	w.await("desk_worker_feedback")
	followUp := strings.SplitN(h.catalog.T("az", "desk_worker_followup", map[string]any{"Name": ktrName, "CaseID": caseID}), "?", 2)[0]
	clock.Set(time.Now().Add(6 * 24 * time.Hour))
	h.jobs.RunNow("follow-up")
	clock.Set(time.Now().Add(8 * 24 * time.Hour))
	h.jobs.RunNow("follow-up")
	h.jobs.RunNow("follow-up")
	waitText(t, w.u, followUp)
	waitQuiet(api, 300*time.Millisecond, 5*time.Second)
	n := 0
	for _, m := range w.u.Messages() {
		if strings.Contains(m.Text, followUp) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d follow-ups, want one", n)
	}
	noErrorResponses(t, api)
}

// A taken case gone quiet: a week without a word between the desk and the
// worker brings the desk one reminder under the case's card, and one more
// each further week, and the desk's week counts it; a message to the
// worker starts the count anew.
func TestQuietCaseReminder(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	h := startHarness(t, harnessOptions{jobs: jobsConfig{Deadlines: never, Digest: never, FollowUp: never, RetentionDays: 365},
		jobsNow: clock.Now})
	olga := h.api.NewUser("Olga", "en")
	group := h.api.NewGroup("FNPR desk", olga)
	linkDesk(t, h, group, olga, "fnpr")
	w, caseID, c := takenAtFNPR(t, h, olga, group, "ru", "Работодатель забрал паспорт.")
	taken := time.Now()
	quiet := strings.SplitN(h.catalog.T("en", "desk_quiet_reminder", map[string]any{"CaseID": caseID, "Days": "\x00"}), "\x00", 2)[0]
	reminders := func(at time.Time, want int) {
		t.Helper()
		clock.Set(at)
		for range 2 {
			if err := h.jobs.RunNow("deadlines"); err != nil {
				t.Fatal(err)
			}
		}
		waitQuiet(h.api, 300*time.Millisecond, 5*time.Second)
		if n := countIn(group, quiet); n != want {
			t.Fatalf("%v after: %d quiet reminders, want %d", at.Sub(taken).Round(time.Hour), n, want)
		}
	}
	day := 24 * time.Hour
	reminders(taken.Add(6*day), 0)
	reminders(taken.Add(8*day), 1)
	for _, m := range group.Messages() {
		if strings.Contains(m.Text, quiet) && m.ReplyTo != c.ID {
			t.Errorf("the reminder is not under the case's card: reply to %d, card %d", m.ReplyTo, c.ID)
		}
	}
	reminders(taken.Add(13*day), 1)
	reminders(taken.Add(15*day), 2)
	// The desk's week counts it.
	var quietLine string
	for _, line := range strings.Split(h.catalog.T("en", "desk_digest", map[string]any{"Name": "-", "New": "-", "Open": "-",
		"Overdue": "-", "Quiet": "\x00", "Resolved": "-"}), "\n") {
		if strings.Contains(line, "\x00") {
			quietLine = strings.ReplaceAll(line, "\x00", "1")
		}
	}
	if err := h.jobs.RunNow("digest"); err != nil {
		t.Fatal(err)
	}
	waitGroupText(t, group, quietLine)

	group.Reply(olga, c.ID, "Мы подготовили заявление, позвоните нам.")
	waitText(t, w.u, "Мы подготовили заявление")
	wrote := time.Now()
	reminders(wrote.Add(6*day), 2)
	reminders(wrote.Add(8*day), 3)
	noErrorResponses(t, h.api)
}
