package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
	"github.com/rightsdesk/rightsdesk/store"
)

// An announcement to 5,000 workers, with 429s injected, while the real
// binary is killed with SIGKILL twice and restarted on the same database.
// Every subscriber gets it, nobody else does, no request lands in a 429
// window the bot was told about, and duplicates stay within the one
// unavoidable window: a message Telegram accepted whose outbox row was not
// yet deleted when the process died. A bulk message holds one of
// telegram.BulkInFlight places (one) from before its request until its row
// is settled, so a kill can catch at most that many: the bound is one
// duplicate per kill. The pace is raised with -bulk-per-second to keep
// the test short; TestNewsAnnouncementAtDefaultPace checks the default.
func TestAnnouncementCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it; skipped with -short")
	}
	const (
		users   = 5000
		kills   = 2
		perSec  = 1000
		waitAll = 40 * time.Second
	)
	began := time.Now()
	bb := startBinaryBot(t, "announce", "-drafts-schedule=", "-retention-schedule=", "-backup-schedule=", "-audit-schedule=",
		"-announce-schedule", "@every 1s", "-bulk-per-second", fmt.Sprint(perSec))
	built := time.Since(began) // the build and the first start
	api, proc, dbPath, logPath, bin := bb.api, bb.proc, bb.dbPath, bb.proc.logPath, bb.proc.bin

	// Everyone opens the chat with the bot first, through the bot.
	people := make([]*localapi.User, users)
	for i := range people {
		people[i] = api.NewUser(fmt.Sprintf("W%04d", i), "ru")
		people[i].SendText("/start")
	}
	waitEvery(t, people, func(u *localapi.User) bool { return len(u.Messages()) > 0 }, 60*time.Second, "welcomed")
	// Some block the bot afterwards; the bot learns it from the
	// my_chat_member update Telegram sends, and sends them nothing more.
	blocked := map[int64]bool{}
	for i, u := range people {
		if i%97 == 5 {
			u.BlockBot()
			blocked[u.ChatID()] = true
		}
	}
	proc.stop()
	opened := time.Since(began) - built

	// What the opt-in would have written: most said yes for Russia; some
	// said no, some work elsewhere.
	// targets are the subscribers who should get it; subscribers also
	// counts those who blocked the bot, whose copies Telegram refuses.
	targets := map[int64]bool{}
	subscribers := 0
	key, err := store.LoadKey("", dbPath+".key")
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), dbPath, key)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(context.Background(), func(tx *store.Tx) error {
		for i, u := range people {
			s := store.Subscription{ChatID: u.ChatID(), OptedIn: true, Language: "ru", Country: "RU"}
			switch {
			case i%10 == 3:
				s.OptedIn = false
			case i%13 == 7:
				s.Country = "KZ"
			default:
				subscribers++
				targets[u.ChatID()] = !blocked[u.ChatID()]
			}
			if err := tx.SetSubscription(s); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	md := filepath.Join(t.TempDir(), "news.md")
	os.WriteFile(md, []byte("**Новая горячая линия** для работников в России."), 0o600)
	out, err := exec.Command(bin, "announce", "-db", dbPath, "-lang", "ru", "-country", "RU", md).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "announcement 1:") {
		t.Fatalf("rightsdesk announce: %v\n%s", err, out)
	}
	announcement := "<b>Новая горячая линия</b> для работников в России."

	// 429s: a few chats among the last fifth to be sent to (after the last
	// kill), and the whole bot twice in between the kills. Two chats told
	// 429 at once make the sender pause everything (Telegram limits the
	// bot as a whole then), so each chat flood may cost a second of all
	// sending.
	var floodedChats []int64
	for i := len(people) - 1; i >= len(people)*4/5 && len(floodedChats) < 6; i -= len(people) / 30 {
		if id := people[i].ChatID(); targets[id] {
			api.FloodChat(id, time.Second)
			floodedChats = append(floodedChats, id)
		}
	}
	sendStart := time.Now()
	delivered := func() int {
		n := 0
		for _, r := range api.Requests() {
			if r.Method == "sendMessage" && r.Status == 200 && !r.At.Before(sendStart) && targets[r.ChatID] {
				n++
			}
		}
		return n
	}
	n := 0
	for _, yes := range targets {
		if yes {
			n++
		}
	}
	type step struct {
		at int
		do func()
	}
	var floods int
	var killedAt []time.Time
	crash := func() {
		proc.kill()
		// Once it is dead: requests it had in flight may still have
		// been answered while the kill landed.
		killedAt = append(killedAt, time.Now())
		proc.start()
	}
	plan := []step{
		{n / 6, func() { api.FloodGlobal(time.Second); floods++ }},
		{n / 3, crash},
		{n / 2, func() { api.FloodGlobal(time.Second); floods++ }},
		{2 * n / 3, crash},
	}
	proc.start()
	deadline := time.Now().Add(waitAll)
	for len(plan) > 0 && time.Now().Before(deadline) {
		if delivered() >= plan[0].at {
			plan[0].do()
			plan = plan[1:]
			continue
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(plan) > 0 {
		t.Fatalf("only %d of %d delivered before the plan ran out of time\n%s", delivered(), n, tail(logPath))
	}
	var targetUsers []*localapi.User
	for _, u := range people {
		if targets[u.ChatID()] {
			targetUsers = append(targetUsers, u)
		}
	}
	has := func(u *localapi.User) bool { return countTexts(u.Messages())[announcement] > 0 }
	waitEvery(t, targetUsers, has, time.Until(deadline)+5*time.Second, "sent the announcement")
	waitQuiet(api, 750*time.Millisecond, 10*time.Second)
	proc.stop()
	sent := time.Since(sendStart)

	var missing, duplicates, strays, worstChat int
	for _, u := range people {
		got := countTexts(u.Messages())[announcement]
		switch {
		case !targets[u.ChatID()]:
			strays += got
		case got == 0:
			missing++
		default:
			duplicates += got - 1
			worstChat = max(worstChat, got-1)
		}
	}
	bound := kills * telegram.BulkInFlight
	// Each duplicate must be a copy accepted just before a kill: its first
	// delivery falls in the moments before one, and no kill has more of
	// them than bulk messages may be in flight.
	firstSent := map[int64]time.Time{}
	requests := api.Requests()
	for _, r := range requests {
		if r.Method == "sendMessage" && r.Status == 200 && !r.At.Before(sendStart) && targets[r.ChatID] {
			if _, seen := firstSent[r.ChatID]; !seen {
				firstSent[r.ChatID] = r.At
			}
		}
	}
	// A request the bot wrote just before it died can be read and answered
	// by the Bot API after the kill returned, on a loaded machine: until
	// the restarted bot's first request (getMe), whatever is accepted was
	// sent by the dead one.
	restartedAt := make([]time.Time, len(killedAt))
	for i, killed := range killedAt {
		for _, r := range requests {
			if r.Method == "getMe" && r.At.After(killed) {
				restartedAt[i] = r.At
				break
			}
		}
	}
	perKill := make([]int, len(killedAt))
	for _, u := range people {
		if !targets[u.ChatID()] || countTexts(u.Messages())[announcement] < 2 {
			continue
		}
		at, k := firstSent[u.ChatID()], -1
		for i, killed := range killedAt {
			before := !at.After(killed) && killed.Sub(at) < time.Second
			inFlight := at.After(killed) && at.Before(restartedAt[i])
			if before || inFlight {
				k = i
				break
			}
		}
		if k < 0 {
			var kills, restarts []time.Duration
			for i, killed := range killedAt {
				kills, restarts = append(kills, killed.Sub(sendStart)), append(restarts, restartedAt[i].Sub(sendStart))
			}
			t.Errorf("chat %d got a duplicate whose first copy (%v after the start) was not accepted just before a kill (%v) or before the restarted bot's first request (%v)",
				u.ChatID(), at.Sub(sendStart), kills, restarts)
			continue
		}
		perKill[k]++
	}
	for i, d := range perKill {
		if d > telegram.BulkInFlight {
			t.Errorf("kill %d caught %d copies sent but not settled; at most %d bulk requests are in flight", i+1, d, telegram.BulkInFlight)
		}
	}
	restarts := len(killedAt)
	tooEarly := violationsTold(api)
	var got429 int
	for _, r := range api.Requests() {
		if r.Status == 429 && !r.At.Before(sendStart) {
			got429++
		}
	}
	t.Logf("build %v, %d chats opened %v; announcement to %d subscribers of %d users at %d/s with %d chat floods, %d global floods, %d SIGKILLs: sent in %v; 429s answered %d; missing %d, duplicates %d (per kill %v, bound %d, worst chat %d), to non-subscribers %d, requests inside a told 429 window %d",
		built.Round(time.Millisecond), users, opened.Round(time.Millisecond), n, users, perSec, len(floodedChats), floods, restarts,
		sent.Round(time.Millisecond), got429, missing, duplicates, perKill, bound, worstChat, strays, len(tooEarly))
	if missing > 0 {
		t.Errorf("%d subscribers never got the announcement", missing)
	}
	if strays > 0 {
		t.Errorf("%d copies went to chats that opted out, work elsewhere or blocked the bot", strays)
	}
	if duplicates > bound || worstChat > kills {
		t.Errorf("%d duplicates (worst chat %d): more than %d in flight per kill × %d kills", duplicates, worstChat, bound/kills, kills)
	}
	if len(tooEarly) > 0 {
		t.Errorf("requests inside a 429 window the bot was told about: %+v", tooEarly[:min(5, len(tooEarly))])
	}
	if got429 == 0 {
		t.Error("no 429 was answered: the floods tested nothing")
	}

	// After the graceful stop: the announcement is finished, nothing waits,
	// and the blocked chats are known as blocked.
	db, err = store.Open(context.Background(), dbPath, key)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	anns, _ := db.LatestAnnouncements(context.Background(), 1)
	left, _ := db.OutboxLen(context.Background())
	reachable := 0
	for _, ok := range targets {
		if ok {
			reachable++
		}
	}
	// A block the bot learnt before the announcement reached that chat
	// keeps its copy out of the outbox; one learnt after drops it there.
	if len(anns) != 1 || anns[0].FinishedAt.IsZero() || anns[0].Enqueued < reachable || anns[0].Enqueued > subscribers || left != 0 {
		t.Errorf("after the stop: announcement %+v, outbox %d", anns, left)
	}
	for id := range blocked {
		_, subscribed := targets[id]
		if c, err := db.Chat(context.Background(), id); subscribed && (err != nil || !c.Blocked()) {
			t.Errorf("chat %d blocked the bot and was sent to, but is not known as blocked (%v)", id, err)
		}
	}
	if starts := strings.Count(readFile(logPath), "connected to the Bot API"); starts != kills+2 {
		t.Errorf("%d starts in the log, want %d", starts, kills+2)
	}
	if t.Failed() {
		t.Logf("serve log (tail):\n%s", tail(logPath))
	}
}

// waitEvery waits until ok holds for every user, checking each until it does.
func waitEvery(t *testing.T, us []*localapi.User, ok func(*localapi.User) bool, limit time.Duration, what string) {
	t.Helper()
	deadline := time.Now().Add(limit)
	pending := us
	for len(pending) > 0 && time.Now().Before(deadline) {
		var still []*localapi.User
		for _, u := range pending {
			if !ok(u) {
				still = append(still, u)
			}
		}
		pending = still
		if len(pending) > 0 {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if len(pending) > 0 {
		t.Fatalf("%d of %d users not %s within %v", len(pending), len(us), what, limit)
	}
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}
