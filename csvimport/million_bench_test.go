package csvimport_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/csvimport"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// Import of a CSV file of 1,000,000 billing events over 50,000 clients
// (the target is at most 60 s), each import into a fresh database:
//
//	go test ./csvimport -run '^$' -bench Million -benchtime 1x
func BenchmarkImportMillionEvents(b *testing.B) {
	const events, clients = 1_000_000, 50_000
	path := filepath.Join(b.TempDir(), "events.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "id,occurred_at,client,partner,product,mrr")
	products := []string{"marketing-pro", "sales-starter", "service-enterprise", "content-pro"}
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for k := range events {
		fmt.Fprintf(w, "ev-%08d,%s,acct-m%06d,p-alpha,%s,%d\n", k, start.Add(time.Duration(k)*time.Minute).Format(time.RFC3339),
			(k*7919)%clients, products[k%4], (k%50)*1000)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	for _, e := range st.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			var took time.Duration
			for range b.N {
				b.StopTimer()
				db := e.Open(b, st.Clock)
				st.Load(b, db)
				err := db.Bulk(context.Background(), func(bk *store.Bulk) error {
					for i := range clients {
						if err := bk.Insert("clients", []string{"id", "account_id", "name", "created_at"},
							int64(10_000+i), fmt.Sprintf("acct-m%06d", i), fmt.Sprintf("Client %d", i), st.Now); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				in, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				t0 := time.Now()
				rep, err := csvimport.Import(admin(), db, "events", in, csvimport.Options{})
				took += time.Since(t0)
				in.Close()
				if err != nil || len(rep.Problems) > 0 || rep.Result.Created != events {
					b.Fatalf("import: %v %+v %v", err, rep.Result, rep.Problems[:min(len(rep.Problems), 5)])
				}
			}
			b.ReportMetric(took.Seconds()/float64(b.N), "s/import")
			b.ReportMetric(float64(events*b.N)/took.Seconds(), "events/s")
		})
	}
}
