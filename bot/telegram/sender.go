package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/store"
)

// Limits are the sender's pacing rules. Telegram does not publish its exact
// limits, so the sender reacts to 429 by waiting exactly retry_after and
// paces proactively only where Telegram documents a ceiling.
type Limits struct {
	// GroupPerMinute caps messages to one group in any GroupWindow
	// (documented: 20 a minute).
	GroupPerMinute int
	GroupWindow    time.Duration
	// BulkPerSecond caps sends nobody is waiting for (documented: about 30;
	// rightsdesk keeps 25 to leave room for replies).
	BulkPerSecond float64
	// MaxInFlight bounds concurrent requests to the Bot API.
	MaxInFlight int
	// RetryMin and RetryMax bound the backoff after 5xx and network errors.
	RetryMin, RetryMax time.Duration
}

// BulkInFlight is how many bulk requests may be in flight at once. A bulk
// message holds its place until its outbox row is settled, so this is also
// how many a SIGKILL can catch accepted by Telegram but not yet marked sent,
// each of which goes out again after the restart: one keeps an announcement
// to at most one repeated copy per crash. The price is one round trip per
// bulk message: at 40 ms to Telegram that is the documented 25/s ceiling,
// and a slower link slows bulk sends, never replies.
const BulkInFlight = 1

// DefaultLimits are the documented ceilings.
func DefaultLimits() Limits {
	return Limits{GroupPerMinute: 20, GroupWindow: time.Minute, BulkPerSecond: 25, MaxInFlight: 32, RetryMin: time.Second, RetryMax: 5 * time.Minute}
}

// Sender drains the outbox: one request in flight per chat, in order per
// chat, chats in parallel. Replies go out as soon as they are committed.
type Sender struct {
	Client *Client
	Store  *store.DB
	Log    zerolog.Logger
	Limits Limits
	// OnResult, when set, observes every attempt (for metrics and tests).
	// queued is how long the reply had been in the outbox when Telegram
	// answered; zero for an answer to a press, which never is.
	OnResult func(chatID int64, action chat.Action, queued time.Duration, err error)
	// Rescan is how often the outbox is searched for messages another
	// process queued; 0 means 15 s.
	Rescan time.Duration

	once   sync.Once
	mu     sync.Mutex
	ctx    context.Context
	chats  map[int64]*chatWorker
	paused map[int64]time.Time
	// answers are answers to button presses waiting to be sent, kept in
	// memory only (see Answer).
	answers  map[int64][]chat.Reply
	global   time.Time
	groups   map[int64]*slidingWindow
	bulk     slidingWindow
	inflight chan struct{}
	bulkSlot chan struct{}
	idle     *sync.Cond
	// waiting hands a chat to a worker with nothing to do. Workers outlive
	// a chat: a fresh goroutine per reply regrew its stack through the
	// HTTP client and SQLite every time.
	waiting chan senderJob
}

type senderJob struct {
	ctx    context.Context
	chatID int64
}

// workerIdle is how long a sender worker waits for another chat.
const workerIdle = 10 * time.Second

type chatWorker struct {
	dirty bool
}

func (s *Sender) init() {
	s.once.Do(func() {
		if s.Limits == (Limits{}) {
			s.Limits = DefaultLimits()
		}
		if s.Limits.MaxInFlight <= 0 {
			s.Limits.MaxInFlight = 32
		}
		if s.Limits.GroupWindow <= 0 {
			s.Limits.GroupWindow = time.Minute
		}
		if s.Limits.RetryMin <= 0 {
			s.Limits.RetryMin = time.Second
		}
		if s.Limits.RetryMax <= 0 {
			s.Limits.RetryMax = 5 * time.Minute
		}
		s.chats = map[int64]*chatWorker{}
		s.paused = map[int64]time.Time{}
		s.answers = map[int64][]chat.Reply{}
		s.groups = map[int64]*slidingWindow{}
		s.bulk = slidingWindow{limit: int(s.Limits.BulkPerSecond), period: time.Second}
		s.inflight = make(chan struct{}, s.Limits.MaxInFlight)
		s.bulkSlot = make(chan struct{}, BulkInFlight)
		s.idle = sync.NewCond(&s.mu)
		s.waiting = make(chan senderJob)
	})
}

