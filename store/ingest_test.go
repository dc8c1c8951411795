package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

func adminCtx() context.Context {
	return pd.WithPrincipal(context.Background(), &pd.Principal{UserID: 1, Name: "Ada Admin", Role: pd.RoleProgramAdmin})
}

func events(t *testing.T, db *store.DB, evs ...pd.BillingEventRecord) (pd.IngestResult, error) {
	t.Helper()
	return db.Ingest(adminCtx(), false, func(in *store.Ingest) error { return in.BillingEvents(evs, 0) })
}

// at is a time in the month before the fixture's today: after the
// fixture's billing events (three months before today), before today.
func at(day, hour int) time.Time {
	y, m, _ := st.Now.Date()
	return time.Date(y, m-1, day, hour, 0, 0, 0, time.UTC)
}

// scalar runs a one-value query.
func scalar[T any](t *testing.T, db *store.DB, q string, args ...any) T {
	t.Helper()
	rows, err := db.QueryRaw(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var v T
	if !rows.Next() {
		t.Fatalf("%s: no row", q)
	}
	if err := rows.Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

const northwind = "acct-northwind.example"

func TestBillingEventsKeepLinesAndClientsInStep(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		// Northwind: marketing-pro 87,000 + sales-starter 2,000. A new
		// product arrives, then rises; a late, older event changes nothing.
		res, err := events(t, db,
			pd.BillingEventRecord{ID: "e1", OccurredAt: at(1, 9), Client: northwind, Partner: "p-alpha", Product: "service-pro", MRR: 10000},
			pd.BillingEventRecord{ID: "e2", OccurredAt: at(5, 9), Client: northwind, Partner: "p-alpha", Product: "service-pro", MRR: 15000})
		if err != nil || res.Created != 2 {
			t.Fatalf("ingest: %+v %v", res, err)
		}
		if _, err := events(t, db, pd.BillingEventRecord{ID: "e0", OccurredAt: at(3, 9), Client: northwind, Partner: "p-alpha", Product: "service-pro", MRR: 99}); err != nil {
			t.Fatal(err)
		}
		if got := scalar[int64](t, db, "SELECT mrr FROM subscription_lines WHERE client_id = ? AND product_code = 'service-pro'", st.Northwind); got != 15000 {
			t.Errorf("line mrr %d, want the latest event's 15000", got)
		}
		if got := scalar[int64](t, db, "SELECT mrr FROM clients WHERE id = ?", st.Northwind); got != 89000+15000 {
			t.Errorf("client mrr %d, want 104000", got)
		}
		svc, _ := pd.ProductByCode("service-pro")
		if got := scalar[int64](t, db, "SELECT product_mask FROM clients WHERE id = ?", st.Northwind); got&svc.Mask() == 0 {
			t.Errorf("product mask %b lacks service-pro", got)
		}
		// Cancelling sales-starter takes it out of the products and the MRR.
		if _, err := events(t, db, pd.BillingEventRecord{ID: "e3", OccurredAt: at(6, 9), Client: northwind, Partner: "p-alpha", Product: "sales-starter", MRR: 0}); err != nil {
			t.Fatal(err)
		}
		if got := scalar[string](t, db, "SELECT status FROM subscription_lines WHERE client_id = ? AND product_code = 'sales-starter'", st.Northwind); got != "cancelled" {
			t.Errorf("line status %q, want cancelled", got)
		}
		if got := scalar[int64](t, db, "SELECT mrr FROM clients WHERE id = ?", st.Northwind); got != 87000+15000 {
			t.Errorf("client mrr %d, want 102000", got)
		}
		// Engagement follows the products: the index is recomputed.
		want := pd.EngagementIndex(scalar[int64](t, db, "SELECT product_mask FROM clients WHERE id = ?", st.Northwind),
			scalar[int64](t, db, "SELECT tools FROM usage_snapshots WHERE client_id = ? ORDER BY day DESC LIMIT 1", st.Northwind)).Index
		if got := scalar[int64](t, db, "SELECT engagement FROM clients WHERE id = ?", st.Northwind); got != int64(want) {
			t.Errorf("engagement %d, want %d", got, want)
		}
	})
}

