package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// The fixture's program admin (user 1) and Alpha's admin (user 2).
func adminSession(sessionID int64) context.Context {
	return pd.WithPrincipal(context.Background(), &pd.Principal{UserID: 1, Email: st.AdminEmail, Role: pd.RoleProgramAdmin, SessionID: sessionID})
}

func alphaCtx() context.Context {
	return pd.WithPrincipal(context.Background(), &pd.Principal{UserID: 2, Email: st.AlphaAdmin, Role: pd.RolePartnerAdmin, PartnerID: st.AlphaID})
}

// turnOn gives the user of ctx a confirmed second factor whose last step
// is step, and the recovery codes of hashes.
func turnOn(t *testing.T, db *store.DB, ctx context.Context, step int64, hashes ...string) {
	t.Helper()
	if err := db.BeginTwoFactor(ctx, "sealed-secret"); err != nil {
		t.Fatal(err)
	}
	if err := db.ConfirmTwoFactor(ctx, step, hashes); err != nil {
		t.Fatal(err)
	}
}

func pending(t *testing.T, db *store.DB, userID int64) string {
	t.Helper()
	tok, err := db.StartPendingSignIn(context.Background(), userID, "/next", 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func finish(t *testing.T, db *store.DB, tok string, userID int64, f store.SecondFactor) bool {
	t.Helper()
	ok, err := db.FinishPendingSignIn(context.Background(), tok, userID, f)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// A TOTP step is accepted once and only after the last one used; a
// recovery code once; a pending sign-in ends with its first right code,
// and a wrong one leaves it waiting.
func TestSecondFactorsAreSpentOnce(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		alpha := alphaCtx()
		turnOn(t, db, alpha, 100, "h1", "h2")
		tf, err := db.TwoFactorOf(context.Background(), 2)
		if err != nil || !tf.Confirmed || tf.LastStep != 100 || tf.RecoveryCodesLeft != 2 || tf.Secret != "sealed-secret" {
			t.Fatalf("after confirming: %+v %v", tf, err)
		}

		tok := pending(t, db, 2)
		if ps, err := db.PendingSignInOf(context.Background(), tok); err != nil || ps.UserID != 2 || ps.Email != st.AlphaAdmin || ps.Next != "/next" {
			t.Fatalf("pending sign-in: %+v %v", ps, err)
		}
		if finish(t, db, tok, 2, store.SecondFactor{Step: 100}) {
			t.Error("the confirming step signs in")
		}
		if finish(t, db, tok, 1, store.SecondFactor{Step: 101}) {
			t.Error("another user's pending sign-in is finished")
		}
		if !finish(t, db, tok, 2, store.SecondFactor{Step: 101}) {
			t.Fatal("a new step after a wrong try: refused")
		}
		if finish(t, db, tok, 2, store.SecondFactor{Step: 102}) {
			t.Error("a finished pending sign-in finishes again")
		}
		if _, err := db.PendingSignInOf(context.Background(), tok); pd.ErrorCode(err) != pd.EUnauthorized {
			t.Errorf("finished pending sign-in: %v", err)
		}
		if finish(t, db, pending(t, db, 2), 2, store.SecondFactor{Step: 101}) {
			t.Error("step 101 is accepted twice")
		}

		if !finish(t, db, pending(t, db, 2), 2, store.SecondFactor{RecoveryHash: "h1"}) {
			t.Error("a recovery code: refused")
		}
		for _, h := range []string{"h1", "h3"} {
			if finish(t, db, pending(t, db, 2), 2, store.SecondFactor{RecoveryHash: h}) {
				t.Errorf("recovery code %s accepted", h)
			}
		}
		if tf, _ := db.TwoFactorOf(context.Background(), 2); tf.RecoveryCodesLeft != 1 {
			t.Errorf("%d recovery codes left, want 1", tf.RecoveryCodesLeft)
		}

		// Concurrent sign-ins with one step: one gets through.
		var through atomic.Int32
		var wg sync.WaitGroup
		toks := make([]string, 8)
		for i := range toks {
			toks[i] = pending(t, db, 2)
		}
		for _, tok := range toks {
			wg.Go(func() {
				ok, err := db.FinishPendingSignIn(context.Background(), tok, 2, store.SecondFactor{Step: 200})
				if err != nil {
					t.Error(err)
				} else if ok {
					through.Add(1)
				}
			})
		}
		wg.Wait()
		if through.Load() != 1 {
			t.Errorf("%d concurrent sign-ins with one step got through, want 1", through.Load())
		}
	})
}

func TestPendingSignInEnds(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		now := st.Now
		db := e.Open(t, func() time.Time { return now })
		st.Load(t, db)
		turnOn(t, db, alphaCtx(), 100)
		tok := pending(t, db, 2)
		now = now.Add(5*time.Minute + time.Second)
		if _, err := db.PendingSignInOf(context.Background(), tok); pd.ErrorCode(err) != pd.EUnauthorized {
			t.Errorf("an ended pending sign-in: %v", err)
		}
		if finish(t, db, tok, 2, store.SecondFactor{Step: 101}) {
			t.Error("an ended pending sign-in finishes")
		}
		if tf, _ := db.TwoFactorOf(context.Background(), 2); tf.LastStep != 100 {
			t.Errorf("the refused sign-in spent step %d", tf.LastStep)
		}
	})
}

