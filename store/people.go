package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	pd "github.com/partnerdesk/partnerdesk"
)

// The people of a partner (its users page) and of the vendor (the program
// admin's users page): list, invite, resend an invitation, change a role,
// deactivate and reactivate. Whose people a principal manages is read
// from the context (usersScope), never from the arguments, and a user
// outside that scope is "not found", exactly like one that does not exist.

// usersScope is the partner whose users the principal manages, 0 for the
// vendor's staff users. A partner admin manages its own partner's users,
// whatever partner the request names; a program admin the partner it
// views, or without one the vendor's; partner managers and consultants
// read (write false) the users of the partners they are assigned to.
func usersScope(ctx context.Context, t *tx, write bool) (*pd.Principal, int64, error) {
	p := pd.PrincipalFrom(ctx)
	switch {
	case p == nil:
		return nil, 0, pd.Errorf(pd.EUnauthorized, "Please sign in.")
	case p.TokenID != 0 || p.Integration != "":
		return nil, 0, pd.Errorf(pd.EForbidden, "Users are managed by people, not by API tokens.")
	case p.Role == pd.RolePartnerAdmin:
		return p, p.PartnerID, nil
	case p.Role == pd.RolePartnerEmployee:
		return nil, 0, pd.Errorf(pd.EForbidden, "Only your partner admins manage your partner's users.")
	case p.Role == pd.RoleRenewalManager:
		// Their work on a partner's dashboard is its renewals.
		return nil, 0, pd.Errorf(pd.EForbidden, "Renewal managers do not see a partner's users.")
	}
	id := pd.ViewedPartnerFrom(ctx)
	if id == 0 {
		if p.Role != pd.RoleProgramAdmin {
			return nil, 0, pd.Errorf(pd.EForbidden, "Only program admins manage the vendor's users.")
		}
		return p, 0, nil
	}
	if err := canViewPartner(ctx, t, p, id); err != nil {
		return nil, 0, err
	}
	if p.Role != pd.RoleProgramAdmin && write {
		return nil, 0, pd.Errorf(pd.EForbidden, "Only the partner's admins and program admins manage its users.")
	}
	return p, id, nil
}

// userCols are scanned by scanUser: the user u, with its status.
const userCols = `u.id, u.email, u.name, u.role, COALESCE(u.partner_id, 0),
	CASE WHEN u.deactivated_at IS NOT NULL THEN 'deactivated' WHEN u.password_hash = '' THEN 'invited' ELSE 'active' END,
	u.last_sign_in_at, u.invited_at, u.language`

func scanUser(row scanner, extra ...any) (pd.User, error) {
	var u pd.User
	var role string
	var last, invited sql.NullTime
	err := row.Scan(append([]any{&u.ID, &u.Email, &u.Name, &role, &u.PartnerID, &u.Status, &last, &invited, &u.Language}, extra...)...)
	u.Role, u.LastSignIn, u.InvitedAt = pd.Role(role), last.Time, invited.Time
	return u, err
}

// maxListedUsers bounds a users page.
const maxListedUsers = 1000

