package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// forgot asks for a reset link for addr as a signed-out visitor and
// returns the page's message and how long the answer took.
func forgot(a *app, addr string) (string, int, time.Duration) {
	u := a.anon()
	u.get("/password/forgot")
	start := time.Now()
	body := u.post("/password/forgot", url.Values{"email": {addr}})
	return mainText(body), u.status, time.Since(start)
}

var mainTag = regexp.MustCompile(`(?s)<main id="main">(.*)</main>`)

// mainText is a page's main part, without the CSRF token that differs
// between visitors.
func mainText(body string) string {
	m := mainTag.FindStringSubmatch(body)
	if m == nil {
		return body
	}
	return regexp.MustCompile(`name="csrf" value="[^"]*"`).ReplaceAllString(m[1], "")
}

// The request page answers the same, in about the same time, whether the
// address has an account, has none, or is deactivated; only the account
// gets an email.
func TestForgotPasswordAnswersTheSameForAnyAddress(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		if err := a.db.DeactivateUser(st.As(st.AlphaAdmin), st.AlphaEmployeeID); err != nil {
			t.Fatal(err)
		}
		times := map[string][]time.Duration{}
		var pages []string
		for range 3 {
			for _, addr := range []string{st.AlphaAdmin, "nobody@nowhere.test", st.AlphaEmployee} {
				page, status, took := forgot(a, addr)
				if status != http.StatusOK || !strings.Contains(page, "If an account uses") {
					t.Fatalf("%s: %d\n%s", addr, status, page)
				}
				pages = append(pages, strings.ReplaceAll(page, addr, "ADDRESS"))
				times[addr] = append(times[addr], took)
			}
		}
		for _, p := range pages[1:] {
			if p != pages[0] {
				t.Fatalf("answers differ:\n%s\n---\n%s", pages[0], p)
			}
		}
		median := func(ds []time.Duration) time.Duration { slices.Sort(ds); return ds[len(ds)/2] }
		known, unknown := median(times[st.AlphaAdmin]), median(times["nobody@nowhere.test"])
		if known < 250*time.Millisecond || unknown < 250*time.Millisecond || (known-unknown).Abs() > 100*time.Millisecond {
			t.Errorf("answer times: %s with an account, %s without", known, unknown)
		}
		if n := len(st.Emails(t, a.db, st.AlphaAdmin)); n != 3+1 { // and the fixture's digest
			t.Errorf("%d emails to the account, want 3 and the fixture's", n)
		}
		if n := len(st.Emails(t, a.db, st.AlphaEmployee)) + len(st.Emails(t, a.db, "nobody@nowhere.test")); n != 0 {
			t.Errorf("%d emails to a deactivated user or no one", n)
		}
	})
}

// The whole flow over HTTP: the emailed link sets a new password once;
// the old password and every earlier session stop working; the link
// cannot be used again; too many requests are refused.
func TestPasswordResetByEmail(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{BaseURL: "https://partners.example.com"})
		before := a.signIn(st.AlphaAdmin)
		if _, status, _ := forgot(a, st.AlphaAdmin); status != http.StatusOK {
			t.Fatal(status)
		}
		m := st.Emails(t, a.db, st.AlphaAdmin)[0]
		link := st.LinkPath(t, m)
		if !strings.Contains(m.Text, "https://partners.example.com"+link) {
			t.Fatalf("the link is not on the base URL:\n%s", m.Text)
		}
		u := a.anon()
		if body := u.get(link); u.status != http.StatusOK || !strings.Contains(body, st.AlphaAdmin) {
			t.Fatalf("reset page: %d\n%s", u.status, body)
		}
		if body := u.post(link, url.Values{"password": {"password123"}}); u.status != http.StatusBadRequest || !strings.Contains(body, "at least 12 characters") {
			t.Errorf("a weak password: %d\n%s", u.status, mainText(body))
		}
		u.post(link, url.Values{"password": {"correct horse battery staple"}})
		if u.status != http.StatusSeeOther || u.location != "/login?notice=reset" {
			t.Fatalf("reset: %d %s", u.status, u.location)
		}
		if body := u.get(u.location); !strings.Contains(body, "Your new password is set") {
			t.Errorf("sign-in page after the reset:\n%s", mainText(body))
		}
		// The session from before is gone; the old password is refused.
		before.get(clientsURL(st.AlphaID))
		if before.status != http.StatusSeeOther || !strings.HasPrefix(before.location, "/login") {
			t.Errorf("a session from before the reset: %d %s", before.status, before.location)
		}
		old := a.anon()
		old.get("/login")
		old.post("/login", url.Values{"email": {st.AlphaAdmin}, "password": {st.Password}})
		if old.status != http.StatusUnauthorized {
			t.Errorf("the old password: %d", old.status)
		}
		fresh := a.anon()
		fresh.get("/login")
		fresh.post("/login", url.Values{"email": {st.AlphaAdmin}, "password": {"correct horse battery staple"}})
		if fresh.status != http.StatusSeeOther {
			t.Errorf("the new password: %d", fresh.status)
		}
		// Used once: the link is refused, and changes nothing.
		again := a.anon()
		if body := again.get(link); again.status != http.StatusNotFound || !strings.Contains(body, "expired or has already been used") {
			t.Errorf("the used link's page: %d", again.status)
		}
		again.post(link, url.Values{"password": {"another long passphrase"}})
		if again.status != http.StatusNotFound {
			t.Errorf("the used link, posted: %d", again.status)
		}
		if !signsIn(t, a, st.AlphaAdmin, "correct horse battery staple") {
			t.Error("the used link changed the password")
		}
		// Too many requests for one address.
		statuses := ""
		for range 5 {
			_, status, _ := forgot(a, st.BetaAdmin)
			statuses += http.StatusText(status) + ", "
		}
		if _, status, _ := forgot(a, st.BetaAdmin); status != http.StatusTooManyRequests {
			t.Errorf("a sixth request: %d (before: %s)", status, statuses)
		}
	})
}

// signsIn reports whether pw signs email in through the form.
func signsIn(t *testing.T, a *app, email, pw string) bool {
	t.Helper()
	u := a.anon()
	u.get("/login")
	u.post("/login", url.Values{"email": {email}, "password": {pw}})
	return u.status == http.StatusSeeOther
}
