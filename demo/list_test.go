package demo_test

import (
	"testing"

	"github.com/partnerdesk/partnerdesk/demo"
	"github.com/partnerdesk/partnerdesk/store/storetest"
)

// The demo writes each relationship's copy of its client's list columns
// and employees itself (no trigger runs during the bulk load): every copy must equal the
// client's row.
func TestRelationshipsCarryTheirClientsListColumns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		db, _ := generate(t, e, demo.Options{Seed: 3, Partners: 5, Clients: 300})
		n := count(t, db, `SELECT COUNT(*) FROM client_partners cp JOIN clients c ON c.id = cp.client_id
			WHERE cp.name <> c.name OR cp.domain <> c.domain OR cp.mrr <> c.mrr
			   OR cp.product_mask <> c.product_mask OR cp.engagement <> c.engagement OR cp.employees <> c.employees`)
		if n != 0 {
			t.Fatalf("%d relationships differ from their client", n)
		}
		if count(t, db, `SELECT COUNT(*) FROM client_partners WHERE name = ''`) != 0 {
			t.Fatal("relationships without the copy")
		}
	})
}
