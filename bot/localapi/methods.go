package localapi

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

func (s *Server) getMe(*call) (any, *APIError) { return s.bot, nil }

// chatForSend resolves chat_id for a method that writes into the chat and
// applies Telegram's refusal rules in its order: unknown chat, an upgraded
// basic group, blocked bot, a user who never wrote first, a group the bot
// is not in.
func (s *Server) chatForSend(c *call) (*chat, *APIError) {
	raw, ok := c.p.raw("chat_id")
	if !ok || strings.TrimSpace(raw) == "" {
		return nil, badRequest("chat_id is empty")
	}
	ch := s.chatByIDString(raw)
	if ch == nil {
		return nil, badRequest("chat not found")
	}
	if ch.migratedTo != 0 {
		return nil, &APIError{Code: 400, Description: "Bad Request: group chat was upgraded to a supergroup chat", MigrateToChatID: ch.migratedTo}
	}
	if ch.typ == "private" {
		if ch.blocked {
			return nil, &APIError{Code: 403, Description: "Forbidden: bot was blocked by the user"}
		}
		if !ch.started {
			return nil, &APIError{Code: 403, Description: "Forbidden: bot can't initiate conversation with a user"}
		}
		return ch, nil
	}
	switch ch.botStatus {
	case "kicked":
		return nil, &APIError{Code: 403, Description: "Forbidden: bot was kicked from the " + ch.typ + " chat"}
	case "left", "":
		return nil, &APIError{Code: 403, Description: "Forbidden: bot is not a member of the " + ch.typ + " chat"}
	}
	return ch, nil
}

func (s *Server) chatByIDString(raw string) *chat {
	id, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil {
		return nil
	}
	return s.chats[id]
}

// botAdmin reports whether the bot administers group chat ch.
func (ch *chat) botAdmin() bool { return ch.typ != "private" && ch.botStatus == "administrator" }

type markup struct {
	inline   *tgInlineMarkup
	buttons  [][]Button
	keyboard [][]KeyButton
	oneTime  bool
	remove   bool
}

const (
	maxInlineButtons = 100
	maxMarkupBytes   = 10 << 10
)

var buttonActions = []string{"callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat",
	"callback_game", "pay", "login_url", "web_app", "copy_text", "switch_inline_query_chosen_chat"}

