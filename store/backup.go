package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// backupStamp names a backup by the moment it was taken, in UTC, so the
// names sort by age.
const backupStamp = "20060102T150405Z"

// BackupFiles lists the backups of the database at dbPath kept in dir,
// oldest first.
func BackupFiles(dbPath, dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	prefix := backupPrefix(dbPath)
	var out []string
	for _, e := range entries {
		stamp, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || e.IsDir() {
			continue
		}
		stamp, ok = strings.CutSuffix(stamp, ".db")
		// Only names this code wrote are ever listed, and so rotated.
		if _, err := time.Parse(backupStamp, stamp); ok && err == nil {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	slices.Sort(out)
	return out, nil
}

// backupPrefix is what every backup of the database is named from: its
// file name without the extension.
func backupPrefix(dbPath string) string {
	base := filepath.Base(dbPath)
	return strings.TrimSuffix(base, filepath.Ext(base)) + "-"
}

// Backup writes a consistent copy of the database at dbPath into dir with
// VACUUM INTO — a snapshot taken in one read transaction, so writers carry
// on meanwhile — and keeps the newest keep backups (keep < 1 keeps all).
// The copy holds sealed values as they are, so it is no use without the
// key, and anyone holding both has everything: it is readable by the owner
// only. A copy is written under a temporary name and renamed when whole.
func Backup(ctx context.Context, dbPath, dir string, at time.Time, keep int) (string, error) {
	if _, err := os.Stat(dbPath); err != nil {
		return "", Errorf(ENOTFOUND, "no database at %s", dbPath)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	name := filepath.Join(dir, backupPrefix(dbPath)+at.UTC().Format(backupStamp)+".db")
	partial := filepath.Join(dir, "."+filepath.Base(name)+".partial")
	_ = os.Remove(partial) // left by a run that died
	// VACUUM INTO fills an empty file: made first, it is never readable by
	// others, not even while it is written.
	f, err := os.OpenFile(partial, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	f.Close()

	// Not query_only: SQLite counts writing the copy as a write.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	conn, err := sql.Open("sqlite", "file:"+dbPath+"?"+q.Encode())
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, partial); err != nil {
		_ = os.Remove(partial)
		return "", fmt.Errorf("store: backup: %w", err)
	}
	if err := syncFile(partial); err != nil {
		_ = os.Remove(partial)
		return "", err
	}
	if err := os.Rename(partial, name); err != nil {
		_ = os.Remove(partial)
		return "", err
	}
	if keep > 0 {
		files, err := BackupFiles(dbPath, dir)
		if err != nil {
			return name, err
		}
		for len(files) > keep {
			if err := os.Remove(files[0]); err != nil {
				return name, err
			}
			files = files[1:]
		}
	}
	return name, nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Backup backs this database up; see the package function Backup.
func (db *DB) Backup(ctx context.Context, dir string, at time.Time, keep int) (string, error) {
	return Backup(ctx, db.path, dir, at, keep)
}

// IntegrityCheck runs SQLite's integrity check and returns its complaints.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	rows, err := db.read.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return Errorf(EINTERNAL, "integrity check: %s", strings.Join(problems, "; "))
	}
	return nil
}
