package partnerdesk

import (
	"reflect"
	"testing"
	"time"
)

// policy is the program's default (docs/tiers.md): store.DefaultTiers,
// reviews on Jan 15 and Jul 15, one review of grace, an app usage of 3.
var policy = TierPolicy{
	Tiers: []Tier{
		{Code: "partner", Name: "Partner", Rank: 0},
		{Code: "silver", Name: "Silver", Rank: 1, SoldCreditMin: 112500, ManagedMRRMin: 112500},
		{Code: "gold", Name: "Gold", Rank: 2, SoldCreditMin: 210000, ManagedMRRMin: 600000},
		{Code: "platinum", Name: "Platinum", Rank: 3, SoldCreditMin: 375000, ManagedMRRMin: 2000000},
		{Code: "diamond", Name: "Diamond", Rank: 4, SoldCreditMin: 1000000, ManagedMRRMin: 5000000},
		{Code: "elite", Name: "Elite", Rank: 5, SoldCreditMin: 6500000, ManagedMRRMin: 17000000, InvitationOnly: true},
	},
	ReviewDates:  []MonthDay{{time.January, 15}, {time.July, 15}},
	GraceReviews: 1,
	MinAppUsage:  3,
}

func TestPerformanceTierTakesEveryRequirement(t *testing.T) {
	ok := Performance{Certified: true, UsageX2: 6}
	for _, c := range []struct {
		name string
		p    Performance
		want string
	}{
		{"nothing", Performance{}, "partner"},
		{"figures of Gold without a certification", Performance{SoldCredit: 300000, ManagedMRR: 700000, UsageX2: 8}, "partner"},
		{"figures of Gold with an app usage of 2.5", Performance{SoldCredit: 300000, ManagedMRR: 700000, Certified: true, UsageX2: 5}, "partner"},
		{"exactly Silver's thresholds", with(ok, 112500, 112500), "silver"},
		{"a cent short of Silver's sold credit", with(ok, 112499, 900000), "partner"},
		{"Gold's sold credit, Silver's managed MRR", with(ok, 250000, 200000), "silver"},
		{"Gold", with(ok, 210000, 600000), "gold"},
		{"Diamond", with(ok, 1000000, 5000000), "diamond"},
		{"Elite's figures, not invited", with(ok, 9000000, 20000000), "diamond"},
		{"Elite's figures, invited", func() Performance { p := with(ok, 9000000, 20000000); p.Invited = true; return p }(), "elite"},
	} {
		if got := policy.PerformanceTier(c.p); got.Code != c.want {
			t.Errorf("%s: %s, want %s", c.name, got.Code, c.want)
		}
	}
}

func with(p Performance, sold, managed int64) Performance {
	p.SoldCredit, p.ManagedMRR = sold, managed
	return p
}

func TestNextTierSaysWhatIsMissing(t *testing.T) {
	p := Performance{SoldCredit: 150000, ManagedMRR: 100000, UsageX2: 5, Certified: false}
	g, ok := policy.NextTier(policy.Tier("partner"), p)
	want := TierGap{Tier: policy.Tier("silver"), ManagedMRR: 12500, Certification: true, AppUsage: true}
	if !ok || !reflect.DeepEqual(g, want) {
		t.Errorf("gap to Silver: %+v, want %+v", g, want)
	}
	g, _ = policy.NextTier(policy.Tier("diamond"), Performance{SoldCredit: 7000000, ManagedMRR: 18000000, UsageX2: 6, Certified: true})
	if !g.Invitation || g.SoldCredit != 0 || g.Met() {
		t.Errorf("gap to Elite: %+v, want only the invitation", g)
	}
	if _, ok := policy.NextTier(policy.Tier("elite"), p); ok {
		t.Error("a tier above Elite")
	}
}

