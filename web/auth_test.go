package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

func TestSessionCookieFlags(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		for _, c := range []struct {
			name   string
			cfg    web.Config
			proto  string
			secure bool
		}{
			{"plain HTTP", web.Config{}, "", false},
			{"behind a TLS proxy", web.Config{TrustProxy: true}, "https", true},
			{"forced", web.Config{SecureCookies: true}, "", true},
			{"untrusted proxy header", web.Config{}, "https", false},
		} {
			a := newApp(t, e, c.cfg)
			u := a.anon()
			u.get("/login")
			form := url.Values{"email": {st.AlphaAdmin}, "password": {st.Password}, "csrf": {u.cookie("pd_csrf")}}
			req, _ := http.NewRequest("POST", a.ts.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-Proto", c.proto)
			res, err := u.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			var sess *http.Cookie
			for _, ck := range res.Cookies() {
				if ck.Name == "pd_session" {
					sess = ck
				}
			}
			if sess == nil {
				t.Fatalf("%s: no session cookie (status %d)", c.name, res.StatusCode)
			}
			if !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Secure != c.secure {
				t.Errorf("%s: HttpOnly=%v SameSite=%v Secure=%v", c.name, sess.HttpOnly, sess.SameSite, sess.Secure)
			}
		}
	})
}

// The server's clock (injected, and in tests fixed on the fixture's today)
// is not the visitor's: a cookie or header carrying an instant from it, an
// Expires or a Last-Modified, would be read against the browser's own
// clock. Lifetimes go out relative (Max-Age), so signing in works on a
// server whose clock is years behind its visitors', and no response of a
// sign-in, a page, a static file or a sign-out carries such an instant.
func TestNoCookieOrHeaderCarriesTheServersClock(t *testing.T) {
	long := time.Date(2001, 3, 1, 12, 0, 0, 0, time.UTC) // surely before the real today
	a := newAppAt(t, st.Engines()[0], web.Config{SessionTTL: 2 * time.Hour}, func() time.Time { return long })
	u := a.anon()
	log := &responseLog{rt: http.DefaultTransport}
	u.c.Transport = log
	u.get("/login")
	u.post("/login", url.Values{"email": {st.AlphaAdmin}, "password": {st.Password}})
	if u.status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", u.status)
	}
	for i := 0; i < 3 && u.status == http.StatusSeeOther; i++ {
		u.get(u.location)
	}
	if u.status != http.StatusOK || u.cookie("pd_session") == "" {
		t.Fatalf("after signing in on a server clock of %s: status %d, session cookie %q", long.Format(time.DateOnly), u.status, u.cookie("pd_session"))
	}
	u.get("/static/app.css")
	u.post("/logout", nil)
	if u.status != http.StatusSeeOther || u.cookie("pd_session") != "" {
		t.Errorf("sign out: %d, session cookie %q", u.status, u.cookie("pd_session"))
	}
	for _, res := range log.seen {
		what := res.Request.Method + " " + res.Request.URL.Path
		for _, h := range []string{"Expires", "Last-Modified"} {
			if v := res.Header.Get(h); v != "" {
				t.Errorf("%s: %s: %s", what, h, v)
			}
		}
		for _, ck := range res.Cookies() {
			if ck.RawExpires != "" {
				t.Errorf("%s: cookie %s expires at %s", what, ck.Name, ck.RawExpires)
			}
			if ck.Name == "pd_session" && ck.Value != "" && ck.MaxAge != 2*60*60 {
				t.Errorf("%s: session cookie Max-Age %d, want the session's 2 hours", what, ck.MaxAge)
			}
		}
	}
}

// responseLog keeps every response a client receives.
type responseLog struct {
	rt   http.RoundTripper
	seen []*http.Response
}

func (l *responseLog) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := l.rt.RoundTrip(r)
	if err == nil {
		l.seen = append(l.seen, res)
	}
	return res, err
}

func TestSessionOverTLSIsSecure(t *testing.T) {
	a := newApp(t, st.Engine{Name: "sqlite", Open: st.OpenSQLite}, web.Config{})
	ts := httptest.NewTLSServer(a.srv)
	defer ts.Close()
	c := ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.Get(ts.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var csrf *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "pd_csrf" {
			csrf = ck
		}
	}
	form := url.Values{"email": {st.AlphaAdmin}, "password": {st.Password}, "csrf": {csrf.Value}}
	req, _ := http.NewRequest("POST", ts.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(csrf)
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.Name == "pd_session" && !ck.Secure {
			t.Fatal("session cookie over TLS lacks Secure")
		} else if ck.Name == "pd_session" {
			return
		}
	}
	t.Fatalf("no session cookie (status %d)", res.StatusCode)
}

