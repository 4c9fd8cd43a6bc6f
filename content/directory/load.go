package directory

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/rightsdesk/rightsdesk/content/guide"
)

// Problem is the content problem type shared with the guide validator, so
// that one "content check" can print both: file (relative to the content
// root), line (0 for the whole file) and message.
type Problem = guide.Problem

const (
	servicesDir  = "directory"
	countriesDir = "countries"
)

// parsed keeps what a check needs to point back into the file.
type parsed[T any] struct {
	file  string
	lines keyLines
	value T
}

// Load reads directory/<cc>/<id>.toml and countries/<cc>.toml from fsys,
// which is rooted at the content directory. It returns every entry that
// could be decoded, even when there are problems, so that one bad file does
// not hide the rest; callers that publish content should refuse to start
// when problems is not empty.
func Load(fsys fs.FS) (*Directory, []Problem) {
	var problems []Problem
	services, p := readAll[Service](fsys, servicesDir, func(p string) bool {
		return strings.Count(p, "/") == 1 && path.Ext(p) == ".toml"
	})
	problems = append(problems, p...)
	countries, p := readAll[Country](fsys, countriesDir, func(p string) bool {
		return !strings.Contains(p, "/") && path.Ext(p) == ".toml"
	})
	problems = append(problems, p...)

	problems = append(problems, checkServices(services)...)
	problems = append(problems, checkCountries(countries, services)...)
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].File != problems[j].File {
			return problems[i].File < problems[j].File
		}
		return problems[i].Line < problems[j].Line
	})

	var svcs []Service
	for _, s := range services {
		svcs = append(svcs, s.value)
	}
	var ctrs []Country
	for _, c := range countries {
		ctrs = append(ctrs, c.value)
	}
	return newDirectory(svcs, ctrs), problems
}

// Validate returns every problem in the directory and country files.
func Validate(fsys fs.FS) []Problem {
	_, problems := Load(fsys)
	return problems
}

// readAll decodes every file under root accepted by want (given the path
// relative to root). Files that do not parse are reported and skipped.
func readAll[T any](fsys fs.FS, root string, want func(rel string) bool) ([]parsed[T], []Problem) {
	var out []parsed[T]
	var problems []Problem
	err := fs.WalkDir(fsys, root, func(p string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, root+"/")
		if entry.IsDir() || path.Ext(p) != ".toml" {
			return nil
		}
		if !want(rel) {
			problems = append(problems, Problem{File: p, Message: "TOML file in the wrong place: expected " + layoutOf(root)})
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			problems = append(problems, Problem{File: p, Message: err.Error()})
			return nil
		}
		text := string(data)
		lines := scanKeyLines(text)
		var value T
		md, err := toml.Decode(text, &value)
		if err != nil {
			problems = append(problems, decodeProblem(p, lines, err))
			return nil
		}
		for _, key := range md.Undecoded() {
			problems = append(problems, Problem{File: p, Line: lines.lineUnindexed(key),
				Message: fmt.Sprintf("unknown key %q", key.String())})
		}
		out = append(out, parsed[T]{file: p, lines: lines, value: value})
		return nil
	})
	if err != nil {
		problems = append(problems, Problem{File: root, Message: err.Error()})
	}
	return out, problems
}

func layoutOf(root string) string {
	if root == servicesDir {
		return servicesDir + "/<country code>/<id>.toml"
	}
	return countriesDir + "/<country code>.toml"
}

func decodeProblem(file string, lines keyLines, err error) Problem {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		line := pe.Position.Line
		if line == 0 && pe.LastKey != "" {
			line = lines.line(pe.LastKey)
		}
		return Problem{File: file, Line: line, Message: pe.Message}
	}
	return Problem{File: file, Message: err.Error()}
}

// lineUnindexed finds a key reported without array indices (as
// MetaData.Undecoded does) by matching recorded keys with their indices
// removed.
func (k keyLines) lineUnindexed(key toml.Key) int {
	want := strings.Join(key, ".")
	best := 0
	for recorded, line := range k {
		var parts []string
		for _, part := range strings.Split(recorded, ".") {
			if strings.Trim(part, "0123456789") != "" {
				parts = append(parts, part)
			}
		}
		if strings.Join(parts, ".") == want && (best == 0 || line < best) {
			best = line
		}
	}
	return best
}
