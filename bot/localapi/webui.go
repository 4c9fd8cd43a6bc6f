package localapi

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed web
var webFiles embed.FS

func (s *Server) serveAssets(w http.ResponseWriter, r *http.Request) {
	sub, _ := fs.Sub(webFiles, "web")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'")
	http.FileServer(http.FS(sub)).ServeHTTP(w, r)
}

// UI wire types: what the chat page needs, nothing more.

type uiMessage struct {
	ID         int           `json:"id"`
	FromBot    bool          `json:"from_bot"`
	SenderID   int64         `json:"sender_id,omitempty"`
	SenderName string        `json:"sender_name,omitempty"`
	Date       int64         `json:"date"`
	Kind       string        `json:"kind"`
	Text       string        `json:"text,omitempty"`
	Nodes      []*Node       `json:"nodes,omitempty"`
	Inline     [][]Button    `json:"inline,omitempty"`
	Location   *Location     `json:"location,omitempty"`
	Contact    *tgContact    `json:"contact,omitempty"`
	Caption    string        `json:"caption,omitempty"`
	FileName   string        `json:"file_name,omitempty"`
	Forwarded  bool          `json:"forwarded,omitempty"`
	Edited     bool          `json:"edited,omitempty"`
	Deleted    bool          `json:"deleted,omitempty"`
	ReplyTo    int           `json:"reply_to,omitempty"`
	NewMembers []string      `json:"new_members,omitempty"`
	Keyboard   [][]KeyButton `json:"keyboard,omitempty"`
	Service    string        `json:"service,omitempty"` // which service event
	Topic      string        `json:"topic,omitempty"`   // name of the message's forum topic
	Thread     int           `json:"thread,omitempty"`  // its forum topic's id
	Pinned     bool          `json:"pinned,omitempty"`
}

type uiAnswer struct {
	QueryID   string `json:"query_id"`
	Text      string `json:"text"`
	ShowAlert bool   `json:"show_alert"`
	At        int64  `json:"at"`
}

type uiChat struct {
	ID            int64         `json:"id"`
	Type          string        `json:"type"`
	Title         string        `json:"title"`
	Forum         bool          `json:"forum,omitempty"`
	Blocked       bool          `json:"blocked"`
	BotStatus     string        `json:"bot_status,omitempty"`
	Messages      []uiMessage   `json:"messages"`
	ReplyKeyboard [][]KeyButton `json:"reply_keyboard,omitempty"`
	Answers       []uiAnswer    `json:"answers"`
	Topics        []uiTopic     `json:"topics"`
	Pins          []int         `json:"pins"` // pinned messages, oldest first
}

type uiTopic struct {
	ID     int    `json:"id"`
	Name   string `json:"name"`
	Closed bool   `json:"closed,omitempty"`
}

// uiState is what one long poll returns: everyone on the page, and the
// chats it shows (the worker's and the group's side by side).
type uiState struct {
	Version uint64 `json:"version"`
	// Session changes when a new server takes the address, so the page
	// drops the ids it kept from the old one.
	Session  string       `json:"session"`
	Bot      tgUser       `json:"bot"`
	Users    []uiPerson   `json:"users"`
	Groups   []uiGroup    `json:"groups"`
	Chats    []*uiChat    `json:"chats"`
	Commands []BotCommand `json:"commands"`
}

type uiPerson struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Lang string `json:"lang"`
}

type uiGroup struct {
	ID      int64   `json:"id"`
	Title   string  `json:"title"`
	Forum   bool    `json:"forum,omitempty"`
	Members []int64 `json:"members"`
}

