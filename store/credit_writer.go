package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/credit"
)

// Writing a credit snapshot: a million rows or so, in one ordinary
// transaction, written on a goroutine of their own while the ledger
// produces them (SQLite: multi-row INSERTs; PostgreSQL: one COPY).
//
// Not DB.Bulk, which is made for one-off loads into an empty database: on
// PostgreSQL it drops the indexes of the tables it loads and builds them
// again at the end, holding a lock on them that would stop every Tier tab
// until the refresh ends; on SQLite it runs with a 512 MB page cache and
// a lower garbage collection rate, too much for a job that runs in the
// server every day under a memory budget.

// CreditWriter queues a new snapshot's rows (DB.WriteCreditSnapshot).
type CreditWriter struct {
	snapshot int64
	norm     func(pd.Date) any
	batches  chan [][]any
	cur      [][]any
	months   [][]any
	buf      []byte

	qmu sync.Mutex // guards cur and buf
	mu  sync.Mutex
	err error // the writer's
}

const creditBatchRows = 512

var (
	creditClientCols = []string{"snapshot", "partner_id", "client_id", "credit", "last_purchase", "expires", "last_sale", "movements"}
	creditMonthCols  = []string{"snapshot", "partner_id", "month", "opening", "new", "upgraded", "decreased", "expired_lost", "closing"}
)

// ClientRow is one client's credit with one partner.
type ClientRow struct {
	PartnerID, ClientID int64
	Credit              int64
	LastPurchase        pd.Date // zero unless the partner holds the client's credit
	Expires             pd.Date
	LastSale            pd.Date
	Movements           []credit.Movement // the partner's, by day
}

// Client queues a client's row; several goroutines may. An error is the
// writer's, and final.
func (w *CreditWriter) Client(r ClientRow) error {
	if err := w.failed(); err != nil {
		return err
	}
	w.qmu.Lock()
	defer w.qmu.Unlock()
	w.buf = w.buf[:0]
	for _, m := range r.Movements {
		w.buf = appendMovement(w.buf, m.Date, m.Kind, m.Amount, m.Link)
	}
	w.cur = append(w.cur, []any{w.snapshot, r.PartnerID, r.ClientID, r.Credit,
		w.norm(r.LastPurchase), w.norm(r.Expires), w.norm(r.LastSale), string(w.buf)})
	if len(w.cur) == creditBatchRows {
		w.batches <- w.cur
		w.cur = make([][]any, 0, creditBatchRows)
	}
	return nil
}

// Month queues a partner's month; they are written once the clients are.
func (w *CreditWriter) Month(partnerID int64, m pd.CreditMonth) error {
	w.months = append(w.months, []any{w.snapshot, partnerID, w.norm(m.Month), m.Opening, m.New, m.Upgraded,
		m.Decreased, m.ExpiredLost, m.Closing})
	return w.failed()
}

func (w *CreditWriter) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *CreditWriter) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

// creditSink writes rows inside the snapshot's transaction. Client rows
// come client by client; a Tier tab reads them partner by partner. They go
// to a staging table first, and from there to credit_clients sorted by
// partner, so that a partner's rows sit together (a page reads a few
// hundred pages, not one per client) and the index grows at its end
// rather than at a random place per row, which costs far more than the
// sort.
type creditSink interface {
	stage(ctx context.Context) error
	clients(ctx context.Context, batches <-chan [][]any) error // into the staging table, until batches closes
	unstage(ctx context.Context) error
	months(ctx context.Context, rows [][]any) error
	commit(ctx context.Context) error
}

// WriteCreditSnapshot writes snapshot's rows, which fn queues, in one
// transaction; the pages keep reading the current snapshot until
// PublishCreditSnapshot names the new one. Rows of an unpublished snapshot
// left by a run that died are dropped first.
func (db *DB) WriteCreditSnapshot(ctx context.Context, snapshot int64, fn func(w *CreditWriter) error) error {
	if err := db.dropSnapshots(ctx, "snapshot >= ?", snapshot); err != nil {
		return err
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("write credit snapshot: %w", err)
	}
	defer conn.Close()
	w := &CreditWriter{snapshot: snapshot, batches: make(chan [][]any, 4), cur: make([][]any, 0, creditBatchRows)}
	run := func(sink creditSink) error {
		if err := sink.stage(ctx); err != nil {
			return err
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := sink.clients(ctx, w.batches); err != nil {
				w.fail(err)
				for range w.batches { // drain, so that Client never blocks
				}
			}
		}()
		err := fn(w)
		if err == nil && len(w.cur) > 0 {
			w.batches <- w.cur
		}
		close(w.batches)
		<-done
		if err == nil {
			err = w.failed()
		}
		if err == nil {
			err = sink.unstage(ctx)
		}
		if err == nil {
			err = sink.months(ctx, w.months)
		}
		if err == nil {
			err = sink.commit(ctx)
		}
		return err
	}
	if db.dialect == dialectPostgres {
		w.norm = func(d pd.Date) any {
			if d.IsZero() {
				return nil
			}
			return d.Time()
		}
		err = conn.Raw(func(dc any) error {
			c, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("unexpected driver connection %T", dc)
			}
			tx, err := c.Conn().Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(context.WithoutCancel(ctx))
			return run(pgCreditSink{tx})
		})
	} else {
		w.norm = func(d pd.Date) any {
			if d.IsZero() {
				return nil
			}
			return d.String()
		}
		var tx *sql.Tx
		if tx, err = conn.BeginTx(ctx, nil); err == nil {
			defer tx.Rollback()
			err = run(&sqliteCreditSink{tx: tx, stmts: map[int]*sql.Stmt{}})
		}
	}
	if err != nil {
		return fmt.Errorf("write credit snapshot: %w", err)
	}
	return nil
}

