package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// signInWith signs in through the form from a browser that says agent.
func (a *app) signInWith(email, agent string) *user {
	a.t.Helper()
	u := a.anon()
	u.agent = agent
	u.get("/login")
	u.post("/login", url.Values{"email": {email}, "password": {st.Password}})
	if u.status != http.StatusSeeOther {
		a.t.Fatalf("sign in as %s: %d", email, u.status)
	}
	u.get("/account")
	return u
}

var sessionRow = regexp.MustCompile(`(?s)<tr data-session="(\d+)">(.*?)</tr>`)

// The account page shows the user's sessions (device, address, last
// seen) and ends one or all the others; it changes the name, the digest
// setting, and the password, which needs the current one and ends the
// other sessions; it links to two-factor sign-in.
func TestAccountPage(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		laptop := a.signInWith(st.AlphaAdmin, "Firefox on Linux")
		phone := a.signInWith(st.AlphaAdmin, "Safari on iPhone")
		tablet := a.signInWith(st.AlphaAdmin, "Chrome on Android")
		body := laptop.get("/account")
		rows := sessionRow.FindAllStringSubmatch(body, -1)
		if laptop.status != http.StatusOK || len(rows) != 3 || !strings.Contains(body, `href="/account/two-factor"`) ||
			!strings.Contains(body, "admin@alpha.test") || !strings.Contains(body, `name="digest" value="on" checked`) {
			t.Fatalf("account page: %d, %d sessions\n%s", laptop.status, len(rows), mainText(body))
		}
		ids := map[string]string{}
		for _, r := range rows {
			for _, agent := range []string{"Firefox on Linux", "Safari on iPhone", "Chrome on Android"} {
				if strings.Contains(r[2], agent) {
					ids[agent] = r[1]
				}
			}
			if !strings.Contains(r[2], "127.0.0.1") || !strings.Contains(r[2], "UTC") {
				t.Errorf("a session row without its address or times: %s", r[2])
			}
			if strings.Contains(r[2], "Firefox") != strings.Contains(r[2], "This session") {
				t.Errorf("the current session is not marked: %s", r[2])
			}
		}
		// End the phone's session: it is signed out, the others stay.
		laptop.post("/account/sessions/revoke", url.Values{"session": {ids["Safari on iPhone"]}})
		if laptop.status != http.StatusSeeOther || laptop.location != "/account?notice=revoked" {
			t.Fatalf("revoke: %d %s", laptop.status, laptop.location)
		}
		if phone.get("/account"); phone.status != http.StatusSeeOther {
			t.Errorf("the revoked session: %d", phone.status)
		}
		if tablet.get("/account"); tablet.status != http.StatusOK {
			t.Errorf("another session after one was revoked: %d", tablet.status)
		}
		// Another user's session is not Alice's to end.
		bob := a.signIn(st.BetaAdmin)
		bob.post("/account/sessions/revoke", url.Values{"session": {ids["Chrome on Android"]}})
		if bob.status != http.StatusNotFound {
			t.Errorf("Bob ends Alice's session: %d", bob.status)
		}
		laptop.post("/account/name", url.Values{"name": {""}})
		if laptop.status != http.StatusBadRequest {
			t.Errorf("an empty name: %d", laptop.status)
		}
		laptop.post("/account/name", url.Values{"name": {"Alice A. Alpha"}})
		if body := laptop.get("/account?notice=name"); !strings.Contains(body, `value="Alice A. Alpha"`) || !strings.Contains(body, "Your name is saved.") {
			t.Errorf("after renaming:\n%s", mainText(body))
		}
		laptop.post("/account/digest", url.Values{})
		if body := laptop.get(laptop.location); strings.Contains(body, `value="on" checked`) || !strings.Contains(body, "no longer get the daily digest") {
			t.Errorf("digest off:\n%s", mainText(body))
		}

		body = laptop.post("/account/password", url.Values{"current_password": {"not the password"}, "password": {"alice's new passphrase"}})
		if laptop.status != http.StatusBadRequest || !strings.Contains(body, "Your current password is wrong.") {
			t.Errorf("a wrong current password: %d", laptop.status)
		}
		body = laptop.post("/account/password", url.Values{"current_password": {st.Password}, "password": {"short"}})
		if laptop.status != http.StatusBadRequest || !strings.Contains(body, "at least 12 characters") {
			t.Errorf("a weak new password: %d", laptop.status)
		}
		laptop.post("/account/password", url.Values{"current_password": {st.Password}, "password": {"alice's new passphrase"}})
		if laptop.status != http.StatusSeeOther {
			t.Fatalf("change password: %d", laptop.status)
		}
		if tablet.get("/account"); tablet.status != http.StatusSeeOther {
			t.Errorf("another session after the password changed: %d", tablet.status)
		}
		if laptop.get("/account"); laptop.status != http.StatusOK {
			t.Errorf("the session that changed the password: %d", laptop.status)
		}
		if signsIn(t, a, st.AlphaAdmin, st.Password) {
			t.Error("the old password signs in")
		}
		// All others, then this one: ending it signs out.
		if !signsIn(t, a, st.AlphaAdmin, "alice's new passphrase") { // one more session
			t.Fatal("no sign-in")
		}
		laptop.post("/account/sessions/revoke-others", nil)
		body = laptop.get("/account")
		if n := len(sessionRow.FindAllString(body, -1)); n != 1 {
			t.Errorf("%d sessions after ending the others", n)
		}
		id := sessionRow.FindStringSubmatch(body)[1]
		laptop.post("/account/sessions/revoke", url.Values{"session": {id}})
		if laptop.status != http.StatusSeeOther || laptop.location != "/login" {
			t.Errorf("ending the current session: %d %s", laptop.status, laptop.location)
		}
		if laptop.get("/account"); laptop.status != http.StatusSeeOther {
			t.Errorf("after signing out: %d", laptop.status)
		}
	})
}

