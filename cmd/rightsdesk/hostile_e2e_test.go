package main

// The "bad input" standard, end to end: anything a user can send, in any
// state of any feature, in any of the six languages, is answered in that
// user's language (or ignored politely in a group), every button press is
// answered, no request is refused by the Bot API, nothing panics and no
// update is left unhandled, across a restart on the same database.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/BurntSushi/toml"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/localapi"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// hostileDefaultSeed makes the sweep the same on every run;
// RIGHTSDESK_HOSTILE_SEED replays another one.
const hostileDefaultSeed = 20250601

// hostileWait bounds how long one reply may take; the local API answers in
// milliseconds, so reaching it means no reply is coming.
const hostileWait = 10 * time.Second

func TestHostileInputEveryStateEveryLanguage(t *testing.T) {
	if testing.Short() {
		t.Skip("sweeps ~3000 hostile updates through the real bot; skipped with -short")
	}
	seed := envKnob(t, "RIGHTSDESK_HOSTILE_SEED", hostileDefaultSeed)
	t.Logf("seed %d (replay with RIGHTSDESK_HOSTILE_SEED=%d)", seed, seed)
	started := time.Now()

	cat := loadHostileCatalog(t)
	h := startHarness(t, harnessOptions{})
	users := make([]*hostileUser, len(locales.Languages))
	for i, lang := range locales.Languages {
		// The Telegram interface is in the next language, so a reply in
		// the Telegram language instead of the chosen one is caught.
		tgLang := locales.Languages[(i+1)%len(locales.Languages)]
		users[i] = &hostileUser{h: h, cat: cat, lang: lang, tgLang: tgLang,
			u:   h.api.NewUser("Hostile-"+lang, tgLang),
			rnd: rand.New(rand.NewPCG(seed, uint64(i)))}
	}

	t.Run("states", func(t *testing.T) {
		for _, w := range users {
			t.Run(w.lang, func(t *testing.T) {
				t.Parallel()
				w.t = t
				w.sweepStates()
			})
		}
	})
	phaseA := time.Since(started)

	// The process stops and starts again on the same database; the buttons
	// on screen are now from before the restart.
	waitQuiet(h.api, 300*time.Millisecond, 10*time.Second)
	h.stop()
	h.start(harnessOptions{dbPath: h.dbPath})
	var caseIDs []string
	for _, w := range users {
		if w.caseID != "" {
			caseIDs = append(caseIDs, w.caseID)
		}
	}
	t.Run("after-restart", func(t *testing.T) {
		for _, w := range users {
			t.Run(w.lang, func(t *testing.T) {
				t.Parallel()
				if w.broken {
					t.Skip("the sweep of this user failed")
				}
				w.t = t
				w.afterRestart(caseIDs)
			})
		}
	})
	t.Run("groups", func(t *testing.T) {
		for _, w := range users {
			t.Run(w.lang, func(t *testing.T) {
				t.Parallel()
				w.t = t
				w.inGroup()
			})
		}
	})

	waitQuiet(h.api, 300*time.Millisecond, 10*time.Second)
	hits, presses := 0, 0
	for _, w := range users {
		hits += w.hits
		presses += w.presses
		// Every callback query was answered, exactly once.
		if got := len(w.u.CallbackAnswers()); got != w.presses {
			t.Errorf("%s: %d button presses, %d answers", w.lang, w.presses, got)
		}
		if w.group != nil {
			if got := len(w.group.CallbackAnswers()); got != w.groupPresses {
				t.Errorf("%s group: %d button presses, %d answers", w.lang, w.groupPresses, got)
			}
		}
	}
	refusedEdits := 0
	for _, r := range h.api.Requests() {
		switch {
		case hostileRefused(r) && hostileEdit(r):
			refusedEdits++ // not modified, or a failure db.Failures counts
		case hostileRefused(r):
			t.Errorf("%s to chat %d answered %d", r.Method, r.ChatID, r.Status)
		}
	}
	// Nothing is lost: every update was handled, every reply delivered, and
	// nobody's case was touched by another user's forged buttons.
	db := stopClean(t, h)
	ctx := context.Background()
	for _, w := range users {
		if w.caseID == "" {
			continue
		}
		c, err := db.ChatCase(ctx, w.u.ChatID(), w.caseID)
		if err != nil || c.Status == store.CaseWithdrawn {
			t.Errorf("%s: case %s after the sweep: status %q, %v", w.lang, w.caseID, c.Status, err)
		}
	}
	t.Logf("seed %d: %d hostile inputs (%d button presses, %d edits not modified) in 6 languages; states phase %v, total %v",
		seed, hits, presses, refusedEdits, phaseA.Round(time.Millisecond), time.Since(started).Round(time.Millisecond))
}

// hostileUser is one worker walking through every state and misbehaving in
// each.
type hostileUser struct {
	t      *testing.T
	h      *harness
	cat    *hostileCatalog
	u      *localapi.User
	lang   string // the language the worker picks
	tgLang string // their Telegram interface language
	picked bool
	rnd    *rand.Rand
	broken bool

	texts   []int // the worker's text messages, for hostile edits
	presses int
	hits    int
	// refusedEdits counts edits Telegram refused as not modified.
	refusedEdits int
	old          []hostileButton // buttons seen on the way, pressed after the restart
	topicID      string
	caseID       string

	group        *localapi.Group
	groupPresses int
}

type hostileButton struct {
	msgID       int
	data, label string
	state       string
}