// Run sends until ctx ends, starting with whatever the outbox already holds
// (replies committed before a crash).
func (s *Sender) Run(ctx context.Context) error {
	s.init()
	s.mu.Lock()
	s.ctx = ctx
	s.mu.Unlock()
	ids, err := s.Store.OutboxChats(ctx)
	if err != nil {
		return err
	}
	// Presses answered before the sender ran wait in memory, not in the
	// outbox.
	s.mu.Lock()
	for id := range s.answers {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	s.Notify(ids...)
	// Another process may queue messages too (the operator's commands):
	// look for them now and then, as a start does.
	every := s.Rescan
	if every <= 0 {
		every = 15 * time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-tick.C:
			if err := s.Store.NoticeOutsideWrites(ctx); err != nil {
				continue
			}
			if ids, err := s.Store.OutboxChats(ctx); err == nil {
				s.Notify(ids...)
			}
		}
	}
	// Wake anyone waiting in Flush.
	s.mu.Lock()
	s.idle.Broadcast()
	s.mu.Unlock()
	return nil
}

// Notify tells the sender that these chats have new outbox rows.
func (s *Sender) Notify(chatIDs ...int64) {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil || s.ctx.Err() != nil {
		return // Run picks up the outbox when it starts
	}
	for _, id := range chatIDs {
		if w, ok := s.chats[id]; ok {
			w.dirty = true
			continue
		}
		s.chats[id] = &chatWorker{}
		select {
		case s.waiting <- senderJob{s.ctx, id}:
		default:
			go s.worker(senderJob{s.ctx, id})
		}
	}
}

// worker sends for chats until none comes for workerIdle or ctx ends.
func (s *Sender) worker(j senderJob) {
	timer := time.NewTimer(workerIdle)
	defer timer.Stop()
	for {
		s.work(j.ctx, j.chatID)
		timer.Reset(workerIdle)
		select {
		case j = <-s.waiting:
		case <-timer.C:
			return
		case <-j.ctx.Done():
			return
		}
	}
}

// Flush waits until no chat has anything left to send, or ctx ends.
func (s *Sender) Flush(ctx context.Context) error {
	s.init()
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.idle.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.chats) > 0 && ctx.Err() == nil {
		s.idle.Wait()
	}
	return ctx.Err()
}

