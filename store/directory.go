package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// The public directory reads the published rows of directory_profiles
// alone (migration 0022), joined to the partner's name and tier: nothing
// else of a partner is ever selected for it. A partner admin's edit is
// published at once, or waits as the pending row for a vendor staff
// member's approval when the program asks for it.

// DirectorySettings returns whether publishing waits for approval, and the
// services profiles may list.
func (db *DB) DirectorySettings(ctx context.Context) (pd.DirectorySettings, error) {
	var s pd.DirectorySettings
	err := db.view(ctx, func(t *tx) (err error) {
		s, err = directorySettings(ctx, t)
		return err
	})
	return s, err
}

func directorySettings(ctx context.Context, t *tx) (pd.DirectorySettings, error) {
	var s pd.DirectorySettings
	var services string
	err := t.queryRow(ctx, "SELECT directory_approval, directory_services FROM program WHERE id = 1").Scan(&s.Approval, &services)
	if err != nil && err != sql.ErrNoRows {
		return s, fmt.Errorf("load directory settings: %w", err)
	}
	s.Services = splitLines(services)
	return s, nil
}

func splitLines(v string) []string {
	var out []string
	for _, l := range strings.Split(v, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// UpdateDirectorySettings is a program admin's change of the directory's
// settings. It is audited.
func (db *DB) UpdateDirectorySettings(ctx context.Context, s pd.DirectorySettings) error {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return err
	}
	if err := pd.CheckDirectorySettings(&s); err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		cur, err := directorySettings(ctx, t)
		if err != nil {
			return err
		}
		var changes []string
		if cur.Approval != s.Approval {
			changes = append(changes, fmt.Sprintf("profiles published after approval %v → %v", cur.Approval, s.Approval))
		}
		if !slices.Equal(cur.Services, s.Services) {
			changes = append(changes, fmt.Sprintf("directory services %q → %q", strings.Join(cur.Services, ", "), strings.Join(s.Services, ", ")))
		}
		if len(changes) == 0 {
			return nil
		}
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		if err := writeProgram(ctx, t, prog); err != nil {
			return err
		}
		if _, err := t.exec(ctx, "UPDATE program SET directory_approval = ?, directory_services = ? WHERE id = 1",
			s.Approval, strings.Join(s.Services, "\n")); err != nil {
			return fmt.Errorf("save directory settings: %w", err)
		}
		return audit(ctx, t, 0, "directory_settings", "program", "1", strings.Join(changes, "; "))
	})
}

// profileCols are the columns of a profile row, in scan order.
const profileCols = `d.partner_id, d.state, d.slug, d.description, d.services, d.industries, d.countries, d.languages,
	d.website, d.logo_url, d.lead_email, d.updated_at, p.name, p.tier_code, tr.name`

func scanProfile(sc interface{ Scan(...any) error }, extra ...any) (pd.Profile, error) {
	var p pd.Profile
	var services, industries, countries, languages string
	err := sc.Scan(append([]any{&p.PartnerID, &p.State, &p.Slug, &p.Description, &services, &industries, &countries, &languages,
		&p.Website, &p.LogoURL, &p.LeadEmail, &p.UpdatedAt, &p.Name, &p.Tier, &p.TierName}, extra...)...)
	p.Services, p.Industries, p.Countries, p.Languages = splitList(services), splitList(industries), splitList(countries), splitList(languages)
	return p, err
}

func joinList(l []string) string { return "|" + strings.Join(l, "|") + "|" }

func splitList(v string) []string {
	v = strings.Trim(v, "|")
	if v == "" {
		return nil
	}
	return strings.Split(v, "|")
}

