package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// The program's sign-in rules are kept on the program's row, beside its
// other settings, and edited apart from them: they are read at every
// sign-in, before anyone is signed in.

func signInPolicy(ctx context.Context, t *tx) (pd.SignInPolicy, error) {
	var p pd.SignInPolicy
	var domains string
	err := t.queryRow(ctx, "SELECT admin_two_factor, sso_domains FROM program WHERE id = 1").Scan(&p.AdminTwoFactor, &domains)
	if err == sql.ErrNoRows {
		return p, nil
	} else if err != nil {
		return p, fmt.Errorf("load sign-in rules: %w", err)
	}
	p.SSODomains = strings.Fields(domains)
	return p, nil
}

// SignInPolicy returns the program's sign-in rules.
func (db *DB) SignInPolicy(ctx context.Context) (pd.SignInPolicy, error) {
	var p pd.SignInPolicy
	err := db.view(ctx, func(t *tx) (err error) {
		p, err = signInPolicy(ctx, t)
		return err
	})
	return p, err
}

// UpdateSignInPolicy is a program admin's change of the sign-in rules. It
// is audited.
func (db *DB) UpdateSignInPolicy(ctx context.Context, p pd.SignInPolicy) error {
	if _, err := requireRole(ctx, pd.RoleProgramAdmin); err != nil {
		return err
	}
	if len(p.SSODomains) > pd.MaxSSODomains {
		return pd.Errorf(pd.EInvalid, "At most %d domains can be listed.", pd.MaxSSODomains)
	}
	return db.update(ctx, func(t *tx) error {
		cur, err := signInPolicy(ctx, t)
		if err != nil {
			return err
		}
		var changes []string
		if cur.AdminTwoFactor != p.AdminTwoFactor {
			changes = append(changes, fmt.Sprintf("two-factor sign-in required of program admins %v → %v", cur.AdminTwoFactor, p.AdminTwoFactor))
		}
		if !slices.Equal(cur.SSODomains, p.SSODomains) {
			changes = append(changes, fmt.Sprintf("domains that must use single sign-on %q → %q",
				strings.Join(cur.SSODomains, " "), strings.Join(p.SSODomains, " ")))
		}
		if len(changes) == 0 {
			return nil
		}
		// The row exists once any setting was saved; before, it is made
		// with the defaults.
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		if err := writeProgram(ctx, t, prog); err != nil {
			return err
		}
		if _, err := t.exec(ctx, "UPDATE program SET admin_two_factor = ?, sso_domains = ? WHERE id = 1",
			p.AdminTwoFactor, strings.Join(p.SSODomains, "\n")); err != nil {
			return fmt.Errorf("save sign-in rules: %w", err)
		}
		return audit(ctx, t, 0, "sign_in_settings", "program", "1", strings.Join(changes, "; "))
	})
}
