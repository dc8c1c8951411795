package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// The renewals of a partner's active clients inside the program's horizon:
// the Renewals page, the Alerts count (the same query with the pending,
// partner-owned filter), the client panel's Renewals tab, and the renewal
// page. The partner's actions on them are in renewal_action.go, the daily
// refresh's rules in renewal_refresh.go.

// renewalSortSQL maps the accepted sort columns to SQL; anything else was
// rejected by RenewalFilter.Validate.
var renewalSortSQL = map[string]string{
	"client":   "lower(cp.name)",
	"type":     "r.contract_type",
	"date":     "r.renewal_date",
	"owner":    "r.comm_owner",
	"status":   "r.status",
	"current":  "r.current_mrr",
	"proposed": "r.proposed_mrr",
}

// renewalCols are scanned by scanRenewal; the query joins clients c,
// renewals r, client_contacts cc, staff s and the owning partner op.
const renewalCols = `r.id, c.id, c.name, c.domain, c.product_mask, c.engagement, r.renewal_date,
	r.contract_type, r.comm_owner, r.comm_partner_id, op.name, r.status, r.current_mrr, r.proposed_mrr,
	r.proposed_contacts, r.auto_renew, r.primary_contact_id, cc.name, s.id, s.name, s.email, s.role, s.description, s.photo_url,
	(SELECT COALESCE(MAX(l.contacts), 0) FROM subscription_lines l WHERE l.client_id = c.id AND l.status = 'active')`

const renewalJoins = ` LEFT JOIN client_contacts cc ON cc.id = r.primary_contact_id
	LEFT JOIN staff s ON s.id = r.renewal_manager_id
	LEFT JOIN partners op ON op.id = r.comm_partner_id`

type scanner interface{ Scan(dest ...any) error }

// scanRenewal reads renewalCols and then extra.
func scanRenewal(row scanner, deadlineDays int, extra ...any) (pd.Renewal, error) {
	var r pd.Renewal
	var contactID, ownerID sql.NullInt64
	var contact, owner sql.NullString
	var m staffCols
	dest := append([]any{&r.ID, &r.ClientID, &r.ClientName, &r.ClientDomain, &r.ProductMask, &r.Engagement,
		&r.RenewalDate, &r.ContractType, &r.Owner, &ownerID, &owner, &r.Status, &r.CurrentMRR, &r.ProposedMRR,
		&r.ProposedContacts, &r.AutoRenew, &contactID, &contact, &m.id, &m.name, &m.email, &m.role, &m.desc, &m.photo,
		&r.CurrentContacts}, extra...)
	if err := row.Scan(dest...); err != nil {
		return r, err
	}
	r.PrimaryContactID, r.PrimaryContact = contactID.Int64, contact.String
	r.OwnerPartnerID, r.OwnerPartner = ownerID.Int64, owner.String
	r.Manager = m.staff()
	r.Deadline = pd.DecisionDeadline(r.RenewalDate, deadlineDays)
	return r, nil
}

// renewalSet is the one set the Renewals page and the Alerts count: the
// renewals of a partner's active clients from today to the end of the
// horizon (from, args), and a filter's predicate on it (cond, condArgs).
// The client's name, domain and engagement are read from the relationship's
// copy of them (client_partners, migration 0005) and the signed-in
// employee's assignments (ca) are joined only when the filter needs them,
// so that every query runs on covering indexes (client_partners_list or
// _partner, renewals_client_date) without reading a client row. CROSS
// JOIN keeps SQLite from starting with a program-wide index on renewals
// (say, every pending renewal of a million clients); PostgreSQL plans it
// like any join.
type renewalSet struct {
	from     string
	args     []any
	cond     string
	condArgs []any
}

