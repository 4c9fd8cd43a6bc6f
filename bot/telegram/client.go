// Package telegram is rightsdesk's transport: the only room that speaks the
// Bot API and the only importer of telegram-bot-api. It polls (or receives
// webhooks) into the store's inbox, drains the store's outbox, and maps
// Telegram's errors to sentinels once, so no caller parses a description.
package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// DefaultAPIURL is Telegram's public Bot API; a self-hosted Bot API server
// or the local one in bot/localapi replaces it.
const DefaultAPIURL = "https://api.telegram.org"

// ErrorKind classifies a failed request by what the caller should do.
type ErrorKind string

const (
	KindBlocked      ErrorKind = "blocked"      // 403: stop sending to the chat
	KindFlood        ErrorKind = "flood"        // 429: wait RetryAfter, then retry
	KindNotModified  ErrorKind = "not_modified" // 400 on an edit that changes nothing: done
	KindGone         ErrorKind = "gone"         // 400 on a message that cannot be edited or deleted any more: done
	KindBadRequest   ErrorKind = "bad_request"  // other 400: permanent
	KindUnauthorized ErrorKind = "unauthorized" // 401: the token is wrong or revoked
	KindConflict     ErrorKind = "conflict"     // 409: another poller or a webhook
	KindServer       ErrorKind = "server"       // 5xx, network, unreadable answer: retry with backoff
	KindMigrated     ErrorKind = "migrated"     // 400: the group became a supergroup (MigratedTo)
	KindThreadGone   ErrorKind = "thread_gone"  // 400: the forum topic was deleted
)

// Error is a failed Bot API request.
type Error struct {
	Kind        ErrorKind
	Code        int
	RetryAfter  time.Duration
	Description string
	// MigratedTo is the supergroup a basic group became (KindMigrated).
	MigratedTo int64
}

func (e *Error) Error() string {
	return fmt.Sprintf("telegram: %s (%d): %s", e.Kind, e.Code, e.Description)
}

// Is lets callers match with errors.Is(err, telegram.ErrBlocked) and so on.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind
}

var (
	ErrBlocked      = &Error{Kind: KindBlocked}
	ErrFlood        = &Error{Kind: KindFlood}
	ErrNotModified  = &Error{Kind: KindNotModified}
	ErrGone         = &Error{Kind: KindGone}
	ErrBadRequest   = &Error{Kind: KindBadRequest}
	ErrUnauthorized = &Error{Kind: KindUnauthorized}
	ErrConflict     = &Error{Kind: KindConflict}
	ErrServer       = &Error{Kind: KindServer}
	ErrMigrated     = &Error{Kind: KindMigrated}
	ErrThreadGone   = &Error{Kind: KindThreadGone}
)

// KindOf is the kind of a request's error: "" for none, KindServer for a
// failure that never got an answer from the Bot API (network, timeout).
func KindOf(err error) ErrorKind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindServer
}

func classify(code int, description string, retryAfter int) *Error {
	e := &Error{Code: code, Description: description, RetryAfter: time.Duration(retryAfter) * time.Second}
	d := strings.ToLower(description)
	switch {
	case code == 429:
		e.Kind = KindFlood
	case code == 403:
		e.Kind = KindBlocked
	case code == 401 || code == 404:
		// 404 is what Telegram answers for a malformed token path.
		e.Kind = KindUnauthorized
	case code == 409:
		e.Kind = KindConflict
	case code == 400 && strings.Contains(d, "message is not modified"):
		e.Kind = KindNotModified
	case code == 400 && (strings.Contains(d, "message to delete not found") ||
		strings.Contains(d, "message can't be deleted") ||
		strings.Contains(d, "message to edit not found") ||
		strings.Contains(d, "message can't be edited") ||
		strings.Contains(d, "query is too old")):
		e.Kind = KindGone
	case code == 400 && strings.Contains(d, "message thread not found"):
		e.Kind = KindThreadGone
	case code >= 400 && code < 500:
		e.Kind = KindBadRequest
	default:
		e.Kind = KindServer
	}
	return e
}

// Client makes Bot API requests that end when its context ends: the
// library's own client has neither timeouts nor contexts.
type Client struct {
	api *tgbotapi.BotAPI
}

