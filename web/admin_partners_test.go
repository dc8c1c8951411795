package web_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// rowsOf returns the ids of the list's rows, in order.
func rowsOf(body string) []string {
	var ids []string
	for _, m := range regexp.MustCompile(`<tr data-partner="(\d+)"`).FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// The partners list shows the refresh's figures, filters and sorts by
// every column, and exports the same rows as CSV, plain numbers and codes,
// a name that looks like a formula neutralised.
func TestPartnersListAndItsExport(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := refreshed(t, e)
		admin := a.signIn(st.AdminEmail)
		admin.post("/admin/partners", url.Values{"id": {"p-formula"}, "name": {"=HYPERLINK(\"https://evil.example\")"}, "country": {"us"}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("create: %d", admin.status)
		}
		body := admin.get("/admin/partners")
		if got := rowsOf(body); admin.status != http.StatusOK || !slices.Equal(got, []string{"3", "1", "2"}) {
			t.Fatalf("list: %d %v", admin.status, got)
		}
		row := regexp.MustCompile(`(?s)<tr data-partner="1".*?</tr>`).FindString(body)
		for _, want := range []string{"Alpha Agency", "p-alpha", "Maya Manager", "Colin Consultant", "Gold", "Partner", "$2,105.00", "$1,190.00", ">Yes<",
			`owner=partner">1</a>`} {
			if !strings.Contains(row, want) {
				t.Errorf("Alpha's row lacks %q:\n%s", want, row)
			}
		}
		staff := pd.WithPrincipal(ctx(), &pd.Principal{UserID: st.AdminID, Role: pd.RoleProgramAdmin})
		if err := a.db.AssignTeam(staff, 2, 1, 0); err != nil { // Maya Manager alone
			t.Fatal(err)
		}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"?tier=silver", []string{"2"}},
			{"?certified=yes", []string{"1"}},
			{"?certified=no&sort=name&dir=desc", []string{"2", "3"}},
			{"?country=de", []string{"2"}},
			{"?team=maya", []string{"1", "2"}},
			{"?q=alpha", []string{"1"}},
			{"?performance=partner&sort=sold&dir=desc", []string{"1", "2", "3"}},
			// Ties go by name: "=HYPERLINK…" before "Beta Works".
			{"?sort=pending&dir=desc", []string{"1", "3", "2"}},
			// By manager, then consultant (Beta's is Maya Manager alone).
			{"?sort=team", []string{"3", "2", "1"}},
			{"?sort=team&dir=desc", []string{"1", "2", "3"}},
			{"?status=deactivated", nil},
		} {
			if got := rowsOf(admin.get("/admin/partners" + c.query)); admin.status != http.StatusOK || !slices.Equal(got, c.want) {
				t.Errorf("%s: %d %v, want %v", c.query, admin.status, got, c.want)
			}
		}
		for _, bad := range []string{"?sort=colour", "?dir=up", "?certified=maybe", "?country=France", "?page=0"} {
			admin.get("/admin/partners" + bad)
			if admin.status != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", bad, admin.status)
			}
		}
		// Every column's header sorts by it.
		for _, col := range pd.PartnerSorts {
			if !strings.Contains(body, "sort="+col+`"`) {
				t.Errorf("no header sorts by %s", col)
			}
		}

		out := admin.get("/admin/partners.csv?sort=sold&dir=desc")
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || admin.status != http.StatusOK {
			t.Fatalf("export: %d %v", admin.status, err)
		}
		if want := "id,name,country,status,partner_manager,partner_consultant,assigned_tier,performance_tier,sold_credit,managed_mrr,currency,average_app_usage,certified,pending_renewal_decisions,invited,figures_as_of"; strings.Join(rows[0], ",") != want {
			t.Errorf("header %v", rows[0])
		}
		if len(rows) != 4 || strings.Join(rows[1][:14], ",") != "p-alpha,Alpha Agency,FR,active,Maya Manager,Colin Consultant,gold,partner,2105.00,1190.00,USD,2.0,true,1" {
			t.Errorf("export rows %q", rows)
		}
		if rows[3][1] != "'=HYPERLINK(\"https://evil.example\")" || rows[3][2] != "US" {
			t.Errorf("the formula-like name is exported as %q", rows[3][1])
		}
		if rows := csvRows(t, admin.get("/admin/partners.csv?certified=no")); len(rows) != 3 {
			t.Errorf("filtered export: %q", rows)
		}
	})
}