// The staging table, and the statement that empties it into
// credit_clients in partner order.
const (
	stageTable = `CREATE TEMP TABLE credit_stage (snapshot BIGINT, partner_id BIGINT, client_id BIGINT, credit BIGINT,
		last_purchase DATE, expires DATE, last_sale DATE, movements TEXT)`
	unstage = `INSERT INTO credit_clients (snapshot, partner_id, client_id, credit, last_purchase, expires, last_sale, movements)
		SELECT snapshot, partner_id, client_id, credit, last_purchase, expires, last_sale, movements FROM credit_stage
		ORDER BY partner_id, client_id`
)

type pgCreditSink struct{ tx pgx.Tx }

func (s pgCreditSink) clients(ctx context.Context, batches <-chan [][]any) error {
	var batch [][]any
	i := 0
	_, err := s.tx.CopyFrom(ctx, pgx.Identifier{"credit_stage"}, creditClientCols, pgx.CopyFromFunc(func() ([]any, error) {
		for i >= len(batch) {
			b, ok := <-batches
			if !ok {
				return nil, nil
			}
			batch, i = b, 0
		}
		i++
		return batch[i-1], nil
	}))
	return err
}

func (s pgCreditSink) stage(ctx context.Context) error {
	_, err := s.tx.Exec(ctx, stageTable+" ON COMMIT DROP")
	return err
}

func (s pgCreditSink) unstage(ctx context.Context) error {
	_, err := s.tx.Exec(ctx, unstage)
	return err
}

func (s pgCreditSink) months(ctx context.Context, rows [][]any) error {
	_, err := s.tx.CopyFrom(ctx, pgx.Identifier{"credit_months"}, creditMonthCols, pgx.CopyFromRows(rows))
	return err
}

func (s pgCreditSink) commit(ctx context.Context) error { return s.tx.Commit(ctx) }

type sqliteCreditSink struct {
	tx    *sql.Tx
	stmts map[int]*sql.Stmt // by table (column count) and row count
}

func (s *sqliteCreditSink) stage(ctx context.Context) error {
	_, err := s.tx.ExecContext(ctx, stageTable)
	return err
}

func (s *sqliteCreditSink) unstage(ctx context.Context) error {
	if _, err := s.tx.ExecContext(ctx, unstage); err != nil {
		return err
	}
	_, err := s.tx.ExecContext(ctx, "DROP TABLE temp.credit_stage")
	return err
}

func (s *sqliteCreditSink) clients(ctx context.Context, batches <-chan [][]any) error {
	for b := range batches {
		if err := s.insert(ctx, "credit_stage", creditClientCols, b); err != nil {
			return err
		}
	}
	return nil
}

func (s *sqliteCreditSink) months(ctx context.Context, rows [][]any) error {
	for lo := 0; lo < len(rows); lo += creditBatchRows {
		if err := s.insert(ctx, "credit_months", creditMonthCols, rows[lo:min(lo+creditBatchRows, len(rows))]); err != nil {
			return err
		}
	}
	return nil
}

func (s *sqliteCreditSink) commit(context.Context) error { return s.tx.Commit() }

// insert writes rows a hundred at a time, through statements prepared once.
func (s *sqliteCreditSink) insert(ctx context.Context, table string, cols []string, rows [][]any) error {
	const per = 100
	args := make([]any, 0, per*len(cols))
	for lo := 0; lo < len(rows); lo += per {
		chunk := rows[lo:min(lo+per, len(rows))]
		key := len(cols)*1000 + len(chunk)
		st := s.stmts[key]
		if st == nil {
			row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
			q := fmt.Sprintf("INSERT INTO %s (%s) VALUES %s", table, strings.Join(cols, ", "),
				strings.TrimSuffix(strings.Repeat(row+", ", len(chunk)), ", "))
			var err error
			if st, err = s.tx.PrepareContext(ctx, q); err != nil {
				return fmt.Errorf("insert into %s: %w", table, err)
			}
			s.stmts[key] = st
		}
		args = args[:0]
		for _, r := range chunk {
			args = append(args, r...)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}
