package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

var rowName = regexp.MustCompile(`class="client-name" data-panel href="[^"]*">([^<]+)</a>`)

func names(body string) []string {
	var ns []string
	for _, m := range rowName.FindAllStringSubmatch(body, -1) {
		ns = append(ns, m[1])
	}
	return ns
}

func TestClientsTab(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		emp := a.signIn(st.AlphaEmployee)
		base := clientsURL(st.AlphaID)
		cases := []struct {
			name  string
			query string
			want  []string
			total string
		}{
			{"by MRR, largest first, by default", "", []string{"Northwind Traders", "Initech", "Globex Corp", "Umbrella Co"}, "$1,605.00"},
			{"by name", "sort=name&dir=asc", []string{"Globex Corp", "Initech", "Northwind Traders", "Umbrella Co"}, ""},
			{"by name, reversed", "sort=name&dir=desc", []string{"Umbrella Co", "Northwind Traders", "Initech", "Globex Corp"}, ""},
			{"by usage", "sort=usage&dir=desc", []string{"Northwind Traders", "Initech", "Globex Corp", "Umbrella Co"}, ""},
			{"search by name", "q=glob", []string{"Globex Corp"}, "$300.00"},
			{"search by domain", "q=NORTHWIND.example", []string{"Northwind Traders"}, ""},
			{"search treats % literally", "q=%25", nil, "$0.00"},
			{"a product", "product=content-pro", []string{"Initech"}, ""},
			{"a hub, any edition", "product=service", []string{"Globex Corp", "Umbrella Co"}, ""},
			{"a relationship", "rel=sold", []string{"Initech", "Umbrella Co"}, ""},
			{"a usage bucket", "usage=low", []string{"Globex Corp", "Umbrella Co"}, ""},
			{"assigned to me", "mine=1", []string{"Initech", "Umbrella Co"}, ""},
			{"with a renewal decision due", "renewal=due", []string{"Northwind Traders", "Globex Corp"}, ""},
			{"a page of two", "size=2&page=2", []string{"Globex Corp", "Umbrella Co"}, "$1,605.00"},
			{"past the last page", "size=2&page=9", nil, "$1,605.00"},
		}
		for _, c := range cases {
			body := emp.get(base + "?" + c.query)
			if emp.status != http.StatusOK {
				t.Fatalf("%s: status %d", c.name, emp.status)
			}
			if got := names(body); strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("%s: rows %q, want %q", c.name, got, c.want)
			}
			if c.total != "" && !strings.Contains(body, `data-testid="total-mrr">`+c.total+`<`) {
				t.Errorf("%s: total MRR is not %s", c.name, c.total)
			}
			if c.want == nil && !strings.Contains(body, `data-testid="empty"`) {
				t.Errorf("%s: no empty state", c.name)
			}
		}
		body := emp.get(base)
		// Both decisions due are on clients not assigned to the employee.
		if !strings.Contains(body, "<strong>0</strong> upcoming renewal decisions") || !strings.Contains(body, `data-testid="agency-alerts">2<`) {
			t.Error("alert count is not 0 of 2")
		}
		if strings.Contains(body, "Old Client") {
			t.Error("a client whose services ended is listed")
		}
		for _, want := range []string{"Marketing Pro, Sales Starter", "Sold &amp; managed", "$890.00",
			`href="https://crm.example/companies?domain=northwind.example"`, `href="https://app.vendor.example/accounts/northwind.example"`} {
			if !strings.Contains(body, want) {
				t.Errorf("clients table lacks %q", want)
			}
		}
		// Filters survive sorting: the header links keep them.
		body = emp.get(base + "?q=o&rel=sold")
		if !strings.Contains(body, "q=o") || !strings.Contains(body, "rel=sold") || !strings.Contains(body, "sort=name") {
			t.Error("sort links drop the filters")
		}
	})
}

// A page costs the same number of queries whatever its size (no N+1).
func TestClientsPageQueryCountDoesNotGrowWithRows(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AlphaAdmin)
		count := func(q string) int64 {
			before := a.db.Queries()
			admin.get(clientsURL(st.AlphaID) + q)
			return a.db.Queries() - before
		}
		one, all := count("?size=1"), count("?size=50")
		if one != all || one == 0 {
			t.Fatalf("a page of 1 ran %d queries, a page of 4 ran %d", one, all)
		}
		p1 := func() int64 {
			b := a.db.Queries()
			admin.get(clientsURL(st.AlphaID) + "/101?tab=details")
			return a.db.Queries() - b
		}()
		p2 := func() int64 {
			b := a.db.Queries()
			admin.get(clientsURL(st.AlphaID) + "/103?tab=details")
			return a.db.Queries() - b
		}()
		if p1 != p2 {
			t.Fatalf("panel of a 2-line client ran %d queries, of a 1-line client %d", p1, p2)
		}
	})
}

