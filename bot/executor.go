package bot

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/store"
)

// Executor runs updates one chat at a time, in update order within a chat and
// chats in parallel. It is fed by the webhook after the updates are stored,
// by the poller before (whose offset waits for each turn to commit or the
// update to be stored), and at start by whatever the inbox still holds.
type Executor struct {
	// Handle must commit the update's effects and mark it handled; an error
	// means the store failed and the update is tried again.
	Handle func(context.Context, store.InboxUpdate) error
	// Recover is called after a panic in Handle; it must mark the update
	// handled (with an apology) so one bad update cannot wedge a chat.
	Recover func(context.Context, store.InboxUpdate)
	// Handled, when set, hears of each update whose turn Handle committed,
	// so the poller need not store it. It is not told of a recovered one:
	// an apology that failed to commit leaves its update in the poller's
	// hands, to be stored.
	Handled func(updateID int64)
	Log     zerolog.Logger
	// MaxParallel is how many updates are handled at once; 0 means
	// DefaultParallel.
	MaxParallel int

	mu      sync.Mutex
	initted bool
	closed  bool
	ctx     context.Context
	// queues holds each chat's updates not yet handled, the one in
	// progress first; a chat is in ready, or with a worker, while its
	// queue is not empty.
	queues map[int64][]store.InboxUpdate
	// ready are the chats waiting for a worker, in the order they came:
	// a worker takes one update of the first, and puts the chat back at
	// the end if it has more, so a flooding chat waits its turn.
	ready []int64
	// Workers are goroutines, at most MaxParallel, that outlive a chat: a
	// fresh goroutine per chat regrew its stack through the handler and
	// SQLite on every update, and one per waiting chat held a stack each
	// (a hundred busy chats, a hundred stacks).
	workers, idle int
	// wake hands an idle worker the news that ready has a chat; each
	// token sent took one worker off idle.
	wake    chan struct{}
	stopped chan struct{}
	wg      sync.WaitGroup
}

// DefaultParallel is how many updates are handled at once by default:
// enough for group commit to fold many turns into one transaction and for
// a handler waiting on the Bot API (a caseworker's membership) not to hold
// the rest up, few enough on two cores to keep memory flat.
const DefaultParallel = 32

// workerIdle is how long a worker waits for a chat before it ends.
const workerIdle = 10 * time.Second

// Start binds the executor to ctx: handlers in progress finish even after
// ctx ends (their transaction must commit), but no new update starts.
func (e *Executor) Start(ctx context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.init()
	e.ctx = ctx
}

func (e *Executor) init() {
	if e.initted {
		return
	}
	e.initted = true
	if e.MaxParallel <= 0 {
		e.MaxParallel = DefaultParallel
	}
	e.queues = map[int64][]store.InboxUpdate{}
	e.wake = make(chan struct{}, e.MaxParallel)
	e.stopped = make(chan struct{})
}

// Submit queues updates for handling.
func (e *Executor) Submit(ups []store.InboxUpdate) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.init()
	if e.closed {
		// The poller stores them, or Telegram brings them again at the next
		// start: their offset is confirmed only once they are durable.
		return
	}
	for _, u := range ups {
		q := e.queues[u.ChatID]
		e.queues[u.ChatID] = append(q, u)
		e.wg.Add(1)
		if len(q) == 0 {
			e.ready = append(e.ready, u.ChatID)
			e.dispatch()
		}
	}
}

// dispatch finds a worker for a chat that became ready. e.mu is held.
func (e *Executor) dispatch() {
	switch {
	case e.idle > 0:
		e.idle--
		e.wake <- struct{}{}
	case e.workers < e.MaxParallel:
		e.workers++
		go e.work()
	}
	// Otherwise every worker is busy, and each looks at ready before it
	// rests.
}

