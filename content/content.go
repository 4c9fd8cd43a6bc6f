// Package content ships the bot's editorial content (guide, service
// directory, countries, gazetteer, reference notes) and checks it before
// release.
package content

import (
	"github.com/rightsdesk/rightsdesk/content/guide"
)

// Problem is one content error at a file and line.
type Problem = guide.Problem

// problemLike matches the Problem types of other packages (locales),
// which have the same fields but cannot import this package.
type problemLike interface {
	~struct {
		File    string
		Line    int
		Message string
	}
}

// Problems converts another package's problems to this package's type.
func Problems[P problemLike](problems []P) []Problem {
	out := make([]Problem, len(problems))
	for i, p := range problems {
		out[i] = Problem(p)
	}
	return out
}
