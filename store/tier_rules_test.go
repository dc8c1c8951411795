package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

var partnerManager = &pd.Principal{UserID: 5, Name: "Maya Manager", Role: pd.RolePartnerManager, StaffID: 1}

// goldAt is rules with Gold's sold-credit minimum set to sold.
func goldAt(p pd.TierPolicy, sold int64) pd.TierPolicy {
	p.Tiers = append([]pd.Tier(nil), p.Tiers...)
	p.Tiers[2].SoldCreditMin = sold
	return p
}

// A program admin schedules a change of the rules from a later day; the
// rules before it stay in force until then and are kept; a change of the
// same day replaces it; a scheduled change may be cancelled; each step is
// audited. Nobody else may, and today or the past is never rewritten.
func TestTierRulesAreScheduledAndKept(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		admin := as(programAdmin, 0)
		today := pd.DateOf(st.Now, time.UTC)
		rules, err := db.TierRules(admin)
		if err != nil {
			t.Fatal(err)
		}
		base := rules.Base
		if len(rules.Changes) != 0 || base.Tier("gold").SoldCreditMin != 210000 || base.MinAppUsage != 3 {
			t.Fatalf("the rules the program started with: %+v", rules)
		}
		tomorrow, next := today.AddDays(1), rules.NextReview(today)
		if next == tomorrow { // a later review, for two different days
			next = rules.NextReview(next)
		}
		for _, c := range []struct {
			name string
			ctx  context.Context
			from pd.Date
			pol  pd.TierPolicy
			code string
		}{
			{"a partner manager", as(partnerManager, 0), next, goldAt(base, 250000), pd.EForbidden},
			{"a partner admin", as(alphaAdmin, 0), next, goldAt(base, 250000), pd.EForbidden},
			{"from today", admin, today, goldAt(base, 250000), pd.EInvalid},
			{"from yesterday", admin, today.AddDays(-1), goldAt(base, 250000), pd.EInvalid},
			{"no date", admin, pd.Date{}, goldAt(base, 250000), pd.EInvalid},
			{"the same rules", admin, next, base, pd.EInvalid},
			{"Gold below Silver", admin, next, goldAt(base, 100000), pd.EInvalid},
			{"a tier missing", admin, next, pd.TierPolicy{Tiers: base.Tiers[:5], ReviewDates: base.ReviewDates, MinAppUsage: 3}, pd.EInvalid},
		} {
			if err := db.SaveTierRules(c.ctx, c.from, c.pol); pd.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
		}
		if _, err := db.TierSettings(as(partnerManager, 0), true); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a partner manager editing the rules: %v", err)
		}
		if _, err := db.TierSettings(as(partnerManager, 0), false); err != nil {
			t.Errorf("a partner manager reading the rules: %v", err)
		}
		if _, err := db.TierSettings(as(alphaAdmin, 0), false); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a partner admin reading the rules: %v", err)
		}

		usage := base
		usage.MinAppUsage = 2
		for _, s := range []struct {
			from pd.Date
			pol  pd.TierPolicy
		}{{next, goldAt(base, 250000)}, {tomorrow, usage}, {next, goldAt(usage, 260000)}} {
			if err := db.SaveTierRules(admin, s.from, s.pol); err != nil {
				t.Fatal(err)
			}
		}
		if rules, err = db.TierRules(admin); err != nil {
			t.Fatal(err)
		}
		if len(rules.Changes) != 2 || rules.Changes[0].From != tomorrow || rules.Changes[1].From != next {
			t.Fatalf("changes: %+v", rules.Changes)
		}
		for _, c := range []struct {
			day         pd.Date
			gold, usage int
		}{{today, 210000, 3}, {tomorrow, 210000, 2}, {next.AddDays(-1), 210000, 2}, {next, 260000, 2}, {next.AddDays(400), 260000, 2}} {
			p := rules.On(c.day)
			if p.Tier("gold").SoldCreditMin != int64(c.gold) || p.MinAppUsage != c.usage {
				t.Errorf("on %s: Gold %d, usage %d; want %d, %d", c.day, p.Tier("gold").SoldCreditMin, p.MinAppUsage, c.gold, c.usage)
			}
		}
		if rules.Changes[1].Policy.Tier("gold").Rank != 2 || rules.Changes[1].Policy.Tier("elite").InvitationOnly != true {
			t.Errorf("the saved tiers: %+v", rules.Changes[1].Policy.Tiers)
		}

		// Once tomorrow came, its change is history: not cancelled, not
		// replaced.
		now = st.Now.AddDate(0, 0, 1)
		if err := db.CancelTierRules(admin, tomorrow); pd.ErrorCode(err) != pd.EInvalid {
			t.Errorf("cancelling a change in force: %v", err)
		}
		if err := db.SaveTierRules(admin, tomorrow, base); pd.ErrorCode(err) != pd.EInvalid {
			t.Errorf("replacing a change in force: %v", err)
		}
		if err := db.CancelTierRules(as(partnerManager, 0), next); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("a partner manager cancelling: %v", err)
		}
		if err := db.CancelTierRules(admin, next.AddDays(1)); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("cancelling no change: %v", err)
		}
		if err := db.CancelTierRules(admin, next); err != nil {
			t.Fatal(err)
		}
		if rules, _ = db.TierRules(admin); len(rules.Changes) != 1 || rules.On(next).Tier("gold").SoldCreditMin != 210000 {
			t.Errorf("after cancelling: %+v", rules.Changes)
		}

		rows, err := db.QueryRaw(context.Background(), "SELECT action, entity_id, detail FROM audit_log WHERE entity = 'tier_rules' ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var a, id, d string
			rows.Scan(&a, &id, &d)
			got = append(got, a+" "+id+" "+d)
		}
		want := []string{
			"tier_rules_scheduled " + next.String() + " from " + next.String() + ": Gold sold credit 2100.00 → 2500.00",
			"tier_rules_scheduled " + tomorrow.String() + " from " + tomorrow.String() + ": minimum average app usage 3 → 2",
			// Replacing compares with the rules of the day before: tomorrow's.
			"tier_rules_rescheduled " + next.String() + " from " + next.String() + ": Gold sold credit 2100.00 → 2600.00",
			"tier_rules_cancelled " + next.String() + " the change from " + next.String() + " is cancelled",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
