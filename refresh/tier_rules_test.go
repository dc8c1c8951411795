package refresh_test

import (
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/refresh"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

var (
	programAdmin = pd.WithPrincipal(ctx, &pd.Principal{UserID: 1, Role: pd.RoleProgramAdmin})
	manager      = pd.WithPrincipal(ctx, &pd.Principal{UserID: 5, Role: pd.RolePartnerManager, StaffID: 1})
)

// usageOf is the rules with the minimum average app usage set to n.
func usageOf(p pd.TierPolicy, n int) pd.TierPolicy {
	p.MinAppUsage = n
	return p
}

// fixedAt opens the fixture with a clock that tells *now, and a
// certification of Alpha's valid for two years, so that Alpha stays
// certified whichever review comes next.
func fixedAt(t *testing.T, e st.Engine, now *time.Time) *store.DB {
	t.Helper()
	*now = st.Now
	db := e.Open(t, func() time.Time { return *now })
	st.Load(t, db)
	today := pd.DateOf(st.Now, time.UTC)
	if _, err := db.CreateCertification(programAdmin, "p-alpha", pd.Certification{Name: "Platform Expert", Holder: "Alice Alpha",
		EarnedOn: today.AddDays(-1), ExpiresOn: today.AddDays(730)}); err != nil {
		t.Fatal(err)
	}
	return db
}

// The daily refresh judges each day by the rules in force on it: a change
// of the minimum app usage from tomorrow leaves today's performance as it
// was and earns Alpha Silver tomorrow. The Tier tab names the change
// before it comes, and the rules in force after.
func TestTheRefreshJudgesEachDayByItsRules(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := fixedAt(t, e, &now)
		rules, err := db.TierRules(programAdmin)
		if err != nil {
			t.Fatal(err)
		}
		today := pd.DateOf(st.Now, time.UTC)
		tomorrow := today.AddDays(1)
		if err := db.SaveTierRules(programAdmin, tomorrow, usageOf(rules.Base, 2)); err != nil {
			t.Fatal(err)
		}
		if _, err := refresh.Run(ctx, db, st.Now, refresh.Options{}); err != nil {
			t.Fatal(err)
		}
		r := snapshot(t, db, st.AlphaID).Report
		if r.Performance.Code != "partner" || r.NextRules == nil || r.NextRules.From != tomorrow || r.NextPerformance.Code != "silver" ||
			len(r.NextChanges) != 1 || r.NextChanges[0].Field != pd.ChangeAppUsage || !r.RulesFrom.IsZero() {
			t.Errorf("today: performance %s, next rules %+v earning %s, changes %+v", r.Performance.Code, r.NextRules, r.NextPerformance.Code, r.NextChanges)
		}
		now = st.Now.AddDate(0, 0, 1)
		if _, err := refresh.Run(ctx, db, now, refresh.Options{}); err != nil {
			t.Fatal(err)
		}
		r = snapshot(t, db, st.AlphaID).Report
		if r.Performance.Code != "silver" || r.NextRules != nil || r.RulesFrom != tomorrow || r.Policy.MinAppUsage != 2 {
			t.Errorf("tomorrow: performance %s, rules from %s (usage %d), next %+v", r.Performance.Code, r.RulesFrom, r.Policy.MinAppUsage, r.NextRules)
		}
		// A refresh of today, run again, still judges it by today's rules.
		now = st.Now
		if _, err := refresh.Run(ctx, db, st.Now, refresh.Options{Full: true}); err != nil {
			t.Fatal(err)
		}
		if r = snapshot(t, db, st.AlphaID).Report; r.Performance.Code != "partner" {
			t.Errorf("today again: %s", r.Performance.Code)
		}
	})
}

// A review is judged by the rules in force on the review day: a change
// that takes effect on it counts, one from the day after does not.
func TestAReviewIsJudgedByTheRulesOfItsDay(t *testing.T) {
	for _, c := range []struct {
		name      string
		afterDays int // the change takes effect this many days after the review
		below     int // Alpha's grace used after the review
	}{
		{"a change from the review day", 0, 0},
		{"a change from the day after", 1, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			st.Each(t, func(t *testing.T, e st.Engine) {
				var now time.Time
				db := fixedAt(t, e, &now)
				rules, err := db.TierRules(programAdmin)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := refresh.Run(ctx, db, st.Now, refresh.Options{}); err != nil {
					t.Fatal(err)
				}
				review := rules.NextReview(pd.DateOf(st.Now, time.UTC))
				// Gold for Alpha's figures: 2,105 sold, 1,190 managed, usage 2.
				gold := usageOf(rules.Base, 2)
				gold.Tiers = append([]pd.Tier(nil), gold.Tiers...)
				gold.Tiers[1].SoldCreditMin, gold.Tiers[1].ManagedMRRMin = 100000, 100000
				gold.Tiers[2].SoldCreditMin, gold.Tiers[2].ManagedMRRMin = 200000, 110000
				if err := db.SaveTierRules(programAdmin, review.AddDays(c.afterDays), gold); err != nil {
					t.Fatal(err)
				}
				now = review.Time().Add(7 * time.Hour)
				stats, err := refresh.Run(ctx, db, now, refresh.Options{})
				if err != nil {
					t.Fatal(err)
				}
				r := snapshot(t, db, st.AlphaID).Report
				if stats.Review != review || r.Assigned.Code != "gold" || r.Below != c.below {
					t.Errorf("review %s (want %s): Alpha %s, performance %s, below %d; want below %d",
						stats.Review, review, r.Assigned.Code, r.Performance.Code, r.Below, c.below)
				}
			})
		})
	}
}

