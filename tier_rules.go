package partnerdesk

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The tier rules over time (docs/tiers.md). A change of the rules takes
// effect from a date and the rules before it are kept, so that every day
// is judged by the rules in force on it: the daily refresh evaluates a day
// with that day's rules, and a past review stays what its rules made it.

// TierRuleSet is the program's tier rules from a day on.
type TierRuleSet struct {
	From   Date // the first day they apply; zero for the rules the program started with
	Policy TierPolicy
}

// TierRules is the program's tier rules over time: the rules it started
// with, and each change from the day it takes effect.
type TierRules struct {
	Base    TierPolicy
	Changes []TierRuleSet // by From, each after the one before
}

// Set is the rule set in force on day.
func (r TierRules) Set(day Date) TierRuleSet {
	set := TierRuleSet{Policy: r.Base}
	for _, c := range r.Changes {
		if c.From.After(day) {
			break
		}
		set = c
	}
	return set
}

// On is the policy in force on day.
func (r TierRules) On(day Date) TierPolicy { return r.Set(day).Policy }

// Before is the rule set in force the day before from: what a change from
// that day replaces.
func (r TierRules) Before(from Date) TierRuleSet { return r.Set(from.AddDays(-1)) }

// NextChange is the first change that takes effect after day.
func (r TierRules) NextChange(day Date) (TierRuleSet, bool) {
	for _, c := range r.Changes {
		if c.From.After(day) {
			return c, true
		}
	}
	return TierRuleSet{}, false
}

// NextReview is the first review date after day, by the review dates in
// force at the time: a change of the review dates that takes effect before
// the next review of the rules of day moves it.
func (r TierRules) NextReview(day Date) Date {
	pol, after, since := r.On(day), day, day
	for {
		next := pol.NextReview(after)
		c, ok := r.NextChange(since)
		if !ok || next.Before(c.From) {
			return next
		}
		// The change comes first: the review is its rules' first on or
		// after it, unless a later change comes first again.
		pol, after, since = c.Policy, c.From.AddDays(-1), c.From
	}
}

// Bounds of the settings a program admin may give the tiers.
const (
	MaxTierNameLen  = 100
	MaxGraceReviews = 10
)

// Validate checks rules before they are saved or previewed, and tidies the
// tiers' names. The entry tier takes nothing; each tier needs at least the
// amounts of the tier below it.
func (pol *TierPolicy) Validate() error {
	var bad []string
	seen := map[string]bool{}
	for i := range pol.Tiers {
		t := &pol.Tiers[i]
		t.Name = strings.TrimSpace(t.Name)
		switch {
		case t.Name == "" || utf8.RuneCountInString(t.Name) > MaxTierNameLen || !utf8.ValidString(t.Name):
			bad = append(bad, fmt.Sprintf("Each tier needs a name of at most %d characters.", MaxTierNameLen))
		case seen[strings.ToLower(t.Name)]:
			bad = append(bad, fmt.Sprintf("Two tiers are named %q.", t.Name))
		}
		seen[strings.ToLower(t.Name)] = true
		if t.SoldCreditMin < 0 || t.ManagedMRRMin < 0 || t.SoldCreditMin > MaxMoney || t.ManagedMRRMin > MaxMoney {
			bad = append(bad, fmt.Sprintf("%s's minimums must be amounts from zero.", t.Name))
			continue
		}
		if i == 0 {
			if t.SoldCreditMin != 0 || t.ManagedMRRMin != 0 || t.InvitationOnly {
				bad = append(bad, fmt.Sprintf("%s is the entry tier: it takes nothing and needs no invitation.", t.Name))
			}
			continue
		}
		if below := pol.Tiers[i-1]; t.SoldCreditMin < below.SoldCreditMin || t.ManagedMRRMin < below.ManagedMRRMin {
			bad = append(bad, fmt.Sprintf("%s must need at least the sold credit and managed MRR that %s needs.", t.Name, below.Name))
		}
	}
	if len(pol.Tiers) == 0 {
		bad = append(bad, "The program needs at least its entry tier.")
	}
	if pol.MinAppUsage < 0 || pol.MinAppUsage > len(Tools) {
		bad = append(bad, fmt.Sprintf("The minimum average app usage is from 0 to %d tools.", len(Tools)))
	}
	if pol.GraceReviews < 0 || pol.GraceReviews > MaxGraceReviews {
		bad = append(bad, fmt.Sprintf("The reviews of grace are from 0 to %d.", MaxGraceReviews))
	}
	if len(pol.ReviewDates) == 0 {
		bad = append(bad, "The program needs at least one review date.")
	}
	for i := 1; i < len(pol.ReviewDates); i++ {
		if pol.ReviewDates[i] == pol.ReviewDates[i-1] {
			bad = append(bad, fmt.Sprintf("The review date %s is given twice.", pol.ReviewDates[i]))
		}
	}
	if len(bad) > 0 {
		return Errorf(EInvalid, "%s", strings.Join(slices.Compact(bad), " "))
	}
	return nil
}

