package main

// The random explorer: where the hostile sweep walks every state on
// purpose, this walks wherever chance leads — seeded people in all six
// languages press any button they can see (new or stale), press the reply
// keyboard, or send anything a person can send, for thousands of steps.
// Every button press is answered exactly once, every input gets an answer,
// no request breaks the Bot API's rules, nothing panics, and nothing is
// left unhandled.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// exploreSteps per person by default; RIGHTSDESK_EXPLORE_STEPS changes it
// and RIGHTSDESK_EXPLORE_SEED replays another walk.
const exploreSteps = 500

func TestRandomExplorer(t *testing.T) {
	if testing.Short() {
		t.Skip("walks thousands of random steps through the real bot; skipped with -short")
	}
	seed, steps := envKnob(t, "RIGHTSDESK_EXPLORE_SEED", 20261204), int(envKnob(t, "RIGHTSDESK_EXPLORE_STEPS", exploreSteps))
	t.Logf("seed %d, %d steps a person (replay with RIGHTSDESK_EXPLORE_SEED=%d)", seed, steps, seed)
	started := time.Now()
	cat := loadHostileCatalog(t)
	// The local Bot API behind the bench's wrapper, so each person can
	// first file a whole complaint with the bench's steps: chance alone
	// rarely gets past the first questions, and a filed case opens the
	// states after it (route offers, /mycases, a case's buttons).
	target, err := newBenchTarget()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(target.close)
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, api: target.api, baseURL: target.baseURL, logs: &syncBuffer{}, catalog: catalog,
		dbPath: filepath.Join(t.TempDir(), "explore.db")}
	h.start(harnessOptions{})
	var total, presses, stale atomic.Int64
	explorers := make([]*explorer, len(locales.Languages))
	t.Run("walk", func(t *testing.T) {
		for i, lang := range locales.Languages {
			e := &explorer{hostileUser: hostileUser{h: h, cat: cat, lang: lang, tgLang: lang,
				u: h.api.NewUser("Explorer-"+lang, lang), rnd: rand.New(rand.NewPCG(seed, uint64(i)))}}
			explorers[i] = e
			target.watch(e.u.ChatID())
			t.Run(lang, func(t *testing.T) {
				t.Parallel()
				e.t = t
				p := &loopPerson{benchPerson: benchPerson{target: target}}
				if p.complaint(catalog, e.u) == "" {
					t.Fatal("the complaint before the walk failed")
				}
				awaitAnswered(e.u)
				e.presses += len(e.u.CallbackAnswers())
				e.walk(steps)
				total.Add(int64(e.steps))
				presses.Add(int64(e.presses))
				stale.Add(int64(e.stalePresses))
			})
		}
	})
	waitQuiet(h.api, 300*time.Millisecond, 10*time.Second)

	refusedEdits := 0
	for _, r := range h.api.Requests() {
		switch {
		case hostileRefused(r) && hostileEdit(r):
			refusedEdits++ // not modified, or a failure db.Failures counts
		case hostileRefused(r):
			t.Errorf("%s to chat %d answered %d", r.Method, r.ChatID, r.Status)
		}
	}
	for _, e := range explorers {
		if got := len(e.u.CallbackAnswers()); got != e.presses {
			t.Errorf("%s: %d button presses, %d answers", e.lang, e.presses, got)
		}
	}
	db := stopClean(t, h)
	// How deep chance went: cases filed on the way.
	cases := 0
	for _, e := range explorers {
		cs, err := db.ChatCases(t.Context(), e.u.ChatID())
		if err != nil {
			t.Fatal(err)
		}
		cases += len(cs)
	}
	t.Logf("seed %d: %d random steps in 6 languages (%d button presses, %d not on the newest keyboard), %d cases filed, %d edits not modified, %v",
		seed, total.Load(), presses.Load(), stale.Load(), cases, refusedEdits, time.Since(started).Round(time.Millisecond))
}

// explorer is a hostile user who does not aim: it reuses the sweep's
// person (its settling, battery and language) and picks at random.
type explorer struct {
	hostileUser
	steps        int
	stalePresses int
}

