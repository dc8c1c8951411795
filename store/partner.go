package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// Partner returns the scoped partner with its vendor team.
func (db *DB) Partner(ctx context.Context) (*pd.Partner, error) {
	var p *pd.Partner
	err := db.view(ctx, func(t *tx) error {
		id, err := partnerScope(ctx, t, false)
		if err != nil {
			return err
		}
		p, err = partnerByID(ctx, t, id)
		return err
	})
	return p, err
}

func partnerByID(ctx context.Context, t *tx, id int64) (*pd.Partner, error) {
	var p pd.Partner
	var m, c staffCols
	err := t.queryRow(ctx, `SELECT p.id, p.external_id, p.name, p.country, p.website, p.tier_code, p.crm_link_template,
			m.id, m.name, m.email, m.role, m.description, m.photo_url,
			c.id, c.name, c.email, c.role, c.description, c.photo_url
		FROM partners p
		LEFT JOIN staff m ON m.id = p.partner_manager_id
		LEFT JOIN staff c ON c.id = p.partner_consultant_id
		WHERE p.id = ?`, id).Scan(&p.ID, &p.ExternalID, &p.Name, &p.Country, &p.Website, &p.Tier, &p.CRMLinkTemplate,
		&m.id, &m.name, &m.email, &m.role, &m.desc, &m.photo, &c.id, &c.name, &c.email, &c.role, &c.desc, &c.photo)
	if err == sql.ErrNoRows {
		return nil, pd.Errorf(pd.ENotFound, "Partner not found.")
	} else if err != nil {
		return nil, fmt.Errorf("load partner %d: %w", id, err)
	}
	p.Manager, p.Consultant = m.staff(), c.staff()
	return &p, nil
}

// staffCols scans a LEFT JOINed staff row.
type staffCols struct {
	id                             sql.NullInt64
	name, email, role, desc, photo sql.NullString
}

func (s staffCols) staff() *pd.Staff {
	if !s.id.Valid {
		return nil
	}
	return &pd.Staff{ID: s.id.Int64, Name: s.name.String, Email: s.email.String, Role: pd.Role(s.role.String),
		Description: s.desc.String, PhotoURL: s.photo.String}
}

// ListPartners returns a page of partners for vendor staff (all of them for
// program admins, their own for partner managers and consultants), with
// each partner's active client count and MRR, in two queries.
func (db *DB) ListPartners(ctx context.Context, f pd.PartnerFilter) ([]pd.Partner, int, error) {
	if len(f.Query) > pd.MaxQueryLen {
		return nil, 0, pd.Errorf(pd.EInvalid, "Search text is too long (at most %d characters).", pd.MaxQueryLen)
	}
	if f.Offset < 0 || f.Limit < 0 || f.Limit > 500 {
		return nil, 0, pd.Errorf(pd.EInvalid, "Invalid page.")
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	p, err := requireRole(ctx, pd.RoleProgramAdmin, pd.RolePartnerManager, pd.RolePartnerConsultant)
	if err != nil {
		return nil, 0, err
	}
	var ps []pd.Partner
	total := 0
	err = db.view(ctx, func(t *tx) error {
		where, args := []string{"1 = 1"}, []any{}
		if p.Role != pd.RoleProgramAdmin {
			where = append(where, "(p.partner_manager_id = ? OR p.partner_consultant_id = ?)")
			args = append(args, p.StaffID, p.StaffID)
		}
		if f.Query != "" {
			where = append(where, `lower(p.name) LIKE ? ESCAPE '\'`)
			args = append(args, likePattern(f.Query))
		}
		rows, err := t.query(ctx, `SELECT p.id, p.external_id, p.name, p.country, p.tier_code, COUNT(*) OVER ()
			FROM partners p WHERE `+strings.Join(where, " AND ")+` ORDER BY lower(p.name), p.id LIMIT ? OFFSET ?`,
			append(args, f.Limit, f.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		index := map[int64]int{}
		var ids []any
		for rows.Next() {
			var x pd.Partner
			if err := rows.Scan(&x.ID, &x.ExternalID, &x.Name, &x.Country, &x.Tier, &total); err != nil {
				return err
			}
			index[x.ID] = len(ps)
			ids = append(ids, x.ID)
			ps = append(ps, x)
		}
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		rows.Close()
		rows, err = t.query(ctx, `SELECT cp.partner_id, COUNT(*), COALESCE(SUM(c.mrr), 0)
			FROM client_partners cp JOIN clients c ON c.id = cp.client_id
			WHERE cp.ended_on IS NULL AND cp.partner_id IN (`+placeholders(len(ids))+`)
			GROUP BY cp.partner_id`, ids...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, mrr int64
			var n int
			if err := rows.Scan(&id, &n, &mrr); err != nil {
				return err
			}
			ps[index[id]].ActiveClients, ps[index[id]].ManagedMRR = n, mrr
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list partners: %w", err)
	}
	return ps, total, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// CanViewPartner reports, as a not-found error, whether the vendor staff
// principal in ctx may open partner id's dashboard.
func (db *DB) CanViewPartner(ctx context.Context, id int64) error {
	p := pd.PrincipalFrom(ctx)
	if p == nil {
		return pd.Errorf(pd.EUnauthorized, "Please sign in.")
	}
	if p.PartnerBound() {
		if p.PartnerID != id {
			return pd.Errorf(pd.ENotFound, "Partner not found.")
		}
		return nil
	}
	return db.view(ctx, func(t *tx) error { return canViewPartner(ctx, t, p, id) })
}

// Empty reports whether the database holds no partner yet.
func (db *DB) Empty(ctx context.Context) (bool, error) {
	var n int
	err := db.view(ctx, func(t *tx) error {
		return t.queryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM partners LIMIT 1) x").Scan(&n)
	})
	return n == 0, err
}
