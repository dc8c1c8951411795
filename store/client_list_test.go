package store_test

import (
	"context"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// The Clients tab reads copies of the clients' columns on the relationship
// rows (migrations 0005, 0006 and 0008); every way data changes must keep them equal
// to the clients table: a renamed client, a billing event that changes
// MRR and products, usage that changes engagement, a new relationship.
func TestClientListFollowsEveryChangeToClients(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		ctx := context.Background()
		ingest := pd.WithPrincipal(ctx, &pd.Principal{UserID: 1, Role: pd.RoleProgramAdmin})
		_, err := db.Ingest(ingest, false, func(in *store.Ingest) error {
			if err := in.Clients([]pd.ClientRecord{{ID: "acct-globex.example", Name: "Globex Renamed", Domain: "globex.example", Employees: 480}}, 0); err != nil {
				return err
			}
			if err := in.Clients([]pd.ClientRecord{{ID: "acct-new", Name: "Brand New Co", Domain: "new.example", Employees: 35}}, 1); err != nil {
				return err
			}
			if err := in.Relationships([]pd.RelationshipRecord{{Client: "acct-new", Partner: "p-alpha", Relationship: pd.RelSold,
				StartedOn: pd.DateOf(st.Now, time.UTC)}}, 2); err != nil {
				return err
			}
			return in.BillingEvents([]pd.BillingEventRecord{
				{ID: "ev-list-1", OccurredAt: st.Now.Add(-time.Hour), Client: "acct-globex.example", Partner: "p-alpha", Product: "marketing-starter", MRR: 5000},
				{ID: "ev-list-2", OccurredAt: st.Now.Add(-time.Hour), Client: "acct-new", Partner: "p-alpha", Product: "sales-pro", MRR: 120000},
			}, 3)
		})
		if err != nil {
			t.Fatal(err)
		}
		alpha := pd.WithPrincipal(ctx, &pd.Principal{UserID: 2, Role: pd.RolePartnerAdmin, PartnerID: st.AlphaID})
		page, err := db.ListClients(alpha, pd.ClientFilter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]pd.Client{}
		var order []string
		for _, c := range page.Clients {
			got[c.Name] = c
			order = append(order, c.Name)
		}
		newCo, globex := got["Brand New Co"], got["Globex Renamed"]
		if order[0] != "Brand New Co" || newCo.MRR != 120000 || newCo.ProductMask == 0 {
			t.Errorf("new client: order %v, %+v", order, newCo)
		}
		if globex.MRR != 35000 || globex.ProductMask&pd.ProductFilterMask("marketing-starter") == 0 {
			t.Errorf("Globex after a purchase: %+v", globex)
		}
		if page.Total != 5 || page.TotalMRR != 89000+40000+35000+1500+120000 {
			t.Errorf("totals %d, %d", page.Total, page.TotalMRR)
		}
		for _, f := range []pd.ClientFilter{{Query: "renamed"}, {Product: "marketing-starter"}} {
			p, err := db.ListClients(alpha, f)
			if err != nil || p.Total != 1 || p.Clients[0].Name != "Globex Renamed" {
				t.Errorf("filter %+v: %+v %v", f, p, err)
			}
		}
		// Every copied column, employees included (the engagement page's
		// size bands read it), equals its client's.
		rows, err := db.QueryRaw(ctx, `SELECT c.account_id, cp.employees, c.employees, cp.name = c.name AND cp.domain = c.domain
			   AND cp.mrr = c.mrr AND cp.product_mask = c.product_mask AND cp.engagement = c.engagement
			FROM client_partners cp JOIN clients c ON c.id = cp.client_id ORDER BY cp.id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		employees := map[string]int{}
		for rows.Next() {
			var account string
			var copied, actual int
			var same bool
			if err := rows.Scan(&account, &copied, &actual, &same); err != nil {
				t.Fatal(err)
			}
			if copied != actual || !same {
				t.Errorf("relationship of %s differs from its client (employees %d, client's %d)", account, copied, actual)
			}
			employees[account] = copied
		}
		if employees["acct-globex.example"] != 480 || employees["acct-new"] != 35 {
			t.Errorf("copied employees %v", employees)
		}
	})
}
