package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// What the daily refresh (package refresh) needs to write a credit
// snapshot: what the last one was made from, the billing events in the
// ledger's order, a bulk writer for the new snapshot's rows, and the
// shortcut for a day without new events.

// CreditState is what the current credit snapshot was made from.
type CreditState struct {
	Found        bool // false before the first refresh
	Snapshot     int64
	AsOf         pd.Date
	TakenAt      time.Time
	Events       int64 // billing events then, and the largest id
	MaxEventID   int64
	LaterEvents  int64 // events dated after AsOf, left for their day
	ExpiryMonths int
	TimeZone     string
	LastReview   pd.Date // the last tier review applied; zero before any
	Links        int64   // confirmed links of clients it was made with
}

// CreditState returns the current snapshot's state.
func (db *DB) CreditState(ctx context.Context) (CreditState, error) {
	var s CreditState
	err := db.view(ctx, func(t *tx) error {
		err := t.queryRow(ctx, `SELECT snapshot, as_of, taken_at, events, max_event_id, later_events, expiry_months, time_zone,
				last_review, links FROM credit_state WHERE id = 1`).
			Scan(&s.Snapshot, &s.AsOf, &s.TakenAt, &s.Events, &s.MaxEventID, &s.LaterEvents, &s.ExpiryMonths, &s.TimeZone, &s.LastReview, &s.Links)
		if err == sql.ErrNoRows {
			return nil
		}
		s.Found = err == nil
		return err
	})
	if err != nil {
		return s, fmt.Errorf("read credit state: %w", err)
	}
	return s, nil
}

