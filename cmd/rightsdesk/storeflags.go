package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/rightsdesk/rightsdesk/store"
)

// storeFlags are the flags of every operator's subcommand that opens the
// database, which may be in use by a running bot: SQLite lets both write,
// one at a time.
type storeFlags struct {
	DBPath, KeyFile string
}

func (s *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.DBPath, "db", envOr("RIGHTSDESK_DB", "./rightsdesk.db"), "SQLite database path (env RIGHTSDESK_DB)")
	fs.StringVar(&s.KeyFile, "key-file", envOr("RIGHTSDESK_KEY_FILE", ""), "at-rest key file; default <db>.key; ignored when RIGHTSDESK_KEY is set (env RIGHTSDESK_KEY_FILE)")
}

func (s storeFlags) keyPath() string {
	if s.KeyFile != "" {
		return s.KeyFile
	}
	return s.DBPath + ".key"
}

// open opens the database with its key, creating both when missing, as
// serve would.
func (s storeFlags) open(ctx context.Context) (*store.DB, error) {
	key, err := store.LoadKey(os.Getenv("RIGHTSDESK_KEY"), s.keyPath())
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, s.DBPath, key)
}

// openExisting opens the database of a bot that has run (it may still be
// running), with the key serve uses, refusing to create either.
func (s storeFlags) openExisting(ctx context.Context) (*store.DB, error) {
	if _, err := os.Stat(s.DBPath); err != nil {
		return nil, fmt.Errorf("no database at %s", s.DBPath)
	}
	env := os.Getenv("RIGHTSDESK_KEY")
	if env == "" {
		if _, err := os.Stat(s.keyPath()); err != nil {
			return nil, fmt.Errorf("no key: set RIGHTSDESK_KEY or -key-file (looked for %s)", s.keyPath())
		}
	}
	key, err := store.LoadKey(env, s.keyPath())
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, s.DBPath, key)
}
