// Package bot is rightsdesk's dispatch: it loads a chat's state, lets the
// feature the update belongs to decide, renders the outcome through the
// locales, and commits the new state, the replies and the handled mark in
// one transaction. It knows neither SQL nor the Bot API.
package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"html"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/desk"
	"github.com/rightsdesk/rightsdesk/bot/intake"
	"github.com/rightsdesk/rightsdesk/locales"
	"github.com/rightsdesk/rightsdesk/store"
)

// Config wires a Bot.
type Config struct {
	Store   *store.DB
	Catalog *locales.Catalog
	// Decode reads a stored update; the transport provides it.
	Decode func([]byte) (chat.Update, error)
	// Notify tells the sender which chats have new outbox rows.
	Notify func(chatIDs ...int64)
	// Answer, when set, takes a turn's answer to a button press instead of
	// the outbox.
	Answer func(chat.Reply)
	Log    zerolog.Logger
	Now    func() time.Time
	// Library is the content in service at start; SetLibrary replaces it.
	Library *Library
	// RouteMaxDistanceKm is how far an office may be for routing to offer
	// it before falling back to national centres; 0 uses routing's default.
	RouteMaxDistanceKm float64
	// Members asks Telegram whether a person belongs to a group now; the
	// desk authorises every caseworker's action with it.
	Members func(ctx context.Context, chatID, userID int64) (desk.Member, error)
	// BotRights asks Telegram what the bot may do in a group (open topics,
	// pin); without it the bot takes itself for an administrator.
	BotRights func(ctx context.Context, chatID int64) (desk.Rights, error)
	// Observe, when set, hears of every update handled: its kind, how long
	// handling took and how long since it was stored (metrics).
	Observe func(kind chat.Kind, took, sinceStored time.Duration)
}

// Bot handles updates.
type Bot struct {
	cfg     Config
	library libraryRef
	desk    *desk.Desk
}

// SetLibrary puts new content in service; turns already running keep the
// library they started with.
func (b *Bot) SetLibrary(l *Library) { b.library.Store(l) }

// New makes a Bot; without Now it reads the clock, without Notify nobody
// is told of new outbox rows.
func New(cfg Config) *Bot {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Notify == nil {
		cfg.Notify = func(...int64) {}
	}
	if cfg.Members == nil {
		cfg.Members = func(context.Context, int64, int64) (desk.Member, error) {
			return desk.Member{}, errors.New("bot: no way to check group membership")
		}
	}
	b := &Bot{cfg: cfg}
	b.library.Store(cfg.Library)
	b.desk = desk.New(desk.Config{Store: cfg.Store, Catalog: cfg.Catalog, Members: cfg.Members,
		BotRights: cfg.BotRights, Log: cfg.Log.With().Str("component", "desk").Logger(), Now: cfg.Now})
	return b
}

// State is a chat's conversation state, sealed at rest. Features keep their
// part in their own field.
type State struct {
	Version int `json:"v"`
	// Pending names what the bot is waiting for, so a typed answer goes to
	// the right place; empty when nothing is asked.
	Pending string `json:"pending,omitempty"`
	// Profile is where the worker works and their citizenship, asked by
	// the guide and read by the features that route a case.
	Profile Profile    `json:"profile,omitzero"`
	Guide   GuideState `json:"guide,omitzero"`
	// Intake is the complaint being written; Cases what /mycases waits for.
	Intake intake.State `json:"intake,omitzero"`
	Cases  CasesState   `json:"cases,omitzero"`
	// Desk is what an organisation's group waits for.
	Desk desk.State `json:"desk,omitzero"`
	// News is the answer to "may we send you news?".
	News NewsState `json:"news,omitzero"`
}

const stateVersion = 1

