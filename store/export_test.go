package store

import (
	"context"
	"time"
)

// ExecForTest lets tests put the database into states the API never makes.
func (tx *Tx) ExecForTest(q string, args ...any) error {
	_, err := tx.tx.Exec(q, args...)
	tx.changes = append(tx.changes, change{kind: changeEverything})
	return err
}

// OutboxFromDisk and ChatFromDisk read past the mirror, so tests can hold
// what it answers against what the database holds.
func (db *DB) OutboxFromDisk(ctx context.Context, chatID int64) (OutboxMessage, time.Time, bool, error) {
	return db.readOutbox(ctx, chatID)
}

func (db *DB) ChatFromDisk(ctx context.Context, id int64) (Chat, error) { return db.readChat(ctx, id) }

// SetAfterRead makes fn run between a read that may fill the mirror and the
// filling (nil stops it); the caller must not race it with reads.
func SetAfterRead(fn func()) { afterRead = fn }

// SetBeforeApply makes fn run between a batch's commit and the applying of
// its changes to the mirror (nil stops it); fn runs on the committing
// goroutine, and the caller must not race it with commits.
func SetBeforeApply(fn func()) { beforeApply = fn }

// HoldTwiceForTest makes the memory of a chat's outbox hold its head row
// twice, as the race of TestMirrorTakesAReadAheadOfItsCommit once did. It
// reports false when the chat's outbox is not held.
func (db *DB) HoldTwiceForTest(chatID int64) bool {
	m := &db.mirror
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.outbox[chatID]
	if e == nil || !e.known || len(e.rows) == 0 {
		return false
	}
	e.rows = append(e.rows, e.rows[0])
	return true
}

// QueryBlobForTest reads one value inside the transaction.
func (tx *Tx) QueryBlobForTest(q string, args ...any) ([]byte, error) {
	var b []byte
	err := tx.tx.QueryRow(q, args...).Scan(&b)
	return b, err
}
