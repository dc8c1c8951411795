package partnerdesk

import (
	"strconv"
	"time"
)

// The platform engagement index page: buckets, the monthly trend, and the
// rules that pick at-risk clients and upgrade and cross-sell candidates.
// The index itself is EngagementIndex (catalog.go).

// Opportunity rules (documented in docs/engagement.md).
const (
	// UpgradeMinIndex: upgrade candidates are in the High bucket, that is
	// they use most of what their subscriptions include.
	UpgradeMinIndex = 7
	// A hub whose included tools a client uses at least
	// HubFullNum/HubFullDen of is one it has outgrown.
	HubFullNum, HubFullDen = 3, 4
	// CrossSellMinClients is the fewest clients of a size band that say
	// what "most clients of that size" own.
	CrossSellMinClients = 5
)

// SizeBand is a range of company sizes, by employees.
type SizeBand struct {
	Min, Max int // Max 0: no upper bound
}

// SizeBands are the company sizes cross-selling compares clients within.
var SizeBands = []SizeBand{{0, 9}, {10, 49}, {50, 249}, {250, 999}, {1000, 0}}

// SizeBandOf is the index in SizeBands of a company with n employees.
func SizeBandOf(n int) int {
	for i, b := range SizeBands {
		if b.Max == 0 || n <= b.Max {
			return i
		}
	}
	return len(SizeBands) - 1
}

// hubMasks and upgradeMask are computed once: the engagement page applies
// them to every client of a partner.
var (
	hubMasks = func() map[string]int64 {
		m := map[string]int64{}
		for _, p := range Products {
			m[p.Hub] |= p.Mask()
		}
		return m
	}()
	upgradeMask = func() int64 {
		var m int64
		for _, p := range Products {
			if p.Edition < Enterprise {
				m |= p.Mask()
			}
		}
		return m
	}()
)

// HubMask is the mask of every edition of hub.
func HubMask(hub string) int64 { return hubMasks[hub] }

// UpgradeMask is the mask of the products that have a higher edition: a
// client owning any of them can upgrade.
func UpgradeMask() int64 { return upgradeMask }

// hubEdition is the highest edition of hub in mask, 0 when not owned.
func hubEdition(mask int64, hub string) Edition {
	var e Edition
	for _, p := range ProductsIn(mask) {
		if p.Hub == hub && p.Edition > e {
			e = p.Edition
		}
	}
	return e
}

// UpgradeSuggestions names the next edition of each hub below Enterprise
// whose included tools the client uses at least three quarters of; when
// none does, the next edition of its most used hub below Enterprise. A
// client with nothing left to upgrade gets none.
func UpgradeSuggestions(mask, tools int64) []Product {
	e := EngagementIndex(mask, tools)
	var full []Product
	var best Product
	bestShare := -1.0
	for _, cu := range e.Breakdown {
		ed := hubEdition(mask, cu.Category)
		if cu.Category == "crm" || ed == 0 || ed == Enterprise || cu.Included == 0 {
			continue
		}
		next, _ := productOf(cu.Category, ed+1)
		if cu.Used*HubFullDen >= cu.Included*HubFullNum {
			full = append(full, next)
		}
		if share := float64(cu.Used) / float64(cu.Included); share > bestShare {
			best, bestShare = next, share
		}
	}
	if len(full) == 0 && bestShare >= 0 {
		return []Product{best}
	}
	return full
}

func productOf(hub string, e Edition) (Product, bool) {
	for _, p := range Products {
		if p.Hub == hub && p.Edition == e {
			return p, true
		}
	}
	return Product{}, false
}

// CommonHubs are the hubs that most (more than half) of a size band's
// clients own, given the band's client count and the owners of each hub
// (in Hubs order); a band with fewer than CrossSellMinClients clients says
// nothing.
func CommonHubs(clients int, owners []int) []string {
	if clients < CrossSellMinClients {
		return nil
	}
	var hs []string
	for i, h := range Hubs {
		if i < len(owners) && 2*owners[i] > clients {
			hs = append(hs, h)
		}
	}
	return hs
}

// MissingHubs are the hubs of common that mask has no edition of.
func MissingHubs(mask int64, common []string) []string {
	var hs []string
	for _, h := range common {
		if mask&HubMask(h) == 0 {
			hs = append(hs, h)
		}
	}
	return hs
}

// EngagementMonth is a partner's engagement at the end of a month (or,
// for the current month, today).
type EngagementMonth struct {
	Month    Date // the first day of the month
	Clients  int
	IndexSum int
	Low      int
	Medium   int
	High     int
	Current  bool // the month in progress: figures as of today
}

// Add counts one client with index i.
func (m *EngagementMonth) Add(i int) {
	m.Clients++
	m.IndexSum += i
	switch EngagementBucket(i) {
	case BucketLow:
		m.Low++
	case BucketMedium:
		m.Medium++
	default:
		m.High++
	}
}

// Average is the mean index in tenths (63 means 6.3), rounded half up,
// so that it is exact and formats without floating point.
func (m EngagementMonth) Average() int {
	if m.Clients == 0 {
		return 0
	}
	return (20*m.IndexSum + m.Clients) / (2 * m.Clients)
}

// AverageText is the average index with one decimal, e.g. "6.3".
func (m EngagementMonth) AverageText() string {
	a := m.Average()
	return strconv.Itoa(a/10) + "." + strconv.Itoa(a%10)
}

// Count is the number of clients in bucket b.
func (m EngagementMonth) Count(b string) int {
	switch b {
	case BucketLow:
		return m.Low
	case BucketMedium:
		return m.Medium
	}
	return m.High
}

// MonthStart is the first day of d's month.
func MonthStart(d Date) Date { return NewDate(d.Time().Year(), d.Time().Month(), 1) }

// MonthEnd is the last day of d's month.
func MonthEnd(d Date) Date { return NewDate(d.Time().Year(), d.Time().Month()+1, 0) }

// TrendMonths are the first days of the n months ending with today's,
// oldest first.
func TrendMonths(today Date, n int) []Date {
	ms := make([]Date, n)
	first := MonthStart(today)
	for i := range ms {
		ms[i] = NewDate(first.Time().Year(), first.Time().Month()-time.Month(n-1-i), 1)
	}
	return ms
}

// AtRiskClient is a Low-bucket client with a pending renewal inside the
// horizon: renewed or decided contracts are not at risk.
type AtRiskClient struct {
	Client
	RenewalID   int64
	RenewalDate Date
	Deadline    Date
	Status      string
}

// UpgradeCandidate is a client that uses most of what its subscriptions
// include, with the upgrades that fit.
type UpgradeCandidate struct {
	Client
	Suggestions []Product
}

// CrossSellCandidate is a client missing hubs that most clients of its
// size own.
type CrossSellCandidate struct {
	Client
	Missing []string
}

// EngagementOverview is the platform engagement index page.
type EngagementOverview struct {
	Today       Date
	Now         EngagementMonth   // the partner's clients today
	Trend       []EngagementMonth // the last 12 months, oldest first, the current one last
	AtRisk      []AtRiskClient
	AtRiskTotal int
	Upgrades    []UpgradeCandidate
	UpgradeTot  int
	CrossSells  []CrossSellCandidate
	CrossTot    int
	Bucket      []Client // a bucket's clients, when asked for
	BucketTotal int
}
