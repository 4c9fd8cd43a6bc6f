package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Org is an organisation that receives cases through rightsdesk: a
// directory service linked to the Telegram group that is its desk.
type Org struct {
	ServiceID string
	ChatID    int64
	Forum     bool
	// MayOpenTopics and MayPin are the bot's rights in the group: to open
	// a topic per case, and to pin a card in it.
	MayOpenTopics bool
	MayPin        bool
	Language      string
	ResponseHours int
	LinkedAt      time.Time
	LastActivity  time.Time
	// OpenCases counts deliveries open or taken (Orgs fills it).
	OpenCases int
}

// LinkCodeTTL is how long a link code stays usable.
const LinkCodeTTL = 24 * time.Hour

// linkCodeAlphabet is the case ids' alphabet: no 0/O, 1/I/L to misread when a
// code is read out over the phone or copied from paper.
const linkCodeAlphabet = caseIDAlphabet

// NewLinkCode makes a code for linking serviceID's desk, valid for
// LinkCodeTTL and once, and keeps only its hash. 12 letters of 31 are about
// 59 bits: not guessable within a day.
func (db *DB) NewLinkCode(ctx context.Context, serviceID string) (string, error) {
	if strings.TrimSpace(serviceID) == "" {
		return "", Errorf(EINVALID, "a link code needs a service id")
	}
	var raw [12]byte
	code := make([]byte, 0, 14)
	for i := range raw {
		for {
			if _, err := rand.Read(raw[i : i+1]); err != nil {
				return "", err
			}
			if raw[i] < 31*8 {
				break
			}
		}
		if i == 4 || i == 8 {
			code = append(code, '-')
		}
		code = append(code, linkCodeAlphabet[raw[i]%31])
	}
	err := db.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.Exec(`INSERT INTO org_link_codes (code_hash, service_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			hashLinkCode(string(code)), serviceID, millis(tx.now), millis(tx.now.Add(LinkCodeTTL)))
		return err
	})
	return string(code), err
}

// hashLinkCode reads a code the way people type it: any case, with or
// without the dashes and spaces.
func hashLinkCode(code string) []byte {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if r != '-' && r != ' ' {
			b.WriteRune(r)
		}
	}
	sum := sha256.Sum256([]byte("rightsdesk-link:" + b.String()))
	return sum[:]
}

// LinkOrg makes chatID the desk of the service a link code was made for and
// uses the code up. A wrong, used or expired code is EINVALID, all alike;
// a chat that is already a desk, or a service already linked elsewhere, is
// ECONFLICT and leaves the code unused.
func (tx *Tx) LinkOrg(code string, chatID int64, forum bool, language string) (Org, error) {
	var serviceID string
	var expires int64
	var used sql.NullInt64
	hash := hashLinkCode(code)
	err := tx.tx.QueryRow(`SELECT service_id, expires_at, used_at FROM org_link_codes WHERE code_hash = ?`, hash).
		Scan(&serviceID, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (used.Valid || expires <= millis(tx.now)) {
		return Org{}, Errorf(EINVALID, "no usable link code")
	}
	if err != nil {
		return Org{}, err
	}
	var other string
	err = tx.tx.QueryRow(`SELECT service_id FROM orgs WHERE chat_id = ? OR service_id = ?`, chatID, serviceID).Scan(&other)
	if err == nil {
		return Org{ServiceID: other}, Errorf(ECONFLICT, "the chat or the service is linked already")
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Org{}, err
	}
	if _, err := tx.tx.Exec(`UPDATE org_link_codes SET used_at = ? WHERE code_hash = ?`, millis(tx.now), hash); err != nil {
		return Org{}, err
	}
	o := Org{ServiceID: serviceID, ChatID: chatID, Forum: forum, MayOpenTopics: true, MayPin: true, Language: language,
		ResponseHours: 48, LinkedAt: fromMillis(millis(tx.now)), LastActivity: fromMillis(millis(tx.now))}
	_, err = tx.tx.Exec(`INSERT INTO orgs (service_id, chat_id, forum, language, linked_at, last_activity) VALUES (?, ?, ?, ?, ?, ?)`,
		o.ServiceID, o.ChatID, o.Forum, o.Language, millis(tx.now), millis(tx.now))
	return o, err
}

// UnlinkOrg ends a service's desk. Its cases' deliveries are the desk's
// to end (they are told to their workers).
func (tx *Tx) UnlinkOrg(serviceID string) error {
	res, err := tx.tx.Exec(`DELETE FROM orgs WHERE service_id = ?`, serviceID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// SetOrgLanguage sets the language of a desk's cards.
func (tx *Tx) SetOrgLanguage(chatID int64, lang string) error {
	_, err := tx.tx.Exec(`UPDATE orgs SET language = ? WHERE chat_id = ?`, lang, chatID)
	return err
}

// SetOrgRights records what the bot may do in a desk's group.
func (tx *Tx) SetOrgRights(chatID int64, mayOpenTopics, mayPin bool) error {
	_, err := tx.tx.Exec(`UPDATE orgs SET may_open_topics = ?, may_pin = ? WHERE chat_id = ?`, mayOpenTopics, mayPin, chatID)
	return err
}

// TouchOrg records activity in a desk, and whether it is a forum now.
func (tx *Tx) TouchOrg(chatID int64, forum bool) error {
	_, err := tx.tx.Exec(`UPDATE orgs SET last_activity = ?, forum = ? WHERE chat_id = ?`, millis(tx.now), forum, chatID)
	return err
}

// SetResponseHours sets how soon an organisation means to take a case.
func (db *DB) SetResponseHours(ctx context.Context, serviceID string, hours int) error {
	if hours <= 0 {
		return Errorf(EINVALID, "response target must be positive")
	}
	return db.Update(ctx, func(tx *Tx) error {
		res, err := tx.tx.Exec(`UPDATE orgs SET response_hours = ? WHERE service_id = ?`, hours, serviceID)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return ErrNotFound
			}
		}
		return err
	})
}

const orgColumns = `service_id, chat_id, forum, may_open_topics, may_pin, language, response_hours, linked_at, last_activity`

func scanOrg(row interface{ Scan(...any) error }) (Org, error) {
	var o Org
	var linked, active int64
	err := row.Scan(&o.ServiceID, &o.ChatID, &o.Forum, &o.MayOpenTopics, &o.MayPin, &o.Language, &o.ResponseHours, &linked, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return o, ErrNotFound
	}
	o.LinkedAt, o.LastActivity = fromMillis(linked), fromMillis(active)
	return o, err
}

// OrgByChat is the organisation whose desk chatID is; ErrNotFound for any
// other chat.
func (db *DB) OrgByChat(ctx context.Context, chatID int64) (Org, error) {
	return scanOrg(db.queryRow(ctx, `SELECT `+orgColumns+` FROM orgs WHERE chat_id = ?`, chatID))
}

// OrgByService is the linked organisation of a directory service.
func (db *DB) OrgByService(ctx context.Context, serviceID string) (Org, error) {
	return scanOrg(db.queryRow(ctx, `SELECT `+orgColumns+` FROM orgs WHERE service_id = ?`, serviceID))
}

// Orgs lists the linked organisations with their open cases.
func (db *DB) Orgs(ctx context.Context) ([]Org, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+orgColumns+`,
		(SELECT count(*) FROM deliveries d WHERE d.service_id = orgs.service_id AND d.status IN ('open', 'taken'))
		FROM orgs ORDER BY service_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Org
	for rows.Next() {
		var o Org
		var linked, active int64
		if err := rows.Scan(&o.ServiceID, &o.ChatID, &o.Forum, &o.MayOpenTopics, &o.MayPin, &o.Language, &o.ResponseHours, &linked, &active, &o.OpenCases); err != nil {
			return nil, err
		}
		o.LinkedAt, o.LastActivity = fromMillis(linked), fromMillis(active)
		out = append(out, o)
	}
	return out, rows.Err()
}

// LinkedServices is the set of services that receive cases here.
func (db *DB) LinkedServices(ctx context.Context) (map[string]bool, error) {
	rows, err := db.query(ctx, `SELECT service_id FROM orgs`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// MigrateChat follows a basic group that became a supergroup: its desk, its
// deliveries, its named messages, its state and what waits in its outbox
// move to the new id. Sealed values are bound to their chat, so they are
// opened and sealed again for the new one.
func (tx *Tx) MigrateChat(from, to int64) error {
	tx.changes = append(tx.changes, change{kind: changeEverything})
	for _, q := range []string{
		`UPDATE orgs SET chat_id = ?2 WHERE chat_id = ?1`,
		`UPDATE deliveries SET chat_id = ?2 WHERE chat_id = ?1`,
		`UPDATE OR REPLACE named_messages SET chat_id = ?2 WHERE chat_id = ?1`,
		`UPDATE OR REPLACE desk_relays SET chat_id = ?2 WHERE chat_id = ?1`,
	} {
		if _, err := tx.tx.Exec(q, from, to); err != nil {
			return err
		}
	}
	rows, err := tx.tx.Query(`SELECT id, payload FROM outbox WHERE chat_id = ?`, from)
	if err != nil {
		return err
	}
	type row struct {
		id      int64
		payload []byte
	}
	var moved []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.payload); err != nil {
			rows.Close()
			return err
		}
		moved = append(moved, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range moved {
		plain, err := tx.db.sealer.Open(r.payload, outboxPlace(from))
		if err != nil {
			return err
		}
		if _, err := tx.tx.Exec(`UPDATE outbox SET chat_id = ?, payload = ? WHERE id = ?`,
			to, tx.db.sealer.Seal(plain, outboxPlace(to)), r.id); err != nil {
			return err
		}
	}
	var state []byte
	var lang, typ string
	err = tx.tx.QueryRow(`SELECT type, language, state FROM chats WHERE chat_id = ?`, from).Scan(&typ, &lang, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if state != nil {
		plain, err := tx.db.sealer.Open(state, statePlace(from))
		if err != nil {
			return err
		}
		state = tx.db.sealer.Seal(plain, statePlace(to))
	}
	if _, err := tx.tx.Exec(`INSERT INTO chats (chat_id, type, language, state, created_at, updated_at) VALUES (?, 'supergroup', ?, ?, ?, ?)
		ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language, state = excluded.state, updated_at = excluded.updated_at`,
		to, lang, state, millis(tx.now), millis(tx.now)); err != nil {
		return err
	}
	_, err = tx.tx.Exec(`DELETE FROM chats WHERE chat_id = ?`, from)
	return err
}
