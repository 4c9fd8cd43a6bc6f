package bot

import (
	"context"
	"encoding/binary"
	"os"
	"testing"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/intake"
	"github.com/rightsdesk/rightsdesk/store"
)

// walCount reads the write-ahead log and counts the frames (page writes)
// and commit frames (write transactions) since the WAL last restarted:
// frames whose salts match the header's belong to the current WAL, and a
// frame that ends a transaction records the database size.
func walCount(tb testing.TB, path string) (frames, commits int) {
	tb.Helper()
	b, err := os.ReadFile(path + "-wal")
	if err != nil || len(b) < 32 {
		return 0, 0
	}
	pageSize := int(binary.BigEndian.Uint32(b[8:12]))
	salt1, salt2 := binary.BigEndian.Uint32(b[16:20]), binary.BigEndian.Uint32(b[20:24])
	for off := 32; off+24+pageSize <= len(b); off += 24 + pageSize {
		h := b[off : off+24]
		if binary.BigEndian.Uint32(h[8:12]) != salt1 || binary.BigEndian.Uint32(h[12:16]) != salt2 {
			break
		}
		frames++
		if binary.BigEndian.Uint32(h[4:8]) != 0 {
			commits++
		}
	}
	return frames, commits
}

// fullIntake runs one complaint from /complaint to the submitted case for
// a fresh chat, and returns how many updates it took.
func fullIntake(d *ikDesk, chatID int64) int {
	d.chatID = chatID
	d.sent, d.lastOut = nil, nil
	err := d.db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.SaveChat(store.Chat{ID: chatID, Type: chat.ChatPrivate, Language: d.lang, State: []byte(`{"v":1}`)})
	})
	if err != nil {
		d.tb.Fatal(err)
	}
	start := d.update
	d.reach(intake.QReview)
	d.press("submit")
	return int(d.update - start)
}

// BenchmarkIntakeFull measures a whole complaint through Handle — decode,
// dispatch, engine, rendering, one commit per update — and the sender's
// settling of each reply (MarkSent, one commit per message sent).
//
// Reported per update ("step"): wall time of the whole loop (ns/step,
// including the simulated sender and the test's own state reads) and of
// Handle alone (handle-ns/step); the process CPU time (user + system, all
// threads) of the same two (cpu-ns/step, handle-cpu-ns/step), which a busy
// machine does not inflate; and, from one instrumented run
// on a fresh database, the pages written and the write transactions
// committed, split between the handler and the sender.
func BenchmarkIntakeFull(b *testing.B) {
	d := newIKDesk(b, "ru")

	// One instrumented run: Handle and the sender measured apart.
	var handlerFrames, handlerCommits, senderFrames, senderCommits, steps int
	{
		m := newIKDesk(b, "ru")
		mpath := m.db.Path()
		measure := func(run func()) (int, int) {
			f0, c0 := walCount(b, mpath)
			run()
			f1, c1 := walCount(b, mpath)
			if f1 < f0 {
				b.Fatal("the WAL restarted during the measurement")
			}
			return f1 - f0, c1 - c0
		}
		hook := &walHook{measure: measure}
		m.measure = hook
		steps = fullIntake(m, 700001)
		handlerFrames, handlerCommits = hook.handlerFrames, hook.handlerCommits
		senderFrames, senderCommits = hook.senderFrames, hook.senderCommits
	}

	b.ReportAllocs()
	b.ResetTimer()
	d.handling, d.handlingCPU = 0, 0
	total := 0
	cpu := processCPU()
	for i := 0; i < b.N; i++ {
		total += fullIntake(d, int64(800000+i))
	}
	cpu = processCPU() - cpu
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(total), "ns/step")
	b.ReportMetric(float64(d.handling.Nanoseconds())/float64(total), "handle-ns/step")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(total), "cpu-ns/step")
	b.ReportMetric(float64(d.handlingCPU.Nanoseconds())/float64(total), "handle-cpu-ns/step")
	b.ReportMetric(float64(total)/float64(b.N), "steps/intake")
	b.ReportMetric(float64(handlerCommits)/float64(steps), "handler-tx/step")
	b.ReportMetric(float64(handlerFrames)/float64(steps), "handler-pages/step")
	b.ReportMetric(float64(senderCommits)/float64(steps), "sender-tx/step")
	b.ReportMetric(float64(senderFrames)/float64(steps), "sender-pages/step")
}

// walHook collects WAL deltas around the handler and around the sender.
type walHook struct {
	measure                       func(func()) (int, int)
	handlerFrames, handlerCommits int
	senderFrames, senderCommits   int
}
