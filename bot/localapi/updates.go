package localapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"
)

const (
	conflictPoll    = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
	conflictWebhook = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)

// firstUpdateID is where update ids start by default, far from 0 as
// Telegram's are.
const firstUpdateID = 500000001

type pollState struct {
	cancel chan struct{}
	reason string
}

// getUpdates long-polls like Telegram. When a second getUpdates arrives
// while one is waiting, the OLDER one is answered 409 and the newer one
// carries on, which is what Telegram does.
func (s *Server) getUpdates(c *call) (any, *APIError) {
	offset, _ := c.p.int64("offset")
	limit, ok := c.p.int64("limit")
	if !ok || limit < 1 || limit > 100 {
		limit = 100
	}
	timeout, _ := c.p.int64("timeout")
	timeout = max(timeout, 0)

	s.mu.Lock()
	hook := s.beforeConfirm
	s.mu.Unlock()
	if hook != nil && !hook(offset) {
		return nil, &APIError{Code: 502, Description: "Bad Gateway"}
	}
	s.mu.Lock()
	if s.webhook != nil {
		s.mu.Unlock()
		return nil, &APIError{Code: 409, Description: conflictWebhook}
	}
	if raw, ok := c.p.raw("allowed_updates"); ok && raw != "" {
		var list []string
		if json.Unmarshal([]byte(raw), &list) != nil {
			s.mu.Unlock()
			return nil, badRequest("can't parse allowed updates")
		}
		s.setAllowedLocked(list)
	}
	s.confirmLocked(offset)
	if s.poll != nil {
		s.poll.reason = conflictPoll
		close(s.poll.cancel)
	}
	me := &pollState{cancel: make(chan struct{})}
	s.poll = me
	s.mu.Unlock()

	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		select {
		case <-me.cancel:
			reason := me.reason
			s.mu.Unlock()
			return nil, &APIError{Code: 409, Description: reason}
		default:
		}
		out := s.deliverableLocked(int(limit))
		if len(out) > 0 || timeout == 0 {
			if s.poll == me {
				s.poll = nil
			}
			s.mu.Unlock()
			return out, nil
		}
		signal := s.updSignal
		s.mu.Unlock()
		select {
		case <-signal:
			continue
		case <-me.cancel:
			continue
		case <-deadline.C:
		case <-c.ctx.Done():
		case <-s.closed:
		}
		s.mu.Lock()
		if s.poll == me {
			s.poll = nil
		}
		s.mu.Unlock()
		return []tgUpdate{}, nil
	}
}

// BeforeConfirm has f see the offset of each getUpdates before anything is
// confirmed by it; when f returns false nothing is, and the request fails,
// as if it never reached Telegram. A test kills the bot inside f to crash
// it after its turns committed and before their offset was confirmed.
func (s *Server) BeforeConfirm(f func(offset int64) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.beforeConfirm = f
}

// LastUpdateID is the id of the newest update queued for the bot, 0 before
// the first.
func (s *Server) LastUpdateID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if int64(s.nextUpd) == s.cfg.FirstUpdateID {
		return 0
	}
	return int64(s.nextUpd - 1)
}

func (s *Server) setAllowedLocked(list []string) {
	if len(list) == 0 {
		s.allowed = nil
		return
	}
	s.allowed = map[string]bool{}
	for _, k := range list {
		s.allowed[k] = true
	}
}

// confirmLocked forgets updates below offset; a negative offset keeps only
// the last -offset updates.
func (s *Server) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		i := 0
		for i < len(s.updates) && int64(s.updates[i].UpdateID) < offset {
			i++
		}
		s.updates = s.updates[i:]
	case offset < 0:
		if keep := int(-offset); keep < len(s.updates) {
			s.updates = s.updates[len(s.updates)-keep:]
		}
	}
}

func (s *Server) isAllowed(u *tgUpdate) bool {
	if s.allowed == nil {
		// Telegram's default excludes chat_member.
		return u.kind() != "chat_member"
	}
	return s.allowed[u.kind()]
}

// deliverableLocked returns up to limit queued updates, silently dropping
// ones the bot did not subscribe to.
func (s *Server) deliverableLocked(limit int) []tgUpdate {
	kept := s.updates[:0:0]
	var out []tgUpdate
	for _, u := range s.updates {
		if !s.isAllowed(&u) {
			continue
		}
		kept = append(kept, u)
		if len(out) < limit {
			out = append(out, u)
		}
	}
	s.updates = kept
	return out
}

// Webhooks.

