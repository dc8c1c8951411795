package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// The public directory with 10,000 published profiles, on each engine:
//
//	PARTNERDESK_TEST_POSTGRES=… go test ./web -run '^$' -bench Directory -benchtime 1000x
//
// Each request is counted against the per-address limit (raised out of
// the way), as in production. It reports the 95th percentile and median
// of server time per request.
func BenchmarkDirectory(b *testing.B) {
	for _, e := range st.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b, st.Clock)
			st.Load(b, db)
			loadDirectoryAtScale(b, db, 10_000)
			// As after the demo's load: the planner's statistics of every
			// table, the tiers' included.
			if err := db.Optimize(context.Background()); err != nil {
				b.Fatal(err)
			}
			srv, err := web.New(db, web.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)), st.Clock)
			if err != nil {
				b.Fatal(err)
			}
			srv.SetPublicLimitsForTest(store.PublicLimits{Lead: store.DefaultPublicLimits.Lead,
				Directory: store.SignInLimit{Max: 1 << 30, Window: time.Hour}})
			for _, c := range []struct{ name, path string }{
				{"first-page", "/directory"},
				{"filtered", "/directory?q=consult&service=Training&country=Spain&language=Spanish&page=2"},
			} {
				b.Run(c.name, func(b *testing.B) {
					var ds []time.Duration
					for b.Loop() {
						req := httptest.NewRequest("GET", c.path, nil)
						w := httptest.NewRecorder()
						t0 := time.Now()
						srv.ServeHTTP(w, req)
						ds = append(ds, time.Since(t0))
						if w.Code != 200 || strings.Count(w.Body.String(), `data-testid="profile-card"`) != 20 {
							b.Fatalf("GET %s: %d, %d cards", c.path, w.Code, strings.Count(w.Body.String(), `data-testid="profile-card"`))
						}
					}
					slices.Sort(ds)
					b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "p95-ms")
					b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
				})
			}
		})
	}
}

// loadDirectoryAtScale publishes n profiles across the tiers, services,
// countries and languages.
func loadDirectoryAtScale(b testing.TB, db *store.DB, n int) {
	tiers := []string{"partner", "silver", "gold", "platinum", "diamond"}
	countries := []string{"France", "Spain", "Germany", "Italy", "Belgium"}
	languages := []string{"French", "Spanish", "German", "Italian", "English"}
	err := db.Bulk(context.Background(), func(bk *store.Bulk) error {
		for i := range n {
			id := 10_000 + i
			name := fmt.Sprintf("Agency %05d", i)
			bk.Insert("partners", []string{"id", "external_id", "name", "tier_code", "created_at"}, id, fmt.Sprint("p-", id), name, tiers[i%len(tiers)], st.Now)
			desc := "Consulting, implementation and training for growing teams."
			bk.Insert("directory_profiles", []string{"partner_id", "state", "slug", "description", "services", "industries",
				"countries", "languages", "search", "updated_at"},
				id, pd.ProfilePublished, pd.Slug(name), desc, "|"+st.DirectoryServices[i%3]+"|"+st.DirectoryServices[(i+1)%3]+"|",
				"|Manufacturing|Retail|", "|"+countries[i%5]+"|"+countries[(i+2)%5]+"|", "|"+languages[i%5]+"|English|",
				strings.ToLower(name+"\n"+desc), st.Now)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
