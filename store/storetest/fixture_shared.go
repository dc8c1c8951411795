package storetest

import (
	"context"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// A client that Alpha and Beta share, for the tests of what a partner sees
// and may do of another partner's renewals. LoadShared adds it to Load's
// data; the tests that count Alpha's and Beta's clients and renewals
// never call it.
const (
	// Stark is sold by Alpha and managed by Beta.
	Stark = 301
	// StarkContact is Stark's one contact.
	StarkContact = 3011
	// StarkRenewal: Stark's renewal in 40 days, pending, Alpha's.
	StarkRenewal = 3001
	// StarkOverage: an email overage in 70 days, Alpha's, which Alice
	// Alpha confirmed with AlphaNote.
	StarkOverage = 3002
	// StarkUpgrade: a contact tier upgrade in 90 days, pending, Beta's.
	StarkUpgrade = 3003
	// AlphaNote is Alpha's note on its decision: Beta never sees it.
	AlphaNote = "Alpha only: their CFO wants a discount next year."
)

// LoadShared adds Stark to a database Load filled: Alpha then has one
// decision more to take (AlphaAlerts+1), and Beta one more than its one.
func LoadShared(t testing.TB, db *store.DB) {
	t.Helper()
	day := func(d int) pd.Date { return pd.DateOf(Now, time.UTC).AddDays(d) }
	p, _ := pd.ProductByCode("marketing-pro")
	mask := p.Mask()
	err := db.Bulk(context.Background(), func(b *store.Bulk) error {
		b.Insert("clients", []string{"id", "account_id", "name", "domain", "industry", "country", "employees", "account_url", "mrr", "product_mask", "engagement", "created_at"},
			Stark, "acct-stark.example", "Stark Industries", "stark.example", "Manufacturing", "US", 900, "https://app.vendor.example/accounts/stark.example",
			20000, mask, 0, Now)
		b.Insert("client_contacts", []string{"id", "client_id", "name", "email", "title"}, StarkContact, Stark, "Pepper Potts", "pepper@stark.example", "CEO")
		rel := []string{"client_id", "partner_id", "relationship", "started_on", "name", "domain", "mrr", "product_mask", "engagement", "employees"}
		b.Insert("client_partners", rel, Stark, AlphaID, "sold", day(-300), "Stark Industries", "stark.example", 20000, mask, 0, 900)
		b.Insert("client_partners", rel, Stark, BetaID, "managed", day(-200), "Stark Industries", "stark.example", 20000, mask, 0, 900)
		b.Insert("subscription_lines", []string{"id", "external_id", "client_id", "product_code", "contacts", "mrr", "billing_period", "commitment_months", "renewal_date"},
			3021, "line-stark.example-marketing-pro", Stark, "marketing-pro", 2000, 20000, "annual", 12, day(40))
		ren := []string{"id", "client_id", "renewal_date", "contract_type", "comm_owner", "comm_partner_id", "status", "primary_contact_id",
			"renewal_manager_id", "current_mrr", "proposed_mrr", "proposed_contacts"}
		b.Insert("renewals", ren, StarkRenewal, Stark, day(40), "renewal", "partner", AlphaID, "pending", StarkContact, 3, 20000, 21000, 0)
		b.Insert("renewals", ren, StarkOverage, Stark, day(70), "email_overage", "partner", AlphaID, "confirmed", StarkContact, 3, 20000, 25000, 0)
		b.Insert("renewals", ren, StarkUpgrade, Stark, day(90), "contact_tier_upgrade", "partner", BetaID, "pending", StarkContact, 3, 20000, 26000, 5000)
		b.Insert("renewal_decisions", []string{"renewal_id", "decision", "note", "user_id", "decided_at"},
			StarkOverage, "confirmed", AlphaNote, 2, Now.AddDate(0, 0, -1))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// SharedPathIDs maps the path values of routes to Stark's entities, as
// AlphaPathIDs does to Alpha's: renewal is the one Alpha decided with a
// note.
func SharedPathIDs() map[string]int64 {
	return map[string]int64{"client": Stark, "renewal": StarkOverage}
}
