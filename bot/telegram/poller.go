package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/store"
)

// AllowedUpdates are the kinds rightsdesk asks for.
var AllowedUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member"}

// Poller long-polls getUpdates. An update's offset is sent back to
// Telegram, which confirms it, only once the update is durable: its turn
// has committed, recording its id, or it is stored in the inbox. The
// poller hands each batch to Submit at once and waits, up to HandledWait,
// for the executor to report the turns through Handled; what is still
// unhandled then is stored, with the offset, before the next getUpdates. A
// quick turn so costs no inbox row of its own, and what the person wrote is
// never on disk but in what it changed. A crash before the offset is
// confirmed brings the batch again; what was handled or stored meanwhile
// is recognised and not handled twice.
type Poller struct {
	Client  *Client
	Store   *store.DB
	Decoder Decoder
	// Submit receives the updates to handle, not yet durable.
	Submit func([]store.InboxUpdate)
	Log    zerolog.Logger
	// Timeout is the long-poll wait Telegram holds a request open for.
	Timeout time.Duration
	Limit   int
	// HandledWait is how long a batch waits for its turns before the
	// rest is stored; 0 means DefaultHandledWait.
	HandledWait time.Duration
	// Stored, when set, hears how many updates were stored for want of
	// their turns: many mean the wait is short for the machine.
	Stored func(n int)

	mu sync.Mutex
	// waiting holds the updates submitted and not yet durable: neither
	// reported handled nor stored.
	waiting map[int64]store.InboxUpdate
	// settled is signalled when waiting becomes empty.
	settled chan struct{}
}

// DefaultHandledWait is long enough for a turn to commit at a thousand
// updates a second, short enough that a slow one (a handler waiting on the
// Bot API) holds the next getUpdates back little.
const DefaultHandledWait = 20 * time.Millisecond

// Handled tells the poller that an update's turn committed. Updates it did
// not submit, or already stored, are ignored.
func (p *Poller) Handled(updateID int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.waiting[updateID]; !ok {
		return
	}
	delete(p.waiting, updateID)
	if len(p.waiting) == 0 {
		select {
		case p.settled <- struct{}{}:
		default:
		}
	}
}

// Run polls until ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	offset, err := p.Store.NextOffset(ctx)
	if err != nil {
		return err
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 25 * time.Second
	}
	limit := p.Limit
	if limit <= 0 {
		limit = 100
	}
	wait := p.HandledWait
	if wait <= 0 {
		wait = DefaultHandledWait
	}
	// Ids up to last were handled or stored before, or submitted by this
	// process: one brought again is looked up, not handled twice.
	last, err := p.Store.LastUpdateID(ctx)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.waiting = map[int64]store.InboxUpdate{}
	p.settled = make(chan struct{}, 1)
	p.mu.Unlock()
	allowed, _ := json.Marshal(AllowedUpdates)
	backoff := newBackoff(time.Second, time.Minute)
	for ctx.Err() == nil {
		params := tgbotapi.Params{
			"offset":          strconv.FormatInt(offset, 10),
			"limit":           strconv.Itoa(limit),
			"timeout":         strconv.Itoa(int(timeout / time.Second)),
			"allowed_updates": string(allowed),
		}
		raw, err := p.Client.Call("getUpdates", params)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			wait := backoff.next()
			var tgErr *Error
			if errors.As(err, &tgErr) && tgErr.Kind == KindFlood && tgErr.RetryAfter > 0 {
				wait = tgErr.RetryAfter
			}
			if errors.Is(err, ErrUnauthorized) {
				p.Log.Error().Err(err).Msg("getUpdates refused: check TELEGRAM_BOT_TOKEN")
			} else if errors.Is(err, ErrConflict) {
				p.Log.Warn().Err(err).Msg("getUpdates conflict: another instance polls or a webhook is set")
			} else {
				p.Log.Warn().Err(err).Dur("retry_in", wait).Msg("getUpdates failed")
			}
			if !sleep(ctx, wait) {
				return nil
			}
			continue
		}
		backoff.reset()
		items, err := splitArray(raw)
		if err != nil {
			p.Log.Error().Err(err).Msg("getUpdates returned something other than a list")
			if !sleep(ctx, backoff.next()) {
				return nil
			}
			continue
		}
		if len(items) == 0 {
			continue
		}
		next := offset
		var batch []store.InboxUpdate
		var seen []int64 // ids at or below last, to look up
		for _, item := range items {
			id, chatID, payload, err := p.Decoder.updateHead(item)
			if err != nil {
				p.Log.Error().Err(err).Msg("update without an id skipped")
				continue
			}
			if id+1 > next {
				next = id + 1
			}
			u := store.InboxUpdate{UpdateID: id, ChatID: chatID, Payload: payload, ReceivedAt: time.Now()}
			if id <= last {
				seen = append(seen, id)
			}
			batch = append(batch, u)
		}
		if len(seen) > 0 {
			// Brought again: after a restart, what the last process handled
			// or stored before its offset was confirmed; after a failed
			// store, what this one submitted already.
			if batch, err = p.unseen(ctx, batch, seen); err != nil {
				p.Log.Error().Err(err).Msg("looking up updates brought again failed")
				if !sleep(ctx, backoff.next()) {
					return nil
				}
				continue
			}
		}
		for _, u := range batch {
			last = max(last, u.UpdateID)
		}
		if len(batch) > 0 {
			p.submit(batch)
		}
		if !p.settle(ctx, wait) {
			return nil
		}
		// With every turn committed nothing is written: the offset kept in
		// the store may lag, which only brings back, after a restart,
		// updates that are recognised. Storing must not be cut short by
		// shutdown: the updates not yet handled are in memory only until
		// it commits.
		if rest := p.unsettled(); len(rest) > 0 {
			if _, err := p.Store.SaveUpdates(context.WithoutCancel(ctx), rest, next); err != nil {
				p.Log.Error().Err(err).Msg("storing updates failed; they will be fetched again")
				if !sleep(ctx, backoff.next()) {
					return nil
				}
				continue
			}
			p.stored(rest)
			if p.Stored != nil {
				p.Stored(len(rest))
			}
		}
		offset = next
	}
	return nil
}

