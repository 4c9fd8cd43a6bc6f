package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"time"
)

// Delivery statuses. A delivery awaiting consent waits for the worker to
// agree that their own state's consulate may see the case; declined is
// their no. Open waits for a caseworker, taken has one; resolved, referred,
// returned (not ours), withdrawn (by the worker) and unlinked (the desk went
// away) are over.
const (
	DeliveryAwaitingConsent = "awaiting_consent"
	DeliveryDeclined        = "declined"
	DeliveryOpen            = "open"
	DeliveryTaken           = "taken"
	DeliveryResolved        = "resolved"
	DeliveryReferred        = "referred"
	DeliveryReturned        = "returned"
	DeliveryWithdrawn       = "withdrawn"
	DeliveryUnlinked        = "unlinked"
	// DeliveryEscalated: nobody took the case in time; it went on.
	DeliveryEscalated = "escalated"
)

// DeliveryStatuses lists every delivery status.
var DeliveryStatuses = []string{DeliveryAwaitingConsent, DeliveryDeclined, DeliveryOpen, DeliveryTaken,
	DeliveryResolved, DeliveryReferred, DeliveryReturned, DeliveryWithdrawn, DeliveryUnlinked, DeliveryEscalated}

// Delivery is a case handed to an organisation's desk.
type Delivery struct {
	ID        int64
	CaseID    string
	ServiceID string
	ChatID    int64
	Status    string
	// Revision counts the delivery's changes; the card's buttons carry it,
	// so a button pressed on an older card is recognised.
	Revision   int
	Assignee   int64
	Asked      bool
	Outcome    string
	Feedback   string
	ReferredTo string
	// Notes is what names people — the assignee's name, the history, the
	// note for the worker — in the form its owner (the desk) gives it. It is
	// sealed at rest.
	Notes      []byte
	CreatedAt  time.Time
	TakenAt    time.Time
	ResolvedAt time.Time
	UpdatedAt  time.Time
}

// Active reports whether the case is at this desk now.
func (d Delivery) Active() bool { return d.Status == DeliveryOpen || d.Status == DeliveryTaken }

func deliveryPlace(id int64) string { return "delivery:" + strconv.FormatInt(id, 10) }

