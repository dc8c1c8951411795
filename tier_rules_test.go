package partnerdesk

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// withTier is policy with one tier's minimums changed.
func withTier(p TierPolicy, code string, sold, managed int64) TierPolicy {
	p.Tiers = append([]Tier(nil), p.Tiers...)
	for i := range p.Tiers {
		if p.Tiers[i].Code == code {
			p.Tiers[i].SoldCreditMin, p.Tiers[i].ManagedMRRMin = sold, managed
		}
	}
	return p
}

func TestTierRulesInForceOnEachDay(t *testing.T) {
	gold := withTier(policy, "gold", 250000, 600000)
	usage := gold
	usage.MinAppUsage = 2
	rules := TierRules{Base: policy, Changes: []TierRuleSet{{From: day("2027-01-15"), Policy: gold}, {From: day("2027-07-15"), Policy: usage}}}
	for _, c := range []struct {
		day       string
		from      string // "" for the base rules
		goldSold  int64
		usage     int
		nextFrom  string
		prevFrom  string // Before(day)
		noneAfter bool
	}{
		{"2026-11-27", "", 210000, 3, "2027-01-15", "", false},
		{"2027-01-14", "", 210000, 3, "2027-01-15", "", false},
		{"2027-01-15", "2027-01-15", 250000, 3, "2027-07-15", "", false},
		{"2027-07-14", "2027-01-15", 250000, 3, "2027-07-15", "2027-01-15", false},
		{"2027-07-15", "2027-07-15", 250000, 2, "", "2027-01-15", true},
		{"2030-02-28", "2027-07-15", 250000, 2, "", "2027-07-15", true},
	} {
		set := rules.Set(day(c.day))
		if got := set.From.String(); (c.from == "") != set.From.IsZero() || c.from != "" && got != c.from {
			t.Errorf("%s: rules from %q, want %q", c.day, got, c.from)
		}
		p := rules.On(day(c.day))
		if p.Tier("gold").SoldCreditMin != c.goldSold || p.MinAppUsage != c.usage {
			t.Errorf("%s: Gold needs %d, usage %d; want %d, %d", c.day, p.Tier("gold").SoldCreditMin, p.MinAppUsage, c.goldSold, c.usage)
		}
		next, ok := rules.NextChange(day(c.day))
		if ok == c.noneAfter || ok && next.From.String() != c.nextFrom {
			t.Errorf("%s: next change %v %v, want %q", c.day, next.From, ok, c.nextFrom)
		}
		if c.prevFrom != "" && rules.Before(day(c.day)).From.String() != c.prevFrom {
			t.Errorf("%s: the rules before are from %s, want %s", c.day, rules.Before(day(c.day)).From, c.prevFrom)
		}
	}
}

// A change of the review dates that takes effect before the next review
// of the rules in force moves it.
func TestNextReviewFollowsAChangeOfTheReviewDates(t *testing.T) {
	march := policy
	march.ReviewDates = []MonthDay{{time.March, 1}, {time.September, 1}}
	rules := TierRules{Base: policy, Changes: []TierRuleSet{{From: day("2027-02-01"), Policy: march}}}
	for _, c := range []struct{ day, want string }{
		{"2026-11-27", "2027-01-15"}, // the old rules' review comes before the change
		{"2027-01-16", "2027-03-01"}, // the old rules would review on Jul 15; the change of Feb 1 comes first
		{"2027-03-01", "2027-09-01"},
	} {
		if got := rules.NextReview(day(c.day)).String(); got != c.want {
			t.Errorf("next review after %s: %s, want %s", c.day, got, c.want)
		}
	}
	// A change that takes effect on a review date of its own applies it.
	onReview := TierRules{Base: policy, Changes: []TierRuleSet{{From: day("2027-03-01"), Policy: march}}}
	if got := onReview.NextReview(day("2027-01-20")).String(); got != "2027-03-01" {
		t.Errorf("next review after Jan 20: %s, want 2027-03-01", got)
	}
}

func TestValidateRefusesRulesThatMakeNoSense(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(p *TierPolicy)
		want string // "" valid
	}{
		{"the defaults", func(p *TierPolicy) {}, ""},
		{"a name with spaces around it is tidied", func(p *TierPolicy) { p.Tiers[1].Name = "  Argent " }, ""},
		{"no name", func(p *TierPolicy) { p.Tiers[2].Name = " " }, "needs a name"},
		{"two tiers of one name", func(p *TierPolicy) { p.Tiers[2].Name = "silver" }, `Two tiers are named "silver"`},
		{"a negative minimum", func(p *TierPolicy) { p.Tiers[1].SoldCreditMin = -1 }, "amounts from zero"},
		{"Gold needing less than Silver", func(p *TierPolicy) { p.Tiers[2].ManagedMRRMin = 100000 }, "Gold must need at least"},
		{"an entry tier that takes something", func(p *TierPolicy) { p.Tiers[0].SoldCreditMin = 1 }, "entry tier"},
		{"an invitation to the entry tier", func(p *TierPolicy) { p.Tiers[0].InvitationOnly = true }, "entry tier"},
		{"a usage beyond the tools", func(p *TierPolicy) { p.MinAppUsage = len(Tools) + 1 }, "minimum average app usage"},
		{"negative grace", func(p *TierPolicy) { p.GraceReviews = -1 }, "reviews of grace"},
		{"no review date", func(p *TierPolicy) { p.ReviewDates = nil }, "at least one review date"},
		{"a review date twice", func(p *TierPolicy) { p.ReviewDates = []MonthDay{{time.March, 1}, {time.March, 1}} }, "given twice"},
	} {
		p := policy
		p.Tiers = append([]Tier(nil), policy.Tiers...)
		c.edit(&p)
		err := p.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (ErrorCode(err) != EInvalid || !strings.Contains(ErrorMessage(err), c.want)):
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if c.name == "a name with spaces around it is tidied" && p.Tiers[1].Name != "Argent" {
			t.Errorf("name %q not tidied", p.Tiers[1].Name)
		}
	}
}

func TestChangesListWhatDiffers(t *testing.T) {
	to := withTier(policy, "gold", 250000, 600000)
	to.Tiers[5].InvitationOnly = false
	to.Tiers[1].Name = "Argent"
	to.MinAppUsage, to.GraceReviews = 2, 0
	to.ReviewDates = []MonthDay{{time.March, 1}}
	got := policy.Changes(to)
	var texts []string
	for _, c := range got {
		texts = append(texts, c.String())
	}
	want := []string{"tier Silver renamed Argent", "Gold sold credit 2100.00 → 2500.00", "Elite by invitation only true → false",
		"minimum average app usage 3 → 2", "reviews of grace 1 → 0", "review dates 01-15, 07-15 → 03-01"}
	if !reflect.DeepEqual(texts, want) {
		t.Errorf("changes:\n%q\nwant\n%q", texts, want)
	}
	if got[1].Field != ChangeSoldCredit || got[1].Tier.Code != "gold" || got[1].From != 210000 || got[1].To != 250000 {
		t.Errorf("Gold's change: %+v", got[1])
	}
	if n := len(policy.Changes(policy)); n != 0 {
		t.Errorf("the same rules differ by %d changes", n)
	}
}