func (s *Server) uiChatLocked(c *chat) *uiChat {
	out := &uiChat{ID: c.id, Type: c.typ, Title: c.title, Forum: c.forum, Blocked: c.blocked, BotStatus: c.botStatus,
		Messages: []uiMessage{}, ReplyKeyboard: c.replyKb, Answers: []uiAnswer{}, Topics: []uiTopic{}, Pins: []int{}}
	if c.typ == "private" {
		out.Title = c.user.name
	}
	for _, t := range c.topics {
		out.Topics = append(out.Topics, uiTopic{ID: t.id, Name: t.name, Closed: t.closed})
	}
	sort.Slice(out.Topics, func(i, j int) bool { return out.Topics[i].ID < out.Topics[j].ID })
	for _, id := range c.pins {
		if r := c.live(id); r != nil && r.pinned {
			out.Pins = append(out.Pins, id)
		}
	}
	for _, r := range c.msgs {
		m := uiMessage{ID: r.id, FromBot: r.fromBot, Date: r.date.Unix(), Kind: r.kind, ReplyTo: r.replyTo, Pinned: r.pinned}
		if t := c.topics[r.thread]; r.topic && t != nil {
			m.Topic, m.Thread = t.name, t.id
		}
		w := r.wire
		switch {
		case r.fromBot && r.kind == "service":
			m.SenderName, m.Service, m.Deleted = s.bot.FirstName, serviceName(&w), r.bot.Deleted
		case r.fromBot:
			m.Nodes, m.Inline, m.Location = r.nodes, r.bot.InlineKeyboard, r.bot.Location
			m.Edited, m.Deleted, m.Keyboard = r.bot.Edited, r.bot.Deleted, r.bot.ReplyKeyboard
			m.Caption = r.bot.PlainCaption
			if r.kind != "text" {
				m.Nodes = nil
			}
			if m.Deleted {
				m.Nodes, m.Inline = nil, nil
			}
		default:
			m.SenderID, m.SenderName = r.sender.id, r.sender.name
			m.Text, m.Location, m.Contact, m.Caption = w.Text, w.Location, w.Contact, w.Caption
			m.Forwarded, m.Edited, m.Deleted = w.ForwardFrom != nil, w.EditDate != 0, r.kind == "deleted"
			if r.kind == "service" {
				m.Service = serviceName(&w)
			}
			for _, nm := range w.NewChatMembers {
				m.NewMembers = append(m.NewMembers, nm.FirstName)
			}
		}
		if w.Document != nil {
			m.FileName = w.Document.FileName
		}
		out.Messages = append(out.Messages, m)
	}
	for _, a := range c.answers {
		out.Answers = append(out.Answers, uiAnswer{QueryID: a.QueryID, Text: a.Text, ShowAlert: a.ShowAlert, At: a.At.UnixMilli()})
	}
	return out
}

func (s *Server) uiStateLocked(chatIDs []int64, userID int64) uiState {
	st := uiState{Version: s.version, Session: s.session, Bot: s.bot, Users: []uiPerson{}, Groups: []uiGroup{},
		Chats: []*uiChat{}, Commands: []BotCommand{}}
	for _, u := range s.users {
		st.Users = append(st.Users, uiPerson{ID: u.id, Name: u.name, Lang: u.lang})
	}
	for _, g := range s.groups {
		ug := uiGroup{ID: g.id, Title: g.title, Forum: g.chat.forum, Members: []int64{}}
		for _, u := range s.users {
			if st := g.chat.members[u.id]; canPost(st) || st == "restricted" {
				ug.Members = append(ug.Members, u.id)
			}
		}
		st.Groups = append(st.Groups, ug)
	}
	for _, id := range chatIDs {
		if c := s.chats[id]; c != nil {
			st.Chats = append(st.Chats, s.uiChatLocked(c))
		}
	}
	// Telegram clients show the list for the user's language, else the default.
	if u := s.userByIDLocked(userID); u != nil {
		if cmds, ok := s.commands["default|"+u.lang]; ok {
			st.Commands = cmds
		} else if cmds, ok := s.commands["default|"]; ok {
			st.Commands = cmds
		}
	}
	return st
}

