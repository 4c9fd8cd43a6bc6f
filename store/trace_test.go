package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync"

	"modernc.org/sqlite"
)

// The recording driver: modernc's, with every statement it is asked to
// prepare or run noted, so a test sees the SQL the store really runs —
// through any path, cached statement or not.

const tracedDriver = "sqlite-traced"

var (
	traceMu sync.Mutex
	traceOn bool
	traced  = map[string]int{} // query → number of arguments
)

func init() {
	sql.Register(tracedDriver, tracingDriver{&sqlite.Driver{}})
	driverName = tracedDriver
}

// StartTrace forgets what was noted and notes from now on.
func StartTrace() {
	traceMu.Lock()
	defer traceMu.Unlock()
	traceOn = true
	traced = map[string]int{}
}

// StopTrace returns what was noted since StartTrace.
func StopTrace() map[string]int {
	traceMu.Lock()
	defer traceMu.Unlock()
	traceOn = false
	out := traced
	traced = map[string]int{}
	return out
}

func note(query string, args int) {
	traceMu.Lock()
	defer traceMu.Unlock()
	if traceOn {
		traced[query] = args
	}
}

type tracingDriver struct{ d driver.Driver }

func (t tracingDriver) Open(name string) (driver.Conn, error) {
	c, err := t.d.Open(name)
	if err != nil {
		return nil, err
	}
	return &tracingConn{c}, nil
}

type tracingConn struct{ c driver.Conn }

func (t *tracingConn) Prepare(query string) (driver.Stmt, error) {
	return t.PrepareContext(context.Background(), query)
}

func (t *tracingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := t.c.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err == nil {
		note(query, s.NumInput())
	}
	return s, err
}

func (t *tracingConn) Close() error { return t.c.Close() }

func (t *tracingConn) Begin() (driver.Tx, error) {
	return t.BeginTx(context.Background(), driver.TxOptions{})
}

func (t *tracingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return t.c.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (t *tracingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	note(query, len(args))
	return t.c.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (t *tracingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	note(query, len(args))
	return t.c.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (t *tracingConn) Ping(ctx context.Context) error {
	if p, ok := t.c.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (t *tracingConn) ResetSession(ctx context.Context) error {
	if r, ok := t.c.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (t *tracingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := t.c.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}
