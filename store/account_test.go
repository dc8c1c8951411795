package store_test

import (
	"context"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// The account's methods act on the signed-in user only: its name, its
// digest setting, its password (which ends its other sessions), and its
// sessions, never another user's.
func TestAccountActsOnTheSignedInUserOnly(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		clock := st.NewClock()
		db := e.Open(t, clock.Now)
		st.Load(t, db)
		ctx := context.Background()
		var tokens []string
		for _, agent := range []string{"Firefox on Linux", "Safari on iPhone"} {
			s, err := db.CreateSession(ctx, st.AlphaAdminID, time.Hour, "192.0.2.1", agent)
			if err != nil {
				t.Fatal(err)
			}
			tokens = append(tokens, s.Token)
			clock.Advance(time.Minute)
		}
		bobs, err := db.CreateSession(ctx, st.BetaAdminID, time.Hour, "", "Bob's")
		if err != nil {
			t.Fatal(err)
		}
		p, _, err := db.SessionPrincipal(ctx, tokens[0])
		if err != nil {
			t.Fatal(err)
		}
		alice := pd.WithPrincipal(ctx, p)
		a, err := db.Account(alice)
		if err != nil {
			t.Fatal(err)
		}
		if a.Email != st.AlphaAdmin || !a.DigestEmails || len(a.Sessions) != 2 || a.Sessions[0].UserAgent != "Safari on iPhone" ||
			a.Sessions[0].Current || !a.Sessions[1].Current || a.Sessions[1].Address != "192.0.2.1" {
			t.Fatalf("account: %+v", a)
		}
		// Seen again after a while, the first session is listed first.
		clock.Advance(10 * time.Minute)
		if _, _, err := db.SessionPrincipal(ctx, tokens[0]); err != nil {
			t.Fatal(err)
		}
		if a, _ := db.Account(alice); !a.Sessions[0].Current || !a.Sessions[0].LastSeen.Equal(clock.Now()) {
			t.Errorf("after a request: %+v", a.Sessions)
		}

		if err := db.RevokeSession(alice, bobsID(t, db, bobs.Token)); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("revoking Bob's session: %v", err)
		}
		if _, _, err := db.SessionPrincipal(ctx, bobs.Token); err != nil {
			t.Errorf("Bob's session after Alice's try: %v", err)
		}
		if err := db.SetAccountName(alice, "  "); pd.ErrorCode(err) != pd.EInvalid {
			t.Errorf("an empty name: %v", err)
		}
		if err := db.SetAccountName(alice, "Alice A. Alpha"); err != nil {
			t.Fatal(err)
		}
		if err := db.SetDigestEmails(alice, false); err != nil {
			t.Fatal(err)
		}
		if a, _ := db.Account(alice); a.Name != "Alice A. Alpha" || a.DigestEmails {
			t.Errorf("after the changes: %+v", a)
		}

		old, err := db.PasswordHash(alice)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ChangePassword(alice, old, hash(t, "alice's new passphrase")); err != nil {
			t.Fatal(err)
		}
		if err := db.ChangePassword(alice, old, hash(t, "a stale change")); pd.ErrorCode(err) != pd.EConflict {
			t.Errorf("a change from a stale hash: %v", err)
		}
		if _, _, err := db.SessionPrincipal(ctx, tokens[1]); pd.ErrorCode(err) != pd.EUnauthorized {
			t.Errorf("the other session after a password change: %v", err)
		}
		if _, _, err := db.SessionPrincipal(ctx, tokens[0]); err != nil {
			t.Errorf("the session that changed the password: %v", err)
		}
		if !signsIn(t, db, st.AlphaAdmin, "alice's new passphrase") {
			t.Error("the new password does not sign in")
		}
		if n, err := db.RevokeOtherSessions(alice); err != nil || n != 0 {
			t.Errorf("revoke others: %d %v", n, err)
		}
		if err := db.RevokeSession(alice, p.SessionID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SessionPrincipal(ctx, tokens[0]); pd.ErrorCode(err) != pd.EUnauthorized {
			t.Errorf("a revoked session: %v", err)
		}
		if _, err := db.Account(ctx); pd.ErrorCode(err) != pd.EUnauthorized {
			t.Errorf("signed out: %v", err)
		}
	})
}

func bobsID(t *testing.T, db interface {
	SessionPrincipal(context.Context, string) (*pd.Principal, string, error)
}, token string) int64 {
	t.Helper()
	p, _, err := db.SessionPrincipal(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return p.SessionID
}