type uiRequest struct {
	User      int64   `json:"user"`
	Chat      int64   `json:"chat"`
	Name      string  `json:"name"`
	Lang      string  `json:"lang"`
	Title     string  `json:"title"`
	Members   []int64 `json:"members"`
	Text      string  `json:"text"`
	MessageID int     `json:"message_id"` // press: the button's message; send, media: the message replied to; edit: the edited one
	Thread    int     `json:"thread"`     // a forum topic to write in
	Row       int     `json:"row"`
	Col       int     `json:"col"`
	Kind      string  `json:"kind"`
	Caption   string  `json:"caption"`
	Lat       float64 `json:"lat"`
	Lon       float64 `json:"lon"`
	Blocked   bool    `json:"blocked"`
}

func (s *Server) serveUI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	action := strings.TrimPrefix(r.URL.Path, "/ui/api/")
	if action == "state" {
		s.uiPoll(w, r)
		return
	}
	if r.Method != http.MethodPost {
		uiError(w, http.StatusMethodNotAllowed, "POST required")
		return
	}
	var req uiRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		uiError(w, http.StatusBadRequest, "invalid JSON")
		return
	}
	result, err := s.uiAction(action, req)
	if err != nil {
		uiError(w, http.StatusBadRequest, err.Error())
		return
	}
	json.NewEncoder(w).Encode(result) //nolint:errcheck
}

func uiError(w http.ResponseWriter, code int, msg string) {
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": msg}) //nolint:errcheck
}

type uiErr string

func (e uiErr) Error() string { return string(e) }

func (s *Server) uiAction(action string, req uiRequest) (any, error) {
	switch action {
	case "users":
		name, err := uiName(req.Name)
		if err != nil {
			return nil, err
		}
		return map[string]int64{"id": s.NewUser(name, req.Lang).id}, nil
	case "join":
		g := s.uiGroup(req.Chat)
		if g == nil {
			return nil, uiErr("unknown group")
		}
		name, err := uiName(req.Name)
		if err != nil {
			return nil, err
		}
		u := s.NewUser(name, req.Lang)
		g.Join(u)
		return map[string]int64{"id": u.id}, nil
	}
	s.mu.Lock()
	u := s.userByIDLocked(req.User)
	s.mu.Unlock()
	if u == nil {
		return nil, uiErr("unknown user")
	}
	g := s.uiGroup(req.Chat)
	switch action {
	case "groups":
		members := []*User{u}
		s.mu.Lock()
		for _, id := range req.Members {
			if m := s.userByIDLocked(id); m != nil && m != u {
				members = append(members, m)
			}
		}
		s.mu.Unlock()
		title := strings.TrimSpace(req.Title)
		if title == "" {
			return nil, uiErr("title required")
		}
		return map[string]int64{"id": s.NewGroup(title, members...).id}, nil
	case "send":
		if strings.TrimSpace(req.Text) == "" {
			return nil, uiErr("empty message")
		}
		if g == nil {
			return sent(s.uiPrivateText(u, req.MessageID, req.Text))
		}
		if req.Thread != 0 {
			if req.MessageID != 0 {
				return sent(g.ReplyInTopic(u, req.Thread, req.MessageID, req.Text))
			}
			return sent(g.SendInTopic(u, req.Thread, req.Text))
		}
		if req.MessageID != 0 {
			return sent(g.Reply(u, req.MessageID, req.Text))
		}
		return sent(g.Send(u, req.Text))
	case "edit":
		if strings.TrimSpace(req.Text) == "" {
			return nil, uiErr("empty message")
		}
		edit := u.Edit
		if g != nil {
			edit = func(id int, text string) error { return g.Edit(u, id, text) }
		}
		if err := edit(req.MessageID, req.Text); err != nil {
			return nil, uiErr("that message cannot be edited")
		}
		return map[string]int{"id": req.MessageID}, nil
	case "press":
		c := u.chat
		if g != nil {
			c = g.current()
		}
		s.mu.Lock()
		rec := c.byID[req.MessageID]
		var data string
		if rec != nil && rec.fromBot && req.Row >= 0 && req.Row < len(rec.bot.InlineKeyboard) &&
			req.Col >= 0 && req.Col < len(rec.bot.InlineKeyboard[req.Row]) {
			data = rec.bot.InlineKeyboard[req.Row][req.Col].CallbackData
		}
		s.mu.Unlock()
		if data == "" {
			return nil, uiErr("no such button")
		}
		return map[string]bool{"ok": true}, s.pressData(u, c, req.MessageID, data)
	case "location":
		return map[string]int{"id": u.SendLocation(req.Lat, req.Lon)}, nil
	case "contact":
		return map[string]int{"id": u.SendContact("")}, nil
	case "media":
		if g != nil {
			return s.uiGroupMedia(g, u, req)
		}
		var id int
		switch req.Kind {
		case "photo":
			id = u.SendPhoto(req.Caption)
		case "sticker":
			id = u.SendSticker()
		case "voice":
			id = u.SendVoice()
		case "video_note":
			id = u.SendVideoNote()
		case "document":
			id = u.SendDocument("contract.pdf", "application/pdf", req.Caption)
		default:
			return nil, uiErr("unknown media kind")
		}
		return map[string]int{"id": id}, nil
	case "block":
		if req.Blocked {
			u.BlockBot()
			return map[string]bool{"ok": true}, nil
		}
		// Unblocking is pressing "Restart", which sends /start.
		return map[string]int{"id": u.SendText("/start")}, nil
	case "lang":
		u.SetLanguage(req.Lang)
		s.mu.Lock()
		s.touchLocked()
		s.mu.Unlock()
		return map[string]bool{"ok": true}, nil
	}
	return nil, uiErr("unknown action")
}

