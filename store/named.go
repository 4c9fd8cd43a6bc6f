package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// NamedMessage is a message the bot named when it sent it (chat.Reply.Name).
// For a forum topic the message is the topic's opening one, whose id is the
// thread's.
type NamedMessage struct {
	ChatID    int64
	MessageID int
	ThreadID  int
	Name      string
	At        time.Time
}

// Names of a case's messages. A desk finds the case a reply belongs to by
// the name of the message replied to, or of the topic written in.
const (
	NameTopic = "topic:" // the case's forum topic
	NameCard  = "card:"  // the case's card
	NameCase  = "case:"  // anything else about the case: relays, files, prompts
)

// CaseOfName is the case id in a message name, or "" for a name of another
// kind.
func CaseOfName(name string) string {
	for _, prefix := range []string{NameTopic, NameCard, NameCase} {
		if id, ok := strings.CutPrefix(name, prefix); ok && ValidCaseID(id) {
			return id
		}
	}
	return ""
}

// NameMessage records the name of a message the bot sent.
func (tx *Tx) NameMessage(m NamedMessage) error {
	if m.Name == "" || m.MessageID <= 0 {
		return Errorf(EINVALID, "a named message needs a name and an id")
	}
	_, err := tx.exec(context.Background(), `INSERT INTO named_messages (chat_id, message_id, thread_id, name, at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id, message_id) DO UPDATE SET thread_id = excluded.thread_id,
		name = excluded.name, at = excluded.at`, m.ChatID, m.MessageID, m.ThreadID, m.Name, millis(tx.now))
	return err
}

// RecordDeskRelay remembers that a caseworker's message in a desk was
// passed on to the worker of a case.
func (tx *Tx) RecordDeskRelay(chatID int64, messageID int, caseID string) error {
	if messageID <= 0 || !ValidCaseID(caseID) {
		return Errorf(EINVALID, "a desk relay needs a message and a case")
	}
	_, err := tx.exec(context.Background(), `INSERT INTO desk_relays (chat_id, message_id, case_id, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (chat_id, message_id) DO NOTHING`, chatID, messageID, caseID, millis(tx.now))
	return err
}

