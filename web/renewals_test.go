package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

var renewalRow = regexp.MustCompile(`<tr data-renewal="(\d+)">`)

func renewalRows(body string) string {
	var ids []string
	for _, m := range renewalRow.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return strings.Join(ids, ",")
}

func renewalsURL(partner int) string { return fmt.Sprintf("/partners/%d/renewals", partner) }

// northwindDeadline is the decision deadline of Northwind's renewal, due in
// 23 days (storetest.NorthwindRenewal).
func northwindDeadline() pd.Date {
	return pd.DecisionDeadline(day(23), store.DefaultProgram.DecisionDeadlineDays)
}

func TestRenewalsPage(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		emp := a.signIn(st.AlphaEmployee)
		cases := []struct {
			name, query, want string
		}{
			{"inside the horizon, soonest first", "", "1,2,3,1001,1002"},
			{"pending", "status=pending", "1,2,3,1001"},
			{"owned by the vendor", "owner=vendor", "3,1001"},
			{"an upgrade", "type=contact_tier_upgrade", "2"},
			{"deadline within 10 days", "deadline=10", "1,2"},
			{"search", "q=north", "1,1002"},
			{"low engagement", "usage=low", "2"},
			{"assigned to me", "mine=1", "3,1001"},
			{"by proposed MRR", "sort=proposed&dir=desc", "1002,1,1001,3,2"},
			{"a page", "size=2&page=2", "3,1001"},
			{"nothing matches", "q=zzz", ""},
		}
		for _, c := range cases {
			body := emp.get(renewalsURL(st.AlphaID) + "?" + c.query)
			if emp.status != http.StatusOK {
				t.Fatalf("%s: status %d", c.name, emp.status)
			}
			if got := renewalRows(body); got != c.want {
				t.Errorf("%s: rows %s, want %s", c.name, got, c.want)
			}
			if c.want == "" && !strings.Contains(body, "No renewals match these filters") {
				t.Errorf("%s: no empty state", c.name)
			}
		}
		body := emp.get(renewalsURL(st.AlphaID))
		for _, want := range []string{"Northwind Traders", "Contact tier upgrade", "Email overage", dateText(day(23)), dateText(northwindDeadline()),
			"Rita Renewals", "Contact of Northwind Traders", "Nadia Ng", "Marketing Pro, Sales Starter", "5,000 contacts",
			"$890.00", "$934.50", "Cancellation requested", "Confirmed"} {
			if !strings.Contains(body, want) {
				t.Errorf("renewals page lacks %q", want)
			}
		}
		// The header links keep the filters.
		body = emp.get(renewalsURL(st.AlphaID) + "?status=pending&owner=partner")
		if !strings.Contains(body, "status=pending") || !strings.Contains(body, "owner=partner") || !strings.Contains(body, "sort=client") {
			t.Error("sort links drop the filters")
		}
		for _, q := range []string{"sort=password_hash", "dir=up", "status=lost", "owner=me", "type=gift", "deadline=soon",
			"deadline=-3", "usage=extreme", "page=0", "size=1000", "q=" + strings.Repeat("x", 300)} {
			if body := emp.get(renewalsURL(st.AlphaID) + "?" + q); emp.status != http.StatusBadRequest || !strings.Contains(body, "That request can") {
				t.Errorf("?%s: status %d, want a 400 with a message", q, emp.status)
			}
		}
	})
}

