package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/rightsdesk/rightsdesk/store"
)

// runBackup writes one backup now. It needs no key: the copy holds the
// sealed values as they are. It is safe while the bot runs: VACUUM INTO
// copies one consistent snapshot and writers carry on.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", envOr("RIGHTSDESK_DB", "./rightsdesk.db"), "SQLite database path (env RIGHTSDESK_DB)")
	dir := fs.String("dir", envOr("RIGHTSDESK_BACKUP_DIR", ""), "backup directory; default <db dir>/backups (env RIGHTSDESK_BACKUP_DIR)")
	keep := fs.Int("keep", envInt("RIGHTSDESK_BACKUP_KEEP", 7), "backups kept; older ones are deleted, 0 keeps all (env RIGHTSDESK_BACKUP_KEEP)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("backup takes no arguments, got %q", fs.Args())
	}
	target := jobsConfig{BackupDir: *dir}.backupDir(*dbPath)
	file, err := store.Backup(ctx, *dbPath, target, time.Now(), *keep)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, file)
	return nil
}
