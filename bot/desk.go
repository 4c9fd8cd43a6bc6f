package bot

// The bot's side of the desk: it hands group updates and the worker's desk
// buttons to bot/desk, and folds what the desk decided into the turn —
// replies, writes, and cases to offer to their workers again.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/desk"
	"github.com/rightsdesk/rightsdesk/bot/routing"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// deskTurn is the turn as the desk sees it.
func (b *Bot) deskTurn(t *turn) *desk.Turn {
	dt := &desk.Turn{Ctx: t.ctx, Upd: t.upd, State: &t.state.Desk}
	if t.lib != nil {
		dt.Dir = t.lib.Directory
		if gz := t.lib.Gazetteer; gz != nil {
			dt.PlaceName = func(id, lang string) string {
				if p, ok := gz.ByID(id); ok {
					return p.NameIn(lang)
				}
				return ""
			}
		}
	}
	dt.Candidates = func(d *store.CaseDetails, exclude []string) []desk.Candidate {
		req := routeRequestOf("", d)
		req.Exclude = exclude
		choices, err := t.rankFor(req)
		if err != nil {
			b.cfg.Log.Warn().Err(err).Msg("ranking for a referral failed")
			return nil
		}
		var out []desk.Candidate
		for _, ch := range choices {
			out = append(out, desk.Candidate{ServiceID: ch.Service.ID, NeedsConsent: routing.OwnState(ch.Service, d.Citizenship), Receives: ch.Receives})
		}
		// The union of the worker's own country is always a candidate: the
		// cooperation of origin and destination unions is what a referral
		// between desks is for.
		if t.lib == nil || t.lib.Directory == nil {
			return out
		}
		if home, ok := t.lib.Directory.NationalCentre(d.Citizenship); ok && !slices.Contains(exclude, home.ID) &&
			!slices.ContainsFunc(out, func(c desk.Candidate) bool { return c.ServiceID == home.ID }) {
			if _, err := b.cfg.Store.OrgByService(t.ctx, home.ID); err == nil {
				out = append(out, desk.Candidate{ServiceID: home.ID, Receives: true})
			}
		}
		return out
	}
	return dt
}

// addDesk folds the desk's outcome into the turn. Cases back at routing are
// offered to their workers, each in the worker's own language.
func (t *turn) addDesk(out desk.Out) {
	t.replies = append(t.replies, out.Replies...)
	t.effects = append(t.effects, out.Writes...)
	t.notify = append(t.notify, out.Notify...)
	if out.Answer != "" {
		t.answerCallback(out.Answer)
	}
	for _, r := range out.Reroutes {
		t.bot.reroute(t, r)
	}
}

// reroute offers a case's worker the services that fit it again, from a
// turn that is not the worker's (a desk's, or the operator's).
func (b *Bot) reroute(t *turn, r desk.Reroute) {
	cs, err := b.cfg.Store.CaseByID(t.ctx, r.CaseID)
	if err != nil || cs.Details == nil || cs.ChatID != r.WorkerChatID {
		return
	}
	w, err := b.cfg.Store.Chat(t.ctx, r.WorkerChatID)
	lang := locales.Default
	if err == nil && w.Language != "" {
		lang = w.Language
	}
	// A turn for the worker's chat, sharing this one's transaction.
	wt := &turn{bot: b, ctx: t.ctx, lib: t.lib, lang: lang,
		upd: chat.Update{ChatID: r.WorkerChatID, ChatType: chat.ChatPrivate}}
	req := routeRequestOf(r.CaseID, cs.Details)
	req.Exclude = r.Exclude
	b.offerRoutes(wt, req)
	t.replies = append(t.replies, wt.replies...)
	t.effects = append(t.effects, wt.effects...)
}