// OwnProfile returns the scoped partner's profile as its admins edit it:
// the pending one if an edit waits for approval, else the published one,
// else an empty one named after the partner. published says whether a
// published profile exists.
func (db *DB) OwnProfile(ctx context.Context) (prof pd.Profile, published bool, err error) {
	err = db.view(ctx, func(t *tx) error {
		id, err := partnerScope(ctx, t, false)
		if err != nil {
			return err
		}
		rows, err := t.query(ctx, `SELECT `+profileCols+` FROM directory_profiles d
			JOIN partners p ON p.id = d.partner_id JOIN tiers tr ON tr.code = p.tier_code
			WHERE d.partner_id = ? ORDER BY d.state`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		found := false
		for rows.Next() {
			p, err := scanProfile(rows)
			if err != nil {
				return err
			}
			published = published || p.State == pd.ProfilePublished
			if !found || p.State == pd.ProfilePending {
				prof, found = p, true
			}
		}
		if err := rows.Err(); err != nil || found {
			return err
		}
		pt, err := partnerByID(ctx, t, id)
		if err != nil {
			return err
		}
		prof = pd.Profile{PartnerID: id, Name: pt.Name, Website: pt.Website, Slug: pd.Slug(pt.Name)}
		return nil
	})
	if err != nil {
		return prof, false, fmt.Errorf("load profile: %w", err)
	}
	return prof, published, nil
}

// SaveProfile is a partner admin's edit of its profile: published at
// once, or kept pending for approval when the program asks for it (the
// published profile, if any, stays as it was meanwhile). It returns the
// state the edit is in, and is audited.
func (db *DB) SaveProfile(ctx context.Context, prof pd.Profile) (string, error) {
	p := pd.PrincipalFrom(ctx)
	if p == nil || p.Role != pd.RolePartnerAdmin {
		return "", pd.Errorf(pd.EForbidden, "Only the partner's admins edit its profile.")
	}
	state := ""
	err := db.update(ctx, func(t *tx) error {
		id, err := partnerScope(ctx, t, true)
		if err != nil {
			return err
		}
		set, err := directorySettings(ctx, t)
		if err != nil {
			return err
		}
		if err := pd.CheckProfile(&prof, set.Services); err != nil {
			return err
		}
		pt, err := partnerByID(ctx, t, id)
		if err != nil {
			return err
		}
		// A slug, once given, stays, so that links to the profile hold;
		// a new one takes the partner's id when the name's is taken.
		var slug string
		err = t.queryRow(ctx, "SELECT slug FROM directory_profiles WHERE partner_id = ? ORDER BY state DESC", id).Scan(&slug)
		if err == sql.ErrNoRows {
			slug = pd.Slug(pt.Name)
			var n int
			if err := t.queryRow(ctx, "SELECT COUNT(*) FROM directory_profiles WHERE slug = ?", slug).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				slug = fmt.Sprintf("%s-%d", slug, id)
			}
		} else if err != nil {
			return err
		}
		state = pd.ProfilePublished
		if set.Approval {
			state = pd.ProfilePending
		}
		if err := writeProfile(ctx, t, id, state, slug, pt.Name, prof); err != nil {
			return err
		}
		return audit(ctx, t, id, "profile_"+state, "partner", fmt.Sprint(id), "directory profile "+state)
	})
	if err != nil {
		return "", fmt.Errorf("save profile: %w", err)
	}
	return state, nil
}

func writeProfile(ctx context.Context, t *tx, partnerID int64, state, slug, name string, p pd.Profile) error {
	_, err := t.exec(ctx, `INSERT INTO directory_profiles (partner_id, state, slug, description, services, industries,
			countries, languages, website, logo_url, lead_email, search, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (partner_id, state) DO UPDATE SET description = excluded.description, services = excluded.services,
			industries = excluded.industries, countries = excluded.countries, languages = excluded.languages,
			website = excluded.website, logo_url = excluded.logo_url, lead_email = excluded.lead_email,
			search = excluded.search, updated_at = excluded.updated_at`,
		partnerID, state, slug, p.Description, joinList(p.Services), joinList(p.Industries), joinList(p.Countries),
		joinList(p.Languages), p.Website, p.LogoURL, p.LeadEmail, strings.ToLower(name+"\n"+p.Description), t.now)
	return err
}