// The preview judges the last refresh's figures by today's rules and the
// proposed ones, for program admins only.
func TestPreviewTierRules(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := fixedAt(t, e, &now)
		rules, err := db.TierRules(programAdmin)
		if err != nil {
			t.Fatal(err)
		}
		res, err := db.PreviewTierRules(programAdmin, usageOf(rules.Base, 2))
		if err != nil || res.Refreshed {
			t.Fatalf("before the first refresh: %+v %v", res, err)
		}
		if _, err := refresh.Run(ctx, db, st.Now, refresh.Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PreviewTierRules(manager, usageOf(rules.Base, 2)); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a partner manager: %v", err)
		}
		if _, err := db.PreviewTierRules(programAdmin, usageOf(rules.Base, -1)); pd.ErrorCode(err) != pd.EInvalid {
			t.Errorf("a negative usage: %v", err)
		}
		res, err = db.PreviewTierRules(programAdmin, usageOf(rules.Base, 2))
		if err != nil {
			t.Fatal(err)
		}
		// Alpha (certified) reaches Silver with a usage of 2; Beta holds no
		// valid certification.
		if !res.Refreshed || res.AsOf != pd.DateOf(st.Now, time.UTC) || len(res.Lines) != 2 || res.Promoted != 1 || res.Demoted != 0 {
			t.Fatalf("preview: %+v", res)
		}
		ch := res.Changed()
		if len(ch) != 1 || ch[0].PartnerID != st.AlphaID || ch[0].Name != "Alpha Agency" || ch[0].Assigned != "gold" ||
			ch[0].Today.Code != "partner" || ch[0].Proposed.Code != "silver" || ch[0].SoldCredit != st.AlphaSoldCredit {
			t.Errorf("changed: %+v", ch)
		}
		if p := res.Tiers[0]; p.Today != 2 || p.Proposed != 1 || p.Promoted != 1 {
			t.Errorf("the entry tier's counts: %+v", p)
		}
	})
}

// The partner manager's book lists Alpha (their only partner): below its
// Gold, on grace at the next review, with the gap; and Globex's upgrade,
// whose decision deadline is four days away.
func TestTheBookOfAPartnerManager(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := fixedAt(t, e, &now)
		if _, err := db.Book(programAdmin); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a program admin's book: %v", err)
		}
		if _, err := db.Book(partnerCtx(st.AlphaID)); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a partner admin's book: %v", err)
		}
		b, err := db.Book(manager)
		if err != nil {
			t.Fatal(err)
		}
		if b.Refreshed || len(b.Partners) != 1 || len(b.AtRisk) != 0 {
			t.Errorf("before the first refresh: %+v", b)
		}
		if _, err := refresh.Run(ctx, db, st.Now, refresh.Options{}); err != nil {
			t.Fatal(err)
		}
		if b, err = db.Book(manager); err != nil {
			t.Fatal(err)
		}
		if len(b.Partners) != 1 || b.Partners[0].ID != st.AlphaID || !b.Refreshed {
			t.Fatalf("partners: %+v", b.Partners)
		}
		if len(b.AtRisk) != 1 {
			t.Fatalf("at risk: %+v", b.AtRisk)
		}
		r := b.AtRisk[0]
		if r.Assigned.Code != "gold" || r.Performance.Code != "partner" || r.Demotion || r.Gap.SoldCredit != 0 ||
			r.Gap.ManagedMRR != 600000-st.AlphaManagedMRR || !r.Gap.AppUsage || r.Gap.Certification {
			t.Errorf("Alpha at risk: %+v", r)
		}
		if len(b.Renewals) != 1 || b.Renewals[0].RenewalID != st.GlobexUpgrade || b.Today.DaysUntil(b.Renewals[0].Deadline) != 4 {
			t.Errorf("renewals: %+v", b.Renewals)
		}
		if len(b.Expiring) != 0 || len(b.Near) != 0 {
			t.Errorf("expiring %+v, near %+v", b.Expiring, b.Near)
		}
		// The book judges by the rules of the next review: with an app
		// usage of 2, Alpha's figures earn Silver, still below its Gold.
		rules, _ := db.TierRules(programAdmin)
		if err := db.SaveTierRules(programAdmin, b.NextReview, usageOf(rules.Base, 2)); err != nil {
			t.Fatal(err)
		}
		if b, _ = db.Book(manager); len(b.AtRisk) != 1 || b.AtRisk[0].Performance.Code != "silver" || b.AtRisk[0].Gap.AppUsage {
			t.Errorf("under the next review's rules: %+v", b.AtRisk)
		}
	})
}
