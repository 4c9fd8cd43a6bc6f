package desk

// The worker's side of a desk's work: consent to a referral, the answer
// after a resolution, withdrawal and erasure.

import (
	"errors"
	"strconv"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/desk/casework"
	"github.com/rightsdesk/rightsdesk/store"
)

// ErrStale means a worker's button no longer applies: the case moved on.
var ErrStale = errors.New("desk: the button no longer applies")

// deskOf loads a delivery's desk; ok is false when it is gone.
func (k *Desk) deskOf(tt *Turn, d store.Delivery) (store.Org, bool, error) {
	org, err := k.cfg.Store.OrgByService(tt.Ctx, d.ServiceID)
	if errors.Is(err, store.ErrNotFound) || err == nil && org.ChatID != d.ChatID {
		return store.Org{ChatID: d.ChatID}, false, nil
	}
	return org, err == nil, err
}

// Consent takes the worker's answer to a referral to their own state:
// yes hands the case on, no leaves it where it is and tells the desk. Yes
// to a desk that has gone meanwhile is ErrNotLinked, with what still is to
// be done in Out.
func (k *Desk) Consent(tt *Turn, workerChatID int64, caseID, deliveryID string, yes bool) (Out, error) {
	var out Out
	id, err := strconv.ParseInt(deliveryID, 10, 64)
	if err != nil {
		return out, ErrStale
	}
	wait, err := k.cfg.Store.DeliveryByID(tt.Ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return out, ErrStale
	}
	if err != nil {
		return out, err
	}
	cs, err := k.cfg.Store.CaseByID(tt.Ctx, caseID)
	if err != nil {
		return out, err
	}
	if wait.CaseID != caseID || cs.ChatID != workerChatID || wait.Status != store.DeliveryAwaitingConsent {
		return out, ErrStale
	}
	from, err := k.activeDelivery(tt, caseID)
	if err != nil {
		return out, err
	}
	// A question asked by a delivery that has ended since, the case
	// routed again, is answered by nobody: the desk that has it now did
	// not ask.
	if from.ID == 0 || from.ID > wait.ID {
		return out, ErrStale
	}
	fromOrg, linked, err := k.deskOf(tt, from)
	if err != nil {
		return out, err
	}
	ref := ReferralOf(wait)
	now := k.cfg.Now()
	if yes {
		if _, err := k.cfg.Store.OrgByService(tt.Ctx, wait.ServiceID); errors.Is(err, store.ErrNotFound) {
			// The worker agreed, but the desk it was to go to is gone: the
			// request ends as one that never became a delivery, the case
			// stays, and the desk that asked hears why.
			wait.Status = store.DeliveryDeclined
			out.write(save(wait))
			if linked {
				out.send(inThread(chat.Reply{Action: chat.ActionSend, ChatID: fromOrg.ChatID,
					Text: k.t(fromOrg.Language, "desk_consent_target_gone", map[string]any{"CaseID": caseID,
						"To": escape(serviceName(tt.Dir, wait.ServiceID, fromOrg.Language))})}, caseID))
			}
			return out, ErrNotLinked
		} else if err != nil {
			return out, err
		}
	}
	if !yes {
		wait.Status = store.DeliveryDeclined
		out.write(save(wait))
		next, effects := casework.ConsentRefused(caseOf(from), wait.ServiceID, now)
		done, err := k.effects(tt, fromOrg, withCase(from, next), next, effects, linked)
		out.add(done)
		return out, err
	}
	next, effects, err := casework.ConsentGiven(caseOf(from), wait.ServiceID, ref.Reason, now)
	if err != nil {
		return out, ErrStale
	}
	// Deliver must see the case's consent recorded; it records the route.
	for i, e := range effects {
		if h, ok := e.(casework.HandOn); ok {
			effects = append(effects[:i:i], effects[i+1:]...)
			done, err := k.effects(tt, fromOrg, withCase(from, next), next, effects, linked)
			if err != nil {
				return out, err
			}
			out.add(done)
			// The waiting delivery becomes the open one.
			delivered, err := k.deliver(tt, caseID, h.Target, &Referral{From: from.ServiceID, Reason: h.Reason}, true, wait)
			out.add(delivered)
			return out, err
		}
	}
	return out, nil
}