// replyLang is the language the bot must use now.
func (w *hostileUser) replyLang() string {
	if !w.picked {
		return locales.Match(w.tgLang)
	}
	return w.lang
}

func (w *hostileUser) tr(id string) string { return w.h.catalog.T(w.replyLang(), id, nil) }

// hostileState is a place in a feature where a worker can be.
type hostileState struct {
	name string
	// question is the intake question asked in this state ("" outside the
	// intake); with probe, /complaint and Continue tell whether the intake
	// still stands there.
	question string
	probe    bool
	// idle: nothing is asked, so no input changes how the next is read
	// and the worker need not be brought back after each.
	idle bool
	// enter brings the worker (back) into the state.
	enter func(w *hostileUser)
}

func (w *hostileUser) states() []hostileState {
	intakeQ := func(q string, probe bool) hostileState {
		return hostileState{name: "intake " + q, question: q, probe: probe, enter: func(w *hostileUser) { w.enterIntake(q) }}
	}
	return []hostileState{
		{name: "language picker (new user)", idle: true, enter: func(w *hostileUser) { w.send("/start"); w.await("start_welcome") }},
		{name: "language picker", idle: true, enter: func(w *hostileUser) { w.send("/language"); w.await("language_prompt") }},
		{name: "menu", idle: true, enter: func(w *hostileUser) { w.send("/menu"); w.await("menu_title") }},
		{name: "guide profile question", enter: func(w *hostileUser) { w.pressData(w.lastID(), "v1:g:p:"); w.await("profile_work_question") }},
		{name: "guide list", enter: func(w *hostileUser) { w.enterGuideList() }},
		{name: "guide topic", enter: func(w *hostileUser) {
			w.pressData(w.lastID(), "v1:g:t:"+w.topicID+":1")
			w.awaitButton(w.tr("guide_btn_topics"))
		}},
		{name: "guide search results", enter: func(w *hostileUser) {
			w.enterGuideList()
			w.send("passport")
			w.await("guide_search_results", "guide_search_none")
		}},
		{name: "help waiting for a city", enter: func(w *hostileUser) { w.send("/help"); w.await("help_ask") }},
		intakeQ("danger", false),
		intakeQ("danger_country", false),
		intakeQ("consent", false),
		intakeQ("identity", true),
		intakeQ("categories", true),
		intakeQ("place", true),
		intakeQ("place_match", true),
		intakeQ("place_pick", true),
		intakeQ("citizenship", true),
		intakeQ("sector", true),
		intakeQ("employer", true),
		intakeQ("since", true),
		intakeQ("description", true),
		intakeQ("contact", true),
		intakeQ("phone", true),
		intakeQ("review", true),
		{name: "intake resume offer", enter: func(w *hostileUser) { w.send("/complaint"); w.await("intake_q_resume") }},
		{name: "route offer", idle: true, enter: func(w *hostileUser) { w.submitOnce() }},
		{name: "my cases", idle: true, enter: func(w *hostileUser) { w.send("/mycases"); w.await("cases_title") }},
		{name: "case waiting for a message", enter: func(w *hostileUser) {
			w.pressData(w.lastID(), "v1:c:m:"+w.caseID)
			w.await("cases_ask_message")
		}},
		{name: "delete confirmation", idle: true, enter: func(w *hostileUser) {
			w.send("/cancel")
			w.awaitAny()
			w.send("/delete")
			w.await("delete_confirm")
		}},
	}
}

// sweepStates walks every state and sends the whole battery in each, in
// a random order, putting the worker back into the state after each input.
func (w *hostileUser) sweepStates() {
	defer func() {
		if w.t.Failed() {
			w.broken = true
		}
	}()
	for i, st := range w.states() {
		if i == 0 {
			w.send("/start")
			w.await("start_welcome")
		} else {
			st.enter(w)
		}
		w.remember(st.name)
		battery := w.battery()
		w.rnd.Shuffle(len(battery), func(i, j int) { battery[i], battery[j] = battery[j], battery[i] })
		for k, in := range battery {
			w.hit(st, in)
			if k < len(battery)-1 {
				w.restore(st, in)
			}
		}
		if i == 0 {
			// Now pick the language, from the welcome's own buttons.
			w.send("/start")
			welcome := w.await("start_welcome")
			w.press(welcome, w.h.catalog.T(w.lang, "language_name", nil))
			w.picked = true
			w.await("menu_title")
		}
		w.checkRequests(st.name)
	}
}

// restore puts the worker back where the input found them. An intake
// question may only be left by an input that can answer it.
func (w *hostileUser) restore(st hostileState, in hostileInput) {
	if st.idle {
		return
	}
	if !st.probe {
		st.enter(w)
		return
	}
	w.send("/complaint")
	m := w.await("intake_q_resume", "intake_q_danger")
	if w.cat.matches(w.replyLang(), "intake_q_resume", m.Text) {
		w.press(m, w.tr("btn_continue"))
		if q := w.awaitQuestion(); q == st.question {
			return
		} else if !in.mayAnswer {
			w.t.Errorf("%s: %s moved the intake on to %q", st.name, in.name, q)
		}
	} else {
		w.t.Errorf("%s: %s lost the draft", st.name, in.name)
	}
	st.enter(w)
}

// hostileInput is one thing a user can send.
type hostileInput struct {
	name     string
	callback bool
	// mayAnswer: the input can be a valid answer to some intake question.
	mayAnswer bool
	do        func(w *hostileUser)
	// want lists the messages one of which must be in the reply, for the
	// state; nil checks the language only.
	want func(st hostileState) []string
}