// MaxBillingEventID is the largest billing event id (0 for none). Events
// are only ever added, with growing ids, so it tells whether any came
// since it was last read.
func (db *DB) MaxBillingEventID(ctx context.Context) (int64, error) {
	var id int64
	err := db.view(ctx, func(t *tx) error {
		return t.queryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM billing_events").Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("read billing events: %w", err)
	}
	return id, nil
}

// LedgerClients is the range of client ids with billing events: [lo, hi].
func (db *DB) LedgerClients(ctx context.Context) (lo, hi int64, err error) {
	err = db.view(ctx, func(t *tx) error {
		return t.queryRow(ctx, "SELECT COALESCE(MIN(client_id), 0), COALESCE(MAX(client_id), -1) FROM billing_events").Scan(&lo, &hi)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("read billing events: %w", err)
	}
	return lo, hi, nil
}

// LedgerEvent is a billing event as the ledger reads it.
type LedgerEvent struct {
	ClientID  int64
	PartnerID int64 // 0: no partner credited
	Product   string
	At        time.Time // to the second: the query's order breaks ties
	MRR       int64
}

// sqliteReadCacheKiB is the read connections' page cache as Open sets it
// (cache_size(-65536)).
const sqliteReadCacheKiB = -65536

// ledgerBatch is how many events StreamLedgerEvents hands over at a time.
const ledgerBatch = 4096

// StreamLedgerEvents reads the billing events of the clients with ids in
// [fromClient, toClient) in the ledger's order — client, time, then id —
// and hands them to fn in batches, which fn owns.
// One query, read as it streams: memory does not grow with the events.
//
// Instants are read to the second (SQLite's time parsing is the costliest
// part of reading twenty million rows); events of a client in the same
// second keep the query's order, which is by the exact time, then id.
func (db *DB) StreamLedgerEvents(ctx context.Context, fromClient, toClient int64, fn func([]LedgerEvent) error) error {
	at := "occurred_at"
	if db.dialect == dialectSQLite {
		at = "unixepoch(occurred_at)" // seconds, where the driver would parse text into time.Time
	}
	return db.view(ctx, func(t *tx) error {
		if db.dialect == dialectSQLite {
			// Pages are read once, in order: a cache does not help, and
			// the memory would stay with the connection.
			if _, err := t.exec(ctx, "PRAGMA cache_size = -8192"); err != nil {
				return err
			}
			defer t.exec(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA cache_size = %d", sqliteReadCacheKiB))
		}
		rows, err := t.query(ctx, `SELECT client_id, COALESCE(partner_id, 0), product_code, mrr, `+at+`
			FROM billing_events WHERE client_id >= ? AND client_id < ? ORDER BY client_id, occurred_at, id`, fromClient, toClient)
		if err != nil {
			return fmt.Errorf("read billing events: %w", err)
		}
		defer rows.Close()
		products := map[string]string{} // one string per product code, not one per row
		batch := make([]LedgerEvent, 0, ledgerBatch)
		var sec int64
		var product string
		for rows.Next() {
			var e LedgerEvent
			var err error
			if db.dialect == dialectSQLite {
				err = rows.Scan(&e.ClientID, &e.PartnerID, &product, &e.MRR, &sec)
				e.At = time.Unix(sec, 0).UTC()
			} else {
				err = rows.Scan(&e.ClientID, &e.PartnerID, &product, &e.MRR, &e.At)
				e.At = e.At.UTC().Truncate(time.Second)
			}
			if err != nil {
				return fmt.Errorf("read billing events: %w", err)
			}
			p, ok := products[product]
			if !ok {
				p = product
				products[p] = p
			}
			e.Product = p
			if batch = append(batch, e); len(batch) == ledgerBatch {
				if err := fn(batch); err != nil {
					return err
				}
				batch = make([]LedgerEvent, 0, ledgerBatch)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read billing events: %w", err)
		}
		if len(batch) > 0 {
			return fn(batch)
		}
		return nil
	})
}

// DropOldCreditSnapshots deletes the rows of every snapshot but the
// current one.
func (db *DB) DropOldCreditSnapshots(ctx context.Context) error {
	return db.dropSnapshots(ctx, "snapshot <> (SELECT snapshot FROM credit_state WHERE id = 1)")
}

func (db *DB) dropSnapshots(ctx context.Context, where string, args ...any) error {
	return db.update(ctx, func(t *tx) error {
		for _, table := range []string{"credit_clients", "credit_months", "tier_snapshots"} {
			if _, err := t.exec(ctx, "DELETE FROM "+table+" WHERE "+where, args...); err != nil {
				return fmt.Errorf("drop credit snapshots from %s: %w", table, err)
			}
		}
		return nil
	})
}

// advanceCredit moves the current snapshot from its day to day when no
// billing event came or fell due in between, so that the ledger would
// only add expiries: the credit whose expiry date has come ends (with an
// expired movement on that date), and the months since the snapshot's are
// added. It is what the ledger run again would write, for a fraction of
// the work. It returns how many clients' credit expired.
func advanceCredit(ctx context.Context, t *tx, day pd.Date) (int, error) {
	st, err := readCreditState(ctx, t)
	if err != nil || !st.found {
		return 0, err
	}
	if day.Before(st.asOf) {
		return 0, fmt.Errorf("advance credit to %s: the snapshot is of %s", day, st.asOf)
	}
	// New months carry the last month's closing.
	for m := pd.MonthStart(st.asOf); m.Before(pd.MonthStart(day)); {
		next := pd.AddMonths(m, 1)
		if _, err := t.exec(ctx, `INSERT INTO credit_months (snapshot, partner_id, month, opening, new, upgraded, decreased, expired_lost, closing)
			SELECT snapshot, partner_id, ?, closing, 0, 0, 0, 0, closing FROM credit_months WHERE snapshot = ? AND month = ?`,
			next, st.snapshot, m); err != nil {
			return 0, fmt.Errorf("carry credit into %s: %w", next.Format("2006-01"), err)
		}
		m = next
	}
	// The expiries, by month and partner.
	rows, err := t.query(ctx, `SELECT partner_id, expires, credit FROM credit_clients
		WHERE snapshot = ? AND credit > 0 AND expires <= ?`, st.snapshot, day)
	if err != nil {
		return 0, fmt.Errorf("find expiring credit: %w", err)
	}
	byMonth := map[pd.Date]map[int64]int64{}
	expired := 0
	for rows.Next() {
		var p, amount int64
		var exp pd.Date
		if err := rows.Scan(&p, &exp, &amount); err != nil {
			rows.Close()
			return 0, fmt.Errorf("find expiring credit: %w", err)
		}
		m := pd.MonthStart(exp)
		if byMonth[m] == nil {
			byMonth[m] = map[int64]int64{}
		}
		byMonth[m][p] += amount
		expired++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("find expiring credit: %w", err)
	}
	if _, err := t.exec(ctx, `UPDATE credit_clients SET credit = 0,
			movements = movements || ';' || CAST(expires AS TEXT) || ' e ' || CAST(credit AS TEXT)
		WHERE snapshot = ? AND credit > 0 AND expires <= ?`, st.snapshot, day); err != nil {
		return 0, fmt.Errorf("expire credit: %w", err)
	}
	months := make([]pd.Date, 0, len(byMonth))
	for m := range byMonth {
		months = append(months, m)
	}
	slices.SortFunc(months, func(a, b pd.Date) int { return a.Time().Compare(b.Time()) })
	for _, m := range months {
		// A statement a month: a partner's expiries of the month count in
		// it, and lower every later month.
		ps := byMonth[m]
		ids, amounts := make([]int64, 0, len(ps)), make([]int64, 0, len(ps))
		for p, a := range ps {
			ids, amounts = append(ids, p), append(amounts, a)
		}
		for lo := 0; lo < len(ids); lo += 1000 {
			hi := min(lo+1000, len(ids))
			if err := expireMonths(ctx, t, st.snapshot, m, ids[lo:hi], amounts[lo:hi]); err != nil {
				return 0, err
			}
		}
	}
	return expired, nil
}

// expireMonths lowers the partners' months from m on by their expiries in
// m, in one statement.
func expireMonths(ctx context.Context, t *tx, snapshot int64, m pd.Date, partners, amounts []int64) error {
	var values []byte
	args := []any{m, m}
	for i := range partners {
		if i > 0 {
			values = append(values, ", "...)
		}
		values = append(values, "(CAST(? AS BIGINT), CAST(? AS BIGINT))"...)
		args = append(args, partners[i], amounts[i])
	}
	args = append(args, snapshot, m)
	_, err := t.exec(ctx, `UPDATE credit_months SET
			expired_lost = expired_lost + CASE WHEN month = ? THEN v.column2 ELSE 0 END,
			opening = opening - CASE WHEN month > ? THEN v.column2 ELSE 0 END,
			closing = closing - v.column2
		FROM (VALUES `+string(values)+`) AS v
		WHERE credit_months.snapshot = ? AND credit_months.partner_id = v.column1 AND credit_months.month >= ?`, args...)
	if err != nil {
		return fmt.Errorf("expire credit of %s: %w", m.Format("2006-01"), err)
	}
	return nil
}
