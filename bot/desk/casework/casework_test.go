package casework

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

func member(id int64) Actor { return Actor{ID: id, Name: "Ana", Member: true} }

func press(op Op, rev int) Press {
	return Press{Op: op, Actor: member(7), Revision: rev, OnCard: true}
}

// Every action in every state: allowed ones change the case as the table
// says, refused ones leave it exactly as it was.
func TestActByState(t *testing.T) {
	type want struct {
		status Status
		err    error
	}
	table := map[Op]map[Status]want{
		OpTake: {Open: {Taken, nil}, Taken: {Taken, ErrNotAllowed}, Resolved: {Resolved, ErrNotAllowed}, Withdrawn: {Withdrawn, ErrNotAllowed}},
		OpTakeOver: {Open: {Open, ErrNotAllowed}, Taken: {Taken, nil}, Resolved: {Resolved, ErrNotAllowed},
			Referred: {Referred, ErrNotAllowed}, AwaitingConsent: {AwaitingConsent, ErrNotAllowed}},
		OpAsk: {Open: {Open, ErrNotAllowed}, Taken: {Taken, nil}, Referred: {Referred, ErrNotAllowed}},
		OpRefer: {Open: {Referred, nil}, Taken: {Referred, nil}, Resolved: {Resolved, ErrNotAllowed},
			Returned: {Returned, ErrNotAllowed}, AwaitingConsent: {AwaitingConsent, ErrNotAllowed}},
		OpResolve: {Open: {Open, ErrNotAllowed}, Taken: {Resolved, nil}, Withdrawn: {Withdrawn, ErrNotAllowed}},
		OpNotOurs: {Open: {Returned, nil}, Taken: {Returned, nil}, Unlinked: {Unlinked, ErrNotAllowed}},
	}
	for op, byState := range table {
		for from, w := range byState {
			c := Case{Status: from, Revision: 3}
			if from == Taken {
				c.Assignee, c.AssigneeName = 9, "Bo"
			}
			p := press(op, 3)
			p.Target, p.Outcome = "kz-union", OutcomeSolved
			got, effects, err := Act(c, p, now)
			if !errors.Is(err, w.err) || got.Status != w.status {
				t.Errorf("%s on %s: status %s err %v, want %s %v", op, from, got.Status, err, w.status, w.err)
			}
			if err != nil {
				if !reflect.DeepEqual(got, c) || effects != nil {
					t.Errorf("%s on %s refused but changed the case or said something: %+v %v", op, from, got, effects)
				}
				continue
			}
			if len(effects) == 0 || effects[0] != (CardChanged{}) {
				t.Errorf("%s on %s: the card must change first: %v", op, from, effects)
			}
			if last := got.History[len(got.History)-1]; last.By != "Ana" || !last.At.Equal(now) {
				t.Errorf("%s on %s: history line %+v", op, from, last)
			}
		}
	}
}

// The refusals the desk must make before anything else: someone who is no
// longer a member, a button from an older card or from another message.
func TestActRefusals(t *testing.T) {
	c := Case{Status: Open, Revision: 2}
	for name, p := range map[string]Press{
		"not a member":    {Op: OpTake, Actor: Actor{ID: 7, Member: false}, Revision: 2, OnCard: true},
		"no actor":        {Op: OpTake, Actor: Actor{Member: true}, Revision: 2, OnCard: true},
		"older revision":  {Op: OpTake, Actor: member(7), Revision: 1, OnCard: true},
		"newer revision":  {Op: OpTake, Actor: member(7), Revision: 3, OnCard: true},
		"another message": {Op: OpTake, Actor: member(7), Revision: 2, OnCard: false},
		"unknown op":      {Op: "steal", Actor: member(7), Revision: 2, OnCard: true},
		"refer nowhere":   {Op: OpRefer, Actor: member(7), Revision: 2, OnCard: true},
	} {
		got, effects, err := Act(c, p, now)
		if err == nil || !reflect.DeepEqual(got, c) || effects != nil {
			t.Errorf("%s: err %v, case %+v, effects %v", name, err, got, effects)
		}
	}
	taken := Case{Status: Taken, Revision: 4, Assignee: 9}
	if _, _, err := Act(taken, Press{Op: OpResolve, Actor: member(7), Revision: 4, OnCard: true, Outcome: "great"}, now); !errors.Is(err, ErrInvalid) {
		t.Errorf("resolve with an unknown outcome: %v", err)
	}
}

