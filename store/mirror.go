package store

import "sync"

// mirror holds, in memory, what this process knows for certain about some
// chats' outbox rows and chat rows. Reading them back from SQLite was the
// dearest read of an update: every commit invalidates the page cache of
// the reader connections, so each read re-read its pages and unsealed them.
//
// It stays exact because every write to those tables goes through this
// package and reports its change (a Tx's changes); the changes of a batch
// are applied only after it committed, by the one goroutine that commits,
// before any caller of that batch learns it committed. An entry is filled
// from a read only when no commit that could have touched it was applied
// while the read ran. A read may also see a commit whose changes are
// applied only after it filled: every change is therefore applied so that
// applying it to what already shows it changes nothing (an enqueued row
// the entry holds is not added again). Anything uncertain — a deferral, a
// failure, a block, an erasure, memory growing — makes entries unknown, and
// the next read asks SQLite. The plain text it holds is what the sender is about to send
// and the conversation state the next update needs; none of it reaches
// the disk.
type mirror struct {
	mu sync.Mutex
	// seq counts applied commits; stamps are taken from it.
	seq uint64
	// floor is seq when entries were last forgotten wholesale: a read that
	// began before it may have missed a commit whose stamp went with them.
	floor uint64
	// loose is seq when an outbox row of no known chat last changed (its
	// chat not named): any chat's outbox read running then may be stale.
	loose       uint64
	outbox      map[int64]*outboxEntry
	chats       map[int64]*chatEntry
	chatOf      map[int64]int64 // outbox id → chat, for the rows of known entries
	outboxBytes int
	// chatBytes is the size of the chat states held: a count of chats
	// alone let states of 8,192 chats hold tens of megabytes.
	chatBytes int
}

// The mirror forgets everything when it grows past these; the cost is one
// read per chat afterwards.
const (
	mirrorMaxChats       = 8192
	mirrorMaxOutboxBytes = 4 << 20
	mirrorMaxChatBytes   = 4 << 20
	mirrorMaxChatRows    = 8
)

type outboxEntry struct {
	stamp uint64 // seq of the last commit that changed this chat's outbox
	known bool   // rows are exactly the chat's outbox
	rows  []OutboxMessage
}

type chatEntry struct {
	stamp uint64
	known bool // chat (or, with found false, its absence) is exactly the row
	found bool
	chat  Chat
}

// change is one write a Tx made to a mirrored table.
type change struct {
	kind   changeKind
	chatID int64          // for the kinds about a chat
	id     int64          // for the kinds about one outbox row
	msg    *OutboxMessage // enqueued
	chat   *Chat          // saved
}

type changeKind int

const (
	changeEnqueued    changeKind = iota // msg was added to chatID's outbox
	changeRowSent                       // outbox row id was deleted
	changeRowOther                      // outbox row id was changed or deleted otherwise
	changeOutboxOther                   // chatID's outbox changed in a way not told
	changeChatSaved                     // chat was upserted, unblocked
	changeChatOther                     // chatID's row changed in a way not told
	changeEverything                    // anything may have changed
)

// afterRead, when set (tests only), runs between a read and the filling of
// the mirror with it: where a commit racing the read would land.
var afterRead func()

// beforeApply, when set (tests only), runs between a batch's commit and the
// applying of its changes: where a read that already sees the commit can
// fill the mirror first.
var beforeApply func()

// mark begins a read that may fill the mirror.
func (m *mirror) mark() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seq
}

// apply records a committed batch's changes.
func (m *mirror) apply(changes []change) {
	if len(changes) == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	for _, c := range changes {
		switch c.kind {
		case changeEnqueued:
			e := m.outboxEntry(c.chatID)
			if !e.known {
				continue
			}
			if _, held := m.chatOf[c.msg.ID]; held {
				// A read that began after SQLite committed this row, but
				// before its change was applied here, filled it in already.
				continue
			}
			if len(e.rows) >= mirrorMaxChatRows || m.outboxBytes+len(c.msg.Payload) > mirrorMaxOutboxBytes {
				m.forgetOutbox(e)
				continue
			}
			// Ordered as NextOutbox orders: priority, then id.
			i := len(e.rows)
			for i > 0 && (e.rows[i-1].Priority > c.msg.Priority ||
				e.rows[i-1].Priority == c.msg.Priority && e.rows[i-1].ID > c.msg.ID) {
				i--
			}
			e.rows = append(e.rows, OutboxMessage{})
			copy(e.rows[i+1:], e.rows[i:])
			e.rows[i] = *c.msg
			m.remember(c.msg)
		case changeRowSent, changeRowOther:
			chatID, ok := m.chatOf[c.id]
			if !ok {
				// No known chat holds the row: only reads running now
				// may have seen it.
				m.loose = m.seq
				continue
			}
			e := m.outboxEntry(chatID)
			if c.kind == changeRowOther {
				m.forgetOutbox(e)
				continue
			}
			for i, r := range e.rows {
				if r.ID == c.id {
					m.outboxBytes -= len(r.Payload)
					delete(m.chatOf, r.ID)
					// The slot left at the end would keep the sent
					// message (payload and memo) alive for as long as
					// the chat stays in the mirror.
					n := copy(e.rows[i:], e.rows[i+1:])
					e.rows[i+n] = OutboxMessage{}
					e.rows = e.rows[:i+n]
					if len(e.rows) == 0 {
						e.rows = nil
					}
					break
				}
			}
		case changeOutboxOther:
			m.forgetOutbox(m.outboxEntry(c.chatID))
		case changeChatSaved:
			e := m.chatEntry(c.chatID)
			if !e.known {
				continue
			}
			saved := *c.chat
			if e.found {
				saved.CreatedAt = e.chat.CreatedAt
			}
			if m.chatBytes-len(e.chat.State)+len(saved.State) > mirrorMaxChatBytes {
				m.forgetAll()
				continue
			}
			m.chatBytes += len(saved.State) - len(e.chat.State)
			e.chat, e.found = saved, true
		case changeChatOther:
			e := m.chatEntry(c.chatID)
			m.chatBytes -= len(e.chat.State)
			e.known, e.found, e.chat = false, false, Chat{}
		case changeEverything:
			m.forgetAll()
		}
	}
}

