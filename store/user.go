package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// NewUser is what CreateUser needs; PasswordHash is already hashed.
type NewUser struct {
	Email        string
	Name         string
	PasswordHash string
	Role         pd.Role
	PartnerID    int64 // partner users
	StaffID      int64 // vendor staff, optional
}

// CreateUser adds a user. It is used by the CLI and the demo, which act
// as the operator, so it checks the data rather than a principal.
func (db *DB) CreateUser(ctx context.Context, u NewUser) (int64, error) {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	switch {
	case !strings.Contains(u.Email, "@"):
		return 0, pd.Errorf(pd.EInvalid, "Email %q is not an email address.", u.Email)
	case strings.TrimSpace(u.Name) == "":
		return 0, pd.Errorf(pd.EInvalid, "A name is required.")
	case !u.Role.Valid():
		return 0, pd.Errorf(pd.EInvalid, "Unknown role %q.", u.Role)
	case u.Role.IsPartner() && u.PartnerID == 0:
		return 0, pd.Errorf(pd.EInvalid, "A %s needs a partner.", u.Role)
	case !u.Role.IsPartner() && u.PartnerID != 0:
		return 0, pd.Errorf(pd.EInvalid, "A %s belongs to the vendor, not to a partner.", u.Role)
	}
	var id int64
	err := db.update(ctx, func(t *tx) (err error) {
		id, err = t.insert(ctx, `INSERT INTO users (email, name, password_hash, role, partner_id, staff_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, u.Email, u.Name, u.PasswordHash, string(u.Role),
			nullID(u.PartnerID), nullID(u.StaffID), t.now)
		return mapError(err, "User "+u.Email)
	})
	if err != nil {
		return 0, fmt.Errorf("create user: %w", err)
	}
	return id, nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// PartnerIDByExternalID resolves a partner's external id (for the CLI).
func (db *DB) PartnerIDByExternalID(ctx context.Context, ext string) (int64, error) {
	var id int64
	err := db.view(ctx, func(t *tx) error {
		return t.queryRow(ctx, "SELECT id FROM partners WHERE external_id = ?", ext).Scan(&id)
	})
	if err == sql.ErrNoRows {
		return 0, pd.Errorf(pd.ENotFound, "No partner has the id %q.", ext)
	}
	return id, err
}

// Credentials returns a user's id and password hash for sign-in. A
// deactivated user is not found; an invited one has no password yet (its
// hash is "", which no password matches).
func (db *DB) Credentials(ctx context.Context, email string) (int64, string, error) {
	var id int64
	var hash string
	err := db.view(ctx, func(t *tx) error {
		return t.queryRow(ctx, "SELECT id, password_hash FROM users WHERE email = ? AND deactivated_at IS NULL",
			strings.ToLower(strings.TrimSpace(email))).Scan(&id, &hash)
	})
	if err == sql.ErrNoRows {
		return 0, "", pd.Errorf(pd.EUnauthorized, "Wrong email or password.")
	}
	return id, hash, err
}

// UpgradePasswordHash replaces a user's password hash by one of the same
// password made with the current parameters, at sign-in. It replaces only
// old, so that a password changed meanwhile stays changed.
func (db *DB) UpgradePasswordHash(ctx context.Context, userID int64, old, upgraded string) error {
	err := db.update(ctx, func(t *tx) error {
		_, err := t.exec(ctx, "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?", upgraded, userID, old)
		return err
	})
	if err != nil {
		return fmt.Errorf("upgrade password hash of user %d: %w", userID, err)
	}
	return nil
}

// Session is a signed-in browser session.
type Session struct {
	Token     string // the cookie value; only its hash is stored
	CSRFToken string
	ExpiresAt time.Time
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// CreateSession starts a session for a user who proved their password,
// and records the sign-in on the user, unless the user's partner is
// deactivated (forbidden: the user knows the password, so saying why gives
// nothing away).
func (db *DB) CreateSession(ctx context.Context, userID int64, ttl time.Duration, ip, userAgent string) (*Session, error) {
	return db.CreateSessionVia(ctx, userID, SignInPassword, ttl, ip, userAgent)
}

// CreateSessionVia starts a session for a user who signed in by method
// (SignInPassword, SignInTwoFactor or SignInSSO).
func (db *DB) CreateSessionVia(ctx context.Context, userID int64, method string, ttl time.Duration, ip, userAgent string) (*Session, error) {
	s := &Session{Token: randomToken(), CSRFToken: randomToken()}
	err := db.update(ctx, func(t *tx) error {
		var off int
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM users u JOIN partners p ON p.id = u.partner_id
			WHERE u.id = ? AND p.deactivated_at IS NOT NULL`, userID).Scan(&off); err != nil {
			return err
		}
		if off > 0 {
			return pd.Errorf(pd.EForbidden, "Your partner's account is deactivated: its users cannot sign in. Ask the program team.")
		}
		s.ExpiresAt = t.now.Add(ttl)
		_, err := t.exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, ip, user_agent, sign_in_method, last_seen_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, hashToken(s.Token), userID, s.CSRFToken, t.now, s.ExpiresAt, ip, truncate(userAgent, 300), method, t.now)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, "UPDATE users SET last_sign_in_at = ? WHERE id = ?", t.now, userID)
		return err
	})
	if pd.ErrorCode(err) == pd.EForbidden {
		return nil, err
	} else if err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	return s, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// sessionSeenEvery is how stale a session's last_seen_at may get before
