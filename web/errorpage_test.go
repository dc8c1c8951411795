package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// Every status a page can answer comes as the site's own page, titled for
// what happened, with the favicon; the favicon itself is served where
// browsers look for it.
func TestEveryPageErrorIsAStyledPage(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		emp, admin := a.signIn(st.AlphaEmployee), a.signIn(st.AlphaAdmin)
		big := url.Values{"email": {strings.Repeat("x", 20<<10)}}
		for _, c := range []struct {
			name   string
			u      *user
			method string
			path   string
			form   url.Values
			status int
			title  string
		}{
			{"a malformed query", emp, "GET", "/partners/1/clients?dir=sideways", nil, 400, "That request can't be used"},
			{"a page the role may not open", emp, "GET", "/partners/1/audit", nil, 403, "Not allowed"},
			{"an unknown address", emp, "GET", "/nowhere", nil, 404, "Not found"},
			{"an unknown address, signed out", a.anon(), "GET", "/nowhere/at/all", nil, 404, "Not found"},
			{"another partner's page", emp, "GET", "/partners/2/clients", nil, 404, "Not found"},
			{"a method the page does not take", emp, "DELETE", "/partners/1/clients", nil, 405, "This page can't do that"},
			{"a decision taken already", admin, "POST", fmt.Sprintf("/partners/1/renewals/%d/decision", st.NorthwindOverage),
				url.Values{"decision": {"confirmed"}, "confirm": {"yes"}}, 409, "That can't be done now"},
			{"a body larger than the page takes", a.anon(), "POST", "/login", big, 413, "That is too large"},
		} {
			var body string
			if c.method == "POST" {
				body = c.u.post(c.path, c.form)
			} else {
				req, _ := http.NewRequest(c.method, a.ts.URL+c.path, nil)
				body = c.u.do(req)
			}
			if c.u.status != c.status {
				t.Errorf("%s: %d, want %d", c.name, c.u.status, c.status)
				continue
			}
			checkErrorPage(t, c.name, body, c.status, c.title)
		}

		// The favicon, by its link and where browsers ask for it.
		for _, p := range []string{"/favicon.ico", "/static/favicon.svg"} {
			res, err := http.Get(a.ts.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || len(b) < 100 || res.Header.Get("Cache-Control") == "no-store" {
				t.Errorf("%s: %d, %d bytes, %s, Cache-Control %q", p, res.StatusCode, len(b), res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
			}
		}

		// An internal error (here the database gone) is a styled 500 too.
		a.db.Close()
		res, err := emp.c.Get(a.ts.URL + "/partners/1/clients")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusInternalServerError {
			t.Fatalf("with the database closed: %d", res.StatusCode)
		}
		checkErrorPage(t, "an internal error", string(b), 500, "Something went wrong")
	})
}

func checkErrorPage(t *testing.T, name, body string, status int, title string) {
	t.Helper()
	for _, want := range []string{fmt.Sprintf(`data-testid="error" data-status="%d"`, status), "<h1>" + title + "</h1>",
		`<link rel="icon" href="/static/favicon.svg"`, `<link rel="stylesheet" href="/static/app.css">`, `data-testid="request-id"`} {
		if !strings.Contains(body, want) {
			t.Errorf("%s: the page lacks %q:\n%s", name, want, body)
		}
	}
}
