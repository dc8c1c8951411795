package store_test

import (
	"context"
	"strings"
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// Renewals the digest tests add to the fixture's (deadline: 45 days
// before the date).
const (
	northwindUpgrade = 2001 // Alpha's, deadline today
	initechRenewal   = 2002 // Alpha's, deadline in 10 days; Initech is assigned to Emil
	hooliUpgrade     = 2003 // Beta's, deadline in 3 days
	northwindVendor  = 2004 // the vendor's, deadline in 5 days
	globexDecided    = 2005 // Alpha's, confirmed already
	umbrellaLater    = 2006 // Alpha's, deadline in 15 days: outside the window
)

func loadDigestRenewals(t *testing.T, db *store.DB) {
	t.Helper()
	day := func(d int) pd.Date { return pd.DateOf(st.Now, st.Now.Location()).AddDays(d) }
	err := db.Bulk(context.Background(), func(b *store.Bulk) error {
		cols := []string{"id", "client_id", "renewal_date", "contract_type", "comm_owner", "comm_partner_id", "status", "current_mrr", "proposed_mrr"}
		b.Insert("renewals", cols, northwindUpgrade, st.Northwind, day(45), "contact_tier_upgrade", "partner", st.AlphaID, "pending", 89000, 95000)
		b.Insert("renewals", cols, initechRenewal, st.Initech, day(55), "renewal", "partner", st.AlphaID, "pending", 40000, 40000)
		b.Insert("renewals", cols, hooliUpgrade, st.Hooli, day(48), "contact_tier_upgrade", "partner", st.BetaID, "pending", 50000, 52000)
		b.Insert("renewals", cols, northwindVendor, st.Northwind, day(50), "email_overage", "vendor", nil, "pending", 89000, 90000)
		b.Insert("renewals", cols, globexDecided, st.Globex, day(52), "email_overage", "partner", st.AlphaID, "confirmed", 30000, 31000)
		return b.Insert("renewals", cols, umbrellaLater, st.Umbrella, day(60), "email_overage", "partner", st.AlphaID, "pending", 1500, 1600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func digests(t *testing.T, db *store.DB, addr string) []pd.OutboxEmail {
	t.Helper()
	var out []pd.OutboxEmail
	for _, m := range st.Emails(t, db, addr) {
		if m.Kind == pd.EmailDigest && m.ID != st.AlphaDigestEmail {
			out = append(out, m)
		}
	}
	return out
}

// The digest goes, once a day, to each partner admin with the pending
// decisions its partner owns whose deadline comes within the window,
// soonest first, and to each employee with those of its assigned clients;
// never to a user who turned it off, nor when there is nothing to say.
func TestDigestTellsEachUserItsDecisionsOnceADay(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		loadDigestRenewals(t, db)
		ctx, mail := context.Background(), composer(t)
		today := pd.DateOf(st.Now, st.Now.Location())
		queue := func(day pd.Date, want int) {
			t.Helper()
			if n, err := db.QueueDigests(ctx, mail, day); err != nil || n != want {
				t.Fatalf("digests of %s: %d %v, want %d", day, n, err, want)
			}
		}
		queue(today, 3)
		queue(today, 0) // a second run the same day queues nothing more

		alice := digests(t, db, st.AlphaAdmin)
		if len(alice) != 1 {
			t.Fatalf("%d digests to Alice", len(alice))
		}
		m := alice[0]
		base := "https://partners.example.com/partners/1/renewals/"
		links := []string{base + "2001", base + "2", base + "2002"} // deadlines today, in 4 days, in 10 days
		last := -1
		for _, l := range links {
			i := strings.Index(m.Text, l+"\n")
			if i < 0 || i < last || !strings.Contains(m.HTML, `href="`+l+`"`) {
				t.Errorf("Alice's digest lacks %s, or lists it out of order:\n%s", l, m.Text)
			}
			last = i
		}
		for _, id := range []string{"2003", "2004", "2005", "2006", "/1\n"} {
			if strings.Contains(m.Text, "/renewals/"+id) {
				t.Errorf("Alice's digest lists renewal %s", id)
			}
		}
		if m.Subject != "3 renewal decisions due within 14 days for Alpha Agency" || m.ListUnsubscribe != "https://partners.example.com/account" ||
			!strings.Contains(m.Text, "decide by "+today.Format("Jan 2, 2006")+" (today)") || !strings.Contains(m.Text, "Northwind Traders: Contact tier upgrade") {
			t.Errorf("Alice's digest: %q %q\n%s", m.Subject, m.ListUnsubscribe, m.Text)
		}
		emil := digests(t, db, st.AlphaEmployee)
		if len(emil) != 1 || !strings.Contains(emil[0].Text, base+"2002") || strings.Count(emil[0].Text, base) != 1 {
			t.Errorf("Emil's digest (Initech is his): %+v", emil)
		}
		bob := digests(t, db, st.BetaAdmin)
		if len(bob) != 1 || !strings.Contains(bob[0].Text, "/partners/2/renewals/2003") || bob[0].Subject != "1 renewal decision due within 14 days for Beta Works" {
			t.Errorf("Bob's digest: %+v", bob)
		}
		for _, addr := range []string{st.AdminEmail, st.ManagerEmail} {
			if n := len(digests(t, db, addr)); n != 0 {
				t.Errorf("%d digests to vendor staff %s", n, addr)
			}
		}

		// Tomorrow: Emil turned it off; Northwind's deadline has passed.
		if err := db.SetDigestEmails(st.As(st.AlphaEmployee), false); err != nil {
			t.Fatal(err)
		}
		queue(today.AddDays(1), 2)
		if len(digests(t, db, st.AlphaEmployee)) != 1 {
			t.Error("a digest went to a user who turned it off")
		}
		if d := digests(t, db, st.AlphaAdmin); len(d) != 2 || strings.Contains(d[0].Text, base+"2001") {
			t.Errorf("Alice's second digest: %d, %q", len(d), d[0].Text)
		}
		// Hooli's deadline passed: nothing to tell Bob (his digests were
		// today's and tomorrow's).
		queue(today.AddDays(4), 1)
		if n := len(digests(t, db, st.BetaAdmin)); n != 2 {
			t.Errorf("%d digests to Bob, with nothing to say", n)
		}
		// A program that sends none.
		prog, _ := db.Program(ctx)
		prog.DigestDays = 0
		if err := db.UpdateProgram(st.Admin(), prog); err != nil {
			t.Fatal(err)
		}
		queue(today.AddDays(2), 0)
	})
}
