package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// The daily refresh's claims (refresh_runs): one row per program day. A
// process runs the day's refresh only after it inserted the row, or took
// over a failed or abandoned one, in one atomic statement; so however many
// server processes share the database, exactly one does the work.

// RefreshStale is how long a claim may go without finishing before
// another process may take the day over: far longer than a refresh takes.
const RefreshStale = 30 * time.Minute

// RefreshClaim is a day of the daily refresh that this process claimed.
type RefreshClaim struct {
	ID      int64
	Day     pd.Date
	Attempt int
}

// ClaimRefresh claims day's refresh for worker (a name for the logs). It
// returns nil when the day is done, or runs elsewhere; force (the command
// line's "refresh now") also claims a day that is done, and says who runs
// it when it cannot.
func (db *DB) ClaimRefresh(ctx context.Context, day pd.Date, worker string, force bool) (*RefreshClaim, error) {
	c := &RefreshClaim{Day: day}
	err := db.update(ctx, func(t *tx) error {
		err := t.queryRow(ctx, `INSERT INTO refresh_runs (day, status, worker, attempts, started_at) VALUES (?, 'running', ?, 1, ?)
			ON CONFLICT (day) DO UPDATE SET status = 'running', worker = excluded.worker, attempts = refresh_runs.attempts + 1,
				started_at = excluded.started_at, finished_at = NULL, mode = '', events = 0, message = ''
			WHERE refresh_runs.status = 'failed' OR (refresh_runs.status = 'running' AND refresh_runs.started_at < ?)
				OR (? AND refresh_runs.status = 'done')
			RETURNING id, attempts`, day, worker, t.now, t.now.Add(-RefreshStale), force).Scan(&c.ID, &c.Attempt)
		if err == sql.ErrNoRows {
			c = nil
			return nil
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim the refresh of %s: %w", day, err)
	}
	if c == nil && force {
		var who string
		var since time.Time
		if err := db.read.QueryRowContext(ctx, db.dialect.rebind("SELECT worker, started_at FROM refresh_runs WHERE day = ?"), day).Scan(&who, &since); err != nil {
			return nil, fmt.Errorf("claim the refresh of %s: %w", day, err)
		}
		return nil, pd.Errorf(pd.EConflict, "The refresh of %s is running in %s since %s.", day, who, since.UTC().Format(time.RFC3339))
	}
	return c, nil
}

// FinishRefresh records how a claimed refresh ended: mode and events for
// the record, or its error (the day may then be claimed again).
func (db *DB) FinishRefresh(ctx context.Context, c *RefreshClaim, mode string, events int64, runErr error) error {
	status, msg := "done", ""
	if runErr != nil {
		status, msg = "failed", runErr.Error()
	}
	// Recorded even when the refresh stopped because ctx ended.
	ctx = context.WithoutCancel(ctx)
	err := db.update(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `UPDATE refresh_runs SET status = ?, finished_at = ?, mode = ?, events = ?, message = ? WHERE id = ?`,
			status, t.now, mode, events, msg, c.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("record the refresh of %s: %w", c.Day, err)
	}
	return nil
}

// RefreshDone reports whether day's refresh has run.
func (db *DB) RefreshDone(ctx context.Context, day pd.Date) (bool, error) {
	var n int
	err := db.view(ctx, func(t *tx) error {
		return t.queryRow(ctx, "SELECT COUNT(*) FROM refresh_runs WHERE day = ? AND status = 'done'", day).Scan(&n)
	})
	if err != nil {
		return false, fmt.Errorf("read the refresh of %s: %w", day, err)
	}
	return n > 0, nil
}

// RefreshRun is a day's refresh as refresh_runs records it.
type RefreshRun struct {
	Day        pd.Date
	Status     string
	Worker     string
	Attempts   int
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	Mode       string
	Events     int64
	Message    string
}

// RefreshRuns returns the last n days' runs, latest first.
func (db *DB) RefreshRuns(ctx context.Context, n int) ([]RefreshRun, error) {
	var out []RefreshRun
	err := db.view(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT day, status, worker, attempts, started_at, finished_at, mode, events, message
			FROM refresh_runs ORDER BY day DESC LIMIT ?`, n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r RefreshRun
			var fin sql.NullTime
			if err := rows.Scan(&r.Day, &r.Status, &r.Worker, &r.Attempts, &r.StartedAt, &fin, &r.Mode, &r.Events, &r.Message); err != nil {
				return err
			}
			r.FinishedAt = fin.Time
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read refresh runs: %w", err)
	}
	return out, nil
}
