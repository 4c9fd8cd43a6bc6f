package main

// The desk's random walk. The explorer walks workers alone; here workers
// who have sent their cases to two desks walk at random beside the
// caseworkers of those desks, who press any button they see on any message
// (cards, prompts, lists, old ones; now and then two of them the same
// button at once), reply to any message of the bot with text or files,
// type commands and chatter, while new workers keep sending cases, time
// passes for the desk's jobs, the bot restarts mid-act and Telegram
// answers 429 now and then. One act at a time, and everything it caused,
// in every chat, has arrived before the next. Every press is answered
// exactly once, every desk command gets an answer, no request breaks the
// Bot API's rules or comes inside a 429 window, nothing panics or logs an
// error, nothing is left unsent, and every card offers what can be done
// with its case now, and nothing more.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/bot/telegram"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// deskExploreSteps is each walk's length by default, all people together;
// RIGHTSDESK_DESK_STEPS changes it and RIGHTSDESK_EXPLORE_SEED replays
// another walk.
const deskExploreSteps = 2000

// deskExploreWorkers caps the workers who arrive during the walk.
const deskExploreWorkers = 40

func TestRandomDeskExplorer(t *testing.T) {
	if testing.Short() {
		t.Skip("walks hundreds of random steps through both sides of the real bot; skipped with -short")
	}
	seed, steps := envKnob(t, "RIGHTSDESK_EXPLORE_SEED", 20261206), int(envKnob(t, "RIGHTSDESK_DESK_STEPS", deskExploreSteps))
	// The same walk twice: updates fetched with getUpdates, and pushed to
	// the bot's webhook.
	for _, webhook := range []bool{false, true} {
		name := "polling"
		if webhook {
			name = "webhook"
		}
		t.Run(name, func(t *testing.T) { walkTheDesks(t, seed, steps, webhook) })
	}
}

