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
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// outboxTo returns the subjects of the outbox's messages to addr, as a
// program admin lists them.
func outboxTo(t *testing.T, a *app, addr string) []string {
	t.Helper()
	ms, _, err := a.db.ListOutbox(st.Admin(), 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		if m.To == addr {
			out = append(out, m.Subject)
		}
	}
	return out
}

// The form offers the contacts of the partner's own clients; a link
// emailed to one says so when created and in the list, and its email
// waits in the outbox. A contact of another partner's client is refused,
// and nothing is created or queued.
func TestPartnerEmailsALinkToAClientsContact(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		alice := a.signIn(st.AlphaAdmin)
		page := alice.get(linksURL(st.AlphaID))
		if !strings.Contains(page, "Nadia Ng (nadia@northwind.example)") || strings.Contains(page, "hooli.example") {
			t.Errorf("the form's contacts:\n%s", page)
		}
		form := northwindLink()
		form.Set("contact", fmt.Sprint(st.NorthwindCFO))
		createLink(t, alice, form)
		if got := testid(alice.get(linksURL(st.AlphaID)), "emailed"); !strings.Contains(got, "Emailed to Nadia Ng (nadia@northwind.example)") {
			t.Errorf("the list does not say to whom the link was emailed: %q", got)
		}
		if got := outboxTo(t, a, "nadia@northwind.example"); len(got) != 1 || got[0] != "Alpha Agency asks you to confirm your purchase" {
			t.Errorf("Nadia's emails: %q", got)
		}
		prospect := url.Values{"prospect_name": {"Acme"}, "prospect_domain": {"acme.example"}, "qty_sales-pro": {"1"},
			"email_to": {"buyer@acme.example"}}
		if body := alice.post(linksURL(st.AlphaID), prospect); alice.status != http.StatusCreated ||
			!strings.Contains(testid(body, "link-emailed"), "buyer@acme.example") {
			t.Errorf("a prospect's link: %d\n%s", alice.status, body)
		}

		before, _ := a.db.ConfirmationLinks(st.As(st.AlphaAdmin), storeAll)
		for name, f := range map[string]url.Values{
			"Hooli's contact":  {"contact": {fmt.Sprint(st.Hooli)}},
			"Hooli's address":  {"email_to": {"it@hooli.example"}},
			"not an address":   {"email_to": {"nadia"}},
			"a malformed id":   {"contact": {"nadia"}},
			"contact and text": {"contact": {fmt.Sprint(st.NorthwindCFO)}, "email_to": {"omar@northwind.example"}},
		} {
			form := northwindLink()
			for k, v := range f {
				form[k] = v
			}
			if body := alice.post(linksURL(st.AlphaID), form); alice.status != http.StatusBadRequest || !strings.Contains(body, `class="error"`) {
				t.Errorf("%s: %d", name, alice.status)
			}
		}
		after, _ := a.db.ConfirmationLinks(st.As(st.AlphaAdmin), storeAll)
		if len(after) != len(before) || len(outboxTo(t, a, "it@hooli.example")) != 0 {
			t.Errorf("refused forms created %d links, or emailed Hooli", len(after)-len(before))
		}
		audit := alice.get(fmt.Sprintf("/partners/%d/audit", st.AlphaID))
		if !strings.Contains(audit, "confirmation_link_emailed") {
			t.Error("the audit log lacks the email")
		}
	})
}

// The API emails a link to a client's contact named by address, and says
// to whom; an address that is not one of the client's contacts is refused.
func TestConfirmationLinksAPIEmailsTheLink(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		in := a.bearer(st.IngestToken)
		path := fmt.Sprintf("/api/v1/partners/%d/confirmation-links", st.AlphaID)
		body := in.postJSON(path, `{"client":"acct-northwind.example","products":[{"product":"sales-pro","quantity":1}],"email_to":"omar@northwind.example"}`)
		var created struct {
			Link struct {
				EmailedTo string `json:"emailed_to"`
			}
		}
		if err := json.Unmarshal([]byte(body), &created); err != nil || in.status != http.StatusCreated || created.Link.EmailedTo != "omar@northwind.example" {
			t.Fatalf("create: %d %s", in.status, body)
		}
		if got := outboxTo(t, a, "omar@northwind.example"); len(got) != 1 {
			t.Errorf("Omar's emails: %q", got)
		}
		if in.postJSON(path, `{"client":"acct-northwind.example","products":[{"product":"sales-pro","quantity":1}],"email_to":"it@hooli.example"}`); in.status != http.StatusBadRequest {
			t.Errorf("another partner's client's contact: %d", in.status)
		}
		var list struct {
			Links []struct {
				EmailedTo string `json:"emailed_to"`
			}
		}
		reader := a.bearer(st.AlphaToken)
		if err := json.Unmarshal([]byte(reader.get(path)), &list); err != nil || len(list.Links) == 0 || list.Links[0].EmailedTo != "omar@northwind.example" {
			t.Errorf("list: %+v %v", list, err)
		}
	})
}

// End to end: the link's email reaches a real SMTP server through the
// outbox's worker, from the partner's form; its link, on the server's base
// URL, opens the public page, where the client confirms.
func TestEmailedLinkArrivesAndOpensTheConfirmPage(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		a, mailbox := mailingApp(t, db)
		base := a.ts.URL

		form := northwindLink()
		form.Set("contact", fmt.Sprint(st.NorthwindCFO))
		createLink(t, a.signIn(st.AlphaAdmin), form)
		got := mailbox.WaitFor(1, 10*time.Second)
		if len(got) != 1 || got[0].To[0] != "nadia@northwind.example" {
			t.Fatalf("mailbox: %+v", got)
		}
		for _, want := range []string{"Alpha Agency", "2 × Sales Professional", "1 × Service Starter", "Onboarding: three workshops"} {
			if !strings.Contains(got[0].Text, want) || !strings.Contains(got[0].HTML, want) {
				t.Errorf("the email lacks %q:\n%s", want, got[0].Text)
			}
		}
		link := regexp.MustCompile(regexp.QuoteMeta(base) + `(/confirm/[A-Za-z0-9_-]+)`).FindStringSubmatch(got[0].Text)
		if link == nil {
			t.Fatalf("no confirmation link in the email:\n%s", got[0].Text)
		}
		client := a.anon()
		if page := client.get(link[1]); client.status != http.StatusOK || !strings.Contains(page, "Alpha Agency") {
			t.Fatalf("the emailed link: %d\n%s", client.status, page)
		}
		if body := client.post(link[1], url.Values{"answer": {"confirm"}}); client.status != http.StatusOK ||
			!strings.Contains(body, "confirmation has been recorded") {
			t.Errorf("confirm: %d", client.status)
		}
		ls, _ := db.ConfirmationLinks(st.As(st.AlphaAdmin), storeConfirmed)
		if len(ls) != 1 || ls[0].EmailedTo != "nadia@northwind.example" {
			t.Errorf("confirmed links: %+v", ls)
		}
	})
}

var (
	storeAll       = store.ConfirmationLinkFilter{}
	storeConfirmed = store.ConfirmationLinkFilter{Status: pd.LinkConfirmed}
)