// turn is one update being handled: what came in, who it is, and what goes
// out. Features append replies and change state; commit writes it all.
type turn struct {
	bot  *Bot
	ctx  context.Context
	upd  chat.Update
	lib  *Library // the content snapshot for this turn
	chat store.Chat
	// stored says the chat row existed when the turn began, with
	// storedLanguage; save skips rewriting a row nothing changed.
	stored         bool
	storedLanguage string
	lang           string
	// here is the country the worker stands in for what this turn shows
	// ("" when unknown): numbers that cannot be dialled from there are
	// labelled with where they work.
	here     string
	state    State
	replies  []chat.Reply
	answered bool // the callback query has its answer queued
	erase    bool // /delete confirmed: forget the chat
	// effects are writes a feature needs in the same transaction as the
	// turn's state and replies.
	effects []func(*store.Tx) error
	// notify names chats whose replies an effect queued itself.
	notify []int64
	// failed stops the turn before anything is written: the update is
	// handled again, as after a store error.
	failed error
	// detached turns belong to no chat: no chat row is saved.
	detached bool
	// draftBefore is the draft's timestamps when the turn began, so the
	// turn knows whether to update the drafts index.
	draftBefore *intake.Draft
}

func (t *turn) t(id string, data map[string]any) string { return t.bot.cfg.Catalog.T(t.lang, id, data) }

func (t *turn) send(text string, kb *chat.Keyboard) {
	t.replies = append(t.replies, chat.Reply{Action: chat.ActionSend, ChatID: t.upd.ChatID, Text: text, Keyboard: kb})
}

// edit rewrites the message whose button was pressed, keyboard included.
func (t *turn) edit(text string, kb *chat.Keyboard) {
	t.replies = append(t.replies, chat.Reply{Action: chat.ActionEdit, ChatID: t.upd.ChatID, MessageID: t.upd.MessageID, Text: text, Keyboard: kb})
}

func (t *turn) answerCallback(text string) {
	if t.upd.Kind != chat.KindCallback || t.answered {
		return
	}
	t.answered = true
	// The answer goes first so the spinner on the button stops at once.
	t.replies = append([]chat.Reply{{Action: chat.ActionAnswerCallback, ChatID: t.upd.ChatID, CallbackID: t.upd.CallbackID, CallbackText: text}}, t.replies...)
}

// Handle processes one stored update. Bad input is answered, never
// returned; an error means the store failed and the update stays pending.
func (b *Bot) Handle(ctx context.Context, in store.InboxUpdate) (err error) {
	kind := chat.Kind("undecodable")
	if b.cfg.Observe != nil {
		start := time.Now()
		defer func() {
			if err == nil {
				var since time.Duration
				if !in.ReceivedAt.IsZero() {
					since = time.Since(in.ReceivedAt)
				}
				b.cfg.Observe(kind, time.Since(start), since)
			}
		}()
	}
	upd, err := b.cfg.Decode(in.Payload)
	if err != nil {
		b.cfg.Log.Warn().Int64("update_id", in.UpdateID).Err(err).Msg("undecodable update dropped")
		return b.commit(ctx, in.UpdateID, nil)
	}
	upd.ID = in.UpdateID
	kind = upd.Kind
	if upd.ChatID == 0 {
		return b.commit(ctx, in.UpdateID, nil)
	}
	t, err := b.begin(ctx, upd)
	if err != nil {
		return err
	}
	if upd.Private() {
		b.private(t)
	} else {
		b.group(t)
	}
	if t.failed != nil {
		return t.failed
	}
	if upd.Kind == chat.KindCallback {
		// Every callback query is answered, whatever happened.
		t.answerCallback("")
	}
	if !t.erase {
		b.indexDraft(t)
		b.syncNews(t, false)
	}
	return b.commit(ctx, in.UpdateID, t)
}

