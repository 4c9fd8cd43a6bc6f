package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/store"
)

// AllowedUpdates are the kinds rightsdesk asks for.
var AllowedUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member"}

// Poller long-polls getUpdates. Each batch is written to the inbox together
// with the next offset before that offset is sent back to Telegram, which
// is what confirms the batch: a crash between the two only brings the batch
// again, and the inbox ignores what it already has.
type Poller struct {
	Client  *Client
	Store   *store.DB
	Decoder Decoder
	// Submit receives the updates that were new, already durable.
	Submit func([]store.InboxUpdate)
	Log    zerolog.Logger
	// Timeout is the long-poll wait Telegram holds a request open for.
	Timeout time.Duration
	Limit   int
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
		batch := make([]store.InboxUpdate, 0, len(items))
		next := offset
		for _, item := range items {
			id, chatID, payload, err := p.Decoder.updateHead(item)
			if err != nil {
				p.Log.Error().Err(err).Msg("update without an id skipped")
				continue
			}
			batch = append(batch, store.InboxUpdate{UpdateID: id, ChatID: chatID, Payload: payload})
			if id+1 > next {
				next = id + 1
			}
		}
		// Persisting must not be cut short by shutdown: what Telegram gave
		// us is in memory only until this commits.
		fresh, err := p.Store.SaveUpdates(context.WithoutCancel(ctx), batch, next)
		if err != nil {
			p.Log.Error().Err(err).Msg("storing updates failed; they will be fetched again")
			if !sleep(ctx, backoff.next()) {
				return nil
			}
			continue
		}
		offset = next
		if len(fresh) > 0 {
			p.Submit(fresh)
		}
	}
	return nil
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