func hostileAlways(ids ...string) func(hostileState) []string {
	return func(hostileState) []string { return ids }
}

func (w *hostileUser) battery() []hostileInput {
	r := w.rnd
	callback := func(name, data string, want ...string) hostileInput {
		return hostileInput{name: name, callback: true, want: hostileAlways(want...), do: func(w *hostileUser) {
			w.pressData(w.randomMessage(), data)
		}}
	}
	blank := []string{" \u200b ", "\u200b", "\u2060\u200b\u2060", "\u3000", "\ufeff\u200d", "\u00a0\u200c"}[r.IntN(6)]
	place := [][2]float64{{40.4093, 49.8671}, {41.7151, 44.8271}, {0, 0}, {89.99, 0}, {-33.86, 151.2}, {55.75, 37.62}}[r.IntN(6)]
	forged := []string{
		"v1:g:t:../../etc/passwd:1", "v1:g:c:zz:99999999999999999999", "v1:c:o:RD-0000-0000", "v1:r:#deadbeefdeadbeef:c1",
		"v1:h:p:nowhere", "v1:lang:xx", "v1:menu:", "v1:del:", "v1:g:w:zz:", "v1:c:wy:RD-ZZZZ-ZZZZ", "v1:i:em:qq",
		"v1:g:t::1", "v1:r::", "v1:c:", "v1:", "v1",
	}[r.IntN(16)]
	return []hostileInput{
		{name: "sticker", do: func(w *hostileUser) { w.u.SendSticker() }},
		{name: "voice", do: func(w *hostileUser) { w.u.SendVoice() }},
		{name: "video note", do: func(w *hostileUser) { w.u.SendVideoNote() }},
		{name: "photo", do: func(w *hostileUser) { w.u.SendPhoto("") }},
		{name: "photo with caption", do: func(w *hostileUser) { w.u.SendPhoto(hostileText(r, 1+r.IntN(1024))) }},
		{name: "document", do: func(w *hostileUser) { w.u.SendDocument("<b>x</b>&.pdf", "application/pdf", "") }},
		{name: "4096-character text", do: func(w *hostileUser) { w.texts = append(w.texts, w.u.SendText(hostileText(r, 4096))) }},
		{name: fmt.Sprintf("empty-looking text %+q", blank), want: hostileBlankWant, do: func(w *hostileUser) { w.texts = append(w.texts, w.u.SendText(blank)) }},
		{name: "forwarded text", want: hostileAlways("forward_note"), do: func(w *hostileUser) { w.u.Forward(hostileText(r, 1+r.IntN(300))) }},
		{name: "edit", want: hostileAlways("edited_ignored"), do: func(w *hostileUser) {
			if err := w.u.Edit(w.texts[r.IntN(len(w.texts))], hostileText(r, 1+r.IntN(200))); err != nil {
				w.t.Fatal(err)
			}
		}},
		{name: "/x", want: hostileAlways("unknown_command"), do: func(w *hostileUser) { w.u.SendText("/x") }},
		{name: "/ + 200 letters", want: hostileAlways("unknown_command"), do: func(w *hostileUser) { w.u.SendText("/" + hostileLetters(r, 200)) }},
		{name: "/start@otherbot", want: hostileAlways("unknown_command"), do: func(w *hostileUser) { w.u.SendText("/start@otherbot") }},
		{name: "someone else's contact", do: func(w *hostileUser) {
			w.u.ShareContact("+99450"+strconv.Itoa(1000000+r.IntN(8999999)), "Boss <b>&", int64(r.IntN(2))*777000111)
		}},
		{name: fmt.Sprintf("location %v", place), mayAnswer: true, do: func(w *hostileUser) { w.u.SendLocation(place[0], place[1]) }},
		callback("callback v1:zz", "v1:zz:"+hostileLetters(r, 20), "stale_button"),
		callback("callback v9", "v9:"+hostileLetters(r, 30), "stale_button"),
		callback("callback of 64 random bytes", hostileBytes(r, 64), "stale_button"),
		callback("forged callback "+forged, forged, "stale_button", "question_passed"),
	}
}

// hostileBlankWant: text that looks empty is no answer, and the intake asks again.
func hostileBlankWant(st hostileState) []string {
	switch st.question {
	case "":
		if st.name == "case waiting for a message" {
			return []string{"cases_want_text"}
		}
		return nil
	case "place":
		return []string{"intake_place_reask"}
	case "employer":
		return []string{"intake_employer_reask"}
	case "description":
		return []string{"intake_description_reask"}
	case "phone":
		return []string{"intake_phone_reask"}
	case "categories":
		return []string{"intake_reask_categories"}
	}
	return []string{"intake_reask_choose"}
}

