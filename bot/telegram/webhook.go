package telegram

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/store"
)

// maxUpdateBytes bounds a webhook body; Telegram's updates are far smaller.
const maxUpdateBytes = 1 << 20

// NewSecretToken makes the secret Telegram echoes in every webhook request.
// Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -.
func NewSecretToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// SetWebhook registers url with secret_token, which the library's
// WebhookConfig predates, so it goes through Params.
func (c *Client) SetWebhook(url, secret string) error {
	allowed, _ := json.Marshal(AllowedUpdates)
	_, err := c.Call("setWebhook", tgbotapi.Params{
		"url":             url,
		"secret_token":    secret,
		"allowed_updates": string(allowed),
		"max_connections": strconv.Itoa(40),
	})
	return err
}

// DeleteWebhook switches back to polling without dropping pending updates.
func (c *Client) DeleteWebhook() error {
	_, err := c.Call("deleteWebhook", tgbotapi.Params{"drop_pending_updates": "false"})
	return err
}

// Webhook receives updates pushed by Telegram and stores each in the inbox
// before handing it over: it answers 200 only after the update is durable,
// so Telegram redelivers anything a crash interrupted. Unlike the poller it
// does not wait for the turn, which would hold Telegram's connection open.
type Webhook struct {
	Secret  string
	Store   *store.DB
	Decoder Decoder
	Submit  func([]store.InboxUpdate)
	Log     zerolog.Logger
}

func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if h.Secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(h.Secret)) != 1 {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxUpdateBytes+1))
	if err != nil || len(body) > maxUpdateBytes {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	// pressHead skips what it does not read, unchecked.
	if !json.Valid(body) {
		h.Log.Warn().Msg("webhook body is not JSON; dropped")
		w.WriteHeader(http.StatusOK)
		return
	}
	if head, ok := pressHead(body); ok {
		body = head // as the client cuts getUpdates' answer
	}
	id, chatID, payload, err := h.Decoder.updateHead(body)
	if err != nil || id == 0 {
		// Retrying will not make it readable; accept and drop it.
		h.Log.Warn().Msg("webhook body is not an update; dropped")
		w.WriteHeader(http.StatusOK)
		return
	}
	fresh, err := h.Store.SaveUpdates(r.Context(), []store.InboxUpdate{{UpdateID: id, ChatID: chatID, Payload: payload}}, 0)
	if err != nil {
		h.Log.Error().Err(err).Int64("update_id", id).Msg("storing a webhook update failed; Telegram will retry")
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	if len(fresh) > 0 {
		h.Submit(fresh)
	}
	w.WriteHeader(http.StatusOK)
}