func csvRows(t *testing.T, s string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// A partner manager sees its partners' list and export, and none of the
// program admin's pages; a partner's user reaches none of them.
func TestOnlyProgramAdminsChangePartners(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		mgr := a.signIn(st.ManagerEmail)
		if got := rowsOf(mgr.get("/admin/partners")); !slices.Equal(got, []string{"1"}) {
			t.Errorf("manager's list: %v", got)
		}
		if body := mgr.get("/admin/partners"); strings.Contains(body, "/admin/partners/new") || strings.Contains(body, `href="/admin/partners/1"`) {
			t.Error("the manager's list offers to change partners")
		}
		if rows := csvRows(t, mgr.get("/admin/partners.csv")); len(rows) != 2 || rows[1][0] != "p-alpha" {
			t.Errorf("manager's export: %q", rows)
		}
		alpha := a.signIn(st.AlphaAdmin)
		edit := url.Values{"name": {"Hijacked"}, "country": {"FR"}}
		for _, c := range []struct{ method, path string }{
			{"GET", "/admin/partners/new"}, {"POST", "/admin/partners"},
			{"GET", "/admin/partners/1"}, {"GET", "/admin/partners/1/edit"}, {"POST", "/admin/partners/1/edit"},
			{"POST", "/admin/partners/1/deactivate"}, {"POST", "/admin/partners/2/reactivate"},
			{"POST", "/admin/partners/1/invitation"}, {"GET", "/admin/partners/1/tier"}, {"POST", "/admin/partners/1/tier"},
			{"GET", "/admin/audit"}, {"GET", "/admin/audit.csv"},
		} {
			for _, who := range []struct {
				name   string
				u      *user
				status int
			}{{"a partner manager", mgr, http.StatusForbidden}, {"a partner admin", alpha, http.StatusNotFound}} {
				form := url.Values{"id": {"p-x"}, "name": {"X"}, "confirm": {"yes"}, "invite": {"yes"}, "tier": {"platinum"}, "reason": {"x"}}
				if strings.HasSuffix(c.path, "/edit") {
					form = edit
				}
				if c.method == "GET" {
					who.u.get(c.path)
				} else {
					who.u.post(c.path, form)
				}
				if who.u.status != who.status {
					t.Errorf("%s %s as %s: %d, want %d", c.method, c.path, who.name, who.u.status, who.status)
				}
			}
		}
		if got := rowsOf(a.signIn(st.AdminEmail).get("/admin/partners")); len(got) != 2 {
			t.Errorf("after the refused changes: %v", got)
		}
		admin := a.signIn(st.AdminEmail)
		if body := admin.get("/admin/partners/1"); !strings.Contains(body, "Alpha Agency") || strings.Contains(body, "Hijacked") {
			t.Error("Alpha was changed by a refused request")
		}
		alpha.get("/admin/partners")
		if alpha.status != http.StatusNotFound {
			t.Errorf("a partner user on the partners list: %d", alpha.status)
		}
	})
}

