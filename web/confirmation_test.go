package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/refresh"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

func linksURL(partner int) string { return fmt.Sprintf("/partners/%d/confirmation-links", partner) }

// createLink creates a link through the partner's form and returns its
// public path.
func createLink(t *testing.T, u *user, form url.Values) string {
	t.Helper()
	u.get(linksURL(st.AlphaID))
	body := u.post(linksURL(st.AlphaID), form)
	if u.status != http.StatusCreated {
		t.Fatalf("create link: status %d\n%s", u.status, body)
	}
	m := regexp.MustCompile(`value="https?://[^"/]+(/confirm/[A-Za-z0-9_-]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link address in\n%s", body)
	}
	return m[1]
}

func northwindLink() url.Values {
	return url.Values{"client": {fmt.Sprint(st.Northwind)}, "qty_sales-pro": {"2"}, "qty_service-starter": {"1"},
		"services": {"Onboarding: three workshops"}, "expected_mrr": {"1234.56"}}
}

func TestClientConfirmsALinkWithoutAnAccount(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		alice := a.signIn(st.AlphaAdmin)
		path := createLink(t, alice, northwindLink())

		client := a.anon()
		page := client.get(path)
		if client.status != http.StatusOK {
			t.Fatalf("public page: %d\n%s", client.status, page)
		}
		for _, want := range []string{"Alpha Agency", "2 × Sales Professional", "1 × Service Starter", "Onboarding: three workshops"} {
			if !strings.Contains(page, want) {
				t.Errorf("public page lacks %q", want)
			}
		}
		// Nothing else of the partner: not the client, its MRR, the
		// expected MRR, the partner's people, clients or settings.
		for _, private := range []string{"Northwind", "northwind.example", "1,234.56", "123456", "Alice Alpha", st.AlphaAdmin,
			"Globex", "Initech", "Umbrella", "crm.example", "Gold", "Sign out"} {
			if strings.Contains(page, private) {
				t.Errorf("public page shows %q", private)
			}
		}
		// A form without the signed-out visitor's CSRF token is refused.
		client.post(path, url.Values{"answer": {"confirm"}, "csrf": {"forged"}})
		if client.status != http.StatusForbidden {
			t.Errorf("forged CSRF: %d", client.status)
		}
		if body := client.post(path, url.Values{"answer": {"confirm"}}); client.status != http.StatusOK || !strings.Contains(body, "confirmation has been recorded") {
			t.Fatalf("confirm: %d\n%s", client.status, body)
		}
		// Single use.
		client.post(path, url.Values{"answer": {"reject"}})
		if client.status != http.StatusNotFound {
			t.Errorf("second answer: %d", client.status)
		}
		list := alice.get(linksURL(st.AlphaID) + "?status=confirmed")
		if !strings.Contains(list, "Northwind Traders") || !strings.Contains(list, "Confirmed") {
			t.Errorf("confirmed list:\n%s", list)
		}
		if list := alice.get(linksURL(st.AlphaID) + "?status=pending"); strings.Contains(list, "Northwind Traders</td>") {
			t.Error("confirmed link listed as pending")
		}
	})
}

// Unknown, expired, answered and cancelled tokens get the same status and
// the same page, so the page tells nothing about which exist.
func TestConfirmPageAnswersAlikeForEveryDeadToken(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		now := st.Now
		a := newAppAt(t, e, web.Config{}, func() time.Time { return now })
		alice := a.signIn(st.AlphaAdmin)
		expired := createLink(t, alice, url.Values{"client": {fmt.Sprint(st.Globex)}, "qty_sales-pro": {"1"}, "expiry_days": {"1"}})
		used := createLink(t, alice, northwindLink())
		cancelled := createLink(t, alice, url.Values{"prospect_name": {"Acme"}, "prospect_domain": {"acme.example"}, "qty_sales-pro": {"1"}})

		visitor := a.anon()
		visitor.get(used)
		visitor.post(used, url.Values{"answer": {"confirm"}})
		links, err := a.db.ConfirmationLinks(pd.WithPrincipal(ctx(), &pd.Principal{UserID: 2, Role: pd.RolePartnerAdmin, PartnerID: st.AlphaID}),
			store.ConfirmationLinkFilter{Status: pd.LinkPending})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range links {
			if l.ClientID == 0 {
				alice.post(fmt.Sprintf("%s/%d/cancel", linksURL(st.AlphaID), l.ID), nil)
				if alice.status != http.StatusSeeOther {
					t.Fatalf("cancel: %d", alice.status)
				}
			}
		}
		now = now.Add(25 * time.Hour)

		var first string
		for _, path := range []string{"/confirm/unknown-token", expired, used, cancelled} {
			for _, method := range []string{"GET", "POST"} {
				var body string
				if method == "GET" {
					body = visitor.get(path)
				} else {
					body = visitor.post(path, url.Values{"answer": {"confirm"}})
				}
				if visitor.status != http.StatusNotFound {
					t.Errorf("%s %s: %d", method, path, visitor.status)
				}
				if first == "" {
					first = body
				} else if body != first {
					t.Errorf("%s %s answers differently:\n%s\n---\n%s", method, path, body, first)
				}
			}
		}
		if !strings.Contains(first, "cannot be used") {
			t.Errorf("dead token page:\n%s", first)
		}
	})
}

func TestConfirmPageIsRateLimitedPerAddress(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		guesser := a.anon()
		for i := range store.DefaultConfirmationLimits.Address.Max {
			guesser.get(fmt.Sprintf("/confirm/guess-%d", i))
		}
		guesser.get("/confirm/guess-last")
		if guesser.status != http.StatusTooManyRequests || guesser.header.Get("Retry-After") == "" {
			t.Errorf("over the limit: %d, Retry-After %q", guesser.status, guesser.header.Get("Retry-After"))
		}
	})
}

// A confirmed link credits its partner with a billing event that names no
// partner, through the daily refresh, and the Tier tab says so; an event
// that names a partner keeps it, link or not.
func TestConfirmedLinkCreditsThePartnerThroughTheRefresh(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		alice := a.signIn(st.AlphaAdmin)
		confirm := func(path string) {
			client := a.anon()
			client.get(path)
			if client.post(path, url.Values{"answer": {"confirm"}}); client.status != http.StatusOK {
				t.Fatalf("confirm: %d", client.status)
			}
		}
		confirm(createLink(t, alice, url.Values{"client": {fmt.Sprint(st.Northwind)}, "qty_content-pro": {"1"}}))
		globex := createLink(t, alice, url.Values{"client": {fmt.Sprint(st.Globex)}, "qty_sales-pro": {"1"}})
		at := st.Now.Add(-time.Hour).UTC().Format(time.RFC3339)
		in := a.bearer(st.IngestToken)
		if r := in.ingest("billing-events", `{"records":[
			{"id":"ev-link-1","occurred_at":"`+at+`","client":"acct-globex.example","product":"sales-pro","mrr":25000},
			{"id":"ev-link-2","occurred_at":"`+at+`","client":"acct-northwind.example","partner":"p-beta","product":"content-pro","mrr":7000}]}`); in.status != http.StatusOK {
			t.Fatalf("ingest: %d %+v", in.status, r)
		}
		if _, err := refresh.Run(ctx(), a.db, st.Now, refresh.Options{}); err != nil {
			t.Fatal(err)
		}
		// Globex confirms after the refresh: no billing event came since,
		// but the next refresh runs the ledger again for the link.
		confirm(globex)
		if _, err := refresh.Run(ctx(), a.db, st.Now.Add(time.Minute), refresh.Options{}); err != nil {
			t.Fatal(err)
		}
		month := "?month=" + st.Now.Format(monthParam)
		body := alice.get("/partners/1/tier" + month)
		moves := testid(body, "month-moves")
		if !strings.Contains(moves, "Globex Corp") || !strings.Contains(moves, "credited by confirmation link") {
			t.Errorf("Alpha's month lacks Globex credited by the link:\n%s", moves)
		}
		if strings.Count(moves, "credited by confirmation link") != 1 {
			t.Errorf("Alpha's month shows the link more than once:\n%s", moves)
		}
		// Northwind's event named Beta: Beta gains it, not through the link.
		beta := a.signIn(st.BetaAdmin).get("/partners/2/tier" + month)
		if m := testid(beta, "month-moves"); !strings.Contains(m, "Northwind") || strings.Contains(m, "confirmation link") {
			t.Errorf("Beta's month:\n%s", m)
		}
	})
}

func TestConfirmationLinksAPI(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		in := a.bearer(st.IngestToken)
		path := fmt.Sprintf("/api/v1/partners/%d/confirmation-links", st.AlphaID)
		body := in.postJSON(path, `{"client":"acct-initech.example","products":[{"product":"sales-pro","quantity":2}],"services":"Setup","expected_mrr":15000}`)
		var created struct {
			Link struct {
				ID     int64
				Status string
				Client string
			}
			URL string
		}
		if err := json.Unmarshal([]byte(body), &created); err != nil || in.status != http.StatusCreated ||
			created.Link.Status != "pending" || created.Link.Client != "acct-initech.example" || !strings.Contains(created.URL, "/confirm/") {
			t.Fatalf("create: %d %s", in.status, body)
		}
		// The address opens the public page.
		u, _ := url.Parse(created.URL)
		if visitor := a.anon(); !strings.Contains(visitor.get(u.Path), "Alpha Agency") {
			t.Errorf("the API's link does not open: %d", visitor.status)
		}
		// Refusals: another partner's client, a read token, no product.
		for _, c := range []struct {
			who  *user
			path string
			body string
			want int
		}{
			{in, path, `{"client":"acct-hooli.example","products":[{"product":"sales-pro","quantity":1}]}`, http.StatusNotFound},
			{in, path, `{"prospect":{"name":"Acme","domain":"acme.example"},"products":[]}`, http.StatusBadRequest},
			{in, path, `{"client":"acct-initech.example","products":[{"product":"sales-pro","quantity":1}],"extra":1}`, http.StatusBadRequest},
			{a.bearer(st.AlphaToken), path, `{"client":"acct-initech.example","products":[{"product":"sales-pro","quantity":1}]}`, http.StatusForbidden},
			{in, "/api/v1/partners/999/confirmation-links", `{"prospect":{"name":"Acme","domain":"acme.example"},"products":[{"product":"sales-pro","quantity":1}]}`, http.StatusNotFound},
		} {
			if c.who.postJSON(c.path, c.body); c.who.status != c.want {
				t.Errorf("POST %s %s: %d, want %d", c.path, c.body, c.who.status, c.want)
			}
		}
		reader := a.bearer(st.AlphaToken)
		var list struct{ Links []struct{ ID int64 } }
		if err := json.Unmarshal([]byte(reader.get(path+"?status=pending")), &list); err != nil || reader.status != http.StatusOK ||
			len(list.Links) != 1 || list.Links[0].ID != created.Link.ID {
			t.Errorf("list: %d %+v %v", reader.status, list, err)
		}
		if reader.get(path + "?status=confirmed"); reader.status != http.StatusOK {
			t.Errorf("confirmed list: %d", reader.status)
		}
		beta := a.bearer(st.BetaToken)
		if beta.get(path); beta.status != http.StatusNotFound {
			t.Errorf("Beta reads Alpha's links: %d", beta.status)
		}
		if in.get(path); in.status != http.StatusForbidden {
			t.Errorf("an ingest token reads: %d", in.status)
		}
	})
}
