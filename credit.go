package partnerdesk

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Tier credit as the Tier tab shows it: the daily refresh runs the ledger
// (package credit) and stores each partner's months and each client's
// movements; these types carry them to the pages, and the functions here
// cut them by period without running the ledger again.

// Movement kinds (docs/credit.md, Movements), as the ledger names them.
const (
	MoveNew         = "new"
	MoveUpgraded    = "upgraded"
	MoveReturning   = "returning" // an upgrade: a client coming back
	MoveDecreased   = "decreased"
	MoveLost        = "lost"
	MoveExpired     = "expired"
	MoveTransferred = "transferred" // lost to another partner's purchase
)

// CreditMovement is one day's change of a client's credit for a partner.
type CreditMovement struct {
	Day    Date
	Kind   string
	Amount int64 // positive; Delta gives the sign
}

// Won reports whether the movement adds credit (new, upgraded, returning).
func (m CreditMovement) Won() bool {
	return m.Kind == MoveNew || m.Kind == MoveUpgraded || m.Kind == MoveReturning
}

// Delta is the signed change.
func (m CreditMovement) Delta() int64 {
	if m.Won() {
		return m.Amount
	}
	return -m.Amount
}

// ClientCredit is a client's credit with one partner: where it stands on
// the refresh's day, and every movement it made for the partner.
type ClientCredit struct {
	ClientID  int64
	AccountID string
	Name      string
	Active    bool // an active client of the partner: its name opens the client panel
	Credit    int64
	// LastPurchase and Expires are set while the partner holds the
	// client's credit: it ends on Expires unless the client buys again.
	LastPurchase Date
	Expires      Date
	Movements    []CreditMovement // by day
}

// CreditMonth is a partner's credit over one month. Closing = Opening +
// New + Upgraded − Decreased − ExpiredLost.
type CreditMonth struct {
	Month       Date // its first day
	Opening     int64
	New         int64
	Upgraded    int64 // returning clients included
	Decreased   int64
	ExpiredLost int64 // expired, lost and transferred
	Closing     int64
}

// Period is a range of whole months, From's first day to To's last.
type Period struct{ From, To Date }

// Contains reports whether d falls in the period.
func (p Period) Contains(d Date) bool { return !d.Before(p.From) && !d.After(MonthEnd(p.To)) }

// AddMonths moves the first day of a month by n months.
func AddMonths(month Date, n int) Date {
	t := month.Time()
	return NewDate(t.Year(), t.Month()+time.Month(n), 1)
}

// ParseMonth reads "YYYY-MM" as its first day.
func ParseMonth(s string) (Date, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return Date{}, Errorf(EInvalid, "Month %q is not YYYY-MM.", s)
	}
	return NewDate(t.Year(), t.Month(), 1), nil
}

// CreditLine is one client's line in a breakdown list.
type CreditLine struct {
	*ClientCredit
	New, Upgraded          int64 // won in the period
	Decreased, Expired     int64 // lost in the period (Expired: expired, lost, transferred)
	Closing                int64 // the client's credit at the end of the period
	Returning, Transferred bool
}

// Won is the credit the client brought in the period.
func (l CreditLine) Won() int64 { return l.New + l.Upgraded }

// Lost is the credit the client took away in the period.
func (l CreditLine) Lost() int64 { return l.Decreased + l.Expired }

// Breakdown is a partner's credit over a period with the clients behind it.
type Breakdown struct {
	Period
	CreditMonth              // the period's flows; Month is its first month
	Total       []CreditLine // the clients whose credit makes up the closing
	Won         []CreditLine // the clients with new or upgraded credit
	Lost        []CreditLine // the clients with expired, lost or decreased credit
}

