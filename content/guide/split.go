package guide

import (
	"strings"
	"sync"
	"unicode"
)

// PageLimit keeps guide pages short enough to read on a phone without
// scrolling through a wall of text; it leaves room below MessageLimit for a
// note the caller adds (for example that a translation is missing).
const PageLimit = 3500

// cut is a whitespace run where a message may end: the part before it ends
// at item a, the next part starts at item next.
type cut struct {
	a, next  int
	priority int
}

const (
	cutWord = iota + 1
	cutSentence
	cutLineNested
	cutLine
	cutParagraphNested
	cutParagraph
)

// Split cuts Telegram HTML into messages of at most limit visible UTF-16
// code units. It prefers blank lines between paragraphs, then line breaks,
// sentence ends and spaces, and cuts inside a word only when nothing else
// fits. Tags open at a cut are closed at the end of one part and reopened at
// the start of the next, so every part is valid on its own. Input that is
// not valid Telegram HTML is returned whole, for the validator to report.
func Split(html string, limit int) []string {
	return assemble(html, plan(html, limit))
}

// part is one message of a split: the tags reopened at its start, a range
// of the source, and the tags closed at its end. Kept instead of the
// messages themselves, a split costs a few words per message to remember.
type part struct {
	reopen   string
	from, to int
	close    string
}

// assemble builds the messages of a plan from the source it was made for.
func assemble(html string, parts []part) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.reopen + html[p.from:p.to] + p.close
	}
	return out
}

// plan is Split without building the messages.
func plan(html string, limit int) []part {
	whole := []part{{to: len(html)}}
	buf := planBuffers.Get().(*planBuffer)
	defer planBuffers.Put(buf)
	items, err := lex(buf.items, html)
	buf.items = items
	if err != nil || limit <= 0 {
		return whole
	}
	if cap(buf.prefix) < len(items)+1 {
		buf.prefix = make([]int, len(items)+1)
	}
	prefix := buf.prefix[:len(items)+1]
	prefix[0] = 0
	for i, it := range items {
		prefix[i+1] = prefix[i] + it.units
	}
	if prefix[len(items)] <= limit {
		return whole
	}
	cuts := findCuts(items)

	var parts []part
	var open []item // tags open where the current part starts
	start, c := 0, 0
	for start < len(items) {
		if prefix[len(items)]-prefix[start] <= limit {
			parts = appendPart(parts, html, items, open, start, len(items), prefix)
			break
		}
		end := start
		for end < len(items) && prefix[end+1]-prefix[start] <= limit {
			end++
		}
		for c < len(cuts) && cuts[c].a <= start {
			c++
		}
		best := -1
		for k := c; k < len(cuts) && cuts[k].a <= end; k++ {
			if prefix[cuts[k].a] == prefix[start] {
				continue // nothing visible before this cut
			}
			if best < 0 || cuts[k].priority >= cuts[best].priority {
				best = k
			}
		}
		at, next := end, end
		if best >= 0 {
			at, next = cuts[best].a, cuts[best].next
		} else {
			// No whitespace fits: cut inside the text, but not right after
			// an opening tag, which would leave an empty element behind.
			for at > start+1 && items[at-1].isTag() && !items[at-1].closing {
				at--
			}
			if at <= start {
				at = start + 1
			}
			next = at
		}
		parts = appendPart(parts, html, items, open, start, at, prefix)
		open = advance(open, items[start:next])
		start = next
	}
	return parts
}

// planBuffer holds what plan needs only while it runs. Nothing plan
// returns points into it: parts copy the tags they reopen and close.
type planBuffer struct {
	items  []item
	prefix []int
}

var planBuffers = sync.Pool{New: func() any { return new(planBuffer) }}

// appendPart adds items[from:to] as a message, reopening the tags open at
// from and closing those still open at to.
func appendPart(parts []part, html string, items []item, open []item, from, to int, prefix []int) []part {
	if from >= to || prefix[to] == prefix[from] {
		return parts
	}
	var reopen, close strings.Builder
	for _, tag := range open {
		reopen.WriteString(html[tag.start:tag.end])
	}
	stillOpen := advance(open, items[from:to])
	for i := len(stillOpen) - 1; i >= 0; i-- {
		close.WriteString("</" + stillOpen[i].tag + ">")
	}
	return append(parts, part{reopen: reopen.String(), from: items[from].start, to: items[to-1].end, close: close.String()})
}

// advance returns the open-tag stack after items, starting from open.
func advance(open []item, items []item) []item {
	stack := append([]item(nil), open...)
	for _, it := range items {
		if !it.isTag() {
			continue
		}
		if it.closing {
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		stack = append(stack, it)
	}
	return stack
}

// findCuts lists every whitespace run with how good a place it is to end a
// message.
func findCuts(items []item) []cut {
	var cuts []cut
	depth, inPre := 0, 0
	for i := 0; i < len(items); {
		it := items[i]
		if it.isTag() {
			delta := 1
			if it.closing {
				delta = -1
			}
			depth += delta
			if it.tag == "pre" {
				inPre += delta
			}
			i++
			continue
		}
		if !isSpace(it.char) {
			i++
			continue
		}
		a, newlines, lastNewline := i, 0, -1
		for i < len(items) && !items[i].isTag() && isSpace(items[i].char) {
			if items[i].char == '\n' {
				newlines++
				lastNewline = i
			}
			i++
		}
		next := i
		if inPre > 0 && lastNewline >= 0 {
			next = lastNewline + 1 // keep the indentation of the next code line
		}
		var priority int
		switch {
		case newlines >= 2 && depth == 0:
			priority = cutParagraph
		case newlines >= 2:
			priority = cutParagraphNested
		case newlines == 1 && depth == 0:
			priority = cutLine
		case newlines == 1:
			priority = cutLineNested
		case endsSentence(items, a, i):
			priority = cutSentence
		default:
			priority = cutWord
		}
		cuts = append(cuts, cut{a: a, next: next, priority: priority})
	}
	return cuts
}

// endsSentence tells whether the whitespace items[a:b] follows a sentence
// end. A following digit or lower-case letter means an abbreviation such as
// "Art. 7" rather than a sentence end.
func endsSentence(items []item, a, b int) bool {
	i := a - 1
	for i >= 0 && (items[i].isTag() || strings.ContainsRune(`"')»”’`, items[i].char)) {
		i--
	}
	if i < 0 || !strings.ContainsRune(".!?…", items[i].char) {
		return false
	}
	j := b
	for j < len(items) && (items[j].isTag() || strings.ContainsRune(`"'(«“‘`, items[j].char)) {
		j++
	}
	return j >= len(items) || !(unicode.IsDigit(items[j].char) || unicode.IsLower(items[j].char))
}

func isSpace(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == '\r' }