// ListUsers lists the users in the principal's scope (usersScope), by name.
func (db *DB) ListUsers(ctx context.Context) ([]pd.User, error) {
	var us []pd.User
	err := db.view(ctx, func(t *tx) error {
		_, partnerID, err := usersScope(ctx, t, false)
		if err != nil {
			return err
		}
		rows, err := t.query(ctx, `SELECT `+userCols+`,
				(SELECT COUNT(*) FROM client_assignments ca JOIN client_partners cp ON cp.client_id = ca.client_id
					AND cp.partner_id = ca.partner_id AND cp.ended_on IS NULL WHERE ca.user_id = u.id),
				(SELECT MAX(a.day) FROM partner_activity a WHERE a.user_id = u.id AND a.partner_id = ?)
			FROM users u WHERE COALESCE(u.partner_id, 0) = ?
			ORDER BY lower(u.name), u.id LIMIT ?`, partnerID, partnerID, maxListedUsers)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var u pd.User
			var assigned int
			var last pd.Date
			if u, err = scanUser(rows, &assigned, &last); err != nil {
				return err
			}
			u.Assigned, u.LastActivity = assigned, last
			us = append(us, u)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// scopedUser loads user id of partnerID's users (0: the vendor's).
func scopedUser(ctx context.Context, t *tx, partnerID, id int64) (pd.User, error) {
	u, err := scanUser(t.queryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = ? AND COALESCE(u.partner_id, 0) = ?`, id, partnerID))
	if err != nil {
		return u, notFound(err, "User not found.")
	}
	return u, nil
}

// InviteUser adds an invited user to the principal's scope and queues its
// invitation, in one transaction: both are stored, or neither. A vendor
// user is linked to the staff profile with its email, if there is one.
func (db *DB) InviteUser(ctx context.Context, m pd.Mailer, inv pd.Invitation) (int64, error) {
	var id int64
	err := db.update(ctx, func(t *tx) error {
		p, partnerID, err := usersScope(ctx, t, true)
		if err != nil {
			return err
		}
		inv.PartnerID = partnerID
		if err := inv.Validate(); err != nil {
			return err
		}
		staff := "NULL"
		if partnerID == 0 {
			staff = "(SELECT MIN(id) FROM staff WHERE lower(email) = ?)"
		}
		args := []any{inv.Email, inv.Name, string(inv.Role), nullID(partnerID), t.now, t.now}
		if partnerID == 0 {
			args = append(args, inv.Email)
		}
		id, err = t.insert(ctx, `INSERT INTO users (email, name, password_hash, role, partner_id, created_at, invited_at, staff_id)
			VALUES (?, ?, '', ?, ?, ?, ?, `+staff+`)`, args...)
		if err != nil {
			if err := mapError(err, "A user"); pd.ErrorCode(err) == pd.EConflict {
				return pd.Errorf(pd.EConflict, "%s already has an account.", inv.Email)
			}
			return err
		}
		u, err := scopedUser(ctx, t, partnerID, id)
		if err != nil {
			return err
		}
		if err := sendInvitation(ctx, t, m, p, u); err != nil {
			return err
		}
		return audit(ctx, t, partnerID, "invite_user", "user", u.Email, string(u.Role))
	})
	if err != nil {
		return 0, fmt.Errorf("invite user: %w", err)
	}
	return id, nil
}

// sendInvitation ends u's earlier invitation links and queues a new one
// from p.
func sendInvitation(ctx context.Context, t *tx, m pd.Mailer, p *pd.Principal, u pd.User) error {
	if err := endTokens(ctx, t, u.ID, purposeInvitation); err != nil {
		return err
	}
	token, expires, err := newUserToken(ctx, t, purposeInvitation, u.ID, pd.InvitationLinkTTL)
	if err != nil {
		return err
	}
	prog, err := program(ctx, t)
	if err != nil {
		return err
	}
	// The invitee has chosen no language yet: the invitation is in the
	// inviter's.
	if u.Language == "" {
		u.Language = p.Language
	}
	n := pd.InvitationNotice{User: u, InvitedBy: p.Name, Program: prog.Name, Expires: expires}
	if u.PartnerID != 0 {
		if err := t.queryRow(ctx, "SELECT name FROM partners WHERE id = ?", u.PartnerID).Scan(&n.Partner); err != nil {
			return fmt.Errorf("load partner %d: %w", u.PartnerID, err)
		}
	}
	msg, err := m.Invitation(n, token)
	if err != nil {
		return fmt.Errorf("render the invitation: %w", err)
	}
	_, err = queueEmail(ctx, t, msg, u.ID, "")
	return err
}

// ResendInvitation sends an invited user of the principal's scope a new
// invitation link; the earlier ones stop working.
func (db *DB) ResendInvitation(ctx context.Context, m pd.Mailer, userID int64) error {
	err := db.update(ctx, func(t *tx) error {
		p, partnerID, err := usersScope(ctx, t, true)
		if err != nil {
			return err
		}
		u, err := scopedUser(ctx, t, partnerID, userID)
		if err != nil {
			return err
		}
		if u.Status != pd.UserInvited {
			return pd.Errorf(pd.EConflict, "%s is not waiting for an invitation (%s).", u.Email, u.Status)
		}
		if err := sendInvitation(ctx, t, m, p, u); err != nil {
			return err
		}
		return audit(ctx, t, partnerID, "resend_invitation", "user", u.Email, "")
	})
	return wrap(err, "resend invitation")
}

// changeOther loads user userID of the principal's scope, and the scope,
// for a change that no one makes to their own account (they could lock
// themselves out).
func changeOther(ctx context.Context, t *tx, userID int64) (int64, pd.User, error) {
	p, partnerID, err := usersScope(ctx, t, true)
	if err != nil {
		return 0, pd.User{}, err
	}
	u, err := scopedUser(ctx, t, partnerID, userID)
	if err != nil {
		return 0, u, err
	}
	if u.ID == p.UserID {
		return 0, u, pd.Errorf(pd.EForbidden, "You cannot change your own role or deactivate yourself; ask another admin.")
	}
	return partnerID, u, nil
}

// SetUserRole gives a user of the principal's scope another role of that
// scope: a partner's user stays a partner admin or employee, a vendor
// user keeps a staff role.
func (db *DB) SetUserRole(ctx context.Context, userID int64, role pd.Role) error {
	err := db.update(ctx, func(t *tx) error {
		partnerID, u, err := changeOther(ctx, t, userID)
		if err != nil {
			return err
		}
		if err := pd.CheckRoleFor(partnerID, role); err != nil {
			return err
		}
		if role == u.Role {
			return nil
		}
		if _, err := t.exec(ctx, "UPDATE users SET role = ? WHERE id = ?", string(role), u.ID); err != nil {
			return err
		}
		return audit(ctx, t, partnerID, "change_role", "user", u.Email, fmt.Sprintf("%s → %s", u.Role, role))
	})
	return wrap(err, "change role")
}

// DeactivateUser deactivates a user of the principal's scope: its
// sessions end at once, its links stop working, it can no longer sign
// in, and everything it did stays.
func (db *DB) DeactivateUser(ctx context.Context, userID int64) error {
	err := db.update(ctx, func(t *tx) error {
		partnerID, u, err := changeOther(ctx, t, userID)
		if err != nil {
			return err
		}
		if u.Status == pd.UserDeactivated {
			return nil
		}
		if _, err := t.exec(ctx, "UPDATE users SET deactivated_at = ? WHERE id = ?", t.now, u.ID); err != nil {
			return err
		}
		n, err := endSessions(ctx, t, u.ID, 0)
		if err != nil {
			return err
		}
		if err := endTokens(ctx, t, u.ID, ""); err != nil {
			return err
		}
		return audit(ctx, t, partnerID, "deactivate_user", "user", u.Email, fmt.Sprintf("%d sessions ended", n))
	})
	return wrap(err, "deactivate user")
}

// ReactivateUser lets a deactivated user of the principal's scope sign in
// again (one that never accepted its invitation needs a new one).
func (db *DB) ReactivateUser(ctx context.Context, userID int64) error {
	err := db.update(ctx, func(t *tx) error {
		partnerID, u, err := changeOther(ctx, t, userID)
		if err != nil {
			return err
		}
		if u.Status != pd.UserDeactivated {
			return nil
		}
		if _, err := t.exec(ctx, "UPDATE users SET deactivated_at = NULL WHERE id = ?", u.ID); err != nil {
			return err
		}
		return audit(ctx, t, partnerID, "reactivate_user", "user", u.Email, "")
	})
	return wrap(err, "reactivate user")
}

// notFound turns "no rows" into a not-found error saying msg.
func notFound(err error, msg string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return pd.Errorf(pd.ENotFound, "%s", msg)
	}
	return err
}

// wrap says what was being done when err (if any) happened.
func wrap(err error, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
