package partnerdesk

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Tiers (docs/tiers.md). A partner's performance tier is the highest tier
// it qualifies for today, evaluated by the daily refresh; its assigned tier
// is what the program recognises, changed only at review dates: up to the
// performance tier at once, down only after a review of grace.

// Tier is one level of the program, with what it takes.
type Tier struct {
	Code           string
	Name           string
	Rank           int   // 0 is the entry tier, which takes nothing
	SoldCreditMin  int64 // minor units
	ManagedMRRMin  int64 // minor units
	InvitationOnly bool  // Elite: only for partners the program invited
}

// TierPolicy is the program's tier settings.
type TierPolicy struct {
	Tiers        []Tier     // by rank
	ReviewDates  []MonthDay // e.g. Jan 15 and Jul 15
	GraceReviews int        // reviews below the assigned tier before a demotion (default 1)
	MinAppUsage  int        // the average app usage every tier above the entry tier needs (default 3)
}

// MonthDay is a day of the year, such as a review date.
type MonthDay struct {
	Month time.Month
	Day   int
}

func (md MonthDay) String() string { return fmt.Sprintf("%02d-%02d", int(md.Month), md.Day) }

// ParseReviewDates reads the program's review dates, "MM-DD" separated by
// commas ("01-15,07-15").
func ParseReviewDates(s string) ([]MonthDay, error) {
	var out []MonthDay
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		m, d, ok := strings.Cut(f, "-")
		mm, err1 := strconv.Atoi(m)
		dd, err2 := strconv.Atoi(d)
		if !ok || err1 != nil || err2 != nil || mm < 1 || mm > 12 || dd < 1 || dd > 28 && NewDate(2001, time.Month(mm), dd).Time().Month() != time.Month(mm) {
			return nil, Errorf(EInvalid, "Review date %q is not MM-DD.", f)
		}
		out = append(out, MonthDay{time.Month(mm), dd})
	}
	if len(out) == 0 {
		return nil, Errorf(EInvalid, "The program needs at least one review date.")
	}
	slices.SortFunc(out, func(a, b MonthDay) int { return int(a.Month)*100 + a.Day - int(b.Month)*100 - b.Day })
	return out, nil
}

// LastReview is the latest review date on or before today.
func (p TierPolicy) LastReview(today Date) Date {
	y := today.Time().Year()
	for k := len(p.ReviewDates) - 1; k >= -len(p.ReviewDates); k-- {
		yy, md := y, p.ReviewDates[(k+len(p.ReviewDates))%len(p.ReviewDates)]
		if k < 0 {
			yy--
		}
		if d := NewDate(yy, md.Month, md.Day); !d.After(today) {
			return d
		}
	}
	return Date{}
}

// NextReview is the first review date after today.
func (p TierPolicy) NextReview(today Date) Date {
	y := today.Time().Year()
	for _, yy := range []int{y, y + 1} {
		for _, md := range p.ReviewDates {
			if d := NewDate(yy, md.Month, md.Day); d.After(today) {
				return d
			}
		}
	}
	return Date{}
}

// Tier returns the tier with code, or the entry tier for an unknown code.
func (p TierPolicy) Tier(code string) Tier {
	for _, t := range p.Tiers {
		if t.Code == code {
			return t
		}
	}
	if len(p.Tiers) > 0 {
		return p.Tiers[0]
	}
	return Tier{}
}

// Performance is what a partner's tier is judged on, on one day.
type Performance struct {
	// SoldCredit is the partner's tier credit sold over the last twelve
	// months: its closing credit balance, the sum of its clients' credit.
	// Credit lasts twelve months from a client's last purchase, so the
	// balance is what it sold in the last twelve months, net of clients
	// that downgraded, stopped paying or moved to another partner.
	SoldCredit int64
	// ManagedMRR is the MRR of the clients it manages, split evenly when
	// several partners manage one (SplitEvenly).
	ManagedMRR int64
	// UsageX2 is twice its average app usage (MedianX2), so that the
	// median of an even count stays an integer.
	UsageX2   int
	Certified bool // holds a certification valid today
	Invited   bool // invited to the invitation-only tiers
}

// AppUsage is the average app usage, a median (n.0 or n.5).
func (p Performance) AppUsage() float64 { return float64(p.UsageX2) / 2 }

// Qualifies reports whether p meets everything t takes.
func (pol TierPolicy) Qualifies(t Tier, p Performance) bool {
	if t.Rank == 0 {
		return true // the entry tier: every partner of the program
	}
	return p.Certified && p.UsageX2 >= 2*pol.MinAppUsage &&
		p.SoldCredit >= t.SoldCreditMin && p.ManagedMRR >= t.ManagedMRRMin &&
		(!t.InvitationOnly || p.Invited)
}

