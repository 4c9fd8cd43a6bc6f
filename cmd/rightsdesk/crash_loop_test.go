package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// The real binary is killed with SIGKILL ten times, at random moments,
// while 20 people write whole complaints and send them to an
// organisation's desk, and two caseworkers race to take the cards and
// write to the workers. Afterwards: every step of every person was
// answered (no update lost), every person has exactly one case and it is
// at the desk once (none submitted twice), the database passes
// integrity_check, nothing is left in the inbox or the outbox, and a
// message was repeated in a chat at most once per kill.
func TestCrashLoopIntakesAndDesk(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it ten times; skipped with -short")
	}
	const people, kills = 20, 10
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	target, err := newBenchTarget()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(target.close)
	api := target.api
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "loop.db")
	proc := &botProcess{t: t, bin: bin, logPath: filepath.Join(dir, "serve.log"), args: []string{"serve",
		"-token", demoToken, "-api-url", target.baseURL, "-db", dbPath, "-listen", "127.0.0.1:0", "-poll-timeout", "1s"}}
	proc.start()
	t.Cleanup(proc.kill)

	// One person first, to learn which union the complaint is offered;
	// that union's desk is linked before everyone else writes.
	probe := &loopPerson{benchPerson: benchPerson{target: target, limit: 30 * time.Second}}
	pu := api.NewUser("Probe", "en")
	target.watch(pu.ChatID())
	caseID := probe.complaint(catalog, pu)
	if caseID == "" {
		t.Fatalf("the probe's complaint failed\n%s", tail(proc.logPath))
	}
	db, err := storeFlags{DBPath: dbPath}.open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	offers, err := db.RouteOffers(context.Background(), caseID, 1)
	if err != nil || len(offers) == 0 {
		t.Fatalf("offers for %s: %v %v", caseID, offers, err)
	}
	service := ""
	for _, o := range offers {
		if !o.NeedsConsent {
			service = o.ServiceID
			break
		}
	}
	ana, bo := api.NewUser("Ana", "en"), api.NewUser("Bo", "en")
	forum := api.NewForum("Union desk", ana, bo)
	forum.PromoteBot(ana)
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"org", "link", service, "-db", dbPath}, &out, &errs); err != nil {
		t.Fatal(err, errs.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	forum.Send(ana, "/link "+lines[len(lines)-1])
	linkCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := forum.WaitFor(linkCtx, func(m localapi.Message) bool { return strings.Contains(m.Text, "desk of") }); err != nil {
		t.Fatalf("not linked: %v\n%s", err, tail(proc.logPath))
	}

	// The kills: ten, at random moments while people and caseworkers act;
	// people go on reading the guide until the last one.
	done := make(chan struct{})
	killsDone := make(chan struct{})
	var nKills int
	go func() {
		defer close(killsDone)
		rnd := rand.New(rand.NewPCG(7, 7))
		time.Sleep(500 * time.Millisecond)
		for nKills < kills {
			proc.kill()
			proc.start()
			nKills++
			time.Sleep(time.Duration(100+rnd.IntN(700)) * time.Millisecond)
		}
	}()
	// The caseworkers: whoever sees a card first takes it, both at once;
	// each taken card gets a message for the worker.
	var taken, written atomic.Int64
	deskDone := make(chan struct{})
	go func() {
		defer close(deskDone)
		pressed, wrote := map[int]bool{}, map[int]bool{}
		for {
			select {
			case <-done:
				return
			case <-time.After(150 * time.Millisecond):
			}
			for _, m := range forum.Messages() {
				if m.Deleted || !strings.HasPrefix(m.Text, "📋") || len(m.InlineKeyboard) == 0 {
					continue
				}
				data := m.InlineKeyboard[0][0].CallbackData
				if strings.HasPrefix(data, "v1:d:t:") && !pressed[m.ID] {
					pressed[m.ID] = true
					for _, who := range []*localapi.User{ana, bo} {
						go func() { _ = forum.PressData(who, m.ID, data) }()
					}
					taken.Add(1)
				}
				if m.ThreadID != 0 && pressed[m.ID] && !wrote[m.ThreadID] {
					wrote[m.ThreadID] = true
					forum.SendInTopic(ana, m.ThreadID, fmt.Sprintf("The union writes in topic %d", m.ThreadID))
					written.Add(1)
				}
			}
		}
	}()

	persons := make([]*loopPerson, people)
	users := make([]*localapi.User, people)
	cases := make([]string, people)
	var wg sync.WaitGroup
	for i := range persons {
		lang := locales.Languages[i%len(locales.Languages)]
		users[i] = api.NewUser(fmt.Sprintf("Loop%02d", i), lang)
		target.watch(users[i].ChatID())
		persons[i] = &loopPerson{benchPerson: benchPerson{target: target, limit: 60 * time.Second}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i*100) * time.Millisecond)
			cases[i] = persons[i].complaint(catalog, users[i])
			if cases[i] != "" && persons[i].sendTo(users[i]) {
				persons[i].filed = len(users[i].Messages())
				persons[i].readUntil(users[i], killsDone, uint64(i))
			}
		}()
	}
	wg.Wait()
	// Let the desk finish with the last cards, then stop killing.
	time.Sleep(2 * time.Second)
	close(done)
	<-deskDone
	<-killsDone
	waitQuiet(api, time.Second, 60*time.Second)
	proc.stop()

	for i, p := range persons {
		if p.failed || cases[i] == "" {
			t.Errorf("%s: a step was never answered (%d updates sent, %d timeouts)", users[i].Name(), p.updates, p.timeouts)
		}
	}
	if nKills < kills {
		t.Errorf("only %d kills happened while people wrote", nKills)
	}

	ctx := context.Background()
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Errorf("integrity check: %v", err)
	}
	pending, err := db.UnhandledUpdates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	outbox, err := db.OutboxLen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 || outbox != 0 {
		t.Errorf("leftover work after a graceful stop: %d unhandled updates, %d outbox rows", len(pending), outbox)
	}
	duplicates, worst := 0, 0
	for i, u := range users {
		cs, err := db.ChatCases(ctx, u.ChatID())
		if err != nil || len(cs) != 1 {
			t.Errorf("%s: %d cases (%v), want exactly 1", u.Name(), len(cs), err)
		}
		ids := map[string]bool{}
		seen := map[string]int{}
		for k, m := range u.Messages() {
			if j := strings.Index(m.Text, "RD-"); j >= 0 && len(m.Text) >= j+12 && store.ValidCaseID(m.Text[j:j+12]) {
				ids[m.Text[j:j+12]] = true
			}
			if !m.Deleted && k < persons[i].filed {
				seen[m.Text]++
			}
		}
		if len(ids) > 1 {
			t.Errorf("%s was told of %d case numbers: %v", u.Name(), len(ids), ids)
		}
		ds, err := db.CaseDeliveries(ctx, cases[i])
		active := 0
		for _, d := range ds {
			if d.Active() {
				active++
			}
		}
		if err != nil || active != 1 {
			t.Errorf("%s: case %s at %d desks (%+v, %v), want 1", u.Name(), cases[i], active, ds, err)
		}
		repeats := 0
		for _, n := range seen {
			repeats += n - 1
		}
		duplicates += repeats
		worst = max(worst, repeats)
		// One request in flight per chat: a kill repeats at most one of
		// its messages.
		if repeats > nKills {
			t.Errorf("%s: %d repeated messages after %d kills", u.Name(), repeats, nKills)
		}
	}
	// How often a restart met updates its predecessor had handled or
	// stored without their offset confirmed, and did not hand them over.
	log, _ := os.ReadFile(proc.logPath)
	recognised := strings.Count(string(log), "updates brought again were handled or stored before")
	t.Logf("%d people, %d kills: %d cards taken, %d desk messages; %d repeated messages in all (at most %d in one chat); %d restarts recognised updates brought again",
		people, nKills, taken.Load(), written.Load(), duplicates, worst, recognised)
	if t.Failed() {
		t.Logf("serve log (tail):\n%s", tail(proc.logPath))
	}
}

