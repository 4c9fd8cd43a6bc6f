// Package localapi is a local, in-process implementation of the Telegram Bot
// API with simulated people on the other side. The real bot talks to it over
// HTTP exactly as it talks to api.telegram.org, so demos and end-to-end tests
// exercise the same transport code as production.
//
// It is deliberately strict where Telegram is documented to be strict (HTML
// entities, lengths, callback answers, flood control) so that a bot passing
// here does not fail on the real service.
package localapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config configures a Server.
type Config struct {
	Token       string
	BotUsername string // default "rightsdesk_bot"
	// Now replaces the wall clock for message dates, the 48 h deletion rule,
	// flood windows and the request log. Long-poll timeouts stay real.
	Now func() time.Time
	// ReadAllGroupMessages turns Telegram's group privacy mode off. With it
	// on (the default, as on Telegram) the bot only receives group messages
	// that are commands, mention it, or reply to it.
	ReadAllGroupMessages bool
	// NoRequestLog keeps Requests empty. A load run sends tens of
	// thousands of requests, and a log of them would hold every text sent
	// for the run's length, which the harness's GC then walks while the
	// bot it measures waits for a core.
	NoRequestLog bool
	// FirstUpdateID is the id of the first update; 0 means 500000001. A
	// bot's database that outlives its server (the demo with -db) needs
	// ids above those it has seen, as Telegram's keep growing.
	FirstUpdateID int64
}

// Server is a fake Telegram Bot API server. All methods are safe for
// concurrent use.
type Server struct {
	cfg Config
	bot tgUser
	// session tells the chat page apart from an earlier server on the same
	// address (the demo's reset starts a new one).
	session string

	mu        sync.Mutex
	users     []*User
	groups    []*Group
	chats     map[int64]*chat
	nextUser  int64
	nextGrp   int64
	nextBasic int64

	updates []tgUpdate // not yet confirmed by getUpdates / webhook
	nextUpd int
	// beforeConfirm, when set, sees each getUpdates offset before it
	// confirms anything, and may refuse it (tests only).
	beforeConfirm func(offset int64) bool
	updSignal     chan struct{} // closed and replaced when an update is queued
	allowed       map[string]bool
	poll          *pollState
	webhook       *webhook
	lastHook      webhookInfo
	// backoffMin/Max bound webhook retry delays; fixed after New.
	backoffMin, backoffMax time.Duration

	version uint64
	changed chan struct{} // closed and replaced on any observable change

	callbacks    map[string]*callbackState
	nextCallback int64
	nextFile     int
	files        map[string]*storedFile
	commands     map[string][]BotCommand

	flood      map[int64]*floodState
	global     *floodWindow
	groupLimit int
	requests   []Request
	violations []Violation

	httpSrv   *http.Server
	closed    chan struct{}
	closeOnce sync.Once
}

// New creates a server. Nothing listens until Start; ServeHTTP can also be
// mounted on any mux or httptest server.
func New(cfg Config) *Server {
	if cfg.BotUsername == "" {
		cfg.BotUsername = "rightsdesk_bot"
	}
	if cfg.FirstUpdateID <= 0 {
		cfg.FirstUpdateID = firstUpdateID
	}
	return &Server{
		cfg:     cfg,
		session: strconv.FormatInt(time.Now().UnixNano(), 36),
		bot: tgUser{
			ID: 7000000001, IsBot: true, FirstName: "RightsDesk", Username: cfg.BotUsername,
			CanJoinGroups: true, CanReadAllGroupMessages: cfg.ReadAllGroupMessages,
		},
		chats:     map[int64]*chat{},
		nextUser:  1000000001,
		nextGrp:   -1001000000001,
		nextBasic: -4100000001,
		files:     map[string]*storedFile{},
		nextUpd:   int(cfg.FirstUpdateID),
		updSignal: make(chan struct{}),
		changed:   make(chan struct{}),
		callbacks: map[string]*callbackState{},
		commands:  map[string][]BotCommand{},
		flood:     map[int64]*floodState{},
		closed:    make(chan struct{}),

		backoffMin: webhookBackoffMin,
		backoffMax: webhookBackoffMax,
	}
}

func (s *Server) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return time.Now()
}

// Start listens on addr (e.g. "127.0.0.1:0") and returns the base URL; the
// bot's API endpoint is baseURL + "/bot%s/%s".
func (s *Server) Start(addr string) (baseURL string, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.httpSrv = srv
	s.mu.Unlock()
	go srv.Serve(ln) //nolint:errcheck // returns ErrServerClosed on Close
	return "http://" + ln.Addr().String(), nil
}

