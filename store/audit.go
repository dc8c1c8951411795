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
	var userID, tokenID sql.NullInt64
	if p := pd.PrincipalFrom(ctx); p != nil && p.UserID != 0 {
		userID = sql.NullInt64{Int64: p.UserID, Valid: true}
	} else if p != nil && p.TokenID != 0 {
		tokenID = sql.NullInt64{Int64: p.TokenID, Valid: true}
	}
	var pid sql.NullInt64
	if partnerID != 0 {
		pid = sql.NullInt64{Int64: partnerID, Valid: true}
	}
	if p := pd.PrincipalFrom(ctx); p != nil && p.Integration != "" {
		detail = strings.TrimSpace(detail + " (by the " + p.Integration + " webhook)")
	}
	_, err := t.exec(ctx, `INSERT INTO audit_log (at, user_id, token_id, partner_id, action, entity, entity_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.now, userID, tokenID, pid, action, entity, entityID, detail)
	if err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// AuditLog returns the newest entries of the scoped partner's audit log.
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
		rows, err := t.query(ctx, `SELECT a.id, a.at, COALESCE(u.name, k.name, ''), a.action, a.entity, a.entity_id, a.detail
			FROM audit_log a LEFT JOIN users u ON u.id = a.user_id LEFT JOIN api_tokens k ON k.id = a.token_id
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