// PerformanceTier is the highest tier p qualifies for.
func (pol TierPolicy) PerformanceTier(p Performance) Tier {
	best := pol.Tier("")
	for _, t := range pol.Tiers {
		if t.Rank > best.Rank && pol.Qualifies(t, p) {
			best = t
		}
	}
	return best
}

// TierGap is what a partner still misses for a tier.
type TierGap struct {
	Tier          Tier
	SoldCredit    int64 // more sold credit needed; 0 when met
	ManagedMRR    int64 // more managed MRR needed; 0 when met
	Certification bool  // a valid certification is needed
	AppUsage      bool  // a higher average app usage is needed
	Invitation    bool  // the tier is by invitation, and the partner is not invited
}

// Met reports whether nothing is missing.
func (g TierGap) Met() bool {
	return g.SoldCredit == 0 && g.ManagedMRR == 0 && !g.Certification && !g.AppUsage && !g.Invitation
}

// Gap is what p misses for t: nothing for the entry tier.
func (pol TierPolicy) Gap(t Tier, p Performance) TierGap {
	if t.Rank == 0 {
		return TierGap{Tier: t}
	}
	return TierGap{Tier: t,
		SoldCredit:    max(0, t.SoldCreditMin-p.SoldCredit),
		ManagedMRR:    max(0, t.ManagedMRRMin-p.ManagedMRR),
		Certification: !p.Certified,
		AppUsage:      p.UsageX2 < 2*pol.MinAppUsage,
		Invitation:    t.InvitationOnly && !p.Invited,
	}
}

// NextTier is the tier above current and what p misses for it; false when
// current is the highest.
func (pol TierPolicy) NextTier(current Tier, p Performance) (TierGap, bool) {
	for _, t := range pol.Tiers {
		if t.Rank == current.Rank+1 {
			return pol.Gap(t, p), true
		}
	}
	return TierGap{}, false
}

// NearPercent is how close to a tier a partner is "near" it: within this
// share of each amount the tier requires.
const NearPercent = 10

// Near reports whether p, without qualifying for t, comes within
// NearPercent of every amount t requires (sold credit, managed MRR, the
// average app usage) and meets its other requirements (a valid
// certification, an invitation): what a partner manager can help close
// before the next review.
func (pol TierPolicy) Near(t Tier, p Performance) bool {
	if t.Rank == 0 || pol.Qualifies(t, p) || !p.Certified || t.InvitationOnly && !p.Invited {
		return false
	}
	near := func(have, need int64) bool { return have*100 >= need*(100-NearPercent) }
	return near(p.SoldCredit, t.SoldCreditMin) && near(p.ManagedMRR, t.ManagedMRRMin) &&
		near(int64(p.UsageX2), 2*int64(pol.MinAppUsage))
}

// Review is the outcome of a tier review.
type Review struct {
	Assigned Tier // after the review
	// Below counts the consecutive reviews, this one included, that found
	// the performance below the assigned tier without demoting: the grace
	// being used. 0 when the partner is at or above its tier.
	Below int
}

// Review applies a review date's rule to a partner assigned to assigned
// whose performance tier is perf, below being the count of the reviews
// before it: promotion to the performance tier at once; a demotion (to the
// performance tier) only at a review that finds it below after
// GraceReviews reviews that did.
func (pol TierPolicy) Review(assigned, perf Tier, below int) Review {
	switch {
	case perf.Rank > assigned.Rank:
		return Review{Assigned: perf}
	case perf.Rank == assigned.Rank:
		return Review{Assigned: assigned}
	case below+1 > pol.GraceReviews:
		return Review{Assigned: perf}
	}
	return Review{Assigned: assigned, Below: below + 1}
}

// MedianX2 is twice the median of values (0 for none): the middle value,
// or the sum of the two middle ones. It sorts values.
func MedianX2(values []int) int {
	if len(values) == 0 {
		return 0
	}
	slices.Sort(values)
	n := len(values)
	if n%2 == 1 {
		return 2 * values[n/2]
	}
	return values[n/2-1] + values[n/2]
}

// SplitEvenly shares a client's MRR among the partners that manage it:
// each gets the floor of mrr / n, and the lowest partner id also gets the
// remainder, so the shares add up to mrr exactly. partners must be sorted
// by id; the shares come in the same order.
func SplitEvenly(mrr int64, partners int) []int64 {
	if partners <= 0 {
		return nil
	}
	shares := make([]int64, partners)
	each := mrr / int64(partners)
	for i := range shares {
		shares[i] = each
	}
	shares[0] += mrr - each*int64(partners)
	return shares
}