func TestBatchIsAllOrNothingWithEveryProblem(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		good := pd.BillingEventRecord{ID: "ok", OccurredAt: at(1, 9), Client: northwind, Product: "service-pro", MRR: 100}
		if _, err := events(t, db, good); err != nil {
			t.Fatal(err)
		}
		before := scalar[int64](t, db, "SELECT COUNT(*) FROM billing_events")
		changed := good
		changed.MRR = 200
		_, err := events(t, db,
			pd.BillingEventRecord{ID: "new", OccurredAt: at(2, 9), Client: northwind, Product: "service-pro", MRR: 1},
			pd.BillingEventRecord{ID: "x", OccurredAt: at(2, 9), Client: "acct-nobody", Product: "service-pro", MRR: 1},
			pd.BillingEventRecord{ID: "y", OccurredAt: at(2, 9), Client: northwind, Product: "nope", MRR: -1},
			good,    // a repeat: fine
			changed, // conflict with the stored one
			pd.BillingEventRecord{ID: "new", OccurredAt: at(2, 9), Client: northwind, Product: "service-pro", MRR: 2}, // conflict within the batch
			pd.BillingEventRecord{ID: "z", OccurredAt: at(2, 9), Client: northwind, Partner: "p-nobody", Product: "service-pro"})
		be := pd.AsBatchError(err)
		if be == nil {
			t.Fatalf("error %v, want a batch error", err)
		}
		var got []string
		for _, p := range be.Problems {
			got = append(got, fmt.Sprintf("%d %s %s", p.Index, p.Field, p.Code))
		}
		want := "1 client not_found|2 product invalid|2 mrr invalid|4 id conflict|5 id conflict|6 partner not_found"
		if strings.Join(got, "|") != want {
			t.Errorf("problems\n%s\nwant\n%s", strings.Join(got, "|"), want)
		}
		if pd.ErrorCode(err) != pd.EUnprocessable {
			t.Errorf("code %q", pd.ErrorCode(err))
		}
		if n := scalar[int64](t, db, "SELECT COUNT(*) FROM billing_events"); n != before {
			t.Errorf("%d events after a rejected batch, want %d", n, before)
		}
		// The same batch as a repeat is a no-op.
		res, err := events(t, db, good)
		if err != nil || res.Unchanged != 1 || res.Created != 0 {
			t.Errorf("repeat: %+v %v", res, err)
		}
	})
}

// Whatever order events arrive in, lines and clients end the same.
func TestArrivalOrderDoesNotMatter(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		r := rand.New(rand.NewPCG(7, 7))
		var evs []pd.BillingEventRecord
		clients := []string{northwind, "acct-globex.example", "acct-hooli.example"}
		for i := range 60 {
			evs = append(evs, pd.BillingEventRecord{ID: fmt.Sprintf("ev-%03d", i), OccurredAt: at(1+r.IntN(3), 9), // many ties on time
				Client: clients[r.IntN(3)], Partner: "p-beta", Product: []string{"service-pro", "content-starter"}[r.IntN(2)], MRR: int64(r.IntN(4) * 1000)})
		}
		state := func(order []pd.BillingEventRecord, batch int) string {
			db := e.Open(t, st.Clock)
			st.Load(t, db)
			for i := 0; i < len(order); i += batch {
				if _, err := events(t, db, order[i:min(i+batch, len(order))]...); err != nil {
					t.Fatal(err)
				}
			}
			rows, err := db.QueryRaw(context.Background(), `SELECT c.id, c.mrr, c.product_mask, c.engagement, l.product_code, l.mrr, l.status
				FROM clients c JOIN subscription_lines l ON l.client_id = c.id ORDER BY c.id, l.product_code`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var b strings.Builder
			for rows.Next() {
				var id, mrr, mask, eng, lmrr int64
				var code, status string
				rows.Scan(&id, &mrr, &mask, &eng, &code, &lmrr, &status)
				fmt.Fprintln(&b, id, mrr, mask, eng, code, lmrr, status)
			}
			return b.String()
		}
		first := state(evs, 60)
		shuffled := append([]pd.BillingEventRecord(nil), evs...)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if again := state(shuffled, 7); again != first {
			t.Fatalf("arrival order changed the result:\n%s\nvs\n%s", first, again)
		}
	})
}