// deskGroup gives a group update to the desk; false leaves it to the bot's
// own group manners.
func (b *Bot) deskGroup(t *turn) bool {
	out, handled, err := b.desk.Group(b.deskTurn(t))
	if err != nil {
		// The update is handled again: a read failed, nothing was written.
		b.cfg.Log.Error().Err(err).Int64("chat", t.upd.ChatID).Int64("update_id", t.upd.ID).Msg("desk failed")
		t.failed = err
		return true
	}
	if handled {
		t.addDesk(out)
	}
	return handled
}

// deskWorkerButton takes the worker's answers to a desk: feedback after a
// resolution, consent to a referral. False for any other payload.
func (b *Bot) deskWorkerButton(t *turn, payload string) bool {
	var out desk.Out
	var err error
	switch {
	case strings.HasPrefix(payload, desk.FeedbackPrefix):
		id, code, _ := strings.Cut(strings.TrimPrefix(payload, desk.FeedbackPrefix), ":")
		out, err = b.desk.Feedback(b.deskTurn(t), t.upd.ChatID, id, code)
		// A case whose desk is gone goes back to routing instead: what the
		// worker hears is that, not thanks for an answer nobody gets.
		if err == nil && len(out.Reroutes) == 0 {
			t.answerCallback(t.t("desk_worker_feedback_thanks", nil))
			msg := "desk_worker_feedback_thanks"
			if code == "n" {
				msg = "desk_worker_feedback_reopened"
			}
			t.send(t.t(msg, map[string]any{"CaseID": id}), b.menuKeyboard(t))
		}
	case strings.HasPrefix(payload, desk.ConsentYesPrefix), strings.HasPrefix(payload, desk.ConsentNoPrefix):
		yes := strings.HasPrefix(payload, desk.ConsentYesPrefix)
		rest := strings.TrimPrefix(strings.TrimPrefix(payload, desk.ConsentNoPrefix), desk.ConsentYesPrefix)
		id, delivery, _ := strings.Cut(rest, ":")
		out, err = b.desk.Consent(b.deskTurn(t), t.upd.ChatID, id, delivery, yes)
		msg := "desk_worker_consent_given"
		switch {
		case errors.Is(err, desk.ErrNotLinked):
			msg, err = "desk_worker_consent_target_gone", nil
		case !yes:
			msg = "desk_worker_consent_refused"
		}
		if err == nil {
			t.send(t.t(msg, map[string]any{"CaseID": id}), b.menuKeyboard(t))
		}
	default:
		return false
	}
	switch {
	case errors.Is(err, desk.ErrStale):
		b.stale(t)
	case err != nil:
		b.storeTrouble(t, err)
	default:
		t.addDesk(out)
	}
	return true
}

// Unlink ends an organisation's desk at the operator's word: its open cases
// go back to their workers, who are offered other services, and the group
// hears a last word. It returns how many cases went back.
func (b *Bot) Unlink(ctx context.Context, serviceID string) (int, error) {
	org, err := b.cfg.Store.OrgByService(ctx, serviceID)
	if err != nil {
		return 0, err
	}
	t := &turn{bot: b, ctx: ctx, lib: b.library.Load(), lang: locales.Default, upd: chat.Update{ChatID: org.ChatID}}
	out, err := b.desk.Unlink(b.deskTurn(t), org, true)
	if err != nil {
		return 0, err
	}
	t.addDesk(out)
	if err := b.commitTurn(ctx, t); err != nil {
		return 0, err
	}
	return len(out.Reroutes), nil
}

// errDoneBefore ends a scheduled turn whose effect was had already (a
// reminder sent in an earlier run): nothing of it is written.
var errDoneBefore = errors.New("bot: done in an earlier run")