// hit sends one hostile input and checks the bot's whole answer to it.
func (w *hostileUser) hit(st hostileState, in hostileInput) {
	w.t.Helper()
	w.hits++
	before := w.snap()
	in.do(w)
	turn := w.settle(before)
	where := fmt.Sprintf("[%s] %s, %s:", w.lang, st.name, in.name)

	if in.callback {
		if len(turn.answers) != 1 {
			w.t.Errorf("%s the button press got %d answers", where, len(turn.answers))
		}
	} else if len(turn.answers) != 0 {
		w.t.Errorf("%s %d callback answers for no press", where, len(turn.answers))
	}
	toast := ""
	if len(turn.answers) > 0 {
		toast = turn.answers[0].Text
	}
	if len(turn.messages) == 0 && toast == "" {
		if !in.callback || !w.editRefused() {
			w.t.Errorf("%s no answer at all", where)
		}
		// The press asked for what the message already shows, and
		// Telegram said "message is not modified": nothing to see.
		return
	}
	// In the user's language: something of theirs in it, nothing of another.
	lang := w.replyLang()
	own := 0
	for _, text := range append(turn.texts(), toast) {
		if text == "" {
			continue
		}
		own += w.cat.hits(lang, text)
		if foreign := w.cat.foreign(lang, text); foreign != "" {
			w.t.Errorf("%s reply not in %s (%s): %q", where, lang, foreign, firstLine(text))
		}
	}
	for _, label := range turn.labels() {
		if foreign := w.cat.foreignLabel(lang, label); foreign != "" {
			w.t.Errorf("%s button %q is %s", where, label, foreign)
		}
		if w.cat.ownLabel(lang, label) {
			own++
		}
	}
	if own == 0 {
		w.t.Errorf("%s nothing in the reply is recognisably %s: %q", where, lang, turn.firstLines())
	}
	if in.want == nil {
		return
	}
	want := in.want(st)
	if len(want) == 0 {
		return
	}
	for _, id := range want {
		for _, text := range append(turn.texts(), toast) {
			if w.cat.matches(lang, id, text) {
				return
			}
		}
	}
	w.t.Errorf("%s want one of %v in %s, got %q (toast %q)", where, want, lang, turn.firstLines(), toast)
}

type hostileSnap struct {
	n       int
	edits   map[int]int
	answers int
}

func (w *hostileUser) snap() hostileSnap {
	awaitAnswered(w.u)
	msgs := w.u.Messages()
	s := hostileSnap{n: len(msgs), edits: make(map[int]int, len(msgs)), answers: len(w.u.CallbackAnswers())}
	for _, m := range msgs {
		s.edits[m.ID] = m.EditCount
		if m.Deleted {
			s.edits[m.ID] = -1
		}
	}
	return s
}

// hostileTurn is what the bot did about one input.
type hostileTurn struct {
	messages []localapi.Message // new and edited
	answers  []localapi.CallbackAnswer
}

func (t hostileTurn) texts() []string {
	var out []string
	for _, m := range t.messages {
		if !m.Deleted {
			out = append(out, m.Text)
		}
	}
	return out
}

func (t hostileTurn) labels() []string {
	var out []string
	for _, m := range t.messages {
		out = append(out, buttonTexts(m)...)
		for _, row := range m.ReplyKeyboard {
			for _, b := range row {
				out = append(out, b.Text)
			}
		}
	}
	return out
}

func (t hostileTurn) firstLines() []string {
	var out []string
	for _, m := range t.messages {
		out = append(out, firstLine(m.Text))
	}
	return out
}

// settle sends an unknown command with a fresh name: the bot handles a
// chat's updates in order and sends its messages in order, so once the
// answer naming that command arrives, every message the input caused has
// arrived. The answer to a press goes out beside the messages, not in
// their order, so settle also waits for every press to be answered. An
// unknown command changes no state outside the guide, whose states are
// entered again after each input anyway.
func (w *hostileUser) settle(before hostileSnap) hostileTurn {
	w.t.Helper()
	name := "sentinel_" + hostileLetters(w.rnd, 10)
	w.u.SendText("/" + name)
	ctx, cancel := context.WithTimeout(context.Background(), hostileWait)
	defer cancel()
	reply, err := w.u.WaitFor(ctx, func(m localapi.Message) bool { return strings.Contains(m.Text, name) })
	if err != nil {
		w.t.Fatalf("[%s] the sentinel /%s was not answered: %v; since: %q", w.lang, name, err, w.newLines(before.n))
	}
	if !w.cat.matches(w.replyLang(), "unknown_command", reply.Text) {
		w.t.Errorf("[%s] the sentinel was answered %q, not with unknown_command in %s", w.lang, reply.Text, w.replyLang())
	}
	awaitAnswered(w.u)
	msgs := w.u.Messages()
	end := slices.IndexFunc(msgs, func(m localapi.Message) bool { return m.ID == reply.ID })
	var turn hostileTurn
	for _, m := range msgs[:before.n] {
		if n, ok := before.edits[m.ID]; ok && n >= 0 && (m.EditCount != n || m.Deleted) {
			turn.messages = append(turn.messages, m)
		}
	}
	turn.messages = append(turn.messages, msgs[before.n:end]...)
	turn.answers = w.u.CallbackAnswers()[before.answers:]
	return turn
}

// awaitAnswered waits, a reply's wait at most, until every press in a
// chat has been answered: the answer to a press goes out beside the
// messages, not in their order, so a press's answer may come after a later
// input's reply. One left unanswered is reported by the checks that count
// answers.
func awaitAnswered(c interface{ Unanswered() int }) {
	deadline := time.Now().Add(hostileWait)
	for c.Unanswered() > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
}

func (w *hostileUser) newLines(from int) []string {
	var out []string
	msgs := w.u.Messages()
	for _, m := range msgs[min(from, len(msgs)):] {
		out = append(out, firstLine(m.Text))
	}
	return out
}