func TestUsageKeepsEngagementAndDaysAreFinal(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		ingest := func(recs ...pd.UsageRecord) (pd.IngestResult, error) {
			return db.Ingest(adminCtx(), false, func(in *store.Ingest) error { return in.Usage(recs, 0) })
		}
		// Globex (service-pro) used contacts and tickets; now everything.
		all := []string{"contacts", "deals", "tasks", "email-tracking", "meetings", "tickets", "live-chat", "knowledge-base", "surveys"}
		day := pd.DateOf(st.Now, time.UTC)
		if _, err := ingest(pd.UsageRecord{Client: "acct-globex.example", Day: day, Tools: all, ActiveUsers: 3, Seats: 4}); err != nil {
			t.Fatal(err)
		}
		if got := scalar[int64](t, db, "SELECT engagement FROM clients WHERE id = ?", st.Globex); got != 10 {
			t.Errorf("engagement %d, want 10", got)
		}
		// An older day does not change the latest; a repeat is a no-op; a
		// different snapshot of a stored day is a conflict.
		if _, err := ingest(pd.UsageRecord{Client: "acct-globex.example", Day: day.AddDays(-5), Tools: []string{"contacts"}}); err != nil {
			t.Fatal(err)
		}
		if got := scalar[int64](t, db, "SELECT engagement FROM clients WHERE id = ?", st.Globex); got != 10 {
			t.Errorf("an older day changed engagement to %d", got)
		}
		res, err := ingest(pd.UsageRecord{Client: "acct-globex.example", Day: day, Tools: all, ActiveUsers: 3, Seats: 4})
		if err != nil || res.Unchanged != 1 {
			t.Errorf("repeat: %+v %v", res, err)
		}
		_, err = ingest(pd.UsageRecord{Client: "acct-globex.example", Day: day, Tools: all, ActiveUsers: 9, Seats: 4})
		if be := pd.AsBatchError(err); be == nil || be.Problems[0].Code != pd.EConflict {
			t.Errorf("changed day: %v, want a conflict", err)
		}
	})
}

func TestSubscriptionLinesAreVersioned(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		ingest := func(recs ...pd.SubscriptionLineRecord) (pd.IngestResult, error) {
			return db.Ingest(adminCtx(), false, func(in *store.Ingest) error { return in.SubscriptionLines(recs, 0) })
		}
		v1 := pd.SubscriptionLineRecord{ID: "sub-1", Client: "acct-globex.example", Product: "service-pro", Quantity: 5,
			Contacts: 2000, BillingPeriod: "annual", CommitmentMonths: 12, UpdatedAt: at(1, 9)}
		// Globex's fixture line for service-pro is adopted by its new id.
		if res, err := ingest(v1); err != nil || res.Updated != 1 {
			t.Fatalf("v1: %+v %v", res, err)
		}
		v2 := v1
		v2.Quantity, v2.UpdatedAt = 8, at(2, 9)
		old := v1
		old.Quantity, old.UpdatedAt = 1, at(1, 8)
		res, err := ingest(v2, old)
		if err != nil || res.Updated != 1 || res.Stale != 1 {
			t.Fatalf("v2 then old in one batch: %+v %v", res, err)
		}
		if res, err := ingest(old); err != nil || res.Stale != 1 {
			t.Fatalf("old: %+v %v", res, err)
		}
		if q := scalar[int64](t, db, "SELECT quantity FROM subscription_lines WHERE external_id = 'sub-1'"); q != 8 {
			t.Errorf("quantity %d, want 8", q)
		}
		// MRR still comes from events, and 2000 contacts give 20000 emails.
		if got := scalar[int64](t, db, "SELECT mrr FROM subscription_lines WHERE external_id = 'sub-1'"); got != 30000 {
			t.Errorf("line mrr %d, want 30000", got)
		}
		same := v2
		same.Quantity = 9
		if _, err := ingest(same); pd.AsBatchError(err) == nil {
			t.Errorf("same version, other content: %v, want a conflict", err)
		}
		// An id used by another client's line is a conflict.
		other := v2
		other.Client, other.Product = "acct-hooli.example", "marketing-enterprise"
		if _, err := ingest(other); pd.AsBatchError(err) == nil || pd.AsBatchError(err).Problems[0].Field != "id" {
			t.Errorf("reused id: %v", err)
		}
	})
}

