package desk

// Handing a case to a desk, and telling the worker what became of it.

import (
	"errors"
	"strings"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/desk/casework"
	"github.com/rightsdesk/rightsdesk/store"
)

// Referral says where a delivered case comes from, when a desk handed it on.
type Referral struct {
	From   string // service id
	Reason string // one of referReasons
}

// ErrNotLinked is Deliver's answer for an organisation without a desk.
var ErrNotLinked = errors.New("desk: the organisation receives no cases here")

// Deliver hands a case to an organisation's desk: a new open delivery, a
// topic in a forum, the card, the rest of the story and the files. The
// worker is told the case arrived once the card is in the group, not before.
// consent records that the worker agreed to involve their own state.
func (k *Desk) Deliver(tt *Turn, caseID, serviceID string, ref *Referral, consent bool) (Out, error) {
	return k.deliver(tt, caseID, serviceID, ref, consent, store.Delivery{})
}

// deliver opens the delivery, or turns a waiting one (a referral the worker
// just agreed to) into it.
func (k *Desk) deliver(tt *Turn, caseID, serviceID string, ref *Referral, consent bool, waiting store.Delivery) (Out, error) {
	var out Out
	org, err := k.cfg.Store.OrgByService(tt.Ctx, serviceID)
	if errors.Is(err, store.ErrNotFound) {
		return out, ErrNotLinked
	}
	if err != nil {
		return out, err
	}
	cs, err := k.cfg.Store.CaseByID(tt.Ctx, caseID)
	if err != nil {
		return out, err
	}
	if cs.Details == nil || cs.Closed() {
		return out, store.Errorf(store.ECONFLICT, "case %s cannot be delivered", caseID)
	}
	evidence, err := k.cfg.Store.CaseEvidence(tt.Ctx, caseID)
	if err != nil {
		return out, err
	}
	worker, workerLang, reachable, err := k.workerOf(tt.Ctx, caseID)
	if err != nil {
		return out, err
	}
	now := k.cfg.Now()
	c := casework.Case{Status: casework.Open, Revision: 1, History: []casework.Entry{{At: now, Event: casework.EventDelivered}}}
	d := withCase(store.Delivery{CaseID: caseID, ServiceID: serviceID, ChatID: org.ChatID, CreatedAt: now}, c)
	if waiting.ID != 0 {
		d.ID, d.Revision, d.CreatedAt = waiting.ID, waiting.Revision, now
		c.Revision = waiting.Revision + 1
	}
	out.write(func(tx *store.Tx) error {
		d := d
		if err := tx.SaveDelivery(&d); err != nil {
			return err
		}
		// Read in the transaction: a write of this turn may have moved it.
		if status, err := tx.CaseStatus(caseID); err != nil {
			return err
		} else if status != store.CaseRouted {
			if err := tx.SetCaseStatus(caseID, store.CaseRouted); err != nil {
				return err
			}
		}
		return tx.RecordRoute(store.CaseRoute{CaseID: caseID, ChatID: cs.ChatID, ServiceID: serviceID,
			ConsentConsulate: consent, Status: store.RouteSent})
	})

	lang := org.Language
	// A forum where the bot may not open topics gets the card in General,
	// its thread the replies to it, as in a plain group.
	topic := org.Forum && org.MayOpenTopics
	if topic {
		out.send(chat.Reply{Action: chat.ActionCreateTopic, ChatID: org.ChatID, Name: store.NameTopic + caseID,
			Text: k.topicTitle(lang, caseID, cs.Details), Case: caseID})
	}
	v := cardView{lang: lang, caseID: caseID, details: cs.Details, evidence: len(evidence), d: d, c: c, org: org, now: now, dir: tt.Dir, place: tt.PlaceName}
	card := chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID, Thread: store.NameTopic + caseID, Name: store.NameCard + caseID,
		Text: k.cardText(v), Keyboard: k.cardKeyboard(lang, caseID, c), Case: caseID}
	if reachable {
		card.Then = []chat.Reply{{Action: chat.ActionSend, ChatID: worker, Case: caseID,
			Text: k.t(workerLang, "desk_worker_arrived", map[string]any{"CaseID": caseID, "Name": escape(serviceName(tt.Dir, serviceID, workerLang))})}}
	}
	out.send(card)
	if topic && org.MayPin {
		out.send(chat.Reply{Action: chat.ActionPin, ChatID: org.ChatID, Target: store.NameCard + caseID})
	}
	if ref != nil {
		out.send(inThread(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID, Text: k.t(lang, "desk_referred_here", map[string]any{
			"Name": escape(serviceName(tt.Dir, ref.From, lang)), "Reason": k.t(lang, "desk_refer_reason_"+ref.Reason, nil)})}, caseID))
	}
	if _, cut := cardStory(cs.Details); cut {
		// A worker may write several messages' worth: the whole account
		// goes in as many messages as Telegram's limit needs.
		header := k.t(lang, "desk_story_part", map[string]any{"CaseID": caseID, "Part": 99, "Parts": 99, "Story": ""})
		pieces := chat.Split(cs.Details.Description, chat.MaxText-chat.UTF16Len(header))
		for i, piece := range pieces {
			id, data := "desk_story_full", map[string]any{"CaseID": caseID, "Story": escape(piece)}
			if len(pieces) > 1 {
				id, data["Part"], data["Parts"] = "desk_story_part", i+1, len(pieces)
			}
			out.send(inThread(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID, Text: k.t(lang, id, data)}, caseID))
		}
	}
	for i, f := range evidence {
		out.send(inThread(chat.Reply{Action: chat.ActionSendFile, ChatID: org.ChatID,
			File: &chat.File{ID: f.FileID, UniqueID: f.UniqueID, Kind: f.Kind, MIME: f.MIME},
			Text: k.t(lang, "desk_evidence_caption", map[string]any{"CaseID": caseID, "N": i + 1, "Total": len(evidence)})}, caseID))
	}
	k.cfg.Log.Info().Str("case", caseID).Str("service", serviceID).Int64("chat", org.ChatID).Msg("case delivered to a desk")
	return out, nil
}

