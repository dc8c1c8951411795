package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// The program's certifications: program admins add, edit and revoke them
// (audited in the partner's log); partner managers and consultants read
// those of their partners. The API upserts them too (ingest_kinds.go).

const certSelect = `SELECT c.id, c.partner_id, p.name, c.name, c.holder, c.earned_on, c.expires_on, c.revoked_on
	FROM certifications c JOIN partners p ON p.id = c.partner_id`

func scanCertification(row scanner, extra ...any) (pd.Certification, error) {
	var c pd.Certification
	err := row.Scan(append([]any{&c.ID, &c.PartnerID, &c.PartnerName, &c.Name, &c.Holder, &c.EarnedOn, &c.ExpiresOn, &c.RevokedOn}, extra...)...)
	return c, err
}

// ListCertifications returns a page of the certifications the staff
// member may see, and how many match: those expiring within f.Within days
// soonest first, the others by expiry, latest first.
func (db *DB) ListCertifications(ctx context.Context, f pd.CertificationFilter) ([]pd.Certification, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	pr, err := requireRole(ctx, pd.RoleProgramAdmin, pd.RolePartnerManager, pd.RolePartnerConsultant)
	if err != nil {
		return nil, 0, err
	}
	var out []pd.Certification
	total := 0
	err = db.view(ctx, func(t *tx) error {
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		day := today(t, prog)
		scope, args := staffPartners(pr)
		where := []string{scope}
		if f.Partner != "" {
			where = append(where, `(lower(p.name) LIKE ? ESCAPE '\' OR lower(p.external_id) LIKE ? ESCAPE '\')`)
			args = append(args, likePattern(f.Partner), likePattern(f.Partner))
		}
		valid := "c.earned_on <= ? AND c.expires_on > ? AND (c.revoked_on IS NULL OR c.revoked_on > ?)"
		order := "c.expires_on DESC, lower(p.name), c.id"
		switch f.Status {
		case pd.CertValid:
			where = append(where, valid)
			args = append(args, day, day, day)
		case pd.CertExpiring:
			where = append(where, valid, "c.expires_on <= ?")
			args = append(args, day, day, day, day.AddDays(f.Within))
			order = "c.expires_on, lower(p.name), c.id"
		case pd.CertExpired:
			where = append(where, "c.expires_on <= ?", "c.revoked_on IS NULL")
			args = append(args, day)
		case pd.CertRevoked:
			where = append(where, "c.revoked_on IS NOT NULL")
		}
		rows, err := t.query(ctx, certSelect+" WHERE "+strings.Join(where, " AND ")+
			" ORDER BY "+order+" LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCertification(rows)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(out) < f.Limit && (f.Offset == 0 || len(out) > 0) {
			total = f.Offset + len(out)
			return nil
		}
		return t.queryRow(ctx, "SELECT COUNT(*) FROM certifications c JOIN partners p ON p.id = c.partner_id WHERE "+
			strings.Join(where, " AND "), args...).Scan(&total)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list certifications: %w", err)
	}
	return out, total, nil
}

// Certification returns one certification the staff member may see; to
// edit it (edit), only program admins.
func (db *DB) Certification(ctx context.Context, id int64, edit bool) (*pd.Certification, error) {
	roles := []pd.Role{pd.RoleProgramAdmin, pd.RolePartnerManager, pd.RolePartnerConsultant}
	if edit {
		roles = roles[:1]
	}
	pr, err := requireRole(ctx, roles...)
	if err != nil {
		return nil, err
	}
	var c pd.Certification
	err = db.view(ctx, func(t *tx) (err error) {
		c, err = certification(ctx, t, pr, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func certification(ctx context.Context, t *tx, pr *pd.Principal, id int64) (pd.Certification, error) {
	scope, args := staffPartners(pr)
	c, err := scanCertification(t.queryRow(ctx, certSelect+" WHERE c.id = ? AND "+scope, append([]any{id}, args...)...))
	if err == sql.ErrNoRows {
		return c, pd.Errorf(pd.ENotFound, "Certification not found.")
	} else if err != nil {
		return c, fmt.Errorf("load certification %d: %w", id, err)
	}
	return c, nil
}

// CreateCertification adds a certification to the partner whose external
// id is partner. Program admins only; audited in the partner's log.
func (db *DB) CreateCertification(ctx context.Context, partner string, c pd.Certification) (int64, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return 0, err
	}
	if err := c.Validate(); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(t *tx) error {
		err := t.queryRow(ctx, "SELECT id FROM partners WHERE external_id = ?", strings.TrimSpace(partner)).Scan(&c.PartnerID)
		if err == sql.ErrNoRows {
			return pd.Errorf(pd.EInvalid, "No partner has the id %q.", strings.TrimSpace(partner))
		} else if err != nil {
			return err
		}
		if id, err = t.insert(ctx, `INSERT INTO certifications (partner_id, name, holder, earned_on, expires_on) VALUES (?, ?, ?, ?, ?)`,
			c.PartnerID, c.Name, c.Holder, c.EarnedOn, c.ExpiresOn); err != nil {
			return err
		}
		return audit(ctx, t, c.PartnerID, "certification_added", "certification", fmt.Sprint(id),
			fmt.Sprintf("%s held by %s, earned %s, expires %s", c.Name, c.Holder, c.EarnedOn, c.ExpiresOn))
	})
	if err != nil {
		return 0, fmt.Errorf("add certification: %w", err)
	}
	return id, nil
}

// UpdateCertification saves a certification's name, holder and dates.
// Program admins only; audited in the partner's log with what changed.
func (db *DB) UpdateCertification(ctx context.Context, c pd.Certification) error {
	pr, err := requireRole(ctx, pd.RoleProgramAdmin)
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	err = db.update(ctx, func(t *tx) error {
		cur, err := certification(ctx, t, pr, c.ID)
		if err != nil {
			return err
		}
		var changes []string
		add := func(what string, from, to any) {
			if from != to {
				changes = append(changes, fmt.Sprintf("%s %v → %v", what, from, to))
			}
		}
		add("name", cur.Name, c.Name)
		add("holder", cur.Holder, c.Holder)
		add("earned", cur.EarnedOn, c.EarnedOn)
		add("expires", cur.ExpiresOn, c.ExpiresOn)
		if len(changes) == 0 {
			return nil
		}
		if _, err := t.exec(ctx, "UPDATE certifications SET name = ?, holder = ?, earned_on = ?, expires_on = ? WHERE id = ?",
			c.Name, c.Holder, c.EarnedOn, c.ExpiresOn, c.ID); err != nil {
			return err
		}
		return audit(ctx, t, cur.PartnerID, "certification_edited", "certification", fmt.Sprint(c.ID),
			cur.Name+": "+strings.Join(changes, "; "))
	})
	if err != nil {
		return fmt.Errorf("edit certification %d: %w", c.ID, err)
	}
	return nil
}

// RevokeCertification revokes a certification from today: it is no longer
// valid from today on, and stays valid for the days before. Program admins
// only; audited in the partner's log.
func (db *DB) RevokeCertification(ctx context.Context, id int64) error {
	pr, err := requireRole(ctx, pd.RoleProgramAdmin)
	if err != nil {
		return err
	}
	err = db.update(ctx, func(t *tx) error {
		cur, err := certification(ctx, t, pr, id)
		if err != nil {
			return err
		}
		if cur.Revoked() {
			return pd.Errorf(pd.EConflict, "This certification was revoked on %s already.", cur.RevokedOn)
		}
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		day := today(t, prog)
		if _, err := t.exec(ctx, "UPDATE certifications SET revoked_on = ? WHERE id = ?", day, id); err != nil {
			return err
		}
		return audit(ctx, t, cur.PartnerID, "certification_revoked", "certification", fmt.Sprint(id),
			fmt.Sprintf("%s held by %s, revoked from %s", cur.Name, cur.Holder, day))
	})
	if err != nil {
		return fmt.Errorf("revoke certification %d: %w", id, err)
	}
	return nil
}

// CertificationEnding returns the scoped partner's last valid
// certification when it expires within pd.CertificationAlertDays, for its
// dashboard's alerts; nil otherwise.
func (db *DB) CertificationEnding(ctx context.Context) (*pd.Certification, error) {
	var out *pd.Certification
	err := db.view(ctx, func(t *tx) error {
		partnerID, _, day, err := scopedDay(ctx, t, false)
		if err != nil {
			return err
		}
		certs, err := certifications(ctx, t, partnerID)
		if err != nil {
			return err
		}
		if c, ok := pd.CertificationEnding(certs, day); ok {
			out = &c
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("certification alert: %w", err)
	}
	return out, nil
}
