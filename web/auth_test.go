package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/partnerdesk/partnerdesk/password"
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

// signInRequest is u's sign-in form, filled in.
func signInRequest(u *user, email, pw string) *http.Request {
	form := url.Values{"email": {email}, "password": {pw}, "csrf": {u.cookie("pd_csrf")}}
	req, _ := http.NewRequest("POST", u.a.ts.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// attempt signs in as email from addr (through a trusted proxy) and returns
// the status and Retry-After.
func (a *app) attempt(email, pw, addr string) (int, string) {
	u := a.anon()
	u.get("/login")
	req := signInRequest(u, email, pw)
	req.Header.Set("X-Forwarded-For", addr)
	res, err := u.c.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusTooManyRequests && !strings.Contains(string(body), "Too many failed sign-in attempts. Try again in") {
		a.t.Errorf("429 without saying why:\n%s", body)
	}
	return res.StatusCode, res.Header.Get("Retry-After")
}

func TestSignInIsRateLimited(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{TrustProxy: true})
		// Per account and address: five failures, then even the right
		// password waits for 15 minutes from the first...
		for i := range 5 {
			if s, _ := a.attempt(st.AlphaAdmin, "guess", "203.0.113.5"); s != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i+1, s)
			}
		}
		if s, wait := a.attempt(st.AlphaAdmin, st.Password, "203.0.113.5"); s != http.StatusTooManyRequests || wait != "900" {
			t.Fatalf("sixth attempt from the address: %d, Retry-After %q; want 429 after 900 s", s, wait)
		}
		// ...but the owner elsewhere is not locked out.
		if s, _ := a.attempt(st.AlphaAdmin, st.Password, "198.51.100.7"); s != http.StatusSeeOther {
			t.Fatalf("the owner from another address: %d", s)
		}

		// An attack from many addresses spends the account's daily budget
		// of 100 failures (the five above count): new addresses wait a
		// day, the address the owner signed in from is not refused.
		for i := range 95 {
			if s, _ := a.attempt(st.AlphaAdmin, "guess", fmt.Sprintf("198.18.%d.%d", i/100, i%100+1)); s != http.StatusUnauthorized {
				t.Fatalf("distributed failure %d: %d", i+1, s)
			}
		}
		if s, wait := a.attempt(st.AlphaAdmin, st.Password, "192.0.2.200"); s != http.StatusTooManyRequests || atoi(wait) < 23*3600 {
			t.Fatalf("a new address on the attacked account: %d, Retry-After %q; want 429 for about a day", s, wait)
		}
		if s, _ := a.attempt(st.AlphaAdmin, st.Password, "198.51.100.7"); s != http.StatusSeeOther {
			t.Fatalf("the owner from the address they signed in from before: %d", s)
		}
		if s, _ := a.attempt(st.BetaAdmin, st.Password, "192.0.2.200"); s != http.StatusSeeOther {
			t.Fatalf("another account is not locked: %d", s)
		}

		// Per address: twenty failures across accounts close the address.
		for i := range 20 {
			a.attempt(fmt.Sprintf("nobody%d@x.test", i), "guess", "192.0.2.7")
		}
		if s, _ := a.attempt(st.AdminEmail, st.Password, "192.0.2.7"); s != http.StatusTooManyRequests {
			t.Fatalf("address after 20 failures: %d, want 429", s)
		}
		if s, _ := a.attempt(st.AdminEmail, st.Password, "192.0.2.8"); s != http.StatusSeeOther {
			t.Fatalf("another address: %d", s)
		}
	})
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// Behind a balancer, servers on one database share the limits.
func TestSignInLimitsAreSharedByServers(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{TrustProxy: true})
		b := a.another(web.Config{TrustProxy: true})
		for i, srv := range []*app{a, b, a, b, a} {
			if code, _ := srv.attempt(st.AlphaAdmin, "guess", "203.0.113.5"); code != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i+1, code)
			}
		}
		for name, srv := range map[string]*app{"first": a, "second": b} {
			if code, _ := srv.attempt(st.AlphaAdmin, st.Password, "203.0.113.5"); code != http.StatusTooManyRequests {
				t.Errorf("sixth attempt on the %s server: %d, want 429", name, code)
			}
		}
	})
}

