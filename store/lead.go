package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// Public pages count a visitor's requests in sign_in_counters, the table
// the sign-in limits use, each kind under a scope of its own, so that
// every server on the database shares the counts and the daily refresh's
// purge of ended windows clears them too.
const (
	scopeLeadAddress      = "lead_address"
	scopeDirectoryAddress = "directory_address"
)

// PublicLimits are the limits of the public pages, per address.
type PublicLimits struct {
	Lead      SignInLimit // contact forms sent
	Directory SignInLimit // directory pages read
}

// DefaultPublicLimits are the limits the server applies.
var DefaultPublicLimits = PublicLimits{
	Lead:      SignInLimit{Max: 5, Window: time.Hour},
	Directory: SignInLimit{Max: 600, Window: 10 * time.Minute},
}

// CountLead counts a contact form sent from address, and returns how long
// until the limit lets one through when it is over it (0 when counted).
func (db *DB) CountLead(ctx context.Context, l PublicLimits, address string) (time.Duration, error) {
	return db.countHit(ctx, scopeLeadAddress, address, l.Lead)
}

// CountDirectoryRead counts a directory page read from address, as
// CountLead counts a lead.
func (db *DB) CountDirectoryRead(ctx context.Context, l PublicLimits, address string) (time.Duration, error) {
	return db.countHit(ctx, scopeDirectoryAddress, address, l.Directory)
}

// countHit counts one request of subject in scope in one statement, as
// ReserveSignIn counts an attempt; a request over the limit is not counted.
func (db *DB) countHit(ctx context.Context, scope, address string, l SignInLimit) (time.Duration, error) {
	subject := signInSubjects("", address)[1]
	var retry time.Duration
	err := db.update(ctx, func(t *tx) error {
		var n int
		var end time.Time
		err := t.queryRow(ctx, `INSERT INTO sign_in_counters (scope, subject, window_end, attempts) VALUES (?, ?, ?, 1)
			ON CONFLICT (scope, subject) DO UPDATE SET
				attempts = CASE WHEN sign_in_counters.window_end <= ? THEN 1 ELSE sign_in_counters.attempts + 1 END,
				window_end = CASE WHEN sign_in_counters.window_end <= ? THEN excluded.window_end ELSE sign_in_counters.window_end END
			RETURNING attempts, window_end`, scope, subject, t.now.Add(l.Window), t.now, t.now).Scan(&n, &end)
		if err != nil {
			return err
		}
		if n > l.Max {
			retry = end.Sub(t.now)
			return errSignInRefused
		}
		return nil
	})
	if err == errSignInRefused {
		return retry, nil
	} else if err != nil {
		return 0, fmt.Errorf("count %s request: %w", scope, err)
	}
	return 0, nil
}

// CreateLead stores a lead sent through the published profile at slug,
// and queues its email, rendered by m, to the profile's address for leads
// (none without one) in the same transaction. An unknown or unpublished
// slug is not found, as its page is.
func (db *DB) CreateLead(ctx context.Context, m pd.Mailer, slug string, l pd.Lead) error {
	if err := pd.CheckLead(&l); err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		var partnerID int64
		var partner, to string
		err := t.queryRow(ctx, `SELECT d.partner_id, p.name, d.lead_email FROM directory_profiles d JOIN partners p ON p.id = d.partner_id
			WHERE d.slug = ? AND d.state = 'published' AND `+listed, slug).Scan(&partnerID, &partner, &to)
		if err == sql.ErrNoRows {
			return pd.Errorf(pd.ENotFound, "There is no page at this address.")
		} else if err != nil {
			return fmt.Errorf("find profile: %w", err)
		}
		if _, err := t.exec(ctx, `INSERT INTO leads (partner_id, name, email, company, message, status, created_at)
			VALUES (?, ?, ?, ?, ?, 'new', ?)`, partnerID, l.Name, l.Email, l.Company, l.Message, t.now); err != nil {
			return fmt.Errorf("store lead: %w", err)
		}
		if to == "" {
			return nil
		}
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		l.PartnerID = partnerID
		e, err := m.Lead(pd.LeadNotice{To: to, Partner: partner, Program: prog.Name, Lead: l})
		if err != nil {
			return err
		}
		_, err = queueEmail(ctx, t, e, 0, "")
		return err
	})
}

// ListLeads returns a page of the scoped partner's leads, newest first,
// and their count.
func (db *DB) ListLeads(ctx context.Context, status string, offset, limit int) ([]pd.Lead, int, error) {
	if offset < 0 || limit <= 0 || limit > 500 {
		return nil, 0, pd.Errorf(pd.EInvalid, "Invalid page.")
	}
	var out []pd.Lead
	total := 0
	err := db.view(ctx, func(t *tx) error {
		id, err := partnerScope(ctx, t, false)
		if err != nil {
			return err
		}
		q, args := "SELECT id, partner_id, name, email, company, message, status, created_at, COUNT(*) OVER () FROM leads WHERE partner_id = ?", []any{id}
		if status != "" {
			q += " AND status = ?"
			args = append(args, status)
		}
		rows, err := t.query(ctx, q+" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", append(args, limit, offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l pd.Lead
			if err := rows.Scan(&l.ID, &l.PartnerID, &l.Name, &l.Email, &l.Company, &l.Message, &l.Status, &l.CreatedAt, &total); err != nil {
				return err
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list leads: %w", err)
	}
	return out, total, nil
}

// SetLeadStatus is a partner user's change of one of its leads' status.
// Audited.
func (db *DB) SetLeadStatus(ctx context.Context, leadID int64, status string) error {
	return db.update(ctx, func(t *tx) error {
		id, err := partnerScope(ctx, t, true)
		if err != nil {
			return err
		}
		var cur string
		err = t.queryRow(ctx, "SELECT status FROM leads WHERE id = ? AND partner_id = ?", leadID, id).Scan(&cur)
		if err == sql.ErrNoRows {
			return pd.Errorf(pd.ENotFound, "Lead not found.")
		} else if err != nil {
			return err
		}
		// Checked after the lead is found, so that another partner's
		// lead is not found whatever the form holds.
		if !slices.Contains(pd.LeadStatuses, status) {
			return pd.Errorf(pd.EInvalid, "Unknown status.")
		}
		if cur == status {
			return nil
		}
		if _, err := t.exec(ctx, "UPDATE leads SET status = ? WHERE id = ? AND partner_id = ?", status, leadID, id); err != nil {
			return fmt.Errorf("set lead status: %w", err)
		}
		return audit(ctx, t, id, "lead_status", "lead", fmt.Sprint(leadID), cur+" → "+status)
	})
}
