package credit

import (
	"slices"
	"strings"
)

// Flows are a partner's credit movements over a period, by summary column.
// Every field is non-negative.
type Flows struct {
	New         int64 `json:"new"`
	Upgraded    int64 `json:"upgraded"` // includes returning clients
	Decreased   int64 `json:"decreased"`
	ExpiredLost int64 `json:"expired_lost"` // expired, lost and transferred
}

func (f *Flows) add(k Kind, amount int64) {
	switch k {
	case KindNew:
		f.New += amount
	case KindUpgraded, KindReturning:
		f.Upgraded += amount
	case KindDecreased:
		f.Decreased += amount
	default:
		f.ExpiredLost += amount
	}
}

func (f *Flows) plus(g *Flows) {
	f.New += g.New
	f.Upgraded += g.Upgraded
	f.Decreased += g.Decreased
	f.ExpiredLost += g.ExpiredLost
}

// Net is the change the flows make to the credit.
func (f Flows) Net() int64 { return f.New + f.Upgraded - f.Decreased - f.ExpiredLost }

// monthFlows are one partner's flows by month, for the months from base
// on: a partner's history spans a few dozen months, so a slice beats a
// map lookup per movement.
type monthFlows struct {
	base   Month
	months []Flows
}

func (f *monthFlows) at(m Month) *Flows {
	switch {
	case len(f.months) == 0:
		f.base = m
		f.months = make([]Flows, 1, 16)
	case m < f.base:
		f.months = append(make([]Flows, f.base-m, int(f.base-m)+len(f.months)+16), f.months...)
		f.base = m
	case int(m-f.base) >= len(f.months):
		f.months = append(f.months, make([]Flows, int(m-f.base)-len(f.months)+1)...)
	}
	return &f.months[m-f.base]
}

// MonthSummary is a partner's credit over one month. Closing = Opening +
// New + Upgraded − Decreased − ExpiredLost, and it equals the sum of the
// credit of the partner's clients at the end of the month.
type MonthSummary struct {
	Month   Month `json:"month"`
	Opening int64 `json:"opening"`
	Flows
	Closing int64 `json:"closing"`
}

// PartnerSummary lists a partner's months.
type PartnerSummary struct {
	Partner string         `json:"partner"`
	Months  []MonthSummary `json:"months"`
}

// Summaries returns, for every partner named by an event, sorted by
// partner, each month from from to to (every month, moving or not). The
// first opening includes all history before from. Call AdvanceTo with
// to.Last() or later first, or the last months miss expiries.
func (l *Ledger) Summaries(from, to Month) []PartnerSummary {
	n := max(int(to-from)+1, 0)
	opening := make([]int64, len(l.partners.list))
	rows := make([][]MonthSummary, len(l.partners.list))
	for p := range rows {
		rows[p] = make([]MonthSummary, n)
		for i := range rows[p] {
			rows[p][i].Month = from + Month(i)
		}
	}
	for p, mf := range l.flows {
		for i := range mf.months {
			switch m := mf.base + Month(i); {
			case m < from:
				opening[p] += mf.months[i].Net()
			case m <= to:
				rows[p][m-from].plus(&mf.months[i])
			}
		}
	}
	out := make([]PartnerSummary, len(rows))
	for p, months := range rows {
		bal := opening[p]
		for i := range months {
			months[i].Opening = bal
			bal += months[i].Net()
			months[i].Closing = bal
		}
		out[p] = PartnerSummary{Partner: l.partners.list[p], Months: months}
	}
	slices.SortFunc(out, func(a, b PartnerSummary) int { return strings.Compare(a.Partner, b.Partner) })
	return out
}
