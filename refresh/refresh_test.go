package refresh_test

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/credit"
	"github.com/partnerdesk/partnerdesk/refresh"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

var ctx = context.Background()

const workedExample = "../credit/testdata/worked-example.jsonl"

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func partnerCtx(id int64) context.Context {
	return pd.WithPrincipal(ctx, &pd.Principal{UserID: 1, Role: pd.RolePartnerAdmin, PartnerID: id})
}

func replay(t *testing.T, file string, from, to string) map[string][]credit.MonthSummary {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fm, _ := credit.ParseMonth(from)
	tm, _ := credit.ParseMonth(to)
	rep, err := credit.Replay(ctx, credit.ReplayOptions{From: fm, To: tm}, f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]credit.MonthSummary{}
	for _, p := range rep.Partners {
		out[p.Partner] = p.Months
	}
	return out
}

func months(t *testing.T, db *store.DB, partner int64, from, to string) []credit.MonthSummary {
	t.Helper()
	f, _ := pd.ParseMonth(from)
	l, _ := pd.ParseMonth(to)
	tab, err := db.TierTab(partnerCtx(partner), pd.TierQuery{Months: pd.Period{From: f, To: l}})
	if err != nil {
		t.Fatal(err)
	}
	var out []credit.MonthSummary
	for _, m := range tab.Months {
		y, mm, _ := m.Month.Time().Date()
		out = append(out, credit.MonthSummary{Month: credit.MakeMonth(y, mm), Opening: m.Opening, Closing: m.Closing,
			Flows: credit.Flows{New: m.New, Upgraded: m.Upgraded, Decreased: m.Decreased, ExpiredLost: m.ExpiredLost}})
	}
	return out
}

// workedExampleNow is the worked example's own today: its months run from
// 2024-11 (before its first event) to 2026-11 (after its last expiry).
var workedExampleNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// The worked example, loaded as billing events and refreshed, gives the
// same months as the audit command's replay of its file.
func TestRefreshedMonthsEqualTheReplay(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, func() time.Time { return workedExampleNow })
		if err := db.SaveProgram(ctx, store.DefaultProgram); err != nil {
			t.Fatal(err)
		}
		file := workedExample
		st.LoadEvents(t, db, file)
		stats, err := refresh.Run(ctx, db, workedExampleNow, refresh.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if stats.Mode != refresh.ModeFull || stats.Events != 8 {
			t.Errorf("stats %+v, want a full run over 8 events", stats)
		}
		want := replay(t, file, "2024-11", "2026-11")
		for _, p := range []int64{7, 9} {
			got := months(t, db, p, "2024-11", "2026-11")
			if !reflect.DeepEqual(got, want["p"+itoa(p)]) {
				t.Errorf("p%d's months\n%v\nwant the replay's\n%v", p, got, want["p"+itoa(p)])
			}
		}
	})
}

// snapshot is everything the pages read of a partner.
func snapshot(t *testing.T, db *store.DB, partner int64) *pd.TierTab {
	t.Helper()
	tab, err := db.TierTab(partnerCtx(partner), pd.TierQuery{AllMonths: true, History: true})
	if err != nil {
		t.Fatal(err)
	}
	tab.Report.TakenAt = time.Time{}
	return tab
}

