package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

// What NextOutbox and Chat answer from memory is what the database holds,
// whatever mix of writes came before: enqueues (some rolled back), sends,
// deferrals, failures, blocks, saves and erasures, from goroutines racing
// each other and the reads that fill the memory, some of those between a
// commit and the applying of its changes.
func TestMirrorAgreesWithDisk(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			db, _ := openTest(t)
			// A still clock: a deferral is due or not whenever it is read.
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			db.Now = func() time.Time { return now }
			ctx := context.Background()
			const chats = 6
			var next sync.Mutex
			messageID := 0
			// step writes or reads at random. Only the chats a goroutine
			// owns does it send for, as the sender has one worker per chat.
			step := func(r *rand.Rand, owns func(int64) bool) {
				chatID := int64(r.IntN(chats) + 1)
				op := r.IntN(20)
				if op >= 6 && op < 14 && !owns(chatID) {
					op = 19
				}
				switch {
				case op < 6:
					n := r.IntN(3) + 1
					fail := r.IntN(5) == 0
					err := db.Update(ctx, func(tx *store.Tx) error {
						for range n {
							p := []byte(fmt.Sprintf("reply %d to %d", r.Int(), chatID))
							if err := tx.EnqueueMemo(chatID, r.IntN(2), p, string(p)); err != nil {
								return err
							}
						}
						if fail {
							return errors.New("rolled back")
						}
						return nil
					})
					if (err != nil) != fail {
						t.Errorf("enqueue: %v", err)
					}
				case op < 11:
					msg, _, ok, err := db.NextOutbox(ctx, chatID)
					if err != nil || !ok {
						return
					}
					next.Lock()
					messageID++
					id := messageID
					next.Unlock()
					sentTo := chatID
					if r.IntN(6) == 0 {
						sentTo = chatID%chats + 1 // a caller naming the wrong chat
					}
					if err := db.MarkSent(ctx, msg.ID, sentTo, id); err != nil {
						t.Error(err)
					}
				case op < 13:
					if msg, _, ok, _ := db.NextOutbox(ctx, chatID); ok {
						until := now.Add(time.Duration(r.IntN(3)-1) * time.Hour)
						if err := db.Defer(ctx, msg.ID, until); err != nil {
							t.Error(err)
						}
					}
				case op < 14:
					if msg, _, ok, _ := db.NextOutbox(ctx, chatID); ok {
						if err := db.Fail(ctx, msg.ID, chatID, 400, "bad_request"); err != nil {
							t.Error(err)
						}
					}
				case op < 15:
					if err := db.BlockChat(ctx, chatID); err != nil {
						t.Error(err)
					}
				case op < 18:
					state := []byte(fmt.Sprintf(`{"v":1,"n":%d}`, r.IntN(1000)))
					if r.IntN(4) == 0 {
						state = nil
					}
					if err := db.Update(ctx, func(tx *store.Tx) error {
						return tx.SaveChat(store.Chat{ID: chatID, Type: "private", Language: []string{"az", "ru", "ka"}[r.IntN(3)], State: state})
					}); err != nil {
						t.Error(err)
					}
				case op < 19:
					if err := db.Update(ctx, func(tx *store.Tx) error {
						_, err := tx.EraseChat(chatID)
						return err
					}); err != nil {
						t.Error(err)
					}
				default:
					if _, err := db.Chat(ctx, chatID); err != nil && !errors.Is(err, store.ErrNotFound) {
						t.Error(err)
					}
				}
			}
			compare := func(when string) {
				t.Helper()
				for c := int64(1); c <= chats; c++ {
					got, gotWait, gotOK, err := db.NextOutbox(ctx, c)
					if err != nil {
						t.Fatal(err)
					}
					want, wantWait, wantOK, err := db.OutboxFromDisk(ctx, c)
					if err != nil {
						t.Fatal(err)
					}
					if gotOK != wantOK || !gotWait.Equal(wantWait) || gotOK && (got.ID != want.ID || got.Priority != want.Priority ||
						!bytes.Equal(got.Payload, want.Payload) || got.More != want.More || got.Attempts != want.Attempts ||
						!got.CreatedAt.Equal(want.CreatedAt) || !got.NotBefore.Equal(want.NotBefore)) {
						t.Fatalf("%s: chat %d outbox head from memory %+v (ok %v, wait %v), on disk %+v (ok %v, wait %v)",
							when, c, got, gotOK, gotWait, want, wantOK, wantWait)
					}
					if got.Memo != nil && got.Memo != string(got.Payload) {
						t.Fatalf("%s: chat %d: memo %q beside payload %q", when, c, got.Memo, got.Payload)
					}
					gotChat, gotErr := db.Chat(ctx, c)
					wantChat, wantErr := db.ChatFromDisk(ctx, c)
					if !errors.Is(gotErr, wantErr) && gotErr != wantErr || gotChat.ID != wantChat.ID || gotChat.Type != wantChat.Type ||
						gotChat.Language != wantChat.Language || !gotChat.BlockedAt.Equal(wantChat.BlockedAt) ||
						!bytes.Equal(gotChat.State, wantChat.State) || (gotChat.State == nil) != (wantChat.State == nil) ||
						!gotChat.CreatedAt.Equal(wantChat.CreatedAt) || !gotChat.UpdatedAt.Equal(wantChat.UpdatedAt) {
						t.Fatalf("%s: chat %d from memory %+v (%v), on disk %+v (%v)", when, c, gotChat, gotErr, wantChat, wantErr)
					}
				}
			}

			// Now and then a read lands between a commit and the applying
			// of its changes, where it sees what the mirror does not yet.
			between := rand.New(rand.NewPCG(seed, 99))
			store.SetBeforeApply(func() {
				if between.IntN(3) == 0 {
					c := int64(between.IntN(chats) + 1)
					db.NextOutbox(ctx, c)
					db.Chat(ctx, c)
				}
			})
			t.Cleanup(func() { store.SetBeforeApply(nil) })

			serial := rand.New(rand.NewPCG(seed, 0))
			for i := range 300 {
				step(serial, func(int64) bool { return true })
				compare(fmt.Sprintf("after serial step %d", i))
			}
			for round := range 20 {
				var wg sync.WaitGroup
				for g := range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						r := rand.New(rand.NewPCG(seed, uint64(round*10+g+1)))
						for range 40 {
							step(r, func(c int64) bool { return int(c)%4 == g })
						}
					}()
				}
				wg.Wait()
				compare(fmt.Sprintf("after concurrent round %d", round))
			}
		})
	}
}