func newRenewalSet(partnerID, userID int64, day pd.Date, prog pd.Program, f pd.RenewalFilter) renewalSet {
	var s renewalSet
	s.from = " FROM client_partners cp CROSS JOIN renewals r"
	where := []string{"cp.partner_id = ?", "cp.ended_on IS NULL", "r.client_id = cp.client_id", "r.renewal_date >= ?", "r.renewal_date <= ?"}
	if f.AssignedToMe {
		s.from += " LEFT JOIN client_assignments ca ON ca.client_id = cp.client_id AND ca.user_id = ?"
		s.args = append(s.args, userID)
	}
	s.from += " WHERE " + strings.Join(where, " AND ")
	s.args = append(s.args, partnerID, day, day.AddDays(prog.RenewalHorizonDays))

	conds := []string{"1 = 1"}
	add := func(c string, args ...any) {
		conds = append(conds, c)
		s.condArgs = append(s.condArgs, args...)
	}
	if f.Query != "" {
		add(`(lower(cp.name) LIKE ? ESCAPE '\' OR lower(cp.domain) LIKE ? ESCAPE '\')`, likePattern(f.Query), likePattern(f.Query))
	}
	// Status and owner are spelt as literals (validated enum values) so
	// that the planners can use the partial index renewals_alerts
	// (migrations 0007, 0011) for the Alerts' set: pending, owned by the
	// partner. A renewal another partner of the client owns is neither
	// the partner's nor the vendor's.
	if f.Status != "" {
		add("r.status = " + enumLiteral(f.Status))
	}
	switch f.Owner {
	case pd.OwnerPartner:
		add("r.comm_owner = "+enumLiteral(f.Owner)+" AND r.comm_partner_id = ?", partnerID)
	case pd.OwnerVendor:
		add("r.comm_owner = " + enumLiteral(f.Owner))
	}
	if f.Type != "" {
		add("r.contract_type = ?", f.Type)
	}
	if f.HasDeadline {
		add("r.renewal_date <= ?", day.AddDays(f.DeadlineWithin+prog.DecisionDeadlineDays)) // deadline = date − D ≤ today + N
	}
	if f.Bucket != "" {
		lo, hi := bucketRange(f.Bucket)
		add("cp.engagement BETWEEN ? AND ?", lo, hi)
	}
	if f.AssignedToMe {
		add("ca.user_id IS NOT NULL")
	}
	s.cond = strings.Join(conds, " AND ")
	return s
}

// actable narrows the set's predicate to the renewals the signed-in user
// may act on: for an employee, those of the clients assigned to it (an
// EXISTS, so that it needs no join of the set's own); for anyone else the
// predicate itself.
func (s renewalSet) actable(ctx context.Context) (string, []any) {
	if p := pd.PrincipalFrom(ctx); p != nil && p.Role == pd.RolePartnerEmployee {
		return s.cond + " AND EXISTS (SELECT 1 FROM client_assignments ya WHERE ya.client_id = cp.client_id AND ya.user_id = ?)",
			append(append([]any{}, s.condArgs...), p.UserID)
	}
	return s.cond, s.condArgs
}

// actingUser is the signed-in partner user, whose assignments mark "mine";
// 0 for vendor staff.
func actingUser(ctx context.Context) int64 {
	if p := pd.PrincipalFrom(ctx); p != nil && p.Role.IsPartner() {
		return p.UserID
	}
	return 0
}

// today is the program's date at the transaction's time.
func today(t *tx, prog pd.Program) pd.Date { return pd.DateOf(t.now, prog.Location()) }