// Close ends long polls, stops webhook delivery and the listener.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.closed) })
	s.mu.Lock()
	s.stopWebhookLocked()
	srv := s.httpSrv
	s.mu.Unlock()
	if srv != nil {
		return srv.Close()
	}
	return nil
}

// BotUser is the bot's own Telegram user id and username.
func (s *Server) BotUser() (id int64, username string) { return s.bot.ID, s.bot.Username }

// ServeHTTP serves the Bot API under /bot<token>/<method>, the web chat
// page at / and its JSON API under /ui/api/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/bot"):
		s.serveAPI(w, r)
	case strings.HasPrefix(r.URL.Path, "/ui/api/"):
		s.serveUI(w, r)
	default:
		s.serveAssets(w, r)
	}
}

type call struct {
	ctx    context.Context
	method string
	p      params
	now    time.Time

	// reply_markup, parsed once (markupOnce).
	parsedMarkup *markup
	markupErr    *APIError
	markupDone   bool
}

// markupOnce parses the call's reply_markup the first time it is asked
// for. The hot methods ask before they take the server's lock, so no other
// call waits while a keyboard's JSON is read; the code under the lock then
// finds it done.
func (c *call) markupOnce() (*markup, *APIError) {
	if !c.markupDone {
		c.markupDone = true
		if raw, ok := c.p.raw("reply_markup"); ok && raw != "" {
			c.parsedMarkup, c.markupErr = parseMarkup(raw)
		}
	}
	return c.parsedMarkup, c.markupErr
}

type handler struct {
	name string
	fn   func(*Server, *call) (any, *APIError)
}

var handlers = map[string]handler{}

func init() {
	for name, fn := range map[string]func(*Server, *call) (any, *APIError){
		"getMe": (*Server).getMe, "getUpdates": (*Server).getUpdates,
		"setWebhook": (*Server).setWebhook, "deleteWebhook": (*Server).deleteWebhook,
		"getWebhookInfo": (*Server).getWebhookInfo, "sendMessage": (*Server).sendMessage,
		"editMessageText": (*Server).editMessageText, "editMessageReplyMarkup": (*Server).editMessageReplyMarkup,
		"answerCallbackQuery": (*Server).answerCallbackQuery, "deleteMessage": (*Server).deleteMessage,
		"deleteMessages": (*Server).deleteMessages, "setMyCommands": (*Server).setMyCommands,
		"getMyCommands": (*Server).getMyCommands, "deleteMyCommands": (*Server).deleteMyCommands,
		"sendLocation":   (*Server).sendLocation,
		"sendChatAction": (*Server).sendChatAction, "getChatMember": (*Server).getChatMember,
		"getChat": (*Server).getChat, "leaveChat": (*Server).leaveChat,
		"sendPhoto": (*Server).sendPhoto, "sendDocument": (*Server).sendDocument, "sendVoice": (*Server).sendVoice,
		"copyMessage": (*Server).copyMessage, "pinChatMessage": (*Server).pinChatMessage,
		"unpinChatMessage": (*Server).unpinChatMessage, "createForumTopic": (*Server).createForumTopic,
		"editForumTopic": (*Server).editForumTopic, "closeForumTopic": (*Server).closeForumTopic,
		"reopenForumTopic": (*Server).reopenForumTopic, "deleteForumTopic": (*Server).deleteForumTopic,
	} {
		handlers[strings.ToLower(name)] = handler{name: name, fn: fn}
	}
}

// floodLimited are the methods Telegram's flood control applies to here.
var floodLimited = map[string]bool{
	"sendMessage": true, "sendLocation": true, "sendChatAction": true, "editMessageText": true,
	"editMessageReplyMarkup": true, "deleteMessage": true, "deleteMessages": true, "sendPhoto": true,
	"sendDocument": true, "sendVoice": true, "copyMessage": true, "createForumTopic": true, "pinChatMessage": true,
}

// newMessageMethods count towards the per-group messages-per-minute limit.
var newMessageMethods = map[string]bool{
	"sendMessage": true, "sendLocation": true, "sendPhoto": true, "sendDocument": true, "sendVoice": true,
	"copyMessage": true,
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/bot")
	token, method, _ := strings.Cut(rest, "/")
	if token != s.cfg.Token || s.cfg.Token == "" {
		writeEnvelope(w, nil, &APIError{Code: 401, Description: "Unauthorized"})
		return
	}
	h, ok := handlers[strings.ToLower(method)]
	if !ok {
		writeEnvelope(w, nil, &APIError{Code: 404, Description: "Not Found"})
		return
	}
	c := &call{ctx: r.Context(), method: h.name, now: s.now()}
	p, perr := parseParams(r)
	if perr != nil {
		s.logRequest(h.name, 0, c.now, perr.Code, p)
		writeEnvelope(w, nil, perr)
		return
	}
	c.p = p
	chatID, _ := p.int64("chat_id")
	var result any
	var aerr *APIError
	if floodLimited[h.name] && chatID != 0 {
		aerr = s.floodCheck(h.name, chatID, c.now)
	}
	if aerr == nil {
		result, aerr = h.fn(s, c)
		if aerr != nil && newMessageMethods[h.name] && chatID != 0 {
			s.unreserve(chatID, c.now)
		}
	}
	status := http.StatusOK
	if aerr != nil {
		status = aerr.Code
	}
	s.logRequest(h.name, chatID, c.now, status, p)
	writeEnvelope(w, result, aerr)
}

