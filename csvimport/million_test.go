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

// MillionEnv opts in to importing a generated file of 1,000,000 billing
// events, which must take at most 60 s:
//
//	PARTNERDESK_IMPORT_1M=1 go test ./csvimport -run Million -v
const millionEnv = "PARTNERDESK_IMPORT_1M"

func TestImportAMillionEventsInAMinute(t *testing.T) {
	if os.Getenv(millionEnv) == "" {
		t.Skipf("set %s=1 to import 1,000,000 generated events (about a minute per engine)", millionEnv)
	}
	const events, clients = 1_000_000, 50_000
	path := filepath.Join(t.TempDir(), "events.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "id,occurred_at,client,partner,product,mrr")
	products := []string{"marketing-pro", "sales-starter", "service-enterprise", "content-pro"}
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for k := range events {
		fmt.Fprintf(w, "ev-%08d,%s,acct-m%06d,p-alpha,%s,%d\n", k, start.Add(time.Duration(k)*time.Minute).Format(time.RFC3339),
			(k*7919)%clients, products[k%4], (k%50)*1000)
	}
	w.Flush()
	f.Close()
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		err := db.Bulk(context.Background(), func(b *store.Bulk) error {
			for i := range clients {
				if err := b.Insert("clients", []string{"id", "account_id", "name", "created_at"},
					int64(10_000+i), fmt.Sprintf("acct-m%06d", i), fmt.Sprintf("Client %d", i), st.Now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		in, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		t0 := time.Now()
		rep, err := csvimport.Import(admin(), db, "events", in, csvimport.Options{})
		took := time.Since(t0)
		if err != nil || len(rep.Problems) > 0 || rep.Result.Created != events {
			t.Fatalf("import: %v %+v %v", err, rep.Result, rep.Problems[:min(len(rep.Problems), 5)])
		}
		t.Logf("%s: imported %d events in %.1f s (%.0f events/s)", e.Name, events, took.Seconds(), events/took.Seconds())
		if took > time.Minute {
			t.Errorf("%s: %.1f s, more than a minute", e.Name, took.Seconds())
		}
	})
}
