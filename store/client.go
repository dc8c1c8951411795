package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// clientSortSQL maps the accepted sort columns to SQL over a relationship
// row (aliased cp, or p outside the page's subquery); anything else was
// rejected by ClientFilter.Validate.
var clientSortSQL = map[string]string{
	"name":         "lower(%s.name)",
	"products":     "%s.product_mask",
	"relationship": "%s.relationship",
	"usage":        "%s.engagement",
	"mrr":          "%s.mrr",
}

// likePattern escapes s for a LIKE … ESCAPE '\' substring match.
func likePattern(s string) string {
	s = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(s))
	return "%" + s + "%"
}

// ListClients returns a page of the scoped partner's active clients with
// the count and MRR of all that match, in two queries whatever the page
// size. Both read the relationship rows alone, through their covering
// index (migration 0005); only the page's rows are joined to clients.
func (db *DB) ListClients(ctx context.Context, f pd.ClientFilter) (*pd.ClientPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var page pd.ClientPage
	err := db.view(ctx, func(t *tx) error {
		partnerID, err := partnerScope(ctx, t, false)
		if err != nil {
			return err
		}
		var userID int64
		if p := pd.PrincipalFrom(ctx); p.Role.IsPartner() {
			userID = p.UserID
		}
		where := []string{"cp.partner_id = ?", "cp.ended_on IS NULL"}
		args := []any{partnerID}
		if f.Query != "" {
			where = append(where, `(lower(cp.name) LIKE ? ESCAPE '\' OR lower(cp.domain) LIKE ? ESCAPE '\')`)
			args = append(args, likePattern(f.Query), likePattern(f.Query))
		}
		if f.Product != "" {
			where = append(where, "(cp.product_mask & ?) <> 0")
			args = append(args, pd.ProductFilterMask(f.Product))
		}
		if f.Relationship != "" {
			where = append(where, "cp.relationship = ?")
			args = append(args, string(f.Relationship))
		}
		if f.Bucket != "" {
			lo, hi := bucketRange(f.Bucket)
			where = append(where, "cp.engagement BETWEEN ? AND ?")
			args = append(args, lo, hi)
		}
		if f.RenewalDue {
			prog, err := program(ctx, t)
			if err != nil {
				return err
			}
			today := pd.DateOf(t.now, prog.Location())
			where = append(where, `EXISTS (SELECT 1 FROM renewals r WHERE r.client_id = cp.client_id
				AND r.status = 'pending' AND r.comm_owner = 'partner' AND r.comm_partner_id = cp.partner_id
				AND r.renewal_date >= ? AND r.renewal_date <= ?)`)
			args = append(args, today, today.AddDays(prog.RenewalHorizonDays))
		}
		if f.AssignedToMe {
			where = append(where, "EXISTS (SELECT 1 FROM client_assignments ca WHERE ca.client_id = cp.client_id AND ca.user_id = ?)")
			args = append(args, userID)
		}
		if f.Employee != 0 {
			where = append(where, "EXISTS (SELECT 1 FROM client_assignments ca WHERE ca.client_id = cp.client_id AND ca.user_id = ? AND ca.partner_id = cp.partner_id)")
			args = append(args, f.Employee)
		}
		from := " FROM client_partners cp WHERE " + strings.Join(where, " AND ")
		if err := t.queryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(cp.mrr), 0)"+from, args...).Scan(&page.Total, &page.TotalMRR); err != nil {
			return fmt.Errorf("count clients: %w", err)
		}
		if page.Total == 0 {
			return nil
		}
		dir := "ASC"
		if f.Desc {
			dir = "DESC"
		}
		order := func(alias string) string {
			return fmt.Sprintf(" ORDER BY %s %s, %s.client_id %s", fmt.Sprintf(clientSortSQL[f.Sort], alias), dir, alias, dir)
		}
		q := `SELECT c.id, c.account_id, c.name, c.domain, c.country, c.account_url, p.mrr, p.product_mask, p.engagement,
				p.relationship, p.started_on,
				EXISTS (SELECT 1 FROM client_assignments ca WHERE ca.client_id = p.client_id AND ca.user_id = ?)
			FROM (SELECT cp.client_id, cp.mrr, cp.product_mask, cp.engagement, cp.relationship, cp.started_on, cp.name` +
			from + order("cp") + ` LIMIT ? OFFSET ?) p
			JOIN clients c ON c.id = p.client_id` + order("p")
		rows, err := t.query(ctx, q, append(append([]any{userID}, args...), f.Limit, f.Offset)...)
		if err != nil {
			return fmt.Errorf("list clients: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c pd.Client
			var rel string
			if err := rows.Scan(&c.ID, &c.AccountID, &c.Name, &c.Domain, &c.Country, &c.AccountURL, &c.MRR, &c.ProductMask,
				&c.Engagement, &rel, &c.Since, &c.AssignedToMe); err != nil {
				return fmt.Errorf("list clients: %w", err)
			}
			c.Relationship = pd.Relationship(rel)
			page.Clients = append(page.Clients, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return &page, nil
}

func bucketRange(b string) (int, int) {
	switch b {
	case pd.BucketLow:
		return 0, 3
	case pd.BucketMedium:
		return 4, 6
	}
	return 7, 10
}

// scopedClient loads one active client of the scoped partner, with the
// partner its communication-owner setting gives the communication to; a
// client of another partner is "not found", exactly like one that does not
// exist.
func scopedClient(ctx context.Context, t *tx, partnerID, clientID int64, prog pd.Program) (*pd.Client, error) {
	var userID int64
	if p := pd.PrincipalFrom(ctx); p != nil && p.Role.IsPartner() {
		userID = p.UserID
	}
	var c pd.Client
	var rel string
	var commID sql.NullInt64
	var commName sql.NullString
	err := t.queryRow(ctx, `SELECT c.id, c.account_id, c.name, c.domain, c.industry, c.country, c.employees,
			c.account_url, c.mrr, c.product_mask, c.engagement, COALESCE(c.comm_owner, ''), sp.id, sp.name,
			cp.relationship, cp.started_on,
			EXISTS (SELECT 1 FROM client_assignments ca WHERE ca.client_id = c.id AND ca.user_id = ?)
		FROM client_partners cp JOIN clients c ON c.id = cp.client_id
		LEFT JOIN partners sp ON sp.id = `+settingPartner(prog, "c")+`
		WHERE cp.partner_id = ? AND cp.client_id = ? AND cp.ended_on IS NULL`, userID, partnerID, clientID).
		Scan(&c.ID, &c.AccountID, &c.Name, &c.Domain, &c.Industry, &c.Country, &c.Employees, &c.AccountURL,
			&c.MRR, &c.ProductMask, &c.Engagement, &c.CommOwner, &commID, &commName, &rel, &c.Since, &c.AssignedToMe)
	if err == sql.ErrNoRows {
		return nil, pd.Errorf(pd.ENotFound, "Client not found.")
	} else if err != nil {
		return nil, fmt.Errorf("load client %d: %w", clientID, err)
	}
	c.Relationship = pd.Relationship(rel)
	c.CommPartnerID, c.CommPartner = commID.Int64, commName.String
	return &c, nil
}

// Client returns everything the client panel shows, for an active client
// of the scoped partner, in a fixed number of queries.
func (db *DB) Client(ctx context.Context, clientID int64) (*pd.ClientDetail, error) {
	var d pd.ClientDetail
	err := db.view(ctx, func(t *tx) error {
		partnerID, err := partnerScope(ctx, t, false)
		if err != nil {
			return err
		}
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		c, err := scopedClient(ctx, t, partnerID, clientID, prog)
		if err != nil {
			return err
		}
		d.Client = *c
		if d.Lines, err = subscriptionLines(ctx, t, clientID); err != nil {
			return err
		}
		for _, l := range d.Lines {
			if l.Status == "active" && l.Contacts > d.Contacts {
				d.Contacts, d.EmailSendLimit = l.Contacts, l.EmailSendLimit
			}
		}
		today := pd.DateOf(t.now, prog.Location())
		if d.Renewals, err = clientRenewals(ctx, t, clientID, today, prog.DecisionDeadlineDays); err != nil {
			return err
		}
		if len(d.Renewals) > 0 {
			d.Renewal = &d.Renewals[0]
		}
		if d.Usage, err = latestUsage(ctx, t, clientID); err != nil {
			return err
		}
		var tools int64
		if d.Usage != nil {
			tools = d.Usage.Tools
		}
		d.Engagement = pd.EngagementIndex(d.ProductMask, tools)
		if d.PartnerNames, err = clientPartnerNames(ctx, t, clientID); err != nil {
			return err
		}
		if d.Assignees, err = clientAssignees(ctx, t, partnerID, clientID); err != nil {
			return err
		}
		d.People, err = clientPeople(ctx, t, partnerID, clientID, today.AddDays(-pd.ActivityWindowDays))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func subscriptionLines(ctx context.Context, t *tx, clientID int64) ([]pd.SubscriptionLine, error) {
	rows, err := t.query(ctx, `SELECT id, external_id, product_code, quantity, contacts, email_send_limit, mrr,
			billing_period, commitment_months, renewal_date, auto_renew, status
		FROM subscription_lines WHERE client_id = ? ORDER BY status, mrr DESC, id`, clientID)
	if err != nil {
		return nil, fmt.Errorf("load subscription lines: %w", err)
	}
	defer rows.Close()
	var ls []pd.SubscriptionLine
	for rows.Next() {
		var l pd.SubscriptionLine
		var code string
		if err := rows.Scan(&l.ID, &l.ExternalID, &code, &l.Quantity, &l.Contacts, &l.EmailSendLimit, &l.MRR,
			&l.BillingPeriod, &l.CommitmentMonths, &l.RenewalDate, &l.AutoRenew, &l.Status); err != nil {
			return nil, fmt.Errorf("load subscription lines: %w", err)
		}
		l.Product, _ = pd.ProductByCode(code)
		ls = append(ls, l)
	}
	return ls, rows.Err()
}

func latestUsage(ctx context.Context, t *tx, clientID int64) (*pd.Usage, error) {
	var u pd.Usage
	err := t.queryRow(ctx, `SELECT day, tools, active_users, seats FROM usage_snapshots
		WHERE client_id = ? ORDER BY day DESC LIMIT 1`, clientID).Scan(&u.Day, &u.Tools, &u.ActiveUsers, &u.Seats)
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("load usage: %w", err)
	}
	return &u, nil
}

func clientPartnerNames(ctx context.Context, t *tx, clientID int64) ([]string, error) {
	rows, err := t.query(ctx, `SELECT p.name, cp.relationship FROM client_partners cp
		JOIN partners p ON p.id = cp.partner_id
		WHERE cp.client_id = ? AND cp.ended_on IS NULL ORDER BY p.name`, clientID)
	if err != nil {
		return nil, fmt.Errorf("load client partners: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n, rel string
		if err := rows.Scan(&n, &rel); err != nil {
			return nil, err
		}
		names = append(names, n+" ("+strings.ReplaceAll(rel, "_", " & ")+")")
	}
	return names, rows.Err()
}

// EndServices ends the scoped partner's relationship with a client: the
// client leaves its list, the history row stays with its end date, the
// client's renewal communication it owned is given back (releaseComm),
// and the audit log records who did it. Partner employees may only end
// services for the clients assigned to them.
func (db *DB) EndServices(ctx context.Context, clientID int64) error {
	return db.update(ctx, func(t *tx) error {
		partnerID, err := partnerScope(ctx, t, true)
		if err != nil {
			return err
		}
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		c, err := scopedClient(ctx, t, partnerID, clientID, prog)
		if err != nil {
			return err
		}
		p := pd.PrincipalFrom(ctx)
		if p.Role == pd.RolePartnerEmployee && !c.AssignedToMe {
			return pd.Errorf(pd.EForbidden, "Only your partner admin can end services for a client not assigned to you.")
		}
		today := pd.DateOf(t.now, prog.Location())
		if _, err := t.exec(ctx, `UPDATE client_partners SET ended_on = ?
			WHERE partner_id = ? AND client_id = ? AND ended_on IS NULL`, today, partnerID, clientID); err != nil {
			return fmt.Errorf("end services for client %d: %w", clientID, err)
		}
		if err := releaseComm(ctx, t, prog, partnerID, []int64{clientID}); err != nil {
			return err
		}
		return audit(ctx, t, partnerID, "end_services", "client", c.AccountID, c.Name)
	})
}
