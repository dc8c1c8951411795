package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// A partner token, made on the tokens page, reads its partner's data and
// creates its confirmation links (and emails them); it writes nothing else
// and reaches no other partner. A read token still cannot create a link.
func TestPartnerTokenCreatesItsPartnersLinksOnly(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		body := admin.post("/admin/tokens", map[string][]string{"name": {"Alpha's CRM"}, "scope": {"partner"}, "partner": {"p-alpha"}})
		secret := between(body, `data-testid="secret">`, "<")
		if admin.status != http.StatusOK || !strings.HasPrefix(secret, "pdk_") {
			t.Fatalf("create: %d, secret %q", admin.status, secret)
		}
		crm := a.bearer(secret)
		link := `{"client":"acct-northwind.example","products":[{"product":"sales-pro","quantity":1}],"email_to":"nadia@northwind.example"}`
		alpha, beta := fmt.Sprintf("/api/v1/partners/%d/confirmation-links", st.AlphaID), fmt.Sprintf("/api/v1/partners/%d/confirmation-links", st.BetaID)
		if body := crm.postJSON(alpha, link); crm.status != http.StatusCreated || !strings.Contains(body, `"emailed_to":"nadia@northwind.example"`) {
			t.Fatalf("create a link: %d %s", crm.status, body)
		}
		if got := outboxTo(t, a, "nadia@northwind.example"); len(got) != 1 {
			t.Errorf("Nadia's emails: %q", got)
		}
		for _, c := range []struct {
			method, path, body string
			want               int
		}{
			{"GET", alpha, "", http.StatusOK},
			{"GET", fmt.Sprintf("/api/v1/partners/%d/clients", st.AlphaID), "", http.StatusOK},
			{"GET", beta, "", http.StatusNotFound},
			{"POST", beta, `{"client":"acct-hooli.example","products":[{"product":"sales-pro","quantity":1}]}`, http.StatusNotFound},
			{"POST", "/api/v1/partners/p-beta/confirmation-links", link, http.StatusNotFound},
			{"POST", "/api/v1/billing-events", `{"records":[]}`, http.StatusForbidden},
			{"POST", "/api/v1/partners", `{"records":[]}`, http.StatusForbidden},
		} {
			if c.method == "GET" {
				crm.get(c.path)
			} else {
				crm.postJSON(c.path, c.body)
			}
			if crm.status != c.want {
				t.Errorf("%s %s: %d, want %d", c.method, c.path, crm.status, c.want)
			}
		}
		reader := a.bearer(st.AlphaToken)
		if reader.postJSON(alpha, link); reader.status != http.StatusForbidden {
			t.Errorf("a read token creates a link: %d", reader.status)
		}
		if page := admin.get("/admin/tokens"); !strings.Contains(page, "<td>partner</td>") {
			t.Error("the tokens page does not show the partner scope")
		}
	})
}
