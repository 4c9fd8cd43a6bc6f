package desk

// The card's buttons, and what follows from each decision.

import (
	"errors"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/desk/casework"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// outcomeCodes are the outcomes' one-letter forms in callback data.
var outcomeCodes = map[string]casework.Outcome{
	"s": casework.OutcomeSolved, "p": casework.OutcomePartly, "n": casework.OutcomeNotSolved, "u": casework.OutcomeUnreachable,
}

func outcomeCode(o casework.Outcome) string {
	for code, out := range outcomeCodes {
		if out == o {
			return code
		}
	}
	return ""
}

// referReasons are why a desk refers a case, as one letter in the data.
var referReasons = []string{"b", "o", "a", "k"} // better placed, origin union, area, kind of case

// button handles a press in a desk. Every press is checked in this order:
// the data parses, the presser is a current member, the case is at this
// desk, the button is under the case's current card (or a prompt of it)
// with the card's revision, and the case's state allows it.
func (k *Desk) button(tt *Turn, org store.Org, payload string) (Out, error) {
	var out Out
	u := tt.Upd
	refuse := func(id string, why string) (Out, error) {
		k.cfg.Log.Info().Int64("chat", u.ChatID).Int64("user", u.UserID).Int64("update_id", u.ID).Str("why", why).Msg("desk action refused")
		out.Answer = k.t(org.Language, id, nil)
		return out, nil
	}
	cb, ok := parseDeskCallback(payload)
	if !ok {
		return refuse("desk_button_refused", "unparsable")
	}
	member, err := k.cfg.Members(tt.Ctx, org.ChatID, u.UserID)
	if err != nil {
		k.cfg.Log.Warn().Err(err).Int64("chat", u.ChatID).Msg("membership check failed")
		return refuse("desk_try_again", "membership unknown")
	}
	if !member.Current {
		return refuse("desk_not_member", "not a member")
	}
	if cb.op == opMine {
		texts, _, err := k.caseList(tt, org, u.UserID, member.FirstName)
		if err != nil {
			return out, err
		}
		for _, text := range texts {
			out.send(k.replyHere(tt, org, text, nil))
		}
		return out, nil
	}
	if cb.op == opLanguage {
		if len(cb.args) != 1 || !slices.Contains(locales.Languages, cb.args[0]) {
			return refuse("desk_button_refused", "language")
		}
		lang, chatID := cb.args[0], org.ChatID
		out.write(func(tx *store.Tx) error { return tx.SetOrgLanguage(chatID, lang) })
		out.send(chat.Reply{Action: chat.ActionSend, ChatID: chatID, Text: k.t(lang, "desk_language_set", map[string]any{"Language": k.t(lang, "language_name", nil)})})
		return out, nil
	}
	d, err := k.cfg.Store.LatestDelivery(tt.Ctx, cb.caseID, org.ChatID)
	if errors.Is(err, store.ErrNotFound) {
		return refuse("desk_button_refused", "case not at this desk")
	}
	if err != nil {
		return out, err
	}
	onCard, err := k.onCardOf(tt, org, cb.caseID)
	if err != nil {
		return out, err
	}
	c := caseOf(d)
	if cb.revision != c.Revision {
		return refuse("desk_button_stale", "older card")
	}
	actor := casework.Actor{ID: u.UserID, Name: member.FirstName, Member: true}
	p := casework.Press{Actor: actor, Revision: cb.revision, OnCard: onCard}
	// Steps that only ask something first: nothing changes yet.
	switch cb.op {
	case opCancel:
		delete(tt.State.Pending, cb.caseID)
		out.Answer = k.t(org.Language, "desk_nothing_changed", nil)
		// The prompt goes, and its name with it: a second press on it, a
		// double tap or a colleague's, then finds nothing left to delete
		// rather than asking Telegram to delete it again.
		n, err := k.cfg.Store.NameOf(tt.Ctx, org.ChatID, u.MessageID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return out, err
		}
		if err == nil && n.Name == store.NameCase+cb.caseID {
			chatID, messageID := org.ChatID, u.MessageID
			out.write(func(tx *store.Tx) error { return tx.ForgetMessage(chatID, messageID) })
			out.send(chat.Reply{Action: chat.ActionDelete, ChatID: chatID, MessageID: messageID})
		}
		return out, nil
	case opAsk, opRefer, opResolve, opNotOurs, opOutcome, opNoNote, opReferTo:
		if !onCard {
			return refuse("desk_button_stale", "not on the card")
		}
		if !casework.Can(c, firstStep[cb.op]) {
			return refuse("desk_not_now", "state")
		}
		return k.prompt(tt, org, d, c, cb, actor)
	}
	switch cb.op {
	case opTake:
		p.Op = casework.OpTake
	case opTakeOver:
		p.Op = casework.OpTakeOver
	case opReferWhy:
		if len(cb.args) != 2 || !slices.Contains(referReasons, cb.args[0]) {
			return refuse("desk_button_refused", "refer data")
		}
		target, ok, err := k.referTarget(tt, d, cb.args[1])
		if err != nil {
			return out, err
		}
		if !ok {
			return refuse("desk_refer_gone", "refer target")
		}
		p.Op, p.Target, p.Consent, p.Reason = casework.OpRefer, target.ServiceID, target.NeedsConsent, cb.args[0]
	case opResolveYes:
		outcome, ok := outcomeCodes[strings.Join(cb.args, "")]
		if !ok {
			return refuse("desk_button_refused", "outcome")
		}
		p.Op, p.Outcome = casework.OpResolve, outcome
		if pend, ok := tt.State.Pending[cb.caseID]; ok && pend.Op == pendingNote && pend.Revision == c.Revision {
			p.Note = pend.Note
		}
	case opNotOursYes:
		p.Op = casework.OpNotOurs
	default:
		return refuse("desk_button_refused", "unknown op")
	}
	next, effects, err := casework.Act(c, p, k.cfg.Now())
	if err != nil {
		return refuse(refusal(err), err.Error())
	}
	delete(tt.State.Pending, cb.caseID)
	if u.MessageID > 0 && cb.op != opTake && cb.op != opTakeOver {
		// The confirmation's buttons are spent.
		out.send(chat.Reply{Action: chat.ActionEditMarkup, ChatID: org.ChatID, MessageID: u.MessageID})
	}
	done, err := k.effects(tt, org, withCase(d, next), next, effects, true)
	out.add(done)
	return out, err
}

// firstStep is the action a prompt leads to, checked before prompting so a
// prompt is never offered for what the case's state would refuse.
var firstStep = map[string]casework.Op{
	opAsk: casework.OpAsk, opRefer: casework.OpRefer, opReferTo: casework.OpRefer, opResolve: casework.OpResolve,
	opOutcome: casework.OpResolve, opNoNote: casework.OpResolve, opNotOurs: casework.OpNotOurs,
}

func refusal(err error) string {
	switch {
	case errors.Is(err, casework.ErrNotMember):
		return "desk_not_member"
	case errors.Is(err, casework.ErrStale):
		return "desk_button_stale"
	case errors.Is(err, casework.ErrNotAllowed):
		return "desk_not_now"
	case errors.Is(err, casework.ErrAlreadyYours):
		return "desk_already_yours"
	}
	return "desk_button_refused"
}

// onCardOf reports whether the pressed message is the case's current card
// or a prompt the desk posted about the case.
func (k *Desk) onCardOf(tt *Turn, org store.Org, caseID string) (bool, error) {
	n, err := k.cfg.Store.NameOf(tt.Ctx, org.ChatID, tt.Upd.MessageID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if n.Name == store.NameCard+caseID {
		latest, err := k.cfg.Store.Named(tt.Ctx, org.ChatID, n.Name)
		if err != nil {
			return false, err
		}
		return latest.MessageID == n.MessageID, nil
	}
	return n.Name == store.NameCase+caseID, nil
}

// prompt asks what an action needs before it is taken.
func (k *Desk) prompt(tt *Turn, org store.Org, d store.Delivery, c casework.Case, cb deskCallback, actor casework.Actor) (Out, error) {
	var out Out
	lang, id := org.Language, d.CaseID
	data := func(op string, args ...string) string { return cardData(op, id, c.Revision, args...) }
	cancel := chat.Button{Text: k.t(lang, "desk_btn_cancel", nil), Data: data(opCancel)}
	ask := func(text string, rows [][]chat.Button) {
		out.send(inThread(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID, Text: text,
			Keyboard: &chat.Keyboard{Inline: append(rows, []chat.Button{cancel})}}, id))
	}
	switch cb.op {
	case opAsk:
		tt.State.setPending(id, Pending{Op: pendingAsk, User: actor.ID, Revision: c.Revision})
		out.send(inThread(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID,
			Text:     k.t(lang, "desk_ask_prompt", map[string]any{"Name": escape(actor.Name), "CaseID": id}),
			Keyboard: &chat.Keyboard{ForceReply: true}}, id))
	case opRefer:
		targets, err := k.referTargets(tt, d)
		if err != nil {
			return out, err
		}
		if len(targets) == 0 {
			out.Answer = k.t(lang, "desk_refer_none", nil)
			ask(k.t(lang, "desk_refer_none", nil), nil)
			return out, nil
		}
		var rows [][]chat.Button
		for _, s := range targets {
			label := truncate(serviceName(tt.Dir, s.ServiceID, lang), 48)
			if s.NeedsConsent {
				label = "⚠️ " + label
			}
			rows = append(rows, []chat.Button{{Text: label, Data: data(opReferTo, s.ServiceID)}})
		}
		ask(k.t(lang, "desk_refer_prompt", map[string]any{"CaseID": id}), rows)
	case opReferTo:
		if len(cb.args) != 1 {
			out.Answer = k.t(lang, "desk_button_refused", nil)
			return out, nil
		}
		target, ok, err := k.referTarget(tt, d, cb.args[0])
		if err != nil {
			return out, err
		}
		if !ok {
			out.Answer = k.t(lang, "desk_refer_gone", nil)
			return out, nil
		}
		var rows [][]chat.Button
		for _, r := range referReasons {
			rows = append(rows, []chat.Button{{Text: k.t(lang, "desk_refer_reason_"+r, nil), Data: data(opReferWhy, r, target.ServiceID)}})
		}
		text := k.t(lang, "desk_refer_why", map[string]any{"Name": escape(serviceName(tt.Dir, target.ServiceID, lang))})
		if target.NeedsConsent {
			text += "\n\n" + k.t(lang, "desk_refer_consent_note", nil)
		}
		ask(text, rows)
	case opResolve:
		var rows [][]chat.Button
		for _, o := range casework.Outcomes {
			rows = append(rows, []chat.Button{{Text: k.t(lang, "desk_outcome_"+string(o), nil), Data: data(opOutcome, outcomeCode(o))}})
		}
		ask(k.t(lang, "desk_resolve_prompt", map[string]any{"CaseID": id}), rows)
	case opOutcome:
		code := strings.Join(cb.args, "")
		if _, ok := outcomeCodes[code]; !ok {
			out.Answer = k.t(lang, "desk_button_refused", nil)
			return out, nil
		}
		tt.State.setPending(id, Pending{Op: pendingNote, User: actor.ID, Revision: c.Revision, Outcome: code})
		out.send(inThread(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID,
			Text:     k.t(lang, "desk_note_prompt", map[string]any{"Name": escape(actor.Name), "CaseID": id}),
			Keyboard: &chat.Keyboard{Inline: [][]chat.Button{{{Text: k.t(lang, "desk_btn_no_note", nil), Data: data(opNoNote, code)}}, {cancel}}}}, id))
	case opNoNote:
		code := strings.Join(cb.args, "")
		outcome, ok := outcomeCodes[code]
		if !ok {
			out.Answer = k.t(lang, "desk_button_refused", nil)
			return out, nil
		}
		if p, ok := tt.State.Pending[id]; ok && p.Op == pendingNote {
			p.Note = ""
			tt.State.setPending(id, p)
		}
		out.add(k.confirmResolve(org, id, c.Revision, outcome, ""))
	case opNotOurs:
		ask(k.t(lang, "desk_not_ours_confirm", map[string]any{"CaseID": id}),
			[][]chat.Button{{{Text: k.t(lang, "desk_btn_not_ours_yes", nil), Data: data(opNotOursYes)}}})
	}
	return out, nil
}