// With --trust-proxy the address is the one the trusted proxies saw: the
// entries a client writes into X-Forwarded-For are ignored.
func TestClientAddressBehindProxies(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := newApp(t, e, web.Config{})
		for _, c := range []struct {
			name  string
			cfg   web.Config
			lines []string // X-Forwarded-For header lines
			want  string
		}{
			{"proxy not trusted", web.Config{}, []string{"198.51.100.1"}, "127.0.0.1"},
			{"one proxy", web.Config{TrustProxy: true}, []string{"1.2.3.4, 198.51.100.2"}, "198.51.100.2"},
			{"one proxy adding a header line", web.Config{TrustProxy: true}, []string{"1.2.3.4", "198.51.100.3"}, "198.51.100.3"},
			{"two proxies", web.Config{TrustProxy: true, ProxyHops: 2}, []string{"1.2.3.4, 198.51.100.4, 10.0.0.9"}, "198.51.100.4"},
			{"two proxies, one entry", web.Config{TrustProxy: true, ProxyHops: 2}, []string{"198.51.100.5"}, "198.51.100.5"},
			{"with a port", web.Config{TrustProxy: true}, []string{"[2001:db8::5]:4711"}, "2001:db8::5"},
			{"not an address", web.Config{TrustProxy: true}, []string{"1.2.3.4, unknown"}, "127.0.0.1"},
		} {
			a := db.another(c.cfg)
			u := a.anon()
			u.get("/login")
			form := url.Values{"email": {st.AlphaAdmin}, "password": {st.Password}, "csrf": {u.cookie("pd_csrf")}}
			req, _ := http.NewRequest("POST", a.ts.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for _, l := range c.lines {
				req.Header.Add("X-Forwarded-For", l)
			}
			if u.do(req); u.status != http.StatusSeeOther {
				t.Fatalf("%s: sign in: %d", c.name, u.status)
			}
			rows, err := a.db.QueryRaw(ctx(), "SELECT ip FROM sessions ORDER BY id DESC LIMIT 1")
			if err != nil {
				t.Fatal(err)
			}
			var ip string
			for rows.Next() {
				rows.Scan(&ip)
			}
			rows.Close()
			if ip != c.want {
				t.Errorf("%s: address %q, want %q", c.name, ip, c.want)
			}
		}

		// A client that varies what it writes before the proxy's entry is
		// still one address.
		a := newApp(t, e, web.Config{TrustProxy: true})
		limited := 0
		for i := range 22 {
			if s, _ := a.attempt(st.AlphaAdmin, "guess", fmt.Sprintf("1.2.3.%d, 198.51.100.9", i)); s == http.StatusTooManyRequests {
				limited++
			}
		}
		if limited != 17 {
			t.Errorf("22 attempts with a varying leftmost entry: %d refused, want 17", limited)
		}
	})
}

// A hash made with older parameters is replaced at the next sign-in.
func TestSignInUpgradesOutdatedHashes(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		stronger := password.Params{Memory: 2048, Time: 2, Threads: 1}
		a := newApp(t, e, web.Config{PasswordParams: stronger})
		hashOf := func(email string) string {
			_, h, err := a.db.Credentials(ctx(), email)
			if err != nil {
				t.Fatal(err)
			}
			return h
		}
		before := hashOf(st.AlphaAdmin)
		if !password.Outdated(before, stronger) {
			t.Fatal("the fixture's hash is not outdated")
		}
		a.attempt(st.AlphaAdmin, "wrong password", "192.0.2.1")
		if hashOf(st.AlphaAdmin) != before {
			t.Error("a wrong password replaced the hash")
		}
		if s, _ := a.attempt(st.AlphaAdmin, st.Password, "192.0.2.1"); s != http.StatusSeeOther {
			t.Fatalf("sign in: %d", s)
		}
		after := hashOf(st.AlphaAdmin)
		if password.Outdated(after, stronger) || !strings.Contains(after, "$m=2048,t=2,p=1$") {
			t.Errorf("the hash was not upgraded: %s", after)
		}
		if s, _ := a.attempt(st.AlphaAdmin, st.Password, "192.0.2.1"); s != http.StatusSeeOther || hashOf(st.AlphaAdmin) != after {
			t.Errorf("signing in with the upgraded hash: %d, hash changed again %v", s, hashOf(st.AlphaAdmin) != after)
		}
		// With the same parameters, signing in rewrites nothing.
		b := a.another(web.Config{})
		same := hashOf(st.BetaAdmin)
		b.signIn(st.BetaAdmin)
		if hashOf(st.BetaAdmin) != same {
			t.Error("a current hash was replaced")
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
