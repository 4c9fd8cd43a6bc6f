package telegram_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rightsdesk/rightsdesk/bot/telegram"
	"github.com/rightsdesk/rightsdesk/store"
)

// updateQueue answers getUpdates as Telegram does: an update is forgotten
// once a request's offset is above its id, and until then every request
// brings it again. Each request's offset is handed to check, which runs
// before the answer and may look at the store.
type updateQueue struct {
	mu      sync.Mutex
	updates []int64 // ids, each a private text from chat id*10
	offsets chan int64
	check   func(offset int64)
}

func (q *updateQueue) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	offset, _ := strconv.ParseInt(r.Form.Get("offset"), 10, 64)
	if q.check != nil {
		q.check(offset)
	}
	q.mu.Lock()
	for len(q.updates) > 0 && q.updates[0] < offset {
		q.updates = q.updates[1:]
	}
	var items []json.RawMessage
	for _, id := range q.updates {
		items = append(items, json.RawMessage(fmt.Sprintf(
			`{"update_id":%d,"message":{"message_id":1,"date":0,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"W"},"text":"hi"}}`,
			id, id*10, id*10)))
	}
	q.mu.Unlock()
	select {
	case q.offsets <- offset:
	default:
	}
	if len(items) == 0 {
		time.Sleep(20 * time.Millisecond) // a short long poll
		items = []json.RawMessage{}
	}
	body, _ := json.Marshal(items)
	fmt.Fprintf(w, `{"ok":true,"result":%s}`, body)
}

// runPoller polls q until the test ends; handle plays the executor.
func runPoller(t *testing.T, db *store.DB, q *updateQueue, handle func(p *telegram.Poller, ups []store.InboxUpdate)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewServer(q)
	p := &telegram.Poller{Client: telegram.NewClient(ctx, "t", srv.URL, 5*time.Second), Store: db,
		Log: zerolog.Nop(), Timeout: time.Second, HandledWait: 100 * time.Millisecond}
	p.Submit = func(ups []store.InboxUpdate) { handle(p, ups) }
	done := make(chan struct{})
	go func() { p.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; srv.Close() })
}

// submissions are the update ids handed to the executor, in order.
type submissions struct {
	mu  sync.Mutex
	ids []int64
}

func (s *submissions) add(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids = append(s.ids, id)
}

func (s *submissions) list() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ids)
}

// commitTurn plays a turn that commits at once.
func commitTurn(t *testing.T, db *store.DB, p *telegram.Poller, id int64) {
	if err := db.Update(context.Background(), func(tx *store.Tx) error { return tx.MarkHandled(id) }); err != nil {
		t.Error(err)
		return
	}
	p.Handled(id)
}

// An offset goes back to Telegram only once every update below it is
// durable: a quick turn by its committed id alone, with nothing stored by
// the poller; a slow one by the inbox, after the wait.
func TestPollerConfirmsOnlyWhatIsDurable(t *testing.T) {
	db := openStore(t)
	ctx := context.Background()
	q := &updateQueue{updates: []int64{1, 2, 3}, offsets: make(chan int64, 100)}
	var mu sync.Mutex
	var problems []string
	q.check = func(offset int64) {
		// Everything the offset confirms must be on disk already.
		var below []int64
		for id := int64(1); id < offset; id++ {
			below = append(below, id)
		}
		known, err := db.KnownUpdates(ctx, below)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			problems = append(problems, err.Error())
		}
		for _, id := range below {
			if !known[id] {
				problems = append(problems, fmt.Sprintf("offset %d confirmed update %d before it was durable", offset, id))
			}
		}
	}
	var submitted submissions
	runPoller(t, db, q, func(p *telegram.Poller, ups []store.InboxUpdate) {
		for _, u := range ups {
			submitted.add(u.UpdateID)
			if u.UpdateID != 3 { // 3's turn is slow: it never commits here
				go commitTurn(t, db, p, u.UpdateID)
			}
		}
	})
	waitOffset(t, q, 4)
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if got := submitted.list(); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Fatalf("submitted %v, want each update once", got)
	}
	pending, err := db.UnhandledUpdates(ctx)
	if err != nil || len(pending) != 1 || pending[0].UpdateID != 3 || pending[0].ChatID != 30 {
		t.Fatalf("waiting in the inbox: %+v %v; want only the slow update 3, of chat 30", pending, err)
	}
	if off, _ := db.NextOffset(ctx); off != 4 {
		t.Fatalf("stored offset %d, want 4 with the slow update", off)
	}
}

// A batch whose turns all commit in time writes nothing of its own: no
// payload, no offset.
func TestPollerStoresNothingForQuickTurns(t *testing.T) {
	db := openStore(t)
	ctx := context.Background()
	q := &updateQueue{updates: []int64{7, 8}, offsets: make(chan int64, 100)}
	runPoller(t, db, q, func(p *telegram.Poller, ups []store.InboxUpdate) {
		for _, u := range ups {
			commitTurn(t, db, p, u.UpdateID)
		}
	})
	waitOffset(t, q, 9)
	if off, _ := db.NextOffset(ctx); off != 0 {
		t.Fatalf("stored offset %d: the quick batch was written", off)
	}
	if pending, _ := db.UnhandledUpdates(ctx); len(pending) != 0 {
		t.Fatalf("stored %v", pending)
	}
	if known, _ := db.KnownUpdates(ctx, []int64{7, 8}); len(known) != 2 {
		t.Fatalf("handled ids %v, want 7 and 8", known)
	}
}

// After a crash Telegram brings again what was not confirmed. What the
// last process handled is not handed over again; what it had not yet
// handled or stored is.
func TestPollerRecognisesUpdatesBroughtAgain(t *testing.T) {
	db := openStore(t)
	ctx := context.Background()
	// The last process stored slow update 3 with offset 4, then got 4 and
	// 5 in one batch: 5's turn committed, 4's had not when it crashed, and
	// offset 6 was never sent.
	if _, err := db.SaveUpdates(ctx, []store.InboxUpdate{{UpdateID: 3, ChatID: 30, Payload: []byte("{}")}}, 4); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.MarkHandled(5) }); err != nil {
		t.Fatal(err)
	}
	q := &updateQueue{updates: []int64{3, 4, 5, 6}, offsets: make(chan int64, 100)}
	var submitted submissions
	runPoller(t, db, q, func(p *telegram.Poller, ups []store.InboxUpdate) {
		for _, u := range ups {
			submitted.add(u.UpdateID)
			commitTurn(t, db, p, u.UpdateID)
		}
	})
	waitOffset(t, q, 7)
	// 3 is the executor's to resume from the inbox; Telegram forgot it.
	if got := submitted.list(); !slices.Equal(got, []int64{4, 6}) {
		t.Fatalf("submitted %v, want 4 and 6", got)
	}
}

// waitOffset waits for a getUpdates that confirms everything below want.
func waitOffset(t *testing.T, q *updateQueue, want int64) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case off := <-q.offsets:
			if off >= want {
				return
			}
		case <-deadline:
			t.Fatalf("no getUpdates with offset %d", want)
		}
	}
}
