package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/email"
	"github.com/partnerdesk/partnerdesk/password"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

func composer(t *testing.T) *email.Composer {
	t.Helper()
	c, err := email.NewComposer("https://partners.example.com")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func hash(t *testing.T, pw string) string {
	t.Helper()
	h, err := password.Hash(pw, st.PasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// signsIn reports whether pw is email's password.
func signsIn(t *testing.T, db *store.DB, addr, pw string) bool {
	t.Helper()
	_, h, err := db.Credentials(context.Background(), addr)
	if pd.ErrorCode(err) == pd.EUnauthorized {
		return false
	} else if err != nil {
		t.Fatal(err)
	}
	ok, err := password.Verify(pw, h)
	return err == nil && ok
}

// A reset link goes only to an address with an account, in the outbox,
// and works once within the hour: it sets the password, ends every
// session of the user and every other reset link; used again, or late,
// it changes nothing.
func TestResetLinkWorksOnceWithinTheHour(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		clock := st.NewClock()
		db := e.Open(t, clock.Now)
		st.Load(t, db)
		ctx, mail := context.Background(), composer(t)
		ask := func(addr string) {
			t.Helper()
			if wait, err := db.RequestPasswordReset(ctx, mail, store.DefaultResetLimits, addr, "192.0.2.1"); err != nil || wait != 0 {
				t.Fatalf("reset request for %s: %v, wait %s", addr, err, wait)
			}
		}
		before := len(st.Emails(t, db, st.AlphaAdmin))
		ask("nobody@alpha.test")
		ask(" Admin@Alpha.TEST ")
		ask(st.AlphaAdmin)
		ms := st.Emails(t, db, st.AlphaAdmin)
		if len(ms) != before+2 || len(st.Emails(t, db, "nobody@alpha.test")) != 0 {
			t.Fatalf("%d emails to Alice (had %d), %d to nobody", len(ms), before, len(st.Emails(t, db, "nobody@alpha.test")))
		}
		first, second := st.LinkToken(t, ms[1]), st.LinkToken(t, ms[0])
		if ms[0].Kind != pd.EmailReset || ms[0].Status != pd.OutboxQueued || first == second {
			t.Fatalf("reset email: %+v", ms[0])
		}
		sess, err := db.CreateSession(ctx, st.AlphaAdminID, time.Hour, "192.0.2.9", "Firefox")
		if err != nil {
			t.Fatal(err)
		}
		if u, err := db.ResetLink(ctx, second); err != nil || u.Email != st.AlphaAdmin {
			t.Fatalf("link: %+v %v", u, err)
		}
		if err := db.ResetPassword(ctx, second, hash(t, "a new long passphrase")); err != nil {
			t.Fatal(err)
		}
		if !signsIn(t, db, st.AlphaAdmin, "a new long passphrase") || signsIn(t, db, st.AlphaAdmin, st.Password) {
			t.Error("the new password does not sign in, or the old one still does")
		}
		if _, _, err := db.SessionPrincipal(ctx, sess.Token); pd.ErrorCode(err) != pd.EUnauthorized {
			t.Errorf("a session from before the reset: %v", err)
		}
		for name, tok := range map[string]string{"the used link": second, "the earlier link": first, "a made-up link": "x" + second} {
			if err := db.ResetPassword(ctx, tok, hash(t, "yet another passphrase")); pd.ErrorCode(err) != pd.ENotFound {
				t.Errorf("%s: %v, want not found", name, err)
			}
			if _, err := db.ResetLink(ctx, tok); pd.ErrorCode(err) != pd.ENotFound {
				t.Errorf("%s's page: %v, want not found", name, err)
			}
		}
		if !signsIn(t, db, st.AlphaAdmin, "a new long passphrase") {
			t.Error("a refused link changed the password")
		}

		// An hour later, a link has expired.
		ask(st.AlphaAdmin)
		late := st.LinkToken(t, st.Emails(t, db, st.AlphaAdmin)[0])
		clock.Advance(pd.ResetLinkTTL)
		if err := db.ResetPassword(ctx, late, hash(t, "too late a passphrase")); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("an expired link: %v, want not found", err)
		}
		if !signsIn(t, db, st.AlphaAdmin, "a new long passphrase") {
			t.Error("an expired link changed the password")
		}

		// Nothing goes to a deactivated user, nor to an invited one.
		if err := db.DeactivateUser(st.As(st.AlphaAdmin), st.AlphaEmployeeID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.InviteUser(st.As(st.AlphaAdmin), mail, pd.Invitation{Email: "new@alpha.test", Name: "Nina New", Role: pd.RolePartnerEmployee}); err != nil {
			t.Fatal(err)
		}
		ask(st.AlphaEmployee)
		ask("new@alpha.test")
		for _, addr := range []string{st.AlphaEmployee, "new@alpha.test"} {
			for _, m := range st.Emails(t, db, addr) {
				if m.Kind == pd.EmailReset {
					t.Errorf("a reset link went to %s", addr)
				}
			}
		}
	})
}

// Reset requests are counted in the database per address asked for and
// per address asking, whether or not an account exists: past the limit,
// nothing is queued until the window ends.
func TestResetRequestsAreLimited(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		clock := st.NewClock()
		db := e.Open(t, clock.Now)
		st.Load(t, db)
		ctx, mail := context.Background(), composer(t)
		l := store.ResetLimits{Account: store.SignInLimit{Max: 3, Window: time.Hour}, Address: store.SignInLimit{Max: 5, Window: time.Hour}}
		ask := func(addr, from string) time.Duration {
			t.Helper()
			wait, err := db.RequestPasswordReset(ctx, mail, l, addr, from)
			if err != nil {
				t.Fatal(err)
			}
			return wait
		}
		for i := range 3 {
			if w := ask(st.AlphaAdmin, fmt.Sprintf("198.51.100.%d", i)); w != 0 {
				t.Fatalf("request %d refused", i+1)
			}
		}
		if w := ask(st.AlphaAdmin, "198.51.100.99"); w <= 0 || w > time.Hour {
			t.Errorf("a fourth request for one account from a new address: wait %s", w)
		}
		if n := len(st.Emails(t, db, st.AlphaAdmin)); n != 3+1 { // and the fixture's digest
			t.Errorf("%d emails to Alice, want 3 links and the digest", n)
		}
		// One address asking for many accounts, known or not.
		for i := range 5 {
			if w := ask(fmt.Sprintf("guess%d@alpha.test", i), "203.0.113.7"); w != 0 {
				t.Fatalf("guess %d refused", i+1)
			}
		}
		if w := ask(st.BetaAdmin, "203.0.113.7"); w <= 0 {
			t.Error("a sixth request from one address let through")
		}
		if n := len(st.Emails(t, db, st.BetaAdmin)); n != 0 {
			t.Errorf("a refused request queued %d emails", n)
		}
		clock.Advance(time.Hour)
		if w := ask(st.BetaAdmin, "203.0.113.7"); w != 0 || len(st.Emails(t, db, st.BetaAdmin)) != 1 {
			t.Errorf("after the window: wait %s, %d emails", w, len(st.Emails(t, db, st.BetaAdmin)))
		}
	})
}
