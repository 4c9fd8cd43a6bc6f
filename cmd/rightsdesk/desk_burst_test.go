package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
	"github.com/rightsdesk/rightsdesk/store"
)

// Fifty workers send their cases to one desk at once: every card arrives,
// in the order the cases were handed over, and the group never gets more
// messages in a window than the pacing allows. The window is shortened to a
// second so the test takes seconds; the rule is the same as a minute's.
func TestDeskBurstArrivesCompleteInOrderWithinPacing(t *testing.T) {
	limits := telegram.DefaultLimits()
	limits.GroupPerMinute = 20
	limits.GroupWindow = time.Second
	h := startHarness(t, harnessOptions{limits: &limits})
	api := h.api
	boss := api.NewUser("Olga", "en")
	desk := api.NewGroup("Union desk", boss)
	linkDesk(t, h, desk, boss, "fnpr")
	db := reopen(t, h)
	ctx := context.Background()

	const n = 50
	type sender struct {
		u      *localapi.User
		msg    int
		caseID string
	}
	senders := make([]sender, n)
	for i := range senders {
		u := api.NewUser(fmt.Sprintf("W%02d", i), "en")
		u.SendText("/start")
		welcome := waitText(t, u, h.catalog.T("en", "start_welcome", nil)[:20])
		id := store.NewCaseID()
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.CreateCase(store.NewCase{ID: id, ChatID: u.ChatID(), Details: store.CaseDetails{
				Language: "en", Identity: "anonymous", Categories: []string{"wages"}, ContactMethod: "bot",
				Place:       &store.CasePlace{Name: "Moscow", Country: "RU", Lat: 55.75, Lon: 37.62},
				Description: fmt.Sprintf("Burst case number %02d.", i)}}); err != nil {
				return err
			}
			return tx.SaveRouteOffer(id, 1, []store.RouteOffer{{ServiceID: "fnpr", Receives: true}})
		})
		if err != nil {
			t.Fatal(err)
		}
		senders[i] = sender{u: u, msg: welcome.ID, caseID: id}
	}
	for _, s := range senders {
		if err := s.u.PressData(s.msg, "v1:r:"+s.caseID+":1:y1"); err != nil {
			t.Fatal(err)
		}
	}
	// Every card arrives.
	deadline := time.Now().Add(30 * time.Second)
	var cards []string
	for time.Now().Before(deadline) {
		cards = cards[:0]
		for _, m := range desk.Messages() {
			if strings.HasPrefix(m.Text, "📋") {
				cards = append(cards, m.Text[strings.Index(m.Text, "RD-"):][:12])
			}
		}
		if len(cards) == n {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(cards) != n {
		t.Fatalf("%d of %d cards arrived", len(cards), n)
	}
	// In the order the desk received them (its deliveries' order).
	type handed struct {
		id     int64
		caseID string
		worker *localapi.User
	}
	var order []handed
	for _, s := range senders {
		ds, err := db.CaseDeliveries(ctx, s.caseID)
		if err != nil || len(ds) != 1 || ds[0].Status != store.DeliveryOpen {
			t.Fatalf("case %s deliveries %+v %v", s.caseID, ds, err)
		}
		order = append(order, handed{id: ds[0].ID, caseID: s.caseID, worker: s.u})
	}
	slices.SortFunc(order, func(a, b handed) int { return int(a.id - b.id) })
	for i, o := range order {
		if cards[i] != o.caseID {
			t.Fatalf("card %d is %s, want %s (the %d-th handed over)", i, cards[i], o.caseID, i+1)
		}
	}
	// Every worker heard their case arrived.
	for _, o := range order {
		waitText(t, o.worker, h.catalog.T("en", "desk_worker_arrived", map[string]any{"CaseID": o.caseID, "Name": serviceName(t, h, "fnpr", "en")}))
	}
	// No window held more sends to the group than the limit.
	var sends []time.Time
	for _, r := range api.Requests() {
		if r.ChatID == desk.ID() && r.Method == "sendMessage" && r.Status == 200 {
			sends = append(sends, r.At)
		}
	}
	for i := range sends {
		if j := i + limits.GroupPerMinute; j < len(sends) && sends[j].Sub(sends[i]) < limits.GroupWindow {
			t.Fatalf("%d messages to the desk within %v", limits.GroupPerMinute+1, limits.GroupWindow)
		}
	}
	noErrorResponses(t, api)
}