// Reviews: promotion at once, demotion after one review of grace, and
// the grace ends when the performance is back.
func TestTierReviews(t *testing.T) {
	gold, silver, partner, platinum := policy.Tier("gold"), policy.Tier("silver"), policy.Tier("partner"), policy.Tier("platinum")
	for _, c := range []struct {
		name             string
		assigned, perf   Tier
		below            int
		wantTier         string
		wantBelow, grace int
	}{
		{"at its tier", gold, gold, 0, "gold", 0, 1},
		{"above: promoted at once, by two tiers if it must", silver, platinum, 0, "platinum", 0, 1},
		{"below at a first review: grace", gold, silver, 0, "gold", 1, 1},
		{"below again: demoted to the performance tier", gold, partner, 1, "partner", 0, 1},
		{"back at its tier after a review below: grace ends", gold, gold, 1, "gold", 0, 1},
		{"above after a review below: promoted", gold, platinum, 1, "platinum", 0, 1},
		{"no grace: demoted at once", gold, silver, 0, "silver", 0, 0},
		{"two reviews of grace: the second keeps the tier", gold, silver, 1, "gold", 2, 2},
		{"two reviews of grace: the third demotes", gold, silver, 2, "silver", 0, 2},
	} {
		pol := policy
		pol.GraceReviews = c.grace
		got := pol.Review(c.assigned, c.perf, c.below)
		if got.Assigned.Code != c.wantTier || got.Below != c.wantBelow {
			t.Errorf("%s: %s (below %d), want %s (below %d)", c.name, got.Assigned.Code, got.Below, c.wantTier, c.wantBelow)
		}
	}
}

func TestReviewDates(t *testing.T) {
	for _, c := range []struct{ today, last, next string }{
		{"2026-11-27", "2026-07-15", "2027-01-15"},
		{"2026-07-15", "2026-07-15", "2027-01-15"},
		{"2026-07-14", "2026-01-15", "2026-07-15"},
		{"2026-01-14", "2025-07-15", "2026-01-15"},
		{"2026-01-15", "2026-01-15", "2026-07-15"},
		{"2026-12-31", "2026-07-15", "2027-01-15"},
		{"2028-02-29", "2028-01-15", "2028-07-15"},
	} {
		today, _ := ParseDate(c.today)
		if got := policy.LastReview(today).String(); got != c.last {
			t.Errorf("last review on %s: %s, want %s", c.today, got, c.last)
		}
		if got := policy.NextReview(today).String(); got != c.next {
			t.Errorf("next review after %s: %s, want %s", c.today, got, c.next)
		}
	}
	dates, err := ParseReviewDates(" 07-15, 01-15")
	if err != nil || !reflect.DeepEqual(dates, policy.ReviewDates) {
		t.Errorf("ParseReviewDates: %v %v", dates, err)
	}
	for _, bad := range []string{"", "13-01", "02-30", "1-x", "0115"} {
		if _, err := ParseReviewDates(bad); ErrorCode(err) != EInvalid {
			t.Errorf("ParseReviewDates(%q): %v, want invalid", bad, err)
		}
	}
}

func TestMedianX2(t *testing.T) {
	for _, c := range []struct {
		values []int
		want   int
	}{
		{nil, 0}, {[]int{4}, 8}, {[]int{11, 2, 5, 0, 1}, 4}, {[]int{3, 1, 4, 2}, 5}, {[]int{3, 3}, 6},
	} {
		if got := MedianX2(c.values); got != c.want {
			t.Errorf("MedianX2(%v) = %d, want %d", c.values, got, c.want)
		}
	}
}

// Managed MRR shared by several partners: floor division, the remainder to
// the lowest partner id, nothing lost or made up.
func TestSplitEvenly(t *testing.T) {
	for _, c := range []struct {
		mrr      int64
		partners int
		want     []int64
	}{
		{1000, 1, []int64{1000}},
		{1000, 2, []int64{500, 500}},
		{1001, 2, []int64{501, 500}},
		{1000, 3, []int64{334, 333, 333}},
		{2, 3, []int64{2, 0, 0}},
		{0, 2, []int64{0, 0}},
		{5, 0, nil},
	} {
		got := SplitEvenly(c.mrr, c.partners)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitEvenly(%d, %d) = %v, want %v", c.mrr, c.partners, got, c.want)
		}
	}
}