// Setting up again replaces a secret not confirmed, never one in use;
// turning off deletes the secret and codes.
func TestTwoFactorLifecycle(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		alpha := alphaCtx()
		if err := db.BeginTwoFactor(alpha, "first"); err != nil {
			t.Fatal(err)
		}
		if err := db.BeginTwoFactor(alpha, "second"); err != nil {
			t.Fatal(err)
		}
		if tf, _ := db.OwnTwoFactor(alpha); tf.Secret != "second" || tf.Confirmed {
			t.Errorf("set up twice: %+v", tf)
		}
		if ok, _ := db.FinishPendingSignIn(context.Background(), pending(t, db, 2), 2, store.SecondFactor{Step: 5}); ok {
			t.Error("a secret not confirmed signs in")
		}
		if err := db.ConfirmTwoFactor(alpha, 5, []string{"h1"}); err != nil {
			t.Fatal(err)
		}
		if err := db.ConfirmTwoFactor(alpha, 6, nil); pd.ErrorCode(err) != pd.EConflict {
			t.Errorf("confirm twice: %v", err)
		}
		if err := db.BeginTwoFactor(alpha, "third"); pd.ErrorCode(err) != pd.EConflict {
			t.Errorf("set up while on: %v", err)
		}
		if err := db.ReplaceRecoveryCodes(alpha, []string{"h2", "h3"}); err != nil {
			t.Fatal(err)
		}
		if ok, _ := db.SpendSecondFactor(alpha, store.SecondFactor{RecoveryHash: "h1"}); ok {
			t.Error("a replaced recovery code works")
		}
		if ok, _ := db.SpendSecondFactor(alpha, store.SecondFactor{RecoveryHash: "h2"}); !ok {
			t.Error("a new recovery code does not work")
		}
		if err := db.DisableTwoFactor(alpha); err != nil {
			t.Fatal(err)
		}
		if tf, _ := db.OwnTwoFactor(alpha); tf != (store.TwoFactor{}) {
			t.Errorf("after turning off: %+v", tf)
		}
		if err := db.DisableTwoFactor(alpha); pd.ErrorCode(err) != pd.EConflict {
			t.Errorf("turn off twice: %v", err)
		}
		es, _, err := db.AuditLog(pd.WithViewedPartner(alpha, st.AlphaID), 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range es {
			actions = append(actions, e.Action)
		}
		if len(actions) < 3 || actions[0] != "two_factor_off" || actions[1] != "recovery_codes_replaced" || actions[2] != "two_factor_on" {
			t.Errorf("audit log: %v", actions)
		}
	})
}

// Only a program admin signed in with a password and without a second
// factor must enrol, and only while the program says so.
func TestMustEnrolTwoFactor(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		ctx := context.Background()
		session := func(userID int64, method string) int64 {
			t.Helper()
			if _, err := db.CreateSessionVia(ctx, userID, method, time.Hour, "192.0.2.1", "test"); err != nil {
				t.Fatal(err)
			}
			var id int64
			if err := db.QueryRowForTest(ctx, "SELECT MAX(id) FROM sessions").Scan(&id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		password, sso := session(1, store.SignInPassword), session(1, store.SignInSSO)
		must := func(c context.Context) bool {
			t.Helper()
			m, err := db.MustEnrolTwoFactor(c)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		if must(adminSession(password)) {
			t.Error("must enrol before the program requires it")
		}
		if err := db.UpdateSignInPolicy(adminSession(password), pd.SignInPolicy{AdminTwoFactor: true, SSODomains: []string{"corp.example"}}); err != nil {
			t.Fatal(err)
		}
		if pol, err := db.SignInPolicy(ctx); err != nil || !pol.AdminTwoFactor || len(pol.SSODomains) != 1 || pol.SSODomains[0] != "corp.example" {
			t.Fatalf("policy: %+v %v", pol, err)
		}
		if !must(adminSession(password)) {
			t.Error("a program admin signed in with a password need not enrol")
		}
		if must(adminSession(sso)) {
			t.Error("a program admin signed in with single sign-on must enrol")
		}
		if must(alphaCtx()) {
			t.Error("a partner admin must enrol")
		}
		turnOn(t, db, adminSession(password), 10)
		if must(adminSession(password)) {
			t.Error("an enrolled program admin must enrol")
		}
		if err := db.UpdateSignInPolicy(alphaCtx(), pd.SignInPolicy{}); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a partner admin changes the sign-in rules: %v", err)
		}
	})
}
