package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// linkEmails returns the outbox's confirmation link emails, newest first,
// and how many messages the outbox holds.
func linkEmails(t *testing.T, db *store.DB) ([]pd.OutboxEmail, int) {
	t.Helper()
	ms, total, err := db.ListOutbox(st.Admin(), 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	var out []pd.OutboxEmail
	for _, m := range ms {
		if m.Kind == pd.EmailLink {
			out = append(out, m)
		}
	}
	return out, total
}

func salesPro() []pd.LinkProduct { return []pd.LinkProduct{{Code: "sales-pro", Quantity: 2}} }

// A link emailed to a client's contact queues its email, with the token's
// address, in the transaction that creates it; the link records to whom,
// and the audit log that it was emailed.
func TestConfirmationLinkEmailIsQueuedWithTheLink(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		admin, mail := as(alphaAdmin, 0), composer(t)
		l, tok, err := db.CreateConfirmationLink(admin, mail, pd.NewConfirmationLink{ClientID: st.Northwind, ContactID: st.NorthwindCFO,
			Products: salesPro(), Services: "Onboarding: three workshops"})
		if err != nil {
			t.Fatal(err)
		}
		if l.EmailedTo != "nadia@northwind.example" || l.EmailedName != "Nadia Ng" {
			t.Errorf("the link says emailed to %q (%q)", l.EmailedTo, l.EmailedName)
		}
		ms, _ := linkEmails(t, db)
		if len(ms) != 1 {
			t.Fatalf("%d link emails queued, want 1", len(ms))
		}
		m := ms[0]
		if m.To != "nadia@northwind.example" || m.ToName != "Nadia Ng" || m.Status != pd.OutboxQueued || !strings.Contains(m.Subject, "Alpha Agency") {
			t.Errorf("the email: to %q (%q), %s, %q", m.To, m.ToName, m.Status, m.Subject)
		}
		for _, want := range []string{"https://partners.example.com/confirm/" + tok, "2 × Sales Professional", "Onboarding: three workshops", "Alpha Agency"} {
			if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
				t.Errorf("the email lacks %q:\n%s", want, m.Text)
			}
		}
		// Nothing of the partner's own data: not the expected MRR, not
		// the user who made it.
		if strings.Contains(m.Text, "Alice") || strings.Contains(m.Text, "Northwind Traders") {
			t.Errorf("the email tells the partner's data:\n%s", m.Text)
		}
		if got, _ := db.ConfirmationLink(admin, l.ID); got.EmailedTo != "nadia@northwind.example" {
			t.Errorf("the listed link: emailed to %q", got.EmailedTo)
		}
		entries, _, err := db.AuditLog(admin, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) < 2 || entries[0].Action != "confirmation_link_emailed" || entries[0].Detail != "nadia@northwind.example" ||
			entries[1].Action != "confirmation_link_created" {
			t.Errorf("audit: %+v", entries[:min(2, len(entries))])
		}

		// A client's contact named by address, in any case; a prospect at
		// the address typed in.
		l, _, err = db.CreateConfirmationLink(admin, mail, pd.NewConfirmationLink{ClientID: st.Northwind, EmailTo: " Omar@Northwind.example ",
			Products: salesPro()})
		if err != nil || l.EmailedTo != "omar@northwind.example" || l.EmailedName != "Omar Ortiz" {
			t.Errorf("by address: %+v, %v", l, err)
		}
		l, _, err = db.CreateConfirmationLink(admin, mail, pd.NewConfirmationLink{ProspectName: "Acme", ProspectDomain: "acme.example",
			EmailTo: "buyer@acme.example", Products: salesPro()})
		if err != nil || l.EmailedTo != "buyer@acme.example" || l.EmailedName != "" {
			t.Errorf("a prospect: %+v, %v", l, err)
		}
		// Without a recipient nothing is queued, and no mailer is needed.
		if _, _, err := db.CreateConfirmationLink(admin, nil, pd.NewConfirmationLink{ClientID: st.Globex, Products: salesPro()}); err != nil {
			t.Fatal(err)
		}
		if ms, _ := linkEmails(t, db); len(ms) != 3 || ms[0].To != "buyer@acme.example" {
			t.Errorf("%d link emails, want 3", len(ms))
		}
	})
}