// BreakdownOf cuts clients' movements by period: it is the Tier tab's
// "Total tier credit sold breakdown". Its flows equal the sum of the
// partner's months over the period.
func BreakdownOf(p Period, clients []ClientCredit) Breakdown {
	b := Breakdown{Period: p}
	b.Month = p.From
	for i := range clients {
		c := &clients[i]
		l := CreditLine{ClientCredit: c}
		moved := false
		for _, m := range c.Movements {
			if m.Day.Before(p.From) {
				l.Closing += m.Delta()
				continue
			}
			if !p.Contains(m.Day) {
				break
			}
			moved = true
			l.Closing += m.Delta()
			switch m.Kind {
			case MoveNew:
				l.New += m.Amount
			case MoveUpgraded:
				l.Upgraded += m.Amount
			case MoveReturning:
				l.Upgraded += m.Amount
				l.Returning = true
			case MoveDecreased:
				l.Decreased += m.Amount
			case MoveTransferred:
				l.Expired += m.Amount
				l.Transferred = true
			default:
				l.Expired += m.Amount
			}
		}
		b.Opening += l.Closing - l.Won() + l.Lost()
		b.New += l.New
		b.Upgraded += l.Upgraded
		b.Decreased += l.Decreased
		b.ExpiredLost += l.Expired
		b.Closing += l.Closing
		if l.Closing > 0 {
			b.Total = append(b.Total, l)
		}
		if moved && l.Won() > 0 {
			b.Won = append(b.Won, l)
		}
		if moved && l.Lost() > 0 {
			b.Lost = append(b.Lost, l)
		}
	}
	return b
}

// CreditSorts are the columns a breakdown list sorts by.
var CreditSorts = []string{"client", "amount", "new", "upgraded", "decreased", "expired", "expires"}

// SortCreditLines orders a breakdown list: by client name (names must be
// filled in), or by an amount (amount is the list's own: closing, won or
// lost), ties by client id, so that pages are stable.
func SortCreditLines(lines []CreditLine, list, col string, desc bool) {
	key := func(l *CreditLine) int64 {
		switch col {
		case "new":
			return l.New
		case "upgraded":
			return l.Upgraded
		case "decreased":
			return l.Decreased
		case "expired":
			return l.Expired
		case "expires":
			return l.Expires.Time().Unix()
		}
		switch list {
		case "won":
			return l.Won()
		case "lost":
			return l.Lost()
		}
		return l.Closing
	}
	// Keys first: a comparison must not lowercase names or call
	// methods thousands of times.
	type keyed struct {
		name string
		n    int64
		i    int
	}
	keys := make([]keyed, len(lines))
	for i := range lines {
		k := keyed{i: i}
		if col == "client" {
			k.name = strings.ToLower(lines[i].Name)
		} else {
			k.n = key(&lines[i])
		}
		keys[i] = k
	}
	slices.SortFunc(keys, func(a, b keyed) int {
		c := cmp.Or(strings.Compare(a.name, b.name), cmp.Compare(a.n, b.n), cmp.Compare(lines[a.i].ClientID, lines[b.i].ClientID))
		if desc {
			return -c
		}
		return c
	})
	sorted := make([]CreditLine, len(lines))
	for i, k := range keys {
		sorted[i] = lines[k.i]
	}
	copy(lines, sorted)
}

// CurrentLines are the lines of the Total list of a period that ends with
// the snapshot's month, from the clients holding credit: no movements
// needed.
func CurrentLines(credit []ClientCredit) []CreditLine {
	out := make([]CreditLine, len(credit))
	for i := range credit {
		out[i] = CreditLine{ClientCredit: &credit[i], Closing: credit[i].Credit}
	}
	return out
}

// MonthMoves is one client's movements in a month, for the chart's detail.
type MonthMoves struct {
	*ClientCredit
	Movements []CreditMovement
	Net       int64
}

// MovementsIn lists, client by client, the movements of month (largest
// change first).
func MovementsIn(month Date, clients []ClientCredit) []MonthMoves {
	p := Period{month, month}
	var out []MonthMoves
	for i := range clients {
		var mm MonthMoves
		for _, m := range clients[i].Movements {
			if p.Contains(m.Day) {
				mm.Movements = append(mm.Movements, m)
				mm.Net += m.Delta()
			}
		}
		if len(mm.Movements) > 0 {
			mm.ClientCredit = &clients[i]
			out = append(out, mm)
		}
	}
	slices.SortStableFunc(out, func(a, b MonthMoves) int {
		return cmp.Or(cmp.Compare(abs(b.Net), abs(a.Net)), strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ClientID, b.ClientID))
	})
	return out
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// ExpiringMonth is the credit that expires in one month if the clients
// buy nothing more.
type ExpiringMonth struct {
	Month   Date
	Amount  int64
	Clients []*ClientCredit // largest credit first
}