func (s *Sender) work(ctx context.Context, chatID int64) {
	for {
		s.mu.Lock()
		s.chats[chatID].dirty = false
		s.mu.Unlock()

		s.drain(ctx, chatID)

		s.mu.Lock()
		if w := s.chats[chatID]; ctx.Err() != nil || !w.dirty {
			delete(s.chats, chatID)
			s.idle.Broadcast()
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
	}
}

func (s *Sender) drain(ctx context.Context, chatID int64) {
	// Answers go out beside the chat's messages, not ahead of them: the
	// page a press changes reaches the person one round trip to Telegram
	// sooner, and an answer only stops a spinner. The chat is not done
	// until its answers are.
	var answering sync.WaitGroup
	defer answering.Wait()
	for ctx.Err() == nil {
		if answers := s.takeAnswers(chatID); len(answers) > 0 {
			answering.Go(func() { s.sendAnswers(ctx, chatID, answers) })
		}
		if !s.waitPause(ctx, chatID) {
			return
		}
		msg, wait, ok, err := s.Store.NextOutbox(ctx, chatID)
		if err != nil {
			if ctx.Err() == nil {
				s.Log.Error().Err(err).Int64("chat", chatID).Msg("reading the outbox failed")
				sleep(ctx, time.Second)
			}
			continue
		}
		if !ok {
			if wait.IsZero() {
				return
			}
			if !sleep(ctx, time.Until(wait)) {
				return
			}
			continue
		}
		if settled := s.deliver(ctx, msg); settled && !msg.More {
			// Anything enqueued since arrives with a Notify, which work()
			// sees as dirty.
			return
		}
	}
}

// deliver makes one attempt and settles the outbox row by its outcome. It
// reports whether the row has left the outbox (sent, dropped or failed for
// good) rather than waiting for a retry.
func (s *Sender) deliver(ctx context.Context, msg store.OutboxMessage) (settled bool) {
	// Settling must survive shutdown, or a sent message would be sent again.
	settle := context.WithoutCancel(ctx)
	// A reply still in memory comes as the bot made it; one read from
	// disk is decoded.
	reply, inMemory := msg.Memo.(chat.Reply)
	var err error
	if !inMemory {
		reply, err = chat.DecodeReply(msg.Payload)
	}
	if err != nil {
		s.Log.Error().Err(err).Int64("outbox_id", msg.ID).Msg("undecodable outbox row dropped")
		s.retryStore(func() error { return s.Store.Fail(settle, msg.ID, msg.ChatID, 0, "undecodable") })
		return true
	}
	ids, skip, err := s.resolve(settle, &reply)
	if err != nil {
		s.Log.Error().Err(err).Int64("outbox_id", msg.ID).Msg("reading message names failed; will retry")
		s.retryStore(func() error { return s.Store.Defer(settle, msg.ID, time.Now().Add(s.Limits.RetryMin)) })
		return false
	}
	if skip {
		// It acts on a message that never came to be: nothing to do.
		s.retryStore(func() error { return s.Store.MarkSent(settle, msg.ID, msg.ChatID, 0) })
		return true
	}
	method, params, err := request(reply, ids)
	if err != nil {
		s.Log.Error().Err(err).Int64("outbox_id", msg.ID).Msg("unsendable outbox row dropped")
		s.retryStore(func() error { return s.Store.Fail(settle, msg.ID, msg.ChatID, 0, "unsendable") })
		return true
	}
	// Paced windows count a send from when it starts until a full period
	// after it completes, so however late Telegram sees it arrive, no
	// period there holds more than the limit.
	var windows []*slidingWindow
	if msg.ChatID < 0 && countsForGroup(reply.Action) && s.Limits.GroupPerMinute > 0 {
		windows = append(windows, s.groupWindow(msg.ChatID))
	}
	if msg.Priority == int(chat.Bulk) {
		if s.Limits.BulkPerSecond > 0 {
			windows = append(windows, &s.bulk)
		}
		s.bulkSlot <- struct{}{}
		defer func() { <-s.bulkSlot }()
	}
	if !s.reserve(ctx, windows) {
		return false
	}
	s.inflight <- struct{}{}
	// A pause may have begun while this one waited for a slot.
	if !s.waitPause(ctx, msg.ChatID) {
		<-s.inflight
		s.release(windows, false)
		return false
	}
	raw, err := s.Client.Call(method, params)
	s.release(windows, true)
	<-s.inflight
	if s.OnResult != nil {
		s.OnResult(msg.ChatID, reply.Action, time.Since(msg.CreatedAt), err)
	}

	var tgErr *Error
	switch {
	case err == nil:
		receipt, err := s.receipt(msg, reply, ids, raw)
		if err != nil {
			s.Log.Error().Err(err).Int64("outbox_id", msg.ID).Msg("a follow-up could not be encoded; dropped")
		}
		var orphan bool
		s.retryStore(func() (err error) { orphan, err = s.Store.MarkDelivered(settle, msg.ID, receipt); return err })
		if orphan {
			// Its case was erased while it was on its way: take it back.
			s.takeBack(settle, msg.ChatID, receipt.MessageID)
		}
		if len(receipt.Then) > 0 {
			chats := make([]int64, 0, len(receipt.Then))
			for _, q := range receipt.Then {
				chats = append(chats, q.ChatID)
			}
			s.Notify(chats...)
		}
		return true
	case !errors.As(err, &tgErr):
		s.retryStore(func() error { return s.Store.Defer(settle, msg.ID, time.Now().Add(s.Limits.RetryMin)) })
	case tgErr.Kind == KindMigrated:
		s.Log.Info().Int64("chat", msg.ChatID).Int64("to", tgErr.MigratedTo).Msg("the group became a supergroup; following it")
		s.retryStore(func() error {
			return s.Store.Update(settle, func(tx *store.Tx) error { return tx.MigrateChat(msg.ChatID, tgErr.MigratedTo) })
		})
		s.Notify(tgErr.MigratedTo)
		return true
	case tgErr.Kind == KindThreadGone && ids.thread != 0:
		// The group's people deleted the topic, and its messages with it:
		// their names are forgotten, and the reply goes again, where the
		// group's messages go without a topic.
		s.Log.Info().Int64("chat", msg.ChatID).Int("thread", ids.thread).Msg("a topic was deleted; its names are forgotten")
		s.retryStore(func() error {
			return s.Store.Update(settle, func(tx *store.Tx) error { return tx.ForgetThread(msg.ChatID, ids.thread) })
		})
		s.retryStore(func() error { return s.Store.Defer(settle, msg.ID, time.Now()) })
	case tgErr.Kind == KindGone && reply.Action == chat.ActionEdit && reply.Target != "" && ids.target != 0:
		// Someone deleted a named message (a case's card): its name is
		// forgotten, and the edit goes again, as a new message under it
		// (resolve), so what it shows is not lost.
		s.Log.Info().Int64("chat", msg.ChatID).Int("message", ids.target).Msg("a named message was deleted; sending it anew")
		s.retryStore(func() error {
			return s.Store.Update(settle, func(tx *store.Tx) error { return tx.ForgetMessage(msg.ChatID, ids.target) })
		})
		s.retryStore(func() error { return s.Store.Defer(settle, msg.ID, time.Now()) })
	case tgErr.Kind == KindNotModified || tgErr.Kind == KindGone:
		// The chat is already as the reply wanted it, or the message is gone.
		s.retryStore(func() error { return s.Store.MarkSent(settle, msg.ID, msg.ChatID, 0) })
		return true
	case tgErr.Kind == KindFlood:
		until := s.floodPause(msg.ChatID, tgErr)
		s.retryStore(func() error { return s.Store.Defer(settle, msg.ID, until) })
	case tgErr.Kind == KindBlocked:
		s.Log.Info().Int64("chat", msg.ChatID).Msg("the user blocked the bot; nothing more is sent to this chat")
		s.retryStore(func() error { return s.Store.BlockChat(settle, msg.ChatID) })
		return true
	case tgErr.Kind == KindBadRequest:
		s.Log.Error().Int64("chat", msg.ChatID).Str("method", method).Int("code", tgErr.Code).
			Str("description", tgErr.Description).Msg("Telegram refused a message")
		s.retryStore(func() error { return s.Store.Fail(settle, msg.ID, msg.ChatID, tgErr.Code, string(tgErr.Kind)) })
		return true
	case tgErr.Kind == KindUnauthorized:
		s.tokenRefused()
		s.retryStore(func() error { return s.Store.Defer(settle, msg.ID, time.Now().Add(time.Minute)) })
	default:
		delay := backoffFor(msg.Attempts+1, s.Limits.RetryMin, s.Limits.RetryMax)
		s.Log.Warn().Int64("chat", msg.ChatID).Str("method", method).Err(err).Dur("retry_in", delay).Msg("send failed; will retry")
		s.retryStore(func() error { return s.Store.Defer(settle, msg.ID, time.Now().Add(delay)) })
	}
	return false
}

// Answer queues the answer to a button press in memory. An answer only
// stops the spinner on the button just pressed, and Telegram refuses one
// for a query grown old: a stored answer was of no use after a crash,
// while storing it cost an insert, a seal and a settle per press, and the
// chat's next message waited for that settle. It goes out as soon as the
// chat's worker sees it, beside the messages the same turn queued rather
// than ahead of them.
func (s *Sender) Answer(r chat.Reply) {
	if r.Action != chat.ActionAnswerCallback {
		return
	}
	s.init()
	s.mu.Lock()
	if s.ctx == nil || s.ctx.Err() == nil {
		s.answers[r.ChatID] = append(s.answers[r.ChatID], r)
	}
	s.mu.Unlock()
	s.Notify(r.ChatID)
}

// takeAnswers takes the chat's queued answers.
func (s *Sender) takeAnswers(chatID int64) []chat.Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	answers := s.answers[chatID]
	delete(s.answers, chatID)
	return answers
}

