package bot_test

import (
	"runtime"
	"testing"

	"github.com/rightsdesk/rightsdesk/bot"
	"github.com/rightsdesk/rightsdesk/content"
	"github.com/rightsdesk/rightsdesk/locales"
)

// BenchmarkHeld reports the heap that the content and the translations hold
// for as long as the bot runs. At Go's default GOGC each byte of it costs
// about two of peak RSS, which the bench measures (README, Performance):
//
//	go test -run '^$' -bench Held ./bot
func BenchmarkHeld(b *testing.B) {
	var held uint64
	for b.Loop() {
		before := heapAfterGC()
		lib, err := bot.LoadLibrary(content.FS)
		if err != nil {
			b.Fatal(err)
		}
		catalog, err := locales.Load()
		if err != nil {
			b.Fatal(err)
		}
		held = heapAfterGC() - before
		runtime.KeepAlive(lib)
		runtime.KeepAlive(catalog)
	}
	b.ReportMetric(float64(held)/1e6, "MB-held")
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