type webhook struct {
	url     string
	secret  string
	maxConn int
	stop    chan struct{}
}

type webhookInfo struct {
	lastErrorDate    int64
	lastErrorMessage string
}

// Retry delays after a failed webhook delivery. Telegram waits far longer;
// short delays keep tests and demos responsive.
const (
	webhookBackoffMin = 50 * time.Millisecond
	webhookBackoffMax = 2 * time.Second
)

var secretToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) setWebhook(c *call) (any, *APIError) {
	raw := c.p.str("url")
	if raw == "" {
		return s.deleteWebhook(c)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		// Telegram demands HTTPS; plain http is allowed here for loopback tests.
		return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	secret := c.p.str("secret_token")
	if secret != "" && !secretToken.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	maxConn, ok := c.p.int64("max_connections")
	if !ok || maxConn < 1 {
		maxConn = 40 // Telegram's default
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if raw, ok := c.p.raw("allowed_updates"); ok && raw != "" {
		var list []string
		if json.Unmarshal([]byte(raw), &list) != nil {
			return nil, badRequest("can't parse allowed updates")
		}
		s.setAllowedLocked(list)
	}
	if c.p.bool("drop_pending_updates") {
		s.updates = nil
	}
	s.stopWebhookLocked()
	wh := &webhook{url: raw, secret: secret, maxConn: int(maxConn), stop: make(chan struct{})}
	s.webhook = wh
	s.lastHook = webhookInfo{}
	if s.poll != nil {
		s.poll.reason = conflictWebhook
		close(s.poll.cancel)
		s.poll = nil
	}
	go s.runWebhook(wh)
	return true, nil
}

func (s *Server) stopWebhookLocked() {
	if s.webhook != nil {
		close(s.webhook.stop)
		s.webhook = nil
	}
}

func (s *Server) deleteWebhook(c *call) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopWebhookLocked()
	if c.p.bool("drop_pending_updates") {
		s.updates = nil
	}
	return true, nil
}

func (s *Server) getWebhookInfo(*call) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := map[string]any{"url": "", "has_custom_certificate": false, "pending_update_count": len(s.updates)}
	if wh := s.webhook; wh != nil {
		info["url"] = wh.url
		info["max_connections"] = wh.maxConn
		if s.lastHook.lastErrorDate != 0 {
			info["last_error_date"] = s.lastHook.lastErrorDate
			info["last_error_message"] = s.lastHook.lastErrorMessage
		}
		if s.allowed != nil {
			var list []string
			for k := range s.allowed {
				list = append(list, k)
			}
			info["allowed_updates"] = list
		}
	}
	return info, nil
}

// runWebhook delivers queued updates one at a time, in order, retrying the
// head of the queue with exponential backoff until the endpoint answers 2xx.
func (s *Server) runWebhook(wh *webhook) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-wh.stop:
		case <-s.closed:
		}
		cancel()
	}()
	client := &http.Client{Timeout: 10 * time.Second}
	backoff := s.backoffMin
	for {
		s.mu.Lock()
		if s.webhook != wh {
			s.mu.Unlock()
			return
		}
		head := s.deliverableLocked(1)
		if len(head) == 0 {
			signal := s.updSignal
			s.mu.Unlock()
			select {
			case <-signal:
				continue
			case <-ctx.Done():
				return
			}
		}
		s.mu.Unlock()
		u := head[0]
		err := postUpdate(ctx, client, wh, u)
		s.mu.Lock()
		if s.webhook != wh {
			s.mu.Unlock()
			return
		}
		if err == nil {
			if len(s.updates) > 0 && s.updates[0].UpdateID == u.UpdateID {
				s.updates = s.updates[1:]
			}
			backoff = s.backoffMin
			s.mu.Unlock()
			continue
		}
		s.lastHook = webhookInfo{lastErrorDate: s.now().Unix(), lastErrorMessage: err.Error()}
		s.mu.Unlock()
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return
		}
		backoff = min(backoff*2, s.backoffMax)
	}
}

// postUpdate's errors become getWebhookInfo's last_error_message, worded as
// Telegram words them there, capital letter included.
func postUpdate(ctx context.Context, client *http.Client, wh *webhook, u tgUpdate) error {
	body, err := json.Marshal(u)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, wh.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if wh.secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", wh.secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		return errors.New("Connection refused") //lint:ignore ST1005 Telegram's wording
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("Wrong response from the webhook: %s", resp.Status) //lint:ignore ST1005 Telegram's wording
	}
	return nil
}