// The Alerts on the Clients tab and the Renewals page count the decisions
// the user may take, and link to the Renewals page filtered to exactly
// them: an employee's are those of the clients assigned to it, shown with
// its agency's total, and only those have a Decide button.
func TestAlertsCountWhatTheUserMayDecide(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		// Of the two decisions due (Northwind's and Globex's), the employee
		// is given Northwind's.
		admin := a.signIn(st.AlphaAdmin)
		admin.post(clientsURL(st.AlphaID)+"/assign", url.Values{"op": {"assign"}, "client": {fmt.Sprint(st.Northwind)}, "user": {fmt.Sprint(st.AlphaEmployeeID)}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("assign: %d", admin.status)
		}
		alerts := regexp.MustCompile(`<a class="alert-count" href="([^"]+)" data-testid="alerts">\s*<strong>(\d+)</strong>`)
		decide := regexp.MustCompile(`<a class="button primary" href="/partners/1/renewals/(\d+)">Decide`)
		for _, c := range []struct {
			who, alerts, decide string
			agency              bool
		}{
			{st.AlphaAdmin, fmt.Sprint(st.AlphaAlerts), "1,2", false},
			{st.AlphaEmployee, "1", "1", true},
			{st.AdminEmail, fmt.Sprint(st.AlphaAlerts), "", false}, // read-only
		} {
			u := a.signIn(c.who)
			body := u.get(clientsURL(st.AlphaID))
			m := alerts.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("%s: no alert link", c.who)
			}
			link := strings.ReplaceAll(m[1], "&amp;", "&")
			list := u.get(link)
			if n := strings.Count(renewalRows(list), ",") + 1; fmt.Sprint(n) != m[2] || m[2] != c.alerts {
				t.Errorf("%s: %s alerts (want %s), the link %s lists %d renewals", c.who, m[2], c.alerts, link, n)
			}
			agency := `data-testid="agency-alerts">` + fmt.Sprint(st.AlphaAlerts) + `<`
			if strings.Contains(body, agency) != c.agency {
				t.Errorf("%s: the Clients tab's Alerts show the agency's total: %v, want %v", c.who, !c.agency, c.agency)
			}
			page := u.get(renewalsURL(st.AlphaID))
			if !strings.Contains(page, "<strong>"+c.alerts+"</strong> decision") || strings.Contains(page, agency) != c.agency {
				t.Errorf("%s: the Renewals page's count is not %s (with the agency's total: %v)", c.who, c.alerts, c.agency)
			}
			var ids []string
			for _, m := range decide.FindAllStringSubmatch(page, -1) {
				ids = append(ids, m[1])
			}
			if got := strings.Join(ids, ","); got != c.decide {
				t.Errorf("%s: Decide buttons on renewals %q, want %q", c.who, got, c.decide)
			}
		}
		// The panel offers to decide only to whom may.
		globex := fmt.Sprintf("%s/%d?tab=renewals", clientsURL(st.AlphaID), st.Globex)
		northwind := fmt.Sprintf("%s/%d?tab=renewals", clientsURL(st.AlphaID), st.Northwind)
		emp := a.signIn(st.AlphaEmployee)
		if body := emp.get(globex); strings.Contains(body, "Review and decide") {
			t.Error("the employee's panel offers to decide on a client not assigned to it")
		}
		if body := emp.get(northwind); !strings.Contains(body, "Review and decide") {
			t.Error("the employee's panel does not offer to decide on its own client")
		}
	})
}

func TestRecordADecision(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		page := renewalsURL(st.AlphaID) + "/1"
		post := page + "/decision"
		form := func(kv ...string) url.Values {
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}

		emp := a.signIn(st.AlphaEmployee)
		if body := emp.get(page); !strings.Contains(body, "Only your partner admin can decide") || strings.Contains(body, `action="`+post) {
			t.Error("an employee is offered a decision on a client not assigned to them")
		}
		emp.post(post, form("decision", "renewed", "confirm", "yes"))
		if emp.status != http.StatusForbidden {
			t.Errorf("employee deciding on a client not assigned to them: %d", emp.status)
		}
		staff := a.signIn(st.AdminEmail)
		if body := staff.get(page); staff.status != http.StatusOK || strings.Contains(body, `action="`+post) {
			t.Errorf("vendor staff: %d, or offered the decision form", staff.status)
		}
		staff.post(post, form("decision", "renewed", "confirm", "yes"))
		if staff.status != http.StatusForbidden {
			t.Errorf("vendor staff deciding: %d", staff.status)
		}

		admin := a.signIn(st.AlphaAdmin)
		body := admin.get(page)
		for _, want := range []string{`action="` + post + `"`, `value="renewed"`, `value="cancellation_requested"`, `data-confirm="confirm-decision"`,
			"Renew as proposed", "Request cancellation", `id="confirm-decision"`} {
			if !strings.Contains(body, want) {
				t.Errorf("renewal page lacks %q", want)
			}
		}
		admin.post(post, form("decision", "renewed", "confirm", "yes", "csrf", "forged"))
		if admin.status != http.StatusForbidden {
			t.Errorf("forged CSRF token: %d", admin.status)
		}
		admin.post(post, form("decision", "confirmed"))
		if admin.status != http.StatusBadRequest {
			t.Errorf("a decision a renewal does not offer: %d", admin.status)
		}
		// Without the script, the first post asks and changes nothing.
		body = admin.post(post, form("decision", "renewed", "note", "Signed <b>off</b>"))
		if admin.status != http.StatusOK || !strings.Contains(body, "Record this decision?") || !strings.Contains(body, `name="confirm" value="yes"`) ||
			!strings.Contains(body, "Signed &lt;b&gt;off&lt;/b&gt;") {
			t.Fatalf("confirmation page: %d\n%s", admin.status, body)
		}
		if body := admin.get(clientsURL(st.AlphaID)); !strings.Contains(body, "<strong>2</strong> upcoming renewal decisions") {
			t.Error("asking for confirmation changed the alerts")
		}
		admin.post(post, form("decision", "renewed", "note", "Signed off", "confirm", "yes"))
		if admin.status != http.StatusSeeOther || admin.location != page+"?notice=decided" {
			t.Fatalf("confirmed decision: %d to %s", admin.status, admin.location)
		}
		body = admin.get(admin.location)
		for _, want := range []string{"Decision recorded", `data-testid="renewal-status">Renewed`, "Renewed as proposed", "Alice Alpha", "Signed off"} {
			if !strings.Contains(body, want) {
				t.Errorf("after the decision the page lacks %q", want)
			}
		}
		if body := admin.get(clientsURL(st.AlphaID)); !strings.Contains(body, "<strong>1</strong> upcoming renewal decision") {
			t.Error("the alerts did not drop to 1")
		}
		admin.post(post, form("decision", "cancellation_requested", "confirm", "yes"))
		if admin.status != http.StatusConflict {
			t.Errorf("a second decision: %d, want 409", admin.status)
		}
		if body := admin.get("/partners/1/audit"); !strings.Contains(body, "Renewed as proposed") || !strings.Contains(body, "Northwind Traders: Signed off") {
			t.Error("the audit log lacks the decision")
		}
	})
}