// remember keeps up to two buttons of the screen, to press after the
// restart. Buttons that erase the chat or its messages, or switch to
// another language, would end the sweep and are left alone.
func (w *hostileUser) remember(state string) {
	msgs := w.u.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Deleted || len(m.InlineKeyboard) == 0 {
			continue
		}
		var all []hostileButton
		for _, row := range m.InlineKeyboard {
			for _, b := range row {
				if b.CallbackData == "" || b.CallbackData == "v1:del:yes" || b.CallbackData == "v1:c:xy" ||
					(strings.HasPrefix(b.CallbackData, "v1:lang:") && b.CallbackData != "v1:lang:"+w.lang) {
					continue
				}
				all = append(all, hostileButton{msgID: m.ID, data: b.CallbackData, label: b.Text, state: state})
			}
		}
		w.rnd.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		w.old = append(w.old, all[:min(2, len(all))]...)
		return
	}
}

// afterRestart presses every remembered button, from before the restart,
// other users' case buttons, and sends a few hostile inputs again.
func (w *hostileUser) afterRestart(caseIDs []string) {
	st := hostileState{name: "after the restart"}
	w.rnd.Shuffle(len(w.old), func(i, j int) { w.old[i], w.old[j] = w.old[j], w.old[i] })
	for _, b := range w.old {
		w.hit(st, hostileInput{name: fmt.Sprintf("old button %q (%s) from %s", b.label, b.data, b.state), callback: true,
			do: func(w *hostileUser) { w.pressData(b.msgID, b.data) }})
	}
	for _, id := range caseIDs {
		if id == w.caseID {
			continue
		}
		for _, op := range []string{"o:", "m:", "w:", "wy:"} {
			data := "v1:c:" + op + id
			w.hit(st, hostileInput{name: "another user's case button " + data, callback: true, want: hostileAlways("stale_button"),
				do: func(w *hostileUser) { w.pressData(w.randomMessage(), data) }})
		}
		data := "v1:r:" + id + ":c1"
		w.hit(st, hostileInput{name: "another user's route button " + data, callback: true, want: hostileAlways("stale_button"),
			do: func(w *hostileUser) { w.pressData(w.randomMessage(), data) }})
	}
	for _, in := range w.battery() {
		w.hit(st, in)
	}
	w.checkRequests(st.name)
}

// inGroup: unaddressed messages get silence, addressed ones a short
// greeting in the sender's Telegram language, and buttons an answer.
func (w *hostileUser) inGroup() {
	_, botName := w.h.api.BotUser()
	g := w.h.api.NewGroup("Hostile group "+w.lang, w.u)
	w.group = g
	lang := locales.Match(w.tgLang)
	hello := w.h.catalog.T(lang, "group_hello", nil)
	r := w.rnd
	// answered sends an addressed message and waits for its greeting;
	// everything sent since before must be that greeting alone.
	answered := func(what string, before int, send func()) {
		w.t.Helper()
		send()
		ctx, cancel := context.WithTimeout(context.Background(), hostileWait)
		defer cancel()
		count := func() int {
			n := 0
			msgs := g.Messages()
			for _, m := range msgs[min(before, len(msgs)):] {
				if m.Text == hello {
					n++
				}
			}
			return n
		}
		if _, err := g.WaitFor(ctx, func(localapi.Message) bool { return count() >= 1 }); err != nil {
			w.t.Fatalf("[%s] group, %s: no %q: %v", w.lang, what, hello, err)
		}
		if msgs := g.Messages(); len(msgs)-before != 1 {
			var got []string
			for _, m := range msgs[before:] {
				got = append(got, firstLine(m.Text))
			}
			w.t.Errorf("[%s] group, %s: want one greeting, got %q", w.lang, what, got)
		}
	}
	addressed := []struct {
		name string
		send func()
	}{
		{"/start@" + botName, func() { g.Send(w.u, "/start@"+botName) }},
		{"/help", func() { g.Send(w.u, "/help") }},
		{"/x", func() { g.Send(w.u, "/x") }},
		{"mention", func() { g.Send(w.u, "@"+botName+" "+hostileText(r, 200)) }},
		{"long mention", func() { g.Send(w.u, "@"+botName+" "+hostileText(r, 4000)) }},
	}
	for _, a := range addressed {
		answered(a.name, len(g.Messages()), a.send)
	}
	hellos := g.Messages()
	answered("reply to the bot", len(hellos), func() { g.Reply(w.u, hellos[len(hellos)-1].ID, hostileText(r, 300)) })

	// Unaddressed: first under privacy mode, then as an administrator
	// that sees every message.
	unaddressed := func() {
		for _, text := range []string{hostileText(r, 4096), "/start@otherbot", "\u200b", "hello " + hostileText(r, 50)} {
			before := len(g.Messages())
			g.Send(w.u, text)
			// The greeting for the next addressed message is the sentinel.
			answered("unaddressed "+firstLine(hostileTruncate(text, 20)), before, func() { g.Send(w.u, "/start@"+botName) })
		}
	}
	unaddressed()
	g.PromoteBot(w.u)
	unaddressed()

	// Buttons in a group, garbage or from the greeting: a toast, no message.
	for _, data := range []string{"v1:zz:" + hostileLetters(r, 10), hostileBytes(r, 64), "v1:menu:guide", "v1:del:yes"} {
		msgs := g.Messages()
		before, answers := len(msgs), len(g.CallbackAnswers())
		if err := g.PressData(w.u, msgs[len(msgs)-1].ID, data); err != nil {
			w.t.Fatal(err)
		}
		w.groupPresses++
		answered(fmt.Sprintf("button %q", data), before, func() { g.Send(w.u, "/start@"+botName) })
		awaitAnswered(g)
		// Answered without a toast: the greeting is longer than the 200
		// characters a toast may have, and Telegram refused it.
		if got := g.CallbackAnswers()[answers:]; len(got) != 1 || got[0].Text != "" {
			w.t.Errorf("[%s] group button %q: answers %+v, want one without text", w.lang, data, got)
		}
	}
}

