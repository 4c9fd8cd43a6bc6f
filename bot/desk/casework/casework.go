// Package casework is the life of a case at an organisation's desk: who may
// do what to it, and what follows. It is pure — no clock, no I/O: the desk
// loads the case and the caseworker's standing, calls Act, and writes the
// new case together with the effects in one transaction.
package casework

import (
	"errors"
	"slices"
	"time"
)

// Status is where a case stands at one desk. The values are stored.
type Status string

const (
	// AwaitingConsent: another desk referred the case here, to the worker's
	// own state, and the worker has not yet agreed.
	AwaitingConsent Status = "awaiting_consent"
	Declined        Status = "declined" // the worker did not agree
	Open            Status = "open"     // delivered, nobody took it yet
	Taken           Status = "taken"
	Resolved        Status = "resolved"
	Referred        Status = "referred"  // handed on to another desk
	Returned        Status = "returned"  // "not ours": back to routing
	Withdrawn       Status = "withdrawn" // by the worker
	Unlinked        Status = "unlinked"  // the desk went away
	Escalated       Status = "escalated" // nobody took it in time; it went on
)

// Active reports whether the desk works on the case now.
func (s Status) Active() bool { return s == Open || s == Taken }

// Outcome is how a caseworker closed a case. The values are stored.
type Outcome string

const (
	OutcomeSolved      Outcome = "solved"
	OutcomePartly      Outcome = "partly"
	OutcomeNotSolved   Outcome = "not_solved"
	OutcomeUnreachable Outcome = "unreachable"
)

// Outcomes lists them in the order a desk is offered them.
var Outcomes = []Outcome{OutcomeSolved, OutcomePartly, OutcomeNotSolved, OutcomeUnreachable}

// Feedback is the worker's answer to "is the problem solved?".
type Feedback string

const (
	FeedbackSolved Feedback = "solved"
	FeedbackPartly Feedback = "partly"
	FeedbackNo     Feedback = "no"
)

// Event names a line of a case's history at a desk. The values are stored.
type Event string

const (
	EventDelivered      Event = "delivered"
	EventTaken          Event = "taken"
	EventTakenOver      Event = "taken_over" // Detail: who had it
	EventAsked          Event = "asked"
	EventAnswered       Event = "answered"
	EventReferred       Event = "referred"
	EventResolved       Event = "resolved"
	EventReopened       Event = "reopened"
	EventReturned       Event = "returned"
	EventWithdrawn      Event = "withdrawn"
	EventUnlinked       Event = "unlinked"
	EventConsentRefused Event = "consent_refused"
	EventFeedback       Event = "feedback"
	EventEscalated      Event = "escalated"
)

