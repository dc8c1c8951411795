package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// A program admin's changes to partners: create and edit them (checked as
// the API and CSV check a partner record), deactivate and reactivate them,
// invite them to the invitation-only tiers, and set their assigned tier by
// hand. Each is audited in the partner's log and the program's.

// PartnerForm is what the partner form sends: the partner's record (its
// vendor team by staff id rather than by the record's staff ids).
type PartnerForm struct {
	Record       pd.PartnerRecord
	ManagerID    int64 // 0: none
	ConsultantID int64
}

// check returns the form's problems, as a *pd.BatchError of one record:
// the record's own, then its team's.
func (f *PartnerForm) check(ctx context.Context, t *tx) ([2]string, error) {
	f.Record.Tier, f.Record.PartnerManager, f.Record.PartnerConsultant = "", "", ""
	var l pd.ProblemList
	l.Add(f.Record.Check(0)...)
	names, ps, err := teamNames(ctx, t, f.ManagerID, f.ConsultantID)
	if err != nil {
		return names, err
	}
	l.Add(ps...)
	return names, l.Err()
}

// teamNames checks a partner manager's and a partner consultant's staff
// ids (0: none) against their roles, and returns their names ("-" for
// none); a wrong one is a problem of the field partner_manager or
// partner_consultant.
func teamNames(ctx context.Context, t *tx, managerID, consultantID int64) ([2]string, []pd.Problem, error) {
	names := [2]string{"-", "-"}
	var ps []pd.Problem
	for i, a := range []struct {
		id    int64
		role  pd.Role
		field string
	}{{managerID, pd.RolePartnerManager, "partner_manager"}, {consultantID, pd.RolePartnerConsultant, "partner_consultant"}} {
		if a.id == 0 {
			continue
		}
		err := t.queryRow(ctx, "SELECT name FROM staff WHERE id = ? AND role = ?", a.id, string(a.role)).Scan(&names[i])
		if err == sql.ErrNoRows {
			ps = append(ps, pd.Problemf(0, a.field, pd.ENotFound, "must be a %s from the list",
				strings.ReplaceAll(string(a.role), "_", " ")))
		} else if err != nil {
			return names, nil, fmt.Errorf("load staff %d: %w", a.id, err)
		}
	}
	return names, ps, nil
}

