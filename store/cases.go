package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"time"
)

// Case statuses. A case is new until the worker chose where it goes, routed
// once sent, taken when an organisation accepted it, and resolved or
// withdrawn when it is over.
const (
	CaseNew       = "new"
	CaseRouted    = "routed"
	CaseTaken     = "taken"
	CaseResolved  = "resolved"
	CaseWithdrawn = "withdrawn"
)

// CaseStatuses lists every status, in the order a case moves through them.
var CaseStatuses = []string{CaseNew, CaseRouted, CaseTaken, CaseResolved, CaseWithdrawn}

// Timeline event kinds; a status change is recorded under the status name.
const (
	EventSubmitted  = "submitted"
	EventMessage    = "message"
	EventEvidence   = "evidence"
	EventOrgMessage = "org_message" // a desk wrote to the worker
	EventOrgFile    = "org_file"    // a desk sent the worker a file
)

// caseIDAlphabet leaves out 0/O and 1/I/L, which people misread when they
// copy a case number from a phone to paper or say it on the phone.
const caseIDAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NewCaseID returns a fresh case id, "RD-XXXX-XXXX": 31⁸ ≈ 8.5·10¹¹
// possibilities, so a clash is unlikely and CreateCase refuses one anyway.
func NewCaseID() string {
	var raw [8]byte
	id := []byte("RD-XXXX-XXXX")
	pos := []int{3, 4, 5, 6, 8, 9, 10, 11}
	for i := range pos {
		// Rejection sampling keeps every letter equally likely.
		for {
			if _, err := rand.Read(raw[i : i+1]); err != nil {
				panic("store: no randomness for a case id: " + err.Error())
			}
			if raw[i] < 31*8 {
				break
			}
		}
		id[pos[i]] = caseIDAlphabet[raw[i]%31]
	}
	return string(id)
}

// ValidCaseID reports whether s has the shape NewCaseID produces, so a
// forged button cannot smuggle anything else into a query.
func ValidCaseID(s string) bool {
	if len(s) != 12 || s[:3] != "RD-" || s[7] != '-' {
		return false
	}
	for i, c := range []byte(s) {
		if i < 3 || i == 7 {
			continue
		}
		if !slices.Contains([]byte(caseIDAlphabet), c) {
			return false
		}
	}
	return true
}

// CaseDetails are a case's personal fields: everything here is sealed.
type CaseDetails struct {
	Language string `json:"lang,omitempty"`
	// Identity is "shared" or "anonymous"; Name, given only when shared,
	// is what the organisation may call the worker.
	Identity    string     `json:"identity,omitempty"`
	Name        string     `json:"name,omitempty"`
	Categories  []string   `json:"categories,omitempty"`
	Place       *CasePlace `json:"place,omitempty"`
	Citizenship string     `json:"citizenship,omitempty"`
	Sector      string     `json:"sector,omitempty"`
	Employer    string     `json:"employer,omitempty"`
	// Since is a period code, or SinceText what the worker typed.
	Since       string `json:"since,omitempty"`
	SinceText   string `json:"since_text,omitempty"`
	Description string `json:"description,omitempty"`
	// InDanger records that the worker said they were in danger when they
	// began; EmergencyCountry is where emergency numbers were shown.
	InDanger         bool      `json:"danger,omitempty"`
	EmergencyCountry string    `json:"emergency_country,omitempty"`
	ContactMethod    string    `json:"contact,omitempty"`
	Phone            string    `json:"phone,omitempty"`
	ConsentAt        time.Time `json:"consent_at,omitzero"`
}

// CasePlace is where the worker works: a gazetteer place, or rounded
// coordinates only.
type CasePlace struct {
	ID      string  `json:"id,omitempty"`
	Name    string  `json:"name,omitempty"`
	Country string  `json:"country,omitempty"`
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
}

// CaseFile is a piece of evidence: Telegram's reference to a file.
type CaseFile struct {
	FileID   string    `json:"id"`
	UniqueID string    `json:"uid"`
	Kind     string    `json:"-"`
	MIME     string    `json:"mime,omitempty"`
	Size     int64     `json:"-"`
	At       time.Time `json:"-"`
}

// CaseFacts is what statistics count about a case: nothing that tells who
// the worker is. Retention keeps it after the personal fields are erased.
type CaseFacts struct {
	Month       string   `json:"month"` // YYYY-MM, when submitted
	Categories  []string `json:"categories,omitempty"`
	WorkCountry string   `json:"work_country,omitempty"`
	Citizenship string   `json:"citizenship,omitempty"`
}