func walkTheDesks(t *testing.T, seed uint64, steps int, webhook bool) {
	t.Logf("seed %d, %d steps (replay with RIGHTSDESK_EXPLORE_SEED=%d)", seed, steps, seed)
	started := time.Now()

	// Groups are paced as Telegram documents it, 20 messages a window, but
	// in a window of a tenth of a second: the walk goes through the pacing
	// without waiting minutes for it.
	limits := telegram.DefaultLimits()
	limits.GroupWindow = 100 * time.Millisecond
	// The desk's jobs (deadlines, digests, follow-ups) run when the walk
	// lets time pass, on a clock it moves.
	clock := &fakeClock{t: time.Now()}
	// The operator's commands run as another process would; the bot looks
	// for what they queued ten times a second rather than every 15 s.
	opts := harnessOptions{limits: &limits, jobsNow: clock.Now, webhook: webhook, rescan: 100 * time.Millisecond,
		jobs: jobsConfig{Deadlines: never, Digest: never, FollowUp: never, RetentionDays: 365}}
	h := startHarness(t, opts)
	opts.dbPath = h.dbPath
	api := h.api
	desks := linkTwoDesks(t, h, "en")
	forum, plain := desks.forum, desks.plain
	// Moldova's embassy is a desk too: FNPR may refer Moldovan workers'
	// cases there, and they reach it only if the worker agrees. Its group
	// is a basic group, which Telegram upgrades to a supergroup (a new
	// chat id) at some moment of the walk.
	ion := api.NewUser("Ion", "ro")
	embassy := api.NewBasicGroup("MD embassy", ion)
	embassyBefore := embassy.ID() // its id until the upgrade
	linkDesk(t, h, embassy, ion, "md-embassy-moscow")
	if h.db == nil {
		h.db = reopen(t, h)
	}

	d := &deskWalk{t: t, h: h, opts: opts, clock: clock, rnd: rand.New(rand.NewPCG(seed, 1000)),
		rooms: []*deskRoom{{g: forum, service: "fnpr", people: []*localapi.User{desks.aigerim, desks.boris}, sentinels: map[int]bool{}, left: map[*localapi.User]bool{}},
			{g: plain, service: "fprk", people: []*localapi.User{desks.dana}, sentinels: map[int]bool{}},
			{g: embassy, service: "md-embassy-moscow", people: []*localapi.User{ion}, sentinels: map[int]bool{}}},
		stories: map[string]string{}, moldovan: map[string]bool{}, blocked: map[*explorer]bool{}}
	_, d.botName = api.BotUser()
	t.Cleanup(func() {
		// RIGHTSDESK_WALK_LOG keeps the bot's whole log, the steps in it.
		if path := os.Getenv("RIGHTSDESK_WALK_LOG"); path != "" {
			path += "." + strings.TrimPrefix(t.Name(), "TestRandomDeskExplorer/")
			if err := os.WriteFile(path, []byte(h.logs.String()), 0o644); err != nil {
				t.Error(err)
			}
		}
		if t.Failed() {
			var last []string
			for _, s := range d.steps[max(0, len(d.steps)-12):] {
				last = append(last, s.what)
			}
			t.Logf("the walk's last steps:\n%s", strings.Join(last, "\n"))
			lines := strings.Split(strings.TrimSpace(h.logs.String()), "\n")
			t.Logf("the bot's last log lines:\n%s", strings.Join(lines[max(0, len(lines)-40):], "\n"))
		}
	})
	cat := loadHostileCatalog(t)
	stories := map[string]string{
		"az": "Üç aydır maaş vermirlər.", "ru": "Мне не платят зарплату три месяца.", "ka": "სამი თვეა ხელფასს არ მიხდიან.",
		"ro": "Nu mi s-a plătit salariul de trei luni.", "kk": "Үш ай бойы жалақы төленбей жатыр.", "en": "I have not been paid for three months.",
	}
	// A worker arrives: files a case and sends it to a desk. Most are
	// Kazakhs unpaid in Moscow, anonymous; one in three is a Moldovan whose
	// passport was taken too, whom FNPR may refer to the embassy. Each
	// story is marked, to be found wherever it goes.
	arrive := func(lang string) {
		w := newIntakeUser(t, h, lang)
		story := fmt.Sprintf("%s [%d]", stories[lang], len(d.workers)+1)
		parts := []string{story}
		if d.rnd.IntN(4) == 0 {
			// One in four writes at length, emoji and markup-like text and
			// all, in two more messages near Telegram's limit: their card
			// and their whole account must still be accepted.
			for range 2 {
				parts = append(parts, hostileText(d.rnd, 1800)+" "+strings.Repeat("😀 ", 700))
			}
		}
		var id string
		moldovan := d.rnd.IntN(3) == 0
		if moldovan {
			w.toPlace([]string{"intake_cat_wages", "intake_cat_documents"}, "Москва", "intake_country_md")
			w.toReview("ООО Стройка", parts...)
			id = w.submit()
		} else {
			id = w.anonymousComplaint(parts...)
		}
		d.cases = append(d.cases, id)
		d.stories[id] = story
		d.moldovan[id] = moldovan
		if moldovan && !d.rooms[2].unlinked && d.rnd.IntN(3) == 0 {
			d.chooseOwnState(w)
		} else {
			d.sendToAnyDesk(w)
		}
		e := &explorer{hostileUser: hostileUser{t: t, h: h, cat: cat, lang: lang, tgLang: lang, u: w.u, picked: true,
			rnd: rand.New(rand.NewPCG(seed, uint64(len(d.workers))))}}
		d.workers = append(d.workers, e)
		d.quiet("routing a new " + lang + " case")
		e.presses = len(w.u.CallbackAnswers())
	}
	for _, lang := range locales.Languages {
		arrive(lang)
	}
	if held := d.activeDeliveries(); len(held) != len(d.cases) {
		t.Fatalf("%d of %d cases reached a desk", len(held), len(d.cases))
	}

	for d.step = 1; d.step <= steps && !t.Failed(); d.step++ {
		d.lostCardsCameBack()
		// Desks that run out of cases get new ones, as they do: more
		// workers arrive while the walk sends cases away or closes them.
		// They work in Moscow, where only FNPR takes cases through the
		// bot: none arrive while it is unlinked.
		if len(d.workers) < deskExploreWorkers && d.rnd.IntN(4) == 0 && len(d.activeDeliveries()) < 4 && !d.rooms[0].unlinked {
			lang := locales.Languages[d.rnd.IntN(len(locales.Languages))]
			d.note("a new " + lang + " worker")
			arrive(lang)
			continue
		}
		// A desk stays unlinked for about forty steps.
		if slices.ContainsFunc(d.rooms, func(r *deskRoom) bool { return r.unlinked }) && d.rnd.IntN(40) == 0 {
			d.operatorStep()
			continue
		}
		switch n := d.rnd.IntN(200); {
		case n < 6:
			d.timePasses()
		case n < 7:
			// Telegram limits a chat: its next message is refused with a
			// 429 of one second, which the sender must wait out exactly.
			var chats []int64
			for _, room := range d.rooms {
				chats = append(chats, room.g.ID())
			}
			for _, e := range d.workers {
				chats = append(chats, e.u.ChatID())
			}
			chat := chats[d.rnd.IntN(len(chats))]
			d.note(fmt.Sprintf("Telegram limits chat %d", chat))
			api.FloodChat(chat, time.Second)
			d.floods++
		case n < 8:
			d.operatorStep()
		case n < 12:
			d.referToEmbassy()
		case n < 13 && !d.migrated:
			room := d.rooms[2]
			what := fmt.Sprintf("%s becomes a supergroup", room.g.Title())
			d.note(what)
			// The answers so far stay with the old chat.
			room.answeredBefore = len(room.g.CallbackAnswers())
			if err := room.g.Migrate(); err != nil {
				t.Fatal(err)
			}
			d.migrated = true
			d.settle(room)
			d.quiet(what)
		case n < 114:
			d.caseworkerStep()
		case n < 120:
			d.resolveCase()
		case n < 122:
			d.membershipStep()
		case n < 124:
			d.tidyStep()
		default:
			e := d.workers[d.rnd.IntN(len(d.workers))]
			if d.rnd.IntN(60) == 0 || d.blocked[e] {
				// A worker blocks the bot, or one who did writes again.
				d.workerBlocks(e)
				continue
			}
			if d.rnd.IntN(10) == 0 && d.workerEdits(e) {
				continue
			}
			d.note(fmt.Sprintf("[%s] worker", e.lang))
			e.step()
			d.quiet("the worker's step")
		}
	}
	waitQuiet(api, 300*time.Millisecond, 10*time.Second)
	// A card someone deleted comes back when its case changes, or when a
	// caseworker asks for it; the cases still untouched are asked for.
	d.askForLostCards()

	// The Bot API's rules, over the whole walk.
	for _, v := range api.Violations() {
		t.Errorf("%s to chat %d at %s, inside a 429 window it was told of (until %s), during %s",
			v.Method, v.ChatID, v.At.Format("15:04:05.000"), v.Until.Format("15:04:05.000"), d.stepAt(v.At))
	}
	for _, r := range api.Requests() {
		if hostileRefused(r) && !hostileEdit(r) && !d.intoDeletedTopic(r) {
			t.Errorf("%s to chat %d answered %d, during %s", r.Method, r.ChatID, r.Status, d.stepAt(r.At))
		}
	}
	for _, e := range d.workers {
		if got := len(e.u.CallbackAnswers()); got != e.presses {
			t.Errorf("%s worker: %d button presses, %d answers", e.lang, e.presses, got)
		}
	}
	for _, room := range d.rooms {
		if got := room.answeredBefore + len(room.g.CallbackAnswers()); got != room.presses {
			t.Errorf("%s: %d button presses, %d answers", room.g.Title(), room.presses, got)
		}
	}
	db := stopClean(t, h)
	if err := db.IntegrityCheck(t.Context()); err != nil {
		t.Error(err)
	}
	// The worker's own state sees a case, its card or its story, only if
	// the worker agreed: pressed yes to a desk's question (v1:c:k:CASE:…)
	// or to the warning when choosing it themselves (v1:r:CASE:OFFER:kN).
	agreed := map[string]bool{}
	for _, e := range d.workers {
		for _, a := range e.u.CallbackAnswers() {
			for id := range d.stories {
				route, isRoute := strings.CutPrefix(a.Data, "v1:r:"+id+":")
				if strings.HasPrefix(a.Data, "v1:c:k:"+id+":") || isRoute && strings.Contains(route, ":k") {
					agreed[id] = true
				}
			}
		}
	}
	shown := 0
	for _, r := range api.Requests() {
		if r.ChatID != embassy.ID() && r.ChatID != embassyBefore || r.Status != 200 {
			continue
		}
		var sent strings.Builder
		for _, v := range r.Params {
			sent.WriteString(v + "\n")
		}
		for id, story := range d.stories {
			if strings.Contains(sent.String(), story) || strings.Contains(sent.String(), "📋") && strings.Contains(sent.String(), id) {
				if !agreed[id] {
					t.Errorf("%s showed the embassy case %s, which its worker never agreed to, during %s", r.Method, id, d.stepAt(r.At))
				}
				shown++
			}
		}
	}
	// Every card offers what can be done with its case now: the buttons of
	// its state, at its revision, while the desk holds it; none once it
	// does not (resolved, referred, returned, withdrawn, erased).
	statuses := map[string]int{}
	for _, id := range d.cases {
		ds, err := db.CaseDeliveries(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, dl := range ds {
			statuses[dl.Status]++
		}
		for _, room := range d.rooms {
			var latest store.Delivery
			for _, dl := range ds {
				if dl.ChatID == room.g.ID() {
					latest = dl
				}
			}
			card, shown := room.card(id)
			switch {
			case latest.Active() && !shown:
				t.Errorf("case %s is %s at %s, which shows no card of it", id, latest.Status, room.g.Title())
			case latest.Active():
				op := map[string]string{store.DeliveryOpen: "t", store.DeliveryTaken: "a"}[latest.Status]
				want := fmt.Sprintf("v1:d:%s:%s:%d", op, id, latest.Revision)
				if !slices.Contains(callbackData(card), want) {
					t.Errorf("case %s is %s at %s (revision %d), but its card offers %q", id, latest.Status, room.g.Title(), latest.Revision, callbackData(card))
				}
			case shown && len(callbackData(card)) > 0 && card.ID > room.frozen:
				t.Errorf("case %s is no longer at %s (%q), but its card still offers %q", id, room.g.Title(), latest.Status, callbackData(card))
			}
		}
	}
	presses := 0
	for _, room := range d.rooms {
		presses += room.presses
	}
	t.Logf("seed %d: %d steps (%d desk presses, %d desk inputs, %d that reached a worker, job runs %v, %d restarts, %d chats limited, %d desks unlinked, %d bots removed, %d demoted, %d topics or cards deleted, %d cards back with a change, %d asked for at the end, migrated %v), %d workers, deliveries by status %v, %d referrals to the embassy, %d cases resolved on purpose, %d workers' corrections, %d blocks, %d cases agreed to it (%d requests showing them), %v",
		seed, d.step-1, presses, d.deskInputs, d.reachedWorkers, d.jobRuns, d.restarts, d.floods, d.unlinks, d.removals, d.demotions, d.tidies, d.cardsBack, d.lostCards, d.migrated, len(d.workers), statuses, d.referrals, d.resolutions, d.workerCorrections, d.blocks, len(agreed), shown,
		time.Since(started).Round(time.Millisecond))
}

// deskWalk is the walk's world: the desks, the workers and what happened.
type deskWalk struct {
	t        *testing.T
	h        *harness
	rnd      *rand.Rand
	botName  string
	opts     harnessOptions // to start the bot again
	clock    *fakeClock
	rooms    []*deskRoom
	workers  []*explorer
	cases    []string
	stories  map[string]string // each case's story, marked
	moldovan map[string]bool

	step       int
	deskInputs int
	// reachedWorkers counts the desk's acts a worker heard of.
	reachedWorkers int
	jobRuns        map[string]int
	restarts       int
	floods         int
	unlinks        int
	removals       int // of the bot, by a group
	demotions      int // of the bot, in the forum
	tidies         int // topics and cards the desks deleted
	lostCards      int // cards of held cases asked for at the end
	cardsBack      int // deleted cards sent anew when their case changed
	referrals      int // to the embassy, asking the worker
	resolutions    int // finished on purpose
	// workerCorrections counts workers' edits of what went on to a desk.
	workerCorrections int
	// blocked are the workers who blocked the bot; blocks counts them all.
	blocked  map[*explorer]bool
	blocks   int
	migrated bool
	steps    []deskStep // what each step did, to place a refused request
}

type deskRoom struct {
	g       *localapi.Group
	service string
	people  []*localapi.User
	presses int
	// unlinked: the operator ended the desk, or its people removed the
	// bot (removed); they wait until it is linked again.
	unlinked bool
	removed  bool
	// frozen is the newest message in the group when the bot was last
	// removed: the bot could not edit what it had sent, and need not.
	frozen int
	// demoted: the forum's people took the bot's administrator rights.
	demoted bool
	// posts are what its people wrote there, which they may edit.
	posts []deskPost
	// left are its people who left the group; they still press buttons on
	// the messages they saw, as a client that kept them would.
	left map[*localapi.User]bool
	// goneTopics are the forum's topics its administrator deleted, into
	// which the bot's first send afterwards is refused (and then goes to
	// General).
	goneTopics map[int]bool
	// lost are the cases whose card (or topic) it deleted while it held
	// them, as they were then, with nobody asking for them again.
	lost map[string]store.Delivery
	// answeredBefore counts the presses answered before the group became
	// a supergroup, which the new chat does not list.
	answeredBefore int
	// sentinels are the answers to settle's questions, which a person
	// would not have asked: the walk acts on the other messages.
	sentinels map[int]bool
}

// present are the room's people still in the group.
func (room *deskRoom) present() []*localapi.User {
	return slices.DeleteFunc(slices.Clone(room.people), func(u *localapi.User) bool { return room.left[u] })
}

// posted adds a person's message to those they may edit; id 0 is one
// Telegram did not take (a reply to a message deleted meanwhile, say).
func (room *deskRoom) posted(by *localapi.User, id int) []deskPost {
	if id == 0 {
		return room.posts
	}
	return append(room.posts, deskPost{by, id})
}

type deskPost struct {
	by *localapi.User
	id int
}

type deskStep struct {
	at   time.Time
	what string
}

func (d *deskWalk) note(what string) {
	// In the bot's log too, to read what each step caused.
	fmt.Fprintf(d.h.logs, "### step %d, %s\n", d.step, what)
	d.steps = append(d.steps, deskStep{at: time.Now(), what: fmt.Sprintf("step %d, %s", d.step, what)})
}

// stepAt names the step during which a request was made.
func (d *deskWalk) stepAt(at time.Time) string {
	i, _ := slices.BinarySearchFunc(d.steps, at, func(s deskStep, at time.Time) int { return s.at.Compare(at) })
	if i == 0 {
		return "the set-up"
	}
	return d.steps[i-1].what
}

func (d *deskWalk) workerMessages() int {
	n := 0
	for _, e := range d.workers {
		n += len(e.u.Messages())
	}
	return n
}

// sendToAnyDesk sends the worker's new case to one of the desks offered.
func (d *deskWalk) sendToAnyDesk(w *intakeUser) {
	d.t.Helper()
	d.sendFromOffer(w, w.await("route_choose_receiving"))
}

// sendFromOffer sends the case to one of the desks on the offer.
func (d *deskWalk) sendFromOffer(w *intakeUser, offer localapi.Message) {
	d.t.Helper()
	var desks []string
	for _, b := range buttonTexts(offer) {
		if strings.HasPrefix(b, "📨") {
			desks = append(desks, b)
		}
	}
	if len(desks) == 0 {
		d.t.Fatalf("[%s] no desk offered among %q", w.lang, buttonTexts(offer))
	}
	if err := w.u.Press(offer.ID, desks[d.rnd.IntN(len(desks))]); err != nil {
		d.t.Fatal(err)
	}
	confirm := w.await("route_send_confirm")
	if err := w.u.Press(confirm.ID, w.tr("route_btn_send")); err != nil {
		d.t.Fatal(err)
	}
	// Told once the card is in the group.
	w.await("desk_worker_arrived")
}

// chooseOwnState: a Moldovan worker chooses the embassy on the offer,
// warned that it is their own state, and is asked apart whether the state
// may see the case: yes sends it there; no leaves the case, and the worker
// sends it to another desk.
func (d *deskWalk) chooseOwnState(w *intakeUser) {
	d.t.Helper()
	offer := w.await("route_choose_receiving")
	var own string
	for _, b := range buttonTexts(offer) {
		if strings.HasPrefix(b, "⚠️") {
			own = b
		}
	}
	if own == "" {
		d.t.Fatalf("[%s] the embassy is not offered among %q", w.lang, buttonTexts(offer))
	}
	if err := w.u.Press(offer.ID, own); err != nil {
		d.t.Fatal(err)
	}
	question := w.awaitButton(w.tr("route_btn_consent"))
	if d.rnd.IntN(2) == 0 {
		if err := w.u.Press(question.ID, w.tr("route_btn_consent")); err != nil {
			d.t.Fatal(err)
		}
		w.await("desk_worker_arrived")
		return
	}
	if err := w.u.Press(question.ID, w.tr("route_btn_skip")); err != nil {
		d.t.Fatal(err)
	}
	w.await("route_consulate_skipped")
	d.sendFromOffer(w, offer)
}

func (d *deskWalk) activeDeliveries() []store.Delivery {
	d.t.Helper()
	var held []store.Delivery
	for _, id := range d.cases {
		ds, err := d.h.db.CaseDeliveries(d.t.Context(), id)
		if err != nil {
			d.t.Fatal(err)
		}
		for _, dl := range ds {
			if dl.Active() {
				held = append(held, dl)
			}
		}
	}
	return held
}

// caseworkerStep: someone in a desk does one random thing, and the bot's
// whole answer to it is checked.
func (d *deskWalk) caseworkerStep() {
	d.t.Helper()
	room := d.rooms[d.rnd.IntN(len(d.rooms))]
	who := room.people[d.rnd.IntN(len(room.people))]
	if room.left[who] {
		d.pressAfterLeaving(room, who)
		return
	}
	before, answers := len(room.g.Messages()), len(room.g.CallbackAnswers())
	reached := d.workerMessages()
	what, kind := d.act(room, who)
	if room.unlinked && kind == deskCommand {
		kind = deskMessage // a group that is no desk leaves commands alone
	}
	if d.rnd.IntN(100) == 0 {
		// The bot stops and starts again before it has answered: the act
		// waits in Telegram's queue or the inbox, and is answered once.
		what += ", and the bot restarts"
		d.h.stop()
		d.h.start(d.opts)
		d.restarts++
	}
	where := fmt.Sprintf("%s, %s: %s", room.g.Title(), who.Name(), what)
	d.note(where)
	sentinel := d.settle(room)
	d.quiet(where)
	if d.workerMessages() > reached {
		d.reachedWorkers++
	}
	switch kind {
	case deskPress, deskPressTwice:
		want := 1
		if kind == deskPressTwice {
			want = 2
		}
		if got := len(room.g.CallbackAnswers()) - answers; got != want {
			d.t.Errorf("step %d, %s: %d presses got %d answers", d.step, where, want, got)
		}
	case deskCommand:
		msgs := room.g.Messages()
		end := slices.IndexFunc(msgs, func(m localapi.Message) bool { return m.ID == sentinel.ID })
		if end <= before {
			d.t.Errorf("step %d, %s: no answer", d.step, where)
		}
	}
}

// referToEmbassy: FNPR refers a Moldovan worker's case to the embassy, on
// purpose, which random presses would do too seldom: Refer on its card, the
// embassy (marked as the worker's own state), a reason. The worker is
// asked; the walk's worker steps answer, or not.
func (d *deskWalk) referToEmbassy() {
	d.t.Helper()
	room := d.rooms[0]
	id, who, ok := d.caseAt(room, func(id string) bool { return d.moldovan[id] })
	if !ok {
		return
	}
	steps := []struct{ what, prefix, suffix string }{
		{"Refer", "v1:d:" + "f:" + id + ":", ""},
		{"the embassy", "v1:d:" + "ft:" + id + ":", ":md-embassy-moscow"},
		{"a reason", "v1:d:" + "fr:" + id + ":", ":md-embassy-moscow"},
	}
	for _, st := range steps {
		what := fmt.Sprintf("refers %s to the embassy, presses %s", id, st.what)
		if _, ok := d.pressOffered(room, who, what, st.prefix, st.suffix); !ok {
			return // not offered: the worker said no before, say
		}
	}
	d.referrals++
}

// caseAt picks a case the room's desk holds, of those that pass, and one
// of its people still there to act on it; ok is false when there is none.
func (d *deskWalk) caseAt(room *deskRoom, pass func(caseID string) bool) (caseID string, who *localapi.User, ok bool) {
	d.t.Helper()
	if room.unlinked {
		return "", nil, false
	}
	var ids []string
	for _, dl := range d.activeDeliveries() {
		if dl.ChatID == room.g.ID() && pass(dl.CaseID) {
			ids = append(ids, dl.CaseID)
		}
	}
	present := room.present()
	if len(ids) == 0 || len(present) == 0 {
		return "", nil, false
	}
	return ids[d.rnd.IntN(len(ids))], present[d.rnd.IntN(len(present))], true
}

// pressOffered presses, as who, a button whose data has prefix and suffix
// on the newest message offering one (any of them, when it offers more),
// and waits for all it causes. ok is false when none is offered.
func (d *deskWalk) pressOffered(room *deskRoom, who *localapi.User, what, prefix, suffix string) (on localapi.Message, ok bool) {
	d.t.Helper()
	var data []string
	msgs := room.shown()
	for i := len(msgs) - 1; i >= 0 && len(data) == 0; i-- {
		for _, cb := range callbackData(msgs[i]) {
			if strings.HasPrefix(cb, prefix) && strings.HasSuffix(cb, suffix) {
				on, data = msgs[i], append(data, cb)
			}
		}
	}
	if len(data) == 0 {
		return on, false
	}
	cb := data[d.rnd.IntN(len(data))]
	where := fmt.Sprintf("%s, %s: %s (%s)", room.g.Title(), who.Name(), what, cb)
	d.note(where)
	d.pressOnce(room, who, on.ID, cb, where)
	return on, true
}

// pressOnce presses a button, waits for all it causes and wants it
// answered once.
func (d *deskWalk) pressOnce(room *deskRoom, who *localapi.User, messageID int, data, what string) {
	d.t.Helper()
	answers := len(room.g.CallbackAnswers())
	if err := room.g.PressData(who, messageID, data); err != nil {
		d.t.Fatal(err)
	}
	room.presses++
	d.settle(room)
	d.quiet(what)
	if got := len(room.g.CallbackAnswers()) - answers; got != 1 {
		d.t.Errorf("step %d, %s: 1 press got %d answers", d.step, what, got)
	}
}

// resolveCase: a caseworker takes a case at their desk, if nobody has,
// and resolves it with an outcome, with a note for the worker or without,
// which random presses seldom finish. The follow-up job may then ask the
// worker whether the problem is solved, and a no opens it again.
func (d *deskWalk) resolveCase() {
	d.t.Helper()
	room := d.rooms[d.rnd.IntN(len(d.rooms))]
	id, who, ok := d.caseAt(room, func(string) bool { return true })
	if !ok {
		return
	}
	d.pressOffered(room, who, "takes "+id, "v1:d:t:"+id+":", "") // unless taken
	for _, st := range []struct{ what, op string }{{"Resolve", "r"}, {"an outcome", "ro"}} {
		if _, ok := d.pressOffered(room, who, "resolves "+id+", presses "+st.what, "v1:d:"+st.op+":"+id+":", ""); !ok {
			return
		}
	}
	if d.rnd.IntN(2) == 0 {
		if _, ok := d.pressOffered(room, who, "resolves "+id+" without a note", "v1:d:rn:"+id+":", ""); !ok {
			return
		}
	} else {
		// The note is a reply to the prompt, which offers "no note".
		var prompt localapi.Message
		msgs := room.shown()
		for i := len(msgs) - 1; i >= 0 && prompt.ID == 0; i-- {
			if slices.ContainsFunc(callbackData(msgs[i]), func(cb string) bool { return strings.HasPrefix(cb, "v1:d:rn:"+id+":") }) {
				prompt = msgs[i]
			}
		}
		if prompt.ID == 0 {
			return
		}
		what := fmt.Sprintf("%s, %s: resolves %s, writes a note", room.g.Title(), who.Name(), id)
		d.note(what)
		room.g.ReplyInTopic(who, prompt.ThreadID, prompt.ID, "We called the employer. They promise to pay on Friday.")
		d.settle(room)
		d.quiet(what)
	}
	if _, ok := d.pressOffered(room, who, "resolves "+id+", confirms", "v1:d:ry:"+id+":", ""); ok {
		d.resolutions++
	}
}

// operatorStep: the operator, from another process, unlinks a desk, whose
// open cases go back to their workers, or links it again with a fresh
// code. One desk at most is unlinked, so new cases always find one.
func (d *deskWalk) operatorStep() {
	d.t.Helper()
	for _, room := range d.rooms {
		if !room.unlinked {
			continue
		}
		what := "the operator links " + room.service + " again"
		if room.removed {
			// Its people add the bot back, as the administrator it was.
			what = room.g.Title() + " adds the bot back, and " + what
			if err := room.g.AddBot(room.people[0]); err != nil {
				d.t.Fatal(err)
			}
			if room.g.IsForum() && !room.demoted {
				room.g.PromoteBot(room.people[0])
			}
			room.removed = false
		}
		d.note(what)
		room.g.Send(room.people[0], "/link "+linkCode(d.t, d.h, room.service))
		room.unlinked = false
		d.settle(room)
		d.quiet(what)
		return
	}
	room := d.rooms[d.rnd.IntN(len(d.rooms))]
	what := "the operator unlinks " + room.service
	d.note(what)
	unlinkOrg(d.t, d.h, room.service)
	room.unlinked = true
	d.unlinks++
	// What the operator's process queued, the bot finds and sends.
	d.quiet(what)
}

// membershipStep: the forum's people take the bot's administrator rights,
// or give them back; or, when every desk is linked, a group removes the bot,
// which ends its desk until its people add the bot back and the operator
// links it again (operatorStep).
func (d *deskWalk) membershipStep() {
	d.t.Helper()
	if forum := d.rooms[0]; d.rnd.IntN(3) == 0 {
		// Boris leaves the forum, or joins it again.
		boris := forum.people[1]
		what := forum.g.Title() + ": " + boris.Name() + " leaves"
		if forum.left[boris] {
			what = forum.g.Title() + ": " + boris.Name() + " joins again"
			forum.g.Join(boris)
			delete(forum.left, boris)
		} else {
			forum.g.Leave(boris)
			forum.left[boris] = true
		}
		d.note(what)
		d.settle(forum)
		d.quiet(what)
		return
	}
	if forum := d.rooms[0]; !forum.removed && d.rnd.IntN(2) == 0 {
		admin := forum.people[0]
		what := forum.g.Title() + " makes the bot an administrator again"
		if forum.demoted {
			forum.g.PromoteBot(admin)
		} else {
			what = forum.g.Title() + " takes the bot's administrator rights"
			forum.g.DemoteBot(admin)
			d.demotions++
		}
		forum.demoted = !forum.demoted
		d.note(what)
		d.settle(forum)
		d.quiet(what)
		return
	}
	if slices.ContainsFunc(d.rooms, func(r *deskRoom) bool { return r.unlinked }) {
		return // one desk at most is away
	}
	room := d.rooms[d.rnd.IntN(len(d.rooms))]
	what := room.g.Title() + " removes the bot"
	d.note(what)
	if msgs := room.g.Messages(); len(msgs) > 0 {
		room.frozen = msgs[len(msgs)-1].ID
	}
	room.g.RemoveBot(room.people[0])
	room.removed, room.unlinked = true, true
	d.removals++
	// Nothing is sent to the group to wait for: the act has been handled
	// once the desk is gone, and then what it sent to workers is awaited.
	deadline := time.Now().Add(hostileWait)
	for {
		_, err := d.h.db.OrgByService(d.t.Context(), room.service)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if err != nil {
			d.t.Fatal(err)
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("step %d, %s: still a desk after %v", d.step, what, hostileWait)
		}
		time.Sleep(2 * time.Millisecond)
	}
	d.quiet(what)
}

// tidyStep: a desk's administrator tidies up from their client, which
// Telegram does not tell the bot of: deletes a case's topic in the forum,
// with every message in it, or deletes a card. Nothing is lost: what the
// bot sends next to a deleted topic goes to General, a deleted card comes
// back when its case changes, and /case brings it back at once, which the
// caseworker sends half the time.
func (d *deskWalk) tidyStep() {
	d.t.Helper()
	room := d.rooms[d.rnd.IntN(len(d.rooms))]
	admin := room.people[0]
	if room.unlinked || room.left[admin] {
		return
	}
	g := room.g
	var topics []localapi.Topic
	for _, tp := range g.Topics() {
		if tp.ID != 0 && !tp.Closed {
			topics = append(topics, tp)
		}
	}
	var caseID, what string
	if len(topics) > 0 && d.rnd.IntN(2) == 0 {
		tp := topics[d.rnd.IntN(len(topics))]
		in := map[int]bool{}
		for _, m := range g.TopicMessages(tp.ID) {
			in[m.ID] = true
		}
		what = fmt.Sprintf("%s: %s deletes the topic %q", g.Title(), admin.Name(), tp.Name)
		d.note(what)
		if err := g.DeleteTopic(admin, tp.ID); err != nil {
			d.t.Fatal(err)
		}
		if room.goneTopics == nil {
			room.goneTopics = map[int]bool{}
		}
		room.goneTopics[tp.ID] = true
		// What its people wrote there went with it.
		room.posts = slices.DeleteFunc(room.posts, func(p deskPost) bool { return in[p.id] })
		for _, id := range d.cases {
			if strings.Contains(tp.Name, id) {
				caseID = id
			}
		}
	} else {
		cards := slices.DeleteFunc(room.shown(), func(m localapi.Message) bool { return !strings.HasPrefix(m.Text, "📋") })
		// Mostly the card of a case the desk holds, whose next change
		// must bring it back.
		active := d.activeDeliveries()
		held := slices.DeleteFunc(slices.Clone(cards), func(m localapi.Message) bool {
			return !slices.ContainsFunc(active, func(dl store.Delivery) bool {
				return dl.ChatID == g.ID() && strings.Contains(m.Text, dl.CaseID)
			})
		})
		if len(held) > 0 && d.rnd.IntN(4) > 0 {
			cards = held
		}
		if len(cards) == 0 {
			return
		}
		c := cards[d.rnd.IntN(len(cards))]
		what = fmt.Sprintf("%s: %s deletes the card %q", g.Title(), admin.Name(), firstLine(c.Text))
		d.note(what)
		if err := g.DeleteMessage(admin, c.ID); err != nil {
			d.t.Fatal(err)
		}
		for _, id := range d.cases {
			if strings.Contains(c.Text, id) {
				caseID = id
			}
		}
	}
	d.tidies++
	if caseID == "" {
		return
	}
	if d.rnd.IntN(2) == 0 {
		// Nobody asks for it: the card is lost until its case changes.
		for _, dl := range d.activeDeliveries() {
			if dl.CaseID == caseID && dl.ChatID == g.ID() {
				if room.lost == nil {
					room.lost = map[string]store.Delivery{}
				}
				room.lost[caseID] = dl
			}
		}
		return
	}
	g.Send(admin, "/case "+caseID)
	d.deskInputs++
	d.quiet(what + ", then asks for the case")
}

// lostCardsCameBack holds that a card someone deleted came back once its
// case changed at the desk: the bot's edit found it gone and sent it anew.
func (d *deskWalk) lostCardsCameBack() {
	d.t.Helper()
	for _, room := range d.rooms {
		if room.removed {
			room.lost = nil // the bot could not send there
			continue
		}
		for id, lost := range room.lost {
			ds, err := d.h.db.CaseDeliveries(d.t.Context(), id)
			if err != nil {
				d.t.Fatal(err)
			}
			i := slices.IndexFunc(ds, func(dl store.Delivery) bool { return dl.ID == lost.ID })
			if i < 0 {
				delete(room.lost, id) // erased with its case
				continue
			}
			if now := ds[i]; now.Revision != lost.Revision || now.Status != lost.Status {
				_, shown := room.card(id)
				if shown {
					d.cardsBack++
				} else {
					d.t.Errorf("step %d: case %s changed at %s (%s, revision %d → %s, revision %d) after its card was deleted, and no card came back",
						d.step, id, room.g.Title(), lost.Status, lost.Revision, now.Status, now.Revision)
				}
				delete(room.lost, id)
			}
		}
	}
}

// askForLostCards asks each desk for the cases whose card it deleted and
// which have not changed since, as a caseworker missing one would. A case
// that changed since must have its card back already: the bot sends it
// anew when the edit finds it gone.
func (d *deskWalk) askForLostCards() {
	d.t.Helper()
	for _, room := range d.rooms {
		if room.unlinked || room.left[room.people[0]] {
			continue
		}
		for _, dl := range d.activeDeliveries() {
			lost, ok := room.lost[dl.CaseID]
			if _, shown := room.card(dl.CaseID); dl.ChatID != room.g.ID() || shown || !ok || lost.ID != dl.ID || lost.Revision != dl.Revision {
				continue // the card invariant judges it
			}
			what := fmt.Sprintf("%s: %s asks for the case %s, whose card is gone", room.g.Title(), room.people[0].Name(), dl.CaseID)
			d.note(what)
			d.lostCards++
			room.g.Send(room.people[0], "/case "+dl.CaseID)
			// A command is not a press, so quiet does not wait for its
			// answer; through a webhook it may not even have reached
			// the bot yet. The card is what answers it (checked below).
			for deadline := time.Now().Add(hostileWait); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
				if _, shown := room.card(dl.CaseID); shown {
					break
				}
			}
			d.quiet(what)
		}
	}
}