// A program admin adds and edits a partner from the browser: every
// problem of the form at once, beside its field, then the partner.
func TestCreateAndEditPartnerInTheBrowser(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		if body := admin.get("/admin/partners/new"); admin.status != http.StatusOK || !strings.Contains(body, "Maya Manager") {
			t.Fatalf("form: %d", admin.status)
		}
		body := admin.post("/admin/partners", url.Values{"id": {"p-alpha"}, "name": {"New"}, "country": {"France"},
			"website": {"javascript:alert(1)"}, "manager": {"2"}})
		if admin.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad form: %d", admin.status)
		}
		for _, f := range []string{"country", "website", "partner_manager"} {
			if !strings.Contains(body, `data-field="`+f+`"`) {
				t.Errorf("no problem shown for %s:\n%s", f, body)
			}
		}
		if !strings.Contains(body, `value="FRANCE"`) || !strings.Contains(body, "3 fields need") {
			t.Error("the form is not refilled with its problems counted")
		}
		body = admin.post("/admin/partners", url.Values{"id": {"p-alpha"}, "name": {"Another"}})
		if admin.status != http.StatusUnprocessableEntity || !strings.Contains(body, `data-field="id"`) {
			t.Errorf("an id taken: %d", admin.status)
		}
		admin.post("/admin/partners", url.Values{"id": {" p-delta "}, "name": {"Delta Digital"}, "country": {"nl"},
			"website": {"https://delta.example"}, "manager": {"1"}, "consultant": {"2"}})
		if admin.status != http.StatusSeeOther || !strings.HasPrefix(admin.location, "/admin/partners/") {
			t.Fatalf("create: %d %s", admin.status, admin.location)
		}
		page := admin.location
		body = admin.get(page)
		for _, want := range []string{"Partner created", "p-delta", "NL", "Maya Manager", "Colin Consultant", "Not invited"} {
			if !strings.Contains(body, want) {
				t.Errorf("the partner's page lacks %q", want)
			}
		}
		id := strings.TrimSuffix(strings.TrimPrefix(page, "/admin/partners/"), "?notice=created")
		admin.post("/admin/partners/"+id+"/edit", url.Values{"id": {"p-stolen"}, "name": {"Delta Digital BV"}, "country": {"BE"},
			"crm_link_template": {"https://crm.example/c?d={domain}"}, "manager": {""}, "consultant": {"2"}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("edit: %d", admin.status)
		}
		body = admin.get("/admin/partners/" + id)
		if !strings.Contains(body, "Delta Digital BV") || !strings.Contains(body, "p-delta") || !strings.Contains(body, "No Partner Manager") ||
			strings.Contains(body, "p-stolen") {
			t.Errorf("after the edit:\n%s", body)
		}
		admin.post("/admin/partners/"+id+"/edit", url.Values{"name": {""}, "website": {"ftp://x"}})
		if admin.status != http.StatusUnprocessableEntity {
			t.Errorf("a bad edit: %d", admin.status)
		}
		audit := admin.get("/admin/audit?partner=p-delta")
		if !strings.Contains(audit, "Edited the partner") || !strings.Contains(audit, "Created the partner") || !strings.Contains(audit, "Delta Digital → Delta Digital BV") {
			t.Errorf("audit log:\n%s", audit)
		}
		admin.get("/admin/partners/999/edit")
		if admin.status != http.StatusNotFound {
			t.Errorf("an unknown partner: %d", admin.status)
		}
	})
}

