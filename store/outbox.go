package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// The outbox: email queued in the transaction of the change it tells
// about (queueEmail), claimed and delivered by a worker (package email),
// and read by program admins at /admin/outbox.

// OutboxRetention is how long a message stays in the outbox; the daily
// refresh deletes older ones, whatever became of them.
const OutboxRetention = 30 * 24 * time.Hour

// queueEmail adds m, to user userID (0: none), to the outbox in t. A
// message with a dedupe key is queued once only: another with the same
// key is not (queued is false).
func queueEmail(ctx context.Context, t *tx, m pd.Email, userID int64, dedupe string) (queued bool, err error) {
	if m.To == "" || m.MessageID == "" {
		return false, fmt.Errorf("queue %s email: no recipient or Message-ID", m.Kind)
	}
	key := sql.NullString{String: dedupe, Valid: dedupe != ""}
	res, err := t.exec(ctx, `INSERT INTO outbox (kind, recipient, recipient_name, user_id, subject, text_body, html_body,
			list_unsubscribe, message_id, dedupe_key, status, created_at, next_attempt_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
		m.Kind, m.To, m.ToName, nullID(userID), m.Subject, m.Text, m.HTML, m.ListUnsubscribe, m.MessageID, key, t.now, t.now)
	if err != nil {
		return false, fmt.Errorf("queue %s email: %w", m.Kind, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

const outboxCols = `id, kind, recipient, recipient_name, subject, text_body, html_body, list_unsubscribe, message_id,
	status, created_at, attempts, next_attempt_at, sent_at, last_error, claimed_until`

// scanOutbox reads outboxCols and then extra.
func scanOutbox(row scanner, extra ...any) (pd.OutboxEmail, error) {
	var m pd.OutboxEmail
	var sent, claimed sql.NullTime
	err := row.Scan(append([]any{&m.ID, &m.Kind, &m.To, &m.ToName, &m.Subject, &m.Text, &m.HTML, &m.ListUnsubscribe, &m.MessageID,
		&m.Status, &m.CreatedAt, &m.Attempts, &m.NextAttempt, &sent, &m.LastError, &claimed}, extra...)...)
	m.SentAt, m.ClaimedUntil = sent.Time, claimed.Time
	return m, err
}

// ClaimEmails claims at most limit queued messages that are due, for
// claim (a name unique to this worker's pass) until lease has passed, and
// counts an attempt on each. A message claimed by another worker whose
// claim has not run out is never claimed, so that no message is sent
// twice; one whose claim ran out (its worker died mid-send) is claimed
// again.
func (db *DB) ClaimEmails(ctx context.Context, claim string, lease time.Duration, limit int) ([]pd.OutboxEmail, error) {
	const free = "status = 'queued' AND (claimed_until IS NULL OR claimed_until <= ?)"
	// A look on the read pool first: an idle worker polling takes no
	// write lock (SQLite has one writer).
	due := false
	err := db.view(ctx, func(t *tx) error {
		err := t.queryRow(ctx, `SELECT 1 FROM outbox WHERE next_attempt_at <= ? AND `+free+` LIMIT 1`, t.now, t.now).Scan(new(int))
		if err == sql.ErrNoRows {
			return nil
		}
		due = err == nil
		return err
	})
	if err != nil || !due {
		return nil, wrap(err, "look for due emails")
	}
	var ms []pd.OutboxEmail
	err = db.update(ctx, func(t *tx) error {
		// The rows are picked once, in a materialized query: PostgreSQL
		// may run a subquery of the UPDATE's condition again, and each
		// run would pick other rows past the ones locked.
		rows, err := t.query(ctx, `WITH due AS MATERIALIZED (SELECT id FROM outbox WHERE next_attempt_at <= ? AND `+free+`
				ORDER BY next_attempt_at, id LIMIT ?`+t.d.skipLocked()+`)
			UPDATE outbox SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM due) AND `+free+`
			RETURNING `+outboxCols, t.now, t.now, limit, claim, t.now.Add(lease), t.now)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanOutbox(rows)
			if err != nil {
				return err
			}
			ms = append(ms, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim emails: %w", err)
	}
	// RETURNING keeps no order: send the oldest first.
	sort.Slice(ms, func(i, j int) bool {
		return ms[i].NextAttempt.Before(ms[j].NextAttempt) || ms[i].NextAttempt.Equal(ms[j].NextAttempt) && ms[i].ID < ms[j].ID
	})
	return ms, nil
}

// ErrClaimLost says that a message's claim ran out and another worker
// claimed it before its outcome was recorded.
var ErrClaimLost = pd.Errorf(pd.EConflict, "The email's claim ran out before its outcome was recorded.")

// EmailSent records that the message claimed by claim was delivered.
func (db *DB) EmailSent(ctx context.Context, id int64, claim string) error {
	return db.emailOutcome(ctx, id, claim, `status = 'sent', sent_at = ?, last_error = ''`, db.now().UTC().Truncate(time.Microsecond))
}

// EmailNotSent records a failed attempt at the message claimed by claim:
// it is tried again from retryAt, or with a zero retryAt it has failed
// for good.
func (db *DB) EmailNotSent(ctx context.Context, id int64, claim, reason string, retryAt time.Time) error {
	reason = truncate(reason, 1000)
	if retryAt.IsZero() {
		return db.emailOutcome(ctx, id, claim, `status = 'failed', last_error = ?`, reason)
	}
	return db.emailOutcome(ctx, id, claim, `next_attempt_at = ?, last_error = ?`, retryAt.UTC(), reason)
}

// emailOutcome applies set (with args) to the message if claim still
// holds it, and releases it.
func (db *DB) emailOutcome(ctx context.Context, id int64, claim, set string, args ...any) error {
	err := db.update(ctx, func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE outbox SET `+set+`, claimed_by = NULL, claimed_until = NULL
			WHERE id = ? AND claimed_by = ? AND status = 'queued'`, append(args, id, claim)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrClaimLost
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record the delivery of email %d: %w", id, err)
	}
	return nil
}

