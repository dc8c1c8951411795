package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// The daily refresh's claims (refresh_runs): one row per program day. A
// process runs the day's refresh only after it inserted the row, or took
// over a failed one or one whose lease ran out, in one atomic statement; so
// however many server processes share the database, exactly one does the
// work. A claim is a lease that its worker renews while the refresh runs
// (RenewRefresh): a worker that died (kill -9, a lost machine) leaves the
// day to another once its lease runs out.

// ErrLeaseLost says that a claim is no longer its worker's: its lease ran
// out, and another worker took the day over.
var ErrLeaseLost = errors.New("the refresh's lease ran out and another worker took the day over")

// RefreshClaim is a day of the daily refresh that this process claimed.
type RefreshClaim struct {
	ID      int64
	Day     pd.Date
	Attempt int
	// TookOverFrom is the worker whose running claim this one took over,
	// its lease having run out at LeaseRanOut (the worker died, or stopped
	// renewing); "" for a new day, a failed run or a done day run again.
	TookOverFrom string
	LeaseRanOut  time.Time
}

// ClaimRefresh claims day's refresh for worker (a name for the logs), for
// lease. It returns nil when the day is done, or runs elsewhere under a
// live lease; force (the command line's "refresh now") also claims a day
// that is done, and says who runs it when it cannot.
func (db *DB) ClaimRefresh(ctx context.Context, day pd.Date, worker string, force bool, lease time.Duration) (*RefreshClaim, error) {
	c := &RefreshClaim{Day: day}
	var held struct {
		status, worker string
		since, until   time.Time
	}
	err := db.update(ctx, func(t *tx) error {
		err := t.queryRow(ctx, "SELECT status, worker, started_at, lease_until FROM refresh_runs WHERE day = ?", day).
			Scan(&held.status, &held.worker, &held.since, &held.until)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		err = t.queryRow(ctx, `INSERT INTO refresh_runs (day, status, worker, attempts, started_at, lease_until) VALUES (?, 'running', ?, 1, ?, ?)
			ON CONFLICT (day) DO UPDATE SET status = 'running', worker = excluded.worker, attempts = refresh_runs.attempts + 1,
				started_at = excluded.started_at, lease_until = excluded.lease_until, finished_at = NULL, mode = '', events = 0, message = ''
			WHERE refresh_runs.status = 'failed' OR (refresh_runs.status = 'running' AND refresh_runs.lease_until < ?)
				OR (? AND refresh_runs.status = 'done')
			RETURNING id, attempts`, day, worker, t.now, t.now.Add(lease), t.now, force).Scan(&c.ID, &c.Attempt)
		if err == sql.ErrNoRows {
			c = nil
			return nil
		}
		return err
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("claim the refresh of %s: %w", day, err)
	case c == nil && force:
		return nil, pd.Errorf(pd.EConflict, "The refresh of %s is running in %s since %s; its lease runs until %s.",
			day, held.worker, held.since.UTC().Format(time.RFC3339), held.until.UTC().Format(time.RFC3339))
	case c != nil && held.status == "running":
		c.TookOverFrom, c.LeaseRanOut = held.worker, held.until
	}
	return c, nil
}

// RenewRefresh extends c's lease to lease from now, or returns
// ErrLeaseLost when c is no longer its worker's.
func (db *DB) RenewRefresh(ctx context.Context, c *RefreshClaim, lease time.Duration) error {
	var n int64
	err := db.update(ctx, func(t *tx) error {
		res, err := t.exec(ctx, "UPDATE refresh_runs SET lease_until = ? WHERE id = ? AND attempts = ? AND status = 'running'",
			t.now.Add(lease), c.ID, c.Attempt)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("renew the lease of the refresh of %s: %w", c.Day, err)
	} else if n == 0 {
		return fmt.Errorf("renew the lease of the refresh of %s: %w", c.Day, ErrLeaseLost)
	}
	return nil
}

// FinishRefresh records how a claimed refresh ended: mode and events for
// the record, or its error (the day may then be claimed again). A claim
// taken over meanwhile is left to its new worker (ErrLeaseLost).
func (db *DB) FinishRefresh(ctx context.Context, c *RefreshClaim, mode string, events int64, runErr error) error {
	status, msg := "done", ""
	if runErr != nil {
		status, msg = "failed", runErr.Error()
	}
	// Recorded even when the refresh stopped because ctx ended.
	ctx = context.WithoutCancel(ctx)
	var n int64
	err := db.update(ctx, func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE refresh_runs SET status = ?, finished_at = ?, mode = ?, events = ?, message = ?
			WHERE id = ? AND attempts = ? AND status = 'running'`, status, t.now, mode, events, msg, c.ID, c.Attempt)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("record the refresh of %s: %w", c.Day, err)
	} else if n == 0 {
		return fmt.Errorf("record the refresh of %s: %w", c.Day, ErrLeaseLost)
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