// Facts derives a case's countable facts from its details.
func (d CaseDetails) Facts(submitted time.Time) CaseFacts {
	f := CaseFacts{Month: submitted.UTC().Format("2006-01"), Categories: d.Categories, Citizenship: d.Citizenship}
	if d.Place != nil {
		f.WorkCountry = d.Place.Country
	}
	return f
}

// NewCase is a submitted complaint.
type NewCase struct {
	ID       string
	ChatID   int64
	Details  CaseDetails
	Evidence []CaseFile
}

// Case is a stored complaint. Details is nil for a tombstone, and for the
// summaries ChatCases lists.
type Case struct {
	ID        string
	ChatID    int64
	Status    string
	CreatedAt time.Time
	UpdatedAt time.Time
	Details   *CaseDetails
}

// Closed reports whether the case takes no more messages or evidence.
func (c Case) Closed() bool { return c.Status == CaseResolved || c.Status == CaseWithdrawn }

// CaseEvent is one line of a case's timeline; Text is the worker's message.
type CaseEvent struct {
	At   time.Time
	Kind string
	Text string
}

// Each sealed value is bound to its case and to what it is, so a blob
// cannot be moved to another case or read as another kind of value.
func casePlace(id string) string     { return "case:" + id }
func eventPlace(id string) string    { return "case:" + id + ":event" }
func evidencePlace(id string) string { return "case:" + id + ":evidence" }
func factsPlace(id string) string    { return "case:" + id + ":facts" }

