package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// The signed-in user's own account: name, password, digest setting and
// sessions. Every method acts on the principal's user, never on one its
// arguments name.

// requireUser is the signed-in user (not an API token).
func requireUser(ctx context.Context) (*pd.Principal, error) {
	p := pd.PrincipalFrom(ctx)
	if p == nil || p.UserID == 0 {
		return nil, pd.Errorf(pd.EUnauthorized, "Please sign in.")
	}
	return p, nil
}

// maxListedSessions bounds the account page's list of sessions.
const maxListedSessions = 100

// Account returns the signed-in user's account, with its live sessions,
// the most recently seen first.
func (db *DB) Account(ctx context.Context) (*pd.Account, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	var a pd.Account
	err = db.view(ctx, func(t *tx) error {
		var role string
		if err := t.queryRow(ctx, "SELECT id, email, name, role, digest_emails, language FROM users WHERE id = ?", p.UserID).
			Scan(&a.ID, &a.Email, &a.Name, &role, &a.DigestEmails, &a.Language); err != nil {
			return err
		}
		a.Role = pd.Role(role)
		rows, err := t.query(ctx, `SELECT id, user_agent, ip, created_at, last_seen_at FROM sessions
			WHERE user_id = ? AND expires_at > ? ORDER BY COALESCE(last_seen_at, created_at) DESC, id DESC LIMIT ?`,
			p.UserID, t.now, maxListedSessions)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s pd.SessionInfo
			var seen sql.NullTime
			if err := rows.Scan(&s.ID, &s.UserAgent, &s.Address, &s.CreatedAt, &seen); err != nil {
				return err
			}
			s.LastSeen = s.CreatedAt
			if seen.Valid {
				s.LastSeen = seen.Time
			}
			s.Current = s.ID == p.SessionID
			a.Sessions = append(a.Sessions, s)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("load account: %w", err)
	}
	return &a, nil
}

// SetAccountName changes the signed-in user's name.
func (db *DB) SetAccountName(ctx context.Context, name string) error {
	p, err := requireUser(ctx)
	if err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	if err := pd.ValidName(name); err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		if _, err := t.exec(ctx, "UPDATE users SET name = ? WHERE id = ?", name, p.UserID); err != nil {
			return fmt.Errorf("change name: %w", err)
		}
		return audit(ctx, t, p.PartnerID, "change_name", "user", p.Email, name)
	})
}

// SetDigestEmails turns the signed-in user's daily digest on or off.
func (db *DB) SetDigestEmails(ctx context.Context, on bool) error {
	p, err := requireUser(ctx)
	if err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		if _, err := t.exec(ctx, "UPDATE users SET digest_emails = ? WHERE id = ?", on, p.UserID); err != nil {
			return fmt.Errorf("set digest emails: %w", err)
		}
		detail := "off"
		if on {
			detail = "on"
		}
		return audit(ctx, t, p.PartnerID, "set_digest_emails", "user", p.Email, detail)
	})
}

// SetLanguage sets the signed-in user's language (a code the caller
// checked, or "" to follow the browser).
func (db *DB) SetLanguage(ctx context.Context, code string) error {
	p, err := requireUser(ctx)
	if err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		if _, err := t.exec(ctx, "UPDATE users SET language = ? WHERE id = ?", code, p.UserID); err != nil {
			return fmt.Errorf("set language: %w", err)
		}
		return nil
	})
}

// PasswordHash is the signed-in user's password hash, for checking the
// current password before a change.
func (db *DB) PasswordHash(ctx context.Context) (string, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return "", err
	}
	var hash string
	err = db.view(ctx, func(t *tx) error {
		return t.queryRow(ctx, "SELECT password_hash FROM users WHERE id = ?", p.UserID).Scan(&hash)
	})
	if err != nil {
		return "", fmt.Errorf("load password hash: %w", err)
	}
	return hash, nil
}

// ChangePassword replaces the signed-in user's password hash old (the
// one its current password was checked against) by hash, and ends its
// other sessions: whoever else knew the old password is signed out. A
// password changed meanwhile is a conflict.
func (db *DB) ChangePassword(ctx context.Context, old, hash string) error {
	p, err := requireUser(ctx)
	if err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		res, err := t.exec(ctx, "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?", hash, p.UserID, old)
		if err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return pd.Errorf(pd.EConflict, "Your password was changed meanwhile; sign in again.")
		}
		n, err := endSessions(ctx, t, p.UserID, p.SessionID)
		if err != nil {
			return err
		}
		return audit(ctx, t, p.PartnerID, "change_password", "user", p.Email, fmt.Sprintf("%d other sessions ended", n))
	})
}

// endSessions deletes the sessions of userID but keep (0: all of them)
// and returns how many ended.
func endSessions(ctx context.Context, t *tx, userID, keep int64) (int64, error) {
	res, err := t.exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND id <> ?", userID, keep)
	if err != nil {
		return 0, fmt.Errorf("end sessions of user %d: %w", userID, err)
	}
	return res.RowsAffected()
}

// RevokeSession ends one of the signed-in user's sessions (the current
// one too, which signs it out); another user's is not found.
func (db *DB) RevokeSession(ctx context.Context, sessionID int64) error {
	p, err := requireUser(ctx)
	if err != nil {
		return err
	}
	return db.update(ctx, func(t *tx) error {
		var agent, ip string
		var created time.Time
		err := t.queryRow(ctx, "DELETE FROM sessions WHERE id = ? AND user_id = ? RETURNING user_agent, ip, created_at",
			sessionID, p.UserID).Scan(&agent, &ip, &created)
		if err == sql.ErrNoRows {
			return pd.Errorf(pd.ENotFound, "That session has already ended.")
		} else if err != nil {
			return fmt.Errorf("revoke session: %w", err)
		}
		return audit(ctx, t, p.PartnerID, "revoke_session", "user", p.Email,
			fmt.Sprintf("signed in %s from %s", created.UTC().Format(time.RFC3339), ip))
	})
}

// RevokeOtherSessions ends every session of the signed-in user but the
// current one, and returns how many ended.
func (db *DB) RevokeOtherSessions(ctx context.Context) (int64, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	err = db.update(ctx, func(t *tx) error {
		if n, err = endSessions(ctx, t, p.UserID, p.SessionID); err != nil {
			return err
		}
		return audit(ctx, t, p.PartnerID, "revoke_other_sessions", "user", p.Email, fmt.Sprintf("%d sessions", n))
	})
	return n, err
}