// ExpiringSoon lists the credit that expires in each of the n months from
// today's (the rest of this month, then whole months).
func ExpiringSoon(today Date, n int, clients []ClientCredit) []ExpiringMonth {
	out := make([]ExpiringMonth, n)
	first := MonthStart(today)
	for i := range out {
		out[i].Month = AddMonths(first, i)
	}
	for i := range clients {
		c := &clients[i]
		if c.Credit <= 0 || c.Expires.IsZero() || c.Expires.Before(first) {
			continue
		}
		t, f := c.Expires.Time(), first.Time()
		k := (t.Year()-f.Year())*12 + int(t.Month()-f.Month())
		if k < n {
			out[k].Amount += c.Credit
			out[k].Clients = append(out[k].Clients, c)
		}
	}
	for i := range out {
		slices.SortStableFunc(out[i].Clients, func(a, b *ClientCredit) int {
			return cmp.Or(cmp.Compare(b.Credit, a.Credit), cmp.Compare(a.Expires.Time().Unix(), b.Expires.Time().Unix()), cmp.Compare(a.ClientID, b.ClientID))
		})
	}
	return out
}

// TierQuery says what DB.TierTab reads besides the main report.
type TierQuery struct {
	Months    Period // the months to list, every one of them; none when zero
	AllMonths bool   // or the partner's stored months: its first with credit to the snapshot's
	// Current asks for a page of the clients holding credit on the
	// snapshot's day (ClientID, Credit, Expires: no movements): the Total
	// list of a period that ends with the snapshot's month.
	Current *CreditPage
	// ExpiringMonths asks for the clients whose credit expires in the
	// this many months from the snapshot's (ExpiringSoon's input).
	ExpiringMonths int
	// History asks for every client the partner has credit history with,
	// movements included; with HistoryMonth, only those that moved in it.
	History      bool
	HistoryMonth Date
}

// TierTab is what the Tier tab shows, all from one refresh. Clients come
// without their names: see DB.NameCreditClients.
type TierTab struct {
	Report       TierReport
	Months       []CreditMonth
	Current      []ClientCredit
	CurrentTotal int // the clients holding credit, over all pages
	Expiring     []ClientCredit
	Clients      []ClientCredit
}

// CreditPage is a page of the clients holding credit, sorted by Sort:
// "client" (name), "expires", or else the amount; Limit 0 is every one.
type CreditPage struct {
	Sort          string
	Desc          bool
	Offset, Limit int
}

// TierReport is the Tier tab's main report: the daily refresh's snapshot
// of one partner.
type TierReport struct {
	Refreshed   bool      // false until the first daily refresh
	TakenAt     time.Time // when the refresh took the snapshot (UTC)
	AsOf        Date      // the day its figures are as of
	Policy      TierPolicy
	Assigned    Tier
	Assignment  *TierAssignment // the tier set by hand that it is at, if so
	Performance Tier            // the tier it qualifies for today
	Figures     Performance
	Next        *TierGap // nil at the highest tier
	// ManagedClients and UsageClients count the clients behind the
	// managed MRR and the average app usage.
	ManagedClients int
	UsageClients   int
	Certifications []Certification
	// Below is the reviews in a row that found it below its assigned tier
	// (the grace it used); NextReview the next review date.
	Below      int
	NextReview Date
}

// Grace reports whether the partner keeps its assigned tier on grace,
// after a review found its performance below it.
func (r TierReport) Grace() bool { return r.Below > 0 }

// DemotionDue reports whether the grace is used up: the next review
// demotes the partner unless its performance recovers.
func (r TierReport) DemotionDue() bool { return r.Below > 0 && r.Below >= r.Policy.GraceReviews }
