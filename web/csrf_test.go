package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// The sign-in form's CSRF token is one a server of this program made: a
// cookie planted with any value, and the same value in the form, is
// refused (login CSRF); a genuine token works, on another server sharing
// the database too.
func TestSignInRefusesAPlantedCSRFCookie(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		other := newApp(t, e, web.Config{}) // its own database, so its own key
		twin, err := web.New(a.db, web.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)), st.Clock)
		if err != nil {
			t.Fatal(err)
		}
		twinTS := httptest.NewServer(twin)
		defer twinTS.Close()

		genuine := func(a *app) string {
			u := a.anon()
			u.get("/login")
			return u.cookie("pd_csrf")
		}
		for _, c := range []struct {
			name   string
			token  string
			to     string // the server signed in to
			status int
		}{
			{"planted 40 characters", strings.Repeat("a", 40), a.ts.URL, http.StatusForbidden},
			{"planted nonce and signature", strings.Repeat("a", 64) + "." + strings.Repeat("b", 43), a.ts.URL, http.StatusForbidden},
			{"another program's genuine token", genuine(other), a.ts.URL, http.StatusForbidden},
			{"genuine token", genuine(a), a.ts.URL, http.StatusSeeOther},
			{"genuine token, posted to another server", genuine(a), twinTS.URL, http.StatusSeeOther},
		} {
			u := a.anon()
			base, _ := url.Parse(c.to)
			u.c.Jar.SetCookies(base, []*http.Cookie{{Name: "pd_csrf", Value: c.token, Path: "/"}})
			form := url.Values{"email": {st.AlphaAdmin}, "password": {st.Password}, "csrf": {c.token}}
			req, _ := http.NewRequest("POST", c.to+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			u.do(req)
			if u.status != c.status {
				t.Errorf("%s: sign-in answered %d, want %d", c.name, u.status, c.status)
			}
		}
	})
}