// loopPerson files a complaint through the bench's steps, patiently: the
// bot may be dead for a moment at any of them.
type loopPerson struct {
	benchPerson
	caseID string
	// filed is how many bot messages the chat had when the case was sent;
	// the guide pages after may repeat on purpose.
	filed int
}

// complaint does /start, the language and a whole complaint, and returns
// the case number the bot gave.
func (p *loopPerson) complaint(cat *locales.Catalog, u *localapi.User) string {
	if !p.fileComplaint(cat, u) {
		return ""
	}
	for _, m := range u.Messages() {
		if j := strings.Index(m.Text, "RD-"); j >= 0 && len(m.Text) >= j+12 && store.ValidCaseID(m.Text[j:j+12]) {
			p.caseID = m.Text[j : j+12]
		}
	}
	return p.caseID
}

// sendTo chooses the first service offered (the linked desk comes first)
// and confirms sending the case there.
func (p *loopPerson) sendTo(u *localapi.User) bool {
	id, data := p.dataEnding(u, ":c1")
	if data == "" {
		p.failed = true
		return false
	}
	if !p.step(u, func() { _ = u.PressData(id, data) }, hasDataSuffix(":y1")) {
		return false
	}
	id, data = p.dataEnding(u, ":y1")
	return p.step(u, func() { _ = u.PressData(id, data) }, anyMessage)
}

// readUntil reads the guide, page after page, until stop closes.
func (p *loopPerson) readUntil(u *localapi.User, stop <-chan struct{}, seed uint64) {
	rnd := rand.New(rand.NewPCG(seed, 3))
	if !p.step(u, func() { u.SendText("/guide") }, hasData("v1:g:")) {
		return
	}
	for {
		select {
		case <-stop:
			return
		default:
		}
		m, data := p.button(u, rnd, "v1:g:t:", "v1:g:c:")
		if data == "" {
			m, data = p.button(u, rnd, "v1:g:l")
		}
		if data == "" || !p.step(u, func() { _ = u.PressData(m, data) }, hasData("v1:g:")) {
			return
		}
	}
}

func (p *loopPerson) dataEnding(u *localapi.User, suffix string) (int, string) {
	msgs := u.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, row := range msgs[i].InlineKeyboard {
			for _, b := range row {
				if strings.HasPrefix(b.CallbackData, "v1:r:") && strings.HasSuffix(b.CallbackData, suffix) {
					return msgs[i].ID, b.CallbackData
				}
			}
		}
	}
	return 0, ""
}

func hasDataSuffix(suffix string) func(localapi.Message) bool {
	return func(m localapi.Message) bool {
		for _, row := range m.InlineKeyboard {
			for _, b := range row {
				if strings.HasSuffix(b.CallbackData, suffix) {
					return true
				}
			}
		}
		return false
	}
}