// topicTitle names a case's topic: its id and its problems, nothing about
// the worker.
func (k *Desk) topicTitle(lang, caseID string, d *store.CaseDetails) string {
	var cats []string
	for _, c := range d.Categories {
		cats = append(cats, k.t(lang, "intake_cat_"+c, nil))
	}
	return truncate(caseID+" · "+strings.Join(cats, ", "), 128)
}

// effects writes the changed delivery and renders what the engine decided.
// edit says the card can be edited (its group is still there).
func (k *Desk) effects(tt *Turn, org store.Org, d store.Delivery, c casework.Case, effects []casework.Effect, edit bool) (Out, error) {
	var out Out
	if len(effects) == 0 {
		return out, nil
	}
	out.write(save(d))
	// The card shows the revision the save makes, so its buttons match.
	c.Revision = d.Revision + 1
	if status, ok := caseStatusFor[c.Status]; ok {
		id := d.CaseID
		out.write(func(tx *store.Tx) error {
			cs, err := tx.CaseStatus(id)
			if err != nil || cs == status || cs == store.CaseWithdrawn {
				return err
			}
			return tx.SetCaseStatus(id, status)
		})
	}
	for _, e := range effects {
		switch e := e.(type) {
		case casework.CardChanged:
			if !edit {
				continue
			}
			text, kb, err := k.card(tt, d, c, org)
			if err != nil {
				return out, err
			}
			out.send(editCard(org, d.CaseID, text, kb))
		case casework.TellWorker:
			w, err := k.tellWorker(tt, d, e)
			if err != nil {
				return out, err
			}
			out.add(w)
		case casework.Reroute:
			if worker, _, ok, err := k.workerOf(tt.Ctx, d.CaseID); err != nil {
				return out, err
			} else if ok {
				out.Reroutes = append(out.Reroutes, Reroute{CaseID: d.CaseID, WorkerChatID: worker, Exclude: append(k.hadCase(tt, d.CaseID), d.ServiceID)})
			}
		case casework.HandOn:
			h, err := k.handOn(tt, d, e)
			if err != nil {
				return out, err
			}
			out.add(h)
		case casework.AskFeedback:
			w, err := k.askFeedback(tt, d)
			if err != nil {
				return out, err
			}
			out.add(w)
		}
	}
	return out, nil
}

// caseStatusFor is the case's status while its delivery is in a state.
var caseStatusFor = map[casework.Status]string{
	casework.Open: store.CaseRouted, casework.Taken: store.CaseTaken, casework.Resolved: store.CaseResolved,
	casework.Returned: store.CaseNew, casework.Unlinked: store.CaseNew, casework.Escalated: store.CaseNew,
}

// tellWorker tells the worker, in their language, what a desk did.
func (k *Desk) tellWorker(tt *Turn, d store.Delivery, e casework.TellWorker) (Out, error) {
	var out Out
	worker, lang, ok, err := k.workerOf(tt.Ctx, d.CaseID)
	if err != nil || !ok {
		return out, err
	}
	data := map[string]any{"CaseID": d.CaseID, "Name": escape(serviceName(tt.Dir, d.ServiceID, lang))}
	text := ""
	switch e.Event {
	case casework.EventTaken, casework.EventReturned, casework.EventUnlinked, casework.EventReopened:
		text = k.t(lang, "desk_worker_"+string(e.Event), data)
	case casework.EventReferred:
		data["To"] = escape(serviceName(tt.Dir, e.To, lang))
		text = k.t(lang, "desk_worker_referred", data)
	case casework.EventEscalated:
		if e.To == "" {
			text = k.t(lang, "desk_worker_escalated", data)
			break
		}
		data["To"] = escape(serviceName(tt.Dir, e.To, lang))
		text = k.t(lang, "desk_worker_escalated_to", data)
	case casework.EventResolved:
		data["Outcome"] = k.t(lang, "desk_worker_outcome_"+string(e.Outcome), nil)
		text = k.t(lang, "desk_worker_resolved", data)
		if e.Note != "" {
			text += "\n\n" + k.t(lang, "desk_worker_note", map[string]any{"Note": escape(e.Note)})
		}
	default:
		return out, nil
	}
	out.send(chat.Reply{Action: chat.ActionSend, ChatID: worker, Text: text, Case: d.CaseID, Name: store.NameCase + d.CaseID,
		Keyboard: &chat.Keyboard{Inline: [][]chat.Button{{{Text: k.t(lang, "menu_cases", nil), Data: "v1:c:o:" + d.CaseID}}}}})
	return out, nil
}