// exploreAnswers are what people type, so the walk gets past questions;
// exploreCommands take it elsewhere.
var (
	exploreAnswers = []string{"Tbilisi", "Baku", "Moscow", "Almaty", "Chișinău", "Istanbul", "1", "2, 3", "yes",
		"no", "done", "skip", "+994501234567", "ACME", "They keep my passport and do not pay me.", "зарплата",
		"maaş", "ხელფასი", "salariu", "жалақы", "passport"}
	exploreCommands = []string{"/start", "/menu", "/guide", "/guide passport", "/complaint", "/mycases", "/help",
		"/language", "/cancel", "/back", "/delete"}
)

func (e *explorer) walk(steps int) {
	e.picked = true
	for range steps {
		e.step()
		if e.t.Failed() {
			return
		}
	}
}

// step does one random thing and checks the bot's whole answer to it.
func (e *explorer) step() {
	e.t.Helper()
	e.steps++
	r := e.rnd
	before := e.snap()
	what, presses := e.act(r)
	pressed := presses > 0
	turn := e.settleAny(before)
	where := fmt.Sprintf("[%s] step %d, %s:", e.lang, e.steps, what)
	if len(turn.answers) != presses {
		e.t.Errorf("%s %d presses got %d answers", where, presses, len(turn.answers))
	}
	toast := ""
	if len(turn.answers) > 0 {
		toast = turn.answers[0].Text
	}
	if len(turn.messages) == 0 && toast == "" && !(pressed && e.editRefused()) {
		e.t.Errorf("%s no answer at all", where)
	}
}

// act does one random thing: mostly a button of the latest messages, a
// stale one now and then, the reply keyboard, or anything a person sends.
// It returns how many presses it made.
func (e *explorer) act(r *rand.Rand) (what string, presses int) {
	switch n := r.IntN(100); {
	case n < 72:
		// Mostly the newest keyboard, as people do: that is how a walk
		// gets deep into a complaint; sometimes any button still shown.
		if m, b, ok := e.visibleButton(r, n < 64); ok {
			stale := m.ID != e.lastWithKeyboard()
			e.pressData(m.ID, b.CallbackData)
			if stale {
				e.stalePresses++
			}
			if r.IntN(12) == 0 {
				// A double tap on a slow line: the second press is queued
				// before the first is answered, unless the first already
				// took the message away.
				if e.u.PressData(m.ID, b.CallbackData) == nil {
					e.presses++
					return fmt.Sprintf("double-tap %q (%s)", b.Text, b.CallbackData), 2
				}
			}
			return fmt.Sprintf("press %q (%s)", b.Text, b.CallbackData), 1
		}
		fallthrough
	case n < 78:
		if kb := e.u.ReplyKeyboard(); len(kb) > 0 {
			row := kb[r.IntN(len(kb))]
			b := row[r.IntN(len(row))]
			if _, err := e.u.PressReply(b.Text); err == nil {
				return fmt.Sprintf("reply keyboard %q", b.Text), 0
			}
		}
		fallthrough
	case n < 90:
		text := exploreAnswers[r.IntN(len(exploreAnswers))]
		e.send(text)
		return fmt.Sprintf("text %q", text), 0
	case n < 95:
		text := exploreCommands[r.IntN(len(exploreCommands))]
		e.send(text)
		return fmt.Sprintf("command %q", text), 0
	default:
		// The sweep's battery, but for its edit, which needs a message of
		// the person's still there (a walk may have cleared the chat).
		battery := slices.DeleteFunc(e.battery(), func(in hostileInput) bool { return in.name == "edit" })
		in := battery[r.IntN(len(battery))]
		in.do(&e.hostileUser)
		if in.callback {
			return in.name, 1
		}
		return in.name, 0
	}
}