// Feedback takes the worker's answer to "is the problem solved?".
func (k *Desk) Feedback(tt *Turn, workerChatID int64, caseID, code string) (Out, error) {
	var out Out
	f, ok := feedbackCodes[code]
	if !ok {
		return out, ErrStale
	}
	cs, err := k.cfg.Store.CaseByID(tt.Ctx, caseID)
	if err != nil || cs.ChatID != workerChatID {
		return out, ErrStale
	}
	d, err := k.cfg.Store.LatestDelivery(tt.Ctx, caseID, 0)
	if err != nil {
		return out, ErrStale
	}
	next, effects, err := casework.GiveFeedback(caseOf(d), f, k.cfg.Now())
	if err != nil {
		return out, ErrStale
	}
	org, linked, err := k.deskOf(tt, d)
	if err != nil {
		return out, err
	}
	if !linked && next.Status.Active() {
		// Not solved, but the desk that closed it is gone: the case goes
		// back to routing, as the desk's open cases did when it went,
		// rather than wait at a desk nobody reads.
		next, effects = casework.Unlink(next, k.cfg.Now())
	}
	done, err := k.effects(tt, org, withCase(d, next), next, effects, linked)
	out.add(done)
	if err == nil && f == casework.FeedbackNo && linked {
		out.send(inThread(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID,
			Text: k.t(org.Language, "desk_reopened", map[string]any{"CaseID": caseID})}, caseID))
	}
	return out, err
}

// Withdrawn tells the desk that has a case that its worker withdrew it.
// The store ends the delivery with the withdrawal; this is the card's part.
func (k *Desk) Withdrawn(tt *Turn, caseID string) (Out, error) {
	var out Out
	d, err := k.cfg.Store.LatestDelivery(tt.Ctx, caseID, 0)
	if errors.Is(err, store.ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	next, effects := casework.Withdraw(caseOf(d), k.cfg.Now())
	if len(effects) == 0 {
		return out, nil
	}
	org, linked, err := k.deskOf(tt, d)
	if err != nil || !linked {
		return out, err
	}
	// The store's withdrawal moved the revision on; the history is written
	// after it, in the same transaction.
	d = withCase(d, next)
	id, notes := d.ID, d.Notes
	out.write(func(tx *store.Tx) error { return tx.SaveNotes(id, notes) })
	text, _, err := k.card(tt, d, next, org)
	if err != nil {
		return out, err
	}
	out.send(editCard(org, caseID, text, nil))
	out.send(inThread(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID,
		Text: k.t(org.Language, "desk_withdrawn", map[string]any{"CaseID": caseID})}, caseID))
	return out, nil
}

// Erased says on every card of the worker's cases "withdrawn, details
// erased". The messages relayed to the desks are taken back by the erasure
// itself (store.EraseChat returns them, read in its transaction).
func (k *Desk) Erased(tt *Turn, workerChatID int64) (Out, error) {
	var out Out
	ds, err := k.cfg.Store.ChatDeliveries(tt.Ctx, workerChatID)
	if err != nil {
		return out, err
	}
	done := map[string]bool{}
	for i := len(ds) - 1; i >= 0; i-- {
		d := ds[i]
		key := d.CaseID + "\x00" + strconv.FormatInt(d.ChatID, 10)
		if done[key] || d.Status == store.DeliveryAwaitingConsent || d.Status == store.DeliveryDeclined {
			continue
		}
		done[key] = true
		org, linked, err := k.deskOf(tt, d)
		if err != nil {
			return out, err
		}
		if !linked {
			continue
		}
		c := caseOf(d)
		if c.Status.Active() {
			c.Status = casework.Withdrawn
		}
		v := cardView{lang: org.Language, caseID: d.CaseID, c: c, org: org, now: k.cfg.Now(), dir: tt.Dir, place: tt.PlaceName}
		out.send(editCard(org, d.CaseID, k.cardText(v), nil))
	}
	return out, nil
}