// Feedback button payloads (bot's cases namespace, "v1:c:fb:<case>:<answer>").
const FeedbackPrefix = "fb:"

var feedbackCodes = map[string]casework.Feedback{"s": casework.FeedbackSolved, "p": casework.FeedbackPartly, "n": casework.FeedbackNo}

func (k *Desk) askFeedback(tt *Turn, d store.Delivery) (Out, error) {
	var out Out
	worker, lang, ok, err := k.workerOf(tt.Ctx, d.CaseID)
	if err != nil || !ok {
		return out, err
	}
	out.send(chat.Reply{Action: chat.ActionSend, ChatID: worker, Case: d.CaseID,
		Text: k.t(lang, "desk_worker_feedback", map[string]any{"CaseID": d.CaseID}), Keyboard: k.feedbackKeyboard(lang, d.CaseID)})
	return out, nil
}

// feedbackKeyboard answers "is the problem solved?"; "no" reopens the case.
func (k *Desk) feedbackKeyboard(lang, caseID string) *chat.Keyboard {
	btn := func(id, code string) []chat.Button {
		return []chat.Button{{Text: k.t(lang, id, nil), Data: "v1:c:" + FeedbackPrefix + caseID + ":" + code}}
	}
	return &chat.Keyboard{Inline: [][]chat.Button{
		btn("desk_worker_feedback_solved", "s"), btn("desk_worker_feedback_partly", "p"), btn("desk_worker_feedback_no", "n"),
	}}
}

// handOn delivers a referred case to its new desk, or first asks the worker
// whether their own state may see it.
func (k *Desk) handOn(tt *Turn, from store.Delivery, e casework.HandOn) (Out, error) {
	if !e.Consent {
		return k.Deliver(tt, from.CaseID, e.Target, &Referral{From: from.ServiceID, Reason: e.Reason}, false)
	}
	var out Out
	org, err := k.cfg.Store.OrgByService(tt.Ctx, e.Target)
	if err != nil {
		return out, err
	}
	worker, lang, ok, err := k.workerOf(tt.Ctx, from.CaseID)
	if err != nil {
		return out, err
	}
	if !ok {
		return out, nil
	}
	wait := store.Delivery{CaseID: from.CaseID, ServiceID: e.Target, ChatID: org.ChatID, Status: store.DeliveryAwaitingConsent}
	// The waiting delivery remembers who referred the case and why, for
	// the card it will get once the worker agrees.
	wait = withCase(wait, casework.Case{Status: casework.AwaitingConsent,
		History: []casework.Entry{{At: k.cfg.Now(), Event: casework.EventReferred, Detail: from.ServiceID + "|" + e.Reason}}})
	caseID := from.CaseID
	data := map[string]any{"CaseID": caseID, "Name": escape(serviceName(tt.Dir, from.ServiceID, lang)),
		"To": escape(serviceName(tt.Dir, e.Target, lang))}
	// The question's buttons name the waiting delivery, known only once
	// it is written: the reply is queued in the same write.
	out.Notify = append(out.Notify, worker)
	out.write(func(tx *store.Tx) error {
		w := wait
		if err := tx.SaveDelivery(&w); err != nil {
			return err
		}
		ref := func(op string) string { return "v1:c:" + op + caseID + ":" + itoa(w.ID) }
		return k.enqueue(tx, chat.Reply{Action: chat.ActionSend, ChatID: worker, Case: caseID,
			Text: k.t(lang, "desk_worker_consent", data),
			Keyboard: &chat.Keyboard{Inline: [][]chat.Button{
				{{Text: k.t(lang, "route_btn_consent", nil), Data: ref(ConsentYesPrefix)}},
				{{Text: k.t(lang, "desk_worker_consent_no", nil), Data: ref(ConsentNoPrefix)}},
			}}})
	})
	return out, nil
}

// Consent button payloads (bot's cases namespace): "k:<case>:<delivery>".
const (
	ConsentYesPrefix = "k:"
	ConsentNoPrefix  = "kn:"
)

// ReferralOf reads who referred a case to a waiting delivery, and why.
func ReferralOf(wait store.Delivery) Referral {
	for _, e := range caseOf(wait).History {
		if e.Event == casework.EventReferred {
			from, reason, _ := strings.Cut(e.Detail, "|")
			return Referral{From: from, Reason: reason}
		}
	}
	return Referral{}
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
