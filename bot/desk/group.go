package desk

// What happens in a group: linking it, its membership and migration, the
// desk's commands, and messages in a case's thread.

import (
	"errors"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/desk/casework"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// Group handles a group update. handled is false when the update is none
// of the desk's business (a group that is no desk, a message outside any
// case), so the bot's own group manners apply.
func (k *Desk) Group(tt *Turn) (out Out, handled bool, err error) {
	u := tt.Upd
	switch {
	case u.Kind == chat.KindMigrated && (u.MigratedTo != 0 || u.MigratedFrom != 0):
		// Both chats say so, and both move the desk (the second finds it
		// moved): the old chat's update and the new chat's are handled side
		// by side, and only the new chat's comes before what its people
		// write there next.
		from, to := u.ChatID, u.MigratedTo
		if u.MigratedFrom != 0 {
			from, to = u.MigratedFrom, u.ChatID
		}
		out.write(func(tx *store.Tx) error { return tx.MigrateChat(from, to) })
		return out, true, nil
	case u.Kind == chat.KindCommand && u.Command == "link":
		out, err = k.link(tt)
		return out, true, err
	}
	org, err := k.cfg.Store.OrgByChat(tt.Ctx, u.ChatID)
	if errors.Is(err, store.ErrNotFound) {
		if u.Kind == chat.KindCallback && strings.HasPrefix(u.CallbackData, "v1:"+CallbackFeature+":") {
			// A card of a desk that is gone: nothing to do.
			out.Answer = k.t(locales.Match(u.LanguageCode), "desk_not_linked", nil)
			return out, true, nil
		}
		return out, false, nil
	}
	if err != nil {
		return out, false, err
	}
	if org.Forum != u.Forum && u.Kind != chat.KindMembership {
		forum := u.Forum
		out.write(func(tx *store.Tx) error { return tx.TouchOrg(org.ChatID, forum) })
		if forum {
			// A group that turns into a forum says nothing of the bot's
			// rights there: ask, rather than have every topic refused.
			if r, err := k.botRights(tt, org.ChatID); err == nil {
				out.write(func(tx *store.Tx) error { return tx.SetOrgRights(org.ChatID, r.OpenTopics, r.Pin) })
				org.MayOpenTopics, org.MayPin = r.OpenTopics, r.Pin
			}
		}
		org.Forum = forum
	}
	switch u.Kind {
	case chat.KindMembership:
		if u.BotStatus == "left" || u.BotStatus == "kicked" {
			out, err = k.Unlink(tt, org, false)
			return out, true, err
		}
		k.rightsChanged(&out, org, Rights{OpenTopics: u.BotMayOpenTopics, Pin: u.BotMayPin}, u.Forum || org.Forum)
		return out, true, nil
	case chat.KindCommand:
		out, err = k.command(tt, org)
		return out, true, err
	case chat.KindCallback:
		payload, ok := strings.CutPrefix(u.CallbackData, "v1:"+CallbackFeature+":")
		if !ok {
			out.Answer = k.t(org.Language, "desk_button_refused", nil)
			return out, true, nil
		}
		out, err = k.button(tt, org, payload)
		return out, true, err
	}
	return k.message(tt, org)
}

// link makes the group the desk of the organisation whose code it is.
func (k *Desk) link(tt *Turn) (Out, error) {
	var out Out
	u := tt.Upd
	lang := locales.Match(u.LanguageCode)
	reply := func(id string, data map[string]any) {
		out.send(chat.Reply{Action: chat.ActionSend, ChatID: u.ChatID, Text: k.t(lang, id, data)})
	}
	if u.Private() {
		reply("desk_link_private", nil)
		return out, nil
	}
	code := strings.TrimSpace(u.Args)
	if code == "" {
		reply("desk_link_usage", nil)
		return out, nil
	}
	member, err := k.cfg.Members(tt.Ctx, u.ChatID, u.UserID)
	if err != nil {
		k.cfg.Log.Warn().Err(err).Int64("chat", u.ChatID).Msg("membership check failed")
		reply("desk_try_again", nil)
		return out, nil
	}
	if !member.Current {
		return out, nil
	}
	chatID, forum := u.ChatID, u.Forum
	// Rights matter only where topics are opened; a group that becomes a
	// forum later is asked then.
	rights := Rights{OpenTopics: true, Pin: true}
	if forum {
		if rights, err = k.botRights(tt, chatID); err != nil {
			reply("desk_try_again", nil)
			return out, nil
		}
	}
	out.Notify = append(out.Notify, chatID)
	// The outcome is known only inside the transaction: the reply is
	// chosen there too, and the transaction keeps it.
	out.write(func(tx *store.Tx) error {
		o, err := tx.LinkOrg(code, chatID, forum, lang)
		switch store.ErrorCode(err) {
		case "":
			name := serviceName(tt.Dir, o.ServiceID, lang)
			k.cfg.Log.Info().Int64("chat", chatID).Str("service", o.ServiceID).Msg("desk linked")
			if err := tx.SetOrgRights(chatID, rights.OpenTopics, rights.Pin); err != nil {
				return err
			}
			text := k.t(lang, "desk_linked", map[string]any{"Name": escape(name)}) + "\n\n" + k.t(lang, "desk_help", nil)
			if forum && !rights.OpenTopics {
				text += "\n\n" + k.t(lang, "desk_no_topics", nil)
			}
			return k.enqueue(tx, chat.Reply{Action: chat.ActionSend, ChatID: chatID, Text: text})
		case store.EINVALID:
			k.cfg.Log.Info().Int64("chat", chatID).Msg("link refused: no usable code")
			return k.enqueue(tx, chat.Reply{Action: chat.ActionSend, ChatID: chatID, Text: k.t(lang, "desk_link_bad_code", nil)})
		case store.ECONFLICT:
			k.cfg.Log.Info().Int64("chat", chatID).Msg("link refused: chat or service linked already")
			return k.enqueue(tx, chat.Reply{Action: chat.ActionSend, ChatID: chatID, Text: k.t(lang, "desk_link_taken", nil)})
		}
		return err
	})
	return out, nil
}

// botRights asks Telegram what the bot may do in a group; without a way
// to ask, it may do what the README asks its people to let it.
func (k *Desk) botRights(tt *Turn, chatID int64) (Rights, error) {
	if k.cfg.BotRights == nil {
		return Rights{OpenTopics: true, Pin: true}, nil
	}
	r, err := k.cfg.BotRights(tt.Ctx, chatID)
	if err != nil {
		k.cfg.Log.Warn().Err(err).Int64("chat", chatID).Msg("could not ask for the bot's rights")
	}
	return r, err
}

// rightsChanged keeps what the bot may now do in a desk's group and, in a
// forum, tells its people when cases stop or start getting topics.
func (k *Desk) rightsChanged(out *Out, org store.Org, r Rights, forum bool) {
	if r.OpenTopics == org.MayOpenTopics && r.Pin == org.MayPin {
		return
	}
	out.write(func(tx *store.Tx) error { return tx.SetOrgRights(org.ChatID, r.OpenTopics, r.Pin) })
	if !forum || r.OpenTopics == org.MayOpenTopics {
		return
	}
	id := "desk_no_topics"
	if r.OpenTopics {
		id = "desk_topics_again"
	}
	out.send(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID, Text: k.t(org.Language, id, nil)})
}