// CreatePartner adds a partner at the entry tier and returns its id. A
// form with problems is a *pd.BatchError of one record.
func (db *DB) CreatePartner(ctx context.Context, f PartnerForm) (int64, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(t *tx) error {
		names, err := f.check(ctx, t)
		if err != nil {
			return err
		}
		r := f.Record
		var n int
		if err := t.queryRow(ctx, "SELECT COUNT(*) FROM partners WHERE external_id = ?", r.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &pd.BatchError{Problems: []pd.Problem{pd.Problemf(0, "id", pd.EConflict, "is already another partner's")}}
		}
		id, err = t.insert(ctx, `INSERT INTO partners (external_id, name, country, website, crm_link_template,
				partner_manager_id, partner_consultant_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.Name, r.Country, r.Website, r.CRMLinkTemplate,
			nullID(f.ManagerID), nullID(f.ConsultantID), t.now)
		if err != nil {
			return mapError(err, "Partner "+r.ID)
		}
		return audit(ctx, t, id, "create_partner", "partner", r.ID, fmt.Sprintf("%s; team %s; %s", r.Name, names[0], names[1]))
	})
	if err != nil {
		return 0, fmt.Errorf("create partner: %w", err)
	}
	return id, nil
}

// UpdatePartner saves a partner's name, country, website, CRM link
// template and team; its id (the integrations' key) and tier stay. The
// audit log names what changed.
func (db *DB) UpdatePartner(ctx context.Context, id int64, f PartnerForm) error {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		cur, err := partnerByID(ctx, t, id)
		if err != nil {
			return err
		}
		f.Record.ID = cur.ExternalID
		names, err := f.check(ctx, t)
		if err != nil {
			return err
		}
		r := f.Record
		var changes []string
		for _, c := range []struct{ what, from, to string }{
			{"name", cur.Name, r.Name}, {"country", cur.Country, r.Country}, {"website", cur.Website, r.Website},
			{"CRM link template", cur.CRMLinkTemplate, r.CRMLinkTemplate},
			{"partner manager", staffName(cur.Manager), names[0]}, {"partner consultant", staffName(cur.Consultant), names[1]},
		} {
			if c.from != c.to {
				changes = append(changes, fmt.Sprintf("%s: %s → %s", c.what, orDash(c.from), orDash(c.to)))
			}
		}
		if len(changes) == 0 {
			return nil
		}
		if _, err := t.exec(ctx, `UPDATE partners SET name = ?, country = ?, website = ?, crm_link_template = ?,
				partner_manager_id = ?, partner_consultant_id = ? WHERE id = ?`,
			r.Name, r.Country, r.Website, r.CRMLinkTemplate, nullID(f.ManagerID), nullID(f.ConsultantID), id); err != nil {
			return fmt.Errorf("update partner %d: %w", id, err)
		}
		return audit(ctx, t, id, "update_partner", "partner", cur.ExternalID, strings.Join(changes, "; "))
	})
}

func staffName(s *pd.Staff) string {
	if s == nil {
		return "-"
	}
	return s.Name
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// SetPartnerActive deactivates a partner (active false) or reactivates
// it. A deactivated partner's users cannot sign in and their sessions end
// now, as do its read tokens' answers; its data, credit history and
// refresh figures stay, and vendor staff still open its dashboard.
func (db *DB) SetPartnerActive(ctx context.Context, id int64, active bool) error {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		p, err := partnerByID(ctx, t, id)
		if err != nil {
			return err
		}
		if p.Active() == active {
			if active {
				return pd.Errorf(pd.EConflict, "%s is active already.", p.Name)
			}
			return pd.Errorf(pd.EConflict, "%s is deactivated already.", p.Name)
		}
		if active {
			if _, err := t.exec(ctx, "UPDATE partners SET deactivated_at = NULL WHERE id = ?", id); err != nil {
				return fmt.Errorf("reactivate partner %d: %w", id, err)
			}
			return audit(ctx, t, id, "reactivate_partner", "partner", p.ExternalID, p.Name)
		}
		if _, err := t.exec(ctx, "UPDATE partners SET deactivated_at = ? WHERE id = ?", t.now, id); err != nil {
			return fmt.Errorf("deactivate partner %d: %w", id, err)
		}
		res, err := t.exec(ctx, "DELETE FROM sessions WHERE user_id IN (SELECT u.id FROM users u WHERE u.partner_id = ?)", id)
		if err != nil {
			return fmt.Errorf("end the sessions of partner %d: %w", id, err)
		}
		n, _ := res.RowsAffected()
		return audit(ctx, t, id, "deactivate_partner", "partner", p.ExternalID, fmt.Sprintf("%s; %d sessions ended", p.Name, n))
	})
}

// SetInvited invites a partner to the invitation-only tiers (Elite), or
// withdraws the invitation: without one, it no longer qualifies for them,
// and a review lowers a partner assigned to one as for any other shortfall.
func (db *DB) SetInvited(ctx context.Context, id int64, invited bool) error {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		p, err := partnerByID(ctx, t, id)
		if err != nil {
			return err
		}
		if p.Invited == invited {
			if invited {
				return pd.Errorf(pd.EConflict, "%s is invited already.", p.Name)
			}
			return pd.Errorf(pd.EConflict, "%s has no invitation to withdraw.", p.Name)
		}
		if _, err := t.exec(ctx, "UPDATE partners SET elite_invited = ? WHERE id = ?", invited, id); err != nil {
			return fmt.Errorf("invite partner %d: %w", id, err)
		}
		action := "invite_partner"
		if !invited {
			action = "withdraw_invitation"
		}
		pol, err := tierPolicy(ctx, t)
		if err != nil {
			return err
		}
		var tiers []string
		for _, tr := range pol.Tiers {
			if tr.InvitationOnly {
				tiers = append(tiers, tr.Name)
			}
		}
		return audit(ctx, t, id, action, "partner", p.ExternalID, p.Name+": "+strings.Join(tiers, ", "))
	})
}

// AssignTier sets a partner's assigned tier by hand, with the reason its
// Tier tab shows. The tier holds until a review moves it by the usual
// rule (a promotion at once, a demotion after the grace). An
// invitation-only tier needs the invitation first.
func (db *DB) AssignTier(ctx context.Context, id int64, a pd.TierAssignment) error {
	return db.update(ctx, func(t *tx) error {
		p, before, tier, err := checkAssignment(ctx, t, id, &a)
		if err != nil {
			return err
		}
		userID, _ := actor(ctx)
		if _, err := t.exec(ctx, `INSERT INTO tier_assignments (partner_id, tier_before, tier_code, reason, user_id, assigned_at)
			VALUES (?, ?, ?, ?, ?, ?)`, id, p.Tier, tier.Code, a.Reason, userID, t.now); err != nil {
			return fmt.Errorf("assign tier of partner %d: %w", id, err)
		}
		if _, err := t.exec(ctx, "UPDATE partners SET tier_code = ? WHERE id = ?", tier.Code, id); err != nil {
			return fmt.Errorf("assign tier of partner %d: %w", id, err)
		}
		return audit(ctx, t, id, "assign_tier", "partner", p.ExternalID, fmt.Sprintf("%s → %s: %s", before.Name, tier.Name, a.Reason))
	})
}

// CheckTierAssignment checks what AssignTier would do, changing nothing,
// for its confirmation; it returns the partner's tier and the new one.
func (db *DB) CheckTierAssignment(ctx context.Context, id int64, a pd.TierAssignment) (before, after pd.Tier, err error) {
	err = db.view(ctx, func(t *tx) (err error) {
		_, before, after, err = checkAssignment(ctx, t, id, &a)
		return err
	})
	return before, after, err
}

// checkAssignment checks and tidies a, for partner id: a tier of the
// program other than the partner's, by invitation only if it is invited,
// and a reason.
func checkAssignment(ctx context.Context, t *tx, id int64, a *pd.TierAssignment) (*pd.Partner, pd.Tier, pd.Tier, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return nil, pd.Tier{}, pd.Tier{}, err
	}
	p, err := partnerByID(ctx, t, id)
	if err != nil {
		return nil, pd.Tier{}, pd.Tier{}, err
	}
	pol, err := tierPolicy(ctx, t)
	if err != nil {
		return nil, pd.Tier{}, pd.Tier{}, err
	}
	before := pol.Tier(p.Tier)
	i := slices.IndexFunc(pol.Tiers, func(tr pd.Tier) bool { return tr.Code == a.Tier })
	if i < 0 {
		return nil, before, pd.Tier{}, pd.Errorf(pd.EInvalid, "Choose a tier from the list.")
	}
	tier := pol.Tiers[i]
	switch {
	case tier.Code == p.Tier:
		return nil, before, tier, pd.Errorf(pd.EInvalid, "%s is at %s already.", p.Name, tier.Name)
	case tier.InvitationOnly && !p.Invited:
		return nil, before, tier, pd.Errorf(pd.EInvalid, "%s is by invitation: invite %s first.", tier.Name, p.Name)
	}
	if err := a.CheckReason(); err != nil {
		return nil, before, tier, err
	}
	return p, before, tier, nil
}

// AdminPartner returns a partner for the program admin's page about it,
// with the tier set by hand that it is at, if so.
func (db *DB) AdminPartner(ctx context.Context, id int64) (*pd.Partner, *pd.TierAssignment, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return nil, nil, err
	}
	var p *pd.Partner
	var a *pd.TierAssignment
	err := db.view(ctx, func(t *tx) (err error) {
		if p, err = partnerByID(ctx, t, id); err != nil {
			return err
		}
		a, err = tierAssignment(ctx, t, id, p.Tier)
		return err
	})
	return p, a, err
}

// tierAssignment is the tier set by hand that partner id is at, if it is:
// its latest, when the partner is still at that tier and no review has
// moved it since.
func tierAssignment(ctx context.Context, t *tx, id int64, assigned string) (*pd.TierAssignment, error) {
	var a pd.TierAssignment
	err := t.queryRow(ctx, `SELECT ta.tier_code, ta.tier_before, ta.reason, COALESCE(u.name, ''), ta.assigned_at
		FROM tier_assignments ta LEFT JOIN users u ON u.id = ta.user_id
		WHERE ta.partner_id = ? ORDER BY ta.id DESC LIMIT 1`, id).Scan(&a.Tier, &a.Before, &a.Reason, &a.By, &a.At)
	if err == sql.ErrNoRows || err == nil && a.Tier != assigned {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("load tier assignment: %w", err)
	}
	a.At = a.At.UTC()
	prog, err := program(ctx, t)
	if err != nil {
		return nil, err
	}
	var moved int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM tier_reviews WHERE partner_id = ? AND review_on >= ? AND tier_before <> tier_after`,
		id, pd.DateOf(a.At, prog.Location())).Scan(&moved); err != nil {
		return nil, fmt.Errorf("load tier assignment: %w", err)
	}
	if moved > 0 {
		return nil, nil
	}
	return &a, nil
}
