package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
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

// Batch ingest through the API into the scaled demo (PARTNERDESK_BENCH_DB,
// see benchServer): 10,000 events a request, each for a different client
// drawn from its 1,000,000 and a partner from its 10,000, checked and
// written in full, then rolled back (?dry_run=true), so that the demo's
// data stays as generated. On PostgreSQL, run VACUUM (ANALYZE) afterwards:
// the rolled-back rows leave pages that index-only scans must visit.
//
//	PARTNERDESK_BENCH_DB=/tmp/big.db go test ./web -run '^$' -bench APIIngestScaled -benchtime 5x
func BenchmarkAPIIngestScaled(b *testing.B) {
	db, srv, _ := benchServer(b)
	ctx := context.Background()
	id, err := db.CreateUser(ctx, store.NewUser{Email: fmt.Sprintf("bench-admin-%d@bench.test", time.Now().UnixNano()),
		Name: "Bench", PasswordHash: "-", Role: pd.RoleProgramAdmin})
	if err != nil {
		b.Fatal(err)
	}
	_, secret, err := db.CreateToken(pd.WithPrincipal(ctx, &pd.Principal{UserID: id, Role: pd.RoleProgramAdmin}),
		store.NewToken{Name: "bench", Scope: pd.ScopeIngest})
	if err != nil {
		b.Fatal(err)
	}
	const n = pd.MaxBatch
	products := st.BenchProducts
	bodies := make([]string, b.N)
	for i := range bodies {
		recs := make([]pd.BillingEventRecord, n)
		for j := range recs {
			k := i*n + j
			recs[j] = pd.BillingEventRecord{ID: fmt.Sprintf("bench-scaled-%d-%09d", time.Now().Unix(), k),
				OccurredAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(k) * time.Second),
				Client:     fmt.Sprintf("acct-%06d", 1+(k*7919)%1_000_000), Partner: fmt.Sprintf("ptn-%05d", 1+k%10_000),
				Product: products[k%3], MRR: int64(k%50) * 1000}
		}
		body, _ := json.Marshal(map[string]any{"records": recs})
		bodies[i] = string(body)
	}
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest("POST", "/api/v1/billing-events?dry_run=true", strings.NewReader(bodies[i]))
		req.Header.Set("Authorization", "Bearer "+secret)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), fmt.Sprintf(`"created":%d`, n)) {
			b.Fatalf("batch %d: %d %.300s", i, rec.Code, rec.Body)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
}
