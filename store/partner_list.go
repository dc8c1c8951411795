package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// The program's partners list: every partner with its tier figures from
// the last daily refresh (tier_snapshots), its certification and renewal
// decisions as they are now, sorted, filtered and paged in one statement.
// Its first part picks the page among all the partners that match,
// joining only what the filter and the sort need; its second joins the
// page's rows (at most 500) to everything the list shows, and counts the
// partners that match.

// currentTiers joins each partner p to its row of the snapshot the pages
// read (none before the first refresh, or for a partner added since).
const currentTiers = ` LEFT JOIN tier_snapshots ts ON ts.snapshot = (SELECT cs.snapshot FROM credit_state cs WHERE cs.id = 1) AND ts.partner_id = p.id`

// certifiedNow is SQL for partner p holding a certification valid on the
// day given twice as arguments (the rule of the daily refresh's).
const certifiedNow = `EXISTS (SELECT 1 FROM certifications ce WHERE ce.partner_id = p.id AND ce.earned_on <= ? AND ce.expires_on > ?)`

// pendingDecisions is SQL for partner p's renewal decisions due, the
// Alerts count: pending renewals from the first to the second argument
// (today and the horizon) whose communication it owns. The Alerts count
// also asks that the partner still serve the client; a partner that stops
// gives back the communication of the client's renewals from that day on
// (releaseComm), so the owner of one from today on always does, and the
// count is a range of the index renewals_owner_pending alone.
const pendingDecisions = `(SELECT COUNT(*) FROM renewals r WHERE r.comm_partner_id = p.id AND r.status = 'pending' AND r.comm_owner = 'partner'
	AND r.renewal_date >= ? AND r.renewal_date <= ?)`

// partnerSorts maps each sort of the list to its key and the joins it
// needs; ties go by name, then id.
var partnerSorts = map[string]struct {
	key   string
	joins string
	args  func(day, horizon pd.Date) []any // the key's arguments, if any
}{
	"name":    {key: "lower(p.name)"},
	"country": {key: "p.country"},
	// The team by its manager, then its consultant: a program often has a
	// few managers, each with many partners.
	"team": {key: "lower(COALESCE(sm.name, '') || ' ' || COALESCE(sc.name, ''))",
		joins: " LEFT JOIN staff sm ON sm.id = p.partner_manager_id LEFT JOIN staff sc ON sc.id = p.partner_consultant_id"},
	"assigned":    {key: "COALESCE(ta.rank, 0)", joins: " LEFT JOIN tiers ta ON ta.code = p.tier_code"},
	"performance": {key: "COALESCE(tp.rank, 0)", joins: currentTiers + " LEFT JOIN tiers tp ON tp.code = ts.performance_tier"},
	"sold":        {key: "COALESCE(ts.sold_credit, 0)", joins: currentTiers},
	"managed":     {key: "COALESCE(ts.managed_mrr, 0)", joins: currentTiers},
	"usage":       {key: "COALESCE(ts.usage_x2, 0)", joins: currentTiers},
	"certified": {key: "CASE WHEN " + certifiedNow + " THEN 1 ELSE 0 END",
		args: func(day, _ pd.Date) []any { return []any{day, day} }},
	"pending": {key: pendingDecisions, args: func(day, horizon pd.Date) []any { return []any{day, horizon} }},
}

