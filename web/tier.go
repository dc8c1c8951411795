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
	Month      pd.Date
	Moves      []pd.MonthMoves // the largest changes first, at most monthMoves
	MovesTotal int
	// The breakdown of Period, and its list (total, won or lost), sorted
	// and paged.
	Period    pd.Period
	Current   bool      // the period ends with the snapshot's month: its closing is today's credit
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
	chartMonths    = 24 // months the chart shows
	tierPageSize   = 50
	expiringList   = 10 // clients listed per expiring month
	expiringMonths = 3  // months listed
	monthMoves     = 50 // clients listed for a chart month (all in its CSV)
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
	if !slices.Contains(tierLists, tq.list) && tq.list != "expiring" && tq.list != "month" { // the CSV only
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

// tierData is what a Tier tab request read, all from one snapshot.
type tierData struct {
	tab     *pd.TierTab
	period  pd.Period // the breakdown's
	chart   pd.Period
	current bool            // the period ends with the snapshot's month
	lines   []pd.CreditLine // the list, sorted: the page asked for, or every line
	total   int             // lines over all pages
}

// loadTier reads the snapshot for the Tier tab or its export (all: every
// line of the list rather than a page), in one transaction: the report,
// the partner's months, the credit expiring soon, and the list. The Total
// list of a period that ends now is the credit held now, paged and sorted
// by the database from an index; the other lists, and a past period's
// Total, are cut from the clients' histories (pd.BreakdownOf), read only
// then, as they are for a chart month's movements.
func (s *Server) loadTier(r *http.Request, prog pd.Program, tq tierQuery, all bool) (*tierData, error) {
	today := pd.MonthStart(pd.DateOf(s.now(), prog.Location()))
	history := tq.list == "won" || tq.list == "lost" || !tq.to.IsZero() && tq.to != today
	q := pd.TierQuery{AllMonths: true, ExpiringMonths: expiringMonths, History: history || !tq.month.IsZero()}
	if !history {
		q.HistoryMonth = tq.month
		if tq.list == "total" {
			q.Current = &pd.CreditPage{Sort: tq.sort, Desc: tq.desc}
			if !all {
				q.Current.Offset, q.Current.Limit = (tq.page-1)*tierPageSize, tierPageSize
			}
		}
	}
	tab, err := s.db.TierTab(r.Context(), q)
	if err != nil || !tab.Report.Refreshed {
		return &tierData{tab: tab}, err
	}
	d := &tierData{tab: tab}
	last := pd.MonthStart(tab.Report.AsOf)
	d.chart = pd.Period{From: pd.AddMonths(last, 1-chartMonths), To: last}
	if d.period, err = tq.period(tab.Report.AsOf); err != nil {
		return nil, err
	}
	d.current = d.period.To == last
	if q.Current != nil {
		d.lines, d.total = pd.CurrentLines(tab.Current), tab.CurrentTotal
		return d, nil
	}
	if !history {
		return d, nil // the expiring list
	}
	b := pd.BreakdownOf(d.period, tab.Clients)
	d.lines = map[string][]pd.CreditLine{"total": b.Total, "won": b.Won, "lost": b.Lost}[tq.list]
	d.total = len(d.lines)
	if tq.sort == "client" { // names first
		if err := s.db.NameCreditClients(r.Context(), linesClients(d.lines)); err != nil {
			return nil, err
		}
	}
	pd.SortCreditLines(d.lines, tq.list, tq.sort, tq.desc)
	if !all {
		lo := min(len(d.lines), (tq.page-1)*tierPageSize)
		d.lines = d.lines[lo:min(len(d.lines), lo+tierPageSize)]
	}
	return d, nil
}

func linesClients(lines []pd.CreditLine) []*pd.ClientCredit {
	out := make([]*pd.ClientCredit, len(lines))
	for i := range lines {
		out[i] = lines[i].ClientCredit
	}
	return out
}

func (s *Server) tierPage(w http.ResponseWriter, r *http.Request) error {
	tq, err := parseTierQuery(r.URL.Query())
	if err != nil {
		return err
	}
	if tq.list == "expiring" || tq.list == "month" {
		return pd.Errorf(pd.EInvalid, "Unknown list %q.", tq.list)
	}
	tv := &tierView{URL: r.URL, List: tq.list, Sort: tq.sort, Desc: tq.desc, PageNo: tq.page}
	v, err := s.dashboard(r, "clients", tv)
	if err != nil {
		return err
	}
	d, err := s.loadTier(r, v.Program, tq, false)
	if err != nil {
		return err
	}
	tab := d.tab
	tv.Report = tab.Report
	if !tab.Report.Refreshed {
		s.render(w, r, "tier", v)
		return nil
	}
	tv.Period, tv.Current = d.period, d.current
	byMonth := map[pd.Date]pd.CreditMonth{}
	for _, m := range tab.Months {
		byMonth[m.Month] = m
	}
	var chartRows []pd.CreditMonth
	for m := d.chart.From; !m.After(d.chart.To); m = pd.AddMonths(m, 1) {
		row := byMonth[m]
		row.Month = m
		chartRows = append(chartRows, row)
	}
	var named []*pd.ClientCredit
	if !tq.month.IsZero() {
		if !d.chart.Contains(tq.month) {
			return pd.Errorf(pd.EInvalid, "Pick a month of the chart.")
		}
		tv.Month = tq.month
		tv.Moves = pd.MovementsIn(tq.month, tab.Clients)
		tv.MovesTotal = len(tv.Moves)
		tv.Moves = tv.Moves[:min(len(tv.Moves), monthMoves)]
		for _, m := range tv.Moves {
			named = append(named, m.ClientCredit)
		}
	}
	tv.Chart = newChart(chartRows, tv.Month, r.URL)
	tv.Flows = periodFlows(tab.Months, d.period)
	for m := pd.AddMonths(d.chart.To, -35); !m.After(d.chart.To); m = pd.AddMonths(m, 1) {
		tv.Months = append(tv.Months, m)
	}
	tv.Lines, tv.ListTotal = d.lines, d.total
	tv.Pages = max(1, (d.total+tierPageSize-1)/tierPageSize)
	tv.Expiring = pd.ExpiringSoon(tab.Report.AsOf, expiringMonths, tab.Expiring)
	named = append(named, linesClients(tv.Lines)...)
	for _, m := range tv.Expiring {
		named = append(named, tv.Shown(m)...)
	}
	if err := s.db.NameCreditClients(r.Context(), named); err != nil {
		return err
	}
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

// ExportURL is the CSV of list with the current period and sort (of the
// chart's month for list "month").
func (v *tierView) ExportURL(list string) string {
	q := url.Values{}
	q.Set("list", list)
	if list == "month" {
		q.Set("month", v.Month.Format("2006-01"))
	}
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
