package store

import (
	"context"
	"database/sql"
	"fmt"

	pd "github.com/partnerdesk/partnerdesk"
)

// RenewalAlerts counts the scoped partner's upcoming renewal decisions:
// pending renewals inside the program's horizon whose communication the
// partner owns.
func (db *DB) RenewalAlerts(ctx context.Context) (int, error) {
	var n int
	err := db.view(ctx, func(t *tx) error {
		partnerID, err := partnerScope(ctx, t, false)
		if err != nil {
			return err
		}
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		today := pd.DateOf(t.now, prog.Location())
		return t.queryRow(ctx, `SELECT COUNT(*) FROM client_partners cp
			JOIN renewals r ON r.client_id = cp.client_id
			WHERE cp.partner_id = ? AND cp.ended_on IS NULL
			  AND r.status = 'pending' AND r.comm_owner = 'partner'
			  AND r.renewal_date >= ? AND r.renewal_date <= ?`,
			partnerID, today, today.AddDays(prog.RenewalHorizonDays)).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("count renewal alerts: %w", err)
	}
	return n, nil
}

// nextRenewal is a client's first renewal on or after today.
func nextRenewal(ctx context.Context, t *tx, clientID int64, today pd.Date, deadlineDays int) (*pd.Renewal, error) {
	var r pd.Renewal
	var mgrID sql.NullInt64
	var mgrName, mgrEmail, contact sql.NullString
	err := t.queryRow(ctx, `SELECT r.id, r.renewal_date, r.contract_type, r.comm_owner, r.status,
			r.current_mrr, r.proposed_mrr, r.auto_renew, s.id, s.name, s.email, cc.name
		FROM renewals r
		LEFT JOIN staff s ON s.id = r.renewal_manager_id
		LEFT JOIN client_contacts cc ON cc.id = r.primary_contact_id
		WHERE r.client_id = ? AND r.renewal_date >= ?
		ORDER BY r.renewal_date, r.id LIMIT 1`, clientID, today).
		Scan(&r.ID, &r.RenewalDate, &r.ContractType, &r.Owner, &r.Status, &r.CurrentMRR, &r.ProposedMRR,
			&r.AutoRenew, &mgrID, &mgrName, &mgrEmail, &contact)
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("load next renewal: %w", err)
	}
	if mgrID.Valid {
		r.Manager = &pd.Staff{ID: mgrID.Int64, Name: mgrName.String, Email: mgrEmail.String, Role: pd.RoleRenewalManager}
	}
	r.PrimaryContact = contact.String
	r.Deadline = r.RenewalDate.AddDays(-deadlineDays)
	return &r, nil
}
