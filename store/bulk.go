package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	pd "github.com/partnerdesk/partnerdesk"
)

// Bulk loading: DB.Bulk runs a function that queues rows with Insert; the
// rows go to the database in large batches on a second goroutine, so that
// producing rows and writing them overlap, all in one transaction.
//
// SQLite: multi-row INSERTs through statements prepared once on the write
// connection's driver connection (database/sql's per-argument work is
// measurable at millions of rows), with a larger page cache and no fsync
// while the load runs. Indexes that rows arrive in order for are appended
// to; the others are dropped and built by sorting at the end (see
// sqliteSink.prepare).
//
// PostgreSQL: COPY through pgx. On a table's first rows, its foreign keys,
// the primary and unique keys that no foreign key needs, and its other
// indexes are dropped; before the commit they are built or checked again
// in one pass each (a sort or a hash join, in parallel workers), which
// costs much less than per-row index inserts and foreign-key triggers and
// proves the same. The identity sequences are then moved past the largest
// id, since bulk rows usually carry explicit ids.
//
// On both, the loaded tables' triggers are set aside until the end: a
// trigger that looks rows up would cost a query per row, and a full scan
// per row on PostgreSQL once the index it needs is dropped.

// Tunables of the bulk loader.
const (
	bulkBatchValues    = 1 << 17 // values queued before a batch goes to the writer
	sqliteRowsPerStmt  = 256     // rows in one multi-row INSERT
	sqliteMaxVariables = 32766   // SQLITE_MAX_VARIABLE_NUMBER of the bundled SQLite
	sqliteBulkCacheKiB = 512 << 10
	bulkGCPercent      = 400 // garbage collection target while a load runs
)

// Bulk queues rows for DB.Bulk. It is not safe for concurrent use.
type Bulk struct {
	ctx    context.Context
	norm   func(any) (any, error) // a value in the form the dialect's sink writes
	tables map[string]*bulkTable
	order  []*bulkTable // first use order: parents come before children
	cur    *bulkBatch
	queued int   // values in cur
	err    error // the caller's first misuse: final

	work   chan *bulkBatch
	free   chan *bulkBatch
	done   chan struct{}
	failed atomic.Bool
	werr   error // the writer's error, set before failed
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
// database) and holds the write connection for the whole load. Tables are
// written in the order of their first Insert, so queue parents first.
//
// Every key, foreign key, NOT NULL and CHECK constraint holds for the
// loaded rows, but triggers do not fire for them (they are set aside during
// the load and restored before the commit): the caller writes whatever
// they would have kept in step, such as client_partners' copy of its
// client's list columns. While the load runs the process collects garbage
// less often (debug.SetGCPercent).
func (db *DB) Bulk(ctx context.Context, fn func(b *Bulk) error) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	defer conn.Close()
	// A load allocates a value per column; collecting garbage less often
	// is worth the memory while it runs.
	defer debug.SetGCPercent(debug.SetGCPercent(bulkGCPercent))
	err = conn.Raw(func(dc any) error {
		if db.dialect == dialectPostgres {
			c, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("unexpected driver connection %T", dc)
			}
			return bulkPostgres(ctx, c.Conn(), fn)
		}
		c, ok := dc.(sqliteConn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		return bulkSQLite(ctx, c, fn)
	})
	if err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	return nil
}

// run drives a load: fn queues rows, the writer goroutine hands batches to
// the sink, and finish completes the load once every batch is written.
func (b *Bulk) run(sink bulkSink, fn func(b *Bulk) error) error {
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
	err := fn(b)
	if err == nil {
		err = b.err
	}
	if err != nil {
		return err
	}
	b.flush()
	stop()
	if b.failed.Load() {
		return b.werr
	}
	return sink.finish(b.ctx, b.order)
}

