package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// The document and the routes table name the same API operations: a route
// without documentation, or documentation of a route that does not exist,
// fails here.
func TestOpenAPIDocumentsEveryRouteAndNothingElse(t *testing.T) {
	a := newApp(t, st.Engines()[0], web.Config{})
	var routes []string
	for _, rt := range a.srv.Routes() {
		if strings.HasPrefix(rt.Pattern, "/api/") || strings.HasPrefix(rt.Pattern, "/webhooks/") {
			routes = append(routes, rt.Method+" "+rt.Pattern)
		}
	}
	slices.Sort(routes)
	ops := a.srv.Operations()
	for _, r := range routes {
		if !slices.Contains(ops, r) {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, op := range ops {
		if !slices.Contains(routes, op) {
			t.Errorf("openapi.json documents %s, which is not a route", op)
		}
	}
	if len(routes) < 13 {
		t.Fatalf("only %d API routes", len(routes))
	}
	body := a.anon().get("/api/v1/openapi.json")
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil || doc.OpenAPI != "3.1.0" || len(doc.Paths) == 0 {
		t.Fatalf("served document: %v %q", err, doc.OpenAPI)
	}
}

type apiResult struct {
	pd.IngestResult
	Code     string       `json:"code"`
	Problems []pd.Problem `json:"problems"`
}

func (u *user) ingest(kind, body string) apiResult {
	u.a.t.Helper()
	var r apiResult
	out := u.postJSON("/api/v1/"+kind, body)
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		u.a.t.Fatalf("POST %s: %d %q is not JSON", kind, u.status, out)
	}
	return r
}

// An integration loads a program through the API, then a partner's read
// token sees the result.
func TestAPILoadsAProgramAndAPartnerReadsIt(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		in := a.bearer(st.IngestToken)
		// Wayne was won half a year ago and renews in half a year.
		on := func(n int) string { return day(n).String() }
		at := func(n int) string { return day(n).String() + "T10:00:00Z" }
		since, renews := on(-179), on(186)
		steps := []struct {
			kind, body string
			created    int
		}{
			{"staff", `{"records":[{"id":"st-zoe","name":"Zoe Z","email":"zoe@vendor.test","role":"partner_manager"}]}`, 1},
			{"partners", `{"records":[{"id":"p-delta","name":"Delta Digital","country":"NL","partner_manager":"st-zoe"}]}`, 1},
			{"certifications", `{"records":[{"id":"cert-1","partner":"p-delta","name":"Inbound","holder":"Dee","earned_on":"` + on(-330) + `","expires_on":"` + on(35) + `"}]}`, 1},
			{"clients", `{"records":[{"id":"acct-wayne","name":"Wayne Enterprises","domain":"wayne.example","stripe_customer_id":"cus_wayne"}]}`, 1},
			{"relationships", `{"records":[{"client":"acct-wayne","partner":"p-alpha","relationship":"sold","started_on":"` + since + `"}]}`, 1},
			{"subscription-lines", `{"records":[{"id":"sub-w1","client":"acct-wayne","product":"sales-pro","quantity":3,"billing_period":"annual","commitment_months":12,"updated_at":"` + at(-179) + `"}]}`, 1},
			{"billing-events", `{"records":[{"id":"ev-w1","occurred_at":"` + at(-179) + `","client":"acct-wayne","partner":"p-alpha","product":"sales-pro","mrr":45000},
				{"id":"ev-w2","occurred_at":"` + at(-178) + `","client":"acct-wayne","partner":"p-alpha","product":"content-starter","mrr":2000}]}`, 2},
			{"usage", `{"records":[{"client":"acct-wayne","day":"` + on(-1) + `","tools":["contacts","deals","sequences","blog"],"active_users":4,"seats":5}]}`, 1},
			{"renewals", `{"records":[{"client":"acct-wayne","renewal_date":"` + renews + `","contract_type":"renewal","current_mrr":47000,"proposed_mrr":47000}]}`, 1},
		}
		for _, s := range steps {
			r := in.ingest(s.kind, s.body)
			if in.status != http.StatusOK || r.Created != s.created {
				t.Fatalf("POST %s: %d %+v", s.kind, in.status, r)
			}
			// Sent again, the same records change nothing.
			if r := in.ingest(s.kind, s.body); in.status != http.StatusOK || r.Created != 0 || r.Updated != 0 {
				t.Fatalf("POST %s again: %d %+v", s.kind, in.status, r)
			}
		}
		alpha := a.bearer(st.AlphaToken)
		var page struct {
			Clients []struct {
				Name       string   `json:"name"`
				MRR        int64    `json:"mrr"`
				Products   []string `json:"products"`
				Engagement int      `json:"engagement"`
				ID         int64    `json:"id"`
			} `json:"clients"`
			Total int `json:"total"`
		}
		body := alpha.get(fmt.Sprintf("/api/v1/partners/%d/clients?q=wayne", st.AlphaID))
		if err := json.Unmarshal([]byte(body), &page); err != nil || alpha.status != http.StatusOK || page.Total != 1 {
			t.Fatalf("clients: %d %s", alpha.status, body)
		}
		c := page.Clients[0]
		if c.MRR != 47000 || strings.Join(c.Products, ",") != "sales-pro,content-starter" || c.Engagement == 0 {
			t.Errorf("Wayne seen by Alpha: %+v", c)
		}
		body = alpha.get(fmt.Sprintf("/api/v1/partners/%d/clients/%d", st.AlphaID, c.ID))
		for _, want := range []string{`"id":"sub-w1"`, `"quantity":3`, `"tools":["contacts","deals","sequences","blog"]`, `"renewal_date":"` + renews + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("client detail lacks %s: %s", want, body)
			}
		}
		if body := alpha.get(fmt.Sprintf("/api/v1/partners/%d", st.AlphaID)); !strings.Contains(body, `"name":"Alpha Agency"`) {
			t.Errorf("partner: %s", body)
		}
		// Ending services through the API takes the client off the list.
		r := in.ingest("relationships", `{"records":[{"client":"acct-wayne","partner":"p-alpha","relationship":"sold","started_on":"`+since+`","ended_on":"`+on(0)+`"}]}`)
		if r.Updated != 1 {
			t.Fatalf("end services: %+v", r)
		}
		alpha.get(fmt.Sprintf("/api/v1/partners/%d/clients/%d", st.AlphaID, c.ID))
		if alpha.status != http.StatusNotFound {
			t.Errorf("ended client: status %d, want 404", alpha.status)
		}
	})
}

