package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// A program admin lists, filters, adds, edits and revokes certifications;
// a last valid certification ending within 60 days is an alert on the
// partner's dashboard and its consequence is on the Tier tab. Partner
// managers read their partners' only.
func TestCertificationsPage(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := refreshed(t, e)
		admin := a.signIn(st.AdminEmail)
		today := pd.DateOf(st.Now, time.UTC)
		body := admin.get("/admin/certifications")
		if admin.status != http.StatusOK || testid(body, "cert-total") != "3" ||
			!strings.Contains(testid(body, "certifications"), "Alpha Agency Inbound Marketing Alice Alpha") {
			t.Fatalf("the list: %d\n%s", admin.status, body)
		}
		if body := admin.get("/admin/certifications?status=expired&partner=alpha"); testid(body, "cert-total") != "1" ||
			!strings.Contains(testid(body, "certifications"), "Sales Enablement") || !strings.Contains(testid(body, "certifications"), "Expired") {
			t.Errorf("Alpha's expired: %s", testid(body, "certifications"))
		}
		if admin.get("/admin/certifications?status=expiring&within=soon"); admin.status != http.StatusBadRequest {
			t.Errorf("a number of days in words: %d", admin.status)
		}

		// Added with a mistake, then right.
		add := url.Values{"partner": {"p-beta"}, "name": {"CRM Implementation"}, "holder": {"Bob Beta"},
			"earned_on": {today.AddDays(-5).String()}, "expires_on": {"next year"}}
		body = admin.post("/admin/certifications", add)
		if admin.status != http.StatusBadRequest || !strings.Contains(body, "Give the dates it was earned and expires on") ||
			!strings.Contains(body, `value="CRM Implementation"`) {
			t.Errorf("a date in words: %d\n%s", admin.status, body)
		}
		add.Set("expires_on", today.AddDays(30).String())
		admin.post("/admin/certifications", add)
		if admin.status != http.StatusSeeOther || admin.location != "/admin/certifications?notice=added&partner=p-beta" {
			t.Fatalf("add: %d %s", admin.status, admin.location)
		}
		body = admin.get("/admin/certifications?status=expiring&within=45")
		list := testid(body, "certifications")
		if testid(body, "cert-total") != "1" || !strings.Contains(list, "Beta Works CRM Implementation Bob Beta") || !strings.Contains(list, "Expires in 30 days") {
			t.Fatalf("expiring within 45 days: %s", list)
		}
		id := regexpFind(body, `<tr data-cert="(\d+)">`)

		// Beta's dashboard warns: its only valid certification ends in 30
		// days.
		beta := a.signIn(st.BetaAdmin)
		if got := testid(beta.get(clientsURL(st.BetaID)), "cert-alert"); !strings.Contains(got, "CRM Implementation") ||
			!strings.Contains(got, "expires on "+today.AddDays(30).Format("Jan 2, 2006")) {
			t.Errorf("Beta's alert: %q", got)
		}
		alpha := a.signIn(st.AlphaAdmin)
		if body := alpha.get(clientsURL(st.AlphaID)); strings.Contains(body, `data-testid="cert-alert"`) {
			t.Error("Alpha's certification lasts 165 days: no alert")
		}

		// Alpha's certification, edited to end in 20 days: the alert, and
		// on the Tier tab what it means.
		edit := url.Values{"name": {"Inbound Marketing"}, "holder": {"Alice Alpha"}, "earned_on": {today.AddDays(-200).String()},
			"expires_on": {today.AddDays(20).String()}}
		path := fmt.Sprintf("/admin/certifications/%d", st.AlphaCertification)
		if body := admin.get(path); admin.status != http.StatusOK || !strings.Contains(body, `value="Alice Alpha"`) {
			t.Fatalf("the edit form: %d", admin.status)
		}
		admin.post(path, edit)
		if admin.status != http.StatusSeeOther {
			t.Fatalf("edit: %d", admin.status)
		}
		if got := testid(alpha.get(clientsURL(st.AlphaID)), "cert-alert"); !strings.Contains(got, "Inbound Marketing") {
			t.Errorf("Alpha's alert after the edit: %q", got)
		}
		if got := testid(alpha.get("/partners/1/tier"), "cert-ending"); !strings.Contains(got, "you qualify for no tier above Partner") {
			t.Errorf("Alpha's Tier tab: %q", got)
		}

		// A partner manager reads Alpha's, not Beta's, and changes nothing.
		mgr := a.signIn(st.ManagerEmail)
		if body := mgr.get("/admin/certifications"); testid(body, "cert-total") != "2" || strings.Contains(body, "Beta Works") ||
			strings.Contains(body, "Add a certification") {
			t.Errorf("a partner manager's list: %s", testid(body, "certifications"))
		}
		if body := mgr.get(path); mgr.status != http.StatusOK || strings.Contains(body, "Revoke") {
			t.Errorf("a partner manager's view: %d", mgr.status)
		}
		if mgr.get("/admin/certifications/" + id); mgr.status != http.StatusNotFound {
			t.Errorf("a partner manager opening Beta's: %d", mgr.status)
		}
		for _, p := range []string{"/admin/certifications", path, path + "/revoke"} {
			if mgr.post(p, url.Values{"partner": {"p-alpha"}, "name": {"X"}, "holder": {"Y"}, "earned_on": {today.String()},
				"expires_on": {today.AddDays(9).String()}, "confirm": {"yes"}}); mgr.status != http.StatusForbidden {
				t.Errorf("POST %s as a partner manager: %d, want 403", p, mgr.status)
			}
		}

		// Revoking asks first (without the script, on a page of its own).
		revoke := "/admin/certifications/" + id + "/revoke"
		if body := admin.post(revoke, nil); admin.status != http.StatusOK || !strings.Contains(body, "Revoke this certification?") {
			t.Fatalf("revoke unconfirmed: %d", admin.status)
		}
		if body := admin.get("/admin/certifications?status=revoked"); testid(body, "cert-total") != "0" {
			t.Fatal("revoked before it was confirmed")
		}
		admin.post(revoke, url.Values{"confirm": {"yes"}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", admin.status)
		}
		if body := admin.get("/admin/certifications?status=revoked"); !strings.Contains(testid(body, "certifications"), "Revoked on "+today.Format("Jan 2, 2006")) {
			t.Errorf("revoked list: %s", testid(body, "certifications"))
		}
		if body := beta.get(clientsURL(st.BetaID)); strings.Contains(body, `data-testid="cert-alert"`) {
			t.Error("Beta still warned of a revoked certification")
		}
		if body := a.bearer(st.BetaToken).get("/api/v1/partners/2/tier"); !strings.Contains(body, `"revoked_on":"`+today.String()+`"`) {
			t.Errorf("the API does not say the certification is revoked: %s", body)
		}
		log := beta.get(fmt.Sprintf("/partners/%d/audit", st.BetaID))
		for _, want := range []string{"Added a certification", "Revoked a certification"} {
			if !strings.Contains(log, want) {
				t.Errorf("Beta's audit log lacks %s", want)
			}
		}
	})
}