func uiName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 64 {
		return "", uiErr("name required")
	}
	return name, nil
}

func (s *Server) uiGroup(id int64) *Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.groups {
		if g.id == id {
			return g
		}
	}
	return nil
}

// sent answers a post; 0 is a message Telegram would not have taken.
func sent(id int) (any, error) {
	if id == 0 {
		return nil, uiErr("Telegram would not post this here (not a member, a closed topic, or the message replied to is gone)")
	}
	return map[string]int{"id": id}, nil
}

// uiPrivateText sends text in u's chat with the bot, as a reply to message
// to when it is not 0 and still there (Telegram drops a reply to a message
// deleted meanwhile).
func (s *Server) uiPrivateText(u *User, to int, text string) int {
	if to == 0 {
		return u.SendText(text)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := u.chat
	quoted := c.live(to)
	r := s.postLocked(u, c, "text", func(m *tgMessage) {
		setText(m, text)
		if quoted != nil {
			m.ReplyToMessage = s.innerWire(c, quoted)
		}
	})
	if quoted != nil {
		r.replyTo = quoted.id
	}
	return r.id
}

// uiGroupMedia posts a file into a group, in the topic and as the reply
// the page asks for.
func (s *Server) uiGroupMedia(g *Group, u *User, req uiRequest) (any, error) {
	switch req.Kind {
	case "photo":
		return sent(g.SendPhoto(u, req.Thread, req.MessageID, req.Caption))
	case "document":
		return sent(g.SendDocument(u, req.Thread, req.MessageID, "contract.pdf", "application/pdf", req.Caption))
	case "voice":
		return sent(g.SendVoice(u, req.Thread, req.MessageID))
	case "sticker":
		return sent(g.SendSticker(u, req.Thread, req.MessageID))
	}
	return nil, uiErr("unknown media kind")
}

// uiPoll long-polls: it answers once the version moved past "since", or
// after 25 s with the unchanged state.
func (s *Server) uiPoll(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, _ := strconv.ParseUint(q.Get("since"), 10, 64)
	var chatIDs []int64
	for _, v := range q["chat"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			chatIDs = append(chatIDs, id)
		}
	}
	userID, _ := strconv.ParseInt(q.Get("user"), 10, 64)
	timer := time.NewTimer(25 * time.Second)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if s.version != since {
			st := s.uiStateLocked(chatIDs, userID)
			s.mu.Unlock()
			json.NewEncoder(w).Encode(st) //nolint:errcheck
			return
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			since = ^uint64(0) // answer with the current state
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		}
	}
}