// intoDeletedTopic is the first request refused because the topic it was
// sent to had been deleted: Telegram would refuse it too. The bot sends to
// General from then on, so a second refusal for the same topic is a fault.
func (d *deskWalk) intoDeletedTopic(r localapi.Request) bool {
	thread, err := strconv.Atoi(r.Params["message_thread_id"])
	if err != nil || r.Status != 400 {
		return false
	}
	for _, room := range d.rooms {
		if room.g.ID() == r.ChatID && room.goneTopics[thread] {
			room.goneTopics[thread] = false // once
			return true
		}
	}
	return false
}

// pressAfterLeaving: someone who left the group presses a button on a
// message they saw. It is answered, and changes nothing: no case, no
// language, no message of the desk.
func (d *deskWalk) pressAfterLeaving(room *deskRoom, who *localapi.User) {
	d.t.Helper()
	m, b, ok := pickButton(d.rnd, room.shown(), 0)
	if !ok {
		return
	}
	what := fmt.Sprintf("%s, %s, who left: press %q (%s) on %q", room.g.Title(), who.Name(), b.Text, b.CallbackData, firstLine(m.Text))
	d.note(what)
	snapshot := func() string {
		var b strings.Builder
		for _, id := range d.cases {
			b.WriteString(deskSnapshot(d.t, d.h.db, id))
		}
		for _, m := range room.g.Messages() {
			if m.Deleted {
				fmt.Fprintf(&b, "deleted %d\n", m.ID)
			}
		}
		return b.String()
	}
	before := snapshot()
	d.pressOnce(room, who, m.ID, b.CallbackData, what)
	if after := snapshot(); after != before {
		d.t.Errorf("step %d, %s changed the desk:\nbefore:\n%s\nafter:\n%s", d.step, what, before, after)
	}
}

