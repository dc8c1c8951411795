package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	pd "github.com/partnerdesk/partnerdesk"
)

// The Tier tab: the main report, the chart of credit over time with a
// month's movements, the breakdown of a period with its Total, Won and
// Lost lists, and the credit expiring soon. Everything comes from the last
// daily refresh's snapshot (store.TierTab), read in one transaction.

// tierView is the Tier tab.
type tierView struct {
	URL    *url.URL
	Report pd.TierReport
	Chart  *chart
	// Month is the chart month whose movements are listed; Moves its
	// clients.
	Month pd.Date
	Moves []pd.MonthMoves
	// The breakdown of Period, and its list (total, won or lost), sorted
	// and paged.
	Period    pd.Period
	Months    []pd.Date // the months a period may start or end with
	Flows     pd.CreditMonth
	List      string
	Lines     []pd.CreditLine
	Sort      string
	Desc      bool
	PageNo    int
	Pages     int
	ListTotal int
	Expiring  []pd.ExpiringMonth
}

const (
	chartMonths  = 24 // months the chart shows
	tierPageSize = 50
	expiringList = 10 // clients listed per expiring month
)

var tierLists = []string{"total", "won", "lost"}

// tierQuery is the Tier tab's query string, checked.
type tierQuery struct {
	from, to, month pd.Date // zero: the default
	list, sort      string
	desc            bool
	page            int
}

func parseTierQuery(q url.Values) (tierQuery, error) {
	tq := tierQuery{list: q.Get("list"), sort: q.Get("sort"), desc: q.Get("dir") != "asc", page: 1}
	for _, f := range []struct {
		key string
		dst *pd.Date
	}{{"from", &tq.from}, {"to", &tq.to}, {"month", &tq.month}} {
		if v := q.Get(f.key); v != "" {
			m, err := pd.ParseMonth(v)
			if err != nil {
				return tq, err
			}
			*f.dst = m
		}
	}
	if tq.list == "" {
		tq.list = "total"
	}
	if !slices.Contains(tierLists, tq.list) && tq.list != "expiring" {
		return tq, pd.Errorf(pd.EInvalid, "Unknown list %q.", tq.list)
	}
	if tq.sort == "" {
		tq.sort = "amount"
	}
	if !slices.Contains(pd.CreditSorts, tq.sort) {
		return tq, pd.Errorf(pd.EInvalid, "Unknown sort column %q.", tq.sort)
	}
	if d := q.Get("dir"); d != "" && d != "asc" && d != "desc" {
		return tq, pd.Errorf(pd.EInvalid, "Sort direction must be asc or desc.")
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			return tq, pd.Errorf(pd.EInvalid, "Page must be a whole number from 1.")
		}
		tq.page = n
	}
	return tq, nil
}

// period is the breakdown's period: by default the twelve months to the
// snapshot's month.
func (tq tierQuery) period(asOf pd.Date) (pd.Period, error) {
	last := pd.MonthStart(asOf)
	p := pd.Period{From: tq.from, To: tq.to}
	if p.To.IsZero() {
		p.To = last
	}
	if p.From.IsZero() {
		p.From = pd.AddMonths(p.To, -11)
	}
	switch {
	case p.To.After(last):
		return p, pd.Errorf(pd.EInvalid, "Tier credit is computed through %s.", asOf.Format("January 2006"))
	case p.To.Before(p.From):
		return p, pd.Errorf(pd.EInvalid, "The period ends before it starts.")
	}
	return p, nil
}

// loadTier reads the snapshot for the Tier tab or its export, in one
// transaction: the report, the partner's months and every client it has
// credit history with; and works out the breakdown's and the chart's
// periods from the snapshot's day.
func (s *Server) loadTier(r *http.Request, tq tierQuery) (tab *pd.TierTab, p, chartP pd.Period, err error) {
	tab, err = s.db.TierTab(r.Context(), pd.TierQuery{AllMonths: true, Clients: true})
	if err != nil || !tab.Report.Refreshed {
		return tab, p, chartP, err
	}
	last := pd.MonthStart(tab.Report.AsOf)
	chartP = pd.Period{From: pd.AddMonths(last, 1-chartMonths), To: last}
	p, err = tq.period(tab.Report.AsOf)
	return tab, p, chartP, err
}

