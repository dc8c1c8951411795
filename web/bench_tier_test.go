package web_test

import (
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// The Tier tab of partner 1 (5,000 clients) of the scaled demo, after a
// daily refresh (partnerdesk refresh --database-url $PARTNERDESK_BENCH_DB):
// its default view (the Total list of the last twelve months, read from
// an index), the Won list (cut from every client's movements), a page of
// it by name (every client's name), and a month's movements.
func BenchmarkTierTab(b *testing.B) { benchPage(b, "/partners/1/tier", false) }

func BenchmarkTierTabWon(b *testing.B) { benchPage(b, "/partners/1/tier?list=won", false) }

func BenchmarkTierTabWonByName(b *testing.B) {
	benchPage(b, "/partners/1/tier?list=won&sort=client&dir=asc&page=3", false)
}

// The month is eight months back, inside the chart: the server runs on the
// real clock, like the demo that made the database.
func BenchmarkTierTabMonth(b *testing.B) {
	m := pd.AddMonths(pd.MonthStart(pd.DateOf(time.Now(), time.UTC)), -8)
	benchPage(b, "/partners/1/tier?month="+m.Format("2006-01"), false)
}