// A take assigns the presser and a second take by anyone is refused: no
// double assignment, whatever the order of presses.
func TestTakeOnce(t *testing.T) {
	c := Case{Status: Open, Revision: 1}
	first, effects, err := Act(c, press(OpTake, 1), now)
	if err != nil || first.Assignee != 7 || first.AssigneeName != "Ana" {
		t.Fatalf("take: %+v %v", first, err)
	}
	if !hasEffect(effects, TellWorker{Event: EventTaken}) {
		t.Errorf("the worker is not told: %v", effects)
	}
	second := Press{Op: OpTake, Actor: Actor{ID: 8, Name: "Bo", Member: true}, Revision: 1, OnCard: true}
	if _, _, err := Act(first, second, now); err == nil {
		t.Fatal("a second take succeeded")
	}
}

// A colleague takes over a taken case: it is theirs, the history says from
// whom, and the worker, whose case stays with the same organisation, is not
// told. The one who has it cannot take it over from themselves, and a
// second take-over on the same card is stale.
func TestTakeOver(t *testing.T) {
	c := Case{Status: Taken, Revision: 4, Assignee: 9, AssigneeName: "Bo"}
	got, effects, err := Act(c, press(OpTakeOver, 4), now)
	if err != nil || got.Status != Taken || got.Assignee != 7 || got.AssigneeName != "Ana" {
		t.Fatalf("take over: %+v %v", got, err)
	}
	if last := got.History[len(got.History)-1]; last.Event != EventTakenOver || last.By != "Ana" || last.Detail != "Bo" {
		t.Errorf("history line %+v", last)
	}
	if !reflect.DeepEqual(effects, []Effect{CardChanged{}}) {
		t.Errorf("effects %v, want the card only", effects)
	}
	own := Press{Op: OpTakeOver, Actor: Actor{ID: 9, Name: "Bo", Member: true}, Revision: 4, OnCard: true}
	if same, effects, err := Act(c, own, now); !errors.Is(err, ErrAlreadyYours) || !reflect.DeepEqual(same, c) || effects != nil {
		t.Errorf("taking over one's own case: %+v %v %v", same, effects, err)
	}
	// The desk stores the new revision with the case; a colleague's press
	// on the card as it was is then refused.
	got.Revision++
	late := Press{Op: OpTakeOver, Actor: Actor{ID: 8, Name: "Cy", Member: true}, Revision: 4, OnCard: true}
	if _, _, err := Act(got, late, now); !errors.Is(err, ErrStale) {
		t.Errorf("a take-over on the older card: %v", err)
	}
}

// A referral to the worker's own state waits for consent and keeps the case
// where it is; without that need it hands the case on at once.
func TestReferConsent(t *testing.T) {
	c := Case{Status: Taken, Revision: 5, Assignee: 7}
	p := press(OpRefer, 5)
	p.Target, p.Consent = "az-consulate-moscow", true
	got, effects, err := Act(c, p, now)
	if err != nil || got.Status != Taken || !hasEffect(effects, HandOn{Target: p.Target, Consent: true}) {
		t.Fatalf("consent referral: %+v %v %v", got, effects, err)
	}
	for _, e := range effects {
		if _, ok := e.(TellWorker); ok {
			t.Errorf("the worker is told of a referral before agreeing: %v", effects)
		}
	}
	done, effects, err := ConsentGiven(got, p.Target, "o", now)
	if err != nil || done.Status != Referred || done.ReferredTo != p.Target || !hasEffect(effects, HandOn{Target: p.Target, Reason: "o"}) {
		t.Fatalf("consent given: %+v %v %v", done, effects, err)
	}
	p.Consent = false
	direct, effects, err := Act(c, p, now)
	if err != nil || direct.Status != Referred || !hasEffect(effects, TellWorker{Event: EventReferred, To: p.Target}) {
		t.Fatalf("direct referral: %+v %v %v", direct, effects, err)
	}
}