// A chat's state handed out from memory is the caller's own: changing it
// changes nothing stored.
func TestMirrorHandsOutCopies(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if err := db.Update(ctx, func(tx *store.Tx) error {
		return tx.SaveChat(store.Chat{ID: 3, Type: "private", State: []byte(`{"v":1}`)})
	}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the first read fills the memory, the second comes from it
		c, err := db.Chat(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		copy(c.State, "XXXXXXX")
	}
	if c, _ := db.Chat(ctx, 3); string(c.State) != `{"v":1}` {
		t.Fatalf("state changed through a copy: %s", c.State)
	}
}

// A commit landing between a read and the filling of the memory with it
// keeps the memory from taking the stale read.
func TestMirrorRefusesReadsOvertakenByCommits(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	enqueue := func(chatID int64, text string) {
		t.Helper()
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.Enqueue(chatID, 0, []byte(text)) }); err != nil {
			t.Fatal(err)
		}
	}
	overtake := func(commit func()) {
		t.Helper()
		once := true
		store.SetAfterRead(func() {
			if once {
				once = false
				commit()
			}
		})
		t.Cleanup(func() { store.SetAfterRead(nil) })
	}

	// The row read is sent (and so deleted) before the read fills.
	enqueue(1, "first")
	overtake(func() {
		msg, _, _, _ := db.OutboxFromDisk(ctx, 1)
		if err := db.MarkSent(ctx, msg.ID, 1, 10); err != nil {
			t.Error(err)
		}
	})
	if _, _, ok, _ := db.NextOutbox(ctx, 1); !ok {
		t.Fatal("nothing read")
	}
	if msg, _, ok, _ := db.NextOutbox(ctx, 1); ok {
		t.Fatalf("a sent message is offered again: %q", msg.Payload)
	}

	// Another row arrives after an empty outbox was read.
	overtake(func() { enqueue(2, "late") })
	if _, _, ok, _ := db.NextOutbox(ctx, 2); ok {
		t.Fatal("read after the enqueue")
	}
	if msg, _, ok, _ := db.NextOutbox(ctx, 2); !ok || string(msg.Payload) != "late" {
		t.Fatalf("the late row is missed: %q, %v", msg.Payload, ok)
	}

	// The row read is sent by a caller naming another chat.
	enqueue(3, "third")
	overtake(func() {
		msg, _, _, _ := db.OutboxFromDisk(ctx, 3)
		if err := db.MarkSent(ctx, msg.ID, 4, 11); err != nil {
			t.Error(err)
		}
	})
	db.NextOutbox(ctx, 3)
	if msg, _, ok, _ := db.NextOutbox(ctx, 3); ok {
		t.Fatalf("a sent message is offered again: %q", msg.Payload)
	}

	// The chat row changes after it was read.
	overtake(func() {
		if err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.SaveChat(store.Chat{ID: 5, Type: "private", Language: "kk", State: []byte(`{"v":1}`)})
		}); err != nil {
			t.Error(err)
		}
	})
	if _, err := db.Chat(ctx, 5); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("read after the save: %v", err)
	}
	if c, err := db.Chat(ctx, 5); err != nil || c.Language != "kk" {
		t.Fatalf("the saved chat is missed: %+v, %v", c, err)
	}
}

