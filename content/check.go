package content

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"text/tabwriter"

	"github.com/rightsdesk/rightsdesk/content/directory"
	"github.com/rightsdesk/rightsdesk/content/glossary"
	"github.com/rightsdesk/rightsdesk/content/guide"
	"github.com/rightsdesk/rightsdesk/locales"
)

// Paths inside the content directory.
const (
	GuideDir    = "guide"
	NormsFile   = "reference/norms.md"
	GlossaryDir = "glossary"
)

// Check validates the content directory dir (and the locales directory
// beside it) for `rightsdesk content check [dir]`. It writes every problem
// as "file:line: message", then the translation table (topic × language),
// and reports whether there were no problems. Outdated, missing and
// unreviewed translations are shown in the table but are not problems:
// English may move ahead of its translations.
func Check(dir string, w io.Writer) (ok bool) {
	var notes []string
	g, _, problems := Load(os.DirFS(dir))
	for i := range problems {
		problems[i].File = filepath.Join(dir, filepath.FromSlash(problems[i].File))
	}

	// locales.Check names files with the directory it was given.
	localesDir := filepath.Join(dir, "..", "locales")
	if info, err := os.Stat(localesDir); err == nil && info.IsDir() {
		problems = append(problems, Problems(locales.Check(localesDir))...)
		problems = append(problems, checkLocaleGlossary(os.DirFS(dir), localesDir)...)
	} else {
		notes = append(notes, "locales not checked: no directory "+localesDir)
	}

	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].File != problems[j].File {
			return problems[i].File < problems[j].File
		}
		return problems[i].Line < problems[j].Line
	})
	for _, p := range problems {
		fmt.Fprintln(w, p)
	}
	for _, n := range notes {
		fmt.Fprintln(w, "note:", n)
	}
	fmt.Fprintf(w, "%d problem(s)\n\n", len(problems))
	writeParity(w, g)
	return len(problems) == 0
}

// Load reads and checks the content rooted at fsys as Check does, except
// the locales: the guide, its sources against the reference notes, its
// phone numbers against the directory, and the directory. A running bot
// refuses content with any problem, so what the check refuses is never
// served.
func Load(fsys fs.FS) (*guide.Guide, *directory.Directory, []Problem) {
	g, problems := guide.Load(fsys, GuideDir)
	if norms, err := guide.LoadNorms(fsys, NormsFile); err != nil {
		problems = append(problems, Problem{File: NormsFile, Message: err.Error()})
	} else {
		problems = append(problems, g.CheckSources(norms)...)
	}
	// Every phone number in the guide must be one the directory lists with
	// its source.
	services, dirProblems := directory.Load(fsys)
	problems = append(problems, dirProblems...)
	problems = append(problems, g.CheckPhones(services.PhoneNumbers())...)
	// Every treaty a topic cites has a line on the country pages, so the
	// bot can say whether it binds the reader's country of work.
	problems = append(problems, g.CheckInstruments(func(instrument string) bool {
		return slices.Contains(directory.Instruments, instrument)
	})...)
	problems = append(problems, checkShownSources(fsys)...)
	problems = append(problems, checkGuideGlossary(fsys)...)
	return g, services, problems
}

// checkGuideGlossary applies each language's glossary to its topics.
func checkGuideGlossary(fsys fs.FS) []Problem {
	set, problems := glossary.Load(fsys, GlossaryDir, guide.Languages)
	out := Problems(problems)
	for _, lang := range guide.Languages {
		names, _ := fs.Glob(fsys, path.Join(GuideDir, lang, "*.md"))
		var lines []glossary.Line
		for _, name := range names {
			if data, err := fs.ReadFile(fsys, name); err == nil {
				lines = append(lines, glossary.TopicLines(name, string(data))...)
			}
		}
		// Terms limited to interface messages are for the locale files.
		out = append(out, Problems(set[lang].CheckGuide(lines))...)
	}
	return out
}

// checkLocaleGlossary applies each language's glossary to its locale file
// (problems name files under localesDir, as locales.Check does).
func checkLocaleGlossary(fsys fs.FS, localesDir string) []Problem {
	set, _ := glossary.Load(fsys, GlossaryDir, guide.Languages) // Load reports these
	var out []Problem
	for _, lang := range locales.Languages {
		name := filepath.Join(localesDir, "active."+lang+".toml")
		data, err := os.ReadFile(name)
		if err != nil {
			continue // locales.Check reports it
		}
		out = append(out, Problems(set[lang].CheckLocale(glossary.LocaleLines(name, string(data))))...)
	}
	return out
}

// writeParity prints the topic × language table, with the hash a new
// translation must put in translated_from.
func writeParity(w io.Writer, g *guide.Guide) {
	parity := g.Parity()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "topic")
	for _, lang := range parity.Languages {
		fmt.Fprint(tw, "\t"+lang)
	}
	fmt.Fprintln(tw, "\ten hash")
	for _, row := range parity.Rows {
		fmt.Fprint(tw, row.ID)
		for _, s := range row.Status {
			fmt.Fprint(tw, "\t"+s.String())
		}
		en, _ := g.Topic(guide.SourceLanguage, row.ID)
		fmt.Fprintln(tw, "\t"+en.Hash)
	}
	_ = tw.Flush()
}
