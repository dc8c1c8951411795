// Package store keeps Partnerdesk's data in SQLite (pure Go, the embedded
// default) or PostgreSQL (production), with one set of hand-written SQL.
// Exported methods own their transaction; lowercase helpers take a *tx and
// compose. Partner-scoped reads take the tenant from the context
// (scope.go), never from their arguments.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
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
	queries     atomic.Int64 // statements run, for tests that forbid N+1
}

// Open opens the database at dsn: "postgres://…" or "postgresql://…" for
// PostgreSQL, otherwise a SQLite file path (optionally "sqlite://path" or
// "file:path"). It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, now pd.Clock) (*DB, error) {
	if now == nil {
		now = pd.SystemClock
	}
	db := &DB{now: now}
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
		db.write = stdlib.OpenDB(*cfg)
		db.write.SetMaxOpenConns(20)
		db.write.SetMaxIdleConns(20)
		db.read = db.write
	} else {
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:")
		// Busy timeout first: the other pragmas may need to wait for a lock.
		q := url.Values{}
		for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)", "cache_size(-65536)"} {
			q.Add("_pragma", p)
		}
		q.Set("_time_format", "sqlite")
		q.Set("_txlock", "immediate")
		full := "file:" + path + "?" + q.Encode()
		if db.write, err = sql.Open("sqlite", full); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.write.SetMaxOpenConns(1)
		q.Set("_txlock", "deferred")
		if db.read, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode()); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.read.SetMaxOpenConns(8)
		db.read.SetMaxIdleConns(8)
	}
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", db.dialect, err)
	}
	return db, nil
}

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
	d   dialect
	now time.Time
	n   *atomic.Int64
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
func (db *DB) begin(ctx context.Context, write bool) (*tx, error) {
	pool := db.read
	if write {
		pool = db.write
	}
	t, err := pool.BeginTx(ctx, &sql.TxOptions{ReadOnly: !write && db.dialect == dialectPostgres})
	if err != nil {
		return nil, err
	}
	return &tx{Tx: t, d: db.dialect, now: db.now().UTC().Truncate(time.Microsecond), n: &db.queries}, nil
}

// view runs fn in a read transaction.
func (db *DB) view(ctx context.Context, fn func(*tx) error) error {
	t, err := db.begin(ctx, false)
	if err != nil {
		return err
	}
	defer t.Rollback()
	return fn(t)
}

// update runs fn in a write transaction and commits it if fn succeeds.
func (db *DB) update(ctx context.Context, fn func(*tx) error) error {
	t, err := db.begin(ctx, true)
	if err != nil {
		return err
	}
	defer t.Rollback()
	if err := fn(t); err != nil {
		return err
	}
	return t.Commit()
}

// Queries is how many statements the store has run, so that tests can
// prove a page costs the same number of queries whatever its size.
func (db *DB) Queries() int64 { return db.queries.Load() }

// Now is the store's clock.
func (db *DB) Now() time.Time { return db.now() }
