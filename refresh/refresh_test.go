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

// The worked example, loaded as billing events and refreshed, gives the
// same months as the audit command's replay of its file.
func TestRefreshedMonthsEqualTheReplay(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		if err := db.SaveProgram(ctx, store.DefaultProgram); err != nil {
			t.Fatal(err)
		}
		file := workedExample
		st.LoadEvents(t, db, file)
		stats, err := refresh.Run(ctx, db, st.Now, refresh.Options{})
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
		at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
		for _, c := range []struct{ at, mode string }{
			{"2026-09-01T07:00:00Z", refresh.ModeFull},
			{"2026-09-01T09:00:00Z", refresh.ModeUnchanged},
			// p7's Globex credit expires on 2026-10-01, and the fixture's
			// eight on 2027-08-27; and a year goes by.
			{"2027-09-05T07:00:00Z", refresh.ModeExpiries},
		} {
			stats, err := refresh.Run(ctx, db, at(c.at), refresh.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if stats.Mode != c.mode {
				t.Fatalf("refresh at %s: %s, want %s", c.at, stats.Mode, c.mode)
			}
			if c.mode == refresh.ModeExpiries && stats.Expired != 8 {
				t.Errorf("%d clients' credit expired, want 8", stats.Expired)
			}
		}
		var advanced []*pd.TierTab
		for _, p := range []int64{7, 9, st.AlphaID, st.BetaID} {
			advanced = append(advanced, snapshot(t, db, p))
		}
		if _, err := refresh.Run(ctx, db, at("2027-09-05T08:00:00Z"), refresh.Options{Full: true}); err != nil {
			t.Fatal(err)
		}
		for i, p := range []int64{7, 9, st.AlphaID, st.BetaID} {
			full := snapshot(t, db, p)
			if !reflect.DeepEqual(advanced[i], full) {
				t.Errorf("partner %d moved forward:\n%+v\nthe ledger again:\n%+v", p, advanced[i], full)
			}
		}
		for _, m := range advanced[0].Months {
			if m.Month.String() == "2026-10-01" && (m.ExpiredLost != 1500 || m.Closing != 0) {
				t.Errorf("p7's October 2026: %+v", m)
			}
		}
		if alpha := advanced[2]; alpha.Report.Figures.SoldCredit != 0 || alpha.Months[len(alpha.Months)-2].ExpiredLost != st.AlphaSoldCredit {
			t.Errorf("Alpha after its credit expired: %+v, August 2027 %+v", alpha.Report.Figures, alpha.Months[len(alpha.Months)-2])
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
// they are; the Jan 15 review puts both on grace; the Jul 15 review, with
// the same performance, demotes them. A review applies once.
func TestTierReviewsGraceThenDemotion(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
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
			{time.Date(2027, 1, 15, 7, 0, 0, 0, time.UTC), "2027-01-15", "gold", "silver", 1, 1},
			{time.Date(2027, 1, 16, 7, 0, 0, 0, time.UTC), "", "gold", "silver", 1, 1},
			{time.Date(2027, 7, 16, 7, 0, 0, 0, time.UTC), "2027-07-15", "partner", "partner", 0, 0},
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
		if want := []string{"2027-01-15 gold→gold", "2027-07-15 gold→partner"}; !reflect.DeepEqual(got, want) {
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
		for _, at := range []time.Time{st.Now, time.Date(2027, 3, 2, 7, 0, 0, 0, time.UTC)} {
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