// sendAnswers sends answers, once each: one that fails is dropped, as it
// would be too late when tried again; a 429 pauses the chat.
func (s *Sender) sendAnswers(ctx context.Context, chatID int64, answers []chat.Reply) {
	for _, r := range answers {
		if !s.waitPause(ctx, chatID) {
			return
		}
		method, params, err := request(r, resolved{})
		if err != nil {
			continue
		}
		s.inflight <- struct{}{}
		_, err = s.Client.Call(method, params)
		<-s.inflight
		if s.OnResult != nil {
			s.OnResult(chatID, r.Action, 0, err)
		}
		var tgErr *Error
		switch {
		case err == nil:
		case errors.As(err, &tgErr) && tgErr.Kind == KindFlood:
			s.floodPause(chatID, tgErr)
		case errors.As(err, &tgErr) && tgErr.Kind == KindUnauthorized:
			s.tokenRefused()
		default:
			s.Log.Debug().Int64("chat", chatID).Err(err).Msg("a button's answer was not delivered")
		}
	}
}

// floodPause pauses the chat for exactly the retry_after of Telegram's 429
// and says until when.
func (s *Sender) floodPause(chatID int64, e *Error) time.Time {
	wait := e.RetryAfter
	if wait <= 0 {
		wait = time.Second
	}
	s.Log.Warn().Int64("chat", chatID).Dur("retry_after", wait).Msg("flood control: pausing")
	return s.pause(chatID, wait)
}