// Steps that are not hostile: getting into states.

func (w *hostileUser) send(text string) int {
	id := w.u.SendText(text)
	w.texts = append(w.texts, id)
	return id
}

func (w *hostileUser) pressData(msgID int, data string) {
	w.t.Helper()
	if err := w.u.PressData(msgID, data); err != nil {
		w.t.Fatal(err)
	}
	w.presses++
}

func (w *hostileUser) press(m localapi.Message, label string) {
	w.t.Helper()
	if err := w.u.Press(m.ID, label); err != nil {
		w.t.Fatalf("[%s] press %q: %v (buttons %q)", w.lang, label, err, buttonTexts(m))
	}
	w.presses++
}

// pressLabel presses the button of message id on the newest message that
// has it.
func (w *hostileUser) pressLabel(id string) {
	w.t.Helper()
	label := w.tr(id)
	msgs := w.u.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, b := range buttonTexts(msgs[i]) {
			if !msgs[i].Deleted && showsOption(b, label) {
				w.press(msgs[i], b)
				return
			}
		}
	}
	w.t.Fatalf("[%s] no button %q (%s) on screen", w.lang, label, id)
}

func (w *hostileUser) lastID() int {
	m, ok := w.u.Last()
	if !ok {
		w.t.Fatal("no bot message")
	}
	return m.ID
}

func (w *hostileUser) randomMessage() int {
	msgs := slices.DeleteFunc(w.u.Messages(), func(m localapi.Message) bool { return m.Deleted })
	return msgs[w.rnd.IntN(len(msgs))].ID
}

// await waits for a bot message, new or edited since the worker's last
// action, that is one of the catalog messages ids.
func (w *hostileUser) await(ids ...string) localapi.Message {
	w.t.Helper()
	return w.awaitMatch(fmt.Sprint(ids), func(m localapi.Message) bool {
		return slices.ContainsFunc(ids, func(id string) bool { return w.cat.matches(w.replyLang(), id, m.Text) })
	})
}

func (w *hostileUser) awaitButton(label string) localapi.Message {
	w.t.Helper()
	return w.awaitMatch("button "+label, func(m localapi.Message) bool {
		return slices.ContainsFunc(buttonTexts(m), func(b string) bool { return showsOption(b, label) })
	})
}

func (w *hostileUser) awaitAny() localapi.Message {
	w.t.Helper()
	return w.awaitMatch("any message", func(localapi.Message) bool { return true })
}

func (w *hostileUser) awaitMatch(what string, match func(localapi.Message) bool) localapi.Message {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hostileWait)
	defer cancel()
	m, err := w.u.WaitFor(ctx, func(m localapi.Message) bool { return !m.Deleted && match(m) })
	if err != nil {
		msgs := w.u.Messages()
		w.t.Fatalf("[%s] no %s in %s: %v; last messages: %q", w.lang, what, w.replyLang(), err, w.newLines(len(msgs)-4))
	}
	return m
}

// awaitQuestion waits for the next intake question and names it.
func (w *hostileUser) awaitQuestion() string {
	w.t.Helper()
	m := w.awaitMatch("an intake question", func(m localapi.Message) bool {
		return len(m.InlineKeyboard) > 0 || len(m.ReplyKeyboard) > 0
	})
	best, size := "", 0
	for _, q := range hostileQuestions {
		msg := q
		if q == "description" {
			msg = "story" // the question's message says voice notes are welcome
		}
		for _, id := range []string{"intake_q_" + msg, "intake_q_" + msg + "_anonymous", "intake_q_" + msg + "_edit"} {
			if n := w.cat.matchSize(w.replyLang(), id, m.Text); n > size {
				best, size = q, n
			}
		}
	}
	if best == "" {
		return "not a question: " + firstLine(m.Text)
	}
	return best
}

var hostileQuestions = []string{"resume", "danger", "danger_country", "consent", "identity", "categories", "place",
	"place_still", "place_match", "place_pick", "citizenship", "citizenship_still", "sector", "employer", "since",
	"description", "contact", "phone", "review"}

func (w *hostileUser) enterGuideList() {
	w.pressData(w.lastID(), "v1:g:l")
	m := w.await("guide_list_title")
	if w.topicID == "" {
		for _, row := range m.InlineKeyboard {
			if id, ok := strings.CutPrefix(row[0].CallbackData, "v1:g:t:"); ok {
				w.topicID = strings.TrimSuffix(id, ":1")
				break
			}
		}
		if w.topicID == "" {
			w.t.Fatalf("no topic in the guide list: %q", buttonTexts(m))
		}
	}
}