// enqueue queues a reply from inside a write, for outcomes known only
// there. The bot tells the sender about every chat it wrote to.
func (k *Desk) enqueue(tx *store.Tx, r chat.Reply) error {
	payload, err := r.Encode()
	if err != nil {
		return err
	}
	return tx.EnqueueFor(r.Case, r.ChatID, int(r.Priority), payload, nil)
}

// Unlink ends a desk: its open cases go back to routing and their workers
// are told. tellDesk says a last word in the group, when the bot is still
// there to say it (the operator unlinked it, not the group).
func (k *Desk) Unlink(tt *Turn, org store.Org, tellDesk bool) (Out, error) {
	var out Out
	open, err := k.cfg.Store.DeskDeliveries(tt.Ctx, org.ChatID, store.DeliveryOpen, store.DeliveryTaken)
	if err != nil {
		return out, err
	}
	k.cfg.Log.Info().Int64("chat", org.ChatID).Str("service", org.ServiceID).Int("open_cases", len(open)).Msg("desk unlinked")
	service := org.ServiceID
	out.write(func(tx *store.Tx) error { return tx.UnlinkOrg(service) })
	if tellDesk {
		out.send(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID,
			Text: k.t(org.Language, "desk_unlinked", map[string]any{"Name": escape(serviceName(tt.Dir, service, org.Language))})})
	}
	for _, d := range open {
		c, effects := casework.Unlink(caseOf(d), k.cfg.Now())
		// Where the bot is still in the group, its cards say the case has
		// gone and offer nothing more.
		done, err := k.effects(tt, org, withCase(d, c), c, effects, tellDesk)
		if err != nil {
			return out, err
		}
		out.add(done)
	}
	return out, nil
}