// workerEdits: a worker corrects one of their texts, mostly one that went
// on to a desk, whose correction follows it; any other edit is answered
// with a request to send the text again. false when there is nothing to
// edit.
func (d *deskWalk) workerEdits(e *explorer) bool {
	d.t.Helper()
	texts := slices.Clone(e.texts)
	if d.rnd.IntN(4) != 0 {
		passed := slices.DeleteFunc(slices.Clone(texts), func(id int) bool {
			_, err := d.h.db.DeskRelayCase(d.t.Context(), e.u.ChatID(), id)
			return err != nil
		})
		if len(passed) > 0 {
			texts = passed
		}
	}
	if len(texts) == 0 {
		return false
	}
	id := texts[d.rnd.IntN(len(texts))]
	what := fmt.Sprintf("[%s] worker edits message %d", e.lang, id)
	if _, err := d.h.db.DeskRelayCase(d.t.Context(), e.u.ChatID(), id); err == nil {
		d.workerCorrections++
	}
	before := e.snap()
	if e.u.Edit(id, exploreAnswers[d.rnd.IntN(len(exploreAnswers))]+" (corrected)") != nil {
		return false // gone: the chat was cleared
	}
	d.note(what)
	if turn := e.settleAny(before); len(turn.messages) == 0 {
		d.t.Errorf("step %d, %s: no answer", d.step, what)
	}
	d.quiet(what)
	return true
}

