package web_test

import (
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// The dates tests expect, derived from the fixture's today (st.Now, which
// PARTNERDESK_TEST_TODAY moves) the way the fixture derives its data, and
// written the way the pages write them.

// day is n days from the fixture's today, as the fixture places renewals
// and usage.
func day(n int) pd.Date { return pd.DateOf(st.Now, time.UTC).AddDays(n) }

// month is the first day of the month k months from today's.
func month(k int) pd.Date { return pd.AddMonths(pd.MonthStart(day(0)), k) }

// monthOf is the first day of t's month.
func monthOf(t time.Time) pd.Date { return pd.MonthStart(pd.DateOf(t, time.UTC)) }

// Months of the fixture's tier credit (storetest's Load and loadCredit):
// every client line was billed three months before today; Globex was
// first sold fifteen months before, and lost two months after that.
var (
	billedMonth     = monthOf(st.Now.AddDate(0, -3, 0))
	globexSoldMonth = monthOf(st.Now.AddDate(0, -15, 0))
	globexLostMonth = monthOf(st.Now.AddDate(0, -13, 0))
)

// dateText is a date as the pages show it ("Dec 20, 2026").
func dateText(d pd.Date) string { return web.FormatDate(d) }

// Month layouts of the templates.
const (
	monthLong  = "January 2006" // the Tier tab's chart and month
	monthShort = "Jan 2006"     // the engagement trend's table, the Tier chart's axis
	monthParam = "2006-01"      // a month in a query string
)
