package web_test

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/partnerdesk/partnerdesk/oidc"
	"github.com/partnerdesk/partnerdesk/oidc/oidctest"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// The provider's accounts: the fixture's users with verified emails,
// Beta's admin unverified, and a stranger Partnerdesk does not know.
const (
	ssoPassword = "password at the provider"
	stranger    = "stranger@alpha.test"
)

var ssoUsers = []oidctest.User{
	{Email: st.AlphaAdmin, EmailVerified: true, Password: ssoPassword},
	{Email: st.AdminEmail, EmailVerified: true, Password: ssoPassword},
	{Email: st.BetaAdmin, EmailVerified: false, Password: ssoPassword},
	{Email: stranger, EmailVerified: true, Password: ssoPassword},
}

// newSSOApp is newApp with single sign-on through a real provider started
// for the test, which knows the app's callback.
func newSSOApp(t *testing.T, e st.Engine, name string) (*app, *oidctest.Provider) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	op := oidctest.Start(t, "http://"+ln.Addr().String()+"/oidc/callback", ssoUsers...)
	db := e.Open(t, st.Clock)
	st.Load(t, db)
	srv, err := web.New(db, web.Config{PasswordParams: st.PasswordParams, OIDC: oidc.Config{Issuer: op.Issuer,
		ClientID: op.ClientID, ClientSecret: op.ClientSecret, Name: name}}, slog.New(slog.NewTextHandler(io.Discard, nil)), st.Clock)
	if err != nil {
		t.Fatal(err)
	}
	ts := &httptest.Server{Listener: ln, Config: &http.Server{Handler: srv}}
	ts.Start()
	t.Cleanup(ts.Close)
	return &app{t: t, db: db, srv: srv, ts: ts}, op
}

// ssoBrowser goes back and forth between the app and the provider, as a
// browser does, with one cookie jar; it stops where the provider sends it
// back to the app, so that a test may look at (or change) the callback.
type ssoBrowser struct {
	*user
	follow *http.Client
}

func (a *app) ssoBrowser() *ssoBrowser {
	u := a.anon()
	follow := &http.Client{Jar: u.c.Jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == "/oidc/callback" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return &ssoBrowser{user: u, follow: follow}
}

// toProvider starts single sign-on and returns the provider's login page.
func (b *ssoBrowser) toProvider(next string) (*url.URL, string) {
	b.a.t.Helper()
	res, err := b.follow.Get(b.a.ts.URL + "/oidc/login?next=" + url.QueryEscape(next))
	if err != nil {
		b.a.t.Fatal(err)
	}
	defer res.Body.Close()
	page, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || res.Request.URL.Host == strings.TrimPrefix(b.a.ts.URL, "http://") {
		b.a.t.Fatalf("single sign-on did not reach the provider: %d at %s\n%s", res.StatusCode, res.Request.URL, page)
	}
	return res.Request.URL, string(page)
}

// logIn signs in at the provider's page and returns the callback it sends
// the browser to, not followed yet.
func (b *ssoBrowser) logIn(at *url.URL, page, email string) string {
	b.a.t.Helper()
	req, ok := oidctest.LogIn(at, page, email, ssoPassword)
	if !ok {
		b.a.t.Fatalf("no login form at the provider:\n%s", page)
	}
	res, err := b.follow.Do(req)
	if err != nil {
		b.a.t.Fatal(err)
	}
	res.Body.Close()
	back, err := res.Location()
	if err != nil || back.Path != "/oidc/callback" {
		b.a.t.Fatalf("the provider did not send the browser back: %d %v", res.StatusCode, err)
	}
	return back.String()
}

// signInWith takes the browser through the provider as email and follows
// the callback; it returns the callback's answer.
func (b *ssoBrowser) signInWith(email, next string) string {
	b.a.t.Helper()
	at, page := b.toProvider(next)
	return b.callback(b.logIn(at, page, email))
}

// callback visits the provider's callback URL on the app.
func (b *ssoBrowser) callback(to string) string {
	req, _ := http.NewRequest("GET", to, nil)
	return b.do(req)
}

func reasonOf(body string) string {
	_, after, ok := strings.Cut(body, `data-reason="`)
	if !ok {
		return ""
	}
	r, _, _ := strings.Cut(after, `"`)
	return r
}

func TestSingleSignOn(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a, _ := newSSOApp(t, e, "")
		body := a.anon().get("/login")
		if !strings.Contains(body, `href="/oidc/login?next=%2f"`) || !strings.Contains(body, "Sign in with 127.0.0.1") {
			t.Errorf("no single sign-on on the sign-in page:\n%s", body)
		}
		// Two-factor sign-in is not asked after single sign-on.
		enrol(t, a.signIn(st.AlphaAdmin))

		b := a.ssoBrowser()
		b.signInWith(st.AlphaAdmin, "/partners/1/renewals")
		if b.status != http.StatusSeeOther || b.location != "/partners/1/renewals" || b.cookie("pd_session") == "" {
			t.Fatalf("a verified known email: %d to %q", b.status, b.location)
		}
		if body := b.get("/partners/1/renewals"); b.status != http.StatusOK || !strings.Contains(body, "Alice Alpha") {
			t.Errorf("signed in with single sign-on: %d", b.status)
		}
		if pathCookie(b.user, "/oidc/callback", "pd_oidc") != "" {
			t.Error("the flow's cookie stays")
		}

		for _, c := range []struct {
			email, reason string
			status        int
		}{
			{st.BetaAdmin, "unverified", http.StatusForbidden},
			{stranger, "unknown", http.StatusForbidden},
		} {
			b := a.ssoBrowser()
			body := b.signInWith(c.email, "/")
			if b.status != c.status || reasonOf(body) != c.reason || b.cookie("pd_session") != "" {
				t.Errorf("%s: %d %q, want %d %q", c.email, b.status, reasonOf(body), c.status, c.reason)
			}
		}
		if body := a.ssoBrowser().signInWith(stranger, "/"); !strings.Contains(body, "ask your program or partner admin to invite you") {
			t.Errorf("the unknown email's page does not say what to do:\n%s", body)
		}
		if body := a.ssoBrowser().signInWith(st.BetaAdmin, "/"); !strings.Contains(body, "has not verified your email address") {
			t.Errorf("the unverified email's page does not say why:\n%s", body)
		}
	})
}