func TestUpsertsByExternalID(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		ctx := adminCtx()
		today := pd.DateOf(st.Now, time.UTC)
		res, err := db.Ingest(ctx, false, func(in *store.Ingest) error {
			if err := in.Staff([]pd.StaffRecord{{ID: "st-new", Name: "Nia New", Email: "nia@vendor.test", Role: pd.RolePartnerManager}}, 0); err != nil {
				return err
			}
			if err := in.Partners([]pd.PartnerRecord{{ID: "p-gamma", Name: "Gamma", PartnerManager: "st-new"},
				{ID: "p-alpha", Name: "Alpha Agency (renamed)", Country: "FR", CRMLinkTemplate: "https://crm.example/companies?domain={domain}", PartnerManager: "st-maya", PartnerConsultant: "st-colin"}}, 1); err != nil {
				return err
			}
			if err := in.Clients([]pd.ClientRecord{{ID: "acct-new", Name: "New Co", StripeCustomerID: "cus_1"}}, 3); err != nil {
				return err
			}
			if err := in.Certifications([]pd.CertificationRecord{{ID: "c1", Partner: "p-gamma", Name: "Inbound", Holder: "Gail", EarnedOn: today.AddDays(-300), ExpiresOn: today.AddDays(65)}}, 4); err != nil {
				return err
			}
			if err := in.Relationships([]pd.RelationshipRecord{{Client: "acct-new", Partner: "p-gamma", Relationship: pd.RelSold, StartedOn: today.AddDays(-300)},
				{Client: northwind, Partner: "p-alpha", Relationship: pd.RelSoldManaged, StartedOn: today.AddDays(-400), EndedOn: today.AddDays(-7)}}, 5); err != nil {
				return err
			}
			return in.Renewals([]pd.RenewalRecord{{Client: "acct-new", RenewalDate: today.AddDays(66), ContractType: pd.ContractRenewal, RenewalManager: "st-rita", CurrentMRR: 100, ProposedMRR: 120}}, 7)
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 6 || res.Updated != 2 {
			t.Errorf("result %+v, want 6 created and 2 updated (Alpha, Northwind's relationship)", res)
		}
		if n := scalar[string](t, db, "SELECT tier_code FROM partners WHERE external_id = 'p-alpha'"); n != "gold" {
			t.Errorf("tier %q: a left-out tier must be kept", n)
		}
		if n := scalar[int64](t, db, "SELECT COUNT(*) FROM audit_log WHERE action = 'end_services' AND partner_id = ?", st.AlphaID); n != 1 {
			t.Errorf("%d end_services audit entries, want 1", n)
		}
		// A second open relationship of the same pair is a conflict; a
		// Stripe customer id belongs to one client.
		_, err = db.Ingest(ctx, false, func(in *store.Ingest) error {
			in.Relationships([]pd.RelationshipRecord{{Client: "acct-new", Partner: "p-gamma", Relationship: pd.RelManaged, StartedOn: today.AddDays(-270)}}, 0)
			return in.Clients([]pd.ClientRecord{{ID: "acct-other", Name: "Other", StripeCustomerID: "cus_1"}}, 1)
		})
		be := pd.AsBatchError(err)
		if be == nil || len(be.Problems) != 2 || be.Problems[0].Field != "started_on" || be.Problems[1].Field != "stripe_customer_id" {
			t.Fatalf("want two conflicts, got %v", err)
		}
		// A dry run checks and writes nothing.
		res, err = db.Ingest(ctx, true, func(in *store.Ingest) error {
			return in.Clients([]pd.ClientRecord{{ID: "acct-dry", Name: "Dry"}}, 0)
		})
		if err != nil || res.Created != 1 || scalar[int64](t, db, "SELECT COUNT(*) FROM clients WHERE account_id = 'acct-dry'") != 0 {
			t.Errorf("dry run: %+v %v", res, err)
		}
	})
}

func TestOnlyIngestTokensAndProgramAdminsIngest(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		noop := func(in *store.Ingest) error { return nil }
		for _, p := range []*pd.Principal{
			{UserID: 4, Role: pd.RolePartnerAdmin, PartnerID: st.BetaID},
			{UserID: 5, Role: pd.RolePartnerManager, StaffID: 1},
			{TokenID: 1, Scope: pd.ScopeRead, PartnerID: st.BetaID},
		} {
			if _, err := db.Ingest(pd.WithPrincipal(context.Background(), p), false, noop); pd.ErrorCode(err) != pd.EForbidden {
				t.Errorf("%+v ingesting: %v, want forbidden", p, err)
			}
		}
		if _, err := db.Ingest(context.Background(), false, noop); pd.ErrorCode(err) != pd.EUnauthorized {
			t.Errorf("no principal: %v", err)
		}
	})
}