func parseMarkup(raw string) (*markup, *APIError) {
	var m struct {
		InlineKeyboard [][]map[string]json.RawMessage `json:"inline_keyboard"`
		Keyboard       [][]json.RawMessage            `json:"keyboard"`
		RemoveKeyboard bool                           `json:"remove_keyboard"`
		OneTime        bool                           `json:"one_time_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	out := &markup{remove: m.RemoveKeyboard, oneTime: m.OneTime}
	// Telegram refuses an inline keyboard past 100 buttons, or a markup
	// past about 10 KB, with this answer.
	buttons := 0
	for _, row := range m.InlineKeyboard {
		buttons += len(row)
	}
	if buttons > maxInlineButtons || len(raw) > maxMarkupBytes {
		return nil, badRequest("reply markup is too long")
	}
	if m.InlineKeyboard != nil {
		out.inline = &tgInlineMarkup{InlineKeyboard: [][]tgInlineButton{}}
		for _, row := range m.InlineKeyboard {
			var wireRow []tgInlineButton
			var row2 []Button
			for _, b := range row {
				var text string
				if json.Unmarshal(b["text"], &text) != nil || strings.TrimSpace(text) == "" {
					return nil, badRequest("BUTTON_TEXT_INVALID")
				}
				hasAction := false
				for _, k := range buttonActions {
					if _, ok := b[k]; ok {
						hasAction = true
					}
				}
				if !hasAction {
					return nil, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
				}
				wb := tgInlineButton{Text: text}
				pb := Button{Text: text}
				if v, ok := b["callback_data"]; ok {
					var data string
					if json.Unmarshal(v, &data) != nil {
						return nil, badRequest("can't parse inline keyboard button: Field \"callback_data\" must be of type String")
					}
					if len(data) == 0 || len(data) > 64 {
						return nil, badRequest("BUTTON_DATA_INVALID")
					}
					wb.CallbackData, pb.CallbackData = &data, data
				}
				if v, ok := b["url"]; ok {
					var u string
					if json.Unmarshal(v, &u) != nil {
						return nil, badRequest("can't parse inline keyboard button: Field \"url\" must be of type String")
					}
					pu, err := url.Parse(u)
					if err != nil || (pu.Scheme != "http" && pu.Scheme != "https" && pu.Scheme != "tg") || (pu.Scheme != "tg" && pu.Host == "") {
						return nil, badRequest("BUTTON_URL_INVALID")
					}
					wb.URL, pb.URL = &u, u
				}
				wireRow = append(wireRow, wb)
				row2 = append(row2, pb)
			}
			out.inline.InlineKeyboard = append(out.inline.InlineKeyboard, wireRow)
			out.buttons = append(out.buttons, row2)
		}
	}
	for _, row := range m.Keyboard {
		var row2 []KeyButton
		for _, raw := range row {
			var kb KeyButton
			var text string
			if json.Unmarshal(raw, &text) == nil {
				kb.Text = text
			} else if json.Unmarshal(raw, &kb) != nil {
				return nil, badRequest("can't parse keyboard button")
			}
			if strings.TrimSpace(kb.Text) == "" {
				return nil, badRequest("BUTTON_TEXT_INVALID")
			}
			row2 = append(row2, kb)
		}
		out.keyboard = append(out.keyboard, row2)
	}
	return out, nil
}

// messageOptions reads what every send method shares: reply_markup,
// message_thread_id and the reply.
func (s *Server) messageOptions(c *call, ch *chat, r *record) *APIError {
	if mk, err := c.markupOnce(); err != nil {
		return err
	} else if mk != nil {
		if mk.inline != nil && len(mk.inline.InlineKeyboard) > 0 {
			r.inline = mk.inline
			r.bot.InlineKeyboard = mk.buttons
		}
		r.bot.ReplyKeyboard = mk.keyboard
		r.bot.RemoveKeyboard = mk.remove
	}
	return s.placeLocked(c, ch, r)
}

// placeLocked puts a new bot message in its topic or reply thread. Telegram
// checks the topic first, then the reply; a reply without
// message_thread_id lands in the replied message's topic.
func (s *Server) placeLocked(c *call, ch *chat, r *record) *APIError {
	var tp *topic
	if id, ok := c.p.int64("message_thread_id"); ok && id != 0 && ch.forum {
		if tp = ch.topics[int(id)]; tp == nil {
			return badRequest("message thread not found")
		}
	}
	replyTo, _ := c.p.int64("reply_to_message_id")
	allowWithout := c.p.bool("allow_sending_without_reply")
	if raw, ok := c.p.raw("reply_parameters"); ok {
		var rp struct {
			MessageID                int  `json:"message_id"`
			AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
		}
		if json.Unmarshal([]byte(raw), &rp) != nil {
			return badRequest("can't parse reply parameters JSON object")
		}
		replyTo, allowWithout = int64(rp.MessageID), allowWithout || rp.AllowSendingWithoutReply
	}
	var to *record
	if replyTo != 0 {
		to = ch.live(int(replyTo))
		if to != nil && tp != nil && (!to.topic || to.thread != tp.id) {
			to = nil // a reply across topics is not a reply Telegram can show
		}
		if to == nil && !allowWithout {
			return badRequest("message to be replied not found")
		}
	}
	if to != nil && tp == nil && ch.forum && to.topic {
		tp = ch.topics[to.thread]
	}
	if tp != nil && tp.closed && !ch.canManageTopics() {
		return badRequest("TOPIC_CLOSED")
	}
	r.thread, r.topic = threadFor(ch, tp, to)
	if to != nil {
		r.replyTo, r.bot.ReplyTo = to.id, to.id
	}
	return nil
}

// threadFor is the message_thread_id of a new message: its forum topic, or
// in a supergroup the root of the reply chain it joins (Telegram sets it
// on replies in every supergroup, without is_topic_message).
func threadFor(ch *chat, tp *topic, to *record) (thread int, isTopic bool) {
	switch {
	case tp != nil:
		return tp.id, true
	case to != nil && ch.typ == "supergroup":
		if to.thread != 0 {
			return to.thread, false
		}
		return to.id, false
	}
	return 0, false
}

func (s *Server) storeBotMessageLocked(ch *chat, r *record, now time.Time) tgMessage {
	r.fromBot = true
	r.date = now
	ch.add(r)
	r.bot.ID, r.bot.ChatID, r.bot.Date, r.bot.From = r.id, ch.id, now, s.bot.ID
	r.bot.Kind, r.bot.FileID, r.bot.ThreadID = r.kind, fileIDOf(&r.wire), r.thread
	if len(r.bot.ReplyKeyboard) > 0 {
		ch.replyKb = cloneRows(r.bot.ReplyKeyboard)
	} else if r.bot.RemoveKeyboard {
		ch.replyKb = nil
	}
	r.seq = s.touchLocked()
	return s.botWire(ch, r)
}

// serviceLocked records a service message the bot caused (a topic opened,
// a message pinned). Telegram does not send the bot its own messages.
func (s *Server) serviceLocked(ch *chat, thread int, now time.Time, build func(m *tgMessage)) *record {
	r := &record{kind: "service", fromBot: true, date: now, thread: thread, topic: thread != 0}
	ch.add(r)
	build(&r.wire)
	r.bot.ID, r.bot.ChatID, r.bot.Date, r.bot.From = r.id, ch.id, now, s.bot.ID
	r.seq = s.touchLocked()
	return r
}

func (s *Server) sendMessage(c *call) (any, *APIError) {
	// Parsing needs nothing of the server's, so it is done before the
	// lock; its errors still come in Telegram's order, after the chat's.
	text, parseMode := c.p.str("text"), c.p.str("parse_mode")
	f, textErr := formatText(text, parseMode)
	c.markupOnce()
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.chatForSend(c)
	if aerr != nil {
		return nil, aerr
	}
	if textErr != nil {
		return nil, textErr
	}
	r := &record{kind: "text", nodes: f.nodes}
	r.bot.Text, r.bot.PlainText, r.bot.ParseMode, r.bot.Entities = text, f.text, parseMode, f.entities
	r.bot.NoLinkPreview = c.p.bool("disable_web_page_preview")
	if raw, ok := c.p.raw("link_preview_options"); ok {
		var lp struct {
			IsDisabled bool `json:"is_disabled"`
		}
		if json.Unmarshal([]byte(raw), &lp) != nil {
			return nil, badRequest("can't parse link preview options JSON object")
		}
		r.bot.NoLinkPreview = r.bot.NoLinkPreview || lp.IsDisabled
	}
	if aerr := s.messageOptions(c, ch, r); aerr != nil {
		return nil, aerr
	}
	return s.storeBotMessageLocked(ch, r, c.now), nil
}

func (s *Server) sendLocation(c *call) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.chatForSend(c)
	if aerr != nil {
		return nil, aerr
	}
	lat, ok1 := c.p.float("latitude")
	lon, ok2 := c.p.float("longitude")
	if !ok1 || !ok2 || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return nil, badRequest("wrong latitude or longitude")
	}
	r := &record{kind: "location"}
	r.bot.Location = &Location{Latitude: lat, Longitude: lon}
	if aerr := s.messageOptions(c, ch, r); aerr != nil {
		return nil, aerr
	}
	return s.storeBotMessageLocked(ch, r, c.now), nil
}

// botMessageFor finds the message an edit or delete refers to.
func (s *Server) botMessageFor(c *call, notFound string) (*chat, *record, *APIError) {
	if c.p.str("inline_message_id") != "" {
		return nil, nil, badRequest("MESSAGE_ID_INVALID")
	}
	ch, aerr := s.chatForSend(c)
	if aerr != nil {
		return nil, nil, aerr
	}
	id, ok := c.p.int64("message_id")
	if !ok {
		return nil, nil, badRequest("message identifier is not specified")
	}
	r := ch.live(int(id))
	if r == nil {
		return nil, nil, badRequest("%s", notFound)
	}
	return ch, r, nil
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

// editMarkup reads reply_markup of an edit. Omitting it removes the inline
// keyboard, as on Telegram.
func editMarkup(c *call) (*markup, *APIError) {
	mk, aerr := c.markupOnce()
	if aerr != nil {
		return nil, aerr
	}
	if mk == nil {
		return &markup{}, nil
	}
	if mk.keyboard != nil || mk.remove {
		return nil, badRequest("inline keyboard expected")
	}
	if mk.inline != nil && len(mk.inline.InlineKeyboard) == 0 {
		mk.inline, mk.buttons = nil, nil
	}
	return mk, nil
}

func (s *Server) editMessageText(c *call) (any, *APIError) {
	// As in sendMessage: parsed before the lock, errors in Telegram's order.
	text, parseMode := c.p.str("text"), c.p.str("parse_mode")
	f, textErr := formatText(text, parseMode)
	mk, markupErr := editMarkup(c)
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, r, aerr := s.botMessageFor(c, "message to edit not found")
	if aerr != nil {
		return nil, aerr
	}
	if !r.fromBot || r.kind == "service" {
		return nil, badRequest("message can't be edited")
	}
	if r.kind != "text" {
		return nil, badRequest("there is no text in the message to edit")
	}
	if textErr != nil {
		return nil, textErr
	}
	if markupErr != nil {
		return nil, markupErr
	}
	if f.text == r.bot.PlainText && entitiesKey(f.entities) == entitiesKey(r.bot.Entities) && markupKey(mk.inline) == markupKey(r.inline) {
		return nil, badRequest(notModified)
	}
	r.nodes = f.nodes
	r.bot.Text, r.bot.PlainText, r.bot.ParseMode, r.bot.Entities = text, f.text, parseMode, f.entities
	r.inline, r.bot.InlineKeyboard = mk.inline, mk.buttons
	if c.p.bool("disable_web_page_preview") {
		r.bot.NoLinkPreview = true
	}
	s.markEditedLocked(r, c.now)
	return s.botWire(ch, r), nil
}

func (s *Server) editMessageReplyMarkup(c *call) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, r, aerr := s.botMessageFor(c, "message to edit not found")
	if aerr != nil {
		return nil, aerr
	}
	if !r.fromBot || r.kind == "service" {
		return nil, badRequest("message can't be edited")
	}
	mk, aerr := editMarkup(c)
	if aerr != nil {
		return nil, aerr
	}
	if markupKey(mk.inline) == markupKey(r.inline) {
		return nil, badRequest(notModified)
	}
	r.inline, r.bot.InlineKeyboard = mk.inline, mk.buttons
	s.markEditedLocked(r, c.now)
	return s.botWire(ch, r), nil
}

func (s *Server) markEditedLocked(r *record, now time.Time) {
	r.edited = now
	r.bot.Edited = true
	r.bot.EditCount++
	r.seq = s.touchLocked()
}

// deleteMessage follows the Bot API rules: anything younger than 48 h; in
// groups other people's messages only with can_delete_messages; never the
// message that created a forum topic.
func (s *Server) deleteMessage(c *call) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, r, aerr := s.botMessageFor(c, "message to delete not found")
	if aerr != nil {
		return nil, aerr
	}
	if aerr := deletable(ch, r, c.now); aerr != nil {
		return nil, aerr
	}
	s.deleteLocked(ch, r)
	return true, nil
}

// maxDeleteMessages is how many messages one deleteMessages call may name.
const maxDeleteMessages = 100

// deleteMessages deletes up to 100 messages of a chat at once. Those that
// cannot be found or deleted are skipped, as Telegram documents. The
// descriptions of a missing or oversized list are this fake's own.
func (s *Server) deleteMessages(c *call) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.chatForSend(c)
	if aerr != nil {
		return nil, aerr
	}
	raw, _ := c.p.raw("message_ids")
	var ids []int64
	if raw == "" || json.Unmarshal([]byte(raw), &ids) != nil {
		return nil, badRequest("can't parse message identifiers JSON array")
	}
	if len(ids) == 0 {
		return nil, badRequest("message identifiers are not specified")
	}
	if len(ids) > maxDeleteMessages {
		return nil, badRequest("too many message identifiers specified")
	}
	for _, id := range ids {
		if r := ch.live(int(id)); r != nil && deletable(ch, r, c.now) == nil {
			s.deleteLocked(ch, r)
		}
	}
	return true, nil
}

// deletable says why Telegram would refuse to delete r, or nil.
func deletable(ch *chat, r *record, now time.Time) *APIError {
	switch {
	case now.Sub(r.date) >= 48*time.Hour:
		return badRequest("message can't be deleted for everyone")
	case r.topicCreation():
		return badRequest("message can't be deleted")
	case !r.fromBot && ch.typ != "private" && !(ch.botAdmin() && ch.botRights.DeleteMessages):
		return badRequest("message can't be deleted")
	}
	return nil
}

func (s *Server) deleteLocked(ch *chat, r *record) {
	if r.fromBot {
		r.bot.Deleted = true
	} else {
		r.kind = "deleted"
	}
	s.unpinLocked(ch, r)
	r.seq = s.touchLocked()
}

func (s *Server) answerCallbackQuery(c *call) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := c.p.str("callback_query_id")
	cb := s.callbacks[id]
	if cb == nil || cb.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	if text := c.p.str("text"); UTF16Len(text) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	cb.answered = true
	cb.chat.unanswered--
	cb.chat.answers = append(cb.chat.answers, CallbackAnswer{
		QueryID: id, MessageID: cb.messageID, Data: cb.data, Text: c.p.str("text"),
		ShowAlert: c.p.bool("show_alert"), URL: c.p.str("url"), At: c.now,
	})
	s.touchLocked()
	return true, nil
}

var commandName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// commandKey identifies a command list by scope and language, as Telegram
// stores them.
func commandKey(c *call) (string, *APIError) {
	scope := "default"
	if raw, ok := c.p.raw("scope"); ok && raw != "" {
		var sc struct {
			Type   string          `json:"type"`
			ChatID json.RawMessage `json:"chat_id"`
			UserID int64           `json:"user_id"`
		}
		if json.Unmarshal([]byte(raw), &sc) != nil || sc.Type == "" {
			return "", badRequest("can't parse BotCommandScope JSON object")
		}
		scope = sc.Type
		if len(sc.ChatID) > 0 {
			scope += ":" + strings.Trim(string(sc.ChatID), `"`)
		}
		if sc.UserID != 0 {
			scope += ":" + strconv.FormatInt(sc.UserID, 10)
		}
	}
	lang := c.p.str("language_code")
	if lang != "" && !regexp.MustCompile(`^[a-z]{2}$`).MatchString(lang) {
		return "", badRequest("invalid language code specified")
	}
	return scope + "|" + lang, nil
}

