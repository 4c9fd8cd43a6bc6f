package intake

import (
	"strconv"
	"strings"
)

// A button payload is "<seq>:<question code>:<value>", e.g. "12:c:wages".
// The seq recognises buttons of questions that have passed; the code guards
// against a payload reaching the wrong question after a state was restored.
// Values are short ASCII, so a payload stays far below Telegram's 64 bytes
// and the bot's 40-byte budget.

// MaxPayload is the longest payload Step produces.
const MaxPayload = 40

func payload(seq int, code, value string) string {
	return strconv.Itoa(seq) + ":" + code + ":" + value
}

func parsePayload(p string) (seq int, code, value string, ok bool) {
	if len(p) > MaxPayload {
		return 0, "", "", false
	}
	head, rest, found := strings.Cut(p, ":")
	if !found {
		return 0, "", "", false
	}
	code, value, found = strings.Cut(rest, ":")
	if !found || code == "" || value == "" {
		return 0, "", "", false
	}
	seq, err := strconv.Atoi(head)
	if err != nil || seq <= 0 {
		return 0, "", "", false
	}
	return seq, code, value, true
}