// hadCase lists the services a case was already at, so a new offer leaves
// them out; a request for consent counts, so a worker who said no to their
// own state is not asked again.
func (k *Desk) hadCase(tt *Turn, caseID string) []string {
	ds, err := k.cfg.Store.CaseDeliveries(tt.Ctx, caseID)
	if err != nil {
		return nil
	}
	var ids []string
	for _, d := range ds {
		if !slices.Contains(ids, d.ServiceID) {
			ids = append(ids, d.ServiceID)
		}
	}
	return ids
}

// command answers the desk's commands.
func (k *Desk) command(tt *Turn, org store.Org) (Out, error) {
	var out Out
	u := tt.Upd
	say := func(text string, kb *chat.Keyboard) { out.send(k.replyHere(tt, org, text, kb)) }
	switch u.Command {
	case "cases":
		texts, taken, err := k.caseList(tt, org, 0, "")
		if err != nil {
			return out, err
		}
		for i, text := range texts {
			var kb *chat.Keyboard
			if taken && i == len(texts)-1 {
				// Who holds what is in the list; each caseworker's own
				// cases are a press away.
				kb = &chat.Keyboard{Inline: [][]chat.Button{{{Text: k.t(org.Language, "desk_btn_my_cases", nil),
					Data: "v1:" + CallbackFeature + ":" + opMine}}}}
			}
			say(text, kb)
		}
	case "case":
		id := strings.ToUpper(strings.TrimSpace(u.Args))
		if !store.ValidCaseID(id) {
			say(k.t(org.Language, "desk_case_usage", nil), nil)
			return out, nil
		}
		return k.repost(tt, org, id)
	case "language":
		var rows [][]chat.Button
		for _, lang := range locales.Languages {
			rows = append(rows, []chat.Button{{Text: k.t(lang, "language_name", nil), Data: "v1:" + CallbackFeature + ":" + opLanguage + ":" + lang}})
		}
		say(k.t(org.Language, "desk_language_prompt", nil), &chat.Keyboard{Inline: rows})
	default:
		say(k.t(org.Language, "desk_help", nil), nil)
	}
	return out, nil
}

// replyHere is a message to the desk in the thread the update came from:
// a case's topic, or the reply chain of a card in a plain group.
func (k *Desk) replyHere(tt *Turn, org store.Org, text string, kb *chat.Keyboard) chat.Reply {
	r := chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID, Text: text, Keyboard: kb}
	if u := tt.Upd; u.ThreadID > 0 {
		if n, err := k.cfg.Store.InThread(tt.Ctx, org.ChatID, u.ThreadID); err == nil {
			r.Thread = n.Name
			if id := store.CaseOfName(n.Name); id != "" {
				r.Thread = store.NameTopic + id
			}
		}
	}
	return r
}