func (b *Bot) begin(ctx context.Context, upd chat.Update) (*turn, error) {
	c, err := b.cfg.Store.Chat(ctx, upd.ChatID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if errors.Is(err, store.ErrNotFound) {
		c = store.Chat{ID: upd.ChatID, Type: upd.ChatType}
	}
	t := &turn{bot: b, ctx: ctx, upd: upd, lib: b.library.Load(), chat: c, lang: c.Language,
		stored: err == nil, storedLanguage: c.Language}
	if t.lang == "" {
		t.lang = locales.Match(upd.LanguageCode)
	}
	if len(c.State) > 0 {
		if err := json.Unmarshal(c.State, &t.state); err != nil {
			// A state this build cannot read is not worth a stuck chat.
			b.cfg.Log.Warn().Int64("chat", upd.ChatID).Err(err).Msg("unreadable conversation state reset")
			t.state = State{}
		}
	}
	t.state.Version = stateVersion
	if d := t.state.Intake.Draft; d != nil {
		t.draftBefore = &intake.Draft{StartedAt: d.StartedAt, UpdatedAt: d.UpdatedAt, Consent: d.Consent}
	}
	return t, nil
}

// commitTurn writes a turn that no update began (the operator's, a job's).
func (b *Bot) commitTurn(ctx context.Context, t *turn) error {
	t.detached = true
	return b.commit(ctx, 0, t)
}

// commit writes the turn's outcome and marks the update handled, atomically.
func (b *Bot) commit(ctx context.Context, updateID int64, t *turn) error {
	// A press's answer is handed over before the commit, so it is on its
	// way while the turn's outbox rows commit and goes out no later than
	// they do. A failed commit is retried with the whole update, whose
	// second answer Telegram refuses.
	if t != nil && b.cfg.Answer != nil {
		for _, r := range t.replies {
			if r.Action == chat.ActionAnswerCallback {
				b.cfg.Answer(r)
			}
		}
	}
	// The state and replies are encoded before the transaction: one
	// goroutine commits for every chat, and encoding in it held the
	// others up.
	var state []byte
	var queued []queuedReply
	if t != nil {
		if t.writesChat() {
			var err error
			if state, err = json.Marshal(t.state); err != nil {
				return err
			}
		}
		for _, r := range t.replies {
			if r.Action == chat.ActionAnswerCallback && b.cfg.Answer != nil {
				continue
			}
			payload, err := r.Encode()
			if err != nil {
				return err
			}
			// The turn ends with this commit, so the reply is not changed
			// after it; the sender may use it as it is.
			q := queuedReply{reply: r, payload: payload}
			if r.RoundTrips() {
				q.memo = r
			}
			queued = append(queued, q)
		}
	}
	var chats []int64
	err := b.cfg.Store.Update(ctx, func(tx *store.Tx) error {
		chats = chats[:0]
		if t != nil {
			if err := b.save(tx, t, state); err != nil {
				return err
			}
			for _, effect := range t.effects {
				if err := effect(tx); err != nil {
					return err
				}
			}
			for _, q := range queued {
				r := q.reply
				if err := tx.EnqueueFor(r.Case, r.ChatID, int(r.Priority), q.payload, q.memo); err != nil {
					return err
				}
				chats = append(chats, r.ChatID)
			}
			chats = append(chats, t.notify...)
		}
		return tx.MarkHandled(updateID)
	})
	if errors.Is(err, store.ErrHandledBefore) {
		// Brought again after a crash, before its offset was confirmed:
		// nothing of this second handling is kept.
		b.cfg.Log.Info().Int64("update_id", updateID).Msg("update handled before; skipped")
		return nil
	}
	if err != nil {
		return err
	}
	if t != nil && t.erase {
		// Erased rows must not linger in WAL frames.
		if err := b.cfg.Store.Checkpoint(ctx); err != nil {
			b.cfg.Log.Warn().Err(err).Msg("checkpoint after erasure failed; it will happen at the next one")
		}
	}
	if len(chats) > 0 {
		b.cfg.Notify(chats...)
	}
	return nil
}

// queuedReply is a reply encoded for the outbox.
type queuedReply struct {
	reply   chat.Reply
	payload []byte
	memo    any
}

// writesChat tells whether the turn's commit writes the chat's row, and
// so needs the state encoded.
func (t *turn) writesChat() bool {
	switch {
	case t.erase, t.detached:
		return false
	case t.upd.Private() && t.upd.Kind == chat.KindMembership:
		// The user blocked the bot (or restarted it): saving the chat as
		// after any update would clear a block the sender had just learnt
		// from a 403. A block is recorded; an unblock is the user's next
		// message.
		return false
	case !t.upd.Private() && t.chat.Language == "" && t.chat.State == nil && len(t.replies) == 0:
		// Silence in a group leaves no trace of it.
		return false
	}
	return true
}

// save writes the chat's row, state being the turn's state encoded.
func (b *Bot) save(tx *store.Tx, t *turn, state []byte) error {
	if t.erase {
		relayed, err := tx.EraseChat(t.upd.ChatID)
		// What the desks received from the worker is taken back, read in
		// this transaction so that nothing delivered before it is missed.
		if err != nil {
			return err
		}
		// Per desk chat, together: a case's thread can hold many of them.
		var chats []int64
		ids := map[int64][]int{}
		for _, m := range relayed {
			if _, ok := ids[m.ChatID]; !ok {
				chats = append(chats, m.ChatID)
			}
			ids[m.ChatID] = append(ids[m.ChatID], m.MessageID)
		}
		for _, chatID := range chats {
			for chunk := range slices.Chunk(ids[chatID], chat.MaxDeleteTogether) {
				payload, err := chat.Reply{Action: chat.ActionDelete, ChatID: chatID, MessageIDs: chunk}.Encode()
				if err != nil {
					return err
				}
				if err := tx.Enqueue(chatID, int(chat.Interactive), payload); err != nil {
					return err
				}
			}
			t.notify = append(t.notify, chatID)
		}
		return nil
	}
	if !t.detached && t.upd.Private() && t.upd.Kind == chat.KindMembership && t.upd.BotStatus == "kicked" {
		return tx.BlockChat(t.upd.ChatID)
	}
	if !t.writesChat() {
		return nil
	}
	if unchanged := t.stored && !t.chat.Blocked() && t.chat.Type == t.upd.ChatType &&
		t.chat.Language == t.storedLanguage && bytes.Equal(t.chat.State, state); !unchanged {
		// Rewriting an unchanged row would cost a seal and a page write for
		// nothing; most updates of a settled chat change no state.
		t.chat.Type = t.upd.ChatType
		t.chat.State = state
		if err := tx.SaveChat(t.chat); err != nil {
			return err
		}
	}
	if t.upd.Private() && t.upd.MessageID > 0 && t.upd.Kind != chat.KindCallback {
		return tx.RecordMessage(t.upd.ChatID, t.upd.MessageID, false)
	}
	return nil
}

// Recover answers an update whose handling panicked with an apology, and
// marks it handled so the chat moves on.
func (b *Bot) Recover(ctx context.Context, in store.InboxUpdate) {
	upd, err := b.cfg.Decode(in.Payload)
	var t *turn
	if err == nil && upd.ChatID != 0 {
		upd.ID = in.UpdateID
		// A fresh turn: nothing the panicking handler queued survives. A
		// group gets no apology; it did not ask to hear from the bot. A
		// pressed button is answered anywhere, so its spinner stops.
		if t, err = b.begin(ctx, upd); err == nil {
			if upd.Kind == chat.KindCallback {
				t.answerCallback("")
			}
			if upd.Private() {
				t.send(t.t("error_apology", nil), b.menuKeyboard(t))
			}
		}
	}
	if err := b.commit(ctx, in.UpdateID, t); err != nil {
		b.cfg.Log.Error().Err(err).Int64("update_id", in.UpdateID).Msg("could not record the apology")
	}
}

// escape makes user-typed text safe inside a Telegram HTML message.
func escape(s string) string { return html.EscapeString(s) }
