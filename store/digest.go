package store

import (
	"context"
	"fmt"

	pd "github.com/partnerdesk/partnerdesk"
)

// The daily digest: for each partner's admins, and for its employees
// assigned to the clients concerned, the pending renewal decisions the
// partner owns whose deadline comes within the program's digest window,
// soonest first. The daily refresh queues it; each user gets one a day at
// most (the outbox's dedupe key), none when they turned it off or when
// there is nothing to tell.

// QueueDigests queues day's digests and returns how many it queued: none
// for a user who already has day's.
func (db *DB) QueueDigests(ctx context.Context, m pd.Mailer, day pd.Date) (int, error) {
	queued := 0
	err := db.update(ctx, func(t *tx) error {
		prog, err := program(ctx, t)
		if err != nil || prog.DigestDays == 0 {
			return err
		}
		// deadline = date − D, and today ≤ deadline ≤ today + N.
		from := day.AddDays(prog.DecisionDeadlineDays)
		rows, err := t.query(ctx, `SELECT `+userCols+`, p.id, p.name, r.id, c.name, r.contract_type, r.renewal_date
			FROM renewals r
			JOIN client_partners cp ON cp.client_id = r.client_id AND cp.partner_id = r.comm_partner_id AND cp.ended_on IS NULL
			JOIN clients c ON c.id = r.client_id
			JOIN partners p ON p.id = r.comm_partner_id
			JOIN users u ON u.partner_id = p.id AND u.deactivated_at IS NULL AND u.password_hash <> '' AND u.digest_emails
				AND (u.role = 'partner_admin' OR u.role = 'partner_employee' AND EXISTS (SELECT 1 FROM client_assignments ca
					WHERE ca.client_id = r.client_id AND ca.user_id = u.id AND ca.partner_id = p.id))
			WHERE r.status = 'pending' AND r.comm_owner = 'partner' AND r.renewal_date >= ? AND r.renewal_date <= ?
			ORDER BY u.id, r.renewal_date, r.id`, from, from.AddDays(prog.DigestDays))
		if err != nil {
			return err
		}
		var ds []*pd.Digest
		for rows.Next() {
			var it pd.DigestItem
			var d pd.Digest
			u, err := scanUser(rows, &d.PartnerID, &d.Partner, &it.RenewalID, &it.ClientName, &it.ContractType, &it.RenewalDate)
			if err != nil {
				rows.Close()
				return err
			}
			it.Deadline = pd.DecisionDeadline(it.RenewalDate, prog.DecisionDeadlineDays)
			if len(ds) == 0 || ds[len(ds)-1].User.ID != u.ID {
				d.User, d.Program, d.Day, d.Within = u, prog.Name, day, prog.DigestDays
				ds = append(ds, &d)
			}
			last := ds[len(ds)-1]
			last.Items = append(last.Items, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// The rows are all read before the first insert: one connection
		// runs one statement at a time.
		for _, d := range ds {
			msg, err := m.Digest(*d)
			if err != nil {
				return fmt.Errorf("render the digest of user %d: %w", d.User.ID, err)
			}
			ok, err := queueEmail(ctx, t, msg, d.User.ID, fmt.Sprintf("digest:%d:%s", d.User.ID, day))
			if err != nil {
				return err
			}
			if ok {
				queued++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("queue digests: %w", err)
	}
	return queued, nil
}