// scheduled runs one turn of scheduled desk work, at most once per key
// when a key is given.
func (b *Bot) scheduled(ctx context.Context, job, key string, work func(t *turn) (desk.Out, error)) (bool, error) {
	t := &turn{bot: b, ctx: ctx, lib: b.library.Load(), lang: locales.Default}
	if key != "" {
		t.effects = append(t.effects, func(tx *store.Tx) error {
			fresh, err := tx.MarkOnce(job, key)
			if err == nil && !fresh {
				return errDoneBefore
			}
			return err
		})
	}
	out, err := work(t)
	if err != nil {
		return false, err
	}
	t.addDesk(out)
	err = b.commitTurn(ctx, t)
	if errors.Is(err, errDoneBefore) {
		return false, nil
	}
	return err == nil, err
}

// DeskDeadlines reminds desks, once, of cases waiting past their response
// target, passes on those waiting past twice it, and reminds them weekly of
// taken cases with no word to or from their workers.
func (b *Bot) DeskDeadlines(ctx context.Context, now time.Time) (int, error) {
	ds, err := b.cfg.Store.ActiveDeliveries(ctx)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, d := range ds {
		org, err := b.cfg.Store.OrgByService(ctx, d.ServiceID)
		if errors.Is(err, store.ErrNotFound) || err == nil && org.ChatID != d.ChatID {
			continue // the desk went away; unlinking brought the case back
		}
		if err != nil {
			return done, err
		}
		remind, escalate := desk.Due(org, d, now)
		since, quiet, err := b.desk.QuietOf(ctx, d, now)
		if err != nil {
			return done, err
		}
		var did bool
		switch {
		case escalate:
			did, err = b.scheduled(ctx, "deadlines", "", func(t *turn) (desk.Out, error) {
				return b.desk.Escalate(b.deskTurn(t), org, d, now)
			})
		case remind:
			did, err = b.scheduled(ctx, "deadlines", "remind:"+strconv.FormatInt(d.ID, 10), func(t *turn) (desk.Out, error) {
				return b.desk.Remind(b.deskTurn(t), org, d, now), nil
			})
		case quiet > 0:
			// Once for each span of quiet; a word either way starts anew.
			key := fmt.Sprintf("quiet:%d:%d:%d", d.ID, since.UnixMilli(), quiet)
			did, err = b.scheduled(ctx, "deadlines", key, func(t *turn) (desk.Out, error) {
				return b.desk.RemindQuiet(b.deskTurn(t), org, d, since, now), nil
			})
		}
		if store.ErrorCode(err) == store.ECONFLICT {
			continue // a caseworker acted meanwhile; the next run looks again
		}
		if err != nil {
			return done, err
		}
		if did {
			done++
		}
	}
	return done, nil
}

// DeskDigests sends each desk its week, once per ISO week.
func (b *Bot) DeskDigests(ctx context.Context, now time.Time) (int, error) {
	orgs, err := b.cfg.Store.Orgs(ctx)
	if err != nil {
		return 0, err
	}
	year, week := now.ISOWeek()
	done := 0
	for _, org := range orgs {
		did, err := b.scheduled(ctx, "digest", fmt.Sprintf("%s:%d-W%02d", org.ServiceID, year, week), func(t *turn) (desk.Out, error) {
			return b.desk.Digest(b.deskTurn(t), org, now)
		})
		if err != nil {
			return done, err
		}
		if did {
			done++
		}
	}
	return done, nil
}

// FollowUpAfter is how long after a resolution the worker is asked again.
const FollowUpAfter = 7 * 24 * time.Hour

// DeskFollowUps asks workers, once, a week after a resolution they did not
// answer, whether the problem is solved.
func (b *Bot) DeskFollowUps(ctx context.Context, now time.Time) (int, error) {
	ds, err := b.cfg.Store.ResolvedWithoutFeedback(ctx, now.Add(-FollowUpAfter))
	if err != nil {
		return 0, err
	}
	done := 0
	for _, d := range ds {
		did, err := b.scheduled(ctx, "follow-up", strconv.FormatInt(d.ID, 10), func(t *turn) (desk.Out, error) {
			return b.desk.FollowUp(b.deskTurn(t), d)
		})
		if err != nil {
			return done, err
		}
		if did {
			done++
		}
	}
	return done, nil
}
