package chat

import "unicode"

// Button labels must be read whole on the narrowest common phone: a screen
// 360 px wide (in Android's density-independent pixels), where an inline
// keyboard spans about 340 px and a full-row button leaves about
// KeyboardTextPx for its text. A client cuts a longer label mid-word, so
// the bot keeps labels within the budget below and puts full names in the
// message instead.
//
// The budget is counted in characters per script, for a label alone on its
// row: Latin 36, Cyrillic 32, Georgian 26 (Georgian letters are the
// widest). An emoji counts as two Latin characters. A row of n buttons
// gives each (KeyboardTextPx - (n-1)·ButtonChromePx) / n.
const (
	KeyboardTextPx = 316
	ButtonChromePx = 28
)

// CharsPerRow is the budget of a full-row button, per script.
var CharsPerRow = map[string]int{"latin": 36, "cyrillic": 32, "georgian": 26}

// The width of one character of each script, from CharsPerRow. Every label
// of every keyboard is measured; looking the budget up in the map for each
// character made that take twice as long.
var (
	latinPx    = perRowPx("latin")
	cyrillicPx = perRowPx("cyrillic")
	georgianPx = perRowPx("georgian")
)

func perRowPx(script string) float64 { return float64(KeyboardTextPx) / float64(CharsPerRow[script]) }

// runePx is the width a character takes in a label, from CharsPerRow.
func runePx(r rune) float64 {
	switch {
	case r < 0x80:
		return latinPx // ASCII: Latin letters, digits, spaces and punctuation
	case r == '\u200d' || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || (r >= '\ufe00' && r <= '\ufe0f'):
		return 0 // joiners, variation selectors and combining marks draw nothing alone
	case unicode.Is(unicode.Georgian, r):
		return georgianPx
	case unicode.Is(unicode.Cyrillic, r):
		return cyrillicPx
	case r >= 0x2190 && (unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) || r >= 0x1F000):
		return 2 * latinPx // emoji and pictographs
	}
	return latinPx
}

// LabelPx is a label's width in the units of KeyboardTextPx.
func LabelPx(label string) float64 {
	var w float64
	for _, r := range label {
		w += runePx(r)
	}
	return w
}

// RowPx is the text width each of perRow buttons gets.
func RowPx(perRow int) float64 {
	perRow = max(perRow, 1)
	return float64(KeyboardTextPx-(perRow-1)*ButtonChromePx) / float64(perRow)
}

// Fits reports whether a label can be read whole in a row of perRow buttons.
func Fits(label string, perRow int) bool { return LabelPx(label) <= RowPx(perRow)+0.001 }

// Flow lays buttons out up to perRow to a row, but starts a new row rather
// than squeeze a label past its share of the phone's width: a long name
// gets a row of its own.
func Flow(buttons []Button, perRow int) [][]Button {
	var rows [][]Button
	var row []Button
	fits := func(row []Button) bool {
		for _, b := range row {
			if !Fits(b.Text, len(row)) {
				return false
			}
		}
		return true
	}
	for _, b := range buttons {
		if len(row) > 0 && (len(row) == perRow || !fits(append(row[:len(row):len(row)], b))) {
			rows = append(rows, row)
			row = nil
		}
		row = append(row, b)
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

// Reflow splits a row whose labels do not fit side by side.
func Reflow(rows [][]Button) [][]Button {
	out := make([][]Button, 0, len(rows))
	for _, row := range rows {
		out = append(out, Flow(row, len(row))...)
	}
	return out
}
