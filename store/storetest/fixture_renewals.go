package storetest

import (
	"context"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// Fixture data for the Renewals and engagement pages and the Team tab,
// added to Load's without changing any of its entities (Alpha still has
// AlphaAlerts decisions due).
const (
	// Northwind's other contacts, besides "Contact of Northwind Traders".
	NorthwindCFO, NorthwindOps = 1101, 1102
	// InitechOverage: a vendor-owned email overage of Initech, pending,
	// not auto-renewing, in 80 days.
	InitechOverage = 1001
	// NorthwindOverage: a partner-owned email overage of Northwind in 110
	// days, already confirmed by Alice Alpha (its history has the entry).
	NorthwindOverage = 1002
	// NorthwindRenewal is the fixture's first renewal: Northwind's renewal
	// in 23 days, partner-owned and pending, deadline passed (auto-renews).
	NorthwindRenewal = 1
	// GlobexUpgrade: Globex's contact tier upgrade in 49 days, partner-owned.
	GlobexUpgrade = 2
	// Petra is a partner consultant with a photo, assigned to no partner.
	Petra = 4
)

func loadRenewals(t testing.TB, db *store.DB) {
	t.Helper()
	day := func(d int) pd.Date { return pd.DateOf(Now, time.UTC).AddDays(d) }
	err := db.Bulk(context.Background(), func(b *store.Bulk) error {
		b.Insert("staff", []string{"id", "external_id", "name", "email", "role", "description", "photo_url"},
			Petra, "st-petra", "Petra Pereira", "petra@vendor.test", "partner_consultant",
			"Runs onboarding workshops and reviews your client portals.", "https://photos.example/petra.jpg")
		contacts := []string{"id", "client_id", "name", "email", "title"}
		b.Insert("client_contacts", contacts, NorthwindCFO, Northwind, "Nadia Ng", "nadia@northwind.example", "CFO")
		b.Insert("client_contacts", contacts, NorthwindOps, Northwind, "Omar Ortiz", "omar@northwind.example", "Head of Operations")
		ren := []string{"id", "client_id", "renewal_date", "contract_type", "comm_owner", "comm_partner_id", "status", "primary_contact_id",
			"renewal_manager_id", "current_mrr", "proposed_mrr", "proposed_contacts", "auto_renew"}
		b.Insert("renewals", ren, InitechOverage, Initech, day(80), "email_overage", "vendor", nil, "pending", Initech, 3, 40000, 45000, 0, false)
		b.Insert("renewals", ren, NorthwindOverage, Northwind, day(110), "email_overage", "partner", AlphaID, "confirmed", NorthwindCFO, 3, 89000, 99000, 0, true)
		b.Insert("renewal_decisions", []string{"renewal_id", "decision", "note", "user_id", "decided_at"},
			NorthwindOverage, "confirmed", "Agreed with their CFO.", 2, Now.AddDate(0, 0, -2))

		// Eleven months of usage before the latest snapshot: each active
		// Alpha client used one tool fewer every two months back. Months
		// are counted from the first of Now's month: AddDate on a 31st
		// (or a 29th of February) would land two months on one.
		thisMonth := time.Date(Now.Year(), Now.Month(), 1, 0, 0, 0, 0, time.UTC)
		for _, c := range clients {
			if c.partner != AlphaID || c.ended {
				continue
			}
			for k := 1; k <= 11; k++ {
				n := max(0, len(c.tools)-(k+1)/2)
				var tools int64
				for _, code := range c.tools[:n] {
					for _, tl := range pd.Tools {
						if tl.Code == code {
							tools |= tl.Mask()
						}
					}
				}
				m := thisMonth.AddDate(0, -k, 0)
				b.Insert("usage_snapshots", []string{"client_id", "day", "tools", "active_users", "seats"},
					c.id, pd.NewDate(m.Year(), m.Month(), 15), tools, 5, 10)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
