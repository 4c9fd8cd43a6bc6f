package desk

// Messages between a case's thread and the worker's chat. Neither side sees
// the other's account: the bot writes in its own name on both sides, and
// files go by Telegram's file id, never by a forward.

import (
	"errors"
	"strings"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/desk/casework"
	"github.com/rightsdesk/rightsdesk/store"
)

// internalMark starts a message caseworkers keep among themselves.
const internalMark = "!"

// noteLimit bounds a closing note, so the confirmation and the worker's
// message stay one message each.
const noteLimit = 1500

// caseOfMessage finds the case a group message belongs to: by its topic,
// or by the message it answers.
func (k *Desk) caseOfMessage(tt *Turn, org store.Org) (string, error) {
	u := tt.Upd
	if u.ThreadID > 0 {
		n, err := k.cfg.Store.InThread(tt.Ctx, org.ChatID, u.ThreadID)
		if err == nil {
			return store.CaseOfName(n.Name), nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
	}
	if u.ReplyTo > 0 {
		n, err := k.cfg.Store.NameOf(tt.Ctx, org.ChatID, u.ReplyTo)
		if err == nil {
			return store.CaseOfName(n.Name), nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
	}
	return "", nil
}

// message handles a person's message in a desk.
func (k *Desk) message(tt *Turn, org store.Org) (Out, bool, error) {
	var out Out
	u := tt.Upd
	if u.Kind == chat.KindMembership || u.Kind == chat.KindOther || u.UserID == 0 {
		return out, true, nil
	}
	// A caseworker corrects a message the worker got: the correction
	// follows it. An edit of anything else passed nothing on.
	edited := u.Kind == chat.KindEdited
	kind := u.Kind
	var caseID string
	var err error
	if edited {
		kind = chat.KindText
		if u.File != nil {
			kind = chat.KindMedia
		}
		caseID, err = k.cfg.Store.DeskRelayCase(tt.Ctx, org.ChatID, u.MessageID)
		if errors.Is(err, store.ErrNotFound) {
			return out, true, nil
		}
	} else {
		caseID, err = k.caseOfMessage(tt, org)
	}
	if err != nil {
		return out, true, err
	}
	say := func(id string, data map[string]any) {
		r := chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID, Text: k.t(org.Language, id, data)}
		if caseID != "" {
			r = inThread(r, caseID)
		}
		out.send(r)
	}
	if caseID == "" {
		if u.Addressed {
			say("desk_help", nil)
		}
		return out, true, nil
	}
	text := strings.TrimSpace(u.Text)
	if kind == chat.KindText && (strings.HasPrefix(text, internalMark) || text == "") {
		return out, true, nil
	}
	d, err := k.cfg.Store.LatestDelivery(tt.Ctx, caseID, org.ChatID)
	if errors.Is(err, store.ErrNotFound) {
		return out, true, nil
	}
	if err != nil {
		return out, true, err
	}
	c := caseOf(d)
	pend, pending := tt.State.Pending[caseID]
	pending = pending && !edited // what is pending waits for a new message
	if pending && pend.User == u.UserID && pend.Op == pendingNote && pend.Revision == c.Revision {
		if u.Kind != chat.KindText || text == "" {
			say("desk_note_want_text", nil)
			return out, true, nil
		}
		if len([]rune(text)) > noteLimit {
			say("desk_note_too_long", map[string]any{"Max": noteLimit})
			return out, true, nil
		}
		pend.Note = text
		tt.State.setPending(caseID, pend)
		outcome := outcomeCodes[pend.Outcome]
		out.add(k.confirmResolve(org, caseID, c.Revision, outcome, text))
		return out, true, nil
	}
	if !c.Status.Active() {
		say("desk_relay_closed", map[string]any{"CaseID": caseID})
		return out, true, nil
	}
	worker, lang, reachable, err := k.workerOf(tt.Ctx, caseID)
	if err != nil {
		return out, true, err
	}
	if !reachable {
		say("desk_relay_unreachable", map[string]any{"CaseID": caseID})
		return out, true, nil
	}
	asking := pending && pend.Op == pendingAsk && pend.User == u.UserID
	headerID := "desk_worker_message"
	switch {
	case edited:
		headerID = "desk_worker_message_edited"
	case asking:
		headerID = "desk_worker_question"
	}
	header := k.t(lang, headerID, map[string]any{"CaseID": caseID, "Name": escape(serviceName(tt.Dir, d.ServiceID, lang))})
	answer := &chat.Keyboard{Inline: [][]chat.Button{
		{{Text: k.t(lang, "desk_worker_btn_answer", nil), Data: "v1:c:m:" + caseID}},
		{{Text: k.t(lang, "desk_worker_btn_file", nil), Data: "v1:c:e:" + caseID}},
	}}
	toWorker := chat.Reply{Action: chat.ActionSend, ChatID: worker, Case: caseID, Name: store.NameCase + caseID}
	var event string
	switch kind {
	case chat.KindText:
		body := header + "\n\n" + escape(text)
		if chat.UTF16Len(body) > chat.MaxText {
			say("desk_relay_too_long", map[string]any{"Max": chat.MaxText - chat.UTF16Len(header) - 2})
			return out, true, nil
		}
		toWorker.Text, toWorker.Keyboard = body, answer
		out.send(toWorker)
		event = text
	case chat.KindPhoto, chat.KindDocument, chat.KindVoice, chat.KindMedia:
		toWorker.Text = header
		out.send(toWorker)
		out.send(chat.Reply{Action: chat.ActionCopy, ChatID: worker, FromChatID: org.ChatID, FromMessageID: u.MessageID,
			Case: caseID, Name: store.NameCase + caseID, Keyboard: answer})
	default:
		say("desk_relay_unsupported", nil)
		return out, true, nil
	}
	id, chatID, by, msgID := caseID, org.ChatID, u.UserID, u.MessageID
	out.write(func(tx *store.Tx) error {
		if err := tx.AddOrgMessage(id, event); err != nil {
			return err
		}
		if err := tx.RecordDeskRelay(chatID, msgID, id); err != nil {
			return err
		}
		return tx.TouchOrg(chatID, tt.Upd.Forum)
	})
	k.cfg.Log.Info().Str("case", caseID).Int64("chat", chatID).Int64("user", by).Bool("correction", edited).Msg("relayed to the worker")
	if asking {
		delete(tt.State.Pending, caseID)
		next, effects, err := casework.Act(c, casework.Press{Op: casework.OpAsk, Revision: c.Revision, OnCard: true,
			Actor: casework.Actor{ID: u.UserID, Name: k.firstName(tt, org, u.UserID), Member: true}}, k.cfg.Now())
		if err == nil {
			done, err := k.effects(tt, org, withCase(d, next), next, effects, true)
			out.add(done)
			return out, true, err
		}
	}
	return out, true, nil
}

// firstName is a caseworker's name for the card's history; nothing when
// Telegram cannot tell.
func (k *Desk) firstName(tt *Turn, org store.Org, userID int64) string {
	m, err := k.cfg.Members(tt.Ctx, org.ChatID, userID)
	if err != nil {
		return ""
	}
	return m.FirstName
}

// RelayFromWorker passes what the worker added to a case on to the desk that
// has it, or the worker's correction of something passed on before; to is
// empty when no desk has the case now: the addition stays with the case
// only.
func (k *Desk) RelayFromWorker(tt *Turn, caseID, text string, file *chat.File, correction bool) (out Out, to string, err error) {
	d, err := k.activeDelivery(tt, caseID)
	if err != nil || d.ID == 0 {
		return out, "", err
	}
	org, err := k.cfg.Store.OrgByService(tt.Ctx, d.ServiceID)
	if errors.Is(err, store.ErrNotFound) {
		return out, "", nil
	}
	if err != nil {
		return out, "", err
	}
	lang := org.Language
	headerID := "desk_from_worker"
	if correction {
		headerID = "desk_from_worker_edited"
	}
	header := k.t(lang, headerID, map[string]any{"CaseID": caseID})
	if file != nil {
		// A caption holds 1024 UTF-16 units: a longer one follows the file
		// as messages of its own, so no word of it is lost.
		caption, rest := header, ""
		if text != "" {
			if chat.UTF16Len(header)+2+chat.UTF16Len(text) <= chat.MaxCaption {
				caption += "\n\n" + escape(text)
			} else {
				rest = text
			}
		}
		out.send(inThread(chat.Reply{Action: chat.ActionSendFile, ChatID: org.ChatID, File: file, Text: caption}, caseID))
		if rest != "" {
			for _, piece := range chat.Split(rest, chat.MaxText-chat.UTF16Len(header)-2) {
				out.send(inThread(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID, Text: header + "\n\n" + escape(piece)}, caseID))
			}
		}
	} else {
		// The worker's limit is Telegram's own; the header makes the
		// difference, so the rest may follow in a second message.
		for _, piece := range chat.Split(text, chat.MaxText-chat.UTF16Len(header)-2) {
			out.send(inThread(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID, Text: header + "\n\n" + escape(piece)}, caseID))
		}
	}
	// Which of the worker's messages went on, so that their correction
	// follows.
	chatID, msgID := tt.Upd.ChatID, tt.Upd.MessageID
	out.write(func(tx *store.Tx) error { return tx.RecordDeskRelay(chatID, msgID, caseID) })
	c := caseOf(d)
	if next, effects := casework.Answered(c, k.cfg.Now()); len(effects) > 0 {
		done, err := k.effects(tt, org, withCase(d, next), next, effects, true)
		if err != nil {
			return out, "", err
		}
		out.add(done)
	}
	return out, d.ServiceID, nil
}

// activeDelivery is the delivery a case is at now; zero when none.
func (k *Desk) activeDelivery(tt *Turn, caseID string) (store.Delivery, error) {
	d, err := k.cfg.Store.LatestDelivery(tt.Ctx, caseID, 0)
	if errors.Is(err, store.ErrNotFound) {
		return store.Delivery{}, nil
	}
	if err != nil || !d.Active() {
		return store.Delivery{}, err
	}
	return d, nil
}