// A day without new events moves the last snapshot forward (its expiries,
// new months) instead of running the ledger: the result is the ledger's.
func TestAdvancingWithoutNewEventsEqualsTheLedger(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		st.LoadEvents(t, db, workedExample)
		partners := []int64{7, 9, st.AlphaID, st.BetaID}
		// Vandelay bought more three weeks ago: Beta's credit expires on
		// two days, months apart.
		err := db.Bulk(ctx, func(b *store.Bulk) error {
			return b.Insert("billing_events", []string{"external_id", "occurred_at", "client_id", "partner_id", "product_code", "mrr", "received_at"},
				"ev-vandelay-more", st.Now.AddDate(0, 0, -21), st.Vandelay, st.BetaID, "sales-pro", 15000, st.Now)
		})
		if err != nil {
			t.Fatal(err)
		}
		// The first refresh comes after every event: today, or after the
		// worked example's last event (2025-10-01) if today is before it;
		// events dated later than a snapshot would make every refresh run
		// the ledger.
		start := st.Now
		if worked := time.Date(2025, 10, 2, 7, 0, 0, 0, time.UTC); start.Before(worked) {
			start = worked
		}
		for _, c := range []struct {
			at   time.Time
			mode string
		}{
			{start, refresh.ModeFull},
			{start.Add(2 * time.Hour), refresh.ModeUnchanged},
		} {
			if stats, err := refresh.Run(ctx, db, c.at, refresh.Options{}); err != nil || stats.Mode != c.mode {
				t.Fatalf("refresh at %s: %s (%v), want %s", c.at, stats.Mode, err, c.mode)
			}
		}
		// The last refresh comes nine days after every credit held then
		// has expired, the expiries on several days.
		var held []pd.ClientCredit
		var last pd.Date
		days := map[pd.Date]bool{}
		for _, p := range partners {
			for _, c := range snapshot(t, db, p).Clients {
				if c.Credit > 0 {
					held = append(held, c)
					days[c.Expires] = true
					if c.Expires.After(last) {
						last = c.Expires
					}
				}
			}
		}
		if len(days) < 2 {
			t.Fatalf("%d clients hold credit, expiring on %d days; want two days at least", len(held), len(days))
		}
		later := last.AddDays(9).Time().Add(7 * time.Hour)
		stats, err := refresh.Run(ctx, db, later, refresh.Options{})
		if err != nil || stats.Mode != refresh.ModeExpiries || stats.Expired != len(held) {
			t.Fatalf("refresh at %s: %s, %d clients' credit expired (%v); want expiries of %d", later, stats.Mode, stats.Expired, err, len(held))
		}
		var advanced []*pd.TierTab
		for _, p := range partners {
			advanced = append(advanced, snapshot(t, db, p))
		}
		if _, err := refresh.Run(ctx, db, later.Add(time.Hour), refresh.Options{Full: true}); err != nil {
			t.Fatal(err)
		}
		for i, p := range partners {
			full := snapshot(t, db, p)
			if !reflect.DeepEqual(advanced[i], full) {
				t.Errorf("partner %d moved forward:\n%+v\nthe ledger again:\n%+v", p, advanced[i], full)
			}
		}
		october := false
		for _, m := range advanced[0].Months {
			if m.Month.String() == "2026-10-01" {
				october = m.ExpiredLost == 1500 && m.Closing == 0
			}
		}
		if !october {
			t.Errorf("p7's October 2026 is not the expiry of its last 1,500: %+v", advanced[0].Months)
		}
		// The fixture's credit was sold three months before today: it
		// expires twelve months later, on the same day or the month's last.
		sold := pd.DateOf(st.Now.AddDate(0, -3, 0), time.UTC)
		y, m, d := sold.Time().Date()
		expiry := pd.NewDate(y+1, m, min(d, pd.MonthEnd(pd.NewDate(y+1, m, 1)).Time().Day()))
		alpha := advanced[2]
		var expired pd.CreditMonth
		for _, m := range alpha.Months {
			if m.Month == pd.MonthStart(expiry) {
				expired = m
			}
		}
		if alpha.Report.Figures.SoldCredit != 0 || expired.ExpiredLost != st.AlphaSoldCredit {
			t.Errorf("Alpha after its credit expired on %s: %+v, that month %+v", expiry, alpha.Report.Figures, expired)
		}
	})
}

// A new billing event, even one dated in the past, runs the ledger again.
func TestANewEventRunsTheLedgerAgain(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		if _, err := refresh.Run(ctx, db, st.Now, refresh.Options{}); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, db, st.AlphaID).Report.Figures.SoldCredit
		if before != st.AlphaSoldCredit {
			t.Fatalf("Alpha sold %d, want %d", before, st.AlphaSoldCredit)
		}
		// Initech bought more a week ago, credited to Alpha.
		err := db.Bulk(ctx, func(b *store.Bulk) error {
			return b.Insert("billing_events", []string{"external_id", "occurred_at", "client_id", "partner_id", "product_code", "mrr", "received_at"},
				"ev-late", st.Now.AddDate(0, 0, -7), st.Initech, st.AlphaID, "content-pro", 45000, st.Now)
		})
		if err != nil {
			t.Fatal(err)
		}
		stats, err := refresh.Run(ctx, db, st.Now.Add(time.Hour), refresh.Options{})
		if err != nil || stats.Mode != refresh.ModeFull {
			t.Fatalf("after a new event: %+v %v", stats, err)
		}
		if got := snapshot(t, db, st.AlphaID).Report.Figures.SoldCredit; got != st.AlphaSoldCredit+5000 {
			t.Errorf("Alpha sold %d after Initech's upgrade, want %d", got, st.AlphaSoldCredit+5000)
		}
	})
}

