package desk

// What a desk asks of its cases: /cases, a caseworker's own cases, and
// /case ID.

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/store"
)

// caseList is /cases: the desk's open cases, oldest first, in as many
// messages as Telegram's limit needs (a federation's desk may hold
// hundreds), each cut between two cases; taken says whether anyone holds
// one. With mine set, it lists only the cases that caseworker holds, under
// a title with their name.
func (k *Desk) caseList(tt *Turn, org store.Org, mine int64, name string) (texts []string, taken bool, err error) {
	ds, err := k.cfg.Store.DeskDeliveries(tt.Ctx, org.ChatID, store.DeliveryOpen, store.DeliveryTaken)
	if err != nil {
		return nil, false, err
	}
	taken = slices.ContainsFunc(ds, func(d store.Delivery) bool { return d.Status == store.DeliveryTaken })
	lang := org.Language
	if mine != 0 {
		ds = slices.DeleteFunc(ds, func(d store.Delivery) bool { return d.Status != store.DeliveryTaken || d.Assignee != mine })
		if len(ds) == 0 {
			return []string{k.t(lang, "desk_cases_mine_none", map[string]any{"Name": escape(name)})}, taken, nil
		}
		texts = []string{k.t(lang, "desk_cases_mine_title", map[string]any{"Name": escape(name), "Count": len(ds)})}
	} else {
		if len(ds) == 0 {
			return []string{k.t(lang, "desk_cases_none", nil)}, false, nil
		}
		texts = []string{k.t(lang, "desk_cases_title", map[string]any{"Count": len(ds)})}
	}
	now := k.cfg.Now()
	target := time.Duration(max(org.ResponseHours, 1)) * time.Hour
	for _, d := range ds {
		c := caseOf(d)
		who := k.t(lang, "desk_cases_unassigned", nil)
		if c.Status == "taken" {
			who = escape(c.AssigneeName)
		}
		// The case's number opens its card, for the desk's people.
		id := d.CaseID
		if card, err := k.cfg.Store.Named(tt.Ctx, org.ChatID, store.NameCard+d.CaseID); err == nil {
			if link := messageLink(org.ChatID, card.MessageID); link != "" {
				id = `<a href="` + link + `">` + id + `</a>`
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, false, err
		}
		line := k.t(lang, "desk_cases_item", map[string]any{"CaseID": id, "Age": age(now.Sub(d.CreatedAt)), "Who": who})
		if c.Status == "open" && now.Sub(d.CreatedAt) > target {
			line += " " + k.t(lang, "desk_cases_overdue", nil)
		}
		since, quiet, err := k.QuietOf(tt.Ctx, d, now)
		if err != nil {
			return nil, false, err
		}
		if quiet > 0 {
			line += " " + k.t(lang, "desk_cases_quiet", map[string]any{"Age": age(now.Sub(since))})
		}
		// Counted with its markup, which Telegram does not count: a
		// message a little short of the limit, never over it.
		if last := texts[len(texts)-1]; chat.UTF16Len(last)+1+chat.UTF16Len(line) > chat.MaxText {
			texts = append(texts, line)
			continue
		}
		texts[len(texts)-1] += "\n" + line
	}
	return texts, taken, nil
}

// messageLink is the link that opens a message of a supergroup for its
// members (t.me/c/ and the chat's id without its -100); a basic group's
// messages have none.
func messageLink(chatID int64, messageID int) string {
	const supergroups = -1_000_000_000_000
	if chatID >= supergroups || messageID <= 0 {
		return ""
	}
	return fmt.Sprintf("https://t.me/c/%d/%d", supergroups-chatID, messageID)
}

// age is a short, language-neutral age: 5h, 3d.
func age(d time.Duration) string {
	if d < 48*time.Hour {
		return fmt.Sprintf("%dh", max(0, int(d/time.Hour)))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

// repost is /case ID: a fresh card, and the old one's buttons retired.
func (k *Desk) repost(tt *Turn, org store.Org, caseID string) (Out, error) {
	var out Out
	d, err := k.cfg.Store.LatestDelivery(tt.Ctx, caseID, org.ChatID)
	if errors.Is(err, store.ErrNotFound) {
		out.send(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID, Text: k.t(org.Language, "desk_case_unknown", map[string]any{"CaseID": caseID})})
		return out, nil
	}
	if err != nil {
		return out, err
	}
	if old, err := k.cfg.Store.Named(tt.Ctx, org.ChatID, store.NameCard+caseID); err == nil {
		out.send(chat.Reply{Action: chat.ActionEditMarkup, ChatID: org.ChatID, MessageID: old.MessageID})
	}
	c := caseOf(d)
	text, kb, err := k.card(tt, d, c, org)
	if err != nil {
		return out, err
	}
	out.send(chat.Reply{Action: chat.ActionSend, ChatID: org.ChatID, Thread: store.NameTopic + caseID, Name: store.NameCard + caseID,
		Text: text, Keyboard: kb, Case: caseID})
	return out, nil
}