// submit hands a batch to the executor, remembering it until it is durable.
func (p *Poller) submit(batch []store.InboxUpdate) {
	p.mu.Lock()
	for _, u := range batch {
		p.waiting[u.UpdateID] = u
	}
	// A signal left from an earlier batch is stale.
	select {
	case <-p.settled:
	default:
	}
	p.mu.Unlock()
	p.Submit(batch)
}

// settle waits up to wait for every submitted update to be handled. It
// reports false if ctx ended first.
func (p *Poller) settle(ctx context.Context, wait time.Duration) bool {
	p.mu.Lock()
	n := len(p.waiting)
	p.mu.Unlock()
	if n == 0 {
		return true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-p.settled:
	case <-t.C:
	case <-ctx.Done():
		// Nothing more is confirmed: Telegram brings the rest again.
		return false
	}
	return true
}

// unsettled returns the submitted updates not yet handled. Their order does
// not matter: the inbox is read back by update id.
func (p *Poller) unsettled() []store.InboxUpdate {
	p.mu.Lock()
	defer p.mu.Unlock()
	rest := make([]store.InboxUpdate, 0, len(p.waiting))
	for _, u := range p.waiting {
		rest = append(rest, u)
	}
	return rest
}

// stored forgets updates now in the inbox. A turn that commits after this
// finds its update's row there and marks it handled.
func (p *Poller) stored(rest []store.InboxUpdate) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, u := range rest {
		delete(p.waiting, u.UpdateID)
	}
}

// unseen drops from batch the updates already known: submitted by this
// process and waiting, or handled or stored by it or an earlier one.
func (p *Poller) unseen(ctx context.Context, batch []store.InboxUpdate, ids []int64) ([]store.InboxUpdate, error) {
	known, err := p.Store.KnownUpdates(ctx, ids)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := batch[:0]
	for _, u := range batch {
		if _, waiting := p.waiting[u.UpdateID]; waiting || known[u.UpdateID] {
			continue
		}
		out = append(out, u)
	}
	if skipped := len(batch) - len(out); skipped > 0 {
		p.Log.Info().Int("updates", skipped).Msg("updates brought again were handled or stored before; not handed over")
	}
	return out, nil
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// backoff doubles from min to max; no jitter is needed with one client.
type backoff struct {
	min, max, cur time.Duration
}

func newBackoff(min, max time.Duration) *backoff { return &backoff{min: min, max: max} }

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur *= 2
		if b.cur > b.max {
			b.cur = b.max
		}
	}
	return b.cur
}

func (b *backoff) reset() { b.cur = 0 }

// backoffFor is the wait before retry number attempt (1-based).
func backoffFor(attempt int, min, max time.Duration) time.Duration {
	d := min
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d
}

// splitArray returns the elements of a JSON array as slices of raw, without
// copying them. The library has already decoded the whole answer, so raw is
// valid JSON, and validating it again while splitting it was 4 % of the
// bot's CPU at saturation. It never panics; what is not an array, or not
// whole, is an error. An element that is not valid JSON stays as it is, and
// reading it fails later, by itself.
func splitArray(raw []byte) ([][]byte, error) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return nil, errNotArray
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == ']' {
		if skipSpace(raw, i+1) != len(raw) {
			return nil, errNotArray
		}
		return [][]byte{}, nil
	}
	var out [][]byte
	for {
		start, depth := i, 0
	value:
		for ; i < len(raw); i++ {
			switch c := raw[i]; {
			case c == '"':
				if i = stringEnd(raw, i); i < 0 {
					return nil, errNotArray
				}
			case c == '{' || c == '[':
				depth++
			case (c == '}' || c == ']') && depth > 0:
				depth--
			case c == ',' || c == ']':
				if depth == 0 {
					break value
				}
			}
		}
		if i >= len(raw) {
			return nil, errNotArray
		}
		end := i
		for end > start && isSpace(raw[end-1]) {
			end--
		}
		if end == start {
			return nil, errNotArray
		}
		out = append(out, raw[start:end:end])
		if raw[i] == ']' {
			if skipSpace(raw, i+1) != len(raw) {
				return nil, errNotArray
			}
			return out, nil
		}
		i = skipSpace(raw, i+1)
	}
}

var errNotArray = errors.New("telegram: not a JSON array")

// stringEnd is the index of the quote that closes the string opened at
// open, or -1. Texts are most of an update, so it jumps from quote to quote
// and counts the backslashes before each.
func stringEnd(raw []byte, open int) int {
	for i := open + 1; ; i++ {
		j := bytes.IndexByte(raw[i:], '"')
		if j < 0 {
			return -1
		}
		i += j
		escapes := 0
		for k := i - 1; k > open && raw[k] == '\\'; k-- {
			escapes++
		}
		if escapes%2 == 0 {
			return i
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && isSpace(raw[i]) {
		i++
	}
	return i
}
