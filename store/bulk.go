package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	pd "github.com/partnerdesk/partnerdesk"
)

// Bulk loading: DB.Bulk runs a function that queues rows with Insert; the
// rows go to the database in large batches on a second goroutine (so that
// generating rows and writing them overlap), all in one transaction.
//
// SQLite: multi-row INSERTs through prepared statements on the write
// connection, with a larger page cache while the load runs.
// PostgreSQL: COPY through pgx. Foreign keys of the loaded tables are
// dropped on the first row and added back (and so checked, in one pass
// each) before the commit, which is much faster than checking row by row;
// the identity sequences are then moved past the largest id, since bulk
// rows usually carry explicit ids.

// Tunables of the bulk loader.
const (
	bulkBatchValues    = 1 << 17 // values queued before a batch goes to the writer
	sqliteRowsPerStmt  = 256     // rows in one multi-row INSERT
	sqliteMaxVariables = 32766   // SQLITE_MAX_VARIABLE_NUMBER of the bundled SQLite
	sqliteBulkCacheKiB = 512 << 10
)

// Bulk queues rows for DB.Bulk. It is not safe for concurrent use.
type Bulk struct {
	ctx    context.Context
	tables map[string]*bulkTable
	order  []*bulkTable // first use order: parents come before children
	cur    *bulkBatch
	queued int // values in cur

	work   chan *bulkBatch
	free   chan *bulkBatch
	done   chan struct{}
	failed atomic.Bool
	err    error // set by the writer before failed
}

type bulkTable struct {
	name  string
	cols  []string
	index int
	rows  int64
	hasID bool
}

// bulkBatch holds queued values per table, by bulkTable.index.
type bulkBatch struct {
	tables []*bulkTable
	vals   [][]any
}

// bulkSink writes batches for one dialect inside the load's transaction.
type bulkSink interface {
	write(ctx context.Context, t *bulkTable, vals []any) error
	finish(ctx context.Context, tables []*bulkTable) error
}

// Bulk runs fn, which queues rows with b.Insert, and writes them all in one
// transaction: an error from fn or from any row rolls everything back. It
// is meant for large one-off loads (demo data, imports into an empty
// database); it holds the write connection for the whole load. Rows should
// be queued parents first: the tables are written in the order of their
// first Insert.
func (db *DB) Bulk(ctx context.Context, fn func(b *Bulk) error) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	defer conn.Close()
	if db.dialect == dialectPostgres {
		err = conn.Raw(func(dc any) error {
			c, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("unexpected driver connection %T", dc)
			}
			return bulkPostgres(ctx, c.Conn(), fn)
		})
	} else {
		err = bulkSQLite(ctx, conn, fn)
	}
	if err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	return nil
}

// run drives a load: fn queues rows, the writer goroutine hands batches to
// the sink, and finish completes the load once every batch is written.
func (b *Bulk) run(sink bulkSink, fn func(b *Bulk) error) (err error) {
	b.tables = map[string]*bulkTable{}
	b.work = make(chan *bulkBatch, 1)
	b.free = make(chan *bulkBatch, 2)
	b.done = make(chan struct{})
	b.cur = &bulkBatch{}
	go b.writer(sink)
	closed := false
	stop := func() {
		if !closed {
			closed = true
			close(b.work)
			<-b.done
		}
	}
	defer stop() // also when fn panics
	if err := fn(b); err != nil {
		return err
	}
	b.flush()
	stop()
	if b.failed.Load() {
		return b.err
	}
	return sink.finish(b.ctx, b.order)
}

// writer writes batches in order until the work channel closes; after an
// error it only drains, so that Insert never blocks.
func (b *Bulk) writer(sink bulkSink) {
	defer close(b.done)
	for batch := range b.work {
		if !b.failed.Load() {
			for i, vals := range batch.vals {
				if len(vals) == 0 {
					continue
				}
				if err := sink.write(b.ctx, batch.tables[i], vals); err != nil {
					b.err = err
					b.failed.Store(true)
					break
				}
			}
		}
		for i := range batch.vals {
			clear(batch.vals[i])
			batch.vals[i] = batch.vals[i][:0]
		}
		select {
		case b.free <- batch:
		default:
		}
	}
}