// ListPartners returns a page of the partners vendor staff may open (all
// of them for program admins, their own for the others: staffPartners)
// with the list's figures, and the count of all that match.
func (db *DB) ListPartners(ctx context.Context, f pd.PartnerFilter) (*pd.PartnerPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	p, err := requireRole(ctx, pd.RoleProgramAdmin, pd.RolePartnerManager, pd.RolePartnerConsultant, pd.RoleRenewalManager)
	if err != nil {
		return nil, err
	}
	page := &pd.PartnerPage{}
	err = db.view(ctx, func(t *tx) error {
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		day := today(t, prog)
		horizon := day.AddDays(prog.RenewalHorizonDays)
		sort := partnerSorts[f.Sort]
		joins, filterJoins := sort.joins, ""
		var keyArgs []any
		if sort.args != nil {
			keyArgs = sort.args(day, horizon)
		}
		where, args := []string{"1 = 1"}, []any{}
		add := func(c string, a ...any) {
			where = append(where, c)
			args = append(args, a...)
		}
		if p.Role != pd.RoleProgramAdmin {
			cond, a := staffPartners(p)
			add(cond, a...)
		}
		if f.Query != "" {
			add(`(lower(p.name) LIKE ? ESCAPE '\' OR lower(p.external_id) LIKE ? ESCAPE '\')`, likePattern(f.Query), likePattern(f.Query))
		}
		if f.Assigned != "" {
			add("p.tier_code = ?", f.Assigned)
		}
		if f.Performance != "" {
			filterJoins = currentTiers
			if !strings.Contains(joins, currentTiers) {
				joins += currentTiers
			}
			add("COALESCE(ts.performance_tier, (SELECT et.code FROM tiers et WHERE et.rank = 0)) = ?", f.Performance)
		}
		switch f.Certified {
		case "yes":
			add(certifiedNow, day, day)
		case "no":
			add("NOT "+certifiedNow, day, day)
		}
		if f.Country != "" {
			add("p.country = ?", f.Country)
		}
		if f.Team != "" {
			member := `(SELECT tm.id FROM staff tm WHERE lower(tm.name) LIKE ? ESCAPE '\' OR lower(tm.email) LIKE ? ESCAPE '\')`
			q := likePattern(f.Team)
			add("(p.partner_manager_id IN "+member+" OR p.partner_consultant_id IN "+member+")", q, q, q, q)
		}
		switch f.Status {
		case "active":
			add("p.deactivated_at IS NULL")
		case "deactivated":
			add("p.deactivated_at IS NOT NULL")
		}
		dir := "ASC"
		if f.Desc {
			dir = "DESC"
		}
		// Another order sorts every partner that matches, and counts them
		// on the way; the name order walks the index on lower(name) and
		// stops at the page, and the count is a subquery of its own.
		cond := strings.Join(where, " AND ")
		count := `SELECT COUNT(*) FROM partners p` + filterJoins + ` WHERE ` + cond
		order, outer := "k "+dir+", k2, p.id", "pg.k "+dir+", pg.k2, pg.id"
		pickTotal, pageTotal, countArgs := ", COUNT(*) OVER () AS total", "pg.total", []any{}
		if f.Sort == "name" {
			order, outer = "k "+dir+", p.id "+dir, "pg.k "+dir+", pg.id "+dir
			pickTotal, pageTotal, countArgs = "", "("+count+")", args
		}
		pick := `SELECT p.id, ` + sort.key + ` AS k, lower(p.name) AS k2` + pickTotal + ` FROM partners p` + joins +
			` WHERE ` + cond + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
		q := `WITH pg AS (` + pick + `)
			SELECT ` + partnerCols + `, sm.id, sm.name, sm.email, sm.role, sm.description, sm.photo_url,
				sc.id, sc.name, sc.email, sc.role, sc.description, sc.photo_url,
				COALESCE(ts.performance_tier, ''), COALESCE(ts.sold_credit, 0), COALESCE(ts.managed_mrr, 0), COALESCE(ts.usage_x2, 0),
				` + certifiedNow + `, ` + pendingDecisions + `, ` + pageTotal + `, cst.as_of, cst.taken_at
			FROM pg JOIN partners p ON p.id = pg.id
			LEFT JOIN staff sm ON sm.id = p.partner_manager_id LEFT JOIN staff sc ON sc.id = p.partner_consultant_id` + currentTiers + `
			LEFT JOIN credit_state cst ON cst.id = 1
			ORDER BY ` + outer
		all := append(append(append(keyArgs, args...), f.Limit, f.Offset), day, day, day, horizon)
		all = append(all, countArgs...)
		rows, err := t.query(ctx, q, all...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l pd.PartnerLine
			var m, c staffCols
			var off, taken sql.NullTime
			if err := rows.Scan(&l.ID, &l.ExternalID, &l.Name, &l.Country, &l.Website, &l.Tier, &l.CRMLinkTemplate, &l.Invited, &off,
				&m.id, &m.name, &m.email, &m.role, &m.desc, &m.photo, &c.id, &c.name, &c.email, &c.role, &c.desc, &c.photo,
				&l.Performance, &l.SoldCredit, &l.ManagedMRR, &l.UsageX2, &l.Certified, &l.Pending, &page.Total,
				&page.AsOf, &taken); err != nil {
				return err
			}
			l.Manager, l.Consultant, l.DeactivatedAt = m.staff(), c.staff(), nullTime(off)
			if taken.Valid {
				page.TakenAt = taken.Time.UTC()
			}
			page.Lines = append(page.Lines, l)
		}
		if err := rows.Err(); err != nil || len(page.Lines) > 0 || f.Offset == 0 {
			return err
		}
		// A page past the end: the count alone.
		return t.queryRow(ctx, count, args...).Scan(&page.Total)
	})
	if err != nil {
		return nil, fmt.Errorf("list partners: %w", err)
	}
	return page, nil
}

// TeamStaff lists the partner managers and consultants by name, for the
// list's team filter and the partner form. Program admins only.
func (db *DB) TeamStaff(ctx context.Context) ([]pd.Staff, error) {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return nil, err
	}
	var ss []pd.Staff
	err := db.view(ctx, func(t *tx) error {
		rows, err := t.query(ctx, staffSelect+" WHERE role IN ('partner_manager', 'partner_consultant') ORDER BY lower(name), id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			s, err := scanStaff(rows)
			if err != nil {
				return err
			}
			ss = append(ss, s)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list team staff: %w", err)
	}
	return ss, nil
}
