//go:build unix

package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

// BenchmarkDurableUpdate is what durability alone costs an update, with no
// Bot API and no handling: the writes an update of the bot makes, in its
// order and with its sizes, into 100,000 chats as the bench seeds. The
// turn's state, its reply and the update's handled id commit together; the
// reply is settled once sent. With turn=slow the update is first stored
// with its offset, as the poller stores an update whose turn did not
// commit in time; with turn=quick it is not, as for most. With two writers
// a core the group commit folds them into about one commit an update, as
// in the bot at 1,000 updates/s; with eight, into a third of one or less,
// as at saturation.
//
//	go test -run '^$' -bench DurableUpdate -benchtime 20000x ./store
//
// cpu-µs/update is the process's CPU, the goroutine that commits for all
// included: compare it with the echo floors of `rightsdesk bench`.
func BenchmarkDurableUpdate(b *testing.B) {
	for _, stored := range []bool{false, true} {
		turn := map[bool]string{false: "quick", true: "slow"}[stored]
		for _, perCore := range []int{2, 8} {
			b.Run(fmt.Sprintf("turn=%s/writers=%d", turn, perCore*runtime.GOMAXPROCS(0)), func(b *testing.B) {
				benchmarkDurableUpdate(b, perCore, stored)
			})
		}
	}
}

func benchmarkDurableUpdate(b *testing.B, perCore int, stored bool) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), testKey())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const chats, firstChat = 100_000, 9_000_000
	state := bytes.Repeat([]byte("s"), 400)
	for i := 0; i < chats; i += 2000 {
		if err := db.Update(ctx, func(tx *store.Tx) error {
			for j := i; j < i+2000; j++ {
				if err := tx.SaveChat(store.Chat{ID: int64(firstChat + j), Type: "private", Language: "ru", State: state}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	// A press as the poller keeps it, a guide page as the outbox does.
	update := bytes.Repeat([]byte("u"), 300)
	reply := bytes.Repeat([]byte("r"), 1500)
	var updateID, worker atomic.Int64
	writers := perCore * runtime.GOMAXPROCS(0)
	commits0, writes0 := db.WriteStats()
	cpu0, disk0 := processCPU(), diskWrites()
	b.SetParallelism(perCore)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := worker.Add(1)
		chat := w
		for pb.Next() {
			chat = (chat + int64(writers)) % chats
			chatID := int64(firstChat) + chat
			id := updateID.Add(1)
			if stored {
				fresh, err := db.SaveUpdates(ctx, []store.InboxUpdate{{UpdateID: id, ChatID: chatID, Payload: update}}, id+1)
				if err != nil || len(fresh) != 1 {
					b.Errorf("saving update %d: %v", id, err)
					return
				}
			}
			if err := db.Update(ctx, func(tx *store.Tx) error {
				if err := tx.SaveChat(store.Chat{ID: chatID, Type: "private", Language: "ru", State: state}); err != nil {
					return err
				}
				if err := tx.EnqueueMemo(chatID, 0, reply, nil); err != nil {
					return err
				}
				return tx.MarkHandled(id)
			}); err != nil {
				b.Error(err)
				return
			}
			msg, _, ok, err := db.NextOutbox(ctx, chatID)
			if err != nil || !ok {
				b.Errorf("reply of update %d not in the outbox: %v", id, err)
				return
			}
			if err := db.MarkSent(ctx, msg.ID, chatID, int(id)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	commits1, writes1 := db.WriteStats()
	n := float64(b.N)
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/n, "cpu-µs/update")
	b.ReportMetric(float64(commits1-commits0)/n, "commits/update")
	b.ReportMetric(float64(writes1-writes0)/n, "writes/update")
	if disk0 >= 0 {
		b.ReportMetric(float64(diskWrites()-disk0)/1024/n, "disk-KB/update")
	}
}

// diskWrites is what the process has written towards the disk (Linux's
// write_bytes), -1 where /proc does not tell.
func diskWrites() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "write_bytes: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