// workerBlocks: a worker blocks the bot, which then sends them nothing
// (a desk that writes to them is told they cannot be reached), or, having
// blocked it, writes /start and is answered.
func (d *deskWalk) workerBlocks(e *explorer) {
	d.t.Helper()
	if d.blocked[e] {
		what := fmt.Sprintf("[%s] worker who blocked the bot writes /start", e.lang)
		d.note(what)
		before := e.snap()
		e.send("/start")
		delete(d.blocked, e)
		if turn := e.settleAny(before); len(turn.messages) == 0 {
			d.t.Errorf("step %d, %s: no answer", d.step, what)
		}
		d.quiet(what)
		return
	}
	what := fmt.Sprintf("[%s] worker blocks the bot", e.lang)
	d.note(what)
	e.u.BlockBot()
	d.blocked[e] = true
	d.blocks++
	// Nothing is sent to a chat that blocked the bot, once it knows: the
	// walk waits for that before going on.
	deadline := time.Now().Add(hostileWait)
	for {
		if err := d.h.db.NoticeOutsideWrites(d.t.Context()); err != nil {
			d.t.Fatal(err)
		}
		c, err := d.h.db.Chat(d.t.Context(), e.u.ChatID())
		if err != nil {
			d.t.Fatal(err)
		}
		if !c.BlockedAt.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("step %d, %s: the bot did not hear of it in %v", d.step, what, hostileWait)
		}
		time.Sleep(2 * time.Millisecond)
	}
	d.quiet(what)
}