// A batch with bad records is refused whole (422), naming every record's
// index, field and reason; nothing is written. Malformed requests are
// clear JSON errors, never a 500.
func TestAPIRejectsBadBatchesWhole(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		in := a.bearer(st.IngestToken)
		ev := func(id, client, product string, mrr int) string {
			return fmt.Sprintf(`{"id":%q,"occurred_at":"%sT00:00:00Z","client":%q,"product":%q,"mrr":%d}`, id, day(-26), client, product, mrr)
		}
		cases := []struct {
			name, body string
			status     int
			problems   []string // "index field code"
		}{
			{"schema: each bad record", `{"records":[` + ev("a", "acct-northwind.example", "sales-pro", 1) + `,
				{"id":"b","client":"acct-northwind.example","product":"sales-pro","mrr":-5},
				{"id":"c","occurred_at":"yesterday","client":"acct-northwind.example","product":"nope","mrr":"ten","colour":"red"}]}`,
				422, []string{"1 mrr invalid", "1 occurred_at invalid", "2 colour invalid", "2 mrr invalid", "2 occurred_at invalid", "2 product invalid"}},
			{"references and conflicts", `{"records":[` + ev("x1", "acct-nobody", "sales-pro", 1) + `,` +
				ev("ev-northwind.example-marketing-pro", "acct-northwind.example", "marketing-pro", 1) + `,` +
				ev("x2", "acct-northwind.example", "sales-pro", 1) + `,` + ev("x2", "acct-northwind.example", "sales-pro", 2) + `]}`,
				422, []string{"0 client not_found", "1 id conflict", "3 id conflict"}},
			{"no records", `{"records":[]}`, 422, []string{"-1 records invalid"}},
			{"not an object", `[1,2]`, 422, []string{"-1  invalid"}},
			{"not JSON", `{"records":`, 400, nil},
		}
		for _, c := range cases {
			before := countEvents(t, a)
			r := in.ingest("billing-events", c.body)
			if in.status != c.status {
				t.Errorf("%s: status %d, want %d (%+v)", c.name, in.status, c.status, r)
			}
			var got []string
			for _, p := range r.Problems {
				got = append(got, fmt.Sprintf("%d %s %s", p.Index, p.Field, p.Code))
			}
			slices.Sort(got)
			if c.problems != nil && strings.Join(got, "|") != strings.Join(c.problems, "|") {
				t.Errorf("%s: problems\n%s\nwant\n%s", c.name, strings.Join(got, "|"), strings.Join(c.problems, "|"))
			}
			if after := countEvents(t, a); after != before {
				t.Errorf("%s: %d events written", c.name, after-before)
			}
		}
		// 10,000 records are fine; 10,001 are refused.
		var b strings.Builder
		b.WriteString(`{"records":[`)
		for i := range pd.MaxBatch + 1 {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(ev(fmt.Sprintf("big-%d", i), "acct-northwind.example", "sales-pro", i))
		}
		b.WriteString("]}")
		if r := in.ingest("billing-events", b.String()); in.status != 422 || r.Problems[0].Field != "records" {
			t.Errorf("10,001 records: %d %+v", in.status, r.Problems)
		}
		// A dry run answers like a real one and writes nothing.
		before := countEvents(t, a)
		in.postJSON("/api/v1/billing-events?dry_run=true", `{"records":[`+ev("dry", "acct-northwind.example", "sales-pro", 1)+`]}`)
		if in.status != http.StatusOK || countEvents(t, a) != before {
			t.Errorf("dry run: %d, %d events", in.status, countEvents(t, a))
		}
		// Tokens: revoked, unknown, malformed; unknown endpoint and method.
		for _, c := range []struct {
			u      *user
			method string
			path   string
			status int
			code   string
		}{
			{a.bearer(st.RevokedToken), "POST", "/api/v1/usage", 401, "unauthorized"},
			{a.bearer("pdk_unknown"), "GET", "/api/v1/partners/1", 401, "unauthorized"},
			{a.bearer("not a token"), "GET", "/api/v1/partners/1", 401, "unauthorized"},
			{in, "GET", "/api/v1/nothing-here", 404, "not_found"},
			{in, "DELETE", "/api/v1/billing-events", 405, "method_not_allowed"},
			{a.bearer(st.AlphaToken), "GET", "/api/v1/partners/1/clients?sort=evil", 400, "invalid"},
			{a.bearer(st.AlphaToken), "GET", "/api/v1/partners/1/clients?colour=red", 400, "invalid"},
		} {
			req, _ := http.NewRequest(c.method, a.ts.URL+c.path, strings.NewReader(`{"records":[]}`))
			body := c.u.do(req)
			if c.u.status != c.status || !strings.Contains(body, `"code":"`+c.code+`"`) {
				t.Errorf("%s %s: %d %s, want %d %s", c.method, c.path, c.u.status, body, c.status, c.code)
			}
		}
	})
}