// Insert queues one row of table with values for cols (the same columns on
// every call for a table). Values are what the store's queries take:
// int64 and other integers, string, bool, time.Time (UTC), pd.Date, nil.
// The error is a previous batch's failure or a misuse; it is final.
func (b *Bulk) Insert(table string, cols []string, row ...any) error {
	if b.failed.Load() {
		return b.err
	}
	if err := b.ctx.Err(); err != nil {
		return err
	}
	t := b.tables[table]
	if t == nil {
		var err error
		if t, err = b.addTable(table, cols); err != nil {
			return err
		}
	} else if !slices.Equal(cols, t.cols) {
		return fmt.Errorf("bulk insert into %s: columns %v differ from the first insert's %v", table, cols, t.cols)
	}
	if len(row) != len(cols) {
		return fmt.Errorf("bulk insert into %s: %d values for %d columns", table, len(row), len(cols))
	}
	for len(b.cur.vals) <= t.index {
		b.cur.vals = append(b.cur.vals, nil)
	}
	b.cur.vals[t.index] = append(b.cur.vals[t.index], row...)
	t.rows++
	b.queued += len(row)
	if b.queued >= bulkBatchValues {
		b.flush()
	}
	return nil
}

// Rows is how many rows of table have been queued so far.
func (b *Bulk) Rows(table string) int64 {
	if t := b.tables[table]; t != nil {
		return t.rows
	}
	return 0
}

func (b *Bulk) addTable(table string, cols []string) (*bulkTable, error) {
	if !isIdentifier(table) {
		return nil, fmt.Errorf("bulk insert: bad table name %q", table)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("bulk insert into %s: no columns", table)
	}
	for _, c := range cols {
		if !isIdentifier(c) {
			return nil, fmt.Errorf("bulk insert into %s: bad column name %q", table, c)
		}
	}
	t := &bulkTable{name: table, cols: slices.Clone(cols), index: len(b.order), hasID: slices.Contains(cols, "id")}
	b.tables[table] = t
	b.order = append(b.order, t)
	return t, nil
}

// flush hands the queued rows to the writer and starts a fresh batch.
func (b *Bulk) flush() {
	if b.queued == 0 {
		return
	}
	b.cur.tables = slices.Clone(b.order)
	b.work <- b.cur
	select {
	case next := <-b.free:
		b.cur = next
	default:
		b.cur = &bulkBatch{}
	}
	b.queued = 0
}

func isIdentifier(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// ---- SQLite ----

type sqliteSink struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt // by table and row count
}

func bulkSQLite(ctx context.Context, conn *sql.Conn, fn func(b *Bulk) error) (err error) {
	// A one-off load wants a large page cache (the indexes being filled
	// stay in memory) and no fsync until it is done; both are restored.
	var cacheSize, synchronous int64
	if err := conn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cacheSize); err != nil {
		return err
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&synchronous); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", sqliteBulkCacheKiB)); err != nil {
		return err
	}
	defer func() {
		// The restore must run even when ctx is cancelled.
		rctx := context.WithoutCancel(ctx)
		_, e1 := conn.ExecContext(rctx, fmt.Sprintf("PRAGMA cache_size = %d", cacheSize))
		_, e2 := conn.ExecContext(rctx, fmt.Sprintf("PRAGMA synchronous = %d", synchronous))
		if err == nil {
			err = errors.Join(e1, e2)
		}
		if err == nil {
			// Fold the load into the database file now rather than on
			// some later writer's commit.
			_, err = conn.ExecContext(rctx, "PRAGMA wal_checkpoint(TRUNCATE)")
		}
	}()
	if os.Getenv("XFK") != "" {
		conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF")
		defer conn.ExecContext(ctx, "PRAGMA foreign_keys = ON")
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = OFF"); err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	b := &Bulk{ctx: ctx}
	sink := &sqliteSink{tx: tx, stmts: map[string]*sql.Stmt{}}
	if err := b.run(sink, fn); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *sqliteSink) write(ctx context.Context, t *bulkTable, vals []any) error {
	k := len(t.cols)
	for i, v := range vals {
		switch x := v.(type) {
		case pd.Date:
			if x.IsZero() {
				vals[i] = nil
			} else {
				vals[i] = x.String()
			}
		case time.Time:
			vals[i] = x.UTC()
		}
	}
	per := min(sqliteRowsPerStmt, sqliteMaxVariables/k)
	for len(vals) > 0 {
		n := min(per, len(vals)/k)
		stmt, err := s.stmt(ctx, t, n, n == per)
		if err != nil {
			return err
		}
		if _, err := stmt.ExecContext(ctx, vals[:n*k]...); err != nil {
			return fmt.Errorf("insert into %s: %w", t.name, err)
		}
		vals = vals[n*k:]
	}
	return nil
}