// settleAny is the sweep's settle without its language check: a walk may
// choose another language or erase the chat at any step, and the hostile
// sweep checks the languages. The sentinel is an unknown command with a
// fresh name; once its answer is there, every message before it is, and
// the answers to presses once none is left unanswered.
func (e *explorer) settleAny(before hostileSnap) hostileTurn {
	e.t.Helper()
	name := "sentinel_" + hostileLetters(e.rnd, 10)
	e.u.SendText("/" + name)
	ctx, cancel := context.WithTimeout(context.Background(), hostileWait)
	defer cancel()
	reply, err := e.u.WaitFor(ctx, func(m localapi.Message) bool { return strings.Contains(m.Text, name) })
	if err != nil {
		e.t.Fatalf("[%s] step %d: the sentinel /%s was not answered: %v; since: %q", e.lang, e.steps, name, err, e.newLines(before.n))
	}
	awaitAnswered(e.u)
	msgs := e.u.Messages()
	end := slices.IndexFunc(msgs, func(m localapi.Message) bool { return m.ID == reply.ID })
	var turn hostileTurn
	for _, m := range msgs[:min(before.n, end)] {
		if n, ok := before.edits[m.ID]; ok && n >= 0 && (m.EditCount != n || m.Deleted) {
			turn.messages = append(turn.messages, m)
		}
	}
	if before.n <= end {
		turn.messages = append(turn.messages, msgs[before.n:end]...)
	}
	turn.answers = e.u.CallbackAnswers()[before.answers:]
	return turn
}

// visibleButton picks a button with callback data: of the newest messages
// with buttons when fresh, else of any message still shown.
func (e *explorer) visibleButton(r *rand.Rand, fresh bool) (localapi.Message, localapi.Button, bool) {
	newest := 0
	if fresh {
		newest = 1
	}
	return pickButton(r, e.u.Messages(), newest)
}

// pickButton picks a button with callback data on one of the messages
// still shown with buttons: one of the newest such, or any when newest is 0.
func pickButton(r *rand.Rand, msgs []localapi.Message, newest int) (localapi.Message, localapi.Button, bool) {
	shown := slices.DeleteFunc(slices.Clone(msgs), func(m localapi.Message) bool { return m.Deleted || len(m.InlineKeyboard) == 0 })
	if len(shown) == 0 {
		return localapi.Message{}, localapi.Button{}, false
	}
	if newest > 0 {
		shown = shown[max(0, len(shown)-newest):]
	}
	m := shown[r.IntN(len(shown))]
	all := callbackButtons(m)
	if len(all) == 0 {
		return m, localapi.Button{}, false
	}
	return m, all[r.IntN(len(all))], true
}

func callbackButtons(m localapi.Message) []localapi.Button {
	var all []localapi.Button
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != "" {
				all = append(all, b)
			}
		}
	}
	return all
}

func (e *explorer) lastWithKeyboard() int {
	msgs := e.u.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if !msgs[i].Deleted && len(msgs[i].InlineKeyboard) > 0 {
			return msgs[i].ID
		}
	}
	return 0
}

// envKnob is a walk's number from the environment (a seed, a length), or
// def when it is unset.
func envKnob(t *testing.T, name string, def uint64) uint64 {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return n
}

// stopClean stops the bot after a walk and wants it to have left nothing
// behind: no panic, missing message or error in its logs, no update
// unhandled, no message unsent, no delivery failed. It returns the
// database, reopened.
func stopClean(t *testing.T, h *harness) *store.DB {
	t.Helper()
	h.stop()
	logs := h.logs.String()
	for _, bad := range []string{"panic", "locale message missing", `"level":"error"`} {
		if n := strings.Count(logs, bad); n > 0 {
			t.Errorf("%d× %q in the logs, e.g. %s", n, bad, hostileLogLine(logs, bad))
		}
	}
	db := reopen(t, h)
	wantNoLeftoverWork(t, db)
	return db
}

// wantNoLeftoverWork wants a stopped bot's database to hold no update
// unhandled, no message unsent and no delivery failed.
func wantNoLeftoverWork(t *testing.T, db *store.DB) {
	t.Helper()
	pending, err := db.UnhandledUpdates(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	outbox, err := db.OutboxLen(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	failures, err := db.Failures(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after the stop: %d unhandled updates, %d outbox rows, delivery failures %v", len(pending), outbox, failures)
	if len(pending) != 0 || outbox != 0 || len(failures) != 0 {
		t.Errorf("leftover work: %d unhandled updates, %d outbox rows, delivery failures %v", len(pending), outbox, failures)
	}
}