// A read token's paths name its partner by the Partnerdesk id or by the
// external id, alike; any other partner, by either, is not found.
func TestAPIPathsTakeThePartnersIdOrExternalID(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		alpha := a.bearer(st.AlphaToken)
		for _, c := range []struct {
			path   string
			status int
		}{
			{"/api/v1/partners/1", 200}, {"/api/v1/partners/p-alpha", 200},
			{"/api/v1/partners/1/clients", 200}, {"/api/v1/partners/p-alpha/clients", 200},
			{fmt.Sprintf("/api/v1/partners/p-alpha/clients/%d", st.Northwind), 200},
			{"/api/v1/partners/p-alpha/tier", 200}, {"/api/v1/partners/p-alpha/credit", 200},
			{"/api/v1/partners/2", 404}, {"/api/v1/partners/p-beta", 404}, {"/api/v1/partners/p-beta/clients", 404},
			{"/api/v1/partners/p-nobody", 404}, {"/api/v1/partners/0", 404}, {"/api/v1/partners/-1", 404},
		} {
			body := alpha.get(c.path)
			if alpha.status != c.status {
				t.Errorf("%s: %d %s, want %d", c.path, alpha.status, body, c.status)
			}
		}
		byID, byExt := alpha.get("/api/v1/partners/1/clients"), alpha.get("/api/v1/partners/p-alpha/clients")
		if byID != byExt || !strings.Contains(byID, "Northwind Traders") {
			t.Errorf("the two paths answer differently:\n%s\n%s", byID, byExt)
		}
	})
}

