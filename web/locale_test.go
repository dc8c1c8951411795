package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// getIn is a GET with an Accept-Language header.
func (u *user) getIn(accept, path string) string {
	u.a.t.Helper()
	req, _ := http.NewRequest("GET", u.a.ts.URL+path, nil)
	req.Header.Set("Accept-Language", accept)
	return u.do(req)
}

func htmlLang(body string) string {
	_, rest, _ := strings.Cut(body, `<html lang="`)
	lang, _, _ := strings.Cut(rest, `"`)
	return lang
}

// The language is the user's choice on /account, else the lang cookie the
// header's switch sets, else Accept-Language; <html lang> follows.
func TestLanguageFollowsAccountThenCookieThenBrowser(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		anon := a.anon()
		for accept, want := range map[string]string{"fr-CA,fr;q=0.9": "fr", "en-US": "en", "de": "en", "": "en", "de,fr;q=0.4": "fr"} {
			if got := htmlLang(anon.getIn(accept, "/login")); got != want {
				t.Errorf("Accept-Language %q: <html lang=%q>, want %q", accept, got, want)
			}
		}
		body := anon.getIn("fr", "/login")
		if !strings.Contains(body, "Aller au contenu") {
			t.Errorf("the French sign-in page is not in French:\n%s", body)
		}

		// The switch keeps the choice in a cookie (Max-Age, never Expires)
		// and returns to the page; it never sends anyone off the site.
		anon.post("/language", url.Values{"lang": {"en"}, "next": {"/directory?q=x"}})
		if anon.status != http.StatusSeeOther || anon.location != "/directory?q=x" {
			t.Fatalf("switch: %d to %q", anon.status, anon.location)
		}
		cookie := anon.header.Get("Set-Cookie")
		if !strings.HasPrefix(cookie, "lang=en;") || !strings.Contains(cookie, "Max-Age=31536000") || strings.Contains(cookie, "Expires") {
			t.Errorf("lang cookie: %s", cookie)
		}
		if got := htmlLang(anon.getIn("fr", "/login")); got != "en" {
			t.Errorf("with the cookie lang=en and Accept-Language fr: %q", got)
		}
		for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
			anon.post("/language", url.Values{"lang": {"fr"}, "next": {next}})
			if anon.location != "/" {
				t.Errorf("switch with next=%q went to %q", next, anon.location)
			}
		}
		anon.post("/language", url.Values{"lang": {"xx"}})
		if anon.status != http.StatusBadRequest {
			t.Errorf("an unknown language: %d", anon.status)
		}

		// The account's choice wins over the cookie and the browser.
		u := a.signIn(st.AlphaAdmin)
		u.post("/account/language", url.Values{"language": {"fr"}})
		if u.status != http.StatusSeeOther {
			t.Fatalf("save language: %d", u.status)
		}
		u.c.Jar.SetCookies(mustURL(a.ts.URL), []*http.Cookie{{Name: "lang", Value: "en", Path: "/"}})
		if got := htmlLang(u.getIn("en", "/account")); got != "fr" {
			t.Errorf("the account's choice fr, cookie and browser en: %q", got)
		}
		// Following the browser again.
		u.post("/account/language", url.Values{"language": {""}})
		if got := htmlLang(u.getIn("fr", "/account")); got != "fr" {
			t.Errorf("no choice, no cookie, browser fr: %q", got)
		}
		if got := htmlLang(u.getIn("en", "/account")); got != "en" {
			t.Errorf("no choice, no cookie, browser en: %q", got)
		}
		// The header's switch, signed in, is the account's choice too.
		u.post("/language", url.Values{"lang": {"fr"}, "next": {"/account"}})
		other := a.signIn(st.AlphaAdmin)
		if got := htmlLang(other.getIn("en", "/account")); got != "fr" {
			t.Errorf("the switch's choice did not follow the user to another session: %q", got)
		}
	})
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