// A partner manager lands on their book, sorted by what needs attention;
// each line opens the partner's dashboard. Program admins have no book;
// partner users reach none.
func TestPartnerManagerLandsOnTheBook(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := refreshed(t, e)
		mgr := a.anon()
		mgr.get("/login")
		mgr.post("/login", url.Values{"email": {st.ManagerEmail}, "password": {st.Password}})
		mgr.get(mgr.location)
		if mgr.status != http.StatusSeeOther || mgr.location != "/admin/book" {
			t.Fatalf("a partner manager lands on %d %s", mgr.status, mgr.location)
		}
		body := mgr.get(mgr.location)
		if mgr.status != http.StatusOK || !strings.Contains(body, `<a href="/admin/book" aria-current="page">My partners</a>`) {
			t.Fatalf("the book: %d\n%s", mgr.status, body)
		}
		risk := testid(body, "book-risk")
		for _, want := range []string{"Alpha Agency Gold Partner", "$4,810.00 more managed MRR", "an average app usage of 3 tools", "Keeps its tier on grace"} {
			if !strings.Contains(risk, want) {
				t.Errorf("at risk lacks %q: %s", want, risk)
			}
		}
		if regexpFind(body, `(?s)data-testid="book-risk".*?data-partner="1">\s*<td><a href="(/partners/1/tier)">Alpha Agency</a>`) == "" {
			t.Error("the line does not open Alpha's Tier tab")
		}
		if got := testid(body, "book-renewals"); !strings.Contains(got, "Alpha Agency Globex Corp Contact tier upgrade") || !strings.Contains(got, "in 4 days") {
			t.Errorf("renewals: %s", got)
		}
		if strings.Contains(body, "Beta Works") {
			t.Error("the book shows a partner that is not the manager's")
		}
		if mgr.get("/partners/1/tier"); mgr.status != http.StatusOK {
			t.Errorf("Alpha's Tier tab from the book: %d", mgr.status)
		}
		admin := a.signIn(st.AdminEmail)
		if admin.get("/admin/book"); admin.status != http.StatusForbidden {
			t.Errorf("a program admin's book: %d, want 403", admin.status)
		}
		if admin.get("/"); admin.location != "/admin/partners" {
			t.Errorf("a program admin lands on %s", admin.location)
		}
	})
}
