package jobs

import (
	"context"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// Announcements defaults: a batch is ten seconds of sending at 25 a
// second, and the next one is added when half of it is out.
const (
	DefaultAnnounceBatch = 250
	defaultPoll          = 200 * time.Millisecond
)

// Announcements sends due announcements to their opted-in subscribers
// through the outbox, as bulk: the sender paces bulk sends (25 a second by
// default) behind replies and honours 429. Recipients are enqueued in
// batches in chat id order; each batch commits with the announcement's
// cursor, so after a crash the next run goes on from the first chat not
// yet enqueued, and a chat already enqueued (its copy in the outbox or
// sent) is never enqueued again. A batch is added only when the bulk queue
// has run down to half a batch, so the outbox stays small however many
// subscribers there are.
type Announcements struct {
	Store   *store.DB
	Catalog *locales.Catalog
	Notify  func(chatIDs ...int64)
	Log     zerolog.Logger
	Batch   int
	// Poll is how often the bulk queue is looked at while it drains.
	Poll time.Duration
}

// Run sends every announcement due by now; items counts the copies
// enqueued in this run. Stopped (ctx), it resumes at its next run.
func (a Announcements) Run(ctx context.Context, now time.Time) (int, error) {
	due, err := a.Store.DueAnnouncements(ctx, now)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, ann := range due {
		n, err := a.send(ctx, ann)
		total += n
		if err != nil {
			return total, err
		}
		a.Log.Info().Int64("announcement", ann.ID).Int("recipients", ann.Enqueued+n).Msg("announcement enqueued for every subscriber")
	}
	return total, nil
}

func (a Announcements) send(ctx context.Context, ann store.Announcement) (int, error) {
	size := a.Batch
	if size <= 0 {
		size = DefaultAnnounceBatch
	}
	enqueued := 0
	for {
		if err := a.waitForRoom(ctx, size); err != nil {
			return enqueued, err
		}
		var chats []int64
		var done bool
		err := a.Store.Update(ctx, func(tx *store.Tx) error {
			var err error
			chats, done, err = tx.NextRecipients(ann.ID, size)
			if err != nil {
				return err
			}
			for _, c := range chats {
				for _, r := range bot.AnnouncementReplies(a.Catalog, c, ann.Language, ann.Pages) {
					if err := enqueue(tx, r); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return enqueued, err
		}
		enqueued += len(chats)
		if len(chats) > 0 && a.Notify != nil {
			a.Notify(chats...)
		}
		if done {
			return enqueued, nil
		}
	}
}

// waitForRoom waits until fewer than half a batch of bulk messages wait.
func (a Announcements) waitForRoom(ctx context.Context, size int) error {
	poll := a.Poll
	if poll <= 0 {
		poll = defaultPoll
	}
	for {
		n, err := a.Store.BulkOutboxLen(ctx, int(chat.Bulk))
		if err != nil {
			return err
		}
		if n < size/2+1 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}
