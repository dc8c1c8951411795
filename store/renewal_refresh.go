package store

import (
	"context"
	"fmt"

	pd "github.com/partnerdesk/partnerdesk"
)

// RenewalRefresh reports what RefreshRenewals changed.
type RenewalRefresh struct {
	// AutoRenewed pending auto-renewing contracts past their decision
	// deadline (pd.Renewal.AutoRenews).
	AutoRenewed int
	// Created renewals for contracts whose renewal date came inside the
	// horizon and had none yet.
	Created int
}

// RefreshRenewals applies the daily refresh's renewal rules on today, the
// program's date (the job passes it; tests inject it). It runs as the
// system, in one transaction, and may run any number of times a day:
//
//   - a pending auto-renewing contract whose decision deadline has passed
//     becomes renewed; its history and every active partner's audit log
//     say so;
//   - each active subscription line with a commitment of a year or more
//     whose renewal date is inside the horizon gets a renewal (one per
//     client and date, unless one of any type exists), owned as the
//     client's setting or the program's default says (by the partner it
//     names, or the default's: the client's selling partner, else its
//     managing partner with the lowest id), with the client's last
//     renewal manager and primary contact (its first contact if it never
//     had one), at the lines' MRR and largest contact tier.
//
// Renewals leave the Renewals page once their date has passed, and enter
// it as they come inside the horizon: the page's query does that by date.
func (db *DB) RefreshRenewals(ctx context.Context, today pd.Date) (RenewalRefresh, error) {
	var res RenewalRefresh
	err := db.update(ctx, func(t *tx) error {
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		// deadline = date − D < today ⇔ date < today + D
		cutoff := today.AddDays(prog.DecisionDeadlineDays)
		due := `r.status = 'pending' AND r.auto_renew = TRUE AND r.renewal_date < ?`
		if _, err := t.exec(ctx, `INSERT INTO renewal_decisions (renewal_id, decision, detail, note, user_id, decided_at)
			SELECT r.id, ?, '', '', NULL, ? FROM renewals r WHERE `+due, pd.HistoryAutoRenewed, t.now, cutoff); err != nil {
			return fmt.Errorf("auto-renew: %w", err)
		}
		if _, err := t.exec(ctx, `INSERT INTO audit_log (at, user_id, partner_id, action, entity, entity_id, detail)
			SELECT ?, NULL, cp.partner_id, 'renewal_auto_renewed', 'renewal', CAST(r.id AS TEXT), c.name
			FROM renewals r JOIN clients c ON c.id = r.client_id
			JOIN client_partners cp ON cp.client_id = r.client_id AND cp.ended_on IS NULL
			WHERE `+due, t.now, cutoff); err != nil {
			return fmt.Errorf("auto-renew: %w", err)
		}
		r, err := t.exec(ctx, `UPDATE renewals SET status = 'renewed' WHERE id IN (SELECT r.id FROM renewals r WHERE `+due+`)`, cutoff)
		if err != nil {
			return fmt.Errorf("auto-renew: %w", err)
		}
		n, _ := r.RowsAffected()
		res.AutoRenewed = int(n)

		last := func(col string) string {
			return `(SELECT p.` + col + ` FROM renewals p WHERE p.client_id = l.client_id AND p.` + col + ` IS NOT NULL
				ORDER BY p.renewal_date DESC, p.id DESC LIMIT 1)`
		}
		// The vendor owns the renewal unless the client's setting gives
		// it to a partner (a default of "partner" finds none for a client
		// no partner serves).
		partner := settingPartner(prog, "c")
		r, err = t.exec(ctx, `INSERT INTO renewals (client_id, renewal_date, contract_type, comm_owner, comm_partner_id, status,
				primary_contact_id, renewal_manager_id, current_mrr, proposed_mrr, proposed_contacts, auto_renew)
			SELECT l.client_id, l.renewal_date, 'renewal', CASE WHEN `+partner+` IS NULL THEN 'vendor' ELSE 'partner' END, `+partner+`, 'pending',
				COALESCE(`+last("primary_contact_id")+`, (SELECT MIN(cc.id) FROM client_contacts cc WHERE cc.client_id = l.client_id)),
				`+last("renewal_manager_id")+`,
				SUM(l.mrr), SUM(l.mrr), MAX(l.contacts),
				CASE WHEN SUM(CASE WHEN l.auto_renew THEN 0 ELSE 1 END) = 0 THEN TRUE ELSE FALSE END
			FROM subscription_lines l JOIN clients c ON c.id = l.client_id
			WHERE l.status = 'active' AND l.commitment_months >= 12 AND l.renewal_date >= ? AND l.renewal_date <= ?
			  AND NOT EXISTS (SELECT 1 FROM renewals x WHERE x.client_id = l.client_id AND x.renewal_date = l.renewal_date)
			GROUP BY l.client_id, l.renewal_date, c.id, c.comm_owner, c.comm_partner_id`,
			today, today.AddDays(prog.RenewalHorizonDays))
		if err != nil {
			return fmt.Errorf("create renewals: %w", err)
		}
		n, _ = r.RowsAffected()
		res.Created = int(n)
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("refresh renewals on %s: %w", today, err)
	}
	return res, nil
}
