package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

var contactPath = "/directory/" + st.AlphaSlug + "/contact"

func leadForm(message string) url.Values {
	return url.Values{"name": {"Carl Customer"}, "email": {"carl@customer.example"}, "company": {"Customer Ltd"}, "message": {message}}
}

// A lead sent through the profile lands on the partner's Leads page, its
// message as text (a link in it is not clickable), and its status moves.
func TestLeadReachesThePartnersLeadsPage(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		u := a.anon()
		u.get("/directory/" + st.AlphaSlug)
		u.post(contactPath, leadForm(`Visit https://evil.example/x or <a href="https://evil.example">here</a>`))
		if u.status != http.StatusSeeOther || !strings.Contains(u.location, "sent=1") {
			t.Fatalf("send lead: status %d, location %q", u.status, u.location)
		}
		if body := u.get(u.location); !strings.Contains(body, `data-testid="lead-sent"`) {
			t.Error("the visitor is not told the message was sent")
		}
		alpha := a.signIn(st.AlphaEmployee)
		leads := fmt.Sprintf("/partners/%d/leads", st.AlphaID)
		body := alpha.get(leads)
		if !strings.Contains(body, "Carl Customer") || !strings.Contains(body, "Customer Ltd") {
			t.Fatalf("Alpha's Leads page lacks the lead:\n%s", body)
		}
		if strings.Contains(body, `href="https://evil.example`) || strings.Contains(body, `<a href="https://evil`) ||
			!strings.Contains(body, "Visit https://evil.example/x or &lt;a href=&#34;https://evil.example&#34;&gt;here&lt;/a&gt;") {
			t.Errorf("the lead's message is not plain text:\n%s", body)
		}
		// Its email waits in the outbox for the profile's address for leads.
		outbox := a.signIn(st.AdminEmail).get("/admin/outbox")
		if !strings.Contains(outbox, st.AlphaLeadEmail) || !strings.Contains(outbox, "Carl Customer contacted Alpha Agency") {
			t.Errorf("the outbox lacks the lead's email:\n%s", outbox)
		}
		if beta := a.signIn(st.BetaAdmin); strings.Contains(beta.get(fmt.Sprintf("/partners/%d/leads", st.BetaID)), "Carl Customer") {
			t.Error("Beta sees Alpha's lead")
		}
		alpha.post(fmt.Sprintf("/partners/%d/leads/%d/status", st.AlphaID, st.AlphaLead), url.Values{"status": {"won"}})
		if alpha.status != http.StatusSeeOther {
			t.Fatalf("set status: %d", alpha.status)
		}
		if body := alpha.get(leads + "?status=won"); !strings.Contains(body, "Paula Prospect") || strings.Contains(body, "Carl Customer") {
			t.Errorf("won leads:\n%s", body)
		}
		alpha.post(fmt.Sprintf("/partners/%d/leads/%d/status", st.AlphaID, st.AlphaLead), url.Values{"status": {"bribed"}})
		if alpha.status != http.StatusBadRequest {
			t.Errorf("an unknown status: %d", alpha.status)
		}
		staff := a.signIn(st.AdminEmail)
		staff.post(fmt.Sprintf("/partners/%d/leads/%d/status", st.AlphaID, st.AlphaLead), url.Values{"status": {"lost"}})
		if staff.status != http.StatusForbidden {
			t.Errorf("vendor staff change a lead: %d", staff.status)
		}
	})
}

// leadCount is how many leads Alpha's Leads page lists.
func leadCount(t *testing.T, a *app) int {
	t.Helper()
	return strings.Count(a.signIn(st.AlphaAdmin).get(fmt.Sprintf("/partners/%d/leads", st.AlphaID)), `data-testid="lead"`)
}

// Spam: a form with the hidden field filled in is answered as sent and
// kept nowhere; forms are limited per address, across servers; fields and
// bodies have size limits.
func TestLeadSpamLimits(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		u := a.anon()
		u.get("/directory/" + st.AlphaSlug)
		bot := leadForm("Cheap pills")
		bot.Set("website", "https://pills.example")
		u.post(contactPath, bot)
		if u.status != http.StatusSeeOther || !strings.Contains(u.location, "sent=1") {
			t.Errorf("honeypot: status %d %q, want the answer of a sent form", u.status, u.location)
		}
		if n := leadCount(t, a); n != 1 {
			t.Errorf("after the honeypot: %d leads, want the fixture's 1", n)
		}
		if outbox := a.signIn(st.AdminEmail).get("/admin/outbox"); strings.Contains(outbox, st.AlphaLeadEmail) {
			t.Error("the honeypot's form was emailed")
		}
		for _, c := range []struct {
			name string
			form url.Values
		}{
			{"message too long", leadForm(strings.Repeat("x", 4001))},
			{"name too long", func() url.Values { f := leadForm("Hi"); f.Set("name", strings.Repeat("n", 101)); return f }()},
			{"no email", func() url.Values { f := leadForm("Hi"); f.Set("email", "carl"); return f }()},
			{"no message", leadForm(" ")},
		} {
			if u.post(contactPath, c.form); u.status != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400", c.name, u.status)
			}
		}
		if u.post(contactPath, leadForm(strings.Repeat("x", 17<<10))); u.status != http.StatusRequestEntityTooLarge {
			t.Errorf("a 17 KiB body: status %d, want 413", u.status)
		}
		if n := leadCount(t, a); n != 1 {
			t.Errorf("after refused forms: %d leads", n)
		}
		// Five forms an hour per address, whatever they hold (the five
		// above that reached the server counted): a second server shares
		// the count.
		b := a.another(web.Config{})
		v := b.anon()
		v.get("/directory/" + st.AlphaSlug)
		v.post(contactPath, leadForm("One more"))
		if v.status != http.StatusTooManyRequests || v.header.Get("Retry-After") == "" {
			t.Fatalf("over the limit on another server: status %d, Retry-After %q", v.status, v.header.Get("Retry-After"))
		}
		if n := leadCount(t, a); n != 1 {
			t.Errorf("after the limit: %d leads", n)
		}
	})
}

// Directory pages are limited per address too.
func TestDirectoryReadLimit(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		a.srv.SetPublicLimitsForTest(store.PublicLimits{Lead: store.DefaultPublicLimits.Lead,
			Directory: store.SignInLimit{Max: 3, Window: time.Minute}})
		u := a.anon()
		for i, path := range []string{"/directory", "/directory/" + st.AlphaSlug, "/sitemap.xml", "/directory"} {
			u.get(path)
			if want := map[bool]int{true: http.StatusOK, false: http.StatusTooManyRequests}[i < 3]; u.status != want {
				t.Errorf("request %d (%s): status %d, want %d", i+1, path, u.status, want)
			}
		}
	})
}