// Stop refuses new updates and waits for the queued ones to be handled,
// or for ctx to end.
func (e *Executor) Stop(ctx context.Context) error {
	e.mu.Lock()
	e.init()
	if !e.closed {
		e.closed = true
		close(e.stopped)
	}
	e.mu.Unlock()
	done := make(chan struct{})
	go func() { e.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// work handles ready chats' updates, one at a time, until none comes for
// workerIdle or the executor stops with nothing left.
func (e *Executor) work() {
	timer := time.NewTimer(workerIdle)
	defer timer.Stop()
	e.mu.Lock()
	for {
		if len(e.ready) == 0 {
			if !e.rest(timer) {
				e.workers--
				e.mu.Unlock()
				return
			}
			continue
		}
		chatID := e.ready[0]
		e.ready = e.ready[1:]
		u := e.queues[chatID][0]
		e.mu.Unlock()

		if e.handle(u) && e.Handled != nil {
			e.Handled(u.UpdateID)
		}

		e.mu.Lock()
		if q := e.queues[chatID][1:]; len(q) == 0 {
			delete(e.queues, chatID)
		} else {
			e.queues[chatID] = q
			e.ready = append(e.ready, chatID)
		}
		e.wg.Done()
	}
}

// rest waits, e.mu held but released meanwhile, for dispatch to hand this
// worker a chat. It reports false when the wait ran out, or the executor
// stopped, with no chat ready.
func (e *Executor) rest(timer *time.Timer) bool {
	if e.closed {
		return false
	}
	e.idle++
	e.mu.Unlock()
	timer.Reset(workerIdle)
	select {
	case <-e.wake:
		e.mu.Lock()
		return true
	case <-timer.C:
	case <-e.stopped:
	}
	e.mu.Lock()
	select {
	case <-e.wake:
		// Handed a chat as the wait ended: dispatch already counted this
		// worker off idle.
		return true
	default:
	}
	e.idle--
	return len(e.ready) > 0
}

// conflictsExpected is how many times in a row an update may lose a race
// for a case before it is logged as an error.
const conflictsExpected = 3

// handle insists until the store takes the update: skipping one would
// break the chat's order and lose what the person said. It reports whether
// Handle committed it, rather than Recover.
func (e *Executor) handle(u store.InboxUpdate) bool {
	ctx := context.WithoutCancel(e.baseContext())
	for attempt := 1; ; attempt++ {
		recovered, err := e.safeHandle(ctx, u)
		if err == nil {
			return !recovered
		}
		wait := min(time.Duration(attempt)*100*time.Millisecond, 5*time.Second)
		if store.ErrorCode(err) == store.ECONFLICT && attempt <= conflictsExpected {
			// Another turn, in another chat or a job, changed the case
			// first, as the store lets one of them win: handled again, the
			// update sees that change. Only a conflict that persists is
			// an error.
			e.Log.Info().Err(err).Int64("update_id", u.UpdateID).Int("attempt", attempt).Msg("another turn changed the case first; handling again")
		} else {
			e.Log.Error().Err(err).Int64("update_id", u.UpdateID).Int("attempt", attempt).Msg("handling failed; retrying")
		}
		time.Sleep(wait)
	}
}

func (e *Executor) baseContext() context.Context {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ctx == nil {
		return context.Background()
	}
	return e.ctx
}

func (e *Executor) safeHandle(ctx context.Context, u store.InboxUpdate) (recovered bool, err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		recovered = true
		e.Log.Error().Int64("update_id", u.UpdateID).Str("panic", fmt.Sprint(r)).
			Str("stack", string(debug.Stack())).Msg("panic while handling an update")
		if e.Recover != nil {
			err = e.recoverSafely(ctx, u)
		}
	}()
	return false, e.Handle(ctx, u)
}

func (e *Executor) recoverSafely(ctx context.Context, u store.InboxUpdate) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("bot: recovering update %d panicked too: %v", u.UpdateID, r)
		}
	}()
	e.Recover(ctx, u)
	return nil
}
