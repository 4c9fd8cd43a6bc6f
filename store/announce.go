package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// Subscription is a chat's answer to "may we send you news?", with only
// what targeting needs: the chat's language and the country it works in.
type Subscription struct {
	ChatID   int64
	OptedIn  bool
	Language string
	Country  string
}

// SetSubscription records the chat's answer, or brings its language and
// country up to date.
func (tx *Tx) SetSubscription(s Subscription) error {
	if !s.OptedIn {
		// Someone who said no is never targeted: nothing else is kept.
		s.Language, s.Country = "", ""
	}
	_, err := tx.exec(context.Background(), `INSERT INTO subscriptions (chat_id, opted_in, language, country, answered_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET opted_in = excluded.opted_in,
		  language = excluded.language, country = excluded.country, answered_at = excluded.answered_at`,
		s.ChatID, s.OptedIn, s.Language, s.Country, millis(tx.now))
	return err
}

// Subscription reads a chat's answer; ErrNotFound when it never gave one.
func (db *DB) Subscription(ctx context.Context, chatID int64) (Subscription, error) {
	s := Subscription{ChatID: chatID}
	err := db.read.QueryRowContext(ctx, `SELECT opted_in, language, country FROM subscriptions WHERE chat_id = ?`, chatID).
		Scan(&s.OptedIn, &s.Language, &s.Country)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	return s, err
}

// CountSubscribers counts the chats an announcement in lang for country
// ("" for all) would reach now.
func (db *DB) CountSubscribers(ctx context.Context, lang, country string) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM subscriptions s LEFT JOIN chats c ON c.chat_id = s.chat_id
		WHERE s.opted_in = 1 AND s.language = ? AND (? = '' OR s.country = ?) AND c.blocked_at IS NULL`,
		lang, country, country).Scan(&n)
	return n, err
}

// Announcement is a message for the subscribers of one language, in one
// country of work or all.
type Announcement struct {
	ID       int64
	Language string
	Country  string // "" for every country
	// Pages are Telegram HTML messages, sent in order.
	Pages      []string
	SendAt     time.Time
	CreatedAt  time.Time
	Enqueued   int
	FinishedAt time.Time // zero until every subscriber's copy is enqueued
}

// CreateAnnouncement stores an announcement to be sent from its SendAt on.
func (db *DB) CreateAnnouncement(ctx context.Context, a Announcement) (int64, error) {
	if a.Language == "" || len(a.Pages) == 0 {
		return 0, Errorf(EINVALID, "an announcement needs a language and a text")
	}
	pages, err := json.Marshal(a.Pages)
	if err != nil {
		return 0, err
	}
	var id int64
	err = db.Update(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `INSERT INTO announcements (language, country, pages, send_at, created_at)
			VALUES (?, ?, ?, ?, ?)`, a.Language, a.Country, string(pages), millis(a.SendAt), millis(tx.now))
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

// DueAnnouncements lists the announcements due by now and not finished,
// oldest first.
func (db *DB) DueAnnouncements(ctx context.Context, now time.Time) ([]Announcement, error) {
	return db.announcements(ctx, `SELECT id, language, country, pages, send_at, created_at, enqueued, finished_at
		FROM announcements WHERE finished_at IS NULL AND send_at <= ? ORDER BY send_at, id`, millis(now))
}

// LatestAnnouncements lists the newest announcements, newest first.
func (db *DB) LatestAnnouncements(ctx context.Context, limit int) ([]Announcement, error) {
	return db.announcements(ctx, `SELECT id, language, country, pages, send_at, created_at, enqueued, finished_at
		FROM announcements ORDER BY id DESC LIMIT ?`, limit)
}

func (db *DB) announcements(ctx context.Context, q string, args ...any) ([]Announcement, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Announcement
	for rows.Next() {
		var a Announcement
		var pages string
		var sendAt, created int64
		var finished sql.NullInt64
		if err := rows.Scan(&a.ID, &a.Language, &a.Country, &pages, &sendAt, &created, &a.Enqueued, &finished); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(pages), &a.Pages); err != nil {
			return nil, Errorf(EINTERNAL, "announcement %d: unreadable pages: %v", a.ID, err)
		}
		a.SendAt, a.CreatedAt = fromMillis(sendAt), fromMillis(created)
		if finished.Valid {
			a.FinishedAt = fromMillis(finished.Int64)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// NextRecipients takes the announcement's next batch: up to limit opted-in
// subscribers past its cursor, in chat id order, leaving out chats that
// blocked the bot. It moves the cursor past them in this transaction, so
// the caller enqueues their copies in the same commit; done says nobody is
// left, and the announcement is then finished.
func (tx *Tx) NextRecipients(announcementID int64, limit int) (chats []int64, done bool, err error) {
	ctx := context.Background()
	var lang, country string
	var cursor, finished sql.NullInt64
	err = tx.tx.QueryRowContext(ctx, `SELECT language, country, cursor, finished_at FROM announcements WHERE id = ?`, announcementID).
		Scan(&lang, &country, &cursor, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, ErrNotFound
	}
	if err != nil || finished.Valid {
		return nil, finished.Valid, err
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT s.chat_id, c.blocked_at IS NOT NULL FROM subscriptions s
		LEFT JOIN chats c ON c.chat_id = s.chat_id
		WHERE s.opted_in = 1 AND s.language = ? AND (? = '' OR s.country = ?) AND (? IS NULL OR s.chat_id > ?)
		ORDER BY s.chat_id LIMIT ?`, lang, country, country, cursor, cursor, limit)
	if err != nil {
		return nil, false, err
	}
	scanned := 0
	last := cursor
	for rows.Next() {
		var id int64
		var blocked bool
		if err := rows.Scan(&id, &blocked); err != nil {
			rows.Close()
			return nil, false, err
		}
		scanned++
		last = sql.NullInt64{Int64: id, Valid: true}
		if !blocked {
			chats = append(chats, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	done = scanned < limit
	var finishedAt any
	if done {
		finishedAt = millis(tx.now)
	}
	_, err = tx.tx.ExecContext(ctx, `UPDATE announcements SET cursor = ?, enqueued = enqueued + ?, finished_at = ? WHERE id = ?`,
		last, len(chats), finishedAt, announcementID)
	return chats, done, err
}

// BulkOutboxLen counts the bulk messages waiting, so an announcement adds
// its next batch only when the sender is about to run dry.
func (db *DB) BulkOutboxLen(ctx context.Context, bulkPriority int) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE priority = ?`, bulkPriority).Scan(&n)
	return n, err
}