// timePasses moves the jobs' clock on by up to a day and runs one of
// the desk's jobs: reminders and passing on cases nobody took, a desk's
// week, asking workers whether a resolved problem is solved.
func (d *deskWalk) timePasses() {
	d.t.Helper()
	hours := 1 + d.rnd.IntN(24)
	d.clock.Set(d.clock.Now().Add(time.Duration(hours) * time.Hour))
	job := "deadlines"
	switch n := d.rnd.IntN(100); {
	case n < 25:
		job = "follow-up"
	case n < 40:
		job = "digest"
	}
	what := fmt.Sprintf("%d hours pass, %s runs", hours, job)
	d.note(what)
	if err := d.h.jobs.RunNow(job); err != nil {
		d.t.Fatal(err)
	}
	if d.jobRuns == nil {
		d.jobRuns = map[string]int{}
	}
	d.jobRuns[job]++
	d.quiet(what)
}

type deskAct int

const (
	deskPress deskAct = iota
	deskPressTwice
	deskCommand
	deskMessage
)

// deskTexts are what caseworkers write: questions and answers for the
// worker, internal remarks, and what a thumb sends by mistake.
var deskTexts = []string{"How much are you owed?", "Сколько вам должны?", "Қай қалада жұмыс істейсіз?",
	"! check the contract first", "!", "ok", "We called the employer. They promise to pay on Friday.",
	"<b>not bold</b> & <i>", "https://example.org/form", "\u200b", "1"}

