package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/password"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// app is a running server on a real database loaded with the fixture.
type app struct {
	t   *testing.T
	db  *store.DB
	srv *web.Server
	ts  *httptest.Server
}

func newApp(t *testing.T, e st.Engine, cfg web.Config) *app {
	t.Helper()
	return newAppAt(t, e, cfg, st.Clock)
}

// newAppAt is newApp with the database and the server on clock instead of
// the fixture's (whose data stays placed around st.Now).
func newAppAt(t *testing.T, e st.Engine, cfg web.Config, clock pd.Clock) *app {
	t.Helper()
	db := e.Open(t, clock)
	st.Load(t, db)
	if cfg.PasswordParams == (password.Params{}) {
		cfg.PasswordParams = st.PasswordParams
	}
	srv, err := web.New(db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), clock)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &app{t: t, db: db, srv: srv, ts: ts}
}

// another is a second server on a's database, as behind a balancer.
func (a *app) another(cfg web.Config) *app {
	a.t.Helper()
	if cfg.PasswordParams == (password.Params{}) {
		cfg.PasswordParams = st.PasswordParams
	}
	srv, err := web.New(a.db, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), st.Clock)
	if err != nil {
		a.t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	a.t.Cleanup(ts.Close)
	return &app{t: a.t, db: a.db, srv: srv, ts: ts}
}

// user is a browser: a cookie jar that does not follow redirects.
type user struct {
	a        *app
	c        *http.Client
	csrf     string
	status   int
	location string
	header   http.Header // of the last response
	token    string      // an API token, sent as Authorization: Bearer
	agent    string      // the User-Agent it sends, if set
}

// bearer is an API client holding token (and no cookie).
func (a *app) bearer(token string) *user {
	u := a.anon()
	u.token = token
	return u
}

func (a *app) anon() *user {
	jar, _ := cookiejar.New(nil)
	return &user{a: a, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// signIn signs in through the real form and remembers the CSRF token.
func (a *app) signIn(email string) *user {
	a.t.Helper()
	u := a.anon()
	u.get("/login")
	res := u.post("/login", url.Values{"email": {email}, "password": {st.Password}})
	if u.status != http.StatusSeeOther {
		a.t.Fatalf("sign in as %s: status %d\n%s", email, u.status, res)
	}
	for i := 0; i < 3 && u.status == http.StatusSeeOther; i++ {
		u.get(u.location) // the landing page holds the session's CSRF token
	}
	if u.status != http.StatusOK {
		a.t.Fatalf("landing page of %s: status %d", email, u.status)
	}
	return u
}

func (u *user) do(req *http.Request) string {
	u.a.t.Helper()
	if u.token != "" {
		req.Header.Set("Authorization", "Bearer "+u.token)
	}
	if u.agent != "" {
		req.Header.Set("User-Agent", u.agent)
	}
	res, err := u.c.Do(req)
	if err != nil {
		u.a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	u.status, u.location, u.header = res.StatusCode, res.Header.Get("Location"), res.Header
	if m := csrfMeta.FindSubmatch(b); m != nil {
		u.csrf = string(m[1])
	}
	if res.StatusCode == http.StatusInternalServerError {
		u.a.t.Fatalf("%s %s: 500\n%s", req.Method, req.URL, b)
	}
	if contractCovers(req.URL.Path) {
		if err := checkContract(req.Method, req.URL.Path, res.StatusCode, res.Header.Get("Content-Type"), b); err != nil {
			u.a.t.Errorf("API contract: %v", err)
		}
	}
	return string(b)
}

func (u *user) get(path string) string {
	req, _ := http.NewRequest("GET", u.a.ts.URL+path, nil)
	return u.do(req)
}

// post sends a form with the user's CSRF token (unless form sets csrf).
func (u *user) post(path string, form url.Values) string {
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		if u.csrf == "" {
			if c := u.cookie("pd_csrf"); c != "" {
				u.csrf = c
			}
		}
		form.Set("csrf", u.csrf)
	}
	req, _ := http.NewRequest("POST", u.a.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return u.do(req)
}

func (u *user) cookie(name string) string {
	base, _ := url.Parse(u.a.ts.URL)
	for _, c := range u.c.Jar.Cookies(base) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func clientsURL(partner int) string { return fmt.Sprintf("/partners/%d/clients", partner) }

func ctx() context.Context { return context.Background() }

// postJSON posts a JSON body (with the user's CSRF token in the header, to
// show that it opens nothing on the API).
func (u *user) postJSON(path, body string) string {
	req, _ := http.NewRequest("POST", u.a.ts.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if u.csrf != "" {
		req.Header.Set("X-CSRF-Token", u.csrf)
	}
	return u.do(req)
}