// DeskRelayCase is the case a caseworker's message in a desk was passed on
// for; ErrNotFound when it was not passed on.
func (db *DB) DeskRelayCase(ctx context.Context, chatID int64, messageID int) (string, error) {
	var caseID string
	err := db.queryRow(ctx, `SELECT case_id FROM desk_relays WHERE chat_id = ? AND message_id = ?`, chatID, messageID).Scan(&caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return caseID, err
}

// LastDeskRelay is when a message last went between a case's worker and
// its desk, either way; zero when none has.
func (db *DB) LastDeskRelay(ctx context.Context, caseID string) (time.Time, error) {
	var at sql.NullInt64
	if err := db.queryRow(ctx, `SELECT max(at) FROM desk_relays WHERE case_id = ?`, caseID).Scan(&at); err != nil {
		return time.Time{}, err
	}
	if !at.Valid {
		return time.Time{}, nil
	}
	return fromMillis(at.Int64), nil
}

// ForgetMessage drops the name of a message the bot is deleting, so that a
// second press on it, queued behind the first, finds it gone.
func (tx *Tx) ForgetMessage(chatID int64, messageID int) error {
	_, err := tx.exec(context.Background(), `DELETE FROM named_messages WHERE chat_id = ? AND message_id = ?`, chatID, messageID)
	return err
}

// ForgetThread drops the names of a forum topic and of every message in it,
// once Telegram says the topic is gone: a group's people deleted it, and
// its messages with it.
func (tx *Tx) ForgetThread(chatID int64, threadID int) error {
	if threadID == 0 {
		return Errorf(EINVALID, "a thread needs an id")
	}
	_, err := tx.exec(context.Background(), `DELETE FROM named_messages WHERE chat_id = ? AND thread_id = ?`, chatID, threadID)
	return err
}

const namedColumns = `chat_id, message_id, thread_id, name, at`

func scanNamed(row rowScanner) (NamedMessage, error) {
	var m NamedMessage
	var at int64
	err := row.Scan(&m.ChatID, &m.MessageID, &m.ThreadID, &m.Name, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	m.At = fromMillis(at)
	return m, err
}

// Named is the newest message of that name in a chat.
func (db *DB) Named(ctx context.Context, chatID int64, name string) (NamedMessage, error) {
	return scanNamed(db.queryRow(ctx, `SELECT `+namedColumns+` FROM named_messages WHERE name = ? AND chat_id = ?
		ORDER BY at DESC, message_id DESC LIMIT 1`, name, chatID))
}

// NameOf is the name of a message in a chat, when the bot named it.
func (db *DB) NameOf(ctx context.Context, chatID int64, messageID int) (NamedMessage, error) {
	return scanNamed(db.queryRow(ctx, `SELECT `+namedColumns+` FROM named_messages WHERE chat_id = ? AND message_id = ?`,
		chatID, messageID))
}

// InThread is a named message of a forum topic, which tells whose topic it is.
func (db *DB) InThread(ctx context.Context, chatID int64, threadID int) (NamedMessage, error) {
	// thread_id <> 0 lets SQLite use the index of topics, which holds only
	// messages in one.
	return scanNamed(db.queryRow(ctx, `SELECT `+namedColumns+` FROM named_messages WHERE chat_id = ? AND thread_id = ?
		AND thread_id <> 0 ORDER BY at, message_id LIMIT 1`, chatID, threadID))
}

// NamedEverywhere lists the messages of a name in every chat, for taking
// back what was relayed about a case.
func (db *DB) NamedEverywhere(ctx context.Context, name string) ([]NamedMessage, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+namedColumns+` FROM named_messages WHERE name = ? ORDER BY chat_id, message_id`, name)
	if err != nil {
		return nil, err
	}
	return collectNamed(rows)
}

func collectNamed(rows *sql.Rows) ([]NamedMessage, error) {
	defer rows.Close()
	var out []NamedMessage
	for rows.Next() {
		m, err := scanNamed(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// RouteOffer is one service offered for a case at a position of an offer.
type RouteOffer struct {
	Position     int
	ServiceID    string
	NeedsConsent bool
	// Receives is set for a linked organisation: choosing it sends the case.
	Receives bool
}

// NextRouteOffer is the number the next offer of a case will have; its
// buttons carry it before the offer is stored.
func (db *DB) NextRouteOffer(ctx context.Context, caseID string) (int, error) {
	var offer int
	err := db.queryRow(ctx, `SELECT COALESCE(MAX(offer), 0) + 1 FROM route_offers WHERE case_id = ?`, caseID).Scan(&offer)
	return offer, err
}

// SaveRouteOffer stores an offer of services for a case under the number
// NextRouteOffer gave. Two offers racing for a number: the second fails
// (ECONFLICT), and its turn is handled again with the next number.
func (tx *Tx) SaveRouteOffer(caseID string, offer int, options []RouteOffer) error {
	if !ValidCaseID(caseID) || offer <= 0 {
		return Errorf(EINVALID, "a route offer needs a case id and a number")
	}
	for i, o := range options {
		if _, err := tx.tx.Exec(`INSERT INTO route_offers (case_id, offer, position, service_id, needs_consent, receives)
			VALUES (?, ?, ?, ?, ?, ?)`, caseID, offer, i+1, o.ServiceID, o.NeedsConsent, o.Receives); err != nil {
			if isUniqueViolation(err) {
				return Errorf(ECONFLICT, "offer %d of case %s exists", offer, caseID)
			}
			return err
		}
	}
	return nil
}

// RouteOffers is an offer's services, by position.
func (db *DB) RouteOffers(ctx context.Context, caseID string, offer int) ([]RouteOffer, error) {
	rows, err := db.query(ctx, `SELECT position, service_id, needs_consent, receives FROM route_offers
		WHERE case_id = ? AND offer = ? ORDER BY position`, caseID, offer)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RouteOffer
	for rows.Next() {
		var o RouteOffer
		if err := rows.Scan(&o.Position, &o.ServiceID, &o.NeedsConsent, &o.Receives); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
