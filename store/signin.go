package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Sign-in limits are counted here, in the database, so that every server
// process sharing it counts against the same limits. An attempt is
// counted (reserved) before its password is checked, in one statement, so
// that concurrent attempts cannot all slip under a limit; a right password
// gives its attempt back.

// SignInLimit allows Max failed attempts in a window of Window that starts
// with the first of them.
type SignInLimit struct {
	Max    int
	Window time.Duration
}

// SignInLimits are the limits of each scope an attempt is counted in.
type SignInLimits struct {
	// AccountAddress counts the attempts on one account from one address:
	// the owner's typos, or a guesser at one address. It is the only limit
	// of an address the account has signed in from before (Known).
	AccountAddress SignInLimit
	// Address counts the attempts from one address on every account.
	Address SignInLimit
	// Account counts the attempts on one account from every address: a
	// guesser with many addresses. Longer and larger, it slows such a
	// guesser down without locking the owner out, since an address known
	// to the account is not judged by it.
	Account SignInLimit
	// Known is how long a successful sign-in keeps its address known to
	// the account.
	Known time.Duration
}

// DefaultSignInLimits are the limits the server applies.
var DefaultSignInLimits = SignInLimits{
	AccountAddress: SignInLimit{Max: 5, Window: 15 * time.Minute},
	Address:        SignInLimit{Max: 20, Window: 15 * time.Minute},
	Account:        SignInLimit{Max: 100, Window: 24 * time.Hour},
	Known:          90 * 24 * time.Hour,
}

// The scopes, in the order their rows are locked: every statement that
// changes several rows takes them in this order, so that concurrent
// attempts on PostgreSQL cannot deadlock.
const (
	scopeAccount        = "account"
	scopeAddress        = "address"
	scopeAccountAddress = "account_address"
)

// SignInReservation is an attempt counted by ReserveSignIn, or refused.
type SignInReservation struct {
	// RetryAfter is, for a refused attempt, how long until the limit it
	// ran into lets attempts through again; 0 for a counted attempt.
	RetryAfter time.Duration
	// account, address and account_address subjects
	subjects [3]string
}

// signInSubjects are the subjects an attempt counts against. An IPv6
// address counts by its /64, which one subscriber usually holds whole.
func signInSubjects(account, address string) [3]string {
	if a, err := netip.ParseAddr(address); err == nil {
		a = a.Unmap().WithZone("")
		if a.Is6() {
			a = netip.PrefixFrom(a, 64).Masked().Addr()
		}
		address = a.String()
	}
	// An address holds no space, so the pair reads back unambiguously.
	return [3]string{account, address, address + " " + account}
}

var errSignInRefused = errors.New("sign-in attempt refused")

