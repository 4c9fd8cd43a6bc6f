package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/desk/casework"
	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// The real binary is killed with SIGKILL while two caseworkers race to
// take the same cases and messages are relayed both ways. After it comes
// back: every case is taken exactly once, by one of them, and its card
// says so; every relayed message arrived, none more than once per kill.
func TestDeskCrashDuringTakeAndRelay(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it; skipped with -short")
	}
	const cases, kills = 8, 3
	bb := startBinaryBot(t, "desk-crash")
	api, proc, dbPath := bb.api, bb.proc, bb.dbPath
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}

	ana, bo := api.NewUser("Ana", "en"), api.NewUser("Bo", "en")
	forum := api.NewForum("Union desk", ana, bo)
	forum.PromoteBot(ana)
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"org", "link", "fnpr", "-db", dbPath}, &out, &errs); err != nil {
		t.Fatal(err, errs.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	forum.Send(ana, "/link "+lines[len(lines)-1])
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := forum.WaitFor(ctx, func(m localapi.Message) bool { return strings.Contains(m.Text, "desk of") }); err != nil {
		t.Fatalf("not linked: %v\n%s", err, tail(proc.logPath))
	}

	db, err := storeFlags{DBPath: dbPath}.open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type work struct {
		u      *localapi.User
		caseID string
	}
	works := make([]work, cases)
	for i := range works {
		u := api.NewUser(fmt.Sprintf("W%d", i), "en")
		u.SendText("/start")
		welcome, err := u.WaitFor(ctx, func(m localapi.Message) bool { return strings.Contains(m.Text, "rightsdesk") })
		if err != nil {
			t.Fatal(err)
		}
		id := store.NewCaseID()
		if err := db.Update(context.Background(), func(tx *store.Tx) error {
			if err := tx.CreateCase(store.NewCase{ID: id, ChatID: u.ChatID(), Details: store.CaseDetails{Language: "en",
				Categories: []string{"wages"}, Place: &store.CasePlace{Name: "Moscow", Country: "RU", Lat: 55.75, Lon: 37.62},
				ContactMethod: "bot", Description: "Case " + id}}); err != nil {
				return err
			}
			return tx.SaveRouteOffer(id, 1, []store.RouteOffer{{ServiceID: "fnpr", Receives: true}})
		}); err != nil {
			t.Fatal(err)
		}
		if err := u.PressData(welcome.ID, "v1:r:"+id+":1:y1"); err != nil {
			t.Fatal(err)
		}
		works[i] = work{u: u, caseID: id}
	}
	cardOf := func(id string) (localapi.Message, bool) {
		msgs := forum.Messages()
		for i := len(msgs) - 1; i >= 0; i-- {
			if m := msgs[i]; !m.Deleted && strings.HasPrefix(m.Text, "📋") && strings.Contains(m.Text, id) {
				return m, true
			}
		}
		return localapi.Message{}, false
	}
	cards := map[string]localapi.Message{}
	for deadline := time.Now().Add(30 * time.Second); len(cards) < cases && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, w := range works {
			if m, ok := cardOf(w.caseID); ok {
				cards[w.caseID] = m
			}
		}
	}
	if len(cards) != cases {
		t.Fatalf("%d of %d cards arrived\n%s", len(cards), cases, tail(proc.logPath))
	}

	// Both caseworkers press Take on every card at once, each writes to the
	// worker, each worker answers — while the process is killed.
	var wg sync.WaitGroup
	for i, w := range works {
		c := cards[w.caseID]
		_ = i
		wg.Add(3)
		for _, who := range []*localapi.User{ana, bo} {
			go func() {
				defer wg.Done()
				time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
				// As a client that has not redrawn the card yet sends it.
				if err := forum.PressData(who, c.ID, c.InlineKeyboard[0][0].CallbackData); err != nil {
					t.Error(err)
				}
			}()
		}
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
			forum.SendInTopic(ana, c.ThreadID, fmt.Sprintf("Message %d from the union", i))
		}()
	}
	for range kills {
		time.Sleep(time.Duration(50+rand.IntN(150)) * time.Millisecond)
		proc.kill()
		proc.start()
	}
	wg.Wait()
	waitQuiet(api, 500*time.Millisecond, 30*time.Second)
	proc.stop()

	for i, w := range works {
		ds, err := db.CaseDeliveries(context.Background(), w.caseID)
		if err != nil || len(ds) != 1 || ds[0].Status != store.DeliveryTaken {
			t.Errorf("case %s: deliveries %+v %v", w.caseID, ds, err)
			continue
		}
		var n struct {
			AssigneeName string           `json:"assignee_name"`
			History      []casework.Entry `json:"history"`
		}
		_ = json.Unmarshal(ds[0].Notes, &n)
		takes := 0
		for _, e := range n.History {
			if e.Event == casework.EventTaken {
				takes++
			}
		}
		if takes != 1 || (ds[0].Assignee != ana.ID() && ds[0].Assignee != bo.ID()) {
			t.Errorf("case %s taken %d times, assignee %d", w.caseID, takes, ds[0].Assignee)
		}
		// The card says who has it.
		c, _ := cardOf(w.caseID)
		if !strings.Contains(c.Text, catalog.T("en", "desk_card_assignee", map[string]any{"Name": n.AssigneeName})) {
			t.Errorf("case %s: the card does not show %s:\n%s", w.caseID, n.AssigneeName, c.Text)
		}
		relayed := 0
		for _, m := range w.u.Messages() {
			if strings.Contains(m.Text, fmt.Sprintf("Message %d from the union", i)) {
				relayed++
			}
		}
		if relayed < 1 || relayed > 1+kills {
			t.Errorf("case %s: the union's message reached the worker %d times", w.caseID, relayed)
		}
	}
	if err := db.IntegrityCheck(context.Background()); err != nil {
		t.Errorf("integrity check: %v", err)
	}
}