// enterIntake answers a fresh complaint up to question q.
func (w *hostileUser) enterIntake(q string) {
	w.t.Helper()
	w.send("/complaint")
	if m := w.await("intake_q_resume", "intake_q_danger"); w.cat.matches(w.replyLang(), "intake_q_resume", m.Text) {
		w.press(m, w.tr("btn_start_over"))
		w.await("intake_q_danger")
	}
	switch q {
	case "danger":
		return
	case "danger_country":
		w.pressLabel("intake_btn_in_danger")
		w.await("intake_q_danger_country")
		return
	}
	// at answers question at, unless it is the one wanted.
	at := func(at string, answer func(), next string) bool {
		if q == at {
			return true
		}
		answer()
		w.await(next)
		return false
	}
	pressing := func(id string) func() { return func() { w.pressLabel(id) } }
	if at("danger", pressing("intake_btn_safe"), "intake_q_consent") ||
		at("consent", pressing("intake_btn_agree"), "intake_q_identity") ||
		at("identity", pressing("intake_btn_identity_shared"), "intake_q_name") ||
		at("name", pressing("btn_skip"), "intake_q_categories") ||
		at("categories", func() {
			w.pressLabel("intake_cat_wages")
			w.awaitButton("✓ " + w.tr("intake_cat_wages"))
			w.pressLabel("btn_done")
		}, "intake_q_place") {
		return
	}
	if q == "place_pick" {
		w.send("Mosow")
		w.await("intake_q_place_pick")
		return
	}
	if at("place", func() { w.send("Tbilisi") }, "intake_q_place_match") ||
		at("place_match", pressing("btn_yes"), "intake_q_citizenship") ||
		at("citizenship", pressing("intake_country_az"), "intake_q_sector") ||
		at("sector", pressing("intake_sector_construction"), "intake_q_employer") ||
		at("employer", func() { w.send("ACME & Sons <b>") }, "intake_q_since") ||
		at("since", pressing("intake_since_lt1m"), "intake_q_story") ||
		at("description", func() {
			w.send("Unpaid since March; passport kept by the boss.")
			w.await("intake_description_more")
			w.pressLabel("btn_done")
		}, "intake_q_contact") {
		return
	}
	if q == "phone" {
		w.pressLabel("intake_contact_phone")
		w.await("intake_q_phone")
		return
	}
	at("contact", pressing("intake_contact_bot"), "intake_q_review")
}

// submitOnce sends the complaint on the review screen and waits for the
// services offered for it.
func (w *hostileUser) submitOnce() {
	if w.caseID != "" {
		return
	}
	w.send("/complaint")
	w.await("intake_q_resume")
	w.pressLabel("btn_continue")
	w.await("intake_q_review")
	w.pressLabel("intake_btn_submit")
	m := w.await("intake_submitted")
	i := strings.Index(m.Text, "RD-")
	if i < 0 || len(m.Text) < i+12 || !store.ValidCaseID(m.Text[i:i+12]) {
		w.t.Fatalf("no case id in %q", m.Text)
	}
	w.caseID = m.Text[i : i+12]
	w.await("route_choose", "route_none")
}

// checkRequests fails on any request for the worker's chat the Bot API
// refused: bad HTML, a text too long, a bad keyboard.
func (w *hostileUser) checkRequests(state string) {
	w.t.Helper()
	for _, r := range w.h.api.Requests() {
		if r.ChatID == w.u.ChatID() && hostileRefused(r) && !hostileEdit(r) {
			w.t.Errorf("[%s] by the end of %s: %s answered %d", w.lang, state, r.Method, r.Status)
		}
	}
}

// editRefused reports a new refused edit in the worker's chat. The local
// API does not say why, but the sender takes "message is not modified" as
// done and records any other refusal as a delivery failure, which the end
// of the test checks.
func (w *hostileUser) editRefused() bool {
	n := 0
	for _, r := range w.h.api.Requests() {
		if r.ChatID == w.u.ChatID() && hostileRefused(r) && hostileEdit(r) {
			n++
		}
	}
	if n > w.refusedEdits {
		w.refusedEdits = n
		return true
	}
	return false
}

func hostileRefused(r localapi.Request) bool { return r.Status >= 400 && r.Status != 429 }

func hostileEdit(r localapi.Request) bool {
	return r.Method == "editMessageText" || r.Method == "editMessageReplyMarkup"
}

// hostileText is n UTF-16 units, as Telegram counts a message, of mixed
// scripts and emoji with HTML-like and template-like pieces.
func hostileText(r *rand.Rand, n int) string {
	alphabets := []string{
		"abcdefghijklmnopqrstuvwxyzABCXYZ",
		"əğışöüçƏĞİŞÖÜÇ",
		"абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЖЯ",
		"әіңғүұқөһӘІҢҒҮҰҚӨҺ",
		"აბგდევზთიკლმნოპჟრსტუფქღყშჩცძწჭხჯჰ",
		"ăâîșțĂÂÎȘȚşţ",
		"0123456789",
		// Emoji outside the Basic Multilingual Plane count two UTF-16
		// units in Telegram's limits; a flag and a joined family count more.
		"😀🏗👷💸📄🔥🙏",
	}
	pieces := []string{"<b>", "&", "</i>", "<script>", "&amp;", "&lt;", "<a href=\"javascript:x\">", "{{.Max}}",
		"%s", "\n", " ", " ", " ", "\"", "'", "@", "#", "/start", "</b></b>", "<<", ">>", "&#", "👷‍♀️", "🇰🇿", "👨‍👩‍👧"}
	var b strings.Builder
	count := 0
	// Never a leading slash: that would be a command, tested on its own.
	b.WriteString("x")
	count++
	for count < n {
		if r.IntN(5) == 0 {
			p := pieces[r.IntN(len(pieces))]
			if k := chat.UTF16Len(p); count+k <= n {
				b.WriteString(p)
				count += k
				continue
			}
		}
		a := []rune(alphabets[r.IntN(len(alphabets))])
		c := a[r.IntN(len(a))]
		if k := chat.UTF16Len(string(c)); count+k <= n {
			b.WriteRune(c)
			count += k
		}
	}
	return b.String()
}