// The fixture's figures: Alpha qualifies for Partner only (app usage 2),
// Beta's certification has expired. The first refresh takes the tiers as
// they are; the next review date (Jan 15 or Jul 15) puts both on grace;
// the one after, with the same performance, demotes them. A review
// applies once.
func TestTierReviewsGraceThenDemotion(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		policy, err := db.TierPolicy(ctx)
		if err != nil {
			t.Fatal(err)
		}
		first := policy.NextReview(pd.DateOf(st.Now, time.UTC))
		second := policy.NextReview(first)
		morning := func(d pd.Date) time.Time { return d.Time().Add(7 * time.Hour) }
		tier := func(p int64) (string, int) {
			r := snapshot(t, db, p).Report
			return r.Assigned.Code, r.Below
		}
		steps := []struct {
			at                  time.Time
			review              string
			alpha, beta         string
			alphaBelow, betaBel int
		}{
			{st.Now, "", "gold", "silver", 0, 0},
			{morning(first), first.String(), "gold", "silver", 1, 1},
			{morning(first.AddDays(1)), "", "gold", "silver", 1, 1},
			{morning(second.AddDays(1)), second.String(), "partner", "partner", 0, 0},
		}
		for _, s := range steps {
			stats, err := refresh.Run(ctx, db, s.at, refresh.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := stats.Review; (s.review == "") != got.IsZero() || s.review != "" && got.String() != s.review {
				t.Errorf("%s: review %s, want %q", s.at, got, s.review)
			}
			a, ab := tier(st.AlphaID)
			b, bb := tier(st.BetaID)
			if a != s.alpha || ab != s.alphaBelow || b != s.beta || bb != s.betaBel {
				t.Errorf("%s: Alpha %s (below %d), Beta %s (below %d); want %s (%d), %s (%d)",
					s.at, a, ab, b, bb, s.alpha, s.alphaBelow, s.beta, s.betaBel)
			}
		}
		rows, err := db.QueryRaw(ctx, "SELECT review_on, tier_before, tier_after FROM tier_reviews WHERE partner_id = ? ORDER BY review_on", st.AlphaID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var on pd.Date
			var before, after string
			rows.Scan(&on, &before, &after)
			got = append(got, on.String()+" "+before+"→"+after)
		}
		if want := []string{first.String() + " gold→gold", second.String() + " gold→partner"}; !reflect.DeepEqual(got, want) {
			t.Errorf("Alpha's reviews: %v, want %v", got, want)
		}
		// The demotion is the daily refresh's change in the audit logs, once.
		if _, err := refresh.Run(ctx, db, time.Date(2027, 7, 17, 7, 0, 0, 0, time.UTC), refresh.Options{}); err != nil {
			t.Fatal(err)
		}
		es, _, err := db.ProgramAudit(pd.WithPrincipal(ctx, &pd.Principal{UserID: 1, Role: pd.RoleProgramAdmin}),
			pd.AuditFilter{Action: "tier_review"})
		if err != nil {
			t.Fatal(err)
		}
		var moves []string
		for _, e := range es {
			moves = append(moves, fmt.Sprintf("%s %s: %s", e.Actor, e.PartnerName, e.Detail))
		}
		if want := []string{"refresh Beta Works: review of 2027-07-15: Silver → Partner", "refresh Alpha Agency: review of 2027-07-15: Gold → Partner"}; !reflect.DeepEqual(moves, want) &&
			!reflect.DeepEqual(moves, []string{want[1], want[0]}) {
			t.Errorf("audit of the reviews: %q, want %q", moves, want)
		}
	})
}

// Managed MRR: a client managed by two partners counts half for each, the
// odd cent to the lower id; the page's figures are the snapshot's.
func TestManagedMRRIsSplitEvenly(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		// A client with an odd MRR, managed by Alpha and Beta.
		err := db.Bulk(ctx, func(b *store.Bulk) error {
			b.Insert("clients", []string{"id", "account_id", "name", "mrr", "created_at"}, 150, "acct-shared", "Shared Ltd", 30001, st.Now)
			for _, p := range []int64{st.BetaID, st.AlphaID} {
				b.Insert("client_partners", []string{"client_id", "partner_id", "relationship", "started_on"}, 150, p, "managed", pd.DateOf(st.Now, time.UTC))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := refresh.Run(ctx, db, st.Now, refresh.Options{}); err != nil {
			t.Fatal(err)
		}
		alpha, beta := snapshot(t, db, st.AlphaID).Report, snapshot(t, db, st.BetaID).Report
		if alpha.Figures.ManagedMRR != st.AlphaManagedMRR+15001 || alpha.ManagedClients != 3 {
			t.Errorf("Alpha manages %d over %d clients, want %d over 3", alpha.Figures.ManagedMRR, alpha.ManagedClients, st.AlphaManagedMRR+15001)
		}
		if beta.Figures.ManagedMRR != 12000+15000 || beta.ManagedClients != 2 {
			t.Errorf("Beta manages %d over %d clients, want %d over 2", beta.Figures.ManagedMRR, beta.ManagedClients, 12000+15000)
		}
	})
}

// The Total list of a period ending now is read from the credit held now;
// cut from the histories, it is the same list.
func TestCurrentCreditIsTheHistoriesClosing(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		st.LoadEvents(t, db, workedExample)
		for _, at := range []time.Time{st.Now, st.Now.AddDate(0, 0, 95).Add(-5 * time.Hour)} {
			if _, err := refresh.Run(ctx, db, at, refresh.Options{}); err != nil {
				t.Fatal(err)
			}
			for _, p := range []int64{st.AlphaID, st.BetaID, 7, 9} {
				tab, err := db.TierTab(partnerCtx(p), pd.TierQuery{Current: &pd.CreditPage{}, History: true, ExpiringMonths: 3})
				if err != nil {
					t.Fatal(err)
				}
				last := pd.MonthStart(tab.Report.AsOf)
				b := pd.BreakdownOf(pd.Period{From: pd.AddMonths(last, -11), To: last}, tab.Clients)
				got, want := map[int64]int64{}, map[int64]int64{}
				for _, c := range tab.Current {
					got[c.ClientID] = c.Credit
				}
				for _, l := range b.Total {
					want[l.ClientID] = l.Closing
				}
				if !reflect.DeepEqual(got, want) || tab.CurrentTotal != len(want) {
					t.Errorf("%s, partner %d: credit now %v (%d), histories' closing %v", at, p, got, tab.CurrentTotal, want)
				}
				if b.Closing != tab.Report.Figures.SoldCredit {
					t.Errorf("%s, partner %d: closing %d, sold credit %d", at, p, b.Closing, tab.Report.Figures.SoldCredit)
				}
			}
		}
	})
}

