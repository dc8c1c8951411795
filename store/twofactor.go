package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// Two-factor sign-in: a user's sealed TOTP secret, their recovery codes,
// and the sign-ins that wait for a code. The store keeps and spends what
// package twofactor makes and checks; it never sees a secret in clear.

// TwoFactor is a user's second factor.
type TwoFactor struct {
	// Secret is the sealed TOTP secret; "" when the user has none.
	Secret string
	// Confirmed says the user entered a code from their app: from then
	// on, sign-in asks for one.
	Confirmed bool
	// LastStep is the last TOTP step whose code was accepted.
	LastStep int64
	// RecoveryCodesLeft counts the recovery codes not used yet.
	RecoveryCodesLeft int
}

// SecondFactor is a proof offered after the password: the TOTP step whose
// code matched, or the hash of a recovery code.
type SecondFactor struct {
	Step         int64
	RecoveryHash string
}

// How a session was signed in (sessions.sign_in_method).
const (
	SignInPassword  = "password"
	SignInTwoFactor = "two_factor"
	SignInSSO       = "sso"
)

func twoFactorOf(ctx context.Context, t *tx, userID int64) (TwoFactor, error) {
	var f TwoFactor
	var confirmed sql.NullTime
	err := t.queryRow(ctx, `SELECT f.secret, f.confirmed_at, f.last_step,
			(SELECT COUNT(*) FROM recovery_codes r WHERE r.user_id = f.user_id AND r.used_at IS NULL)
		FROM two_factor f WHERE f.user_id = ?`, userID).Scan(&f.Secret, &confirmed, &f.LastStep, &f.RecoveryCodesLeft)
	if err == sql.ErrNoRows {
		return TwoFactor{}, nil
	} else if err != nil {
		return f, fmt.Errorf("load two-factor sign-in of user %d: %w", userID, err)
	}
	f.Confirmed = confirmed.Valid
	return f, nil
}

// TwoFactorOf returns the second factor of a user whose password was
// just checked, at sign-in (no one is signed in yet).
func (db *DB) TwoFactorOf(ctx context.Context, userID int64) (TwoFactor, error) {
	var f TwoFactor
	err := db.view(ctx, func(t *tx) (err error) {
		f, err = twoFactorOf(ctx, t, userID)
		return err
	})
	return f, err
}

// OwnTwoFactor returns the signed-in user's second factor.
func (db *DB) OwnTwoFactor(ctx context.Context) (TwoFactor, error) {
	p := pd.PrincipalFrom(ctx)
	if p == nil || p.UserID == 0 {
		return TwoFactor{}, pd.Errorf(pd.EUnauthorized, "Please sign in.")
	}
	return db.TwoFactorOf(ctx, p.UserID)
}

