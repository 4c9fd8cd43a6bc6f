package desk

// What the desk does on a schedule: remind a desk of a case nobody took,
// pass it on when still nobody takes it, remind it weekly of a taken case
// gone quiet, sum up each desk's week, and ask a worker again, a week
// after, whether the problem is solved.

import (
	"context"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/desk/casework"
	"github.com/rightsdesk/rightsdesk/store"
)

// escalationReason is the referral reason of a case passed on because its
// desk did not take it in time.
const escalationReason = "t"

// Due says what a case that waits at a desk is due: nothing yet, a
// reminder (past the desk's response target), or to go on (past twice it).
func Due(org store.Org, d store.Delivery, now time.Time) (remind, escalate bool) {
	if d.Status != store.DeliveryOpen {
		return false, false
	}
	target := time.Duration(max(org.ResponseHours, 1)) * time.Hour
	waited := now.Sub(d.CreatedAt)
	return waited >= target && waited < 2*target, waited >= 2*target
}

// Remind tells a desk, in the case's thread, that a case waits past its
// response target, and when it will go on.
func (k *Desk) Remind(tt *Turn, org store.Org, d store.Delivery, now time.Time) Out {
	var out Out
	target := time.Duration(max(org.ResponseHours, 1)) * time.Hour
	out.send(inThread(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID, Priority: chat.Bulk,
		Text: k.t(org.Language, "desk_deadline_reminder", map[string]any{"CaseID": d.CaseID,
			"Hours": hours(now.Sub(d.CreatedAt)), "Left": hours(d.CreatedAt.Add(2 * target).Sub(now))})}, d.CaseID))
	return out
}

// QuietAfter is how long a taken case may go without a message between
// its worker and its desk before the desk is reminded, and again each
// such span after.
const QuietAfter = 7 * 24 * time.Hour

// Quiet says how long a taken case has gone without a word between its
// worker and its desk, since lastContact or since the delivery last
// changed (taken, taken over, reopened, answered), whichever is later. due
// counts the whole spans of QuietAfter it has been quiet: a reminder is
// due once for each (0: none yet).
func Quiet(d store.Delivery, lastContact, now time.Time) (since time.Time, due int) {
	if d.Status != store.DeliveryTaken {
		return time.Time{}, 0
	}
	since = d.UpdatedAt
	if lastContact.After(since) {
		since = lastContact
	}
	return since, int(now.Sub(since) / QuietAfter)
}

// QuietOf is Quiet for a delivery as stored, its last message read.
func (k *Desk) QuietOf(ctx context.Context, d store.Delivery, now time.Time) (since time.Time, due int, err error) {
	if d.Status != store.DeliveryTaken {
		return time.Time{}, 0, nil
	}
	last, err := k.cfg.Store.LastDeskRelay(ctx, d.CaseID)
	if err != nil {
		return time.Time{}, 0, err
	}
	since, due = Quiet(d, last, now)
	return since, due, nil
}

// RemindQuiet tells a desk, in the case's thread, that a taken case has had
// no word to or from its worker for days. A case stays with whoever took
// it, who may have left or be away: the reminder says a colleague can take
// it over.
func (k *Desk) RemindQuiet(tt *Turn, org store.Org, d store.Delivery, since, now time.Time) Out {
	var out Out
	out.send(inThread(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID, Priority: chat.Bulk,
		Text: k.t(org.Language, "desk_quiet_reminder", map[string]any{"CaseID": d.CaseID,
			"Days": int(now.Sub(since) / (24 * time.Hour))})}, d.CaseID))
	return out
}

// Escalate passes on a case nobody took within twice the desk's target: to
// the next organisation on the routing chain that receives cases here and
// needs no consent, or back to the worker to choose.
func (k *Desk) Escalate(tt *Turn, org store.Org, d store.Delivery, now time.Time) (Out, error) {
	var out Out
	next, effects := casework.Expire(caseOf(d), now)
	if len(effects) == 0 {
		return out, nil
	}
	target := ""
	if tt.Candidates != nil {
		cs, err := k.cfg.Store.CaseByID(tt.Ctx, d.CaseID)
		if err != nil {
			return out, err
		}
		if cs.Details != nil {
			for _, c := range tt.Candidates(cs.Details, append(k.hadCase(tt, d.CaseID), d.ServiceID)) {
				if c.Receives && !c.NeedsConsent {
					target = c.ServiceID
					break
				}
			}
		}
	}
	if target != "" {
		next.ReferredTo = target
		effects = append(effects, casework.HandOn{Target: target, Reason: escalationReason},
			casework.TellWorker{Event: casework.EventEscalated, To: target})
	} else {
		effects = append(effects, casework.TellWorker{Event: casework.EventEscalated}, casework.Reroute{})
	}
	done, err := k.effects(tt, org, withCase(d, next), next, effects, true)
	if err != nil {
		return out, err
	}
	out.add(done)
	out.send(inThread(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID, Priority: chat.Bulk,
		Text: k.t(org.Language, "desk_escalated", map[string]any{"CaseID": d.CaseID, "Hours": 2 * max(org.ResponseHours, 1)})}, d.CaseID))
	k.cfg.Log.Info().Str("case", d.CaseID).Str("service", d.ServiceID).Str("to", target).Msg("case passed on: not taken in time")
	return out, nil
}

// Digest is a desk's week: cases that arrived, are open, are overdue, went
// quiet, were resolved.
func (k *Desk) Digest(tt *Turn, org store.Org, now time.Time) (Out, error) {
	var out Out
	arrived, resolved, err := k.cfg.Store.DeskWeek(tt.Ctx, org.ChatID, now.Add(-7*24*time.Hour))
	if err != nil {
		return out, err
	}
	open, err := k.cfg.Store.DeskDeliveries(tt.Ctx, org.ChatID, store.DeliveryOpen, store.DeliveryTaken)
	if err != nil {
		return out, err
	}
	overdue, quiet := 0, 0
	for _, d := range open {
		if remind, escalate := Due(org, d, now); remind || escalate {
			overdue++
		}
		_, due, err := k.QuietOf(tt.Ctx, d, now)
		if err != nil {
			return out, err
		}
		if due > 0 {
			quiet++
		}
	}
	out.send(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID, Priority: chat.Bulk,
		Text: k.t(org.Language, "desk_digest", map[string]any{"Name": escape(serviceName(tt.Dir, org.ServiceID, org.Language)),
			"New": arrived, "Open": len(open), "Overdue": overdue, "Quiet": quiet, "Resolved": resolved})})
	return out, nil
}

// FollowUp asks the worker again, a week after their case was resolved,
// whether the problem is solved; "no" reopens it.
func (k *Desk) FollowUp(tt *Turn, d store.Delivery) (Out, error) {
	var out Out
	worker, lang, ok, err := k.workerOf(tt.Ctx, d.CaseID)
	if err != nil || !ok {
		return out, err
	}
	out.send(chat.Reply{Action: chat.ActionSend, ChatID: worker, Case: d.CaseID, Priority: chat.Bulk,
		Text:     k.t(lang, "desk_worker_followup", map[string]any{"CaseID": d.CaseID, "Name": escape(serviceName(tt.Dir, d.ServiceID, lang))}),
		Keyboard: k.feedbackKeyboard(lang, d.CaseID)})
	return out, nil
}
