package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

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
	var off sql.NullTime
	err := t.queryRow(ctx, `SELECT `+partnerCols+`,
			m.id, m.name, m.email, m.role, m.description, m.photo_url,
			c.id, c.name, c.email, c.role, c.description, c.photo_url
		FROM partners p
		LEFT JOIN staff m ON m.id = p.partner_manager_id
		LEFT JOIN staff c ON c.id = p.partner_consultant_id
		WHERE p.id = ?`, id).Scan(&p.ID, &p.ExternalID, &p.Name, &p.Country, &p.Website, &p.Tier, &p.CRMLinkTemplate, &p.Invited, &off,
		&m.id, &m.name, &m.email, &m.role, &m.desc, &m.photo, &c.id, &c.name, &c.email, &c.role, &c.desc, &c.photo)
	if err == sql.ErrNoRows {
		return nil, pd.Errorf(pd.ENotFound, "Partner not found.")
	} else if err != nil {
		return nil, fmt.Errorf("load partner %d: %w", id, err)
	}
	p.Manager, p.Consultant = m.staff(), c.staff()
	p.DeactivatedAt = nullTime(off)
	return &p, nil
}

// partnerCols are a partner's own columns, as partnerByID scans them.
const partnerCols = `p.id, p.external_id, p.name, p.country, p.website, p.tier_code, p.crm_link_template, p.elite_invited, p.deactivated_at`

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
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

// PartnerRef finds the partner a path names, by its Partnerdesk id or its
// external id (the id the vendor's systems use), among the partners the
// principal in ctx may view; any other is not found. Digits name the
// numeric id first, then an external id made of digits.
func (db *DB) PartnerRef(ctx context.Context, ref string) (int64, error) {
	p := pd.PrincipalFrom(ctx)
	if p == nil {
		return 0, pd.Errorf(pd.EUnauthorized, "Please sign in.")
	}
	if ref == "" || len(ref) > 200 {
		return 0, pd.Errorf(pd.ENotFound, "Partner not found.")
	}
	var ids []int64
	err := db.view(ctx, func(t *tx) error {
		var err error
		ids, err = partnersByRef(ctx, t, ref)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("find partner %q: %w", ref, err)
	}
	for _, id := range ids {
		if err := db.CanViewPartner(ctx, id); err == nil {
			return id, nil
		} else if pd.ErrorCode(err) != pd.ENotFound {
			return 0, err
		}
	}
	return 0, pd.Errorf(pd.ENotFound, "Partner not found.")
}

// partnersByRef are the partners whose id or external id is ref, the id's
// first.
func partnersByRef(ctx context.Context, t *tx, ref string) ([]int64, error) {
	n, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || n <= 0 {
		n = 0
	}
	rows, err := t.query(ctx, `SELECT id FROM partners WHERE id = ? OR external_id = ?
		ORDER BY CASE WHEN id = ? THEN 0 ELSE 1 END, id`, n, ref, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Empty reports whether the database holds no partner yet.
func (db *DB) Empty(ctx context.Context) (bool, error) {
	var n int
	err := db.view(ctx, func(t *tx) error {
		return t.queryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM partners LIMIT 1) x").Scan(&n)
	})
	return n == 0, err
}