// BeginTwoFactor keeps a new sealed secret for the signed-in user until
// they confirm it with a code; it replaces one not confirmed yet. A user
// whose two-factor sign-in is on turns it off first.
func (db *DB) BeginTwoFactor(ctx context.Context, sealed string) error {
	p := pd.PrincipalFrom(ctx)
	if p == nil || p.UserID == 0 {
		return pd.Errorf(pd.EUnauthorized, "Please sign in.")
	}
	err := db.update(ctx, func(t *tx) error {
		res, err := t.exec(ctx, `INSERT INTO two_factor (user_id, secret, created_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, last_step = 0
			WHERE two_factor.confirmed_at IS NULL`, p.UserID, sealed, t.now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return pd.Errorf(pd.EConflict, "Two-factor sign-in is on already.")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("begin two-factor sign-in: %w", err)
	}
	return nil
}

// ConfirmTwoFactor turns the signed-in user's two-factor sign-in on, once
// they entered the code of step from their app, and gives them the
// recovery codes of hashes. The step counts as used. It is audited.
func (db *DB) ConfirmTwoFactor(ctx context.Context, step int64, hashes []string) error {
	p := pd.PrincipalFrom(ctx)
	if p == nil || p.UserID == 0 {
		return pd.Errorf(pd.EUnauthorized, "Please sign in.")
	}
	err := db.update(ctx, func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE two_factor SET confirmed_at = ?, last_step = ?
			WHERE user_id = ? AND confirmed_at IS NULL AND last_step < ?`, t.now, step, p.UserID, step)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return pd.Errorf(pd.EConflict, "Two-factor sign-in is on already, or was not started: start again.")
		}
		if err := replaceRecoveryCodes(ctx, t, p.UserID, hashes); err != nil {
			return err
		}
		return audit(ctx, t, p.PartnerID, "two_factor_on", "user", p.Email, "")
	})
	if err != nil {
		return fmt.Errorf("turn on two-factor sign-in: %w", err)
	}
	return nil
}

// ReplaceRecoveryCodes gives the signed-in user new recovery codes, the
// old ones no longer working. It is audited.
func (db *DB) ReplaceRecoveryCodes(ctx context.Context, hashes []string) error {
	p := pd.PrincipalFrom(ctx)
	if p == nil || p.UserID == 0 {
		return pd.Errorf(pd.EUnauthorized, "Please sign in.")
	}
	err := db.update(ctx, func(t *tx) error {
		if f, err := twoFactorOf(ctx, t, p.UserID); err != nil {
			return err
		} else if !f.Confirmed {
			return pd.Errorf(pd.EConflict, "Two-factor sign-in is off.")
		}
		if err := replaceRecoveryCodes(ctx, t, p.UserID, hashes); err != nil {
			return err
		}
		return audit(ctx, t, p.PartnerID, "recovery_codes_replaced", "user", p.Email, "")
	})
	if err != nil {
		return fmt.Errorf("replace recovery codes: %w", err)
	}
	return nil
}

func replaceRecoveryCodes(ctx context.Context, t *tx, userID int64, hashes []string) error {
	if _, err := t.exec(ctx, "DELETE FROM recovery_codes WHERE user_id = ?", userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := t.exec(ctx, "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)", userID, h); err != nil {
			return err
		}
	}
	return nil
}

// DisableTwoFactor turns the signed-in user's two-factor sign-in off and
// deletes their secret and recovery codes. It is audited.
func (db *DB) DisableTwoFactor(ctx context.Context) error {
	p := pd.PrincipalFrom(ctx)
	if p == nil || p.UserID == 0 {
		return pd.Errorf(pd.EUnauthorized, "Please sign in.")
	}
	err := db.update(ctx, func(t *tx) error {
		if _, err := t.exec(ctx, "DELETE FROM recovery_codes WHERE user_id = ?", p.UserID); err != nil {
			return err
		}
		res, err := t.exec(ctx, "DELETE FROM two_factor WHERE user_id = ? AND confirmed_at IS NOT NULL", p.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return pd.Errorf(pd.EConflict, "Two-factor sign-in is off already.")
		}
		return audit(ctx, t, p.PartnerID, "two_factor_off", "user", p.Email, "")
	})
	if err != nil {
		return fmt.Errorf("turn off two-factor sign-in: %w", err)
	}
	return nil
}

// spend uses f for userID: a TOTP step later than the last one used, or a
// recovery code not used yet. It reports false when f was spent already,
// by this request or a concurrent one: each statement is a compare and
// set, so a code works once whatever the number of servers.
func spend(ctx context.Context, t *tx, userID int64, f SecondFactor) (bool, error) {
	var res sql.Result
	var err error
	if f.RecoveryHash != "" {
		res, err = t.exec(ctx, `UPDATE recovery_codes SET used_at = ?
			WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`, t.now, userID, f.RecoveryHash)
	} else {
		res, err = t.exec(ctx, `UPDATE two_factor SET last_step = ?
			WHERE user_id = ? AND confirmed_at IS NOT NULL AND last_step < ?`, f.Step, userID, f.Step)
	}
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SpendSecondFactor uses f for the signed-in user (to turn two-factor
// sign-in off, or to replace recovery codes): false when it was used.
func (db *DB) SpendSecondFactor(ctx context.Context, f SecondFactor) (bool, error) {
	p := pd.PrincipalFrom(ctx)
	if p == nil || p.UserID == 0 {
		return false, pd.Errorf(pd.EUnauthorized, "Please sign in.")
	}
	var ok bool
	err := db.update(ctx, func(t *tx) (err error) {
		ok, err = spend(ctx, t, p.UserID, f)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("use a two-factor code: %w", err)
	}
	return ok, nil
}

// PendingSignIn is a sign-in whose password was right, waiting for a code.
type PendingSignIn struct {
	UserID int64
	Email  string
	Next   string // where to go once signed in
}

// StartPendingSignIn records that userID's password was right and returns
// the token that the code's step presents, valid for ttl. It deletes the
// pending sign-ins that have ended, so that the table holds only live ones.
func (db *DB) StartPendingSignIn(ctx context.Context, userID int64, next string, ttl time.Duration) (string, error) {
	tok := randomToken()
	err := db.update(ctx, func(t *tx) error {
		if _, err := t.exec(ctx, "DELETE FROM pending_sign_ins WHERE expires_at <= ?", t.now); err != nil {
			return err
		}
		_, err := t.exec(ctx, "INSERT INTO pending_sign_ins (token_hash, user_id, next, expires_at) VALUES (?, ?, ?, ?)",
			hashToken(tok), userID, truncate(next, 2000), t.now.Add(ttl))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("start the second step of sign-in: %w", err)
	}
	return tok, nil
}

// PendingSignInOf returns the live pending sign-in of token; EUnauthorized
// when it has ended, was completed or never was.
func (db *DB) PendingSignInOf(ctx context.Context, token string) (PendingSignIn, error) {
	var ps PendingSignIn
	err := db.view(ctx, func(t *tx) error {
		return t.queryRow(ctx, `SELECT p.user_id, u.email, p.next FROM pending_sign_ins p JOIN users u ON u.id = p.user_id
			WHERE p.token_hash = ? AND p.expires_at > ?`, hashToken(token), t.now).Scan(&ps.UserID, &ps.Email, &ps.Next)
	})
	if err == sql.ErrNoRows {
		return ps, pd.Errorf(pd.EUnauthorized, "This sign-in has ended; enter your password again.")
	} else if err != nil {
		return ps, fmt.Errorf("load pending sign-in: %w", err)
	}
	return ps, nil
}

// FinishPendingSignIn spends f for the pending sign-in of token and ends
// it, in one transaction, so that the token works once: it reports false
// (and changes nothing) when f was used already or the token is no longer
// live.
func (db *DB) FinishPendingSignIn(ctx context.Context, token string, userID int64, f SecondFactor) (bool, error) {
	var ok bool
	err := db.update(ctx, func(t *tx) error {
		res, err := t.exec(ctx, "DELETE FROM pending_sign_ins WHERE token_hash = ? AND user_id = ? AND expires_at > ?",
			hashToken(token), userID, t.now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if ok, err = spend(ctx, t, userID, f); err != nil || !ok {
			ok = false
			return errNotSpent
		}
		return nil
	})
	if err == errNotSpent {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("finish sign-in with a code: %w", err)
	}
	return ok, nil
}

// errNotSpent rolls back a pending sign-in's end when its code was used.
var errNotSpent = errors.New("second factor used already")

// MustEnrolTwoFactor reports whether the signed-in user must turn on
// two-factor sign-in before anything else: a program admin, signed in with
// a password alone, while the program requires it of admins.
func (db *DB) MustEnrolTwoFactor(ctx context.Context) (bool, error) {
	p := pd.PrincipalFrom(ctx)
	if p == nil || p.Role != pd.RoleProgramAdmin || p.SessionID == 0 {
		return false, nil
	}
	var must bool
	err := db.view(ctx, func(t *tx) error {
		err := t.queryRow(ctx, `SELECT 1 FROM program g, sessions s
			WHERE g.id = 1 AND g.admin_two_factor AND s.id = ? AND s.sign_in_method <> ?
			AND NOT EXISTS (SELECT 1 FROM two_factor f WHERE f.user_id = ? AND f.confirmed_at IS NOT NULL)`,
			p.SessionID, SignInSSO, p.UserID).Scan(new(int))
		if err == sql.ErrNoRows {
			return nil
		}
		must = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("check two-factor enrolment: %w", err)
	}
	return must, nil
}
