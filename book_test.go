package partnerdesk

import (
	"reflect"
	"testing"
)

func TestBookSortsWhatNeedsAttention(t *testing.T) {
	ok := Performance{Certified: true, UsageX2: 6}
	today := day("2026-11-27")
	tier := policy.Tier
	b := &Book{Today: today, Policy: policy, Partners: []BookPartner{
		{ID: 1, Name: "Alpha", Refreshed: true, Assigned: tier("gold"), Figures: with(ok, 150000, 150000), Below: 1, CertExpires: today.AddDays(30)},
		{ID: 2, Name: "beta", Refreshed: true, Assigned: tier("gold"), Figures: with(ok, 150000, 150000)},
		{ID: 3, Name: "Charlie", Refreshed: true, Assigned: tier("silver"), Figures: with(ok, 200000, 560000), CertExpires: today.AddDays(61)},
		{ID: 4, Name: "Delta", Refreshed: true, Assigned: tier("partner"), Figures: with(ok, 10000, 10000), CertExpires: today.AddDays(5)},
		{ID: 5, Name: "Echo", Refreshed: false, Assigned: tier("diamond"), CertExpires: today.AddDays(60)},
		{ID: 6, Name: "Foxtrot", Refreshed: true, Assigned: tier("platinum"), Figures: with(ok, 200000, 560000)},
	}, Renewals: []BookRenewal{{RenewalID: 9, Deadline: today.AddDays(10)}, {RenewalID: 8, Deadline: today.AddDays(2)}}}
	for i := range b.Partners {
		b.Partners[i].Performance = policy.PerformanceTier(b.Partners[i].Figures)
	}
	b.Sort()
	var risk []int64
	for _, r := range b.AtRisk {
		risk = append(risk, r.ID)
	}
	// Alpha's grace is used: the next review demotes it; beta and Foxtrot
	// keep theirs on grace (Foxtrot's tier is higher).
	if want := []int64{1, 6, 2}; !reflect.DeepEqual(risk, want) {
		t.Errorf("at risk %v, want %v", risk, want)
	}
	if r := b.AtRisk[0]; !r.Demotion || r.Gap.Tier.Code != "gold" || r.Gap.SoldCredit != 60000 || r.Gap.ManagedMRR != 450000 {
		t.Errorf("Alpha's risk: %+v", r)
	}
	if b.AtRisk[1].Demotion {
		t.Error("Foxtrot has a review of grace left")
	}
	var exp []int64
	for _, p := range b.Expiring {
		exp = append(exp, p.ID)
	}
	if want := []int64{4, 1, 5}; !reflect.DeepEqual(exp, want) {
		t.Errorf("expiring %v, want %v (Charlie's in 61 days is not)", exp, want)
	}
	// Charlie: Silver, within 10% of Gold (2,100 and 6,000).
	if len(b.Near) != 1 || b.Near[0].ID != 3 || b.Near[0].Gap.Tier.Code != "gold" {
		t.Errorf("near: %+v", b.Near)
	}
	if b.Renewals[0].RenewalID != 8 {
		t.Errorf("renewals not by deadline: %+v", b.Renewals)
	}
	if b.Attention() != 3+3+2+1 {
		t.Errorf("attention %d", b.Attention())
	}
}