func (s *Server) setMyCommands(c *call) (any, *APIError) {
	key, aerr := commandKey(c)
	if aerr != nil {
		return nil, aerr
	}
	raw, ok := c.p.raw("commands")
	if !ok {
		return nil, badRequest("parameter \"commands\" is required")
	}
	var cmds []BotCommand
	if json.Unmarshal([]byte(raw), &cmds) != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands specified")
	}
	for _, cmd := range cmds {
		if !commandName.MatchString(cmd.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if d := UTF16Len(strings.TrimSpace(cmd.Description)); d == 0 || d > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = cmds
	}
	s.touchLocked()
	return true, nil
}

func (s *Server) getMyCommands(c *call) (any, *APIError) {
	key, aerr := commandKey(c)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BotCommand{}, s.commands[key]...), nil
}

func (s *Server) deleteMyCommands(c *call) (any, *APIError) {
	key, aerr := commandKey(c)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, key)
	s.touchLocked()
	return true, nil
}

// Commands returns the default-scope command list stored for exactly this
// language code ("" is the fallback list), as set with setMyCommands.
func (s *Server) Commands(languageCode string) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BotCommand(nil), s.commands["default|"+languageCode]...)
}

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true, "record_voice": true,
	"upload_voice": true, "upload_document": true, "choose_sticker": true, "find_location": true,
	"record_video_note": true, "upload_video_note": true,
}