func writeEnvelope(w http.ResponseWriter, result any, aerr *APIError) {
	w.Header().Set("Content-Type", "application/json")
	if aerr != nil {
		body := map[string]any{"ok": false, "error_code": aerr.Code, "description": aerr.Description}
		if aerr.RetryAfter > 0 {
			body["parameters"] = map[string]int{"retry_after": aerr.RetryAfter}
		}
		if aerr.MigrateToChatID != 0 {
			body["parameters"] = map[string]int64{"migrate_to_chat_id": aerr.MigrateToChatID}
		}
		writeJSONLength(w, aerr.Code, body)
		return
	}
	writeJSONLength(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

// writeJSONLength answers with a Content-Length, as Telegram does, rather
// than in chunks, which net/http falls back to beyond 2 KB: a client that
// stops reading at the end of the JSON value then still sees the body end
// and can reuse the connection.
func writeJSONLength(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck
}

func (s *Server) logRequest(method string, chatID int64, at time.Time, status int, p params) {
	if s.cfg.NoRequestLog {
		return
	}
	all := p.all()
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: method, ChatID: chatID, At: at, Status: status, Params: all})
	s.mu.Unlock()
}

// Requests lists every Bot API call received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// params reads Bot API parameters the three ways clients send them: query
// string, form (urlencoded or multipart) and a JSON object body.
type params struct {
	form    url.Values
	json    map[string]json.RawMessage
	uploads map[string]string // multipart file parts: field name → file name
}

func parseParams(r *http.Request) (params, *APIError) {
	p := params{form: r.URL.Query()}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		body, err := io.ReadAll(io.LimitReader(r.Body, 50<<20))
		if err != nil {
			return p, badRequest("can't read request body")
		}
		if len(strings.TrimSpace(string(body))) > 0 {
			if err := json.Unmarshal(body, &p.json); err != nil {
				return p, badRequest("can't parse JSON object")
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return p, badRequest("can't parse multipart form")
		}
		for k, v := range r.MultipartForm.Value {
			p.form[k] = v
		}
		p.uploads = map[string]string{}
		for k, fs := range r.MultipartForm.File {
			if len(fs) > 0 {
				p.uploads[k] = fs[0].Filename
			}
		}
	case "application/x-www-form-urlencoded":
		form, err := readForm(r)
		if err != nil {
			return p, badRequest("can't parse form")
		}
		for k, v := range p.form {
			form[k] = append(form[k], v...)
		}
		// As after ParseForm, for whatever serves the request around this.
		r.Form = form
		p.form = form
	}
	return p, nil
}

// readForm reads a url-encoded body into a buffer of its announced length.
// Request.ParseForm grows one from 512 bytes, and a page of Georgian text,
// percent-encoded, is some 30 KB.
func readForm(r *http.Request) (url.Values, error) {
	const limit = 10 << 20
	var body []byte
	var err error
	if n := r.ContentLength; n > 0 && n <= limit {
		body = make([]byte, n)
		_, err = io.ReadFull(r.Body, body)
	} else {
		body, err = io.ReadAll(io.LimitReader(r.Body, limit))
	}
	if err != nil {
		return nil, err
	}
	return url.ParseQuery(string(body))
}

// raw returns a parameter's value; a JSON string is unquoted so that
// reply_markup sent as a JSON-encoded string and as an object read the same.
func (p params) raw(key string) (string, bool) {
	if v, ok := p.json[key]; ok {
		var str string
		if json.Unmarshal(v, &str) == nil {
			return str, true
		}
		if string(v) == "null" {
			return "", false
		}
		return string(v), true
	}
	if vs, ok := p.form[key]; ok && len(vs) > 0 {
		return vs[0], true
	}
	return "", false
}

// all is every parameter as received, for the request log.
func (p params) all() map[string]string {
	out := map[string]string{}
	for k := range p.form {
		out[k], _ = p.raw(k)
	}
	for k := range p.json {
		if v, ok := p.raw(k); ok {
			out[k] = v
		}
	}
	for k, name := range p.uploads {
		out[k] = "upload:" + name
	}
	return out
}

