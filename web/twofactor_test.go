package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/twofactor"
	"github.com/partnerdesk/partnerdesk/web"
)

var (
	secretShown   = regexp.MustCompile(`data-testid="secret">([A-Z2-7 ]+)<`)
	recoveryShown = regexp.MustCompile(`<li><code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</code></li>`)
)

// step is the TOTP step of the fixture's clock; codes of the steps beside
// it are accepted too (and each once).
var step = twofactor.Step(st.Now)

func code(t *testing.T, secret string, step int64) string {
	t.Helper()
	c, err := twofactor.Code(secret, step)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrol turns on u's two-factor sign-in through its pages, confirming with
// the previous step's code, and returns the secret and recovery codes.
func enrol(t *testing.T, u *user) (string, []string) {
	t.Helper()
	u.post("/account/two-factor/setup", nil)
	if u.status != http.StatusSeeOther {
		t.Fatalf("set up: %d", u.status)
	}
	body := u.get("/account/two-factor")
	m := secretShown.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, `src="data:image/png;base64,`) {
		t.Fatalf("no key or QR code on the set-up page:\n%s", body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	body = u.post("/account/two-factor/confirm", url.Values{"code": {code(t, secret, step-1)}})
	var codes []string
	for _, m := range recoveryShown.FindAllStringSubmatch(body, -1) {
		codes = append(codes, m[1])
	}
	if u.status != http.StatusOK || len(codes) != twofactor.RecoveryCodes {
		t.Fatalf("confirm: %d, %d recovery codes\n%s", u.status, len(codes), body)
	}
	return secret, codes
}

// pathCookie is u's cookie name as sent to path.
func pathCookie(u *user, path, name string) string {
	at, _ := url.Parse(u.a.ts.URL + path)
	for _, c := range u.c.Jar.Cookies(at) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// password signs in with the password, up to the code's step.
func (a *app) password(email string) *user {
	a.t.Helper()
	u := a.anon()
	u.get("/login")
	u.post("/login", url.Values{"email": {email}, "password": {st.Password}, "next": {"/partners/1/renewals"}})
	if u.status != http.StatusSeeOther || u.location != "/login/two-factor" {
		a.t.Fatalf("password of %s: %d to %q, want the code's step", email, u.status, u.location)
	}
	return u
}

func TestTwoFactorSignIn(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		alice := a.signIn(st.AlphaAdmin)
		body := alice.get("/account/two-factor")
		if alice.status != http.StatusOK || !strings.Contains(body, "Two-factor sign-in is off.") {
			t.Fatalf("two-factor page: %d\n%s", alice.status, body)
		}
		secret, codes := enrol(t, alice)
		body = alice.get("/account/two-factor")
		if !strings.Contains(body, "Two-factor sign-in is on:") || strings.Contains(body, codes[0]) ||
			secretShown.MatchString(body) || strings.Contains(body, "data:image/png") {
			t.Errorf("the page shows the key or the recovery codes again:\n%s", body)
		}

		// The password alone opens nothing: the second step holds no session.
		u := a.password(st.AlphaAdmin)
		if u.cookie("pd_session") != "" {
			t.Fatal("a session before the code")
		}
		if body := u.get("/login/two-factor"); u.status != http.StatusOK || !strings.Contains(body, `name="code"`) {
			t.Fatalf("code page: %d", u.status)
		}
		if u.get(clientsURL(st.AlphaID)); u.status != http.StatusSeeOther || !strings.HasPrefix(u.location, "/login") {
			t.Errorf("dashboard before the code: %d %q", u.status, u.location)
		}
		pendingCookie := pathCookie(u, "/login/two-factor", "pd_pending")
		if body := u.post("/login/two-factor", url.Values{"code": {code(t, secret, step-1)}}); u.status != http.StatusUnauthorized ||
			!strings.Contains(body, "or was used already") {
			t.Errorf("the confirming code again: %d", u.status)
		}
		u.post("/login/two-factor", url.Values{"code": {code(t, secret, step-3)}})
		if u.status != http.StatusUnauthorized {
			t.Errorf("an old code: %d", u.status)
		}
		u.post("/login/two-factor", url.Values{"code": {code(t, secret, step)}})
		if u.status != http.StatusSeeOther || u.location != "/partners/1/renewals" || u.cookie("pd_session") == "" {
			t.Fatalf("the current code: %d to %q", u.status, u.location)
		}
		if u.get("/partners/1/renewals"); u.status != http.StatusOK {
			t.Errorf("signed in with a code: %d", u.status)
		}
		if pathCookie(u, "/login/two-factor", "pd_pending") != "" {
			t.Error("the pending sign-in's cookie stays")
		}

		// The pending sign-in worked once: presented again, it has ended.
		again := a.anon()
		again.get("/login")
		base, _ := url.Parse(a.ts.URL)
		again.c.Jar.SetCookies(base, []*http.Cookie{{Name: "pd_pending", Value: pendingCookie, Path: "/login"}})
		body = again.post("/login/two-factor", url.Values{"code": {code(t, secret, step+1)}})
		if again.status != http.StatusUnauthorized || !strings.Contains(body, "already used") {
			t.Errorf("the pending sign-in again: %d", again.status)
		}
		// A forged or altered token is no pending sign-in.
		for _, forged := range []string{"made-up", pendingCookie[:len(pendingCookie)-2] + "xx"} {
			f := a.anon()
			f.get("/login")
			f.c.Jar.SetCookies(base, []*http.Cookie{{Name: "pd_pending", Value: forged, Path: "/login"}})
			if f.get("/login/two-factor"); f.status != http.StatusUnauthorized {
				t.Errorf("forged pending sign-in %q: %d", forged, f.status)
			}
		}

		// The code used is refused on the next sign-in: replay in its window.
		u = a.password(st.AlphaAdmin)
		u.post("/login/two-factor", url.Values{"code": {code(t, secret, step)}})
		if u.status != http.StatusUnauthorized {
			t.Errorf("the same code twice: %d", u.status)
		}
		// A recovery code works once, typed loosely.
		u.post("/login/two-factor", url.Values{"code": {strings.ToUpper(codes[3])}})
		if u.status != http.StatusSeeOther {
			t.Fatalf("a recovery code: %d", u.status)
		}
		u = a.password(st.AlphaAdmin)
		u.post("/login/two-factor", url.Values{"code": {codes[3]}})
		if u.status != http.StatusUnauthorized {
			t.Errorf("a recovery code twice: %d", u.status)
		}
		if body := alice.get("/account/two-factor"); !strings.Contains(body, "9 recovery codes left") {
			t.Errorf("recovery codes left:\n%s", body)
		}
		// Another user is not asked for a code.
		a.signIn(st.AlphaEmployee)
	})
}

// Each code is an attempt against the sign-in limits; a right password
// does not forget the codes that failed before it.
func TestTwoFactorCodesCountAgainstSignInLimits(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		secret, _ := enrol(t, a.signIn(st.AlphaAdmin))
		u := a.password(st.AlphaAdmin)
		for i := range 3 {
			if u.post("/login/two-factor", url.Values{"code": {"000000"}}); u.status != http.StatusUnauthorized {
				t.Fatalf("wrong code %d: %d", i+1, u.status)
			}
		}
		u = a.password(st.AlphaAdmin)
		for i := range 2 {
			if u.post("/login/two-factor", url.Values{"code": {"111111"}}); u.status != http.StatusUnauthorized {
				t.Fatalf("wrong code %d after the password again: %d", i+4, u.status)
			}
		}
		req, _ := http.NewRequest("POST", a.ts.URL+"/login/two-factor", strings.NewReader(url.Values{"code": {code(t, secret, step)}, "csrf": {u.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := u.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "900" {
			t.Fatalf("the right code after five wrong ones: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
		}
		// The password is held back by the same counter.
		if s, _ := a.attempt(st.AlphaAdmin, st.Password, "127.0.0.1"); s != http.StatusTooManyRequests {
			t.Errorf("the password after five wrong codes: %d", s)
		}
	})
}

// With the program's setting on, a program admin without two-factor
// sign-in reaches only its set-up page (and signing out) until it is on;
// from then on, signing in asks for a code.
func TestProgramAdminsMustEnrolWhenRequired(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		body := admin.get("/admin/program")
		if !strings.Contains(body, `name="admin_two_factor"`) || !strings.Contains(body, "This server offers no single sign-on") {
			t.Fatalf("no sign-in settings on the program page:\n%s", body)
		}
		admin.post("/admin/program/sign-in", url.Values{"admin_two_factor": {"on"}, "sso_domains": {"corp.example"}})
		if admin.status != http.StatusBadRequest {
			t.Errorf("domains without single sign-on: %d", admin.status)
		}
		admin.post("/admin/program/sign-in", url.Values{"admin_two_factor": {"on"}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("save sign-in settings: %d", admin.status)
		}
		if admin.get("/admin/partners"); admin.status != http.StatusSeeOther || admin.location != "/account/two-factor" {
			t.Errorf("a page before enrolling: %d to %q", admin.status, admin.location)
		}
		if admin.post("/admin/program/sign-in", url.Values{}); admin.status != http.StatusForbidden {
			t.Errorf("a form before enrolling: %d", admin.status)
		}
		if body := admin.get("/account/two-factor"); admin.status != http.StatusOK || !strings.Contains(body, "The program requires two-factor sign-in") {
			t.Errorf("set-up page: %d", admin.status)
		}
		// A partner admin is not held.
		alpha := a.signIn(st.AlphaAdmin)
		if alpha.get(clientsURL(st.AlphaID)); alpha.status != http.StatusOK {
			t.Errorf("a partner admin's dashboard: %d", alpha.status)
		}
		// Nor is a fresh sign-in of the admin let through.
		fresh := a.anon()
		fresh.get("/login")
		fresh.post("/login", url.Values{"email": {st.AdminEmail}, "password": {st.Password}})
		if fresh.get("/"); fresh.status != http.StatusSeeOther || fresh.location != "/account/two-factor" {
			t.Errorf("a fresh sign-in: %d to %q", fresh.status, fresh.location)
		}

		secret, _ := enrol(t, admin)
		if admin.get("/admin/partners"); admin.status != http.StatusOK {
			t.Errorf("after enrolling: %d", admin.status)
		}
		u := a.password(st.AdminEmail)
		u.post("/login/two-factor", url.Values{"code": {code(t, secret, step)}})
		if u.get("/admin/partners"); u.status != http.StatusOK {
			t.Errorf("signed in with a code: %d", u.status)
		}
	})
}

// Turning two-factor sign-in off takes the password or a code, counted
// against the sign-in limits; new recovery codes take a code.
func TestTurningTwoFactorOff(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		alice := a.signIn(st.AlphaAdmin)
		secret, old := enrol(t, alice)
		if alice.post("/account/two-factor/disable", url.Values{"password": {"not it"}}); alice.status != http.StatusUnauthorized {
			t.Errorf("off with a wrong password: %d", alice.status)
		}
		if alice.post("/account/two-factor/disable", nil); alice.status != http.StatusUnauthorized {
			t.Errorf("off with nothing: %d", alice.status)
		}
		body := alice.post("/account/two-factor/recovery-codes", url.Values{"code": {code(t, secret, step)}})
		fresh := recoveryShown.FindAllStringSubmatch(body, -1)
		if alice.status != http.StatusOK || len(fresh) != twofactor.RecoveryCodes {
			t.Fatalf("new recovery codes: %d", alice.status)
		}
		if alice.post("/account/two-factor/disable", url.Values{"code": {old[0]}}); alice.status != http.StatusUnauthorized {
			t.Errorf("off with a replaced recovery code: %d", alice.status)
		}
		if alice.post("/account/two-factor/disable", url.Values{"code": {code(t, secret, step)}}); alice.status != http.StatusUnauthorized {
			t.Errorf("off with the code just used: %d", alice.status)
		}
		if alice.post("/account/two-factor/disable", url.Values{"password": {st.Password}}); alice.status != http.StatusSeeOther {
			t.Fatalf("off with the password: %d", alice.status)
		}
		if body := alice.get(alice.location); !strings.Contains(body, "Two-factor sign-in is off.") {
			t.Errorf("after turning off:\n%s", body)
		}
		a.signIn(st.AlphaAdmin) // the password alone again
	})
}