// A read can see a commit before the commit's changes reach the mirror:
// SQLite has committed, and the goroutine that commits has not yet applied
// them. The read fills the mirror with the new row, and the enqueue applied
// after must not add the row a second time: the copy left behind after
// the row was sent was sent again and again, as fast as Telegram took it
// (a worker got the same question 4,239 times in ten seconds in the desk's
// random walk).
func TestMirrorTakesAReadAheadOfItsCommit(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	once := true
	store.SetBeforeApply(func() {
		if once {
			once = false
			if msg, _, ok, err := db.NextOutbox(ctx, 1); !ok || err != nil || string(msg.Payload) != "question" {
				t.Errorf("the read before the changes were applied: %q, %v, %v", msg.Payload, ok, err)
			}
		}
	})
	t.Cleanup(func() { store.SetBeforeApply(nil) })
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.Enqueue(1, 0, []byte("question")) }); err != nil {
		t.Fatal(err)
	}
	store.SetBeforeApply(nil)
	msg, _, ok, err := db.NextOutbox(ctx, 1)
	if err != nil || !ok || msg.More {
		t.Fatalf("the row, alone: %+v, %v, %v", msg, ok, err)
	}
	if err := db.MarkSent(ctx, msg.ID, 1, 10); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if again, _, ok, _ := db.NextOutbox(ctx, 1); ok {
			t.Fatalf("a sent message is offered again: %q (row %d)", again.Payload, again.ID)
		}
	}
}

// Should the memory of an outbox ever hold a row the disk no longer has,
// the sender repeats that message once, not forever: marking a row sent
// that is already gone makes the chat's outbox be read from disk again.
func TestMirrorWrongCostsOneRepeat(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.Enqueue(1, 0, []byte("question")) }); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := db.NextOutbox(ctx, 1); !ok || !db.HoldTwiceForTest(1) {
		t.Fatal("the outbox of chat 1 is not held in memory")
	}
	sends := 0
	for range 10 {
		msg, _, ok, err := db.NextOutbox(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		sends++
		if err := db.MarkSent(ctx, msg.ID, 1, 10+sends); err != nil {
			t.Fatal(err)
		}
	}
	if sends != 2 {
		t.Errorf("the message went out %d times; want once and one repeat", sends)
	}
}

// Another process writing the database (an operator erasing a chat with
// sqlite3 while the bot runs) is noticed at this process's next commit.
func TestMirrorForgetsOutsideWrites(t *testing.T) {
	db, path := openTest(t)
	ctx := context.Background()
	if err := db.Update(ctx, func(tx *store.Tx) error {
		return tx.SaveChat(store.Chat{ID: 8, Type: "private", Language: "ro", State: []byte(`{"v":1}`)})
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.Enqueue(9, 0, []byte("waiting")) }); err != nil {
		t.Fatal(err)
	}
	db.Chat(ctx, 8)
	db.NextOutbox(ctx, 9)
	if _, err := db.Chat(ctx, 8); err != nil {
		t.Fatal(err)
	}

	other, err := store.Open(ctx, path, testKey())
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.EraseChat(8); err != nil {
			return err
		}
		_, err := tx.EraseChat(9)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	other.Close()

	// Any commit of this process's own.
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.MarkHandled(1) }); err != nil {
		t.Fatal(err)
	}
	if c, err := db.Chat(ctx, 8); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an erased chat is still served: %+v, %v", c, err)
	}
	if msg, _, ok, _ := db.NextOutbox(ctx, 9); ok {
		t.Fatalf("an erased message is still offered: %q", msg.Payload)
	}
}