func TestSignIn(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		u := a.anon()
		u.get("/login")
		body := u.post("/login", url.Values{"email": {st.AlphaAdmin}, "password": {"wrong password"}})
		if u.status != http.StatusUnauthorized || !strings.Contains(body, "Wrong email or password.") {
			t.Errorf("wrong password: %d", u.status)
		}
		body = u.post("/login", url.Values{"email": {"nobody@nowhere.test"}, "password": {"whatever"}})
		if u.status != http.StatusUnauthorized || !strings.Contains(body, "Wrong email or password.") {
			t.Errorf("unknown email: %d", u.status)
		}
		u.post("/login", url.Values{"email": {st.AlphaAdmin}, "password": {st.Password}, "csrf": {"forged"}})
		if u.status != http.StatusForbidden {
			t.Errorf("sign-in without the form's CSRF token: %d, want 403", u.status)
		}
		// A safe next is honoured; another site is not.
		u.post("/login", url.Values{"email": {st.AlphaAdmin}, "password": {st.Password}, "next": {"//evil.example/x"}})
		if u.status != http.StatusSeeOther {
			t.Fatalf("sign in: %d", u.status)
		}
		req, _ := http.NewRequest("GET", a.ts.URL+"/login?next=/partners/1/audit", nil)
		res, _ := u.c.Do(req)
		res.Body.Close()
		if loc := res.Header.Get("Location"); loc != "/partners/1/audit" {
			t.Errorf("signed-in visit to /login goes to %q", loc)
		}
	})
}

func TestSignInIsRateLimited(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{TrustProxy: true})
		attempt := func(email, pw, addr string) int {
			u := a.anon()
			u.get("/login")
			form := url.Values{"email": {email}, "password": {pw}, "csrf": {u.cookie("pd_csrf")}}
			req, _ := http.NewRequest("POST", a.ts.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", addr)
			u.do(req)
			return u.status
		}
		// Per account: five failures from anywhere lock the account out,
		// even for the right password.
		for i := 0; i < 5; i++ {
			if s := attempt(st.AlphaAdmin, "guess", "10.0.0."+string(rune('1'+i))); s != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i+1, s)
			}
		}
		if s := attempt(st.AlphaAdmin, st.Password, "10.0.1.1"); s != http.StatusTooManyRequests {
			t.Fatalf("sixth attempt on the account: %d, want 429", s)
		}
		if s := attempt(st.BetaAdmin, st.Password, "10.0.1.1"); s != http.StatusSeeOther {
			t.Fatalf("another account is not locked: %d", s)
		}
		// Per address: twenty failures across accounts lock the address.
		for i := 0; i < 20; i++ {
			attempt("nobody"+string(rune('a'+i))+"@x.test", "guess", "192.0.2.7")
		}
		if s := attempt(st.AdminEmail, st.Password, "192.0.2.7"); s != http.StatusTooManyRequests {
			t.Fatalf("address after 20 failures: %d, want 429", s)
		}
		if s := attempt(st.AdminEmail, st.Password, "192.0.2.8"); s != http.StatusSeeOther {
			t.Fatalf("another address: %d", s)
		}
	})
}

func TestSignOutEverywhereRevokesEverySession(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		laptop, phone := a.signIn(st.AlphaAdmin), a.signIn(st.AlphaAdmin)
		other := a.signIn(st.AlphaEmployee)
		phone.post("/logout/everywhere", nil)
		if phone.status != http.StatusSeeOther {
			t.Fatalf("sign out everywhere: %d", phone.status)
		}
		for name, u := range map[string]*user{"laptop": laptop, "phone": phone} {
			u.get(clientsURL(st.AlphaID))
			if u.status != http.StatusSeeOther {
				t.Errorf("%s still signed in: %d", name, u.status)
			}
		}
		other.get(clientsURL(st.AlphaID))
		if other.status != http.StatusOK {
			t.Errorf("another user's session ended too: %d", other.status)
		}
		// Signing out one session leaves the others.
		a1, a2 := a.signIn(st.BetaAdmin), a.signIn(st.BetaAdmin)
		a1.post("/logout", nil)
		a1.get(clientsURL(st.BetaID))
		a2.get(clientsURL(st.BetaID))
		if a1.status != http.StatusSeeOther || a2.status != http.StatusOK {
			t.Errorf("sign out: signed-out %d, other session %d", a1.status, a2.status)
		}
	})
}
