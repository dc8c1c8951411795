package partnerdesk

import (
	"testing"
)

func TestPreviewCountsPromotionsAndDemotionsPerTier(t *testing.T) {
	ok := Performance{Certified: true, UsageX2: 6}
	// Gold: 1,900 of sold credit (was 2,100) and 7,000 of managed MRR (was
	// 6,000).
	partners := []PartnerFigures{
		{PartnerID: 1, Name: "Silver today, Gold with less sold credit", Performance: with(ok, 200000, 750000)},
		{PartnerID: 2, Name: "Gold today, Silver with more managed MRR", Performance: with(ok, 300000, 650000)},
		{PartnerID: 3, Name: "Gold either way", Performance: with(ok, 300000, 800000)},
		{PartnerID: 4, Name: "Partner either way", Performance: Performance{}},
	}
	proposed := withTier(policy, "gold", 190000, 700000)
	proposed.Tiers[0].Name = "Member"
	p := PreviewTiers(policy, proposed, partners)
	moves := map[int64][2]string{}
	for _, l := range p.Lines {
		moves[l.PartnerID] = [2]string{l.Today.Code, l.Proposed.Code}
	}
	want := map[int64][2]string{1: {"silver", "gold"}, 2: {"gold", "silver"}, 3: {"gold", "gold"}, 4: {"partner", "partner"}}
	for id, w := range want {
		if moves[id] != w {
			t.Errorf("partner %d: %v, want %v", id, moves[id], w)
		}
	}
	if p.Promoted != 1 || p.Demoted != 1 {
		t.Errorf("promoted %d, demoted %d; want 1, 1", p.Promoted, p.Demoted)
	}
	silver, gold := p.Tiers[1], p.Tiers[2]
	if silver.Today != 1 || silver.Proposed != 1 || silver.Promoted != 1 || silver.Demoted != 0 {
		t.Errorf("Silver's counts: %+v", silver)
	}
	if gold.Tier.Code != "gold" || gold.Today != 2 || gold.Proposed != 2 || gold.Demoted != 1 || gold.Promoted != 0 {
		t.Errorf("Gold's counts: %+v", gold)
	}
	if p.Tiers[0].Tier.Name != "Member" || p.Tiers[0].Today != 1 || p.Tiers[0].Proposed != 1 {
		t.Errorf("the entry tier: %+v", p.Tiers[0])
	}
	if ch := p.Changed(); len(ch) != 2 || ch[0].PartnerID != 1 || ch[0].Move() != 1 || ch[1].PartnerID != 2 || ch[1].Move() != -1 {
		t.Errorf("changed: %+v", ch)
	}

	// Lowering the app usage promotes the partners it held back.
	lower := policy
	lower.MinAppUsage = 2
	held := []PartnerFigures{{PartnerID: 9, Performance: with(Performance{Certified: true, UsageX2: 4}, 300000, 700000)}}
	if p := PreviewTiers(policy, lower, held); p.Promoted != 1 || p.Tiers[0].Promoted != 1 || p.Lines[0].Proposed.Code != "gold" {
		t.Errorf("a lower usage: %+v", p.Lines[0])
	}
}

func TestNearIsWithinATenthOfEveryAmount(t *testing.T) {
	gold := policy.Tier("gold") // 2,100 sold, 6,000 managed
	ok := Performance{Certified: true, UsageX2: 6}
	for _, c := range []struct {
		name string
		p    Performance
		want bool
	}{
		{"90% of both", with(ok, 189000, 540000), true},
		{"a cent under 90% of the sold credit", with(ok, 188999, 540000), false},
		{"qualifies already", with(ok, 210000, 600000), false},
		{"amounts met, an app usage of 2.5 for 3 (83%)", func() Performance { p := with(ok, 210000, 600000); p.UsageX2 = 5; return p }(), false},
		{"without a certification", func() Performance { p := with(ok, 200000, 590000); p.Certified = false; return p }(), false},
	} {
		if got := policy.Near(gold, c.p); got != c.want {
			t.Errorf("%s: near %v, want %v", c.name, got, c.want)
		}
	}
	elite := policy.Tier("elite")
	p := with(ok, 6000000, 16000000)
	if policy.Near(elite, p) {
		t.Error("near Elite without an invitation")
	}
	p.Invited = true
	if !policy.Near(elite, p) {
		t.Error("not near Elite with an invitation and 92% of its amounts")
	}
	if policy.Near(policy.Tier("partner"), Performance{}) {
		t.Error("near the entry tier")
	}
}
