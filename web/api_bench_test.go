package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// benchClients is how many clients the batches spread their events over
// (each with three lines): a 10,000-event batch changes lines of about
// 8,000 of them.
const benchClients = 20_000

// Batch ingest of billing events through the API, 10,000 a request: JSON
// decoding, validation against the OpenAPI schema, idempotency checks,
// the events and the derived lines and clients, in one transaction.
//
//	go test ./web -run '^$' -bench APIIngest -benchtime 20x
func BenchmarkAPIIngestBillingEvents(b *testing.B) {
	for _, e := range st.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b, st.Clock)
			st.Load(b, db)
			st.LoadBenchClients(b, db, benchClients)
			srv, err := web.New(db, web.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)), st.Clock)
			if err != nil {
				b.Fatal(err)
			}
			const n = pd.MaxBatch
			bodies := make([]string, b.N)
			for i := range bodies {
				bodies[i] = eventBatch(i, n)
			}
			cpu0 := st.CPUTime(db)
			b.ResetTimer()
			for i := range b.N {
				req := httptest.NewRequest("POST", "/api/v1/billing-events", strings.NewReader(bodies[i]))
				req.Header.Set("Authorization", "Bearer "+st.IngestToken)
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if rec.Code != 200 || !strings.Contains(rec.Body.String(), fmt.Sprintf(`"created":%d`, n)) {
					b.Fatalf("batch %d: %d %.300s", i, rec.Code, rec.Body)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(b.N*n)/(st.CPUTime(db)-cpu0).Seconds(), "events/cpu-s")
		})
	}
}

// eventBatch is the i-th request of a stream of new events moving forward
// in time over benchClients clients and three products.
func eventBatch(batch, n int) string {
	products := st.BenchProducts
	recs := make([]pd.BillingEventRecord, n)
	for i := range recs {
		k := batch*n + i
		recs[i] = pd.BillingEventRecord{ID: fmt.Sprintf("bench-%09d", k), OccurredAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(k) * time.Minute),
			Client: fmt.Sprintf("acct-b%06d", (k*7919)%benchClients), Partner: "p-alpha", Product: products[k%3], MRR: int64(k%50) * 1000}
	}
	b, _ := json.Marshal(map[string]any{"records": recs})
	return string(b)
}