func TestBadInputIsAClear400(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		emp := a.signIn(st.AlphaEmployee)
		for _, q := range []string{"sort=password_hash", "sort=" + url.QueryEscape("mrr;DROP TABLE clients"), "dir=sideways", "page=-1", "page=0", "page=abc",
			"size=100000", "size=-5", "product=unicorn-pro", "rel=friend", "usage=extreme", "q=" + strings.Repeat("x", 300)} {
			body := emp.get(clientsURL(st.AlphaID) + "?" + q)
			if emp.status != http.StatusBadRequest {
				t.Errorf("?%s: status %d, want 400", q, emp.status)
			}
			if !strings.Contains(body, "That request can") {
				t.Errorf("?%s: no explanation", q)
			}
		}
		emp.get(clientsURL(st.AlphaID) + "/101?tab=secrets")
		if emp.status != http.StatusBadRequest {
			t.Errorf("unknown panel tab: %d, want 400", emp.status)
		}
	})
}

func TestClientPanel(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		emp := a.signIn(st.AlphaEmployee)
		base := clientsURL(st.AlphaID) + "/101"
		tabs := map[string][]string{
			"details":    {"northwind.example", "Marketing Professional", "Sales Starter", "5,000 marketing contacts", "50,000 emails a month", "$870.00", "$890.00"},
			"renewals":   {"Communication owner", "Partner", "Rita Renewals", "Contact of Northwind Traders", dateText(day(23)), dateText(northwindDeadline()), "$934.50", "Pending"},
			"usage":      {"Marketing Professional", "Forms", "SEO recommendations", "7 active users of 10 seats"},
			"engagement": {`data-testid="engagement-index">`, "CRM basics", "Marketing", "Sales"},
		}
		for tab, wants := range tabs {
			body := emp.get(base + "?tab=" + tab)
			if emp.status != http.StatusOK {
				t.Fatalf("tab %s: %d", tab, emp.status)
			}
			if !strings.Contains(body, `data-tab="`+tab+`"`) {
				t.Errorf("tab %s is not the open one", tab)
			}
			for _, w := range wants {
				if !strings.Contains(body, w) {
					t.Errorf("tab %s lacks %q", tab, w)
				}
			}
			// The list stays behind the panel on a full page load.
			if !strings.Contains(body, "Globex Corp") {
				t.Errorf("tab %s: full page has no client list", tab)
			}
		}
		// The engagement index shown is the domain's.
		d, err := a.db.Client(pd.WithPrincipal(ctx(), &pd.Principal{UserID: 3, Role: pd.RolePartnerEmployee, PartnerID: st.AlphaID}), st.Northwind)
		if err != nil {
			t.Fatal(err)
		}
		if d.Engagement.Index != d.Client.Engagement || d.Engagement.Index == 0 {
			t.Errorf("panel index %d, table index %d", d.Engagement.Index, d.Client.Engagement)
		}
		// The page's script asks for the panel alone.
		req, _ := http.NewRequest("GET", a.ts.URL+base+"?tab=usage", nil)
		req.Header.Set("X-Partial", "panel")
		body := emp.do(req)
		if emp.status != http.StatusOK || strings.Contains(body, "<html") || !strings.Contains(body, `id="panel"`) {
			t.Errorf("partial panel: status %d, %.200s", emp.status, body)
		}
	})
}

func TestEndServices(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		emp := a.signIn(st.AlphaEmployee)
		path := clientsURL(st.AlphaID) + "/103/end-services"

		body := emp.get(path)
		if emp.status != http.StatusOK || !strings.Contains(body, "End services for Initech?") {
			t.Fatalf("confirmation page: %d", emp.status)
		}
		emp.post(path, url.Values{"csrf": {"forged"}})
		if emp.status != http.StatusForbidden {
			t.Fatalf("without the CSRF token: %d, want 403", emp.status)
		}
		emp.post(clientsURL(st.AlphaID)+"/102/end-services", nil)
		if emp.status != http.StatusForbidden {
			t.Fatalf("employee ending a client not assigned to them: %d, want 403", emp.status)
		}
		admin := a.signIn(st.AdminEmail)
		admin.post(path, nil)
		if admin.status != http.StatusForbidden {
			t.Fatalf("program admin writing through a dashboard: %d, want 403", admin.status)
		}
		emp.post(path, nil)
		if emp.status != http.StatusSeeOther {
			t.Fatalf("end services: %d", emp.status)
		}
		body = emp.get(clientsURL(st.AlphaID) + "?notice=ended")
		if strings.Contains(body, "Initech") || !strings.Contains(body, "Services ended") {
			t.Error("Initech is still listed, or no notice")
		}
		emp.get(clientsURL(st.AlphaID) + "/103")
		if emp.status != http.StatusNotFound {
			t.Errorf("panel of an ended client: %d, want 404", emp.status)
		}
		emp.post(path, nil)
		if emp.status != http.StatusNotFound {
			t.Errorf("ending services twice: %d, want 404", emp.status)
		}
		alpha := a.signIn(st.AlphaAdmin)
		body = alpha.get("/partners/1/audit")
		if !strings.Contains(body, "Ended services") || !strings.Contains(body, "Emil Employee") || !strings.Contains(body, "Initech") {
			t.Errorf("audit log lacks the entry:\n%s", body)
		}
		emp.get("/partners/1/audit")
		if emp.status != http.StatusForbidden {
			t.Errorf("employee reading the audit log: %d", emp.status)
		}
	})
}