// outboxEntry returns the chat's entry, stamped by the commit being applied.
func (m *mirror) outboxEntry(chatID int64) *outboxEntry {
	e := m.outbox[chatID]
	if e == nil {
		if len(m.outbox) >= mirrorMaxChats {
			m.forgetAll()
		}
		if m.outbox == nil {
			m.outbox = map[int64]*outboxEntry{}
		}
		e = &outboxEntry{}
		m.outbox[chatID] = e
	}
	e.stamp = m.seq
	return e
}

func (m *mirror) chatEntry(chatID int64) *chatEntry {
	e := m.chats[chatID]
	if e == nil {
		if len(m.chats) >= mirrorMaxChats {
			m.forgetAll()
		}
		if m.chats == nil {
			m.chats = map[int64]*chatEntry{}
		}
		e = &chatEntry{}
		m.chats[chatID] = e
	}
	e.stamp = m.seq
	return e
}

func (m *mirror) remember(r *OutboxMessage) {
	if m.chatOf == nil {
		m.chatOf = map[int64]int64{}
	}
	m.chatOf[r.ID] = r.ChatID
	m.outboxBytes += len(r.Payload)
}

func (m *mirror) forgetOutbox(e *outboxEntry) {
	for _, r := range e.rows {
		m.outboxBytes -= len(r.Payload)
		delete(m.chatOf, r.ID)
	}
	e.known, e.rows = false, nil
}

func (m *mirror) forgetAll() {
	m.outbox, m.chats, m.chatOf, m.outboxBytes, m.chatBytes = nil, nil, nil, 0, 0
	m.floor = m.seq
}

// nextOutbox answers NextOutbox from memory when the chat's outbox is known.
func (m *mirror) nextOutbox(chatID int64) (head OutboxMessage, empty, known bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.outbox[chatID]
	if e == nil || !e.known {
		return head, false, false
	}
	if len(e.rows) == 0 {
		return head, true, true
	}
	head = e.rows[0]
	head.More = len(e.rows) > 1
	return head, false, true
}

// fillOutbox records a read, begun at mark, of the chat's whole outbox.
func (m *mirror) fillOutbox(chatID int64, mark uint64, rows []OutboxMessage) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.outbox[chatID]
	if e == nil && m.floor > mark || e != nil && e.stamp > mark || m.loose > mark {
		return // a commit may have changed the chat while it was read
	}
	size := 0
	for _, r := range rows {
		size += len(r.Payload)
	}
	if m.outboxBytes+size > mirrorMaxOutboxBytes {
		return
	}
	if e == nil {
		if len(m.outbox) >= mirrorMaxChats {
			return
		}
		if m.outbox == nil {
			m.outbox = map[int64]*outboxEntry{}
		}
		e = &outboxEntry{stamp: mark}
		m.outbox[chatID] = e
	}
	m.forgetOutbox(e)
	e.known, e.rows = true, rows
	for i := range rows {
		m.remember(&rows[i])
	}
}

// chat answers Chat from memory when the row is known. The state is
// copied: callers may keep and change what they get.
func (m *mirror) chat(chatID int64) (c Chat, found, known bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.chats[chatID]
	if e == nil || !e.known {
		return c, false, false
	}
	c = e.chat
	if c.State != nil {
		c.State = append([]byte(nil), c.State...)
	}
	return c, e.found, true
}

// fillChat records a read of the chat row that began at mark.
func (m *mirror) fillChat(chatID int64, mark uint64, c Chat, found bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.chats[chatID]
	if e == nil && m.floor > mark || e != nil && e.stamp > mark {
		return // a commit may have changed the chat while it was read
	}
	if e == nil {
		if len(m.chats) >= mirrorMaxChats {
			return
		}
		if m.chats == nil {
			m.chats = map[int64]*chatEntry{}
		}
		e = &chatEntry{stamp: mark}
		m.chats[chatID] = e
	}
	if m.chatBytes-len(e.chat.State)+len(c.State) > mirrorMaxChatBytes {
		return // full: the chat is read from disk until memory is freed
	}
	if c.State != nil {
		c.State = append([]byte(nil), c.State...)
	}
	m.chatBytes += len(c.State) - len(e.chat.State)
	e.known, e.found, e.chat = true, found, c
}
