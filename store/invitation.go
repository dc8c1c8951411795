package store

import (
	"context"

	pd "github.com/partnerdesk/partnerdesk"
)

// An invitation's public page: the invitee, signed out, opens the link of
// its email and sets its password. The invitation itself is sent by
// InviteUser and ResendInvitation (people.go).

// InvitationLink returns whom the live invitation link token invites, and
// to what, for its page.
func (db *DB) InvitationLink(ctx context.Context, token string) (*pd.InvitationNotice, error) {
	var n pd.InvitationNotice
	err := db.view(ctx, func(t *tx) (err error) {
		if n.User, err = tokenUser(ctx, t, purposeInvitation, token); err != nil {
			return err
		}
		if n.User.Status != pd.UserInvited {
			return errLinkGone
		}
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		n.Program = prog.Name
		if n.User.PartnerID != 0 {
			return t.queryRow(ctx, "SELECT name FROM partners WHERE id = ?", n.User.PartnerID).Scan(&n.Partner)
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err, "load invitation")
	}
	return &n, nil
}

// AcceptInvitation sets the first password hash of the user the live
// invitation link token invites, and uses the link up: a second
// acceptance, or one after the user was deactivated, changes nothing. It
// returns the user's id, to sign it in.
func (db *DB) AcceptInvitation(ctx context.Context, token, hash string) (int64, error) {
	var id int64
	err := db.update(ctx, func(t *tx) error {
		userID, err := useToken(ctx, t, purposeInvitation, token)
		if err != nil {
			return err
		}
		u, err := tokenUserByID(ctx, t, userID)
		if err != nil {
			return err
		}
		// Only a user without a password accepts: one that has set it
		// meanwhile (by another link of the same email) is not invited.
		res, err := t.exec(ctx, "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ''", hash, u.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errLinkGone
		}
		id = u.ID
		return audit(actingAs(ctx, u), t, u.PartnerID, "accept_invitation", "user", u.Email, string(u.Role))
	})
	return id, wrap(err, "accept invitation")
}