// OutboxCounts counts the messages of the outbox by status, for the
// metrics (every status present, 0 included).
func (db *DB) OutboxCounts(ctx context.Context) (map[string]int64, error) {
	counts := map[string]int64{pd.OutboxQueued: 0, pd.OutboxSent: 0, pd.OutboxFailed: 0}
	err := db.view(ctx, func(t *tx) error {
		rows, err := t.query(ctx, "SELECT status, COUNT(*) FROM outbox GROUP BY status")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			var n int64
			if err := rows.Scan(&s, &n); err != nil {
				return err
			}
			counts[s] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("count the outbox: %w", err)
	}
	return counts, nil
}

// ListOutbox returns a page of the outbox, newest first, and how many
// messages it holds, for a program admin: the messages carry live links
// (a password reset's) that only their recipient should follow.
func (db *DB) ListOutbox(ctx context.Context, offset, limit int) ([]pd.OutboxEmail, int, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return nil, 0, err
	}
	if offset < 0 || limit <= 0 || limit > 500 {
		return nil, 0, pd.Errorf(pd.EInvalid, "Invalid page.")
	}
	var ms []pd.OutboxEmail
	var total int
	err := db.view(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT `+outboxCols+`, COUNT(*) OVER () FROM outbox
			ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, limit, offset)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanOutbox(rows, &total)
			if err != nil {
				return err
			}
			ms = append(ms, m)
		}
		if err := rows.Err(); err != nil || len(ms) > 0 {
			return err
		}
		// No row to carry the count: an empty outbox, or past its end.
		return t.queryRow(ctx, "SELECT COUNT(*) FROM outbox").Scan(&total)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list the outbox: %w", err)
	}
	return ms, total, nil
}

// OutboxEmail returns one message of the outbox, for a program admin.
func (db *DB) OutboxEmail(ctx context.Context, id int64) (*pd.OutboxEmail, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return nil, err
	}
	var m pd.OutboxEmail
	err := db.view(ctx, func(t *tx) (err error) {
		m, err = scanOutbox(t.queryRow(ctx, "SELECT "+outboxCols+" FROM outbox WHERE id = ?", id))
		return err
	})
	if err == sql.ErrNoRows {
		return nil, pd.Errorf(pd.ENotFound, "No such email in the outbox.")
	} else if err != nil {
		return nil, fmt.Errorf("load email %d: %w", id, err)
	}
	return &m, nil
}

// PurgeOutbox deletes the messages older than OutboxRetention that no
// worker holds, and returns how many.
func (db *DB) PurgeOutbox(ctx context.Context) (int64, error) {
	var n int64
	err := db.update(ctx, func(t *tx) error {
		res, err := t.exec(ctx, `DELETE FROM outbox WHERE created_at < ? AND (claimed_until IS NULL OR claimed_until <= ?)`,
			t.now.Add(-OutboxRetention), t.now)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("purge the outbox: %w", err)
	}
	return n, nil
}