func (s *Server) sendChatAction(c *call) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, aerr := s.chatForSend(c); aerr != nil {
		return nil, aerr
	}
	if !chatActions[c.p.str("action")] {
		return nil, badRequest("wrong parameter action in request")
	}
	return true, nil
}

func (s *Server) lookupChat(c *call) (*chat, *APIError) {
	raw, ok := c.p.raw("chat_id")
	if !ok || raw == "" {
		return nil, badRequest("chat_id is empty")
	}
	ch := s.chatByIDString(raw)
	if ch == nil {
		return nil, badRequest("chat not found")
	}
	return ch, nil
}

func (s *Server) getChat(c *call) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.lookupChat(c)
	if aerr != nil {
		return nil, aerr
	}
	out := map[string]any{"id": ch.id, "type": ch.typ}
	w := ch.wire()
	if w.Title != "" {
		out["title"] = w.Title
	}
	if w.FirstName != "" {
		out["first_name"] = w.FirstName
	}
	if ch.forum {
		out["is_forum"] = true
	}
	if n := len(ch.pins); n > 0 {
		out["pinned_message"] = s.innerWire(ch, ch.byID[ch.pins[n-1]])
	}
	return out, nil
}

func (s *Server) getChatMember(c *call) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.lookupChat(c)
	if aerr != nil {
		return nil, aerr
	}
	uid, ok := c.p.int64("user_id")
	if !ok {
		return nil, badRequest("user not found")
	}
	if uid == s.bot.ID {
		status := "member"
		if ch.typ != "private" {
			status = ch.botStatus
		}
		return s.botMemberLocked(ch, status), nil
	}
	u := s.userByIDLocked(uid)
	if u == nil {
		return nil, badRequest("user not found")
	}
	status := "left"
	if ch.typ == "private" {
		if ch.id != uid {
			return nil, badRequest("user not found")
		}
		status = "member"
	} else if st, ok := ch.members[uid]; ok {
		status = st
	}
	return memberWire(ch, u.wireLocked(), status, personRights(status)), nil
}

func (s *Server) leaveChat(c *call) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.lookupChat(c)
	if aerr != nil {
		return nil, aerr
	}
	if ch.typ == "private" {
		return nil, badRequest("chat member status can't be changed in private chats")
	}
	if ch.botStatus == "left" || ch.botStatus == "kicked" {
		return nil, &APIError{Code: 403, Description: "Forbidden: bot is not a member of the " + ch.typ + " chat"}
	}
	s.setBotStatusLocked(ch, s.bot, "left", AdminRights{}, c.now)
	return true, nil
}
