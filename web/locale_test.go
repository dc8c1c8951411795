package web_test

import (
	"net/http"
	"net/url"
	"regexp"
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

// switchTo uses the header's language switch on the page from (its Referer).
func (u *user) switchTo(lang, from string) {
	u.a.t.Helper()
	req, _ := http.NewRequest("POST", u.a.ts.URL+"/language", strings.NewReader(url.Values{"lang": {lang}, "csrf": {u.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if from != "" {
		req.Header.Set("Referer", from)
	}
	u.do(req)
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
		anon.switchTo("en", a.ts.URL+"/directory?q=x")
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
		for _, from := range []string{"https://evil.example/x", "", "::not a url"} {
			anon.switchTo("fr", from)
			if anon.location != "/" {
				t.Errorf("switch from %q went to %q", from, anon.location)
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
		if body := u.get("/account"); !strings.Contains(body, `<option value="fr" lang="fr" selected>Français</option>`) ||
			!strings.Contains(body, "Votre langue est enregistrée.") && !strings.Contains(body, "Langue") {
			t.Errorf("the account page does not show the choice:\n%s", mainText(body))
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
		u.switchTo("fr", a.ts.URL+"/account")
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

var (
	frenchDate  = regexp.MustCompile(`\b\d{1,2} (janv\.|févr\.|mars|avr\.|mai|juin|juil\.|août|sept\.|oct\.|nov\.|déc\.) \d{4}\b`)
	englishDate = regexp.MustCompile(`\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4}\b`)
	frenchMoney = regexp.MustCompile(`\d,\d\d\x{a0}\$US`)
	usMoney     = regexp.MustCompile(`\$\d[\d,]*\.\d\d`)
)

// The partner's key pages and the public ones read as a French product
// writes them: the seed's terms, money as 1 234,56 $US, dates as 1 déc. 2026,
// a compact chart axis; no English date or amount is left.
func TestFrenchPagesUseFrenchWordsMoneyAndDates(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := refreshed(t, e)
		u := a.signIn(st.AlphaAdmin)
		u.post("/account/language", url.Values{"language": {"fr"}})
		for _, c := range []struct {
			path  string
			words []string
			money bool
			date  bool
		}{
			{clientsURL(st.AlphaID), []string{"Tableau de bord", "Alertes", "de renouvellement à venir", "Mettre fin aux services", "Indice d'engagement sur la plateforme", "Équipe"}, true, false},
			{"/partners/1/tier", []string{"Niveau attribué", "Crédit de niveau vendu au fil du temps", "Répartition totale du crédit de niveau vendu", "Nouveau crédit"}, true, true},
			{"/partners/1/renewals", []string{"Renouvellements", "Date de renouvellement", "Conditions proposées"}, true, true},
			{"/partners/1/team", []string{"Équipe", "Responsable Partenaires"}, false, false},
		} {
			body := u.get(c.path)
			if u.status != http.StatusOK || htmlLang(body) != "fr" {
				t.Fatalf("%s: %d, lang %q", c.path, u.status, htmlLang(body))
			}
			for _, w := range c.words {
				if !strings.Contains(body, w) {
					t.Errorf("%s lacks %q", c.path, w)
				}
			}
			if c.money && (!frenchMoney.MatchString(body) || usMoney.MatchString(body)) {
				t.Errorf("%s: money is not written the French way: %v", c.path, usMoney.FindAllString(body, 3))
			}
			if c.date && !frenchDate.MatchString(body) {
				t.Errorf("%s: no French date", c.path)
			}
			if m := englishDate.FindAllString(body, 3); m != nil {
				t.Errorf("%s: English dates %v", c.path, m)
			}
		}
		// The chart's axis is compact: "1 M$", "250 k$".
		if axis := regexp.MustCompile(`text-anchor="end" aria-hidden="true">([^<]*)<`).FindAllStringSubmatch(u.get("/partners/1/tier"), -1); len(axis) == 0 ||
			!strings.HasSuffix(axis[len(axis)-1][1], "$") || strings.Contains(axis[len(axis)-1][1], ",00") {
			t.Errorf("the chart's axis: %v", axis)
		}

		// A domain error's message is in the page's language too.
		if body := u.get(clientsURL(st.AlphaID) + "?page=x"); u.status != http.StatusBadRequest ||
			!strings.Contains(body, "La page doit être un nombre entier à partir de 1.") {
			t.Errorf("a French error page: %d\n%s", u.status, mainText(body))
		}

		// A form's several refusals, each in French.
		admin := a.signIn(st.AdminEmail)
		admin.post("/account/language", url.Values{"language": {"fr"}})
		admin.get("/admin/program")
		body := admin.post("/admin/program", url.Values{"name": {"P"}, "currency": {"USD"}, "time_zone": {"UTC"},
			"refresh_start": {"06:00"}, "refresh_end": {"08:00"}, "renewal_horizon_days": {"x"}, "decision_deadline_days": {"y"},
			"default_comm_owner": {"vendor"}})
		body = strings.ReplaceAll(body, "&#39;", "'")
		if admin.status != http.StatusBadRequest || !strings.Contains(body, ">L'horizon des renouvellements est un nombre entier de jours.<") ||
			!strings.Contains(body, ">La date limite de décision est un nombre entier de jours.<") || !strings.Contains(body, "2 champs sont à corriger") {
			t.Errorf("the settings' refusals in French: %d\n%s", admin.status, mainText(body))
		}

		anon := a.anon()
		for path, words := range map[string][]string{
			"/login":     {"Se connecter", "Mot de passe oublié ?"},
			"/directory": {"Annuaire des partenaires"},
		} {
			body := anon.getIn("fr-FR,fr;q=0.9", path)
			for _, w := range words {
				if !strings.Contains(body, w) {
					t.Errorf("%s in French lacks %q", path, w)
				}
			}
		}
	})
}

// CSV exports stay machine-readable whatever the language.
func TestCSVExportsDoNotFollowTheLanguage(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		en := a.signIn(st.AlphaAdmin)
		want := en.get(clientsURL(st.AlphaID) + ".csv")
		fr := a.signIn(st.AlphaAdmin)
		fr.post("/account/language", url.Values{"language": {"fr"}})
		if got := fr.get(clientsURL(st.AlphaID) + ".csv"); got != want || !strings.Contains(got, ".") {
			t.Errorf("the French export differs:\n%s\n---\n%s", got, want)
		}
	})
}