// A callback is accepted only with the state, nonce and cookie of its own
// flow, once.
func TestSingleSignOnRefusesAnotherFlow(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a, _ := newSSOApp(t, e, "Corp ID")
		refused := func(what string, b *ssoBrowser, to, reason string) {
			t.Helper()
			body := b.callback(to)
			if b.status != http.StatusBadRequest || reasonOf(body) != reason || b.cookie("pd_session") != "" {
				t.Errorf("%s: %d %q, want 400 %q", what, b.status, reasonOf(body), reason)
			}
		}
		// The state in the callback changed.
		b := a.ssoBrowser()
		at, page := b.toProvider("/")
		back := b.logIn(at, page, st.AlphaAdmin)
		u, _ := url.Parse(back)
		q := u.Query()
		q.Set("state", "tampered"+q.Get("state"))
		u.RawQuery = q.Encode()
		refused("another state", b, u.String(), "refused")
		// The flow was spent by that attempt: the right callback now is too late.
		refused("the flow after a refused callback", b, back, "expired")

		// Another browser, holding no flow, presents a good callback.
		b = a.ssoBrowser()
		at, page = b.toProvider("/")
		back = b.logIn(at, page, st.AlphaAdmin)
		refused("another browser", a.ssoBrowser(), back, "expired")

		// Two flows in one browser: the first one's callback meets the
		// second one's cookie.
		b = a.ssoBrowser()
		at, page = b.toProvider("/")
		b.toProvider("/")
		refused("another flow's cookie", b, b.logIn(at, page, st.AlphaAdmin), "refused")

		// The cookie's nonce is not the one the ID token carries.
		b = a.ssoBrowser()
		at, page = b.toProvider("/")
		back = b.logIn(at, page, st.AlphaAdmin)
		base, _ := url.Parse(a.ts.URL + "/oidc/callback")
		flow := pathCookie(b.user, "/oidc/callback", "pd_oidc")
		b.c.Jar.SetCookies(base, []*http.Cookie{{Name: "pd_oidc", Path: "/oidc", Value: a.srv.ReplaceFlowNonceForTest(flow, oidc.NewFlow().Nonce)}})
		refused("another nonce", b, back, "refused")

		// A cookie altered without the server's key.
		b = a.ssoBrowser()
		at, page = b.toProvider("/")
		back = b.logIn(at, page, st.AlphaAdmin)
		flow = pathCookie(b.user, "/oidc/callback", "pd_oidc")
		b.c.Jar.SetCookies(base, []*http.Cookie{{Name: "pd_oidc", Path: "/oidc", Value: "x" + flow}})
		refused("an altered cookie", b, back, "expired")

		// And the untouched flow signs in, once.
		b = a.ssoBrowser()
		at, page = b.toProvider("/")
		back = b.logIn(at, page, st.AlphaAdmin)
		if b.callback(back); b.status != http.StatusSeeOther || b.cookie("pd_session") == "" {
			t.Fatalf("an untouched flow: %d", b.status)
		}
		replay := a.ssoBrowser()
		refused("the callback again", replay, back, "expired")
	})
}

