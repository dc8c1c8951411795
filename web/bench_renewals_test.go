package web_test

import (
	"context"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// The Renewals page's first page for the benchmark partner (5,000 clients
// on the scaled demo): 50 rows by date, the total and the alert count.
func BenchmarkRenewalsPage(b *testing.B) {
	benchPage(b, "/partners/1/renewals", false)
}

// The Alerts link's target: pending renewals the partner owns.
func BenchmarkRenewalsPageAlerts(b *testing.B) {
	benchPage(b, "/partners/1/renewals?status=pending&owner=partner", false)
}

// Searching and sorting by client name read every client of the partner.
func BenchmarkRenewalsPageSearch(b *testing.B) {
	benchPage(b, "/partners/1/renewals?q=a&sort=client&dir=asc&page=2", false)
}

// The platform engagement index page as it is once the daily refresh has
// stored the closed months (it stores whatever is missing first).
func BenchmarkEngagementPage(b *testing.B) {
	db, _, _ := benchServer(b)
	prog, err := db.Program(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	n, err := db.RefreshEngagement(context.Background(), pd.DateOf(time.Now(), prog.Location()))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("RefreshEngagement stored %d partner-months in %s", n, time.Since(start).Round(time.Millisecond))
	benchPage(b, "/partners/1/engagement", false)
}

// A bucket's clients instead of the opportunity lists.
func BenchmarkEngagementPageBucket(b *testing.B) {
	benchPage(b, "/partners/1/engagement?bucket=low", false)
}
