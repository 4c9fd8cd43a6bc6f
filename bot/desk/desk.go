// Package desk is the organisations' side of rightsdesk: a union's or a
// consulate's Telegram group becomes its desk, cases routed to it arrive as
// cards, caseworkers take them up with the card's buttons, and messages are
// relayed between the case's thread and the worker's chat without either
// side seeing the other's account.
//
// The desk is glue around the pure engine in casework: it reads what it
// needs from the store, asks Telegram (through the Members port) whether
// the person pressing a button still belongs to the group, and returns the
// replies and the writes for the bot to commit with the turn. It never
// writes on its own, so the case, the card and the worker's message are
// stored together or not at all.
package desk

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/desk/casework"
	"github.com/rightsdesk/rightsdesk/content/directory"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// Member is a person's standing in a desk group, as Telegram tells it.
type Member struct {
	Current   bool
	FirstName string
}

// Rights are what the bot may do in a desk's group.
type Rights struct {
	OpenTopics bool // open a topic per case, in a forum
	Pin        bool // pin a case's card in its topic
}

// Config wires a Desk.
type Config struct {
	Store   *store.DB
	Catalog *locales.Catalog
	// Members asks Telegram whether a person belongs to a chat now.
	Members func(ctx context.Context, chatID, userID int64) (Member, error)
	// BotRights asks Telegram what the bot may do in a group; without it
	// the bot is taken to be the administrator the README asks for.
	BotRights func(ctx context.Context, chatID int64) (Rights, error)
	Log       zerolog.Logger
	Now       func() time.Time
}

// Desk handles everything that happens in organisations' groups, and the
// worker's side of what happens there.
type Desk struct{ cfg Config }

// New makes a Desk.
func New(cfg Config) *Desk {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Desk{cfg: cfg}
}

// State is what a desk group waits for between two updates, kept sealed
// with the group's conversation state: notes being written, per case.
type State struct {
	Pending map[string]Pending `json:"pending,omitempty"`
}

// Pending is a step a caseworker began on a case's card.
type Pending struct {
	Op       string `json:"op"` // pendingAsk or pendingNote
	User     int64  `json:"user"`
	Revision int    `json:"rev"`
	Outcome  string `json:"outcome,omitempty"`
	Note     string `json:"note,omitempty"`
}

const (
	pendingAsk  = "ask"
	pendingNote = "note"
)

// Out is what the desk adds to a turn: replies to any chat, writes for the
// turn's transaction, and cases whose workers must be offered other
// services (the bot's routing renders those).
type Out struct {
	Replies  []chat.Reply
	Writes   []func(*store.Tx) error
	Reroutes []Reroute
	// Answer is the toast for the button pressed, if any.
	Answer string
	// Notify names chats that writes queued replies for.
	Notify []int64
}

// Reroute is a case back at routing: its worker is offered the services
// that fit, except those that had it.
type Reroute struct {
	CaseID       string
	WorkerChatID int64
	Exclude      []string
}

func (o *Out) add(other Out) {
	o.Replies = append(o.Replies, other.Replies...)
	o.Writes = append(o.Writes, other.Writes...)
	o.Reroutes = append(o.Reroutes, other.Reroutes...)
	o.Notify = append(o.Notify, other.Notify...)
	if other.Answer != "" {
		o.Answer = other.Answer
	}
}

func (o *Out) send(r chat.Reply) { o.Replies = append(o.Replies, r) }

func (o *Out) write(w func(*store.Tx) error) { o.Writes = append(o.Writes, w) }

// Turn is an update as the desk handles it.
type Turn struct {
	Ctx   context.Context
	Upd   chat.Update
	State *State
	Dir   *directory.Directory
	// PlaceName names a gazetteer place in a language's script, so that a
	// card in Kazakh does not show the city as a Georgian worker wrote it;
	// nil, or "" for an unknown id, keeps the name the case has.
	PlaceName func(id, lang string) string
	// Candidates ranks the services that could take a case, as routing
	// does for the worker, leaving out exclude.
	Candidates func(d *store.CaseDetails, exclude []string) []Candidate
}

// Candidate is a service routing would offer for a case. NeedsConsent marks
// the worker's own state; Receives a linked organisation.
type Candidate struct {
	ServiceID    string
	NeedsConsent bool
	Receives     bool
}

// notes is the sealed part of a delivery, as the desk keeps it.
type notes struct {
	AssigneeName string           `json:"assignee_name,omitempty"`
	Note         string           `json:"note,omitempty"`
	History      []casework.Entry `json:"history,omitempty"`
}

// caseOf reads a delivery as the engine sees it.
func caseOf(d store.Delivery) casework.Case {
	var n notes
	if len(d.Notes) > 0 {
		// Notes this build cannot read lose the history, not the case.
		_ = json.Unmarshal(d.Notes, &n)
	}
	return casework.Case{
		Status: casework.Status(d.Status), Revision: d.Revision, Assignee: d.Assignee, AssigneeName: n.AssigneeName,
		Asked: d.Asked, Outcome: casework.Outcome(d.Outcome), Feedback: casework.Feedback(d.Feedback),
		Note: n.Note, ReferredTo: d.ReferredTo, History: n.History,
	}
}

// withCase writes the engine's case back into the delivery.
func withCase(d store.Delivery, c casework.Case) store.Delivery {
	d.Status, d.Assignee, d.Asked = string(c.Status), c.Assignee, c.Asked
	d.Outcome, d.Feedback, d.ReferredTo = string(c.Outcome), string(c.Feedback), c.ReferredTo
	// Nothing to keep is kept as nothing.
	if c.AssigneeName == "" && c.Note == "" && len(c.History) == 0 {
		d.Notes = nil
		return d
	}
	d.Notes, _ = json.Marshal(notes{AssigneeName: c.AssigneeName, Note: c.Note, History: c.History})
	return d
}

// save writes a changed delivery in the turn's transaction. The revision
// check in the store refuses it if someone else changed it meanwhile; the
// turn is then handled again and sees their change.
func save(d store.Delivery) func(*store.Tx) error {
	return func(tx *store.Tx) error { return tx.SaveDelivery(&d) }
}

// T localizes for a desk or a worker.
func (k *Desk) t(lang, id string, data map[string]any) string { return k.cfg.Catalog.T(lang, id, data) }

// serviceName is an organisation's name in a language, or its id when the
// directory no longer has it.
func serviceName(dir *directory.Directory, id, lang string) string {
	if dir != nil {
		if s, ok := dir.ByID(id); ok {
			return s.Names.In(lang)
		}
	}
	return id
}

// workerOf finds the worker's chat and language; ok is false when the
// worker erased their data or blocked the bot, and nothing can reach them.
func (k *Desk) workerOf(ctx context.Context, caseID string) (chatID int64, lang string, ok bool, err error) {
	chatID, err = k.cfg.Store.CaseChat(ctx, caseID)
	if err != nil || chatID == 0 {
		return 0, "", false, err
	}
	w, err := k.cfg.Store.Chat(ctx, chatID)
	if errors.Is(err, store.ErrNotFound) {
		return chatID, locales.Default, true, nil
	}
	if err != nil {
		return 0, "", false, err
	}
	lang = w.Language
	if lang == "" {
		lang = locales.Default
	}
	return chatID, lang, !w.Blocked(), nil
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// truncate keeps at most n runes.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
