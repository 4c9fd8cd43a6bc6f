// Package guide loads the practical guide (Markdown topics with TOML front
// matter, one directory per language), renders topics to Telegram HTML pages
// and validates them, so that an editor learns about every broken citation,
// link or translation gap before the bot serves it.
package guide

import "fmt"

// Problem is one content error, pointing at the file and line where an
// editor can fix it. Line is 0 when the problem concerns the file as a whole.
type Problem struct {
	File    string
	Line    int
	Message string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
}