// PendingProfiles lists the profiles waiting for approval, oldest first,
// for vendor staff (program admins all, partner managers and consultants
// their partners').
func (db *DB) PendingProfiles(ctx context.Context) ([]pd.Profile, error) {
	pr, err := requireRole(ctx, pd.RoleProgramAdmin, pd.RolePartnerManager, pd.RolePartnerConsultant)
	if err != nil {
		return nil, err
	}
	var out []pd.Profile
	err = db.view(ctx, func(t *tx) error {
		q, args := `SELECT `+profileCols+` FROM directory_profiles d
			JOIN partners p ON p.id = d.partner_id JOIN tiers tr ON tr.code = p.tier_code
			WHERE d.state = 'pending'`, []any{}
		if pr.Role != pd.RoleProgramAdmin {
			q += " AND (p.partner_manager_id = ? OR p.partner_consultant_id = ?)"
			args = append(args, pr.StaffID, pr.StaffID)
		}
		rows, err := t.query(ctx, q+" ORDER BY d.updated_at, d.partner_id LIMIT 500", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanProfile(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list pending profiles: %w", err)
	}
	return out, nil
}

// ReviewProfile is a vendor staff member's decision on a pending profile:
// approved, it replaces the published one; rejected, it is deleted and the
// published one (if any) stays. Audited in the partner's log.
func (db *DB) ReviewProfile(ctx context.Context, partnerID int64, approve bool) error {
	pr, err := requireRole(ctx, pd.RoleProgramAdmin, pd.RolePartnerManager, pd.RolePartnerConsultant)
	if err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		if err := canViewPartner(ctx, t, pr, partnerID); err != nil {
			return err
		}
		var n int
		if err := t.queryRow(ctx, "SELECT COUNT(*) FROM directory_profiles WHERE partner_id = ? AND state = 'pending'", partnerID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return pd.Errorf(pd.ENotFound, "No profile of this partner waits for approval.")
		}
		action := "profile_rejected"
		if approve {
			action = "profile_approved"
			if _, err := t.exec(ctx, "DELETE FROM directory_profiles WHERE partner_id = ? AND state = 'published'", partnerID); err != nil {
				return err
			}
			if _, err := t.exec(ctx, "UPDATE directory_profiles SET state = 'published' WHERE partner_id = ? AND state = 'pending'", partnerID); err != nil {
				return err
			}
		} else if _, err := t.exec(ctx, "DELETE FROM directory_profiles WHERE partner_id = ? AND state = 'pending'", partnerID); err != nil {
			return err
		}
		return audit(ctx, t, partnerID, action, "partner", fmt.Sprint(partnerID), "directory profile "+strings.TrimPrefix(action, "profile_"))
	})
}

// WithdrawProfile takes a partner out of the directory at once: a
// partner admin's own choice, or a vendor staff member's (a partner that
// leaves the program). Its published and pending rows are deleted.
// Audited.
func (db *DB) WithdrawProfile(ctx context.Context, partnerID int64) error {
	pr := pd.PrincipalFrom(ctx)
	if pr == nil {
		return pd.Errorf(pd.EUnauthorized, "Please sign in.")
	}
	return db.update(ctx, func(t *tx) error {
		switch {
		case pr.Role == pd.RolePartnerAdmin && pr.PartnerID == partnerID:
		case !pr.PartnerBound() && pr.TokenID == 0 && pr.Role != pd.RoleRenewalManager:
			if err := canViewPartner(ctx, t, pr, partnerID); err != nil {
				return err
			}
		default:
			return pd.Errorf(pd.ENotFound, "Partner not found.")
		}
		res, err := t.exec(ctx, "DELETE FROM directory_profiles WHERE partner_id = ?", partnerID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return audit(ctx, t, partnerID, "profile_withdrawn", "partner", fmt.Sprint(partnerID), "directory profile withdrawn")
	})
}

// PublishedProfile returns the published profile at slug, for anyone; an
// unknown slug and one not published are the same not-found.
func (db *DB) PublishedProfile(ctx context.Context, slug string) (*pd.Profile, error) {
	var p pd.Profile
	err := db.view(ctx, func(t *tx) error {
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		var certified bool
		p, err = scanProfile(t.queryRow(ctx, `SELECT `+profileCols+`, `+certifiedExpr+` FROM directory_profiles d
			JOIN partners p ON p.id = d.partner_id JOIN tiers tr ON tr.code = p.tier_code
			WHERE d.slug = ? AND d.state = 'published' AND `+listed, today(t, prog), slug), &certified)
		p.Certified = certified
		return err
	})
	if err == sql.ErrNoRows {
		return nil, pd.Errorf(pd.ENotFound, "There is no page at this address.")
	} else if err != nil {
		return nil, fmt.Errorf("load published profile: %w", err)
	}
	return &p, nil
}

// listed is the condition on the partner p of a published profile for it
// to be shown: a deactivated partner disappears with its next request.
const listed = "p.deactivated_at IS NULL"

// certifiedExpr says whether the partner holds a certification that has
// not expired by the day given as its one argument.
const certifiedExpr = `EXISTS (SELECT 1 FROM certifications c WHERE c.partner_id = d.partner_id AND c.expires_on >= ?)`

// Directory returns a page of published profiles matching f, highest tier
// first then by name, and the count of all that match, in one query.
func (db *DB) Directory(ctx context.Context, f pd.DirectoryFilter) ([]pd.Profile, int, error) {
	if err := pd.CheckDirectoryFilter(&f); err != nil {
		return nil, 0, err
	}
	var out []pd.Profile
	total := 0
	err := db.view(ctx, func(t *tx) error {
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		where, args := []string{"d.state = 'published'", listed}, []any{today(t, prog)}
		if f.Query != "" {
			where = append(where, `d.search LIKE ? ESCAPE '\'`)
			args = append(args, likePattern(f.Query))
		}
		for _, l := range []struct{ col, v string }{{"services", f.Service}, {"industries", f.Industry},
			{"countries", f.Country}, {"languages", f.Language}} {
			if l.v != "" {
				where = append(where, "d."+l.col+` LIKE ? ESCAPE '\'`)
				args = append(args, "%|"+escapeLike(l.v)+"|%")
			}
		}
		if f.Tier != "" {
			where = append(where, "p.tier_code = ?")
			args = append(args, f.Tier)
		}
		// The page is chosen on the sort keys alone, then its rows are
		// read whole: sorting narrow rows keeps 10,000 profiles fast.
		rows, err := t.query(ctx, `SELECT `+profileCols+`, `+certifiedExpr+`, x.total FROM (
				SELECT d.partner_id, tr.rank, lower(p.name) AS name_key, COUNT(*) OVER () AS total
				FROM directory_profiles d JOIN partners p ON p.id = d.partner_id JOIN tiers tr ON tr.code = p.tier_code
				WHERE `+strings.Join(where, " AND ")+` ORDER BY tr.rank DESC, name_key, d.partner_id LIMIT ? OFFSET ?) x
			JOIN directory_profiles d ON d.partner_id = x.partner_id AND d.state = 'published'
			JOIN partners p ON p.id = d.partner_id JOIN tiers tr ON tr.code = p.tier_code
			ORDER BY x.rank DESC, x.name_key, x.partner_id`,
			append(args, f.Limit, f.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var certified bool
			p, err := scanProfile(rows, &certified, &total)
			if err != nil {
				return err
			}
			p.Certified = certified
			// The lead address is the partner's, never the directory's.
			p.LeadEmail = ""
			out = append(out, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("search the directory: %w", err)
	}
	return out, total, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// DirectoryFacets are the values the directory's filters offer: those the
// published profiles list.
func (db *DB) DirectoryFacets(ctx context.Context) (pd.DirectoryFacets, error) {
	var f pd.DirectoryFacets
	err := db.view(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT d.industries, d.countries, d.languages FROM directory_profiles d
			JOIN partners p ON p.id = d.partner_id WHERE d.state = 'published' AND `+listed)
		if err != nil {
			return err
		}
		defer rows.Close()
		seen := [3]map[string]bool{{}, {}, {}}
		for rows.Next() {
			var l [3]string
			if err := rows.Scan(&l[0], &l[1], &l[2]); err != nil {
				return err
			}
			for i, v := range l {
				for _, x := range splitList(v) {
					seen[i][x] = true
				}
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for i, dst := range []*[]string{&f.Industries, &f.Countries, &f.Languages} {
			for x := range seen[i] {
				*dst = append(*dst, x)
			}
			slices.Sort(*dst)
		}
		set, err := directorySettings(ctx, t)
		f.Services = set.Services
		if err != nil {
			return err
		}
		tiers, err := tierPolicy(ctx, t)
		f.Tiers = tiers.Tiers
		return err
	})
	if err != nil {
		return f, fmt.Errorf("load directory filters: %w", err)
	}
	return f, nil
}

// SitemapEntry is one published profile's address and last change.
type SitemapEntry struct {
	Slug      string
	UpdatedAt time.Time
}

// Sitemap lists the published profiles (at most 50,000, the sitemap
// protocol's limit for one file).
func (db *DB) Sitemap(ctx context.Context) ([]SitemapEntry, error) {
	var out []SitemapEntry
	err := db.view(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT d.slug, d.updated_at FROM directory_profiles d JOIN partners p ON p.id = d.partner_id
			WHERE d.state = 'published' AND `+listed+` ORDER BY d.slug LIMIT 50000`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e SitemapEntry
			if err := rows.Scan(&e.Slug, &e.UpdatedAt); err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list the sitemap: %w", err)
	}
	return out, nil
}
