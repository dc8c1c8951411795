package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	"github.com/partnerdesk/partnerdesk/web"
)

// The page benchmarks run against a database made by the demo generator at
// scale, named by PARTNERDESK_BENCH_DB (a SQLite path or postgres:// URL):
//
//	go run ./cmd/partnerdesk demo --database-url /tmp/big.db --partners 10000 --clients 1000000  # then Ctrl-C
//	PARTNERDESK_BENCH_DB=/tmp/big.db go test ./web -run '^$' -bench . -benchtime 2000x
//
// Partner 1 of the scaled demo has 5,000 clients. Each benchmark reports
// the 95th percentile of server time per request and the queries per request.
func benchServer(b *testing.B) (*store.DB, http.Handler, *http.Cookie) {
	return benchServerAs(b, pd.RolePartnerAdmin, 1)
}

// benchServerAs signs in a user of role (of partner partnerID, for a
// partner role).
func benchServerAs(b *testing.B, role pd.Role, partnerID int64) (*store.DB, http.Handler, *http.Cookie) {
	dsn := os.Getenv("PARTNERDESK_BENCH_DB")
	if dsn == "" {
		b.Skip("set PARTNERDESK_BENCH_DB to a scaled demo database")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	id, err := db.CreateUser(ctx, store.NewUser{Email: fmt.Sprintf("bench-%d@bench.test", time.Now().UnixNano()),
		Name: "Bench", PasswordHash: "-", Role: role, PartnerID: partnerID})
	if err != nil {
		b.Fatal(err)
	}
	sess, err := db.CreateSession(ctx, id, time.Hour, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	srv, err := web.New(db, web.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		b.Fatal(err)
	}
	return db, srv, &http.Cookie{Name: "pd_session", Value: sess.Token}
}

func benchPage(b *testing.B, path string, partial bool) {
	db, h, cookie := benchServer(b)
	benchRequests(b, db, h, cookie, path, partial)
}

// benchRequests requests path with cookie and reports the percentiles.
func benchRequests(b *testing.B, db *store.DB, h http.Handler, cookie *http.Cookie, path string, partial bool) {
	var ds []time.Duration
	q0 := db.Queries()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(cookie)
		if partial {
			req.Header.Set("X-Partial", "panel")
		}
		w := httptest.NewRecorder()
		t0 := time.Now()
		h.ServeHTTP(w, req)
		ds = append(ds, time.Since(t0))
		if w.Code != 200 {
			b.Fatalf("GET %s: %d", path, w.Code)
		}
	}
	b.StopTimer()
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(db.Queries()-q0)/float64(len(ds)), "queries/op")
}

// The Clients tab's first page: 50 rows by MRR, totals and the alert count.
func BenchmarkClientsTab(b *testing.B) {
	benchPage(b, "/partners/1/clients?sort=mrr&dir=desc", false)
}

func BenchmarkClientsTabSearch(b *testing.B) {
	benchPage(b, "/partners/1/clients?q=a&sort=name&dir=asc&page=3", false)
}

func BenchmarkClientPanel(b *testing.B) {
	db, _, _ := benchServer(b)
	ctx := pd.WithPrincipal(context.Background(), &pd.Principal{Role: pd.RolePartnerAdmin, PartnerID: 1, UserID: -1})
	page, err := db.ListClients(ctx, pd.ClientFilter{Limit: 1})
	if err != nil || len(page.Clients) == 0 {
		b.Fatalf("partner 1 has no clients: %v", err)
	}
	benchPage(b, fmt.Sprintf("/partners/1/clients/%d?tab=details", page.Clients[0].ID), true)
}