// confirmResolve asks once more before a case is closed.
func (k *Desk) confirmResolve(org store.Org, id string, rev int, outcome casework.Outcome, note string) Out {
	var out Out
	lang := org.Language
	text := k.t(lang, "desk_resolve_confirm", map[string]any{"CaseID": id, "Outcome": k.t(lang, "desk_outcome_"+string(outcome), nil)})
	if note != "" {
		text += "\n\n" + k.t(lang, "desk_resolve_note", map[string]any{"Note": escape(truncate(note, 600))})
	}
	out.send(inThread(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID, Text: text, Keyboard: &chat.Keyboard{Inline: [][]chat.Button{
		{{Text: k.t(lang, "desk_btn_resolve_yes", nil), Data: cardData(opResolveYes, id, rev, outcomeCode(outcome))}},
		{{Text: k.t(lang, "desk_btn_cancel", nil), Data: cardData(opCancel, id, rev)}},
	}}}, id))
	return out
}

func (s *State) setPending(caseID string, p Pending) {
	if s.Pending == nil {
		s.Pending = map[string]Pending{}
	}
	s.Pending[caseID] = p
}

// referTargets are the organisations a desk may hand a case on to: those
// routing would offer the worker that receive cases here, the desk itself
// and earlier desks left out.
func (k *Desk) referTargets(tt *Turn, d store.Delivery) ([]Candidate, error) {
	if tt.Candidates == nil {
		return nil, nil
	}
	cs, err := k.cfg.Store.CaseByID(tt.Ctx, d.CaseID)
	if err != nil || cs.Details == nil {
		return nil, err
	}
	var out []Candidate
	for _, c := range tt.Candidates(cs.Details, k.hadCase(tt, d.CaseID)) {
		if c.Receives && c.ServiceID != d.ServiceID {
			out = append(out, c)
		}
	}
	return out, nil
}

// referTarget finds a chosen target among the current ones: a button of a
// list that changed meanwhile names none.
func (k *Desk) referTarget(tt *Turn, d store.Delivery, serviceID string) (Candidate, bool, error) {
	targets, err := k.referTargets(tt, d)
	for _, c := range targets {
		if c.ServiceID == serviceID {
			return c, true, err
		}
	}
	return Candidate{}, false, err
}