// SaveDelivery creates a delivery (ID 0) or writes a changed one. A write
// is refused (ECONFLICT) when the delivery changed since it was read, so two
// people acting on one case at once cannot both win; the turn that lost is
// handled again and sees the other's change.
func (tx *Tx) SaveDelivery(d *Delivery) error {
	if !ValidCaseID(d.CaseID) || d.ServiceID == "" || d.ChatID == 0 {
		return Errorf(EINVALID, "a delivery needs a case, a service and a desk")
	}
	if !slices.Contains(DeliveryStatuses, d.Status) {
		return Errorf(EINVALID, "unknown delivery status %q", d.Status)
	}
	now := millis(tx.now)
	if d.Status == DeliveryTaken && d.TakenAt.IsZero() {
		d.TakenAt = fromMillis(now)
	}
	if d.Status == DeliveryResolved && d.ResolvedAt.IsZero() {
		d.ResolvedAt = fromMillis(now)
	}
	if d.ID == 0 {
		res, err := tx.tx.Exec(`INSERT INTO deliveries (case_id, service_id, chat_id, status, revision, assignee, asked,
			outcome, feedback, referred_to, created_at, taken_at, resolved_at, updated_at)
			VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.CaseID, d.ServiceID, d.ChatID, d.Status, nullID(d.Assignee), d.Asked, d.Outcome, d.Feedback, d.ReferredTo,
			now, nullTime(d.TakenAt), nullTime(d.ResolvedAt), now)
		if err != nil {
			if isUniqueViolation(err) {
				return Errorf(ECONFLICT, "case %s is already at a desk", d.CaseID)
			}
			return err
		}
		if d.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		d.Revision, d.CreatedAt, d.UpdatedAt = 1, fromMillis(now), fromMillis(now)
		return tx.sealNotes(d)
	}
	res, err := tx.tx.Exec(`UPDATE deliveries SET status = ?, revision = revision + 1, assignee = ?, asked = ?, outcome = ?,
		feedback = ?, referred_to = ?, taken_at = ?, resolved_at = ?, updated_at = ? WHERE id = ? AND revision = ?`,
		d.Status, nullID(d.Assignee), d.Asked, d.Outcome, d.Feedback, d.ReferredTo,
		nullTime(d.TakenAt), nullTime(d.ResolvedAt), now, d.ID, d.Revision)
	if err != nil {
		if isUniqueViolation(err) {
			return Errorf(ECONFLICT, "case %s is already at a desk", d.CaseID)
		}
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Errorf(ECONFLICT, "delivery %d changed since it was read", d.ID)
	}
	d.Revision++
	d.UpdatedAt = fromMillis(now)
	return tx.sealNotes(d)
}

func (tx *Tx) sealNotes(d *Delivery) error {
	var sealed []byte
	if len(d.Notes) > 0 {
		sealed = tx.db.sealer.Seal(d.Notes, deliveryPlace(d.ID))
	}
	_, err := tx.tx.Exec(`UPDATE deliveries SET sealed = ? WHERE id = ?`, sealed, d.ID)
	return err
}

func isUniqueViolation(err error) bool {
	return err != nil && bytes.Contains([]byte(err.Error()), []byte("UNIQUE constraint failed"))
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return millis(t)
}

const deliveryColumns = `id, case_id, service_id, chat_id, status, revision, assignee, asked, outcome, feedback,
	referred_to, sealed, created_at, taken_at, resolved_at, updated_at`

type rowScanner interface{ Scan(...any) error }

func (s *Sealer) scanDelivery(row rowScanner) (Delivery, error) {
	var d Delivery
	var assignee, taken, resolved sql.NullInt64
	var created, updated int64
	var sealed []byte
	err := row.Scan(&d.ID, &d.CaseID, &d.ServiceID, &d.ChatID, &d.Status, &d.Revision, &assignee, &d.Asked,
		&d.Outcome, &d.Feedback, &d.ReferredTo, &sealed, &created, &taken, &resolved, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNotFound
	}
	if err != nil {
		return d, err
	}
	d.Assignee = assignee.Int64
	d.CreatedAt, d.UpdatedAt = fromMillis(created), fromMillis(updated)
	if taken.Valid {
		d.TakenAt = fromMillis(taken.Int64)
	}
	if resolved.Valid {
		d.ResolvedAt = fromMillis(resolved.Int64)
	}
	if sealed != nil {
		if d.Notes, err = s.Open(sealed, deliveryPlace(d.ID)); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (db *DB) deliveries(ctx context.Context, where string, args ...any) ([]Delivery, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries `+where, args...)
	if err != nil {
		return nil, err
	}
	return collectDeliveries(db.sealer, rows)
}

func collectDeliveries(s *Sealer, rows *sql.Rows) ([]Delivery, error) {
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d, err := s.scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeliveryByID loads one delivery.
func (db *DB) DeliveryByID(ctx context.Context, id int64) (Delivery, error) {
	return db.sealer.scanDelivery(db.queryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = ?`, id))
}

// CaseDeliveries lists a case's deliveries, oldest first, with its requests
// for consent among them.
func (db *DB) CaseDeliveries(ctx context.Context, caseID string) ([]Delivery, error) {
	return db.deliveries(ctx, `WHERE case_id = ? ORDER BY id`, caseID)
}

// delivered leaves out the requests for a worker's consent, waiting or
// declined: their desk has not seen the case and must not, so none of them
// is where a case stands, and none may show a desk its card.
const delivered = `status NOT IN ('` + DeliveryAwaitingConsent + `', '` + DeliveryDeclined + `')`

// LatestDelivery is the newest delivery of a case at the desk chatID (0:
// at any desk), leaving out requests for consent; ErrNotFound when there is
// none.
func (db *DB) LatestDelivery(ctx context.Context, caseID string, chatID int64) (Delivery, error) {
	if chatID == 0 {
		return db.sealer.scanDelivery(db.queryRow(ctx,
			`SELECT `+deliveryColumns+` FROM deliveries WHERE case_id = ? AND `+delivered+` ORDER BY id DESC LIMIT 1`, caseID))
	}
	return db.sealer.scanDelivery(db.queryRow(ctx,
		`SELECT `+deliveryColumns+` FROM deliveries WHERE case_id = ? AND chat_id = ? AND `+delivered+` ORDER BY id DESC LIMIT 1`, caseID, chatID))
}

// PendingConsent is a case's request for the worker's consent still
// waiting for an answer; ErrNotFound when there is none.
func (db *DB) PendingConsent(ctx context.Context, caseID string) (Delivery, error) {
	return db.sealer.scanDelivery(db.queryRow(ctx,
		`SELECT `+deliveryColumns+` FROM deliveries WHERE case_id = ? AND status = ? ORDER BY id DESC LIMIT 1`, caseID, DeliveryAwaitingConsent))
}

// DeskDeliveries lists the deliveries at a desk in the given statuses,
// oldest first.
func (db *DB) DeskDeliveries(ctx context.Context, chatID int64, statuses ...string) ([]Delivery, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	args := []any{chatID}
	in := ""
	for i, s := range statuses {
		if i > 0 {
			in += ", "
		}
		in += "?"
		args = append(args, s)
	}
	return db.deliveries(ctx, `WHERE chat_id = ? AND status IN (`+in+`) ORDER BY id`, args...)
}

// ActiveDeliveries lists every delivery open or taken, oldest first: the
// work of every desk, for deadlines and digests.
func (db *DB) ActiveDeliveries(ctx context.Context) ([]Delivery, error) {
	return db.deliveries(ctx, `WHERE status IN ('open', 'taken') ORDER BY id`)
}

// ChatDeliveries lists the deliveries of a worker's cases that are still at a
// desk or waiting for the worker's consent, for /delete.
func (db *DB) ChatDeliveries(ctx context.Context, workerChatID int64) ([]Delivery, error) {
	return db.deliveries(ctx, `WHERE case_id IN (SELECT id FROM cases WHERE chat_id = ?) ORDER BY id`, workerChatID)
}

// withdrawDeliveries ends the deliveries of cases the worker withdrew or
// erased; their cards say so, and nothing more is relayed. A request for
// consent ends declined: it never became a delivery, and stays none.
func (tx *Tx) withdrawDeliveries(where string, args ...any) error {
	args = append([]any{millis(tx.now)}, args...)
	if _, err := tx.tx.Exec(`UPDATE deliveries SET status = 'withdrawn', revision = revision + 1, updated_at = ?
		WHERE status IN ('open', 'taken') AND `+where, args...); err != nil {
		return err
	}
	_, err := tx.tx.Exec(`UPDATE deliveries SET status = 'declined', revision = revision + 1, updated_at = ?
		WHERE status = 'awaiting_consent' AND `+where, args...)
	return err
}

// SaveNotes rewrites a delivery's sealed notes alone, after a change the
// store made itself (a withdrawal).
func (tx *Tx) SaveNotes(id int64, notes []byte) error {
	return tx.sealNotes(&Delivery{ID: id, Notes: notes})
}

// ResolvedWithoutFeedback lists deliveries resolved before the cutoff whose
// worker has not said whether the problem is solved, oldest first.
func (db *DB) ResolvedWithoutFeedback(ctx context.Context, before time.Time) ([]Delivery, error) {
	return db.deliveries(ctx, `WHERE status = 'resolved' AND feedback = '' AND resolved_at < ? ORDER BY id`, millis(before))
}

// DeskWeek counts a desk's deliveries that arrived, and that it resolved,
// since a time.
func (db *DB) DeskWeek(ctx context.Context, chatID int64, since time.Time) (arrived, resolved int, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM deliveries WHERE chat_id = ?1 AND created_at >= ?2 AND status NOT IN ('awaiting_consent', 'declined')),
		(SELECT count(*) FROM deliveries WHERE chat_id = ?1 AND resolved_at >= ?2)`, chatID, millis(since)).Scan(&arrived, &resolved)
	return arrived, resolved, err
}
