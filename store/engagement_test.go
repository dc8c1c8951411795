package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

func TestEngagementOverview(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		o, err := db.EngagementOverview(as(alphaAdmin, 0), store.EngagementQuery{})
		if err != nil {
			t.Fatal(err)
		}
		// Northwind 8 (High), Initech 6 (Medium), Globex 2 and Umbrella 0 (Low).
		if n := o.Now; n.Clients != 4 || n.Low != 2 || n.Medium != 1 || n.High != 1 || n.IndexSum != 16 || n.Average() != 40 || !n.Current {
			t.Errorf("today: %+v", n)
		}
		if len(o.AtRisk) != 1 || o.AtRiskTotal != 1 || o.AtRisk[0].Name != "Globex Corp" ||
			o.AtRisk[0].RenewalID != st.GlobexUpgrade || o.AtRisk[0].Deadline != o.AtRisk[0].RenewalDate.AddDays(-45) {
			t.Errorf("at risk: %+v", o.AtRisk)
		}
		if len(o.Upgrades) != 1 || o.Upgrades[0].Name != "Northwind Traders" || len(o.Upgrades[0].Suggestions) != 1 ||
			o.Upgrades[0].Suggestions[0].Code != "marketing-enterprise" {
			t.Errorf("upgrades: %+v", o.Upgrades)
		}
		// Four clients of one size are too few to say what most own.
		if len(o.CrossSells) != 0 {
			t.Errorf("cross-sells: %+v", o.CrossSells)
		}
		// The trend: eleven closed months and this one, oldest first.
		y, m, _ := st.Now.Date()
		month := func(k int) pd.Date { return pd.NewDate(y, m+time.Month(k), 1) } // k months from today's
		if len(o.Trend) != 12 || o.Trend[11] != o.Now || o.Trend[0].Month != month(-11) || o.Trend[10].Month != month(-1) {
			t.Fatalf("trend months: %+v", o.Trend)
		}
		// Last month and the one before, each client used one tool fewer
		// (Northwind 10/13 → 8, Initech 4/8 → 5, Globex 1/9 → 1, Umbrella
		// 0), unless the month ends on or after yesterday's snapshot (today
		// is the 1st): it then scores as today. Old Client's services
		// ended 30 days ago: a month counts it (with no usage: 0, Low) when
		// they ended after its last day.
		today := pd.DateOf(st.Now, time.UTC)
		for k, got := range map[int]pd.EngagementMonth{-1: o.Trend[10], -2: o.Trend[9]} {
			end := month(k + 1).AddDays(-1)
			want := pd.EngagementMonth{Month: month(k), Clients: 4, IndexSum: 14, Low: 2, Medium: 1, High: 1}
			if !end.Before(today.AddDays(-1)) {
				want.IndexSum = o.Now.IndexSum
			}
			if today.AddDays(-30).After(end) {
				want.Clients, want.Low = 5, 3
			}
			if got != want {
				t.Errorf("%s: %+v, want %+v", want.Month.Format("January 2006"), got, want)
			}
		}
		beta, err := db.EngagementOverview(as(betaAdmin, st.AlphaID), store.EngagementQuery{})
		if err != nil || beta.Now.Clients != 2 {
			t.Errorf("Beta's overview: %v %+v", err, beta)
		}
		for _, bad := range []store.EngagementQuery{{List: "everyone"}, {Bucket: "extreme"}, {Limit: 501}, {Offset: -1}} {
			if _, err := db.EngagementOverview(as(alphaAdmin, 0), bad); pd.ErrorCode(err) != pd.EInvalid {
				t.Errorf("%+v: %v, want invalid", bad, err)
			}
		}
		// A bucket's clients, largest MRR first, instead of the lists.
		low, err := db.EngagementOverview(as(alphaAdmin, 0), store.EngagementQuery{Bucket: pd.BucketLow, Limit: 1, Offset: 1})
		if err != nil || low.BucketTotal != 2 || len(low.Bucket) != 1 || low.Bucket[0].Name != "Umbrella Co" || low.AtRisk != nil || low.Now.Clients != 4 {
			t.Errorf("second page of the Low bucket: %v %+v", err, low)
		}
	})
}