// Entry is one line of the history a card shows. By is the caseworker's
// first name, kept sealed with the case.
type Entry struct {
	At     time.Time `json:"at"`
	Event  Event     `json:"event"`
	By     string    `json:"by,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// Case is a case at one desk.
type Case struct {
	Status       Status
	Revision     int
	Assignee     int64
	AssigneeName string
	Asked        bool
	Outcome      Outcome
	Feedback     Feedback
	// Note is the caseworker's closing note for the worker; ReferredTo the
	// service the case went on to.
	Note       string
	ReferredTo string
	History    []Entry
}

// Op is what a caseworker does to a case.
type Op string

const (
	OpTake Op = "take"
	// OpTakeOver moves a taken case to another caseworker of the desk: the
	// one who had it may have left, fallen ill or gone on leave, and a
	// case must not wait for them. Apart from OpTake, so that two people
	// pressing Take on an open card at once still get one refusal.
	OpTakeOver Op = "take_over"
	OpAsk      Op = "ask"
	OpRefer    Op = "refer"
	OpResolve  Op = "resolve"
	OpNotOurs  Op = "not_ours"
)

// Actor is the caseworker acting, as Telegram tells it just now.
type Actor struct {
	ID     int64
	Name   string
	Member bool // a current member of the desk's group
}

// Press is one caseworker action, from a card button or from a step that
// began on the card (Revision is then the card's revision at that start).
type Press struct {
	Op       Op
	Actor    Actor
	Revision int
	// OnCard is false when the button is under another message than the
	// case's current card (an older copy, another case's card).
	OnCard  bool
	Outcome Outcome // OpResolve
	Note    string  // OpResolve, optional
	// Target is the service OpRefer hands the case to; Consent says the
	// worker must first agree (it is the worker's own state).
	Target  string
	Consent bool
	Reason  string // OpRefer: why, as the desk's reason code
}

// Errors Act refuses with. Nothing changes when it refuses.
var (
	ErrNotMember  = errors.New("casework: the person is not a member of the desk")
	ErrStale      = errors.New("casework: the button belongs to an older card")
	ErrNotAllowed = errors.New("casework: not possible in the case's state")
	ErrInvalid    = errors.New("casework: incomplete action")
	// ErrAlreadyYours refuses a take-over by the one who has the case.
	ErrAlreadyYours = errors.New("casework: the case is already the person's")
)

// Effect is what follows an action; the desk renders it.
type Effect interface{ effect() }

type (
	// CardChanged: the card must show the case as it now is.
	CardChanged struct{}
	// TellWorker: the worker learns of an event in their language.
	TellWorker struct {
		Event   Event
		Outcome Outcome
		Note    string
		To      string // the service referred to
	}
	// Reroute: the case goes back to routing; the worker is offered other
	// services, without this one.
	Reroute struct{}
	// HandOn: deliver the case to Target, or ask the worker's consent first.
	HandOn struct {
		Target  string
		Consent bool
		Reason  string
	}
	// AskFeedback: the worker is asked whether the problem is solved.
	AskFeedback struct{}
)

func (CardChanged) effect() {}
func (TellWorker) effect()  {}
func (Reroute) effect()     {}
func (HandOn) effect()      {}
func (AskFeedback) effect() {}

// allowed says in which states each action may be taken.
var allowed = map[Op][]Status{
	OpTake:     {Open},
	OpTakeOver: {Taken},
	OpAsk:      {Taken},
	OpRefer:    {Open, Taken},
	OpResolve:  {Taken},
	OpNotOurs:  {Open, Taken},
}

// Can reports whether the case's state allows the action at all, so a
// desk asks nothing for what would be refused anyway.
func Can(c Case, op Op) bool { return slices.Contains(allowed[op], c.Status) }

// Act applies a caseworker's action. It never changes c: the returned Case
// is new, and on a refusal it is c itself.
func Act(c Case, p Press, now time.Time) (Case, []Effect, error) {
	states, known := allowed[p.Op]
	switch {
	case !known:
		return c, nil, ErrInvalid
	case !p.Actor.Member || p.Actor.ID == 0:
		return c, nil, ErrNotMember
	case !p.OnCard || p.Revision != c.Revision:
		return c, nil, ErrStale
	case !slices.Contains(states, c.Status):
		return c, nil, ErrNotAllowed
	}
	n := c.clone()
	at := Entry{At: now, By: p.Actor.Name}
	var out []Effect
	switch p.Op {
	case OpTake:
		n.Status, n.Assignee, n.AssigneeName = Taken, p.Actor.ID, p.Actor.Name
		out = append(out, TellWorker{Event: EventTaken})
	case OpTakeOver:
		if p.Actor.ID == c.Assignee {
			return c, nil, ErrAlreadyYours
		}
		// The worker's case stays with the same organisation: nothing to
		// tell them.
		at.Detail = c.AssigneeName
		n.Assignee, n.AssigneeName = p.Actor.ID, p.Actor.Name
	case OpAsk:
		n.Asked = true
		// The question itself reaches the worker as a relayed message.
	case OpRefer:
		if p.Target == "" {
			return c, nil, ErrInvalid
		}
		if p.Consent {
			// The case stays here until the worker agrees; the desk sees
			// the request in the history.
			at.Detail = p.Target
			n.History = append(n.History, withEvent(at, EventReferred))
			return n, []Effect{CardChanged{}, HandOn{Target: p.Target, Consent: true, Reason: p.Reason}}, nil
		}
		n.Status, n.ReferredTo = Referred, p.Target
		at.Detail = p.Target
		out = append(out, HandOn{Target: p.Target, Reason: p.Reason}, TellWorker{Event: EventReferred, To: p.Target})
	case OpResolve:
		if !slices.Contains(Outcomes, p.Outcome) {
			return c, nil, ErrInvalid
		}
		n.Status, n.Outcome, n.Note, n.Asked = Resolved, p.Outcome, p.Note, false
		at.Detail = string(p.Outcome)
		out = append(out, TellWorker{Event: EventResolved, Outcome: p.Outcome, Note: p.Note}, AskFeedback{})
	case OpNotOurs:
		n.Status = Returned
		out = append(out, TellWorker{Event: EventReturned}, Reroute{})
	}
	n.History = append(n.History, withEvent(at, eventOf[p.Op]))
	return n, append([]Effect{CardChanged{}}, out...), nil
}

var eventOf = map[Op]Event{OpTake: EventTaken, OpTakeOver: EventTakenOver, OpAsk: EventAsked, OpRefer: EventReferred,
	OpResolve: EventResolved, OpNotOurs: EventReturned}

func withEvent(e Entry, ev Event) Entry { e.Event = ev; return e }

func (c Case) clone() Case {
	c.History = slices.Clone(c.History)
	return c
}

// Answered records that the worker wrote to the desk: a question asked is
// answered.
func Answered(c Case, now time.Time) (Case, []Effect) {
	if !c.Status.Active() || !c.Asked {
		return c, nil
	}
	n := c.clone()
	n.Asked = false
	n.History = append(n.History, Entry{At: now, Event: EventAnswered})
	return n, []Effect{CardChanged{}}
}

// GiveFeedback records the worker's answer after a resolution; "no" reopens
// the case at the desk that resolved it, with the same caseworker.
func GiveFeedback(c Case, f Feedback, now time.Time) (Case, []Effect, error) {
	if c.Status != Resolved {
		return c, nil, ErrNotAllowed
	}
	switch f {
	case FeedbackSolved, FeedbackPartly:
		if c.Feedback != "" {
			return c, nil, ErrNotAllowed
		}
		n := c.clone()
		n.Feedback = f
		n.History = append(n.History, Entry{At: now, Event: EventFeedback, Detail: string(f)})
		return n, []Effect{CardChanged{}}, nil
	case FeedbackNo:
		n := c.clone()
		n.Status, n.Feedback, n.Outcome, n.Note = Taken, "", "", ""
		if n.Assignee == 0 {
			n.Status = Open
		}
		n.History = append(n.History, Entry{At: now, Event: EventReopened})
		return n, []Effect{CardChanged{}, TellWorker{Event: EventReopened}}, nil
	}
	return c, nil, ErrInvalid
}

// Withdraw ends the case at the desk because the worker withdrew it or
// erased their data.
func Withdraw(c Case, now time.Time) (Case, []Effect) {
	if !c.Status.Active() && c.Status != AwaitingConsent {
		return c, nil
	}
	n := c.clone()
	n.Status = Withdrawn
	n.History = append(n.History, Entry{At: now, Event: EventWithdrawn})
	return n, []Effect{CardChanged{}}
}

// Unlink ends the case at a desk that went away: back to routing.
func Unlink(c Case, now time.Time) (Case, []Effect) {
	if !c.Status.Active() {
		return c, nil
	}
	n := c.clone()
	n.Status = Unlinked
	n.History = append(n.History, Entry{At: now, Event: EventUnlinked})
	return n, []Effect{CardChanged{}, TellWorker{Event: EventUnlinked}, Reroute{}}
}

// ConsentGiven completes a referral the worker agreed to: the referring
// desk hands the case on.
func ConsentGiven(from Case, target, reason string, now time.Time) (Case, []Effect, error) {
	if !from.Status.Active() {
		return from, nil, ErrNotAllowed
	}
	n := from.clone()
	n.Status, n.ReferredTo = Referred, target
	n.History = append(n.History, Entry{At: now, Event: EventReferred, Detail: target})
	return n, []Effect{CardChanged{}, HandOn{Target: target, Reason: reason}, TellWorker{Event: EventReferred, To: target}}, nil
}

// ConsentRefused tells the referring desk the worker said no.
func ConsentRefused(from Case, target string, now time.Time) (Case, []Effect) {
	n := from.clone()
	n.History = append(n.History, Entry{At: now, Event: EventConsentRefused, Detail: target})
	return n, []Effect{CardChanged{}}
}

// Expire ends a case nobody at the desk took in time: it goes on along the
// routing chain (the desk decides where) and the worker is told.
func Expire(c Case, now time.Time) (Case, []Effect) {
	if c.Status != Open {
		return c, nil
	}
	n := c.clone()
	n.Status = Escalated
	n.History = append(n.History, Entry{At: now, Event: EventEscalated})
	return n, []Effect{CardChanged{}}
}