func countEvents(t *testing.T, a *app) int {
	rows, err := a.db.QueryRaw(ctx(), "SELECT COUNT(*) FROM billing_events")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	rows.Next()
	rows.Scan(&n)
	return n
}

// Using a token notes when; revoking it ends it at once.
func TestTokensAreManagedByProgramAdmins(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		body := admin.post("/admin/tokens", map[string][]string{"name": {"Warehouse"}, "scope": {"read"}, "partner": {"p-beta"}})
		secret := between(body, `data-testid="secret">`, "<")
		if admin.status != http.StatusOK || !strings.HasPrefix(secret, "pdk_") {
			t.Fatalf("create: %d, secret %q", admin.status, secret)
		}
		if strings.Contains(admin.get("/admin/tokens"), secret) {
			t.Fatal("the secret is shown again")
		}
		reader := a.bearer(secret)
		reader.get(fmt.Sprintf("/api/v1/partners/%d/clients", st.BetaID))
		if reader.status != http.StatusOK {
			t.Fatalf("new read token: %d", reader.status)
		}
		page := admin.get("/admin/tokens")
		if !strings.Contains(page, "Warehouse") || strings.Count(page, "Never") != 4 {
			t.Errorf("the list does not show Warehouse as used (and the fixture's 4 others as never used)")
		}
		// The list names the read token's partner by both its ids.
		if ids := between(page, `data-testid="token-ids">`, "</span>"); ids != "id <code>2</code> · external id <code>p-beta</code>" {
			t.Errorf("the partner's ids: %q", ids)
		}
		// Revoking asks first (the page's script in a dialog; without it,
		// on a page of its own); the token works until it is confirmed.
		id := between(page, `action="/admin/tokens/`, `/revoke"`)
		if !strings.Contains(page, `data-confirm="confirm-revoke" data-label="Warehouse"`) || !strings.Contains(page, `id="confirm-revoke"`) {
			t.Error("the Revoke form does not ask in a dialog")
		}
		body = admin.post("/admin/tokens/"+id+"/revoke", nil)
		if admin.status != http.StatusOK || !strings.Contains(body, "Revoke the token “Warehouse”?") || !strings.Contains(body, `name="confirm" value="yes"`) {
			t.Fatalf("revoke without confirming: %d", admin.status)
		}
		if reader.get(fmt.Sprintf("/api/v1/partners/%d/clients", st.BetaID)); reader.status != http.StatusOK {
			t.Fatalf("the token stopped working before the revocation was confirmed: %d", reader.status)
		}
		admin.post("/admin/tokens/"+id+"/revoke", url.Values{"confirm": {"yes"}})
		if admin.status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", admin.status)
		}
		if admin.post("/admin/tokens/"+id+"/revoke", nil); admin.status != http.StatusNotFound {
			t.Errorf("asking to revoke a revoked token: %d", admin.status)
		}
		reader.get(fmt.Sprintf("/api/v1/partners/%d/clients", st.BetaID))
		if reader.status != http.StatusUnauthorized {
			t.Errorf("revoked token: %d", reader.status)
		}
		// Mistakes are shown on the form; others than program admins get nothing.
		body = admin.post("/admin/tokens", map[string][]string{"name": {"X"}, "scope": {"read"}})
		if admin.status != http.StatusBadRequest || !strings.Contains(body, "choose the partner") {
			t.Errorf("read token without partner: %d", admin.status)
		}
		mgr := a.signIn(st.ManagerEmail)
		for _, p := range []string{"/admin/tokens", "/admin/import"} {
			mgr.get(p)
			if mgr.status != http.StatusForbidden {
				t.Errorf("partner manager on %s: %d", p, mgr.status)
			}
		}
	})
}

func between(s, from, to string) string {
	_, after, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, to)
	return v
}