// The outbox is a program admin's: the list, a message with its text and
// links (what a newcomer follows without SMTP), and no one else's.
func TestOutboxPages(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{BaseURL: "http://127.0.0.1:8080"})
		forgot(a, st.BetaAdmin)
		ada := a.signIn(st.AdminEmail)
		body := ada.get("/admin/outbox")
		if ada.status != http.StatusOK || !strings.Contains(body, "No SMTP server is configured") || !strings.Contains(body, "Reset your Test Program password") ||
			!strings.Contains(body, "Not sent") || !strings.Contains(body, "2 messages") {
			t.Fatalf("outbox: %d\n%s", ada.status, mainText(body))
		}
		m := st.Emails(t, a.db, st.BetaAdmin)[0]
		body = ada.get(fmt.Sprintf("/admin/outbox/%d", m.ID))
		link := "http://127.0.0.1:8080" + st.LinkPath(t, m)
		if ada.status != http.StatusOK || !strings.Contains(body, `<a href="`+link+`">`) || !strings.Contains(body, "Hello Bob Beta,") ||
			!strings.Contains(body, m.MessageID) {
			t.Errorf("message page: %d\n%s", ada.status, mainText(body))
		}
		if body := ada.get("/admin/outbox?page=2&size=1"); !strings.Contains(body, "Page 2 of 2") {
			t.Errorf("paging:\n%s", mainText(body))
		}
		if ada.get("/admin/outbox/99999"); ada.status != http.StatusNotFound {
			t.Errorf("no such message: %d", ada.status)
		}
		delivering := a.another(web.Config{MailDelivery: true})
		admin2 := delivering.signIn(st.AdminEmail)
		if body := admin2.get("/admin/outbox"); strings.Contains(body, "No SMTP server") || !strings.Contains(body, "Queued") {
			t.Errorf("outbox of a server that delivers:\n%s", mainText(body))
		}
		maya, alice := a.signIn(st.ManagerEmail), a.signIn(st.AlphaAdmin)
		if maya.get("/admin/outbox"); maya.status != http.StatusForbidden {
			t.Errorf("a partner manager: %d", maya.status)
		}
		if alice.get(fmt.Sprintf("/admin/outbox/%d", m.ID)); alice.status != http.StatusNotFound {
			t.Errorf("a partner admin: %d", alice.status)
		}
	})
}