// a request writes it again: one write every few minutes, not per request.
const sessionSeenEvery = 5 * time.Minute

// SessionPrincipal returns the principal and CSRF token of a live session
// of a user who is not deactivated, and notes that the session was seen.
func (db *DB) SessionPrincipal(ctx context.Context, token string) (*pd.Principal, string, error) {
	var p pd.Principal
	var csrf, role string
	var partnerID, staffID sql.NullInt64
	var seen sql.NullTime
	var now time.Time
	err := db.view(ctx, func(t *tx) error {
		now = t.now
		// A deactivated partner's sessions are deleted with it; the check
		// stands for any started in the same instant.
		return t.queryRow(ctx, `SELECT s.id, s.csrf_token, s.last_seen_at, u.id, u.name, u.email, u.role, u.partner_id, u.staff_id, u.language
			FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN partners p ON p.id = u.partner_id
			WHERE s.token_hash = ? AND s.expires_at > ? AND u.deactivated_at IS NULL AND p.deactivated_at IS NULL`, hashToken(token), t.now).
			Scan(&p.SessionID, &csrf, &seen, &p.UserID, &p.Name, &p.Email, &role, &partnerID, &staffID, &p.Language)
	})
	if err == sql.ErrNoRows {
		return nil, "", pd.Errorf(pd.EUnauthorized, "Your session has ended; please sign in again.")
	} else if err != nil {
		return nil, "", fmt.Errorf("load session: %w", err)
	}
	if !seen.Valid || now.Sub(seen.Time) >= sessionSeenEvery {
		err := db.update(ctx, func(t *tx) error {
			_, err := t.exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", t.now, p.SessionID)
			return err
		})
		if err != nil {
			return nil, "", fmt.Errorf("note session seen: %w", err)
		}
	}
	p.Role, p.PartnerID, p.StaffID = pd.Role(role), partnerID.Int64, staffID.Int64
	return &p, csrf, nil
}

// DeleteSession signs one session out.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	return db.update(ctx, func(t *tx) error {
		_, err := t.exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", hashToken(token))
		return err
	})
}

// DeleteExpiredSessions deletes the sessions that have ended by the
// store's clock (sign-in no longer takes them) and returns how many. The
// daily refresh calls it; the refresh's own instant may be set in the
// future (refresh --at), which must not end live sessions.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	var n int64
	err := db.update(ctx, func(t *tx) error {
		res, err := t.exec(ctx, "DELETE FROM sessions WHERE expires_at <= ?", t.now)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return n, nil
}

// DeleteUserSessions signs the signed-in user out everywhere and returns
// how many sessions ended.
func (db *DB) DeleteUserSessions(ctx context.Context) (int64, error) {
	p := pd.PrincipalFrom(ctx)
	if p == nil {
		return 0, pd.Errorf(pd.EUnauthorized, "Please sign in.")
	}
	var n int64
	err := db.update(ctx, func(t *tx) error {
		res, err := t.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", p.UserID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return audit(ctx, t, p.PartnerID, "sign_out_everywhere", "user", p.Email, fmt.Sprintf("%d sessions", n))
	})
	return n, err
}

// Login is a user to sign in as, for the CLI's demo banner.
type Login struct {
	Email   string
	Role    pd.Role
	Partner string
}

// SampleLogins lists the vendor's users (program admins first, then
// partner managers, consultants and renewal managers) and the users of
// the first n partners (by id). It serves the operator at the command
// line, so it checks no principal.
func (db *DB) SampleLogins(ctx context.Context, n int) ([]Login, error) {
	var ls []Login
	err := db.view(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT u.email, u.role, COALESCE(p.name, '') FROM users u
			LEFT JOIN partners p ON p.id = u.partner_id
			WHERE u.partner_id IS NULL OR u.partner_id IN (SELECT id FROM partners ORDER BY id LIMIT ?)
			ORDER BY u.partner_id IS NOT NULL, u.partner_id, CASE u.role WHEN 'program_admin' THEN 0 WHEN 'partner_manager' THEN 1
				WHEN 'partner_consultant' THEN 2 ELSE 3 END, u.role, u.email LIMIT 50`, n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l Login
			var role string
			if err := rows.Scan(&l.Email, &role, &l.Partner); err != nil {
				return err
			}
			l.Role = pd.Role(role)
			ls = append(ls, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list sign-ins: %w", err)
	}
	return ls, nil
}