// Deactivating asks first; once confirmed, the partner's users are signed
// out at once and cannot sign in; the list marks it; reactivated, they can.
func TestDeactivatePartnerSignsItsUsersOut(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		alpha := a.signIn(st.AlphaAdmin)
		body := admin.post("/admin/partners/1/deactivate", nil)
		if admin.status != http.StatusOK || !strings.Contains(body, `data-testid="confirm"`) || !strings.Contains(body, `name="confirm" value="yes"`) {
			t.Fatalf("confirmation: %d", admin.status)
		}
		if alpha.get(clientsURL(st.AlphaID)); alpha.status != http.StatusOK {
			t.Fatalf("the confirmation page deactivated Alpha: %d", alpha.status)
		}
		admin.post("/admin/partners/1/deactivate", url.Values{"confirm": {"yes"}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("deactivate: %d", admin.status)
		}
		alpha.get(clientsURL(st.AlphaID))
		if alpha.status != http.StatusSeeOther || !strings.HasPrefix(alpha.location, "/login") {
			t.Errorf("Alpha's session after deactivation: %d %s", alpha.status, alpha.location)
		}
		u := a.anon()
		u.get("/login")
		body = u.post("/login", url.Values{"email": {st.AlphaEmployee}, "password": {st.Password}})
		if u.status != http.StatusForbidden || !strings.Contains(body, "deactivated") {
			t.Errorf("signing in to a deactivated partner: %d", u.status)
		}
		if body := a.bearer(st.AlphaToken).get("/api/v1/partners/1"); !strings.Contains(body, "unauthorized") {
			t.Errorf("Alpha's read token: %s", body)
		}
		list := admin.get("/admin/partners")
		if row := regexp.MustCompile(`(?s)<tr data-partner="1".*?</tr>`).FindString(list); !strings.Contains(row, "Deactivated") {
			t.Errorf("the list does not mark Alpha:\n%s", row)
		}
		if body := admin.get(clientsURL(st.AlphaID)); admin.status != http.StatusOK || !strings.Contains(body, "Northwind") {
			t.Errorf("Alpha's data as the admin: %d", admin.status)
		}
		a.signIn(st.BetaAdmin) // another partner is not concerned
		admin.post("/admin/partners/1/reactivate", nil)
		if admin.status != http.StatusSeeOther {
			t.Fatalf("reactivate: %d", admin.status)
		}
		a.signIn(st.AlphaAdmin)
		if body := admin.get("/admin/audit?partner=p-alpha"); !strings.Contains(body, "Deactivated the partner") || !strings.Contains(body, "Reactivated the partner") {
			t.Errorf("audit:\n%s", body)
		}
	})
}