func (p params) str(key string) string {
	v, _ := p.raw(key)
	return v
}

func (p params) int64(key string) (int64, bool) {
	v, ok := p.raw(key)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

func (p params) float(key string) (float64, bool) {
	v, ok := p.raw(key)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	return f, err == nil
}

func (p params) bool(key string) bool {
	v := strings.ToLower(strings.TrimSpace(p.str(key)))
	return v == "true" || v == "1"
}

// Flood control.

type floodState struct {
	armed  time.Duration
	window *floodWindow
	sent   []time.Time // group messages in the last minute
}

type floodWindow struct {
	until     time.Time
	told      bool
	toldChats map[int64]bool
}

// FloodChat makes the next flood-limited request to chatID fail with 429
// and retry_after = retryAfter rounded up to seconds; every request to that
// chat until the window ends fails too and is recorded as a violation.
func (s *Server) FloodChat(chatID int64, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.floodFor(chatID).armed = retryAfter
}

// FloodGlobal opens a 429 window for every chat, starting now.
func (s *Server) FloodGlobal(retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.global = &floodWindow{until: s.now().Add(ceilSeconds(retryAfter)), toldChats: map[int64]bool{}}
}

// EnforceGroupLimit answers 429 once a group chat got perMinute new messages
// in the last 60 seconds (Telegram's documented limit is 20); 0 disables it.
func (s *Server) EnforceGroupLimit(perMinute int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groupLimit = perMinute
}

// Violations lists requests that arrived inside a 429 window the bot had
// already been told about.
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Violation(nil), s.violations...)
}

func (s *Server) floodFor(chatID int64) *floodState {
	f := s.flood[chatID]
	if f == nil {
		f = &floodState{}
		s.flood[chatID] = f
	}
	return f
}

func ceilSeconds(d time.Duration) time.Duration {
	return time.Duration(retrySeconds(d)) * time.Second
}

func retrySeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

func tooManyRequests(remaining time.Duration) *APIError {
	n := retrySeconds(remaining)
	return &APIError{Code: 429, Description: "Too Many Requests: retry after " + strconv.Itoa(n), RetryAfter: n}
}

func (s *Server) floodCheck(method string, chatID int64, now time.Time) *APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.global; g != nil && now.Before(g.until) {
		if g.told {
			s.violations = append(s.violations, Violation{Method: method, ChatID: chatID, At: now, Until: g.until, Global: true, ChatWasTold: g.toldChats[chatID]})
		}
		g.told = true
		g.toldChats[chatID] = true
		return tooManyRequests(g.until.Sub(now))
	}
	f := s.floodFor(chatID)
	if w := f.window; w != nil && now.Before(w.until) {
		s.violations = append(s.violations, Violation{Method: method, ChatID: chatID, At: now, Until: w.until, ChatWasTold: true})
		return tooManyRequests(w.until.Sub(now))
	}
	if f.armed > 0 {
		f.window = &floodWindow{until: now.Add(ceilSeconds(f.armed)), told: true}
		f.armed = 0
		return tooManyRequests(f.window.until.Sub(now))
	}
	if s.groupLimit > 0 && chatID < 0 && newMessageMethods[method] {
		cut := now.Add(-time.Minute)
		kept := f.sent[:0]
		for _, t := range f.sent {
			if t.After(cut) {
				kept = append(kept, t)
			}
		}
		f.sent = kept
		if len(f.sent) >= s.groupLimit {
			f.window = &floodWindow{until: f.sent[0].Add(time.Minute), told: true}
			return tooManyRequests(f.window.until.Sub(now))
		}
		// Reserve the slot now so concurrent sends cannot all slip through.
		f.sent = append(f.sent, now)
	}
	return nil
}

func (s *Server) unreserve(chatID int64, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.flood[chatID]
	if f == nil {
		return
	}
	for i := len(f.sent) - 1; i >= 0; i-- {
		if f.sent[i].Equal(at) {
			f.sent = append(f.sent[:i], f.sent[i+1:]...)
			return
		}
	}
}

// Updates queue and change notification.

func (s *Server) enqueueLocked(u tgUpdate) {
	u.UpdateID = s.nextUpd
	s.nextUpd++
	s.updates = append(s.updates, u)
	close(s.updSignal)
	s.updSignal = make(chan struct{})
}

// touchLocked marks an observable change and returns its sequence number.
func (s *Server) touchLocked() uint64 {
	s.version++
	close(s.changed)
	s.changed = make(chan struct{})
	return s.version
}

var errClosed = errors.New("localapi: server closed")
