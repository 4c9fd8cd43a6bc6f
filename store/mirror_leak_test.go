package store

import "testing"

// A sent message leaves the mirror whole: neither the chat's remaining
// rows nor the spare capacity behind them keep its payload or memo.
func TestMirrorLetsSentMessagesGo(t *testing.T) {
	var m mirror
	m.fillOutbox(7, m.mark(), nil)
	big := make([]byte, 1<<10)
	m.apply([]change{
		{kind: changeEnqueued, chatID: 7, msg: &OutboxMessage{ID: 1, ChatID: 7, Payload: big, Memo: "reply one"}},
		{kind: changeEnqueued, chatID: 7, msg: &OutboxMessage{ID: 2, ChatID: 7, Payload: big, Memo: "reply two"}},
	})
	m.apply([]change{{kind: changeRowSent, id: 1}})
	e := m.outbox[7]
	if len(e.rows) != 1 || e.rows[0].ID != 2 {
		t.Fatalf("rows after the first send: %+v", e.rows)
	}
	for i, r := range e.rows[len(e.rows):cap(e.rows)] {
		if r.Payload != nil || r.Memo != nil {
			t.Errorf("spare slot %d still holds message %d", i, r.ID)
		}
	}
	m.apply([]change{{kind: changeRowSent, id: 2}})
	if e := m.outbox[7]; !e.known || e.rows != nil {
		t.Errorf("an emptied outbox keeps %d slots (known %v)", cap(e.rows), e.known)
	}
	if m.outboxBytes != 0 || len(m.chatOf) != 0 {
		t.Errorf("accounting after both sends: %d bytes, %d rows", m.outboxBytes, len(m.chatOf))
	}
}
