package bot

import (
	"html"
	"strconv"
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

// fullOrShort is the full label when it fits a row of perRow, else its
// short form, which the bot words for that purpose.
func fullOrShort(full string, perRow int, short string) string {
	if chat.Fits(full, perRow) {
		return full
	}
	return short
}

// numberOverflow keeps a keyboard's options readable when their names are
// too long for a button: the options (the first n buttons, in order) are
// numbered, listed in full under the message text, and their buttons keep
// the number and the whole words that fit. A keyboard whose labels all fit
// is returned as it is. The numbers are the ones a worker may type.
func numberOverflow(text string, rows [][]chat.Button, n int) (string, [][]chat.Button) {
	return numberOptions(text, rows, n, false)
}

// numberOptions is numberOverflow for a message that may already list the
// options by number (listed): then only the buttons are numbered.
func numberOptions(text string, rows [][]chat.Button, n int, listed bool) (string, [][]chat.Button) {
	overflow := false
	i := 0
	for _, row := range rows {
		for _, b := range row {
			if i < n && !chat.Fits(b.Text, len(row)) {
				overflow = true
			}
			i++
		}
	}
	if !overflow {
		return text, rows
	}
	var lines []string
	out := make([][]chat.Button, 0, len(rows))
	i = 0
	for _, row := range rows {
		var options, rest []chat.Button
		for _, b := range row {
			if i < n {
				// A tick stays in front: "✓ 3. Wages".
				tick, label := "", b.Text
				if rest, ok := strings.CutPrefix(label, "✓ "); ok {
					tick, label = "✓ ", rest
				}
				num := strconv.Itoa(i+1) + "."
				lines = append(lines, num+" "+html.EscapeString(label))
				b.Text = fitLabel(tick+num+" "+label, 1, tick+num)
				options = append(options, b)
			} else {
				rest = append(rest, b)
			}
			i++
		}
		// A numbered option takes a row of its own: its words, not its
		// neighbour's, get the width.
		for _, b := range options {
			out = append(out, []chat.Button{b})
		}
		if len(rest) > 0 {
			out = append(out, rest)
		}
	}
	// A question whose own text numbers the options (the categories' list
	// in the locale files) is not listed twice.
	if listed || len(lines) > 0 && strings.Contains(text, lines[0]) {
		return text, out
	}
	return text + "\n\n" + strings.Join(lines, "\n"), out
}
