package store

import (
	"context"
	"database/sql"
	"errors"
)

// writer is the one connection that writes, held by the commit loop for
// the life of the DB. Its transactions begin and end with statements
// prepared once: through database/sql's Tx every BEGIN and COMMIT was
// parsed anew, every transaction started a goroutine to watch its context,
// and every cached statement was bound to it again.
type writer struct {
	conn                    *sql.Conn
	begin, commit, rollback *sql.Stmt
}

func openWriter(ctx context.Context, db *sql.DB) (*writer, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	w := &writer{conn: conn}
	// The writer's DSN asks for immediate transactions, but that option is
	// the driver's, for BeginTx; here it is spelled out.
	for _, s := range []struct {
		stmt **sql.Stmt
		sql  string
	}{{&w.begin, "BEGIN IMMEDIATE"}, {&w.commit, "COMMIT"}, {&w.rollback, "ROLLBACK"}} {
		if *s.stmt, err = conn.PrepareContext(ctx, s.sql); err != nil {
			return nil, errors.Join(err, w.close())
		}
	}
	return w, nil
}

func (w *writer) close() error {
	var errs []error
	for _, s := range []*sql.Stmt{w.begin, w.commit, w.rollback} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(append(errs, w.conn.Close())...)
}

// The methods a Tx's statements use, as *sql.Tx has them: they run on
// the connection, inside the transaction the commit loop began on it.

func (w *writer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return w.conn.ExecContext(ctx, query, args...)
}

func (w *writer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return w.conn.QueryContext(ctx, query, args...)
}

func (w *writer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return w.conn.QueryRowContext(ctx, query, args...)
}

func (w *writer) Exec(query string, args ...any) (sql.Result, error) {
	return w.ExecContext(context.Background(), query, args...)
}

func (w *writer) Query(query string, args ...any) (*sql.Rows, error) {
	return w.QueryContext(context.Background(), query, args...)
}

func (w *writer) QueryRow(query string, args ...any) *sql.Row {
	return w.QueryRowContext(context.Background(), query, args...)
}