// Invite and withdraw (which asks first), and a tier set by hand: asked,
// then shown with its reason on the partner's Tier tab and audited.
func TestInvitationAndTierSetByHandInTheBrowser(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		admin.post("/admin/partners/1/tier", url.Values{"tier": {"elite"}, "reason": {"Launch partner"}})
		if admin.status != http.StatusBadRequest {
			t.Errorf("Elite without an invitation: %d", admin.status)
		}
		admin.post("/admin/partners/1/invitation", url.Values{"invite": {"yes"}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("invite: %d", admin.status)
		}
		if body := admin.get("/admin/partners/1"); testid(body, "invited") != "Invited" {
			t.Errorf("invited: %q", testid(body, "invited"))
		}
		body := admin.post("/admin/partners/1/tier", url.Values{"tier": {"elite"}, "reason": {"  Launch partner for the new hub.  "}})
		if admin.status != http.StatusOK || !strings.Contains(body, "Gold → Elite") || !strings.Contains(body, `value="Launch partner for the new hub."`) {
			t.Fatalf("tier confirmation: %d\n%s", admin.status, body)
		}
		if body := admin.get("/admin/partners/1"); !strings.HasPrefix(testid(body, "assigned"), "Gold") {
			t.Errorf("the confirmation page set the tier: %q", testid(body, "assigned"))
		}
		admin.post("/admin/partners/1/tier", url.Values{"tier": {"elite"}, "reason": {"Launch partner for the new hub."}, "confirm": {"yes"}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("set the tier: %d", admin.status)
		}
		tab := a.signIn(st.AlphaAdmin).get("/partners/1/tier")
		if got := testid(tab, "assignment"); !strings.Contains(got, "Launch partner for the new hub.") || !strings.Contains(got, "Gold before") {
			t.Errorf("Tier tab: %q", got)
		}
		admin.post("/admin/partners/1/tier", url.Values{"tier": {"platinum"}, "reason": {""}, "confirm": {"yes"}})
		if admin.status != http.StatusBadRequest {
			t.Errorf("no reason: %d", admin.status)
		}
		body = admin.post("/admin/partners/1/invitation", url.Values{"invite": {"no"}})
		if admin.status != http.StatusOK || !strings.Contains(body, "Withdraw") || !strings.Contains(body, `name="confirm" value="yes"`) {
			t.Fatalf("withdraw confirmation: %d", admin.status)
		}
		admin.post("/admin/partners/1/invitation", url.Values{"invite": {"no"}, "confirm": {"yes"}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("withdraw: %d", admin.status)
		}
		admin.post("/admin/partners/1/invitation", url.Values{"invite": {"no"}})
		if admin.status != http.StatusConflict {
			t.Errorf("withdrawing twice: %d", admin.status)
		}
		audit := admin.get("/admin/audit?partner=p-alpha")
		for _, want := range []string{"Set the assigned tier by hand", "Gold → Elite: Launch partner for the new hub.", "Invited to the invitation-only tiers", "Withdrew the invitation"} {
			if !strings.Contains(audit, want) {
				t.Errorf("audit lacks %q", want)
			}
		}
	})
}

// The program's audit log: every entry, filtered, paged and exported.
func TestProgramAuditPage(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		admin.post("/admin/program", url.Values{"name": {"Renamed Program"}, "currency": {"USD"}, "time_zone": {"UTC"},
			"refresh_start": {"06:00"}, "refresh_end": {"08:00"}, "renewal_horizon_days": {"120"}, "decision_deadline_days": {"45"},
			"default_comm_owner": {"vendor"}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("program settings: %d", admin.status)
		}
		emp := a.signIn(st.AlphaEmployee)
		emp.post(fmt.Sprintf("/partners/1/clients/%d/end-services", st.Initech), nil)
		if emp.status != http.StatusSeeOther {
			t.Fatalf("end services: %d", emp.status)
		}
		body := admin.get("/admin/audit")
		for _, want := range []string{"Changed the program settings", "Ended services", "Emil Employee", "Alpha Agency", ">Program<"} {
			if !strings.Contains(body, want) {
				t.Errorf("the log lacks %q", want)
			}
		}
		// Both logs write their times for people, and for machines in
		// the time element's datetime.
		when := fmt.Sprintf(`<time datetime="%s">%s</time>`, st.Now.UTC().Format(time.RFC3339), st.Now.UTC().Format("Jan 2, 2006 15:04 UTC"))
		raw := regexp.MustCompile(`>\d{4}-\d\d-\d\dT[^<]*<`)
		for _, page := range []string{body, a.signIn(st.AlphaAdmin).get("/partners/1/audit")} {
			if !strings.Contains(page, when) || raw.MatchString(page) {
				t.Errorf("an audit log's times are not %s: %v", when, raw.FindAllString(page, 3))
			}
		}
		if got := testid(admin.get("/admin/audit?action=program_settings"), "program-audit"); strings.Contains(got, "Ended services") ||
			!strings.Contains(got, "Renamed Program") {
			t.Errorf("filtered by action: %s", got)
		}
		if got := testid(admin.get("/admin/audit?q=initech&actor=person"), "program-audit"); !strings.Contains(got, "Ended services") ||
			strings.Contains(got, "Changed the program settings") {
			t.Errorf("search: %s", got)
		}
		if body := admin.get("/admin/audit?actor=refresh"); !strings.Contains(body, `data-testid="empty"`) {
			t.Error("no entry is the refresh's yet")
		}
		today := pd.DateOf(st.Now, pd.Program{TimeZone: "UTC"}.Location())
		if body := admin.get("/admin/audit?to=" + today.AddDays(-1).String()); !strings.Contains(body, `data-testid="empty"`) {
			t.Error("date range")
		}
		for _, bad := range []string{"?from=yesterday", "?actor=robot", "?from=2026-02-02&to=2026-01-01"} {
			admin.get("/admin/audit" + bad)
			if admin.status != http.StatusBadRequest {
				t.Errorf("%s: %d", bad, admin.status)
			}
		}
		rows := csvRows(t, admin.get("/admin/audit.csv?partner=p-alpha"))
		if len(rows) != 2 || rows[0][0] != "id" || rows[1][2] != "person" || rows[1][3] != "Emil Employee" || rows[1][4] != "end_services" || rows[1][5] != "p-alpha" {
			t.Errorf("export: %q", rows)
		}
		if all := csvRows(t, admin.get("/admin/audit.csv")); len(all) < 3 {
			t.Errorf("export of all: %q", all)
		}
	})
}
