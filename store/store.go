// Package store keeps Partnerdesk's data in SQLite (pure Go, the embedded
// default) or PostgreSQL (production), with one set of hand-written SQL.
// Exported methods own their transaction; lowercase helpers take a *tx and
// compose. Partner-scoped reads take the tenant from the context
// (scope.go), never from their arguments.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers "sqlite"

	pd "github.com/partnerdesk/partnerdesk"
)

// DB is an open store. SQLite gets a one-connection write pool beside a
// read pool, since it allows one writer at a time; PostgreSQL uses one pool
// for both.
type DB struct {
	read, write *sql.DB
	dialect     dialect
	now         pd.Clock
	log         *slog.Logger
	dsn         string
	path        string       // SQLite: the database file
	file        os.FileInfo  // SQLite: that file as opened, to notice it removed or replaced
	queries     atomic.Int64 // statements run, for tests that forbid N+1
}

// LockWait is how long a write waits for the write lock (SQLite's one
// writer, in this process or another; a row another PostgreSQL
// transaction holds) before it is unavailable: long enough for any request
// or API batch ahead of it, short enough that a request stuck behind a
// long import is told to come back rather than kept waiting. A request
// that makes several writes bounds them all together with a context
// deadline of LockWait: a write waits at most until the deadline.
const LockWait = 5 * time.Second

const lockWait = LockWait

// ErrNoDatabase is OpenExisting's error for a SQLite path where no file is.
var ErrNoDatabase = errors.New("there is no SQLite database")

// Open opens the database at dsn: "postgres://…" or "postgresql://…" for
// PostgreSQL, otherwise a SQLite file path (optionally "sqlite://path" or
// "file:path"), which is created empty when no file is there. It does not
// migrate; call Migrate.
func Open(ctx context.Context, dsn string, now pd.Clock) (*DB, error) {
	return open(ctx, dsn, now, true)
}

// OpenExisting is Open for a database that must exist already: a SQLite
// path where no file is (a mistyped one, say) is ErrNoDatabase, not a new
// empty database.
func OpenExisting(ctx context.Context, dsn string, now pd.Clock) (*DB, error) {
	return open(ctx, dsn, now, false)
}

func open(ctx context.Context, dsn string, now pd.Clock, create bool) (*DB, error) {
	if now == nil {
		now = pd.SystemClock
	}
	db := &DB{now: now, dsn: dsn, log: slog.New(slog.DiscardHandler)}
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db.dialect = dialectPostgres
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		// Partnerdesk's reads are short: starting parallel workers costs
		// more than it saves (the Alerts count: 8.4 ms with a worker, 5.6 ms
		// without, at a million clients). A DSN that sets it wins.
		if _, set := cfg.RuntimeParams["max_parallel_workers_per_gather"]; !set {
			cfg.RuntimeParams["max_parallel_workers_per_gather"] = "0"
		}
		// A write behind a long import's row locks gives up (55P03,
		// unavailable) rather than waiting for it. A DSN that sets it wins.
		if _, set := cfg.RuntimeParams["lock_timeout"]; !set {
			cfg.RuntimeParams["lock_timeout"] = fmt.Sprintf("%dms", lockWait.Milliseconds())
		}
		db.write = stdlib.OpenDB(*cfg)
		db.write.SetMaxOpenConns(20)
		db.write.SetMaxIdleConns(20)
		db.read = db.write
	} else {
		db.path, _ = SQLitePath(dsn)
		if err := prepareSQLiteFile(db.path, create); err != nil {
			return nil, err
		}
		// Busy timeout first: the other pragmas may need to wait for a lock.
		q := url.Values{}
		for _, p := range []string{fmt.Sprintf("busy_timeout(%d)", lockWait.Milliseconds()), "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)", "cache_size(-65536)"} {
			q.Add("_pragma", p)
		}
		q.Set("_time_format", "sqlite")
		// The file exists now: a connection opened later never creates
		// one, so that a database removed under a running server is not
		// silently replaced by an empty one.
		q.Set("mode", "rw")
		q.Set("_txlock", "immediate")
		full := "file:" + db.path + "?" + q.Encode()
		if db.write, err = sql.Open("sqlite", full); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.write.SetMaxOpenConns(1)
		q.Set("_txlock", "deferred")
		if db.read, err = sql.Open("sqlite", "file:"+db.path+"?"+q.Encode()); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.read.SetMaxOpenConns(8)
		db.read.SetMaxIdleConns(8)
	}
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", db.dialect, err)
	}
	if db.path != "" {
		if db.file, err = os.Stat(db.path); err != nil {
			db.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
	}
	return db, nil
}

// prepareSQLiteFile makes sure a database file is at path that this
// process can write to, creating an empty one (an empty file is an empty
// database) if create is set. A read-only database would otherwise open
// and then fail every write.
func prepareSQLiteFile(path string, create bool) error {
	_, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !create:
		return fmt.Errorf("%w at %s", ErrNoDatabase, path)
	case errors.Is(err, fs.ErrNotExist):
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("create the SQLite database: %w", err)
		}
		if f != nil {
			f.Close()
		}
	case err != nil:
		return fmt.Errorf("open sqlite: %w", err)
	}
	if err := writable(path); err != nil {
		return fmt.Errorf("the SQLite database %s is read-only for this process: %w", path, err)
	}
	if err := writable(filepath.Dir(path)); err != nil {
		return fmt.Errorf("the folder of the SQLite database %s is read-only for this process, which keeps the database's write-ahead log there: %w", path, err)
	}
	return nil
}

// SetLogger sets where the store notes what it skipped (at debug level).
func (db *DB) SetLogger(l *slog.Logger) { db.log = l }

