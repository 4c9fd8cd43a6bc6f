package main

import (
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/rightsdesk/rightsdesk/bot/localapi"
)

// A worker who writes at length — three messages of their own, near
// Telegram's limit each, emoji and all — still reaches the desk: the card within Telegram's limit, and the whole account after it in
// as many messages as it needs, every word of it there; so does a photo
// they add with the longest caption Telegram lets them write. Nothing is
// asked of Telegram that it refuses.
func TestALongAccountReachesTheDeskWhole(t *testing.T) {
	h, olga, group := fnprDesk(t)
	w := newIntakeUser(t, h, "ru")
	var parts []string
	for i := range 3 {
		var b strings.Builder
		for j := 0; b.Len() < 6000; j++ {
			b.WriteString("слово" + strings.Repeat("😀", i) + " ")
		}
		parts = append(parts, strings.TrimSpace(string([]rune(b.String())[:3000/(i+1)])))
	}
	caseID := w.anonymousComplaint(parts...)
	w.chooseDesk(serviceName(t, h, "fnpr", "ru"))
	c := card(t, h, group, caseID, "📋")
	waitQuiet(h.api, 500*time.Millisecond, 10*time.Second)

	// Asked for a photo, the worker sends one with a caption as long as
	// Telegram lets them write: the photo and every word of it arrive.
	recorded(t, h, group.ID(), c)
	group.Reply(olga, c.ID, "Пришлите фото расчётного листа")
	q := waitText(t, w.u, "Пришлите фото")
	if err := w.u.Press(q.ID, w.tr("desk_worker_btn_file")); err != nil {
		t.Fatal(err)
	}
	w.await("cases_ask_evidence")
	caption := strings.TrimSpace(strings.Repeat("лист😀 ", 170))
	parts = append(parts, caption)
	w.u.SendPhoto(caption)
	waitGroup(t, group, "with the worker's photo", func(m localapi.Message) bool {
		return m.Kind == "photo" && m.ThreadID == c.ThreadID || m.Kind == "photo" && m.ReplyTo == c.ID
	})
	waitQuiet(h.api, 500*time.Millisecond, 10*time.Second)

	got := map[string]int{}
	for _, m := range group.Messages() {
		if n := len(utf16.Encode([]rune(m.PlainText))); n > 4096 {
			t.Errorf("a message of %d UTF-16 units reached the group", n)
		}
		for _, w := range strings.Fields(m.PlainText + " " + m.PlainCaption) {
			got[w]++
		}
	}
	// Every word of the account, as often as the worker wrote it (the card
	// shows its beginning once more).
	want := map[string]int{}
	for _, p := range parts {
		for _, w := range strings.Fields(p) {
			want[w]++
		}
	}
	for w, n := range want {
		if got[w] < n {
			t.Errorf("%q reached the desk %d times of %d", w, got[w], n)
		}
	}
	noErrorResponses(t, h.api)
}