// ListRenewals returns a page of the scoped partner's renewals inside the
// horizon, the count of all that match and the Alerts count, in one pass
// over the partner's renewals (two when no row comes back).
func (db *DB) ListRenewals(ctx context.Context, f pd.RenewalFilter) (*pd.RenewalPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var page pd.RenewalPage
	err := db.view(ctx, func(t *tx) error {
		partnerID, prog, day, err := scopedDay(ctx, t, false)
		if err != nil {
			return err
		}
		page.Today = day
		user := actingUser(ctx)
		set := newRenewalSet(partnerID, user, page.Today, prog, f)
		alerts := newRenewalSet(partnerID, user, page.Today, prog, AlertFilter())
		dir := "ASC"
		if f.Desc {
			dir = "DESC"
		}
		key := renewalSortSQL[f.Sort]
		// Innermost, every renewal of the set with whether it matches and
		// the two counts; then the page's ids; then the page's details.
		yours, yoursArgs := alerts.actable(ctx)
		q := "SELECT " + renewalCols + `, EXISTS (SELECT 1 FROM client_assignments ca WHERE ca.client_id = c.id AND ca.user_id = ?), p.total, p.alerts, p.yours
			FROM (SELECT id, k, total, alerts, yours FROM (
				SELECT r.id, ` + key + ` AS k, r.renewal_date AS d, CASE WHEN ` + set.cond + ` THEN 1 ELSE 0 END AS hit,
					SUM(CASE WHEN ` + set.cond + ` THEN 1 ELSE 0 END) OVER () AS total,
					SUM(CASE WHEN ` + alerts.cond + ` THEN 1 ELSE 0 END) OVER () AS alerts,
					SUM(CASE WHEN ` + yours + ` THEN 1 ELSE 0 END) OVER () AS yours` + set.from + `) x
				WHERE hit = 1 ORDER BY k ` + dir + `, d ` + dir + `, id ` + dir + ` LIMIT ? OFFSET ?) p
			JOIN renewals r ON r.id = p.id JOIN clients c ON c.id = r.client_id` + renewalJoins +
			fmt.Sprintf(" ORDER BY p.k %s, r.renewal_date %s, r.id %s", dir, dir, dir)
		args := []any{user}
		args = append(args, set.condArgs...)
		args = append(args, set.condArgs...)
		args = append(args, alerts.condArgs...)
		args = append(args, yoursArgs...)
		args = append(args, set.args...)
		rows, err := t.query(ctx, q, append(args, f.Limit, f.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var mine bool
			r, err := scanRenewal(rows, prog.DecisionDeadlineDays, &mine, &page.Total, &page.PartnerAlerts, &page.Alerts)
			if err != nil {
				return err
			}
			r.AssignedToMe = mine
			page.Renewals = append(page.Renewals, r)
		}
		if err := rows.Err(); err != nil || len(page.Renewals) > 0 {
			return err
		}
		// No row to carry the counts: nothing matches, or past the end.
		q = `SELECT COALESCE(SUM(CASE WHEN ` + set.cond + ` THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN ` + alerts.cond + ` THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN ` + yours + ` THEN 1 ELSE 0 END), 0)` + set.from
		args = append(append(append(append([]any{}, set.condArgs...), alerts.condArgs...), yoursArgs...), set.args...)
		return t.queryRow(ctx, q, args...).Scan(&page.Total, &page.PartnerAlerts, &page.Alerts)
	})
	if err != nil {
		return nil, fmt.Errorf("list renewals: %w", err)
	}
	return &page, nil
}

// RenewalAlerts counts the scoped partner's upcoming renewal decisions
// that the signed-in user may take: pending renewals inside the program's
// horizon whose communication the partner owns (an employee's: of the
// clients assigned to it). It is the Renewals page's Alerts.
func (db *DB) RenewalAlerts(ctx context.Context) (int, error) {
	yours, _, err := db.RenewalAlertCounts(ctx)
	return yours, err
}

// RenewalAlertCounts are RenewalAlerts and the partner's whole count, which
// an employee's Alerts also show.
func (db *DB) RenewalAlertCounts(ctx context.Context) (yours, partner int, err error) {
	err = db.view(ctx, func(t *tx) error {
		partnerID, prog, day, err := scopedDay(ctx, t, false)
		if err != nil {
			return err
		}
		set := newRenewalSet(partnerID, actingUser(ctx), day, prog, AlertFilter())
		cond, condArgs := set.actable(ctx)
		q := "SELECT COUNT(*), COALESCE(SUM(CASE WHEN " + cond + " THEN 1 ELSE 0 END), 0)" + set.from + " AND " + set.cond
		args := append(append(append([]any{}, condArgs...), set.args...), set.condArgs...)
		return t.queryRow(ctx, q, args...).Scan(&partner, &yours)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("count renewal alerts: %w", err)
	}
	return yours, partner, nil
}

// AlertFilter selects the renewals the Alerts count: pending, and owned by
// the partner itself (not by another partner of the client).
func AlertFilter() pd.RenewalFilter {
	return pd.RenewalFilter{Status: pd.RenewalPending, Owner: pd.OwnerPartner}
}

// clientRenewals are a client's renewals from today on, soonest first (at
// most five), for the client panel.
func clientRenewals(ctx context.Context, t *tx, clientID int64, today pd.Date, deadlineDays int) ([]pd.Renewal, error) {
	rows, err := t.query(ctx, "SELECT "+renewalCols+` FROM renewals r JOIN clients c ON c.id = r.client_id`+renewalJoins+`
		WHERE r.client_id = ? AND r.renewal_date >= ? ORDER BY r.renewal_date, r.id LIMIT 5`, clientID, today)
	if err != nil {
		return nil, fmt.Errorf("load renewals: %w", err)
	}
	defer rows.Close()
	var rs []pd.Renewal
	for rows.Next() {
		r, err := scanRenewal(rows, deadlineDays)
		if err != nil {
			return nil, fmt.Errorf("load renewals: %w", err)
		}
		rs = append(rs, r)
	}
	return rs, rows.Err()
}

// defaultPartner is SQL for the partner a program default of "partner"
// gives the communication of the client clientCol to: its selling
// partner, else its managing partner with the lowest id, among its active
// relationships; NULL when no partner serves it. Migration 0011 named the
// owners of the renewals and clients stored before it by the same rule.
func defaultPartner(clientCol string) string {
	return `(SELECT dcp.partner_id FROM client_partners dcp WHERE dcp.client_id = ` + clientCol + ` AND dcp.ended_on IS NULL
		ORDER BY CASE WHEN dcp.relationship = 'managed' THEN 1 ELSE 0 END, dcp.partner_id LIMIT 1)`
}

// settingPartner is SQL for the partner that the communication-owner
// setting of client alias gives its communication to: the one it names,
// or for a client that follows a program default of "partner", the
// default's; NULL for the vendor.
func settingPartner(prog pd.Program, alias string) string {
	if prog.CommOwner("") == pd.OwnerPartner {
		return "CASE WHEN " + alias + ".comm_owner IS NULL THEN " + defaultPartner(alias+".id") + " ELSE " + alias + ".comm_partner_id END"
	}
	return alias + ".comm_partner_id"
}

// scopedRenewal loads a renewal of one of partnerID's active clients, with
// the client's communication-owner setting and the partners it and the
// program's default give the communication to; any other renewal is "not
// found", exactly like one that does not exist.
func scopedRenewal(ctx context.Context, t *tx, partnerID, renewalID int64, prog pd.Program) (*pd.RenewalDetail, error) {
	var setting, settingName, defaultName sql.NullString
	var settingID, defaultID sql.NullInt64
	row := t.queryRow(ctx, "SELECT "+renewalCols+`, c.comm_owner, c.comm_partner_id, sp.name, dp.id, dp.name,
			EXISTS (SELECT 1 FROM client_assignments ca WHERE ca.client_id = c.id AND ca.user_id = ?)
		FROM renewals r JOIN clients c ON c.id = r.client_id
		JOIN client_partners cp ON cp.client_id = c.id AND cp.partner_id = ? AND cp.ended_on IS NULL`+renewalJoins+`
		LEFT JOIN partners sp ON sp.id = c.comm_partner_id
		LEFT JOIN partners dp ON dp.id = `+defaultPartner("c.id")+`
		WHERE r.id = ?`, actingUser(ctx), partnerID, renewalID)
	var mine bool
	r, err := scanRenewal(row, prog.DecisionDeadlineDays, &setting, &settingID, &settingName, &defaultID, &defaultName, &mine)
	if err == sql.ErrNoRows {
		return nil, pd.Errorf(pd.ENotFound, "Renewal not found.")
	} else if err != nil {
		return nil, fmt.Errorf("load renewal %d: %w", renewalID, err)
	}
	r.AssignedToMe = mine
	d := &pd.RenewalDetail{Renewal: r, ClientOwner: setting.String}
	if d.ClientOwner == "" {
		d.ClientOwner = pd.OwnerDefault
	}
	if prog.CommOwner("") == pd.OwnerPartner {
		d.DefaultPartnerID, d.DefaultPartner = defaultID.Int64, defaultName.String
	}
	switch d.ClientOwner {
	case pd.OwnerPartner:
		d.SettingPartnerID, d.SettingPartner = settingID.Int64, settingName.String
	case pd.OwnerDefault:
		d.SettingPartnerID, d.SettingPartner = d.DefaultPartnerID, d.DefaultPartner
	}
	return d, nil
}

// Renewal returns the renewal page of one of the scoped partner's active
// clients' renewals: the renewal, the client's contacts and the history as
// the partner sees it.
func (db *DB) Renewal(ctx context.Context, renewalID int64) (*pd.RenewalDetail, error) {
	var d *pd.RenewalDetail
	err := db.view(ctx, func(t *tx) error {
		partnerID, prog, day, err := scopedDay(ctx, t, false)
		if err != nil {
			return err
		}
		if d, err = scopedRenewal(ctx, t, partnerID, renewalID, prog); err != nil {
			return err
		}
		d.Today = day
		if d.Contacts, err = clientContacts(ctx, t, d.ClientID); err != nil {
			return err
		}
		d.History, err = renewalHistory(ctx, t, partnerID, renewalID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

func clientContacts(ctx context.Context, t *tx, clientID int64) ([]pd.Contact, error) {
	rows, err := t.query(ctx, `SELECT id, name, email, title FROM client_contacts
		WHERE client_id = ? ORDER BY lower(name), id`, clientID)
	if err != nil {
		return nil, fmt.Errorf("load contacts: %w", err)
	}
	defer rows.Close()
	var cs []pd.Contact
	for rows.Next() {
		var c pd.Contact
		if err := rows.Scan(&c.ID, &c.Name, &c.Email, &c.Title); err != nil {
			return nil, fmt.Errorf("load contacts: %w", err)
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// renewalHistory is a renewal's history as partnerID sees it: an entry
// made by a user of another partner names that partner, never its user
// or its note (those stay in the database), and an owner change names the
// partner it gave the communication to when it is another one.
func renewalHistory(ctx context.Context, t *tx, partnerID, renewalID int64) ([]pd.RenewalEvent, error) {
	rows, err := t.query(ctx, `SELECT d.decided_at, d.decision, d.detail,
			CASE WHEN u.partner_id <> ? THEN '' ELSE d.note END,
			CASE WHEN u.partner_id <> ? THEN '' ELSE COALESCE(u.name, '') END,
			CASE WHEN u.partner_id <> ? THEN up.name ELSE '' END,
			CASE WHEN d.comm_partner_id <> ? THEN op.name ELSE '' END
		FROM renewal_decisions d LEFT JOIN users u ON u.id = d.user_id
		LEFT JOIN partners up ON up.id = u.partner_id
		LEFT JOIN partners op ON op.id = d.comm_partner_id
		WHERE d.renewal_id = ? ORDER BY d.decided_at DESC, d.id DESC`, partnerID, partnerID, partnerID, partnerID, renewalID)
	if err != nil {
		return nil, fmt.Errorf("load renewal history: %w", err)
	}
	defer rows.Close()
	var es []pd.RenewalEvent
	for rows.Next() {
		var e pd.RenewalEvent
		var note, actor, actorPartner, owner sql.NullString
		if err := rows.Scan(&e.At, &e.Kind, &e.Detail, &note, &actor, &actorPartner, &owner); err != nil {
			return nil, fmt.Errorf("load renewal history: %w", err)
		}
		e.Note, e.Actor, e.ActorPartner, e.OwnerPartner = note.String, actor.String, actorPartner.String, owner.String
		es = append(es, e)
	}
	return es, rows.Err()
}

// enumLiteral quotes a validated enum value (lower-case letters and
// underscores only) as an SQL string literal; anything else is a bug.
func enumLiteral(v string) string {
	for _, r := range v {
		if (r < 'a' || r > 'z') && r != '_' {
			panic(fmt.Sprintf("store: %q is not an enum value", v))
		}
	}
	return "'" + v + "'"
}
