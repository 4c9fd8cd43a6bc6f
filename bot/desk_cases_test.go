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
	bt, db := newDeskTestBot(t)
	ctx := context.Background()
	const group, worker, cases = -1001000004003, 7009, 400
	code, err := db.NewLinkCode(ctx, "ktr")
	if err != nil {
		t.Fatal(err)
	}
	ids, cards := map[string]bool{}, map[string]int{}
	err = db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SaveChat(store.Chat{ID: worker, Type: chat.ChatPrivate, Language: "ka", State: []byte(`{"v":1}`)}); err != nil {
			return err
		}
		if _, err := tx.LinkOrg(code, group, false, "ka"); err != nil {
			return err
		}
		for i := range cases {
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
		t.Fatal(err)
	}
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