// stmt prepares the INSERT of n rows into t, keeping the full-size one.
func (s *sqliteSink) stmt(ctx context.Context, t *bulkTable, n int, keep bool) (*sql.Stmt, error) {
	key := fmt.Sprintf("%s/%d", t.name, n)
	if st := s.stmts[key]; st != nil {
		return st, nil
	}
	var q strings.Builder
	fmt.Fprintf(&q, "INSERT INTO %s (%s) VALUES ", t.name, strings.Join(t.cols, ", "))
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	for i := range n {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
	}
	st, err := s.tx.PrepareContext(ctx, q.String())
	if err != nil {
		return nil, fmt.Errorf("insert into %s: %w", t.name, err)
	}
	if keep || len(s.stmts) < 64 {
		s.stmts[key] = st
	}
	return st, nil
}

func (s *sqliteSink) finish(context.Context, []*bulkTable) error {
	for _, st := range s.stmts {
		st.Close()
	}
	return nil
}

// ---- PostgreSQL ----

type pgSink struct {
	tx      pgx.Tx
	dropped map[string]bool
	fks     []pgForeignKey // to add back, in order
}

type pgForeignKey struct{ table, name, def string }

func bulkPostgres(ctx context.Context, conn *pgx.Conn, fn func(b *Bulk) error) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// Adding the foreign keys back sorts or hashes whole tables.
	if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '256MB'"); err != nil {
		return err
	}
	b := &Bulk{ctx: ctx}
	if err := b.run(&pgSink{tx: tx, dropped: map[string]bool{}}, fn); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func (s *pgSink) write(ctx context.Context, t *bulkTable, vals []any) error {
	if !s.dropped[t.name] {
		if err := s.dropForeignKeys(ctx, t.name); err != nil {
			return err
		}
		s.dropped[t.name] = true
	}
	for i, v := range vals {
		switch x := v.(type) {
		case pd.Date:
			if x.IsZero() {
				vals[i] = nil
			} else {
				vals[i] = x.Time()
			}
		case time.Time:
			vals[i] = x.UTC() // TIMESTAMP columns hold UTC
		}
	}
	k := len(t.cols)
	_, err := s.tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromSlice(len(vals)/k, func(i int) ([]any, error) {
		return vals[i*k : (i+1)*k], nil
	}))
	if err != nil {
		return fmt.Errorf("copy into %s: %w", t.name, err)
	}
	return nil
}

// dropForeignKeys drops table's foreign keys for the rest of the load and
// remembers them for finish.
func (s *pgSink) dropForeignKeys(ctx context.Context, table string) error {
	rows, err := s.tx.Query(ctx, `SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = to_regclass($1) AND contype = 'f' ORDER BY conname`, table)
	if err != nil {
		return fmt.Errorf("read foreign keys of %s: %w", table, err)
	}
	fks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pgForeignKey, error) {
		fk := pgForeignKey{table: table}
		return fk, r.Scan(&fk.name, &fk.def)
	})
	if err != nil {
		return fmt.Errorf("read foreign keys of %s: %w", table, err)
	}
	for _, fk := range fks {
		q := fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", pgx.Identifier{table}.Sanitize(), pgx.Identifier{fk.name}.Sanitize())
		if _, err := s.tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("drop foreign key %s: %w", fk.name, err)
		}
	}
	s.fks = append(s.fks, fks...)
	return nil
}

// finish adds the foreign keys back, which checks every loaded row, moves
// the identity sequences past the loaded ids, and refreshes the planner's
// statistics of the loaded tables.
func (s *pgSink) finish(ctx context.Context, tables []*bulkTable) error {
	for _, fk := range s.fks {
		q := fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", pgx.Identifier{fk.table}.Sanitize(), pgx.Identifier{fk.name}.Sanitize(), fk.def)
		if _, err := s.tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("check foreign key %s of %s: %w", fk.name, fk.table, err)
		}
	}
	for _, t := range tables {
		name := pgx.Identifier{t.name}.Sanitize()
		if t.hasID {
			q := fmt.Sprintf(`SELECT setval(seq, m) FROM (SELECT pg_get_serial_sequence($1, 'id') seq,
				(SELECT MAX(id) FROM %s) m) x WHERE seq IS NOT NULL AND m IS NOT NULL`, name)
			if _, err := s.tx.Exec(ctx, q, t.name); err != nil {
				return fmt.Errorf("move the id sequence of %s: %w", t.name, err)
			}
		}
		if _, err := s.tx.Exec(ctx, "ANALYZE "+name); err != nil {
			return fmt.Errorf("analyze %s: %w", t.name, err)
		}
	}
	return nil
}
