package bot

import (
	"strings"

	"github.com/rightsdesk/rightsdesk/bot/chat"
)

// fitLabel keeps a button label within the phone's width budget
// (chat.Fits) without cutting a word: whole words while they fit, then
// "…"; failing that, short, which the message explains (the item's number
// beside its full name). Labels of names the bot does not write itself (a
// service, a topic, a town) go through here.
func fitLabel(label string, perRow int, short string) string {
	if chat.Fits(label, perRow) {
		return label
	}
	words := strings.Fields(label)
	for n := len(words) - 1; n > 0; n-- {
		cut := strings.TrimRight(strings.Join(words[:n], " "), ",.;:-–—(") + "…"
		if chat.Fits(cut, perRow) && n > 1 {
			return cut
		}
	}
	return short
}
