package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// Password reset by email, asked for on a public page. A request is
// counted in the database like a sign-in attempt (sign_in_counters, in
// scopes of its own), per address asked for and per address asking,
// before anything is looked up; whether the account exists changes what
// is stored, never the answer.

// ResetLimits bound the reset requests: per account (the address asked
// for, known or not) and per client address.
type ResetLimits struct {
	Account SignInLimit
	Address SignInLimit
}

// DefaultResetLimits are the limits the server applies: a few emails an
// hour to one address, so that nobody's mailbox is flooded.
var DefaultResetLimits = ResetLimits{
	Account: SignInLimit{Max: 5, Window: time.Hour},
	Address: SignInLimit{Max: 20, Window: time.Hour},
}

// The scopes of reset requests, in lock order.
const (
	scopeResetAccount = "reset_account"
	scopeResetAddress = "reset_address"
)

// RequestPasswordReset counts a request to reset the password of the
// account email from address and, unless a limit refuses it (retryAfter
// > 0, nothing counted, nothing sent), queues the reset link to the user
// if one with that email can sign in, in the same transaction as the
// link's token.
func (db *DB) RequestPasswordReset(ctx context.Context, m pd.Mailer, l ResetLimits, email, address string) (retryAfter time.Duration, err error) {
	email = strings.ToLower(strings.TrimSpace(email))
	subjects := signInSubjects(email, address)
	err = db.update(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `INSERT INTO sign_in_counters (scope, subject, window_end, attempts)
			VALUES (?, ?, ?, 1), (?, ?, ?, 1)
			ON CONFLICT (scope, subject) DO UPDATE SET
				attempts = CASE WHEN sign_in_counters.window_end <= ? THEN 1 ELSE sign_in_counters.attempts + 1 END,
				window_end = CASE WHEN sign_in_counters.window_end <= ? THEN excluded.window_end ELSE sign_in_counters.window_end END
			RETURNING scope, attempts, window_end`,
			scopeResetAccount, subjects[0], t.now.Add(l.Account.Window),
			scopeResetAddress, subjects[1], t.now.Add(l.Address.Window), t.now, t.now)
		if err != nil {
			return err
		}
		limits := map[string]SignInLimit{scopeResetAccount: l.Account, scopeResetAddress: l.Address}
		for rows.Next() {
			var scope string
			var attempts int
			var end time.Time
			if err := rows.Scan(&scope, &attempts, &end); err != nil {
				rows.Close()
				return err
			}
			if attempts > limits[scope].Max {
				retryAfter = max(retryAfter, end.Sub(t.now))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if retryAfter > 0 {
			return errSignInRefused // rolls the counts back
		}
		u, err := scanUser(t.queryRow(ctx, `SELECT `+userCols+` FROM users u
			WHERE u.email = ? AND u.deactivated_at IS NULL AND u.password_hash <> ''`, email))
		if err == sql.ErrNoRows {
			return nil
		} else if err != nil {
			return err
		}
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		token, expires, err := newUserToken(ctx, t, purposeReset, u.ID, pd.ResetLinkTTL)
		if err != nil {
			return err
		}
		msg, err := m.Reset(pd.ResetNotice{User: u, Program: prog.Name, Expires: expires}, token)
		if err != nil {
			return fmt.Errorf("render the reset email: %w", err)
		}
		_, err = queueEmail(ctx, t, msg, u.ID, "")
		return err
	})
	if errors.Is(err, errSignInRefused) {
		return retryAfter, nil
	} else if err != nil {
		return 0, fmt.Errorf("request a password reset: %w", err)
	}
	return 0, nil
}

// ResetLink returns the user whose live reset link token is, for its page.
func (db *DB) ResetLink(ctx context.Context, token string) (*pd.User, error) {
	var u pd.User
	err := db.view(ctx, func(t *tx) (err error) {
		u, err = tokenUser(ctx, t, purposeReset, token)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// ResetPassword sets the password hash of the user whose live reset link
// token is, uses the link up with every other reset link of the user, and
// ends all of the user's sessions: whoever knew the old password, or held
// a session, is out. A used or expired link changes nothing.
func (db *DB) ResetPassword(ctx context.Context, token, hash string) error {
	err := db.update(ctx, func(t *tx) error {
		userID, err := useToken(ctx, t, purposeReset, token)
		if err != nil {
			return err
		}
		u, err := tokenUserByID(ctx, t, userID)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", hash, u.ID); err != nil {
			return err
		}
		if err := endTokens(ctx, t, u.ID, purposeReset); err != nil {
			return err
		}
		n, err := endSessions(ctx, t, u.ID, 0)
		if err != nil {
			return err
		}
		return audit(actingAs(ctx, u), t, u.PartnerID, "reset_password", "user", u.Email, fmt.Sprintf("%d sessions ended", n))
	})
	return wrap(err, "reset password")
}
