// Package store is rightsdesk's only room with SQL: a SQLite database (pure-Go
// modernc driver) holding the inbox, the outbox, chats and their sealed
// conversation state, cases and the guide's search index.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// driverName is the database/sql driver; tests put a recording wrapper
// around modernc's to see every statement the store runs.
var driverName = "sqlite"

// DB is a database with one writer connection (SQLite allows one writer; a
// pool would only queue on busy_timeout) and a small pool of readers.
type DB struct {
	write *sql.DB
	// writer is write's one connection, the commit loop's alone once the
	// migrations ran.
	writer *writer
	read   *sql.DB
	// Prepared statements by query: parsing SQL anew was a fifth of the
	// CPU an update cost.
	writeStmts, readStmts stmtCache
	sealer                *Sealer
	path                  string
	// mirror serves hot reads from memory. It knows this process's writes
	// only: the process owns the database while it runs, and a commit by
	// anyone else (an operator's sqlite3, say) is noticed through
	// dataVersion at this process's next commit, which forgets it all.
	mirror      mirror
	dataVersion int64
	// guideVocab is the guide's vocabulary for forgiving search, built
	// with the index (guide_fuzzy.go).
	guideVocab atomic.Pointer[guideVocab]

	// Now is the clock; tests replace it.
	Now func() time.Time

	// commits counts committed write transactions, writes the Updates
	// they carried (group commit puts several in one).
	commits, writes atomic.Int64

	jobs      chan *job
	closing   chan struct{}
	stopped   chan struct{}
	closeOnce sync.Once
}

// Open opens (creating if needed) the database at path, applies pending
// migrations and refuses a database written by a newer rightsdesk.
func Open(ctx context.Context, dbPath string, key []byte) (*DB, error) {
	sealer, err := NewSealer(key)
	if err != nil {
		return nil, err
	}
	pragmas := []string{
		"busy_timeout(" + strconv.Itoa(busyTimeoutMs) + ")",
		"journal_mode(WAL)",
		"foreign_keys(ON)",
		"synchronous(NORMAL)",
		"secure_delete(ON)",
		"cache_size(-" + strconv.Itoa(pageCacheKiB) + ")",
		// A group commit's savepoints journal every page they touch; once
		// that passes 64 KiB SQLite spills it to a temporary file, and the
		// writes to it were a twentieth of the bot's CPU at saturation. In
		// memory it also leaves no trace of a page's old content on disk.
		"temp_store(MEMORY)",
	}
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	wq := url.Values{}
	for k, v := range q {
		wq[k] = v
	}
	wq.Set("_txlock", "immediate")
	write, err := sql.Open(driverName, "file:"+dbPath+"?"+wq.Encode())
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)

	db := &DB{write: write, sealer: sealer, path: dbPath, Now: time.Now,
		jobs: make(chan *job), closing: make(chan struct{}), stopped: make(chan struct{})}
	if err := db.migrate(ctx); err != nil {
		write.Close()
		return nil, err
	}
	if db.writer, err = openWriter(ctx, write); err != nil {
		write.Close()
		return nil, err
	}
	rq := url.Values{}
	for k, v := range q {
		rq[k] = v
	}
	rq.Add("_pragma", "query_only(ON)")
	read, err := sql.Open(driverName, "file:"+dbPath+"?"+rq.Encode())
	if err != nil {
		db.writer.close()
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4)
	db.read = read
	go db.commitLoop()
	return db, nil
}

func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.closing) })
	<-db.stopped
	var errs []error
	// Statements first: a connection with unfinalized statements may
	// refuse to close.
	errs = append(errs, db.readStmts.close(), db.writeStmts.close())
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	// A final checkpoint folds the WAL into the main file, so data erased
	// with secure_delete is not left behind in old WAL frames. A reader
	// holding it back (Litestream) is not waited for long: the WAL stays,
	// whole, and the next open or checkpoint folds it in.
	err := db.checkpoint(context.Background())
	if ErrorCode(err) == ECONFLICT {
		err = nil
	}
	errs = append(errs, err, db.writer.close(), db.write.Close())
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// WriteStats counts the write transactions committed since Open and the
// Updates they carried, for metrics.
func (db *DB) WriteStats() (commits, writes int64) { return db.commits.Load(), db.writes.Load() }

// Path is where the database file lives.
func (db *DB) Path() string { return db.path }

// Checkpoint folds the WAL into the database and truncates it; after an
// erasure this is what makes the erased bytes leave the disk.
//
// A truncating checkpoint waits for every reader to reach the newest
// snapshot, and it waits on the one writer connection: with the usual busy
// timeout a long reader — Litestream holds a read transaction open between
// its syncs — would stall every update for ten seconds. So it waits a
// quarter of a second at most and reports the reader (ECONFLICT); the
// bytes then leave with a later checkpoint.
func (db *DB) Checkpoint(ctx context.Context) error { return db.alone(ctx, db.checkpoint) }