// The daily refresh stores the closed months, the page then reads them
// instead of replaying the snapshots, and the figures do not change.
func TestRefreshEngagementStoresTheTrend(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		ctx := as(alphaAdmin, 0)
		trend := func() ([]pd.EngagementMonth, int64) {
			q := db.Queries()
			o, err := db.EngagementOverview(ctx, store.EngagementQuery{})
			if err != nil {
				t.Fatal(err)
			}
			return o.Trend, db.Queries() - q
		}
		live, liveQueries := trend()
		n, err := db.RefreshEngagement(context.Background(), pd.DateOf(st.Now, time.UTC))
		if err != nil || n != 22 {
			t.Fatalf("refresh stored %d partner-months (%v), want 11 for each of 2 partners", n, err)
		}
		stored, storedQueries := trend()
		if fmt.Sprint(live) != fmt.Sprint(stored) {
			t.Errorf("stored trend differs:\nlive   %+v\nstored %+v", live, stored)
		}
		if storedQueries != liveQueries-1 {
			t.Errorf("after the refresh the page ran %d queries, before %d: the stored months are not used", storedQueries, liveQueries)
		}
		if n, err := db.RefreshEngagement(context.Background(), pd.DateOf(st.Now, time.UTC)); n != 0 || err != nil {
			t.Errorf("second refresh stored %d (%v)", n, err)
		}
		// Next month, one more month closes.
		y, m, _ := st.Now.Date()
		if n, err := db.RefreshEngagement(context.Background(), pd.NewDate(y, m+1, 1)); n != 2 || err != nil {
			t.Errorf("next month's refresh stored %d (%v), want 2", n, err)
		}
	})
}

// Cross-sell candidates miss a hub that more than half of the partner's
// clients of their size own, in a size band of at least five clients.
func TestCrossSellCandidates(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		service, _ := pd.ProductByCode("service-pro")
		sales, _ := pd.ProductByCode("sales-starter")
		clients := []struct {
			id        int64
			employees int
			mask      int64
		}{
			// Six of 20 employees: four own Service.
			{301, 20, service.Mask()}, {302, 25, service.Mask() | sales.Mask()}, {303, 30, service.Mask()},
			{304, 40, service.Mask()}, {305, 12, sales.Mask()}, {306, 15, 0},
			// Three of 5,000: too few to compare.
			{307, 5000, service.Mask()}, {308, 5000, service.Mask()}, {309, 5000, 0},
		}
		err := db.Bulk(context.Background(), func(b *store.Bulk) error {
			b.Insert("partners", []string{"id", "external_id", "name", "created_at"}, 3, "p-gamma", "Gamma", st.Now)
			for _, c := range clients {
				b.Insert("clients", []string{"id", "account_id", "name", "employees", "mrr", "product_mask", "created_at"},
					c.id, fmt.Sprint("acct-", c.id), fmt.Sprint("Client ", c.id), c.employees, c.id, c.mask, st.Now)
				// Bulk loads fire no trigger: the relationship carries its
				// copy of the client's columns (migrations 0005, 0008).
				b.Insert("client_partners", []string{"client_id", "partner_id", "relationship", "started_on", "name", "mrr", "product_mask", "employees"},
					c.id, 3, "sold", pd.DateOf(st.Now, time.UTC).AddDays(-700), fmt.Sprint("Client ", c.id), c.id, c.mask, c.employees)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		gamma := &pd.Principal{UserID: 99, Role: pd.RolePartnerAdmin, PartnerID: 3}
		o, err := db.EngagementOverview(as(gamma, 0), store.EngagementQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range o.CrossSells {
			got = append(got, fmt.Sprint(c.ID, c.Missing))
		}
		if fmt.Sprint(got) != "[306 [service] 305 [service]]" || o.CrossTot != 2 {
			t.Errorf("cross-sell candidates %v (total %d)", got, o.CrossTot)
		}
		page, err := db.EngagementOverview(as(gamma, 0), store.EngagementQuery{List: store.ListCrossSell, Limit: 1, Offset: 1})
		if err != nil || len(page.CrossSells) != 1 || page.CrossSells[0].ID != 305 || page.CrossTot != 2 || page.Upgrades != nil {
			t.Errorf("second page of the cross-sell list: %v %+v", err, page)
		}
	})
}

// A contract renewed or decided is no longer at risk: At risk lists the
// Low clients whose renewal inside the horizon is still pending.
func TestAtRiskListsOnlyPendingRenewals(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		ctx := as(alphaAdmin, 0)
		r, err := db.Renewal(ctx, st.GlobexUpgrade)
		if err != nil || len(r.Decisions()) == 0 {
			t.Fatalf("Globex's upgrade: %+v, %v", r, err)
		}
		if err := db.RecordDecision(ctx, st.GlobexUpgrade, r.Decisions()[0], ""); err != nil {
			t.Fatal(err)
		}
		o, err := db.EngagementOverview(ctx, store.EngagementQuery{List: store.ListAtRisk})
		if err != nil {
			t.Fatal(err)
		}
		if o.AtRiskTotal != 0 || len(o.AtRisk) != 0 {
			t.Errorf("after Globex's upgrade was %s, at risk: %d %+v", r.Decisions()[0], o.AtRiskTotal, o.AtRisk)
		}
	})
}
