package store

import (
	"context"
	"fmt"

	pd "github.com/partnerdesk/partnerdesk"
)

// Book returns the partner manager's or consultant's book: their partners
// with the last daily refresh's figures judged by the rules of the next
// review (the review that will promote or demote them), the expiry of each
// one's last valid certification, and their partners' pending renewal
// decisions whose deadline is at most pd.BookDeadlineDays away; sorted by
// pd.Book.Sort. Four queries, whatever the number of partners.
func (db *DB) Book(ctx context.Context) (*pd.Book, error) {
	pr, err := requireRole(ctx, pd.RolePartnerManager, pd.RolePartnerConsultant)
	if err != nil {
		return nil, err
	}
	b := &pd.Book{}
	err = db.view(ctx, func(t *tx) error {
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		rules, err := tierRules(ctx, t)
		if err != nil {
			return err
		}
		st, err := readCreditState(ctx, t)
		if err != nil {
			return err
		}
		b.Today = today(t, prog)
		b.Refreshed, b.AsOf = st.found, st.asOf
		b.NextReview = rules.NextReview(b.Today)
		b.Policy = rules.On(b.NextReview)

		index := map[int64]int{}
		rows, err := t.query(ctx, `SELECT p.id, p.name, p.tier_code, p.elite_invited, ts.partner_id IS NOT NULL,
				COALESCE(ts.sold_credit, 0), COALESCE(ts.managed_mrr, 0), COALESCE(ts.usage_x2, 0), COALESCE(ts.certified, FALSE),
				COALESCE(ts.reviews_below, 0)
			FROM partners p LEFT JOIN tier_snapshots ts ON ts.snapshot = ? AND ts.partner_id = p.id
			WHERE p.partner_manager_id = ? OR p.partner_consultant_id = ?
			ORDER BY lower(p.name), p.id`, st.snapshot, pr.StaffID, pr.StaffID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var p pd.BookPartner
			var assigned string
			if err := rows.Scan(&p.ID, &p.Name, &assigned, &p.Figures.Invited, &p.Refreshed, &p.Figures.SoldCredit, &p.Figures.ManagedMRR,
				&p.Figures.UsageX2, &p.Figures.Certified, &p.Below); err != nil {
				rows.Close()
				return err
			}
			p.Refreshed = p.Refreshed && st.found
			p.Assigned = b.Policy.Tier(assigned)
			p.Performance = b.Policy.PerformanceTier(p.Figures)
			index[p.ID] = len(b.Partners)
			b.Partners = append(b.Partners, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(b.Partners) == 0 {
			return err
		}

		rows, err = t.query(ctx, `SELECT c.partner_id, MAX(c.expires_on) FROM certifications c JOIN partners p ON p.id = c.partner_id
			WHERE (p.partner_manager_id = ? OR p.partner_consultant_id = ?)
				AND c.earned_on <= ? AND c.expires_on > ? AND (c.revoked_on IS NULL OR c.revoked_on > ?)
			GROUP BY c.partner_id`, pr.StaffID, pr.StaffID, b.Today, b.Today, b.Today)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var expires pd.Date
			if err := rows.Scan(&id, &expires); err != nil {
				rows.Close()
				return err
			}
			if i, ok := index[id]; ok {
				b.Partners[i].CertExpires = expires
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		// Decisions the partner owns, of clients it still serves, from
		// today to a renewal date whose deadline is near; the partial
		// index renewals_alerts holds only such renewals.
		rows, err = t.query(ctx, `SELECT r.id, r.contract_type, r.renewal_date, c.name, p.id, p.name
			FROM partners p JOIN renewals r ON r.comm_partner_id = p.id JOIN clients c ON c.id = r.client_id
			WHERE (p.partner_manager_id = ? OR p.partner_consultant_id = ?)
				AND r.status = 'pending' AND r.comm_owner = 'partner' AND r.renewal_date >= ? AND r.renewal_date <= ?
				AND EXISTS (SELECT 1 FROM client_partners cp WHERE cp.client_id = r.client_id AND cp.partner_id = p.id AND cp.ended_on IS NULL)
			ORDER BY r.renewal_date, r.id`,
			pr.StaffID, pr.StaffID, b.Today, b.Today.AddDays(pd.BookDeadlineDays+prog.DecisionDeadlineDays))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r pd.BookRenewal
			if err := rows.Scan(&r.RenewalID, &r.ContractType, &r.RenewalDate, &r.ClientName, &r.PartnerID, &r.PartnerName); err != nil {
				return err
			}
			r.Deadline = pd.DecisionDeadline(r.RenewalDate, prog.DecisionDeadlineDays)
			b.Renewals = append(b.Renewals, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read the book: %w", err)
	}
	b.Sort()
	return b, nil
}
