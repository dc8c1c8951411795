package store_test

import (
	"fmt"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// benchClients is how many clients the ingest benchmarks spread events
// over: a 10,000-event batch changes lines of about 8,000 of them.
const benchClients = 20_000

// benchEvents makes n events, the i-th batch of a stream: each a new id,
// over benchClients clients and three products, moving forward in time.
func benchEvents(batch, n int) []pd.BillingEventRecord {
	products := st.BenchProducts
	evs := make([]pd.BillingEventRecord, n)
	for i := range evs {
		k := batch*n + i
		evs[i] = pd.BillingEventRecord{ID: fmt.Sprintf("bench-%09d", k), OccurredAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(k) * time.Minute),
			Client: fmt.Sprintf("acct-b%06d", (k*7919)%benchClients), Partner: "p-alpha", Product: products[k%3], MRR: int64(k%50) * 1000}
	}
	return evs
}

// Batch ingest in the store, 10,000 events a batch into a program of
// benchClients clients with three lines each, idempotency checks and
// derived data included.
func BenchmarkIngestBillingEvents(b *testing.B) {
	for _, e := range st.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b, st.Clock)
			st.Load(b, db)
			st.LoadBenchClients(b, db, benchClients)
			const n = 10_000
			batches := make([][]pd.BillingEventRecord, b.N)
			for i := range batches {
				batches[i] = benchEvents(i, n)
			}
			cpu0 := st.CPUTime(db)
			b.ResetTimer()
			for i := range b.N {
				if _, err := db.Ingest(adminCtx(), false, func(in *store.Ingest) error { return in.BillingEvents(batches[i], 0) }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(b.N*n)/(st.CPUTime(db)-cpu0).Seconds(), "events/cpu-s")
		})
	}
}