// act does one random thing in a desk: mostly a button on the newest
// messages, sometimes one on an old message; a reply to a message of the
// bot, with text or a file; a command; or talk to the room.
func (d *deskWalk) act(room *deskRoom, who *localapi.User) (string, deskAct) {
	r, g := d.rnd, room.g
	switch n := r.IntN(100); {
	case n < 55:
		// Mostly the three newest messages with buttons, where a desk's
		// work happens; sometimes any still shown.
		newest := 0
		if n < 42 {
			newest = 3
		}
		if m, b, ok := pickButton(r, room.shown(), newest); ok {
			on := fmt.Sprintf("%q (%s) on %q", b.Text, b.CallbackData, firstLine(m.Text))
			if len(room.present()) > 1 && r.IntN(5) == 0 {
				// Two caseworkers press the same button at the same moment:
				// both are answered, and one of them wins. A press that
				// comes after the first deleted the message is no press.
				var wg sync.WaitGroup
				var pressed atomic.Int32
				for _, p := range room.present()[:2] {
					wg.Go(func() {
						if g.PressData(p, m.ID, b.CallbackData) == nil {
							pressed.Add(1)
						}
					})
				}
				wg.Wait()
				room.presses += int(pressed.Load())
				if pressed.Load() == 2 {
					return "both press " + on, deskPressTwice
				}
				return "press, one of two, " + on, deskPress
			}
			if err := g.PressData(who, m.ID, b.CallbackData); err != nil {
				d.t.Fatal(err)
			}
			room.presses++
			return "press " + on, deskPress
		}
		fallthrough
	case n < 75:
		msgs := room.shown()
		if len(msgs) > 0 {
			// The newest message, a card (what caseworkers reply to most),
			// or any.
			m := msgs[len(msgs)-1]
			cards := slices.DeleteFunc(slices.Clone(msgs), func(m localapi.Message) bool { return !strings.HasPrefix(m.Text, "📋") })
			switch k := r.IntN(100); {
			case k < 35 && len(cards) > 0:
				m = cards[r.IntN(len(cards))]
			case k >= 80:
				m = msgs[r.IntN(len(msgs))]
			}
			d.deskInputs++
			on := fmt.Sprintf("on %q", firstLine(m.Text+m.Caption))
			post := func(id int) { room.posts = room.posted(who, id) }
			// A reply is written in the message's topic, if it is in one; in
			// a plain supergroup a message's thread is its reply chain,
			// which a client does not name.
			topic := 0
			if slices.ContainsFunc(g.Topics(), func(tp localapi.Topic) bool { return tp.ID == m.ThreadID }) {
				topic = m.ThreadID
			}
			switch k := r.IntN(10); {
			case k < 6:
				text := deskTexts[r.IntN(len(deskTexts))]
				if k == 5 {
					text = hostileText(r, 4096)
				}
				post(g.ReplyInTopic(who, topic, m.ID, text))
				return fmt.Sprintf("reply %q %s", hostileTruncate(text, 30), on), deskMessage
			case k < 7:
				post(g.SendPhoto(who, topic, m.ID, "payslip"))
				return "reply with a photo " + on, deskMessage
			case k < 8:
				post(g.SendDocument(who, topic, m.ID, "contract <1>.pdf", "application/pdf", ""))
				return "reply with a document " + on, deskMessage
			case k < 9:
				g.SendVoice(who, topic, m.ID)
				return "reply with a voice message " + on, deskMessage
			default:
				g.SendSticker(who, topic, m.ID)
				return "reply with a sticker " + on, deskMessage
			}
		}
		fallthrough
	case n < 90:
		commands := []string{"/cases", "/cases@" + d.botName, "/case " + d.cases[r.IntN(len(d.cases))],
			"/case " + strings.ToLower(d.cases[r.IntN(len(d.cases))]), "/case", "/case RD-", "/language", "/help",
			"/start", "/link ZZZZ", "/x", "/help@otherbot"}
		text := commands[r.IntN(len(commands))]
		thread := 0
		if topics := g.Topics(); len(topics) > 0 && r.IntN(2) == 0 {
			thread = topics[r.IntN(len(topics))].ID
		}
		g.SendInTopic(who, thread, text)
		if strings.HasSuffix(text, "@otherbot") {
			return fmt.Sprintf("command %q for another bot in thread %d", text, thread), deskMessage
		}
		return fmt.Sprintf("command %q in thread %d", text, thread), deskCommand
	case n < 95:
		// Someone corrects what they wrote: a reply passed on to a worker,
		// a remark, chatter; a file's caption.
		var mine []int
		for _, p := range room.posts {
			if p.by == who {
				mine = append(mine, p.id)
			}
		}
		if r.IntN(2) == 0 {
			// Mostly what reached a worker, which a correction follows.
			passed := slices.DeleteFunc(slices.Clone(mine), func(id int) bool {
				_, err := d.h.db.DeskRelayCase(d.t.Context(), g.ID(), id)
				return err != nil
			})
			if len(passed) > 0 {
				mine = passed
			}
		}
		if len(mine) > 0 {
			d.deskInputs++
			id := mine[r.IntN(len(mine))]
			text := deskTexts[r.IntN(len(deskTexts))] + " (corrected)"
			if err := g.Edit(who, id, text); err != nil {
				d.t.Fatal(err)
			}
			return fmt.Sprintf("edit message %d to %q", id, text), deskMessage
		}
		fallthrough
	default:
		d.deskInputs++
		text := deskTexts[r.IntN(len(deskTexts))]
		thread := 0
		if topics := g.Topics(); len(topics) > 0 && r.IntN(2) == 0 {
			thread = topics[r.IntN(len(topics))].ID
		}
		room.posts = room.posted(who, g.SendInTopic(who, thread, text))
		return fmt.Sprintf("talk %q in thread %d", text, thread), deskMessage
	}
}

