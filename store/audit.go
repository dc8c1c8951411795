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
	_, err := t.exec(ctx, `INSERT INTO audit_log (at, user_id, token_id, partner_id, action, entity, entity_id, detail, origin)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.now, userID, tokenID, pid, action, entity, entityID, byIntegration(ctx, detail), origin(ctx))
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
	_, err := t.exec(ctx, `INSERT INTO audit_log (at, user_id, token_id, partner_id, action, entity, entity_id, detail, origin)
		SELECT ?, ?, ?, p.partner_id, ?, ?, ?, ?, ? FROM (SELECT DISTINCT cp.partner_id FROM client_partners cp
			WHERE cp.client_id = ? AND cp.ended_on IS NULL AND cp.partner_id <> ?) p`,
		t.now, userID, tokenID, action, entity, entityID, byIntegration(ctx, shared), origin(ctx), clientID, partnerID)
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

// origin says, for the audit log, what made a change no user or token
// made: a webhook ("webhook:stripe"), the operator at the command line (a
// principal that is neither), or the daily refresh (no principal: "").
func origin(ctx context.Context) string {
	switch p := pd.PrincipalFrom(ctx); {
	case p == nil || p.UserID != 0 || p.TokenID != 0:
		return ""
	case p.Integration != "":
		return "webhook:" + p.Integration
	default:
		return "command_line"
	}
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
			e.At = at.UTC()
			es = append(es, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read audit log: %w", err)
	}
	return es, total, nil
}

// auditActor is SQL for the kind of actor of audit_log a (pd.AuditActors).
const auditActor = `CASE WHEN a.user_id IS NOT NULL THEN 'person' WHEN a.token_id IS NOT NULL THEN 'token'
	WHEN a.origin LIKE 'webhook:%' THEN 'webhook' WHEN a.origin = 'command_line' THEN 'command_line' ELSE 'refresh' END`

// ProgramAudit returns a page of the program's audit log, newest first:
// every partner's entries and the program's own (settings, staff, tokens,
// loads), whoever made them. Program admins only.
func (db *DB) ProgramAudit(ctx context.Context, f pd.AuditFilter) ([]pd.AuditEntry, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return nil, 0, err
	}
	var es []pd.AuditEntry
	total := 0
	err := db.view(ctx, func(t *tx) error {
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		where, args := auditWhere(f, prog.Location())
		from := ` FROM audit_log a LEFT JOIN users u ON u.id = a.user_id LEFT JOIN api_tokens k ON k.id = a.token_id
			LEFT JOIN partners p ON p.id = a.partner_id WHERE ` + where
		rows, err := t.query(ctx, `SELECT a.id, a.at,
				COALESCE(u.name, k.name, CASE WHEN a.origin LIKE 'webhook:%' THEN SUBSTR(a.origin, 9) ELSE '' END),
				a.action, a.entity, a.entity_id, a.detail, `+auditActor+`, COALESCE(a.user_id, a.token_id, 0),
				COALESCE(a.partner_id, 0), COALESCE(p.external_id, ''), COALESCE(p.name, ''), COUNT(*) OVER ()`+from+`
			ORDER BY a.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e pd.AuditEntry
			var at time.Time
			if err := rows.Scan(&e.ID, &at, &e.ActorName, &e.Action, &e.Entity, &e.EntityID, &e.Detail, &e.Actor, &e.ActorID,
				&e.PartnerID, &e.PartnerExternalID, &e.PartnerName, &total); err != nil {
				return err
			}
			e.At = at.UTC()
			es = append(es, e)
		}
		if err := rows.Err(); err != nil || len(es) > 0 || f.Offset == 0 {
			return err
		}
		// A page past the end: the count alone.
		return t.queryRow(ctx, "SELECT COUNT(*)"+from, args...).Scan(&total)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read the program's audit log: %w", err)
	}
	return es, total, nil
}

// auditWhere is the condition of f on audit_log a (joined to its user u,
// token k and partner p); dates are days in loc.
func auditWhere(f pd.AuditFilter, loc *time.Location) (string, []any) {
	where, args := []string{"1 = 1"}, []any{}
	add := func(c string, a ...any) {
		where = append(where, c)
		args = append(args, a...)
	}
	if f.Partner != "" {
		add("a.partner_id = (SELECT id FROM partners WHERE external_id = ?)", f.Partner)
	}
	switch kind, id := f.ActorKind(); {
	case id != 0 && kind == "user":
		add("a.user_id = ?", id)
	case id != 0 && kind == "token":
		add("a.token_id = ?", id)
	case kind != "":
		add(auditActor+" = ?", kind)
	}
	if f.Action != "" {
		add("a.action = ?", f.Action)
	}
	if f.BeforeID > 0 {
		add("a.id < ?", f.BeforeID)
	}
	if !f.From.IsZero() {
		add("a.at >= ?", dayStart(f.From, loc))
	}
	if !f.To.IsZero() {
		add("a.at < ?", dayStart(f.To.AddDays(1), loc))
	}
	if f.Query != "" {
		q := likePattern(f.Query)
		add(`(lower(a.detail) LIKE ? ESCAPE '\' OR lower(a.entity_id) LIKE ? ESCAPE '\' OR lower(a.action) LIKE ? ESCAPE '\'
			OR lower(COALESCE(u.name, k.name, '')) LIKE ? ESCAPE '\' OR lower(COALESCE(p.name, '')) LIKE ? ESCAPE '\')`, q, q, q, q, q)
	}
	return strings.Join(where, " AND "), args
}

// AuditActions lists the actions the audit log holds, for its filter: one
// index probe per action, however long the log.
func (db *DB) AuditActions(ctx context.Context) ([]string, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return nil, err
	}
	var out []string
	err := db.view(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `WITH RECURSIVE acts (action) AS (
				SELECT MIN(action) FROM audit_log
				UNION ALL SELECT (SELECT MIN(b.action) FROM audit_log b WHERE b.action > acts.action) FROM acts WHERE acts.action IS NOT NULL)
			SELECT action FROM acts WHERE action IS NOT NULL`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list audit actions: %w", err)
	}
	return out, nil
}

// dayStart is the instant, in UTC, at which day d starts in loc.
func dayStart(d pd.Date, loc *time.Location) time.Time {
	t := d.Time()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc).UTC()
}