// A link whose email cannot be queued is not created, and a link refused
// queues no email: they commit together.
func TestConfirmationLinkAndItsEmailCommitTogether(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		admin := as(alphaAdmin, 0)
		before, err := db.ConfirmationLinks(admin, store.ConfirmationLinkFilter{})
		if err != nil {
			t.Fatal(err)
		}
		_, outbox := linkEmails(t, db)
		if _, _, err := db.CreateConfirmationLink(admin, failingMailer{}, pd.NewConfirmationLink{ClientID: st.Northwind,
			ContactID: st.NorthwindCFO, Products: salesPro()}); err == nil {
			t.Error("created without its email")
		}
		if _, _, err := db.CreateConfirmationLink(admin, composer(t), pd.NewConfirmationLink{ClientID: st.Northwind,
			ContactID: st.NorthwindCFO}); pd.ErrorCode(err) != pd.EInvalid {
			t.Errorf("a link without products: %v", err)
		}
		after, _ := db.ConfirmationLinks(admin, store.ConfirmationLinkFilter{})
		if _, n := linkEmails(t, db); len(after) != len(before) || n != outbox {
			t.Errorf("links %d → %d, outbox %d → %d", len(before), len(after), outbox, n)
		}
	})
}

// A partner emails a link only to a contact of the link's client: not to
// one of another partner's client, nor of a client it shares with another
// partner when the link is for another client; a prospect has no contacts.
func TestConfirmationLinkEmailsOnlyTheClientsContacts(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		st.LoadShared(t, db)
		alpha, beta, mail := as(alphaAdmin, 0), as(betaAdmin, 0), composer(t)
		for _, c := range []struct {
			name string
			ctx  context.Context
			nl   pd.NewConfirmationLink
			want string
		}{
			{"Alpha, Northwind, Hooli's contact", alpha, pd.NewConfirmationLink{ClientID: st.Northwind, ContactID: st.Hooli}, pd.EInvalid},
			{"Alpha, Northwind, Hooli's contact's address", alpha, pd.NewConfirmationLink{ClientID: st.Northwind, EmailTo: "it@hooli.example"}, pd.EInvalid},
			{"Alpha, Northwind, Stark's contact", alpha, pd.NewConfirmationLink{ClientID: st.Northwind, ContactID: st.StarkContact}, pd.EInvalid},
			{"Alpha, a prospect, a contact id", alpha, pd.NewConfirmationLink{ProspectName: "Acme", ProspectDomain: "acme.example", ContactID: st.NorthwindCFO}, pd.EInvalid},
			{"Alpha, a prospect, not an address", alpha, pd.NewConfirmationLink{ProspectName: "Acme", ProspectDomain: "acme.example", EmailTo: "Acme <a@acme.example>"}, pd.EInvalid},
			{"Alpha, both a contact and an address", alpha, pd.NewConfirmationLink{ClientID: st.Northwind, ContactID: st.NorthwindCFO, EmailTo: "omar@northwind.example"}, pd.EInvalid},
			{"Beta, Northwind, its contact", beta, pd.NewConfirmationLink{ClientID: st.Northwind, ContactID: st.NorthwindCFO}, pd.ENotFound},
			{"Alpha, Stark (shared), its contact", alpha, pd.NewConfirmationLink{ClientID: st.Stark, ContactID: st.StarkContact}, ""},
			{"Beta, Stark (shared), its contact", beta, pd.NewConfirmationLink{ClientID: st.Stark, ContactID: st.StarkContact}, ""},
		} {
			c.nl.Products = salesPro()
			if _, _, err := db.CreateConfirmationLink(c.ctx, mail, c.nl); pd.ErrorCode(err) != c.want {
				t.Errorf("%s: %v, want %q", c.name, err, c.want)
			}
		}
		ms, _ := linkEmails(t, db)
		if len(ms) != 2 || ms[0].To != "pepper@stark.example" || ms[1].To != "pepper@stark.example" {
			t.Errorf("queued: %+v", ms)
		}
	})
}