// card is the newest card of a case in the group.
func (room *deskRoom) card(caseID string) (localapi.Message, bool) {
	msgs := room.shown()
	for i := len(msgs) - 1; i >= 0; i-- {
		if strings.HasPrefix(msgs[i].Text, "📋") && strings.Contains(msgs[i].Text, caseID) {
			return msgs[i], true
		}
	}
	return localapi.Message{}, false
}

func callbackData(m localapi.Message) []string {
	var data []string
	for _, b := range callbackButtons(m) {
		data = append(data, b.CallbackData)
	}
	return data
}

// shown are the bot's messages in the group still there, but for the
// walk's sentinels.
func (room *deskRoom) shown() []localapi.Message {
	return slices.DeleteFunc(room.g.Messages(), func(m localapi.Message) bool { return m.Deleted || room.sentinels[m.ID] })
}

// settle asks the desk for a case that does not exist: the bot handles a
// group's updates in order and sends to it in order, so once the answer
// naming that case is there, so is every message to the group the act
// caused.
func (d *deskWalk) settle(room *deskRoom) localapi.Message {
	d.t.Helper()
	if room.removed {
		return localapi.Message{} // quiet is all there is to wait for
	}
	if room.unlinked {
		return d.settleUnlinked(room)
	}
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	id := []byte("RD-0000-0000")
	for i := range id {
		if i >= 3 && i != 7 {
			id[i] = alphabet[d.rnd.IntN(len(alphabet))]
		}
	}
	room.g.Send(room.people[0], "/case "+string(id))
	ctx, cancel := context.WithTimeout(context.Background(), hostileWait)
	defer cancel()
	m, err := room.g.WaitFor(ctx, func(m localapi.Message) bool { return strings.Contains(m.Text, string(id)) })
	if err != nil {
		var last []string
		for _, m := range room.g.Messages()[max(0, len(room.g.Messages())-5):] {
			last = append(last, firstLine(m.Text))
		}
		d.t.Fatalf("step %d: %s did not answer /case %s: %v; its last messages: %q", d.step, room.g.Title(), id, err, last)
	}
	room.sentinels[m.ID] = true
	return m
}

// settleUnlinked settles a group that is no longer a desk, where the bot
// answers /link alone: without a code, with how to use it.
func (d *deskWalk) settleUnlinked(room *deskRoom) localapi.Message {
	d.t.Helper()
	last := 0
	if msgs := room.g.Messages(); len(msgs) > 0 {
		last = msgs[len(msgs)-1].ID
	}
	usage := d.h.catalog.T(locales.Match(room.people[0].Language()), "desk_link_usage", nil)
	room.g.Send(room.people[0], "/link")
	ctx, cancel := context.WithTimeout(context.Background(), hostileWait)
	defer cancel()
	m, err := room.g.WaitFor(ctx, func(m localapi.Message) bool { return m.ID > last && m.Text == usage })
	if err != nil {
		d.t.Fatalf("step %d: %s, unlinked, did not answer /link: %v", d.step, room.g.Title(), err)
	}
	room.sentinels[m.ID] = true
	return m
}

// quiet waits until every message of the bot is sent and every press
// answered, in every chat: an act in a desk reaches workers, and a
// worker's reaches desks.
func (d *deskWalk) quiet(after string) {
	d.t.Helper()
	deadline := time.Now().Add(hostileWait)
	for {
		n, err := d.h.db.OutboxLen(d.t.Context())
		if err != nil {
			d.t.Fatal(err)
		}
		unanswered := 0
		for _, room := range d.rooms {
			unanswered += room.g.Unanswered()
		}
		for _, e := range d.workers {
			unanswered += e.u.Unanswered()
		}
		if n == 0 && unanswered == 0 {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("step %d, %s: still %d messages to send and %d presses unanswered after %v", d.step, after, n, unanswered, hostileWait)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