// checkpoint runs on the writer connection, between transactions.
func (db *DB) checkpoint(ctx context.Context) error {
	conn := db.writer.conn
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = "+strconv.Itoa(checkpointWaitMs)); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA busy_timeout = "+strconv.Itoa(busyTimeoutMs))
	// A checkpoint a reader blocked still succeeds as a statement; only its
	// result row tells that the WAL was not truncated.
	var busy, frames, done int
	err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &frames, &done)
	if err == nil && busy != 0 {
		return Errorf(ECONFLICT, "checkpoint blocked by a reader: the WAL still holds %d frames", frames)
	}
	return err
}

const (
	// busyTimeoutMs is how long a statement waits for a lock.
	busyTimeoutMs = 10000
	// checkpointWaitMs is how long a truncating checkpoint waits for
	// readers before giving up.
	checkpointWaitMs = 250
	// pageCacheKiB is each connection's page cache. The rows read on
	// every update (chat states, the outbox) are mirrored in memory, and
	// the kernel caches the file anyway: SQLite's default 2 MiB per
	// connection only held a second copy of pages the OS already had.
	// In the bench a quarter of a MiB costs no CPU and 2.5 MB of RSS less.
	pageCacheKiB = 256
)

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: migration %q is not named NNNN_name.sql", e.Name())
		}
		b, err := migrations.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migrations must be numbered 1..n without gaps; found %04d at position %d", m.version, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the highest migration this build knows.
func SchemaVersion() int {
	ms, err := loadMigrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

func (db *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: create migrations table: %w", err)
	}
	var current int
	if err := db.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return err
	}
	if current > len(ms) {
		return Errorf(ETOONEW, "database schema version %d is newer than this rightsdesk knows (%d); run a newer rightsdesk or restore a backup", current, len(ms))
	}
	if current == len(ms) {
		return nil
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, m := range ms[current:] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("store: migration %04d_%s: %w", m.version, m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, time.Now().Unix()); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Tx is one immediate write transaction. Everything a handler changes — state,
// outbox rows, the inbox row it handled — goes through one Tx, so a crash
// leaves either all of it or none.
type Tx struct {
	tx  *writer
	db  *DB
	now time.Time
	// changes are its writes to the mirrored tables, applied to the
	// mirror once they committed.
	changes []change
}

// Update runs fn in an immediate write transaction and commits it when fn
// returns nil.
//
// Updates from concurrent callers are committed together (group commit):
// a commit is the dearest part of a write, and with one writer the callers
// would queue for it anyway. Each fn runs inside its own savepoint, so an
// error in one rolls back that fn alone; the others commit. fn must not
// call Update itself.
func (db *DB) Update(ctx context.Context, fn func(*Tx) error) error {
	err := db.queue(&job{ctx: ctx, fn: fn})
	var p panicked
	if errors.As(err, &p) {
		panic(p.value)
	}
	return err
}

type job struct {
	ctx context.Context
	fn  func(*Tx) error
	// alone, instead of fn, runs on the writer connection outside any
	// transaction, between two commits.
	alone func(context.Context) error
	done  chan error
}

// alone runs fn on the writer connection between two commits, as the
// commit loop's turn: the connection is the loop's.
func (db *DB) alone(ctx context.Context, fn func(context.Context) error) error {
	return db.queue(&job{ctx: ctx, alone: fn})
}

// queue hands j to the commit loop and waits for its outcome.
func (db *DB) queue(j *job) error {
	j.done = make(chan error, 1)
	select {
	case db.jobs <- j:
	case <-j.ctx.Done():
		return j.ctx.Err()
	case <-db.closing:
		return Errorf(EINTERNAL, "database is closed")
	}
	// Once queued the job may commit, so its outcome is awaited even when
	// ctx ends: the caller must not believe a committed change was lost.
	return <-j.done
}

// panicked carries a panic inside fn back to the caller's goroutine.
type panicked struct{ value any }

func (p panicked) Error() string { return fmt.Sprint("store: update panicked: ", p.value) }

// maxBatch bounds how many updates share a commit, so one commit never
// holds back its first caller for long.
const maxBatch = 64

// commitLoop owns the writer connection's transactions.
func (db *DB) commitLoop() {
	defer close(db.stopped)
	for {
		var next *job
		select {
		case next = <-db.jobs:
		case <-db.closing:
			return
		}
		for next != nil {
			if next.alone != nil {
				next.done <- next.alone(next.ctx)
				next = nil
				continue
			}
			batch := []*job{next}
			next = nil
			// Callers that are about to ask, given the chance, share this
			// commit instead of paying for their own right after it.
			runtime.Gosched()
		fill:
			for len(batch) < maxBatch {
				select {
				case j := <-db.jobs:
					if j.alone != nil {
						next = j
						break fill
					}
					batch = append(batch, j)
				default:
					break fill
				}
			}
			db.commitBatch(batch)
		}
	}
}

func (db *DB) commitBatch(batch []*job) {
	results := make([]error, len(batch))
	err := db.runBatch(batch, results)
	for i, j := range batch {
		if results[i] == nil {
			results[i] = err
		}
		j.done <- results[i]
	}
}

func (db *DB) runBatch(batch []*job, results []error) error {
	ctx := context.Background()
	w := db.writer
	if _, err := w.begin.ExecContext(ctx); err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			// After a failed COMMIT SQLite may have rolled back already;
			// then this says so, and there is nothing left to undo.
			w.rollback.ExecContext(ctx)
		}
	}()
	// outer runs the savepoints, through the statement cache like the rest.
	outer := &Tx{tx: w, db: db}
	outer.noticeOutsideWrites(ctx)
	var changes []change
	single := len(batch) == 1
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if !single {
			if _, err := outer.exec(ctx, "SAVEPOINT job"); err != nil {
				return err
			}
		}
		t := &Tx{tx: w, db: db, now: db.Now()}
		results[i] = runJob(j.fn, t)
		if results[i] == nil {
			changes = append(changes, t.changes...)
		}
		if single {
			if results[i] != nil {
				return nil
			}
			continue
		}
		if results[i] != nil {
			if _, err := outer.exec(ctx, "ROLLBACK TO job"); err != nil {
				return err
			}
		}
		if _, err := outer.exec(ctx, "RELEASE job"); err != nil {
			return err
		}
	}
	if _, err := w.commit.ExecContext(ctx); err != nil {
		// Whatever the failed commit left, the mirror does not guess.
		db.mirror.apply([]change{{kind: changeEverything}})
		return err
	}
	committed = true
	if beforeApply != nil {
		beforeApply()
	}
	db.mirror.apply(changes)
	db.commits.Add(1)
	for _, err := range results {
		if err == nil {
			db.writes.Add(1)
		}
	}
	return nil
}

