package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// The secrets of the links sent by email: a password reset's and an
// invitation's. Like a session's, a token is random (256 bits) and only
// its SHA-256 is stored; a link works once, until it expires.

// Token purposes.
const (
	purposeReset      = "password_reset"
	purposeInvitation = "invitation"
)

// newUserToken stores a new token of purpose for userID, valid for ttl,
// and returns it with its expiry.
func newUserToken(ctx context.Context, t *tx, purpose string, userID int64, ttl time.Duration) (string, time.Time, error) {
	tok, expires := randomToken(), t.now.Add(ttl)
	_, err := t.exec(ctx, `INSERT INTO user_tokens (token_hash, purpose, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		hashToken(tok), purpose, userID, t.now, expires)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("store %s token: %w", purpose, err)
	}
	return tok, expires, nil
}

// tokenUser is the user a live token of purpose belongs to; a used or
// expired token, or one of a deactivated user, is not found.
func tokenUser(ctx context.Context, t *tx, purpose, token string) (pd.User, error) {
	u, err := scanUser(t.queryRow(ctx, `SELECT `+userCols+` FROM user_tokens k JOIN users u ON u.id = k.user_id
		WHERE k.token_hash = ? AND k.purpose = ? AND k.used_at IS NULL AND k.expires_at > ? AND u.deactivated_at IS NULL`,
		hashToken(token), purpose, t.now))
	if err == sql.ErrNoRows {
		return u, errLinkGone
	}
	return u, err
}

// tokenUserByID is the user of a token just used, if it may still use it:
// one deactivated meanwhile may not.
func tokenUserByID(ctx context.Context, t *tx, userID int64) (pd.User, error) {
	u, err := scanUser(t.queryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = ? AND u.deactivated_at IS NULL`, userID))
	if err == sql.ErrNoRows {
		return u, errLinkGone
	}
	return u, err
}

// errLinkGone is the answer to a link that is used, expired, or never was:
// the same for all three.
var errLinkGone = pd.Errorf(pd.ENotFound, "This link has expired or has already been used.")

// useToken marks a live token of purpose used, in one statement so that
// two requests racing with one link cannot both use it, and returns its
// user's id.
func useToken(ctx context.Context, t *tx, purpose, token string) (int64, error) {
	var userID int64
	err := t.queryRow(ctx, `UPDATE user_tokens SET used_at = ?
		WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`,
		t.now, hashToken(token), purpose, t.now).Scan(&userID)
	if err == sql.ErrNoRows {
		return 0, errLinkGone
	} else if err != nil {
		return 0, fmt.Errorf("use %s link: %w", purpose, err)
	}
	return userID, nil
}

// endTokens marks every live token of userID used (of purpose, or of
// any purpose when purpose is ""): its links stop working.
func endTokens(ctx context.Context, t *tx, userID int64, purpose string) error {
	q, args := "UPDATE user_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL", []any{t.now, userID}
	if purpose != "" {
		q, args = q+" AND purpose = ?", append(args, purpose)
	}
	if _, err := t.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("end the links of user %d: %w", userID, err)
	}
	return nil
}

// actingAs is ctx with u as its principal, for the audit of a change
// that a signed-out visitor makes with a link only u received.
func actingAs(ctx context.Context, u pd.User) context.Context {
	return pd.WithPrincipal(ctx, &pd.Principal{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, PartnerID: u.PartnerID})
}
