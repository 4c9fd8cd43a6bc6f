package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// Default draft ages: a day of silence earns one reminder; a month, and
// the draft is deleted (the reminder says how long it is kept).
const (
	DefaultRemindAfter = 24 * time.Hour
	DefaultExpireAfter = bot.DraftKeptDays * 24 * time.Hour
)

// batch is how many chats one transaction of a job handles.
const batch = 100

// Drafts looks after unfinished complaints through store's drafts index,
// never unsealing a chat it does not change: a draft left alone for
// RemindAfter gets one reminder, in the worker's language, with a button
// to continue; one left alone for ExpireAfter is deleted from the sealed
// state.
type Drafts struct {
	Store       *store.DB
	Catalog     *locales.Catalog
	Notify      func(chatIDs ...int64)
	Log         zerolog.Logger
	RemindAfter time.Duration
	ExpireAfter time.Duration
}

// Run reminds, then deletes; items counts both.
func (d Drafts) Run(ctx context.Context, now time.Time) (int, error) {
	reminded, err := d.Remind(ctx, now)
	if err != nil {
		return reminded, err
	}
	deleted, err := d.Expire(ctx, now)
	d.Log.Info().Int("reminded", reminded).Int("deleted", deleted).Msg("drafts looked after")
	return reminded + deleted, err
}

// Remind sends the one reminder of every draft idle since RemindAfter.
// The reminder is claimed in the transaction that enqueues it, so it goes
// out once however often the job runs. A draft already due for deletion
// (after long downtime) is claimed without a message.
func (d Drafts) Remind(ctx context.Context, now time.Time) (int, error) {
	idleSince := now.Add(-d.RemindAfter)
	expiring := now.Add(-d.ExpireAfter)
	sent := 0
	for ctx.Err() == nil {
		due, err := d.Store.DraftsToRemind(ctx, idleSince, batch)
		if err != nil || len(due) == 0 {
			return sent, err
		}
		var chats []int64
		err = d.Store.Update(ctx, func(tx *store.Tx) error {
			chats = chats[:0]
			for _, e := range due {
				claimed, err := tx.MarkDraftReminded(e.ChatID, idleSince)
				if err != nil {
					return err
				}
				if !claimed || e.UpdatedAt.Before(expiring) {
					continue
				}
				if err := enqueue(tx, bot.DraftReminder(d.Catalog, e.ChatID, e.Language)); err != nil {
					return err
				}
				chats = append(chats, e.ChatID)
			}
			return nil
		})
		if err != nil {
			return sent, err
		}
		sent += len(chats)
		d.notify(chats)
		if len(due) < batch {
			break
		}
	}
	return sent, ctx.Err()
}

// Expire deletes drafts untouched since ExpireAfter from the sealed chat
// state, then checkpoints so the old state leaves the WAL too. A chat with
// an update in hand is left for the next run.
func (d Drafts) Expire(ctx context.Context, now time.Time) (int, error) {
	before := now.Add(-d.ExpireAfter)
	deleted, busy := 0, 0
	var failed error
	for ctx.Err() == nil {
		old, err := d.Store.DraftsUntouchedSince(ctx, before, batch)
		if err != nil {
			return deleted, err
		}
		progress := 0
		for _, e := range old {
			dropped, err := d.Store.DropDraft(ctx, e.ChatID, before, bot.DropDraft)
			switch {
			case errors.Is(err, store.ErrChatBusy):
				busy++
			case err != nil:
				// One unreadable state must not keep the others' drafts.
				d.Log.Error().Err(err).Int64("chat", e.ChatID).Msg("could not delete an old draft")
				if failed == nil {
					failed = fmt.Errorf("draft of chat %d: %w", e.ChatID, err)
				}
			case dropped:
				deleted++
				progress++
			}
		}
		if len(old) < batch || progress == 0 {
			break
		}
	}
	if busy > 0 {
		d.Log.Info().Int("chats", busy).Msg("drafts of chats with an update in hand are left for the next run")
	}
	if deleted > 0 {
		if err := checkpoint(ctx, d.Store); err != nil {
			return deleted, err
		}
	}
	if failed == nil {
		failed = ctx.Err()
	}
	return deleted, failed
}

func (d Drafts) notify(chats []int64) {
	if len(chats) > 0 && d.Notify != nil {
		d.Notify(chats...)
	}
}

// enqueue puts a reply in the outbox in the caller's transaction.
func enqueue(tx *store.Tx, r chat.Reply) error {
	payload, err := r.Encode()
	if err != nil {
		return err
	}
	var memo any
	if r.RoundTrips() {
		memo = r
	}
	return tx.EnqueueMemo(r.ChatID, int(r.Priority), payload, memo)
}

// checkpoint folds the WAL into the database, so erased bytes leave the
// disk; a reader in the way is waited out a little.
func checkpoint(ctx context.Context, db *store.DB) error {
	var err error
	for range 20 {
		if err = db.Checkpoint(ctx); store.ErrorCode(err) != store.ECONFLICT {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	return err
}