// The program lists domains whose users must use single sign-on: their
// password is refused; others' is not; single sign-on is not asked for a
// code, even of a program admin the program requires it of.
func TestSSODomainsRefusePasswordSignIn(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a, _ := newSSOApp(t, e, "Corp ID")
		admin := a.signIn(st.AdminEmail)
		if body := admin.get("/admin/program"); !strings.Contains(body, "sign in with Corp ID only") {
			t.Errorf("the program page does not name the provider:\n%s", body)
		}
		admin.post("/admin/program/sign-in", url.Values{"sso_domains": {"alpha.test\nnot a domain"}})
		if admin.status != http.StatusBadRequest {
			t.Errorf("a bad domain: %d", admin.status)
		}
		admin.post("/admin/program/sign-in", url.Values{"sso_domains": {"Alpha.test"}, "admin_two_factor": {"on"}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("save: %d", admin.status)
		}
		for _, email := range []string{st.AlphaAdmin, st.AlphaEmployee} {
			u := a.anon()
			u.get("/login")
			body := u.post("/login", url.Values{"email": {email}, "password": {st.Password}})
			if u.status != http.StatusForbidden || !strings.Contains(body, "Your organisation signs in with Corp ID") || u.cookie("pd_session") != "" {
				t.Errorf("password of %s: %d", email, u.status)
			}
		}
		a.signIn(st.BetaAdmin)
		b := a.ssoBrowser()
		if b.signInWith(st.AlphaAdmin, "/"); b.status != http.StatusSeeOther {
			t.Errorf("single sign-on of an SSO domain: %d", b.status)
		}
		// The program admin signed in with single sign-on is not sent to enrol.
		b = a.ssoBrowser()
		b.signInWith(st.AdminEmail, "/admin/partners")
		if b.get("/admin/partners"); b.status != http.StatusOK {
			t.Errorf("a program admin after single sign-on: %d to %q", b.status, b.location)
		}
	})
}

// The sign-in steps' public routes cap what they read and write nothing
// to disk, with or without a flow or pending sign-in behind the request.
func TestSignInStepsCapBodiesAndLeaveNoFile(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a, _ := newSSOApp(t, e, "")
		enrol(t, a.signIn(st.AlphaAdmin))
		pending := a.password(st.AlphaAdmin)
		flow := a.ssoBrowser()
		flow.toProvider("/")
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		walked := 0
		for _, rt := range a.srv.Routes() {
			if rt.Access != web.Public || !(strings.HasPrefix(rt.Pattern, "/login/") || strings.HasPrefix(rt.Pattern, "/oidc/")) {
				continue
			}
			walked++
			if rt.MaxBody > 64<<10 {
				t.Errorf("%s %s reads up to %d bytes", rt.Method, rt.Pattern, rt.MaxBody)
			}
			for _, u := range []*user{pending, flow.user, a.anon()} {
				for _, chunked := range []bool{false, true} {
					status := 0
					if rt.Method == "POST" {
						var err error
						if status, err = postFile(u, rt.Pattern, "", 4<<20, chunked); err != nil {
							t.Fatal(err)
						}
					} else {
						var body io.Reader = strings.NewReader(strings.Repeat("a", 4<<20))
						if chunked {
							body = struct{ io.Reader }{body}
						}
						req, _ := http.NewRequest("GET", a.ts.URL+rt.Pattern+"?code=x&state=y", body)
						res, err := u.c.Do(req)
						if err != nil {
							t.Fatal(err)
						}
						res.Body.Close()
						status = res.StatusCode
					}
					if status >= 500 || (!chunked && status != http.StatusRequestEntityTooLarge) || (chunked && rt.Method == "POST" && status != http.StatusRequestEntityTooLarge) {
						t.Errorf("%s %s with 4 MB (chunked %v): %d", rt.Method, rt.Pattern, chunked, status)
					}
					if left, _ := os.ReadDir(tmp); len(left) > 0 {
						t.Errorf("%s %s left %s in TMPDIR", rt.Method, rt.Pattern, left[0].Name())
					}
				}
			}
		}
		if walked != 4 {
			t.Errorf("walked %d routes of the sign-in steps, want 4", walked)
		}
	})
}