func hostileLetters(r *rand.Rand, n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[r.IntN(len(letters))]
	}
	return string(b)
}

func hostileBytes(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return string(b)
}

func hostileTruncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

func hostileLogLine(logs, needle string) string {
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, needle) {
			return hostileTruncate(line, 400)
		}
	}
	return ""
}

// hostileCatalog reads the locale files themselves, so a reply can be told
// apart by language whatever was filled into its placeholders.
type hostileCatalog struct {
	// segments are the fixed pieces of each message, per language and id,
	// per plural form: the text between placeholders and line breaks.
	segments map[string]map[string][][]string
	// whole is every message of a language, for "this piece is also ours".
	whole map[string]string
	// labels are messages without placeholders, as button labels.
	labels map[string]map[string]string
	// distinct are the pieces long enough to identify a language.
	distinct map[string][]string
	// content is the guide, directory and gazetteer text: names of
	// organisations and places, phone labels. Some of it exists in one
	// language only, so a piece found there is no proof of a wrong language.
	content string
}

var hostilePlaceholder = regexp.MustCompile(`\{\{[^}]*\}\}`)

func loadHostileCatalog(t *testing.T) *hostileCatalog {
	t.Helper()
	c := &hostileCatalog{segments: map[string]map[string][][]string{}, whole: map[string]string{},
		labels: map[string]map[string]string{}, distinct: map[string][]string{}}
	for _, lang := range locales.Languages {
		var raw map[string]map[string]any
		if _, err := toml.DecodeFile(filepath.Join("..", "..", "locales", "active."+lang+".toml"), &raw); err != nil {
			t.Fatal(err)
		}
		c.segments[lang] = map[string][][]string{}
		c.labels[lang] = map[string]string{}
		var whole strings.Builder
		seen := map[string]bool{}
		for id, fields := range raw {
			for form, v := range fields {
				s, ok := v.(string)
				if !ok || form == "description" || form == "hash" {
					continue
				}
				whole.WriteString(s + "\x00")
				if !hostilePlaceholder.MatchString(s) {
					c.labels[lang][s] = id
				}
				var segs []string
				for _, part := range hostilePlaceholder.Split(s, -1) {
					for _, line := range strings.Split(part, "\n") {
						if line = strings.TrimSpace(line); line != "" {
							segs = append(segs, line)
						}
					}
				}
				c.segments[lang][id] = append(c.segments[lang][id], segs)
				if id == "language_name" {
					continue
				}
				for _, seg := range segs {
					if hostileLetterCount(seg) >= 6 && !seen[seg] {
						seen[seg] = true
						c.distinct[lang] = append(c.distinct[lang], seg)
					}
				}
			}
		}
		c.whole[lang] = whole.String()
	}
	var content strings.Builder
	err := filepath.WalkDir(filepath.Join("..", "..", "content"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".go") {
			return err
		}
		b, err := os.ReadFile(path)
		content.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c.content = content.String()
	return c
}

func hostileLetterCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// matches says whether text holds message id of lang: every fixed piece of
// one of its forms, with at least one piece of substance.
func (c *hostileCatalog) matches(lang, id, text string) bool { return c.matchSize(lang, id, text) > 0 }

// matchSize is how much of text the message accounts for; 0 when it is
// not in text.
func (c *hostileCatalog) matchSize(lang, id, text string) int {
	best := 0
	for _, segs := range c.segments[lang][id] {
		size, substance := 0, false
		for _, s := range segs {
			if !strings.Contains(text, s) {
				size = 0
				break
			}
			size += len(s)
			substance = substance || hostileLetterCount(s) >= 3
		}
		if substance && size > best {
			best = size
		}
	}
	return best
}

// hits counts the pieces of lang in text.
func (c *hostileCatalog) hits(lang, text string) int {
	n := 0
	for _, s := range c.distinct[lang] {
		if strings.Contains(text, s) {
			n++
		}
	}
	return n
}

// foreign names a piece of another language in text that lang does not
// share, or "".
func (c *hostileCatalog) foreign(lang, text string) string {
	for _, other := range locales.Languages {
		if other == lang {
			continue
		}
		for _, s := range c.distinct[other] {
			if strings.Contains(text, s) && !strings.Contains(c.whole[lang], s) && !strings.Contains(c.content, s) {
				return fmt.Sprintf("%s: %q", other, s)
			}
		}
	}
	return ""
}

func (c *hostileCatalog) ownLabel(lang, label string) bool {
	_, ok := c.labels[lang][strings.TrimPrefix(label, "✓ ")]
	return ok
}

// foreignLabel: a button labelled in another language. Language names are
// in their own language on purpose.
func (c *hostileCatalog) foreignLabel(lang, label string) string {
	label = strings.TrimPrefix(label, "✓ ")
	if _, ok := c.labels[lang][label]; ok {
		return ""
	}
	for _, other := range locales.Languages {
		if id, ok := c.labels[other][label]; ok && other != lang && id != "language_name" {
			return fmt.Sprintf("%s (%s)", other, id)
		}
	}
	return ""
}
