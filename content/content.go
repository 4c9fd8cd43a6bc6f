// Package content ships the bot's editorial content (guide, service
// directory, countries, gazetteer, reference notes) and checks it before
// release.
package content

import (
	"io/fs"
	"sync"

	"github.com/rightsdesk/rightsdesk/content/guide"
)

// Problem is one content error at a file and line.
type Problem = guide.Problem

// Validator checks one part of the content, given the content directory.
type Validator func(fsys fs.FS) []Problem

// PhoneBook returns the set of phone numbers the service directory lists
// with a source; guide bodies may only mention these. Keys may be formatted
// any way: only digits are compared.
type PhoneBook func(fsys fs.FS) map[string]bool

// problemLike matches the Problem types of other packages (directory,
// locales), which have the same fields but cannot import this package
// without an import cycle.
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

type namedValidator struct {
	name string
	run  Validator
}

var registry struct {
	sync.Mutex
	validators []namedValidator
	phoneBooks []PhoneBook
}

// RegisterValidator adds a check that Check runs, such as
// RegisterValidator("directory", directory.Validate). The content package
// cannot call those packages itself without depending on them.
func RegisterValidator[P problemLike](name string, v func(fsys fs.FS) []P) {
	registry.Lock()
	defer registry.Unlock()
	registry.validators = append(registry.validators, namedValidator{name: name, run: func(fsys fs.FS) []Problem {
		return Problems(v(fsys))
	}})
}

// RegisterPhoneBook adds a source of known phone numbers for the guide check.
func RegisterPhoneBook(pb PhoneBook) {
	registry.Lock()
	defer registry.Unlock()
	registry.phoneBooks = append(registry.phoneBooks, pb)
}

func registered() ([]namedValidator, []PhoneBook) {
	registry.Lock()
	defer registry.Unlock()
	return append([]namedValidator(nil), registry.validators...), append([]PhoneBook(nil), registry.phoneBooks...)
}