// writer writes batches in order until the work channel closes; after an
// error it only drains, so that Insert never blocks.
func (b *Bulk) writer(sink bulkSink) {
	defer close(b.done)
	// Statements run without the caller's cancellation, which the SQLite
	// driver pays for on every statement; it is checked between batches.
	ctx := context.WithoutCancel(b.ctx)
	for batch := range b.work {
		if err := b.ctx.Err(); err != nil && !b.failed.Load() {
			b.werr = err
			b.failed.Store(true)
		}
		if !b.failed.Load() {
			for i, vals := range batch.vals {
				if len(vals) == 0 {
					continue
				}
				if err := sink.write(ctx, batch.tables[i], vals); err != nil {
					b.werr = err
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
// integers, string, bool, time.Time, pd.Date, nil, driver.Valuer. An error
// is a failed earlier batch or a misuse, and it is final: the load rolls
// back.
func (b *Bulk) Insert(table string, cols []string, row ...any) error {
	if b.err != nil {
		return b.err
	}
	if b.failed.Load() {
		return b.werr
	}
	if err := b.ctx.Err(); err != nil {
		b.err = err
		return err
	}
	t := b.tables[table]
	if t == nil {
		var err error
		if t, err = b.addTable(table, cols); err != nil {
			b.err = err
			return err
		}
	} else if !slices.Equal(cols, t.cols) {
		b.err = fmt.Errorf("bulk insert into %s: columns %v differ from the first insert's %v", table, cols, t.cols)
		return b.err
	}
	if len(row) != len(cols) {
		b.err = fmt.Errorf("bulk insert into %s: %d values for %d columns", table, len(row), len(cols))
		return b.err
	}
	for len(b.cur.vals) <= t.index {
		b.cur.vals = append(b.cur.vals, nil)
	}
	vals := b.cur.vals[t.index]
	for i, v := range row {
		nv, err := b.norm(v)
		if err != nil {
			b.err = fmt.Errorf("bulk insert into %s, column %s: %w", table, cols[i], err)
			return b.err
		}
		vals = append(vals, nv)
	}
	b.cur.vals[t.index] = vals
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

// QueryRaw runs a read query (with ? placeholders) outside the store's
// API, for tools and tests that check bulk-loaded data; it must not write.
// The caller closes the rows.
func (db *DB) QueryRaw(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.read.QueryContext(ctx, db.dialect.rebind(q), args...)
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

var debugBulk = os.Getenv("PARTNERDESK_BULK_DEBUG") != ""

// bulkDebug times the load's phases when PARTNERDESK_BULK_DEBUG is set.
func bulkDebug(format string, args ...any) {
	if debugBulk {
		fmt.Fprintf(os.Stderr, "bulk: "+format+"\n", args...)
	}
}

// ---- SQLite ----

// sqliteConn is what the SQLite driver's connection offers.
type sqliteConn interface {
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
}

type sqliteSink struct {
	conn     sqliteConn
	stmts    map[string]driver.Stmt // by table and row count
	args     []driver.NamedValue
	prepared map[string]bool
	// CREATE statements of the indexes and triggers dropped by prepare.
	indexes, triggers []string
}

func bulkSQLite(ctx context.Context, c sqliteConn, fn func(b *Bulk) error) (err error) {
	bg := context.WithoutCancel(ctx) // restoring must not be cancelled
	pragma := func(name string) (int64, error) {
		rows, err := c.QueryContext(bg, "PRAGMA "+name, nil)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		v := make([]driver.Value, 1)
		if err := rows.Next(v); err != nil {
			return 0, err
		}
		n, _ := v[0].(int64)
		return n, nil
	}
	exec := func(q string) error {
		_, err := c.ExecContext(bg, q, nil)
		return err
	}
	// A one-off load wants a large page cache (the pages being filled stay
	// in memory) and no fsync until it is done; both are restored, and the
	// connection is discarded if they cannot be.
	cacheSize, err := pragma("cache_size")
	if err != nil {
		return err
	}
	synchronous, err := pragma("synchronous")
	if err != nil {
		return err
	}
	defer func() {
		e1 := exec("PRAGMA cache_size = " + strconv.FormatInt(cacheSize, 10))
		e2 := exec("PRAGMA synchronous = " + strconv.FormatInt(synchronous, 10))
		if e := errors.Join(e1, e2); e != nil {
			err = errors.Join(err, e, driver.ErrBadConn)
			return
		}
		if err == nil {
			// Fold the load into the database file now rather than in some
			// later writer's commit.
			t0 := time.Now()
			err = exec("PRAGMA wal_checkpoint(TRUNCATE)")
			bulkDebug("checkpoint %s", time.Since(t0))
		}
	}()
	if err := exec(fmt.Sprintf("PRAGMA cache_size = -%d", sqliteBulkCacheKiB)); err != nil {
		return err
	}
	if err := exec("PRAGMA synchronous = OFF"); err != nil {
		return err
	}
	tx, err := c.BeginTx(ctx, driver.TxOptions{})
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			tx.Rollback()
		}
	}()
	sink := &sqliteSink{conn: c, stmts: map[string]driver.Stmt{}, prepared: map[string]bool{}}
	defer sink.close()
	b := &Bulk{ctx: ctx, norm: sqliteValue}
	if err := b.run(sink, fn); err != nil {
		return err
	}
	sink.close()
	t0 := time.Now()
	if err := tx.Commit(); err != nil {
		return err
	}
	committed = true
	bulkDebug("commit %s", time.Since(t0))
	return nil
}

func (s *sqliteSink) write(ctx context.Context, t *bulkTable, vals []any) error {
	if !s.prepared[t.name] {
		if err := s.prepare(ctx, t, vals); err != nil {
			return err
		}
		s.prepared[t.name] = true
	}
	k := len(t.cols)
	// Full statements of per rows, then the rest in smaller sizes, all
	// prepared once per load.
	per := min(sqliteRowsPerStmt, sqliteMaxVariables/k)
	for len(vals) > 0 {
		n := per
		for _, size := range []int{per, 32, 4, 1} {
			if n = min(size, per); len(vals) >= n*k {
				break
			}
		}
		stmt, err := s.stmt(ctx, t, n)
		if err != nil {
			return err
		}
		args := s.args[:0]
		for i, v := range vals[:n*k] {
			args = append(args, driver.NamedValue{Ordinal: i + 1, Value: v})
		}
		s.args = args
		if _, err := stmt.(driver.StmtExecContext).ExecContext(ctx, args); err != nil {
			return fmt.Errorf("insert into %s: %w", t.name, err)
		}
		vals = vals[n*k:]
	}
	return nil
}

// stmt returns the prepared INSERT of n rows into t.
func (s *sqliteSink) stmt(ctx context.Context, t *bulkTable, n int) (driver.Stmt, error) {
	key := t.name + "/" + strconv.Itoa(n)
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
	st, err := s.conn.PrepareContext(ctx, q.String())
	if err != nil {
		return nil, fmt.Errorf("insert into %s: %w", t.name, err)
	}
	if _, ok := st.(driver.StmtExecContext); !ok {
		st.Close()
		return nil, fmt.Errorf("unexpected driver statement %T", st)
	}
	s.stmts[key] = st
	return st, nil
}

// prepare sets the table's triggers aside (see DB.Bulk) and looks at its
// first batch of rows: an index whose leading column they bring in
// ascending order (ids, the client of a client's rows) is kept, since
// appending to it is cheap; any other index (by partner, by date…) would
// take inserts all over its pages, beyond the page cache at millions of
// rows, so it is dropped and built by sorting at the end of the load.
// Indexes behind UNIQUE and PRIMARY KEY constraints always stay.
func (s *sqliteSink) prepare(ctx context.Context, t *bulkTable, vals []any) error {
	rows, err := s.conn.QueryContext(ctx, `SELECT m.name, m.sql, (SELECT i.name FROM pragma_index_info(m.name) i WHERE i.seqno = 0)
		FROM sqlite_master m WHERE m.type = 'index' AND m.tbl_name = ? AND m.sql IS NOT NULL ORDER BY m.name`,
		[]driver.NamedValue{{Ordinal: 1, Value: t.name}})
	if err != nil {
		return fmt.Errorf("read the indexes of %s: %w", t.name, err)
	}
	var drop []string
	row := make([]driver.Value, 3)
	for {
		if err := rows.Next(row); err == io.EOF {
			break
		} else if err != nil {
			rows.Close()
			return fmt.Errorf("read the indexes of %s: %w", t.name, err)
		}
		name, _ := row[0].(string)
		def, _ := row[1].(string)
		lead, _ := row[2].(string)
		if col := slices.Index(t.cols, lead); col >= 0 && !ascending(vals, len(t.cols), col) {
			drop = append(drop, name)
			s.indexes = append(s.indexes, def)
		}
	}
	rows.Close()
	for _, name := range drop {
		if _, err := s.conn.ExecContext(ctx, `DROP INDEX "`+name+`"`, nil); err != nil {
			return fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	// SQLite cannot disable a trigger: it is dropped and created again.
	rows, err = s.conn.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name`,
		[]driver.NamedValue{{Ordinal: 1, Value: t.name}})
	if err != nil {
		return fmt.Errorf("read the triggers of %s: %w", t.name, err)
	}
	drop = drop[:0]
	for {
		if err := rows.Next(row[:2]); err == io.EOF {
			break
		} else if err != nil {
			rows.Close()
			return fmt.Errorf("read the triggers of %s: %w", t.name, err)
		}
		name, _ := row[0].(string)
		def, _ := row[1].(string)
		drop = append(drop, name)
		s.triggers = append(s.triggers, def)
	}
	rows.Close()
	for _, name := range drop {
		if _, err := s.conn.ExecContext(ctx, `DROP TRIGGER "`+name+`"`, nil); err != nil {
			return fmt.Errorf("drop trigger %s: %w", name, err)
		}
	}
	return nil
}

// ascending reports whether column col of the rows in vals (k values a
// row) never decreases: NULLs, then integers, then text, like SQLite sorts.
func ascending(vals []any, k, col int) bool {
	rank := func(v any) int {
		switch v.(type) {
		case nil:
			return 0
		case int64:
			return 1
		case string:
			return 2
		}
		return 3
	}
	for i := col + k; i < len(vals); i += k {
		a, b := vals[i-k], vals[i]
		ra, rb := rank(a), rank(b)
		switch {
		case ra == 3 || rb == 3 || ra > rb:
			return false
		case ra < rb:
		case ra == 1 && a.(int64) > b.(int64), ra == 2 && a.(string) > b.(string):
			return false
		}
	}
	return true
}

func (s *sqliteSink) close() {
	for k, st := range s.stmts {
		st.Close()
		delete(s.stmts, k)
	}
}

// finish builds the indexes and creates the triggers that prepare dropped.
func (s *sqliteSink) finish(ctx context.Context, _ []*bulkTable) error {
	for _, def := range append(s.indexes, s.triggers...) {
		t0 := time.Now()
		if _, err := s.conn.ExecContext(ctx, def, nil); err != nil {
			return fmt.Errorf("restore index or trigger: %w", err)
		}
		bulkDebug("%s: %s", def, time.Since(t0))
	}
	return nil
}

// sqliteTimeLayout is how the driver writes a time.Time with the
// _time_format=sqlite option that Open sets; bulk rows use the same text so
// that they read back, sort and compare like rows the store writes.
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// sqliteValue turns a value into what the driver binds: dates as
// "YYYY-MM-DD" (pd.Date.Value), times as the driver writes them, in UTC.
// It runs on the caller's goroutine, which keeps the writer free for
// SQLite's own work.
func sqliteValue(v any) (any, error) {
	switch x := v.(type) {
	case nil, int64, string, bool, float64, []byte:
		return v, nil
	case int:
		return int64(x), nil
	case pd.Date:
		if x.IsZero() {
			return nil, nil
		}
		return x.String(), nil
	case time.Time:
		return formatSQLiteTime(x.UTC()), nil
	case driver.Valuer:
		dv, err := x.Value()
		if err != nil {
			return nil, err
		}
		if t, ok := dv.(time.Time); ok {
			return formatSQLiteTime(t.UTC()), nil
		}
		return dv, nil
	}
	return driver.DefaultParameterConverter.ConvertValue(v)
}

// formatSQLiteTime is t.Format(sqliteTimeLayout) for a UTC time, with a
// fast path for whole seconds, the common case in bulk data.
func formatSQLiteTime(t time.Time) string {
	if t.Nanosecond() != 0 || t.Year() < 1000 || t.Year() > 9999 {
		return t.Format(sqliteTimeLayout)
	}
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	var b [25]byte
	put := func(i, v, n int) {
		for k := i + n - 1; k >= i; k-- {
			b[k] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, y, 4)
	b[4] = '-'
	put(5, int(mo), 2)
	b[7] = '-'
	put(8, d, 2)
	b[10] = ' '
	put(11, h, 2)
	b[13] = ':'
	put(14, mi, 2)
	b[16] = ':'
	put(17, s, 2)
	copy(b[19:], "+00:00")
	return string(b[:])
}

// ---- PostgreSQL ----

// postgresValue gives pgx what it encodes directly for COPY: dates as
// times, TIMESTAMP values in UTC (the column keeps the wall clock).
func postgresValue(v any) (any, error) {
	switch x := v.(type) {
	case pd.Date:
		if x.IsZero() {
			return nil, nil
		}
		return x.Time(), nil
	case time.Time:
		return x.UTC(), nil
	}
	return v, nil
}

type pgSink struct {
	tx       pgx.Tx
	prepared map[string]bool
	// Dropped by prepare, restored by finish in this order: keys and
	// indexes first, then the foreign keys that may rely on them; and the
	// triggers disabled by prepare.
	keys, indexes, fks, triggers []pgDeferred
}

// pgDeferred is a constraint (ALTER TABLE … ADD CONSTRAINT name def), an
// index (def is its CREATE INDEX statement) or a trigger (def is how it
// was enabled: pg_trigger.tgenabled).
type pgDeferred struct{ table, name, def string }

func bulkPostgres(ctx context.Context, conn *pgx.Conn, fn func(b *Bulk) error) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// Building the indexes and checking the foreign keys at the end sort
	// or hash whole tables.
	if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '512MB'"); err != nil {
		return err
	}
	b := &Bulk{ctx: ctx, norm: postgresValue}
	if err := b.run(&pgSink{tx: tx, prepared: map[string]bool{}}, fn); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func (s *pgSink) write(ctx context.Context, t *bulkTable, vals []any) error {
	if !s.prepared[t.name] {
		if err := s.prepare(ctx, t.name); err != nil {
			return err
		}
		s.prepared[t.name] = true
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

// prepare drops, for the rest of the load, what makes a copied row cost
// more than a heap insert: the table's foreign keys, its primary and unique
// keys that no foreign key relies on, and its other indexes; and it
// disables its triggers (see DB.Bulk).
func (s *pgSink) prepare(ctx context.Context, table string) error {
	collect := func(q string) ([]pgDeferred, error) {
		rows, err := s.tx.Query(ctx, q, table)
		if err != nil {
			return nil, fmt.Errorf("read the keys and indexes of %s: %w", table, err)
		}
		return pgx.CollectRows(rows, func(r pgx.CollectableRow) (pgDeferred, error) {
			d := pgDeferred{table: table}
			return d, r.Scan(&d.name, &d.def)
		})
	}
	fks, err := collect(`SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname`)
	if err != nil {
		return err
	}
	keys, err := collect(`SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
		WHERE c.conrelid = $1::regclass AND c.contype IN ('p', 'u')
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)
		ORDER BY c.contype, c.conname`)
	if err != nil {
		return err
	}
	indexes, err := collect(`SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
		WHERE x.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
		ORDER BY i.relname`)
	if err != nil {
		return err
	}
	triggers, err := collect(`SELECT tgname, tgenabled::text FROM pg_trigger
		WHERE tgrelid = $1::regclass AND NOT tgisinternal AND tgenabled <> 'D' ORDER BY tgname`)
	if err != nil {
		return err
	}
	tbl := pgx.Identifier{table}.Sanitize()
	for _, d := range append(fks, keys...) {
		if _, err := s.tx.Exec(ctx, "ALTER TABLE "+tbl+" DROP CONSTRAINT "+pgx.Identifier{d.name}.Sanitize()); err != nil {
			return fmt.Errorf("drop constraint %s: %w", d.name, err)
		}
	}
	for _, d := range indexes {
		if _, err := s.tx.Exec(ctx, "DROP INDEX "+pgx.Identifier{d.name}.Sanitize()); err != nil {
			return fmt.Errorf("drop index %s: %w", d.name, err)
		}
	}
	for _, d := range triggers {
		if _, err := s.tx.Exec(ctx, "ALTER TABLE "+tbl+" DISABLE TRIGGER "+pgx.Identifier{d.name}.Sanitize()); err != nil {
			return fmt.Errorf("disable trigger %s: %w", d.name, err)
		}
	}
	s.keys = append(s.keys, keys...)
	s.indexes = append(s.indexes, indexes...)
	s.fks = append(s.fks, fks...)
	s.triggers = append(s.triggers, triggers...)
	return nil
}

// finish restores what prepare dropped, which checks every loaded row,
// moves the identity sequences past the loaded ids, and refreshes the
// planner's statistics of the loaded tables.
func (s *pgSink) finish(ctx context.Context, tables []*bulkTable) error {
	run := func(what string, d pgDeferred, q string) error {
		t0 := time.Now()
		if _, err := s.tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s %s of %s: %w", what, d.name, d.table, err)
		}
		bulkDebug("%s %s: %s", what, d.name, time.Since(t0))
		return nil
	}
	addConstraint := func(d pgDeferred) string {
		return fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", pgx.Identifier{d.table}.Sanitize(),
			pgx.Identifier{d.name}.Sanitize(), d.def)
	}
	for _, d := range s.keys {
		if err := run("check key", d, addConstraint(d)); err != nil {
			return err
		}
	}
	for _, d := range s.indexes {
		if err := run("build index", d, d.def); err != nil {
			return err
		}
	}
	for _, d := range s.fks {
		if err := run("check foreign key", d, addConstraint(d)); err != nil {
			return err
		}
	}
	for _, d := range s.triggers {
		mode := map[string]string{"A": "ALWAYS ", "R": "REPLICA "}[d.def] // as it was (tgenabled)
		q := "ALTER TABLE " + pgx.Identifier{d.table}.Sanitize() + " ENABLE " + mode + "TRIGGER " + pgx.Identifier{d.name}.Sanitize()
		if err := run("enable trigger", d, q); err != nil {
			return err
		}
	}
	t0 := time.Now()
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
	bulkDebug("sequences and statistics: %s", time.Since(t0))
	return nil
}