// NoticeOutsideWrites makes this process see what another one committed
// (an operator's command queuing messages, say) before it next reads.
func (db *DB) NoticeOutsideWrites(ctx context.Context) error {
	// Every commit begins by looking; an empty one does nothing else.
	return db.Update(ctx, func(*Tx) error { return nil })
}

// noticeOutsideWrites makes the mirror forget everything when another
// connection committed since the last look; the writer's data_version
// changes only then. It looks inside the batch's transaction, whose
// snapshot the jobs then read: outside one, the pragma began and ended a
// read transaction of its own, a twentieth of the bot's CPU at 1,000
// updates a second.
func (tx *Tx) noticeOutsideWrites(ctx context.Context) {
	const q = "PRAGMA data_version"
	var row *sql.Row
	if s := tx.stmt(ctx, q); s != nil {
		row = s.QueryRowContext(ctx)
	} else {
		row = tx.tx.QueryRowContext(ctx, q)
	}
	var v int64
	err := row.Scan(&v)
	db := tx.db
	if err != nil || v != db.dataVersion {
		db.dataVersion = v
		db.mirror.apply([]change{{kind: changeEverything}})
	}
}

func runJob(fn func(*Tx) error, t *Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicked{value: r}
		}
	}()
	return fn(t)
}

// exec runs a statement in the transaction, prepared once.
func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := tx.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, query, args...)
}

// stmt is the query's statement prepared on the writer connection, or nil
// when it cannot be prepared (the caller then runs it unprepared). The
// connection is the commit loop's, so it prepares inside the transaction
// as well as outside one.
func (tx *Tx) stmt(ctx context.Context, query string) *sql.Stmt {
	s, _ := tx.db.writeStmts.prepare(ctx, tx.tx.conn, query)
	return s
}

// readStmt is the prepared statement for a read, or nil when it cannot be
// prepared (the caller then runs the query unprepared).
func (db *DB) readStmt(ctx context.Context, query string) *sql.Stmt {
	if s := db.readStmts.get(query); s != nil {
		return s
	}
	s, _ := db.readStmts.prepare(ctx, db.read, query)
	return s
}

// queryRow reads one row through a prepared statement.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if s := db.readStmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return db.read.QueryRowContext(ctx, query, args...)
}

// query reads rows through a prepared statement.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := db.readStmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return db.read.QueryContext(ctx, query, args...)
}

// stmtCache holds prepared statements, each prepared by whoever first runs
// it: a read on the readers' pool, a write on the commit loop's connection.
// The preparation runs outside the cache's lock.
type stmtCache struct {
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[query]
}

// preparer is the readers' pool or the writer's connection.
type preparer interface {
	PrepareContext(context.Context, string) (*sql.Stmt, error)
}

// prepare adds a statement; a failure only means it stays unprepared.
func (c *stmtCache) prepare(ctx context.Context, db preparer, query string) (*sql.Stmt, error) {
	if s := c.get(query); s != nil {
		return s, nil
	}
	s, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[query]; old != nil {
		s.Close()
		return old, nil
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = s
	return s, nil
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first error
	for q, s := range c.m {
		if err := s.Close(); err != nil && first == nil {
			first = err
		}
		delete(c.m, q)
	}
	return first
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms) }