// NewClient returns a client whose every request is cancelled when ctx ends
// and times out after timeout.
func NewClient(ctx context.Context, token, apiURL string, timeout time.Duration) *Client {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	// The timeout lives in the transport, not in http.Client.Timeout: a
	// client deadline over a RoundTripper net/http does not know starts a
	// goroutine and a timer per request to enforce it (62 such goroutines
	// at saturation in the bench).
	httpClient := &http.Client{
		Transport: &contextTransport{ctx: ctx, timeout: timeout, base: leanTransport{base: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        100,
			MaxIdleConnsPerHost: 100,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
			ForceAttemptHTTP2:   true,
		}}},
	}
	api := &tgbotapi.BotAPI{Token: token, Client: httpClient, Buffer: 0}
	api.SetAPIEndpoint(strings.TrimRight(apiURL, "/") + "/bot%s/%s")
	return &Client{api: api}
}

// Call makes one request and returns its result, or an *Error.
func (c *Client) Call(method string, params tgbotapi.Params) (json.RawMessage, error) {
	resp, err := c.api.MakeRequest(method, params)
	if err != nil {
		var tgErr *tgbotapi.Error
		if errors.As(err, &tgErr) {
			e := classify(tgErr.Code, tgErr.Message, tgErr.RetryAfter)
			if tgErr.MigrateToChatID != 0 {
				e.Kind, e.MigratedTo = KindMigrated, tgErr.MigrateToChatID
			}
			return nil, e
		}
		// Network errors and answers that are not the Bot API's JSON (a
		// proxy's error page) are worth retrying. A *url.Error names the
		// request URL, which holds the bot token: keep only its cause.
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		return nil, &Error{Kind: KindServer, Description: method + ": " + err.Error()}
	}
	return resp.Result, nil
}

// Me is the bot's own identity.
type Me struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
}

func (c *Client) GetMe() (Me, error) {
	raw, err := c.Call("getMe", nil)
	if err != nil {
		return Me{}, err
	}
	var me Me
	err = json.Unmarshal(raw, &me)
	return me, err
}

// Member is a person's standing in a chat, as getChatMember tells it.
type Member struct {
	Status    string // creator, administrator, member, restricted, left, kicked
	FirstName string
	// IsMember is what Telegram says of a restricted user: still in the chat.
	IsMember bool
	// MayOpenTopics and MayPin are an administrator's can_manage_topics and
	// can_pin_messages.
	MayOpenTopics bool
	MayPin        bool
}

// Current reports whether the person belongs to the chat now.
func (m Member) Current() bool {
	switch m.Status {
	case "creator", "administrator", "member":
		return true
	case "restricted":
		return m.IsMember
	}
	return false
}

// ChatMember asks Telegram for a person's standing in a chat.
func (c *Client) ChatMember(chatID, userID int64) (Member, error) {
	raw, err := c.Call("getChatMember", tgbotapi.Params{
		"chat_id": strconv.FormatInt(chatID, 10), "user_id": strconv.FormatInt(userID, 10)})
	if err != nil {
		return Member{}, err
	}
	var m struct {
		Status        string `json:"status"`
		IsMember      bool   `json:"is_member"`
		MayOpenTopics bool   `json:"can_manage_topics"`
		MayPin        bool   `json:"can_pin_messages"`
		User          struct {
			FirstName string `json:"first_name"`
		} `json:"user"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return Member{}, &Error{Kind: KindServer, Description: "getChatMember: " + err.Error()}
	}
	return Member{Status: m.Status, FirstName: m.User.FirstName, IsMember: m.IsMember,
		MayOpenTopics: m.MayOpenTopics, MayPin: m.MayPin}, nil
}

// contextTransport ties every request to a lifetime context in addition to
// its own, so shutdown interrupts a long poll instead of waiting it out,
// and ends it after timeout, the reading of its answer included.
type contextTransport struct {
	ctx     context.Context
	timeout time.Duration
	base    http.RoundTripper
}

func (t *contextTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var ctx context.Context
	var cancel context.CancelFunc
	if t.timeout > 0 {
		ctx, cancel = context.WithTimeout(t.ctx, t.timeout)
	} else {
		ctx, cancel = context.WithCancel(t.ctx)
	}
	// The library's requests carry no context of their own; one that does
	// is honoured too.
	stop := func() bool { return false }
	if r.Context().Done() != nil {
		stop = context.AfterFunc(r.Context(), cancel)
	}
	resp, err := t.base.RoundTrip(r.WithContext(ctx))
	if err != nil {
		stop()
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, done: func() { stop(); cancel() }}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	done func()
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.done()
	return err
}
