package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/store"
)

// A federation's desk may hold hundreds of open cases: /cases lists every
// one, in as many messages as Telegram's 4096-character limit needs, each
// within it, none cut inside a case's line; the number of each case whose
// card is there links to it.
func TestCasesListsHundredsWithinTelegramsLimit(t *testing.T) {
	const group, cases = -1001000004003, 400
	bt, db, ids, cards := deskWithCases(t, group, cases)
	ctx := context.Background()
	raw, _ := json.Marshal(chat.Update{ID: 1, Kind: chat.KindCommand, Command: "cases", ChatID: group,
		ChatType: chat.ChatSupergroup, UserID: 11, MessageID: 5})
	if err := bt.Handle(ctx, store.InboxUpdate{UpdateID: 1, ChatID: group, Payload: raw}); err != nil {
		t.Fatal(err)
	}
	var texts []string
	msgID := 100
	for _, r := range drainOutbox(t, db, group, &msgID) {
		texts = append(texts, r.Text)
	}
	if len(texts) < 2 {
		t.Fatalf("%d cases in %d message(s)", cases, len(texts))
	}
	title := bt.cfg.Catalog.T("ka", "desk_cases_title", map[string]any{"Count": cases})
	if !strings.HasPrefix(texts[0], title) {
		t.Errorf("the first message does not begin with the title %q", title)
	}
	listed := 0
	for n, text := range texts {
		if l := len(utf16.Encode([]rune(text))); l > 4096 {
			t.Errorf("message %d is %d UTF-16 units long", n+1, l)
		}
		for _, line := range strings.Split(text, "\n") {
			id, _, _ := strings.Cut(line, " ")
			for cardID, msg := range cards {
				if link := fmt.Sprintf(`<a href="https://t.me/c/1000004003/%d">%s</a>`, msg, cardID); strings.HasPrefix(line, link) {
					id = cardID
					delete(cards, cardID)
					break
				}
			}
			if ids[id] {
				delete(ids, id)
				listed++
			} else if line != title {
				t.Errorf("message %d: line %q is neither the title nor a case listed once", n+1, line)
			}
		}
	}
	if listed != cases || len(ids) != 0 {
		t.Errorf("%d of %d cases listed", listed, cases)
	}
	if len(cards) > 0 {
		t.Errorf("%d cases listed without a link to their card", len(cards))
	}
}

// deskWithCases is a Georgian desk in supergroup group holding n open
// cases, every other one taken; two in three have their card there, the
// message id of each in cards.
func deskWithCases(tb testing.TB, group int64, n int) (bt *Bot, db *store.DB, ids map[string]bool, cards map[string]int) {
	tb.Helper()
	bt, db = newDeskTestBot(tb)
	ctx := context.Background()
	const worker = 7009
	code, err := db.NewLinkCode(ctx, "ktr")
	if err != nil {
		tb.Fatal(err)
	}
	ids, cards = map[string]bool{}, map[string]int{}
	err = db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SaveChat(store.Chat{ID: worker, Type: chat.ChatPrivate, Language: "ka", State: []byte(`{"v":1}`)}); err != nil {
			return err
		}
		if _, err := tx.LinkOrg(code, group, false, "ka"); err != nil {
			return err
		}
		for i := range n {
			id := store.NewCaseID()
			ids[id] = true
			if err := tx.CreateCase(store.NewCase{ID: id, ChatID: worker, Details: store.CaseDetails{Categories: []string{"wages"}}}); err != nil {
				return err
			}
			d := store.Delivery{CaseID: id, ServiceID: "ktr", ChatID: group, Status: store.DeliveryOpen}
			if i%2 == 1 {
				d.Status, d.Assignee = store.DeliveryTaken, 11
			}
			if err := tx.SaveDelivery(&d); err != nil {
				return err
			}
			if i%3 > 0 {
				cards[id] = 1000 + i
				if err := tx.NameMessage(store.NamedMessage{ChatID: group, MessageID: 1000 + i, Name: store.NameCard + id}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return bt, db, ids, cards
}

// BenchmarkCasesList is /cases at a desk of 400 open cases: reading them,
// each one's card and last word, and committing the list's messages. One
// op is one /cases.
func BenchmarkCasesList(b *testing.B) {
	const group = -1001000004003
	bt, db, _, _ := deskWithCases(b, group, 400)
	ctx := context.Background()
	msgID := 100
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		raw, _ := json.Marshal(chat.Update{ID: int64(i + 1), Kind: chat.KindCommand, Command: "cases", ChatID: group,
			ChatType: chat.ChatSupergroup, UserID: 11, MessageID: 5})
		if err := bt.Handle(ctx, store.InboxUpdate{UpdateID: int64(i + 1), ChatID: group, Payload: raw}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		drainOutbox(b, db, group, &msgID)
		b.StartTimer()
	}
}