// ReserveSignIn counts an attempt to sign in to account from address
// before its password is checked, unless a limit of l refuses it
// (RetryAfter > 0, nothing counted). The attempt stays counted as a
// failure unless SignInSucceeded or CancelSignIn gives it back.
func (db *DB) ReserveSignIn(ctx context.Context, l SignInLimits, account, address string) (SignInReservation, error) {
	r := SignInReservation{subjects: signInSubjects(account, address)}
	limits := map[string]SignInLimit{scopeAccount: l.Account, scopeAddress: l.Address, scopeAccountAddress: l.AccountAddress}
	err := db.update(ctx, func(t *tx) error {
		// A counter whose window has ended starts a new one. The rows are
		// locked until the transaction ends, so that the check below and
		// the count are one step for concurrent attempts; a refused
		// attempt rolls its count back.
		rows, err := t.query(ctx, `INSERT INTO sign_in_counters (scope, subject, window_end, attempts)
			VALUES (?, ?, ?, 1), (?, ?, ?, 1), (?, ?, ?, 1)
			ON CONFLICT (scope, subject) DO UPDATE SET
				attempts = CASE WHEN sign_in_counters.window_end <= ? THEN 1 ELSE sign_in_counters.attempts + 1 END,
				window_end = CASE WHEN sign_in_counters.window_end <= ? THEN excluded.window_end ELSE sign_in_counters.window_end END
			RETURNING scope, attempts, window_end, known_until`,
			scopeAccount, r.subjects[0], t.now.Add(l.Account.Window),
			scopeAddress, r.subjects[1], t.now.Add(l.Address.Window),
			scopeAccountAddress, r.subjects[2], t.now.Add(l.AccountAddress.Window),
			t.now, t.now)
		if err != nil {
			return err
		}
		defer rows.Close()
		type counter struct {
			attempts int
			end      time.Time
		}
		counters := map[string]counter{}
		known := false
		for rows.Next() {
			var scope string
			var c counter
			var knownUntil sql.NullTime
			if err := rows.Scan(&scope, &c.attempts, &c.end, &knownUntil); err != nil {
				return err
			}
			counters[scope] = c
			if scope == scopeAccountAddress && knownUntil.Valid && knownUntil.Time.After(t.now) {
				known = true
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		judged := []string{scopeAccount, scopeAddress, scopeAccountAddress}
		if known {
			judged = []string{scopeAccountAddress}
		}
		for _, scope := range judged {
			if c := counters[scope]; c.attempts > limits[scope].Max {
				r.RetryAfter = max(r.RetryAfter, c.end.Sub(t.now))
			}
		}
		if r.RetryAfter > 0 {
			return errSignInRefused
		}
		return nil
	})
	if errors.Is(err, errSignInRefused) {
		return r, nil
	} else if err != nil {
		return r, fmt.Errorf("count sign-in attempt: %w", err)
	}
	return r, nil
}

// SignInSucceeded gives back the attempt of a right password, forgets the
// failures on the account from its address, and keeps the address known
// to the account for l.Known.
func (db *DB) SignInSucceeded(ctx context.Context, l SignInLimits, r SignInReservation) error {
	err := db.update(ctx, func(t *tx) error {
		if err := giveBack(ctx, t, r, 2); err != nil {
			return err
		}
		_, err := t.exec(ctx, `UPDATE sign_in_counters SET attempts = 0, known_until = ? WHERE scope = ? AND subject = ?`,
			t.now.Add(l.Known), scopeAccountAddress, r.subjects[2])
		return err
	})
	if err != nil {
		return fmt.Errorf("record sign-in: %w", err)
	}
	return nil
}

// CancelSignIn gives back an attempt that failed nothing: its password was
// never checked, or it was right and a second step follows (whose codes
// count as attempts of their own). The failures before it stay counted.
func (db *DB) CancelSignIn(ctx context.Context, r SignInReservation) error {
	if err := db.update(ctx, func(t *tx) error { return giveBack(ctx, t, r, 3) }); err != nil {
		return fmt.Errorf("give back sign-in attempt: %w", err)
	}
	return nil
}

// giveBack uncounts the attempt in its first n scopes, in lock order.
func giveBack(ctx context.Context, t *tx, r SignInReservation, n int) error {
	for i, scope := range []string{scopeAccount, scopeAddress, scopeAccountAddress}[:n] {
		if _, err := t.exec(ctx, `UPDATE sign_in_counters SET attempts = attempts - 1
			WHERE scope = ? AND subject = ? AND attempts > 0`, scope, r.subjects[i]); err != nil {
			return err
		}
	}
	return nil
}

// PurgeSignInCounters deletes the counters whose window has ended and that
// keep no address known, and returns how many it deleted.
func (db *DB) PurgeSignInCounters(ctx context.Context) (int64, error) {
	var n int64
	err := db.update(ctx, func(t *tx) error {
		res, err := t.exec(ctx, `DELETE FROM sign_in_counters
			WHERE window_end <= ? AND (known_until IS NULL OR known_until <= ?)`, t.now, t.now)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("purge sign-in counters: %w", err)
	}
	return n, nil
}
