package store

import (
	"context"

	pd "github.com/partnerdesk/partnerdesk"
)

// scopedDay is partnerScope, the program and the program's today: what the
// renewal and engagement pages and actions start from.
func scopedDay(ctx context.Context, t *tx, write bool) (int64, pd.Program, pd.Date, error) {
	partnerID, err := partnerScope(ctx, t, write)
	if err != nil {
		return 0, pd.Program{}, pd.Date{}, err
	}
	prog, err := program(ctx, t)
	if err != nil {
		return 0, prog, pd.Date{}, err
	}
	return partnerID, prog, today(t, prog), nil
}

// partnerScope is the partner whose data a partner-scoped query may touch.
// Partner users are always confined to their own partner, whatever else the
// context says. Vendor staff may read the partner they view (program admins
// any partner, partner managers and consultants the partners they are
// assigned to), but never write through a partner's dashboard.
func partnerScope(ctx context.Context, t *tx, write bool) (int64, error) {
	p := pd.PrincipalFrom(ctx)
	if p == nil {
		return 0, pd.Errorf(pd.EUnauthorized, "Please sign in.")
	}
	if p.TokenID != 0 && (write || !p.Scope.Reads()) {
		return 0, pd.Errorf(pd.EForbidden, "This API token may not do this: a read token reads one partner's data, an ingest token only writes.")
	}
	if p.PartnerBound() {
		if p.PartnerID == 0 {
			return 0, pd.Errorf(pd.EForbidden, "Your account is not linked to a partner.")
		}
		return p.PartnerID, nil
	}
	id := pd.ViewedPartnerFrom(ctx)
	if id == 0 {
		return 0, pd.Errorf(pd.ENotFound, "Partner not found.")
	}
	if write {
		return 0, pd.Errorf(pd.EForbidden, "Vendor staff view a partner's dashboard read-only.")
	}
	if err := canViewPartner(ctx, t, p, id); err != nil {
		return 0, err
	}
	return id, nil
}

// canViewPartner checks that staff principal p may see partner id.
func canViewPartner(ctx context.Context, t *tx, p *pd.Principal, id int64) error {
	var n int
	var err error
	switch {
	case p.TokenID != 0 && p.Scope == pd.ScopeIngest:
		// An ingest token writes program-wide; the store decides which of
		// its writes a partner's path may take (linkPartner).
		err = t.queryRow(ctx, "SELECT COUNT(*) FROM partners WHERE id = ?", id).Scan(&n)
	case p.Role == pd.RoleProgramAdmin:
		err = t.queryRow(ctx, "SELECT COUNT(*) FROM partners WHERE id = ?", id).Scan(&n)
	case p.Role == pd.RolePartnerManager || p.Role == pd.RolePartnerConsultant:
		err = t.queryRow(ctx, `SELECT COUNT(*) FROM partners WHERE id = ?
			AND (partner_manager_id = ? OR partner_consultant_id = ?)`, id, p.StaffID, p.StaffID).Scan(&n)
	}
	if err != nil {
		return err
	}
	if n == 0 {
		return pd.Errorf(pd.ENotFound, "Partner not found.")
	}
	return nil
}

// requireIngest fails unless the principal may write program-wide data:
// an ingest token, a signed webhook, or a program admin (the CSV upload
// page, the CLI).
func requireIngest(ctx context.Context) (*pd.Principal, error) {
	p := pd.PrincipalFrom(ctx)
	switch {
	case p == nil:
		return nil, pd.Errorf(pd.EUnauthorized, "Please sign in.")
	case p.TokenID != 0 && p.Scope == pd.ScopeIngest, p.Integration != "",
		p.TokenID == 0 && p.Role == pd.RoleProgramAdmin:
		return p, nil
	}
	return nil, pd.Errorf(pd.EForbidden, "Only an ingest token or a program admin may write program data.")
}

// requireRole fails unless the principal has one of roles.
func requireRole(ctx context.Context, roles ...pd.Role) (*pd.Principal, error) {
	p := pd.PrincipalFrom(ctx)
	if p == nil {
		return nil, pd.Errorf(pd.EUnauthorized, "Please sign in.")
	}
	for _, r := range roles {
		if p.Role == r {
			return p, nil
		}
	}
	return nil, pd.Errorf(pd.EForbidden, "You are not allowed to do this.")
}
