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
// chats in parallel. It is fed by the poller or the webhook after the
// updates are durable, and at start by whatever the inbox still holds.
type Executor struct {
	// Handle must commit the update's effects and mark it handled; an error
	// means the store failed and the update is tried again.
	Handle func(context.Context, store.InboxUpdate) error
	// Recover is called after a panic in Handle; it must mark the update
	// handled (with an apology) so one bad update cannot wedge a chat.
	Recover     func(context.Context, store.InboxUpdate)
	Log         zerolog.Logger
	MaxParallel int

	mu      sync.Mutex
	queues  map[int64][]store.InboxUpdate
	slots   chan struct{}
	wg      sync.WaitGroup
	closed  bool
	initted bool
	ctx     context.Context
	// idle hands a chat to a worker waiting for one. Workers outlive a
	// chat's queue: a fresh goroutine per chat regrew its stack through
	// the handler and SQLite on every update.
	idle    chan int64
	stopped chan struct{}
}

// workerIdle is how long a worker waits for another chat before it ends.
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
	n := e.MaxParallel
	if n <= 0 {
		n = 64
	}
	e.slots = make(chan struct{}, n)
	e.queues = map[int64][]store.InboxUpdate{}
	e.idle = make(chan int64)
	e.stopped = make(chan struct{})
}

// Submit queues durable updates for handling.
func (e *Executor) Submit(ups []store.InboxUpdate) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.init()
	if e.closed {
		return // they are in the inbox and will be resumed at the next start
	}
	for _, u := range ups {
		q, running := e.queues[u.ChatID]
		e.queues[u.ChatID] = append(q, u)
		if !running {
			e.wg.Add(1)
			select {
			case e.idle <- u.ChatID:
			default:
				go e.work(u.ChatID)
			}
		}
	}
}

// Stop refuses new updates and waits for queued ones of running chats to
// finish, or for ctx to end.
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

// work runs chats until none comes for workerIdle or the executor stops.
func (e *Executor) work(chatID int64) {
	timer := time.NewTimer(workerIdle)
	defer timer.Stop()
	for {
		e.run(chatID)
		timer.Reset(workerIdle)
		select {
		case chatID = <-e.idle:
		case <-timer.C:
			return
		case <-e.stopped:
			return
		}
	}
}

// run handles a chat's queue until it is empty.
func (e *Executor) run(chatID int64) {
	defer e.wg.Done()
	for {
		e.mu.Lock()
		q := e.queues[chatID]
		if len(q) == 0 {
			delete(e.queues, chatID)
			e.mu.Unlock()
			return
		}
		u := q[0]
		e.mu.Unlock()

		e.slots <- struct{}{}
		e.handle(u)
		<-e.slots

		e.mu.Lock()
		e.queues[chatID] = e.queues[chatID][1:]
		e.mu.Unlock()
	}
}

// handle insists until the store takes the update: skipping one would
// break the chat's order and lose what the person said.
func (e *Executor) handle(u store.InboxUpdate) {
	ctx := context.WithoutCancel(e.baseContext())
	for attempt := 1; ; attempt++ {
		err := e.safeHandle(ctx, u)
		if err == nil {
			return
		}
		wait := min(time.Duration(attempt)*100*time.Millisecond, 5*time.Second)
		e.Log.Error().Err(err).Int64("update_id", u.UpdateID).Int("attempt", attempt).Msg("handling failed; retrying")
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

func (e *Executor) safeHandle(ctx context.Context, u store.InboxUpdate) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		e.Log.Error().Int64("update_id", u.UpdateID).Str("panic", fmt.Sprint(r)).
			Str("stack", string(debug.Stack())).Msg("panic while handling an update")
		if e.Recover != nil {
			err = e.recoverSafely(ctx, u)
		}
	}()
	return e.Handle(ctx, u)
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
