package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// HSTS is sent over TLS only (directly, or through a trusted proxy that
// says so); pages and API answers are never stored, static files may be;
// the CSP lets no page change its base URL.
func TestSecurityHeaders(t *testing.T) {
	sqlite := st.Engine{Name: "sqlite", Open: st.OpenSQLite}
	plain := newApp(t, sqlite, web.Config{})
	proxied := newApp(t, sqlite, web.Config{TrustProxy: true})
	tls := httptest.NewTLSServer(plain.srv)
	defer tls.Close()
	alpha := plain.signIn(st.AlphaAdmin)

	for _, c := range []struct {
		name    string
		client  *http.Client
		url     string
		proto   string // X-Forwarded-Proto
		hsts    bool
		noStore bool
	}{
		{"page over plain HTTP", plain.ts.Client(), plain.ts.URL + "/login", "", false, true},
		{"page over TLS", tls.Client(), tls.URL + "/login", "", true, true},
		{"page behind a TLS proxy", proxied.ts.Client(), proxied.ts.URL + "/login", "https", true, true},
		{"untrusted proxy header", plain.ts.Client(), plain.ts.URL + "/login", "https", false, true},
		{"a partner's page", alpha.c, plain.ts.URL + clientsURL(st.AlphaID), "", false, true},
		{"a partner's CSV", alpha.c, plain.ts.URL + clientsURL(st.AlphaID) + ".csv", "", false, true},
		{"API answer", plain.ts.Client(), plain.ts.URL + "/api/v1/partners/1", "", false, true},
		{"API answer over TLS", tls.Client(), tls.URL + "/api/v1/partners/1", "", true, true},
		{"static file", plain.ts.Client(), plain.ts.URL + "/static/app.css", "", false, false},
	} {
		req, _ := http.NewRequest("GET", c.url, nil)
		if c.proto != "" {
			req.Header.Set("X-Forwarded-Proto", c.proto)
		}
		res, err := c.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		h := res.Header
		if got := h.Get("Strict-Transport-Security") != ""; got != c.hsts {
			t.Errorf("%s: Strict-Transport-Security %q, want it %v", c.name, h.Get("Strict-Transport-Security"), c.hsts)
		} else if got && !strings.Contains(h.Get("Strict-Transport-Security"), "max-age=") {
			t.Errorf("%s: Strict-Transport-Security %q has no max-age", c.name, h.Get("Strict-Transport-Security"))
		}
		if got := h.Get("Cache-Control") == "no-store"; got != c.noStore {
			t.Errorf("%s: Cache-Control %q", c.name, h.Get("Cache-Control"))
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "base-uri 'none'") {
			t.Errorf("%s: CSP %q has no base-uri 'none'", c.name, csp)
		}
	}
}

// A browser's form sent from another site is refused even with a valid
// CSRF token; the same form from this site, an API call and a webhook
// delivery (which name no site, or any) pass.
func TestCrossOriginFormsAreRefused(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		for _, c := range []struct {
			name   string
			header string
			value  string
			status int
		}{
			{"Origin of another site", "Origin", "https://evil.example", http.StatusForbidden},
			{"Sec-Fetch-Site cross-site", "Sec-Fetch-Site", "cross-site", http.StatusForbidden},
			{"Origin of this site", "Origin", a.ts.URL, http.StatusSeeOther},
			{"Sec-Fetch-Site same-origin", "Sec-Fetch-Site", "same-origin", http.StatusSeeOther},
		} {
			u := a.signIn(st.AlphaAdmin)
			form := url.Values{"csrf": {u.csrf}}
			req, _ := http.NewRequest("POST", a.ts.URL+"/logout", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(c.header, c.value)
			u.do(req)
			if u.status != c.status {
				t.Errorf("%s: sign-out answered %d, want %d", c.name, u.status, c.status)
			}
		}

		in := a.bearer(st.IngestToken)
		req, _ := http.NewRequest("POST", a.ts.URL+"/api/v1/staff",
			strings.NewReader(`{"records":[{"id":"st-zoe","name":"Zoe Z","email":"zoe@vendor.test","role":"partner_manager"}]}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", "https://integration.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		in.do(req)
		if in.status != http.StatusOK {
			t.Errorf("API call with another Origin: %d", in.status)
		}
	})
}
