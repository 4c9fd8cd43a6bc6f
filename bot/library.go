package bot

import (
	"fmt"
	"io/fs"
	"strings"
	"sync/atomic"

	"github.com/rightsdesk/rightsdesk/bot/routing"
	"github.com/rightsdesk/rightsdesk/content"
	"github.com/rightsdesk/rightsdesk/content/directory"
	"github.com/rightsdesk/rightsdesk/content/gazetteer"
	"github.com/rightsdesk/rightsdesk/content/guide"
)

// Library is the editorial content the bot serves: the guide, the service
// directory with country facts, and the gazetteer. It is immutable once
// loaded; a reload builds a new one and swaps it in whole.
type Library struct {
	Guide     *guide.Guide
	Directory *directory.Directory
	Gazetteer *gazetteer.Gazetteer
	// Routes is the directory prepared for ranking, built once per load.
	Routes *routing.Index
}

// LoadLibrary reads content rooted at fsys (the content/ directory, embedded
// or on disk). Any problem refuses the whole library, so a broken edit never
// replaces content in service.
func LoadLibrary(fsys fs.FS) (*Library, error) {
	g, d, problems := content.Load(fsys)
	if len(problems) > 0 {
		var b strings.Builder
		for i, p := range problems {
			if i == 10 {
				fmt.Fprintf(&b, "\n… and %d more", len(problems)-10)
				break
			}
			b.WriteString("\n" + p.String())
		}
		return nil, fmt.Errorf("content has %d problem(s):%s", len(problems), b.String())
	}
	gz, err := gazetteer.Load()
	if err != nil {
		return nil, err
	}
	return &Library{Guide: g, Directory: d, Gazetteer: gz, Routes: routing.NewIndex(routingServices(d.Services()))}, nil
}

// libraryRef holds the library in service; readers take a snapshot per turn.
type libraryRef struct{ p atomic.Pointer[Library] }

func (r *libraryRef) Load() *Library   { return r.p.Load() }
func (r *libraryRef) Store(l *Library) { r.p.Store(l) }

// Library is the content in service now.
func (b *Bot) Library() *Library { return b.library.Load() }