// ReviewDatesText writes the review dates as ParseReviewDates reads them.
func (pol TierPolicy) ReviewDatesText() string {
	s := make([]string, len(pol.ReviewDates))
	for i, md := range pol.ReviewDates {
		s[i] = md.String()
	}
	return strings.Join(s, ", ")
}

// What a TierChange changes.
const (
	ChangeName        = "name"
	ChangeSoldCredit  = "sold_credit"
	ChangeManagedMRR  = "managed_mrr"
	ChangeInvitation  = "invitation_only"
	ChangeAppUsage    = "min_app_usage"
	ChangeGrace       = "grace_reviews"
	ChangeReviewDates = "review_dates"
)

// TierChange is one difference between two sets of rules.
type TierChange struct {
	Field string
	Tier  Tier // the tier changed, as the new rules have it (tier fields only)
	// From and To are the amounts, counts or (0 and 1) the invitation;
	// FromText and ToText the names and the review dates.
	From, To         int64
	FromText, ToText string
}

// String describes the change for the audit log.
func (c TierChange) String() string {
	switch c.Field {
	case ChangeName:
		return fmt.Sprintf("tier %s renamed %s", c.FromText, c.ToText)
	case ChangeSoldCredit:
		return fmt.Sprintf("%s sold credit %s → %s", c.Tier.Name, minorText(c.From), minorText(c.To))
	case ChangeManagedMRR:
		return fmt.Sprintf("%s managed MRR %s → %s", c.Tier.Name, minorText(c.From), minorText(c.To))
	case ChangeInvitation:
		return fmt.Sprintf("%s by invitation only %t → %t", c.Tier.Name, c.From == 1, c.To == 1)
	case ChangeAppUsage:
		return fmt.Sprintf("minimum average app usage %d → %d", c.From, c.To)
	case ChangeGrace:
		return fmt.Sprintf("reviews of grace %d → %d", c.From, c.To)
	}
	return fmt.Sprintf("review dates %s → %s", c.FromText, c.ToText)
}

// minorText writes minor units as a plain amount (the audit log's).
func minorText(v int64) string { return fmt.Sprintf("%d.%02d", v/100, v%100) }

// Changes lists what to changes of pol: tier by tier (by rank), then the
// program-wide settings.
func (pol TierPolicy) Changes(to TierPolicy) []TierChange {
	var out []TierChange
	b2i := func(b bool) int64 {
		if b {
			return 1
		}
		return 0
	}
	for _, t := range to.Tiers {
		var f Tier
		found := false
		for _, x := range pol.Tiers {
			if x.Code == t.Code {
				f, found = x, true
			}
		}
		if !found {
			continue
		}
		if f.Name != t.Name {
			out = append(out, TierChange{Field: ChangeName, Tier: t, FromText: f.Name, ToText: t.Name})
		}
		if f.SoldCreditMin != t.SoldCreditMin {
			out = append(out, TierChange{Field: ChangeSoldCredit, Tier: t, From: f.SoldCreditMin, To: t.SoldCreditMin})
		}
		if f.ManagedMRRMin != t.ManagedMRRMin {
			out = append(out, TierChange{Field: ChangeManagedMRR, Tier: t, From: f.ManagedMRRMin, To: t.ManagedMRRMin})
		}
		if f.InvitationOnly != t.InvitationOnly {
			out = append(out, TierChange{Field: ChangeInvitation, Tier: t, From: b2i(f.InvitationOnly), To: b2i(t.InvitationOnly)})
		}
	}
	if pol.MinAppUsage != to.MinAppUsage {
		out = append(out, TierChange{Field: ChangeAppUsage, From: int64(pol.MinAppUsage), To: int64(to.MinAppUsage)})
	}
	if pol.GraceReviews != to.GraceReviews {
		out = append(out, TierChange{Field: ChangeGrace, From: int64(pol.GraceReviews), To: int64(to.GraceReviews)})
	}
	if a, b := pol.ReviewDatesText(), to.ReviewDatesText(); a != b {
		out = append(out, TierChange{Field: ChangeReviewDates, FromText: a, ToText: b})
	}
	return out
}