// tokenRefused pauses all sending for a minute: nothing gets through until
// the operator fixes the token.
func (s *Sender) tokenRefused() {
	s.Log.Error().Msg("Telegram refused the token; sending paused for a minute")
	s.pauseAll(time.Minute)
}

// retryStore insists: giving up on recording a send would resend it.
func (s *Sender) retryStore(op func() error) {
	for i := 0; ; i++ {
		err := op()
		if err == nil {
			return
		}
		s.Log.Error().Err(err).Msg("recording a send result failed; retrying")
		time.Sleep(backoffFor(i+1, 50*time.Millisecond, 5*time.Second))
	}
}

func countsForGroup(a chat.Action) bool {
	switch a {
	case chat.ActionSend, chat.ActionSendLocation, chat.ActionSendFile, chat.ActionCopy:
		return true
	}
	return false
}

// resolve looks up the message ids a reply names. An edit of a message that
// was never recorded is sent as a new message under the same name, so the
// next edit finds it; a pin or a deletion of one is skipped.
func (s *Sender) resolve(ctx context.Context, r *chat.Reply) (ids resolved, skip bool, err error) {
	lookup := func(name string, thread bool) (int, error) {
		if name == "" {
			return 0, nil
		}
		m, err := s.Store.Named(ctx, r.ChatID, name)
		if errors.Is(err, store.ErrNotFound) {
			return 0, nil
		}
		if thread {
			return m.ThreadID, err
		}
		return m.MessageID, err
	}
	if ids.thread, err = lookup(r.Thread, true); err != nil {
		return ids, false, err
	}
	if ids.replyTo, err = lookup(r.ReplyTo, false); err != nil {
		return ids, false, err
	}
	if ids.target, err = lookup(r.Target, false); err != nil {
		return ids, false, err
	}
	if r.Target != "" && r.MessageID == 0 && ids.target == 0 {
		switch r.Action {
		case chat.ActionEdit:
			r.Action, r.Name = chat.ActionSend, r.Target
		default:
			return ids, true, nil
		}
	}
	return ids, false, nil
}

// receipt is what a sent reply leaves: its id, its name and thread, and
// the replies that were waiting for it.
func (s *Sender) receipt(msg store.OutboxMessage, r chat.Reply, ids resolved, raw json.RawMessage) (store.Receipt, error) {
	rc := store.Receipt{ChatID: msg.ChatID, MessageID: sentMessageID(raw), ThreadID: ids.thread, Name: r.Name}
	if r.Action == chat.ActionCreateTopic {
		// The topic's id is its opening message's id.
		rc.ThreadID = sentThreadID(raw)
		rc.MessageID = rc.ThreadID
	}
	if r.Action == chat.ActionEdit || r.Action == chat.ActionEditMarkup || r.Action == chat.ActionPin {
		rc.Name = "" // the named message is the one edited, already named
	}
	for _, next := range r.Then {
		payload, err := next.Encode()
		if err != nil {
			return rc, err
		}
		var memo any
		if next.RoundTrips() {
			memo = next
		}
		rc.Then = append(rc.Then, store.Queued{CaseID: next.Case, ChatID: next.ChatID, Priority: int(next.Priority), Payload: payload, Memo: memo})
	}
	return rc, nil
}

