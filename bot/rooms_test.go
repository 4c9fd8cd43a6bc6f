package bot

import (
	"errors"
	"go/build"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRoomsStayClear keeps each outside world behind its one package: the
// Telegram library behind the transport, SQL behind the store, and the
// conversation engines free of both and of any other I/O. Tests may reach
// further (the local Bot API's own tests check it against the library).
func TestRoomsStayClear(t *testing.T) {
	const module = "github.com/rightsdesk/rightsdesk/"
	only := map[string]string{
		"github.com/go-telegram-bot-api/telegram-bot-api/v5": "bot/telegram",
		"database/sql":              "store",
		"modernc.org/sqlite":        "store",
		"github.com/robfig/cron/v3": "bot/jobs",
	}
	engines := []string{"bot/intake", "bot/desk/casework", "bot/routing", "bot/chat"}
	engineMayNot := []string{"os", "net", "net/http", "database/sql", module + "store", module + "bot/telegram",
		module + "bot/localapi", module + "locales"}

	imports := packageImports(t, "..")
	if len(imports) < 10 {
		t.Fatalf("found only %d packages; is the walk rooted at the module?", len(imports))
	}
	for dir, imps := range imports {
		for _, imp := range imps {
			if home, ok := only[imp]; ok && dir != home {
				t.Errorf("%s imports %s, which only %s may", dir, imp, home)
			}
			if slices.Contains(engines, dir) && slices.Contains(engineMayNot, imp) {
				t.Errorf("engine %s imports %s: an engine does no I/O", dir, imp)
			}
		}
	}
	for _, e := range engines {
		if _, ok := imports[e]; !ok {
			t.Errorf("engine %s not found", e)
		}
	}
}

// packageImports maps each package directory under root (relative, with
// slashes) to what its non-test files import, as the go command sees them.
func packageImports(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		var none *build.NoGoError
		if errors.As(err, &none) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		out[filepath.ToSlash(rel)] = pkg.Imports
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