func (s *Server) tierPage(w http.ResponseWriter, r *http.Request) error {
	tq, err := parseTierQuery(r.URL.Query())
	if err != nil {
		return err
	}
	tv := &tierView{URL: r.URL, List: tq.list, Sort: tq.sort, Desc: tq.desc, PageNo: tq.page}
	v, err := s.dashboard(r, "clients", tv)
	if err != nil {
		return err
	}
	tab, p, chartP, err := s.loadTier(r, tq)
	if err != nil {
		return err
	}
	tv.Report = tab.Report
	if !tab.Report.Refreshed {
		s.render(w, r, "tier", v)
		return nil
	}
	tv.Period = p
	byMonth := map[pd.Date]pd.CreditMonth{}
	for _, m := range tab.Months {
		byMonth[m.Month] = m
	}
	var chartRows []pd.CreditMonth
	for m := chartP.From; !m.After(chartP.To); m = pd.AddMonths(m, 1) {
		chartRows = append(chartRows, byMonth[m])
		chartRows[len(chartRows)-1].Month = m
	}
	if !tq.month.IsZero() {
		if !chartP.Contains(tq.month) {
			return pd.Errorf(pd.EInvalid, "Pick a month of the chart.")
		}
		tv.Month = tq.month
		tv.Moves = pd.MovementsIn(tq.month, tab.Clients)
	}
	tv.Chart = newChart(chartRows, tv.Month, r.URL)
	tv.Flows = periodFlows(tab.Months, p)
	for m := pd.AddMonths(pd.MonthStart(tab.Report.AsOf), -35); !m.After(chartP.To); m = pd.AddMonths(m, 1) {
		tv.Months = append(tv.Months, m)
	}
	b := pd.BreakdownOf(p, tab.Clients)
	lines := b.Total
	switch tq.list {
	case "won":
		lines = b.Won
	case "lost":
		lines = b.Lost
	}
	pd.SortCreditLines(lines, tq.list, tq.sort, tq.desc)
	tv.ListTotal = len(lines)
	tv.Pages = max(1, (len(lines)+tierPageSize-1)/tierPageSize)
	lo := min(len(lines), (tq.page-1)*tierPageSize)
	tv.Lines = lines[lo:min(len(lines), lo+tierPageSize)]
	tv.Expiring = pd.ExpiringSoon(tab.Report.AsOf, 3, tab.Clients)

	if r.Header.Get("X-Partial") == "month" {
		s.render(w, r, "tier_month", v)
		return nil
	}
	s.render(w, r, "tier", v)
	return nil
}

// periodFlows sums the months of p: its opening, flows and closing.
func periodFlows(months []pd.CreditMonth, p pd.Period) pd.CreditMonth {
	f := pd.CreditMonth{Month: p.From}
	first := true
	for _, m := range months {
		if !p.Contains(m.Month) {
			continue
		}
		if first {
			f.Opening, first = m.Opening, false
		}
		f.New += m.New
		f.Upgraded += m.Upgraded
		f.Decreased += m.Decreased
		f.ExpiredLost += m.ExpiredLost
		f.Closing = m.Closing
	}
	return f
}

// Won is the credit won in the period.
func (v *tierView) Won() int64 { return v.Flows.New + v.Flows.Upgraded }

// Lost is the credit lost in the period.
func (v *tierView) Lost() int64 { return v.Flows.Decreased + v.Flows.ExpiredLost }

// ListURL is the URL of list with the current period (first page).
func (v *tierView) ListURL(list string) string {
	return setQuery(v.URL, "list", list, "page", "", "sort", "", "dir", "", "month", "")
}

// SortURL sorts the list by col, flipping the direction of the current
// column.
func (v *tierView) SortURL(col string) string {
	dir := "desc"
	if col == "client" {
		dir = "asc"
	}
	if col == v.Sort {
		dir = map[bool]string{true: "asc", false: "desc"}[v.Desc]
	}
	return setQuery(v.URL, "sort", col, "dir", dir, "page", "")
}

// PageURL is the URL of page n of the list.
func (v *tierView) PageURL(n int) string { return setQuery(v.URL, "page", n) }

// ExportURL is the CSV of list with the current period and sort.
func (v *tierView) ExportURL(list string) string {
	q := url.Values{}
	q.Set("list", list)
	q.Set("from", v.Period.From.Format("2006-01"))
	q.Set("to", v.Period.To.Format("2006-01"))
	if list == v.List {
		q.Set("sort", v.Sort)
		q.Set("dir", map[bool]string{true: "desc", false: "asc"}[v.Desc])
	}
	return v.URL.Path + ".csv?" + q.Encode()
}

// Shown is the first few of an expiring month's clients, largest first.
func (v *tierView) Shown(m pd.ExpiringMonth) []*pd.ClientCredit {
	return m.Clients[:min(len(m.Clients), expiringList)]
}

// More is how many of an expiring month's clients are not shown.
func (v *tierView) More(m pd.ExpiringMonth) int { return max(0, len(m.Clients)-expiringList) }

// Missing reports whether the partner misses anything for its next tier.
func (v *tierView) Missing() bool { return v.Report.Next != nil && !v.Report.Next.Met() }

// UsageNeeded is the average app usage every tier above the entry one
// needs.
func (v *tierView) UsageNeeded() int { return v.Report.Policy.MinAppUsage }