// The daily refresh deletes the sign-in sessions that expired, by the
// store's clock: not by the instant refreshed, which may lie ahead.
func TestRefreshDeletesExpiredSessions(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		now := st.Now
		db := e.Open(t, func() time.Time { return now })
		st.Load(t, db)
		user, _, err := db.Credentials(ctx, st.AlphaAdmin)
		if err != nil {
			t.Fatal(err)
		}
		for _, ttl := range []time.Duration{time.Hour, 12 * time.Hour} {
			if _, err := db.CreateSession(ctx, user, ttl, "192.0.2.1", "test"); err != nil {
				t.Fatal(err)
			}
		}
		now = now.Add(2 * time.Hour)
		stats, err := refresh.Run(ctx, db, now.AddDate(0, 0, 1), refresh.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if stats.SessionsDeleted != 1 {
			t.Errorf("%d sessions deleted, want the one that expired", stats.SessionsDeleted)
		}
	})
}

func TestRefreshPurgesEndedSignInCounters(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		now := st.Now
		db := e.Open(t, func() time.Time { return now })
		st.Load(t, db)
		if _, err := db.ReserveSignIn(ctx, store.DefaultSignInLimits, "a@x.test", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		now = now.Add(25 * time.Hour)
		stats, err := refresh.Run(ctx, db, now, refresh.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if stats.SignInCountersPurged != 3 {
			t.Errorf("purged %d sign-in counters, want 3", stats.SignInCountersPurged)
		}
	})
}

// A client a partner sold counts towards its app usage while the sale
// still holds credit: a sale on 29 February, whose credit expires on 28
// February a year later, counts the day before and not that day.
func TestAppUsageCountsSalesWhileTheirCreditHolds(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		now := time.Date(2025, 2, 27, 7, 0, 0, 0, time.UTC)
		db := e.Open(t, func() time.Time { return now })
		if err := db.SaveProgram(ctx, store.DefaultProgram); err != nil {
			t.Fatal(err)
		}
		sold := time.Date(2024, 2, 29, 10, 0, 0, 0, time.UTC)
		err := db.Bulk(ctx, func(b *store.Bulk) error {
			b.Insert("partners", []string{"id", "external_id", "name", "created_at"}, 1, "p-1", "One", sold)
			b.Insert("clients", []string{"id", "account_id", "name", "created_at"}, 1, "acct-1", "Acme", sold)
			b.Insert("client_partners", []string{"client_id", "partner_id", "relationship", "started_on"}, 1, 1, "sold", pd.DateOf(sold, time.UTC))
			return b.Insert("billing_events", []string{"external_id", "occurred_at", "client_id", "partner_id", "product_code", "mrr", "received_at"},
				"ev-1", sold, 1, 1, "marketing-pro", 1000, sold)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			day          pd.Date
			credit       int64
			usageClients int
		}{
			{pd.NewDate(2025, 2, 27), 1000, 1},
			{pd.NewDate(2025, 2, 28), 0, 0},
		} {
			now = c.day.Time().Add(7 * time.Hour)
			if _, err := refresh.Run(ctx, db, now, refresh.Options{}); err != nil {
				t.Fatal(err)
			}
			r := snapshot(t, db, 1).Report
			if r.Figures.SoldCredit != c.credit || r.UsageClients != c.usageClients {
				t.Errorf("%s: sold credit %d over %d clients of the app usage, want %d over %d",
					c.day, r.Figures.SoldCredit, r.UsageClients, c.credit, c.usageClients)
			}
		}
	})
}
