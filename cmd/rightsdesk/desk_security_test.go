package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/store"
)

// deskSnapshot is everything a refused desk action must leave as it was:
// the desks, the case's deliveries (with their revisions), its status and
// timeline, the link codes' use and what waits in the outbox.
func deskSnapshot(t *testing.T, db *store.DB, caseID string) string {
	t.Helper()
	ctx := context.Background()
	// Outside writes are seen from the next transaction on.
	if err := db.NoticeOutsideWrites(ctx); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	orgs, err := db.Orgs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		fmt.Fprintf(&b, "org %s chat %d lang %s open %d\n", o.ServiceID, o.ChatID, o.Language, o.OpenCases)
	}
	ds, err := db.CaseDeliveries(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		fmt.Fprintf(&b, "delivery %d %s %s rev %d assignee %d asked %v outcome %q notes %q\n",
			d.ID, d.ServiceID, d.Status, d.Revision, d.Assignee, d.Asked, d.Outcome, d.Notes)
	}
	c, err := db.CaseByID(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	events, err := db.CaseEvents(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "case %s %s events %d\n", c.ID, c.Status, len(events))
	return b.String()
}

// Every refusal the desk makes, each against a case at a desk: nothing
// changes in the store, the person is told (or, in a group that is no desk,
// nothing is said), and the log carries ids only.
func TestDeskRefusalsChangeNothing(t *testing.T) {
	h := startHarness(t, harnessOptions{})
	api := h.api
	aigerim, boris := api.NewUser("Aigerim", "en"), api.NewUser("Boris", "en")
	forum := api.NewForum("FNPR desk", aigerim, boris)
	forum.PromoteBot(aigerim)
	linkDesk(t, h, forum, aigerim, "fnpr")
	dana := api.NewUser("Dana", "en")
	other := api.NewGroup("KTR desk", dana)
	linkDesk(t, h, other, dana, "ktr")

	w := newIntakeUser(t, h, "en")
	caseID := w.anonymousComplaint("They keep my wages.")
	w.chooseDesk(serviceName(t, h, "fnpr", "en"))
	c := card(t, h, forum, caseID, "They keep my wages.")
	en := func(id string) string { return h.catalog.T("en", id, nil) }
	db := reopen(t, h)

	used := linkCode(t, h, "ktr") // its desk exists: refused, the code stays unused
	expiredDB := reopen(t, h)
	expiredDB.Now = func() time.Time { return time.Now().Add(-25 * time.Hour) }
	expired, err := expiredDB.NewLinkCode(context.Background(), "md-embassy-moscow")
	if err != nil {
		t.Fatal(err)
	}
	spare := api.NewGroup("Somebody's group", boris)

	// toast waits for the answer to the last press in a group.
	toast := func(g *localapi.Group, want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if a := g.CallbackAnswers(); len(a) > 0 && a[len(a)-1].Text == want {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("no toast %q; answers %+v", want, g.CallbackAnswers())
	}
	cases := []struct {
		name string
		act  func()
	}{
		{"a wrong link code", func() {
			spare.Send(boris, "/link AAAA-BBBB-CCCC")
			waitGroupText(t, spare, en("desk_link_bad_code"))
		}},
		{"an expired link code", func() {
			spare.Send(boris, "/link "+expired)
			waitGroupText(t, spare, en("desk_link_bad_code"))
		}},
		{"a code for a service linked already", func() {
			spare.Send(boris, "/link "+used)
			waitGroupText(t, spare, en("desk_link_taken"))
		}},
		{"/link in a private chat", func() {
			w.u.SendText("/link " + used)
			waitText(t, w.u, en("desk_link_private"))
		}},
		{"another desk's button for this case", func() {
			m := other.Send(dana, "/cases")
			_ = m
			list := waitGroupText(t, other, en("desk_cases_none"))
			if err := other.PressData(dana, list.ID, "v1:d:t:"+caseID+":1"); err != nil {
				t.Fatal(err)
			}
			toast(other, en("desk_button_refused"))
		}},
		{"a forged button", func() {
			if err := forum.PressData(boris, c.ID, "v1:d:t:RD-ZZZZ-ZZZZ:x"); err != nil {
				t.Fatal(err)
			}
			toast(forum, en("desk_button_refused"))
		}},
		{"a button of an older revision", func() {
			if err := forum.PressData(boris, c.ID, "v1:d:t:"+caseID+":0"); err != nil {
				t.Fatal(err)
			}
			toast(forum, en("desk_button_stale"))
		}},
		{"a removed caseworker", func() {
			forum.Kick(aigerim, boris)
			if err := forum.Press(boris, c.ID, en("desk_btn_take")); err != nil {
				t.Fatal(err)
			}
			toast(forum, en("desk_not_member"))
		}},
		{"a message longer than a relay can carry", func() {
			long := strings.Repeat("ж", 4096)
			forum.SendInTopic(aigerim, c.ThreadID, long)
			waitGroupText(t, forum, strings.SplitN(en("desk_relay_too_long"), ":", 2)[0])
		}},
		{"a sticker from a caseworker", func() {
			forum.SendSticker(aigerim, c.ThreadID, 0)
			waitGroupText(t, forum, en("desk_relay_unsupported"))
		}},
	}
	for _, tc := range cases {
		before := deskSnapshot(t, db, caseID)
		workerSaw := len(w.u.Messages())
		tc.act()
		waitQuiet(api, 200*time.Millisecond, 5*time.Second)
		if after := deskSnapshot(t, db, caseID); after != before {
			t.Errorf("%s changed the store:\nbefore:\n%s\nafter:\n%s", tc.name, before, after)
		}
		if tc.name != "/link in a private chat" && len(w.u.Messages()) != workerSaw {
			t.Errorf("%s reached the worker", tc.name)
		}
	}

	// A replayed press after the case moved: Aigerim takes it; the same
	// button pressed again is refused and the assignee stays.
	before := deskSnapshot(t, db, caseID)
	pressIn(t, h, forum, aigerim, c, en("desk_btn_take"))
	card(t, h, forum, caseID, "Aigerim")
	taken := deskSnapshot(t, db, caseID)
	if taken == before {
		t.Fatal("the take changed nothing")
	}
	// The old card's data, as a client that did not redraw sends it.
	if err := forum.PressData(aigerim, c.ID, c.InlineKeyboard[0][0].CallbackData); err != nil {
		t.Fatal(err)
	}
	toast(forum, en("desk_button_stale"))
	if after := deskSnapshot(t, db, caseID); after != taken {
		t.Errorf("a replayed take changed the store:\n%s\n%s", taken, after)
	}

	// Messages in a group that is no desk: silence, nothing stored.
	quiet := api.NewGroup("Random group", aigerim)
	quiet.Send(aigerim, "hello everyone")
	waitQuiet(api, 200*time.Millisecond, 5*time.Second)
	if len(quiet.Messages()) != 0 {
		t.Errorf("the bot spoke in a group that is no desk: %+v", quiet.Messages())
	}
	noErrorResponses(t, api)
	if strings.Contains(h.logs.String(), "They keep my wages") || strings.Contains(h.logs.String(), "ж") {
		t.Error("the log carries message text")
	}
}
