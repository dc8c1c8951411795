package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// The vendor's staff and each partner's team: program admins only.

const staffSelect = "SELECT id, name, email, role, description, photo_url FROM staff"

func scanStaff(row scanner) (pd.Staff, error) {
	var s pd.Staff
	var role string
	err := row.Scan(&s.ID, &s.Name, &s.Email, &role, &s.Description, &s.PhotoURL)
	s.Role = pd.Role(role)
	return s, err
}

// ListStaff returns the vendor's staff, by role and name, with how many
// partners each is on the team of.
func (db *DB) ListStaff(ctx context.Context) ([]pd.Staff, map[int64]int, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return nil, nil, err
	}
	var ss []pd.Staff
	teams := map[int64]int{}
	err := db.view(ctx, func(t *tx) error {
		rows, err := t.query(ctx, staffSelect+" ORDER BY role, lower(name), id")
		if err != nil {
			return err
		}
		for rows.Next() {
			s, err := scanStaff(rows)
			if err != nil {
				rows.Close()
				return err
			}
			ss = append(ss, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = t.query(ctx, `SELECT staff_id, COUNT(*) FROM (
				SELECT partner_manager_id AS staff_id FROM partners WHERE partner_manager_id IS NOT NULL
				UNION ALL SELECT partner_consultant_id FROM partners WHERE partner_consultant_id IS NOT NULL) x
			GROUP BY staff_id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			teams[id] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list staff: %w", err)
	}
	return ss, teams, nil
}

// Staff returns one staff member's profile.
func (db *DB) Staff(ctx context.Context, id int64) (*pd.Staff, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return nil, err
	}
	var s pd.Staff
	err := db.view(ctx, func(t *tx) (err error) {
		s, err = scanStaff(t.queryRow(ctx, staffSelect+" WHERE id = ?", id))
		return err
	})
	if err == sql.ErrNoRows {
		return nil, pd.Errorf(pd.ENotFound, "Staff member not found.")
	} else if err != nil {
		return nil, fmt.Errorf("load staff %d: %w", id, err)
	}
	return &s, nil
}

// SaveStaff updates a staff member's profile: name, email, description and
// photo (the role stays: it decides which teams they can be on).
func (db *DB) SaveStaff(ctx context.Context, s pd.Staff) error {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		var role string
		if err := t.queryRow(ctx, "SELECT role FROM staff WHERE id = ?", s.ID).Scan(&role); err == sql.ErrNoRows {
			return pd.Errorf(pd.ENotFound, "Staff member not found.")
		} else if err != nil {
			return err
		}
		s.Role = pd.Role(role)
		if err := s.Validate(); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE staff SET name = ?, email = ?, description = ?, photo_url = ? WHERE id = ?`,
			s.Name, s.Email, s.Description, s.PhotoURL, s.ID); err != nil {
			return fmt.Errorf("save staff %d: %w", s.ID, err)
		}
		return audit(ctx, t, 0, "update_staff", "staff", fmt.Sprint(s.ID), s.Name)
	})
}

// CreateStaff adds a staff member and returns their id.
func (db *DB) CreateStaff(ctx context.Context, s pd.Staff) (int64, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return 0, err
	}
	if err := s.Validate(); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(t *tx) (err error) {
		id, err = t.insert(ctx, `INSERT INTO staff (external_id, name, email, role, description, photo_url)
			VALUES (?, ?, ?, ?, ?, ?)`, "staff-"+randomToken()[:16], s.Name, s.Email, string(s.Role), s.Description, s.PhotoURL)
		if err != nil {
			return mapError(err, "Staff member")
		}
		return audit(ctx, t, 0, "create_staff", "staff", fmt.Sprint(id), s.Name)
	})
	if err != nil {
		return 0, fmt.Errorf("create staff: %w", err)
	}
	return id, nil
}

// PartnerTeam returns a partner with its team, for the program admin's
// assignment page.
func (db *DB) PartnerTeam(ctx context.Context, partnerID int64) (*pd.Partner, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return nil, err
	}
	var p *pd.Partner
	err := db.view(ctx, func(t *tx) (err error) {
		p, err = partnerByID(ctx, t, partnerID)
		return err
	})
	return p, err
}

// AssignTeam sets a partner's partner manager and partner consultant (0:
// none), each of the matching role.
func (db *DB) AssignTeam(ctx context.Context, partnerID, managerID, consultantID int64) error {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		p, err := partnerByID(ctx, t, partnerID)
		if err != nil {
			return err
		}
		names, ps, err := teamNames(ctx, t, managerID, consultantID)
		if err != nil {
			return err
		}
		if len(ps) > 0 {
			return pd.Errorf(pd.EInvalid, "Choose a %s from the list.", strings.ReplaceAll(ps[0].Field, "_", " "))
		}
		if _, err := t.exec(ctx, "UPDATE partners SET partner_manager_id = ?, partner_consultant_id = ? WHERE id = ?",
			nullID(managerID), nullID(consultantID), partnerID); err != nil {
			return fmt.Errorf("assign team of partner %d: %w", partnerID, err)
		}
		return audit(ctx, t, partnerID, "assign_team", "partner", p.ExternalID, names[0]+"; "+names[1])
	})
}
