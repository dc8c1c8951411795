package partnerdesk

import (
	"cmp"
	"slices"
	"strings"
)

// The partner manager's book (docs/dashboard.md): a partner manager's or
// consultant's partners, and what needs their attention first — partners
// the next review may demote, certifications running out, renewal
// decisions whose deadline is near, partners close to the next tier.

// BookDeadlineDays is how near a renewal decision's deadline must be for
// the book to list it.
const BookDeadlineDays = 14

// BookPartner is one of the book's partners.
type BookPartner struct {
	ID   int64
	Name string
	// Refreshed is false for a partner added since the last daily refresh:
	// it has no figures yet.
	Refreshed   bool
	Assigned    Tier // its assigned tier
	Performance Tier // the tier its figures earn under the rules of the next review
	Figures     Performance
	Below       int  // the reviews in a row that found it below its tier (the grace used)
	CertExpires Date // when its last valid certification expires; zero when none is valid
}

// BookRisk is a partner whose figures are below its assigned tier's
// requirements.
type BookRisk struct {
	*BookPartner
	Gap TierGap // what it misses for its assigned tier
	// Demotion is true when the next review demotes it unless its
	// figures recover; false when that review keeps its tier on grace.
	Demotion bool
}

// BookNear is a partner close to the tier above its own.
type BookNear struct {
	*BookPartner
	Gap TierGap // what it misses for that tier
}

// BookRenewal is a pending renewal decision of one of the partners.
type BookRenewal struct {
	PartnerID    int64
	PartnerName  string
	RenewalID    int64
	ClientName   string
	ContractType string
	RenewalDate  Date
	Deadline     Date
}

// Book is what a partner manager or consultant lands on.
type Book struct {
	Today      Date
	Refreshed  bool // a daily refresh has run: the tier figures are as of AsOf
	AsOf       Date
	NextReview Date
	Policy     TierPolicy    // the rules of the next review
	Partners   []BookPartner // every partner of theirs, by name
	AtRisk     []BookRisk    // demotions first
	Expiring   []*BookPartner
	Renewals   []BookRenewal // soonest deadline first
	Near       []BookNear
}

// Sort fills the book's lists from its partners and renewals, each in the
// order of what needs attention first.
func (b *Book) Sort() {
	b.AtRisk, b.Expiring, b.Near = nil, nil, nil
	for i := range b.Partners {
		p := &b.Partners[i]
		if !p.CertExpires.IsZero() && !p.CertExpires.After(b.Today.AddDays(CertificationAlertDays)) {
			b.Expiring = append(b.Expiring, p)
		}
		if !p.Refreshed {
			continue
		}
		if p.Performance.Rank < p.Assigned.Rank {
			b.AtRisk = append(b.AtRisk, BookRisk{BookPartner: p, Gap: b.Policy.Gap(p.Assigned, p.Figures),
				Demotion: p.Below+1 > b.Policy.GraceReviews})
			continue
		}
		// The next tier is above both its tiers: the one a review would
		// promote it to.
		above := p.Performance
		if p.Assigned.Rank > above.Rank {
			above = p.Assigned
		}
		if g, ok := b.Policy.NextTier(above, p.Figures); ok && b.Policy.Near(g.Tier, p.Figures) {
			b.Near = append(b.Near, BookNear{BookPartner: p, Gap: g})
		}
	}
	byName := func(a, c *BookPartner) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(c.Name)), cmp.Compare(a.ID, c.ID))
	}
	slices.SortStableFunc(b.AtRisk, func(a, c BookRisk) int {
		if a.Demotion != c.Demotion {
			if a.Demotion {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(c.Assigned.Rank, a.Assigned.Rank), byName(a.BookPartner, c.BookPartner))
	})
	slices.SortStableFunc(b.Expiring, func(a, c *BookPartner) int {
		return cmp.Or(a.CertExpires.Time().Compare(c.CertExpires.Time()), byName(a, c))
	})
	slices.SortStableFunc(b.Renewals, func(a, c BookRenewal) int {
		return cmp.Or(a.Deadline.Time().Compare(c.Deadline.Time()), cmp.Compare(a.RenewalID, c.RenewalID))
	})
	slices.SortStableFunc(b.Near, func(a, c BookNear) int {
		return cmp.Or(cmp.Compare(c.Gap.Tier.Rank, a.Gap.Tier.Rank), byName(a.BookPartner, c.BookPartner))
	})
}

// Attention counts the lines that need attention.
func (b *Book) Attention() int {
	return len(b.AtRisk) + len(b.Expiring) + len(b.Renewals) + len(b.Near)
}