// DSN is the data source the store was opened on, for tools and tests
// that open it beside the store.
func (db *DB) DSN() string { return db.dsn }

// Dialect names the engine: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.String() }

// Close closes both pools.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		if e := db.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// tx wraps a transaction with the dialect's placeholder rebinding.
type tx struct {
	*sql.Tx
	d    dialect
	now  time.Time
	n    *atomic.Int64
	conn *sql.Conn // SQLite's write connection, released when the transaction ends
	// busyShortened: conn's busy_timeout was cut to what was left of
	// lockWait; it gets lockWait back when released.
	busyShortened bool
}

// Commit commits the transaction and releases its connection.
func (t *tx) Commit() error {
	defer t.release()
	return t.Tx.Commit()
}

// Rollback rolls the transaction back (a no-op once it is committed) and
// releases its connection.
func (t *tx) Rollback() error {
	defer t.release()
	return t.Tx.Rollback()
}

func (t *tx) release() {
	if t.conn == nil {
		return
	}
	if t.busyShortened {
		t.conn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA busy_timeout = %d", lockWait.Milliseconds()))
	}
	t.conn.Close()
	t.conn = nil
}

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	t.n.Add(1)
	return t.ExecContext(ctx, t.d.rebind(q), args...)
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	t.n.Add(1)
	return t.QueryContext(ctx, t.d.rebind(q), args...)
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	t.n.Add(1)
	return t.QueryRowContext(ctx, t.d.rebind(q), args...)
}

// insert runs an INSERT … RETURNING id and returns the id.
func (t *tx) insert(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := t.queryRow(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, err
}

// begin starts a write transaction, or a read-only one on the read pool.
// A SQLite write first checks that the database file is still the one
// opened, and waits for the one write connection at most lockWait.
func (db *DB) begin(ctx context.Context, write bool) (*tx, error) {
	t := &tx{d: db.dialect, n: &db.queries}
	var err error
	switch {
	case !write:
		t.Tx, err = db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.dialect == dialectPostgres})
	case db.dialect == dialectPostgres:
		t.Tx, err = db.write.BeginTx(ctx, nil)
	default:
		if err := db.onDisk(); err != nil {
			return nil, err
		}
		if err := db.writeConn(ctx, t); err != nil {
			return nil, err
		}
		if t.Tx, err = t.conn.BeginTx(ctx, nil); err != nil {
			t.release()
		}
	}
	if err != nil {
		return nil, unavailable(err)
	}
	t.now = db.now().UTC().Truncate(time.Microsecond)
	return t, nil
}

// writeConn waits for SQLite's write connection, which a long write in
// this process (an upload, an API batch) may hold, at most lockWait. Then
// BEGIN IMMEDIATE waits for another process's write lock (busy_timeout):
// after a wait for the connection, only for what is left of lockWait, so
// that a write waits at most lockWait in all.
func (db *DB) writeConn(ctx context.Context, t *tx) error {
	start := time.Now()
	wctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	c, err := db.write.Conn(wctx)
	if err != nil && !errors.Is(ctx.Err(), context.Canceled) && wctx.Err() != nil {
		return fmt.Errorf("%w: wait for the write connection: %w", &pd.Error{Code: pd.EUnavailable, Message: msgBusy}, err)
	} else if err != nil {
		return err
	}
	t.conn = c
	left := lockWait - time.Since(start)
	if dl, ok := ctx.Deadline(); ok {
		left = min(left, time.Until(dl))
	}
	if left < lockWait-10*time.Millisecond {
		left = max(left, time.Millisecond)
		if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", left.Milliseconds())); err != nil {
			t.release()
			return err
		}
		t.busyShortened = true
	}
	return nil
}

// view runs fn in a read transaction.
func (db *DB) view(ctx context.Context, fn func(*tx) error) error {
	t, err := db.begin(ctx, false)
	if err != nil {
		return err
	}
	defer t.Rollback()
	return unavailable(fn(t))
}

// update runs fn in a write transaction and commits it if fn succeeds.
func (db *DB) update(ctx context.Context, fn func(*tx) error) error {
	t, err := db.begin(ctx, true)
	if err != nil {
		return err
	}
	defer t.Rollback()
	if err := fn(t); err != nil {
		return unavailable(err)
	}
	return db.commit(t)
}

// housekeepWait bounds a bookkeeping write, so that the request it rides
// on is never held up by it.
const housekeepWait = 250 * time.Millisecond

// housekeep runs a bookkeeping write that the request does not depend on
// (when a token was last used): it waits for the write lock at most
// housekeepWait, and a failure is skipped, noted at debug level, since a
// later request writes it again.
func (db *DB) housekeep(ctx context.Context, what string, fn func(context.Context, *tx) error) {
	ctx, cancel := context.WithTimeout(ctx, housekeepWait)
	defer cancel()
	if err := db.update(ctx, func(t *tx) error { return fn(ctx, t) }); err != nil {
		db.log.DebugContext(ctx, "skipped "+what, "err", err)
	}
}

// commit commits a write transaction, unless the SQLite file it wrote to
// has been removed or replaced since the database was opened: what it
// wrote would be lost when the server stops.
func (db *DB) commit(t *tx) error {
	if err := db.onDisk(); err != nil {
		return err
	}
	return unavailable(t.Commit())
}

// Queries is how many statements the store has run, so that tests can
// prove a page costs the same number of queries whatever its size.
func (db *DB) Queries() int64 { return db.queries.Load() }

// Now is the store's clock.
func (db *DB) Now() time.Time { return db.now() }
