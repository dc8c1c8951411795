package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// audit records a state change made by the principal in ctx.
func audit(ctx context.Context, t *tx, partnerID int64, action, entity, entityID, detail string) error {
	userID, tokenID := actor(ctx)
	var pid sql.NullInt64
	if partnerID != 0 {
		pid = sql.NullInt64{Int64: partnerID, Valid: true}
	}
	_, err := t.exec(ctx, `INSERT INTO audit_log (at, user_id, token_id, partner_id, action, entity, entity_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.now, userID, tokenID, pid, action, entity, entityID, byIntegration(ctx, detail))
	if err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// auditClient records a change that partnerID made to what every partner
// of the client sees (its renewals), in the audit log of each: partnerID's
// entry says detail, the client's other active partners' say shared,
// which leaves out what is partnerID's own (a decision's note).
func auditClient(ctx context.Context, t *tx, partnerID, clientID int64, action, entity, entityID, detail, shared string) error {
	if err := audit(ctx, t, partnerID, action, entity, entityID, detail); err != nil {
		return err
	}
	userID, tokenID := actor(ctx)
	_, err := t.exec(ctx, `INSERT INTO audit_log (at, user_id, token_id, partner_id, action, entity, entity_id, detail)
		SELECT ?, ?, ?, p.partner_id, ?, ?, ?, ? FROM (SELECT DISTINCT cp.partner_id FROM client_partners cp
			WHERE cp.client_id = ? AND cp.ended_on IS NULL AND cp.partner_id <> ?) p`,
		t.now, userID, tokenID, action, entity, entityID, byIntegration(ctx, shared), clientID, partnerID)
	if err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// actor is the user or the API token acting in ctx, for the audit log.
func actor(ctx context.Context) (userID, tokenID sql.NullInt64) {
	if p := pd.PrincipalFrom(ctx); p != nil && p.UserID != 0 {
		userID = sql.NullInt64{Int64: p.UserID, Valid: true}
	} else if p != nil && p.TokenID != 0 {
		tokenID = sql.NullInt64{Int64: p.TokenID, Valid: true}
	}
	return userID, tokenID
}

// byIntegration marks the detail of a change a webhook made.
func byIntegration(ctx context.Context, detail string) string {
	if p := pd.PrincipalFrom(ctx); p != nil && p.Integration != "" {
		return strings.TrimSpace(detail + " (by the " + p.Integration + " webhook)")
	}
	return detail
}

// AuditLog returns the newest entries of the scoped partner's audit log.
// An entry a user of another partner made (a decision on a client they
// share) names that partner, not its user.
func (db *DB) AuditLog(ctx context.Context, offset, limit int) ([]pd.AuditEntry, int, error) {
	if offset < 0 || limit <= 0 || limit > 500 {
		return nil, 0, pd.Errorf(pd.EInvalid, "Invalid page.")
	}
	var es []pd.AuditEntry
	var total int
	err := db.view(ctx, func(t *tx) error {
		partnerID, err := partnerScope(ctx, t, false)
		if err != nil {
			return err
		}
		if err := t.queryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE partner_id = ?", partnerID).Scan(&total); err != nil {
			return err
		}
		rows, err := t.query(ctx, `SELECT a.id, a.at,
				COALESCE(CASE WHEN u.partner_id <> a.partner_id THEN up.name ELSE u.name END, k.name, ''),
				a.action, a.entity, a.entity_id, a.detail
			FROM audit_log a LEFT JOIN users u ON u.id = a.user_id LEFT JOIN partners up ON up.id = u.partner_id
			LEFT JOIN api_tokens k ON k.id = a.token_id
			WHERE a.partner_id = ? ORDER BY a.at DESC, a.id DESC LIMIT ? OFFSET ?`, partnerID, limit, offset)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e pd.AuditEntry
			var at time.Time
			if err := rows.Scan(&e.ID, &at, &e.ActorName, &e.Action, &e.Entity, &e.EntityID, &e.Detail); err != nil {
				return err
			}
			e.At = at.UTC().Format(time.RFC3339)
			es = append(es, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read audit log: %w", err)
	}
	return es, total, nil
}