// Resolve tells the worker and asks for feedback; "no" reopens the case with
// the same caseworker, "solved" is kept once.
func TestResolveAndFeedback(t *testing.T) {
	c := Case{Status: Taken, Revision: 2, Assignee: 7, AssigneeName: "Ana", Asked: true}
	p := press(OpResolve, 2)
	p.Outcome, p.Note = OutcomePartly, "We got half the wages."
	done, effects, err := Act(c, p, now)
	if err != nil || done.Status != Resolved || done.Asked || !hasEffect(effects, AskFeedback{}) ||
		!hasEffect(effects, TellWorker{Event: EventResolved, Outcome: OutcomePartly, Note: p.Note}) {
		t.Fatalf("resolve: %+v %v %v", done, effects, err)
	}
	reopened, effects, err := GiveFeedback(done, FeedbackNo, now)
	if err != nil || reopened.Status != Taken || reopened.Assignee != 7 || reopened.Outcome != "" || !hasEffect(effects, TellWorker{Event: EventReopened}) {
		t.Fatalf("feedback no: %+v %v %v", reopened, effects, err)
	}
	if _, _, err := GiveFeedback(reopened, FeedbackNo, now); err == nil {
		t.Error("feedback on an open case accepted")
	}
	kept, _, err := GiveFeedback(done, FeedbackSolved, now)
	if err != nil || kept.Feedback != FeedbackSolved || kept.Status != Resolved {
		t.Fatalf("feedback solved: %+v %v", kept, err)
	}
	if _, _, err := GiveFeedback(kept, FeedbackPartly, now); err == nil {
		t.Error("a second feedback accepted")
	}
}

// A desk that goes away hands its open and taken cases back: the worker is
// told, the case is routed again, and the card changes (the glue edits it
// where the bot can still reach the group). A closed case stays as it was.
func TestUnlink(t *testing.T) {
	for _, status := range []Status{Open, Taken} {
		c := Case{Status: status, Revision: 3, Assignee: 7}
		got, effects := Unlink(c, now)
		if got.Status != Unlinked || got.History[len(got.History)-1].Event != EventUnlinked {
			t.Errorf("%s: unlinked to %+v", status, got)
		}
		for _, want := range []Effect{CardChanged{}, TellWorker{Event: EventUnlinked}, Reroute{}} {
			if !hasEffect(effects, want) {
				t.Errorf("%s: effects %+v lack %T", status, effects, want)
			}
		}
	}
	for _, status := range []Status{Resolved, Referred, Returned, Withdrawn, Escalated} {
		c := Case{Status: status, Revision: 3}
		if got, effects := Unlink(c, now); !reflect.DeepEqual(got, c) || len(effects) != 0 {
			t.Errorf("%s: unlinking changed it to %+v with %+v", status, got, effects)
		}
	}
}

// Act never changes the case it is given: the history slice is the
// caller's.
func TestActDoesNotMutate(t *testing.T) {
	c := Case{Status: Open, Revision: 1, History: make([]Entry, 1, 8)}
	before := c.History[:1:1]
	got, _, err := Act(c, press(OpTake, 1), now)
	if err != nil {
		t.Fatal(err)
	}
	got.History[0].By = "changed"
	if c.History[0].By == "changed" || len(before) != 1 {
		t.Fatal("Act shares the history with its input")
	}
}

func hasEffect(effects []Effect, want Effect) bool {
	for _, e := range effects {
		if reflect.DeepEqual(e, want) {
			return true
		}
	}
	return false
}
