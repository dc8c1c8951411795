package store

import (
	"context"
	"fmt"

	pd "github.com/partnerdesk/partnerdesk"
)

// Which of a partner's clients its employees look after. Only the
// partner's admins change it, for their own employees and their own
// active clients; anything else is "not found" or refused, like every
// tenant wall.

// Assign applies a: the user's assignments to the clients are added (or,
// with a.Remove, removed), each change recorded in the audit log. All the
// clients must be the partner's active clients, or nothing changes.
func (db *DB) Assign(ctx context.Context, a pd.Assignment) (int, error) {
	if err := a.Validate(); err != nil {
		return 0, err
	}
	changed := 0
	err := db.update(ctx, func(t *tx) error {
		partnerID, err := partnerScope(ctx, t, true)
		if err != nil {
			return err
		}
		if p := pd.PrincipalFrom(ctx); p.Role != pd.RolePartnerAdmin {
			return pd.Errorf(pd.EForbidden, "Only your partner admins assign clients.")
		}
		u, err := scopedUser(ctx, t, partnerID, a.UserID)
		if err != nil {
			return err
		}
		if !a.Remove && (u.Role != pd.RolePartnerEmployee || u.Status == pd.UserDeactivated) {
			return pd.Errorf(pd.EInvalid, "Clients are assigned to active employees; %s is not one.", u.Name)
		}
		ids := make([]any, 0, len(a.ClientIDs))
		seen := map[int64]bool{}
		for _, id := range a.ClientIDs {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		rows, err := t.query(ctx, `SELECT c.id, c.account_id, c.name FROM client_partners cp JOIN clients c ON c.id = cp.client_id
			WHERE cp.partner_id = ? AND cp.ended_on IS NULL AND cp.client_id IN (`+placeholders(len(ids))+`)`,
			append([]any{partnerID}, ids...)...)
		if err != nil {
			return fmt.Errorf("load clients: %w", err)
		}
		var cs []pd.AssignedClient
		for rows.Next() {
			var c pd.AssignedClient
			if err := rows.Scan(&c.ClientID, &c.AccountID, &c.Name); err != nil {
				rows.Close()
				return fmt.Errorf("load clients: %w", err)
			}
			cs = append(cs, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("load clients: %w", err)
		}
		if len(cs) != len(ids) {
			return pd.Errorf(pd.ENotFound, "Client not found.")
		}
		q, action := `INSERT INTO client_assignments (client_id, user_id, partner_id) VALUES (?, ?, ?)
			ON CONFLICT (client_id, user_id) DO NOTHING`, "assign_client"
		if a.Remove {
			q, action = "DELETE FROM client_assignments WHERE client_id = ? AND user_id = ? AND partner_id = ?", "unassign_client"
		}
		for _, c := range cs {
			res, err := t.exec(ctx, q, c.ClientID, u.ID, partnerID)
			if err != nil {
				return fmt.Errorf("%s %d: %w", action, c.ClientID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			changed++
			if err := audit(ctx, t, partnerID, action, "client", c.AccountID, u.Email); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("assign clients: %w", err)
	}
	return changed, nil
}

// maxListedAssignments bounds the assignments a users page lists.
const maxListedAssignments = 5000

// Assignments lists the clients assigned to the users of the principal's
// scope (usersScope), by user and client name.
func (db *DB) Assignments(ctx context.Context) ([]pd.AssignedClient, error) {
	var as []pd.AssignedClient
	err := db.view(ctx, func(t *tx) error {
		_, partnerID, err := usersScope(ctx, t, false)
		if err != nil || partnerID == 0 {
			return err
		}
		rows, err := t.query(ctx, `SELECT ca.user_id, c.id, c.account_id, c.name FROM client_assignments ca
			JOIN clients c ON c.id = ca.client_id
			JOIN client_partners cp ON cp.client_id = ca.client_id AND cp.partner_id = ca.partner_id AND cp.ended_on IS NULL
			WHERE ca.partner_id = ? ORDER BY ca.user_id, lower(c.name), c.id LIMIT ?`, partnerID, maxListedAssignments)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a pd.AssignedClient
			if err := rows.Scan(&a.UserID, &a.ClientID, &a.AccountID, &a.Name); err != nil {
				return err
			}
			as = append(as, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list assignments: %w", err)
	}
	return as, nil
}

// ClientByAccount returns the id of the scoped partner's active client
// with that account id (the users page adds a client by its account id).
func (db *DB) ClientByAccount(ctx context.Context, accountID string) (int64, error) {
	var id int64
	err := db.view(ctx, func(t *tx) error {
		partnerID, err := partnerScope(ctx, t, false)
		if err != nil {
			return err
		}
		err = t.queryRow(ctx, `SELECT c.id FROM clients c JOIN client_partners cp ON cp.client_id = c.id
			WHERE c.account_id = ? AND cp.partner_id = ? AND cp.ended_on IS NULL`, accountID, partnerID).Scan(&id)
		return notFound(err, "No client of yours has this account id.")
	})
	return id, wrap(err, "find client")
}

// clientAssignees lists the users of partnerID assigned to a client.
func clientAssignees(ctx context.Context, t *tx, partnerID, clientID int64) ([]pd.User, error) {
	rows, err := t.query(ctx, `SELECT `+userCols+` FROM client_assignments ca JOIN users u ON u.id = ca.user_id
		WHERE ca.client_id = ? AND ca.partner_id = ? AND u.partner_id = ? ORDER BY lower(u.name), u.id`, clientID, partnerID, partnerID)
	if err != nil {
		return nil, fmt.Errorf("load assignees: %w", err)
	}
	defer rows.Close()
	var us []pd.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("load assignees: %w", err)
		}
		us = append(us, u)
	}
	return us, rows.Err()
}
