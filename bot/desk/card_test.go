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
		"t:" + id + ":01", "t:" + id + ": 1", "l", "l:ru:x"} {
		if cb, ok := parseDeskCallback(bad); ok {
			t.Errorf("%q parsed as %+v", bad, cb)
		}
	}
	if cb, ok := parseDeskCallback("l:ka"); !ok || cb.op != opLanguage || cb.args[0] != "ka" {
		t.Errorf("language: %+v %v", cb, ok)
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
