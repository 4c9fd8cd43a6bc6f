package telegram

import (
	"testing"
	"time"
)

// With the default limits a group never receives more than 20 messages in
// any minute, however the sends are timed, even when they take a while.
func TestGroupWindowDefaultTwentyAMinute(t *testing.T) {
	limits := DefaultLimits()
	w := &slidingWindow{limit: limits.GroupPerMinute, period: limits.GroupWindow}
	now := time.Unix(1_800_000_000, 0)
	var started []time.Time
	for len(started) < 100 {
		if wait := w.try(now); wait > 0 {
			now = now.Add(wait)
			continue
		}
		started = append(started, now)
		now = now.Add(300 * time.Millisecond) // the request takes a while
		w.inFlight--
		w.done = append(w.done, now)
	}
	for i := range started {
		j := i + limits.GroupPerMinute
		if j < len(started) && started[j].Sub(started[i]) < time.Minute {
			t.Fatalf("%d sends within %v", limits.GroupPerMinute+1, started[j].Sub(started[i]))
		}
	}
	if limits.GroupPerMinute != 20 || limits.GroupWindow != time.Minute || limits.BulkPerSecond != 25 {
		t.Fatalf("default limits changed: %+v", limits)
	}
}