// pause stops sending to a chat for d. When Telegram limits several chats at
// once it is limiting the bot as a whole, so everything waits.
func (s *Sender) pause(chatID int64, d time.Duration) time.Time {
	now := time.Now()
	until := now.Add(d)
	s.mu.Lock()
	defer s.mu.Unlock()
	if until.After(s.paused[chatID]) {
		s.paused[chatID] = until
	}
	for other, t := range s.paused {
		if !t.After(now) {
			delete(s.paused, other)
			continue
		}
		if other != chatID {
			if t.After(s.global) {
				s.global = t
			}
			if until.After(s.global) {
				s.global = until
			}
		}
	}
	return until
}

func (s *Sender) pauseAll(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if until := time.Now().Add(d); until.After(s.global) {
		s.global = until
	}
}

// waitPause blocks while the chat or the whole bot is paused.
func (s *Sender) waitPause(ctx context.Context, chatID int64) bool {
	for {
		s.mu.Lock()
		until := s.global
		if t := s.paused[chatID]; t.After(until) {
			until = t
		}
		s.mu.Unlock()
		d := time.Until(until)
		if d <= 0 {
			return ctx.Err() == nil
		}
		if !sleep(ctx, d) {
			return false
		}
	}
}

// slidingWindow allows at most limit sends in any period. A send counts
// from its start (inFlight) until a period after its completion (done).
type slidingWindow struct {
	limit    int
	period   time.Duration
	inFlight int
	done     []time.Time
}

// try reserves a place, or says how long to wait before trying again.
func (w *slidingWindow) try(now time.Time) (wait time.Duration) {
	for len(w.done) > 0 && now.Sub(w.done[0]) >= w.period {
		w.done = w.done[1:]
	}
	if w.inFlight+len(w.done) < w.limit {
		w.inFlight++
		return 0
	}
	if len(w.done) > 0 {
		return w.done[0].Add(w.period).Sub(now)
	}
	return 10 * time.Millisecond // every place is in flight
}

func (s *Sender) groupWindow(chatID int64) *slidingWindow {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.groups[chatID]
	if w == nil {
		w = &slidingWindow{limit: s.Limits.GroupPerMinute, period: s.Limits.GroupWindow}
		s.groups[chatID] = w
	}
	return w
}

// reserve waits until every window has a place and takes them together.
func (s *Sender) reserve(ctx context.Context, windows []*slidingWindow) bool {
	for {
		s.mu.Lock()
		var wait time.Duration
		for i, w := range windows {
			if wait = w.try(time.Now()); wait > 0 {
				for _, taken := range windows[:i] {
					taken.inFlight--
				}
				break
			}
		}
		s.mu.Unlock()
		if wait == 0 {
			return true
		}
		if !sleep(ctx, wait) {
			return false
		}
	}
}

// release ends the reservations; a send that never went out counts not.
func (s *Sender) release(windows []*slidingWindow, sent bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for _, w := range windows {
		w.inFlight--
		if sent {
			w.done = append(w.done, now)
		}
	}
}

// takeBack deletes a message that arrived for a case erased meanwhile.
func (s *Sender) takeBack(ctx context.Context, chatID int64, messageID int) {
	payload, err := chat.Reply{Action: chat.ActionDelete, ChatID: chatID, MessageID: messageID}.Encode()
	if err != nil {
		return
	}
	s.retryStore(func() error {
		return s.Store.Update(ctx, func(tx *store.Tx) error { return tx.Enqueue(chatID, int(chat.Interactive), payload) })
	})
	s.Notify(chatID)
}