func TestProgramAdminOpensAnyDashboardReadOnly(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		admin.get("/")
		if admin.status != http.StatusSeeOther {
			t.Fatalf("home: %d", admin.status)
		}
		body := admin.get("/admin/partners")
		if !strings.Contains(body, "Alpha Agency") || !strings.Contains(body, "Beta Works") || !strings.Contains(body, "Gold") {
			t.Fatalf("partners list:\n%s", body)
		}
		body = admin.get("/admin/partners?q=bet")
		if strings.Contains(body, "Alpha Agency") || !strings.Contains(body, "Beta Works") {
			t.Error("partner search")
		}
		body = admin.get(clientsURL(st.BetaID))
		if admin.status != http.StatusOK || !strings.Contains(body, "Hooli") || !strings.Contains(body, "read-only") {
			t.Fatalf("Beta's dashboard as admin: %d", admin.status)
		}
		if strings.Contains(body, "end-services") {
			t.Error("read-only dashboard offers End services")
		}
		partner := a.signIn(st.AlphaAdmin)
		partner.get("/admin/partners")
		if partner.status != http.StatusNotFound {
			t.Errorf("partner on the admin page: %d, want 404", partner.status)
		}
		mgr := a.signIn(st.ManagerEmail)
		body = mgr.get("/admin/partners")
		if !strings.Contains(body, "Alpha Agency") || strings.Contains(body, "Beta Works") {
			t.Error("a partner manager sees partners not assigned to them")
		}
		mgr.get(clientsURL(st.BetaID))
		if mgr.status != http.StatusNotFound {
			t.Errorf("manager opening Beta: %d, want 404", mgr.status)
		}
	})
}

func TestEmptyClientList(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		beta := a.signIn(st.BetaAdmin)
		for _, id := range []string{"201", "202"} {
			beta.post(clientsURL(st.BetaID)+"/"+id+"/end-services", nil)
		}
		body := beta.get(clientsURL(st.BetaID))
		if !strings.Contains(body, "No clients yet") {
			t.Error("no empty state")
		}
	})
}

// A filtered list's links carry its query as a query (never escaped into
// the path): the panel, its tabs and its close button, End services and
// the list it comes back to all keep the filters.
func TestClientLinksKeepTheListsFilters(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		emp := a.signIn(st.AlphaEmployee)
		list := clientsURL(st.AlphaID)
		panel := fmt.Sprintf("%s/%d", list, st.Umbrella)
		filters := "q=umbrella&usage=low"
		attr := strings.ReplaceAll(filters, "&", "&amp;")

		body := emp.get(list + "?" + filters + "&notice=assigned")
		if got := names(body); strings.Join(got, "|") != "Umbrella Co" {
			t.Fatalf("filtered list: %q", got)
		}
		for _, want := range []string{
			`class="client-name" data-panel href="` + panel + "?" + attr + `"`,
			`data-panel href="` + panel + "?" + attr + `">Client details`,
			`href="` + panel + "/end-services?" + attr + `">End services`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the list lacks %s", want)
			}
		}
		if strings.Contains(body, "%3d") || strings.Contains(body, "notice%3d") || strings.Contains(body, "notice=assigned&amp;") {
			t.Error("a link escapes the query into its path, or carries the notice")
		}

		admin := a.signIn(st.AlphaAdmin)
		body = admin.get(panel + "?" + filters + "&tab=details")
		for _, want := range []string{
			`href="` + panel + "?q=umbrella&amp;tab=renewals&amp;usage=low" + `"`,
			`class="close" href="` + list + "?" + attr + `"`,
			`name="list" value="` + attr + `"`, // the assignment forms
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the panel lacks %s", want)
			}
		}

		body = emp.get(panel + "/end-services?" + filters)
		if !strings.Contains(body, `href="`+list+"?"+attr+`">Cancel`) {
			t.Error("End services' Cancel drops the filters")
		}
		emp.post(panel+"/end-services?"+filters, nil)
		if emp.status != http.StatusSeeOther || emp.location != list+"?notice=ended&"+filters {
			t.Errorf("after End services: %d to %s", emp.status, emp.location)
		}

		admin.post(list+"/assign", url.Values{"op": {"assign"}, "back": {"panel"}, "client": {fmt.Sprint(st.Globex)},
			"user": {fmt.Sprint(st.AlphaEmployeeID)}, "list": {"q=glob&tab=usage"}})
		if want := fmt.Sprintf("%s/%d?q=glob", list, st.Globex); admin.status != http.StatusSeeOther || admin.location != want {
			t.Errorf("after assigning from the panel: %d to %s, want %s", admin.status, admin.location, want)
		}
	})
}