// CreateCase stores a submitted case with its evidence and the first event
// of its timeline. An id already taken is refused (ECONFLICT), which fails
// the whole turn: the update is handled again and draws a new id.
func (tx *Tx) CreateCase(c NewCase) error {
	if !ValidCaseID(c.ID) || c.ChatID == 0 {
		return Errorf(EINVALID, "a case needs a valid id and a chat")
	}
	details, err := json.Marshal(c.Details)
	if err != nil {
		return err
	}
	facts, err := json.Marshal(c.Details.Facts(tx.now))
	if err != nil {
		return err
	}
	res, err := tx.tx.Exec(`INSERT INTO cases (id, chat_id, status, created_at, updated_at, sealed, facts)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		c.ID, c.ChatID, CaseNew, millis(tx.now), millis(tx.now), tx.db.sealer.Seal(details, casePlace(c.ID)),
		tx.db.sealer.Seal(facts, factsPlace(c.ID)))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return Errorf(ECONFLICT, "case id %s is taken", c.ID)
	}
	if err := tx.addEvent(c.ID, EventSubmitted, ""); err != nil {
		return err
	}
	for _, f := range c.Evidence {
		if err := tx.insertEvidence(c.ID, f); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) addEvent(id, kind, text string) error {
	var sealed []byte
	if text != "" {
		sealed = tx.db.sealer.Seal([]byte(text), eventPlace(id))
	}
	_, err := tx.tx.Exec(`INSERT INTO case_events (case_id, at, kind, sealed) VALUES (?, ?, ?, ?)`,
		id, millis(tx.now), kind, sealed)
	return err
}

func (tx *Tx) insertEvidence(id string, f CaseFile) error {
	if f.FileID == "" || f.UniqueID == "" {
		return Errorf(EINVALID, "evidence needs a file id")
	}
	ref, err := json.Marshal(f)
	if err != nil {
		return err
	}
	at := f.At
	if at.IsZero() {
		at = tx.now
	}
	_, err = tx.tx.Exec(`INSERT INTO case_evidence (case_id, sealed, kind, size, at) VALUES (?, ?, ?, ?, ?)`,
		id, tx.db.sealer.Seal(ref, evidencePlace(id)), f.Kind, f.Size, millis(at))
	return err
}

// openCase checks, inside the transaction, that the case belongs to the
// chat and still takes additions.
func (tx *Tx) openCase(chatID int64, id string) error {
	var status string
	err := tx.tx.QueryRow(`SELECT status FROM cases WHERE id = ? AND chat_id = ?`, id, chatID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if (Case{Status: status}).Closed() {
		return Errorf(ECONFLICT, "case %s is %s", id, status)
	}
	return nil
}

func (tx *Tx) touch(id string) error {
	_, err := tx.tx.Exec(`UPDATE cases SET updated_at = ? WHERE id = ?`, millis(tx.now), id)
	return err
}

// AddCaseMessage adds the worker's message to their open case.
func (tx *Tx) AddCaseMessage(chatID int64, id, text string) error {
	if text == "" {
		return Errorf(EINVALID, "an empty message")
	}
	if err := tx.openCase(chatID, id); err != nil {
		return err
	}
	if err := tx.addEvent(id, EventMessage, text); err != nil {
		return err
	}
	return tx.touch(id)
}

// AddOrgMessage adds what a desk wrote to the worker to the case's
// timeline; an empty text records a file.
func (tx *Tx) AddOrgMessage(id, text string) error {
	kind := EventOrgMessage
	if text == "" {
		kind = EventOrgFile
	}
	if err := tx.addEvent(id, kind, text); err != nil {
		return err
	}
	return tx.touch(id)
}

// AddCaseEvidence adds a file to the worker's open case.
func (tx *Tx) AddCaseEvidence(chatID int64, id string, f CaseFile) error {
	if err := tx.openCase(chatID, id); err != nil {
		return err
	}
	if err := tx.insertEvidence(id, f); err != nil {
		return err
	}
	if err := tx.addEvent(id, EventEvidence, ""); err != nil {
		return err
	}
	return tx.touch(id)
}

// WithdrawCase closes the worker's case at their request. The personal
// fields stay until the worker erases them with /delete.
func (tx *Tx) WithdrawCase(chatID int64, id string) error {
	if err := tx.openCase(chatID, id); err != nil {
		return err
	}
	if err := tx.withdrawDeliveries(`case_id = ?`, id); err != nil {
		return err
	}
	return tx.SetCaseStatus(id, CaseWithdrawn)
}

// CaseStatus reads a case's status inside the transaction.
func (tx *Tx) CaseStatus(id string) (string, error) {
	var status string
	err := tx.tx.QueryRow(`SELECT status FROM cases WHERE id = ?`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return status, err
}

// SetCaseStatus moves a case to status and records it on the timeline.
func (tx *Tx) SetCaseStatus(id, status string) error {
	if !slices.Contains(CaseStatuses, status) {
		return Errorf(EINVALID, "unknown case status %q", status)
	}
	res, err := tx.tx.Exec(`UPDATE cases SET status = ?, updated_at = ? WHERE id = ?`, status, millis(tx.now), id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return ErrNotFound
	}
	return tx.addEvent(id, status, "")
}

// EraseCases forgets everything personal in a chat's cases: the sealed
// fields, the timeline and the evidence go, and the chat link with them.
// What stays is an anonymous tombstone — id, "withdrawn", dates — so an
// organisation that received the case learns it was withdrawn and nothing
// else. Callers checkpoint afterwards (secure_delete overwrites the pages).
//
// It returns the messages relayed about the cases to other chats (the
// desks), read in the same transaction, so the caller can take them back:
// a relay delivered a moment before is among them, one delivered after
// finds the case erased (MarkDelivered says so).
func (tx *Tx) EraseCases(chatID int64) ([]NamedMessage, error) {
	relayed, err := tx.relaysOf(chatID)
	if err != nil {
		return nil, err
	}
	if err := tx.withdrawDeliveries(`case_id IN (SELECT id FROM cases WHERE chat_id = ?)`, chatID); err != nil {
		return nil, err
	}
	// Replies carrying the cases' content to desks stop; which chats they
	// were for is not told, so the mirror forgets them all.
	tx.changes = append(tx.changes, change{kind: changeEverything})
	for _, q := range []string{
		`DELETE FROM case_events WHERE case_id IN (SELECT id FROM cases WHERE chat_id = ?)`,
		`DELETE FROM case_evidence WHERE case_id IN (SELECT id FROM cases WHERE chat_id = ?)`,
		`DELETE FROM route_offers WHERE case_id IN (SELECT id FROM cases WHERE chat_id = ?)`,
		`DELETE FROM outbox WHERE case_id IN (SELECT id FROM cases WHERE chat_id = ?)`,
		`UPDATE deliveries SET sealed = NULL WHERE case_id IN (SELECT id FROM cases WHERE chat_id = ?)`,
		// Relayed messages are taken back by the caller before; their names go.
		`DELETE FROM named_messages WHERE name IN (SELECT 'case:' || id FROM cases WHERE chat_id = ?)`,
		`DELETE FROM desk_relays WHERE case_id IN (SELECT id FROM cases WHERE chat_id = ?)`,
	} {
		if _, err := tx.tx.Exec(q, chatID); err != nil {
			return nil, err
		}
	}
	_, err = tx.tx.Exec(`UPDATE cases SET status = ?, sealed = NULL, facts = NULL, chat_id = NULL, updated_at = ? WHERE chat_id = ?`,
		CaseWithdrawn, millis(tx.now), chatID)
	return relayed, err
}

// relaysOf lists the messages named after a chat's cases in other chats.
func (tx *Tx) relaysOf(chatID int64) ([]NamedMessage, error) {
	rows, err := tx.tx.Query(`SELECT `+namedColumns+` FROM named_messages
		WHERE name IN (SELECT 'case:' || id FROM cases WHERE chat_id = ?) AND chat_id <> ? ORDER BY chat_id, message_id`, chatID, chatID)
	if err != nil {
		return nil, err
	}
	return collectNamed(rows)
}

// caseErased reports whether a case's worker erased it (a tombstone).
func (tx *Tx) caseErased(id string) (bool, error) {
	var erased bool
	err := tx.tx.QueryRow(`SELECT sealed IS NULL AND chat_id IS NULL FROM cases WHERE id = ?`, id).Scan(&erased)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return erased, err
}

// ChatCases lists a chat's cases, the most recently changed first, without
// their details.
func (db *DB) ChatCases(ctx context.Context, chatID int64) ([]Case, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, status, created_at, updated_at FROM cases
		WHERE chat_id = ? ORDER BY updated_at DESC, id`, chatID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Case
	for rows.Next() {
		c := Case{ChatID: chatID}
		var created, updated int64
		if err := rows.Scan(&c.ID, &c.Status, &created, &updated); err != nil {
			return nil, err
		}
		c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ChatCase loads one of the chat's cases with its details; another chat's
// case is ErrNotFound, so a forged button shows nothing.
func (db *DB) ChatCase(ctx context.Context, chatID int64, id string) (Case, error) {
	c, err := db.CaseByID(ctx, id)
	if err != nil {
		return Case{}, err
	}
	if c.ChatID != chatID || chatID == 0 {
		return Case{}, ErrNotFound
	}
	return c, nil
}

// CaseChat is the worker's chat of a case, 0 once they erased it: what
// telling the worker needs, without unsealing the case.
func (db *DB) CaseChat(ctx context.Context, id string) (int64, error) {
	var chatID sql.NullInt64
	err := db.queryRow(ctx, `SELECT chat_id FROM cases WHERE id = ?`, id).Scan(&chatID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return chatID.Int64, err
}

// CaseByID loads a case as an organisation would see it; a tombstone has
// no ChatID and no Details.
func (db *DB) CaseByID(ctx context.Context, id string) (Case, error) {
	c := Case{ID: id}
	var chatID sql.NullInt64
	var created, updated int64
	var sealed []byte
	err := db.read.QueryRowContext(ctx, `SELECT chat_id, status, created_at, updated_at, sealed FROM cases WHERE id = ?`, id).
		Scan(&chatID, &c.Status, &created, &updated, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return Case{}, ErrNotFound
	}
	if err != nil {
		return Case{}, err
	}
	c.ChatID = chatID.Int64
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	if sealed != nil {
		plain, err := db.sealer.Open(sealed, casePlace(id))
		if err != nil {
			return Case{}, err
		}
		c.Details = &CaseDetails{}
		if err := json.Unmarshal(plain, c.Details); err != nil {
			return Case{}, Errorf(EINTERNAL, "case %s: unreadable details: %v", id, err)
		}
	}
	return c, nil
}

// SealedCaseDetails returns a case's details exactly as they lie in the
// database, sealed: the bytes an erasure must make vanish from the files.
// Audits and tests look for them on disk; nil means none are kept.
func (db *DB) SealedCaseDetails(ctx context.Context, id string) ([]byte, error) {
	var sealed []byte
	err := db.read.QueryRowContext(ctx, `SELECT sealed FROM cases WHERE id = ?`, id).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return sealed, err
}

// CaseEvents is a case's timeline, oldest first.
func (db *DB) CaseEvents(ctx context.Context, id string) ([]CaseEvent, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT at, kind, sealed FROM case_events WHERE case_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CaseEvent
	for rows.Next() {
		var e CaseEvent
		var at int64
		var sealed []byte
		if err := rows.Scan(&at, &e.Kind, &sealed); err != nil {
			return nil, err
		}
		e.At = fromMillis(at)
		if sealed != nil {
			plain, err := db.sealer.Open(sealed, eventPlace(id))
			if err != nil {
				return nil, err
			}
			e.Text = string(plain)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// CaseEvidence lists a case's files, oldest first.
func (db *DB) CaseEvidence(ctx context.Context, id string) ([]CaseFile, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT sealed, kind, size, at FROM case_evidence WHERE case_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CaseFile
	for rows.Next() {
		var f CaseFile
		var sealed []byte
		var at int64
		if err := rows.Scan(&sealed, &f.Kind, &f.Size, &at); err != nil {
			return nil, err
		}
		plain, err := db.sealer.Open(sealed, evidencePlace(id))
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(plain, &f); err != nil {
			return nil, Errorf(EINTERNAL, "case %s: unreadable evidence: %v", id, err)
		}
		f.At = fromMillis(at)
		out = append(out, f)
	}
	return out, rows.Err()
}
