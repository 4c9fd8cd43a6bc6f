package desk

import (
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

// Desk callback data parses only in the shape the desk writes it; every
// other shape is refused as forged, and all of it fits Telegram's 64 bytes.
func TestDeskCallbackData(t *testing.T) {
	id := store.NewCaseID()
	longest := cardData(opReferWhy, id, 99999, "k", "ge-interests-section-moscow")
	if len(longest) > 64 {
		t.Errorf("callback data of %d bytes: %s", len(longest), longest)
	}
	cb, ok := parseDeskCallback(longest[len("v1:d:"):])
	if !ok || cb.op != opReferWhy || cb.caseID != id || cb.revision != 99999 || len(cb.args) != 2 {
		t.Errorf("round trip: %+v %v", cb, ok)
	}
	for _, bad := range []string{"", "t", "t:" + id, "t:RD-0000-0000:1", "t:" + id + ":x", "t:" + id + ":-1",
		"t:" + id + ":01", "t:" + id + ": 1", "l", "l:ru:x", "m:", "m:" + id + ":1"} {
		if cb, ok := parseDeskCallback(bad); ok {
			t.Errorf("%q parsed as %+v", bad, cb)
		}
	}
	if cb, ok := parseDeskCallback("l:ka"); !ok || cb.op != opLanguage || cb.args[0] != "ka" {
		t.Errorf("language: %+v %v", cb, ok)
	}
	if cb, ok := parseDeskCallback(opMine); !ok || cb.op != opMine {
		t.Errorf("my cases: %+v %v", cb, ok)
	}
}

// A case is due a reminder past the desk's target and to go on past twice
// it; only a case nobody took.
func TestDue(t *testing.T) {
	org := store.Org{ResponseHours: 48}
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	d := store.Delivery{Status: store.DeliveryOpen, CreatedAt: at}
	for _, tc := range []struct {
		after            time.Duration
		remind, escalate bool
	}{{47 * time.Hour, false, false}, {48 * time.Hour, true, false}, {95 * time.Hour, true, false}, {96 * time.Hour, false, true}} {
		if r, e := Due(org, d, at.Add(tc.after)); r != tc.remind || e != tc.escalate {
			t.Errorf("after %v: remind %v escalate %v", tc.after, r, e)
		}
	}
	d.Status = store.DeliveryTaken
	if r, e := Due(org, d, at.Add(500*time.Hour)); r || e {
		t.Error("a taken case is due nothing")
	}
}

// A taken case is quiet from its last word either way or its last change,
// whichever is later, and due one reminder per whole week of it; a case
// nobody took, or one that is over, is never quiet.
func TestQuiet(t *testing.T) {
	changed := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	d := store.Delivery{Status: store.DeliveryTaken, UpdatedAt: changed}
	for _, tc := range []struct {
		word  time.Time
		after time.Duration
		since time.Time
		due   int
	}{
		{time.Time{}, 6 * 24 * time.Hour, changed, 0},
		{time.Time{}, 7 * 24 * time.Hour, changed, 1},
		{time.Time{}, 15 * 24 * time.Hour, changed, 2},
		{changed.Add(-time.Hour), 8 * 24 * time.Hour, changed, 1},
		{changed.Add(3 * 24 * time.Hour), 8 * 24 * time.Hour, changed.Add(3 * 24 * time.Hour), 0},
		{changed.Add(3 * 24 * time.Hour), 10 * 24 * time.Hour, changed.Add(3 * 24 * time.Hour), 1},
	} {
		since, due := Quiet(d, tc.word, changed.Add(tc.after))
		if !since.Equal(tc.since) || due != tc.due {
			t.Errorf("last word %v, %v after the change: quiet since %v, due %d; want %v, %d", tc.word, tc.after, since, due, tc.since, tc.due)
		}
	}
	for _, status := range []string{store.DeliveryOpen, store.DeliveryResolved, store.DeliveryReferred} {
		d.Status = status
		if _, due := Quiet(d, time.Time{}, changed.Add(30*24*time.Hour)); due != 0 {
			t.Errorf("a %s case is due %d quiet reminders", status, due)
		}
	}
}

// A supergroup's message opens from a t.me/c link, the chat's id without
// its -100; a basic group's has no link.
func TestMessageLink(t *testing.T) {
	for _, c := range []struct {
		chat int64
		msg  int
		want string
	}{
		{-1001000000001, 42, "https://t.me/c/1000000001/42"},
		{-1002233445566, 7, "https://t.me/c/2233445566/7"},
		{-4012345678, 42, ""}, // a basic group
		{-1001000000001, 0, ""},
		{501, 42, ""},
	} {
		if got := messageLink(c.chat, c.msg); got != c.want {
			t.Errorf("messageLink(%d, %d) = %q, want %q", c.chat, c.msg, got, c.want)
		}
	}
}