func TestOwnerAndContactForms(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		emp := a.signIn(st.AlphaEmployee)
		initech := renewalsURL(st.AlphaID) + "/3"
		body := emp.get(initech)
		if !strings.Contains(body, "The vendor owns the communication") || !strings.Contains(body, `action="`+initech+`/owner"`) {
			t.Fatal("vendor-owned renewal: no explanation or no owner form")
		}
		emp.post(initech+"/owner", url.Values{"owner": {"partner"}})
		if emp.status != http.StatusSeeOther {
			t.Fatalf("take ownership: %d", emp.status)
		}
		body = emp.get(initech + "?notice=owner")
		if !strings.Contains(body, "Communication owner saved") || !strings.Contains(body, `action="`+initech+`/decision"`) ||
			!strings.Contains(body, "Communication owner set to the partner") {
			t.Error("after taking ownership the employee cannot decide, or no history")
		}
		if body := emp.get(clientsURL(st.AlphaID)); !strings.Contains(body, "<strong>2</strong> upcoming renewal decisions") ||
			!strings.Contains(body, `data-testid="agency-alerts">4<`) {
			t.Error("Initech's two renewals did not join the alerts")
		}
		emp.post(initech+"/owner", url.Values{"owner": {"everyone"}})
		if emp.status != http.StatusBadRequest {
			t.Errorf("unknown owner: %d", emp.status)
		}

		admin := a.signIn(st.AlphaAdmin)
		northwind := renewalsURL(st.AlphaID) + "/1"
		for _, c := range []struct {
			contact string
			status  int
		}{{"abc", http.StatusBadRequest}, {fmt.Sprint(st.Globex), http.StatusBadRequest}, {fmt.Sprint(st.NorthwindOps), http.StatusSeeOther}} {
			admin.post(northwind+"/contact", url.Values{"contact": {c.contact}})
			if admin.status != c.status {
				t.Errorf("contact %s: %d, want %d", c.contact, admin.status, c.status)
			}
		}
		body = admin.get(northwind)
		if !strings.Contains(body, "Primary client contact set to Omar Ortiz") || !strings.Contains(body, `value="1102" selected`) {
			t.Error("the new primary contact is not shown")
		}
	})
}

func TestClientPanelRenewalsTab(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AlphaAdmin)
		body := admin.get(clientsURL(st.AlphaID) + "/101?tab=renewals")
		for _, want := range []string{`href="/partners/1/renewals/1" data-testid="panel-renewal">Review and decide`, "Later renewals",
			`href="/partners/1/renewals/1002">Email overage, ` + dateText(day(110)), "Communication owner for this client: Program default (Vendor)"} {
			if !strings.Contains(body, want) {
				t.Errorf("panel's Renewals tab lacks %q", want)
			}
		}
	})
}
